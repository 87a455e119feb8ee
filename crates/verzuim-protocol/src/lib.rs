//! A school's absence protocol as a TOML rule file, and the pure engine that runs it: named
//! counters over registrations, windows, thresholds, and per step the tasks per role with
//! deadlines in school days, sanctions, letters and proposed DUO meldingen — with evidence.
//!
//! Pure: no clock, no database, no I/O. The caller passes `today`, the calendar with its
//! school periods, the code table, the students and their registrations. See
//! `docs/protocol.md` for the format and the semantics.
//!
//! ```
//! use std::collections::BTreeSet;
//! use chrono::NaiveDate;
//! use verzuim_domain::{CodeTable, Region, RegistrationId, SchoolCalendar, SchoolYear, StudentId};
//! use verzuim_protocol::{evaluate, Input, Period, Protocol, RegistrationFact, Role};
//!
//! let protocol = Protocol::from_toml(r#"
//!     [protocol]
//!     name = "Voorbeeld"
//!     [[counter]]
//!     name = "te_laat"
//!     codes = ["TO"]
//!     unit = "events"
//!     [[window]]
//!     name = "periode"
//!     type = "period"
//!     [[step]]
//!     id = "laat-3"
//!     ladder = "te laat"
//!     window = "periode"
//!     when = { at_least = { counter = "te_laat", value = 3 } }
//!     [[step.action]]
//!     role = "mentor"
//!     text = "Gesprek met de leerling."
//!     within_school_days = 2
//! "#)?;
//! let day = |d| NaiveDate::from_ymd_opt(2026, 9, d).unwrap();
//! let calendar = SchoolCalendar::new(SchoolYear::starting(2026), Region::Zuid, day(1),
//!     NaiveDate::from_ymd_opt(2027, 7, 9).unwrap(), Vec::new(), BTreeSet::new()).unwrap();
//! let periods = [Period { name: "periode 1".into(), first: day(1), last: day(30) }];
//! let late: Vec<RegistrationFact> = (7..10)
//!     .map(|d| RegistrationFact { id: RegistrationId(d.into()), student: StudentId(1),
//!         date: day(d), code: "TO".into(), lesuren: 1 })
//!     .collect();
//! let codes = CodeTable::magister_default();
//! let input = Input { calendar: &calendar, periods: &periods, codes: &codes,
//!     students: &[StudentId(1)], registrations: &late, manual: &[] };
//! let ladders = evaluate(&protocol, &input, day(10)).unwrap();
//! let step = &ladders[0].reached[0];
//! assert_eq!(step.key, "laat-3@periode-1");
//! assert_eq!(step.reason, "3× te laat in periode 1"); // label defaults to the name
//! assert_eq!(step.tasks[0].role, Role::Mentor);
//! assert_eq!(step.tasks[0].due, Some(day(14)));
//! # Ok::<(), verzuim_protocol::ProtocolError>(())
//! ```

pub mod engine;
pub mod error;
pub mod explain;
pub mod format;
pub mod letters;
pub mod presets;

pub use engine::{
    Input, ManualTrigger, Period, Progress, ReachedStep, RegistrationFact, SanctionOutcome,
    StudentLadder, Task, add_school_days, evaluate,
};
pub use error::{InputError, ProtocolError};
pub use explain::explain;
pub use format::{
    Action, Condition, Counter, MeldingKind, Protocol, Role, Sanction, Step, Trigger, Unit, Window,
    WindowKind,
};
pub use letters::{Letter, LetterContext};
pub use presets::{PRESETS, Preset, preset};
