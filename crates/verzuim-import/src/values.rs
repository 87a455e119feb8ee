//! Parsing of cell values: dates, clock times, date-times (with Amsterdam time-zone
//! conversion), yes/no and small numbers. Hand-written because they run once per cell of a
//! million-row file; every error is a Dutch reason that names what would be accepted.

use chrono::{Datelike, Days, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};

/// Parses a number of at most `max_len` ASCII digits.
fn digits(text: &[u8]) -> Option<u32> {
    if text.is_empty() || text.len() > 4 {
        return None;
    }
    let mut n = 0u32;
    for b in text {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(b - b'0');
    }
    Some(n)
}

/// Parses `YYYY-MM-DD`, `DD-MM-YYYY` or `DD/MM/YYYY` (day and month may have one digit).
pub(crate) fn parse_date(text: &str) -> Result<NaiveDate, String> {
    let t = text.trim();
    let err = || format!("'{t}' is geen datum: schrijf JJJJ-MM-DD of DD-MM-JJJJ, zoals 2026-11-23");
    let bytes = t.as_bytes();
    let sep = if bytes.contains(&b'-') { b'-' } else { b'/' };
    let mut parts = bytes.split(|b| *b == sep);
    let (a, b, c) = match (parts.next(), parts.next(), parts.next(), parts.next()) {
        (Some(a), Some(b), Some(c), None) => (a, b, c),
        _ => return Err(err()),
    };
    let (year, month, day) = if a.len() == 4 && sep == b'-' {
        (a, b, c)
    } else if c.len() == 4 && a.len() <= 2 && b.len() <= 2 {
        (c, b, a)
    } else {
        return Err(err());
    };
    let (Some(y), Some(m), Some(d)) = (digits(year), digits(month), digits(day)) else {
        return Err(err());
    };
    let y = i32::try_from(y).map_err(|_| err())?;
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("'{t}' is geen bestaande datum"))
}

/// Parses `HH:MM`, `H:MM`, `HH:MM:SS` or `HH.MM`.
pub(crate) fn parse_time(text: &str) -> Result<NaiveTime, String> {
    let t = text.trim();
    let err = || format!("'{t}' is geen tijd: schrijf UU:MM, zoals 08:30");
    let bytes = t.as_bytes();
    let sep = if bytes.contains(&b':') { b':' } else { b'.' };
    let mut parts = bytes.split(|b| *b == sep);
    let h = parts.next().ok_or_else(err)?;
    let m = parts.next().ok_or_else(err)?;
    let s = parts.next();
    if parts.next().is_some() || h.len() > 2 || m.len() != 2 {
        return Err(err());
    }
    let (Some(h), Some(m)) = (digits(h), digits(m)) else {
        return Err(err());
    };
    let s = match s {
        None => 0,
        // Fractions of a second (SOMtoday writes `08:30:00.000`) are dropped.
        Some(s) => {
            let whole = s.split(|b| *b == b'.').next().unwrap_or(s);
            if whole.len() != 2 {
                return Err(err());
            }
            digits(whole).ok_or_else(err)?
        }
    };
    NaiveTime::from_hms_opt(h, m, s).ok_or_else(|| format!("'{t}' is geen bestaande tijd"))
}

/// Parses a date with a time: `2026-11-23T08:30`, `2026-11-23 08:30:00`,
/// `23-11-2026 08:30`, optionally with `Z` or an offset such as `+01:00`; a value with a zone
/// is converted to Amsterdam time. A date alone gives `None` as time.
pub(crate) fn parse_date_time(text: &str) -> Result<(NaiveDate, Option<NaiveTime>), String> {
    let t = text.trim();
    let split = t.find(['T', ' ']);
    let Some(at) = split else {
        return parse_date(t).map(|d| (d, None));
    };
    let date = parse_date(&t[..at])?;
    let rest = t[at + 1..].trim();
    let (clock, offset_minutes) = split_zone(rest).ok_or_else(|| {
        format!("'{t}' is geen datum met tijd: schrijf bijvoorbeeld 2026-11-23T08:30 of 23-11-2026 08:30")
    })?;
    let time = parse_time(clock)?;
    match offset_minutes {
        None => Ok((date, Some(time))),
        Some(offset) => {
            let utc = NaiveDateTime::new(date, time) - chrono::Duration::minutes(offset);
            let local = utc_to_amsterdam(utc);
            Ok((local.date(), Some(local.time())))
        }
    }
}

