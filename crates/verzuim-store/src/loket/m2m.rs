//! The machine coupling in the loket's database (issue 5): the schools' registered client
//! certificates with their history, the log of accepted M2M messages (idempotency on
//! `wsa:MessageID`: the answer is stored under it, for a new melding in the very transaction
//! that files it), and the change sequence schools poll with
//! `AanvraagGewijzigdeMeldingRelatiefVerzuim`.
//!
//! **Change sequence.** Every transaction that files a melding, changes its status, records a
//! terugmelding or withdraws it ends with [`bump_changes!`]: it takes the next value(s) of
//! the one-row `loket_change_counter` and writes them to `loket_meldingen.change_seq`. A
//! poller reads `change_seq > cursor` in sequence order and moves its cursor to the last value
//! it saw, so a value may never become visible *after* a higher one: it would be skipped for
//! good. On SQLite all writers are serialised (`BEGIN IMMEDIATE`), so commit order is
//! sequence order. On PostgreSQL the transaction first takes
//! `pg_advisory_xact_lock(CHANGE_SEQUENCE_LOCK)`, held until commit or rollback; the next
//! transaction that wants a value waits for it, so values are handed out in commit order (a
//! PostgreSQL `SEQUENCE` would not do: `nextval` is not transactional, and a transaction that
//! took 5 could commit after one that took 6). The counter row's own row lock would serialise
//! as well; the explicit advisory lock states the intent and does not depend on it. The bump
//! comes last in each transaction, after all its row locks are taken, so the lock cannot
//! take part in a deadlock cycle.

use chrono::{DateTime, Utc};
use sqlx::AssertSqlSafe;
use verzuim_domain::Brin;

use super::meldingen::{Filed, MeldingRow, MeldingToFile};
use super::{LoketAuditEntry, LoketStore};
use crate::sql::corrupt;
use crate::{Result, StoreError};

/// The `pg_advisory_xact_lock` key that serialises taking change-sequence values
/// (ASCII "VZCHANGE").
pub const CHANGE_SEQUENCE_LOCK: i64 = 0x565A_4348_414E_4745;

/// Takes the next change-sequence values for the meldingen `$ids` (a `&[i64]`) inside the
/// transaction `$tx` (inside `with_pool!`) and stores them in `change_seq`, one per melding,
/// in the order given. Call it last in the transaction (see the module docs).
macro_rules! bump_changes {
    ($store:expr, $tx:ident, $ids:expr) => {{
        let ids: &[i64] = $ids;
        if !ids.is_empty() {
            if $store.dialect() == $crate::Dialect::Postgres {
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind($crate::loket::CHANGE_SEQUENCE_LOCK)
                    .execute(&mut *$tx)
                    .await?;
            }
            let n = i64::try_from(ids.len()).unwrap_or(i64::MAX);
            let last: i64 = sqlx::query_scalar(
                "UPDATE loket_change_counter SET value = value + $1 WHERE id = 1 RETURNING value",
            )
            .bind(n)
            .fetch_one(&mut *$tx)
            .await?;
            let mut seq = last - n;
            for id in ids {
                seq += 1;
                sqlx::query("UPDATE loket_meldingen SET change_seq = $1 WHERE id = $2")
                    .bind(seq)
                    .bind(*id)
                    .execute(&mut *$tx)
                    .await?;
            }
        }
    }};
}
pub(crate) use bump_changes;

/// Inserts a [`NewM2mMessage`] and its audit row inside the transaction `$tx` (inside
/// `with_pool!`); a MessageID stored before is [`StoreError::Conflict`] on `message_id`.
macro_rules! insert_m2m_message {
    ($tx:ident, $msg:expr) => {{
        let msg: &$crate::loket::NewM2mMessage = $msg;
        sqlx::query(
            "INSERT INTO loket_m2m_messages (brin, message_id, operation, received_at, \
             request_body, response_status, response_body, nummer) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(msg.brin.as_deref())
        .bind(&msg.message_id)
        .bind(&msg.operation)
        .bind(msg.received_at)
        .bind(msg.request_body.as_deref())
        .bind(i32::from(msg.response_status))
        .bind(&msg.response_body)
        .bind(msg.nummer.as_deref())
        .execute(&mut *$tx)
        .await
        .map_err(|e| {
            $crate::sql::unique_to_conflict(
                e,
                "message_id",
                "dit bericht (wsa:MessageID) is al ontvangen",
            )
        })?;
        super::admin::insert_loket_audit!(&mut *$tx, &msg.audit)?;
    }};
}
pub(crate) use insert_m2m_message;

/// Builds the exchange to store with a melding from what filing did (its nummer); an `Err`
/// rolls the filing back.
pub type M2mMessageBuilder<'a> =
    dyn Fn(&Filed) -> std::result::Result<NewM2mMessage, String> + Sync + 'a;

/// How a certificate was registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CertificateSource {
    /// The school's beheerder uploaded the certificate file.
    Upload,
    /// The site administrator registered subject and issuer.
    Admin,
}

