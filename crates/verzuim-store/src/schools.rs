//! Schools (tenants), their calendars and their absence-code tables.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use verzuim_domain::{
    Brin, CodeTable, Holiday, Location, Region, School, SchoolCalendar, SchoolPeriod, SchoolYear,
    Sector,
};

use crate::rows::CodeRec;
use crate::sql::{corrupt, unique_to_conflict};
use crate::{Result, SchoolId, SchoolRow, Store, StoreError};

#[derive(sqlx::FromRow)]
struct SchoolRec {
    id: i64,
    brin: String,
    name: String,
    sector: String,
    region: String,
}

#[derive(sqlx::FromRow)]
struct CalendarRec {
    region: String,
    first_day: NaiveDate,
    last_day: NaiveDate,
    holidays: String,
    extra_free_days: String,
    periods: String,
}

fn school_row(rec: SchoolRec, locations: Vec<(String, String)>) -> Result<SchoolRow> {
    let what = format!("school {}", rec.brin);
    Ok(SchoolRow {
        id: SchoolId(rec.id),
        school: School {
            brin: Brin::parse(&rec.brin).map_err(|e| corrupt(&what, e))?,
            name: rec.name,
            sector: Sector::parse(&rec.sector).map_err(|e| corrupt(&what, e))?,
            region: Region::parse(&rec.region).map_err(|e| corrupt(&what, e))?,
            locations: locations
                .into_iter()
                .map(|(code, name)| Location { code, name })
                .collect(),
        },
    })
}

