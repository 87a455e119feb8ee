//! Scenario tests for the two shipped presets, `protocols/mlg-2020.toml` (seed 003) and
//! `protocols/vmbo-maastricht-2019.toml` (seed 004): one test per row of each seed, named after
//! the row. Each counted row is checked just below its threshold (not reached) and at it
//! (reached once, with the right roles in order, deadlines, sanction, letter and proposed
//! melding); each manual row is never reached from registrations and is reached by a trigger.
//! The row inventory with the choices made is `docs/protocol-presets.md`.

#![allow(clippy::unwrap_used, clippy::panic)]

use std::collections::BTreeSet;

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use verzuim_domain::{CodeTable, Region, RegistrationId, SchoolCalendar, SchoolYear, StudentId};
use verzuim_protocol::{
    Input, ManualTrigger, MeldingKind, Period, Protocol, ReachedStep, RegistrationFact, Role,
    SanctionOutcome, StudentLadder, Trigger, evaluate,
};

const MLG: &str = include_str!("../../../protocols/mlg-2020.toml");
const VMBO: &str = include_str!("../../../protocols/vmbo-maastricht-2019.toml");

const STUDENT: StudentId = StudentId(1);

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn mlg() -> Protocol {
    Protocol::from_toml(MLG).unwrap_or_else(|e| panic!("mlg-2020.toml: {e}"))
}

fn vmbo() -> Protocol {
    Protocol::from_toml(VMBO).unwrap_or_else(|e| panic!("vmbo-maastricht-2019.toml: {e}"))
}

/// `n` school days after `from`, counted here independently of the engine: the test
/// calendars have no holidays and the test dates no public holidays, so only weekends skip.
fn plus(from: NaiveDate, n: u32) -> NaiveDate {
    let mut day = from;
    let mut left = n;
    while left > 0 {
        day = day.succ_opt().unwrap();
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            left -= 1;
        }
    }
    day
}

/// One student's registrations and manual triggers in a test school year.
struct World {
    cal: SchoolCalendar,
    periods: Vec<Period>,
    regs: Vec<RegistrationFact>,
    manual: Vec<ManualTrigger>,
}

impl World {
    /// MLG: school year 2020-2021, no holidays (weekends only), no periods (MLG counts per
    /// school year).
    fn mlg() -> Self {
        let cal = SchoolCalendar::new(
            SchoolYear::starting(2020),
            Region::Midden,
            d(2020, 8, 17),
            d(2021, 7, 9),
            Vec::new(),
            BTreeSet::new(),
        )
        .unwrap();
        Self {
            cal,
            periods: Vec::new(),
            regs: Vec::new(),
            manual: Vec::new(),
        }
    }

    /// VMBO Maastricht: school year 2019-2020, no holidays, four periods.
    fn vmbo() -> Self {
        let cal = SchoolCalendar::new(
            SchoolYear::starting(2019),
            Region::Zuid,
            d(2019, 8, 19),
            d(2020, 7, 3),
            Vec::new(),
            BTreeSet::new(),
        )
        .unwrap();
        let p = |name: &str, first, last| Period {
            name: name.into(),
            first,
            last,
        };
        Self {
            cal,
            periods: vec![
                p("periode 1", d(2019, 8, 19), d(2019, 11, 8)),
                p("periode 2", d(2019, 11, 11), d(2020, 1, 31)),
                p("periode 3", d(2020, 2, 3), d(2020, 4, 17)),
                p("periode 4", d(2020, 4, 20), d(2020, 7, 3)),
            ],
            regs: Vec::new(),
            manual: Vec::new(),
        }
    }

    /// One registration; returns its id.
    fn add(&mut self, date: NaiveDate, code: &str, lesuren: u32) -> RegistrationId {
        assert!(self.cal.is_school_day(date), "{date} is geen schooldag");
        let id = RegistrationId(self.regs.len() as i64 + 1);
        self.regs.push(RegistrationFact {
            id,
            student: STUDENT,
            date,
            code: code.into(),
            lesuren,
        });
        id
    }

    /// One registration on each of `n` consecutive school days from `from`; returns the last
    /// date.
    fn days(&mut self, from: NaiveDate, n: u32, code: &str, lesuren: u32) -> NaiveDate {
        let mut day = from;
        let mut last = from;
        for _ in 0..n {
            while !self.cal.is_school_day(day) {
                day = day.succ_opt().unwrap();
            }
            self.add(day, code, lesuren);
            last = day;
            day = day.succ_opt().unwrap();
        }
        last
    }

    /// `n` one-lesson registrations on `date`.
    fn times(&mut self, date: NaiveDate, n: u32, code: &str) {
        for _ in 0..n {
            self.add(date, code, 1);
        }
    }

    /// A person starts manual step `step` on `date`.
    fn trigger(&mut self, step: &str, date: NaiveDate) {
        self.manual.push(ManualTrigger {
            step: step.into(),
            student: STUDENT,
            date,
        });
    }

    /// Lots of every kind of registration: 20 school days each of TO, SP, ON, ZK, UI from
    /// 2 Sep (of the world's school year), several lesuren — enough to reach every counted
    /// rung, so a manual step that is reached here was mis-encoded as counted.
    fn everything(&mut self) -> NaiveDate {
        let start = d(self.cal.year.start_year(), 9, 2);
        let mut last = start;
        for code in ["TO", "SP", "ON", "ZK", "UI", "TO", "UI"] {
            last = self.days(start, 20, code, 4);
        }
        last
    }

    fn run(&self, p: &Protocol, today: NaiveDate) -> StudentLadder {
        let codes = CodeTable::magister_default();
        let input = Input {
            calendar: &self.cal,
            periods: &self.periods,
            codes: &codes,
            students: &[STUDENT],
            registrations: &self.regs,
            manual: &self.manual,
        };
        let mut ladders = evaluate(p, &input, today).unwrap();
        assert_eq!(ladders.len(), 1);
        ladders.remove(0)
    }
}

/// What a reached step must carry.
struct Expect<'a> {
    /// Role and `within_school_days` of each action, in file order.
    tasks: &'a [(Role, Option<u32>)],
    sanction: Option<SanctionOutcome>,
    letter: Option<&'a str>,
    melding: Option<MeldingKind>,
}

impl<'a> Expect<'a> {
    fn tasks(tasks: &'a [(Role, Option<u32>)]) -> Self {
        Self {
            tasks,
            sanction: None,
            letter: None,
            melding: None,
        }
    }

    fn sanction(mut self, s: SanctionOutcome) -> Self {
        self.sanction = Some(s);
        self
    }

    fn letter(mut self, l: &'a str) -> Self {
        self.letter = Some(l);
        self
    }

