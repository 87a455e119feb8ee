//! Importing a school's files: read and check every file first, then write everything in
//! one transaction. Nothing is written when any value of any file is wrong, and every
//! refusal names the file, line and column, also when the store finds it (an unknown
//! student, a teacher code that does not exist). A `periodes` file sets the periods of the
//! school's calendar: checked against the calendar with the rest, saved after the batch.
//!
//! Parsing is synchronous CPU work inside an `async fn` (about a second per million rows in
//! a release build); callers on a shared runtime may want to run it on a blocking thread.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use verzuim_domain::{Batch, SchoolCalendar};
use verzuim_import::{FileOptions, ImportError, Imported, Importer, Input, Known};
use verzuim_store::{BatchReport, SchoolId, StoreError, StudentQuery};

pub use verzuim_import::{FileKind, FileSummary, ImportProgress, RegistrationFormat};

use crate::App;

/// Where the contents of an import file come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImportSource {
    /// A file on disk, named in errors as the path is written.
    Path(PathBuf),
    /// Contents already in memory (an upload), named in errors by `name`.
    Bytes {
        /// File name as the user knows it.
        name: String,
        /// The contents.
        bytes: Vec<u8>,
    },
}

/// One file of an import, with its kind and dialect when the caller knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportFile {
    /// Where the contents are.
    pub source: ImportSource,
    /// What the file holds; detected from the headers when `None`.
    pub kind: Option<FileKind>,
    /// Dialect of a registrations file; detected from the headers when `None`.
    pub format: Option<RegistrationFormat>,
}

impl ImportFile {
    /// A file on disk, kind and dialect detected.
    pub fn path(path: impl Into<PathBuf>) -> Self {
        Self {
            source: ImportSource::Path(path.into()),
            kind: None,
            format: None,
        }
    }

    /// An uploaded file, kind and dialect detected.
    pub fn bytes(name: impl Into<String>, bytes: Vec<u8>) -> Self {
        Self {
            source: ImportSource::Bytes {
                name: name.into(),
                bytes,
            },
            kind: None,
            format: None,
        }
    }

    /// The same file read as `format` (for registrations).
    pub fn with_format(mut self, format: RegistrationFormat) -> Self {
        self.format = Some(format);
        self
    }

    /// The same file read as `kind`.
    pub fn with_kind(mut self, kind: FileKind) -> Self {
        self.kind = Some(kind);
        self
    }
}

/// What an import read and wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportReport {
    /// Per file: its kind, dialect and number of rows.
    pub files: Vec<FileSummary>,
    /// What the store wrote.
    pub written: BatchReport,
    /// Periods set in the school's calendars (`periodes` files).
    pub periods: usize,
    /// Time spent reading and checking the files.
    pub parse_time: Duration,
    /// Time spent writing to the database.
    pub write_time: Duration,
}

/// Why an import wrote nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportUseCaseError {
    /// The school does not exist.
    #[error("school {0} bestaat niet")]
    UnknownSchool(i64),
    /// A file could not be read, or one of its values is wrong.
    #[error(transparent)]
    File(#[from] ImportError),
    /// The store refused a row (e.g. a student number that does not exist).
    #[error("{file}:{line}:{column}: {reason}")]
    Rejected {
        /// File name as given.
        file: String,
        /// 1-based line; the header is line 1.
        line: u64,
        /// Column as written in the file.
        column: String,
        /// Why, in Dutch.
        reason: String,
    },
    /// The database failed.
    #[error(transparent)]
    Store(StoreError),
}

impl From<StoreError> for ImportUseCaseError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Batch {
                origin,
                column,
                reason,
            } => Self::Rejected {
                file: origin.file,
                line: origin.line,
                column,
                reason,
            },
            other => Self::Store(other),
        }
    }
}

/// The label an import writes into the audit log and history.
pub const IMPORT_ACTOR: &str = "import";

impl App {
    /// Imports `files` into `school` as of `at`, all or nothing: every file is read and
    /// checked (codes against the school's code table) before one `write_batch`. `progress`
    /// is called every few thousand rows of each file and at its end, for a progress bar.
    pub async fn import_files(
        &self,
        school: SchoolId,
        files: &[ImportFile],
        at: DateTime<Utc>,
        progress: &(dyn Fn(ImportProgress) + Sync),
    ) -> Result<ImportReport, ImportUseCaseError> {
        let started = Instant::now();
        let (imported, calendars) = self.prepare(school, files, progress).await?;
        let parse_time = started.elapsed();
        let started = Instant::now();
        let written = self
            .store
            .write_batch(school, &imported.batch, at, IMPORT_ACTOR)
            .await
            .map_err(|e| name_column(e, &imported))?;
        // Checked above with the files; written after the batch, which the store may still
        // refuse (an unknown student), so a refused import leaves the calendar as it was.
        for calendar in &calendars {
            self.store.save_calendar(school, calendar).await?;
        }
        Ok(ImportReport {
            files: imported.files,
            written,
            periods: imported.periods.len(),
            parse_time,
            write_time: started.elapsed(),
        })
    }

