//! Lessons of the timetable.

use chrono::{NaiveDate, NaiveTime};
use verzuim_domain::{LessonId, StaffId};

use crate::rows::{LessonRec, lesson_select};
use crate::{LessonRow, Result, SchoolId, Store};

impl Store {
    /// A lesson of the school.
    pub async fn lesson(&self, school: SchoolId, id: LessonId) -> Result<Option<LessonRow>> {
        let rec: Option<LessonRec> = with_pool!(self, pool => {
            sqlx::query_as(concat!(lesson_select!(), " WHERE l.school_id = $1 AND l.id = $2"))
                .bind(school.0)
                .bind(id.0)
                .fetch_optional(pool)
                .await?
        });
        rec.map(LessonRec::into_row).transpose()
    }

    /// The lessons a teacher gives on `date`, by start time.
    pub async fn lessons_of_teacher_on(
        &self,
        school: SchoolId,
        teacher: StaffId,
        date: NaiveDate,
    ) -> Result<Vec<LessonRow>> {
        let recs: Vec<LessonRec> = with_pool!(self, pool => {
            sqlx::query_as(concat!(
                lesson_select!(),
                " WHERE l.school_id = $1 AND l.teacher_id = $2 AND l.date = $3 \
                 ORDER BY l.start_time, g.code, l.id"
            ))
            .bind(school.0)
            .bind(teacher.0)
            .bind(date)
            .fetch_all(pool)
            .await?
        });
        recs.into_iter().map(LessonRec::into_row).collect()
    }

    /// All lessons of the school on `date`, by start time and group.
    pub async fn lessons_on(&self, school: SchoolId, date: NaiveDate) -> Result<Vec<LessonRow>> {
        let recs: Vec<LessonRec> = with_pool!(self, pool => {
            sqlx::query_as(concat!(
                lesson_select!(),
                " WHERE l.school_id = $1 AND l.date = $2 ORDER BY l.start_time, g.code, l.id"
            ))
            .bind(school.0)
            .bind(date)
            .fetch_all(pool)
            .await?
        });
        recs.into_iter().map(LessonRec::into_row).collect()
    }

    /// The lessons of the school from `from` to `to` inclusive, by date, start time and group:
    /// the schedule the law engine counts missed lessons against.
    pub async fn lessons_between(
        &self,
        school: SchoolId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<LessonRow>> {
        let recs: Vec<LessonRec> = with_pool!(self, pool => {
            sqlx::query_as(concat!(
                lesson_select!(),
                " WHERE l.school_id = $1 AND l.date >= $2 AND l.date <= $3 \
                 ORDER BY l.date, l.start_time, g.code, l.id"
            ))
            .bind(school.0)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        recs.into_iter().map(LessonRec::into_row).collect()
    }

    /// The lessons of one group (by code) from `from` to `to` inclusive, by date and start.
    pub async fn group_lessons_between(
        &self,
        school: SchoolId,
        group: &str,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<LessonRow>> {
        let recs: Vec<LessonRec> = with_pool!(self, pool => {
            sqlx::query_as(concat!(
                lesson_select!(),
                " WHERE l.school_id = $1 AND g.code = $2 AND l.date >= $3 AND l.date <= $4 \
                 ORDER BY l.date, l.start_time, l.id"
            ))
            .bind(school.0)
            .bind(group)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        recs.into_iter().map(LessonRec::into_row).collect()
    }

    /// How many lessons of the school from `from` to `to` inclusive have each length in
    /// minutes (computed from the distinct start/end pairs, so a year of lessons is a few rows).
    pub async fn lesson_length_counts(
        &self,
        school: SchoolId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<(i64, i64)>> {
        let slots: Vec<(NaiveTime, NaiveTime, i64)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT start_time, end_time, COUNT(*) FROM lessons \
                 WHERE school_id = $1 AND date >= $2 AND date <= $3 \
                 GROUP BY start_time, end_time",
            )
            .bind(school.0)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        let mut lengths: std::collections::BTreeMap<i64, i64> = std::collections::BTreeMap::new();
        for (start, end, n) in slots {
            *lengths.entry((end - start).num_minutes()).or_default() += n;
        }
        Ok(lengths.into_iter().collect())
    }
}