    fn melding(mut self, m: MeldingKind) -> Self {
        self.melding = Some(m);
        self
    }
}

fn hits<'l>(l: &'l StudentLadder, step: &str) -> Vec<&'l ReachedStep> {
    l.reached.iter().filter(|r| r.step == step).collect()
}

fn assert_not_reached(l: &StudentLadder, step: &str) {
    let h = hits(l, step);
    assert!(
        h.is_empty(),
        "{step} is bereikt maar hoort dat niet: {:?}",
        h.iter().map(|r| &r.reason).collect::<Vec<_>>()
    );
}

/// Exactly one instance of `step` is reached, carrying `e`; returns (a copy of) it.
fn assert_reached(l: &StudentLadder, step: &str, today: NaiveDate, e: &Expect<'_>) -> ReachedStep {
    let h = hits(l, step);
    assert_eq!(
        h.len(),
        1,
        "{step}: verwacht één keer bereikt, is {}",
        h.len()
    );
    let r = h[0];
    let got: Vec<(Role, Option<NaiveDate>)> = r.tasks.iter().map(|t| (t.role, t.due)).collect();
    let want: Vec<(Role, Option<NaiveDate>)> = e
        .tasks
        .iter()
        .map(|(role, n)| (*role, n.map(|n| plus(today, n))))
        .collect();
    assert_eq!(got, want, "{step}: rollen en deadlines");
    assert!(
        r.tasks.iter().all(|t| !t.text.trim().is_empty()),
        "{step}: elke taak heeft een tekst"
    );
    assert_eq!(r.sanction, e.sanction, "{step}: sanctie");
    assert_eq!(r.letter.as_deref(), e.letter, "{step}: brief");
    assert_eq!(r.propose_melding, e.melding, "{step}: DUO-melding");
    r.clone()
}

/// A manual row: the step is manual, never reached from registrations alone (even with every
/// counted rung reached), and reached once by a trigger with the expected tasks.
fn assert_manual_row(p: &Protocol, mut world: World, step: &str, e: &Expect<'_>) {
    assert!(
        p.step(step).is_some_and(|s| s.trigger == Trigger::Manual),
        "{step} moet een handmatige stap zijn"
    );
    let today = world.everything();
    let l = world.run(p, today);
    assert!(!l.reached.is_empty(), "the counted rungs are reached");
    assert_not_reached(&l, step);
    world.trigger(step, today);
    let l = world.run(p, today);
    let r = assert_reached(&l, step, today, e);
    assert_eq!(r.key, format!("{step}@{today}"));
}

fn report_at_0745() -> SanctionOutcome {
    SanctionOutcome::ReportAt {
        time: NaiveTime::from_hms_opt(7, 45, 0).unwrap(),
        days: 1,
    }
}

fn other(text: &str) -> SanctionOutcome {
    SanctionOutcome::Other { text: text.into() }
}

use Role::{
    Daco, Docent, Iot, Leerling, Leerplichtambtenaar as Lpa, Mentor, Oco, Ot, Receptie,
    Servicebureau, Teamleider, Verzuimcoordinator as Vc,
};

// ---------------------------------------------------------------------------------------
// Both presets
// ---------------------------------------------------------------------------------------

#[test]
fn both_presets_load() {
    let m = mlg();
    let v = vmbo();
    assert_eq!(m.steps.len(), MLG_STEPS.len());
    assert_eq!(v.steps.len(), VMBO_STEPS.len());
}

/// Every step id of the MLG preset, each with its scenario test below.
const MLG_STEPS: &[&str] = &[
    "mlg-te-laat-3",
    "mlg-te-laat-6",
    "mlg-te-laat-9",
    "mlg-te-laat-10",
    "mlg-ziek-3-dagen-aaneen",
    "mlg-ziek-5-dagen-aaneen",
    "mlg-ziek-3x-korte-periode",
    "mlg-vast-ziektepatroon",
    "mlg-bijzondere-afspraken",
    "mlg-onduidelijk-ziektebeeld",
    "mlg-ziek-meer-dan-80-uur",
    "mlg-spijbelen-per-lesuur",
    "mlg-spijbelen-5e-lesuur",
    "mlg-spijbelen-6e-lesuur",
    "mlg-spijbelen-7e-lesuur-of-3-dagen",
    "mlg-uitgestuurd-3",
    "mlg-uitgestuurd-6",
    "mlg-uitgestuurd-7",
    "mlg-uitgestuurd-9-met-laat-of-spijbelen",
    "mlg-uitgestuurd-12-met-laat-of-spijbelen",
    "mlg-combinatie-absenties",
    "mlg-veel-verzuim-vorig-schooljaar",
];

/// Every step id of the VMBO preset, each with its scenario test below.
const VMBO_STEPS: &[&str] = &[
    "vmbo-ziekmelding-bij-daco",
    "vmbo-ziek-3-dagen",
    "vmbo-ziek-5-dagen",
    "vmbo-ziek-frequent",
    "vmbo-ziek-mazl-meer-dan-15-dagen",
    "vmbo-ziek-mazl-meer-dan-4-keer",
    "vmbo-ziek-geen-beperking-jeugdarts",
    "vmbo-begin-van-iedere-les",
    "vmbo-melding-verzuim-per-telefoon",
    "vmbo-controle-verzuim",
    "vmbo-verzuim-zonder-geldige-reden",
    "vmbo-1e-keer-niet-op-spijbeluur",
    "vmbo-2e-keer-niet-op-spijbeluur",
    "vmbo-8-uur-ongeoorloofd",
    "vmbo-verzuim-gedrag-verandert-niet",
    "vmbo-te-laat-1",
    "vmbo-te-laat-2",
    "vmbo-te-laat-3",
    "vmbo-te-laat-4",
    "vmbo-te-laat-gedrag-verandert-niet",
    "vmbo-verwijderd-uit-de-les",
    "vmbo-verwijderd-niet-melden",
    "vmbo-verwijderd-3-gele-kaart",
    "vmbo-verwijderd-4-oranje-kaart",
    "vmbo-verwijderd-gedrag-verandert-niet",
    "vmbo-verlof-enkele-uren",
    "vmbo-extra-verlof-tot-10-dagen",
    "vmbo-verlof-goedgekeurd",
    "vmbo-twijfels-over-verlof",
    "vmbo-verlof-afgekeurd",
    "vmbo-extra-verlof-langer-dan-10-dagen",
    "vmbo-luxe-verzuim",
    "vmbo-duo-16-uur-in-4-weken",
    "vmbo-duo-twijfelachtig-ziekteverzuim",
    "vmbo-duo-vermoedelijk-ongeoorloofd",
    "vmbo-duo-te-laat-6-per-periode",
];

