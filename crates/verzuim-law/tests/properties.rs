//! Invariants of the law engine (proptest).
//!
//! 1. The order of the registrations does not matter.
//! 2. Adding an authorized registration whose code is not a leave code never creates a melding
//!    (without suspect periods; a leave code *without* granted leave is luxe verzuim by rule 5, and
//!    authorized absence in a suspect period is an overig-proposal by rule 7b, so those two are
//!    exactly the cases the property cannot cover).
//! 3. Adding unauthorized absence never removes or delays the *first* 16-uur melding: a student
//!    who had one still has one, ending on or before the old end. (Later meldingen can move: an
//!    earlier melding moves the restart point and the 7-day limit, and a continuous run that no
//!    longer stops early waits for previous end + 7; so "the same meldingen" or "never fewer" are
//!    not guaranteed.)
//! 4. The compact input (`Engine::evaluate_compact`, what the benchmark and a store use) gives
//!    the same answer as the case with `RegistrationInput`s: meldingen, evidence and exclusions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use chrono::{Days, NaiveDate, NaiveTime};
use proptest::prelude::*;
use verzuim_domain::{Region, SchoolYear, Sector};
use verzuim_law::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn base_case() -> Case {
    Case {
        school: SchoolSettings {
            brin: None,
            sector: Sector::Vo,
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
        students: ["a", "b"]
            .iter()
            .map(|id| StudentInput {
                id: (*id).into(),
                birth_date: d(2011, 11, 20),
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
            })
            .collect(),
        timetable: vec![],
        registrations: vec![],
        leave_requests: vec![],
    }
}

const UNAUTHORIZED: &[&str] = &["SP", "ON", "SA", "IB", "TO"];
const AUTHORIZED: &[&str] = &["ZK", "MB", "SC", "DV", "TG", "ST", "BZ"];
const TODAY: (i32, u32, u32) = (2027, 1, 31);
const MIXED: &[&str] = &["SP", "ON", "SA", "IB", "TO", "ZK", "MB", "VE", "SC"];

/// (student, day offset from 24 Aug 2026, lesuur 0..8, span of lesuren 1..=8, code)
fn registration(
    codes: &'static [&'static str],
) -> impl Strategy<Value = (usize, u64, u32, u32, usize)> {
    (0..2usize, 0..150u64, 0..8u32, 1..=8u32, 0..codes.len())
}

fn to_input(
    i: usize,
    (s, day, lesuur, span, code): (usize, u64, u32, u32, usize),
    codes: &[&str],
) -> RegistrationInput {
    let start = 8 * 60 + 30 + 50 * lesuur;
    let end = start + 50 * span;
    let time = |m: u32| NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap();
    RegistrationInput {
        id: Some(format!("x{i}")),
        student: ["a", "b"][s].into(),
        date: d(2026, 8, 24).checked_add_days(Days::new(day)).unwrap(),
        start: time(start),
        end: time(end),
        code: codes[code].into(),
        minutes_late: None,
        lesuren: None,
    }
}

fn today() -> NaiveDate {
    d(TODAY.0, TODAY.1, TODAY.2)
}

