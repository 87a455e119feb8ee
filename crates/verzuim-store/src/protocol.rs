//! The school's absence protocol: the chosen rule file (`school_protocols`), the steps the
//! students reached with their tasks (`protocol_steps`, `protocol_tasks`) and the manual steps
//! people started (`protocol_manual_triggers`).
//!
//! The engine reports every reached step on every run; the store keeps each once: steps and
//! tasks are inserted with `ON CONFLICT DO NOTHING` on their keys, so a rerun or two runs at
//! the same time store nothing twice. Roles and statuses are kept as their codes; the
//! application layer reads them with `verzuim_protocol::Role` and its own task status. Every
//! change writes its audit row in the same transaction.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::AssertSqlSafe;
use verzuim_domain::{GroupId, RegistrationId, StaffId, StudentId};

use crate::rows::{RegistrationRec, registration_select};
use crate::sql::{contains_pattern, corrupt, unique_to_conflict};
use crate::{AuditEntry, RegistrationRow, Result, SchoolId, Store, StoreError};

/// The protocol a school chose.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolProtocolRow {
    /// Preset name or file name.
    pub name: String,
    /// The TOML text.
    pub source: String,
    /// Steps reached before this date are history only.
    pub active_from: NaiveDate,
    /// When it was chosen.
    pub chosen_at: DateTime<Utc>,
    /// Who chose it (label).
    pub chosen_by: String,
}

/// A task of a step to store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProtocolTask {
    /// Step key + `#n`.
    pub task_key: String,
    /// Role code.
    pub role: String,
    /// What to do.
    pub text: String,
    /// Deadline.
    pub due: Option<NaiveDate>,
    /// Status code (`open`, or `vervallen` for history).
    pub status: String,
}

/// A reached step to store, with its tasks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewProtocolStep {
    /// The student.
    pub student: StudentId,
    /// `id@instance`.
    pub step_key: String,
    /// The step's id in the protocol.
    pub step_id: String,
    /// The step's title.
    pub title: String,
    /// The step's ladder.
    pub ladder: String,
    /// Why, in words.
    pub reason: String,
    /// The registrations that counted.
    pub evidence: Vec<RegistrationId>,
    /// When it was reached.
    pub reached_on: NaiveDate,
    /// The sanction in words.
    pub sanction: Option<String>,
    /// Letter template name.
    pub letter: Option<String>,
    /// DUO code of the melding the step proposes.
    pub propose_melding: Option<String>,
    /// Its tasks.
    pub tasks: Vec<NewProtocolTask>,
}

/// What storing reached steps added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct StoredSteps {
    /// Steps that were new.
    pub steps: usize,
    /// Tasks that were new.
    pub tasks: usize,
}

/// Which tasks to list: all given filters hold (`None`: no filter).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProtocolTaskQuery {
    /// Only these status codes; empty: every status.
    pub statuses: Vec<String>,
    /// Only these role codes.
    pub roles: Option<Vec<String>>,
    /// Only this student.
    pub student: Option<StudentId>,
    /// Only students whose mentor this is.
    pub mentor: Option<StaffId>,
    /// Only students in these groups.
    pub groups: Option<Vec<GroupId>>,
    /// Only this task.
    pub id: Option<i64>,
    /// Only tasks some grant lets the reader see (`None`: every task of the school; an
    /// empty list: none). The grants are OR'ed in one `WHERE`, so that counting and paging
    /// see each task once.
    pub visible: Option<Vec<TaskGrant>>,
    /// Only students in the group (class) with this code.
    pub group_code: Option<String>,
    /// Only tasks with a deadline before this date.
    pub due_before: Option<NaiveDate>,
    /// Only students whose name or number contains this (case-insensitive).
    pub search: Option<String>,
    /// At most this many tasks (0: all).
    pub limit: usize,
    /// Skip this many tasks first.
    pub offset: usize,
}

