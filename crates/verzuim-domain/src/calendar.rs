//! School year, holidays per region, public holidays and the lesweken they leave.
//!
//! A lesweek is an ISO week with at least one school day; full holiday weeks are not lesweken
//! (Inspectie, research/data-formats.md §1.3). The law engine counts in these weeks.

use std::collections::BTreeSet;
use std::fmt;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// A school year, 1 August to 31 July (Leerplichtwet art. 1; research/data-formats.md §1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct SchoolYear {
    start_year: i32,
}

impl SchoolYear {
    /// The school year that starts on 1 August of `start_year`.
    pub fn starting(start_year: i32) -> Self {
        Self { start_year }
    }

    /// The school year a date falls in.
    pub fn containing(date: NaiveDate) -> Self {
        let start_year = if date.month() >= 8 {
            date.year()
        } else {
            date.year() - 1
        };
        Self { start_year }
    }

    /// Parses `2026-2027`.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let err = || {
            ValidationError::new(
                "schooljaar",
                format!(
                    "'{}' is geen schooljaar: verwacht bijvoorbeeld 2026-2027",
                    input.trim()
                ),
            )
        };
        let (a, b) = input.trim().split_once('-').ok_or_else(err)?;
        let a: i32 = a.parse().map_err(|_| err())?;
        let b: i32 = b.parse().map_err(|_| err())?;
        if b != a + 1 || !(1900..=2999).contains(&a) {
            return Err(err());
        }
        Ok(Self { start_year: a })
    }

    /// Year in which the school year starts.
    pub fn start_year(self) -> i32 {
        self.start_year
    }

    /// 1 August.
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.start_year, 8, 1).unwrap_or(NaiveDate::MIN)
    }

    /// 31 July.
    pub fn last_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.start_year + 1, 7, 31).unwrap_or(NaiveDate::MAX)
    }
}

impl fmt::Display for SchoolYear {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.start_year, self.start_year + 1)
    }
}

impl TryFrom<String> for SchoolYear {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<SchoolYear> for String {
    fn from(value: SchoolYear) -> Self {
        value.to_string()
    }
}

/// Dutch month names, lower case, January first.
pub const MONTHS: [&str; 12] = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
];

/// A date in Dutch words: "23 november 2026".
pub fn dutch_date(date: NaiveDate) -> String {
    let month = usize::try_from(date.month0())
        .ok()
        .and_then(|m| MONTHS.get(m))
        .copied()
        .unwrap_or("");
    format!("{} {month} {}", date.day(), date.year())
}

/// Holiday region (vakantieregio); a school picks one (research/data-formats.md §1.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Region {
    /// Regio noord.
    Noord,
    /// Regio midden.
    Midden,
    /// Regio zuid.
    Zuid,
}

impl Region {
    /// All regions.
    pub const ALL: [Region; 3] = [Self::Noord, Self::Midden, Self::Zuid];

    /// Lower-case code (`noord`, `midden`, `zuid`).
    pub fn code(self) -> &'static str {
        match self {
            Self::Noord => "noord",
            Self::Midden => "midden",
            Self::Zuid => "zuid",
        }
    }

    /// Parses a region code, case-insensitively.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let lower = input.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|r| r.code() == lower)
            .ok_or_else(|| {
                ValidationError::new(
                    "regio",
                    format!(
                        "'{}' is geen vakantieregio: kies noord, midden of zuid",
                        input.trim()
                    ),
                )
            })
    }
}

/// Which regions a holiday applies to: one region, or `heel-nederland`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum HolidayRegion {
    /// One region.
    One(Region),
    /// The whole country ("heel Nederland").
    HeelNederland,
}

impl TryFrom<String> for HolidayRegion {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        let lower = value.trim().to_lowercase().replace(' ', "-");
        if lower == "heel-nederland" {
            Ok(Self::HeelNederland)
        } else {
            Region::parse(&lower).map(Self::One)
        }
    }
}

