//! `personeel`: one row per staff member.

use verzuim_domain::{BatchStaff, Origin, SchoolRole, Staff};

use crate::ImportError;
use crate::columns::{Column, Mapped};
use crate::source::Row;
use crate::state::State;

const USERNAME: usize = 0;
const NAME: usize = 1;
const CODE: usize = 2;
const ROLES: usize = 3;
const PASSWORD_HASH: usize = 4;

/// The columns of a `personeel` file.
pub(crate) static COLUMNS: &[Column] = &[
    Column {
        key: "gebruikersnaam",
        aliases: &["username", "login", "inlognaam"],
        required: true,
    },
    Column {
        key: "naam",
        aliases: &["volledige naam", "weergavenaam"],
        required: true,
    },
    Column {
        key: "code",
        aliases: &["docentcode", "afkorting", "personeelscode"],
        required: true,
    },
    Column {
        key: "rollen",
        aliases: &["rol", "functies"],
        required: true,
    },
    Column {
        key: "wachtwoord_hash",
        aliases: &[],
        required: false,
    },
];

/// Reads staff rows.
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
        let mut roles = Vec::new();
        for part in c.need(row, ROLES)?.split(['|', ',']) {
            if part.trim().is_empty() {
                continue;
            }
            let role = SchoolRole::parse(part).map_err(|e| {
                let all: Vec<&str> = SchoolRole::ALL.iter().map(|r| r.code()).collect();
                c.bad(
                    line,
                    ROLES,
                    format!(
                        "{}; kies uit {}, gescheiden door |",
                        e.reason,
                        all.join(", ")
                    ),
                )
            })?;
            if !roles.contains(&role) {
                roles.push(role);
            }
        }
        let staff = Staff {
            username: c.need(row, USERNAME)?.to_owned(),
            name: c.need(row, NAME)?.to_owned(),
            code: c.need(row, CODE)?.to_owned(),
            roles,
        };
        staff.validate().map_err(|e| {
            let col = COLUMNS
                .iter()
                .position(|s| s.key == e.field)
                .unwrap_or(USERNAME);
            c.bad(line, col, e.reason)
        })?;
        let password_hash = match c.text(row, PASSWORD_HASH)? {
            "" => None,
            hash if hash.starts_with("$argon2") => Some(hash.to_owned()),
            _ => {
                return Err(c.bad(
                    line,
                    PASSWORD_HASH,
                    "is geen argon2-hash (PHC-tekst die begint met $argon2); laat de kolom leeg",
                ));
            }
        };
        for (map, col, value) in [
            (&state.staff_usernames, USERNAME, &staff.username),
            (&state.staff_codes, CODE, &staff.code),
        ] {
            if let Some(first) = map.get(value).and_then(|&i| state.batch.staff.get(i)) {
                return Err(c.bad(
                    line,
                    col,
                    format!(
                        "'{value}' staat al op {}:{}",
                        first.origin.file, first.origin.line
                    ),
                ));
            }
        }
        let index = state.batch.staff.len();
        state.staff_usernames.insert(staff.username.clone(), index);
        state.staff_codes.insert(staff.code.clone(), index);
        state.batch.staff.push(BatchStaff {
            staff,
            password_hash,
            origin: Origin {
                file: self.file.to_owned(),
                line,
            },
        });
        Ok(())
    }
}
