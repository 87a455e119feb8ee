//! The input of the law engine as one JSON document: a *case* (`verzuim check --input CASE.json`).
//! CONTRACT (lead): field names are the JSON format documented in `docs/check-format.md`.
//! Engine helper may add optional fields (with `#[serde(default)]`) but not rename or remove.
//!
//! Dates are `YYYY-MM-DD`, times `HH:MM`. Unknown fields are refused, so a typo is an error
//! that names its JSON path instead of a silently ignored setting.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};
use verzuim_domain::{AbsenceCode, Region, SchoolCalendar, SchoolYear, Sector};

/// One case: a school, its calendar, students and what was registered.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// The school and how it counts.
    pub school: SchoolSettings,
    /// The school year's calendar.
    pub calendar: CalendarInput,
    /// Code table: when absent, the Magister-style default of seed 004 §2.2; entries given
    /// here replace the default entry with the same code or are added to it.
    #[serde(default)]
    pub codes: Vec<AbsenceCode>,
    /// The students.
    pub students: Vec<StudentInput>,
    /// Scheduled lessons per group (optional). Without a timetable a registration counts by its
    /// own times (a lesson registration as one lesuur of `school.lesson_minutes`, a span by its
    /// minutes), and "all lessons missed" means "a whole-day registration".
    #[serde(default)]
    pub timetable: Vec<LessonInput>,
    /// The registrations.
    #[serde(default)]
    pub registrations: Vec<RegistrationInput>,
    /// Leave requests (verlofaanvragen, Leerplichtwet art. 13a/14) and their decision.
    #[serde(default)]
    pub leave_requests: Vec<LeaveRequestInput>,
}

/// The school's settings that the law depends on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchoolSettings {
    /// BRIN (for the output only).
    #[serde(default)]
    pub brin: Option<String>,
    /// Sector: po, so, vo, vso, mbo.
    pub sector: Sector,
    /// Default lesson length in minutes (a lesuur), used when a registration has no lesson.
    #[serde(default = "default_lesson_minutes")]
    pub lesson_minutes: u16,
    /// How the school counts: `auto` (by sector and lesson length, seed 002), or forced.
    #[serde(default)]
    pub counting: CountingSetting,
    /// mbo only: all programmes are organised in lesuren, so the school may count lesuren (seed 002).
    #[serde(default)]
    pub mbo_all_in_lesuren: bool,
    /// Codes that mean "on leave" (verlof): such a registration without a granted leave request
    /// covering the day is luxe verzuim. Default `["VE"]`.
    #[serde(default = "default_leave_codes")]
    pub leave_codes: Vec<String>,
}

fn default_lesson_minutes() -> u16 {
    50
}

fn default_leave_codes() -> Vec<String> {
    vec!["VE".to_owned()]
}

/// Counting unit setting.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountingSetting {
    /// By sector and lesson length (seed 002 "Klokuren of lesuren").
    #[default]
    Auto,
    /// Lesuren.
    Lesuren,
    /// Klokuren.
    Klokuren,
    /// Dagdelen (the school's software registers per dagdeel; 5 dagdelen = 16 klokuren).
    Dagdelen,
}

/// The calendar of the case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarInput {
    /// School year, `2026-2027`.
    pub school_year: SchoolYear,
    /// Holiday region (noord, midden, zuid).
    pub region: Region,
    /// First school day; default: the shipped calendar's.
    #[serde(default)]
    pub first_day: Option<NaiveDate>,
    /// Last school day; default: the shipped calendar's.
    #[serde(default)]
    pub last_day: Option<NaiveDate>,
    /// Holidays; when absent the shipped holidays of the region are used.
    #[serde(default)]
    pub holidays: Option<Vec<HolidayInput>>,
    /// Extra free days (studiedagen).
    #[serde(default)]
    pub free_days: Vec<NaiveDate>,
}

impl From<&SchoolCalendar> for CalendarInput {
    /// A stored or shipped calendar as the engine's input: everything explicit (first and last
    /// school day, the region's holidays, the extra free days).
    fn from(calendar: &SchoolCalendar) -> Self {
        Self {
            school_year: calendar.year,
            region: calendar.region,
            first_day: Some(calendar.first_day),
            last_day: Some(calendar.last_day),
            holidays: Some(
                calendar
                    .holidays
                    .iter()
                    .map(|h| HolidayInput {
                        name: h.name.clone(),
                        first: h.first,
                        last: h.last,
                    })
                    .collect(),
            ),
            free_days: calendar.extra_free_days.iter().copied().collect(),
        }
    }
}

