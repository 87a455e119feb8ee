//! An import of several files into one [`Batch`]: read each file, then finish (derive
//! groups, time the registrations given by lesson hour) and hand the batch to the store.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

use chrono::{NaiveDate, NaiveTime};
use verzuim_domain::{Batch, CodeTable, Group, SchoolCalendar, SchoolYear};

use crate::columns::{FileKind, RegistrationFormat, detect_kind};
use crate::groups::year_level_from_code;
use crate::periods::{self, ImportedPeriod};
use crate::source::{Input, Table, Tick};
use crate::state::State;
use crate::{ImportError, groups, lessons, registrations, staff, students};

/// What to read a file as; `None` fields are detected from the headers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileOptions {
    /// The kind of file; detected from the headers (then the file name) when `None`.
    pub kind: Option<FileKind>,
    /// The registrations dialect; detected from the headers when `None`.
    pub format: Option<RegistrationFormat>,
}

/// How far the reading of one file is, for a progress bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProgress {
    /// File name as given.
    pub file: String,
    /// What the file holds.
    pub kind: FileKind,
    /// Data rows read so far.
    pub rows: u64,
    /// Position reached: bytes for CSV, rows for a spreadsheet.
    pub done: u64,
    /// Size in the same unit as `done`.
    pub total: u64,
}

/// What was read from one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileSummary {
    /// File name as given.
    pub file: String,
    /// What the file holds.
    pub kind: FileKind,
    /// The dialect, for a registrations file.
    pub format: Option<RegistrationFormat>,
    /// Data rows read (a row spanning several days may give several registrations).
    pub rows: u64,
    /// Column key → header as written in the file.
    pub columns: Vec<(&'static str, String)>,
}

/// What the store already holds, used to finish an import whose files refer to it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Known {
    /// Codes of groups that exist already (they are not created again).
    pub groups: HashSet<String>,
    /// Location code given to groups without one.
    pub default_location: String,
    /// Group code per student number, for students not in the import.
    pub student_groups: HashMap<String, String>,
    /// Start and end per (group code, date, lesson hour), for lessons not in the import.
    pub lessons: HashMap<(String, NaiveDate, u8), (NaiveTime, NaiveTime)>,
}

/// The result of an import: the batch to write and what each file held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Imported {
    /// Everything to write, in one transaction.
    pub batch: Batch,
    /// The school's periods from `periodes` files, in reading order; they go into the
    /// calendar of their school year ([`Imported::calendar_with_periods`]), not the batch.
    pub periods: Vec<ImportedPeriod>,
    /// One summary per file, in reading order.
    pub files: Vec<FileSummary>,
}

impl Imported {
    /// The header as written in `file` for the column with `key` (for errors found later,
    /// e.g. by the store); `key` itself when unknown.
    pub fn column_name(&self, file: &str, key: &str) -> String {
        let Some(summary) = self.files.iter().find(|f| f.file == file) else {
            return key.to_owned();
        };
        let key = match (summary.kind, summary.format) {
            (FileKind::Registrations, Some(format)) => {
                registrations::key_in_format(format, key).unwrap_or(key)
            }
            _ => key,
        };
        summary
            .columns
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map_or_else(|| key.to_owned(), |(_, name)| name.clone())
    }

    /// The school years the imported periods fall in, ascending.
    pub fn period_years(&self) -> Vec<SchoolYear> {
        let years: BTreeSet<SchoolYear> = self.periods.iter().map(ImportedPeriod::year).collect();
        years.into_iter().collect()
    }

    /// `calendar` with the imported periods of its school year as its periods (they replace
    /// the ones it had; the calendar is returned unchanged when the import has none for that
    /// year). A period before the first or after the last school day is refused at its row,
    /// and whatever else `SchoolCalendar::with_periods` refuses is refused for the file.
    pub fn calendar_with_periods(
        &self,
        calendar: SchoolCalendar,
    ) -> Result<SchoolCalendar, ImportError> {
        let year = calendar.year;
        let of_year: Vec<&ImportedPeriod> =
            self.periods.iter().filter(|p| p.year() == year).collect();
        if of_year.is_empty() {
            return Ok(calendar);
        }
        periods::calendar_with_periods(calendar, &of_year, &|file, key| self.column_name(file, key))
    }
}