impl From<HolidayRegion> for String {
    fn from(value: HolidayRegion) -> Self {
        match value {
            HolidayRegion::One(r) => r.code().to_owned(),
            HolidayRegion::HeelNederland => "heel-nederland".to_owned(),
        }
    }
}

impl HolidayRegion {
    /// Whether a school in `region` has this holiday.
    pub fn covers(self, region: Region) -> bool {
        match self {
            Self::One(r) => r == region,
            Self::HeelNederland => true,
        }
    }
}

/// A school holiday: a named run of days, first and last inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holiday {
    /// Dutch name, e.g. "Herfstvakantie".
    pub name: String,
    /// Region(s) it applies to.
    pub region: HolidayRegion,
    /// First day (inclusive).
    pub first: NaiveDate,
    /// Last day (inclusive).
    pub last: NaiveDate,
}

impl Holiday {
    /// Whether `date` falls in the holiday.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first <= date && date <= self.last
    }
}

#[derive(Deserialize)]
struct HolidayFile {
    school_year: SchoolYear,
    #[serde(rename = "holiday")]
    holidays: Vec<Holiday>,
}

/// Holiday data shipped with verzuim, per school year.
const SHIPPED: &[&str] = &[include_str!("../data/holidays/2026-2027.toml")];

/// Reads a holiday file (TOML: `school_year` and `[[holiday]]` tables with name, region,
/// first, last). Returns the school year and its holidays.
pub fn parse_holiday_toml(text: &str) -> Result<(SchoolYear, Vec<Holiday>), ValidationError> {
    let file: HolidayFile = toml::from_str(text).map_err(|e| {
        ValidationError::new("vakanties", format!("onleesbaar vakantiebestand: {e}"))
    })?;
    for h in &file.holidays {
        if h.last < h.first {
            return Err(ValidationError::new(
                "vakanties",
                format!("{}: de laatste dag ligt voor de eerste", h.name),
            ));
        }
    }
    Ok((file.school_year, file.holidays))
}

/// The holidays verzuim ships for `year`, if any.
pub fn shipped_holidays(year: SchoolYear) -> Option<Vec<Holiday>> {
    SHIPPED
        .iter()
        .filter_map(|text| parse_holiday_toml(text).ok())
        .find(|(y, _)| *y == year)
        .map(|(_, h)| h)
}

/// Easter Sunday (anonymous Gregorian algorithm).
pub fn easter_sunday(year: i32) -> NaiveDate {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    NaiveDate::from_ymd_opt(year, month as u32, day as u32).unwrap_or(NaiveDate::MIN)
}

/// A public holiday on which schools are closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicHoliday {
    /// Dutch name.
    pub name: &'static str,
    /// The date.
    pub date: NaiveDate,
}

/// Public holidays in a school year on which schools close: Goede Vrijdag, Tweede Paasdag,
/// Koningsdag (26 April when the 27th is a Sunday), Hemelvaartsdag and the Friday after it,
/// Tweede Pinksterdag. Bevrijdingsdag (5 May) is a school day outside lustrum years, so a
/// school adds it as an extra free day when it closes.
pub fn public_holidays(year: SchoolYear) -> Vec<PublicHoliday> {
    let y = year.start_year() + 1;
    let easter = easter_sunday(y);
    let plus = |d: NaiveDate, n: i64| {
        if n >= 0 {
            d.checked_add_days(Days::new(n.unsigned_abs()))
        } else {
            d.checked_sub_days(Days::new(n.unsigned_abs()))
        }
        .unwrap_or(d)
    };
    let kings_day = NaiveDate::from_ymd_opt(y, 4, 27)
        .map(|d| {
            if d.weekday() == Weekday::Sun {
                plus(d, -1)
            } else {
                d
            }
        })
        .unwrap_or(easter);
    vec![
        PublicHoliday {
            name: "Goede Vrijdag",
            date: plus(easter, -2),
        },
        PublicHoliday {
            name: "Tweede Paasdag",
            date: plus(easter, 1),
        },
        PublicHoliday {
            name: "Koningsdag",
            date: kings_day,
        },
        PublicHoliday {
            name: "Hemelvaartsdag",
            date: plus(easter, 39),
        },
        PublicHoliday {
            name: "Vrijdag na Hemelvaart",
            date: plus(easter, 40),
        },
        PublicHoliday {
            name: "Tweede Pinksterdag",
            date: plus(easter, 50),
        },
    ]
}