impl Store {
    /// Stores a new school with its locations. A BRIN that is taken is a
    /// [`StoreError::Conflict`] on `brin`.
    pub async fn create_school(&self, school: &School) -> Result<SchoolId> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO schools (brin, name, sector, region) VALUES ($1, $2, $3, $4) RETURNING id",
            )
            .bind(school.brin.as_str())
            .bind(&school.name)
            .bind(school.sector.code())
            .bind(school.region.code())
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| {
                unique_to_conflict(e, "brin", format!("er is al een school met BRIN {}", school.brin))
            })?;
            for (position, location) in (0_i32..).zip(&school.locations) {
                sqlx::query(
                    "INSERT INTO locations (school_id, position, code, name) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(position)
                .bind(&location.code)
                .bind(&location.name)
                .execute(&mut *tx)
                .await
                .map_err(|e| {
                    unique_to_conflict(e, "locaties", format!("locatiecode '{}' komt twee keer voor", location.code))
                })?;
            }
            tx.commit().await?;
            Ok(SchoolId(id))
        })
    }

    /// The school with this id, if any.
    pub async fn school(&self, id: SchoolId) -> Result<Option<SchoolRow>> {
        with_pool!(self, pool => {
            let rec: Option<SchoolRec> =
                sqlx::query_as("SELECT id, brin, name, sector, region FROM schools WHERE id = $1")
                    .bind(id.0)
                    .fetch_optional(pool)
                    .await?;
            let Some(rec) = rec else { return Ok(None) };
            let locations: Vec<(String, String)> = sqlx::query_as(
                "SELECT code, name FROM locations WHERE school_id = $1 ORDER BY position",
            )
            .bind(rec.id)
            .fetch_all(pool)
            .await?;
            school_row(rec, locations).map(Some)
        })
    }

    /// The school with this BRIN, if any.
    pub async fn school_by_brin(&self, brin: &Brin) -> Result<Option<SchoolRow>> {
        let id: Option<i64> = with_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM schools WHERE brin = $1")
                .bind(brin.as_str())
                .fetch_optional(pool)
                .await?
        });
        match id {
            Some(id) => self.school(SchoolId(id)).await,
            None => Ok(None),
        }
    }

    /// All schools, by BRIN.
    pub async fn schools(&self) -> Result<Vec<SchoolRow>> {
        let ids: Vec<i64> = with_pool!(self, pool => {
            sqlx::query_scalar("SELECT id FROM schools ORDER BY brin").fetch_all(pool).await?
        });
        let mut rows = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(row) = self.school(SchoolId(id)).await? {
                rows.push(row);
            }
        }
        Ok(rows)
    }

    /// Stores the school's calendar for `calendar.year`, replacing the one stored before.
    pub async fn save_calendar(&self, school: SchoolId, calendar: &SchoolCalendar) -> Result<()> {
        let holidays =
            serde_json::to_string(&calendar.holidays).map_err(|e| corrupt("vakanties", e))?;
        let extra = serde_json::to_string(&calendar.extra_free_days)
            .map_err(|e| corrupt("extra vrije dagen", e))?;
        let periods =
            serde_json::to_string(&calendar.periods).map_err(|e| corrupt("periodes", e))?;
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            require_school(&mut *tx, school).await?;
            sqlx::query(
                "INSERT INTO calendars (school_id, school_year, region, first_day, last_day, holidays, extra_free_days, periods) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 ON CONFLICT (school_id, school_year) DO UPDATE SET region = excluded.region, \
                 first_day = excluded.first_day, last_day = excluded.last_day, \
                 holidays = excluded.holidays, extra_free_days = excluded.extra_free_days, \
                 periods = excluded.periods",
            )
            .bind(school.0)
            .bind(calendar.year.start_year())
            .bind(calendar.region.code())
            .bind(calendar.first_day)
            .bind(calendar.last_day)
            .bind(&holidays)
            .bind(&extra)
            .bind(&periods)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// The school's calendar for `year`, if one was saved.
    pub async fn calendar(
        &self,
        school: SchoolId,
        year: SchoolYear,
    ) -> Result<Option<SchoolCalendar>> {
        let rec: Option<CalendarRec> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT region, first_day, last_day, holidays, extra_free_days, periods FROM calendars \
                 WHERE school_id = $1 AND school_year = $2",
            )
            .bind(school.0)
            .bind(year.start_year())
            .fetch_optional(pool)
            .await?
        });
        let Some(rec) = rec else { return Ok(None) };
        let what = format!("kalender {year}");
        let holidays: Vec<Holiday> =
            serde_json::from_str(&rec.holidays).map_err(|e| corrupt(&what, e))?;
        let extra_free_days: BTreeSet<NaiveDate> =
            serde_json::from_str(&rec.extra_free_days).map_err(|e| corrupt(&what, e))?;
        let periods: Vec<SchoolPeriod> =
            serde_json::from_str(&rec.periods).map_err(|e| corrupt(&what, e))?;
        Ok(Some(SchoolCalendar {
            year,
            region: Region::parse(&rec.region).map_err(|e| corrupt(&what, e))?,
            first_day: rec.first_day,
            last_day: rec.last_day,
            holidays,
            extra_free_days,
            periods,
        }))
    }

    /// Replaces the school's absence-code table. Registrations keep the codes they have.
    pub async fn save_code_table(&self, school: SchoolId, table: &CodeTable) -> Result<()> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            require_school(&mut *tx, school).await?;
            sqlx::query("DELETE FROM absence_codes WHERE school_id = $1")
                .bind(school.0)
                .execute(&mut *tx)
                .await?;
            for (position, code) in (0_i32..).zip(table.codes()) {
                sqlx::query(
                    "INSERT INTO absence_codes (school_id, position, code, description, authorized, kind, \
                     counts_toward_legal_hours, needs_follow_up) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                )
                .bind(school.0)
                .bind(position)
                .bind(&code.code)
                .bind(&code.description)
                .bind(code.authorized)
                .bind(code.kind.code())
                .bind(code.counts_toward_legal_hours)
                .bind(code.needs_follow_up)
                .execute(&mut *tx)
                .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    /// The school's absence-code table, in the order it was saved; empty when none was saved.
    pub async fn code_table(&self, school: SchoolId) -> Result<CodeTable> {
        let recs: Vec<CodeRec> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT code, description, authorized, kind, counts_toward_legal_hours, needs_follow_up \
                 FROM absence_codes WHERE school_id = $1 ORDER BY position",
            )
            .bind(school.0)
            .fetch_all(pool)
            .await?
        });
        let codes = recs
            .into_iter()
            .map(CodeRec::into_code)
            .collect::<Result<Vec<_>>>()?;
        CodeTable::new(codes).map_err(|e| corrupt("codetabel", e))
    }
}

/// Fails with [`StoreError::NotFound`] unless school `school` exists.
pub(crate) async fn require_school<'e, E, DB>(executor: E, school: SchoolId) -> Result<()>
where
    DB: sqlx::Database,
    E: sqlx::Executor<'e, Database = DB>,
    i64: sqlx::Encode<'e, DB> + sqlx::Type<DB> + for<'r> sqlx::Decode<'r, DB>,
    for<'a> <DB as sqlx::Database>::Arguments: sqlx::IntoArguments<DB>,
    usize: sqlx::ColumnIndex<DB::Row>,
{
    let found: Option<i64> = sqlx::query_scalar("SELECT id FROM schools WHERE id = $1")
        .bind(school.0)
        .fetch_optional(executor)
        .await?;
    match found {
        Some(_) => Ok(()),
        None => Err(StoreError::NotFound {
            what: format!("school {}", school.0),
        }),
    }
}
