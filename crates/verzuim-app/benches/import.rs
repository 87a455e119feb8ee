//! Import benchmark: 1,000,000 registrations in verzuim's CSV format (with the students,
//! groups and lessons they refer to), timed for parsing and for writing on SQLite (a temp
//! file) and PostgreSQL (a fresh schema; skipped when not reachable).
//!
//! Run: `cargo bench -p verzuim-app --bench import`. Environment: `VERZUIM_BENCH_ROWS`
//! (default 1000000), `VERZUIM_BENCH_PG_URL` (else `VERZUIM_TEST_PG_URL`, else
//! postgres://postgres@127.0.0.1:5432/test).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{Datelike, Days, NaiveDate, NaiveTime, Weekday};
use verzuim_app::App;
use verzuim_domain::{Brin, CodeTable, Location, Region, School, Sector};
use verzuim_import::{FileOptions, Imported, Importer, Known};
use verzuim_store::{Store, create_postgres_schema, drop_postgres_schema};

const STUDENTS: usize = 2000;
const GROUP_SIZE: usize = 25;
const PERIODS: usize = 8;
const CODES: [&str; 6] = ["ZK", "ON", "SP", "TO", "VE", "ZK"];

/// A valid BSN (11-proef), different for every student `i`.
fn bsn(i: usize) -> String {
    let weights = [9i64, 8, 7, 6, 5, 4, 3, 2];
    (0..10)
        .find_map(|k| {
            let prefix = format!("{:08}", 20_000_000 + i * 10 + k);
            let sum: i64 = prefix
                .bytes()
                .zip(weights)
                .map(|(b, w)| i64::from(b - b'0') * w)
                .sum();
            // The last digit has weight -1: it must equal the sum modulo 11.
            let last = sum.rem_euclid(11);
            (last < 10).then(|| format!("{prefix}{last}"))
        })
        .unwrap()
}

fn school_days(count: usize) -> Vec<NaiveDate> {
    let mut day = NaiveDate::from_ymd_opt(2026, 8, 24).unwrap();
    let mut out = Vec::with_capacity(count);
    while out.len() < count {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            out.push(day);
        }
        day = day.checked_add_days(Days::new(1)).unwrap();
    }
    out
}

fn period_start(p: usize) -> NaiveTime {
    NaiveTime::from_hms_opt(8, 30, 0).unwrap() + chrono::Duration::minutes(50 * p as i64)
}

fn writer(dir: &Path, name: &str) -> (PathBuf, BufWriter<File>) {
    let path = dir.join(name);
    let file = BufWriter::with_capacity(1 << 20, File::create(&path).unwrap());
    (path, file)
}

/// Writes the file set; returns the paths in import order.
fn generate(dir: &Path, registrations: usize) -> Vec<PathBuf> {
    let groups = STUDENTS / GROUP_SIZE;
    let per_student = registrations.div_ceil(STUDENTS);
    let days = school_days(per_student.div_ceil(PERIODS));
    let group = |g: usize| format!("{}{}", g % 6 + 1, (b'A' + (g / 6) as u8) as char);
    let mut paths = Vec::new();

    let (path, mut w) = writer(dir, "klassen.csv");
    writeln!(w, "klas;leerjaar;locatie").unwrap();
    for g in 0..groups {
        writeln!(w, "{};{};00", group(g), g % 6 + 1).unwrap();
    }
    w.flush().unwrap();
    paths.push(path);

    let (path, mut w) = writer(dir, "personeel.csv");
    writeln!(w, "gebruikersnaam;naam;code;rollen").unwrap();
    for t in 0..groups {
        writeln!(w, "docent{t};Docent {t};D{t:03};docent|mentor").unwrap();
    }
    w.flush().unwrap();
    paths.push(path);

    let (path, mut w) = writer(dir, "leerlingen.csv");
    writeln!(w, "leerlingnummer;bsn;roepnaam;tussenvoegsel;achternaam;geboortedatum;gemeentecode;ingeschreven_vanaf;klas;mentor").unwrap();
    for s in 0..STUDENTS {
        let g = s / GROUP_SIZE;
        writeln!(
            w,
            "{};{};Leerling;;Nummer {s};2012-01-15;0935;2024-08-26;{};D{g:03}",
            10_000 + s,
            bsn(s),
            group(g)
        )
        .unwrap();
    }
    w.flush().unwrap();
    paths.push(path);

    let (path, mut w) = writer(dir, "rooster.csv");
    writeln!(w, "datum;lesuur;begintijd;eindtijd;klas;docent;vak").unwrap();
    for day in &days {
        for g in 0..groups {
            for p in 0..PERIODS {
                let start = period_start(p);
                let end = start + chrono::Duration::minutes(50);
                writeln!(
                    w,
                    "{day};{};{};{};{};D{:03};V{p}",
                    p + 1,
                    start.format("%H:%M"),
                    end.format("%H:%M"),
                    group(g),
                    (g + p) % groups
                )
                .unwrap();
            }
        }
    }
    w.flush().unwrap();
    paths.push(path);

    let (path, mut w) = writer(dir, "registraties.csv");
    writeln!(
        w,
        "leerlingnummer;datum;lesuur;begintijd;eindtijd;code;opmerking;minuten_te_laat"
    )
    .unwrap();
    for i in 0..registrations {
        let s = i % STUDENTS;
        let slot = i / STUDENTS;
        let (day, p) = (days[slot / PERIODS], slot % PERIODS);
        let start = period_start(p);
        let end = start + chrono::Duration::minutes(50);
        let code = CODES[i % CODES.len()];
        let minutes = if code == "TO" { "10" } else { "" };
        writeln!(
            w,
            "{};{day};{};{};{};{code};;{minutes}",
            10_000 + s,
            p + 1,
            start.format("%H:%M"),
            end.format("%H:%M")
        )
        .unwrap();
    }
    w.flush().unwrap();
    paths.push(path);
    paths
}