/// Splits `08:30:00.000+01:00` into the clock part and the offset in minutes (`Z` = 0).
fn split_zone(text: &str) -> Option<(&str, Option<i64>)> {
    if let Some(clock) = text.strip_suffix('Z').or_else(|| text.strip_suffix('z')) {
        return Some((clock, Some(0)));
    }
    // An offset starts with + or - after the clock (the clock itself has no sign).
    let Some(pos) = text.rfind(['+', '-']) else {
        return Some((text, None));
    };
    let (clock, zone) = text.split_at(pos);
    let sign = if zone.starts_with('-') { -1 } else { 1 };
    let zone = zone[1..].replace(':', "");
    if zone.len() != 4 {
        return None;
    }
    let hours = i64::from(digits(&zone.as_bytes()[..2])?);
    let minutes = i64::from(digits(&zone.as_bytes()[2..])?);
    Some((clock, Some(sign * (hours * 60 + minutes))))
}

/// The last Sunday of `month` in `year`.
fn last_sunday(year: i32, month: u32) -> Option<NaiveDate> {
    let first_next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    let last = first_next.pred_opt()?;
    let back = last.weekday().num_days_from_sunday();
    last.checked_sub_days(Days::new(u64::from(back)))
}

/// Converts a UTC time to Europe/Amsterdam wall-clock time: CET (+1) in winter, CEST (+2)
/// from 01:00 UTC on the last Sunday of March to 01:00 UTC on the last Sunday of October
/// (the EU rule in force since 1996).
pub(crate) fn utc_to_amsterdam(utc: NaiveDateTime) -> NaiveDateTime {
    let year = utc.year();
    let one = NaiveTime::from_hms_opt(1, 0, 0).unwrap_or(NaiveTime::MIN);
    let summer = match (last_sunday(year, 3), last_sunday(year, 10)) {
        (Some(start), Some(end)) => {
            utc >= NaiveDateTime::new(start, one) && utc < NaiveDateTime::new(end, one)
        }
        _ => false,
    };
    utc + chrono::Duration::hours(if summer { 2 } else { 1 })
}

/// Parses yes/no: `ja`, `nee`, `j`, `n`, `true`, `false`, `waar`, `onwaar`, `1`, `0`,
/// `yes`, `no`, `x` (yes). Empty gives `None`.
pub(crate) fn parse_bool(text: &str) -> Result<Option<bool>, String> {
    let t = text.trim();
    if t.is_empty() {
        return Ok(None);
    }
    match t.to_ascii_lowercase().as_str() {
        "ja" | "j" | "true" | "waar" | "1" | "yes" | "y" | "x" | "-1" => Ok(Some(true)),
        "nee" | "n" | "false" | "onwaar" | "0" | "no" => Ok(Some(false)),
        _ => Err(format!("'{t}' is geen ja of nee")),
    }
}

/// Parses a whole number from 0 to `max`.
pub(crate) fn parse_small(text: &str, max: u32) -> Result<u32, String> {
    let t = text.trim();
    // Spreadsheets sometimes write a whole number as `3.0`.
    let whole = t.strip_suffix(".0").unwrap_or(t);
    match whole.parse::<u32>() {
        Ok(n) if n <= max => Ok(n),
        _ => Err(format!("'{t}' is geen geheel getal van 0 tot en met {max}")),
    }
}

/// Formats a time as `HH:MM`, or `HH:MM:SS` when it has seconds.
pub(crate) fn format_time(time: NaiveTime) -> String {
    if time.second() == 0 {
        format!("{:02}:{:02}", time.hour(), time.minute())
    } else {
        format!(
            "{:02}:{:02}:{:02}",
            time.hour(),
            time.minute(),
            time.second()
        )
    }
}

/// The last minute of a day, used as the end of a span that runs past midnight.
pub(crate) fn end_of_day() -> NaiveTime {
    NaiveTime::from_hms_opt(23, 59, 0).unwrap_or(NaiveTime::MIN)
}

