//! Invariants of the protocol engine: counting does not depend on the order of the
//! registrations; an authorized registration never advances a ladder that counts unauthorized
//! absence; and a step once reached stays reached, with the same key, date, reason and
//! evidence, when later registrations arrive (what makes task creation idempotent).

#![allow(clippy::unwrap_used)]

use std::collections::BTreeSet;

use chrono::{Days, NaiveDate};
use proptest::prelude::*;
use verzuim_domain::{CodeTable, Region, RegistrationId, SchoolCalendar, SchoolYear, StudentId};
use verzuim_protocol::{Input, Period, Protocol, RegistrationFact, StudentLadder, evaluate};

/// A protocol whose every counter counts unauthorized codes only, over every window kind.
const UNAUTHORIZED: &str = r#"
[protocol]
name = "ongeoorloofd"

[[counter]]
name = "te_laat"
kind = "late"
authorized = false
unit = "events"

[[counter]]
name = "uren"
label = "gespijbeld"
authorized = false
unit = "hours"

[[counter]]
name = "dagen"
kind = "absent"
authorized = false
unit = "consecutive_school_days"

[[counter]]
name = "keren"
authorized = false
unit = "episodes"

[[counter]]
name = "datums"
authorized = false
unit = "distinct_days"

[[window]]
name = "periode"
type = "period"

[[window]]
name = "jaar"
type = "school_year"

[[window]]
name = "vier"
type = "rolling_school_weeks"
weeks = 4

[[window]]
name = "reeks"
type = "run"
counter = "dagen"

[[window]]
name = "elk"
type = "per_event"
counter = "uren"

[[window]]
name = "dag"
type = "per_day"
counter = "te_laat"

[[step]]
id = "laat-3"
ladder = "te laat"
window = "periode"
when = { at_least = { counter = "te_laat", value = 3 } }
[[step.action]]
role = "mentor"
text = "gesprek"
within_school_days = 2

[[step]]
id = "combi"
ladder = "te laat"
window = "jaar"
when = { all = [ { at_least = { counter = "te_laat", value = 4 } }, { any = [ { at_least = { counter = "uren", value = 5 } }, { at_least = { counter = "keren", value = 2 } } ] } ] }
sanction = { make_up = { counter = "uren", factor = 2 } }
[[step.action]]
role = "verzuimcoordinator"
text = "melden"

[[step]]
id = "zestien"
ladder = "spijbelen"
window = "vier"
when = { at_least = { counter = "uren", value = 8 } }
[[step.action]]
role = "verzuimcoordinator"
text = "DUO"

[[step]]
id = "aaneen"
ladder = "spijbelen"
window = "reeks"
when = { at_least = { counter = "dagen", value = 2 } }
[[step.action]]
role = "mentor"
text = "bellen"

[[step]]
id = "per-uur"
ladder = "spijbelen"
window = "elk"
when = { at_least = { counter = "uren", value = 1 } }
sanction = { make_up = { counter = "uren", factor = 2 } }
[[step.action]]
role = "leerling"
text = "terugkomen"

[[step]]
id = "per-dag"
ladder = "te laat"
window = "dag"
when = { at_least = { counter = "datums", value = 1 } }
[[step.action]]
role = "daco"
text = "bellen"
"#;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn calendar() -> SchoolCalendar {
    SchoolCalendar::new(
        SchoolYear::starting(2026),
        Region::Zuid,
        d(2026, 8, 31),
        d(2027, 7, 9),
        Vec::new(),
        BTreeSet::new(),
    )
    .unwrap()
}

fn periods() -> Vec<Period> {
    vec![
        Period {
            name: "periode 1".into(),
            first: d(2026, 8, 31),
            last: d(2026, 10, 30),
        },
        Period {
            name: "periode 2".into(),
            first: d(2026, 11, 2),
            last: d(2027, 1, 29),
        },
    ]
}

fn run(protocol: &Protocol, regs: &[RegistrationFact], today: NaiveDate) -> Vec<StudentLadder> {
    let cal = calendar();
    let codes = CodeTable::magister_default();
    let periods = periods();
    let input = Input {
        calendar: &cal,
        periods: &periods,
        codes: &codes,
        students: &[StudentId(1), StudentId(2)],
        registrations: regs,
        manual: &[],
    };
    evaluate(protocol, &input, today).unwrap()
}

fn all_codes() -> Vec<String> {
    CodeTable::magister_default()
        .codes()
        .iter()
        .map(|c| c.code.clone())
        .collect()
}

fn authorized_codes() -> Vec<String> {
    CodeTable::magister_default()
        .codes()
        .iter()
        .filter(|c| c.authorized)
        .map(|c| c.code.clone())
        .collect()
}

/// Registrations of two students with unique ids, on days in the first 120 days of the year.
fn registrations() -> impl Strategy<Value = Vec<RegistrationFact>> {
    prop::collection::vec(
        (
            1i64..=2,
            0u64..120,
            prop::sample::select(all_codes()),
            1u32..4,
        ),
        0..60,
    )
    .prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (s, off, code, lesuren))| RegistrationFact {
                id: RegistrationId(i as i64 + 1),
                student: StudentId(s),
                date: d(2026, 8, 31) + Days::new(off),
                code,
                lesuren,
            })
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn counting_is_order_independent(
        (regs, shuffled) in registrations().prop_flat_map(|r| (Just(r.clone()), Just(r).prop_shuffle())),
        today_off in 0u64..130,
    ) {
        let protocol = Protocol::from_toml(UNAUTHORIZED).unwrap();
        let today = d(2026, 8, 31) + Days::new(today_off);
        prop_assert_eq!(run(&protocol, &regs, today), run(&protocol, &shuffled, today));
    }

    #[test]
    fn an_authorized_registration_never_advances_an_unauthorized_ladder(
        regs in registrations(),
        student in 1i64..=2,
        off in 0u64..120,
        code in prop::sample::select(authorized_codes()),
        lesuren in 1u32..8,
        today_off in 0u64..130,
    ) {
        let protocol = Protocol::from_toml(UNAUTHORIZED).unwrap();
        let today = d(2026, 8, 31) + Days::new(today_off);
        let before = run(&protocol, &regs, today);
        let mut more = regs.clone();
        more.push(RegistrationFact {
            id: RegistrationId(10_000),
            student: StudentId(student),
            date: d(2026, 8, 31) + Days::new(off),
            code,
            lesuren,
        });
        prop_assert_eq!(before, run(&protocol, &more, today));
    }

    #[test]
    fn a_reached_step_keeps_its_key_and_evidence_when_later_registrations_arrive(
        regs in registrations(),
        student in 1i64..=2,
        after in 1u64..20,
        code in prop::sample::select(all_codes()),
        lesuren in 1u32..8,
        later in 0u64..20,
    ) {
        let protocol = Protocol::from_toml(UNAUTHORIZED).unwrap();
        let last = regs.iter().map(|r| r.date).max().unwrap_or(d(2026, 8, 31));
        let date = last + Days::new(after);
        let today = date + Days::new(later);
        let before = run(&protocol, &regs, today);
        let mut more = regs.clone();
        more.push(RegistrationFact {
            id: RegistrationId(10_000),
            student: StudentId(student),
            date,
            code,
            lesuren,
        });
        let after = run(&protocol, &more, today);
        for (b, a) in before.iter().zip(&after) {
            for step in &b.reached {
                prop_assert!(a.reached.contains(step), "{} changed or vanished", step.key);
            }
        }
    }
}