#[test]
fn every_preset_step_is_listed_here_with_a_scenario() {
    let ids = |p: &Protocol| {
        p.steps
            .iter()
            .map(|s| s.id.clone())
            .collect::<BTreeSet<_>>()
    };
    let list = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<BTreeSet<_>>();
    assert_eq!(ids(&mlg()), list(MLG_STEPS));
    assert_eq!(ids(&vmbo()), list(VMBO_STEPS));
}

// ---------------------------------------------------------------------------------------
// Seed 003 — MLG 20/21: te laat (TO, per school year)
// ---------------------------------------------------------------------------------------

/// Monday 7 September 2020, the first day of the MLG scenarios.
fn mlg_start() -> NaiveDate {
    d(2020, 9, 7)
}

/// A te-laat row: `n - 1` late arrivals do not reach `step`, `n` do, with `e`, in window
/// instance `instance` (`2020-2021` for a school year, `periode-1`). Authorized late arrivals
/// (TG) never count.
fn late_row(
    p: &Protocol,
    mut world: World,
    start: NaiveDate,
    (step, instance): (&str, &str),
    n: u32,
    e: &Expect<'_>,
) {
    let today = world.days(start, n - 1, "TO", 1);
    world.times(today, 5, "TG");
    let l = world.run(p, today);
    assert_not_reached(&l, step);
    let today = world.days(plus(today, 1), 1, "TO", 1);
    let l = world.run(p, today);
    let r = assert_reached(&l, step, today, e);
    assert_eq!(r.evidence.len(), n as usize, "{step}: the TO registrations");
    assert_eq!(r.reached_on, today);
    assert_eq!(r.key, format!("{step}@{instance}"));
    assert!(r.reason.contains(&format!("{n}× te laat")), "{}", r.reason);
}

#[test]
fn mlg_te_laat_3x_vc_plans_voorkommoment_and_talks() {
    late_row(
        &mlg(),
        World::mlg(),
        mlg_start(),
        ("mlg-te-laat-3", "2020-2021"),
        3,
        &Expect::tasks(&[(Vc, Some(1)), (Vc, Some(3))]),
    );
}

#[test]
fn mlg_te_laat_3x_counts_over_the_whole_school_year() {
    // MLG names no period: three late arrivals months apart still make "3 x te laat".
    let p = mlg();
    let mut w = World::mlg();
    w.add(d(2020, 9, 7), "TO", 1);
    w.add(d(2020, 12, 7), "TO", 1);
    w.add(d(2021, 3, 8), "TO", 1);
    let l = w.run(&p, d(2021, 3, 8));
    assert_eq!(hits(&l, "mlg-te-laat-3").len(), 1);
}

#[test]
fn mlg_te_laat_6x_mentor_informs_parents_and_sanction() {
    late_row(
        &mlg(),
        World::mlg(),
        mlg_start(),
        ("mlg-te-laat-6", "2020-2021"),
        6,
        &Expect::tasks(&[
            (Vc, Some(1)),
            (Mentor, Some(3)),
            (Servicebureau, Some(5)),
            (Vc, Some(3)),
        ])
        .sanction(SanctionOutcome::Detention { lesuren: 1 })
        .letter("te-laat-ouders"),
    );
}

#[test]
fn mlg_te_laat_9x_vc_registers_for_lpa_preventief_spreekuur() {
    late_row(
        &mlg(),
        World::mlg(),
        mlg_start(),
        ("mlg-te-laat-9", "2020-2021"),
        9,
        &Expect::tasks(&[
            (Vc, Some(1)),
            (Mentor, Some(3)),
            (Vc, Some(3)),
            (Lpa, Some(10)),
            (Vc, Some(10)),
        ])
        .sanction(SanctionOutcome::Detention { lesuren: 1 })
        .letter("preventief-spreekuur-ouders"),
    );
}

#[test]
fn mlg_te_laat_10x_of_meer_overleg_and_duo_melding_proposed() {
    late_row(
        &mlg(),
        World::mlg(),
        mlg_start(),
        ("mlg-te-laat-10", "2020-2021"),
        10,
        &Expect::tasks(&[
            (Vc, Some(1)),
            (Mentor, Some(3)),
            (Vc, Some(10)),
            (Mentor, Some(10)),
            (Lpa, Some(10)),
            (Vc, Some(10)),
            (Teamleider, None),
        ])
        .sanction(SanctionOutcome::Detention { lesuren: 1 })
        .letter("melding-leerplicht-ouders")
        .melding(MeldingKind::O),
    );
    // "of meer": the 11th and 12th do not create it again.
    let p = mlg();
    let mut w = World::mlg();
    let today = w.days(mlg_start(), 12, "TO", 1);
    assert_eq!(hits(&w.run(&p, today), "mlg-te-laat-10").len(), 1);
}

// ---------------------------------------------------------------------------------------
// Seed 003 — MLG: ziekte (ZK)
// ---------------------------------------------------------------------------------------

#[test]
fn mlg_ziek_3_dagen_aaneengesloten_vc_informs_mentor_who_calls_parents() {
    let p = mlg();
    let step = "mlg-ziek-3-dagen-aaneen";
    // Fri, Mon sick, Tue present, Wed sick: 3 sick days but not in a row.
    let mut w = World::mlg();
    w.add(d(2020, 9, 11), "ZK", 6);
    w.add(d(2020, 9, 14), "ZK", 6);
    w.add(d(2020, 9, 16), "ZK", 6);
    assert_not_reached(&w.run(&p, d(2020, 9, 16)), step);
    // Fri, Mon, Tue: the weekend does not break the run.
    let mut w = World::mlg();
    w.add(d(2020, 9, 11), "ZK", 6);
    w.add(d(2020, 9, 14), "ZK", 6);
    let today = d(2020, 9, 15);
    w.add(today, "ZK", 6);
    let l = w.run(&p, today);
    let r = assert_reached(
        &l,
        step,
        today,
        &Expect::tasks(&[(Vc, Some(1)), (Mentor, Some(3))]),
    );
    assert_eq!(r.key, "mlg-ziek-3-dagen-aaneen@2020-09-11");
    // A second spell is a second instance.
    w.days(d(2020, 10, 5), 3, "ZK", 6);
    assert_eq!(hits(&w.run(&p, d(2020, 10, 7)), step).len(), 2);
}

#[test]
fn mlg_ziek_5_dagen_aaneengesloten_mentor_asks_reason() {
    let p = mlg();
    let step = "mlg-ziek-5-dagen-aaneen";
    let mut w = World::mlg();
    let today = w.days(mlg_start(), 4, "ZK", 6);
    assert_not_reached(&w.run(&p, today), step);
    let today = w.days(plus(today, 1), 1, "ZK", 6);
    assert_reached(
        &w.run(&p, today),
        step,
        today,
        &Expect::tasks(&[(Vc, Some(1)), (Mentor, Some(3)), (Vc, Some(5))]),
    );
}

