//! Leerplichtwet 1969 art. 3 and 4a, WEB art. 8.1.8: the law status of a student on a date.
//!
//! - leerplichtig from the 1st of the month after the 5th birthday (art. 3 lid 1 says "de eerste
//!   schooldag van de maand"; the engine only looks at school days, so the 1st of the month gives
//!   the same result and needs no calendar) until 31 July of the school year in which the student
//!   turned 16 or completed 12 full school years (art. 3 lid 1 a/b);
//! - then kwalificatieplichtig until the day before the 18th birthday, unless the student holds a
//!   startkwalificatie (art. 4a);
//! - then, under 23 and without a startkwalificatie, in the RMC target group (WEB art. 8.1.8);
//! - otherwise none.

use chrono::{Datelike, Days, NaiveDate};
use verzuim_domain::SchoolYear;

use crate::{LawStatus, StudentInput};

/// The dates on which a student's status changes, for one school year.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StatusDates {
    /// First day of leerplicht.
    pub leerplicht_from: NaiveDate,
    /// Last day of leerplicht (inclusive).
    pub leerplicht_until: NaiveDate,
    /// Last day of kwalificatieplicht (inclusive); `None` with a startkwalificatie.
    pub kwalificatie_until: Option<NaiveDate>,
    /// Last day in the RMC target group (inclusive); `None` with a startkwalificatie.
    pub rmc_until: Option<NaiveDate>,
}

/// The n-th birthday; someone born on 29 February has it on 28 February in other years.
/// (The same day as `checked_add_months(12 * years)`, without its general month arithmetic:
/// only 29 February can be missing in another year.)
pub fn birthday(birth: NaiveDate, years: u32) -> NaiveDate {
    let Some(year) = i32::try_from(years)
        .ok()
        .and_then(|y| birth.year().checked_add(y))
    else {
        return NaiveDate::MAX;
    };
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .or_else(|| NaiveDate::from_ymd_opt(year, birth.month(), 28))
        .unwrap_or(NaiveDate::MAX)
}

fn day_before(d: NaiveDate) -> NaiveDate {
    d.checked_sub_days(Days::new(1)).unwrap_or(d)
}

impl StatusDates {
    /// The status dates of `student` as seen in school year `year` (the year matters only for
    /// `school_years_completed`, which counts full years before `year`).
    pub fn of(student: &StudentInput, year: SchoolYear) -> Self {
        let b5 = birthday(student.birth_date, 5);
        // Art. 3 lid 1: the month after the 5th birthday.
        let leerplicht_from = match b5.month() {
            12 => NaiveDate::from_ymd_opt(b5.year() + 1, 1, 1),
            m => NaiveDate::from_ymd_opt(b5.year(), m + 1, 1),
        }
        .unwrap_or(NaiveDate::MAX);
        // Art. 3 lid 1 b: end of the school year in which the student turns 16.
        let b16 = birthday(student.birth_date, 16);
        let mut leerplicht_until = SchoolYear::containing(b16).last_day();
        // Art. 3 lid 1 a: end of the school year after which 12 full school years are completed.
        match student.school_years_completed {
            Some(n) if n >= 12 => {
                leerplicht_until = leerplicht_until.min(day_before(year.first_day()));
            }
            Some(11) => leerplicht_until = leerplicht_until.min(year.last_day()),
            _ => {}
        }
        let (kwalificatie_until, rmc_until) = if student.start_qualification {
            (None, None)
        } else {
            (
                // Art. 4a: until the 18th birthday.
                Some(day_before(birthday(student.birth_date, 18))),
                // WEB art. 8.1.8 lid 1 a: younger than 23.
                Some(day_before(birthday(student.birth_date, 23))),
            )
        };
        Self {
            leerplicht_from,
            leerplicht_until,
            kwalificatie_until,
            rmc_until,
        }
    }

    /// The status on `date`.
    pub fn on(&self, date: NaiveDate) -> LawStatus {
        if date < self.leerplicht_from {
            LawStatus::None
        } else if date <= self.leerplicht_until {
            LawStatus::Leerplichtig
        } else if self.kwalificatie_until.is_some_and(|k| date <= k) {
            LawStatus::Kwalificatieplichtig
        } else if self.rmc_until.is_some_and(|r| date <= r) {
            LawStatus::Rmc
        } else {
            LawStatus::None
        }
    }
}

