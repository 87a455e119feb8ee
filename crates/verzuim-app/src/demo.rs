//! Loading a generated demo school ([`verzuim_demo`]) into the store: the school, its
//! calendar and code table, then its staff, classes, students, timetable and registrations.
//!
//! Only the demo logins get a password (hashed by the caller's function, so this module does
//! not fix the hashing scheme); every other staff member has none and cannot log in until an
//! admin sets one. A school whose BRIN is already in the database is left alone:
//! [`DemoError::AlreadyExists`] says so, and the CLI then serves what is there.
//!
//! Passwords are hashed first; then the school row, calendar (with its school periods), code
//! table and protocol choice are written, then the data. If writing the data fails, the school
//! exists without it (start again with a fresh file).
//!
//! The demo school follows the preset [`DEMO_PROTOCOL`] from its first school day, so its
//! inboxes fill with tasks from the demo data once the protocol runs (`App::protocol_run`).

use std::fmt::Display;

use chrono::{DateTime, NaiveDate, Utc};
use verzuim_demo::{DemoGenerator, DemoLogin, DemoSchool};
use verzuim_domain::{Batch, Brin, CodeTable, School, SchoolCalendar};
use verzuim_store::{BatchReport, SchoolId, StoreError};

use crate::App;
use crate::protocol::ProtocolUseCaseError;

/// Label of the demo in the audit log.
pub const DEMO_ACTOR: &str = "demo";

/// The preset the demo school runs on (seed 004, the VMBO Maastricht protocol: the demo
/// school is in Maastricht and uses the codes of that seed).
pub const DEMO_PROTOCOL: &str = "vmbo-maastricht-2019";