/// One lesweek: an ISO week with at least one school day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolWeek {
    /// Monday of the week.
    pub monday: NaiveDate,
    /// ISO week number.
    pub iso_week: u32,
    /// The school days of the week, ascending.
    pub days: Vec<NaiveDate>,
}

/// Why a date is not a school day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayOff {
    /// Saturday or Sunday.
    Weekend,
    /// Before the first or after the last school day.
    OutsideSchoolYear,
    /// In a school holiday.
    Holiday(String),
    /// A public holiday.
    PublicHoliday(&'static str),
    /// An extra free day of the school (studiedag, margedag).
    ExtraFreeDay,
}

/// A school's calendar for one school year: first and last school day, holidays of its
/// region, public holidays and its own extra free days.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchoolCalendar {
    /// The school year.
    pub year: SchoolYear,
    /// Holiday region.
    pub region: Region,
    /// First school day.
    pub first_day: NaiveDate,
    /// Last school day.
    pub last_day: NaiveDate,
    /// Holidays that apply to the region.
    pub holidays: Vec<Holiday>,
    /// Extra free days (studiedagen, margedagen, Bevrijdingsdag when the school closes).
    pub extra_free_days: BTreeSet<NaiveDate>,
    /// The school's own periods (periodes, blokken, rapportperiodes), ascending; empty when
    /// the school has not given them ([`SchoolCalendar::periods_or_standard`] then divides the
    /// year). The protocol engine counts "per periode" in these.
    #[serde(default)]
    pub periods: Vec<SchoolPeriod>,
}

/// One of a school's periods: a named, inclusive span of dates inside the school year.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct SchoolPeriod {
    /// Name shown to people ("periode 2", "blok 3").
    pub name: String,
    /// First day (inclusive).
    pub first: NaiveDate,
    /// Last day (inclusive).
    pub last: NaiveDate,
}

impl SchoolPeriod {
    /// Whether `date` falls in the period.
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.first <= date && date <= self.last
    }
}

impl SchoolCalendar {
    /// Builds a calendar. `holidays` may hold every region; only `region`'s are kept.
    pub fn new(
        year: SchoolYear,
        region: Region,
        first_day: NaiveDate,
        last_day: NaiveDate,
        holidays: Vec<Holiday>,
        extra_free_days: BTreeSet<NaiveDate>,
    ) -> Result<Self, ValidationError> {
        if first_day < year.first_day() || first_day > year.last_day() {
            return Err(ValidationError::new(
                "eerste_schooldag",
                format!("{first_day} valt niet in schooljaar {year}"),
            ));
        }
        if last_day < first_day || last_day > year.last_day() {
            return Err(ValidationError::new(
                "laatste_schooldag",
                format!("{last_day} ligt voor de eerste schooldag of na het schooljaar {year}"),
            ));
        }
        let holidays = holidays
            .into_iter()
            .filter(|h| h.region.covers(region))
            .collect();
        Ok(Self {
            year,
            region,
            first_day,
            last_day,
            holidays,
            extra_free_days,
            periods: Vec::new(),
        })
    }