#[test]
fn mlg_ziek_3_keer_ziekgemeld_binnen_korte_periode_10_procent_regel() {
    let p = mlg();
    let step = "mlg-ziek-3x-korte-periode";
    let e = Expect::tasks(&[(Vc, Some(1)), (Mentor, Some(3)), (Vc, Some(5))]);
    // One spell of 3 days is one "keer".
    let mut w = World::mlg();
    let today = w.days(mlg_start(), 3, "ZK", 6);
    assert_not_reached(&w.run(&p, today), step);
    // Sick in weeks 1 and 3: twice.
    let mut w = World::mlg();
    w.add(d(2020, 9, 7), "ZK", 6);
    w.add(d(2020, 9, 21), "ZK", 6);
    assert_not_reached(&w.run(&p, d(2020, 10, 5)), step);
    // ... and week 5: three times within 6 lesweken.
    let today = d(2020, 10, 5);
    w.add(today, "ZK", 6);
    assert_reached(&w.run(&p, today), step, today, &e);
    // Weeks 1, 4 and 8: never three within 6 lesweken.
    let mut w = World::mlg();
    w.add(d(2020, 9, 7), "ZK", 6);
    w.add(d(2020, 9, 28), "ZK", 6);
    w.add(d(2020, 10, 26), "ZK", 6);
    assert_not_reached(&w.run(&p, d(2020, 10, 26)), step);
}

#[test]
fn mlg_vast_ziektepatroon_is_manual() {
    assert_manual_row(
        &mlg(),
        World::mlg(),
        "mlg-vast-ziektepatroon",
        &Expect::tasks(&[(Vc, Some(1)), (Mentor, Some(3)), (Vc, Some(5))]),
    );
}

#[test]
fn mlg_bijzondere_afspraken_rooster_therapie_is_manual() {
    assert_manual_row(
        &mlg(),
        World::mlg(),
        "mlg-bijzondere-afspraken",
        &Expect::tasks(&[(Mentor, Some(5)), (Iot, Some(5)), (Vc, Some(5))]),
    );
}

#[test]
fn mlg_onduidelijkheid_ziektebeeld_draagkracht_is_manual() {
    assert_manual_row(
        &mlg(),
        World::mlg(),
        "mlg-onduidelijk-ziektebeeld",
        &Expect::tasks(&[(Vc, Some(1)), (Mentor, Some(5)), (Vc, Some(5))]),
    );
}

#[test]
fn mlg_ziek_meer_dan_80_uur_per_jaar_schoolarts() {
    let p = mlg();
    let step = "mlg-ziek-meer-dan-80-uur";
    // 80 lesuren is not "meer dan 80".
    let mut w = World::mlg();
    let today = w.days(mlg_start(), 10, "ZK", 8);
    assert_not_reached(&w.run(&p, today), step);
    let today = d(2021, 2, 1);
    w.add(today, "ZK", 1);
    let r = assert_reached(
        &w.run(&p, today),
        step,
        today,
        &Expect::tasks(&[
            (Vc, Some(1)),
            (Mentor, Some(5)),
            (Iot, Some(5)),
            (Vc, Some(5)),
        ]),
    );
    assert!(r.reason.contains("81 uur ziek"), "{}", r.reason);
}

// ---------------------------------------------------------------------------------------
// Seed 003 — MLG: uren spijbelen (SP, SA)
// ---------------------------------------------------------------------------------------

#[test]
fn mlg_spijbelen_per_lesuur_vc_mails_and_double_make_up() {
    let p = mlg();
    let step = "mlg-spijbelen-per-lesuur";
    let e1 = Expect::tasks(&[
        (Vc, Some(1)),
        (Leerling, Some(3)),
        (Mentor, Some(5)),
        (Vc, Some(5)),
    ])
    .sanction(SanctionOutcome::MakeUp { hours: 2 })
    .letter("spijbelen-inhalen-ouders");
    // Handled truancy (SA), ON and ZK create no per-lesuur task.
    let mut w = World::mlg();
    let today = mlg_start();
    w.add(today, "SA", 1);
    w.add(today, "ON", 1);
    w.add(today, "ZK", 1);
    assert_not_reached(&w.run(&p, today), step);
    // One open SP lesuur: 2 uur inhalen.
    let id = w.add(today, "SP", 1);
    let r = assert_reached(&w.run(&p, today), step, today, &e1);
    assert_eq!(r.key, format!("mlg-spijbelen-per-lesuur@r{}", id.0));
    assert_eq!(r.evidence, vec![id]);
    // A second registration is its own step, doubling its own lesuren.
    let next = plus(today, 1);
    w.add(next, "SP", 2);
    let l = w.run(&p, next);
    let h = hits(&l, step);
    assert_eq!(h.len(), 2);
    assert!(
        h.iter()
            .any(|r| r.sanction == Some(SanctionOutcome::MakeUp { hours: 4 }))
    );
}

/// A spijbel-uren row: `n - 1` lesuren (SP and SA) do not reach `step`, `n` do.
fn truancy_hours_row(step: &str, n: u32, e: &Expect<'_>) {
    let p = mlg();
    let mut w = World::mlg();
    let mut today = mlg_start();
    for i in 0..n - 1 {
        // Alternate SP and SA on separate, non-consecutive days (Mon/Wed/Fri).
        w.add(today, if i % 2 == 0 { "SP" } else { "SA" }, 1);
        today = plus(today, 2);
    }
    w.times(today, 3, "ZK");
    w.times(today, 3, "TO");
    let l = w.run(&p, today);
    assert_not_reached(&l, step);
    w.add(today, "SP", 1);
    let r = assert_reached(&w.run(&p, today), step, today, e);
    assert!(
        r.reason.contains(&format!("{n} uur gespijbeld")),
        "{}",
        r.reason
    );
    assert_eq!(r.key, format!("{step}@2020-2021"));
}

fn per_hour_text() -> SanctionOutcome {
    other("dubbel inhalen per gespijbeld uur (per lesuur opgelegd)")
}

#[test]
fn mlg_spijbelen_bij_5e_lesuur_mentor_weighs_iot() {
    truancy_hours_row(
        "mlg-spijbelen-5e-lesuur",
        5,
        &Expect::tasks(&[
            (Vc, Some(1)),
            (Leerling, Some(3)),
            (Mentor, Some(5)),
            (Vc, Some(5)),
            (Mentor, Some(5)),
        ])
        .sanction(per_hour_text()),
    );
}