impl CertificateSource {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Upload => "upload",
            Self::Admin => "admin",
        }
    }

    /// From the stored code.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "upload" => Some(Self::Upload),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }

    /// Dutch label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Upload => "geüpload",
            Self::Admin => "door beheerder geregistreerd",
        }
    }
}

/// A certificate to register.
#[derive(Debug, Clone)]
pub struct NewCertificate<'a> {
    /// The school.
    pub brin: &'a Brin,
    /// Subject DN as shown.
    pub subject: &'a str,
    /// Issuer DN as shown.
    pub issuer: &'a str,
    /// `dn_key(subject)`: what a TLS peer is matched on.
    pub subject_key: &'a str,
    /// `dn_key(issuer)`.
    pub issuer_key: &'a str,
    /// Serial number (hex), when known.
    pub serial: Option<&'a str>,
    /// Valid from, when known.
    pub not_before: Option<DateTime<Utc>>,
    /// Valid until, when known.
    pub not_after: Option<DateTime<Utc>>,
    /// SHA-256 of the DER, when uploaded.
    pub sha256: Option<&'a str>,
    /// The DER, when uploaded.
    pub der: Option<&'a [u8]>,
    /// How it was registered.
    pub source: CertificateSource,
}

/// A registered certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredCertificate {
    /// Id.
    pub id: i64,
    /// The school.
    pub brin: Brin,
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number (hex), when known.
    pub serial: Option<String>,
    /// Valid from, when known.
    pub not_before: Option<DateTime<Utc>>,
    /// Valid until, when known.
    pub not_after: Option<DateTime<Utc>>,
    /// SHA-256 of the DER, when uploaded.
    pub sha256: Option<String>,
    /// How it was registered.
    pub source: CertificateSource,
    /// When.
    pub registered_at: DateTime<Utc>,
    /// Login name of who registered it.
    pub registered_by: String,
    /// When a newer registration for the school followed (it stays valid meanwhile).
    pub replaced_at: Option<DateTime<Utc>>,
    /// The registration that followed.
    pub replaced_by_id: Option<i64>,
    /// When it was revoked (no longer accepted).
    pub revoked_at: Option<DateTime<Utc>>,
    /// Login name of who revoked it.
    pub revoked_by: Option<String>,
}

/// An accepted M2M exchange to store: the request, the answer sent, and its audit row.
#[derive(Debug, Clone)]
pub struct NewM2mMessage {
    /// The school the message was about (`VerzendendeInstantie`).
    pub brin: Option<String>,
    /// The request's `wsa:MessageID` (`urn:uuid:…`).
    pub message_id: String,
    /// The operation name.
    pub operation: String,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
    /// The request envelope, when kept.
    pub request_body: Option<String>,
    /// HTTP status of the answer.
    pub response_status: u16,
    /// The answer envelope.
    pub response_body: String,
    /// The meldingsnummer it concerned, if any.
    pub nummer: Option<String>,
    /// The `loket_audit` row written with it.
    pub audit: LoketAuditEntry,
}

/// A stored M2M exchange.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct M2mMessageRow {
    /// Id.
    pub id: i64,
    /// The school.
    pub brin: Option<String>,
    /// `wsa:MessageID`.
    pub message_id: String,
    /// Operation name.
    pub operation: String,
    /// When it arrived.
    pub received_at: DateTime<Utc>,
    /// HTTP status of the answer.
    pub response_status: u16,
    /// The answer envelope.
    pub response_body: String,
    /// The meldingsnummer it concerned.
    pub nummer: Option<String>,
}

/// A melding whose status or terugmelding changed, with its change-sequence value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangedMelding {
    /// Its `change_seq`.
    pub seq: i64,
    /// The melding.
    pub melding: MeldingRow,
}