/// One reason a person may see a task: all given conditions hold (`None`: no condition).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskGrant {
    /// Tasks of these role codes (an empty list: none).
    pub roles: Option<Vec<String>>,
    /// Of students whose mentor this is.
    pub mentor: Option<StaffId>,
    /// Of students in these groups (an empty list: none).
    pub groups: Option<Vec<GroupId>>,
}

/// A stored task with its step and student, as an inbox shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolTaskRow {
    /// Identity.
    pub id: i64,
    /// The student.
    pub student: StudentId,
    /// Student number.
    pub student_number: String,
    /// Full name.
    pub student_name: String,
    /// Group code.
    pub group: Option<String>,
    /// The student's mentor.
    pub mentor: Option<StaffId>,
    /// The step's key.
    pub step_key: String,
    /// The step's id in the protocol.
    pub step_id: String,
    /// The task's key.
    pub task_key: String,
    /// The step's title.
    pub step_title: String,
    /// The step's ladder.
    pub ladder: String,
    /// Role code.
    pub role: String,
    /// What to do.
    pub text: String,
    /// Why, in words.
    pub reason: String,
    /// The registrations that counted.
    pub evidence: Vec<RegistrationId>,
    /// When the step was reached.
    pub reached_on: NaiveDate,
    /// When the task was created.
    pub created_on: NaiveDate,
    /// Deadline.
    pub due: Option<NaiveDate>,
    /// Status code.
    pub status: String,
    /// Closing note.
    pub note: String,
    /// Who closed it: the staff member's name (the label they closed it with when the
    /// staff member is gone).
    pub closed_by: Option<String>,
    /// When.
    pub closed_at: Option<DateTime<Utc>>,
    /// Sanction in words.
    pub sanction: Option<String>,
    /// Letter template.
    pub letter: Option<String>,
    /// DUO code of the proposed melding.
    pub propose_melding: Option<String>,
}

/// A manual step a person started.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewManualTrigger {
    /// The student.
    pub student: StudentId,
    /// The step's id.
    pub step: String,
    /// The date it applies from.
    pub date: NaiveDate,
    /// Why.
    pub note: String,
    /// Who started it.
    pub by: Option<StaffId>,
    /// Their label.
    pub by_label: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// A stored manual trigger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ManualTriggerRow {
    /// Identity.
    pub id: i64,
    /// The student.
    pub student: StudentId,
    /// The step's id.
    pub step: String,
    /// The date.
    pub date: NaiveDate,
    /// Why.
    pub note: String,
    /// Who started it.
    pub by_label: String,
    /// When.
    pub at: DateTime<Utc>,
}

#[derive(sqlx::FromRow)]
struct ProtocolRec {
    name: String,
    source: String,
    active_from: NaiveDate,
    chosen_at: DateTime<Utc>,
    chosen_by: String,
}

#[derive(sqlx::FromRow)]
struct TaskRec {
    id: i64,
    student_id: i64,
    student_number: String,
    first_name: String,
    name_prefix: String,
    last_name: String,
    group_code: Option<String>,
    mentor_id: Option<i64>,
    step_key: String,
    step_id: String,
    task_key: String,
    title: String,
    ladder: String,
    role: String,
    text: String,
    reason: String,
    evidence: String,
    reached_on: NaiveDate,
    created_on: NaiveDate,
    due: Option<NaiveDate>,
    status: String,
    note: String,
    closed_by_name: Option<String>,
    closed_at: Option<DateTime<Utc>>,
    sanction: Option<String>,
    letter: Option<String>,
    propose_melding: Option<String>,
}

