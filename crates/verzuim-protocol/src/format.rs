//! The rule-file format (TOML) and its loading: raw serde types with spans, checked into a
//! [`Protocol`] whose names are resolved to indices. See `docs/protocol.md`.

use std::collections::HashSet;

use chrono::NaiveTime;
use serde::Deserialize;
use toml::Spanned;
use verzuim_domain::{AbsenceKind, CodeTable};

use crate::ProtocolError;

// ---------------------------------------------------------------------------------------------
// Checked types (public)

/// A loaded, checked protocol: counters, windows and steps with names resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protocol {
    /// Name of the protocol, e.g. "MLG verzuimprotocol 2020/2021".
    pub name: String,
    /// Optional description.
    pub description: String,
    /// Named counters, in file order.
    pub counters: Vec<Counter>,
    /// Named windows, in file order.
    pub windows: Vec<Window>,
    /// Steps, in file order (within a ladder, later steps are higher rungs).
    pub steps: Vec<Step>,
}

/// What a counter counts in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Unit {
    /// Number of registrations.
    Events,
    /// Sum of the registrations' lesuren.
    Hours,
    /// Number of distinct dates with a registration.
    DistinctDays,
    /// Longest run of consecutive school days with a registration.
    ConsecutiveSchoolDays,
    /// Number of runs of consecutive school days with a registration (one sick spell = 1).
    Episodes,
}

impl Unit {
    /// The code used in the file.
    pub fn code(self) -> &'static str {
        match self {
            Self::Events => "events",
            Self::Hours => "hours",
            Self::DistinctDays => "distinct_days",
            Self::ConsecutiveSchoolDays => "consecutive_school_days",
            Self::Episodes => "episodes",
        }
    }

    const ALL: [Unit; 5] = [
        Self::Events,
        Self::Hours,
        Self::DistinctDays,
        Self::ConsecutiveSchoolDays,
        Self::Episodes,
    ];
}

/// A named counter: which registrations it selects and what unit it counts them in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Counter {
    /// Name used in conditions.
    pub name: String,
    /// Dutch words for the reason text, e.g. "te laat" ("6× te laat in periode 2").
    pub label: String,
    /// Only these codes, when given.
    pub codes: Option<Vec<String>>,
    /// Only codes of this kind, when given.
    pub kind: Option<AbsenceKind>,
    /// Only authorized (true) or unauthorized (false) codes, when given.
    pub authorized: Option<bool>,
    /// The unit.
    pub unit: Unit,
}

/// How a window cuts time into instances; a step is reached at most once per instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WindowKind {
    /// Each school period (named date ranges passed with the calendar).
    Period,
    /// The school year of the calendar.
    SchoolYear,
    /// The last `weeks` lesweken; after a step is reached, it can be reached again only
    /// once the window has moved past the weeks it was reached in.
    RollingSchoolWeeks {
        /// Number of lesweken.
        weeks: u32,
    },
    /// Each run of consecutive school days on which the counter (index) has a registration.
    Run {
        /// Counter index.
        counter: usize,
    },
    /// Each registration the counter (index) selects, on its own.
    PerEvent {
        /// Counter index.
        counter: usize,
    },
    /// Each date on which the counter (index) selects a registration.
    PerDay {
        /// Counter index.
        counter: usize,
    },
}

/// A named window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Name used by steps.
    pub name: String,
    /// How it cuts time.
    pub kind: WindowKind,
}

/// A condition over counters in one window instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// `counter >= value`.
    AtLeast {
        /// Counter index.
        counter: usize,
        /// Threshold.
        value: u32,
    },
    /// All hold.
    All(Vec<Condition>),
    /// At least one holds.
    Any(Vec<Condition>),
}

/// A role that acts in a protocol step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Docent.
    Docent,
    /// Mentor.
    Mentor,
    /// Verzuimcoördinator (VC).
    Verzuimcoordinator,
    /// Teamleider.
    Teamleider,
    /// Dagcoördinator (daco).
    Daco,
    /// Ondersteuningscoördinator (oco).
    Oco,
    /// Receptie.
    Receptie,
    /// Leerplichtambtenaar (LPA), outside the school.
    Leerplichtambtenaar,
    /// Schoolarts / jeugdarts, outside the school.
    Schoolarts,
    /// Intern ondersteuningsteam (IOT).
    Iot,
    /// Ondersteuningsteam (OT).
    Ot,
    /// Leerling servicebureau.
    Servicebureau,
    /// The student.
    Leerling,
}

impl Role {
    /// All roles, in file-code order.
    pub const ALL: [Role; 13] = [
        Self::Docent,
        Self::Mentor,
        Self::Verzuimcoordinator,
        Self::Teamleider,
        Self::Daco,
        Self::Oco,
        Self::Receptie,
        Self::Leerplichtambtenaar,
        Self::Schoolarts,
        Self::Iot,
        Self::Ot,
        Self::Servicebureau,
        Self::Leerling,
    ];

