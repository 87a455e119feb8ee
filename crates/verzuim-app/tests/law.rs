//! The law engine on a school's database: the demo school loaded into SQLite and PostgreSQL,
//! checked as of a day in November. The demo has chronic truants (Leerplichtwet art. 21a:
//! 16 lesuren in 4 lesweken must be reported), so the check must find 16-uur meldingen; every
//! student in the answer gets a `read` audit row; both databases give the same answer.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{NaiveDate, TimeZone, Utc};
use verzuim_app::App;
use verzuim_demo::{DemoSpec, generate};
use verzuim_law::{Evaluation, MeldingKind};
use verzuim_store::{AuditAction, Store};

mod common;

use common::{Db, TestDb};

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
    let sqlite = TestDb::new(Db::Sqlite, "app_law", "law").await.unwrap();
    let on_sqlite = check(Store::connect(&sqlite.url).await.unwrap(), "SQLite").await;
    let Some(postgres) = TestDb::new(Db::Postgres, "app_law", "law").await else {
        return;
    };
    let on_postgres = check(Store::connect(&postgres.url).await.unwrap(), "PostgreSQL").await;
    postgres.drop_schema().await;
    // Registration ids are database ids and may differ; the meldingen must not.
    let strip = |e: &Evaluation| {
        e.meldingen
            .iter()
            .map(|m| (m.kind, m.student.clone(), m.begin, m.end, m.units.to_bits()))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&on_sqlite), strip(&on_postgres));
}
