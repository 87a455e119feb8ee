//! Dutch local time and Dutch date formatting, for display and for "today".
//!
//! Europe/Amsterdam is CET (UTC+1) in winter and CEST (UTC+2) from the last Sunday of March
//! 01:00 UTC to the last Sunday of October 01:00 UTC (EU directive 2000/84/EC). Computing it
//! here saves the time-zone database for the one zone the school face needs.

use chrono::{DateTime, Datelike, Duration, FixedOffset, NaiveDate, NaiveTime, Utc, Weekday};

fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_of_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = first_of_next.pred_opt()?;
    let back = i64::from(last.weekday().num_days_from_sunday());
    last.checked_sub_signed(Duration::days(back))
}

/// The UTC offset of Europe/Amsterdam at a moment.
pub fn amsterdam_offset(at: DateTime<Utc>) -> FixedOffset {
    let year = at.year();
    let one = NaiveTime::from_hms_opt(1, 0, 0).unwrap_or(NaiveTime::MIN);
    let summer = match (last_sunday(year, 3), last_sunday(year, 10)) {
        (Some(start), Some(end)) => {
            let start = start.and_time(one).and_utc();
            let end = end.and_time(one).and_utc();
            start <= at && at < end
        }
        _ => false,
    };
    let hours = if summer { 2 } else { 1 };
    FixedOffset::east_opt(hours * 3600).unwrap_or_else(|| *at.fixed_offset().offset())
}

/// A moment in Dutch local time.
pub fn to_amsterdam(at: DateTime<Utc>) -> DateTime<FixedOffset> {
    at.with_timezone(&amsterdam_offset(at))
}

/// The date in the Netherlands at a moment.
pub fn amsterdam_date(at: DateTime<Utc>) -> NaiveDate {
    to_amsterdam(at).date_naive()
}

pub(crate) use verzuim_domain::calendar::MONTHS;
use verzuim_domain::calendar::dutch_date;

/// Dutch name of a weekday, lower case.
pub fn weekday_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Mon => "maandag",
        Weekday::Tue => "dinsdag",
        Weekday::Wed => "woensdag",
        Weekday::Thu => "donderdag",
        Weekday::Fri => "vrijdag",
        Weekday::Sat => "zaterdag",
        Weekday::Sun => "zondag",
    }
}

/// "maandag 23 november 2026".
pub fn long_date(date: NaiveDate) -> String {
    format!("{} {}", weekday_name(date.weekday()), dutch_date(date))
}

/// "23-11-2026".
pub fn short_date(date: NaiveDate) -> String {
    date.format("%d-%m-%Y").to_string()
}

/// "10:15".
pub fn clock_time(time: NaiveTime) -> String {
    time.format("%H:%M").to_string()
}

/// "23-11-2026 10:15" in Dutch local time.
pub fn local_date_time(at: DateTime<Utc>) -> String {
    to_amsterdam(at).format("%d-%m-%Y %H:%M").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn winter_is_utc_plus_one_and_summer_utc_plus_two() {
        let winter = Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap();
        let summer = Utc.with_ymd_and_hms(2026, 7, 1, 12, 0, 0).unwrap();
        assert_eq!(amsterdam_offset(winter).local_minus_utc(), 3600);
        assert_eq!(amsterdam_offset(summer).local_minus_utc(), 7200);
    }

    #[test]
    fn clocks_change_at_one_utc_on_the_last_sundays_of_march_and_october() {
        // 2026: 29 March and 25 October.
        let before = Utc.with_ymd_and_hms(2026, 3, 29, 0, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 3, 29, 1, 0, 0).unwrap();
        assert_eq!(amsterdam_offset(before).local_minus_utc(), 3600);
        assert_eq!(amsterdam_offset(after).local_minus_utc(), 7200);
        let before = Utc.with_ymd_and_hms(2026, 10, 25, 0, 59, 59).unwrap();
        let after = Utc.with_ymd_and_hms(2026, 10, 25, 1, 0, 0).unwrap();
        assert_eq!(amsterdam_offset(before).local_minus_utc(), 7200);
        assert_eq!(amsterdam_offset(after).local_minus_utc(), 3600);
    }

    #[test]
    fn late_evening_utc_is_already_tomorrow_in_amsterdam() {
        let at = Utc.with_ymd_and_hms(2026, 11, 22, 23, 30, 0).unwrap();
        assert_eq!(
            amsterdam_date(at),
            NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
        );
    }

    #[test]
    fn dates_are_written_in_dutch() {
        let d = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        assert_eq!(long_date(d), "maandag 23 november 2026");
        assert_eq!(short_date(d), "23-11-2026");
    }
}
