//! The law engine on a school's database: the demo school loaded into SQLite and PostgreSQL,
//! checked as of a day in November. The demo has chronic truants (Leerplichtwet art. 21a:
//! 16 lesuren in 4 lesweken must be reported), so the check must find 16-uur meldingen; every
//! student in the answer gets a `read` audit row; both databases give the same answer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{NaiveDate, TimeZone, Utc};
use verzuim_app::App;
use verzuim_demo::{DemoSpec, generate};
use verzuim_law::{Evaluation, MeldingKind};
use verzuim_store::{AuditAction, Store, create_postgres_schema, drop_postgres_schema};

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

async fn check(store: Store, backend: &str) -> Evaluation {
    store.migrate().await.unwrap();
    let app = App::new(store);
    let demo = generate(&DemoSpec::for_today(today()).unwrap()).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    let report = app
        .load_demo(&demo, now, verzuim_auth::hash_password)
        .await
        .unwrap();
    let school = report.school;

    let case = app.law_case(school, today()).await.unwrap();
    assert_eq!(case.students.len(), demo.batch.students.len());
    assert_eq!(case.registrations.len(), demo.batch.registrations.len());

    let evaluation = app
        .check_school(school, today(), "verzuim check (test)", now)
        .await
        .unwrap();
    assert_eq!(evaluation, verzuim_law::evaluate(&case, today()).unwrap());
    let sixteen = evaluation
        .meldingen
        .iter()
        .filter(|m| m.kind == MeldingKind::SixteenHours)
        .count();
    assert!(sixteen > 0, "no 16-uur melding in the demo school");
    for m in &evaluation.meldingen {
        assert!(m.due_on <= today(), "{m:?} is due after today");
        let student = app
            .store
            .student_by_number(school, &m.student)
            .await
            .unwrap()
            .unwrap();
        let audit = app
            .store
            .audit_of_student(school, student.id)
            .await
            .unwrap();
        assert!(
            audit
                .iter()
                .any(|a| a.action == AuditAction::Read && a.detail.starts_with("verzuimcheck")),
            "no audit row for {}",
            m.student
        );
    }
    println!(
        "law check on {backend}: {} meldingen ({sixteen} of 16 uur)",
        evaluation.meldingen.len()
    );
    app.store.close().await;
    evaluation
}

#[tokio::test]
async fn the_demo_school_is_checked_alike_on_sqlite_and_postgres() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("law.sqlite").display());
    let on_sqlite = check(Store::connect(&url).await.unwrap(), "SQLite").await;

    let base = std::env::var("VERZUIM_TEST_PG_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
    let schema = format!("t_app_law_{}", std::process::id());
    let url = match create_postgres_schema(&base, &schema).await {
        Ok(url) => url,
        Err(e) if std::env::var("VERZUIM_SKIP_POSTGRES").as_deref() == Ok("1") => {
            println!("law check on PostgreSQL: skipped ({e})");
            return;
        }
        Err(e) => panic!(
            "PostgreSQL is not reachable at {base}: {e}; run scripts/test or set VERZUIM_SKIP_POSTGRES=1"
        ),
    };
    let on_postgres = check(Store::connect(&url).await.unwrap(), "PostgreSQL").await;
    drop_postgres_schema(&base, &schema).await.unwrap();
    // Registration ids are database ids and may differ; the meldingen must not.
    let strip = |e: &Evaluation| {
        e.meldingen
            .iter()
            .map(|m| (m.kind, m.student.clone(), m.begin, m.end, m.units.to_bits()))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&on_sqlite), strip(&on_postgres));
}