const CERTIFICATE_COLUMNS: &str = "id, brin, subject, issuer, serial, not_before, not_after, \
     sha256, source, registered_at, registered_by, replaced_at, replaced_by_id, revoked_at, \
     revoked_by";

#[derive(sqlx::FromRow)]
struct CertificateRec {
    id: i64,
    brin: String,
    subject: String,
    issuer: String,
    serial: Option<String>,
    not_before: Option<DateTime<Utc>>,
    not_after: Option<DateTime<Utc>>,
    sha256: Option<String>,
    source: String,
    registered_at: DateTime<Utc>,
    registered_by: String,
    replaced_at: Option<DateTime<Utc>>,
    replaced_by_id: Option<i64>,
    revoked_at: Option<DateTime<Utc>>,
    revoked_by: Option<String>,
}

impl CertificateRec {
    fn into_row(self) -> Result<StoredCertificate> {
        let what = format!("certificaat {}", self.id);
        Ok(StoredCertificate {
            id: self.id,
            brin: Brin::parse(&self.brin).map_err(|e| corrupt(&what, e))?,
            subject: self.subject,
            issuer: self.issuer,
            serial: self.serial,
            not_before: self.not_before,
            not_after: self.not_after,
            sha256: self.sha256,
            source: CertificateSource::parse(&self.source)
                .ok_or_else(|| corrupt(&what, format!("onbekende bron '{}'", self.source)))?,
            registered_at: self.registered_at,
            registered_by: self.registered_by,
            replaced_at: self.replaced_at,
            replaced_by_id: self.replaced_by_id,
            revoked_at: self.revoked_at,
            revoked_by: self.revoked_by,
        })
    }
}

#[derive(sqlx::FromRow)]
struct MessageRec {
    id: i64,
    brin: Option<String>,
    message_id: String,
    operation: String,
    received_at: DateTime<Utc>,
    response_status: i32,
    response_body: String,
    nummer: Option<String>,
}

