//! The school side of the machine coupling (issue 5, client): the law engine proposes
//! meldingen, a person confirms them, and [`App::m2m_sync`] sends them to the Verzuimloket
//! over SOAP, sends changes (end date, day specification), and polls the loket for status
//! changes and the gemeente's terugmeldingen, which it stores with the melding.
//!
//! The HTTPS/mTLS transport is not here: [`LoketTransport`] is implemented by
//! `verzuim-m2m`'s client (and by an in-process transport in tests). Every message sent and
//! received is kept in the school's database, with the melding it is about.

use std::future::Future;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use verzuim_domain::{SchoolRole, StudentId};
use verzuim_edukoppeling::messages::{
    AanvraagGewijzigdeMeldingRelatiefVerzuimRequest, FIELD_ELEMENTS, Foutmelding,
    MeldenRelatiefVerzuimRequest, MeldingGegevens, MutatieMeldingRelatiefVerzuimRequest,
    Verzuimdagspecificatie,
};
use verzuim_edukoppeling::{
    DocumentId, Fault, FaultClass, Limits, MessageId, Oin, RequestMessage, ResponseBody,
    ResponseMessage, WsaHeaders, parse_response, write_request,
};
use verzuim_loket::{DaySpecification, FieldErrors, MeldingInput, ValidationContext};
use verzuim_store::{
    AuditAction, AuditEntry, M2mDirection, M2mMeldingRow, M2mMessageRow, M2mOutcome,
    M2mPendingChange, M2mPollUpdate, M2mRefusal, M2mState, NewM2mMelding, NewM2mMessage, SchoolId,
    StoreError,
};

use crate::App;
use crate::drafts::MeldingDraft;
use crate::law::LawUseCaseError;
use crate::school::Actor;

/// The connection to the loket: posts one SOAP envelope and gives the HTTP answer.
pub trait LoketTransport: Send + Sync {
    /// POST one SOAP envelope; Ok((http_status, body)) for any HTTP answer, Err for no answer.
    fn post(
        &self,
        soap_action: &str,
        body: String,
    ) -> impl Future<Output = std::result::Result<(u16, Vec<u8>), TransportError>> + Send;
}

/// No answer from the loket (connection refused, TLS handshake failed, timeout, ...).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("geen antwoord van het Verzuimloket: {0}")]
pub struct TransportError(pub String);

/// Who talks to whom: the loket's OIN (`wsa:To`) and the school's (`wsa:From`, from
/// `Oin::from_brin`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SyncSettings {
    /// The loket's OIN.
    pub loket_oin: Oin,
    /// The school's OIN.
    pub school_oin: Oin,
}

/// What one [`App::m2m_sync`] run did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SyncReport {
    /// Meldingen and changes the loket accepted.
    pub sent: usize,
    /// Meldingen and changes the loket refused (Foutmelding or `Client` fault): not resent.
    pub refused: usize,
    /// Meldingen and changes that got no usable answer and will be retried after a backoff.
    pub retry_later: usize,
    /// Meldingen whose status or terugmelding the poll updated.
    pub updated: usize,
    /// Terugmeldingen of the gemeente received (status G or K, or a contact person).
    pub terugmeldingen: usize,
    /// Problems that stopped a step (e.g. the poll), in Dutch, for the log.
    pub problems: Vec<String>,
}

/// Label of the machine coupling in audit rows.
pub const M2M_ACTOR: &str = "machinekoppeling";
/// First backoff after a failed attempt; it doubles with every further failure.
pub const BACKOFF_START_SECS: i64 = 30;
/// Longest backoff.
pub const BACKOFF_MAX_SECS: i64 = 3600;
/// Changed meldingen asked for per poll answer.
pub const POLL_PAGE: u32 = 100;
/// Poll answers read in one sync at most (a guard against a loket that always says "more").
pub const POLL_MAX_PAGES: usize = 1000;

/// The roles that may see and confirm meldingen (seed 004: the verzuimcoördinator reports;
/// the teamleider and the school's beheerder stand in).
pub const MELDING_ROLES: [SchoolRole; 3] = [
    SchoolRole::AttendanceCoordinator,
    SchoolRole::TeamLeader,
    SchoolRole::Admin,
];

/// What went wrong in a melding use case.
#[derive(Debug, thiserror::Error)]
pub enum M2mError {
    /// The actor does not hold a role that may report.
    #[error("alleen een verzuimcoördinator, teamleider of beheerder kan verzuimmeldingen doen")]
    Forbidden,
    /// The melding or proposal does not exist in the actor's school.
    #[error("{what} niet gevonden")]
    NotFound {
        /// What, in Dutch.
        what: String,
    },
    /// Fields of the form are refused, one message per field; nothing was stored.
    #[error(transparent)]
    Fields(FieldErrors),
    /// The melding's state does not allow this, or it was confirmed already.
    #[error("{field}: {reason}")]
    Conflict {
        /// The field.
        field: String,
        /// Why, in Dutch.
        reason: String,
    },
    /// The law engine could not run.
    #[error(transparent)]
    Law(LawUseCaseError),
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
    /// A message could not be built (a bug or corrupt stored data).
    #[error("bericht kon niet worden opgebouwd: {0}")]
    Message(String),
}

