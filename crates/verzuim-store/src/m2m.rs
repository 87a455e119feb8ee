//! The school's side of the machine coupling: the outbox and local copy of the meldingen the
//! school confirmed (`m2m_meldingen`), every message sent to and received from the loket
//! (`m2m_messages`), and the poll cursor per school (`m2m_sync_state`).
//!
//! Values from the loket (status and reason codes, nummer) are kept as the text that came in;
//! the application layer reads them with `verzuim_loket`'s code lists. Every change of a
//! melding writes its audit row in the same transaction, and an answer from the loket is
//! stored in the same transaction as what it changed.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use verzuim_domain::{StaffId, StudentId};

use crate::sql::{corrupt, unique_to_conflict};
use crate::{AuditEntry, Result, SchoolId, Store, StoreError};

/// Where a confirmed melding is in the chain.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum M2mState {
    /// Confirmed by a person, waiting to be sent (or to be sent again after a failure).
    Bevestigd,
    /// The loket accepted it and gave a meldingsnummer.
    Verzonden,
    /// The loket refused it (Foutmelding or a `Client` fault); it is not resent unchanged.
    Geweigerd,
}

impl M2mState {
    /// The stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Bevestigd => "bevestigd",
            Self::Verzonden => "verzonden",
            Self::Geweigerd => "geweigerd",
        }
    }

    /// Dutch label for the page.
    pub fn label(self) -> &'static str {
        match self {
            Self::Bevestigd => "Bevestigd, wacht op verzending",
            Self::Verzonden => "Verzonden",
            Self::Geweigerd => "Geweigerd door het loket",
        }
    }

    /// Reads a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        [Self::Bevestigd, Self::Verzonden, Self::Geweigerd]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// One refusal of the loket: the form field (when it is about one), the code and the reason.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct M2mRefusal {
    /// The field of `verzuim_loket::MeldingInput` (or the XML element when unknown).
    pub field: Option<String>,
    /// `F001`…`F005`, or the SOAP fault code.
    pub code: String,
    /// The loket's reason, Dutch.
    pub message: String,
}

/// The gemeente's contact person from a terugmelding.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct M2mContact {
    /// Naam.
    pub name: String,
    /// Functie.
    pub function: String,
    /// Telefoonnummer.
    pub phone: String,
    /// E-mailadres.
    pub email: String,
}

/// A change of a sent melding waiting to be sent (`MutatieMeldingRelatiefVerzuim`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct M2mPendingChange {
    /// `identificatiecodeBedrijfsdocument` of this change.
    pub document_id: String,
    /// New end date.
    pub end_date: Option<NaiveDate>,
    /// New day specification (text form).
    pub day_spec: Option<String>,
}

/// A melding a person just confirmed, to be stored in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewM2mMelding {
    /// The student (for audit and the link to the student page).
    pub student: Option<StudentId>,
    /// The law engine's proposal it confirms (`student:kind:begin`); one melding per proposal.
    pub proposal_key: String,
    /// `identificatiecodeBedrijfsdocument` (UUID).
    pub document_id: String,
    /// Student number in the school's administration.
    pub student_number: String,
    /// Name for the list.
    pub student_name: String,
    /// Verzuimsoort code.
    pub kind: String,
    /// Begin date.
    pub begin_date: NaiveDate,
    /// The confirmed `MeldingInput`, JSON.
    pub input: String,
    /// The day specification, text form.
    pub day_spec: String,
    /// Who confirmed.
    pub confirmed_by: Option<StaffId>,
    /// Their username.
    pub confirmed_by_label: String,
    /// When.
    pub confirmed_at: DateTime<Utc>,
}

