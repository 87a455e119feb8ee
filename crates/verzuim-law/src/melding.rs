//! What the engine answers: the meldingen due, each with its rule, article and evidence.
//! CONTRACT (lead): the JSON output of `verzuim check --format json` is `Evaluation` serialized.
//! Engine helper may add fields but not rename or remove.

use std::borrow::Cow;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The kind of a verzuimmelding, with DUO's verzuimsoort code (research/duo-and-law.md §1.3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeldingKind {
    /// 16 uur in 4 weken, student under 18 (DUO `V3`). Leerplichtwet 1969 art. 21a.
    SixteenHours,
    /// 16 uur in 4 weken, student aged 18 or older (DUO `V4`; optional by law, many gemeenten ask it).
    SixteenHoursAdult,
    /// Langdurig relatief verzuim (DUO `LRV`).
    Lrv,
    /// Luxe verzuim (DUO `L`).
    Luxe,
    /// RMC verzuim, WEB art. 8.1.8a (DUO `RMC`).
    Rmc,
    /// Overig verzuim (DUO `O`): only ever a proposal a person confirms.
    Overig,
}

impl MeldingKind {
    /// DUO's verzuimsoort code.
    pub fn duo_code(self) -> &'static str {
        match self {
            Self::SixteenHours => "V3",
            Self::SixteenHoursAdult => "V4",
            Self::Lrv => "LRV",
            Self::Luxe => "L",
            Self::Rmc => "RMC",
            Self::Overig => "O",
        }
    }

    /// Dutch label.
    pub fn label(self) -> &'static str {
        match self {
            Self::SixteenHours => "16 uur in 4 weken",
            Self::SixteenHoursAdult => "16 uur in 4 weken (18+)",
            Self::Lrv => "langdurig relatief verzuim",
            Self::Luxe => "luxe verzuim",
            Self::Rmc => "RMC-verzuim",
            Self::Overig => "overig verzuim",
        }
    }
}

/// The unit the absence is counted in (seed 002 "Klokuren of lesuren").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// Lesuren.
    Lesuren,
    /// Klokuren (60 minutes).
    Klokuren,
    /// Dagdelen (5 dagdelen = 16 klokuren).
    Dagdelen,
}

/// The law status of a student on a date (rule 1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LawStatus {
    /// Leerplichtig (Leerplichtwet art. 3).
    Leerplichtig,
    /// Kwalificatieplichtig (Leerplichtwet art. 4a).
    Kwalificatieplichtig,
    /// Not under the Leerplichtwet, under 23, no startkwalificatie (WEB art. 8.1.8).
    Rmc,
    /// None of these.
    None,
}

/// The legal source of a result. The engine's own rules borrow their texts (`Cow::Borrowed`),
/// so citing a rule allocates nothing; a rule read back from JSON owns them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    /// Stable rule id, e.g. `lpw-21a-16-uur`.
    pub id: Cow<'static, str>,
    /// The article(s), e.g. "Leerplichtwet 1969 art. 21a".
    pub article: Cow<'static, str>,
    /// What the rule says, in Dutch, in one sentence.
    pub text: Cow<'static, str>,
}

/// One absence day of the verzuimdagspecificatie.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DaySpec {
    /// The day.
    pub date: NaiveDate,
    /// Units counted on the day, in the melding's unit (2 decimals).
    pub units: f64,
    /// Minutes missed on the day.
    pub minutes: u32,
    /// Lesuur numbers missed (1-based, within the day's timetable), when known.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lesuren: Vec<u8>,
    /// Whether every lesson of the day was missed.
    pub whole_day: bool,
    /// The registrations behind the day (their ids).
    pub registrations: Vec<String>,
}

/// One melding (or, for overig verzuim, a proposal).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Melding {
    /// Kind.
    pub kind: MeldingKind,
    /// DUO code of the kind (`V3`, `LRV`, …).
    pub duo_code: String,
    /// Student number.
    pub student: String,
    /// The student's status on the begin date.
    pub status: LawStatus,
    /// Begin date (first counted absence day).
    pub begin: NaiveDate,
    /// End date; `None` while open (LRV/RMC still running).
    pub end: Option<NaiveDate>,
    /// When the end date becomes known, in Dutch, if it is open ("zodra de leerling terug is of
    /// is uitgeschreven").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_when: Option<String>,
    /// The day the melding became due (the school must report within 5 werkdagen after it).
    pub due_on: NaiveDate,
    /// Total units counted (2 decimals).
    pub units: f64,
    /// The unit.
    pub unit: Unit,
    /// Total minutes missed.
    pub minutes: u32,
    /// Per-day specification.
    pub days: Vec<DaySpec>,
    /// The rule and article.
    pub rule: Rule,
    /// Explanation in Dutch: why this melding, from which facts.
    pub explanation: String,
    /// Only a proposal a person must confirm (overig verzuim), never sent automatically.
    pub proposal: bool,
}

/// A student the engine deliberately reports nothing for, and why (not reportable, rule 8).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exclusion {
    /// Student number.
    pub student: String,
    /// Period it applies to, if not the whole case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period: Option<crate::case::DateRange>,
    /// Why, in Dutch.
    pub reason: String,
    /// The rule and article.
    pub rule: Rule,
}

/// What the engine deliberately did not report for one student, as counts and dates: the facts
/// behind the student's [`Exclusion`]s, whose Dutch texts [`NotReported::exclusions`] writes
/// (rule 8). Plain data, so an answer without the texts costs no allocation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct NotReported {
    /// The student lives abroad, so nothing is reported (the counts below stay 0).
    pub abroad: bool,
    /// Registrations outside the enrolment, ignored.
    pub outside_enrolment: u32,
    /// Registrations in a vrijstelling, ignored.
    pub exempt: u32,
    /// Registrations of authorized absence (leave codes excepted), not reported.
    pub authorized: u32,
    /// The first day with such a registration.
    pub authorized_first: Option<NaiveDate>,
    /// The last day with such a registration.
    pub authorized_last: Option<NaiveDate>,
    /// Registrations of unauthorized absence on days the student is under no plicht.
    pub not_under_law: u32,
}

/// The answer for a case as of `today`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    /// The date evaluated.
    pub today: NaiveDate,
    /// The meldingen due (and proposals), ordered by student, begin date, kind.
    pub meldingen: Vec<Melding>,
    /// Absence deliberately not reported and why.
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
}
