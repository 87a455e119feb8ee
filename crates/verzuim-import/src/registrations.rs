//! `registraties`: absences, late arrivals and removals, in verzuim's own format or in the
//! shape of a Magister or SOMtoday absence export (research/data-formats.md §2.3, §2.4).
//!
//! All three dialects go through one parser; a [`Layout`] says which column of the dialect
//! plays which part. A row gives its time as a begin and end time on a date, as date-times
//! (which may span several days; a value with a time zone is converted to Amsterdam time),
//! or as lesson hours only, resolved against the timetable when the import finishes.

use std::borrow::Cow;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use verzuim_domain::{BatchRegistration, CodeTable, Origin};

use crate::ImportError;
use crate::columns::{Column, Mapped, RegistrationFormat};
use crate::source::Row;
use crate::state::{Pending, State};
use crate::values::{
    end_of_day, format_time, parse_bool, parse_date, parse_date_time, parse_small, parse_time,
    split_into_days,
};

/// Which column of a dialect's column list plays which part.
struct Layout {
    number: usize,
    date: Option<usize>,
    period: Option<usize>,
    end_period: Option<usize>,
    start: usize,
    end: usize,
    code: usize,
    note: usize,
    minutes: Option<usize>,
    description: Option<usize>,
    authorized: Option<usize>,
}

static VERZUIM: &[Column] = &[
    Column {
        key: "leerlingnummer",
        aliases: &["stamnummer", "leerlingnr", "studentnummer"],
        required: true,
    },
    Column {
        key: "datum",
        aliases: &["dag"],
        required: true,
    },
    Column {
        key: "lesuur",
        aliases: &["uur"],
        required: false,
    },
    Column {
        key: "begintijd",
        aliases: &["begin", "van"],
        required: false,
    },
    Column {
        key: "eindtijd",
        aliases: &["einde", "tot"],
        required: false,
    },
    Column {
        key: "code",
        aliases: &["absentiecode", "verzuimcode"],
        required: true,
    },
    Column {
        key: "opmerking",
        aliases: &["notitie", "toelichting"],
        required: false,
    },
    Column {
        key: "minuten_te_laat",
        aliases: &["minuten te laat", "te laat minuten"],
        required: false,
    },
];

const VERZUIM_LAYOUT: Layout = Layout {
    number: 0,
    date: Some(1),
    period: Some(2),
    end_period: None,
    start: 3,
    end: 4,
    code: 5,
    note: 6,
    minutes: Some(7),
    description: None,
    authorized: None,
};

static MAGISTER: &[Column] = &[
    Column {
        key: "Stamnr",
        aliases: &["stamnummer", "leerlingnummer", "leerlingnr"],
        required: true,
    },
    Column {
        key: "Datum",
        aliases: &[],
        required: false,
    },
    Column {
        key: "Lesuur",
        aliases: &["uur"],
        required: false,
    },
    Column {
        key: "Start",
        aliases: &["begin", "begintijd", "starttijd"],
        required: false,
    },
    Column {
        key: "Eind",
        aliases: &["einde", "eindtijd"],
        required: false,
    },
    Column {
        key: "Code",
        aliases: &["verantwoording", "absentiecode"],
        required: true,
    },
    Column {
        key: "Opmerking",
        aliases: &["opmerkingen", "notitie"],
        required: false,
    },
    Column {
        key: "Omschrijving",
        aliases: &[],
        required: false,
    },
    Column {
        key: "Geoorloofd",
        aliases: &[],
        required: false,
    },
];

const MAGISTER_LAYOUT: Layout = Layout {
    number: 0,
    date: Some(1),
    period: Some(2),
    end_period: None,
    start: 3,
    end: 4,
    code: 5,
    note: 6,
    minutes: None,
    description: Some(7),
    authorized: Some(8),
};