#[test]
fn mlg_spijbelen_bij_6e_lesuur_terugkommaatregel() {
    truancy_hours_row(
        "mlg-spijbelen-6e-lesuur",
        6,
        &Expect::tasks(&[
            (Vc, Some(1)),
            (Leerling, Some(3)),
            (Mentor, Some(5)),
            (Vc, Some(5)),
            (Mentor, Some(5)),
        ])
        .sanction(per_hour_text()),
    );
}

fn seventh_hour_expect() -> Expect<'static> {
    Expect::tasks(&[
        (Vc, Some(1)),
        (Leerling, Some(3)),
        (Mentor, Some(5)),
        (Vc, Some(5)),
        (Vc, Some(1)),
        (Vc, Some(10)),
        (Mentor, Some(10)),
        (Lpa, Some(10)),
        (Vc, Some(10)),
    ])
    .sanction(per_hour_text())
    .letter("melding-leerplicht-ouders")
    .melding(MeldingKind::O)
}

#[test]
fn mlg_spijbelen_bij_7e_lesuur_duo_melding() {
    truancy_hours_row(
        "mlg-spijbelen-7e-lesuur-of-3-dagen",
        7,
        &seventh_hour_expect(),
    );
}

#[test]
fn mlg_spijbelen_3_dagen_aaneen_duo_melding() {
    let p = mlg();
    let step = "mlg-spijbelen-7e-lesuur-of-3-dagen";
    // Fri, Mon, Wed: 3 truancy days, 3 lesuren, not in a row.
    let mut w = World::mlg();
    w.add(d(2020, 9, 11), "SP", 1);
    w.add(d(2020, 9, 14), "SP", 1);
    w.add(d(2020, 9, 16), "SP", 1);
    assert_not_reached(&w.run(&p, d(2020, 9, 16)), step);
    // Fri, Mon, Tue (SA counts too): 3 school days in a row with only 3 lesuren.
    let mut w = World::mlg();
    w.add(d(2020, 9, 11), "SP", 1);
    w.add(d(2020, 9, 14), "SA", 1);
    let today = d(2020, 9, 15);
    w.add(today, "SP", 1);
    let r = assert_reached(&w.run(&p, today), step, today, &seventh_hour_expect());
    assert!(r.reason.contains("3 schooldagen aaneen"), "{}", r.reason);
}

// ---------------------------------------------------------------------------------------
// Seed 003 — MLG: uitgestuurd (UI)
// ---------------------------------------------------------------------------------------

/// A removal row: `n - 1` removals (plus plenty of other codes) do not reach `step`, `n` do,
/// counted per school year.
fn removal_row(p: &Protocol, mut w: World, start: NaiveDate, step: &str, n: u32, e: &Expect<'_>) {
    let year = w.cal.year.to_string();
    let today = w.days(start, n - 1, "UI", 1);
    w.times(today, 3, "ZK");
    w.times(today, 2, "SP");
    assert_not_reached(&w.run(p, today), step);
    let today = w.days(plus(today, 1), 1, "UI", 1);
    let r = assert_reached(&w.run(p, today), step, today, e);
    assert!(r.reason.contains(&format!("{n}×")), "{}", r.reason);
    assert_eq!(r.key, format!("{step}@{year}"));
}

#[test]
fn mlg_3x_uitgestuurd_uitstuurformulier_and_parents() {
    removal_row(
        &mlg(),
        World::mlg(),
        mlg_start(),
        "mlg-uitgestuurd-3",
        3,
        &Expect::tasks(&[(Vc, Some(1)), (Mentor, Some(3))]),
    );
}

#[test]
fn mlg_6x_uitgestuurd_parents_personally_and_iot_request() {
    removal_row(
        &mlg(),
        World::mlg(),
        mlg_start(),
        "mlg-uitgestuurd-6",
        6,
        &Expect::tasks(&[(Vc, Some(1)), (Mentor, Some(3))]),
    );
}

#[test]
fn mlg_7x_uitgestuurd_parents_invited_at_school() {
    removal_row(
        &mlg(),
        World::mlg(),
        mlg_start(),
        "mlg-uitgestuurd-7",
        7,
        &Expect::tasks(&[(Vc, Some(1)), (Mentor, Some(5))]).letter("uitnodiging-gesprek-ouders"),
    );
}

/// The 9× and 12× combination rows: removals ≥ `n` together with te laat ≥ 9 or spijbelen
/// ≥ 5 uur.
fn combination_row(step: &str, n: u32, e: &Expect<'_>) {
    let p = mlg();
    let start = mlg_start();
    let build = |removals: u32, late: u32, truant: u32| {
        let mut w = World::mlg();
        let mut today = start;
        if removals > 0 {
            today = today.max(w.days(start, removals, "UI", 1));
        }
        if late > 0 {
            today = today.max(w.days(start, late, "TO", 1));
        }
        // Truancy on separate days, every other school day, so it stays a count of hours.
        let mut day = start;
        for _ in 0..truant {
            w.add(day, "SP", 1);
            today = today.max(day);
            day = plus(day, 2);
        }
        (w, today)
    };
    for (removals, late, truant) in [(n - 1, 9, 5), (n, 8, 4), (n, 0, 0)] {
        let (w, today) = build(removals, late, truant);
        assert_not_reached(&w.run(&p, today), step);
    }
    for (removals, late, truant) in [(n, 9, 0), (n, 0, 5)] {
        let (w, today) = build(removals, late, truant);
        assert_reached(&w.run(&p, today), step, today, e);
    }
}

#[test]
fn mlg_9x_uitgestuurd_met_9x_te_laat_of_5_uur_spijbelen_lpa_preventief_gesprek() {
    combination_row(
        "mlg-uitgestuurd-9-met-laat-of-spijbelen",
        9,
        &Expect::tasks(&[
            (Vc, Some(1)),
            (Mentor, Some(3)),
            (Vc, Some(5)),
            (Lpa, Some(10)),
        ])
        .letter("preventief-spreekuur-ouders"),
    );
}

#[test]
fn mlg_12x_uitgestuurd_met_te_laat_of_spijbelen_overleg_lpa_iot() {
    combination_row(
        "mlg-uitgestuurd-12-met-laat-of-spijbelen",
        12,
        &Expect::tasks(&[
            (Lpa, Some(10)),
            (Iot, Some(10)),
            (Vc, Some(10)),
            (Mentor, Some(10)),
        ]),
    );
}

#[test]
fn mlg_uitnodiging_lpa_om_combinatie_van_absenties_is_manual() {
    assert_manual_row(
        &mlg(),
        World::mlg(),
        "mlg-combinatie-absenties",
        &Expect::tasks(&[(Mentor, Some(3)), (Vc, Some(10))]),
    );
}

