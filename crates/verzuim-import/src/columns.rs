//! Column names: which header means which field, per file kind and dialect, and the
//! lookup of a row's fields by those names.

use std::fmt;

use crate::ImportError;
use crate::source::{Row, not_utf8};

/// One column a file kind knows: its name in verzuim's own format, the other names it is
/// recognised by, and whether the file must have it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Name in verzuim's own format.
    pub key: &'static str,
    /// Other accepted header names (compared like the key: see [`normalize`]).
    pub aliases: &'static [&'static str],
    /// Whether a file of this kind must have the column.
    pub required: bool,
}

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileKind {
    /// Students (`leerlingen`).
    Students,
    /// Staff (`personeel`).
    Staff,
    /// Groups (`klassen`).
    Groups,
    /// Timetable lessons (`rooster`).
    Lessons,
    /// Absence registrations (`registraties`).
    Registrations,
    /// The school's own periods (`periodes`), for the calendar.
    Periods,
}

impl FileKind {
    /// All kinds, in the order an import applies them.
    pub const ALL: [FileKind; 6] = [
        Self::Groups,
        Self::Staff,
        Self::Students,
        Self::Lessons,
        Self::Registrations,
        Self::Periods,
    ];

    /// The Dutch code, also the file name of verzuim's own format (`leerlingen.csv`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Students => "leerlingen",
            Self::Staff => "personeel",
            Self::Groups => "klassen",
            Self::Lessons => "rooster",
            Self::Registrations => "registraties",
            Self::Periods => "periodes",
        }
    }

    /// Parses a kind code (`leerlingen`, `personeel`, `klassen`, `rooster`, `registraties`,
    /// `periodes`).
    pub fn parse(input: &str) -> Option<Self> {
        let lower = input.trim().to_lowercase();
        Self::ALL.into_iter().find(|k| k.code() == lower)
    }

    /// Guesses the kind from a file name such as `leerlingen-2026.csv` or `Absenties.xlsx`.
    pub fn from_file_name(name: &str) -> Option<Self> {
        let base = name
            .rsplit(['/', '\\'])
            .next()
            .unwrap_or(name)
            .to_lowercase();
        let starts = |prefixes: &[&str]| prefixes.iter().any(|p| base.starts_with(p));
        if starts(&["leerling", "student"]) {
            Some(Self::Students)
        } else if starts(&["personeel", "medewerker", "docenten", "staff"]) {
            Some(Self::Staff)
        } else if starts(&["klas", "groep"]) {
            Some(Self::Groups)
        } else if starts(&["rooster", "lessen", "afspraken"]) {
            Some(Self::Lessons)
        } else if starts(&["registratie", "absentie", "verzuim", "waarneming"]) {
            Some(Self::Registrations)
        } else if starts(&["periode"]) {
            Some(Self::Periods)
        } else {
            None
        }
    }

    /// The columns of this kind in `format` (the format matters for registrations only).
    pub fn columns(self, format: RegistrationFormat) -> &'static [Column] {
        match self {
            Self::Students => crate::students::COLUMNS,
            Self::Staff => crate::staff::COLUMNS,
            Self::Groups => crate::groups::COLUMNS,
            Self::Lessons => crate::lessons::COLUMNS,
            Self::Registrations => crate::registrations::columns(format),
            Self::Periods => crate::periods::COLUMNS,
        }
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The dialect of a registrations file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RegistrationFormat {
    /// verzuim's own columns.
    #[default]
    Verzuim,
    /// A Magister-style absence export (`Stamnr`, `Start`, `Eind`, `Lesuur`, `Code`, ...).
    Magister,
    /// A SOMtoday-style absence export (`leerlingnummer`, `beginDatumTijd`,
    /// `absentieReden.afkorting`, ...).
    Somtoday,
}

impl RegistrationFormat {
    /// All formats.
    pub const ALL: [RegistrationFormat; 3] = [Self::Verzuim, Self::Magister, Self::Somtoday];

    /// Code for `--format`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Verzuim => "verzuim",
            Self::Magister => "magister",
            Self::Somtoday => "somtoday",
        }
    }

    /// Parses a format code, case-insensitively.
    pub fn parse(input: &str) -> Option<Self> {
        let lower = input.trim().to_lowercase();
        Self::ALL.into_iter().find(|f| f.code() == lower)
    }

    /// Recognises the dialect from the header names.
    pub fn detect(headers: &[String]) -> Self {
        let has = |names: &[&str]| {
            headers
                .iter()
                .any(|h| names.contains(&normalize(h).as_str()))
        };
        if has(&[
            "begindatumtijd",
            "einddatumtijd",
            "absentieredenafkorting",
            "leerlingleerlingnummer",
            "beginlesuur",
        ]) {
            Self::Somtoday
        } else if has(&[
            "start",
            "eind",
            "stamnr",
            "geoorloofd",
            "verantwoordingtype",
            "afspraakid",
        ]) {
            Self::Magister
        } else {
            Self::Verzuim
        }
    }
}