static SOMTODAY: &[Column] = &[
    Column {
        key: "leerlingnummer",
        aliases: &["leerling.leerlingnummer"],
        required: true,
    },
    Column {
        key: "beginDatumTijd",
        aliases: &["begindatum"],
        required: true,
    },
    Column {
        key: "eindDatumTijd",
        aliases: &["einddatum"],
        required: true,
    },
    Column {
        key: "beginLesuur",
        aliases: &[],
        required: false,
    },
    Column {
        key: "eindLesuur",
        aliases: &[],
        required: false,
    },
    Column {
        key: "absentieReden.afkorting",
        aliases: &["afkorting", "absentiereden"],
        required: true,
    },
    Column {
        key: "opmerkingen",
        aliases: &["opmerking"],
        required: false,
    },
    Column {
        key: "absentieReden.omschrijving",
        aliases: &["omschrijving"],
        required: false,
    },
    Column {
        key: "absentieReden.geoorloofd",
        aliases: &["geoorloofd"],
        required: false,
    },
];

const SOMTODAY_LAYOUT: Layout = Layout {
    number: 0,
    date: None,
    period: Some(3),
    end_period: Some(4),
    start: 1,
    end: 2,
    code: 5,
    note: 6,
    minutes: None,
    description: Some(7),
    authorized: Some(8),
};

/// The columns of a registrations file in `format`.
pub(crate) fn columns(format: RegistrationFormat) -> &'static [Column] {
    match format {
        RegistrationFormat::Verzuim => VERZUIM,
        RegistrationFormat::Magister => MAGISTER,
        RegistrationFormat::Somtoday => SOMTODAY,
    }
}

fn layout(format: RegistrationFormat) -> &'static Layout {
    match format {
        RegistrationFormat::Verzuim => &VERZUIM_LAYOUT,
        RegistrationFormat::Magister => &MAGISTER_LAYOUT,
        RegistrationFormat::Somtoday => &SOMTODAY_LAYOUT,
    }
}

/// The keys of the student-number and code columns of `format`, to recognise the kind.
pub(crate) fn number_and_code_keys(format: RegistrationFormat) -> (&'static str, &'static str) {
    let specs = columns(format);
    let l = layout(format);
    (specs[l.number].key, specs[l.code].key)
}

/// The key, in `format`, of the column that verzuim's own format calls `verzuim_key`
/// (`leerlingnummer`, `begintijd`, `code`, ...): the store names columns that way.
pub(crate) fn key_in_format(format: RegistrationFormat, verzuim_key: &str) -> Option<&'static str> {
    let l = layout(format);
    let index = match verzuim_key {
        "leerlingnummer" => Some(l.number),
        "datum" => l.date,
        "lesuur" => l.period,
        "begintijd" => Some(l.start),
        "eindtijd" => Some(l.end),
        "code" => Some(l.code),
        "opmerking" => Some(l.note),
        "minuten_te_laat" => l.minutes,
        _ => None,
    }?;
    columns(format).get(index).map(|c| c.key)
}

/// When a row says the registration was.
enum When {
    /// From a date-time to a date-time (possibly on another day).
    Span(NaiveDateTime, NaiveDateTime),
    /// Lesson hours `first..=last` on a date, to be looked up in the timetable.
    Periods(NaiveDate, u8, u8),
}

/// Reads registration rows.
pub(crate) struct Parser<'f> {
    cols: Mapped<'f>,
    layout: &'static Layout,
    file: &'f str,
    codes: &'f CodeTable,
}

fn looks_like_time_only(text: &str) -> bool {
    !text.contains(['-', '/', 'T', ' '])
}

