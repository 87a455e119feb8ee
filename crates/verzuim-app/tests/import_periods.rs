//! Importing a `periodes` file: the periods go into the school's calendar of their school year
//! (the stored one, else the shipped one), all or nothing with the rest of the import. Runs on
//! a SQLite file and on a fresh PostgreSQL schema (`VERZUIM_TEST_PG_URL`;
//! `VERZUIM_SKIP_POSTGRES=1` skips it when unreachable).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;

use chrono::{NaiveDate, Utc};
use verzuim_app::App;
use verzuim_app::import::{FileKind, ImportFile, ImportUseCaseError};
use verzuim_domain::{
    Brin, CodeTable, Location, Region, School, SchoolCalendar, SchoolPeriod, SchoolYear, Sector,
};
use verzuim_import::ImportError;
use verzuim_store::{SchoolId, Store};

mod common;

use common::{Db, TestDb};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

async fn school(store: &Store, brin: &str) -> SchoolId {
    let school = School::new(
        Brin::parse(brin).unwrap(),
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

fn file(name: &str, text: &str) -> ImportFile {
    ImportFile::bytes(name, text.as_bytes().to_vec())
}

const PERIODS: &str = "\
periode;begindatum;einddatum
Periode 1;24-08-2026;13-11-2026
Periode 2;16-11-2026;05-02-2027
Periode 3;08-02-2027;23-04-2027
Periode 4;26-04-2027;09-07-2027
";

fn year() -> SchoolYear {
    SchoolYear::starting(2026)
}

/// A stored calendar gets the periods; nothing else of it changes.
async fn periods_go_into_the_stored_calendar(app: &App, school: SchoolId) {
    let stored = SchoolCalendar::new(
        year(),
        Region::Zuid,
        d(2026, 8, 24),
        d(2027, 7, 9),
        Vec::new(),
        BTreeSet::from([d(2026, 10, 5)]),
    )
    .unwrap();
    app.store.save_calendar(school, &stored).await.unwrap();
    let report = app
        .import_files(
            school,
            &[file("periodes.csv", PERIODS)],
            Utc::now(),
            &|_| {},
        )
        .await
        .unwrap();
    assert_eq!(report.files[0].kind, FileKind::Periods);
    assert_eq!(report.periods, 4);
    let cal = app.store.calendar(school, year()).await.unwrap().unwrap();
    assert_eq!(cal.extra_free_days, stored.extra_free_days);
    assert_eq!(cal.periods.len(), 4);
    assert_eq!(
        cal.periods[1],
        SchoolPeriod {
            name: "Periode 2".into(),
            first: d(2026, 11, 16),
            last: d(2027, 2, 5)
        }
    );
    // A second import replaces them.
    let two = "periode;begindatum;einddatum\nsemester 1;2026-08-24;2027-01-29\nsemester 2;2027-02-01;2027-07-09\n";
    app.import_files(school, &[file("periodes.csv", two)], Utc::now(), &|_| {})
        .await
        .unwrap();
    let cal = app.store.calendar(school, year()).await.unwrap().unwrap();
    let names: Vec<&str> = cal.periods.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(names, ["semester 1", "semester 2"]);
}

/// Without a stored calendar the shipped one of the school's region is stored with them.
async fn without_a_calendar_the_shipped_one_is_stored(app: &App, school: SchoolId) {
    assert!(app.store.calendar(school, year()).await.unwrap().is_none());
    let shipped = SchoolCalendar::shipped(year(), Region::Zuid).unwrap();
    let text = format!(
        "periode;begindatum;einddatum\nblok 1;{};2026-12-18\nblok 2;2027-01-04;{}\n",
        shipped.first_day, shipped.last_day
    );
    app.import_files(school, &[file("periodes.csv", &text)], Utc::now(), &|_| {})
        .await
        .unwrap();
    let cal = app.store.calendar(school, year()).await.unwrap().unwrap();
    assert_eq!(
        (cal.first_day, cal.last_day),
        (shipped.first_day, shipped.last_day)
    );
    assert_eq!(cal.holidays, shipped.holidays);
    assert_eq!(cal.periods.len(), 2);
}

/// A period outside the school days, checked against the calendar, refuses the whole import:
/// the students in it are not written either; nor is the calendar when the store refuses.
async fn a_refused_period_writes_nothing(app: &App, school: SchoolId) {
    let before = app.store.calendar(school, year()).await.unwrap();
    let students = "leerlingnummer;bsn;roepnaam;achternaam;geboortedatum;ingeschreven_vanaf\n\
                    2001;999990007;Anna;Berg;2012-03-04;2024-08-26\n";
    let late = PERIODS.replace("24-08-2026", "03-08-2026");
    let err = app
        .import_files(
            school,
            &[
                file("leerlingen.csv", students),
                file("periodes.csv", &late),
            ],
            Utc::now(),
            &|_| {},
        )
        .await
        .unwrap_err();
    match &err {
        ImportUseCaseError::File(ImportError::BadRow {
            file,
            line,
            column,
            reason,
        }) => {
            assert_eq!(
                (file.as_str(), *line, column.as_str()),
                ("periodes.csv", 2, "begindatum")
            );
            assert!(
                reason.contains("valt buiten schooljaar 2026-2027"),
                "{reason}"
            );
        }
        other => panic!("expected a located refusal, got {other:?}"),
    }
    assert!(
        app.store
            .student_by_number(school, "2001")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(app.store.calendar(school, year()).await.unwrap(), before);

    // --check reads against the calendar too.
    let err = app
        .parse_files(school, &[file("periodes.csv", &late)], &|_| {})
        .await
        .unwrap_err();
    assert!(
        err.to_string().starts_with("periodes.csv:2:begindatum: "),
        "{err}"
    );

    // Good periods with a row the store refuses: the calendar stays as it was.
    let regs = "leerlingnummer;datum;begintijd;eindtijd;code\n4242;2026-11-24;08:30;09:20;ZK\n";
    let err = app
        .import_files(
            school,
            &[
                file("periodes.csv", PERIODS),
                file("registraties.csv", regs),
            ],
            Utc::now(),
            &|_| {},
        )
        .await
        .unwrap_err();
    assert!(
        matches!(err, ImportUseCaseError::Rejected { .. }),
        "{err:?}"
    );
    assert_eq!(app.store.calendar(school, year()).await.unwrap(), before);
}

async fn story_on(db: Db) {
    let Some(test_db) = TestDb::new(db, "app_periods", "import_periods").await else {
        return;
    };
    let store = Store::connect(&test_db.url).await.unwrap();
    store.migrate().await.unwrap();
    let stored = school(&store, "12AB").await;
    let bare = school(&store, "34CD").await;
    let app = App::new(store);
    periods_go_into_the_stored_calendar(&app, stored).await;
    without_a_calendar_the_shipped_one_is_stored(&app, bare).await;
    a_refused_period_writes_nothing(&app, stored).await;
    app.store.close().await;
    test_db.drop_schema().await;
}

#[tokio::test]
async fn periods_import_on_sqlite() {
    story_on(Db::Sqlite).await;
}

#[tokio::test]
async fn periods_import_on_postgres() {
    story_on(Db::Postgres).await;
}