/// A stored melding of the school's outbox / local copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct M2mMeldingRow {
    /// Identity.
    pub id: i64,
    /// School.
    pub school: SchoolId,
    /// The student, if known.
    pub student: Option<StudentId>,
    /// The proposal it confirmed.
    pub proposal_key: String,
    /// `identificatiecodeBedrijfsdocument`.
    pub document_id: String,
    /// Student number.
    pub student_number: String,
    /// Student's name.
    pub student_name: String,
    /// Verzuimsoort code.
    pub kind: String,
    /// Begin date.
    pub begin_date: NaiveDate,
    /// The confirmed `MeldingInput` (JSON), with changes the loket confirmed.
    pub input: String,
    /// Day specification, text form.
    pub day_spec: String,
    /// State.
    pub state: M2mState,
    /// The loket's refusals, when refused.
    pub refusal: Vec<M2mRefusal>,
    /// Meldingsnummer.
    pub nummer: Option<String>,
    /// The loket's status code (`R`, `B`, `G`, `K`, `I`).
    pub loket_status: Option<String>,
    /// `RedenMeldingAfgesloten` code.
    pub closing_reason: Option<String>,
    /// `ToelichtingAfsluiting` code.
    pub explanation: Option<String>,
    /// `RedenIngetrokken` code.
    pub withdraw_reason: Option<String>,
    /// The gemeente's contact person.
    pub contact: Option<M2mContact>,
    /// `Procesverloop`: date of the last change at the loket.
    pub process_date: Option<NaiveDate>,
    /// `Procesverloop`: time of the last change (`HH:mm:ss.SSS`).
    pub process_time: Option<String>,
    /// When a terugmelding was last received.
    pub terugmelding_at: Option<DateTime<Utc>>,
    /// A change waiting to be sent.
    pub pending: Option<M2mPendingChange>,
    /// Why the last change was refused.
    pub mutation_error: Option<String>,
    /// Failed attempts of what is waiting.
    pub attempts: i32,
    /// Not before this moment again.
    pub next_attempt_at: Option<DateTime<Utc>>,
    /// The last failure.
    pub last_error: Option<String>,
    /// Who confirmed.
    pub confirmed_by_label: String,
    /// When.
    pub confirmed_at: DateTime<Utc>,
    /// When the loket accepted it.
    pub sent_at: Option<DateTime<Utc>>,
    /// Last change of this row.
    pub updated_at: DateTime<Utc>,
}

/// Direction of a logged message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum M2mDirection {
    /// Sent to the loket.
    Out,
    /// Received from the loket (or the failure to receive anything).
    In,
}

impl M2mDirection {
    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Out => "uit",
            Self::In => "in",
        }
    }
}

/// A message to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewM2mMessage {
    /// School.
    pub school: SchoolId,
    /// The melding it is about.
    pub melding: Option<i64>,
    /// Sent or received.
    pub direction: M2mDirection,
    /// The operation (`MeldenRelatiefVerzuim`, …).
    pub operation: String,
    /// `wsa:MessageID`.
    pub message_id: Option<String>,
    /// `wsa:RelatesTo`.
    pub relates_to: Option<String>,
    /// HTTP status of an answer.
    pub http_status: Option<i32>,
    /// The envelope as sent or received (lossy UTF-8).
    pub body: String,
    /// What went wrong (no answer, unreadable answer).
    pub error: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// A logged message.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct M2mMessageRow {
    /// Identity.
    pub id: i64,
    /// The melding it was sent for, if any.
    pub melding_id: Option<i64>,
    /// `uit` or `in`.
    pub direction: String,
    /// Operation.
    pub operation: String,
    /// `wsa:MessageID`.
    pub message_id: Option<String>,
    /// `wsa:RelatesTo`.
    pub relates_to: Option<String>,
    /// HTTP status.
    pub http_status: Option<i32>,
    /// Envelope.
    pub body: String,
    /// Failure.
    pub error: Option<String>,
    /// When.
    pub at: DateTime<Utc>,
}

/// What an answer of the loket does to a melding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum M2mOutcome {
    /// `MeldenRelatiefVerzuim` accepted: nummer and status.
    Sent {
        /// Meldingsnummer.
        nummer: String,
        /// Status code.
        status: String,
    },
    /// Refused: not resent.
    Refused(Vec<M2mRefusal>),
    /// No usable answer: try again at `next_attempt_at`.
    RetryLater {
        /// Failed attempts so far.
        attempts: i32,
        /// Not before.
        next_attempt_at: DateTime<Utc>,
        /// Why.
        error: String,
    },
    /// The change was accepted: the new input, day spec, status and Procesverloop.
    ChangeApplied {
        /// The input with the new end date.
        input: String,
        /// The day specification.
        day_spec: String,
        /// Status code.
        status: String,
        /// Procesverloop date.
        process_date: NaiveDate,
        /// Procesverloop time.
        process_time: String,
    },
    /// The change was refused; it is dropped and the reason kept.
    ChangeRefused(String),
}

