//! Opening the database named by a URL, migrating it, and fresh PostgreSQL schemas for tests.

use std::str::FromStr;
use std::time::Duration;

use sqlx::Connection;
use sqlx::migrate::Migrator;
use sqlx::postgres::{PgConnection, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};

use crate::{Backend, Dialect, Result, Store, StoreError};

static SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/sqlite");
static POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/postgres");

/// Connections per SQLite pool: one writer at a time anyway, a few readers beside it (WAL).
const SQLITE_POOL_SIZE: u32 = 4;
/// Connections per PostgreSQL pool, per instance.
const POSTGRES_POOL_SIZE: u32 = 8;

fn is_postgres_url(url: &str) -> bool {
    url.starts_with("postgres://") || url.starts_with("postgresql://")
}

fn is_sqlite_memory_url(url: &str) -> bool {
    url.contains(":memory:") || url.contains("mode=memory")
}

impl Store {
    /// Opens the database named by `url`: `sqlite:path` or `sqlite://path` (the file is
    /// created when missing; WAL, foreign keys on, 5 s busy timeout) or `postgres://…` /
    /// `postgresql://…`. Anything else is [`StoreError::BadUrl`]. Does not migrate.
    pub async fn connect(url: &str) -> Result<Self> {
        let url = url.trim();
        if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5))
                // SQLite's default page cache is 2 MiB; a bulk import updates four indexes of
                // a table of millions of rows, and spills pages all the time with it.
                .pragma("cache_size", "-32768");
            let pool = if is_sqlite_memory_url(url) {
                // Each connection to `:memory:` would be its own empty database: keep exactly
                // one, and never let it go idle (research/stack.md, pitfall 2).
                SqlitePoolOptions::new()
                    .max_connections(1)
                    .min_connections(1)
                    .idle_timeout(None)
                    .max_lifetime(None)
                    .connect_with(options)
                    .await?
            } else {
                SqlitePoolOptions::new()
                    .max_connections(SQLITE_POOL_SIZE)
                    .connect_with(options.journal_mode(SqliteJournalMode::Wal))
                    .await?
            };
            Ok(Self {
                backend: Backend::Sqlite(pool),
            })
        } else if is_postgres_url(url) {
            let pool = PgPoolOptions::new()
                .max_connections(POSTGRES_POOL_SIZE)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            Ok(Self {
                backend: Backend::Postgres(pool),
            })
        } else {
            Err(StoreError::BadUrl(redact(url)))
        }
    }

    /// Which database this store talks to.
    pub fn dialect(&self) -> Dialect {
        match self.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Brings the schema up to date with the migrations of the store's dialect (embedded in the
    /// binary from `migrations/sqlite` or `migrations/postgres`).
    pub async fn migrate(&self) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(pool) => SQLITE_MIGRATIONS.run(pool).await?,
            Backend::Postgres(pool) => POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// The statement that begins a transaction that will write: `BEGIN IMMEDIATE` on SQLite
    /// (take the write lock now, so a read in the transaction cannot go stale before its
    /// write), plain `BEGIN` on PostgreSQL.
    pub(crate) fn begin_write(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "BEGIN IMMEDIATE",
            Backend::Postgres(_) => "BEGIN",
        }
    }

    /// Closes the pool, waiting for connections in use to be returned.
    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await);
    }
}

/// The URL without a password, for error messages.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme_end), Some(at)) if at > scheme_end => {
            let userinfo = &url[scheme_end + 3..at];
            match userinfo.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme_end + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn check_schema_name(schema: &str) -> Result<()> {
    let ok = !schema.is_empty()
        && schema.len() <= 63
        && schema
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        && !schema.as_bytes()[0].is_ascii_digit();
    if ok {
        Ok(())
    } else {
        Err(StoreError::Conflict {
            field: "schema".to_owned(),
            reason: format!("'{schema}' is geen schemanaam: gebruik kleine letters, cijfers en _"),
        })
    }
}

/// Creates PostgreSQL schema `schema` (if it does not exist) in the database of `base_url`
/// and returns a URL whose connections use it (`options=-c search_path=<schema>`), so that
/// tests get a fresh, private set of tables in one shared database. `schema`: lower-case
/// letters, digits and `_`.
pub async fn create_postgres_schema(base_url: &str, schema: &str) -> Result<String> {
    if !is_postgres_url(base_url) {
        return Err(StoreError::BadUrl(redact(base_url)));
    }
    check_schema_name(schema)?;
    let mut conn = PgConnection::connect(base_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "CREATE SCHEMA IF NOT EXISTS \"{schema}\""
    )))
    .execute(&mut conn)
    .await?;
    conn.close().await?;
    let separator = if base_url.contains('?') { '&' } else { '?' };
    Ok(format!(
        "{base_url}{separator}options=-c%20search_path%3D{schema}"
    ))
}

/// Drops PostgreSQL schema `schema` and everything in it, in the database of `base_url`
/// (the clean-up of [`create_postgres_schema`]).
pub async fn drop_postgres_schema(base_url: &str, schema: &str) -> Result<()> {
    if !is_postgres_url(base_url) {
        return Err(StoreError::BadUrl(redact(base_url)));
    }
    check_schema_name(schema)?;
    let mut conn = PgConnection::connect(base_url).await?;
    sqlx::query(sqlx::AssertSqlSafe(format!(
        "DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"
    )))
    .execute(&mut conn)
    .await?;
    conn.close().await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unknown_url_scheme_is_a_bad_url() {
        let err = Store::connect("mysql://localhost/x").await.unwrap_err();
        assert!(matches!(err, StoreError::BadUrl(_)), "{err}");
    }

    #[test]
    fn passwords_are_not_shown_in_errors() {
        assert_eq!(redact("postgres://u:geheim@h/db"), "postgres://u:***@h/db");
        assert_eq!(redact("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact("sqlite:x.db"), "sqlite:x.db");
    }

    #[test]
    fn schema_names_are_plain_identifiers() {
        assert!(check_schema_name("t_123_abc").is_ok());
        assert!(check_schema_name("1abc").is_err());
        assert!(check_schema_name("a\"; drop").is_err());
        assert!(check_schema_name("").is_err());
    }

    #[tokio::test]
    async fn sqlite_binds_dollar_n_to_the_nth_argument_and_allows_reuse() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        let Backend::Sqlite(pool) = &store.backend else {
            panic!("expected SQLite");
        };
        let (a, b, c): (String, String, String) = sqlx::query_as("SELECT $2, $1, $2")
            .bind("een")
            .bind("twee")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(
            (a.as_str(), b.as_str(), c.as_str()),
            ("twee", "een", "twee")
        );
    }

    #[tokio::test]
    async fn sqlite_memory_database_keeps_its_tables_between_queries() {
        let store = Store::connect("sqlite::memory:").await.unwrap();
        store.migrate().await.unwrap();
        for _ in 0..3 {
            let Backend::Sqlite(pool) = &store.backend else {
                panic!("expected SQLite");
            };
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM schools")
                .fetch_one(pool)
                .await
                .unwrap();
            assert_eq!(n, 0);
        }
    }
}