    /// Code in the file.
    pub fn code(self) -> &'static str {
        match self {
            Self::Docent => "docent",
            Self::Mentor => "mentor",
            Self::Verzuimcoordinator => "verzuimcoordinator",
            Self::Teamleider => "teamleider",
            Self::Daco => "daco",
            Self::Oco => "oco",
            Self::Receptie => "receptie",
            Self::Leerplichtambtenaar => "leerplichtambtenaar",
            Self::Schoolarts => "schoolarts",
            Self::Iot => "iot",
            Self::Ot => "ot",
            Self::Servicebureau => "servicebureau",
            Self::Leerling => "leerling",
        }
    }

    /// Dutch label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Docent => "docent",
            Self::Mentor => "mentor",
            Self::Verzuimcoordinator => "verzuimcoördinator",
            Self::Teamleider => "teamleider",
            Self::Daco => "dagcoördinator",
            Self::Oco => "ondersteuningscoördinator",
            Self::Receptie => "receptie",
            Self::Leerplichtambtenaar => "leerplichtambtenaar",
            Self::Schoolarts => "schoolarts",
            Self::Iot => "IOT",
            Self::Ot => "ondersteuningsteam",
            Self::Servicebureau => "leerling servicebureau",
            Self::Leerling => "leerling",
        }
    }

    /// The school role whose inbox gets the task, when the role is a school role.
    pub fn school_role(self) -> Option<verzuim_domain::SchoolRole> {
        use verzuim_domain::SchoolRole as S;
        match self {
            Self::Docent => Some(S::Teacher),
            Self::Mentor => Some(S::Mentor),
            Self::Verzuimcoordinator => Some(S::AttendanceCoordinator),
            Self::Teamleider => Some(S::TeamLeader),
            Self::Daco => Some(S::DayCoordinator),
            Self::Oco => Some(S::SupportCoordinator),
            Self::Receptie => Some(S::Reception),
            _ => None,
        }
    }

    /// Parses a file code (`verzuimcoördinator` with ö is accepted too).
    pub fn parse(input: &str) -> Option<Self> {
        let lower = input.trim().to_lowercase().replace('ö', "o");
        Self::ALL.into_iter().find(|r| r.code() == lower)
    }
}

/// One action of a step: who does what, within how many school days.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Action {
    /// Who.
    pub role: Role,
    /// What, in Dutch.
    pub text: String,
    /// Deadline in school days after the evaluation date; `None` = no deadline.
    pub within_school_days: Option<u32>,
}

/// A sanction a step imposes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Sanction {
    /// Make up `factor` × the counter's value (in its unit, normally lesuren); the engine
    /// computes the hours.
    MakeUp {
        /// Counter index.
        counter: usize,
        /// Multiplier, e.g. 2 ("dubbel per gespijbeld uur").
        factor: u32,
    },
    /// Report at school at `time` on `days` school days.
    ReportAt {
        /// Clock time, e.g. 07:45.
        time: NaiveTime,
        /// Number of days.
        days: u32,
    },
    /// Detention (nablijven / terugkomen) of `lesuren` lesuren.
    Detention {
        /// Lesuren.
        lesuren: u32,
    },
    /// Anything else, in words (a yellow card, an uitstuurformulier).
    Other {
        /// What, in Dutch.
        text: String,
    },
}

/// The DUO melding kind a step proposes (a person decides).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
pub enum MeldingKind {
    /// 16 uur in 4 weken, under 18.
    V3,
    /// 16 uur in 4 weken, 18 or older.
    V4,
    /// Langdurig relatief verzuim.
    #[serde(rename = "LRV")]
    Lrv,
    /// Luxe verzuim.
    L,
    /// RMC verzuim.
    #[serde(rename = "RMC")]
    Rmc,
    /// Overig verzuim.
    O,
}

impl MeldingKind {
    /// All kinds.
    pub const ALL: [MeldingKind; 6] = [Self::V3, Self::V4, Self::Lrv, Self::L, Self::Rmc, Self::O];

    /// DUO's verzuimsoort code.
    pub fn duo_code(self) -> &'static str {
        match self {
            Self::V3 => "V3",
            Self::V4 => "V4",
            Self::Lrv => "LRV",
            Self::L => "L",
            Self::Rmc => "RMC",
            Self::O => "O",
        }
    }
}

/// What sets a step off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Trigger {
    /// A condition over counters, evaluated per window instance.
    When(Condition),
    /// A person triggers it (rows that cannot be counted from registrations).
    Manual,
}

/// One rung of a ladder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// Stable id, unique in the file (part of the step key).
    pub id: String,
    /// Ladder name, e.g. "te laat".
    pub ladder: String,
    /// Short Dutch title; defaults to the id.
    pub title: String,
    /// Window index.
    pub window: usize,
    /// Condition or manual.
    pub trigger: Trigger,
    /// Actions, in file order.
    pub actions: Vec<Action>,
    /// Optional sanction.
    pub sanction: Option<Sanction>,
    /// Optional letter template name.
    pub letter: Option<String>,
    /// Optional proposed DUO melding.
    pub propose_melding: Option<MeldingKind>,
}