/// Splits a span from `start` to `end` into one `(date, start, end)` per weekday it covers:
/// an absence reported from Monday 10:00 to Wednesday 12:00 becomes three day spans.
pub(crate) fn split_into_days(
    start: NaiveDateTime,
    end: NaiveDateTime,
) -> Vec<(NaiveDate, NaiveTime, NaiveTime)> {
    let mut out = Vec::new();
    let mut day = start.date();
    while day <= end.date() {
        let from = if day == start.date() {
            start.time()
        } else {
            NaiveTime::MIN
        };
        let to = if day == end.date() {
            end.time()
        } else {
            end_of_day()
        };
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        if from < to && !weekend {
            out.push((day, from, to));
        }
        match day.succ_opt() {
            Some(next) => day = next,
            None => break,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    #[test]
    fn dates_are_read_in_iso_and_dutch_order() {
        assert_eq!(parse_date("2026-11-23").unwrap(), d(2026, 11, 23));
        assert_eq!(parse_date("23-11-2026").unwrap(), d(2026, 11, 23));
        assert_eq!(parse_date("3-9-2026").unwrap(), d(2026, 9, 3));
        assert_eq!(parse_date("03/09/2026").unwrap(), d(2026, 9, 3));
        assert!(parse_date("2026-02-30").unwrap_err().contains("bestaande"));
        assert!(parse_date("11/23/26").is_err());
        assert!(parse_date("gisteren").is_err());
        assert!(parse_date("").is_err());
    }

    #[test]
    fn times_are_read_with_colon_or_dot() {
        assert_eq!(parse_time("08:30").unwrap(), t(8, 30));
        assert_eq!(parse_time("8:30").unwrap(), t(8, 30));
        assert_eq!(parse_time("8.30").unwrap(), t(8, 30));
        assert_eq!(parse_time("08:30:00.000").unwrap(), t(8, 30));
        assert!(parse_time("24:00").is_err());
        assert!(parse_time("830").is_err());
    }

    #[test]
    fn zoned_times_become_amsterdam_wall_clock_time() {
        // Winter: UTC+1.
        assert_eq!(
            parse_date_time("2026-11-23T07:30:00.0000000Z").unwrap(),
            (d(2026, 11, 23), Some(t(8, 30)))
        );
        // Summer: UTC+2.
        assert_eq!(
            parse_date_time("2026-09-14T06:30:00Z").unwrap(),
            (d(2026, 9, 14), Some(t(8, 30)))
        );
        // An explicit offset is honoured, whatever it is.
        assert_eq!(
            parse_date_time("2026-11-23T08:30:00.000+01:00").unwrap(),
            (d(2026, 11, 23), Some(t(8, 30)))
        );
        assert_eq!(
            parse_date_time("23-11-2026 08:30").unwrap(),
            (d(2026, 11, 23), Some(t(8, 30)))
        );
        assert_eq!(
            parse_date_time("2026-11-23").unwrap(),
            (d(2026, 11, 23), None)
        );
    }

    #[test]
    fn summer_time_switches_at_one_utc_on_the_last_sundays() {
        let at = |y, m, day, h, min| NaiveDateTime::new(d(y, m, day), t(h, min));
        assert_eq!(
            utc_to_amsterdam(at(2027, 3, 28, 0, 59)),
            at(2027, 3, 28, 1, 59)
        );
        assert_eq!(
            utc_to_amsterdam(at(2027, 3, 28, 1, 0)),
            at(2027, 3, 28, 3, 0)
        );
        assert_eq!(
            utc_to_amsterdam(at(2026, 10, 25, 0, 59)),
            at(2026, 10, 25, 2, 59)
        );
        assert_eq!(
            utc_to_amsterdam(at(2026, 10, 25, 1, 0)),
            at(2026, 10, 25, 2, 0)
        );
    }

    #[test]
    fn spans_over_several_days_are_split_per_weekday() {
        let start = NaiveDateTime::new(d(2026, 11, 20), t(10, 0)); // Friday
        let end = NaiveDateTime::new(d(2026, 11, 24), t(12, 0)); // Tuesday
        let days = split_into_days(start, end);
        assert_eq!(
            days,
            vec![
                (d(2026, 11, 20), t(10, 0), end_of_day()),
                (d(2026, 11, 23), NaiveTime::MIN, end_of_day()),
                (d(2026, 11, 24), NaiveTime::MIN, t(12, 0)),
            ]
        );
        let midnight = NaiveDateTime::new(d(2026, 11, 24), NaiveTime::MIN);
        assert_eq!(split_into_days(start, midnight).len(), 2);
    }

    #[test]
    fn yes_and_no_are_understood_in_dutch_and_english() {
        assert_eq!(parse_bool("Ja").unwrap(), Some(true));
        assert_eq!(parse_bool("false").unwrap(), Some(false));
        assert_eq!(parse_bool(" ").unwrap(), None);
        assert!(parse_bool("misschien").is_err());
    }
}