impl From<StoreError> for M2mError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what } => Self::NotFound { what },
            StoreError::Conflict { field, reason } => Self::Conflict { field, reason },
            other => Self::Store(other),
        }
    }
}

impl From<LawUseCaseError> for M2mError {
    fn from(e: LawUseCaseError) -> Self {
        match e {
            LawUseCaseError::Store(s) => s.into(),
            LawUseCaseError::UnknownStudent(n) => Self::NotFound {
                what: format!("leerling {n}"),
            },
            other => Self::Law(other),
        }
    }
}

/// Result of a melding use case.
pub type Result<T> = std::result::Result<T, M2mError>;

/// A melding the law engine proposes and nobody confirmed yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Proposal {
    /// Identifies the proposal: `<leerlingnummer>:<soort>:<begindatum>`.
    pub key: String,
    /// What the engine found, with its explanation.
    pub melding: verzuim_law::Melding,
    /// The draft for the loket, filled from the administration.
    pub draft: MeldingDraft,
    /// The student.
    pub student: Option<StudentId>,
    /// The student's name ("Vries, Anna de").
    pub student_name: String,
}

/// What a person confirms: the proposal and the melding's fields as they filled them in.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Confirmation {
    /// [`Proposal::key`].
    pub key: String,
    /// Every field of the melding.
    pub input: MeldingInput,
    /// The day specification, text form (`2026-11-02: hele dag`, one day a line).
    pub day_spec: String,
}

/// A stored melding and every message sent and received for it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeldingLog {
    /// The melding.
    pub melding: M2mMeldingRow,
    /// Its messages, oldest first.
    pub messages: Vec<M2mMessageRow>,
}

/// A random (version 4) UUID in text form.
pub fn new_uuid() -> String {
    verzuim_edukoppeling::addressing::uuid_v4(rand::random())
}

/// A fresh random `wsa:MessageID`.
pub fn new_message_id() -> MessageId {
    MessageId::from_random(rand::random())
}

/// The confirmed fields of a stored melding (with the changes the loket accepted).
pub fn stored_input(row: &M2mMeldingRow) -> Option<MeldingInput> {
    serde_json::from_str(&row.input).ok()
}

/// How long to wait after `attempts` failed attempts: 30 s · 2^(attempts−1), at most 1 hour.
pub fn backoff(attempts: i32) -> Duration {
    let n = u32::try_from(attempts.max(1) - 1).unwrap_or(0).min(20);
    Duration::seconds((BACKOFF_START_SECS << n).min(BACKOFF_MAX_SECS))
}

/// The form field of `verzuim_loket::MeldingInput` an XML element of a Foutmelding names.
pub fn field_for_element(element: &str) -> String {
    FIELD_ELEMENTS
        .iter()
        .find(|(_, e)| *e == element)
        .map_or(element, |(f, _)| f)
        .to_owned()
}

fn proposal_key(m: &verzuim_law::Melding) -> String {
    format!("{}:{}:{}", m.student, m.duo_code, m.begin)
}

/// The student number in a proposal key.
fn key_student(key: &str) -> Option<&str> {
    let mut parts = key.rsplitn(3, ':');
    let _begin = parts.next()?;
    let _kind = parts.next()?;
    parts.next().filter(|s| !s.is_empty())
}

fn refusals(f: &Foutmelding) -> Vec<M2mRefusal> {
    f.errors
        .iter()
        .map(|e| M2mRefusal {
            field: e.field.as_deref().map(field_for_element),
            code: e.code.code().to_owned(),
            message: e.message.clone(),
        })
        .collect()
}

fn fault_text(f: &Fault) -> String {
    match &f.detail {
        Some(d) => format!("{}: {} ({d})", f.code, f.string),
        None => format!("{}: {}", f.code, f.string),
    }
}

