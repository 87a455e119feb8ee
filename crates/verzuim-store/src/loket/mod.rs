//! The Verzuimloket's own database: organisations (schools by BRIN, gemeenten), loket users
//! with their roles, TOTP secrets and sessions, locations and contact persons per BRIN,
//! meldingen with their terugmelding, day specification and attachments, vrijstellingen, the
//! resident register, and the loket's audit log.
//!
//! The loket is a separate service from the school (DESIGN.md: they talk only through the
//! machine interface), so it has its own database and migrations
//! (`migrations/loket/sqlite`, `migrations/loket/postgres`), opened by [`LoketStore`]. The
//! dialect handling is the school store's (`with_pool!`, `Backend`): same URL forms, same
//! `BEGIN IMMEDIATE` on SQLite. Several loket instances may share one PostgreSQL database:
//! nothing lives in process memory (sessions, login throttling, TOTP replay protection and
//! the meldingsnummer sequence are all rows).

use sqlx::migrate::Migrator;

use crate::{Backend, Dialect, Result, Store};

static LOKET_SQLITE_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/loket/sqlite");
static LOKET_POSTGRES_MIGRATIONS: Migrator = sqlx::migrate!("./migrations/loket/postgres");

/// The loket's database.
#[derive(Debug, Clone)]
pub struct LoketStore {
    pub(crate) backend: Backend,
}

impl LoketStore {
    /// Opens the database named by `url` (the same forms as [`Store::connect`]). Does not
    /// migrate.
    pub async fn connect(url: &str) -> Result<Self> {
        let store = Store::connect(url).await?;
        Ok(Self {
            backend: store.backend,
        })
    }

    /// Which database this store talks to.
    pub fn dialect(&self) -> Dialect {
        match self.backend {
            Backend::Sqlite(_) => Dialect::Sqlite,
            Backend::Postgres(_) => Dialect::Postgres,
        }
    }

    /// Brings the loket schema up to date (migrations embedded in the binary).
    pub async fn migrate(&self) -> Result<()> {
        match &self.backend {
            Backend::Sqlite(pool) => LOKET_SQLITE_MIGRATIONS.run(pool).await?,
            Backend::Postgres(pool) => LOKET_POSTGRES_MIGRATIONS.run(pool).await?,
        }
        Ok(())
    }

    /// `BEGIN IMMEDIATE` on SQLite, `BEGIN` on PostgreSQL (see [`Store`]).
    #[allow(dead_code)]
    pub(crate) fn begin_write(&self) -> &'static str {
        match self.backend {
            Backend::Sqlite(_) => "BEGIN IMMEDIATE",
            Backend::Postgres(_) => "BEGIN",
        }
    }

    /// Closes the pool.
    pub async fn close(&self) {
        with_pool!(self, pool => pool.close().await);
    }
}

mod m2m;
mod meldingen;
mod reports;

pub use meldingen::{
    AttachmentFile, AttachmentMeta, Filed, MeldingEventRow, MeldingFilter, MeldingRow,
    MeldingScope, MeldingSummary, MeldingToFile, NewAttachment, ReporterSnapshot, RetentionCounts,
    StatusChange, StoredTerugmelding, VrijstellingRow, Who, party_code, vrijstelling_period,
};

pub use m2m::{
    CHANGE_SEQUENCE_LOCK, CertificateSource, ChangedMelding, M2mMessageBuilder, M2mMessageRow,
    NewCertificate, NewM2mMessage, StoredCertificate,
};

pub(crate) mod admin;
mod people;
mod sessions;

pub use admin::{
    ContactFields, ContactRow, LocationFields, LocationRow, LoketAuditEntry, LoketAuditRow,
    LoketGemeenteRow, LoketSchoolRow,
};
pub use people::{LoketUser, NewLoketUser, StoredRole, TotpEnrolmentRecord};
pub use sessions::LoketSessionRow;
