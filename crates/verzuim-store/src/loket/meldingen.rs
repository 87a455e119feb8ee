//! Meldingen in the loket's database: the melding as filed (every field of the Besluit
//! Verzuimmelding, with a snapshot of the reporting contact person), its routing, status,
//! terugmelding, day specification, history (`loket_melding_events`), attachments (bytes in
//! the database) and the gemeenten's vrijstellingen register.
//!
//! A status change is `UPDATE … WHERE status = <the status the caller saw>`: two people (or
//! instances) changing the same melding at once cannot both win; the loser gets
//! [`StoreError::Conflict`] and reloads. Every status change writes its event row in the same
//! transaction. Filing writes the melding, its number and its first event in one transaction,
//! so a meldingsnummer the loket has shown is durable. Every transaction that files a melding,
//! changes its status or records a terugmelding also takes the melding's next change-sequence
//! value (`super::m2m`, what schools poll).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sqlx::AssertSqlSafe;
use verzuim_domain::{Brin, Gemeentecode, PersonalNumber};
use verzuim_loket::{
    Address, ClosingExplanation, ClosingReason, DaySpecification, MeldingStatus, NewMelding, Party,
    Priority, Routing, RoutingSource, Terugmelding, Transition, Verzuimsoort, Vrijstelling,
    WithdrawReason, meldingsnummer,
};

use super::LoketStore;
use super::m2m::{bump_changes, insert_m2m_message};
use crate::sql::{corrupt, unique_to_conflict};
use crate::{Result, StoreError};

/// The contact person who filed a melding, as they were at filing time.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReporterSnapshot {
    /// Naam.
    pub name: String,
    /// Functie.
    pub function: String,
    /// Telefoon.
    pub phone: String,
    /// E-mail.
    pub email: String,
}

/// The person acting and the organisation (BRIN or gemeentecode) they act for: written in
/// the history and in `loket_audit`, in the transaction of the change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Who<'a> {
    /// Login name.
    pub username: &'a str,
    /// BRIN or gemeentecode; empty for the loket itself (schoning).
    pub organisation: &'a str,
}

/// What is stored when a melding is filed.
#[derive(Debug, Clone)]
pub struct MeldingToFile<'a> {
    /// The school.
    pub brin: &'a Brin,
    /// The validated melding.
    pub melding: &'a NewMelding,
    /// The contact person filing it.
    pub reporter: &'a ReporterSnapshot,
    /// Where it goes.
    pub routing: &'a Routing,
    /// The melding this one continues ("nieuwe melding bij aanhoudend verzuim").
    pub cloned_from: Option<&'a str>,
    /// The school system's own id (machine coupling, issue 5): unique per BRIN.
    pub client_melding_id: Option<&'a str>,
    /// Who files (for the first event and the audit row).
    pub who: Who<'a>,
    /// When.
    pub now: DateTime<Utc>,
}

/// What filing did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    /// Database id.
    pub id: i64,
    /// The meldingsnummer (`VM` + 9 digits).
    pub nummer: String,
    /// The vrijstelling that withdrew the melding at once, if one overlapped.
    pub withdrawn_by: Option<VrijstellingRow>,
}

/// The gemeente's answer as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredTerugmelding {
    /// The answer.
    pub terugmelding: Terugmelding,
    /// When it was (last) given.
    pub at: DateTime<Utc>,
}

/// A melding as stored, without its history and attachments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeldingRow {
    /// Database id.
    pub id: i64,
    /// Meldingsnummer.
    pub nummer: String,
    /// The school that filed it.
    pub brin: Brin,
    /// Every field as filed (end date as last set).
    pub melding: NewMelding,
    /// The reporting contact person.
    pub reporter: ReporterSnapshot,
    /// The receiving gemeente and why.
    pub routing: Routing,
    /// Current status.
    pub status: MeldingStatus,
    /// Why it was withdrawn (status I).
    pub withdraw_reason: Option<WithdrawReason>,
    /// The gemeente's answer, once given.
    pub terugmelding: Option<StoredTerugmelding>,
    /// The verzuimdagspecificatie, once filled.
    pub day_spec: Option<DaySpecification>,
    /// Filed.
    pub filed_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Became final (G, K, I).
    pub final_at: Option<DateTime<Utc>>,
    /// The melding this one continues.
    pub cloned_from: Option<String>,
    /// The school system's own id (machine coupling).
    pub client_melding_id: Option<String>,
}

/// A line of a list of meldingen (school list, gemeente inbox).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeldingSummary {
    /// Meldingsnummer.
    pub nummer: String,
    /// School.
    pub brin: Brin,
    /// Receiving gemeente.
    pub gemeente: Gemeentecode,
    /// BSN or onderwijsnummer.
    pub student_number: PersonalNumber,
    /// "Voornamen tussenvoegsel achternaam".
    pub student_name: String,
    /// Soort verzuim.
    pub kind: Verzuimsoort,
    /// Current status.
    pub status: MeldingStatus,
    /// Why withdrawn.
    pub withdraw_reason: Option<WithdrawReason>,
    /// Begindatum verzuim.
    pub begin_date: NaiveDate,
    /// Einddatum verzuim.
    pub end_date: Option<NaiveDate>,
    /// Filed.
    pub filed_at: DateTime<Utc>,
    /// Whether the day specification is filled.
    pub has_day_spec: bool,
}

/// Which meldingen a list shows; every `None` means "all".
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MeldingFilter {
    /// Only this status (the inbox's "nieuw" is [`MeldingStatus::Geregistreerd`]).
    pub status: Option<MeldingStatus>,
    /// Only this school (gemeente inbox).
    pub brin: Option<Brin>,
    /// Only this kind.
    pub kind: Option<Verzuimsoort>,
    /// Filed on or after this day (UTC).
    pub from: Option<NaiveDate>,
    /// Filed on or before this day (UTC).
    pub until: Option<NaiveDate>,
}

