//! Storage of verzuim's data on SQLite (the embedded default, one file) or PostgreSQL
//! (several instances on one database). The dialect is chosen at run time from the URL.
//!
//! # One API, two dialects
//!
//! [`Store`] holds `enum Backend { Sqlite(SqlitePool), Postgres(PgPool) }`. The `with_pool!`
//! macro expands every method body once per arm:
//!
//! ```text
//! match &self.backend { Backend::Sqlite(pool) => body, Backend::Postgres(pool) => body }
//! ```
//!
//! so each body is compiled against each driver's own types with run-time `sqlx::query`,
//! `query_as` and `query_scalar` (not the `query!` macros, which are checked against one
//! database and cannot serve both). Dates are chrono `NaiveDate`/`NaiveTime`, timestamps
//! `DateTime<Utc>`, flags `bool`: native on PostgreSQL, ISO text and 0/1 on SQLite. Codes and
//! enums are stored as their `code()` strings; a calendar's holidays and extra free days as
//! JSON text. The SQL text is the same for both where it can be, with `$1` placeholders
//! (sqlx-sqlite binds `$N` to the N-th argument, so a number may be used twice). Where the
//! dialects differ, both versions sit side by side: the placeholders of multi-row `VALUES`
//! lists (SQLite looks `$N` up by a linear scan, so thousands of them in one statement are
//! slow there) and the bulk insert of registrations with their history (`UNNEST` in a
//! data-modifying CTE on PostgreSQL, multi-row `VALUES` on SQLite); see [`Store::write_batch`].
//! PostgreSQL keeps timestamps to the microsecond, SQLite to the nanosecond: compare stored
//! timestamps at that precision.
//! Transactions are `pool.begin_with(self.begin_write())` inside the macro body: on SQLite
//! that is `BEGIN IMMEDIATE`, which takes the write lock at once (waiting up to the busy
//! timeout), because a deferred transaction that reads first and then writes fails at once
//! with "database is locked" when another connection wrote in between.
//!
//! Migrations live in `migrations/sqlite` and `migrations/postgres`, numbered alike, and are
//! embedded in the binary ([`Store::migrate`]).
//!
//! # Tenants
//!
//! Every table that holds school data has `school_id`, and every query filters on it. The
//! small tables refer to rows of their own school through `(school_id, id)` foreign keys; the
//! two big ones (registrations and their history) have no foreign keys, for import speed, and
//! the store checks their references in the transaction that writes them. Asking school A
//! for school B's student answers `None` (or [`StoreError::NotFound`] for a write).
//!
//! # History and audit
//!
//! Queries are named for the question they answer. Every write that changes a registration
//! writes its history row, and every change of a student's data by a person writes an audit
//! row, in the same transaction as the change. An import ([`Store::write_batch`]) is all or
//! nothing and writes one audit row that counts what it wrote.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};
use verzuim_domain::{
    Group, GroupId, Lesson, LessonId, Origin, Registration, RegistrationChange, RegistrationId,
    School, Staff, StaffId, Student, StudentId,
};

/// What went wrong in the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database URL is not `sqlite:` or `postgres://`.
    #[error("onbekende database-URL '{0}': gebruik sqlite:pad/naar/bestand.sqlite of postgres://…")]
    BadUrl(String),
    /// The database refused or failed.
    #[error("databasefout: {0}")]
    Database(#[from] sqlx::Error),
    /// A migration failed.
    #[error("migratie mislukt: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// A referenced row does not exist (in this school).
    #[error("{what} niet gevonden")]
    NotFound {
        /// What was looked for, in Dutch.
        what: String,
    },
    /// A unique value is taken or a value conflicts with stored data.
    #[error("{field}: {reason}")]
    Conflict {
        /// The field.
        field: String,
        /// Why, in Dutch.
        reason: String,
    },
    /// A batch row refers to something that does not exist; nothing was written. Shown as
    /// `file:line: column: reason`.
    #[error("{}:{}: {column}: {reason}", origin.file, origin.line)]
    Batch {
        /// Where the row came from.
        origin: Origin,
        /// The column (field) at fault.
        column: String,
        /// Why, in Dutch.
        reason: String,
    },
    /// Stored data could not be read back into a domain value.
    #[error("opgeslagen gegevens zijn ongeldig: {0}")]
    Corrupt(String),
}

/// Result of a store call.
pub type Result<T> = std::result::Result<T, StoreError>;

/// Which database the store talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl Dialect {
    /// Name for logs and test output.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// Database identity of a school (tenant).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SchoolId(pub i64);

/// A stored school.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolRow {
    /// Identity.
    pub id: SchoolId,
    /// The school.
    pub school: School,
}

/// A stored staff member.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffRow {
    /// Identity.
    pub id: StaffId,
    /// School the staff member works for.
    pub school: SchoolId,
    /// The staff member.
    pub staff: Staff,
}

/// A stored group.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRow {
    /// Identity.
    pub id: GroupId,
    /// The group.
    pub group: Group,
}

/// A stored student, with the names of their group and mentor for display.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentRow {
    /// Identity.
    pub id: StudentId,
    /// The student.
    pub student: Student,
    /// Code of the student's group.
    pub group_code: Option<String>,
    /// Name of the mentor.
    pub mentor_name: Option<String>,
}