fn sixteen_ends(e: &Evaluation, student: &str) -> Vec<NaiveDate> {
    e.meldingen
        .iter()
        .filter(|m| m.kind == MeldingKind::SixteenHours && m.student == student)
        .filter_map(|m| m.end)
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn the_order_of_registrations_does_not_matter(
        regs in prop::collection::vec(registration(UNAUTHORIZED), 0..80),
        seed in any::<u64>(),
    ) {
        let mut c = base_case();
        c.registrations = regs.into_iter().enumerate().map(|(i, r)| to_input(i, r, UNAUTHORIZED)).collect();
        let a = evaluate(&c, today()).unwrap();
        // A deterministic shuffle.
        let n = c.registrations.len();
        let mut x = seed | 1;
        for i in (1..n).rev() {
            x ^= x << 13; x ^= x >> 7; x ^= x << 17;
            c.registrations.swap(i, (x % (i as u64 + 1)) as usize);
        }
        let b = evaluate(&c, today()).unwrap();
        prop_assert_eq!(a.meldingen, b.meldingen);
    }

    #[test]
    fn adding_an_authorized_registration_never_creates_a_melding(
        regs in prop::collection::vec(registration(UNAUTHORIZED), 0..80),
        extra in prop::collection::vec(registration(AUTHORIZED), 1..20),
    ) {
        let mut c = base_case();
        c.registrations = regs.into_iter().enumerate().map(|(i, r)| to_input(i, r, UNAUTHORIZED)).collect();
        let before = evaluate(&c, today()).unwrap().meldingen;
        let n = c.registrations.len();
        c.registrations.extend(extra.into_iter().enumerate().map(|(i, r)| to_input(n + i, r, AUTHORIZED)));
        let after = evaluate(&c, today()).unwrap().meldingen;
        for m in &after {
            prop_assert!(
                before.iter().any(|b| b.kind == m.kind && b.student == m.student && b.begin == m.begin && b.end == m.end),
                "new melding {:?} {} {}..{:?}", m.kind, m.student, m.begin, m.end
            );
        }
    }

    #[test]
    fn adding_unauthorized_absence_never_removes_or_delays_the_first_16_uur_melding(
        regs in prop::collection::vec(registration(UNAUTHORIZED), 0..80),
        extra in prop::collection::vec(registration(UNAUTHORIZED), 1..20),
    ) {
        let mut c = base_case();
        c.registrations = regs.into_iter().enumerate().map(|(i, r)| to_input(i, r, UNAUTHORIZED)).collect();
        let before = evaluate(&c, today()).unwrap();
        let n = c.registrations.len();
        c.registrations.extend(extra.into_iter().enumerate().map(|(i, r)| to_input(n + i, r, UNAUTHORIZED)));
        let after = evaluate(&c, today()).unwrap();
        for s in ["a", "b"] {
            let (b, a) = (sixteen_ends(&before, s), sixteen_ends(&after, s));
            if let Some(first) = b.first() {
                prop_assert!(!a.is_empty(), "{s}: the first melding disappeared");
                prop_assert!(a[0] <= *first, "{s}: the first melding ended {first}, now {}", a[0]);
            }
        }
    }

    #[test]
    fn the_compact_input_gives_the_same_answer_as_the_case(
        regs in prop::collection::vec(registration(MIXED), 0..120),
        b_abroad in any::<bool>(),
        a_until in prop::option::of(0..150u64),
    ) {
        let mut c = base_case();
        c.registrations = regs
            .into_iter()
            .enumerate()
            .map(|(i, r)| RegistrationInput { id: Some(i.to_string()), ..to_input(i, r, MIXED) })
            .collect();
        c.students[0].enrolled_until = a_until.map(|n| d(2026, 8, 24).checked_add_days(Days::new(n)).unwrap());
        c.students[1].lives_abroad = b_abroad;
        let whole = evaluate(&c, today()).unwrap();

        let engine = Engine::new(&c.school, &c.calendar, &c.codes, &c.timetable).unwrap();
        let mut meldingen = Vec::new();
        let mut exclusions = Vec::new();
        for student in &c.students {
            let compact: Vec<CompactRegistration> = c
                .registrations
                .iter()
                .enumerate()
                .filter(|(_, r)| r.student == student.id)
                .map(|(i, r)| engine.compact(r, i as u32, i).unwrap())
                .collect();
            let e = engine
                .evaluate_compact(student, &compact, &[], today())
                .unwrap()
                .into_evaluation(student);
            meldingen.extend(e.meldingen);
            exclusions.extend(e.exclusions);
        }
        prop_assert_eq!(&whole.meldingen, &meldingen);
        prop_assert_eq!(&whole.exclusions, &exclusions);
    }
}
