//! The law engine on a school's database: builds the engine's case from the store (calendar,
//! code table, students, timetable and registrations up to `today`) and evaluates it.
//! `verzuim check --database-url … --brin …` and, later, the verzuimcoördinator's page call it.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDate, Utc};
use verzuim_domain::{SchoolYear, StudentId};
use verzuim_law::{
    CalendarInput, Case, CaseError, CountingSetting, Evaluation, LessonInput, RegistrationInput,
    SchoolSettings, StudentInput,
};
use verzuim_store::{AuditAction, AuditEntry, SchoolId, StoreError, StudentQuery};

use crate::App;

/// Why the check could not run.
#[derive(Debug, thiserror::Error)]
pub enum LawUseCaseError {
    /// The school does not exist.
    #[error("school {0} bestaat niet")]
    UnknownSchool(i64),
    /// A student number the school's administration does not know.
    #[error("leerling {0} bestaat niet in deze school")]
    UnknownStudent(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The data in the database is not a valid case (e.g. a registration outside the year).
    #[error("gegevens in de database: {0}")]
    Case(#[from] CaseError),
}

impl App {
    /// The engine's case for `school` as of `today`: the school year containing `today`, its
    /// calendar (the stored one, else the shipped holidays of the school's region), the code
    /// table, every student, and the timetable and standing registrations from the first school
    /// day up to `today`. A student without a residence gemeente lives abroad (domain rule).
    pub async fn law_case(
        &self,
        school: SchoolId,
        today: NaiveDate,
    ) -> Result<Case, LawUseCaseError> {
        Ok(self.case_with_ids(school, today).await?.0)
    }

    /// [`App::law_case`] and the store id of every student number in it.
    async fn case_with_ids(
        &self,
        school: SchoolId,
        today: NaiveDate,
    ) -> Result<(Case, HashMap<String, StudentId>), LawUseCaseError> {
        let row = self
            .store
            .school(school)
            .await?
            .ok_or(LawUseCaseError::UnknownSchool(school.0))?;
        let year = SchoolYear::containing(today);
        let (first, calendar) = match self.store.calendar(school, year).await? {
            Some(c) => (c.first_day, CalendarInput::from(&c)),
            None => (
                year.first_day(),
                CalendarInput {
                    school_year: year,
                    region: row.school.region,
                    first_day: None,
                    last_day: None,
                    holidays: None,
                    free_days: Vec::new(),
                },
            ),
        };
        let codes = self.store.code_table(school).await?.codes().to_vec();
        let students = self
            .store
            .students(school, &StudentQuery::default())
            .await?;
        let numbers: HashMap<StudentId, String> = students
            .iter()
            .map(|s| (s.id, s.student.student_number.clone()))
            .collect();
        let lessons = self.store.lessons_between(school, first, today).await?;
        let lesson_minutes = most_common_minutes(lessons.iter().map(|l| l.lesson.minutes()));
        let timetable = lessons
            .iter()
            .map(|l| LessonInput {
                group: l.group_code.clone(),
                date: l.lesson.date,
                start: l.lesson.start,
                end: l.lesson.end,
                lesuren: 1,
                counts: true,
            })
            .collect();
        let registrations = self
            .store
            .registrations_between(school, first, today)
            .await?
            .into_iter()
            .filter_map(|r| {
                let student = numbers.get(&r.registration.student)?.clone();
                Some(RegistrationInput {
                    id: Some(r.id.0.to_string()),
                    student,
                    date: r.date,
                    start: r.start,
                    end: r.end,
                    code: r.registration.code,
                    minutes_late: r.registration.minutes_late,
                    lesuren: None,
                })
            })
            .collect();
        let ids: HashMap<String, StudentId> = numbers
            .into_iter()
            .map(|(id, number)| (number, id))
            .collect();
        let students = students
            .into_iter()
            .map(|s| StudentInput {
                id: s.student.student_number,
                birth_date: s.student.birth_date,
                start_qualification: s.student.start_qualification,
                enrolled_from: s.student.enrolled_from,
                enrolled_until: s.student.enrolled_until,
                lives_abroad: s.student.residence.is_none(),
                school_years_completed: None,
                sector: None,
                group: s.group_code,
                exemptions: Vec::new(),
                prior_meldingen: Vec::new(),
                suspect: Vec::new(),
            })
            .collect();
        let case = Case {
            school: SchoolSettings {
                brin: Some(row.school.brin.to_string()),
                sector: row.school.sector,
                lesson_minutes,
                counting: CountingSetting::Auto,
                mbo_all_in_lesuren: false,
                // The database holds no leave requests yet (they come with the verlof
                // issue): a VE the school registered stands for leave it granted, so no
                // code is judged as "leave without a granted request" here.
                leave_codes: Vec::new(),
            },
            calendar,
            codes,
            students,
            timetable,
            registrations,
            leave_requests: Vec::new(),
        };
        Ok((case, ids))
    }

    /// Evaluates the law for `school` as of `today` and writes one `read` audit row per student
    /// that appears in the answer (a melding is personal data read by `actor_label`).
    pub async fn check_school(
        &self,
        school: SchoolId,
        today: NaiveDate,
        actor_label: &str,
        now: DateTime<Utc>,
    ) -> Result<Evaluation, LawUseCaseError> {
        let (case, ids) = self.case_with_ids(school, today).await?;
        let evaluation = verzuim_law::evaluate(&case, today)?;
        let mut students: Vec<StudentId> = evaluation
            .meldingen
            .iter()
            .filter_map(|m| ids.get(&m.student).copied())
            .collect();
        students.sort_unstable();
        students.dedup();
        let reads: Vec<AuditEntry> = students
            .into_iter()
            .map(|student| AuditEntry {
                at: now,
                school,
                actor: None,
                actor_label: actor_label.to_owned(),
                student: Some(student),
                action: AuditAction::Read,
                detail: format!("verzuimcheck {today}"),
            })
            .collect();
        self.store.append_audits(&reads).await?;
        Ok(evaluation)
    }
}

/// The most common lesson length in minutes (the school's lesuur), 50 when there are none.
pub(crate) fn most_common_minutes(minutes: impl Iterator<Item = i64>) -> u16 {
    let mut counts: HashMap<i64, i64> = HashMap::new();
    for m in minutes {
        *counts.entry(m).or_default() += 1;
    }
    most_common_length(counts)
}

/// [`most_common_minutes`] from (length in minutes, number of lessons) pairs; a tie goes to
/// the shorter lesson.
pub(crate) fn most_common_length(counts: impl IntoIterator<Item = (i64, i64)>) -> u16 {
    counts
        .into_iter()
        .max_by_key(|&(m, n)| (n, -m))
        .and_then(|(m, _)| u16::try_from(m).ok())
        .filter(|&m| m > 0)
        .unwrap_or(50)
}

#[cfg(test)]
mod tests {
    use super::{most_common_length, most_common_minutes};

    #[test]
    fn the_lesuur_is_the_most_common_lesson_length() {
        assert_eq!(most_common_minutes([50, 50, 100, 45].into_iter()), 50);
        assert_eq!(most_common_minutes(std::iter::empty()), 50);
        // A tie goes to the shorter lesson.
        assert_eq!(most_common_minutes([45, 50].into_iter()), 45);
        assert_eq!(most_common_length([(50, 3), (100, 1), (45, 3)]), 45);
    }
}