#[test]
fn mlg_veel_verzuim_in_19_20_mentor_sneller_op_de_hoogte_is_manual() {
    assert_manual_row(
        &mlg(),
        World::mlg(),
        "mlg-veel-verzuim-vorig-schooljaar",
        &Expect::tasks(&[(Vc, Some(1)), (Mentor, Some(3))]),
    );
}

// ---------------------------------------------------------------------------------------
// Seed 004 — VMBO Maastricht 2019/2020: §3 ziekte
// ---------------------------------------------------------------------------------------

/// Monday 2 September 2019, in periode 1.
fn vmbo_start() -> NaiveDate {
    d(2019, 9, 2)
}

#[test]
fn vmbo_ziekmelding_bij_daco_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-ziekmelding-bij-daco",
        &Expect::tasks(&[(Daco, Some(0)), (Receptie, Some(0)), (Leerling, None)]),
    );
}

/// A sick-spell row: `n - 1` school days in a row do not reach `step`, `n` do.
fn sick_run_row(step: &str, n: u32, e: &Expect<'_>) {
    let p = vmbo();
    let mut w = World::vmbo();
    let today = w.days(vmbo_start(), n - 1, "ZK", 6);
    assert_not_reached(&w.run(&p, today), step);
    let today = w.days(plus(today, 1), 1, "ZK", 6);
    let r = assert_reached(&w.run(&p, today), step, today, e);
    assert_eq!(r.key, format!("{step}@{}", vmbo_start()));
    assert_eq!(r.evidence.len(), n as usize);
}

#[test]
fn vmbo_ziek_3_dagen_of_meer_mentor_calls_parents() {
    sick_run_row(
        "vmbo-ziek-3-dagen",
        3,
        &Expect::tasks(&[(Mentor, Some(1)), (Mentor, Some(3)), (Mentor, Some(10))]),
    );
}

#[test]
fn vmbo_ziek_5_dagen_of_meer_mentor_informs_vc() {
    sick_run_row(
        "vmbo-ziek-5-dagen",
        5,
        &Expect::tasks(&[(Mentor, Some(3)), (Mentor, Some(3)), (Mentor, Some(3))]),
    );
}

/// `spells` separate one-day sick spells in `period_start`'s period, a week apart; returns
/// the last date.
fn sick_spells(w: &mut World, from: NaiveDate, spells: u32) -> NaiveDate {
    let mut day = from;
    let mut last = from;
    for _ in 0..spells {
        w.add(day, "ZK", 6);
        last = day;
        day = plus(day, 5);
    }
    last
}

/// A "x keer ziek per periode" row: `n - 1` spells do not reach `step`, `n` do; `n - 1` in
/// periode 1 and one in periode 2 do not either (the period resets).
fn sick_spells_row(step: &str, n: u32, e: &Expect<'_>) {
    let p = vmbo();
    let mut w = World::vmbo();
    let today = sick_spells(&mut w, vmbo_start(), n - 1);
    assert_not_reached(&w.run(&p, today), step);
    let mut reset = World::vmbo();
    sick_spells(&mut reset, vmbo_start(), n - 1);
    reset.add(d(2019, 11, 11), "ZK", 6);
    assert_not_reached(&reset.run(&p, d(2019, 11, 11)), step);
    let today = sick_spells(&mut w, plus(today, 5), 1);
    let r = assert_reached(&w.run(&p, today), step, today, e);
    assert_eq!(r.key, format!("{step}@periode-1"));
    assert!(r.reason.contains(&format!("{n} keer ziek")), "{}", r.reason);
}

#[test]
fn vmbo_frequent_ziek_3_keer_per_periode_mentor_informs_vc() {
    sick_spells_row(
        "vmbo-ziek-frequent",
        3,
        &Expect::tasks(&[(Mentor, Some(3)), (Mentor, Some(3)), (Mentor, Some(3))]),
    );
}

fn mazl_expect() -> Expect<'static> {
    Expect::tasks(&[
        (Vc, Some(1)),
        (Mentor, Some(3)),
        (Oco, Some(5)),
        (Oco, Some(10)),
        (Ot, Some(10)),
    ])
    .letter("schoolarts-ouders")
}

#[test]
fn vmbo_zorgwekkend_meer_dan_15_dagen_achtereen_ziek_mazl_schoolarts() {
    sick_run_row("vmbo-ziek-mazl-meer-dan-15-dagen", 16, &mazl_expect());
}

#[test]
fn vmbo_zorgwekkend_meer_dan_4_keer_per_periode_ziek_mazl_schoolarts() {
    sick_spells_row("vmbo-ziek-mazl-meer-dan-4-keer", 5, &mazl_expect());
}

#[test]
fn vmbo_geen_beperking_jeugdarts_duo_melding_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-ziek-geen-beperking-jeugdarts",
        &Expect::tasks(&[(Vc, Some(10)), (Oco, Some(10))]).melding(MeldingKind::O),
    );
}

// ---------------------------------------------------------------------------------------
// Seed 004 — VMBO: §4 verzuimregistratie
// ---------------------------------------------------------------------------------------

#[test]
fn vmbo_begin_van_iedere_les_docent_registreert_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-begin-van-iedere-les",
        &Expect::tasks(&[(Docent, Some(0))]),
    );
}

#[test]
fn vmbo_melding_verzuim_per_telefoon_receptie_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-melding-verzuim-per-telefoon",
        &Expect::tasks(&[(Receptie, Some(0))]),
    );
}

#[test]
fn vmbo_controle_verzuim_vc_checks_every_unresolved_on_each_morning() {
    let p = vmbo();
    let step = "vmbo-controle-verzuim";
    let today = vmbo_start();
    let mut w = World::vmbo();
    for code in ["SP", "SA", "ZK", "TO", "UI"] {
        w.add(today, code, 1);
    }
    assert_not_reached(&w.run(&p, today), step);
    w.add(today, "ON", 1);
    w.add(today, "ON", 1);
    let r = assert_reached(
        &w.run(&p, today),
        step,
        today,
        &Expect::tasks(&[(Vc, Some(1))]),
    );
    assert_eq!(r.key, format!("vmbo-controle-verzuim@{today}"));
    // Every day with an ON is its own check.
    let next = plus(today, 1);
    w.add(next, "ON", 1);
    assert_eq!(hits(&w.run(&p, next), step).len(), 2);
}

#[test]
fn vmbo_verzuim_zonder_geldige_reden_mentor_same_day_and_double_make_up() {
    let p = vmbo();
    let step = "vmbo-verzuim-zonder-geldige-reden";
    let today = vmbo_start();
    let mut w = World::vmbo();
    for code in ["ZK", "VE", "TO", "TG", "UI", "MB"] {
        w.add(today, code, 2);
    }
    assert_not_reached(&w.run(&p, today), step);
    // §2.2: an ON that stays counts as unauthorized.
    w.add(today, "ON", 2);
    w.add(today, "SP", 1);
    let r = assert_reached(
        &w.run(&p, today),
        step,
        today,
        &Expect::tasks(&[(Mentor, Some(0)), (Mentor, Some(1)), (Mentor, Some(1))])
            .sanction(SanctionOutcome::MakeUp { hours: 6 }),
    );
    assert_eq!(r.key, format!("{step}@{today}"));
    assert_eq!(r.evidence.len(), 2);
}

