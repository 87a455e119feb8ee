//! Throughput of `write_batch`, by hand: `cargo test -p verzuim-store --release --test bulk --
//! --ignored --nocapture` (size from `VERZUIM_BENCH_REGISTRATIONS`, default 1 000 000): a
//! first import, then the same batch again (every registration skipped as already there).

// A test crate: its helpers outside `#[test]` functions may fail loudly too (clippy.toml
// only exempts the test functions themselves).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Instant;

use chrono::{TimeZone, Utc};
use common::{d, generated_batch, postgres_store, sqlite_store};
use verzuim_domain::{Brin, CodeTable, Region, School, Sector};
use verzuim_store::Store;

fn size() -> usize {
    std::env::var("VERZUIM_BENCH_REGISTRATIONS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000)
}

async fn bench(store: &Store) {
    let n = size();
    let school = School::new(
        Brin::parse("12AB").unwrap(),
        "Bulk",
        Sector::Vo,
        Region::Zuid,
        vec![],
    )
    .unwrap();
    let id = store.create_school(&school).await.unwrap();
    store
        .save_code_table(id, &CodeTable::magister_default())
        .await
        .unwrap();
    // 40 groups of 30 students: 1200 students, 9600 lesson slots a day.
    let batch = generated_batch("G", 40, d(2026, 9, 7), n);
    let at = Utc.with_ymd_and_hms(2026, 11, 23, 12, 0, 0).unwrap();
    let started = Instant::now();
    let report = store.write_batch(id, &batch, at, "import").await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(report.registrations as usize, n);
    println!(
        "write_batch on {}: {} registrations ({} students, {} lessons) in {:.2?}: {:.0} registrations/s",
        store.dialect().name(),
        n,
        report.students,
        report.lessons,
        elapsed,
        n as f64 / elapsed.as_secs_f64()
    );

    // The same batch again: every registration is there already, nothing is doubled.
    let started = Instant::now();
    let again = store.write_batch(id, &batch, at, "import").await.unwrap();
    let elapsed = started.elapsed();
    assert_eq!(
        (again.registrations, again.registrations_updated),
        (0, 0),
        "{again:?}"
    );
    assert_eq!(again.registrations_skipped as usize, n);
    println!(
        "write_batch again on {}: {} registrations skipped as already there in {:.2?}",
        store.dialect().name(),
        n,
        elapsed
    );
}

#[tokio::test]
#[ignore = "benchmark: run by hand with --ignored --nocapture"]
async fn write_batch_throughput_on_sqlite() {
    let (store, _dir) = sqlite_store().await;
    bench(&store).await;
}

#[tokio::test]
#[ignore = "benchmark: run by hand with --ignored --nocapture"]
async fn write_batch_throughput_on_postgres() {
    let Some((store, schema)) = postgres_store("bulk").await else {
        return;
    };
    bench(&store).await;
    store.close().await;
    schema.drop().await;
}
