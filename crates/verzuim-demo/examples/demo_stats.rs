//! Generates a demo school chunk by chunk and prints what is in it and how long it took.
//!
//! ```text
//! cargo run --release -p verzuim-demo --example demo_stats -- [students] [weeks|all] [today|end] [seed]
//! cargo run --release -p verzuim-demo --example demo_stats -- 1000000 4
//! ```

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::NaiveDate;
use verzuim_demo::{DemoGenerator, DemoSpec};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let students: u32 = args.first().map_or(Ok(1200), |s| s.parse())?;
    let weeks: Option<u32> = match args.get(1).map(String::as_str) {
        None | Some("all") => None,
        Some(w) => Some(w.parse()?),
    };
    let seed: u64 = args.get(3).map_or(Ok(2026), |s| s.parse())?;
    let mut spec = DemoSpec::for_benchmark(seed, students, weeks)?;
    if let Some(today) = args.get(2).filter(|s| s.as_str() != "end") {
        spec.today = NaiveDate::parse_from_str(today, "%Y-%m-%d")?;
    }
    let started = Instant::now();
    let generator = DemoGenerator::new(&spec)?;
    let mut counts = [0usize; 5];
    let mut codes: BTreeMap<String, usize> = BTreeMap::new();
    generator.for_each_chunk(|_, chunk| {
        counts[0] += chunk.groups.len();
        counts[1] += chunk.staff.len();
        counts[2] += chunk.students.len();
        counts[3] += chunk.lessons.len();
        counts[4] += chunk.registrations.len();
        for r in &chunk.registrations {
            *codes.entry(r.code.clone()).or_default() += 1;
        }
        Ok::<(), std::convert::Infallible>(())
    })?;
    let elapsed = started.elapsed();
    println!(
        "{} students, weeks {:?}, today {}: {} groups, {} staff, {} lessons, {} registrations in {:.2?}",
        counts[2], weeks, spec.today, counts[0], counts[1], counts[3], counts[4], elapsed
    );
    println!("codes: {codes:?}");
    for login in generator.logins() {
        println!(
            "login {} / {} ({:?}, {})",
            login.username, login.password, login.role, login.name
        );
    }
    Ok(())
}
