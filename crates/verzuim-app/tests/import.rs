//! The import use case against a real store: the shipped samples go in whole, and a file
//! with one bad row (found by the parser or by the store) writes nothing and names
//! file:line:column. Runs on a SQLite file and on a fresh PostgreSQL schema
//! (`VERZUIM_TEST_PG_URL`; `VERZUIM_SKIP_POSTGRES=1` skips it when unreachable).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{NaiveDate, NaiveTime, Utc};
use verzuim_app::App;
use verzuim_app::import::{FileKind, ImportFile, ImportUseCaseError, RegistrationFormat};
use verzuim_domain::{Brin, CodeTable, Location, Region, School, Sector};
use verzuim_import::ImportError;
use verzuim_store::{SchoolId, Store, StudentQuery};

mod common;

use common::{Db, TestDb};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/samples")
}

fn sample_files() -> Vec<ImportFile> {
    let dir = samples();
    [
        "verzuim/registraties.csv", // order does not matter: students come later
        "verzuim/klassen.csv",
        "verzuim/personeel.csv",
        "verzuim/leerlingen.csv",
        "verzuim/rooster.csv",
        "magister-absenties.csv",
        "somtoday-absentiemeldingen.csv",
        "magister-absenties.xlsx",
    ]
    .iter()
    .map(|name| ImportFile::path(dir.join(name)))
    .collect()
}