impl LoketStore {
    /// Registers `certs` for one school in one transaction, each with an audit row by `who`
    /// (action `certificate.register`). The school's earlier registrations that are neither
    /// revoked nor replaced get `replaced_at` = `now` and `replaced_by_id` = the last new id;
    /// they stay valid (renewal overlaps). Returns the new ids in order.
    pub async fn register_certificates(
        &self,
        certs: &[NewCertificate<'_>],
        audit: &LoketAuditEntry,
    ) -> Result<Vec<i64>> {
        let Some(first) = certs.first() else {
            return Ok(Vec::new());
        };
        let brin = first.brin.as_str();
        if certs.iter().any(|c| c.brin.as_str() != brin) {
            return Err(StoreError::Conflict {
                field: "brin".to_owned(),
                reason: "certificaten van één school tegelijk registreren".to_owned(),
            });
        }
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let mut ids = Vec::with_capacity(certs.len());
            for c in certs {
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO loket_certificates (brin, subject, issuer, subject_key, \
                     issuer_key, serial, not_before, not_after, sha256, der, source, \
                     registered_at, registered_by) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
                )
                .bind(brin)
                .bind(c.subject)
                .bind(c.issuer)
                .bind(c.subject_key)
                .bind(c.issuer_key)
                .bind(c.serial)
                .bind(c.not_before)
                .bind(c.not_after)
                .bind(c.sha256)
                .bind(c.der)
                .bind(c.source.code())
                .bind(audit.at)
                .bind(&audit.username)
                .fetch_one(&mut *tx)
                .await?;
                ids.push(id);
                let mut entry = audit.clone();
                entry.detail = format!("{} (certificaat {id}: {})", audit.detail, c.subject);
                super::admin::insert_loket_audit!(&mut *tx, &entry)?;
            }
            let first_new = ids.first().copied().unwrap_or_default();
            let last_new = ids.last().copied().unwrap_or_default();
            sqlx::query(
                "UPDATE loket_certificates SET replaced_at = $1, replaced_by_id = $2 \
                 WHERE brin = $3 AND id < $4 AND replaced_at IS NULL AND revoked_at IS NULL",
            )
            .bind(audit.at)
            .bind(last_new)
            .bind(brin)
            .bind(first_new)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            Ok(ids)
        })
    }

    /// The school's certificates, newest registration first, including replaced and revoked
    /// ones (the history).
    pub async fn certificates_of(&self, brin: &Brin) -> Result<Vec<StoredCertificate>> {
        let recs: Vec<CertificateRec> = with_pool!(self, pool => {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {CERTIFICATE_COLUMNS} FROM loket_certificates WHERE brin = $1 \
                 ORDER BY registered_at DESC, id DESC"
            )))
            .bind(brin.as_str())
            .fetch_all(pool)
            .await?
        });
        recs.into_iter().map(CertificateRec::into_row).collect()
    }

    /// One certificate of the school.
    pub async fn certificate(&self, brin: &Brin, id: i64) -> Result<Option<StoredCertificate>> {
        let rec: Option<CertificateRec> = with_pool!(self, pool => {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {CERTIFICATE_COLUMNS} FROM loket_certificates WHERE brin = $1 AND id = $2"
            )))
            .bind(brin.as_str())
            .bind(id)
            .fetch_optional(pool)
            .await?
        });
        rec.map(CertificateRec::into_row).transpose()
    }

    /// The DER of a certificate, when it was uploaded.
    pub async fn certificate_der(&self, brin: &Brin, id: i64) -> Result<Option<Vec<u8>>> {
        let der: Option<Option<Vec<u8>>> = with_pool!(self, pool => {
            sqlx::query_scalar("SELECT der FROM loket_certificates WHERE brin = $1 AND id = $2")
                .bind(brin.as_str())
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        Ok(der.flatten())
    }

    /// Revokes a certificate of the school (with the audit row); `false` when there is no
    /// such certificate or it was revoked already.
    pub async fn revoke_certificate(
        &self,
        brin: &Brin,
        id: i64,
        audit: &LoketAuditEntry,
    ) -> Result<bool> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let n = sqlx::query(
                "UPDATE loket_certificates SET revoked_at = $1, revoked_by = $2 \
                 WHERE brin = $3 AND id = $4 AND revoked_at IS NULL",
            )
            .bind(audit.at)
            .bind(&audit.username)
            .bind(brin.as_str())
            .bind(id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n > 0 {
                super::admin::insert_loket_audit!(&mut *tx, audit)?;
            }
            tx.commit().await?;
            Ok(n > 0)
        })
    }

    /// Certificates that are neither revoked nor replaced and expire before `before`
    /// (including those expired already), soonest first: the site administrator's overview.
    pub async fn certificates_expiring_before(
        &self,
        before: DateTime<Utc>,
    ) -> Result<Vec<StoredCertificate>> {
        let recs: Vec<CertificateRec> = with_pool!(self, pool => {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {CERTIFICATE_COLUMNS} FROM loket_certificates \
                 WHERE revoked_at IS NULL AND replaced_at IS NULL AND not_after IS NOT NULL \
                 AND not_after < $1 ORDER BY not_after, brin, id"
            )))
            .bind(before)
            .fetch_all(pool)
            .await?
        });
        recs.into_iter().map(CertificateRec::into_row).collect()
    }

    /// The schools for which a certificate with these DN keys is registered, not revoked and
    /// (as far as the registration knows) not expired at `now`.
    pub async fn brins_for_certificate(
        &self,
        subject_key: &str,
        issuer_key: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<Brin>> {
        let brins: Vec<String> = with_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT DISTINCT brin FROM loket_certificates WHERE subject_key = $1 \
                 AND issuer_key = $2 AND revoked_at IS NULL \
                 AND (not_after IS NULL OR not_after >= $3) ORDER BY brin",
            )
            .bind(subject_key)
            .bind(issuer_key)
            .bind(now)
            .fetch_all(pool)
            .await?
        });
        brins
            .iter()
            .map(|b| Brin::parse(b).map_err(|e| corrupt("certificaat", e)))
            .collect()
    }

    /// The stored exchange with this `wsa:MessageID`.
    pub async fn m2m_message(&self, message_id: &str) -> Result<Option<M2mMessageRow>> {
        let rec: Option<MessageRec> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, brin, message_id, operation, received_at, response_status, \
                 response_body, nummer FROM loket_m2m_messages WHERE message_id = $1",
            )
            .bind(message_id)
            .fetch_optional(pool)
            .await?
        });
        rec.map(|r| {
            Ok(M2mMessageRow {
                id: r.id,
                brin: r.brin,
                message_id: r.message_id,
                operation: r.operation,
                received_at: r.received_at,
                response_status: u16::try_from(r.response_status)
                    .map_err(|e| corrupt("m2m-bericht", e))?,
                response_body: r.response_body,
                nummer: r.nummer,
            })
        })
        .transpose()
    }

    /// The number of stored exchanges (tests, overview).
    pub async fn count_m2m_messages(&self) -> Result<i64> {
        Ok(with_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM loket_m2m_messages")
                .fetch_one(pool)
                .await?
        }))
    }

    /// Stores an exchange and its audit row in one transaction; a MessageID stored before is
    /// [`StoreError::Conflict`] on `message_id` (a concurrent duplicate: read the stored one).
    pub async fn record_m2m_message(&self, msg: &NewM2mMessage) -> Result<()> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            insert_m2m_message!(tx, msg);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Files a melding that arrived over the machine coupling: like
    /// [`LoketStore::file_melding`], plus the day specification (text form) and — in the
    /// same transaction — the exchange `message(&filed)` builds, so an acknowledged
    /// meldingsnummer is never lost and a crash before commit leaves neither. Conflicts:
    /// `client_melding_id` (the school filed this document before) or `message_id`.
    pub async fn file_melding_from_message(
        &self,
        m: &MeldingToFile<'_>,
        day_spec: Option<&str>,
        message: &M2mMessageBuilder<'_>,
    ) -> Result<Filed> {
        self.file_melding_with(m, day_spec, Some(message)).await
    }

    /// The school's melding filed with this `client_melding_id`.
    pub async fn melding_by_client_id(
        &self,
        brin: &Brin,
        client_melding_id: &str,
    ) -> Result<Option<MeldingRow>> {
        let nummer: Option<Option<String>> = with_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT nummer FROM loket_meldingen WHERE brin = $1 AND client_melding_id = $2",
            )
            .bind(brin.as_str())
            .bind(client_melding_id)
            .fetch_optional(pool)
            .await?
        });
        match nummer.flatten() {
            Some(n) => {
                self.melding(&super::MeldingScope::School(brin.clone()), &n)
                    .await
            }
            None => Ok(None),
        }
    }

    /// The school's meldingen with `change_seq > after` (and, when given, last changed at or
    /// after `since`), in sequence order, at most `limit`.
    pub async fn changed_meldingen(
        &self,
        brin: &Brin,
        after: i64,
        since: Option<DateTime<Utc>>,
        limit: i64,
    ) -> Result<Vec<ChangedMelding>> {
        let rows: Vec<(i64, String)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT change_seq, nummer FROM loket_meldingen WHERE brin = $1 \
                 AND change_seq IS NOT NULL AND change_seq > $2 \
                 AND ($3 IS NULL OR updated_at >= $3) ORDER BY change_seq LIMIT $4",
            )
            .bind(brin.as_str())
            .bind(after)
            .bind(since)
            .bind(limit)
            .fetch_all(pool)
            .await?
        });
        let scope = super::MeldingScope::School(brin.clone());
        let mut out = Vec::with_capacity(rows.len());
        for (seq, nummer) in rows {
            // retention may delete it between the two reads: then it is simply gone
            if let Some(melding) = self.melding(&scope, &nummer).await? {
                out.push(ChangedMelding { seq, melding });
            }
        }
        Ok(out)
    }

    /// The highest change-sequence value among the school's meldingen (0 when none): a
    /// cursor from which a poll sees every later change, because values are handed out in
    /// commit order.
    pub async fn last_change_seq(&self, brin: &Brin) -> Result<i64> {
        let max: Option<i64> = with_pool!(self, pool => {
            sqlx::query_scalar("SELECT MAX(change_seq) FROM loket_meldingen WHERE brin = $1")
                .bind(brin.as_str())
                .fetch_one(pool)
                .await?
        });
        Ok(max.unwrap_or(0))
    }

    /// The `change_seq` of a melding (tests and diagnostics).
    pub async fn change_seq_of(&self, melding_id: i64) -> Result<Option<i64>> {
        let seq: Option<Option<i64>> = with_pool!(self, pool => {
            sqlx::query_scalar("SELECT change_seq FROM loket_meldingen WHERE id = $1")
                .bind(melding_id)
                .fetch_optional(pool)
                .await?
        });
        Ok(seq.flatten())
    }
}
