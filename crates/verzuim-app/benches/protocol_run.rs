//! Protocol benchmark on a school database: the demo generator's school (default 1,200
//! students) with a whole school year of registrations, on the `vmbo-maastricht-2019` preset
//! applying from the first school day (the worst case: every step of the year is new). Times
//! the first run (evaluate + store every step and task), a rerun that finds nothing new, the
//! verzuimcoördinator's open-task count, the first and last page of her inbox and one
//! student's protocol page data, on SQLite (a temp file) and PostgreSQL (a fresh schema;
//! skipped when not reachable). Prints the figures; asserts none.
//!
//! Run: `cargo bench -p verzuim-app --bench protocol_run`. Environment:
//! `VERZUIM_BENCH_STUDENTS` (default 1200), `VERZUIM_BENCH_PG_URL` (else `VERZUIM_TEST_PG_URL`,
//! else postgres://postgres@127.0.0.1:5432/test).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::time::Instant;

use chrono::{TimeZone, Utc};
use verzuim_app::App;
use verzuim_app::protocol::TaskQuery;
use verzuim_app::school::Actor;
use verzuim_demo::{DemoGenerator, DemoSpec};
use verzuim_domain::SchoolRole;
use verzuim_store::{Store, StudentQuery, create_postgres_schema, drop_postgres_schema};

async fn bench(name: &str, store: Store, students: u32) {
    store.migrate().await.unwrap();
    let app = App::new(store);
    let spec = DemoSpec::for_benchmark(2026, students, None).unwrap();
    let today = spec.today;
    let generator = DemoGenerator::new(&spec).unwrap();
    let now = Utc.with_ymd_and_hms(2027, 7, 16, 18, 0, 0).unwrap();
    let started = Instant::now();
    let report = app
        .load_demo_streaming(
            &generator,
            now,
            |p: &str| Ok::<String, std::convert::Infallible>(format!("bench:{p}")),
            |_, _| {},
        )
        .await
        .unwrap();
    let school = report.school;
    println!(
        "{name}: demo school loaded in {:.1} s ({} students, {} registrations, up to {today})",
        started.elapsed().as_secs_f64(),
        report.written.students,
        report.written.registrations
    );
    let preset = verzuim_protocol::preset("vmbo-maastricht-2019").unwrap();
    let calendar = generator.calendar();
    app.set_protocol(
        school,
        preset.name,
        preset.source,
        calendar.first_day,
        "bench",
        now,
    )
    .await
    .unwrap();

    let t = Instant::now();
    let first = app.protocol_run(school, today, "bench", now).await.unwrap();
    let first_s = t.elapsed().as_secs_f64();
    println!(
        "{name}: first run  {first_s:>6.2} s — {} students, {} steps reached, {} new, {} tasks ({:.0} students/s)",
        first.students,
        first.steps_reached,
        first.steps_new,
        first.tasks_new,
        first.students as f64 / first_s
    );
    let t = Instant::now();
    let again = app.protocol_run(school, today, "bench", now).await.unwrap();
    println!(
        "{name}: rerun      {:>6.2} s — {} new steps, {} new tasks",
        t.elapsed().as_secs_f64(),
        again.steps_new,
        again.tasks_new
    );

    let staff = app
        .store
        .staff_list(school)
        .await
        .unwrap()
        .into_iter()
        .find(|s| s.staff.roles.contains(&SchoolRole::AttendanceCoordinator))
        .expect("the demo has a verzuimcoördinator");
    let coordinator = Actor::trusted(staff);
    let t = Instant::now();
    let open = app.protocol_open_task_count(&coordinator).await.unwrap();
    println!(
        "{name}: open-task count of the verzuimcoördinator {:>6.3} s — {open} open",
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let inbox = app
        .protocol_tasks(&coordinator, &TaskQuery::default(), today, now)
        .await
        .unwrap();
    println!(
        "{name}: the verzuimcoördinator's inbox, page 1 {:>6.3} s — {} of {} open tasks, {} pages",
        t.elapsed().as_secs_f64(),
        inbox.tasks.len(),
        inbox.total,
        inbox.pages
    );
    let t = Instant::now();
    let last = app
        .protocol_tasks(
            &coordinator,
            &TaskQuery {
                page: inbox.pages,
                ..TaskQuery::default()
            },
            today,
            now,
        )
        .await
        .unwrap();
    println!(
        "{name}: the verzuimcoördinator's inbox, last page {:>6.3} s — {} tasks",
        t.elapsed().as_secs_f64(),
        last.tasks.len()
    );
    let student = app
        .store
        .students(
            school,
            &StudentQuery {
                search: None,
                group: None,
                limit: 1,
                offset: 0,
            },
        )
        .await
        .unwrap()
        .remove(0);
    let t = Instant::now();
    let page = app
        .student_protocol(&coordinator, student.id, today, now)
        .await
        .unwrap()
        .expect("a protocol is chosen");
    println!(
        "{name}: one student's protocol {:>6.3} s — {} steps reached, {} tasks",
        t.elapsed().as_secs_f64(),
        page.ladder.reached.len(),
        page.tasks.len()
    );
    app.store.close().await;
}

#[tokio::main]
async fn main() {
    let students: u32 = std::env::var("VERZUIM_BENCH_STUDENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1200);
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("bench.sqlite").display());
    bench("SQLite", Store::connect(&url).await.unwrap(), students).await;

    let base = std::env::var("VERZUIM_BENCH_PG_URL")
        .or_else(|_| std::env::var("VERZUIM_TEST_PG_URL"))
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let schema = format!("bench_protocol_{}", std::process::id());
    match create_postgres_schema(&base, &schema).await {
        Ok(url) => {
            bench("PostgreSQL", Store::connect(&url).await.unwrap(), students).await;
            drop_postgres_schema(&base, &schema).await.unwrap();
        }
        Err(e) => println!("PostgreSQL: skipped ({e})"),
    }
}