/// One changed melding from a poll answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct M2mPollUpdate {
    /// Meldingsnummer.
    pub nummer: String,
    /// Status code.
    pub status: String,
    /// `RedenMeldingAfgesloten`.
    pub closing_reason: Option<String>,
    /// `ToelichtingAfsluiting`.
    pub explanation: Option<String>,
    /// `RedenIngetrokken`.
    pub withdraw_reason: Option<String>,
    /// The gemeente's contact person.
    pub contact: Option<M2mContact>,
    /// Procesverloop date.
    pub process_date: NaiveDate,
    /// Procesverloop time.
    pub process_time: String,
}

/// What the poll changed for one stored melding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct M2mPollApplied {
    /// The melding.
    pub id: i64,
    /// The student.
    pub student: Option<StudentId>,
    /// Whether this update brought a (new) terugmelding of the gemeente.
    pub terugmelding: bool,
}

/// Id, student, loket status and contact name of a stored melding, before a poll update.
type StoredState = (i64, Option<i64>, Option<String>, Option<String>);

const MELDING_COLUMNS: &str = "id, school_id, student_id, proposal_key, document_id, student_number, \
     student_name, kind, begin_date, input, day_spec, state, refusal, nummer, loket_status, \
     closing_reason, explanation, withdraw_reason, contact_name, contact_function, contact_phone, \
     contact_email, process_date, process_time, terugmelding_at, pending_document_id, \
     pending_end_date, pending_day_spec, mutation_error, attempts, next_attempt_at, last_error, \
     confirmed_by_label, confirmed_at, sent_at, updated_at";

#[derive(sqlx::FromRow)]
struct MeldingRec {
    id: i64,
    school_id: i64,
    student_id: Option<i64>,
    proposal_key: String,
    document_id: String,
    student_number: String,
    student_name: String,
    kind: String,
    begin_date: NaiveDate,
    input: String,
    day_spec: String,
    state: String,
    refusal: Option<String>,
    nummer: Option<String>,
    loket_status: Option<String>,
    closing_reason: Option<String>,
    explanation: Option<String>,
    withdraw_reason: Option<String>,
    contact_name: Option<String>,
    contact_function: Option<String>,
    contact_phone: Option<String>,
    contact_email: Option<String>,
    process_date: Option<NaiveDate>,
    process_time: Option<String>,
    terugmelding_at: Option<DateTime<Utc>>,
    pending_document_id: Option<String>,
    pending_end_date: Option<NaiveDate>,
    pending_day_spec: Option<String>,
    mutation_error: Option<String>,
    attempts: i32,
    next_attempt_at: Option<DateTime<Utc>>,
    last_error: Option<String>,
    confirmed_by_label: String,
    confirmed_at: DateTime<Utc>,
    sent_at: Option<DateTime<Utc>>,
    updated_at: DateTime<Utc>,
}

impl MeldingRec {
    fn into_row(self) -> Result<M2mMeldingRow> {
        let state = M2mState::parse(&self.state)
            .ok_or_else(|| corrupt("m2m-melding", format!("onbekende staat '{}'", self.state)))?;
        let refusal = match self.refusal.as_deref() {
            None | Some("") => Vec::new(),
            Some(json) => serde_json::from_str(json).map_err(|e| corrupt("m2m-weigering", e))?,
        };
        let contact = self.contact_name.map(|name| M2mContact {
            name,
            function: self.contact_function.unwrap_or_default(),
            phone: self.contact_phone.unwrap_or_default(),
            email: self.contact_email.unwrap_or_default(),
        });
        let pending = self
            .pending_document_id
            .map(|document_id| M2mPendingChange {
                document_id,
                end_date: self.pending_end_date,
                day_spec: self.pending_day_spec,
            });
        Ok(M2mMeldingRow {
            id: self.id,
            school: SchoolId(self.school_id),
            student: self.student_id.map(StudentId),
            proposal_key: self.proposal_key,
            document_id: self.document_id,
            student_number: self.student_number,
            student_name: self.student_name,
            kind: self.kind,
            begin_date: self.begin_date,
            input: self.input,
            day_spec: self.day_spec,
            state,
            refusal,
            nummer: self.nummer,
            loket_status: self.loket_status,
            closing_reason: self.closing_reason,
            explanation: self.explanation,
            withdraw_reason: self.withdraw_reason,
            contact,
            process_date: self.process_date,
            process_time: self.process_time,
            terugmelding_at: self.terugmelding_at,
            pending,
            mutation_error: self.mutation_error,
            attempts: self.attempts,
            next_attempt_at: self.next_attempt_at,
            last_error: self.last_error,
            confirmed_by_label: self.confirmed_by_label,
            confirmed_at: self.confirmed_at,
            sent_at: self.sent_at,
            updated_at: self.updated_at,
        })
    }
}

