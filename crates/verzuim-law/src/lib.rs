//! The law engine: given a school's calendar, timetable, students and registrations, which
//! verzuimmeldingen are due as of `today`, of which kind, from when to when, with which day
//! specification — and why (rule, article, the registrations behind it).
//!
//! Pure: no clock, no database, no I/O. The caller passes `today`.
//!
//! Sources: Leerplichtwet 1969 art. 3, 4a, 11, 13a, 14, 21a; WEB art. 8.1.8, 8.1.8a; Besluit
//! register onderwijsdeelnemers art. 14; DUO "Verzuim: hoe het werkt" (seed 002); the
//! Maastricht protocol §7.4 (seed 004). See `docs/law.md` for each rule as implemented.

pub mod case;
pub mod melding;

pub use case::{
    CalendarInput, Case, CountingSetting, DateRange, HolidayInput, LeaveRequestInput, LeaveStatus,
    LessonInput, PriorMelding, RegistrationInput, SchoolSettings, StudentInput,
};
pub use melding::{DaySpec, Evaluation, Exclusion, LawStatus, Melding, MeldingKind, Rule, Unit};
