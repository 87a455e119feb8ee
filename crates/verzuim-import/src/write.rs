//! Writing a [`Batch`] as verzuim's own CSV file set (`klassen.csv`, `personeel.csv`,
//! `leerlingen.csv`, `rooster.csv`, `registraties.csv`; `;`-separated UTF-8), which the
//! importer reads back unchanged: the demo generator uses it to hand out its data as files.

use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use verzuim_domain::{Batch, SchoolPeriod};

use crate::ImportError;
use crate::columns::{FileKind, RegistrationFormat};
use crate::values::format_time;

fn date(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn yes_no(b: bool) -> &'static str {
    if b { "ja" } else { "nee" }
}

struct Out {
    path: PathBuf,
    label: String,
    writer: csv::Writer<BufWriter<File>>,
}

impl Out {
    fn create(dir: &Path, kind: FileKind) -> Result<Self, ImportError> {
        let path = dir.join(format!("{}.csv", kind.code()));
        let label = path.display().to_string();
        let file = File::create(&path).map_err(|e| {
            ImportError::file(&label, format!("kan het bestand niet schrijven: {e}"))
        })?;
        let writer = csv::WriterBuilder::new()
            .delimiter(b';')
            .from_writer(BufWriter::with_capacity(1 << 16, file));
        let mut out = Self {
            path,
            label,
            writer,
        };
        let header: Vec<&str> = kind
            .columns(RegistrationFormat::Verzuim)
            .iter()
            .map(|c| c.key)
            .collect();
        out.row(&header)?;
        Ok(out)
    }

    fn row<I, T>(&mut self, fields: I) -> Result<(), ImportError>
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        self.writer.write_record(fields).map_err(|e| {
            ImportError::file(&self.label, format!("kan het bestand niet schrijven: {e}"))
        })
    }

    fn close(mut self) -> Result<PathBuf, ImportError> {
        self.writer.flush().map_err(|e| {
            ImportError::file(&self.label, format!("kan het bestand niet schrijven: {e}"))
        })?;
        Ok(self.path)
    }
}

/// Writes `batch` as verzuim's CSV file set in `dir` (created if missing) and returns the
/// paths written, in import order. Row origins are not written.
pub fn write_files(batch: &Batch, dir: &Path) -> Result<Vec<PathBuf>, ImportError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        ImportError::file(
            dir.display().to_string(),
            format!("kan de map niet maken: {e}"),
        )
    })?;
    let mut written = Vec::new();

    let mut out = Out::create(dir, FileKind::Groups)?;
    for g in &batch.groups {
        out.row([g.code.as_str(), &g.year_level.to_string(), &g.location])?;
    }
    written.push(out.close()?);

    let mut out = Out::create(dir, FileKind::Staff)?;
    for s in &batch.staff {
        let roles: Vec<&str> = s.staff.roles.iter().map(|r| r.code()).collect();
        out.row([
            s.staff.username.as_str(),
            &s.staff.name,
            &s.staff.code,
            &roles.join("|"),
            s.password_hash.as_deref().unwrap_or(""),
        ])?;
    }
    written.push(out.close()?);

    let mut out = Out::create(dir, FileKind::Students)?;
    for b in &batch.students {
        let s = &b.student;
        out.row([
            s.student_number.as_str(),
            s.personal_number.as_str(),
            &s.first_name,
            &s.name_prefix,
            &s.last_name,
            &date(s.birth_date),
            s.residence.as_ref().map_or("", |g| g.as_str()),
            &date(s.enrolled_from),
            &s.enrolled_until.map(date).unwrap_or_default(),
            yes_no(s.start_qualification),
            b.group_code.as_deref().unwrap_or(""),
            b.mentor_code.as_deref().unwrap_or(""),
        ])?;
    }
    written.push(out.close()?);

    let mut out = Out::create(dir, FileKind::Lessons)?;
    for l in &batch.lessons {
        let period = if l.period == 0 {
            String::new()
        } else {
            l.period.to_string()
        };
        out.row([
            date(l.date).as_str(),
            &period,
            &format_time(l.start),
            &format_time(l.end),
            &l.group_code,
            l.teacher_code.as_deref().unwrap_or(""),
            &l.subject,
        ])?;
    }
    written.push(out.close()?);

    let mut out = Out::create(dir, FileKind::Registrations)?;
    for r in &batch.registrations {
        out.row([
            r.student_number.as_str(),
            &date(r.date),
            "",
            &format_time(r.start),
            &format_time(r.end),
            &r.code,
            &r.note,
            &r.minutes_late.map(|m| m.to_string()).unwrap_or_default(),
        ])?;
    }
    written.push(out.close()?);

    Ok(written)
}

/// Writes a school's periods as `periodes.csv` in `dir` (created if missing), which the
/// importer reads back as a `periodes` file; returns its path.
pub fn write_periods(periods: &[SchoolPeriod], dir: &Path) -> Result<PathBuf, ImportError> {
    std::fs::create_dir_all(dir).map_err(|e| {
        ImportError::file(
            dir.display().to_string(),
            format!("kan de map niet maken: {e}"),
        )
    })?;
    let mut out = Out::create(dir, FileKind::Periods)?;
    for p in periods {
        out.row([p.name.as_str(), &date(p.first), &date(p.last)])?;
    }
    out.close()
}