/// One row of a melding's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeldingEventRow {
    /// When.
    pub at: DateTime<Utc>,
    /// Who: `school`, `gemeente`, `vrijstelling` or `loket`.
    pub party: String,
    /// Login name of the person, if a person did it.
    pub username: Option<String>,
    /// Status before (none for filing).
    pub from_status: Option<MeldingStatus>,
    /// Status after (for a change without a status change, the same status).
    pub to_status: MeldingStatus,
    /// What happened, in Dutch.
    pub note: String,
}

/// An attachment's metadata (the bytes only come with a download).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentMeta {
    /// Database id.
    pub id: i64,
    /// Sanitised file name.
    pub filename: String,
    /// `application/pdf`, `image/png` or `image/jpeg` (from the magic bytes).
    pub content_type: String,
    /// Size in bytes.
    pub size: i64,
    /// SHA-256 of the bytes, hex.
    pub sha256: String,
    /// Uploaded.
    pub uploaded_at: DateTime<Utc>,
    /// Login name of who uploaded it.
    pub uploaded_by: String,
}

/// An attachment to store.
#[derive(Debug, Clone)]
pub struct NewAttachment<'a> {
    /// Sanitised file name.
    pub filename: &'a str,
    /// Content type (checked by the caller).
    pub content_type: &'a str,
    /// SHA-256, hex.
    pub sha256: &'a str,
    /// The bytes.
    pub bytes: &'a [u8],
}

/// A stored attachment with its bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentFile {
    /// Metadata.
    pub meta: AttachmentMeta,
    /// The bytes.
    pub bytes: Vec<u8>,
}

/// A registered vrijstelling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VrijstellingRow {
    /// Database id.
    pub id: i64,
    /// The gemeente that registered it.
    pub gemeente: Gemeentecode,
    /// The exemption.
    pub vrijstelling: Vrijstelling,
    /// Registered.
    pub created_at: DateTime<Utc>,
    /// Login name of who registered it.
    pub created_by: String,
}

/// Where a melding is looked up: by the school that filed it or by the gemeente it is routed
/// to. A melding outside the scope does not exist for the caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MeldingScope {
    /// The filing school.
    School(Brin),
    /// The receiving gemeente.
    Gemeente(Gemeentecode),
}

/// Counts of a retention run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RetentionCounts {
    /// Meldingen deleted.
    pub meldingen: u64,
    /// Attachments deleted with them.
    pub attachments: u64,
    /// History rows deleted with them.
    pub events: u64,
}

impl MeldingEventRow {
    /// Dutch name of who did it.
    pub fn party_label(&self) -> &'static str {
        match self.party.as_str() {
            "school" => "school",
            "gemeente" => "gemeente",
            "vrijstelling" => "vrijstelling",
            _ => "loket",
        }
    }
}

/// The code stored for a party in the history.
pub fn party_code(party: Party) -> &'static str {
    match party {
        Party::School => "school",
        Party::Gemeente => "gemeente",
        Party::Vrijstelling => "vrijstelling",
    }
}

/// "van 01-10-2026 t/m 31-10-2026" or "vanaf 01-10-2026".
pub fn vrijstelling_period(v: &Vrijstelling) -> String {
    match v.until {
        Some(u) => format!(
            "van {} t/m {}",
            v.from.format("%d-%m-%Y"),
            u.format("%d-%m-%Y")
        ),
        None => format!("vanaf {}", v.from.format("%d-%m-%Y")),
    }
}

/// The history note of a melding withdrawn because of `v`.
fn vrijstelling_note(v: &Vrijstelling) -> String {
    format!(
        "Ingetrokken wegens vrijstelling ({}, {})",
        v.article,
        vrijstelling_period(v)
    )
}

fn stale() -> StoreError {
    StoreError::Conflict {
        field: "status".to_owned(),
        reason: "de melding is intussen door een ander gewijzigd; open haar opnieuw".to_owned(),
    }
}

/// Midnight UTC at the start of `day`.
fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_time(chrono::NaiveTime::MIN).and_utc()
}

const MELDING_COLUMNS: &str = "id, nummer, brin, reporter_name, reporter_function, reporter_phone, \
     reporter_email, student_number, first_names, prefix, surname, birth_date, gender, \
     residence_gemeente, start_qualification, kind, begin_date, end_date, suspected_reason, \
     all_lessons_missed, school_actions, action_wanted, priority, no_action_explanation, location, \
     parent_phone, address_street, address_number, address_letter, address_addition, \
     address_postcode, address_location, address_city, absence_days, absence_hours, day_spec, \
     gemeente, routing_source, status, withdraw_reason, terugmelding_status, closing_reason, \
     explanation, gemeente_contact_name, gemeente_contact_function, gemeente_contact_phone, \
     gemeente_contact_email, terugmelding_at, filed_at, updated_at, final_at, cloned_from, \
     client_melding_id";

#[derive(sqlx::FromRow)]
struct MeldingRec {
    id: i64,
    nummer: Option<String>,
    brin: String,
    reporter_name: String,
    reporter_function: String,
    reporter_phone: String,
    reporter_email: String,
    student_number: String,
    first_names: String,
    prefix: Option<String>,
    surname: String,
    birth_date: NaiveDate,
    gender: String,
    residence_gemeente: String,
    start_qualification: bool,
    kind: String,
    begin_date: NaiveDate,
    end_date: Option<NaiveDate>,
    suspected_reason: String,
    all_lessons_missed: bool,
    school_actions: String,
    action_wanted: bool,
    priority: Option<String>,
    no_action_explanation: Option<String>,
    location: String,
    parent_phone: String,
    address_street: Option<String>,
    address_number: Option<i64>,
    address_letter: Option<String>,
    address_addition: Option<String>,
    address_postcode: Option<String>,
    address_location: Option<String>,
    address_city: Option<String>,
    absence_days: Option<i64>,
    absence_hours: Option<i64>,
    day_spec: Option<String>,
    gemeente: String,
    routing_source: String,
    status: String,
    withdraw_reason: Option<String>,
    terugmelding_status: Option<String>,
    closing_reason: Option<String>,
    explanation: Option<String>,
    gemeente_contact_name: Option<String>,
    gemeente_contact_function: Option<String>,
    gemeente_contact_phone: Option<String>,
    gemeente_contact_email: Option<String>,
    terugmelding_at: Option<DateTime<Utc>>,
    filed_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    final_at: Option<DateTime<Utc>>,
    cloned_from: Option<String>,
    client_melding_id: Option<String>,
}

