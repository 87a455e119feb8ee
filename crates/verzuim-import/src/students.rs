//! `leerlingen`: one row per student.

use verzuim_domain::{BatchStudent, Gemeentecode, Origin, PersonalNumber, Student};

use crate::ImportError;
use crate::columns::{Column, Mapped};
use crate::source::Row;
use crate::state::State;
use crate::values::{parse_bool, parse_date};

const NUMBER: usize = 0;
const BSN: usize = 1;
const FIRST: usize = 2;
const PREFIX: usize = 3;
const LAST: usize = 4;
const BIRTH: usize = 5;
const RESIDENCE: usize = 6;
const FROM: usize = 7;
const UNTIL: usize = 8;
const START_QUALIFICATION: usize = 9;
const GROUP: usize = 10;
const MENTOR: usize = 11;

/// The columns of a `leerlingen` file.
pub(crate) static COLUMNS: &[Column] = &[
    Column {
        key: "leerlingnummer",
        aliases: &["stamnummer", "stamnr", "leerlingnr", "studentnummer"],
        required: true,
    },
    Column {
        key: "bsn",
        aliases: &[
            "persoonsnummer",
            "burgerservicenummer",
            "onderwijsnummer",
            "pgn",
            "sofinummer",
        ],
        required: true,
    },
    Column {
        key: "roepnaam",
        aliases: &["voornaam"],
        required: true,
    },
    Column {
        key: "tussenvoegsel",
        aliases: &["tussenvoegsels", "tussenv", "voorvoegsel"],
        required: false,
    },
    Column {
        key: "achternaam",
        aliases: &["geslachtsnaam"],
        required: true,
    },
    Column {
        key: "geboortedatum",
        aliases: &["geb.datum", "geboren"],
        required: true,
    },
    Column {
        key: "gemeentecode",
        aliases: &["woongemeente", "gemeente"],
        required: false,
    },
    Column {
        key: "ingeschreven_vanaf",
        aliases: &["inschrijfdatum", "datum inschrijving", "begindatum"],
        required: true,
    },
    Column {
        key: "ingeschreven_tot",
        aliases: &["uitschrijfdatum", "datum uitschrijving", "einddatum"],
        required: false,
    },
    Column {
        key: "startkwalificatie",
        aliases: &[],
        required: false,
    },
    Column {
        key: "klas",
        aliases: &["klascode", "groep", "stamgroep", "stamklas"],
        required: false,
    },
    Column {
        key: "mentor",
        aliases: &["mentorcode"],
        required: false,
    },
];

/// Reads student rows.
pub(crate) struct Parser<'f> {
    cols: Mapped<'f>,
    file: &'f str,
}

impl<'f> Parser<'f> {
    /// Maps the headers.
    pub fn new(file: &'f str, headers: &[String]) -> Result<Self, ImportError> {
        Ok(Self {
            cols: Mapped::new(file, headers, COLUMNS)?,
            file,
        })
    }

    /// The mapped columns.
    pub fn columns(&self) -> &Mapped<'f> {
        &self.cols
    }

    /// Reads one row into the batch.
    pub fn row(&mut self, row: &Row<'_>, state: &mut State) -> Result<(), ImportError> {
        let c = &self.cols;
        let line = row.line;
        let date = |col| -> Result<_, ImportError> {
            parse_date(c.need(row, col)?).map_err(|r| c.bad(line, col, r))
        };
        let number = c.need(row, NUMBER)?;
        let personal_number = PersonalNumber::parse_field(c.name(BSN), c.need(row, BSN)?)
            .map_err(|e| c.bad(line, BSN, e.reason))?;
        let residence = match c.text(row, RESIDENCE)? {
            "" => None,
            text => Some(Gemeentecode::parse(text).map_err(|e| c.bad(line, RESIDENCE, e.reason))?),
        };
        let enrolled_until = match c.text(row, UNTIL)? {
            "" => None,
            text => Some(parse_date(text).map_err(|r| c.bad(line, UNTIL, r))?),
        };
        let start_qualification = parse_bool(c.text(row, START_QUALIFICATION)?)
            .map_err(|r| c.bad(line, START_QUALIFICATION, r))?
            .unwrap_or(false);
        let student = Student {
            student_number: number.to_owned(),
            personal_number,
            first_name: c.need(row, FIRST)?.to_owned(),
            name_prefix: c.text(row, PREFIX)?.to_owned(),
            last_name: c.need(row, LAST)?.to_owned(),
            birth_date: date(BIRTH)?,
            residence,
            enrolled_from: date(FROM)?,
            enrolled_until,
            start_qualification,
            group: None,
            mentor: None,
        };
        student.validate().map_err(|e| {
            let col = COLUMNS
                .iter()
                .position(|s| s.key == e.field)
                .unwrap_or(NUMBER);
            c.bad(line, col, e.reason)
        })?;
        let optional = |col| -> Result<Option<String>, ImportError> {
            Ok(Some(c.text(row, col)?)
                .filter(|t| !t.is_empty())
                .map(str::to_owned))
        };
        let origin = Origin {
            file: self.file.to_owned(),
            line,
        };
        if let Some(first) = state
            .students
            .get(number)
            .and_then(|&i| state.batch.students.get(i))
        {
            return Err(c.bad(
                line,
                NUMBER,
                format!(
                    "leerlingnummer {number} staat al op {}:{}",
                    first.origin.file, first.origin.line
                ),
            ));
        }
        state
            .students
            .insert(number.to_owned(), state.batch.students.len());
        state.batch.students.push(BatchStudent {
            student,
            group_code: optional(GROUP)?,
            mentor_code: optional(MENTOR)?,
            origin,
        });
        Ok(())
    }
}