/// The law status of `student` on `date` (school year taken from `date`).
pub fn law_status(student: &StudentInput, date: NaiveDate) -> LawStatus {
    StatusDates::of(student, SchoolYear::containing(date)).on(date)
}

/// Whether the status falls under the Leerplichtwet (16 uur, LRV, luxe verzuim).
pub fn under_leerplichtwet(status: LawStatus) -> bool {
    matches!(
        status,
        LawStatus::Leerplichtig | LawStatus::Kwalificatieplichtig
    )
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use chrono::Months;

    use super::*;
    use crate::fixture::d;

    fn student(birth: NaiveDate) -> StudentInput {
        crate::fixture::student("1", birth)
    }

    #[test]
    fn leerplicht_starts_on_the_first_of_the_month_after_the_fifth_birthday() {
        let s = student(d(2021, 10, 15));
        assert_eq!(law_status(&s, d(2026, 10, 31)), LawStatus::None);
        assert_eq!(law_status(&s, d(2026, 11, 1)), LawStatus::Leerplichtig);
        // Born on the 1st: the birthday month itself does not count.
        let s = student(d(2021, 11, 1));
        assert_eq!(law_status(&s, d(2026, 11, 2)), LawStatus::None);
        assert_eq!(law_status(&s, d(2026, 12, 1)), LawStatus::Leerplichtig);
    }

    #[test]
    fn leerplicht_ends_on_31_july_of_the_school_year_in_which_the_student_turns_16() {
        let s = student(d(2011, 3, 10)); // turns 16 on 2027-03-10, in 2026-2027
        assert_eq!(law_status(&s, d(2027, 7, 31)), LawStatus::Leerplichtig);
        assert_eq!(
            law_status(&s, d(2027, 8, 1)),
            LawStatus::Kwalificatieplichtig
        );
        // Turning 16 on 1 August falls in the next school year.
        let s = student(d(2011, 8, 1));
        assert_eq!(law_status(&s, d(2027, 9, 1)), LawStatus::Leerplichtig);
    }

    #[test]
    fn twelve_full_school_years_end_leerplicht_early() {
        let mut s = student(d(2012, 1, 10)); // 14 in 2026-2027
        s.school_years_completed = Some(12);
        let y = SchoolYear::starting(2026);
        assert_eq!(
            StatusDates::of(&s, y).on(d(2026, 9, 1)),
            LawStatus::Kwalificatieplichtig
        );
        s.school_years_completed = Some(11);
        assert_eq!(
            StatusDates::of(&s, y).on(d(2027, 7, 31)),
            LawStatus::Leerplichtig
        );
        assert_eq!(
            StatusDates::of(&s, y).on(d(2027, 8, 1)),
            LawStatus::Kwalificatieplichtig
        );
    }

    #[test]
    fn kwalificatieplicht_ends_the_day_before_the_18th_birthday_then_rmc_until_23() {
        let s = student(d(2009, 2, 20));
        assert_eq!(
            law_status(&s, d(2027, 2, 19)),
            LawStatus::Kwalificatieplichtig
        );
        assert_eq!(law_status(&s, d(2027, 2, 20)), LawStatus::Rmc);
        assert_eq!(law_status(&s, d(2032, 2, 19)), LawStatus::Rmc);
        assert_eq!(law_status(&s, d(2032, 2, 20)), LawStatus::None);
    }

    #[test]
    fn a_birthday_is_the_same_date_as_adding_whole_years_of_months() {
        let mut date = d(1999, 1, 1);
        while date <= d(2025, 12, 31) {
            for years in [5, 16, 18, 23] {
                assert_eq!(
                    birthday(date, years),
                    date.checked_add_months(Months::new(12 * years)).unwrap(),
                    "{date} + {years}"
                );
            }
            date = date.succ_opt().unwrap();
        }
        assert_eq!(birthday(d(2008, 2, 29), 5), d(2013, 2, 28));
        assert_eq!(birthday(NaiveDate::MAX, 1), NaiveDate::MAX);
    }

    #[test]
    fn a_startkwalificatie_ends_kwalificatieplicht_and_rmc() {
        let mut s = student(d(2009, 2, 20));
        s.start_qualification = true;
        assert_eq!(law_status(&s, d(2026, 10, 1)), LawStatus::None);
    }
}