    /// Reads and checks `files` for `school` without writing: the batch an import would
    /// write (also a dry run for a "check my files" page).
    pub async fn parse_files(
        &self,
        school: SchoolId,
        files: &[ImportFile],
        progress: &(dyn Fn(ImportProgress) + Sync),
    ) -> Result<Imported, ImportUseCaseError> {
        Ok(self.prepare(school, files, progress).await?.0)
    }

    /// Reads and checks `files`, and gives the calendars with the imported periods: per
    /// school year the stored calendar, else the shipped one of the school's region.
    async fn prepare(
        &self,
        school: SchoolId,
        files: &[ImportFile],
        progress: &(dyn Fn(ImportProgress) + Sync),
    ) -> Result<(Imported, Vec<SchoolCalendar>), ImportUseCaseError> {
        let row = self
            .store
            .school(school)
            .await?
            .ok_or(ImportUseCaseError::UnknownSchool(school.0))?;
        let codes = self.store.code_table(school).await?;
        let mut importer = Importer::new(codes);
        let mut report = |p: ImportProgress| progress(p);
        for file in files {
            let options = FileOptions {
                kind: file.kind,
                format: file.format,
            };
            match &file.source {
                ImportSource::Path(path) => {
                    importer.read_path(path, options, &mut report)?;
                }
                ImportSource::Bytes { name, bytes } => {
                    importer.read(name, Input::Bytes(bytes), options, &mut report)?;
                }
            }
        }
        let mut known = Known {
            default_location: row
                .school
                .locations
                .first()
                .map(|l| l.code.clone())
                .unwrap_or_default(),
            groups: self
                .store
                .groups(school)
                .await?
                .into_iter()
                .map(|g| g.group.code)
                .collect(),
            ..Known::default()
        };
        let dates = importer.dates_needing_lessons();
        if let (Some(&from), Some(&to)) = (dates.first(), dates.last()) {
            // Registrations given by lesson hour only: their students' groups and lessons may
            // be in the database already.
            let all = StudentQuery::default();
            known.student_groups = self
                .store
                .students(school, &all)
                .await?
                .into_iter()
                .filter_map(|s| Some((s.student.student_number, s.group_code?)))
                .collect::<HashMap<_, _>>();
            known.lessons = self
                .store
                .lessons_between(school, from, to)
                .await?
                .into_iter()
                .filter(|l| l.lesson.period > 0)
                .map(|l| {
                    (
                        (l.group_code, l.lesson.date, l.lesson.period),
                        (l.lesson.start, l.lesson.end),
                    )
                })
                .collect();
        }
        let imported = importer.finish(&known)?;
        let mut calendars = Vec::new();
        for year in imported.period_years() {
            let calendar = match self.store.calendar(school, year).await? {
                Some(calendar) => calendar,
                None => SchoolCalendar::shipped(year, row.school.region).map_err(|e| {
                    let first = imported.periods.iter().find(|p| p.year() == year);
                    ImportError::BadRow {
                        file: first.map(|p| p.origin.file.clone()).unwrap_or_default(),
                        line: first.map_or(1, |p| p.origin.line),
                        column: first.map_or_else(
                            || "begindatum".to_owned(),
                            |p| imported.column_name(&p.origin.file, "begindatum"),
                        ),
                        reason: format!(
                            "de school heeft geen kalender voor schooljaar {year}: {}",
                            e.reason
                        ),
                    }
                })?,
            };
            calendars.push(imported.calendar_with_periods(calendar)?);
        }
        Ok((imported, calendars))
    }

    /// Writes a batch that did not come from files (the demo generator) in one transaction
    /// as of `at`, as `actor_label` in the audit log.
    pub async fn import_batch(
        &self,
        school: SchoolId,
        batch: &Batch,
        at: DateTime<Utc>,
        actor_label: &str,
    ) -> Result<BatchReport, ImportUseCaseError> {
        Ok(self
            .store
            .write_batch(school, batch, at, actor_label)
            .await?)
    }
}

/// A store refusal with its column named as the user's file names it.
fn name_column(e: StoreError, imported: &Imported) -> ImportUseCaseError {
    match ImportUseCaseError::from(e) {
        ImportUseCaseError::Rejected {
            file,
            line,
            column,
            reason,
        } => ImportUseCaseError::Rejected {
            column: imported.column_name(&file, &column),
            file,
            line,
            reason,
        },
        other => other,
    }
}
