//! Shared by the store's integration tests: a fresh database per backend and batch builders.

#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use sqlx::Connection;
use verzuim_domain::{
    Batch, BatchLesson, BatchRegistration, BatchStaff, BatchStudent, Group, Origin, PersonalNumber,
    SchoolRole, Staff, Student,
};
use verzuim_store::{Store, create_postgres_schema, drop_postgres_schema};

pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// A migrated store on a fresh SQLite file; keep the directory alive while the store is used.
pub async fn sqlite_store() -> (Store, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", dir.path().join("verzuim.sqlite").display());
    let store = Store::connect(&url).await.expect("open SQLite");
    store.migrate().await.expect("migrate SQLite");
    (store, dir)
}

/// A fresh PostgreSQL schema, dropped by [`PgSchema::drop`].
pub struct PgSchema {
    pub base_url: String,
    pub name: String,
}

impl PgSchema {
    pub async fn drop(self) {
        drop_postgres_schema(&self.base_url, &self.name)
            .await
            .expect("drop schema");
    }
}

/// A migrated store in a fresh schema on `VERZUIM_TEST_PG_URL`; `None` (after saying so) when
/// PostgreSQL is unreachable and `VERZUIM_SKIP_POSTGRES=1`. Unreachable otherwise: the test
/// fails and says how to start it.
pub async fn postgres_store(test: &str) -> Option<(Store, PgSchema)> {
    static SEQ: AtomicU32 = AtomicU32::new(0);
    let base_url =
        std::env::var("VERZUIM_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_owned());
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    let name = format!(
        "t_{test}_{}_{nanos}_{}",
        std::process::id(),
        SEQ.fetch_add(1, Ordering::Relaxed)
    );
    let url = match create_postgres_schema(&base_url, &name).await {
        Ok(url) => url,
        Err(err) => {
            if std::env::var("VERZUIM_SKIP_POSTGRES").as_deref() == Ok("1") {
                println!("{test} on PostgreSQL: skipped (VERZUIM_SKIP_POSTGRES=1; {err})");
                return None;
            }
            panic!(
                "PostgreSQL is not reachable at {base_url}: {err}\n\
                 Run the tests with scripts/test (it starts PostgreSQL), point VERZUIM_TEST_PG_URL \
                 at a server, or set VERZUIM_SKIP_POSTGRES=1 to skip the PostgreSQL tests."
            );
        }
    };
    // The URL's connections must land in the fresh schema, not in `public`.
    let mut conn = sqlx::PgConnection::connect(&url)
        .await
        .expect("connect to the schema URL");
    let current: String = sqlx::query_scalar("SELECT current_schema()")
        .fetch_one(&mut conn)
        .await
        .expect("current_schema()");
    assert_eq!(
        current, name,
        "create_postgres_schema's URL must select the new schema"
    );
    conn.close().await.expect("close");
    let store = Store::connect(&url).await.expect("open PostgreSQL schema");
    store.migrate().await.expect("migrate PostgreSQL");
    let tables: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM information_schema.tables WHERE table_schema = $1 AND table_name = 'registrations'",
    )
    .bind(&name)
    .fetch_one(&mut sqlx::PgConnection::connect(&base_url).await.expect("connect"))
    .await
    .expect("count tables");
    assert_eq!(
        tables, 1,
        "the migrations must create their tables in the new schema"
    );
    Some((store, PgSchema { base_url, name }))
}

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).expect("date")
}

pub fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).expect("time")
}

pub fn origin(file: &str, line: u64) -> Origin {
    Origin {
        file: file.to_owned(),
        line,
    }
}

/// A valid BSN made from `n` (11-proef), for generated students.
pub fn bsn(n: u32) -> PersonalNumber {
    let mut base = 100_000_000 + (n % 80_000_000) * 10;
    loop {
        let text = format!("{base:09}");
        if let Ok(p @ PersonalNumber::Bsn(_)) = PersonalNumber::parse(&text) {
            return p;
        }
        base += 1;
    }
}