async fn school(store: &Store) -> SchoolId {
    let school = School::new(
        Brin::parse("12AB").unwrap(),
        "Testcollege",
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
    id
}

/// Registrations and students in the store, to compare before and after a refused import.
async fn counts(app: &App, school: SchoolId) -> (i64, usize) {
    let students = app
        .store
        .count_students(school, &StudentQuery::default())
        .await
        .unwrap();
    let regs = app
        .store
        .registrations_between(school, d(2026, 8, 1), d(2027, 7, 31))
        .await
        .unwrap()
        .len();
    (students, regs)
}

async fn samples_import_whole(app: &App, school: SchoolId) {
    let calls = AtomicU32::new(0);
    let report = app
        .import_files(school, &sample_files(), Utc::now(), &|p| {
            assert!(p.done <= p.total, "{p:?}");
            calls.fetch_add(1, Ordering::Relaxed);
        })
        .await
        .unwrap();
    assert!(
        calls.load(Ordering::Relaxed) >= 8,
        "one progress call per file at least"
    );
    let w = report.written;
    assert_eq!(
        (w.groups, w.staff, w.students, w.lessons, w.registrations),
        (2, 4, 6, 10, 16)
    );
    assert_eq!(report.files[0].kind, FileKind::Registrations);
    assert_eq!(report.files[6].format, Some(RegistrationFormat::Somtoday));
    assert_eq!(counts(app, school).await, (6, 16));

    // 1004's lesson-hour-only row (lesuur 3 of 3A) is tied to that lesson.
    let lessons = app.store.lessons_on(school, d(2026, 11, 23)).await.unwrap();
    let hour3 = lessons
        .iter()
        .find(|l| l.group_code == "3A" && l.lesson.period == 3)
        .unwrap();
    let on_it = app
        .store
        .registrations_for_lesson(school, hour3.id)
        .await
        .unwrap();
    assert_eq!(on_it.len(), 1);
    assert_eq!(on_it[0].registration.code, "ON");
    // SOMtoday's three-day sick report is three day spans.
    let sick: Vec<_> = app
        .store
        .registrations_between(school, d(2026, 11, 24), d(2026, 11, 26))
        .await
        .unwrap()
        .into_iter()
        .filter(|r| r.registration.note.starts_with("griep"))
        .collect();
    assert_eq!(sick.len(), 3);
}

async fn bad_row_in_a_file_writes_nothing(app: &App, school: SchoolId, dir: &Path) {
    let before = counts(app, school).await;
    // The parser's refusal: an unknown code on line 4.
    let path = dir.join("registraties-fout.csv");
    std::fs::write(
        &path,
        "leerlingnummer;datum;begintijd;eindtijd;code\n\
         1001;2026-11-26;08:30;09:20;ZK\n\
         1002;2026-11-26;08:30;09:20;ZK\n\
         1003;2026-11-26;08:30;09:20;XX\n",
    )
    .unwrap();
    let mut files = sample_files();
    files.push(ImportFile::path(&path));
    let err = app
        .import_files(school, &files, Utc::now(), &|_| {})
        .await
        .unwrap_err();
    match &err {
        ImportUseCaseError::File(ImportError::BadRow {
            file, line, column, ..
        }) => {
            assert_eq!(
                (file.as_str(), *line, column.as_str()),
                (path.display().to_string().as_str(), 4, "code")
            );
        }
        other => panic!("expected a bad row, got {other:?}"),
    }
    assert!(
        err.to_string()
            .starts_with(&format!("{}:4:code: 'XX'", path.display())),
        "{err}"
    );
    assert_eq!(counts(app, school).await, before);

    // The store's refusal: a student number nobody has, in a Magister-style upload. The
    // column is named as the file names it.
    let upload = "Stamnr;Datum;Start;Eind;Code\n1001;26-11-2026;08:30;09:20;ZK\n4242;26-11-2026;08:30;09:20;ZK\n";
    let files = vec![
        ImportFile::path(samples().join("verzuim/leerlingen.csv")),
        ImportFile::bytes("absenties.csv", upload.as_bytes().to_vec()),
    ];
    let err = app
        .import_files(school, &files, Utc::now(), &|_| {})
        .await
        .unwrap_err();
    match &err {
        ImportUseCaseError::Rejected {
            file,
            line,
            column,
            reason,
        } => {
            assert_eq!(
                (file.as_str(), *line, column.as_str()),
                ("absenties.csv", 3, "Stamnr")
            );
            assert!(reason.contains("4242"), "{reason}");
        }
        other => panic!("expected a store refusal, got {other:?}"),
    }
    assert!(
        err.to_string().starts_with("absenties.csv:3:Stamnr: "),
        "{err}"
    );
    assert_eq!(counts(app, school).await, before);
}

async fn lesson_hour_rows_use_the_stored_timetable(app: &App, school: SchoolId) {
    // Only registrations: the students' groups and lessons come from the database.
    let upload = "leerlingnummer;datum;lesuur;code\n1005;2026-11-24;2;ZK\n";
    let files = vec![
        ImportFile::bytes("r.csv", upload.as_bytes().to_vec()).with_kind(FileKind::Registrations),
    ];
    let report = app
        .import_files(school, &files, Utc::now(), &|_| {})
        .await
        .unwrap();
    assert_eq!(report.written.registrations, 1);
    let student = app
        .store
        .student_by_number(school, "1005")
        .await
        .unwrap()
        .unwrap();
    let regs = app
        .store
        .registrations_of_student(school, student.id)
        .await
        .unwrap();
    let hour2 = regs
        .iter()
        .find(|r| r.date == d(2026, 11, 24) && r.registration.note.is_empty())
        .unwrap();
    assert_eq!(
        (hour2.start, hour2.end),
        (
            NaiveTime::from_hms_opt(9, 20, 0).unwrap(),
            NaiveTime::from_hms_opt(10, 10, 0).unwrap()
        )
    );
    assert!(hour2.lesson.is_some());
}

/// The web layer runs imports inside Send futures (axum handlers).
#[allow(dead_code)]
fn import_futures_are_send(app: &App, files: &[ImportFile]) {
    fn send<T: Send>(_: T) {}
    send(app.import_files(SchoolId(1), files, Utc::now(), &|_| {}));
    send(app.parse_files(SchoolId(1), files, &|_| {}));
}

async fn story(store: Store, dir: &Path) {
    store.migrate().await.unwrap();
    let school = school(&store).await;
    let app = App::new(store);
    samples_import_whole(&app, school).await;
    bad_row_in_a_file_writes_nothing(&app, school, dir).await;
    lesson_hour_rows_use_the_stored_timetable(&app, school).await;
    app.store.close().await;
}

async fn story_on(db: Db) {
    let Some(test_db) = TestDb::new(db, "app_import", "import").await else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    story(Store::connect(&test_db.url).await.unwrap(), dir.path()).await;
    test_db.drop_schema().await;
}

#[tokio::test]
async fn import_story_on_sqlite() {
    story_on(Db::Sqlite).await;
}

#[tokio::test]
async fn import_story_on_postgres() {
    story_on(Db::Postgres).await;
}