// ---------------------------------------------------------------------------------------------
// Raw serde types

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    protocol: RawHeader,
    #[serde(default)]
    counter: Vec<RawCounter>,
    #[serde(default)]
    window: Vec<RawWindow>,
    #[serde(default)]
    step: Vec<RawStep>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHeader {
    name: String,
    #[serde(default)]
    description: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCounter {
    name: Spanned<String>,
    label: Option<String>,
    codes: Option<Vec<Spanned<String>>>,
    kind: Option<Spanned<String>>,
    authorized: Option<bool>,
    unit: Spanned<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawWindow {
    name: Spanned<String>,
    #[serde(rename = "type")]
    kind: Spanned<String>,
    weeks: Option<Spanned<u32>>,
    counter: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum RawCondition {
    AtLeast {
        counter: Spanned<String>,
        value: u32,
    },
    All(Spanned<Vec<RawCondition>>),
    Any(Spanned<Vec<RawCondition>>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawStep {
    id: Spanned<String>,
    ladder: String,
    title: Option<String>,
    window: Option<Spanned<String>>,
    when: Option<Spanned<RawCondition>>,
    manual: Option<Spanned<bool>>,
    #[serde(default)]
    action: Vec<RawAction>,
    sanction: Option<RawSanction>,
    letter: Option<Spanned<String>>,
    propose_melding: Option<Spanned<String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAction {
    role: Spanned<String>,
    text: Spanned<String>,
    within_school_days: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
enum RawSanction {
    MakeUp {
        counter: Spanned<String>,
        factor: u32,
    },
    ReportAt {
        time: Spanned<String>,
        #[serde(default = "one")]
        days: u32,
    },
    Detention {
        lesuren: u32,
    },
    Other {
        text: String,
    },
}

fn one() -> u32 {
    1
}

// ---------------------------------------------------------------------------------------------
// Loading

impl Protocol {
    /// Loads and checks a rule file; codes are checked against
    /// [`CodeTable::magister_default`].
    pub fn from_toml(text: &str) -> Result<Self, ProtocolError> {
        Self::from_toml_with_codes(text, &CodeTable::magister_default())
    }

    /// Loads and checks a rule file against the school's own code table.
    pub fn from_toml_with_codes(text: &str, codes: &CodeTable) -> Result<Self, ProtocolError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| syntax_error(text, &e))?;
        Checker { text, codes }.check(raw)
    }

    /// Index of the counter named `name`.
    pub fn counter_index(&self, name: &str) -> Option<usize> {
        self.counters.iter().position(|c| c.name == name)
    }

    /// The step with id `id`.
    pub fn step(&self, id: &str) -> Option<&Step> {
        self.steps.iter().find(|s| s.id == id)
    }

    /// The ladder names, in order of first appearance.
    pub fn ladders(&self) -> Vec<&str> {
        let mut out: Vec<&str> = Vec::new();
        for s in &self.steps {
            if !out.contains(&s.ladder.as_str()) {
                out.push(&s.ladder);
            }
        }
        out
    }
}

/// A toml/serde error as a located Dutch error.
fn syntax_error(text: &str, e: &toml::de::Error) -> ProtocolError {
    let offset = e.span().map_or(0, |s| s.start);
    let (line, _) = crate::error::line_column(text, offset);
    ProtocolError::at(
        text,
        offset,
        key_path_at(text, line),
        dutch_message(e.message()),
    )
}

/// The key path at `line` (1-based): the last table header at or above it, plus the key
/// assigned on the line itself.
fn key_path_at(text: &str, line: usize) -> String {
    let lines: Vec<&str> = text.lines().collect();
    let mut header = String::new();
    let mut counts: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    for l in lines.iter().take(line) {
        let t = l.trim();
        if let Some(name) = t.strip_prefix("[[").and_then(|r| r.split("]]").next()) {
            let name = name.trim().to_owned();
            let n = counts.entry(name.clone()).or_insert(0);
            header = format!("{name}[{n}]");
            *n += 1;
        } else if let Some(name) = t.strip_prefix('[').and_then(|r| r.split(']').next()) {
            header = name.trim().to_owned();
        }
    }
    let own = lines
        .get(line.saturating_sub(1))
        .map(|l| l.trim())
        .filter(|l| !l.starts_with('[') && !l.starts_with('#'))
        .and_then(|l| l.split_once('='))
        .map(|(k, _)| k.trim().to_owned())
        .unwrap_or_default();
    match (header.is_empty(), own.is_empty()) {
        (true, _) => own,
        (false, true) => header,
        (false, false) => format!("{header}.{own}"),
    }
}

/// toml's English messages in Dutch (the common ones; others are passed on behind a Dutch
/// prefix).
fn dutch_message(msg: &str) -> String {
    let msg = msg.trim();
    let ticked = |s: &str| -> Vec<String> {
        s.split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, p)| p.to_owned())
            .collect()
    };
    if msg.starts_with("unknown field") {
        let t = ticked(msg);
        let allowed = t.get(1..).map(|r| r.join(", ")).unwrap_or_default();
        return format!(
            "onbekende sleutel '{}'; toegestaan: {allowed}",
            t.first().map_or("", String::as_str)
        );
    }
    if msg.starts_with("missing field") {
        let t = ticked(msg);
        return format!(
            "verplichte sleutel '{}' ontbreekt",
            t.first().map_or("", String::as_str)
        );
    }
    if msg.starts_with("unknown variant") {
        let t = ticked(msg);
        let allowed = t.get(1..).map(|r| r.join(", ")).unwrap_or_default();
        return format!(
            "onbekende soort '{}'; kies uit: {allowed}",
            t.first().map_or("", String::as_str)
        );
    }
    if let Some(rest) = msg.strip_prefix("invalid type: ") {
        let (got, want) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!(
            "verkeerd type: {}, verwacht {}",
            got.replace('`', ""),
            expected(want)
        );
    }
    if let Some(rest) = msg.strip_prefix("invalid value: ") {
        let (got, want) = rest.split_once(", expected ").unwrap_or((rest, ""));
        return format!(
            "ongeldige waarde: {}, verwacht {}",
            got.replace('`', ""),
            expected(want)
        );
    }
    if let Some(rest) = msg.strip_prefix("unexpected keys in table: ") {
        let (keys, allowed) = rest.split_once(", available keys: ").unwrap_or((rest, ""));
        return format!("onbekende sleutel '{keys}'; toegestaan: {allowed}");
    }
    if msg.starts_with("duplicate key") {
        return "deze sleutel komt twee keer voor".to_owned();
    }
    format!("ongeldige TOML: {msg}")
}

/// The engine keeps, per registration, one bit per counter.
pub const MAX_COUNTERS: usize = 64;

/// Resolves a counter name (with its span) to its index, or a located error.
type CounterLookup<'f> = &'f dyn Fn(&Spanned<String>, String) -> Result<usize, ProtocolError>;

/// serde's "expected ..." in Dutch.
fn expected(want: &str) -> String {
    match want.trim() {
        "a string" => "tekst tussen aanhalingstekens".to_owned(),
        "u8" | "u16" | "u32" | "u64" | "usize" => "een geheel getal, 0 of meer".to_owned(),
        "a boolean" => "true of false".to_owned(),
        "a sequence" => "een lijst [ ... ]".to_owned(),
        w if w.starts_with("struct") || w.contains("map") || w.starts_with("enum") => {
            "een tabel { ... }".to_owned()
        }
        w => w.to_owned(),
    }
}

struct Checker<'a> {
    text: &'a str,
    codes: &'a CodeTable,
}

impl Checker<'_> {
    fn err<T>(
        &self,
        span: std::ops::Range<usize>,
        path: String,
        reason: String,
    ) -> Result<T, ProtocolError> {
        Err(ProtocolError::at(self.text, span.start, path, reason))
    }

    fn check(&self, raw: RawFile) -> Result<Protocol, ProtocolError> {
        let mut counters: Vec<Counter> = Vec::new();
        for (i, c) in raw.counter.into_iter().enumerate() {
            let path = format!("counter[{i}]");
            let name = c.name.get_ref().trim().to_owned();
            if i >= MAX_COUNTERS {
                return self.err(
                    c.name.span(),
                    format!("{path}.name"),
                    format!("te veel tellers: hoogstens {MAX_COUNTERS}"),
                );
            }
            if !is_name(&name) {
                return self.err(
                    c.name.span(),
                    format!("{path}.name"),
                    format!("'{name}' is geen naam: gebruik kleine letters, cijfers, '_' en '-'"),
                );
            }
            if counters.iter().any(|o| o.name == name) {
                return self.err(
                    c.name.span(),
                    format!("{path}.name"),
                    format!("teller '{name}' komt twee keer voor"),
                );
            }
            let codes = match c.codes {
                None => None,
                Some(list) => {
                    let mut out = Vec::new();
                    for (j, code) in list.into_iter().enumerate() {
                        let v = code.get_ref().trim().to_owned();
                        if self.codes.get(&v).is_none() {
                            let known: Vec<&str> =
                                self.codes.codes().iter().map(|c| c.code.as_str()).collect();
                            return self.err(
                                code.span(),
                                format!("{path}.codes[{j}]"),
                                format!(
                                    "code '{v}' staat niet in de codetabel ({})",
                                    known.join(", ")
                                ),
                            );
                        }
                        out.push(v);
                    }
                    if out.is_empty() {
                        return self.err(
                            c.name.span(),
                            format!("{path}.codes"),
                            "de lijst met codes is leeg".to_owned(),
                        );
                    }
                    Some(out)
                }
            };
            let kind = match c.kind {
                None => None,
                Some(k) => Some(AbsenceKind::parse(k.get_ref()).or_else(|_| {
                    self.err(
                        k.span(),
                        format!("{path}.kind"),
                        format!(
                            "'{}' is geen soort: kies absent, late, removal of other",
                            k.get_ref()
                        ),
                    )
                })?),
            };
            if codes.is_none() && kind.is_none() && c.authorized.is_none() {
                return self.err(
                    c.name.span(),
                    path,
                    format!("teller '{name}' kiest niets: geef codes, kind of authorized"),
                );
            }
            let Some(unit) = Unit::ALL
                .into_iter()
                .find(|u| u.code() == c.unit.get_ref().trim())
            else {
                return self.err(c.unit.span(), format!("{path}.unit"), format!("'{}' is geen eenheid: kies events, hours, distinct_days, consecutive_school_days of episodes", c.unit.get_ref()));
            };
            counters.push(Counter {
                label: c.label.unwrap_or_else(|| name.replace('_', " ")),
                name,
                codes,
                kind,
                authorized: c.authorized,
                unit,
            });
        }
        let counter = |name: &Spanned<String>, path: String| -> Result<usize, ProtocolError> {
            let n = name.get_ref().trim();
            counters.iter().position(|c| c.name == n).map_or_else(
                || {
                    let known: Vec<&str> = counters.iter().map(|c| c.name.as_str()).collect();
                    self.err(
                        name.span(),
                        path,
                        format!("onbekende teller '{n}'; bekend: {}", known.join(", ")),
                    )
                },
                Ok,
            )
        };
        let mut windows: Vec<Window> = Vec::new();
        for (i, w) in raw.window.into_iter().enumerate() {
            let path = format!("window[{i}]");
            let name = w.name.get_ref().trim().to_owned();
            if !is_name(&name) {
                return self.err(
                    w.name.span(),
                    format!("{path}.name"),
                    format!("'{name}' is geen naam: gebruik kleine letters, cijfers, '_' en '-'"),
                );
            }
            if windows.iter().any(|o| o.name == name) {
                return self.err(
                    w.name.span(),
                    format!("{path}.name"),
                    format!("venster '{name}' komt twee keer voor"),
                );
            }
            let needs_counter = |w: &RawWindow| -> Result<usize, ProtocolError> {
                match &w.counter {
                    Some(c) => counter(c, format!("{path}.counter")),
                    None => self.err(
                        w.kind.span(),
                        format!("{path}.counter"),
                        format!(
                            "venster van soort '{}' heeft een teller nodig (counter = \"...\")",
                            w.kind.get_ref()
                        ),
                    ),
                }
            };
            let kind = match w.kind.get_ref().trim() {
                "period" => WindowKind::Period,
                "school_year" => WindowKind::SchoolYear,
                "rolling_school_weeks" => match &w.weeks {
                    Some(n) if *n.get_ref() >= 1 && *n.get_ref() <= 52 => {
                        WindowKind::RollingSchoolWeeks {
                            weeks: *n.get_ref(),
                        }
                    }
                    Some(n) => {
                        return self.err(
                            n.span(),
                            format!("{path}.weeks"),
                            "weeks moet 1 tot en met 52 zijn".to_owned(),
                        );
                    }
                    None => {
                        return self.err(
                            w.kind.span(),
                            format!("{path}.weeks"),
                            "rolling_school_weeks heeft weeks = N nodig".to_owned(),
                        );
                    }
                },
                "run" => WindowKind::Run {
                    counter: needs_counter(&w)?,
                },
                "per_event" => WindowKind::PerEvent {
                    counter: needs_counter(&w)?,
                },
                "per_day" => WindowKind::PerDay {
                    counter: needs_counter(&w)?,
                },
                other => {
                    return self.err(w.kind.span(), format!("{path}.type"), format!("'{other}' is geen venstersoort: kies period, school_year, rolling_school_weeks, run, per_event of per_day"));
                }
            };
            if let (Some(n), false) = (
                &w.weeks,
                matches!(kind, WindowKind::RollingSchoolWeeks { .. }),
            ) {
                return self.err(
                    n.span(),
                    format!("{path}.weeks"),
                    "weeks hoort alleen bij rolling_school_weeks".to_owned(),
                );
            }
            if let (Some(c), false) = (
                &w.counter,
                matches!(
                    kind,
                    WindowKind::Run { .. }
                        | WindowKind::PerEvent { .. }
                        | WindowKind::PerDay { .. }
                ),
            ) {
                return self.err(
                    c.span(),
                    format!("{path}.counter"),
                    "counter hoort alleen bij run, per_event en per_day".to_owned(),
                );
            }
            windows.push(Window { name, kind });
        }
        let mut steps: Vec<Step> = Vec::new();
        let mut ids: HashSet<String> = HashSet::new();
        for (i, s) in raw.step.into_iter().enumerate() {
            let path = format!("step[{i}]");
            let id = s.id.get_ref().trim().to_owned();
            if !is_name(&id) {
                return self.err(
                    s.id.span(),
                    format!("{path}.id"),
                    format!("'{id}' is geen id: gebruik kleine letters, cijfers, '_' en '-'"),
                );
            }
            if !ids.insert(id.clone()) {
                return self.err(
                    s.id.span(),
                    format!("{path}.id"),
                    format!("stap-id '{id}' komt twee keer voor"),
                );
            }
            let manual = s.manual.as_ref().is_some_and(|m| *m.get_ref());
            let trigger = match (&s.when, manual) {
                (Some(w), false) => Trigger::When(self.condition(w.get_ref(), w.span(), &format!("{path}.when"), &counter)?),
                (None, true) => Trigger::Manual,
                (Some(w), true) => return self.err(w.span(), format!("{path}.when"), "een stap is handmatig (manual = true) of heeft een voorwaarde (when), niet beide".to_owned()),
                (None, false) => return self.err(s.id.span(), path, format!("stap '{id}' heeft geen voorwaarde: geef when = {{ ... }} of manual = true")),
            };
            let window = match &s.window {
                Some(w) => {
                    let n = w.get_ref().trim();
                    match windows.iter().position(|x| x.name == n) {
                        Some(i) => i,
                        None => {
                            let known: Vec<&str> =
                                windows.iter().map(|w| w.name.as_str()).collect();
                            return self.err(
                                w.span(),
                                format!("{path}.window"),
                                format!("onbekend venster '{n}'; bekend: {}", known.join(", ")),
                            );
                        }
                    }
                }
                None if manual => match windows
                    .iter()
                    .position(|w| w.kind == WindowKind::SchoolYear)
                {
                    Some(i) => i,
                    None => {
                        windows.push(Window {
                            name: "schooljaar".to_owned(),
                            kind: WindowKind::SchoolYear,
                        });
                        windows.len() - 1
                    }
                },
                None => {
                    return self.err(
                        s.id.span(),
                        format!("{path}.window"),
                        format!("stap '{id}' heeft geen venster (window = \"...\")"),
                    );
                }
            };
            let mut actions = Vec::new();
            for (j, a) in s.action.into_iter().enumerate() {
                let Some(role) = Role::parse(a.role.get_ref()) else {
                    let known: Vec<&str> = Role::ALL.iter().map(|r| r.code()).collect();
                    return self.err(
                        a.role.span(),
                        format!("{path}.action[{j}].role"),
                        format!(
                            "onbekende rol '{}'; kies uit: {}",
                            a.role.get_ref(),
                            known.join(", ")
                        ),
                    );
                };
                if a.text.get_ref().trim().is_empty() {
                    return self.err(
                        a.text.span(),
                        format!("{path}.action[{j}].text"),
                        "de actie heeft geen tekst".to_owned(),
                    );
                }
                actions.push(Action {
                    role,
                    text: a.text.get_ref().trim().to_owned(),
                    within_school_days: a.within_school_days,
                });
            }
            if actions.is_empty() {
                return self.err(
                    s.id.span(),
                    format!("{path}.action"),
                    format!("stap '{id}' heeft geen acties ([[step.action]])"),
                );
            }
            let sanction = match s.sanction {
                None => None,
                Some(RawSanction::MakeUp { counter: c, factor }) => Some(Sanction::MakeUp {
                    counter: counter(&c, format!("{path}.sanction.make_up.counter"))?,
                    factor,
                }),
                Some(RawSanction::ReportAt { time, days }) => {
                    match NaiveTime::parse_from_str(time.get_ref().trim(), "%H:%M") {
                        Ok(t) => Some(Sanction::ReportAt { time: t, days }),
                        Err(_) => {
                            return self.err(
                                time.span(),
                                format!("{path}.sanction.report_at.time"),
                                format!(
                                    "'{}' is geen tijd: schrijf uu:mm, bijv. 07:45",
                                    time.get_ref()
                                ),
                            );
                        }
                    }
                }
                Some(RawSanction::Detention { lesuren }) => Some(Sanction::Detention { lesuren }),
                Some(RawSanction::Other { text }) => Some(Sanction::Other { text }),
            };
            let letter = match &s.letter {
                None => None,
                Some(l) => {
                    let name = l.get_ref().trim();
                    if !crate::letters::is_template(name) {
                        return self.err(
                            l.span(),
                            format!("{path}.letter"),
                            format!(
                                "onbekende brief '{name}'; bekend: {}",
                                crate::letters::TEMPLATES.join(", ")
                            ),
                        );
                    }
                    Some(name.to_owned())
                }
            };
            let propose_melding = match &s.propose_melding {
                None => None,
                Some(m) => match MeldingKind::ALL
                    .into_iter()
                    .find(|k| k.duo_code().eq_ignore_ascii_case(m.get_ref().trim()))
                {
                    Some(k) => Some(k),
                    None => {
                        return self.err(
                            m.span(),
                            format!("{path}.propose_melding"),
                            format!(
                                "'{}' is geen meldingsoort: kies V3, V4, LRV, L, RMC of O",
                                m.get_ref()
                            ),
                        );
                    }
                },
            };
            steps.push(Step {
                title: s.title.unwrap_or_else(|| id.clone()),
                id,
                ladder: s.ladder,
                window,
                trigger,
                actions,
                sanction,
                letter,
                propose_melding,
            });
        }
        Ok(Protocol {
            name: raw.protocol.name,
            description: raw.protocol.description,
            counters,
            windows,
            steps,
        })
    }

    fn condition(
        &self,
        c: &RawCondition,
        span: std::ops::Range<usize>,
        path: &str,
        counter: CounterLookup<'_>,
    ) -> Result<Condition, ProtocolError> {
        match c {
            RawCondition::AtLeast {
                counter: name,
                value,
            } => {
                let counter = counter(name, format!("{path}.at_least.counter"))?;
                if *value == 0 {
                    return self.err(
                        span,
                        format!("{path}.at_least.value"),
                        "value moet minstens 1 zijn".to_owned(),
                    );
                }
                Ok(Condition::AtLeast {
                    counter,
                    value: *value,
                })
            }
            RawCondition::All(list) | RawCondition::Any(list) => {
                let tag = if matches!(c, RawCondition::All(_)) {
                    "all"
                } else {
                    "any"
                };
                if list.get_ref().is_empty() {
                    return self.err(
                        list.span(),
                        format!("{path}.{tag}"),
                        format!("{tag} = [] is leeg"),
                    );
                }
                let mut out = Vec::new();
                for (i, sub) in list.get_ref().iter().enumerate() {
                    out.push(self.condition(
                        sub,
                        list.span(),
                        &format!("{path}.{tag}[{i}]"),
                        counter,
                    )?);
                }
                Ok(if tag == "all" {
                    Condition::All(out)
                } else {
                    Condition::Any(out)
                })
            }
        }
    }
}

/// Names and ids: lowercase letters, digits, `_` and `-`, starting with a letter or digit.
fn is_name(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The example of `docs/protocol.md`.
    pub(crate) const EXAMPLE: &str = include_str!("example.toml");

    fn err(text: &str) -> ProtocolError {
        Protocol::from_toml(text).unwrap_err()
    }

    #[test]
    fn the_documented_example_loads() {
        let p = Protocol::from_toml(EXAMPLE).unwrap();
        assert_eq!(p.counters.len(), 4);
        assert_eq!(p.steps.len(), 6);
        assert!(matches!(
            p.steps[2].trigger,
            Trigger::When(Condition::All(_))
        ));
        assert_eq!(p.steps[5].trigger, Trigger::Manual);
        assert_eq!(p.steps[4].propose_melding, Some(MeldingKind::V3));
    }

    fn step_with(when: &str, role: &str) -> String {
        format!(
            "[protocol]\nname = \"t\"\n\n[[counter]]\nname = \"te_laat\"\ncodes = [\"TO\"]\nunit = \"events\"\n\n[[window]]\nname = \"jaar\"\ntype = \"school_year\"\n\n[[step]]\nid = \"a\"\nladder = \"l\"\nwindow = \"jaar\"\nwhen = {when}\n\n[[step.action]]\nrole = \"{role}\"\ntext = \"x\"\n"
        )
    }

    #[test]
    fn serde_messages_are_in_dutch() {
        let e = err("[protocol]\nname = 5\n");
        assert_eq!((e.line, e.column, e.path.as_str()), (2, 8, "protocol.name"));
        assert_eq!(
            e.reason,
            "verkeerd type: integer 5, verwacht tekst tussen aanhalingstekens"
        );
        let e = err("[protocol]\nname = \"a\"\nname = \"b\"\n");
        assert_eq!(e.reason, "deze sleutel komt twee keer voor");
        let base = step_with(
            "{ at_least = { counter = \"te_laat\", value = -1 } }",
            "mentor",
        );
        assert_eq!(
            err(&base).reason,
            "ongeldige waarde: integer -1, verwacht een geheel getal, 0 of meer"
        );
        let base = step_with(
            "{ at_least = { counter = \"te_laat\", value = 1, extra = 2 } }",
            "mentor",
        );
        assert_eq!(
            err(&base).reason,
            "onbekende sleutel 'extra'; toegestaan: counter, value"
        );
        assert_eq!(
            err("[protocol]\n").reason,
            "verplichte sleutel 'name' ontbreekt"
        );
    }

    #[test]
    fn a_valid_small_file_loads() {
        let p = Protocol::from_toml(&step_with(
            "{ at_least = { counter = \"te_laat\", value = 3 } }",
            "mentor",
        ))
        .unwrap();
        assert_eq!(
            p.steps[0].trigger,
            Trigger::When(Condition::AtLeast {
                counter: 0,
                value: 3
            })
        );
    }

    #[test]
    fn a_syntax_error_is_located_with_its_key() {
        let e = err("[protocol]\nname = \"t\"\n\n[[counter]]\nname = te_laat\n");
        assert_eq!((e.line, e.path.as_str()), (5, "counter[0].name"));
        assert!(e.reason.starts_with("ongeldige TOML"), "{e}");
    }

    #[test]
    fn an_unknown_key_is_an_error_in_dutch() {
        let e = err(&step_with(
            "{ at_least = { counter = \"te_laat\", value = 3 } }",
            "mentor",
        )
        .replace("ladder = \"l\"", "ladder = \"l\"\nladdder = \"m\""));
        assert_eq!((e.line, e.path.as_str()), (16, "step[0].laddder"));
        assert!(e.reason.starts_with("onbekende sleutel 'laddder'"), "{e}");
    }

    #[test]
    fn an_unknown_counter_in_a_nested_condition_is_located() {
        let e = err(&step_with(
            "{ all = [ { at_least = { counter = \"te_laat\", value = 3 } }, { any = [ { at_least = { counter = \"spijbelen\", value = 1 } } ] } ] }",
            "mentor",
        ));
        assert_eq!(e.path, "step[0].when.all[1].any[0].at_least.counter");
        assert_eq!(e.line, 17);
        assert_eq!(e.column, 104);
        assert_eq!(e.reason, "onbekende teller 'spijbelen'; bekend: te_laat");
    }

    #[test]
    fn an_unknown_role_is_located_and_lists_the_roles() {
        let e = err(&step_with(
            "{ at_least = { counter = \"te_laat\", value = 3 } }",
            "conciërge",
        ));
        assert_eq!(
            (e.line, e.column, e.path.as_str()),
            (20, 8, "step[0].action[0].role")
        );
        assert!(
            e.reason.contains("onbekende rol 'conciërge'")
                && e.reason.contains("leerplichtambtenaar")
        );
    }

    #[test]
    fn an_unknown_letter_is_located_and_lists_the_templates() {
        let text = step_with(
            "{ at_least = { counter = \"te_laat\", value = 3 } }",
            "mentor",
        )
        .replace(
            "window = \"jaar\"\n",
            "window = \"jaar\"\nletter = \"brief-te-laat\"\n",
        );
        let e = err(&text);
        assert_eq!(
            (e.line, e.column, e.path.as_str()),
            (17, 10, "step[0].letter")
        );
        assert!(
            e.reason
                .starts_with("onbekende brief 'brief-te-laat'; bekend: ")
        );
        for name in crate::letters::TEMPLATES {
            assert!(e.reason.contains(name), "{name}");
        }
    }

    #[test]
    fn a_known_letter_is_kept() {
        let text = step_with(
            "{ at_least = { counter = \"te_laat\", value = 3 } }",
            "mentor",
        )
        .replace(
            "window = \"jaar\"\n",
            "window = \"jaar\"\nletter = \"te-laat-ouders\"\n",
        );
        let p = Protocol::from_toml(&text).unwrap();
        assert_eq!(p.steps[0].letter.as_deref(), Some("te-laat-ouders"));
    }

    #[test]
    fn an_unknown_code_is_located() {
        let e = err(&step_with(
            "{ at_least = { counter = \"te_laat\", value = 3 } }",
            "mentor",
        )
        .replace("[\"TO\"]", "[\"TO\", \"XX\"]"));
        assert_eq!((e.line, e.path.as_str()), (6, "counter[0].codes[1]"));
        assert!(e.reason.starts_with("code 'XX' staat niet in de codetabel"));
    }

    #[test]
    fn a_duplicate_step_id_is_an_error() {
        let one = step_with(
            "{ at_least = { counter = \"te_laat\", value = 3 } }",
            "mentor",
        );
        let tail = one.split_once("[[step]]").unwrap().1;
        let e = err(&format!("{one}\n[[step]]{tail}"));
        assert_eq!(e.path, "step[1].id");
        assert_eq!(e.line, 24);
        assert_eq!(e.reason, "stap-id 'a' komt twee keer voor");
    }

    #[test]
    fn a_step_needs_a_window_and_exactly_one_of_when_and_manual() {
        let base = step_with(
            "{ at_least = { counter = \"te_laat\", value = 3 } }",
            "mentor",
        );
        let e = err(&base.replace("window = \"jaar\"\n", ""));
        assert_eq!(e.path, "step[0].window");
        let e = err(&base.replace("window = \"jaar\"\n", "window = \"jaar\"\nmanual = true\n"));
        assert!(e.reason.contains("niet beide"));
        let e = err(&base.replace("window = \"jaar\"", "window = \"week\""));
        assert!(e.reason.starts_with("onbekend venster 'week'"));
    }

    #[test]
    fn bad_unit_window_sanction_and_melding_are_refused() {
        let base = step_with(
            "{ at_least = { counter = \"te_laat\", value = 3 } }",
            "mentor",
        );
        assert_eq!(
            err(&base.replace("unit = \"events\"", "unit = \"uren\"")).path,
            "counter[0].unit"
        );
        assert_eq!(
            err(&base.replace("type = \"school_year\"", "type = \"rolling_school_weeks\"")).path,
            "window[0].weeks"
        );
        assert_eq!(
            err(&base.replace(
                "[[step.action]]",
                "propose_melding = \"V9\"\n\n[[step.action]]"
            ))
            .path,
            "step[0].propose_melding"
        );
        let e = err(&base.replace(
            "[[step.action]]",
            "sanction = { report_at = { time = \"7 uur\" } }\n\n[[step.action]]",
        ));
        assert_eq!(e.path, "step[0].sanction.report_at.time");
        let e = err(&base.replace(
            "[[step.action]]",
            "sanction = { strafwerk = { text = \"x\" } }\n\n[[step.action]]",
        ));
        assert!(e.reason.starts_with("onbekende soort 'strafwerk'"), "{e}");
    }

    #[test]
    fn a_school_code_table_can_replace_the_default() {
        let mut codes = CodeTable::magister_default().codes().to_vec();
        codes.retain(|c| c.code != "TO");
        let table = CodeTable::new(codes).unwrap();
        let text = step_with(
            "{ at_least = { counter = \"te_laat\", value = 3 } }",
            "mentor",
        );
        assert!(Protocol::from_toml_with_codes(&text, &table).is_err());
    }
}