/// One holiday.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HolidayInput {
    /// Name, e.g. "Herfstvakantie".
    pub name: String,
    /// First day (inclusive).
    pub first: NaiveDate,
    /// Last day (inclusive).
    pub last: NaiveDate,
}

/// An inclusive date range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DateRange {
    /// First day.
    pub first: NaiveDate,
    /// Last day.
    pub last: NaiveDate,
}

/// One student and the facts the law needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StudentInput {
    /// The school's student number (the key registrations refer to).
    pub id: String,
    /// Birth date.
    pub birth_date: NaiveDate,
    /// Holds a startkwalificatie (Leerplichtwet art. 1: mbo 2+, havo, vwo).
    #[serde(default)]
    pub start_qualification: bool,
    /// First day of enrolment.
    pub enrolled_from: NaiveDate,
    /// Last day of enrolment, if it ended.
    #[serde(default)]
    pub enrolled_until: Option<NaiveDate>,
    /// Lives abroad: not under the Dutch Leerplichtwet (seed 002 "Bijzondere situaties").
    #[serde(default)]
    pub lives_abroad: bool,
    /// Full school years completed before this school year (art. 3 lid 1 a: 12 full years end
    /// leerplicht). Unknown when absent.
    #[serde(default)]
    pub school_years_completed: Option<u8>,
    /// The student's department sector when it differs from the school's (combination schools).
    #[serde(default)]
    pub sector: Option<Sector>,
    /// The student's group (klas), to find their lessons in the timetable.
    #[serde(default)]
    pub group: Option<String>,
    /// Vrijstellingen (Leerplichtwet art. 5, 5a, 15) and their periods.
    #[serde(default)]
    pub exemptions: Vec<DateRange>,
    /// Meldingen already made for this student (so hours already reported are not counted again).
    #[serde(default)]
    pub prior_meldingen: Vec<PriorMelding>,
    /// Periods a person marked as suspect (authorized absence thought to hide unauthorized
    /// absence): proposals for overig verzuim.
    #[serde(default)]
    pub suspect: Vec<DateRange>,
}

/// A melding made earlier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriorMelding {
    /// Its kind.
    pub kind: crate::MeldingKind,
    /// Begin date.
    pub begin: NaiveDate,
    /// End date, when known.
    #[serde(default)]
    pub end: Option<NaiveDate>,
}

/// A scheduled lesson of a group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonInput {
    /// Group (klas).
    pub group: String,
    /// Date.
    pub date: NaiveDate,
    /// Start.
    pub start: NaiveTime,
    /// End.
    pub end: NaiveTime,
    /// How many lesuren the lesson is (a blokuur is 2 or more; seed 002 "Afwijkende uren").
    #[serde(default = "one")]
    pub lesuren: u8,
    /// Whether the lesson counts as lestijd (roosteruren that are not lestijd do not count).
    #[serde(default = "yes")]
    pub counts: bool,
}

fn one() -> u8 {
    1
}

fn yes() -> bool {
    true
}

/// One registration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegistrationInput {
    /// Reference shown as evidence (a registration id); default: its position, `r1`, `r2`, …
    #[serde(default)]
    pub id: Option<String>,
    /// Student number.
    pub student: String,
    /// Date.
    pub date: NaiveDate,
    /// Start (of the lesson or span).
    pub start: NaiveTime,
    /// End.
    pub end: NaiveTime,
    /// Absence code.
    pub code: String,
    /// Minutes late (late codes).
    #[serde(default)]
    pub minutes_late: Option<u16>,
    /// Lesuren this registration stands for when there is no timetable (default 1 for a lesson
    /// of at most `lesson_minutes`; a span counts by its minutes).
    #[serde(default)]
    pub lesuren: Option<u8>,
}

/// A leave request and its decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LeaveRequestInput {
    /// Student number.
    pub student: String,
    /// First day asked for.
    pub first: NaiveDate,
    /// Last day asked for.
    pub last: NaiveDate,
    /// The decision.
    pub status: LeaveStatus,
}

/// Decision on a leave request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LeaveStatus {
    /// Granted (by the hoofd, art. 13a/14, or the leerplichtambtenaar beyond 10 days).
    Granted,
    /// Refused.
    Refused,
    /// Not decided yet.
    Pending,
}