impl fmt::Display for RegistrationFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// How header names are compared: lower case, with everything but letters and digits
/// dropped, so `Leerling nummer`, `leerling_nummer` and `LeerlingNummer` are one name.
pub fn normalize(name: &str) -> String {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl Column {
    /// Whether `header` names this column.
    pub fn matches(&self, header: &str) -> bool {
        let n = normalize(header);
        normalize(self.key) == n || self.aliases.iter().any(|a| normalize(a) == n)
    }
}

/// Which header of the file each column of a kind is in.
pub(crate) struct Mapped<'f> {
    file: &'f str,
    specs: &'static [Column],
    index: Vec<Option<usize>>,
    names: Vec<String>,
}

impl<'f> Mapped<'f> {
    /// Maps `headers` onto `specs`; a missing required column is an error on line 1 that
    /// names the column, and so is a column that appears twice.
    pub fn new(
        file: &'f str,
        headers: &[String],
        specs: &'static [Column],
    ) -> Result<Self, ImportError> {
        let mut index = Vec::with_capacity(specs.len());
        let mut names = Vec::with_capacity(specs.len());
        for spec in specs {
            let mut found = headers.iter().enumerate().filter(|(_, h)| spec.matches(h));
            let first = found.next();
            if let (Some((_, a)), Some((_, b))) = (first, found.next()) {
                return Err(ImportError::BadRow {
                    file: file.to_owned(),
                    line: 1,
                    column: b.clone(),
                    reason: format!(
                        "kolom '{b}' betekent hetzelfde als kolom '{a}' ({}); laat er één staan",
                        spec.key
                    ),
                });
            }
            if first.is_none() && spec.required {
                return Err(missing(file, spec));
            }
            index.push(first.map(|(i, _)| i));
            names.push(first.map_or_else(|| spec.key.to_owned(), |(_, h)| h.clone()));
        }
        Ok(Self {
            file,
            specs,
            index,
            names,
        })
    }

    /// Whether the file has column `col`.
    pub fn has(&self, col: usize) -> bool {
        self.index.get(col).is_some_and(Option::is_some)
    }

    /// Column `col`'s name as written in the file (or its key when the file lacks it).
    pub fn name(&self, col: usize) -> &str {
        self.names.get(col).map_or("?", String::as_str)
    }

    /// Header names per column key, for naming columns in later errors.
    pub fn names(&self) -> Vec<(&'static str, String)> {
        self.specs
            .iter()
            .zip(&self.names)
            .map(|(s, n)| (s.key, n.clone()))
            .collect()
    }

    /// An error about column `col` of the row on `line`.
    pub fn bad(&self, line: u64, col: usize, reason: impl Into<String>) -> ImportError {
        ImportError::BadRow {
            file: self.file.to_owned(),
            line,
            column: self.name(col).to_owned(),
            reason: reason.into(),
        }
    }

    /// Column `col` of `row`, trimmed; `""` when the file has no such column.
    pub fn text<'r>(&self, row: &Row<'r>, col: usize) -> Result<&'r str, ImportError> {
        match self.index.get(col).copied().flatten() {
            Some(i) => row
                .raw(i)
                .map(str::trim)
                .map_err(|()| not_utf8(self.file, row.line, self.name(col))),
            None => Ok(""),
        }
    }

    /// Column `col` of `row`, which must not be empty.
    pub fn need<'r>(&self, row: &Row<'r>, col: usize) -> Result<&'r str, ImportError> {
        let text = self.text(row, col)?;
        if text.is_empty() {
            return Err(self.bad(row.line, col, "is leeg; deze kolom is verplicht"));
        }
        Ok(text)
    }

    /// The error for a file that has neither of two alternative columns.
    pub fn missing_either(&self, a: usize, b: usize) -> ImportError {
        ImportError::BadRow {
            file: self.file.to_owned(),
            line: 1,
            column: self.name(a).to_owned(),
            reason: format!(
                "kolom ontbreekt: geef kolom '{}' of kolom '{}'",
                self.name(a),
                self.name(b)
            ),
        }
    }
}

