//! The engine: per student, per step, per window instance, whether the condition holds as of
//! `today`; for each step reached its key, evidence, reason in words and tasks per role.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, Days, NaiveDate, NaiveTime, Weekday};
use serde::{Deserialize, Serialize};
use verzuim_domain::{CodeTable, RegistrationId, SchoolCalendar, StudentId};

use crate::{
    Condition, InputError, MeldingKind, Protocol, Role, Sanction, Trigger, Unit, WindowKind,
};

/// A school period of the school calendar (`SchoolCalendar::periods_or_standard`); its name
/// is shown in reasons ("periode 2") and its slug is the key suffix (`periode-2`).
pub use verzuim_domain::SchoolPeriod as Period;

/// One registration as the protocol engine counts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationFact {
    /// The registration's id (the evidence).
    pub id: RegistrationId,
    /// The student.
    pub student: StudentId,
    /// The date.
    pub date: NaiveDate,
    /// Absence code.
    pub code: String,
    /// Lesuren the registration covers (unit `hours`); 1 for one lesson.
    pub lesuren: u32,
}

/// A person started a manual step for a student on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManualTrigger {
    /// The step id (a step with `manual = true`).
    pub step: String,
    /// The student.
    pub student: StudentId,
    /// When it was started.
    pub date: NaiveDate,
}

/// What the engine evaluates the protocol on.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The school calendar (school days for deadlines and runs, lesweken, the school year).
    pub calendar: &'a SchoolCalendar,
    /// The school periods, for windows of type `period`.
    pub periods: &'a [Period],
    /// The school's code table (kind and authorized of each code).
    pub codes: &'a CodeTable,
    /// The students to evaluate, in output order.
    pub students: &'a [StudentId],
    /// Registrations of any students, in any order; those after `today` are ignored.
    pub registrations: &'a [RegistrationFact],
    /// Manual steps started by a person.
    pub manual: &'a [ManualTrigger],
}

/// A sanction with its numbers filled in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum SanctionOutcome {
    /// Make up `hours` (= factor × the counter's value when the step was reached).
    MakeUp {
        /// Hours to make up.
        hours: u32,
    },
    /// Report at `time` on `days` days.
    ReportAt {
        /// Clock time.
        time: NaiveTime,
        /// Days.
        days: u32,
    },
    /// Detention of `lesuren`.
    Detention {
        /// Lesuren.
        lesuren: u32,
    },
    /// Anything else.
    Other {
        /// What.
        text: String,
    },
}

impl SanctionOutcome {
    /// Dutch description.
    pub fn describe(&self) -> String {
        match self {
            Self::MakeUp { hours } => format!("{hours} uur inhalen"),
            Self::ReportAt { time, days } if *days == 1 => {
                format!("melden om {}", time.format("%H:%M"))
            }
            Self::ReportAt { time, days } => {
                format!("{days} dagen melden om {}", time.format("%H:%M"))
            }
            Self::Detention { lesuren } if *lesuren == 1 => "1 lesuur nablijven".to_owned(),
            Self::Detention { lesuren } => format!("{lesuren} lesuren nablijven"),
            Self::Other { text } => text.clone(),
        }
    }
}

/// One task a reached step creates: who, what, by when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Task {
    /// Stable key: the step key and the action's position, e.g. `laat-6@periode-2#0`.
    pub key: String,
    /// Who.
    pub role: Role,
    /// What.
    pub text: String,
    /// Why, in words, e.g. "6× te laat in periode 2".
    pub reason: String,
    /// Deadline: `today` + the action's school days; `None` when the action has none.
    pub due: Option<NaiveDate>,
}

/// A step reached in one window instance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReachedStep {
    /// Stable key: step id `@` window instance, e.g. `laat-6@periode-2`.
    pub key: String,
    /// Step id.
    pub step: String,
    /// Ladder name.
    pub ladder: String,
    /// Step title.
    pub title: String,
    /// The window instance in words, e.g. "periode 2".
    pub instance: String,
    /// First date on which the condition held in this instance.
    pub reached_on: NaiveDate,
    /// Why, in words, as of `reached_on`.
    pub reason: String,
    /// The registrations that counted, as of `reached_on`, ascending.
    pub evidence: Vec<RegistrationId>,
    /// The tasks, one per action.
    pub tasks: Vec<Task>,
    /// The sanction, computed.
    pub sanction: Option<SanctionOutcome>,
    /// Letter template.
    pub letter: Option<String>,
    /// Proposed DUO melding (a person decides).
    pub propose_melding: Option<MeldingKind>,
}

/// How far a counted step is in its current window instance (steps not reached there).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// Step id.
    pub step: String,
    /// The step's title, for people.
    pub title: String,
    /// The current window instance in words.
    pub instance: String,
    /// Per threshold of the condition: the counter's label (its words, e.g. "te laat"), value
    /// now, value needed.
    pub thresholds: Vec<(String, u32, u32)>,
}

/// One student's position on the protocol's ladders.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StudentLadder {
    /// The student.
    pub student: StudentId,
    /// Steps reached, in step order then `reached_on`.
    pub reached: Vec<ReachedStep>,
    /// Counted steps not reached in their current window instance (period, school year or
    /// rolling weeks containing `today`).
    pub progress: Vec<Progress>,
}

/// A registration with, precomputed, which counters select it (bit per counter) and its
/// school-day ordinal.
#[derive(Clone, Copy)]
struct F<'a> {
    r: &'a RegistrationFact,
    mask: u64,
    ord: Option<u32>,
}

impl std::ops::Deref for F<'_> {
    type Target = RegistrationFact;
    fn deref(&self) -> &RegistrationFact {
        self.r
    }
}

