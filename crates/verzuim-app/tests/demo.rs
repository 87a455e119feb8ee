//! Loading the demo school into a real SQLite file: everything arrives, only the demo logins
//! can log in, the docent has lessons on the day the demo shows, and a second load is refused.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::{NaiveDate, TimeZone, Utc};
use verzuim_app::App;
use verzuim_app::demo::DemoError;
use verzuim_demo::{DemoGenerator, DemoSpec, generate};
use verzuim_domain::{CodeTable, SchoolRole};
use verzuim_store::Store;

async fn sqlite_app(dir: &tempfile::TempDir) -> App {
    let url = format!("sqlite:{}", dir.path().join("demo.sqlite").display());
    let store = Store::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    App::new(store)
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
}

#[tokio::test]
async fn demo_loads_into_sqlite_with_working_logins_and_todays_lessons() {
    let dir = tempfile::tempdir().unwrap();
    let app = sqlite_app(&dir).await;
    let demo = generate(&DemoSpec::for_today(today()).unwrap()).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();

    let report = app
        .load_demo(&demo, now, verzuim_auth::hash_password)
        .await
        .unwrap();
    assert_eq!(report.written.students, demo.batch.students.len() as u64);
    assert_eq!(report.written.lessons, demo.batch.lessons.len() as u64);
    assert_eq!(
        report.written.registrations,
        demo.batch.registrations.len() as u64
    );
    assert_eq!(report.chunks, 1);

    let store = &app.store;
    let school = store
        .school_by_brin(&demo.school.brin)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(school.id, report.school);
    assert_eq!(school.school, demo.school);
    assert_eq!(
        store.calendar(school.id, demo.calendar.year).await.unwrap(),
        Some(demo.calendar.clone())
    );
    assert_eq!(
        store.code_table(school.id).await.unwrap(),
        CodeTable::magister_default()
    );
    assert_eq!(
        store.groups(school.id).await.unwrap().len(),
        demo.batch.groups.len()
    );

    // Every demo login has a password that verifies; other staff have none.
    for login in &demo.logins {
        let (row, hash) = store
            .staff_for_login(&login.username)
            .await
            .unwrap()
            .unwrap();
        assert!(row.staff.has_role(login.role));
        assert!(verzuim_auth::verify_password(&login.password, &hash.unwrap()).unwrap());
    }
    let other = demo
        .batch
        .staff
        .iter()
        .find(|s| !s.staff.username.starts_with("demo."))
        .unwrap();
    let (_, hash) = store
        .staff_for_login(&other.staff.username)
        .await
        .unwrap()
        .unwrap();
    assert!(hash.is_none());

    // The docent's lesson page has lessons on the day the demo shows (today is a Monday).
    let docent = demo.login(SchoolRole::Teacher).unwrap();
    let (docent_row, _) = store
        .staff_for_login(&docent.username)
        .await
        .unwrap()
        .unwrap();
    let day = demo.next_school_day(today()).unwrap();
    assert_eq!(day, today());
    let lessons = store
        .lessons_of_teacher_on(school.id, docent_row.id, day)
        .await
        .unwrap();
    assert!(!lessons.is_empty());
    // ... and on a Saturday the next school day (Monday) is shown instead.
    let saturday = NaiveDate::from_ymd_opt(2026, 11, 28).unwrap();
    let monday = demo.next_school_day(saturday).unwrap();
    assert!(
        !store
            .lessons_of_teacher_on(school.id, docent_row.id, monday)
            .await
            .unwrap()
            .is_empty()
    );

    // Registrations came in tied to lessons, with their codes.
    let regs = store
        .registrations_between(school.id, demo.calendar.first_day, today())
        .await
        .unwrap();
    assert_eq!(regs.len(), demo.batch.registrations.len());
    assert!(regs.iter().all(|r| r.lesson.is_some()));

    // Loading again is refused with the school that is there.
    let again = app.load_demo(&demo, now, verzuim_auth::hash_password).await;
    match again {
        Err(DemoError::AlreadyExists { school: id, .. }) => assert_eq!(id, school.id),
        other => panic!("expected AlreadyExists, got {other:?}"),
    }
}

#[tokio::test]
async fn a_large_demo_is_written_chunk_by_chunk() {
    let dir = tempfile::tempdir().unwrap();
    let app = sqlite_app(&dir).await;
    let spec = DemoSpec::for_benchmark(5, 3000, Some(2)).unwrap();
    let generator = DemoGenerator::new(&spec).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    let mut seen = Vec::new();
    let report = app
        .load_demo_streaming(
            &generator,
            now,
            |p: &str| Ok::<_, std::convert::Infallible>(format!("plain:{p}")),
            |done, total| seen.push((done, total)),
        )
        .await
        .unwrap();
    let chunks = generator.chunk_count();
    assert!(chunks > 1);
    assert_eq!(report.chunks, chunks);
    assert_eq!(seen.last(), Some(&(chunks, chunks)));
    assert_eq!(report.written.students, 3000);
    let counted = app
        .store
        .count_students(report.school, &verzuim_store::StudentQuery::default())
        .await
        .unwrap();
    assert_eq!(counted, 3000);
    let (_, hash) = app
        .store
        .staff_for_login("demo.admin")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(hash.as_deref(), Some("plain:demo-admin-2026"));
}

#[tokio::test]
async fn a_failing_password_hasher_is_reported_with_the_login() {
    let dir = tempfile::tempdir().unwrap();
    let app = sqlite_app(&dir).await;
    let demo = generate(&DemoSpec::for_benchmark(1, 100, Some(1)).unwrap()).unwrap();
    let now = Utc.with_ymd_and_hms(2026, 11, 23, 8, 0, 0).unwrap();
    let err = app
        .load_demo(&demo, now, |_: &str| Err::<String, _>("kapot"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, DemoError::Hash { ref reason, .. } if reason == "kapot"),
        "{err}"
    );
    // Nothing was created: a second try with a working hasher succeeds.
    assert!(
        app.store
            .school_by_brin(&demo.school.brin)
            .await
            .unwrap()
            .is_none()
    );
    app.load_demo(&demo, now, |p: &str| Ok::<_, String>(p.to_owned()))
        .await
        .unwrap();
}
