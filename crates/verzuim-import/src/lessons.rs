//! `rooster`: one row per lesson of a group.

use verzuim_domain::{BatchLesson, Origin};

use crate::ImportError;
use crate::columns::{Column, Mapped};
use crate::source::Row;
use crate::state::State;
use crate::values::{format_time, parse_date, parse_small, parse_time};

const DATE: usize = 0;
const PERIOD: usize = 1;
const START: usize = 2;
const END: usize = 3;
const GROUP: usize = 4;
const TEACHER: usize = 5;
const SUBJECT: usize = 6;

/// The columns of a `rooster` file.
pub(crate) static COLUMNS: &[Column] = &[
    Column {
        key: "datum",
        aliases: &["dag", "lesdatum"],
        required: true,
    },
    Column {
        key: "lesuur",
        aliases: &["uur", "stunde", "starttimeslot"],
        required: false,
    },
    Column {
        key: "begintijd",
        aliases: &["begin", "start", "van"],
        required: true,
    },
    Column {
        key: "eindtijd",
        aliases: &["eind", "einde", "tot"],
        required: true,
    },
    Column {
        key: "klas",
        aliases: &["klascode", "groep", "lesgroep", "klasse", "groups"],
        required: true,
    },
    Column {
        key: "docent",
        aliases: &["docentcode", "leraar", "lehrer", "teachers"],
        required: false,
    },
    Column {
        key: "vak",
        aliases: &["vakcode", "fach", "subjects"],
        required: true,
    },
];

/// Reads lesson rows.
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
        let date = parse_date(c.need(row, DATE)?).map_err(|r| c.bad(line, DATE, r))?;
        let period = match c.text(row, PERIOD)? {
            "" => 0,
            text => parse_small(text, 30).map_err(|r| c.bad(line, PERIOD, r))?,
        };
        let start = parse_time(c.need(row, START)?).map_err(|r| c.bad(line, START, r))?;
        let end = parse_time(c.need(row, END)?).map_err(|r| c.bad(line, END, r))?;
        if end <= start {
            return Err(c.bad(
                line,
                END,
                format!(
                    "{} ligt niet na begintijd {}",
                    format_time(end),
                    format_time(start)
                ),
            ));
        }
        let group_code = c.need(row, GROUP)?;
        let teacher = c.text(row, TEACHER)?;
        let key = (group_code.to_owned(), date, start);
        if let Some(first) = state
            .lessons
            .get(&key)
            .and_then(|&i| state.batch.lessons.get(i))
        {
            return Err(c.bad(
                line,
                START,
                format!(
                    "klas {group_code} heeft op {date} om {} al een les ({}:{})",
                    format_time(start),
                    first.origin.file,
                    first.origin.line
                ),
            ));
        }
        state.lessons.insert(key, state.batch.lessons.len());
        state.batch.lessons.push(BatchLesson {
            date,
            period: u8::try_from(period).unwrap_or(0),
            start,
            end,
            group_code: group_code.to_owned(),
            teacher_code: Some(teacher).filter(|t| !t.is_empty()).map(str::to_owned),
            subject: c.need(row, SUBJECT)?.to_owned(),
            origin: Origin {
                file: self.file.to_owned(),
                line,
            },
        });
        Ok(())
    }
}