    /// The calendar with the school's own periods. Refused: an empty or repeated name
    /// (case-insensitive), a period that ends before it starts, lies outside the school year
    /// (first to last school day) or overlaps another. Periods are kept in date order.
    pub fn with_periods(mut self, mut periods: Vec<SchoolPeriod>) -> Result<Self, ValidationError> {
        periods.sort_by_key(|p| p.first);
        for (i, p) in periods.iter().enumerate() {
            let bad = |reason: String| {
                ValidationError::new("periode", format!("periode '{}': {reason}", p.name.trim()))
            };
            if p.name.trim().is_empty() {
                return Err(ValidationError::new(
                    "periode",
                    "een periode heeft geen naam",
                ));
            }
            if p.last < p.first {
                return Err(bad(format!(
                    "eindigt ({}) voor hij begint ({})",
                    p.last, p.first
                )));
            }
            if p.first < self.first_day || p.last > self.last_day {
                return Err(bad(format!(
                    "valt buiten het schooljaar ({} t/m {})",
                    self.first_day, self.last_day
                )));
            }
            if let Some(o) = periods[..i].iter().find(|o| o.last >= p.first) {
                return Err(bad(format!("overlapt met '{}'", o.name.trim())));
            }
            if periods[..i]
                .iter()
                .any(|o| o.name.trim().eq_ignore_ascii_case(p.name.trim()))
            {
                return Err(bad("de naam komt twee keer voor".to_owned()));
            }
        }
        self.periods = periods
            .into_iter()
            .map(|p| SchoolPeriod {
                name: p.name.trim().to_owned(),
                ..p
            })
            .collect();
        Ok(self)
    }

    /// The school's periods, or — when it gave none — four standard periods ("periode 1" to
    /// "periode 4") that divide the lesweken as evenly as possible, each running from the
    /// Monday of its first lesweek (the first school day for the first) to the day before the
    /// next one starts (the last school day for the last).
    pub fn periods_or_standard(&self) -> Vec<SchoolPeriod> {
        if !self.periods.is_empty() {
            return self.periods.clone();
        }
        let weeks = self.school_weeks();
        if weeks.is_empty() {
            return Vec::new();
        }
        let parts = weeks.len().min(4);
        let starts: Vec<NaiveDate> = (0..parts)
            .map(|i| {
                let w = &weeks[i * weeks.len() / parts];
                if i == 0 { self.first_day } else { w.monday }
            })
            .collect();
        starts
            .iter()
            .enumerate()
            .map(|(i, &first)| SchoolPeriod {
                name: format!("periode {}", i + 1),
                first,
                last: starts
                    .get(i + 1)
                    .and_then(|next| next.pred_opt())
                    .unwrap_or(self.last_day),
            })
            .collect()
    }

    /// The period `date` falls in, among [`SchoolCalendar::periods_or_standard`].
    pub fn period_of(&self, date: NaiveDate) -> Option<SchoolPeriod> {
        self.periods_or_standard()
            .into_iter()
            .find(|p| p.contains(date))
    }

    /// The calendar from the shipped holiday data: the first school day is the Monday after
    /// the previous summer holiday, the last the Friday before the next one.
    pub fn shipped(year: SchoolYear, region: Region) -> Result<Self, ValidationError> {
        let holidays = shipped_holidays(year).ok_or_else(|| {
            ValidationError::new(
                "schooljaar",
                format!("verzuim heeft geen vakantiegegevens voor {year}; importeer ze"),
            )
        })?;
        let summers: Vec<&Holiday> = holidays
            .iter()
            .filter(|h| h.region.covers(region) && h.name.starts_with("Zomervakantie"))
            .collect();
        let prev = summers
            .iter()
            .find(|h| h.first < year.first_day() + Days::new(31));
        let next = summers
            .iter()
            .find(|h| h.first > year.first_day() + Days::new(180));
        let first_day = prev
            .and_then(|h| h.last.checked_add_days(Days::new(1)))
            .unwrap_or(year.first_day());
        let last_day = next
            .and_then(|h| h.first.checked_sub_days(Days::new(1)))
            .unwrap_or(year.last_day());
        let in_year = holidays
            .into_iter()
            .filter(|h| h.last >= first_day && h.first <= last_day)
            .collect();
        Self::new(year, region, first_day, last_day, in_year, BTreeSet::new())
    }

