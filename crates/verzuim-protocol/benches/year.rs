//! Evaluates both seed presets (`protocols/mlg-2020.toml`, `protocols/vmbo-maastricht-2019.toml`)
//! over a synthetic school year of many students (about 30 registrations each) and prints
//! students per second. No figure is asserted. `cargo bench -p verzuim-protocol`
//! (`STUDENTS=1000000` for the million).

#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeSet;
use std::time::Instant;

use chrono::NaiveDate;
use verzuim_domain::{CodeTable, Region, RegistrationId, SchoolCalendar, SchoolYear, StudentId};
use verzuim_protocol::{Input, Period, Protocol, RegistrationFact, evaluate};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn main() {
    let n: i64 = std::env::var("STUDENTS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_000);
    let cal = SchoolCalendar::new(
        SchoolYear::starting(2026),
        Region::Zuid,
        d(2026, 8, 31),
        d(2027, 7, 9),
        Vec::new(),
        BTreeSet::new(),
    )
    .unwrap();
    let periods = vec![
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
        Period {
            name: "periode 3".into(),
            first: d(2027, 2, 8),
            last: d(2027, 4, 23),
        },
        Period {
            name: "periode 4".into(),
            first: d(2027, 4, 26),
            last: d(2027, 7, 9),
        },
    ];
    let days = cal.school_days();
    let codes = ["TO", "TG", "SP", "ZK", "ZK", "UI", "ON", "TO"];
    let table = CodeTable::magister_default();
    let presets = [
        ("mlg-2020", include_str!("../../../protocols/mlg-2020.toml")),
        (
            "vmbo-maastricht-2019",
            include_str!("../../../protocols/vmbo-maastricht-2019.toml"),
        ),
    ];
    // The students are evaluated in parts of CHUNK (the engine is per student; a caller at
    // this scale does the same), so the output of one part is dropped before the next: a
    // million students' reached steps with their Dutch texts do not fit in memory at once.
    const CHUNK: i64 = 50_000;
    for (name, text) in presets {
        let protocol = Protocol::from_toml(text).unwrap();
        let mut secs = 0.0;
        let mut steps = 0usize;
        let mut registrations = 0usize;
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut id = 0i64;
        let mut first = 0i64;
        while first < n {
            let last = (first + CHUNK).min(n);
            let students: Vec<StudentId> = (first..last).map(StudentId).collect();
            // About 30 registrations per student, spread pseudo-randomly over the year.
            let mut regs = Vec::new();
            for s in first..last {
                for _ in 0..30 {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    id += 1;
                    regs.push(RegistrationFact {
                        id: RegistrationId(id),
                        student: StudentId(s),
                        date: days[(x % days.len() as u64) as usize],
                        code: codes[((x >> 20) % codes.len() as u64) as usize].to_owned(),
                        lesuren: 1 + ((x >> 40) % 3) as u32,
                    });
                }
            }
            registrations += regs.len();
            let input = Input {
                calendar: &cal,
                periods: &periods,
                codes: &table,
                students: &students,
                registrations: &regs,
                manual: &[],
            };
            let start = Instant::now();
            let out = evaluate(&protocol, &input, d(2027, 7, 9)).unwrap();
            secs += start.elapsed().as_secs_f64();
            steps += out.iter().map(|l| l.reached.len()).sum::<usize>();
            first = last;
        }
        println!(
            "{name}: {n} leerlingen, {registrations} registraties, {steps} stappen bereikt in {secs:.2} s = {:.0} leerlingen/s",
            n as f64 / secs
        );
    }
}