pub fn student(
    number: &str,
    first: &str,
    prefix: &str,
    last: &str,
    personal: PersonalNumber,
) -> Student {
    Student {
        student_number: number.to_owned(),
        personal_number: personal,
        first_name: first.to_owned(),
        name_prefix: prefix.to_owned(),
        last_name: last.to_owned(),
        birth_date: d(2012, 3, 4),
        residence: None,
        enrolled_from: d(2024, 8, 26),
        enrolled_until: None,
        start_qualification: false,
        group: None,
        mentor: None,
    }
}

pub fn staff(username: &str, name: &str, code: &str, roles: &[SchoolRole]) -> BatchStaff {
    BatchStaff {
        staff: Staff {
            username: username.to_owned(),
            name: name.to_owned(),
            code: code.to_owned(),
            roles: roles.to_vec(),
        },
        password_hash: None,
        origin: origin("medewerkers.csv", 2),
    }
}

/// A generated school of `groups` groups of 30 students with 8 lessons a school day from
/// `first_day` on, and registrations (code ON, the rest of the lesson hours) until
/// `registrations` are made; one in ten is a span between lessons.
pub fn generated_batch(
    prefix: &str,
    groups: usize,
    first_day: NaiveDate,
    registrations: usize,
) -> Batch {
    let mut batch = Batch::default();
    let teacher = format!("{prefix}T");
    batch.staff.push(staff(
        &format!("{prefix}-docent"),
        "Generated Docent",
        &teacher,
        &[SchoolRole::Teacher],
    ));
    let mut numbers = Vec::new();
    for g in 0..groups {
        let code = format!("{prefix}{g}");
        batch.groups.push(Group {
            code: code.clone(),
            year_level: 1 + (g % 6) as u8,
            location: "00".to_owned(),
        });
        for s in 0..30 {
            let number = format!("{prefix}{g:03}{s:02}");
            let n = u32::try_from(g * 30 + s).unwrap_or(0);
            batch.students.push(BatchStudent {
                student: student(
                    &number,
                    &format!("Voornaam{s}"),
                    "",
                    &format!("Achternaam{g}"),
                    bsn(n),
                ),
                group_code: Some(code.clone()),
                mentor_code: Some(teacher.clone()),
                origin: origin("leerlingen.csv", u64::from(n) + 2),
            });
            numbers.push((number, code.clone()));
        }
    }
    // School days until there are enough lesson slots for the registrations.
    let slots_per_day = numbers.len() * 8;
    let days_needed = registrations.div_ceil(slots_per_day.max(1)).max(1);
    let mut days = Vec::new();
    let mut day = first_day;
    while days.len() < days_needed {
        if !matches!(day.weekday(), Weekday::Sat | Weekday::Sun) {
            days.push(day);
        }
        day = day.succ_opt().unwrap_or(day);
    }
    let hour = |p: u32| t(8 + p, 0);
    for &day in &days {
        for g in 0..groups {
            for p in 0..8 {
                batch.lessons.push(BatchLesson {
                    date: day,
                    period: (p + 1) as u8,
                    start: hour(p),
                    end: t(8 + p, 50),
                    group_code: format!("{prefix}{g}"),
                    teacher_code: Some(teacher.clone()),
                    subject: "NE".to_owned(),
                    origin: origin("rooster.csv", 2),
                });
            }
        }
    }
    let mut line = 1;
    'outer: for &day in &days {
        for p in 0..8 {
            for (number, _) in &numbers {
                if batch.registrations.len() >= registrations {
                    break 'outer;
                }
                line += 1;
                let span = line % 10 == 0;
                batch.registrations.push(BatchRegistration {
                    student_number: number.clone(),
                    date: day,
                    start: if span { t(8 + p, 55) } else { hour(p) },
                    end: if span { t(9 + p, 0) } else { t(8 + p, 50) },
                    code: "ON".to_owned(),
                    note: String::new(),
                    minutes_late: None,
                    origin: origin("registraties.csv", line),
                });
            }
        }
    }
    batch
}