    /// Why `date` is not a school day, or `None` when it is one.
    pub fn day_off(&self, date: NaiveDate) -> Option<DayOff> {
        if matches!(date.weekday(), Weekday::Sat | Weekday::Sun) {
            return Some(DayOff::Weekend);
        }
        if date < self.first_day || date > self.last_day {
            return Some(DayOff::OutsideSchoolYear);
        }
        if let Some(h) = self.holiday_on(date) {
            return Some(DayOff::Holiday(h.name.clone()));
        }
        if let Some(p) = public_holidays(self.year)
            .into_iter()
            .find(|p| p.date == date)
        {
            return Some(DayOff::PublicHoliday(p.name));
        }
        if self.extra_free_days.contains(&date) {
            return Some(DayOff::ExtraFreeDay);
        }
        None
    }

    /// Whether lessons can be given on `date`.
    pub fn is_school_day(&self, date: NaiveDate) -> bool {
        self.day_off(date).is_none()
    }

    /// The school holiday `date` falls in, if any.
    pub fn holiday_on(&self, date: NaiveDate) -> Option<&Holiday> {
        self.holidays.iter().find(|h| h.contains(date))
    }

    /// All school days, ascending.
    pub fn school_days(&self) -> Vec<NaiveDate> {
        self.first_day
            .iter_days()
            .take_while(|d| *d <= self.last_day)
            .filter(|d| self.is_school_day(*d))
            .collect()
    }