fn rows(recs: Vec<MeldingRec>) -> Result<Vec<M2mMeldingRow>> {
    recs.into_iter().map(MeldingRec::into_row).collect()
}

/// `INSERT` of one audit entry inside a transaction.
macro_rules! insert_audit {
    ($conn:expr, $entry:expr) => {{
        let entry: &AuditEntry = $entry;
        sqlx::query(
            "INSERT INTO audit_log (school_id, at, actor_id, actor_label, student_id, action, detail) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(entry.school.0)
        .bind(entry.at)
        .bind(entry.actor.map(|a| a.0))
        .bind(&entry.actor_label)
        .bind(entry.student.map(|s| s.0))
        .bind(entry.action.code())
        .bind(&entry.detail)
        .execute($conn)
        .await?;
    }};
}

/// `INSERT` of one logged message inside a transaction (or on the pool); gives its id.
macro_rules! insert_message {
    ($conn:expr, $m:expr) => {{
        let m: &NewM2mMessage = $m;
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO m2m_messages (school_id, melding_id, direction, operation, message_id, \
             relates_to, http_status, body, error, at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        )
        .bind(m.school.0)
        .bind(m.melding)
        .bind(m.direction.code())
        .bind(&m.operation)
        .bind(&m.message_id)
        .bind(&m.relates_to)
        .bind(m.http_status)
        .bind(&m.body)
        .bind(&m.error)
        .bind(m.at)
        .fetch_one($conn)
        .await?;
        id
    }};
}

impl Store {
    /// Stores a confirmed melding in the outbox (state `bevestigd`) with its audit row, in one
    /// transaction. A second melding for the same proposal is a conflict.
    pub async fn m2m_insert_melding(
        &self,
        school: SchoolId,
        melding: &NewM2mMelding,
        audit: &AuditEntry,
    ) -> Result<i64> {
        let m = melding;
        Ok(with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO m2m_meldingen (school_id, student_id, proposal_key, document_id, \
                 student_number, student_name, kind, begin_date, input, day_spec, state, \
                 attempts, confirmed_by, confirmed_by_label, confirmed_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'bevestigd', 0, $11, $12, $13, $13) \
                 RETURNING id",
            )
            .bind(school.0)
            .bind(m.student.map(|s| s.0))
            .bind(&m.proposal_key)
            .bind(&m.document_id)
            .bind(&m.student_number)
            .bind(&m.student_name)
            .bind(&m.kind)
            .bind(m.begin_date)
            .bind(&m.input)
            .bind(&m.day_spec)
            .bind(m.confirmed_by.map(|s| s.0))
            .bind(&m.confirmed_by_label)
            .bind(m.confirmed_at)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| unique_to_conflict(e, "melding", "deze melding is al bevestigd"))?;
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
            id
        }))
    }

    /// The school's meldingen, newest confirmation first.
    pub async fn m2m_meldingen(&self, school: SchoolId) -> Result<Vec<M2mMeldingRow>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {MELDING_COLUMNS} FROM m2m_meldingen WHERE school_id = $1 \
             ORDER BY confirmed_at DESC, id DESC"
        ));
        let recs: Vec<MeldingRec> = with_pool!(self, pool => {
            sqlx::query_as(sql).bind(school.0).fetch_all(pool).await?
        });
        rows(recs)
    }

    /// One melding of the school.
    pub async fn m2m_melding(&self, school: SchoolId, id: i64) -> Result<Option<M2mMeldingRow>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {MELDING_COLUMNS} FROM m2m_meldingen WHERE school_id = $1 AND id = $2"
        ));
        let rec: Option<MeldingRec> = with_pool!(self, pool => {
            sqlx::query_as(sql).bind(school.0).bind(id).fetch_optional(pool).await?
        });
        rec.map(MeldingRec::into_row).transpose()
    }

    /// The proposal keys the school has confirmed already.
    pub async fn m2m_confirmed_keys(&self, school: SchoolId) -> Result<Vec<String>> {
        Ok(with_pool!(self, pool => {
            sqlx::query_scalar("SELECT proposal_key FROM m2m_meldingen WHERE school_id = $1")
                .bind(school.0)
                .fetch_all(pool)
                .await?
        }))
    }

    /// Meldingen waiting to be sent whose backoff has passed at `now`, oldest first.
    pub async fn m2m_due_submissions(
        &self,
        school: SchoolId,
        now: DateTime<Utc>,
    ) -> Result<Vec<M2mMeldingRow>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {MELDING_COLUMNS} FROM m2m_meldingen WHERE school_id = $1 \
             AND state = 'bevestigd' AND (next_attempt_at IS NULL OR next_attempt_at <= $2) \
             ORDER BY id"
        ));
        let recs: Vec<MeldingRec> = with_pool!(self, pool => {
            sqlx::query_as(sql).bind(school.0).bind(now).fetch_all(pool).await?
        });
        rows(recs)
    }

    /// Sent meldingen with a change waiting whose backoff has passed at `now`, oldest first.
    pub async fn m2m_due_changes(
        &self,
        school: SchoolId,
        now: DateTime<Utc>,
    ) -> Result<Vec<M2mMeldingRow>> {
        let sql = sqlx::AssertSqlSafe(format!(
            "SELECT {MELDING_COLUMNS} FROM m2m_meldingen WHERE school_id = $1 \
             AND state = 'verzonden' AND pending_document_id IS NOT NULL \
             AND (next_attempt_at IS NULL OR next_attempt_at <= $2) ORDER BY id"
        ));
        let recs: Vec<MeldingRec> = with_pool!(self, pool => {
            sqlx::query_as(sql).bind(school.0).bind(now).fetch_all(pool).await?
        });
        rows(recs)
    }

    /// Logs one message on its own (a request just before it is sent, so it is kept even if
    /// the process dies while waiting for the answer). Gives its id.
    pub async fn m2m_log_message(&self, message: &NewM2mMessage) -> Result<i64> {
        Ok(with_pool!(self, pool => insert_message!(pool, message)))
    }

    /// Stores an answer (or the failure to get one) and what it does to melding `id`, with an
    /// audit row when given, in one transaction.
    pub async fn m2m_record_outcome(
        &self,
        school: SchoolId,
        id: i64,
        outcome: &M2mOutcome,
        answer: &NewM2mMessage,
        audit: Option<&AuditEntry>,
    ) -> Result<()> {
        let now = answer.at;
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            insert_message!(&mut *tx, answer);
            let done = match outcome {
                M2mOutcome::Sent { nummer, status } => sqlx::query(
                    "UPDATE m2m_meldingen SET state = 'verzonden', nummer = $3, loket_status = $4, \
                     refusal = NULL, attempts = 0, next_attempt_at = NULL, last_error = NULL, \
                     sent_at = $5, updated_at = $5 WHERE school_id = $1 AND id = $2",
                )
                .bind(school.0)
                .bind(id)
                .bind(nummer)
                .bind(status)
                .bind(now)
                .execute(&mut *tx)
                .await?,
                M2mOutcome::Refused(refusal) => {
                    let json = serde_json::to_string(refusal)
                        .map_err(|e| corrupt("m2m-weigering", e))?;
                    sqlx::query(
                        "UPDATE m2m_meldingen SET state = 'geweigerd', refusal = $3, \
                         next_attempt_at = NULL, last_error = NULL, updated_at = $4 \
                         WHERE school_id = $1 AND id = $2",
                    )
                    .bind(school.0)
                    .bind(id)
                    .bind(json)
                    .bind(now)
                    .execute(&mut *tx)
                    .await?
                }
                M2mOutcome::RetryLater {
                    attempts,
                    next_attempt_at,
                    error,
                } => sqlx::query(
                    "UPDATE m2m_meldingen SET attempts = $3, next_attempt_at = $4, last_error = $5, \
                     updated_at = $6 WHERE school_id = $1 AND id = $2",
                )
                .bind(school.0)
                .bind(id)
                .bind(*attempts)
                .bind(*next_attempt_at)
                .bind(error)
                .bind(now)
                .execute(&mut *tx)
                .await?,
                M2mOutcome::ChangeApplied {
                    input,
                    day_spec,
                    status,
                    process_date,
                    process_time,
                } => sqlx::query(
                    "UPDATE m2m_meldingen SET input = $3, day_spec = $4, loket_status = $5, \
                     process_date = $6, process_time = $7, pending_document_id = NULL, \
                     pending_end_date = NULL, pending_day_spec = NULL, mutation_error = NULL, \
                     attempts = 0, next_attempt_at = NULL, last_error = NULL, updated_at = $8 \
                     WHERE school_id = $1 AND id = $2",
                )
                .bind(school.0)
                .bind(id)
                .bind(input)
                .bind(day_spec)
                .bind(status)
                .bind(*process_date)
                .bind(process_time)
                .bind(now)
                .execute(&mut *tx)
                .await?,
                M2mOutcome::ChangeRefused(reason) => sqlx::query(
                    "UPDATE m2m_meldingen SET pending_document_id = NULL, pending_end_date = NULL, \
                     pending_day_spec = NULL, mutation_error = $3, attempts = 0, \
                     next_attempt_at = NULL, last_error = NULL, updated_at = $4 \
                     WHERE school_id = $1 AND id = $2",
                )
                .bind(school.0)
                .bind(id)
                .bind(reason)
                .bind(now)
                .execute(&mut *tx)
                .await?,
            };
            if done.rows_affected() != 1 {
                return Err(StoreError::NotFound {
                    what: "melding".to_owned(),
                });
            }
            if let Some(audit) = audit {
                insert_audit!(&mut *tx, audit);
            }
            tx.commit().await?;
        });
        Ok(())
    }

    /// Queues a change (end date and/or day specification) of a sent melding, replacing a
    /// change still waiting, with its audit row. Only a melding in state `verzonden` can be
    /// changed; otherwise a conflict.
    pub async fn m2m_queue_change(
        &self,
        school: SchoolId,
        id: i64,
        change: &M2mPendingChange,
        audit: &AuditEntry,
    ) -> Result<()> {
        let now = audit.at;
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let done = sqlx::query(
                "UPDATE m2m_meldingen SET pending_document_id = $3, pending_end_date = $4, \
                 pending_day_spec = $5, mutation_error = NULL, attempts = 0, \
                 next_attempt_at = NULL, last_error = NULL, updated_at = $6 \
                 WHERE school_id = $1 AND id = $2 AND state = 'verzonden'",
            )
            .bind(school.0)
            .bind(id)
            .bind(&change.document_id)
            .bind(change.end_date)
            .bind(&change.day_spec)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Conflict {
                    field: "melding".to_owned(),
                    reason: "alleen een verzonden melding kan worden aangevuld".to_owned(),
                });
            }
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Puts a refused melding back in the outbox with corrected data and a new
    /// `identificatiecodeBedrijfsdocument` (the loket never stored the refused one), with its
    /// audit row. Only a melding in state `geweigerd`; otherwise a conflict.
    #[allow(clippy::too_many_arguments)]
    pub async fn m2m_resubmit(
        &self,
        school: SchoolId,
        id: i64,
        kind: &str,
        begin_date: NaiveDate,
        input: &str,
        day_spec: &str,
        document_id: &str,
        audit: &AuditEntry,
    ) -> Result<()> {
        let now = audit.at;
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let done = sqlx::query(
                "UPDATE m2m_meldingen SET kind = $3, begin_date = $4, input = $5, day_spec = $6, \
                 document_id = $7, state = 'bevestigd', refusal = NULL, attempts = 0, \
                 next_attempt_at = NULL, last_error = NULL, updated_at = $8 \
                 WHERE school_id = $1 AND id = $2 AND state = 'geweigerd'",
            )
            .bind(school.0)
            .bind(id)
            .bind(kind)
            .bind(begin_date)
            .bind(input)
            .bind(day_spec)
            .bind(document_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Conflict {
                    field: "melding".to_owned(),
                    reason: "alleen een geweigerde melding kan opnieuw worden bevestigd".to_owned(),
                });
            }
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Where the school's next poll starts (`None`: from the beginning).
    pub async fn m2m_cursor(&self, school: SchoolId) -> Result<Option<String>> {
        let c: Option<Option<String>> = with_pool!(self, pool => {
            sqlx::query_scalar("SELECT cursor FROM m2m_sync_state WHERE school_id = $1")
                .bind(school.0)
                .fetch_optional(pool)
                .await?
        });
        Ok(c.flatten())
    }

    /// Stores one poll answer: the message, the updates of the school's meldingen it names
    /// (unknown nummers are skipped: filed by hand on the loket's site), a link from each
    /// updated melding to the message, an audit row per melding, and the next cursor — all in
    /// one transaction, so a crash never moves the cursor past an update that was not stored.
    pub async fn m2m_apply_poll(
        &self,
        school: SchoolId,
        answer: &NewM2mMessage,
        updates: &[M2mPollUpdate],
        next_cursor: &str,
        actor_label: &str,
    ) -> Result<Vec<M2mPollApplied>> {
        let now = answer.at;
        Ok(with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let message = insert_message!(&mut *tx, answer);
            let mut applied = Vec::new();
            for u in updates {
                let found: Option<StoredState> = sqlx::query_as(
                    "SELECT id, student_id, loket_status, contact_name FROM m2m_meldingen \
                     WHERE school_id = $1 AND nummer = $2",
                )
                .bind(school.0)
                .bind(&u.nummer)
                .fetch_optional(&mut *tx)
                .await?;
                let Some((id, student, old_status, old_contact)) = found else {
                    continue;
                };
                let answered = matches!(u.status.as_str(), "G" | "K") || u.contact.is_some();
                let terugmelding = answered
                    && (old_status.as_deref() != Some(u.status.as_str())
                        || old_contact.as_deref() != u.contact.as_ref().map(|c| c.name.as_str()));
                let c = u.contact.clone().unwrap_or_default();
                let has_contact = u.contact.is_some();
                sqlx::query(
                    "UPDATE m2m_meldingen SET loket_status = $3, closing_reason = $4, explanation = $5, \
                     withdraw_reason = $6, contact_name = $7, contact_function = $8, \
                     contact_phone = $9, contact_email = $10, process_date = $11, process_time = $12, \
                     terugmelding_at = CASE WHEN $13 THEN $14 ELSE terugmelding_at END, \
                     updated_at = $14 WHERE school_id = $1 AND id = $2",
                )
                .bind(school.0)
                .bind(id)
                .bind(&u.status)
                .bind(&u.closing_reason)
                .bind(&u.explanation)
                .bind(&u.withdraw_reason)
                .bind(has_contact.then_some(c.name))
                .bind(has_contact.then_some(c.function))
                .bind(has_contact.then_some(c.phone))
                .bind(has_contact.then_some(c.email))
                .bind(u.process_date)
                .bind(&u.process_time)
                .bind(terugmelding)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    "INSERT INTO m2m_message_links (message_id, melding_id) VALUES ($1, $2) \
                     ON CONFLICT DO NOTHING",
                )
                .bind(message)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                let audit = AuditEntry {
                    at: now,
                    school,
                    actor: None,
                    actor_label: actor_label.to_owned(),
                    student: student.map(StudentId),
                    action: crate::AuditAction::Update,
                    detail: format!(
                        "verzuimmelding {}: status {} van het Verzuimloket{}",
                        u.nummer,
                        u.status,
                        if terugmelding { " (terugmelding)" } else { "" }
                    ),
                };
                insert_audit!(&mut *tx, &audit);
                applied.push(M2mPollApplied {
                    id,
                    student: student.map(StudentId),
                    terugmelding,
                });
            }
            sqlx::query(
                "INSERT INTO m2m_sync_state (school_id, cursor, polled_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (school_id) DO UPDATE SET cursor = $2, polled_at = $3",
            )
            .bind(school.0)
            .bind(next_cursor)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
            applied
        }))
    }

    /// Every message sent or received for melding `id` of the school (its own requests and
    /// answers, and the poll answers that updated it), oldest first.
    pub async fn m2m_messages_of(&self, school: SchoolId, id: i64) -> Result<Vec<M2mMessageRow>> {
        Ok(with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, melding_id, direction, operation, message_id, relates_to, http_status, \
                 body, error, at FROM m2m_messages WHERE school_id = $1 AND (melding_id = $2 \
                 OR id IN (SELECT message_id FROM m2m_message_links WHERE melding_id = $2)) \
                 ORDER BY id",
            )
            .bind(school.0)
            .bind(id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// The school's logged messages, newest first, at most `limit` (for the sync overview).
    pub async fn m2m_recent_messages(
        &self,
        school: SchoolId,
        limit: i64,
    ) -> Result<Vec<M2mMessageRow>> {
        Ok(with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, melding_id, direction, operation, message_id, relates_to, http_status, \
                 body, error, at FROM m2m_messages WHERE school_id = $1 ORDER BY id DESC LIMIT $2",
            )
            .bind(school.0)
            .bind(limit.max(0))
            .fetch_all(pool)
            .await?
        }))
    }
}