fn to_u32(what: &str, v: i64) -> Result<u32> {
    u32::try_from(v).map_err(|_| corrupt(what, format!("{v} is geen geldig aantal")))
}

fn opt_u32(what: &str, v: Option<i64>) -> Result<Option<u32>> {
    v.map(|v| to_u32(what, v)).transpose()
}

fn routing_source(code: &str) -> Result<RoutingSource> {
    match code {
        "register" => Ok(RoutingSource::Register),
        "school" => Ok(RoutingSource::School),
        other => Err(corrupt("routering", format!("onbekende bron '{other}'"))),
    }
}

impl MeldingRec {
    fn into_row(self) -> Result<MeldingRow> {
        let what = format!("melding {}", self.id);
        let c = |e: verzuim_domain::ValidationError| corrupt(&what, e);
        let address = match self.address_street {
            Some(street) => Some(Address {
                street,
                number: to_u32(&what, self.address_number.unwrap_or_default())?,
                letter: self.address_letter,
                addition: self.address_addition,
                postcode: self.address_postcode.unwrap_or_default(),
                location: self.address_location,
                city: self.address_city.unwrap_or_default(),
            }),
            None => None,
        };
        let melding = NewMelding {
            student_number: PersonalNumber::parse(&self.student_number).map_err(c)?,
            first_names: self.first_names,
            prefix: self.prefix,
            surname: self.surname,
            birth_date: self.birth_date,
            gender: self.gender,
            residence_gemeente: Gemeentecode::parse(&self.residence_gemeente).map_err(c)?,
            start_qualification: self.start_qualification,
            kind: Verzuimsoort::parse(&self.kind).map_err(c)?,
            begin_date: self.begin_date,
            end_date: self.end_date,
            suspected_reason: self.suspected_reason,
            all_lessons_missed: self.all_lessons_missed,
            school_actions: self.school_actions,
            action_wanted: self.action_wanted,
            priority: self
                .priority
                .as_deref()
                .map(Priority::parse)
                .transpose()
                .map_err(c)?,
            no_action_explanation: self.no_action_explanation,
            location: self.location,
            parent_phone: self.parent_phone,
            address,
            absence_days: opt_u32(&what, self.absence_days)?,
            absence_hours: opt_u32(&what, self.absence_hours)?,
        };
        let day_spec = self
            .day_spec
            .as_deref()
            .map(|t| DaySpecification::parse("day_spec", t, NaiveDate::MIN, NaiveDate::MAX))
            .transpose()
            .map_err(c)?;
        let terugmelding = match (self.terugmelding_status, self.terugmelding_at) {
            (Some(status), Some(at)) => Some(StoredTerugmelding {
                terugmelding: Terugmelding {
                    status: MeldingStatus::parse(&status).map_err(c)?,
                    closing_reason: self
                        .closing_reason
                        .as_deref()
                        .map(ClosingReason::parse)
                        .transpose()
                        .map_err(c)?,
                    explanation: self
                        .explanation
                        .as_deref()
                        .map(ClosingExplanation::parse)
                        .transpose()
                        .map_err(c)?,
                    contact_name: self.gemeente_contact_name.unwrap_or_default(),
                    contact_function: self.gemeente_contact_function.unwrap_or_default(),
                    contact_phone: self.gemeente_contact_phone.unwrap_or_default(),
                    contact_email: self.gemeente_contact_email.unwrap_or_default(),
                },
                at,
            }),
            _ => None,
        };
        Ok(MeldingRow {
            id: self.id,
            nummer: self.nummer.unwrap_or_else(|| meldingsnummer(self.id)),
            brin: Brin::parse(&self.brin).map_err(c)?,
            melding,
            reporter: ReporterSnapshot {
                name: self.reporter_name,
                function: self.reporter_function,
                phone: self.reporter_phone,
                email: self.reporter_email,
            },
            routing: Routing {
                gemeente: Gemeentecode::parse(&self.gemeente).map_err(c)?,
                source: routing_source(&self.routing_source)?,
            },
            status: MeldingStatus::parse(&self.status).map_err(c)?,
            withdraw_reason: self
                .withdraw_reason
                .as_deref()
                .map(WithdrawReason::parse)
                .transpose()
                .map_err(c)?,
            terugmelding,
            day_spec,
            filed_at: self.filed_at,
            updated_at: self.updated_at,
            final_at: self.final_at,
            cloned_from: self.cloned_from,
            client_melding_id: self.client_melding_id,
        })
    }
}

#[derive(sqlx::FromRow)]
struct SummaryRec {
    id: i64,
    nummer: Option<String>,
    brin: String,
    gemeente: String,
    student_number: String,
    first_names: String,
    prefix: Option<String>,
    surname: String,
    kind: String,
    status: String,
    withdraw_reason: Option<String>,
    begin_date: NaiveDate,
    end_date: Option<NaiveDate>,
    filed_at: DateTime<Utc>,
    has_day_spec: bool,
}

impl SummaryRec {
    fn into_summary(self) -> Result<MeldingSummary> {
        let what = format!("melding {}", self.id);
        let c = |e: verzuim_domain::ValidationError| corrupt(&what, e);
        let mut name = vec![self.first_names.as_str()];
        if let Some(p) = self.prefix.as_deref() {
            name.push(p);
        }
        name.push(&self.surname);
        Ok(MeldingSummary {
            nummer: self
                .nummer
                .clone()
                .unwrap_or_else(|| meldingsnummer(self.id)),
            brin: Brin::parse(&self.brin).map_err(c)?,
            gemeente: Gemeentecode::parse(&self.gemeente).map_err(c)?,
            student_number: PersonalNumber::parse(&self.student_number).map_err(c)?,
            student_name: name.join(" "),
            kind: Verzuimsoort::parse(&self.kind).map_err(c)?,
            status: MeldingStatus::parse(&self.status).map_err(c)?,
            withdraw_reason: self
                .withdraw_reason
                .as_deref()
                .map(WithdrawReason::parse)
                .transpose()
                .map_err(c)?,
            begin_date: self.begin_date,
            end_date: self.end_date,
            filed_at: self.filed_at,
            has_day_spec: self.has_day_spec,
        })
    }
}