    /// The lesweken: ISO weeks with at least one school day, ascending.
    pub fn school_weeks(&self) -> Vec<SchoolWeek> {
        let mut weeks: Vec<SchoolWeek> = Vec::new();
        for day in self.school_days() {
            let monday = day.week(Weekday::Mon).first_day();
            match weeks.last_mut() {
                Some(w) if w.monday == monday => w.days.push(day),
                _ => weeks.push(SchoolWeek {
                    monday,
                    iso_week: day.iso_week().week(),
                    days: vec![day],
                }),
            }
        }
        weeks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn school_year_runs_from_first_august_to_thirty_first_july() {
        let y = SchoolYear::parse("2026-2027").unwrap();
        assert_eq!(y.first_day(), d(2026, 8, 1));
        assert_eq!(y.last_day(), d(2027, 7, 31));
        assert_eq!(SchoolYear::containing(d(2027, 7, 31)), y);
        assert_eq!(SchoolYear::containing(d(2026, 8, 1)), y);
        assert!(SchoolYear::parse("2026-2028").is_err());
    }

    #[test]
    fn standard_periods_divide_the_lesweken_in_four() {
        let cal = SchoolCalendar::shipped(SchoolYear::starting(2026), Region::Zuid).unwrap();
        let periods = cal.periods_or_standard();
        assert_eq!(periods.len(), 4);
        assert_eq!(periods[0].first, cal.first_day);
        assert_eq!(periods[3].last, cal.last_day);
        for pair in periods.windows(2) {
            assert_eq!(pair[0].last.succ_opt(), Some(pair[1].first));
            assert_eq!(pair[1].first.weekday(), Weekday::Mon);
        }
        let weeks = |p: &SchoolPeriod| {
            cal.school_weeks()
                .iter()
                .filter(|w| p.contains(w.monday) || p.contains(w.days[0]))
                .count()
        };
        let counts: Vec<usize> = periods.iter().map(weeks).collect();
        let (min, max) = (counts.iter().min().unwrap(), counts.iter().max().unwrap());
        assert!(max - min <= 1, "{counts:?}");
        assert_eq!(cal.period_of(d(2026, 9, 1)).unwrap().name, "periode 1");
    }

    #[test]
    fn own_periods_are_checked_and_sorted() {
        let cal = SchoolCalendar::shipped(SchoolYear::starting(2026), Region::Zuid).unwrap();
        let p = |name: &str, first, last| SchoolPeriod {
            name: name.into(),
            first,
            last,
        };
        let ok = cal
            .clone()
            .with_periods(vec![
                p("periode 2", d(2026, 11, 9), d(2027, 7, 16)),
                p(" periode 1 ", d(2026, 8, 24), d(2026, 11, 8)),
            ])
            .unwrap();
        assert_eq!(ok.periods[0].name, "periode 1");
        assert_eq!(ok.periods_or_standard(), ok.periods);
        let overlap = cal.clone().with_periods(vec![
            p("a", d(2026, 8, 24), d(2026, 11, 9)),
            p("b", d(2026, 11, 9), d(2027, 1, 1)),
        ]);
        assert!(overlap.unwrap_err().reason.contains("overlapt met 'a'"));
        let outside = cal
            .clone()
            .with_periods(vec![p("a", d(2026, 8, 1), d(2026, 9, 1))]);
        assert!(
            outside
                .unwrap_err()
                .reason
                .contains("buiten het schooljaar")
        );
        let twice = cal.clone().with_periods(vec![
            p("Blok", d(2026, 8, 24), d(2026, 9, 1)),
            p("blok", d(2026, 9, 2), d(2026, 10, 1)),
        ]);
        assert!(twice.unwrap_err().reason.contains("twee keer"));
        let reversed = cal.with_periods(vec![p("a", d(2026, 10, 1), d(2026, 9, 1))]);
        assert!(reversed.unwrap_err().reason.contains("eindigt"));
    }

    #[test]
    fn dates_in_dutch_words() {
        assert_eq!(dutch_date(d(2026, 11, 23)), "23 november 2026");
        assert_eq!(dutch_date(d(2027, 1, 1)), "1 januari 2027");
    }

    #[test]
    fn easter_is_computed_for_known_years() {
        assert_eq!(easter_sunday(2026), d(2026, 4, 5));
        assert_eq!(easter_sunday(2027), d(2027, 3, 28));
        assert_eq!(easter_sunday(2025), d(2025, 4, 20));
    }

    #[test]
    fn shipped_calendar_zuid_2026_2027_starts_after_summer_and_ends_before_it() {
        let cal = SchoolCalendar::shipped(SchoolYear::starting(2026), Region::Zuid).unwrap();
        assert_eq!(cal.first_day, d(2026, 8, 24));
        assert_eq!(cal.last_day, d(2027, 7, 16));
    }

    #[test]
    fn holiday_weeks_are_not_lesweken() {
        let cal = SchoolCalendar::shipped(SchoolYear::starting(2026), Region::Zuid).unwrap();
        let weeks = cal.school_weeks();
        // Herfstvakantie zuid: week 43 of 2026 has no school day.
        assert!(weeks.iter().all(|w| w.monday != d(2026, 10, 19)));
        assert!(weeks.iter().any(|w| w.monday == d(2026, 10, 12)));
        assert!(weeks.iter().any(|w| w.monday == d(2026, 10, 26)));
        // Week with Goede Vrijdag still counts, with four days.
        let easter_week = weeks.iter().find(|w| w.monday == d(2027, 3, 22)).unwrap();
        assert_eq!(easter_week.days.len(), 4);
        assert!(
            weeks.len() > 36 && weeks.len() < 42,
            "{} lesweken",
            weeks.len()
        );
    }

    #[test]
    fn day_off_says_why() {
        let cal = SchoolCalendar::shipped(SchoolYear::starting(2026), Region::Zuid).unwrap();
        assert_eq!(
            cal.day_off(d(2026, 12, 24)),
            Some(DayOff::Holiday("Kerstvakantie".into()))
        );
        assert_eq!(
            cal.day_off(d(2027, 3, 29)),
            Some(DayOff::PublicHoliday("Tweede Paasdag"))
        );
        assert_eq!(cal.day_off(d(2026, 11, 21)), Some(DayOff::Weekend));
        assert_eq!(cal.day_off(d(2026, 11, 23)), None);
    }

    #[test]
    fn holiday_file_with_last_before_first_is_refused() {
        let bad = "school_year = \"2026-2027\"\n[[holiday]]\nname = \"X\"\nregion = \"zuid\"\nfirst = \"2026-10-25\"\nlast = \"2026-10-17\"\n";
        assert!(parse_holiday_toml(bad).is_err());
    }
}
