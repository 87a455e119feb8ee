//! Test fixtures: a vo school in region zuid, 2026-2027, shipped calendar, 50-minute lessons.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use chrono::{NaiveDate, NaiveTime};
use verzuim_domain::{Region, SchoolYear, Sector};

use crate::*;

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

pub fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

pub fn student(id: &str, birth: NaiveDate) -> StudentInput {
    StudentInput {
        id: id.into(),
        birth_date: birth,
        start_qualification: false,
        enrolled_from: d(2024, 8, 1),
        enrolled_until: None,
        lives_abroad: false,
        school_years_completed: None,
        sector: None,
        group: None,
        exemptions: vec![],
        prior_meldingen: vec![],
        suspect: vec![],
    }
}

/// A vo case with one leerplichtig student `s1` (born 2012-03-01).
pub fn case(sector: Sector) -> Case {
    Case {
        school: SchoolSettings {
            brin: None,
            sector,
            lesson_minutes: 50,
            counting: CountingSetting::Auto,
            mbo_all_in_lesuren: false,
            leave_codes: vec!["VE".into()],
        },
        calendar: CalendarInput {
            school_year: SchoolYear::starting(2026),
            region: Region::Zuid,
            first_day: None,
            last_day: None,
            holidays: None,
            free_days: vec![],
        },
        codes: vec![],
        students: vec![student("s1", d(2012, 3, 1))],
        timetable: vec![],
        registrations: vec![],
        leave_requests: vec![],
    }
}

pub fn reg(
    student: &str,
    date: NaiveDate,
    start: NaiveTime,
    end: NaiveTime,
    code: &str,
) -> RegistrationInput {
    RegistrationInput {
        id: None,
        student: student.into(),
        date,
        start,
        end,
        code: code.into(),
        minutes_late: None,
        lesuren: None,
    }
}

/// `n` consecutive 50-minute lesson registrations from 08:30 (the first lesuur), code `code`.
pub fn lessons(c: &mut Case, student: &str, date: NaiveDate, code: &str, n: u32) {
    for k in 0..n {
        let start = 8 * 60 + 30 + 50 * k;
        let end = start + 50;
        c.registrations.push(reg(
            student,
            date,
            t(start / 60, start % 60),
            t(end / 60, end % 60),
            code,
        ));
    }
}

/// A whole school day (8 lessons) of `code`.
pub fn day(c: &mut Case, student: &str, date: NaiveDate, code: &str) {
    lessons(c, student, date, code, 8);
}

/// Every school day from `first` to `last` (weekdays outside holidays) absent all day.
pub fn days(c: &mut Case, student: &str, first: NaiveDate, last: NaiveDate, code: &str) {
    let cal = crate::engine::build_calendar(&c.calendar).unwrap();
    for date in first.iter_days().take_while(|x| *x <= last) {
        if cal.is_school_day(date) {
            day(c, student, date, code);
        }
    }
}

pub fn eval(c: &Case, today: NaiveDate) -> Evaluation {
    crate::evaluate(c, today).unwrap()
}

pub fn of_kind(e: &Evaluation, kind: MeldingKind) -> Vec<&Melding> {
    e.meldingen.iter().filter(|m| m.kind == kind).collect()
}