fn parse(paths: &[PathBuf]) -> (Imported, Duration) {
    let started = Instant::now();
    let mut importer = Importer::new(CodeTable::magister_default());
    for path in paths {
        importer
            .read_path(path, FileOptions::default(), &mut |_| {})
            .unwrap();
    }
    let imported = importer.finish(&Known::default()).unwrap();
    (imported, started.elapsed())
}

fn rate(rows: usize, time: Duration) -> String {
    format!(
        "{:>10.0} rows/s  {:>7.2} s",
        rows as f64 / time.as_secs_f64(),
        time.as_secs_f64()
    )
}

async fn write(label: &str, url: &str, imported: &Imported) {
    let store = Store::connect(url).await.unwrap();
    store.migrate().await.unwrap();
    let school = School::new(
        Brin::parse("12AB").unwrap(),
        "Benchmarkcollege",
        Sector::Vo,
        Region::Zuid,
        vec![Location {
            code: "00".into(),
            name: "Hoofdgebouw".into(),
        }],
    )
    .unwrap();
    let id = store.create_school(&school).await.unwrap();
    store
        .save_code_table(id, &CodeTable::magister_default())
        .await
        .unwrap();
    let app = App::new(store);
    let rows = imported.batch.registrations.len();
    let started = Instant::now();
    let report = app
        .import_batch(id, &imported.batch, chrono::Utc::now(), "benchmark")
        .await
        .unwrap();
    let time = started.elapsed();
    assert_eq!(report.registrations as usize, rows);
    println!(
        "write {label:<10} {}  ({} registrations, {} lessons, {} students in one transaction)",
        rate(rows, time),
        report.registrations,
        report.lessons,
        report.students
    );
    app.store.close().await;
}

async fn postgres_reachable(url: &str) -> bool {
    matches!(
        tokio::time::timeout(Duration::from_secs(3), Store::connect(url)).await,
        Ok(Ok(_))
    )
}

fn main() {
    let rows: usize = std::env::var("VERZUIM_BENCH_ROWS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let paths = generate(dir.path(), rows);
    let size: u64 = paths
        .iter()
        .map(|p| std::fs::metadata(p).unwrap().len())
        .sum();
    println!(
        "generated {rows} registrations ({:.1} MB of CSV) in {:.2} s",
        size as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );

    let (imported, time) = parse(&paths);
    assert_eq!(imported.batch.registrations.len(), rows);
    println!("parse      {}", rate(rows, time));
    drop(parse(&paths)); // warm run, to show the steady speed
    let (_, time) = parse(&paths);
    println!("parse (2)  {}", rate(rows, time));

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let file = dir.path().join("bench.sqlite");
        write("SQLite", &format!("sqlite:{}", file.display()), &imported).await;

        let base = std::env::var("VERZUIM_BENCH_PG_URL")
            .or_else(|_| std::env::var("VERZUIM_TEST_PG_URL"))
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
        if !postgres_reachable(&base).await {
            println!(
                "write PostgreSQL skipped: {base} is not reachable (set VERZUIM_BENCH_PG_URL)"
            );
            return;
        }
        let schema = format!("bench_import_{}", std::process::id());
        let url = create_postgres_schema(&base, &schema).await.unwrap();
        write("PostgreSQL", &url, &imported).await;
        drop_postgres_schema(&base, &schema).await.unwrap();
    });
}