#[test]
fn vmbo_1e_keer_niet_op_spijbeluur_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-1e-keer-niet-op-spijbeluur",
        &Expect::tasks(&[(Mentor, Some(1))])
            .sanction(other("gespijbelde uren dubbel inhalen na school")),
    );
}

#[test]
fn vmbo_2e_keer_niet_op_spijbeluur_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-2e-keer-niet-op-spijbeluur",
        &Expect::tasks(&[(Mentor, Some(1)), (Daco, Some(3))]).sanction(other("dubbel terugkomen")),
    );
}

#[test]
fn vmbo_8_uur_of_meer_verzuim_on_preventief_spreekuur_and_letter() {
    let p = vmbo();
    let step = "vmbo-8-uur-ongeoorloofd";
    let e = Expect::tasks(&[(Vc, Some(1)), (Mentor, Some(1)), (Vc, Some(5))])
        .sanction(other("verzuimde uren dubbel inhalen (per dag opgelegd)"))
        .letter("vmbo-preventief-spreekuur-ouders");
    let mut w = World::vmbo();
    // 7 uur: 4 ON (unresolved) in periode 1 and 3 SP in periode 2 (the window is the year).
    w.add(d(2019, 9, 2), "ON", 4);
    w.add(d(2019, 12, 2), "SP", 3);
    // An ON replaced by ZK is sickness and does not count.
    w.add(d(2019, 12, 3), "ZK", 6);
    assert_not_reached(&w.run(&p, d(2019, 12, 3)), step);
    let today = d(2020, 3, 2);
    w.add(today, "ON", 1);
    let r = assert_reached(&w.run(&p, today), step, today, &e);
    assert!(r.reason.contains("8 uur ongeoorloofd"), "{}", r.reason);
}

#[test]
fn vmbo_verzuim_gedrag_verandert_niet_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-verzuim-gedrag-verandert-niet",
        &Expect::tasks(&[(Teamleider, Some(10)), (Vc, Some(10))]).melding(MeldingKind::O),
    );
}

// ---------------------------------------------------------------------------------------
// Seed 004 — VMBO: §5 te laat per periode (TO)
// ---------------------------------------------------------------------------------------

/// A te-laat-per-periode row: the threshold as in `late_row`, and `n - 1` late arrivals in
/// periode 1 plus one in periode 2 do not reach it (the period resets).
fn vmbo_late_row(step: &str, n: u32, e: &Expect<'_>) {
    let p = vmbo();
    late_row(&p, World::vmbo(), vmbo_start(), (step, "periode-1"), n, e);
    if n > 1 {
        let mut w = World::vmbo();
        w.days(d(2019, 10, 28), n - 1, "TO", 1);
        let today = d(2019, 11, 11);
        w.add(today, "TO", 1);
        // The period starts again: n - 1 in periode 1 and 1 in periode 2 is not n.
        assert_not_reached(&w.run(&p, today), step);
    }
    let mut w = World::vmbo();
    let today = w.days(vmbo_start(), n, "TO", 1);
    let r = assert_reached(&w.run(&p, today), step, today, e);
    assert_eq!(r.key, format!("{step}@periode-1"));
}

#[test]
fn vmbo_1x_te_laat_report_at_0745_next_day() {
    vmbo_late_row(
        "vmbo-te-laat-1",
        1,
        &Expect::tasks(&[(Mentor, Some(1))]).sanction(report_at_0745()),
    );
}

#[test]
fn vmbo_2x_te_laat_report_at_0745_next_day() {
    vmbo_late_row(
        "vmbo-te-laat-2",
        2,
        &Expect::tasks(&[(Mentor, Some(1))]).sanction(report_at_0745()),
    );
}

#[test]
fn vmbo_3x_te_laat_mentor_talk_and_one_hour_detention() {
    vmbo_late_row(
        "vmbo-te-laat-3",
        3,
        &Expect::tasks(&[(Mentor, Some(3)), (Mentor, Some(3))])
            .sanction(SanctionOutcome::Detention { lesuren: 1 }),
    );
}

#[test]
fn vmbo_vanaf_4x_te_laat_vc_preventief_spreekuur_and_detention() {
    vmbo_late_row(
        "vmbo-te-laat-4",
        4,
        &Expect::tasks(&[
            (Mentor, Some(1)),
            (Mentor, Some(3)),
            (Mentor, Some(3)),
            (Vc, Some(10)),
        ])
        .sanction(SanctionOutcome::Detention { lesuren: 1 }),
    );
}

#[test]
fn vmbo_te_laat_gedrag_verandert_niet_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-te-laat-gedrag-verandert-niet",
        &Expect::tasks(&[(Mentor, Some(10)), (Teamleider, Some(10)), (Ot, Some(10))])
            .sanction(other("melding bij leerplicht en vierkant rooster"))
            .melding(MeldingKind::O),
    );
}

// ---------------------------------------------------------------------------------------
// Seed 004 — VMBO: §6 uit de les gestuurd (UI)
// ---------------------------------------------------------------------------------------

#[test]
fn vmbo_uit_de_les_verwijderd_daco_and_docent_handle_each_removal() {
    let p = vmbo();
    let step = "vmbo-verwijderd-uit-de-les";
    let e = Expect::tasks(&[(Daco, Some(0)), (Leerling, Some(0)), (Docent, Some(1))]).sanction(
        other("maatregel door de docent (de leerling moet er last van hebben)"),
    );
    let today = vmbo_start();
    let mut w = World::vmbo();
    for code in ["TO", "SP", "ZK", "BZ"] {
        w.add(today, code, 1);
    }
    assert_not_reached(&w.run(&p, today), step);
    let id = w.add(today, "UI", 1);
    let r = assert_reached(&w.run(&p, today), step, today, &e);
    assert_eq!(r.key, format!("{step}@r{}", id.0));
    let next = plus(today, 1);
    w.add(next, "UI", 1);
    assert_eq!(hits(&w.run(&p, next), step).len(), 2);
}

#[test]
fn vmbo_uit_de_les_niet_melden_bij_daco_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-verwijderd-niet-melden",
        &Expect::tasks(&[(Docent, Some(0)), (Mentor, Some(3))])
            .sanction(other("wordt afgesproken met de docent")),
    );
}