/// What names a window instance; its key suffix and words are written only when needed.
#[derive(Clone, Copy)]
enum InstanceName<'p> {
    Period(&'p str),
    Year(verzuim_domain::SchoolYear),
    Run(NaiveDate),
    Event(RegistrationId, NaiveDate),
    Day(NaiveDate),
}

impl InstanceName<'_> {
    fn key(self) -> String {
        match self {
            Self::Period(name) => slug(name),
            Self::Year(y) => y.to_string(),
            Self::Run(d) | Self::Day(d) => d.to_string(),
            Self::Event(id, _) => format!("r{}", id.0),
        }
    }

    fn label(self) -> String {
        match self {
            Self::Period(name) => name.to_owned(),
            Self::Year(y) => format!("schooljaar {y}"),
            Self::Run(d) => format!("de periode vanaf {}", d.format("%d-%m-%Y")),
            Self::Event(_, d) => format!("de registratie van {}", d.format("%d-%m-%Y")),
            Self::Day(d) => d.format("%d-%m-%Y").to_string(),
        }
    }
}

/// One window instance.
struct Instance<'p> {
    name: InstanceName<'p>,
    from: NaiveDate,
    to: NaiveDate,
    only: Option<RegistrationId>,
}

/// The school-wide preparation: school-day ordinals, lesweken, per counter which codes match.
struct Prepared<'a> {
    input: Input<'a>,
    ordinal: HashMap<NaiveDate, u32>,
    weeks: Vec<NaiveDate>,
    /// Per code, the counters that select it (bit per counter index).
    code_mask: HashMap<String, u64>,
}

/// Evaluates the protocol for every student of `input` as of `today`.
pub fn evaluate(
    protocol: &Protocol,
    input: &Input<'_>,
    today: NaiveDate,
) -> Result<Vec<StudentLadder>, InputError> {
    check_periods(protocol, input)?;
    for m in input.manual {
        match protocol.step(&m.step) {
            Some(s) if s.trigger == Trigger::Manual => {}
            Some(_) => {
                return Err(InputError::BadManualTrigger {
                    step: m.step.clone(),
                    reason: "deze stap wordt geteld, niet handmatig gestart".to_owned(),
                });
            }
            None => {
                return Err(InputError::BadManualTrigger {
                    step: m.step.clone(),
                    reason: "deze stap staat niet in het protocol".to_owned(),
                });
            }
        }
    }
    let prepared = prepare(protocol, *input);
    let mut by_student: HashMap<StudentId, Vec<F<'_>>> = HashMap::new();
    for r in input.registrations.iter().filter(|r| r.date <= today) {
        by_student.entry(r.student).or_default().push(F {
            r,
            mask: prepared.code_mask.get(&r.code).copied().unwrap_or(0),
            ord: prepared.ordinal.get(&r.date).copied(),
        });
    }
    let mut out = Vec::with_capacity(input.students.len());
    for &student in input.students {
        let mut facts = by_student.get(&student).cloned().unwrap_or_default();
        facts.sort_by(|a, b| {
            (a.date, a.id, &a.code, a.lesuren).cmp(&(b.date, b.id, &b.code, b.lesuren))
        });
        out.push(prepared.student(protocol, student, &facts, today));
    }
    Ok(out)
}

fn check_periods(protocol: &Protocol, input: &Input<'_>) -> Result<(), InputError> {
    if input.periods.is_empty()
        && let Some(s) = protocol
            .steps
            .iter()
            .find(|s| protocol.windows[s.window].kind == WindowKind::Period)
    {
        return Err(InputError::NoPeriods {
            window: protocol.windows[s.window].name.clone(),
        });
    }
    for (i, p) in input.periods.iter().enumerate() {
        if p.last < p.first {
            return Err(InputError::BadPeriod {
                period: p.name.clone(),
                reason: format!("eindigt ({}) voor het begint ({})", p.last, p.first),
            });
        }
        if let Some(o) = input.periods[..i]
            .iter()
            .find(|o| o.first <= p.last && p.first <= o.last)
        {
            return Err(InputError::BadPeriod {
                period: p.name.clone(),
                reason: format!("overlapt met '{}'", o.name),
            });
        }
        if slug(&p.name).is_empty()
            || input.periods[..i]
                .iter()
                .any(|o| slug(&o.name) == slug(&p.name))
        {
            return Err(InputError::BadPeriod {
                period: p.name.clone(),
                reason: "de naam is leeg of niet uniek".to_owned(),
            });
        }
    }
    Ok(())
}

fn prepare<'a>(protocol: &Protocol, input: Input<'a>) -> Prepared<'a> {
    let days = input.calendar.school_days();
    let ordinal = days
        .iter()
        .enumerate()
        .map(|(i, d)| (*d, i as u32))
        .collect();
    let weeks = input
        .calendar
        .school_weeks()
        .into_iter()
        .map(|w| w.monday)
        .collect();
    let selects = protocol
        .counters
        .iter()
        .map(|c| {
            let mut set: BTreeSet<String> = BTreeSet::new();
            for code in input.codes.codes() {
                let ok = c.codes.as_ref().is_none_or(|l| l.contains(&code.code))
                    && c.kind.is_none_or(|k| k == code.kind)
                    && c.authorized.is_none_or(|a| a == code.authorized);
                if ok {
                    set.insert(code.code.clone());
                }
            }
            // Codes listed by name count even if the caller's table lacks them.
            if c.kind.is_none()
                && c.authorized.is_none()
                && let Some(l) = &c.codes
            {
                set.extend(l.iter().cloned());
            }
            set
        })
        .collect::<Vec<BTreeSet<String>>>();
    let mut code_mask: HashMap<String, u64> = HashMap::new();
    for (i, set) in selects.iter().enumerate() {
        for code in set {
            *code_mask.entry(code.clone()).or_insert(0) |= 1u64 << i;
        }
    }
    Prepared {
        input,
        ordinal,
        weeks,
        code_mask,
    }
}