/// Reads files into one batch, checking every value on the way.
pub struct Importer {
    codes: CodeTable,
    state: State,
    files: Vec<FileSummary>,
}

enum Parser<'f> {
    Students(students::Parser<'f>),
    Staff(staff::Parser<'f>),
    Groups(groups::Parser<'f>),
    Lessons(lessons::Parser<'f>),
    Registrations(registrations::Parser<'f>),
    Periods(periods::Parser<'f>),
}

impl Importer {
    /// An import that checks absence codes against `codes`.
    pub fn new(codes: CodeTable) -> Self {
        Self {
            codes,
            state: State::default(),
            files: Vec::new(),
        }
    }

    /// Reads a file from disk; the file is named in errors as `path` is written.
    pub fn read_path(
        &mut self,
        path: &Path,
        options: FileOptions,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<&FileSummary, ImportError> {
        let label = path.display().to_string();
        self.read(&label, Input::Path(path), options, progress)
    }

    /// Reads one file (CSV or spreadsheet), named `label` in errors.
    pub fn read(
        &mut self,
        label: &str,
        input: Input<'_>,
        options: FileOptions,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<&FileSummary, ImportError> {
        let mut table = Table::open(label, input)?;
        let headers = table.headers().to_vec();
        let kind = match options.kind {
            Some(kind) => kind,
            None => detect_kind(label, &headers).ok_or_else(|| {
                ImportError::file(
                    label,
                    "kan niet bepalen wat dit bestand bevat; noem het leerlingen, personeel, klassen, \
                     rooster, registraties of periodes, of controleer de kolomnamen in de kopregel",
                )
            })?,
        };
        let format = (kind == FileKind::Registrations).then(|| {
            options
                .format
                .unwrap_or_else(|| RegistrationFormat::detect(&headers))
        });
        let mut parser = match kind {
            FileKind::Students => Parser::Students(students::Parser::new(label, &headers)?),
            FileKind::Staff => Parser::Staff(staff::Parser::new(label, &headers)?),
            FileKind::Groups => Parser::Groups(groups::Parser::new(label, &headers)?),
            FileKind::Lessons => Parser::Lessons(lessons::Parser::new(label, &headers)?),
            FileKind::Registrations => Parser::Registrations(registrations::Parser::new(
                label,
                &headers,
                format.unwrap_or_default(),
                &self.codes,
            )?),
            FileKind::Periods => Parser::Periods(periods::Parser::new(label, &headers)?),
        };
        let columns = match &parser {
            Parser::Students(p) => p.columns().names(),
            Parser::Staff(p) => p.columns().names(),
            Parser::Groups(p) => p.columns().names(),
            Parser::Lessons(p) => p.columns().names(),
            Parser::Registrations(p) => p.columns().names(),
            Parser::Periods(p) => p.columns().names(),
        };
        let state = &mut self.state;
        let mut tick = |t: Tick| {
            progress(ImportProgress {
                file: label.to_owned(),
                kind,
                rows: t.rows,
                done: t.done,
                total: t.total,
            });
        };
        let rows = table.for_each_row(&mut tick, &mut |row| match &mut parser {
            Parser::Students(p) => p.row(row, state),
            Parser::Staff(p) => p.row(row, state),
            Parser::Groups(p) => p.row(row, state),
            Parser::Lessons(p) => p.row(row, state),
            Parser::Registrations(p) => p.row(row, state),
            Parser::Periods(p) => p.row(row, state),
        })?;
        self.files.push(FileSummary {
            file: label.to_owned(),
            kind,
            format,
            rows,
            columns,
        });
        self.files
            .last()
            .ok_or_else(|| ImportError::file(label, "interne fout: geen samenvatting"))
    }

    /// The files read so far.
    pub fn files(&self) -> &[FileSummary] {
        &self.files
    }

    /// Dates of registrations given by lesson hour only; their lessons must come from the
    /// import's timetable or from [`Known::lessons`].
    pub fn dates_needing_lessons(&self) -> BTreeSet<NaiveDate> {
        self.state
            .pending
            .iter()
            .filter_map(|p| self.state.batch.registrations.get(p.index))
            .map(|r| r.date)
            .collect()
    }

    /// Finishes the import: creates the groups named but not listed (year level from the
    /// code), gives groups without a location `known.default_location`, and times the
    /// registrations given by lesson hour from the timetable.
    pub fn finish(self, known: &Known) -> Result<Imported, ImportError> {
        let Self { state, files, .. } = self;
        let State {
            mut batch,
            students,
            groups,
            pending,
            periods,
            ..
        } = state;
        let mut derived: Vec<Group> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        let referenced = batch
            .students
            .iter()
            .filter_map(|s| s.group_code.as_deref())
            .chain(batch.lessons.iter().map(|l| l.group_code.as_str()));
        for code in referenced {
            if !groups.contains_key(code) && !known.groups.contains(code) && seen.insert(code) {
                derived.push(Group {
                    code: code.to_owned(),
                    year_level: year_level_from_code(code),
                    location: String::new(),
                });
            }
        }
        batch.groups.extend(derived);
        for group in &mut batch.groups {
            if group.location.is_empty() {
                group.location.clone_from(&known.default_location);
            }
        }
        if !pending.is_empty() {
            let mut timetable: HashMap<(&str, NaiveDate, u8), (NaiveTime, NaiveTime)> = known
                .lessons
                .iter()
                .map(|((g, d, p), times)| ((g.as_str(), *d, *p), *times))
                .collect();
            for l in &batch.lessons {
                timetable.insert((l.group_code.as_str(), l.date, l.period), (l.start, l.end));
            }
            let mut resolved = Vec::with_capacity(pending.len());
            for p in &pending {
                let Some(reg) = batch.registrations.get(p.index) else {
                    continue;
                };
                let bad = |reason: String| ImportError::BadRow {
                    file: reg.origin.file.clone(),
                    line: reg.origin.line,
                    column: p.column.clone(),
                    reason,
                };
                let group = students
                    .get(&reg.student_number)
                    .and_then(|&i| batch.students.get(i))
                    .and_then(|s| s.group_code.as_deref())
                    .or_else(|| known.student_groups.get(&reg.student_number).map(String::as_str))
                    .ok_or_else(|| {
                        bad(format!(
                            "leerling {} heeft geen klas, dus lesuur {} is niet in het rooster te vinden; \
                             geef begin- en eindtijd",
                            reg.student_number, p.period
                        ))
                    })?;
                let times = timetable.get(&(group, reg.date, p.period)).ok_or_else(|| {
                    bad(format!(
                        "lesuur {} van klas {group} op {} staat niet in het rooster; importeer het \
                         rooster mee of geef begin- en eindtijd",
                        p.period, reg.date
                    ))
                })?;
                resolved.push((p.index, *times));
            }
            for (index, (start, end)) in resolved {
                if let Some(reg) = batch.registrations.get_mut(index) {
                    reg.start = start;
                    reg.end = end;
                }
            }
        }
        Ok(Imported {
            batch,
            periods,
            files,
        })
    }
}

/// Reads `paths` (kinds and dialects detected) into one batch, checking codes against
/// `codes`; groups and lessons must be in the files themselves.
pub fn read_files(paths: &[&Path], codes: &CodeTable) -> Result<Imported, ImportError> {
    let mut importer = Importer::new(codes.clone());
    for path in paths {
        importer.read_path(path, FileOptions::default(), &mut |_| {})?;
    }
    importer.finish(&Known::default())
}