fn missing(file: &str, spec: &Column) -> ImportError {
    let also = if spec.aliases.is_empty() {
        String::new()
    } else {
        format!(" (of: {})", spec.aliases.join(", "))
    };
    ImportError::BadRow {
        file: file.to_owned(),
        line: 1,
        column: spec.key.to_owned(),
        reason: format!(
            "kolom ontbreekt: voeg kolom '{}'{also} toe aan de kopregel",
            spec.key
        ),
    }
}

/// Guesses the kind of a file from its headers, then from its name.
pub(crate) fn detect_kind(file_name: &str, headers: &[String]) -> Option<FileKind> {
    let has = |specs: &'static [Column], key: &str| {
        specs
            .iter()
            .filter(|c| c.key == key)
            .any(|c| headers.iter().any(|h| c.matches(h)))
    };
    use crate::registrations as r;
    let staff =
        has(crate::staff::COLUMNS, "gebruikersnaam") || has(crate::staff::COLUMNS, "rollen");
    let students = has(crate::students::COLUMNS, "bsn");
    let registration = RegistrationFormat::ALL.into_iter().any(|f| {
        let specs = r::columns(f);
        let (number, code) = r::number_and_code_keys(f);
        has(specs, number) && has(specs, code)
    });
    let lessons = has(crate::lessons::COLUMNS, "vak");
    let groups = has(crate::groups::COLUMNS, "klas");
    let periods =
        has(crate::periods::COLUMNS, "periode") && has(crate::periods::COLUMNS, "begindatum");
    if staff {
        Some(FileKind::Staff)
    } else if students {
        Some(FileKind::Students)
    } else if registration {
        Some(FileKind::Registrations)
    } else if lessons {
        Some(FileKind::Lessons)
    } else if periods {
        Some(FileKind::Periods)
    } else if groups && headers.len() <= 3 {
        Some(FileKind::Groups)
    } else {
        FileKind::from_file_name(file_name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn header_names_compare_without_case_spaces_and_punctuation() {
        assert_eq!(
            normalize("absentieReden.afkorting"),
            "absentieredenafkorting"
        );
        assert_eq!(normalize(" Minuten_te laat "), "minutentelaat");
    }

    #[test]
    fn kinds_are_recognised_from_headers() {
        let k = |names: &[&str]| detect_kind("x.csv", &h(names));
        assert_eq!(
            k(&["Gebruikersnaam", "Naam", "Code", "Rollen"]),
            Some(FileKind::Staff)
        );
        assert_eq!(
            k(&["leerlingnummer", "BSN", "roepnaam"]),
            Some(FileKind::Students)
        );
        assert_eq!(
            k(&["leerlingnummer", "datum", "begintijd", "code"]),
            Some(FileKind::Registrations)
        );
        assert_eq!(
            k(&["Stamnr", "Start", "Eind", "Code"]),
            Some(FileKind::Registrations)
        );
        assert_eq!(
            k(&[
                "leerlingnummer",
                "beginDatumTijd",
                "absentieReden.afkorting"
            ]),
            Some(FileKind::Registrations)
        );
        assert_eq!(
            k(&["datum", "lesuur", "klas", "vak"]),
            Some(FileKind::Lessons)
        );
        assert_eq!(k(&["klas", "leerjaar"]), Some(FileKind::Groups));
        assert_eq!(
            k(&["Periode", "Begindatum", "Einddatum"]),
            Some(FileKind::Periods)
        );
        assert_eq!(
            detect_kind("periodes-2026.csv", &h(&["x"])),
            Some(FileKind::Periods)
        );
        assert_eq!(
            detect_kind("Absenties week 47.csv", &h(&["x"])),
            Some(FileKind::Registrations)
        );
        assert_eq!(detect_kind("onbekend.csv", &h(&["x"])), None);
    }

    #[test]
    fn registration_dialects_are_recognised_from_headers() {
        let f = |names: &[&str]| RegistrationFormat::detect(&h(names));
        assert_eq!(
            f(&["leerlingnummer", "datum", "begintijd", "eindtijd", "code"]),
            RegistrationFormat::Verzuim
        );
        assert_eq!(
            f(&["Stamnr", "Start", "Eind", "Lesuur", "Code", "Geoorloofd"]),
            RegistrationFormat::Magister
        );
        assert_eq!(
            f(&["leerlingnummer", "beginDatumTijd", "eindDatumTijd"]),
            RegistrationFormat::Somtoday
        );
    }
}