#[derive(sqlx::FromRow)]
struct EventRec {
    at: DateTime<Utc>,
    party: String,
    username: Option<String>,
    from_status: Option<String>,
    to_status: String,
    note: String,
}

impl EventRec {
    fn into_row(self) -> Result<MeldingEventRow> {
        let c = |e: verzuim_domain::ValidationError| corrupt("meldingshistorie", e);
        Ok(MeldingEventRow {
            at: self.at,
            party: self.party,
            username: self.username,
            from_status: self
                .from_status
                .as_deref()
                .map(MeldingStatus::parse)
                .transpose()
                .map_err(c)?,
            to_status: MeldingStatus::parse(&self.to_status).map_err(c)?,
            note: self.note,
        })
    }
}

#[derive(sqlx::FromRow)]
struct AttachmentRec {
    id: i64,
    filename: String,
    content_type: String,
    size: i64,
    sha256: String,
    uploaded_at: DateTime<Utc>,
    uploaded_by: String,
}

#[derive(sqlx::FromRow)]
struct AttachmentFileRec {
    #[sqlx(flatten)]
    meta: AttachmentRec,
    bytes: Vec<u8>,
}

/// An unfinished melding a vrijstelling may withdraw: id, nummer, status, begin, end.
type OpenMelding = (i64, Option<String>, String, NaiveDate, Option<NaiveDate>);

impl AttachmentRec {
    fn into_meta(self) -> AttachmentMeta {
        AttachmentMeta {
            id: self.id,
            filename: self.filename,
            content_type: self.content_type,
            size: self.size,
            sha256: self.sha256,
            uploaded_at: self.uploaded_at,
            uploaded_by: self.uploaded_by,
        }
    }
}

#[derive(sqlx::FromRow)]
struct VrijstellingRec {
    id: i64,
    gemeente: String,
    student_number: String,
    valid_from: NaiveDate,
    valid_until: Option<NaiveDate>,
    article: String,
    created_at: DateTime<Utc>,
    created_by: String,
}

impl VrijstellingRec {
    fn into_row(self) -> Result<VrijstellingRow> {
        let what = format!("vrijstelling {}", self.id);
        let c = |e: verzuim_domain::ValidationError| corrupt(&what, e);
        Ok(VrijstellingRow {
            id: self.id,
            gemeente: Gemeentecode::parse(&self.gemeente).map_err(c)?,
            vrijstelling: Vrijstelling {
                student_number: PersonalNumber::parse(&self.student_number).map_err(c)?,
                from: self.valid_from,
                until: self.valid_until,
                article: self.article,
            },
            created_at: self.created_at,
            created_by: self.created_by,
        })
    }
}

const VRIJSTELLING_COLUMNS: &str =
    "id, gemeente, student_number, valid_from, valid_until, article, created_at, created_by";

const EVENT_INSERT: &str = "INSERT INTO loket_melding_events \
     (melding_id, at, party, username, from_status, to_status, note) \
     VALUES ($1, $2, $3, $4, $5, $6, $7)";

/// `WHERE` of a scope, on `$1`.
fn scope_clause(scope: &MeldingScope) -> (&'static str, &str) {
    match scope {
        MeldingScope::School(b) => ("brin = $1", b.as_str()),
        MeldingScope::Gemeente(g) => ("gemeente = $1", g.as_str()),
    }
}

/// A status change to write: optimistic on `from`.
#[derive(Debug, Clone)]
pub struct StatusChange<'a> {
    /// The melding's id.
    pub id: i64,
    /// The status the caller saw (and checked the transition from).
    pub from: MeldingStatus,
    /// The new status.
    pub to: MeldingStatus,
    /// Who.
    pub party: Party,
    /// Who (history and audit).
    pub who: Who<'a>,
    /// History note (also the audit detail).
    pub note: &'a str,
    /// When.
    pub now: DateTime<Utc>,
}

/// Appends a `loket_audit` row inside the transaction `$tx` (inside `with_pool!`), with
/// the people module's [`super::admin::insert_loket_audit!`].
macro_rules! audit_in_tx {
    ($tx:ident, $who:expr, $action:expr, $melding_id:expr, $detail:expr, $now:expr $(,)?) => {
        super::admin::insert_loket_audit!(
            &mut *$tx,
            &super::admin::LoketAuditEntry {
                at: $now,
                username: $who.username.to_owned(),
                action: ($action).to_owned(),
                organisation: (!$who.organisation.is_empty()).then(|| $who.organisation.to_owned()),
                melding_id: $melding_id,
                detail: ($detail).to_string(),
            }
        )?;
    };
}

/// On PostgreSQL, serialises the transactions that file a melding for, or register a
/// vrijstelling of, the same student in the same gemeente (`pg_advisory_xact_lock`, released
/// at commit), so that of two running at once the second sees the first: a melding filed
/// while a vrijstelling is registered is withdrawn either way. SQLite's `BEGIN IMMEDIATE`
/// already serialises all writers.
macro_rules! lock_student {
    ($store:expr, $tx:ident, $gemeente:expr, $student:expr) => {
        if $store.dialect() == crate::Dialect::Postgres {
            sqlx::query("SELECT pg_advisory_xact_lock(hashtext($1))")
                .bind(format!("loket:{}:{}", $gemeente, $student.as_str()))
                .execute(&mut *$tx)
                .await?;
        }
    };
}