impl TaskRec {
    fn into_row(self) -> Result<ProtocolTaskRow> {
        let ids: Vec<i64> = serde_json::from_str(&self.evidence)
            .map_err(|e| corrupt(&format!("protocolstap {}", self.step_key), e))?;
        let student_name = [
            self.first_name.as_str(),
            self.name_prefix.as_str(),
            self.last_name.as_str(),
        ]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
        Ok(ProtocolTaskRow {
            id: self.id,
            student: StudentId(self.student_id),
            student_number: self.student_number,
            student_name,
            group: self.group_code,
            mentor: self.mentor_id.map(StaffId),
            step_key: self.step_key,
            step_id: self.step_id,
            task_key: self.task_key,
            step_title: self.title,
            ladder: self.ladder,
            role: self.role,
            text: self.text,
            reason: self.reason,
            evidence: ids.into_iter().map(RegistrationId).collect(),
            reached_on: self.reached_on,
            created_on: self.created_on,
            due: self.due,
            status: self.status,
            note: self.note,
            closed_by: self.closed_by_name,
            closed_at: self.closed_at,
            sanction: self.sanction,
            letter: self.letter,
            propose_melding: self.propose_melding,
        })
    }
}

#[derive(sqlx::FromRow)]
struct TriggerRec {
    id: i64,
    student_id: i64,
    step_id: String,
    date: NaiveDate,
    note: String,
    by_label: String,
    at: DateTime<Utc>,
}

const TASK_SELECT: &str = "SELECT t.id, t.student_id, s.student_number, s.first_name, \
     s.name_prefix, s.last_name, g.code AS group_code, s.mentor_id, p.step_key, p.step_id, \
     t.task_key, p.title, p.ladder, t.role, t.text, p.reason, p.evidence, p.reached_on, \
     p.created_on, t.due, t.status, t.note, COALESCE(cb.name, t.closed_by_label) AS closed_by_name, \
     t.closed_at, p.sanction, p.letter, p.propose_melding \
     FROM protocol_tasks t \
     JOIN protocol_steps p ON p.school_id = t.school_id AND p.id = t.step_row_id \
     JOIN students s ON s.school_id = t.school_id AND s.id = t.student_id \
     LEFT JOIN class_groups g ON g.school_id = s.school_id AND g.id = s.group_id \
     LEFT JOIN staff cb ON cb.school_id = t.school_id AND cb.id = t.closed_by";

/// The tables a count needs: every filter reads only the task, its student and the group.
const TASK_COUNT_FROM: &str = "FROM protocol_tasks t \
     JOIN students s ON s.school_id = t.school_id AND s.id = t.student_id \
     LEFT JOIN class_groups g ON g.school_id = s.school_id AND g.id = s.group_id";

/// Deadline first (tasks without one last, so overdue ones lead), then the oldest task.
const TASK_ORDER: &str = " ORDER BY CASE WHEN t.due IS NULL THEN 1 ELSE 0 END, t.due, t.id";

/// Ids per `IN (...)` list: far below both dialects' limits on bind parameters.
const IDS_PER_STATEMENT: usize = 500;