fn refusal_text(r: &[M2mRefusal]) -> String {
    r.iter()
        .map(|r| match &r.field {
            Some(f) => format!("{} {f}: {}", r.code, r.message),
            None => format!("{}: {}", r.code, r.message),
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// What came back for one request.
enum Answer {
    Message(ResponseMessage),
    Fault(Fault),
    Failed(String),
}

fn fields_error(field: &str, reason: impl Into<String>) -> M2mError {
    let mut e = FieldErrors::default();
    e.push(field, reason);
    M2mError::Fields(e)
}

impl App {
    /// Melding `id` of the actor's school, for a person who may file meldingen; another
    /// school's is "niet gevonden".
    async fn own_melding(&self, actor: &Actor, id: i64) -> Result<M2mMeldingRow> {
        Self::require_melding_role(actor)?;
        self.store
            .m2m_melding(actor.school(), id)
            .await?
            .ok_or_else(|| M2mError::NotFound {
                what: "melding".to_owned(),
            })
    }

    /// [`App::own_melding`], refused as a conflict (`why`) unless it is in `state`.
    async fn melding_in_state(
        &self,
        actor: &Actor,
        id: i64,
        state: M2mState,
        why: &str,
    ) -> Result<M2mMeldingRow> {
        let row = self.own_melding(actor, id).await?;
        if row.state != state {
            return Err(M2mError::Conflict {
                field: "melding".to_owned(),
                reason: why.to_owned(),
            });
        }
        Ok(row)
    }

    fn require_melding_role(actor: &Actor) -> Result<()> {
        if MELDING_ROLES.iter().any(|r| actor.has_role(*r)) {
            Ok(())
        } else {
            Err(M2mError::Forbidden)
        }
    }

    async fn school_locations(&self, school: SchoolId) -> Result<(String, Vec<String>)> {
        let row = self
            .store
            .school(school)
            .await?
            .ok_or_else(|| M2mError::NotFound {
                what: "school".to_owned(),
            })?;
        Ok((
            row.school.brin.as_str().to_owned(),
            row.school
                .locations
                .iter()
                .map(|l| l.name.clone())
                .collect(),
        ))
    }

    /// The meldingen the law engine proposes for the actor's school as of `today` that
    /// nobody confirmed yet, each with a draft for the loket (teaching location: the
    /// school's first). Writes the law check's `read` audit rows.
    pub async fn m2m_proposals(
        &self,
        actor: &Actor,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Vec<Proposal>> {
        Self::require_melding_role(actor)?;
        let school = actor.school();
        let (_, locations) = self.school_locations(school).await?;
        let location = locations.first().cloned().unwrap_or_default();
        let evaluation = self.check_school(school, today, actor.label(), now).await?;
        let confirmed: std::collections::HashSet<String> = self
            .store
            .m2m_confirmed_keys(school)
            .await?
            .into_iter()
            .collect();
        let mut out = Vec::new();
        for m in evaluation.meldingen {
            let key = proposal_key(&m);
            if confirmed.contains(&key) {
                continue;
            }
            let draft = self.draft_melding(school, &m, &location).await?;
            let student = self.store.student_by_number(school, &m.student).await?;
            out.push(Proposal {
                key,
                student: student.as_ref().map(|s| s.id),
                student_name: student
                    .map(|s| s.student.sort_name())
                    .unwrap_or_else(|| m.student.clone()),
                melding: m,
                draft,
            });
        }
        Ok(out)
    }

    /// One open proposal by its key (for the confirm form).
    pub async fn m2m_proposal(
        &self,
        actor: &Actor,
        key: &str,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Proposal> {
        self.m2m_proposals(actor, today, now)
            .await?
            .into_iter()
            .find(|p| p.key == key)
            .ok_or_else(|| M2mError::NotFound {
                what: "voorstel".to_owned(),
            })
    }

    /// Confirms a proposal with the fields a person filled in: checks every field as the loket
    /// will (`MeldingInput::validate` with the school's locations, the day specification within
    /// the period) and stores it in the outbox with a new `identificatiecodeBedrijfsdocument`
    /// and an audit row. The next [`App::m2m_sync`] sends it. Refused fields come back all at
    /// once ([`M2mError::Fields`]); a proposal confirmed before is a conflict.
    pub async fn confirm_melding(
        &self,
        actor: &Actor,
        confirmation: &Confirmation,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        Self::require_melding_role(actor)?;
        let school = actor.school();
        let number = key_student(&confirmation.key).ok_or_else(|| M2mError::NotFound {
            what: "voorstel".to_owned(),
        })?;
        let student = self
            .store
            .student_by_number(school, number)
            .await?
            .ok_or_else(|| M2mError::NotFound {
                what: "leerling".to_owned(),
            })?;
        let (melding, day_spec) = self
            .validate_confirmation(school, &confirmation.input, &confirmation.day_spec, today)
            .await?;
        let input = serde_json::to_string(&confirmation.input)
            .map_err(|e| M2mError::Message(e.to_string()))?;
        let new = NewM2mMelding {
            student: Some(student.id),
            proposal_key: confirmation.key.clone(),
            document_id: new_uuid(),
            student_number: student.student.student_number.clone(),
            student_name: student.student.sort_name(),
            kind: melding.kind.code().to_owned(),
            begin_date: melding.begin_date,
            input,
            day_spec,
            confirmed_by: Some(actor.id()),
            confirmed_by_label: actor.label().to_owned(),
            confirmed_at: now,
        };
        let audit = AuditEntry {
            at: now,
            school,
            actor: Some(actor.id()),
            actor_label: actor.label().to_owned(),
            student: Some(student.id),
            action: AuditAction::Create,
            detail: format!(
                "verzuimmelding bevestigd: {} vanaf {}",
                melding.kind.code(),
                melding.begin_date
            ),
        };
        Ok(self.store.m2m_insert_melding(school, &new, &audit).await?)
    }

    /// Checks a melding's fields as the loket will (`MeldingInput::validate` with the school's
    /// locations) and its day specification within the period; gives the melding and the day
    /// specification's text form, or every refused field at once.
    async fn validate_confirmation(
        &self,
        school: SchoolId,
        input: &MeldingInput,
        day_spec: &str,
        today: NaiveDate,
    ) -> Result<(verzuim_loket::NewMelding, String)> {
        let (_, locations) = self.school_locations(school).await?;
        let ctx = ValidationContext {
            today,
            locations: &locations,
        };
        let (melding, mut errors) = match input.validate(&ctx) {
            Ok(m) => (Some(m), FieldErrors::default()),
            Err(e) => (None, e),
        };
        let spec = match &melding {
            Some(m) => errors
                .take(DaySpecification::parse(
                    "day_specification",
                    day_spec,
                    m.begin_date,
                    m.end_date.unwrap_or(today),
                ))
                .map(|s| s.to_text()),
            None => None,
        };
        match (melding, spec, errors.is_empty()) {
            (Some(m), Some(s), true) => Ok((m, s)),
            _ => Err(M2mError::Fields(errors)),
        }
    }

    /// Corrects a melding the loket refused and puts it back in the outbox with a new
    /// `identificatiecodeBedrijfsdocument`; the fields are checked as on confirming. Only a
    /// `geweigerd` melding (a conflict otherwise).
    pub async fn m2m_correct_melding(
        &self,
        actor: &Actor,
        id: i64,
        input: &MeldingInput,
        day_spec: &str,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let school = actor.school();
        let row = self
            .melding_in_state(
                actor,
                id,
                M2mState::Geweigerd,
                "alleen een geweigerde melding kan opnieuw worden bevestigd",
            )
            .await?;
        let (melding, spec) = self
            .validate_confirmation(school, input, day_spec, today)
            .await?;
        let json = serde_json::to_string(input).map_err(|e| M2mError::Message(e.to_string()))?;
        let audit = AuditEntry {
            at: now,
            school,
            actor: Some(actor.id()),
            actor_label: actor.label().to_owned(),
            student: row.student,
            action: AuditAction::Update,
            detail: format!(
                "geweigerde verzuimmelding verbeterd en opnieuw bevestigd: {} vanaf {}",
                melding.kind.code(),
                melding.begin_date
            ),
        };
        Ok(self
            .store
            .m2m_resubmit(
                school,
                id,
                melding.kind.code(),
                melding.begin_date,
                &json,
                &spec,
                &new_uuid(),
                &audit,
            )
            .await?)
    }

    /// The school's meldingen (outbox and local copy), newest first; one `read` audit row per
    /// student listed.
    pub async fn m2m_meldingen(
        &self,
        actor: &Actor,
        now: DateTime<Utc>,
    ) -> Result<Vec<M2mMeldingRow>> {
        Self::require_melding_role(actor)?;
        let rows = self.store.m2m_meldingen(actor.school()).await?;
        let mut students: Vec<StudentId> = rows.iter().filter_map(|r| r.student).collect();
        students.sort_unstable();
        students.dedup();
        let reads: Vec<AuditEntry> = students
            .into_iter()
            .map(|s| AuditEntry {
                at: now,
                school: actor.school(),
                actor: Some(actor.id()),
                actor_label: actor.label().to_owned(),
                student: Some(s),
                action: AuditAction::Read,
                detail: "verzuimmeldingen".to_owned(),
            })
            .collect();
        self.store.append_audits(&reads).await?;
        Ok(rows)
    }

    /// One melding of the school with every message sent and received for it; a `read` audit
    /// row.
    pub async fn m2m_melding_log(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<MeldingLog> {
        let school = actor.school();
        let melding = self.own_melding(actor, id).await?;
        let messages = self.store.m2m_messages_of(school, id).await?;
        self.store
            .append_audit(&AuditEntry {
                at: now,
                school,
                actor: Some(actor.id()),
                actor_label: actor.label().to_owned(),
                student: melding.student,
                action: AuditAction::Read,
                detail: format!("verzuimmelding {id} met berichten"),
            })
            .await?;
        Ok(MeldingLog { melding, messages })
    }

    /// Completes a sent melding: a new end date and/or day specification (from the school's
    /// own registrations), queued as a `MutatieMeldingRelatiefVerzuim` for the next sync.
    /// Fields are checked like the loket does; both empty is refused.
    pub async fn m2m_change_melding(
        &self,
        actor: &Actor,
        id: i64,
        end_date: &str,
        day_spec: &str,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let school = actor.school();
        let row = self
            .melding_in_state(
                actor,
                id,
                M2mState::Verzonden,
                "alleen een verzonden melding kan worden aangevuld",
            )
            .await?;
        let mut errors = FieldErrors::default();
        let end = errors
            .take(verzuim_loket::melding::optional_date("end_date", end_date))
            .flatten();
        if let Some(e) = end {
            if e < row.begin_date {
                errors.push("end_date", "de einddatum ligt voor de begindatum");
            } else if e > today {
                errors.push("end_date", "de einddatum ligt in de toekomst");
            }
        }
        let spec = if day_spec.trim().is_empty() {
            None
        } else {
            let stored_end: Option<NaiveDate> = serde_json::from_str::<MeldingInput>(&row.input)
                .ok()
                .and_then(|i| NaiveDate::parse_from_str(i.end_date.trim(), "%Y-%m-%d").ok());
            let last = end.or(stored_end).unwrap_or(today);
            errors
                .take(DaySpecification::parse(
                    "day_specification",
                    day_spec,
                    row.begin_date,
                    last,
                ))
                .map(|s| s.to_text())
        };
        if !errors.is_empty() {
            return Err(M2mError::Fields(errors));
        }
        if end.is_none() && spec.is_none() {
            return Err(fields_error(
                "end_date",
                "vul een einddatum of de verzuimdagen in",
            ));
        }
        let change = M2mPendingChange {
            document_id: new_uuid(),
            end_date: end,
            day_spec: spec,
        };
        let audit = AuditEntry {
            at: now,
            school,
            actor: Some(actor.id()),
            actor_label: actor.label().to_owned(),
            student: row.student,
            action: AuditAction::Update,
            detail: format!(
                "verzuimmelding {} aangevuld (wacht op verzending)",
                row.nummer.as_deref().unwrap_or("zonder nummer")
            ),
        };
        Ok(self
            .store
            .m2m_queue_change(school, id, &change, &audit)
            .await?)
    }

    /// Talks to the loket for `school`: sends the confirmed meldingen whose backoff has passed
    /// (`MeldenRelatiefVerzuim` with their `identificatiecodeBedrijfsdocument`, so a resend
    /// after a lost answer gets the same nummer), then the queued changes
    /// (`MutatieMeldingRelatiefVerzuim`), then polls `AanvraagGewijzigdeMeldingRelatiefVerzuim`
    /// from the stored cursor until `MeerBeschikbaar` is false, storing status and
    /// terugmelding per nummer. Every request and answer is logged.
    ///
    /// No answer, an unreadable one, an HTTP 5xx or a `Server` fault: the attempt counts and
    /// the item waits 30 s · 2^(n−1) (at most an hour). A Foutmelding or a `Client` fault:
    /// the melding is `geweigerd` (a change: dropped) with the reasons, and not resent.
    pub async fn m2m_sync(
        &self,
        school: SchoolId,
        transport: &impl LoketTransport,
        settings: &SyncSettings,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<SyncReport> {
        let (brin, locations) = self.school_locations(school).await?;
        let mut report = SyncReport::default();
        for row in self.store.m2m_due_submissions(school, now).await? {
            self.send_melding(
                school,
                &brin,
                &locations,
                &row,
                transport,
                settings,
                today,
                now,
                &mut report,
            )
            .await?;
        }
        for row in self.store.m2m_due_changes(school, now).await? {
            self.send_change(school, &brin, &row, transport, settings, now, &mut report)
                .await?;
        }
        self.poll(school, &brin, transport, settings, now, &mut report)
            .await?;
        Ok(report)
    }

    /// Sends one request and reads the answer; the request is logged before it goes out.
    /// Gives the answer and its log row (not yet stored).
    #[allow(clippy::too_many_arguments)]
    async fn exchange(
        &self,
        school: SchoolId,
        melding: Option<i64>,
        transport: &impl LoketTransport,
        settings: &SyncSettings,
        request: &RequestMessage,
        now: DateTime<Utc>,
    ) -> Result<(Answer, NewM2mMessage)> {
        let operation = request.operation();
        let id = new_message_id();
        let headers = WsaHeaders::request(
            &settings.loket_oin,
            &settings.school_oin,
            operation,
            id.clone(),
        );
        let body =
            write_request(&headers, request).map_err(|e| M2mError::Message(e.to_string()))?;
        self.store
            .m2m_log_message(&NewM2mMessage {
                school,
                melding,
                direction: M2mDirection::Out,
                operation: operation.name().to_owned(),
                message_id: Some(id.to_uri()),
                relates_to: None,
                http_status: None,
                body: body.clone(),
                error: None,
                at: now,
            })
            .await?;
        let mut log = NewM2mMessage {
            school,
            melding,
            direction: M2mDirection::In,
            operation: operation.name().to_owned(),
            message_id: None,
            relates_to: None,
            http_status: None,
            body: String::new(),
            error: None,
            at: now,
        };
        let answer = match transport.post(&headers.action, body).await {
            Err(e) => Answer::Failed(e.to_string()),
            Ok((status, bytes)) => {
                log.http_status = Some(i32::from(status));
                log.body = String::from_utf8_lossy(&bytes).into_owned();
                match parse_response(&bytes, &Limits::default()) {
                    Err(e) => Answer::Failed(format!("HTTP {status}: onleesbaar antwoord: {e}")),
                    Ok(resp) => {
                        log.message_id = Some(resp.headers.message_id.to_uri());
                        log.relates_to = resp.headers.relates_to.as_ref().map(MessageId::to_uri);
                        if resp.headers.relates_to.as_ref() != Some(&id) {
                            Answer::Failed(format!(
                                "HTTP {status}: het antwoord hoort niet bij dit verzoek (RelatesTo)"
                            ))
                        } else {
                            match resp.body {
                                ResponseBody::Message(m) => Answer::Message(m),
                                ResponseBody::Fault(f) => Answer::Fault(f),
                            }
                        }
                    }
                }
            }
        };
        if let Answer::Failed(e) = &answer {
            log.error = Some(e.clone());
        }
        Ok((answer, log))
    }

    fn retry(row: &M2mMeldingRow, error: String, now: DateTime<Utc>) -> M2mOutcome {
        let attempts = row.attempts.saturating_add(1);
        M2mOutcome::RetryLater {
            attempts,
            next_attempt_at: now + backoff(attempts),
            error,
        }
    }

    fn sync_audit(
        school: SchoolId,
        row: &M2mMeldingRow,
        detail: String,
        now: DateTime<Utc>,
    ) -> AuditEntry {
        AuditEntry {
            at: now,
            school,
            actor: None,
            actor_label: M2M_ACTOR.to_owned(),
            student: row.student,
            action: AuditAction::Update,
            detail,
        }
    }

    #[allow(clippy::too_many_arguments)]
    async fn send_melding(
        &self,
        school: SchoolId,
        brin: &str,
        locations: &[String],
        row: &M2mMeldingRow,
        transport: &impl LoketTransport,
        settings: &SyncSettings,
        today: NaiveDate,
        now: DateTime<Utc>,
        report: &mut SyncReport,
    ) -> Result<()> {
        let request = match melden_request(row, brin, locations, today) {
            Ok(r) => r,
            Err(refused) => {
                // The stored data no longer passes the loket's checks (a location removed
                // since): refuse locally, nothing is sent.
                report.refused += 1;
                let log = NewM2mMessage {
                    school,
                    melding: Some(row.id),
                    direction: M2mDirection::In,
                    operation: "MeldenRelatiefVerzuim".to_owned(),
                    message_id: None,
                    relates_to: None,
                    http_status: None,
                    body: String::new(),
                    error: Some(format!("niet verzonden: {}", refusal_text(&refused))),
                    at: now,
                };
                let audit = Self::sync_audit(
                    school,
                    row,
                    "verzuimmelding niet verzonden: gegevens kloppen niet".to_owned(),
                    now,
                );
                self.store
                    .m2m_record_outcome(
                        school,
                        row.id,
                        &M2mOutcome::Refused(refused),
                        &log,
                        Some(&audit),
                    )
                    .await?;
                return Ok(());
            }
        };
        let (answer, log) = self
            .exchange(school, Some(row.id), transport, settings, &request, now)
            .await?;
        let (outcome, audit) = match answer {
            Answer::Message(ResponseMessage::Melden(r)) => {
                report.sent += 1;
                let detail = format!("verzuimmelding verzonden, meldingsnummer {}", r.id.number);
                (
                    M2mOutcome::Sent {
                        nummer: r.id.number,
                        status: r.status.code().to_owned(),
                    },
                    Some(Self::sync_audit(school, row, detail, now)),
                )
            }
            Answer::Message(ResponseMessage::Foutmelding(f)) => {
                report.refused += 1;
                let r = refusals(&f);
                let detail = format!("verzuimmelding geweigerd: {}", refusal_text(&r));
                (
                    M2mOutcome::Refused(r),
                    Some(Self::sync_audit(school, row, detail, now)),
                )
            }
            Answer::Fault(f) if f.code.class() != FaultClass::Server => {
                report.refused += 1;
                let r = vec![M2mRefusal {
                    field: None,
                    code: f.code.faultcode(),
                    message: fault_text(&f),
                }];
                let detail = format!("verzuimmelding geweigerd: {}", fault_text(&f));
                (
                    M2mOutcome::Refused(r),
                    Some(Self::sync_audit(school, row, detail, now)),
                )
            }
            Answer::Fault(f) => {
                report.retry_later += 1;
                (Self::retry(row, fault_text(&f), now), None)
            }
            Answer::Message(other) => {
                report.retry_later += 1;
                let e = format!("onverwacht antwoord {}", other.element_name());
                (Self::retry(row, e, now), None)
            }
            Answer::Failed(e) => {
                report.retry_later += 1;
                (Self::retry(row, e, now), None)
            }
        };
        self.store
            .m2m_record_outcome(school, row.id, &outcome, &log, audit.as_ref())
            .await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    async fn send_change(
        &self,
        school: SchoolId,
        brin: &str,
        row: &M2mMeldingRow,
        transport: &impl LoketTransport,
        settings: &SyncSettings,
        now: DateTime<Utc>,
        report: &mut SyncReport,
    ) -> Result<()> {
        let (Some(pending), Some(nummer)) = (&row.pending, &row.nummer) else {
            return Ok(());
        };
        let day_specification = match &pending.day_spec {
            Some(text) => Some(
                DaySpecification::parse("day_specification", text, row.begin_date, NaiveDate::MAX)
                    .map(|s| Verzuimdagspecificatie::from(&s))
                    .map_err(|e| M2mError::Message(e.to_string()))?,
            ),
            None => None,
        };
        let request = RequestMessage::Mutatie(MutatieMeldingRelatiefVerzuimRequest {
            document_id: DocumentId::parse(&pending.document_id).ok(),
            brin: brin.to_owned(),
            number: nummer.clone(),
            last_known: None,
            end_date: pending.end_date,
            day_specification,
            attachments: Vec::new(),
        });
        let (answer, log) = self
            .exchange(school, Some(row.id), transport, settings, &request, now)
            .await?;
        let refused = |text: String, report: &mut SyncReport| {
            report.refused += 1;
            let detail = format!("aanvulling van verzuimmelding {nummer} geweigerd: {text}");
            (
                M2mOutcome::ChangeRefused(text),
                Some(Self::sync_audit(school, row, detail, now)),
            )
        };
        let (outcome, audit) = match answer {
            Answer::Message(ResponseMessage::Mutatie(r)) => {
                report.sent += 1;
                let mut input: MeldingInput = serde_json::from_str(&row.input)
                    .map_err(|e| M2mError::Message(format!("opgeslagen melding: {e}")))?;
                if let Some(end) = pending.end_date {
                    input.end_date = end.to_string();
                }
                let input =
                    serde_json::to_string(&input).map_err(|e| M2mError::Message(e.to_string()))?;
                let c = r.confirmation;
                let detail = format!("aanvulling van verzuimmelding {nummer} verzonden");
                (
                    M2mOutcome::ChangeApplied {
                        input,
                        day_spec: pending
                            .day_spec
                            .clone()
                            .unwrap_or_else(|| row.day_spec.clone()),
                        status: c.status.code().to_owned(),
                        process_date: c.process.date,
                        process_time: c.process.time.0.format("%H:%M:%S%.3f").to_string(),
                    },
                    Some(Self::sync_audit(school, row, detail, now)),
                )
            }
            Answer::Message(ResponseMessage::Foutmelding(f)) => {
                refused(refusal_text(&refusals(&f)), report)
            }
            Answer::Fault(f) if f.code.class() != FaultClass::Server => {
                refused(fault_text(&f), report)
            }
            Answer::Fault(f) => {
                report.retry_later += 1;
                (Self::retry(row, fault_text(&f), now), None)
            }
            Answer::Message(other) => {
                report.retry_later += 1;
                let e = format!("onverwacht antwoord {}", other.element_name());
                (Self::retry(row, e, now), None)
            }
            Answer::Failed(e) => {
                report.retry_later += 1;
                (Self::retry(row, e, now), None)
            }
        };
        self.store
            .m2m_record_outcome(school, row.id, &outcome, &log, audit.as_ref())
            .await?;
        Ok(())
    }

    async fn poll(
        &self,
        school: SchoolId,
        brin: &str,
        transport: &impl LoketTransport,
        settings: &SyncSettings,
        now: DateTime<Utc>,
        report: &mut SyncReport,
    ) -> Result<()> {
        let mut cursor = self.store.m2m_cursor(school).await?;
        for _ in 0..POLL_MAX_PAGES {
            let request = RequestMessage::AanvraagGewijzigde(
                AanvraagGewijzigdeMeldingRelatiefVerzuimRequest {
                    brin: brin.to_owned(),
                    period: None,
                    cursor: cursor.clone(),
                    limit: Some(POLL_PAGE),
                },
            );
            let (answer, log) = self
                .exchange(school, None, transport, settings, &request, now)
                .await?;
            let problem = match answer {
                Answer::Message(ResponseMessage::AanvraagGewijzigde(r)) => {
                    let updates: Vec<M2mPollUpdate> = r
                        .cases
                        .iter()
                        .map(|c| M2mPollUpdate {
                            nummer: c.melding.id.number.clone(),
                            status: c.melding.status.code().to_owned(),
                            closing_reason: c.melding.closing_reason.map(|x| x.code().to_owned()),
                            explanation: c.melding.explanation.map(|x| x.code().to_owned()),
                            withdraw_reason: c.melding.withdraw_reason.map(|x| x.code().to_owned()),
                            contact: c.contact.as_ref().map(|p| verzuim_store::M2mContact {
                                name: p.name.clone(),
                                function: p.function.clone(),
                                phone: p.phone.clone(),
                                email: p.email.clone(),
                            }),
                            process_date: c.process.date,
                            process_time: c.process.time.0.format("%H:%M:%S%.3f").to_string(),
                        })
                        .collect();
                    let applied = self
                        .store
                        .m2m_apply_poll(school, &log, &updates, &r.next_cursor, M2M_ACTOR)
                        .await?;
                    report.updated += applied.len();
                    report.terugmeldingen += applied.iter().filter(|a| a.terugmelding).count();
                    if !r.more || cursor.as_deref() == Some(r.next_cursor.as_str()) {
                        return Ok(());
                    }
                    cursor = Some(r.next_cursor);
                    continue;
                }
                Answer::Message(ResponseMessage::Foutmelding(f)) => refusal_text(&refusals(&f)),
                Answer::Message(other) => format!("onverwacht antwoord {}", other.element_name()),
                Answer::Fault(f) => fault_text(&f),
                Answer::Failed(e) => e,
            };
            self.store.m2m_log_message(&log).await?;
            report
                .problems
                .push(format!("ophalen van wijzigingen mislukt: {problem}"));
            return Ok(());
        }
        report.problems.push(format!(
            "ophalen van wijzigingen gestopt na {POLL_MAX_PAGES} antwoorden"
        ));
        Ok(())
    }
}

/// The `MeldenRelatiefVerzuim` request of a stored melding, or the refusals when its stored
/// data no longer validates.
fn melden_request(
    row: &M2mMeldingRow,
    brin: &str,
    locations: &[String],
    today: NaiveDate,
) -> std::result::Result<RequestMessage, Vec<M2mRefusal>> {
    let local = |field: &str, message: String| {
        vec![M2mRefusal {
            field: Some(field.to_owned()),
            code: "F001".to_owned(),
            message,
        }]
    };
    let input: MeldingInput = serde_json::from_str(&row.input)
        .map_err(|e| local("melding", format!("opgeslagen melding onleesbaar: {e}")))?;
    let ctx = ValidationContext { today, locations };
    let melding = input.validate(&ctx).map_err(|errors| {
        errors
            .0
            .iter()
            .map(|e| M2mRefusal {
                field: Some(e.field.clone()),
                code: "F001".to_owned(),
                message: e.reason.clone(),
            })
            .collect::<Vec<_>>()
    })?;
    let spec = DaySpecification::parse(
        "day_specification",
        &row.day_spec,
        row.begin_date,
        NaiveDate::MAX,
    )
    .map_err(|e| local("day_specification", e.reason))?;
    let document_id =
        DocumentId::parse(&row.document_id).map_err(|e| local("melding", e.to_string()))?;
    Ok(RequestMessage::Melden(Box::new(
        MeldenRelatiefVerzuimRequest {
            document_id: Some(document_id),
            brin: brin.to_owned(),
            melding: MeldingGegevens::from_new_melding(&melding),
            day_specification: (!spec.is_empty()).then(|| Verzuimdagspecificatie::from(&spec)),
        },
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_from_thirty_seconds_up_to_an_hour() {
        assert_eq!(backoff(1), Duration::seconds(30));
        assert_eq!(backoff(2), Duration::seconds(60));
        assert_eq!(backoff(3), Duration::seconds(120));
        assert_eq!(backoff(8), Duration::seconds(3600));
        assert_eq!(backoff(1000), Duration::seconds(3600));
    }

    #[test]
    fn uuids_are_version_4_and_accepted_as_message_ids() {
        let u = new_uuid();
        assert_eq!(&u[14..15], "4");
        assert!(matches!(&u[19..20], "8" | "9" | "a" | "b"));
        assert!(MessageId::from_uuid(&u).is_ok());
        assert_ne!(u, new_uuid());
    }

    #[test]
    fn proposal_keys_give_back_the_student_number() {
        assert_eq!(key_student("1001:V3:2026-11-02"), Some("1001"));
        assert_eq!(key_student("a:b:1001:LRV:2026-11-02"), Some("a:b:1001"));
        assert_eq!(key_student("x"), None);
    }

    #[test]
    fn foutmelding_elements_map_back_to_form_fields() {
        assert_eq!(field_for_element("Woongemeente"), "residence_gemeente");
        assert_eq!(
            field_for_element("Verzuimdagspecificatie"),
            "day_specification"
        );
        assert_eq!(field_for_element("Onbekend"), "Onbekend");
    }
}