/// What went wrong while loading a demo.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// The database already holds a school with the demo's BRIN.
    #[error(
        "school {brin} staat al in deze database; die wordt gebruikt zoals hij is \
         (begin opnieuw met een leeg bestand om een nieuwe demo te maken)"
    )]
    AlreadyExists {
        /// The BRIN.
        brin: Brin,
        /// The school found.
        school: SchoolId,
    },
    /// Hashing a demo login's password failed.
    #[error("wachtwoord van {username} kon niet versleuteld worden: {reason}")]
    Hash {
        /// The login.
        username: String,
        /// Why.
        reason: String,
    },
    /// The generator refused the spec.
    #[error(transparent)]
    Generate(#[from] verzuim_demo::DemoError),
    /// The demo's preset is not shipped in this build.
    #[error("het protocol {0} van de demo ontbreekt in deze versie")]
    MissingPreset(&'static str),
    /// The demo protocol could not be chosen.
    #[error("het demoprotocol kon niet gekozen worden: {0}")]
    Protocol(#[from] ProtocolUseCaseError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What loading a demo wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoReport {
    /// The new school.
    pub school: SchoolId,
    /// Rows written, over all chunks.
    pub written: BatchReport,
    /// Batches written (one for an in-memory demo, one per unit when streaming).
    pub chunks: usize,
}

impl DemoReport {
    fn add(&mut self, r: &BatchReport) {
        self.written.groups += r.groups;
        self.written.staff += r.staff;
        self.written.students += r.students;
        self.written.lessons += r.lessons;
        self.written.registrations += r.registrations;
        self.chunks += 1;
    }
}

/// Hashes the passwords of `logins` into the staff rows of `batch` with their username.
fn set_login_hashes<E: Display>(
    batch: &mut Batch,
    logins: &[DemoLogin],
    hash_password: &impl Fn(&str) -> Result<String, E>,
) -> Result<(), DemoError> {
    for login in logins {
        if let Some(row) = batch
            .staff
            .iter_mut()
            .find(|s| s.staff.username == login.username)
        {
            let hash = hash_password(&login.password).map_err(|e| DemoError::Hash {
                username: login.username.clone(),
                reason: e.to_string(),
            })?;
            row.password_hash = Some(hash);
        }
    }
    Ok(())
}

/// How many school days before the demo's day the demo school adopted its protocol.
pub const DEMO_PROTOCOL_SCHOOL_DAYS: usize = 10;

/// The school day [`DEMO_PROTOCOL_SCHOOL_DAYS`] school days before `today` (today counted when
/// it is one), or the first school day when the year is younger than that.
pub fn demo_protocol_start(calendar: &SchoolCalendar, today: NaiveDate) -> NaiveDate {
    let past: Vec<NaiveDate> = calendar
        .school_days()
        .into_iter()
        .take_while(|d| *d <= today)
        .collect();
    past.len()
        .checked_sub(DEMO_PROTOCOL_SCHOOL_DAYS)
        .and_then(|i| past.get(i).copied())
        .unwrap_or(calendar.first_day)
}

impl App {
    /// Creates the demo school with all its data and hashed demo-login passwords, in a
    /// database that does not hold its BRIN yet. `now` is recorded in the audit log.
    pub async fn load_demo<E: Display>(
        &self,
        demo: &DemoSchool,
        now: DateTime<Utc>,
        hash_password: impl Fn(&str) -> Result<String, E>,
    ) -> Result<DemoReport, DemoError> {
        // Hash first: a failing hasher leaves no half-made school behind.
        let mut batch = demo.batch.clone();
        set_login_hashes(&mut batch, &demo.logins, &hash_password)?;
        let school = self
            .create_demo_school(&demo.school, &demo.calendar, &demo.code_table, now)
            .await?;
        let written = self
            .store
            .write_batch(school, &batch, now, DEMO_ACTOR)
            .await?;
        tracing::info!(
            school = school.0,
            students = written.students,
            lessons = written.lessons,
            registrations = written.registrations,
            "demo geladen"
        );
        Ok(DemoReport {
            school,
            written,
            chunks: 1,
        })
    }

    /// Like [`App::load_demo`], but writes the generator's chunks one at a time (one
    /// transaction each), so a school of any size fits in memory. `progress` is called after
    /// each chunk with the number written and the total.
    pub async fn load_demo_streaming<E: Display>(
        &self,
        generator: &DemoGenerator,
        now: DateTime<Utc>,
        hash_password: impl Fn(&str) -> Result<String, E>,
        mut progress: impl FnMut(usize, usize),
    ) -> Result<DemoReport, DemoError> {
        // The first chunk holds the demo logins: hash them before anything is written.
        let mut first = generator.chunk(0);
        set_login_hashes(&mut first, generator.logins(), &hash_password)?;
        let school = self
            .create_demo_school(
                generator.school(),
                generator.calendar(),
                generator.code_table(),
                now,
            )
            .await?;
        let mut report = DemoReport {
            school,
            written: BatchReport::default(),
            chunks: 0,
        };
        let total = generator.chunk_count();
        let mut pending = Some(first);
        for index in 0..total {
            let batch = pending.take().unwrap_or_else(|| generator.chunk(index));
            let written = self
                .store
                .write_batch(school, &batch, now, DEMO_ACTOR)
                .await?;
            report.add(&written);
            progress(index + 1, total);
        }
        Ok(report)
    }

    /// Chooses [`DEMO_PROTOCOL`] for `school`, unless the school has a protocol already (a
    /// demo file made before the demo had one gets it too). The demo school adopted it
    /// [`DEMO_PROTOCOL_SCHOOL_DAYS`] school days before `now`'s date ([`demo_protocol_start`]):
    /// the inboxes then hold the tasks of the last two weeks, as at a school that works its
    /// tasks, and the months before are history (their tasks *vervallen*). Returns whether it
    /// chose.
    pub async fn choose_demo_protocol(
        &self,
        school: SchoolId,
        calendar: &SchoolCalendar,
        now: DateTime<Utc>,
    ) -> Result<bool, DemoError> {
        if self.school_protocol(school).await?.is_some() {
            return Ok(false);
        }
        let preset = verzuim_protocol::preset(DEMO_PROTOCOL)
            .ok_or(DemoError::MissingPreset(DEMO_PROTOCOL))?;
        self.set_protocol(
            school,
            preset.name,
            preset.source,
            demo_protocol_start(calendar, now.date_naive()),
            DEMO_ACTOR,
            now,
        )
        .await?;
        Ok(true)
    }

    async fn create_demo_school(
        &self,
        school: &School,
        calendar: &SchoolCalendar,
        code_table: &CodeTable,
        now: DateTime<Utc>,
    ) -> Result<SchoolId, DemoError> {
        if let Some(existing) = self.store.school_by_brin(&school.brin).await? {
            return Err(DemoError::AlreadyExists {
                brin: school.brin.clone(),
                school: existing.id,
            });
        }
        let id = self.store.create_school(school).await?;
        self.store.save_calendar(id, calendar).await?;
        self.store.save_code_table(id, code_table).await?;
        self.choose_demo_protocol(id, calendar, now).await?;
        Ok(id)
    }
}

#[cfg(test)]
mod tests {
    use chrono::NaiveDate;
    use verzuim_domain::{Region, SchoolCalendar, SchoolYear};

    use super::{DEMO_PROTOCOL_SCHOOL_DAYS, demo_protocol_start};

    fn d(m: u32, day: u32) -> NaiveDate {
        let y = if m >= 8 { 2026 } else { 2027 };
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn the_demo_protocol_starts_ten_school_days_back() {
        let cal = SchoolCalendar::shipped(SchoolYear::starting(2026), Region::Zuid).unwrap();
        // Monday 23 November 2026 counted: 10 school days back is Tuesday 10 November.
        let start = demo_protocol_start(&cal, d(11, 23));
        assert_eq!(start, d(11, 10));
        let between = cal
            .school_days()
            .into_iter()
            .filter(|x| *x >= start && *x <= d(11, 23))
            .count();
        assert_eq!(between, DEMO_PROTOCOL_SCHOOL_DAYS);
        // Early in the year, and in the summer before it: the first school day.
        assert_eq!(demo_protocol_start(&cal, d(8, 26)), cal.first_day);
        assert_eq!(demo_protocol_start(&cal, d(8, 2)), cal.first_day);
    }
}