/// Sets a melding to withdrawn inside the transaction `$tx` (inside `with_pool!`), optimistic
/// on `$from`, with its history row; returns early with a conflict when it changed meanwhile.
macro_rules! withdraw_in_tx {
    ($tx:ident, $id:expr, $from:expr, $reason:expr, $party:expr, $username:expr, $note:expr, $now:expr $(,)?) => {{
        let done = sqlx::query(
            "UPDATE loket_meldingen SET status = $1, withdraw_reason = $2, updated_at = $3, \
             final_at = $3 WHERE id = $4 AND status = $5",
        )
        .bind(MeldingStatus::Ingetrokken.code())
        .bind($reason.code())
        .bind($now)
        .bind($id)
        .bind($from.code())
        .execute(&mut *$tx)
        .await?
        .rows_affected();
        if done == 0 {
            return Err(stale());
        }
        sqlx::query(EVENT_INSERT)
            .bind($id)
            .bind($now)
            .bind(party_code($party))
            .bind($username)
            .bind(Some($from.code()))
            .bind(MeldingStatus::Ingetrokken.code())
            .bind($note)
            .execute(&mut *$tx)
            .await?;
    }};
}

impl LoketStore {
    /// Stores a new melding with its meldingsnummer and first history row in one transaction;
    /// when a vrijstelling of the routed gemeente for the student overlaps the period, the
    /// melding is withdrawn at once (reason V) in the same transaction. A `client_melding_id`
    /// the school used before is a conflict on `client_melding_id`.
    pub async fn file_melding(&self, m: &MeldingToFile<'_>) -> Result<Filed> {
        self.file_melding_with(m, None, None).await
    }