/// A stored lesson with its group and teacher codes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonRow {
    /// Identity.
    pub id: LessonId,
    /// The lesson.
    pub lesson: Lesson,
    /// Group code.
    pub group_code: String,
    /// Teacher's code.
    pub teacher_code: Option<String>,
}

/// A stored registration, resolved to its date and times (from its lesson or span).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegistrationRow {
    /// Identity.
    pub id: RegistrationId,
    /// The registration as last changed.
    pub registration: Registration,
    /// Date.
    pub date: NaiveDate,
    /// Start time.
    pub start: NaiveTime,
    /// End time.
    pub end: NaiveTime,
    /// Subject and period when tied to a lesson.
    pub lesson: Option<(String, u8)>,
    /// Name of who registered it.
    pub registered_by_name: Option<String>,
    /// Withdrawn (the student turned out to be present); kept for history.
    pub withdrawn: bool,
}

/// One row of a registration's history, with the name of who changed it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryRow {
    /// The change.
    pub change: RegistrationChange,
    /// Display name of who changed it: the staff member's name, else the label the change was
    /// written with (an import's), else "import".
    pub changed_by_name: String,
    /// Date of the registration changed.
    pub date: NaiveDate,
}

/// What was done with a student's data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// Read (a page or export showed it).
    Read,
    /// Created.
    Create,
    /// Changed.
    Update,
    /// Written by an import.
    Import,
}

impl AuditAction {
    /// Stable code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Read => "read",
            Self::Create => "create",
            Self::Update => "update",
            Self::Import => "import",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        [Self::Read, Self::Create, Self::Update, Self::Import]
            .into_iter()
            .find(|a| a.code() == code)
    }
}

/// One append-only audit entry: who did what to which student's data, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// School (tenant).
    pub school: SchoolId,
    /// Staff member acting; `None` for the system or an import.
    pub actor: Option<StaffId>,
    /// Actor label for display ("import", or the username).
    pub actor_label: String,
    /// The student concerned; `None` for an action on many (an import names the count).
    pub student: Option<StudentId>,
    /// What was done.
    pub action: AuditAction,
    /// What exactly, e.g. "leerlingpagina" or "registratie 12: ON → SP".
    pub detail: String,
}

/// A login session stored in the database (sessions survive restarts and are shared by
/// several instances).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRow {
    /// SHA-256 of the session token, hex; the token itself is only in the cookie.
    pub token_hash: String,
    /// Staff member logged in.
    pub staff: StaffId,
    /// Per-session CSRF token.
    pub csrf_token: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Expires.
    pub expires_at: DateTime<Utc>,
}

/// Counts of what a batch wrote.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct BatchReport {
    /// Groups created or updated (keyed by code).
    pub groups: u64,
    /// Staff created or updated (keyed by username).
    pub staff: u64,
    /// Students created or updated.
    pub students: u64,
    /// Lessons created or updated (a lesson is keyed by group, date and start time).
    pub lessons: u64,
    /// Registrations created.
    pub registrations: u64,
    /// Standing registrations the batch changed (same student and lesson, another code, note
    /// or minutes late), each with a history row.
    pub registrations_updated: u64,
    /// Registrations not written because they were already there as they are (in the
    /// database or earlier in the batch): a re-import does not double them.
    pub registrations_skipped: u64,
}

/// Filter for the student list; the default lists every student.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StudentQuery {
    /// Part of the name or student number; empty or `None` lists all.
    pub search: Option<String>,
    /// Only this group.
    pub group: Option<GroupId>,
    /// At most this many rows; 0 or less: no limit.
    pub limit: i64,
    /// Skip this many.
    pub offset: i64,
}

/// The store: one connection pool to SQLite or PostgreSQL. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Store {
    pub(crate) backend: Backend,
}

#[derive(Debug, Clone)]
enum Backend {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
}

/// Runs `$body` with `$pool` bound to the SQLite or the PostgreSQL pool: the body is compiled
/// once per driver, so the same query text is checked against each driver's types.
macro_rules! with_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match &$store.backend {
            $crate::Backend::Sqlite($pool) => $body,
            $crate::Backend::Postgres($pool) => $body,
        }
    };
}

mod audit;
mod batch;
mod connect;
pub mod loket;
pub mod m2m;
mod people;
mod protocol;
mod registrations;
mod rows;
mod schools;
mod sessions;
mod sql;
mod timetable;

pub use connect::{create_postgres_schema, drop_postgres_schema};
pub use loket::LoketStore;
pub use m2m::{
    M2mContact, M2mDirection, M2mMeldingRow, M2mMessageRow, M2mOutcome, M2mPendingChange,
    M2mPollApplied, M2mPollUpdate, M2mRefusal, M2mState, NewM2mMelding, NewM2mMessage,
};
pub use protocol::{
    ManualTriggerRow, NewManualTrigger, NewProtocolStep, NewProtocolTask, ProtocolTaskQuery,
    ProtocolTaskRow, SchoolProtocolRow, StoredSteps, TaskGrant,
};
pub use registrations::RegistrationEdit;
