//! The law engine: given a school's calendar, timetable, students and registrations, which
//! verzuimmeldingen are due as of `today`, of which kind, from when to when, with which day
//! specification — and why (rule, article, the registrations behind it).
//!
//! Pure: no clock, no database, no I/O. The caller passes `today`.
//!
//! Three ways in, one set of rules: [`evaluate`] takes a whole [`Case`] (JSON, `verzuim check`);
//! [`Engine::evaluate_student`] one student's `RegistrationInput`s; and
//! [`Engine::evaluate_compact`] one student's [`CompactRegistration`]s (16 bytes each, code and
//! day already indexed), for callers that keep registrations compactly (a store, the benchmark).
//! The first two convert to the compact form and call the same core.
//!
//! Sources: Leerplichtwet 1969 art. 3, 4a, 11, 13a, 14, 21a; WEB art. 8.1.8, 8.1.8a; Besluit
//! register onderwijsdeelnemers art. 14; DUO "Verzuim: hoe het werkt" (seed 002); the
//! Maastricht protocol §7.4 (seed 004). See `docs/law.md` for each rule as implemented.

pub mod case;
pub mod engine;
pub mod error;
#[cfg(test)]
mod fixture;
pub mod long_term;
pub mod luxury;
pub mod melding;
pub mod overig;
pub mod rules;
pub mod sixteen_hours;
pub mod status;
pub mod units;

use std::collections::HashMap;

use chrono::NaiveDate;

pub use case::{
    CalendarInput, Case, CountingSetting, DateRange, HolidayInput, LeaveRequestInput, LeaveStatus,
    LessonInput, PriorMelding, RegistrationInput, SchoolSettings, StudentInput,
};
pub use engine::{
    CompactRegistration, DAY_MINUTES, Engine, StudentEvaluation, StudentOutcome, minutes_of,
};
pub use error::CaseError;
pub use melding::{
    DaySpec, Evaluation, Exclusion, LawStatus, Melding, MeldingKind, NotReported, Rule, Unit,
};
pub use status::law_status;

/// Evaluates a whole case as of `today`: the meldingen due (sorted by student, begin, kind) and
/// the exclusions. Registration ids default to `r{n}`, their 1-based position in the case.
pub fn evaluate(case: &Case, today: NaiveDate) -> Result<Evaluation, CaseError> {
    let engine = Engine::new(&case.school, &case.calendar, &case.codes, &case.timetable)?;
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(case.students.len());
    for (i, s) in case.students.iter().enumerate() {
        if index.insert(s.id.as_str(), i).is_some() {
            return Err(CaseError::new(
                format!("students[{i}].id"),
                format!("leerlingnummer '{}' komt twee keer voor", s.id),
            ));
        }
    }
    let mut regs: Vec<Vec<usize>> = vec![Vec::new(); case.students.len()];
    for (i, r) in case.registrations.iter().enumerate() {
        let Some(&s) = index.get(r.student.as_str()) else {
            return Err(CaseError::new(
                format!("registrations[{i}].student"),
                format!("leerling '{}' staat niet in students", r.student),
            ));
        };
        regs[s].push(i);
    }
    let mut leave: Vec<Vec<usize>> = vec![Vec::new(); case.students.len()];
    for (i, l) in case.leave_requests.iter().enumerate() {
        let Some(&s) = index.get(l.student.as_str()) else {
            return Err(CaseError::new(
                format!("leave_requests[{i}].student"),
                format!("leerling '{}' staat niet in students", l.student),
            ));
        };
        leave[s].push(i);
    }
    let mut out = Evaluation {
        today,
        meldingen: Vec::new(),
        exclusions: Vec::new(),
    };
    for (s, student) in case.students.iter().enumerate() {
        let r: Vec<&RegistrationInput> = regs[s].iter().map(|&i| &case.registrations[i]).collect();
        let l: Vec<&LeaveRequestInput> =
            leave[s].iter().map(|&i| &case.leave_requests[i]).collect();
        let e = engine.evaluate_refs(
            student,
            &format!("students[{s}]"),
            engine::Items::Refs(&r),
            Some(&regs[s]),
            engine::Items::Refs(&l),
            Some(&leave[s]),
            today,
        )?;
        out.meldingen.extend(e.meldingen);
        out.exclusions.extend(e.exclusions);
    }
    out.meldingen
        .sort_by(|a, b| (&a.student, a.begin, a.kind).cmp(&(&b.student, b.begin, b.kind)));
    out.exclusions.sort_by(|a, b| a.student.cmp(&b.student));
    Ok(out)
}