/// Lowercase, spaces and other separators as `-`.
pub(crate) fn slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().to_lowercase().chars() {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// The result of a condition on a set of facts.
struct Outcome {
    holds: bool,
    evidence: BTreeSet<RegistrationId>,
    parts: Vec<String>,
}

impl Prepared<'_> {
    fn value(
        &self,
        protocol: &Protocol,
        counter: usize,
        facts: &[F<'_>],
    ) -> (u32, Vec<RegistrationId>) {
        let bit = 1u64 << counter;
        let matched: Vec<F<'_>> = facts
            .iter()
            .copied()
            .filter(|f| f.mask & bit != 0)
            .collect();
        match protocol.counters[counter].unit {
            Unit::Events => (matched.len() as u32, matched.iter().map(|f| f.id).collect()),
            Unit::Hours => (
                matched
                    .iter()
                    .map(|f| f.lesuren)
                    .fold(0u32, u32::saturating_add),
                matched.iter().map(|f| f.id).collect(),
            ),
            Unit::DistinctDays => {
                let days: BTreeSet<NaiveDate> = matched.iter().map(|f| f.date).collect();
                (days.len() as u32, matched.iter().map(|f| f.id).collect())
            }
            Unit::Episodes => {
                let ords: BTreeSet<u32> = matched.iter().filter_map(|f| f.ord).collect();
                let mut n = 0u32;
                let mut prev = None::<u32>;
                for o in ords {
                    if prev.is_none_or(|p| p + 1 != o) {
                        n += 1;
                    }
                    prev = Some(o);
                }
                let ev = matched
                    .iter()
                    .filter(|f| f.ord.is_some())
                    .map(|f| f.id)
                    .collect();
                (n, ev)
            }
            Unit::ConsecutiveSchoolDays => {
                let ords: BTreeSet<u32> = matched.iter().filter_map(|f| f.ord).collect();
                // Longest run; on a tie the latest.
                let (mut best, mut best_end, mut len, mut prev) = (0u32, 0u32, 0u32, None::<u32>);
                for o in ords {
                    len = if prev.is_some_and(|p| p + 1 == o) {
                        len + 1
                    } else {
                        1
                    };
                    prev = Some(o);
                    if len >= best {
                        best = len;
                        best_end = o;
                    }
                }
                let start = best_end + 1 - best.max(1);
                let ev = matched
                    .iter()
                    .filter(|f| {
                        f.ord
                            .is_some_and(|o| best > 0 && o >= start && o <= best_end)
                    })
                    .map(|f| f.id)
                    .collect();
                (best, ev)
            }
        }
    }

    fn condition(&self, protocol: &Protocol, c: &Condition, facts: &[F<'_>]) -> Outcome {
        match c {
            Condition::AtLeast { counter, value } => {
                let (v, ev) = self.value(protocol, *counter, facts);
                let holds = v >= *value;
                Outcome {
                    holds,
                    evidence: if holds {
                        ev.into_iter().collect()
                    } else {
                        BTreeSet::new()
                    },
                    parts: if holds {
                        vec![part(&protocol.counters[*counter], v)]
                    } else {
                        Vec::new()
                    },
                }
            }
            Condition::All(list) => {
                let mut out = Outcome {
                    holds: true,
                    evidence: BTreeSet::new(),
                    parts: Vec::new(),
                };
                for sub in list {
                    let o = self.condition(protocol, sub, facts);
                    if !o.holds {
                        return Outcome {
                            holds: false,
                            evidence: BTreeSet::new(),
                            parts: Vec::new(),
                        };
                    }
                    out.evidence.extend(o.evidence);
                    out.parts.extend(o.parts);
                }
                out
            }
            Condition::Any(list) => {
                let mut out = Outcome {
                    holds: false,
                    evidence: BTreeSet::new(),
                    parts: Vec::new(),
                };
                for sub in list {
                    let o = self.condition(protocol, sub, facts);
                    if o.holds {
                        out.holds = true;
                        out.evidence.extend(o.evidence);
                        out.parts.extend(o.parts);
                    }
                }
                out
            }
        }
    }

    fn leaves(
        &self,
        protocol: &Protocol,
        c: &Condition,
        facts: &[F<'_>],
        out: &mut Vec<(String, u32, u32)>,
    ) {
        match c {
            Condition::AtLeast { counter, value } => {
                let (v, _) = self.value(protocol, *counter, facts);
                out.push((protocol.counters[*counter].label.clone(), v, *value));
            }
            Condition::All(l) | Condition::Any(l) => {
                l.iter().for_each(|s| self.leaves(protocol, s, facts, out))
            }
        }
    }

    fn in_instance<'f>(facts: &[F<'f>], i: &Instance) -> Vec<F<'f>> {
        facts
            .iter()
            .copied()
            .filter(|f| f.date >= i.from && f.date <= i.to && i.only.is_none_or(|id| id == f.id))
            .collect()
    }

    /// The instances of a (non-rolling) window for a student as of `today`.
    fn instances(&self, kind: WindowKind, facts: &[F<'_>], today: NaiveDate) -> Vec<Instance<'_>> {
        let cal = self.input.calendar;
        match kind {
            WindowKind::Period => self
                .input
                .periods
                .iter()
                .filter(|p| p.first <= today)
                .map(|p| Instance {
                    name: InstanceName::Period(&p.name),
                    from: p.first,
                    to: p.last,
                    only: None,
                })
                .collect(),
            WindowKind::SchoolYear => vec![Instance {
                name: InstanceName::Year(cal.year),
                from: cal.year.first_day(),
                to: cal.year.last_day(),
                only: None,
            }],
            WindowKind::RollingSchoolWeeks { .. } => Vec::new(),
            WindowKind::Run { counter } => {
                let bit = 1u64 << counter;
                let days: BTreeSet<(u32, NaiveDate)> = facts
                    .iter()
                    .filter(|f| f.mask & bit != 0)
                    .filter_map(|f| f.ord.map(|o| (o, f.date)))
                    .collect();
                let mut out: Vec<Instance> = Vec::new();
                let mut prev: Option<u32> = None;
                for (o, d) in days {
                    match (prev, out.last_mut()) {
                        (Some(p), Some(last)) if p + 1 == o => last.to = d,
                        _ => out.push(Instance {
                            name: InstanceName::Run(d),
                            from: d,
                            to: d,
                            only: None,
                        }),
                    }
                    prev = Some(o);
                }
                out
            }
            WindowKind::PerEvent { counter } => facts
                .iter()
                .filter(|f| f.mask & (1u64 << counter) != 0)
                .map(|f| Instance {
                    name: InstanceName::Event(f.id, f.date),
                    from: f.date,
                    to: f.date,
                    only: Some(f.id),
                })
                .collect(),
            WindowKind::PerDay { counter } => {
                let days: BTreeSet<NaiveDate> = facts
                    .iter()
                    .filter(|f| f.mask & (1u64 << counter) != 0)
                    .map(|f| f.date)
                    .collect();
                days.into_iter()
                    .map(|d| Instance {
                        name: InstanceName::Day(d),
                        from: d,
                        to: d,
                        only: None,
                    })
                    .collect()
            }
        }
    }

    /// If the condition holds on `facts` (already limited to the instance), the first date on
    /// which it held and the outcome as of that date.
    fn reached(
        &self,
        protocol: &Protocol,
        c: &Condition,
        facts: &[F<'_>],
    ) -> Option<(NaiveDate, Outcome)> {
        if !self.condition(protocol, c, facts).holds {
            return None;
        }
        // Conditions are monotone (only "at least"): binary search for the first date whose
        // prefix satisfies the condition.
        let dates: Vec<NaiveDate> = facts
            .iter()
            .map(|f| f.date)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let upto = |d: NaiveDate| -> Vec<F<'_>> {
            facts.iter().copied().filter(|f| f.date <= d).collect()
        };
        let (mut lo, mut hi) = (0usize, dates.len().checked_sub(1)?);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if self.condition(protocol, c, &upto(dates[mid])).holds {
                hi = mid;
            } else {
                lo = mid + 1;
            }
        }
        let on = dates[lo];
        Some((on, self.condition(protocol, c, &upto(on))))
    }

    fn student(
        &self,
        protocol: &Protocol,
        student: StudentId,
        facts: &[F<'_>],
        today: NaiveDate,
    ) -> StudentLadder {
        let mut reached = Vec::new();
        let mut progress = Vec::new();
        for (si, step) in protocol.steps.iter().enumerate() {
            let kind = protocol.windows[step.window].kind;
            let Trigger::When(cond) = &step.trigger else {
                for m in self
                    .input
                    .manual
                    .iter()
                    .filter(|m| m.student == student && m.step == step.id && m.date <= today)
                {
                    let reason = format!("handmatig gestart op {}", m.date.format("%d-%m-%Y"));
                    // A make-up sanction counts the school year up to the day it was started.
                    let year = self.input.calendar.year;
                    let upto: Vec<F<'_>> = facts
                        .iter()
                        .copied()
                        .filter(|f| f.date >= year.first_day() && f.date <= m.date)
                        .collect();
                    let sanction = self.sanction(protocol, step.sanction.as_ref(), &upto);
                    reached.push(self.reached_step(
                        protocol,
                        si,
                        format!("{}@{}", step.id, m.date),
                        m.date.format("%d-%m-%Y").to_string(),
                        m.date,
                        reason,
                        Vec::new(),
                        sanction,
                        today,
                    ));
                }
                continue;
            };
            let mut current: Option<(String, Vec<F<'_>>, bool)> = None;
            if let WindowKind::RollingSchoolWeeks { weeks } = kind {
                let n = weeks as usize;
                let Some(wt) = self.weeks.iter().rposition(|m| *m <= today) else {
                    continue;
                };
                let mut last: Option<usize> = None;
                for w in 0..=wt {
                    let lo = (w + 1).saturating_sub(n);
                    let from = self.weeks[lo];
                    let to = (self.weeks[w] + Days::new(6)).min(today);
                    let inst_facts: Vec<F<'_>> = facts
                        .iter()
                        .copied()
                        .filter(|f| f.date >= from && f.date <= to)
                        .collect();
                    let blocked = last.is_some_and(|t| w < t + n);
                    let iso = self.weeks[w].iso_week();
                    let label = || format!("{weeks} lesweken t/m week {}", iso.week());
                    if !blocked && let Some((on, o)) = self.reached(protocol, cond, &inst_facts) {
                        {
                            last = Some(w);
                            let label = label();
                            let key = format!("{}@{}-W{:02}", step.id, iso.year(), iso.week());
                            let reason = format!("{} in {label}", o.parts.join(" en "));
                            let upto: Vec<F<'_>> = inst_facts
                                .iter()
                                .copied()
                                .filter(|f| f.date <= on)
                                .collect();
                            let sanction = self.sanction(protocol, step.sanction.as_ref(), &upto);
                            reached.push(self.reached_step(
                                protocol,
                                si,
                                key,
                                label.clone(),
                                on,
                                reason,
                                o.evidence.into_iter().collect(),
                                sanction,
                                today,
                            ));
                        }
                    }
                    if w == wt {
                        current = Some((label(), inst_facts, blocked || last == Some(w)));
                    }
                }
            } else {
                for inst in self.instances(kind, facts, today) {
                    let inst_facts = Self::in_instance(facts, &inst);
                    let hit = self.reached(protocol, cond, &inst_facts);
                    let is_current = inst.from <= today && today <= inst.to;
                    if let Some((on, o)) = hit {
                        let upto: Vec<F<'_>> = inst_facts
                            .iter()
                            .copied()
                            .filter(|f| f.date <= on)
                            .collect();
                        let sanction = self.sanction(protocol, step.sanction.as_ref(), &upto);
                        let label = inst.name.label();
                        let reason = format!("{} in {label}", o.parts.join(" en "));
                        reached.push(self.reached_step(
                            protocol,
                            si,
                            format!("{}@{}", step.id, inst.name.key()),
                            label.clone(),
                            on,
                            reason,
                            o.evidence.into_iter().collect(),
                            sanction,
                            today,
                        ));
                        if is_current {
                            current = Some((label, inst_facts, true));
                        }
                    } else if is_current
                        && matches!(kind, WindowKind::Period | WindowKind::SchoolYear)
                    {
                        current = Some((inst.name.label(), inst_facts, false));
                    }
                }
            }
            if let Some((label, inst_facts, false)) = current {
                let mut thresholds = Vec::new();
                self.leaves(protocol, cond, &inst_facts, &mut thresholds);
                progress.push(Progress {
                    step: step.id.clone(),
                    title: step.title.clone(),
                    instance: label,
                    thresholds,
                });
            }
        }
        StudentLadder {
            student,
            reached,
            progress,
        }
    }

    fn sanction(
        &self,
        protocol: &Protocol,
        s: Option<&Sanction>,
        facts: &[F<'_>],
    ) -> Option<SanctionOutcome> {
        Some(match s? {
            Sanction::MakeUp { counter, factor } => SanctionOutcome::MakeUp {
                hours: self
                    .value(protocol, *counter, facts)
                    .0
                    .saturating_mul(*factor),
            },
            Sanction::ReportAt { time, days } => SanctionOutcome::ReportAt {
                time: *time,
                days: *days,
            },
            Sanction::Detention { lesuren } => SanctionOutcome::Detention { lesuren: *lesuren },
            Sanction::Other { text } => SanctionOutcome::Other { text: text.clone() },
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn reached_step(
        &self,
        protocol: &Protocol,
        si: usize,
        key: String,
        instance: String,
        reached_on: NaiveDate,
        reason: String,
        evidence: Vec<RegistrationId>,
        sanction: Option<SanctionOutcome>,
        today: NaiveDate,
    ) -> ReachedStep {
        let step = &protocol.steps[si];
        let tasks = step
            .actions
            .iter()
            .enumerate()
            .map(|(j, a)| Task {
                key: format!("{key}#{j}"),
                role: a.role,
                text: a.text.clone(),
                reason: reason.clone(),
                due: a
                    .within_school_days
                    .map(|n| add_school_days(self.input.calendar, today, n)),
            })
            .collect();
        ReachedStep {
            key,
            step: step.id.clone(),
            ladder: step.ladder.clone(),
            title: step.title.clone(),
            instance,
            reached_on,
            reason,
            evidence,
            tasks,
            sanction,
            letter: step.letter.clone(),
            propose_melding: step.propose_melding,
        }
    }
}

/// The reason words for one counter value.
fn part(c: &crate::Counter, v: u32) -> String {
    match c.unit {
        Unit::Events => format!("{v}× {}", c.label),
        Unit::Hours => format!("{v} uur {}", c.label),
        Unit::DistinctDays => format!("{v} dagen {}", c.label),
        Unit::ConsecutiveSchoolDays => format!("{v} schooldagen aaneen {}", c.label),
        Unit::Episodes => format!("{v} keer {}", c.label),
    }
}

/// The `n`th school day after `from` (`from` itself when `n` is 0). Past the calendar's last
/// day, weekdays count.
pub fn add_school_days(cal: &SchoolCalendar, from: NaiveDate, n: u32) -> NaiveDate {
    let mut d = from;
    let mut left = n;
    while left > 0 {
        let Some(next) = d.succ_opt() else { return d };
        d = next;
        let weekday = !matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        if cal.is_school_day(d) || (d > cal.last_day && weekday) {
            left -= 1;
        }
    }
    d
}

#[cfg(test)]
pub(crate) mod tests {
    use std::collections::BTreeSet;

    use chrono::NaiveDate;
    use verzuim_domain::{Holiday, Region, SchoolYear};

    use super::*;
    use crate::format::tests::EXAMPLE;

    pub(crate) fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    /// School year 2026-2027 from 31 Aug to 9 Jul, autumn holiday 19–23 Oct 2026.
    pub(crate) fn calendar() -> SchoolCalendar {
        let autumn = Holiday {
            name: "Herfstvakantie".into(),
            region: verzuim_domain::calendar::HolidayRegion::One(Region::Zuid),
            first: d(2026, 10, 17),
            last: d(2026, 10, 25),
        };
        SchoolCalendar::new(
            SchoolYear::starting(2026),
            Region::Zuid,
            d(2026, 8, 31),
            d(2027, 7, 9),
            vec![autumn],
            BTreeSet::new(),
        )
        .unwrap()
    }

    pub(crate) fn periods() -> Vec<Period> {
        vec![
            Period {
                name: "periode 1".into(),
                first: d(2026, 8, 31),
                last: d(2026, 11, 13),
            },
            Period {
                name: "periode 2".into(),
                first: d(2026, 11, 16),
                last: d(2027, 2, 5),
            },
        ]
    }

    pub(crate) fn fact(id: i64, date: NaiveDate, code: &str, lesuren: u32) -> RegistrationFact {
        RegistrationFact {
            id: RegistrationId(id),
            student: StudentId(1),
            date,
            code: code.into(),
            lesuren,
        }
    }

    fn run(
        facts: &[RegistrationFact],
        manual: &[ManualTrigger],
        today: NaiveDate,
    ) -> StudentLadder {
        let p = Protocol::from_toml(EXAMPLE).unwrap();
        let cal = calendar();
        let codes = CodeTable::magister_default();
        let input = Input {
            calendar: &cal,
            periods: &periods(),
            codes: &codes,
            students: &[StudentId(1)],
            registrations: facts,
            manual,
        };
        evaluate(&p, &input, today).unwrap().remove(0)
    }

    fn keys(l: &StudentLadder) -> Vec<&str> {
        l.reached.iter().map(|r| r.key.as_str()).collect()
    }

    /// `n` registrations of `code` on the school days from 7 Sep 2026, one per day.
    fn daily(n: i64, code: &str, first_id: i64) -> Vec<RegistrationFact> {
        let cal = calendar();
        cal.school_days()
            .into_iter()
            .filter(|x| *x >= d(2026, 9, 7))
            .take(n as usize)
            .enumerate()
            .map(|(i, day)| fact(first_id + i as i64, day, code, 1))
            .collect()
    }

    #[test]
    fn late_six_times_in_a_period_is_reached_at_the_sixth_not_the_fifth() {
        let today = d(2026, 10, 1);
        let five = run(&daily(5, "TO", 1), &[], today);
        assert!(keys(&five).is_empty());
        assert_eq!(
            five.progress[0].thresholds,
            vec![("te laat".to_owned(), 5, 6)]
        );
        let six = run(&daily(6, "TO", 1), &[], today);
        assert_eq!(keys(&six), ["laat-6@periode-1"]);
        let r = &six.reached[0];
        assert_eq!(r.reason, "6× te laat in periode 1");
        assert_eq!(r.reached_on, d(2026, 9, 14));
        assert_eq!(r.evidence.len(), 6);
        assert_eq!(r.sanction, Some(SanctionOutcome::Detention { lesuren: 1 }));
        assert_eq!(r.letter.as_deref(), Some("te-laat-ouders"));
        assert_eq!(r.tasks[0].role, Role::Mentor);
        assert_eq!(r.tasks[0].key, "laat-6@periode-1#0");
        // Thursday 1 Oct + 2 school days = Monday 5 Oct.
        assert_eq!(r.tasks[0].due, Some(d(2026, 10, 5)));
        assert_eq!(r.tasks[1].due, Some(d(2026, 10, 2)));
    }

    #[test]
    fn authorized_late_does_not_count_and_a_new_period_starts_from_zero() {
        let mut f = daily(6, "TG", 1);
        f.extend((0..5).map(|i| fact(100 + i, d(2026, 11, 16) + Days::new(i as u64), "TO", 1)));
        let l = run(&f, &[], d(2026, 11, 30));
        assert!(keys(&l).is_empty());
        assert_eq!(l.progress[0].instance, "periode 2");
        f.push(fact(200, d(2026, 11, 23), "TO", 1));
        assert_eq!(keys(&run(&f, &[], d(2026, 11, 30))), ["laat-6@periode-2"]);
    }

    #[test]
    fn every_truanted_registration_is_its_own_step_with_hours_made_up_double() {
        let f = vec![
            fact(1, d(2026, 9, 7), "SP", 2),
            fact(2, d(2026, 9, 8), "SP", 1),
        ];
        let l = run(&f, &[], d(2026, 9, 9));
        assert_eq!(keys(&l), ["spijbel-uur@r1", "spijbel-uur@r2"]);
        assert_eq!(
            l.reached[0].sanction,
            Some(SanctionOutcome::MakeUp { hours: 4 })
        );
        assert_eq!(
            l.reached[1].sanction,
            Some(SanctionOutcome::MakeUp { hours: 2 })
        );
        assert_eq!(
            l.reached[0].reason,
            "2 uur gespijbeld in de registratie van 07-09-2026"
        );
        assert_eq!(l.reached[0].tasks[0].due, None);
    }

    #[test]
    fn unresolved_on_counts_as_unauthorized_absence() {
        let l = run(&[fact(1, d(2026, 9, 7), "ON", 1)], &[], d(2026, 9, 9));
        assert_eq!(keys(&l), ["spijbel-uur@r1"]);
    }

    #[test]
    fn nine_removals_with_nine_late_or_five_truant_hours() {
        let mut f = daily(9, "UI", 1);
        f.extend(daily(8, "TO", 100));
        f.push(fact(300, d(2026, 9, 7), "SP", 4));
        let today = d(2026, 10, 1);
        assert!(
            !keys(&run(&f, &[], today))
                .iter()
                .any(|k| k.starts_with("uitgestuurd"))
        );
        f.push(fact(301, d(2026, 9, 8), "SP", 1));
        let l = run(&f, &[], today);
        let r = l
            .reached
            .iter()
            .find(|r| r.step == "uitgestuurd-9-combi")
            .unwrap();
        assert_eq!(r.key, "uitgestuurd-9-combi@2026-2027");
        assert_eq!(
            r.reason,
            "9× uit de les verwijderd en 5 uur gespijbeld in schooljaar 2026-2027"
        );
        assert_eq!(r.propose_melding, Some(MeldingKind::O));
        assert!(
            r.evidence.contains(&RegistrationId(301)) && !r.evidence.contains(&RegistrationId(100))
        );
    }

    #[test]
    fn three_sick_days_in_a_row_across_a_weekend_reach_once_per_sickness() {
        // Fri 11 Sep, Mon 14, Tue 15: one run of 3 school days.
        let mut f = vec![
            fact(1, d(2026, 9, 11), "ZK", 6),
            fact(2, d(2026, 9, 14), "ZK", 6),
            fact(3, d(2026, 9, 15), "ZK", 6),
        ];
        let l = run(&f, &[], d(2026, 9, 16));
        assert_eq!(keys(&l), ["ziek-3@2026-09-11"]);
        assert_eq!(
            l.reached[0].reason,
            "3 schooldagen aaneen ziek in de periode vanaf 11-09-2026"
        );
        // Friday before and Monday after the autumn holiday: a run of 2, not 3.
        f.extend([
            fact(4, d(2026, 10, 15), "ZK", 6),
            fact(5, d(2026, 10, 16), "ZK", 6),
            fact(6, d(2026, 10, 26), "ZK", 6),
        ]);
        let l = run(&f, &[], d(2026, 10, 27));
        assert_eq!(keys(&l), ["ziek-3@2026-09-11", "ziek-3@2026-10-15"]);
        f.remove(3);
        assert_eq!(keys(&run(&f, &[], d(2026, 10, 27))), ["ziek-3@2026-09-11"]);
    }

    #[test]
    fn sixteen_hours_in_four_school_weeks_and_not_again_within_those_weeks() {
        // 4 hours truant each Monday for 4 weeks from 7 Sep.
        let f: Vec<_> = (0..4)
            .map(|i| fact(i + 1, d(2026, 9, 7) + Days::new(7 * i as u64), "SP", 4))
            .collect();
        let l = run(&f, &[], d(2026, 10, 2));
        let r: Vec<_> = l
            .reached
            .iter()
            .filter(|r| r.step == "zestien-uur")
            .collect();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].key, "zestien-uur@2026-W40");
        assert_eq!(r[0].reached_on, d(2026, 9, 28));
        assert_eq!(r[0].propose_melding, Some(MeldingKind::V3));
        // Spread over five weeks (one Monday skipped): never 16 within 4 weeks.
        let g: Vec<_> = [0u64, 1, 2, 4]
            .iter()
            .enumerate()
            .map(|(i, w)| fact(i as i64 + 1, d(2026, 9, 7) + Days::new(7 * w), "SP", 4))
            .collect();
        assert!(
            !run(&g, &[], d(2026, 10, 16))
                .reached
                .iter()
                .any(|r| r.step == "zestien-uur")
        );
    }

    #[test]
    fn registrations_after_today_are_not_counted() {
        assert!(keys(&run(&daily(6, "TO", 1), &[], d(2026, 9, 11))).is_empty());
    }

    #[test]
    fn a_manual_step_is_reached_when_a_person_starts_it() {
        let m = [ManualTrigger {
            step: "gedrag-verandert-niet".into(),
            student: StudentId(1),
            date: d(2026, 9, 10),
        }];
        let l = run(&[], &m, d(2026, 9, 11));
        assert_eq!(keys(&l), ["gedrag-verandert-niet@2026-09-10"]);
        assert_eq!(l.reached[0].tasks[0].role, Role::Teamleider);
        assert_eq!(l.reached[0].tasks[0].due, Some(d(2026, 9, 18)));
        assert_eq!(l.reached[0].sanction, None);
        assert!(l.reached[0].evidence.is_empty());
    }

    #[test]
    fn a_manual_step_carries_its_sanction_letter_and_melding() {
        let text = EXAMPLE.replace(
            "manual = true               # a person triggers it; window defaults to the school year",
            "manual = true\nletter = \"uitnodiging-gesprek-ouders\"\npropose_melding = \"O\"\nsanction = { make_up = { counter = \"spijbeluren\", factor = 2 } }",
        );
        let p = Protocol::from_toml(&text).unwrap();
        let cal = calendar();
        let codes = CodeTable::magister_default();
        let ps = periods();
        let f = [
            fact(1, d(2026, 9, 7), "SP", 3),
            fact(2, d(2026, 9, 14), "SP", 1),
        ];
        let m = [ManualTrigger {
            step: "gedrag-verandert-niet".into(),
            student: StudentId(1),
            date: d(2026, 9, 10),
        }];
        let input = Input {
            calendar: &cal,
            periods: &ps,
            codes: &codes,
            students: &[StudentId(1)],
            registrations: &f,
            manual: &m,
        };
        let l = evaluate(&p, &input, d(2026, 9, 15)).unwrap().remove(0);
        let r = l
            .reached
            .iter()
            .find(|r| r.step == "gedrag-verandert-niet")
            .unwrap();
        assert_eq!(r.sanction, Some(SanctionOutcome::MakeUp { hours: 6 }));
        assert_eq!(r.letter.as_deref(), Some("uitnodiging-gesprek-ouders"));
        assert_eq!(r.propose_melding, Some(MeldingKind::O));
    }

    #[test]
    fn bad_input_is_refused_in_dutch() {
        let p = Protocol::from_toml(EXAMPLE).unwrap();
        let cal = calendar();
        let codes = CodeTable::magister_default();
        let m = [ManualTrigger {
            step: "laat-6".into(),
            student: StudentId(1),
            date: d(2026, 9, 10),
        }];
        let mut input = Input {
            calendar: &cal,
            periods: &[],
            codes: &codes,
            students: &[StudentId(1)],
            registrations: &[],
            manual: &[],
        };
        assert!(matches!(
            evaluate(&p, &input, d(2026, 9, 9)),
            Err(InputError::NoPeriods { .. })
        ));
        let ps = periods();
        input.periods = &ps;
        input.manual = &m;
        assert!(matches!(
            evaluate(&p, &input, d(2026, 9, 9)),
            Err(InputError::BadManualTrigger { .. })
        ));
        let overlap = vec![
            ps[0].clone(),
            Period {
                name: "x".into(),
                first: d(2026, 11, 1),
                last: d(2026, 12, 1),
            },
        ];
        input.periods = &overlap;
        input.manual = &[];
        assert!(matches!(
            evaluate(&p, &input, d(2026, 9, 9)),
            Err(InputError::BadPeriod { .. })
        ));
    }

    #[test]
    fn deadlines_skip_weekends_and_holidays() {
        let cal = calendar();
        assert_eq!(add_school_days(&cal, d(2026, 10, 16), 1), d(2026, 10, 26));
        assert_eq!(add_school_days(&cal, d(2026, 10, 16), 0), d(2026, 10, 16));
        assert_eq!(add_school_days(&cal, d(2027, 7, 9), 1), d(2027, 7, 12));
    }

    #[test]
    fn slug_makes_period_names_key_safe() {
        assert_eq!(slug(" Periode 2 "), "periode-2");
        assert_eq!(slug("P3 / voorjaar"), "p3-voorjaar");
    }

    #[test]
    fn explain_names_the_position_and_the_next_threshold() {
        let mut f = daily(6, "TO", 1);
        let six = run(&f, &[], d(2026, 10, 1));
        let p = Protocol::from_toml(EXAMPLE).unwrap();
        let t = crate::explain(&p, &six);
        assert!(t.contains("Ladder 'te laat': op stap 'laat-6' (6× te laat), bereikt op 14-09-2026 in periode 1."), "{t}");
        assert!(
            t.contains("mentor (uiterlijk 05-10-2026): Licht ouders in"),
            "{t}"
        );
        assert!(t.contains("sanctie: 1 lesuur nablijven"), "{t}");
        f.truncate(2);
        let t = crate::explain(&p, &run(&f, &[], d(2026, 10, 1)));
        assert!(
            t.contains("Ladder 'te laat': nog geen stap bereikt."),
            "{t}"
        );
        assert!(
            t.contains("volgende: '6× te laat' in periode 1: te laat 2 van 6"),
            "{t}"
        );
    }

    const SPELLS: &str = r#"
[protocol]
name = "ziekte"

[[counter]]
name = "ziek"
label = "ziek gemeld"
codes = ["ZK"]
unit = "episodes"

[[counter]]
name = "laat"
label = "te laat"
codes = ["TO"]
unit = "events"

[[window]]
name = "periode"
type = "period"

[[window]]
name = "dag"
type = "per_day"
counter = "laat"

[[step]]
id = "vaak-ziek"
ladder = "ziekte"
window = "periode"
when = { at_least = { counter = "ziek", value = 3 } }
[[step.action]]
role = "schoolarts"
text = "spreekuur"

[[step]]
id = "laat-vandaag"
ladder = "te laat"
window = "dag"
when = { at_least = { counter = "laat", value = 1 } }
[[step.action]]
role = "daco"
text = "bel naar huis"
within_school_days = 0
"#;

    fn spells(facts: &[RegistrationFact], today: NaiveDate) -> StudentLadder {
        let p = Protocol::from_toml(SPELLS).unwrap();
        let cal = calendar();
        let codes = CodeTable::magister_default();
        let ps = periods();
        let input = Input {
            calendar: &cal,
            periods: &ps,
            codes: &codes,
            students: &[StudentId(1)],
            registrations: facts,
            manual: &[],
        };
        evaluate(&p, &input, today).unwrap().remove(0)
    }

    #[test]
    fn episodes_count_sick_spells_not_days() {
        // Mon–Wed 7–9 Sep is one spell; Mon 14 Sep and Fri 18 Sep two more.
        let mut f = vec![
            fact(1, d(2026, 9, 7), "ZK", 6),
            fact(2, d(2026, 9, 8), "ZK", 6),
            fact(3, d(2026, 9, 9), "ZK", 6),
            fact(4, d(2026, 9, 14), "ZK", 6),
        ];
        assert!(keys(&spells(&f, d(2026, 9, 30))).is_empty());
        f.push(fact(5, d(2026, 9, 18), "ZK", 2));
        let l = spells(&f, d(2026, 9, 30));
        assert_eq!(keys(&l), ["vaak-ziek@periode-1"]);
        assert_eq!(l.reached[0].reason, "3 keer ziek gemeld in periode 1");
        assert_eq!(l.reached[0].reached_on, d(2026, 9, 18));
    }

    #[test]
    fn a_per_day_window_reaches_once_per_date() {
        let f = vec![
            fact(1, d(2026, 9, 7), "TO", 1),
            fact(2, d(2026, 9, 7), "TO", 1),
            fact(3, d(2026, 9, 9), "TO", 1),
        ];
        let l = spells(&f, d(2026, 9, 9));
        assert_eq!(
            keys(&l),
            ["laat-vandaag@2026-09-07", "laat-vandaag@2026-09-09"]
        );
        assert_eq!(
            l.reached[0].evidence,
            [RegistrationId(1), RegistrationId(2)]
        );
        assert_eq!(l.reached[1].tasks[0].due, Some(d(2026, 9, 9)));
    }
}
