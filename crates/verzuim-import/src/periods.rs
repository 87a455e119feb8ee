//! `periodes`: the school's own periods (periodes, blokken, rapportperiodes), one row per
//! period. On import they replace the periods of the calendar of the school year they fall
//! in; the protocol engine counts "per periode" in them.

use chrono::NaiveDate;
use verzuim_domain::{Origin, SchoolCalendar, SchoolPeriod, SchoolYear};

use crate::ImportError;
use crate::columns::{Column, Mapped};
use crate::source::Row;
use crate::state::State;
use crate::values::parse_date;

const NAME: usize = 0;
const FIRST: usize = 1;
const LAST: usize = 2;

/// The columns of a `periodes` file.
pub(crate) static COLUMNS: &[Column] = &[
    Column {
        key: "periode",
        aliases: &["naam", "periodenaam", "blok"],
        required: true,
    },
    Column {
        key: "begindatum",
        aliases: &["begin", "van", "startdatum", "eerste dag"],
        required: true,
    },
    Column {
        key: "einddatum",
        aliases: &["eind", "einde", "tot en met", "t/m", "laatste dag"],
        required: true,
    },
];

/// One period read from a `periodes` file, with the row it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedPeriod {
    /// The period (name trimmed).
    pub period: SchoolPeriod,
    /// Source position.
    pub origin: Origin,
}

impl ImportedPeriod {
    /// The school year the period falls in (the rows are checked to lie in one).
    pub fn year(&self) -> SchoolYear {
        SchoolYear::containing(self.period.first)
    }
}

/// `dd-mm-jjjj`, as the errors write dates.
fn dutch(d: NaiveDate) -> String {
    d.format("%d-%m-%Y").to_string()
}

/// Reads period rows.
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

    /// Reads one row; refuses a period that ends before it starts, crosses the boundary of
    /// the school year (31 July), repeats a name or overlaps a period read before in the
    /// same school year.
    pub fn row(&mut self, row: &Row<'_>, state: &mut State) -> Result<(), ImportError> {
        let c = &self.cols;
        let line = row.line;
        let name = c.need(row, NAME)?;
        let first = parse_date(c.need(row, FIRST)?).map_err(|r| c.bad(line, FIRST, r))?;
        let last = parse_date(c.need(row, LAST)?).map_err(|r| c.bad(line, LAST, r))?;
        if last < first {
            return Err(c.bad(
                line,
                LAST,
                format!(
                    "periode '{name}' eindigt ({}) voor hij begint ({}); de einddatum is de laatste dag van de periode",
                    dutch(last),
                    dutch(first)
                ),
            ));
        }
        let year = SchoolYear::containing(first);
        if SchoolYear::containing(last) != year {
            return Err(c.bad(
                line,
                LAST,
                format!(
                    "periode '{name}' loopt over de grens van schooljaar {year} (dat eindigt op {}); \
                     een periode valt binnen één schooljaar",
                    dutch(year.last_day())
                ),
            ));
        }
        let same_year = || state.periods.iter().filter(|p| p.year() == year);
        if let Some(p) = same_year().find(|p| p.period.name.eq_ignore_ascii_case(name)) {
            return Err(c.bad(
                line,
                NAME,
                format!(
                    "periode '{name}' staat al op {}:{} (schooljaar {year}); geef elke periode een eigen naam",
                    p.origin.file, p.origin.line
                ),
            ));
        }
        if let Some(p) = same_year().find(|p| p.period.first <= last && first <= p.period.last) {
            return Err(c.bad(
                line,
                FIRST,
                format!(
                    "periode '{name}' ({} t/m {}) overlapt met periode '{}' ({} t/m {}, {}:{})",
                    dutch(first),
                    dutch(last),
                    p.period.name,
                    dutch(p.period.first),
                    dutch(p.period.last),
                    p.origin.file,
                    p.origin.line
                ),
            ));
        }
        state.periods.push(ImportedPeriod {
            period: SchoolPeriod {
                name: name.to_owned(),
                first,
                last,
            },
            origin: Origin {
                file: self.file.to_owned(),
                line,
            },
        });
        Ok(())
    }
}

/// `calendar` with `periods` (those of its school year) as its periods, replacing the ones
/// it had. A period outside the calendar's school days (before the first or after the last
/// school day) is refused at its row; `column` names a column as the file does.
pub(crate) fn calendar_with_periods(
    calendar: SchoolCalendar,
    periods: &[&ImportedPeriod],
    column: &dyn Fn(&str, &str) -> String,
) -> Result<SchoolCalendar, ImportError> {
    let year = calendar.year;
    for p in periods {
        let bad = |key: &str, reason: String| ImportError::BadRow {
            file: p.origin.file.clone(),
            line: p.origin.line,
            column: column(&p.origin.file, key),
            reason,
        };
        let outside = format!(
            "valt buiten schooljaar {year}: de school heeft les van {} t/m {}",
            dutch(calendar.first_day),
            dutch(calendar.last_day)
        );
        if p.period.first < calendar.first_day || p.period.first > calendar.last_day {
            return Err(bad(
                "begindatum",
                format!(
                    "periode '{}' begint op {} en {outside}",
                    p.period.name,
                    dutch(p.period.first)
                ),
            ));
        }
        if p.period.last > calendar.last_day {
            return Err(bad(
                "einddatum",
                format!(
                    "periode '{}' eindigt op {} en {outside}",
                    p.period.name,
                    dutch(p.period.last)
                ),
            ));
        }
    }
    let file = periods
        .first()
        .map_or_else(String::new, |p| p.origin.file.clone());
    calendar
        .with_periods(periods.iter().map(|p| p.period.clone()).collect())
        .map_err(|e| ImportError::file(file, e.reason))
}