/// `$first, $first+1, …` for `n` values.
fn placeholders(first: usize, n: usize) -> String {
    (first..first + n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A value bound to a task query.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Value {
    Text(String),
    Int(i64),
    Date(NaiveDate),
}

/// A `WHERE` being built with its bind values, numbered in order (`$1` is the school).
struct Where {
    sql: String,
    values: Vec<Value>,
}

impl Where {
    fn new(school: SchoolId) -> Self {
        Self {
            sql: " WHERE t.school_id = $1".to_owned(),
            values: vec![Value::Int(school.0)],
        }
    }

    /// `$n` for a new value.
    fn bind(&mut self, v: Value) -> String {
        self.values.push(v);
        format!("${}", self.values.len())
    }

    /// `$n, $n+1, …` for new values.
    fn bind_all(&mut self, vs: impl IntoIterator<Item = Value>) -> String {
        let first = self.values.len() + 1;
        self.values.extend(vs);
        placeholders(first, self.values.len() + 1 - first)
    }

    /// `column IN (…)`, or a condition that never holds for an empty list.
    fn is_in(&mut self, column: &str, vs: Vec<Value>) -> String {
        if vs.is_empty() {
            "1 = 0".to_owned()
        } else {
            format!("{column} IN ({})", self.bind_all(vs))
        }
    }

    /// The conditions of one grant, AND'ed (`1 = 1` when it has none).
    fn grant(&mut self, g: &TaskGrant) -> String {
        let mut parts = Vec::new();
        if let Some(roles) = &g.roles {
            let roles = roles.iter().cloned().map(Value::Text).collect();
            parts.push(self.is_in("t.role", roles));
        }
        if let Some(m) = g.mentor {
            parts.push(format!("s.mentor_id = {}", self.bind(Value::Int(m.0))));
        }
        if let Some(groups) = &g.groups {
            let groups = groups.iter().map(|g| Value::Int(g.0)).collect();
            parts.push(self.is_in("s.group_id", groups));
        }
        if parts.is_empty() {
            "1 = 1".to_owned()
        } else {
            format!("({})", parts.join(" AND "))
        }
    }
}

/// The `WHERE` of a task query with its values (without order, limit or offset).
fn task_where(school: SchoolId, q: &ProtocolTaskQuery) -> Where {
    let mut w = Where::new(school);
    let mut parts: Vec<String> = Vec::new();
    if !q.statuses.is_empty() {
        let statuses = q.statuses.iter().cloned().map(Value::Text).collect();
        parts.push(w.is_in("t.status", statuses));
    }
    if let Some(roles) = &q.roles {
        let roles = roles.iter().cloned().map(Value::Text).collect();
        parts.push(w.is_in("t.role", roles));
    }
    if let Some(s) = q.student {
        parts.push(format!("t.student_id = {}", w.bind(Value::Int(s.0))));
    }
    if let Some(m) = q.mentor {
        parts.push(format!("s.mentor_id = {}", w.bind(Value::Int(m.0))));
    }
    if let Some(groups) = &q.groups {
        let groups = groups.iter().map(|g| Value::Int(g.0)).collect();
        parts.push(w.is_in("s.group_id", groups));
    }
    if let Some(id) = q.id {
        parts.push(format!("t.id = {}", w.bind(Value::Int(id))));
    }
    if let Some(grants) = &q.visible {
        if grants.is_empty() {
            parts.push("1 = 0".to_owned());
        } else {
            let any: Vec<String> = grants.iter().map(|g| w.grant(g)).collect();
            parts.push(format!("({})", any.join(" OR ")));
        }
    }
    if let Some(code) = &q.group_code {
        parts.push(format!("g.code = {}", w.bind(Value::Text(code.clone()))));
    }
    if let Some(date) = q.due_before {
        parts.push(format!("t.due < {}", w.bind(Value::Date(date))));
    }
    if let Some(search) = q.search.as_deref().filter(|s| !s.trim().is_empty()) {
        let p = w.bind(Value::Text(contains_pattern(search)));
        parts.push(format!(
            "(LOWER(s.student_number) LIKE {p} ESCAPE '\\' \
             OR LOWER(s.first_name) LIKE {p} ESCAPE '\\' \
             OR LOWER(s.last_name) LIKE {p} ESCAPE '\\' \
             OR LOWER(s.first_name || ' ' || s.last_name) LIKE {p} ESCAPE '\\' \
             OR LOWER(s.first_name || ' ' || s.name_prefix || ' ' || s.last_name) LIKE {p} \
             ESCAPE '\\')"
        ));
    }
    for part in parts {
        w.sql.push_str(" AND ");
        w.sql.push_str(&part);
    }
    w
}

/// The `SELECT` of a task query with its values, ordered and paged.
fn task_sql(school: SchoolId, q: &ProtocolTaskQuery) -> (String, Vec<Value>) {
    let w = task_where(school, q);
    let mut sql = format!("{TASK_SELECT}{}{TASK_ORDER}", w.sql);
    if q.limit > 0 {
        sql.push_str(&format!(" LIMIT {} OFFSET {}", q.limit, q.offset));
    } else if q.offset > 0 {
        // Both dialects accept a LIMIT this large; SQLite needs one before OFFSET.
        sql.push_str(&format!(" LIMIT {} OFFSET {}", i64::MAX, q.offset));
    }
    (sql, w.values)
}

/// Binds `values` in order to a query (`sqlx::query_as` or `sqlx::query_scalar`).
macro_rules! bind_values {
    ($q:expr, $values:expr) => {{
        let mut q = $q;
        for v in $values {
            q = match v {
                Value::Text(s) => q.bind(s.clone()),
                Value::Int(i) => q.bind(*i),
                Value::Date(d) => q.bind(*d),
            };
        }
        q
    }};
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

impl Store {
    /// Stores the school's protocol (replacing an earlier choice) with its audit row, in one
    /// transaction.
    pub async fn set_school_protocol(
        &self,
        school: SchoolId,
        protocol: &SchoolProtocolRow,
        audit: &AuditEntry,
    ) -> Result<()> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            sqlx::query(
                "INSERT INTO school_protocols (school_id, name, source, active_from, chosen_at, \
                 chosen_by) VALUES ($1, $2, $3, $4, $5, $6) \
                 ON CONFLICT (school_id) DO UPDATE SET name = excluded.name, \
                 source = excluded.source, active_from = excluded.active_from, \
                 chosen_at = excluded.chosen_at, chosen_by = excluded.chosen_by",
            )
            .bind(school.0)
            .bind(&protocol.name)
            .bind(&protocol.source)
            .bind(protocol.active_from)
            .bind(protocol.chosen_at)
            .bind(&protocol.chosen_by)
            .execute(&mut *tx)
            .await?;
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// The school's protocol, if it chose one.
    pub async fn school_protocol(&self, school: SchoolId) -> Result<Option<SchoolProtocolRow>> {
        let rec: Option<ProtocolRec> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT name, source, active_from, chosen_at, chosen_by FROM school_protocols \
                 WHERE school_id = $1",
            )
            .bind(school.0)
            .fetch_optional(pool)
            .await?
        });
        Ok(rec.map(|r| SchoolProtocolRow {
            name: r.name,
            source: r.source,
            active_from: r.active_from,
            chosen_at: r.chosen_at,
            chosen_by: r.chosen_by,
        }))
    }

    /// The keys of the steps stored for the school's students: what a run need not store
    /// again.
    pub async fn protocol_step_keys(&self, school: SchoolId) -> Result<Vec<(StudentId, String)>> {
        let keys: Vec<(i64, String)> = with_pool!(self, pool => {
            sqlx::query_as("SELECT student_id, step_key FROM protocol_steps WHERE school_id = $1")
                .bind(school.0)
                .fetch_all(pool)
                .await?
        });
        Ok(keys.into_iter().map(|(s, k)| (StudentId(s), k)).collect())
    }

    /// Stores reached steps with their tasks, each once: a step or task whose key is stored
    /// already (by an earlier run, or a run at the same time) is skipped, and so are the tasks
    /// of a step that was there. Writes one `create` audit row per new step (labelled
    /// `actor_label`), all in one transaction. Every student must be of the school.
    pub async fn insert_protocol_steps(
        &self,
        school: SchoolId,
        steps: &[NewProtocolStep],
        created_on: NaiveDate,
        actor_label: &str,
        now: DateTime<Utc>,
    ) -> Result<StoredSteps> {
        let mut stored = StoredSteps::default();
        if steps.is_empty() {
            return Ok(stored);
        }
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            for step in steps {
                let evidence: Vec<i64> = step.evidence.iter().map(|r| r.0).collect();
                let evidence = serde_json::to_string(&evidence)
                    .map_err(|e| corrupt("bewijs", e))?;
                let id: Option<i64> = sqlx::query_scalar(
                    "INSERT INTO protocol_steps (school_id, student_id, step_key, step_id, title, \
                     ladder, reason, evidence, reached_on, created_on, created_at, sanction, \
                     letter, propose_melding) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) \
                     ON CONFLICT (school_id, student_id, step_key) DO NOTHING RETURNING id",
                )
                .bind(school.0)
                .bind(step.student.0)
                .bind(&step.step_key)
                .bind(&step.step_id)
                .bind(&step.title)
                .bind(&step.ladder)
                .bind(&step.reason)
                .bind(&evidence)
                .bind(step.reached_on)
                .bind(created_on)
                .bind(now)
                .bind(&step.sanction)
                .bind(&step.letter)
                .bind(&step.propose_melding)
                .fetch_optional(&mut *tx)
                .await?;
                let Some(id) = id else { continue };
                stored.steps += 1;
                let mut tasks = 0;
                for task in &step.tasks {
                    let done = sqlx::query(
                        "INSERT INTO protocol_tasks (school_id, step_row_id, student_id, task_key, \
                         role, text, due, status, note) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, '') \
                         ON CONFLICT (school_id, student_id, task_key) DO NOTHING",
                    )
                    .bind(school.0)
                    .bind(id)
                    .bind(step.student.0)
                    .bind(&task.task_key)
                    .bind(&task.role)
                    .bind(&task.text)
                    .bind(task.due)
                    .bind(&task.status)
                    .execute(&mut *tx)
                    .await?;
                    tasks += usize::try_from(done.rows_affected()).unwrap_or(0);
                }
                stored.tasks += tasks;
                let audit = AuditEntry {
                    at: now,
                    school,
                    actor: None,
                    actor_label: actor_label.to_owned(),
                    student: Some(step.student),
                    action: crate::AuditAction::Create,
                    detail: format!(
                        "protocolstap {} bereikt op {}: {} ({tasks} taken)",
                        step.step_key, step.reached_on, step.reason
                    ),
                };
                insert_audit!(&mut *tx, &audit);
            }
            tx.commit().await?;
        });
        Ok(stored)
    }

    /// The school's tasks that match `query`, by deadline (none last, so overdue tasks lead),
    /// then by id; only `query.limit` of them after `query.offset` when a limit is given.
    pub async fn protocol_tasks(
        &self,
        school: SchoolId,
        query: &ProtocolTaskQuery,
    ) -> Result<Vec<ProtocolTaskRow>> {
        let (sql, values) = task_sql(school, query);
        let recs: Vec<TaskRec> = with_pool!(self, pool => {
            bind_values!(sqlx::query_as(AssertSqlSafe(sql.clone())), &values)
                .fetch_all(pool)
                .await?
        });
        recs.into_iter().map(TaskRec::into_row).collect()
    }

    /// How many of the school's tasks match `query` (its limit and offset are ignored).
    pub async fn protocol_task_count(
        &self,
        school: SchoolId,
        query: &ProtocolTaskQuery,
    ) -> Result<usize> {
        let w = task_where(school, query);
        let sql = format!("SELECT COUNT(*) {TASK_COUNT_FROM}{}", w.sql);
        let n: i64 = with_pool!(self, pool => {
            bind_values!(sqlx::query_scalar(AssertSqlSafe(sql.clone())), &w.values)
                .fetch_one(pool)
                .await?
        });
        Ok(usize::try_from(n).unwrap_or(0))
    }

    /// How many of the school's tasks match `query`, per role code, by role code.
    pub async fn protocol_task_counts_by_role(
        &self,
        school: SchoolId,
        query: &ProtocolTaskQuery,
    ) -> Result<Vec<(String, usize)>> {
        let w = task_where(school, query);
        let sql = format!(
            "SELECT t.role, COUNT(*) {TASK_COUNT_FROM}{} GROUP BY t.role ORDER BY t.role",
            w.sql
        );
        let rows: Vec<(String, i64)> = with_pool!(self, pool => {
            bind_values!(sqlx::query_as(AssertSqlSafe(sql.clone())), &w.values)
                .fetch_all(pool)
                .await?
        });
        Ok(rows
            .into_iter()
            .map(|(role, n)| (role, usize::try_from(n).unwrap_or(0)))
            .collect())
    }

    /// The codes of the groups (classes) of the students of the tasks that match `query`, in
    /// code order.
    pub async fn protocol_task_group_codes(
        &self,
        school: SchoolId,
        query: &ProtocolTaskQuery,
    ) -> Result<Vec<String>> {
        let w = task_where(school, query);
        let sql = format!(
            "SELECT DISTINCT g.code {TASK_COUNT_FROM}{} AND g.code IS NOT NULL ORDER BY g.code",
            w.sql
        );
        Ok(with_pool!(self, pool => {
            bind_values!(sqlx::query_scalar(AssertSqlSafe(sql.clone())), &w.values)
                .fetch_all(pool)
                .await?
        }))
    }

    /// Closes an open task with `status` and a note, with its audit row, in one transaction.
    /// Another school's task is [`StoreError::NotFound`]; a task that is not open (closed
    /// before, or lapsed) is [`StoreError::Conflict`] on `taak`.
    #[allow(clippy::too_many_arguments)]
    pub async fn close_protocol_task(
        &self,
        school: SchoolId,
        id: i64,
        status: &str,
        note: &str,
        by: Option<StaffId>,
        by_label: &str,
        at: DateTime<Utc>,
        audit: &AuditEntry,
    ) -> Result<()> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let done = sqlx::query(
                "UPDATE protocol_tasks SET status = $3, note = $4, closed_by = $5, \
                 closed_by_label = $6, closed_at = $7 \
                 WHERE school_id = $1 AND id = $2 AND status = 'open'",
            )
            .bind(school.0)
            .bind(id)
            .bind(status)
            .bind(note)
            .bind(by.map(|b| b.0))
            .bind(by_label)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 0 {
                let current: Option<String> = sqlx::query_scalar(
                    "SELECT status FROM protocol_tasks WHERE school_id = $1 AND id = $2",
                )
                .bind(school.0)
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
                return Err(match current.as_deref() {
                    None => StoreError::NotFound { what: "taak".to_owned() },
                    Some("vervallen") => StoreError::Conflict {
                        field: "taak".to_owned(),
                        reason: "deze taak is vervallen (de stap werd bereikt voordat het \
                                 protocol gold) en kan niet worden afgesloten"
                            .to_owned(),
                    },
                    Some(_) => StoreError::Conflict {
                        field: "taak".to_owned(),
                        reason: "deze taak is al afgesloten; laad de pagina opnieuw".to_owned(),
                    },
                });
            }
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
        });
        Ok(())
    }

    /// Stores a manual trigger with its audit row, in one transaction. A second trigger of
    /// the same step for the same student and date is [`StoreError::Conflict`] on `datum`.
    pub async fn insert_manual_trigger(
        &self,
        school: SchoolId,
        trigger: &NewManualTrigger,
        audit: &AuditEntry,
    ) -> Result<i64> {
        let t = trigger;
        Ok(with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO protocol_manual_triggers (school_id, student_id, step_id, date, note, \
                 by_id, by_label, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(school.0)
            .bind(t.student.0)
            .bind(&t.step)
            .bind(t.date)
            .bind(&t.note)
            .bind(t.by.map(|b| b.0))
            .bind(&t.by_label)
            .bind(t.at)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| {
                unique_to_conflict(e, "datum", "deze stap is voor deze leerling op die datum al gestart")
            })?;
            insert_audit!(&mut *tx, audit);
            tx.commit().await?;
            id
        }))
    }

    /// The school's manual triggers, by date.
    pub async fn manual_triggers(&self, school: SchoolId) -> Result<Vec<ManualTriggerRow>> {
        let recs: Vec<TriggerRec> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, student_id, step_id, date, note, by_label, at \
                 FROM protocol_manual_triggers WHERE school_id = $1 ORDER BY date, id",
            )
            .bind(school.0)
            .fetch_all(pool)
            .await?
        });
        Ok(recs
            .into_iter()
            .map(|r| ManualTriggerRow {
                id: r.id,
                student: StudentId(r.student_id),
                step: r.step_id,
                date: r.date,
                note: r.note,
                by_label: r.by_label,
                at: r.at,
            })
            .collect())
    }

    /// The school's registrations with these ids (withdrawn ones included and flagged), in
    /// no particular order; ids of another school or of deleted rows are left out. For the
    /// evidence shown with a protocol task.
    pub async fn registrations_by_ids(
        &self,
        school: SchoolId,
        ids: &[RegistrationId],
    ) -> Result<Vec<RegistrationRow>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let sql = format!(
                "{} WHERE r.school_id = $1 AND r.id IN ({})",
                registration_select!(),
                placeholders(2, chunk.len())
            );
            let recs: Vec<RegistrationRec> = with_pool!(self, pool => {
                let mut q = sqlx::query_as(AssertSqlSafe(sql.clone())).bind(school.0);
                for id in chunk {
                    q = q.bind(id.0);
                }
                q.fetch_all(pool).await?
            });
            for rec in recs {
                out.push(rec.into_row()?);
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn task_query_numbers_its_placeholders_in_bind_order() {
        let q = ProtocolTaskQuery {
            statuses: vec!["open".into()],
            roles: Some(vec!["mentor".into(), "docent".into()]),
            student: Some(StudentId(1)),
            mentor: Some(StaffId(2)),
            groups: Some(vec![GroupId(3)]),
            id: Some(4),
            group_code: Some("1A".into()),
            ..ProtocolTaskQuery::default()
        };
        let (sql, values) = task_sql(SchoolId(9), &q);
        assert!(sql.contains("t.status IN ($2)"), "{sql}");
        assert!(sql.contains("t.role IN ($3, $4)"), "{sql}");
        assert!(sql.contains("t.student_id = $5"), "{sql}");
        assert!(sql.contains("s.mentor_id = $6"), "{sql}");
        assert!(sql.contains("s.group_id IN ($7)"), "{sql}");
        assert!(sql.contains("t.id = $8"), "{sql}");
        assert!(sql.contains("g.code = $9"), "{sql}");
        assert_eq!(values.len(), 9);
        assert_eq!(values[0], Value::Int(9));
    }

    #[test]
    fn grants_are_ored_inside_one_where_and_filters_anded_around_them() {
        let q = ProtocolTaskQuery {
            statuses: vec!["open".into()],
            visible: Some(vec![
                TaskGrant {
                    roles: Some(vec!["mentor".into()]),
                    mentor: Some(StaffId(5)),
                    ..TaskGrant::default()
                },
                TaskGrant {
                    roles: Some(vec!["docent".into()]),
                    groups: Some(vec![GroupId(3)]),
                    ..TaskGrant::default()
                },
            ]),
            group_code: Some("2B".into()),
            limit: 50,
            offset: 100,
            ..ProtocolTaskQuery::default()
        };
        let (sql, values) = task_sql(SchoolId(1), &q);
        assert!(
            sql.contains(
                "AND ((t.role IN ($3) AND s.mentor_id = $4) OR (t.role IN ($5) AND s.group_id IN ($6))) \
                 AND g.code = $7"
            ),
            "{sql}"
        );
        assert!(sql.ends_with("LIMIT 50 OFFSET 100"), "{sql}");
        assert_eq!(values.len(), 7);
    }

    #[test]
    fn an_empty_role_group_or_grant_list_matches_nothing() {
        for q in [
            ProtocolTaskQuery {
                roles: Some(vec![]),
                ..ProtocolTaskQuery::default()
            },
            ProtocolTaskQuery {
                visible: Some(vec![]),
                ..ProtocolTaskQuery::default()
            },
            ProtocolTaskQuery {
                visible: Some(vec![TaskGrant {
                    groups: Some(vec![]),
                    ..TaskGrant::default()
                }]),
                ..ProtocolTaskQuery::default()
            },
        ] {
            assert!(task_sql(SchoolId(1), &q).0.contains("1 = 0"));
        }
    }
}
