//! Loading a generated demo school ([`verzuim_demo`]) into the store: the school, its
//! calendar and code table, then its staff, classes, students, timetable and registrations.
//!
//! Only the demo logins get a password (hashed by the caller's function, so this module does
//! not fix the hashing scheme); every other staff member has none and cannot log in until an
//! admin sets one. A school whose BRIN is already in the database is left alone:
//! [`DemoError::AlreadyExists`] says so, and the CLI then serves what is there.
//!
//! Passwords are hashed first; then the school row, calendar and code table are written, then
//! the data. If writing the data fails, the school exists without it (start again with a
//! fresh file).

use std::fmt::Display;

use chrono::{DateTime, Utc};
use verzuim_demo::{DemoGenerator, DemoLogin, DemoSchool};
use verzuim_domain::{Batch, Brin, CodeTable, School, SchoolCalendar};
use verzuim_store::{BatchReport, SchoolId, StoreError};

use crate::App;

/// Label of the demo in the audit log.
pub const DEMO_ACTOR: &str = "demo";

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
            .create_demo_school(&demo.school, &demo.calendar, &demo.code_table)
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

    async fn create_demo_school(
        &self,
        school: &School,
        calendar: &SchoolCalendar,
        code_table: &CodeTable,
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
        Ok(id)
    }
}
