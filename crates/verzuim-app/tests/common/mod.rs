//! What the app's integration tests share: a fresh database of either dialect.
//!
//! Each test binary includes this with `mod common;` and uses what it needs.
#![allow(dead_code)]

use std::sync::atomic::{AtomicU32, Ordering};

use verzuim_store::{create_postgres_schema, drop_postgres_schema};

/// The database a scenario runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Db {
    /// A SQLite file in a temporary directory.
    Sqlite,
    /// A fresh schema on the PostgreSQL of `VERZUIM_TEST_PG_URL` (default: the local one).
    Postgres,
}

impl Db {
    /// Both dialects.
    pub const BOTH: [Db; 2] = [Db::Sqlite, Db::Postgres];

    /// "SQLite" or "PostgreSQL".
    pub fn name(self) -> &'static str {
        match self {
            Db::Sqlite => "SQLite",
            Db::Postgres => "PostgreSQL",
        }
    }
}

/// An empty database (not migrated) that is removed when [`TestDb::drop_schema`] runs (the
/// PostgreSQL schema) or the value is dropped (the SQLite directory).
pub struct TestDb {
    /// URL for `Store::connect` or `LoketStore::connect`.
    pub url: String,
    cleanup: Option<(String, String)>,
    _dir: Option<tempfile::TempDir>,
}

static SEQ: AtomicU32 = AtomicU32::new(0);

impl TestDb {
    /// A fresh database named after the test. `None` only when PostgreSQL is unreachable and
    /// `VERZUIM_SKIP_POSTGRES=1` says that is allowed; otherwise an unreachable PostgreSQL
    /// fails the test with how to fix it.
    pub async fn new(db: Db, prefix: &str, name: &str) -> Option<TestDb> {
        match db {
            Db::Sqlite => {
                let dir = tempfile::tempdir().expect("temporary directory");
                let url = format!(
                    "sqlite:{}",
                    dir.path().join(format!("{prefix}.sqlite")).display()
                );
                Some(TestDb {
                    url,
                    cleanup: None,
                    _dir: Some(dir),
                })
            }
            Db::Postgres => {
                let base = std::env::var("VERZUIM_TEST_PG_URL")
                    .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned());
                let short: String = name.chars().take(30).collect();
                let schema = format!(
                    "t_{prefix}_{short}_{}_{}",
                    std::process::id(),
                    SEQ.fetch_add(1, Ordering::Relaxed)
                );
                match create_postgres_schema(&base, &schema).await {
                    Ok(url) => Some(TestDb {
                        url,
                        cleanup: Some((base, schema)),
                        _dir: None,
                    }),
                    Err(e) if std::env::var("VERZUIM_SKIP_POSTGRES").as_deref() == Ok("1") => {
                        println!("{name} on PostgreSQL: skipped ({e})");
                        None
                    }
                    Err(e) => panic!(
                        "PostgreSQL is not reachable at {base}: {e}; run scripts/test or set VERZUIM_SKIP_POSTGRES=1"
                    ),
                }
            }
        }
    }

    /// Drops the PostgreSQL schema (close the store first); SQLite files go with the value.
    pub async fn drop_schema(self) {
        if let Some((base, schema)) = self.cleanup {
            drop_postgres_schema(&base, &schema)
                .await
                .expect("dropping the test schema");
        }
    }
}

pub mod loket;

/// A test CA of `verzuim-pki` that issues school client certificates (subject serialNumber =
/// the school's OIN, O = its name) for fixed dates, as DER — what a beheerder uploads.
pub struct Ca(pub verzuim_pki::TestCa);

impl Ca {
    /// A new CA called `name`.
    pub fn new(name: &str) -> Self {
        Self(verzuim_pki::TestCa::generate(name).expect("test CA"))
    }

    /// A client certificate of school `brin` called `name`, valid from midnight (UTC) of
    /// `from` to midnight of `until` (year, month, day).
    pub fn school(
        &self,
        brin: &str,
        name: &str,
        from: (i32, u32, u32),
        until: (i32, u32, u32),
    ) -> Vec<u8> {
        use chrono::{TimeZone, Utc};
        let at = |(y, m, d): (i32, u32, u32)| Utc.with_ymd_and_hms(y, m, d, 0, 0, 0).unwrap();
        let brin = verzuim_domain::Brin::parse(brin).expect("test BRIN");
        self.0
            .school_cert_between(&brin, name, at(from), at(until))
            .expect("test certificate")
            .der
            .to_vec()
    }
}