    /// [`LoketStore::file_melding`] with a day specification (text form) and, for the machine
    /// coupling, the M2M exchange to store in the same transaction (built from what filing
    /// did; an `Err` from it rolls everything back).
    pub(super) async fn file_melding_with(
        &self,
        m: &MeldingToFile<'_>,
        day_spec: Option<&str>,
        message: Option<&super::M2mMessageBuilder<'_>>,
    ) -> Result<Filed> {
        let n = m.melding;
        let address = n.address.as_ref();
        let note = match m.cloned_from {
            Some(c) => format!("Melding ingediend (vervolg op {c})"),
            None => "Melding ingediend".to_owned(),
        };
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            lock_student!(self, tx, m.routing.gemeente, n.student_number);
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO loket_meldingen (brin, reporter_name, reporter_function, \
                 reporter_phone, reporter_email, student_number, first_names, prefix, surname, \
                 birth_date, gender, residence_gemeente, start_qualification, kind, begin_date, \
                 end_date, suspected_reason, all_lessons_missed, school_actions, action_wanted, \
                 priority, no_action_explanation, location, parent_phone, address_street, \
                 address_number, address_letter, address_addition, address_postcode, \
                 address_location, address_city, absence_days, absence_hours, gemeente, \
                 routing_source, status, filed_at, updated_at, cloned_from, client_melding_id, \
                 day_spec) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                 $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, \
                 $33, $34, $35, $36, $37, $37, $38, $39, $40) RETURNING id",
            )
            .bind(m.brin.as_str())
            .bind(&m.reporter.name)
            .bind(&m.reporter.function)
            .bind(&m.reporter.phone)
            .bind(&m.reporter.email)
            .bind(n.student_number.as_str())
            .bind(&n.first_names)
            .bind(n.prefix.as_deref())
            .bind(&n.surname)
            .bind(n.birth_date)
            .bind(&n.gender)
            .bind(n.residence_gemeente.as_str())
            .bind(n.start_qualification)
            .bind(n.kind.code())
            .bind(n.begin_date)
            .bind(n.end_date)
            .bind(&n.suspected_reason)
            .bind(n.all_lessons_missed)
            .bind(&n.school_actions)
            .bind(n.action_wanted)
            .bind(n.priority.map(Priority::code))
            .bind(n.no_action_explanation.as_deref())
            .bind(&n.location)
            .bind(&n.parent_phone)
            .bind(address.map(|a| a.street.as_str()))
            .bind(address.map(|a| i64::from(a.number)))
            .bind(address.and_then(|a| a.letter.as_deref()))
            .bind(address.and_then(|a| a.addition.as_deref()))
            .bind(address.map(|a| a.postcode.as_str()))
            .bind(address.and_then(|a| a.location.as_deref()))
            .bind(address.map(|a| a.city.as_str()))
            .bind(n.absence_days.map(i64::from))
            .bind(n.absence_hours.map(i64::from))
            .bind(m.routing.gemeente.as_str())
            .bind(m.routing.source.code())
            .bind(MeldingStatus::Geregistreerd.code())
            .bind(m.now)
            .bind(m.cloned_from)
            .bind(m.client_melding_id)
            .bind(day_spec)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| {
                unique_to_conflict(
                    e,
                    "client_melding_id",
                    "deze school heeft een melding met dit kenmerk al ingediend",
                )
            })?;
            let nummer = meldingsnummer(id);
            sqlx::query("UPDATE loket_meldingen SET nummer = $1 WHERE id = $2")
                .bind(&nummer)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(EVENT_INSERT)
                .bind(id)
                .bind(m.now)
                .bind(party_code(Party::School))
                .bind(m.who.username)
                .bind(None::<&str>)
                .bind(MeldingStatus::Geregistreerd.code())
                .bind(&note)
                .execute(&mut *tx)
                .await?;
            audit_in_tx!(tx, m.who, "melding.file", Some(id), format!("{note}: {nummer}"), m.now);
            let recs: Vec<VrijstellingRec> = sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {VRIJSTELLING_COLUMNS} FROM loket_vrijstellingen \
                 WHERE gemeente = $1 AND student_number = $2 ORDER BY valid_from, id"
            )))
            .bind(m.routing.gemeente.as_str())
            .bind(n.student_number.as_str())
            .fetch_all(&mut *tx)
            .await?;
            let mut withdrawn_by = None;
            for rec in recs {
                let v = rec.into_row()?;
                if v.vrijstelling.overlaps(n.begin_date, n.end_date) {
                    withdrawn_by = Some(v);
                    break;
                }
            }
            if let Some(v) = &withdrawn_by
                && Transition::check(
                    MeldingStatus::Geregistreerd,
                    MeldingStatus::Ingetrokken,
                    Party::Vrijstelling,
                )
                .is_ok()
            {
                withdraw_in_tx!(
                    tx,
                    id,
                    MeldingStatus::Geregistreerd,
                    WithdrawReason::Vrijstelling,
                    Party::Vrijstelling,
                    None::<&str>,
                    &vrijstelling_note(&v.vrijstelling),
                    m.now,
                );
                audit_in_tx!(
                    tx,
                    m.who,
                    "melding.withdraw",
                    Some(id),
                    format!("{nummer}: {}", vrijstelling_note(&v.vrijstelling)),
                    m.now,
                );
            }
            bump_changes!(self, tx, &[id]);
            let filed = Filed { id, nummer, withdrawn_by };
            if let Some(message) = message {
                let msg = message(&filed).map_err(StoreError::Corrupt)?;
                insert_m2m_message!(tx, &msg);
            }
            tx.commit().await?;
            Ok(filed)
        })
    }

    /// The melding `nummer` if it lies in `scope`.
    pub async fn melding(&self, scope: &MeldingScope, nummer: &str) -> Result<Option<MeldingRow>> {
        let (clause, key) = scope_clause(scope);
        let rec: Option<MeldingRec> = with_pool!(self, pool => {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {MELDING_COLUMNS} FROM loket_meldingen WHERE {clause} AND nummer = $2"
            )))
            .bind(key)
            .bind(nummer.trim().to_ascii_uppercase())
            .fetch_optional(pool)
            .await?
        });
        rec.map(MeldingRec::into_row).transpose()
    }

    /// The history of a melding, oldest first.
    pub async fn melding_events(&self, melding_id: i64) -> Result<Vec<MeldingEventRow>> {
        let recs: Vec<EventRec> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT at, party, username, from_status, to_status, note \
                 FROM loket_melding_events WHERE melding_id = $1 ORDER BY at, id",
            )
            .bind(melding_id)
            .fetch_all(pool)
            .await?
        });
        recs.into_iter().map(EventRec::into_row).collect()
    }

    /// The attachments of a melding (metadata), in upload order.
    pub async fn attachments_of(&self, melding_id: i64) -> Result<Vec<AttachmentMeta>> {
        let recs: Vec<AttachmentRec> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, filename, content_type, size, sha256, uploaded_at, uploaded_by \
                 FROM loket_attachments WHERE melding_id = $1 ORDER BY id",
            )
            .bind(melding_id)
            .fetch_all(pool)
            .await?
        });
        Ok(recs.into_iter().map(AttachmentRec::into_meta).collect())
    }

    /// One attachment of a melding, with its bytes.
    pub async fn attachment(
        &self,
        melding_id: i64,
        attachment_id: i64,
    ) -> Result<Option<AttachmentFile>> {
        let rec: Option<AttachmentFileRec> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, filename, content_type, size, sha256, uploaded_at, uploaded_by, \
                 bytes FROM loket_attachments WHERE melding_id = $1 AND id = $2",
            )
            .bind(melding_id)
            .bind(attachment_id)
            .fetch_optional(pool)
            .await?
        });
        Ok(rec.map(|r| AttachmentFile {
            meta: r.meta.into_meta(),
            bytes: r.bytes,
        }))
    }

    /// The meldingen in `scope` that pass `filter`, newest first.
    pub async fn meldingen(
        &self,
        scope: &MeldingScope,
        filter: &MeldingFilter,
    ) -> Result<Vec<MeldingSummary>> {
        let (clause, key) = scope_clause(scope);
        let from = filter.from.map(start_of);
        let until = filter
            .until
            .and_then(|d| d.checked_add_signed(Duration::days(1)))
            .map(start_of);
        let recs: Vec<SummaryRec> = with_pool!(self, pool => {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT id, nummer, brin, gemeente, student_number, first_names, prefix, surname, \
                 kind, status, withdraw_reason, begin_date, end_date, filed_at, \
                 (day_spec IS NOT NULL) AS has_day_spec \
                 FROM loket_meldingen WHERE {clause} \
                 AND ($2 IS NULL OR status = $2) AND ($3 IS NULL OR brin = $3) \
                 AND ($4 IS NULL OR kind = $4) AND ($5 IS NULL OR filed_at >= $5) \
                 AND ($6 IS NULL OR filed_at < $6) \
                 ORDER BY filed_at DESC, id DESC"
            )))
            .bind(key)
            .bind(filter.status.map(MeldingStatus::code))
            .bind(filter.brin.as_ref().map(Brin::as_str))
            .bind(filter.kind.map(Verzuimsoort::code))
            .bind(from)
            .bind(until)
            .fetch_all(pool)
            .await?
        });
        recs.into_iter().map(SummaryRec::into_summary).collect()
    }

    /// Withdraws a melding (status `change.to` must be I) with `reason`; optimistic on
    /// `change.from`: [`StoreError::Conflict`] when someone changed it meanwhile.
    pub async fn withdraw_melding(
        &self,
        change: &StatusChange<'_>,
        reason: WithdrawReason,
    ) -> Result<()> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            withdraw_in_tx!(
                tx,
                change.id,
                change.from,
                reason,
                change.party,
                Some(change.who.username),
                change.note,
                change.now,
            );
            audit_in_tx!(
                tx,
                change.who,
                "melding.withdraw",
                Some(change.id),
                format!("{}: {}", meldingsnummer(change.id), change.note),
                change.now,
            );
            bump_changes!(self, tx, &[change.id]);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Stores the gemeente's terugmelding and its status (optimistic on `change.from`), with a
    /// history row; a final status sets `final_at`.
    pub async fn record_terugmelding(
        &self,
        change: &StatusChange<'_>,
        t: &Terugmelding,
    ) -> Result<()> {
        let final_at = t.status.is_final().then_some(change.now);
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let done = sqlx::query(
                "UPDATE loket_meldingen SET status = $1, terugmelding_status = $1, \
                 closing_reason = $2, explanation = $3, gemeente_contact_name = $4, \
                 gemeente_contact_function = $5, gemeente_contact_phone = $6, \
                 gemeente_contact_email = $7, terugmelding_at = $8, updated_at = $8, \
                 final_at = $9 WHERE id = $10 AND status = $11",
            )
            .bind(t.status.code())
            .bind(t.closing_reason.map(ClosingReason::code))
            .bind(t.explanation.map(ClosingExplanation::code))
            .bind(&t.contact_name)
            .bind(&t.contact_function)
            .bind(&t.contact_phone)
            .bind(&t.contact_email)
            .bind(change.now)
            .bind(final_at)
            .bind(change.id)
            .bind(change.from.code())
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if done == 0 {
                return Err(stale());
            }
            sqlx::query(EVENT_INSERT)
                .bind(change.id)
                .bind(change.now)
                .bind(party_code(change.party))
                .bind(change.who.username)
                .bind(Some(change.from.code()))
                .bind(t.status.code())
                .bind(change.note)
                .execute(&mut *tx)
                .await?;
            audit_in_tx!(
                tx,
                change.who,
                "melding.answer",
                Some(change.id),
                format!("{}: {}", meldingsnummer(change.id), change.note),
                change.now,
            );
            bump_changes!(self, tx, &[change.id]);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Sets the end date of a melding that is not final (optimistic on `status`), with a
    /// history row.
    pub async fn set_melding_end_date(
        &self,
        id: i64,
        status: MeldingStatus,
        end: NaiveDate,
        who: Who<'_>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let note = format!("Einddatum verzuim: {}", end.format("%d-%m-%Y"));
        self.update_with_event(id, status, BindValue::EndDate(end), who, &note, now)
            .await
    }

    /// Sets or clears the day specification (text form), with a history row.
    pub async fn set_melding_day_spec(
        &self,
        id: i64,
        status: MeldingStatus,
        day_spec: Option<&str>,
        note: &str,
        who: Who<'_>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        self.update_with_event(
            id,
            status,
            BindValue::DaySpec(day_spec.map(str::to_owned)),
            who,
            note,
            now,
        )
        .await
    }

    #[allow(clippy::too_many_arguments)]
    async fn update_with_event(
        &self,
        id: i64,
        status: MeldingStatus,
        value: BindValue,
        who: Who<'_>,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let sql = AssertSqlSafe(format!(
            "UPDATE loket_meldingen SET {} = $1, updated_at = $2 WHERE id = $3 AND status = $4",
            value.column()
        ));
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let q = sqlx::query(sql);
            let q = match &value {
                BindValue::EndDate(d) => q.bind(*d),
                BindValue::DaySpec(t) => q.bind(t.clone()),
            };
            let done = q
                .bind(now)
                .bind(id)
                .bind(status.code())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if done == 0 {
                return Err(stale());
            }
            sqlx::query(EVENT_INSERT)
                .bind(id)
                .bind(now)
                .bind(party_code(Party::School))
                .bind(who.username)
                .bind(Some(status.code()))
                .bind(status.code())
                .bind(note)
                .execute(&mut *tx)
                .await?;
            audit_in_tx!(
                tx,
                who,
                value.action(),
                Some(id),
                format!("{}: {note}", meldingsnummer(id)),
                now,
            );
            tx.commit().await?;
        });
        Ok(())
    }

    /// Adds an attachment unless the melding has `max_count` already (conflict on
    /// `attachment`), with a history row; returns its metadata.
    pub async fn add_attachment(
        &self,
        melding_id: i64,
        status: MeldingStatus,
        file: &NewAttachment<'_>,
        max_count: usize,
        who: Who<'_>,
        now: DateTime<Utc>,
    ) -> Result<AttachmentMeta> {
        let size = i64::try_from(file.bytes.len()).unwrap_or(i64::MAX);
        let max = i64::try_from(max_count).unwrap_or(i64::MAX);
        let note = format!("Bijlage toegevoegd: {}", file.filename);
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let have: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM loket_attachments WHERE melding_id = $1",
            )
            .bind(melding_id)
            .fetch_one(&mut *tx)
            .await?;
            if have >= max {
                return Err(StoreError::Conflict {
                    field: "attachment".to_owned(),
                    reason: format!("een melding heeft hoogstens {max_count} bijlagen"),
                });
            }
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO loket_attachments (melding_id, filename, content_type, size, sha256, \
                 bytes, uploaded_at, uploaded_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                 RETURNING id",
            )
            .bind(melding_id)
            .bind(file.filename)
            .bind(file.content_type)
            .bind(size)
            .bind(file.sha256)
            .bind(file.bytes)
            .bind(now)
            .bind(who.username)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("UPDATE loket_meldingen SET updated_at = $1 WHERE id = $2")
                .bind(now)
                .bind(melding_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query(EVENT_INSERT)
                .bind(melding_id)
                .bind(now)
                .bind(party_code(Party::School))
                .bind(who.username)
                .bind(Some(status.code()))
                .bind(status.code())
                .bind(&note)
                .execute(&mut *tx)
                .await?;
            audit_in_tx!(
                tx,
                who,
                "melding.attach",
                Some(melding_id),
                format!("{}: {note}", meldingsnummer(melding_id)),
                now,
            );
            tx.commit().await?;
            Ok(AttachmentMeta {
                id,
                filename: file.filename.to_owned(),
                content_type: file.content_type.to_owned(),
                size,
                sha256: file.sha256.to_owned(),
                uploaded_at: now,
                uploaded_by: who.username.to_owned(),
            })
        })
    }

    /// The gemeente's vrijstellingen, by student and start date.
    pub async fn vrijstellingen(&self, gemeente: &Gemeentecode) -> Result<Vec<VrijstellingRow>> {
        let recs: Vec<VrijstellingRec> = with_pool!(self, pool => {
            sqlx::query_as(AssertSqlSafe(format!(
                "SELECT {VRIJSTELLING_COLUMNS} FROM loket_vrijstellingen WHERE gemeente = $1 \
                 ORDER BY student_number, valid_from, id"
            )))
            .bind(gemeente.as_str())
            .fetch_all(pool)
            .await?
        });
        recs.into_iter().map(VrijstellingRec::into_row).collect()
    }

    /// Registers a vrijstelling and, in the same transaction, withdraws (reason V) every
    /// unfinished melding of the student routed to `gemeente` whose period overlaps it.
    /// Returns the vrijstelling and the meldingsnummers withdrawn.
    pub async fn add_vrijstelling(
        &self,
        gemeente: &Gemeentecode,
        v: &Vrijstelling,
        who: Who<'_>,
        now: DateTime<Utc>,
    ) -> Result<(VrijstellingRow, Vec<String>)> {
        let note = vrijstelling_note(v);
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            lock_student!(self, tx, gemeente, v.student_number);
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO loket_vrijstellingen (gemeente, student_number, valid_from, \
                 valid_until, article, created_at, created_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            )
            .bind(gemeente.as_str())
            .bind(v.student_number.as_str())
            .bind(v.from)
            .bind(v.until)
            .bind(&v.article)
            .bind(now)
            .bind(who.username)
            .fetch_one(&mut *tx)
            .await?;
            audit_in_tx!(
                tx,
                who,
                "vrijstelling.add",
                None::<i64>,
                format!(
                    "vrijstelling {id} geregistreerd voor {} ({}, {})",
                    v.student_number,
                    v.article,
                    vrijstelling_period(v)
                ),
                now,
            );
            let open: Vec<OpenMelding> =
                sqlx::query_as(
                    "SELECT id, nummer, status, begin_date, end_date FROM loket_meldingen \
                     WHERE gemeente = $1 AND student_number = $2 AND status IN ('R', 'B') \
                     ORDER BY id",
                )
                .bind(gemeente.as_str())
                .bind(v.student_number.as_str())
                .fetch_all(&mut *tx)
                .await?;
            let mut withdrawn = Vec::new();
            let mut changed = Vec::new();
            for (mid, nummer, status, begin, end) in open {
                let status = MeldingStatus::parse(&status)
                    .map_err(|e| corrupt(&format!("melding {mid}"), e))?;
                if !v.overlaps(begin, end)
                    || Transition::check(status, MeldingStatus::Ingetrokken, Party::Vrijstelling)
                        .is_err()
                {
                    continue;
                }
                withdraw_in_tx!(
                    tx,
                    mid,
                    status,
                    WithdrawReason::Vrijstelling,
                    Party::Vrijstelling,
                    Some(who.username),
                    &note,
                    now,
                );
                let nummer = nummer.unwrap_or_else(|| meldingsnummer(mid));
                audit_in_tx!(tx, who, "melding.withdraw", Some(mid), format!("{nummer}: {note}"), now);
                withdrawn.push(nummer);
                changed.push(mid);
            }
            bump_changes!(self, tx, &changed);
            tx.commit().await?;
            Ok((
                VrijstellingRow {
                    id,
                    gemeente: gemeente.clone(),
                    vrijstelling: v.clone(),
                    created_at: now,
                    created_by: who.username.to_owned(),
                },
                withdrawn,
            ))
        })
    }

    /// Deletes a vrijstelling of `gemeente` (with an audit row); `false` when there is none
    /// with that id.
    pub async fn delete_vrijstelling(
        &self,
        gemeente: &Gemeentecode,
        id: i64,
        who: Who<'_>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let n = sqlx::query("DELETE FROM loket_vrijstellingen WHERE gemeente = $1 AND id = $2")
                .bind(gemeente.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n > 0 {
                audit_in_tx!(
                    tx,
                    who,
                    "vrijstelling.delete",
                    None::<i64>,
                    format!("vrijstelling {id} verwijderd"),
                    now,
                );
            }
            tx.commit().await?;
            Ok(n > 0)
        })
    }

    /// Deletes the finished meldingen (G, K, I) that became final before `before`, with
    /// their attachments, history and M2M messages (and M2M messages about no melding
    /// received before `before`), in one transaction with one audit row (by
    /// `who`, counting what went); returns the counts.
    pub async fn delete_final_meldingen_before(
        &self,
        before: DateTime<Utc>,
        who: Who<'_>,
        now: DateTime<Utc>,
    ) -> Result<RetentionCounts> {
        const DUE: &str = "SELECT id FROM loket_meldingen WHERE status IN ('G', 'K', 'I') \
             AND final_at IS NOT NULL AND final_at < $1";
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let attachments = sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM loket_attachments WHERE melding_id IN ({DUE})"
            )))
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            let events = sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM loket_melding_events WHERE melding_id IN ({DUE})"
            )))
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            // the machine coupling's log of these meldingen, and exchanges about no melding
            // (refusals, polls) older than the cut-off: they hold personal data too
            sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM loket_m2m_messages WHERE nummer IN \
                 (SELECT nummer FROM loket_meldingen WHERE id IN ({DUE})) \
                 OR (nummer IS NULL AND received_at < $1)"
            )))
            .bind(before)
            .execute(&mut *tx)
            .await?;
            let meldingen = sqlx::query(AssertSqlSafe(format!(
                "DELETE FROM loket_meldingen WHERE id IN ({DUE})"
            )))
            .bind(before)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            audit_in_tx!(
                tx,
                who,
                "retention.run",
                None::<i64>,
                format!(
                    "schoning: {meldingen} meldingen, {attachments} bijlagen en {events} \
                     historieregels verwijderd (afgerond voor {})",
                    before.format("%d-%m-%Y")
                ),
                now,
            );
            tx.commit().await?;
            Ok(RetentionCounts { meldingen, attachments, events })
        })
    }
}

/// A change of one column for [`LoketStore::update_with_event`].
enum BindValue {
    EndDate(NaiveDate),
    DaySpec(Option<String>),
}

impl BindValue {
    fn column(&self) -> &'static str {
        match self {
            Self::EndDate(_) => "end_date",
            Self::DaySpec(_) => "day_spec",
        }
    }

    fn action(&self) -> &'static str {
        match self {
            Self::EndDate(_) => "melding.end_date",
            Self::DaySpec(_) => "melding.day_spec",
        }
    }
}