impl<'f> Parser<'f> {
    /// Maps the headers of a file in `format`.
    pub fn new(
        file: &'f str,
        headers: &[String],
        format: RegistrationFormat,
        codes: &'f CodeTable,
    ) -> Result<Self, ImportError> {
        let cols = Mapped::new(file, headers, columns(format))?;
        let layout = layout(format);
        let has_period = layout.period.is_some_and(|p| cols.has(p));
        let has_times = cols.has(layout.start) && cols.has(layout.end);
        if !has_times && !has_period {
            let missing = if cols.has(layout.start) {
                layout.end
            } else {
                layout.start
            };
            return Err(cols.missing_either(missing, layout.period.unwrap_or(missing)));
        }
        Ok(Self {
            cols,
            layout,
            file,
            codes,
        })
    }

    /// The mapped columns.
    pub fn columns(&self) -> &Mapped<'f> {
        &self.cols
    }

    fn date_column(&self, row: &Row<'_>, needed_by: usize) -> Result<NaiveDate, ImportError> {
        let c = &self.cols;
        match self.layout.date {
            Some(col) if c.has(col) => {
                parse_date(c.need(row, col)?).map_err(|r| c.bad(row.line, col, r))
            }
            _ => Err(c.bad(
                row.line,
                needed_by,
                "bevat alleen een tijd of lesuur; voeg een kolom datum toe of schrijf datum en tijd samen",
            )),
        }
    }

    fn period(&self, row: &Row<'_>, col: Option<usize>) -> Result<Option<u8>, ImportError> {
        let Some(col) = col else { return Ok(None) };
        match self.cols.text(row, col)? {
            "" => Ok(None),
            text => {
                let n = parse_small(text, 30).map_err(|r| self.cols.bad(row.line, col, r))?;
                match u8::try_from(n) {
                    Ok(p) if p > 0 => Ok(Some(p)),
                    _ => Err(self.cols.bad(
                        row.line,
                        col,
                        "lesuur 0 bestaat niet; het eerste lesuur is 1",
                    )),
                }
            }
        }
    }

    /// One end of the time: a date-time, or a time on the row's date. A date alone means
    /// the start or the end of that day.
    fn moment(
        &self,
        row: &Row<'_>,
        col: usize,
        text: &str,
    ) -> Result<(NaiveDate, Option<NaiveTime>), ImportError> {
        let c = &self.cols;
        if looks_like_time_only(text) {
            let time = parse_time(text).map_err(|r| c.bad(row.line, col, r))?;
            return Ok((self.date_column(row, col)?, Some(time)));
        }
        parse_date_time(text).map_err(|r| c.bad(row.line, col, r))
    }

    fn when(&self, row: &Row<'_>) -> Result<When, ImportError> {
        let c = &self.cols;
        let l = self.layout;
        let start_text = c.text(row, l.start)?;
        let end_text = c.text(row, l.end)?;
        let period = self.period(row, l.period)?;
        if start_text.is_empty() && end_text.is_empty() {
            let Some(first) = period else {
                return Err(c.bad(
                    row.line,
                    l.start,
                    format!(
                        "is leeg; vul '{}' en '{}' in, of het lesuur",
                        c.name(l.start),
                        c.name(l.end)
                    ),
                ));
            };
            let last = self.period(row, l.end_period)?.unwrap_or(first);
            let date = self.date_column(row, l.period.unwrap_or(l.start))?;
            return Ok(When::Periods(date, first, last.max(first)));
        }
        let start_text = if start_text.is_empty() {
            c.need(row, l.start)?
        } else {
            start_text
        };
        let end_text = if end_text.is_empty() {
            c.need(row, l.end)?
        } else {
            end_text
        };
        let (start_date, start_time) = self.moment(row, l.start, start_text)?;
        let (end_date, end_time) = self.moment(row, l.end, end_text)?;
        if start_time.is_none()
            && end_date == start_date
            && let Some(first) = period
        {
            // A date without time plus lesson hours (SOMtoday writes both).
            let last = self.period(row, l.end_period)?.unwrap_or(first);
            return Ok(When::Periods(start_date, first, last.max(first)));
        }
        let start = NaiveDateTime::new(start_date, start_time.unwrap_or(NaiveTime::MIN));
        let end = NaiveDateTime::new(end_date, end_time.unwrap_or_else(end_of_day));
        if end <= start {
            return Err(c.bad(
                row.line,
                l.end,
                if start_date == end_date {
                    format!(
                        "{} ligt niet na begintijd {}",
                        format_time(end.time()),
                        format_time(start.time())
                    )
                } else {
                    format!("{end} ligt niet na het begin {start}")
                },
            ));
        }
        Ok(When::Span(start, end))
    }

    /// Reads one row into the batch.
    pub fn row(&mut self, row: &Row<'_>, state: &mut State) -> Result<(), ImportError> {
        let c = &self.cols;
        let l = self.layout;
        let line = row.line;
        let number = c.need(row, l.number)?;
        let raw_code = c.need(row, l.code)?;
        let code: Cow<'_, str> = if raw_code.bytes().any(|b| b.is_ascii_lowercase()) {
            Cow::Owned(raw_code.to_ascii_uppercase())
        } else {
            Cow::Borrowed(raw_code)
        };
        let Some(entry) = self.codes.get(&code) else {
            if self.codes.codes().is_empty() {
                return Err(c.bad(
                    line,
                    l.code,
                    format!("'{raw_code}' staat niet in de codetabel: de school heeft nog geen codetabel; stel die eerst in"),
                ));
            }
            let known: Vec<&str> = self.codes.codes().iter().map(|c| c.code.as_str()).collect();
            return Err(c.bad(
                line,
                l.code,
                format!(
                    "'{raw_code}' staat niet in de codetabel van de school; bekende codes: {}",
                    known.join(", ")
                ),
            ));
        };
        if let Some(col) = l.authorized {
            let stated = parse_bool(c.text(row, col)?).map_err(|r| c.bad(line, col, r))?;
            if let Some(stated) = stated.filter(|s| *s != entry.authorized) {
                let says = |b: bool| if b { "geoorloofd" } else { "ongeoorloofd" };
                return Err(c.bad(
                    line,
                    col,
                    format!(
                        "de export zegt {}, maar code {} is {} in de codetabel van de school; \
                         pas de codetabel aan of controleer de export",
                        says(stated),
                        entry.code,
                        says(entry.authorized)
                    ),
                ));
            }
        }
        let mut note = c.text(row, l.note)?;
        if note.is_empty()
            && let Some(col) = l.description
        {
            let description = c.text(row, col)?;
            if !description.eq_ignore_ascii_case(&entry.description) {
                note = description;
            }
        }
        let minutes_late = match l.minutes {
            Some(col) => match c.text(row, col)? {
                "" => None,
                text => Some(
                    u16::try_from(parse_small(text, 600).map_err(|r| c.bad(line, col, r))?)
                        .unwrap_or(0),
                ),
            },
            None => None,
        };
        let make = |date, start, end| BatchRegistration {
            student_number: number.to_owned(),
            date,
            start,
            end,
            code: entry.code.clone(),
            note: note.to_owned(),
            minutes_late,
            origin: Origin {
                file: self.file.to_owned(),
                line,
            },
        };
        match self.when(row)? {
            When::Span(start, end) if start.date() == end.date() => {
                state
                    .batch
                    .registrations
                    .push(make(start.date(), start.time(), end.time()));
            }
            When::Span(start, end) => {
                for (date, from, to) in split_into_days(start, end) {
                    state.batch.registrations.push(make(date, from, to));
                }
            }
            When::Periods(date, first, last) => {
                let column = l.period.map_or_else(String::new, |p| c.name(p).to_owned());
                for period in first..=last {
                    state.pending.push(Pending {
                        index: state.batch.registrations.len(),
                        period,
                        column: column.clone(),
                    });
                    state
                        .batch
                        .registrations
                        .push(make(date, NaiveTime::MIN, NaiveTime::MIN));
                }
            }
        }
        Ok(())
    }
}