#[test]
fn vmbo_3x_verwijdering_gele_kaart() {
    removal_row(
        &vmbo(),
        World::vmbo(),
        vmbo_start(),
        "vmbo-verwijderd-3-gele-kaart",
        3,
        &Expect::tasks(&[(Daco, Some(1)), (Mentor, Some(3)), (Mentor, Some(5))])
            .sanction(other("gele kaart")),
    );
}

#[test]
fn vmbo_4x_verwijdering_oranje_kaart_letter_and_vierkant_rooster() {
    removal_row(
        &vmbo(),
        World::vmbo(),
        vmbo_start(),
        "vmbo-verwijderd-4-oranje-kaart",
        4,
        &Expect::tasks(&[
            (Daco, Some(1)),
            (Daco, Some(3)),
            (Mentor, Some(10)),
            (Teamleider, Some(10)),
        ])
        .sanction(other(
            "oranje kaart: vierkant lesrooster een week (na de lessen melden tot 16:00)",
        ))
        .letter("vmbo-oranje-kaart-ouders"),
    );
}

#[test]
fn vmbo_uit_de_les_counts_over_the_school_year_not_per_period() {
    let p = vmbo();
    let mut w = World::vmbo();
    w.add(d(2019, 9, 2), "UI", 1);
    w.add(d(2019, 12, 2), "UI", 1);
    w.add(d(2020, 3, 2), "UI", 1);
    assert_eq!(
        hits(&w.run(&p, d(2020, 3, 2)), "vmbo-verwijderd-3-gele-kaart").len(),
        1
    );
}

#[test]
fn vmbo_uit_de_les_gedrag_verandert_niet_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-verwijderd-gedrag-verandert-niet",
        &Expect::tasks(&[(Teamleider, Some(10)), (Mentor, Some(10)), (Ot, Some(10))])
            .melding(MeldingKind::O),
    );
}

// ---------------------------------------------------------------------------------------
// Seed 004 — VMBO: §7 verlof aanvragen (all manual: leave requests are not registrations)
// ---------------------------------------------------------------------------------------

#[test]
fn vmbo_verlof_enkele_uren_via_receptie_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-verlof-enkele-uren",
        &Expect::tasks(&[(Receptie, Some(0))]),
    );
}

#[test]
fn vmbo_extra_verlof_tot_10_dagen_via_teamleider_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-extra-verlof-tot-10-dagen",
        &Expect::tasks(&[(Teamleider, Some(1))]),
    );
}

#[test]
fn vmbo_verlof_goedgekeurd_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-verlof-goedgekeurd",
        &Expect::tasks(&[(Teamleider, Some(1)), (Receptie, Some(1))]),
    );
}

#[test]
fn vmbo_twijfels_over_verlof_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-twijfels-over-verlof",
        &Expect::tasks(&[(Teamleider, Some(5))]),
    );
}

#[test]
fn vmbo_verlof_afgekeurd_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-verlof-afgekeurd",
        &Expect::tasks(&[(Teamleider, Some(1)), (Receptie, Some(1))]),
    );
}

#[test]
fn vmbo_extra_verlof_langer_dan_10_dagen_naar_leerplicht_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-extra-verlof-langer-dan-10-dagen",
        &Expect::tasks(&[(Teamleider, Some(1)), (Lpa, Some(10))]),
    );
}

#[test]
fn vmbo_verlof_zonder_toestemming_luxe_verzuim_melding_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-luxe-verzuim",
        &Expect::tasks(&[(Vc, Some(10))]).melding(MeldingKind::L),
    );
}

// ---------------------------------------------------------------------------------------
// Seed 004 — VMBO: §7.4 melding bij DUO
// ---------------------------------------------------------------------------------------

#[test]
fn vmbo_duo_16_uur_ongeoorloofd_in_4_weken_v3() {
    let p = vmbo();
    let step = "vmbo-duo-16-uur-in-4-weken";
    let e = Expect::tasks(&[(Vc, Some(10))]).melding(MeldingKind::V3);
    // 15 uur within 4 lesweken (ON counts, §2.2).
    let mut w = World::vmbo();
    w.add(d(2019, 9, 2), "ON", 5);
    w.add(d(2019, 9, 9), "SP", 5);
    w.add(d(2019, 9, 16), "ON", 5);
    assert_not_reached(&w.run(&p, d(2019, 9, 16)), step);
    // 16 uur, but spread over 5 lesweken: never 16 in 4.
    let mut spread = World::vmbo();
    spread.add(d(2019, 9, 2), "ON", 8);
    spread.add(d(2019, 9, 30), "SP", 8);
    assert_not_reached(&spread.run(&p, d(2019, 9, 30)), step);
    // The 16th uur in week 4.
    let today = d(2019, 9, 23);
    w.add(today, "SA", 1);
    let r = assert_reached(&w.run(&p, today), step, today, &e);
    assert!(r.reason.contains("16 uur ongeoorloofd"), "{}", r.reason);
}

#[test]
fn vmbo_duo_twijfelachtig_ziekteverzuim_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-duo-twijfelachtig-ziekteverzuim",
        &Expect::tasks(&[(Vc, Some(10))]).melding(MeldingKind::O),
    );
}

#[test]
fn vmbo_duo_langdurig_vermoedelijk_ongeoorloofd_is_manual() {
    assert_manual_row(
        &vmbo(),
        World::vmbo(),
        "vmbo-duo-vermoedelijk-ongeoorloofd",
        &Expect::tasks(&[(Vc, Some(10))]).melding(MeldingKind::O),
    );
}

#[test]
fn vmbo_duo_6x_of_meer_te_laat_in_een_periode() {
    vmbo_late_row(
        "vmbo-duo-te-laat-6-per-periode",
        6,
        &Expect::tasks(&[(Vc, Some(10))]).melding(MeldingKind::O),
    );
}

#[test]
fn every_preset_letter_renders_for_its_step() {
    use verzuim_protocol::letters::{LetterContext, render};
    for (name, p) in [("mlg-2020", mlg()), ("vmbo-maastricht-2019", vmbo())] {
        let with_letter: Vec<_> = p.steps.iter().filter(|s| s.letter.is_some()).collect();
        assert!(!with_letter.is_empty(), "{name}");
        for s in with_letter {
            let ctx = LetterContext {
                school_name: "School".into(),
                student_name: "Sam de Leerling".into(),
                student_number: "1".into(),
                group: None,
                mentor_name: None,
                reason: s.title.clone(),
                sanction: None,
                date: d(2020, 10, 1),
                place: None,
            };
            let l = render(s.letter.as_deref().unwrap(), &ctx)
                .unwrap_or_else(|| panic!("{name}: {}: onbekende brief", s.id));
            assert!(l.body.contains("Sam de Leerling"), "{}", s.id);
        }
    }
}
