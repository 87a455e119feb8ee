//! `klassen`: one row per group. Optional: groups named by students or lessons but not
//! listed here are created with the year level read from their code.

use verzuim_domain::Group;

use crate::ImportError;
use crate::columns::{Column, Mapped};
use crate::source::Row;
use crate::state::State;
use crate::values::parse_small;

const CODE: usize = 0;
const YEAR: usize = 1;
const LOCATION: usize = 2;

/// The columns of a `klassen` file.
pub(crate) static COLUMNS: &[Column] = &[
    Column {
        key: "klas",
        aliases: &["klascode", "groep", "stamgroep", "klasse"],
        required: true,
    },
    Column {
        key: "leerjaar",
        aliases: &["jaar", "jaarlaag"],
        required: false,
    },
    Column {
        key: "locatie",
        aliases: &["vestiging", "locatiecode", "leslocatie"],
        required: false,
    },
];

/// The year level a group code suggests: its first digit (`2B` → 2, `H4A` → 4), else 1.
pub(crate) fn year_level_from_code(code: &str) -> u8 {
    code.bytes()
        .find(u8::is_ascii_digit)
        .map_or(1, |b| (b - b'0').max(1))
}

/// Reads group rows.
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
        let code = c.need(row, CODE)?;
        let year_level = match c.text(row, YEAR)? {
            "" => year_level_from_code(code),
            text => match parse_small(text, 20).map_err(|r| c.bad(line, YEAR, r))? {
                0 => {
                    return Err(c.bad(
                        line,
                        YEAR,
                        "leerjaar 0 bestaat niet; het eerste leerjaar is 1",
                    ));
                }
                n => u8::try_from(n).unwrap_or(1),
            },
        };
        if let Some(&(_, ref file, first)) = state.groups.get(code) {
            return Err(c.bad(
                line,
                CODE,
                format!("klas {code} staat al op {file}:{first}"),
            ));
        }
        state.groups.insert(
            code.to_owned(),
            (state.batch.groups.len(), self.file.to_owned(), line),
        );
        state.batch.groups.push(Group {
            code: code.to_owned(),
            year_level,
            location: c.text(row, LOCATION)?.to_owned(),
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_level_is_the_first_digit_of_the_code() {
        assert_eq!(year_level_from_code("2B"), 2);
        assert_eq!(year_level_from_code("H4A"), 4);
        assert_eq!(year_level_from_code("BRUG"), 1);
        assert_eq!(year_level_from_code("0X"), 1);
    }
}
