//! Writing a [`Batch`] (an import or a generated school) in one transaction, fast.
//!
//! Natural keys are resolved in memory: the school's groups, staff codes, students and the
//! lessons in the batch's date range are each loaded once into a `HashMap`, and rows are
//! written with multi-row `INSERT`s of [`ROWS_PER_STATEMENT`] rows (one prepared statement,
//! reused), registrations on PostgreSQL with `UNNEST` (see [`BulkRegistrations`]). Resolving
//! is pure (the `resolve_*` functions), so an unknown reference is found before the rows of
//! its kind are written, and the whole transaction rolls back.
//!
//! Measured (`tests/bulk.rs`, release build, 2 shared cores, local PostgreSQL 15): one batch
//! of 1 000 000 registrations (1 200 students, 33 600 lessons) with their history rows in
//! 17 s on SQLite and 21 s on PostgreSQL.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use sqlx::AssertSqlSafe;
use verzuim_domain::{
    Batch, BatchLesson, BatchRegistration, BatchStudent, Group, GroupId, Lesson, Origin, StaffId,
};

use crate::schools::require_school;
use crate::sql::{ROWS_PER_STATEMENT, bulk_values, unique_to_conflict};
use crate::{AuditAction, BatchReport, Dialect, Result, SchoolId, Store, StoreError};

fn batch_error(origin: &Origin, column: &str, reason: impl Into<String>) -> StoreError {
    StoreError::Batch {
        origin: origin.clone(),
        column: column.to_owned(),
        reason: reason.into(),
    }
}

/// Where a row stands, for "staat ook op regel N".
fn line_of(origin: &Origin) -> String {
    if origin.file.is_empty() {
        format!("regel {}", origin.line)
    } else {
        format!("{} regel {}", origin.file, origin.line)
    }
}

/// A student row ready to bind.
#[derive(Debug)]
struct StudentValues<'a> {
    row: &'a BatchStudent,
    group: Option<i64>,
    mentor: Option<i64>,
}

/// A lesson row ready to bind.
#[derive(Debug)]
struct LessonValues<'a> {
    row: &'a BatchLesson,
    group: i64,
    teacher: Option<i64>,
}

/// A registration row ready to bind: tied to a lesson (with the lesson's times) or a span.
#[derive(Debug, PartialEq)]
struct RegistrationValues<'a> {
    /// The batch row it came from (for errors).
    row: &'a BatchRegistration,
    student: i64,
    lesson: Option<i64>,
    date: NaiveDate,
    start: NaiveTime,
    end: NaiveTime,
    code: &'a str,
    note: &'a str,
    minutes_late: Option<i32>,
}

/// Groups of the batch by code, the last row of a code winning (group rows carry no origin).
fn distinct_groups(groups: &[Group]) -> Vec<&Group> {
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut out: Vec<&Group> = Vec::with_capacity(groups.len());
    for g in groups {
        match index.get(g.code.trim()) {
            Some(&i) => out[i] = g,
            None => {
                index.insert(g.code.trim(), out.len());
                out.push(g);
            }
        }
    }
    out
}

fn resolve_students<'a>(
    rows: &'a [BatchStudent],
    groups: &HashMap<String, i64>,
    staff_codes: &HashMap<String, i64>,
) -> Result<Vec<StudentValues<'a>>> {
    let mut seen: HashMap<&str, &Origin> = HashMap::with_capacity(rows.len());
    rows.iter()
        .map(|row| {
            let number = row.student.student_number.trim();
            row.student
                .validate()
                .map_err(|e| batch_error(&row.origin, &e.field, e.reason))?;
            if let Some(first) = seen.insert(number, &row.origin) {
                return Err(batch_error(
                    &row.origin,
                    "leerlingnummer",
                    format!("leerlingnummer {number} staat ook op {}", line_of(first)),
                ));
            }
            let group = match row
                .group_code
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                Some(code) => Some(*groups.get(code).ok_or_else(|| {
                    batch_error(&row.origin, "klas", format!("klas '{code}' bestaat niet"))
                })?),
                None => None,
            };
            let mentor = match row
                .mentor_code
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                Some(code) => Some(*staff_codes.get(code).ok_or_else(|| {
                    batch_error(
                        &row.origin,
                        "mentor",
                        format!("er is geen medewerker met code '{code}'"),
                    )
                })?),
                None => None,
            };
            Ok(StudentValues { row, group, mentor })
        })
        .collect()
}

fn resolve_lessons<'a>(
    rows: &'a [BatchLesson],
    groups: &HashMap<String, i64>,
    staff_codes: &HashMap<String, i64>,
) -> Result<Vec<LessonValues<'a>>> {
    let mut seen: HashMap<(i64, NaiveDate, NaiveTime), &Origin> =
        HashMap::with_capacity(rows.len());
    rows.iter()
        .map(|row| {
            let code = row.group_code.trim();
            let group = *groups.get(code).ok_or_else(|| {
                batch_error(&row.origin, "klas", format!("klas '{code}' bestaat niet"))
            })?;
            let teacher = match row
                .teacher_code
                .as_deref()
                .map(str::trim)
                .filter(|c| !c.is_empty())
            {
                Some(code) => Some(*staff_codes.get(code).ok_or_else(|| {
                    batch_error(
                        &row.origin,
                        "docent",
                        format!("er is geen docent met code '{code}'"),
                    )
                })?),
                None => None,
            };
            Lesson {
                date: row.date,
                period: row.period,
                start: row.start,
                end: row.end,
                group: GroupId(group),
                teacher: teacher.map(StaffId),
                subject: row.subject.clone(),
            }
            .validate()
            .map_err(|e| batch_error(&row.origin, &e.field, e.reason))?;
            if let Some(first) = seen.insert((group, row.date, row.start), &row.origin) {
                return Err(batch_error(
                    &row.origin,
                    "begintijd",
                    format!(
                        "klas {code} heeft op {} om {} al een les ({})",
                        row.date,
                        row.start.format("%H:%M"),
                        line_of(first)
                    ),
                ));
            }
            Ok(LessonValues {
                row,
                group,
                teacher,
            })
        })
        .collect()
}

/// Resolves registrations: the student by number, the code in the school's table, and the
/// lesson of the student's group starting at the row's date and time (else a span).
fn resolve_registrations<'a>(
    rows: &'a [BatchRegistration],
    students: &HashMap<String, (i64, Option<i64>)>,
    lessons: &HashMap<(i64, NaiveDate, NaiveTime), (i64, NaiveTime)>,
    codes: &HashSet<String>,
) -> Result<Vec<RegistrationValues<'a>>> {
    rows.iter()
        .map(|row| {
            let number = row.student_number.trim();
            let &(student, group) = students.get(number).ok_or_else(|| {
                batch_error(
                    &row.origin,
                    "leerlingnummer",
                    format!("leerling {number} bestaat niet"),
                )
            })?;
            let code = row.code.trim();
            if !codes.contains(code) {
                return Err(batch_error(
                    &row.origin,
                    "code",
                    format!("'{code}' staat niet in de codetabel van de school"),
                ));
            }
            let lesson = group.and_then(|g| lessons.get(&(g, row.date, row.start)));
            let (lesson, end) = match lesson {
                Some(&(id, end)) => (Some(id), end),
                None => {
                    if row.end <= row.start {
                        return Err(batch_error(
                            &row.origin,
                            "eindtijd",
                            format!(
                                "{} ligt niet na begintijd {}",
                                row.end.format("%H:%M"),
                                row.start.format("%H:%M")
                            ),
                        ));
                    }
                    (None, row.end)
                }
            };
            Ok(RegistrationValues {
                row,
                student,
                lesson,
                date: row.date,
                start: row.start,
                end,
                code,
                note: &row.note,
                minutes_late: row.minutes_late.map(i32::from),
            })
        })
        .collect()
}

/// A standing (not withdrawn) registration already in the database, as re-import compares it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct StandingRegistration {
    id: i64,
    code: String,
    note: String,
    minutes_late: Option<i32>,
}

/// A span's key without its code: student, date, start, end.
type SpanKey = (i64, NaiveDate, NaiveTime, NaiveTime);

/// The school's standing registrations in a batch's date range: the lesson ones by (student,
/// lesson), the spans' codes by [`SpanKey`].
#[derive(Debug, Default)]
struct Standing {
    lessons: HashMap<(i64, i64), StandingRegistration>,
    spans: HashMap<SpanKey, Vec<String>>,
}

/// A standing lesson registration as read: id, student, lesson, code, note, minutes late.
type StandingLessonRec = (i64, i64, i64, String, String, Option<i32>);

/// A standing span as read: student, date, start, end, code.
type StandingSpanRec = (i64, NaiveDate, NaiveTime, NaiveTime, String);

impl Standing {
    fn new(lessons: Vec<StandingLessonRec>, spans: Vec<StandingSpanRec>) -> Self {
        let mut standing = Self {
            lessons: HashMap::with_capacity(lessons.len()),
            spans: HashMap::with_capacity(spans.len()),
        };
        for (id, student, lesson, code, note, minutes_late) in lessons {
            let old = StandingRegistration {
                id,
                code,
                note,
                minutes_late,
            };
            standing.lessons.insert((student, lesson), old);
        }
        for (student, date, start, end, code) in spans {
            standing
                .spans
                .entry((student, date, start, end))
                .or_default()
                .push(code);
        }
        standing
    }
}

/// A standing lesson registration the batch changes: old values for the history row, new ones
/// from the batch.
#[derive(Debug, PartialEq)]
struct RegistrationUpdate<'a> {
    id: i64,
    old_code: String,
    old_note: String,
    code: &'a str,
    note: &'a str,
    minutes_late: Option<i32>,
}

/// What writing a batch's registrations comes down to.
#[derive(Debug, Default)]
struct RegistrationPlan<'a> {
    /// Rows to insert.
    new: Vec<RegistrationValues<'a>>,
    /// Standing lesson registrations to change.
    updates: Vec<RegistrationUpdate<'a>>,
    /// Rows already there as they are (in the database or earlier in the batch).
    skipped: u64,
}

/// Decides per resolved row whether it is new, changes a standing registration or is already
/// there. A student has at most one standing registration per lesson: a row for a lesson the
/// student already has one for changes it when its code, note or minutes differ (history row
/// by the import), and is skipped when they are the same. A span is skipped when the student
/// has a standing span with the same date, start, end and code. Within the batch the same
/// holds, except that two rows for one student's lesson that differ contradict each other:
/// [`StoreError::Batch`] on the second (`begintijd`).
fn plan_registrations<'a>(
    rows: Vec<RegistrationValues<'a>>,
    standing: &Standing,
) -> Result<RegistrationPlan<'a>> {
    let mut plan = RegistrationPlan {
        new: Vec::with_capacity(rows.len()),
        ..RegistrationPlan::default()
    };
    // Earlier rows of the batch: (student, lesson) -> (code, note, minutes, origin).
    type Seen<'a> = (&'a str, &'a str, Option<i32>, &'a Origin);
    let mut seen_lessons: HashMap<(i64, i64), Seen<'a>> = HashMap::new();
    let mut seen_spans: HashMap<SpanKey, Vec<&'a str>> = HashMap::new();
    for v in rows {
        match v.lesson {
            Some(lesson) => {
                let key = (v.student, lesson);
                if let Some(&(code, note, minutes, first)) = seen_lessons.get(&key) {
                    if (code, note, minutes) == (v.code, v.note, v.minutes_late) {
                        plan.skipped += 1;
                        continue;
                    }
                    return Err(batch_error(
                        &v.row.origin,
                        "begintijd",
                        format!(
                            "leerling {} heeft voor de les van {} om {} al een andere registratie \
                             ({}); per les heeft een leerling één registratie",
                            v.row.student_number.trim(),
                            v.date,
                            v.start.format("%H:%M"),
                            line_of(first)
                        ),
                    ));
                }
                seen_lessons.insert(key, (v.code, v.note, v.minutes_late, &v.row.origin));
                match standing.lessons.get(&key) {
                    Some(old)
                        if (old.code.as_str(), old.note.as_str(), old.minutes_late)
                            == (v.code, v.note, v.minutes_late) =>
                    {
                        plan.skipped += 1;
                    }
                    Some(old) => plan.updates.push(RegistrationUpdate {
                        id: old.id,
                        old_code: old.code.clone(),
                        old_note: old.note.clone(),
                        code: v.code,
                        note: v.note,
                        minutes_late: v.minutes_late,
                    }),
                    None => plan.new.push(v),
                }
            }
            None => {
                let key = (v.student, v.date, v.start, v.end);
                let codes = seen_spans.entry(key).or_default();
                let in_store = standing
                    .spans
                    .get(&key)
                    .is_some_and(|c| c.iter().any(|c| c == v.code));
                if codes.contains(&v.code) || in_store {
                    plan.skipped += 1;
                    continue;
                }
                codes.push(v.code);
                plan.new.push(v);
            }
        }
    }
    Ok(plan)
}

/// The multi-row statements, built once per chunk size and reused (sqlx caches the prepared
/// statement by its text).
struct Statements {
    dialect: Dialect,
    cache: HashMap<(Bulk, usize), Arc<str>>,
}

impl Statements {
    fn new(dialect: Dialect) -> Self {
        Self {
            dialect,
            cache: HashMap::new(),
        }
    }

    fn get(&mut self, kind: Bulk, rows: usize) -> AssertSqlSafe<Arc<str>> {
        let dialect = self.dialect;
        let sql = self
            .cache
            .entry((kind, rows))
            .or_insert_with(|| Arc::from(build_statement(dialect, kind, rows)));
        AssertSqlSafe(Arc::clone(sql))
    }
}

/// The tables written with multi-row statements.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Bulk {
    Groups,
    Students,
    Lessons,
    Registrations,
    /// SQLite only: `UPDATE … FROM (VALUES …)` of changed registrations.
    RegistrationUpdates,
    /// SQLite only: the history rows of changed registrations.
    UpdateHistory,
}

/// One multi-row statement of `rows` rows. The school is the first shared value of each (and
/// the import's timestamp the second, for registrations); see [`bulk_values`].
fn build_statement(dialect: Dialect, kind: Bulk, rows: usize) -> String {
    match kind {
        Bulk::Groups => format!(
            "INSERT INTO class_groups (school_id, code, year_level, location) VALUES {} \
             ON CONFLICT (school_id, code) DO UPDATE SET year_level = excluded.year_level, \
             location = excluded.location",
            bulk_values(dialect, rows, 1, 3)
        ),
        Bulk::Students => format!(
            "INSERT INTO students (school_id, student_number, personal_number, first_name, name_prefix, \
             last_name, birth_date, residence, enrolled_from, enrolled_until, start_qualification, \
             group_id, mentor_id) VALUES {} \
             ON CONFLICT (school_id, student_number) DO UPDATE SET \
             personal_number = excluded.personal_number, first_name = excluded.first_name, \
             name_prefix = excluded.name_prefix, last_name = excluded.last_name, \
             birth_date = excluded.birth_date, residence = excluded.residence, \
             enrolled_from = excluded.enrolled_from, enrolled_until = excluded.enrolled_until, \
             start_qualification = excluded.start_qualification, group_id = excluded.group_id, \
             mentor_id = excluded.mentor_id",
            bulk_values(dialect, rows, 1, 12)
        ),
        Bulk::Lessons => format!(
            "INSERT INTO lessons (school_id, date, period, start_time, end_time, group_id, teacher_id, \
             subject) VALUES {} \
             ON CONFLICT (school_id, group_id, date, start_time) DO UPDATE SET \
             period = excluded.period, end_time = excluded.end_time, \
             teacher_id = excluded.teacher_id, subject = excluded.subject",
            bulk_values(dialect, rows, 1, 7)
        ),
        Bulk::Registrations => format!(
            "INSERT INTO registrations (school_id, registered_at, student_id, lesson_id, date, \
             start_time, end_time, code, note, minutes_late) VALUES {}",
            bulk_values(dialect, rows, 2, 8)
        ),
        // A VALUES list names its columns column1, column2, …
        Bulk::RegistrationUpdates => format!(
            "UPDATE registrations SET code = v.column3, note = v.column4, minutes_late = v.column5 \
             FROM (VALUES {}) AS v WHERE registrations.school_id = v.column1 \
             AND registrations.id = v.column2",
            bulk_values(dialect, rows, 1, 4)
        ),
        Bulk::UpdateHistory => format!(
            "INSERT INTO registration_history (school_id, changed_at, changed_by_label, \
             registration_id, old_code, new_code, old_note, new_note) VALUES {}",
            bulk_values(dialect, rows, 3, 5)
        ),
    }
}

/// Rows per `UNNEST` statement on PostgreSQL (10 array parameters, whatever the row count).
const UNNEST_ROWS: usize = 10_000;

/// Writing registrations with their history rows in bulk: where the dialects differ most, so
/// one implementation per connection type. `write_batch` calls it on the transaction's
/// connection. The history rows carry the batch's `label` as who changed them.
///
/// Inserting (history none → code):
/// - PostgreSQL: `INSERT … SELECT FROM UNNEST($3::int8[], …)` inside a data-modifying CTE
///   whose `RETURNING` feeds the history insert: one statement per 10 000 rows.
/// - SQLite: multi-row `VALUES` of [`ROWS_PER_STATEMENT`] rows; SQLite has no INSERT in a
///   CTE, so the history rows are copied afterwards from the rows above the highest id seen
///   before. That is safe because the transaction began with `BEGIN IMMEDIATE`: it holds
///   SQLite's single write lock, so no one else adds registrations meanwhile.
///
/// Changing standing registrations (history old → new): PostgreSQL `UPDATE … FROM UNNEST`
/// in a CTE beside the history insert; SQLite `UPDATE … FROM (VALUES …)` and a multi-row
/// history insert per [`ROWS_PER_STATEMENT`] rows.
trait BulkRegistrations {
    fn insert_registrations(
        &mut self,
        school: i64,
        at: DateTime<Utc>,
        label: &str,
        rows: &[RegistrationValues<'_>],
    ) -> impl Future<Output = Result<()>> + Send;

    fn update_registrations(
        &mut self,
        school: i64,
        at: DateTime<Utc>,
        label: &str,
        rows: &[RegistrationUpdate<'_>],
    ) -> impl Future<Output = Result<()>> + Send;
}

/// A unique violation while inserting: another writer (a concurrent import) gave one of the
/// students a standing registration for the lesson in the meantime.
fn concurrent_standing(err: sqlx::Error) -> StoreError {
    unique_to_conflict(
        err,
        "les",
        "een leerling kreeg intussen al een registratie voor dezelfde les (gelijktijdige import); \
         importeer opnieuw",
    )
}

impl BulkRegistrations for sqlx::SqliteConnection {
    async fn insert_registrations(
        &mut self,
        school: i64,
        at: DateTime<Utc>,
        label: &str,
        rows: &[RegistrationValues<'_>],
    ) -> Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        let highest_before: i64 =
            sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM registrations")
                .fetch_one(&mut *self)
                .await?;
        let mut statements = Statements::new(Dialect::Sqlite);
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut q = sqlx::query(statements.get(Bulk::Registrations, chunk.len()));
            for v in chunk {
                q = q
                    .bind(school)
                    .bind(at)
                    .bind(v.student)
                    .bind(v.lesson)
                    .bind(v.date)
                    .bind(v.start)
                    .bind(v.end)
                    .bind(v.code)
                    .bind(v.note)
                    .bind(v.minutes_late);
            }
            q.execute(&mut *self).await.map_err(concurrent_standing)?;
        }
        sqlx::query(
            "INSERT INTO registration_history (school_id, registration_id, changed_at, \
             changed_by, old_code, new_code, old_note, new_note, changed_by_label) \
             SELECT school_id, id, registered_at, NULL, NULL, code, '', note, $3 \
             FROM registrations WHERE school_id = $1 AND id > $2",
        )
        .bind(school)
        .bind(highest_before)
        .bind(label)
        .execute(&mut *self)
        .await?;
        Ok(())
    }

    async fn update_registrations(
        &mut self,
        school: i64,
        at: DateTime<Utc>,
        label: &str,
        rows: &[RegistrationUpdate<'_>],
    ) -> Result<()> {
        let mut statements = Statements::new(Dialect::Sqlite);
        for chunk in rows.chunks(ROWS_PER_STATEMENT) {
            let mut q = sqlx::query(statements.get(Bulk::RegistrationUpdates, chunk.len()));
            for u in chunk {
                q = q
                    .bind(school)
                    .bind(u.id)
                    .bind(u.code)
                    .bind(u.note)
                    .bind(u.minutes_late);
            }
            q.execute(&mut *self).await?;
            let mut q = sqlx::query(statements.get(Bulk::UpdateHistory, chunk.len()));
            for u in chunk {
                q = q
                    .bind(school)
                    .bind(at)
                    .bind(label)
                    .bind(u.id)
                    .bind(u.old_code.as_str())
                    .bind(u.code)
                    .bind(u.old_note.as_str())
                    .bind(u.note);
            }
            q.execute(&mut *self).await?;
        }
        Ok(())
    }
}

impl BulkRegistrations for sqlx::PgConnection {
    async fn insert_registrations(
        &mut self,
        school: i64,
        at: DateTime<Utc>,
        label: &str,
        rows: &[RegistrationValues<'_>],
    ) -> Result<()> {
        for chunk in rows.chunks(UNNEST_ROWS) {
            sqlx::query(
                "WITH ins AS (INSERT INTO registrations (school_id, registered_at, student_id, lesson_id, \
                 date, start_time, end_time, code, note, minutes_late) \
                 SELECT $1, $2, * FROM UNNEST($3::int8[], $4::int8[], $5::date[], $6::time[], \
                 $7::time[], $8::text[], $9::text[], $10::int4[]) \
                 RETURNING id, code, note) \
                 INSERT INTO registration_history (school_id, registration_id, changed_at, changed_by, \
                 old_code, new_code, old_note, new_note, changed_by_label) \
                 SELECT $1, id, $2, NULL, NULL, code, '', note, $11 FROM ins",
            )
            .bind(school)
            .bind(at)
            .bind(chunk.iter().map(|v| v.student).collect::<Vec<_>>())
            .bind(chunk.iter().map(|v| v.lesson).collect::<Vec<_>>())
            .bind(chunk.iter().map(|v| v.date).collect::<Vec<_>>())
            .bind(chunk.iter().map(|v| v.start).collect::<Vec<_>>())
            .bind(chunk.iter().map(|v| v.end).collect::<Vec<_>>())
            .bind(chunk.iter().map(|v| v.code).collect::<Vec<_>>())
            .bind(chunk.iter().map(|v| v.note).collect::<Vec<_>>())
            .bind(chunk.iter().map(|v| v.minutes_late).collect::<Vec<_>>())
            .bind(label)
            .execute(&mut *self)
            .await
            .map_err(concurrent_standing)?;
        }
        Ok(())
    }

    async fn update_registrations(
        &mut self,
        school: i64,
        at: DateTime<Utc>,
        label: &str,
        rows: &[RegistrationUpdate<'_>],
    ) -> Result<()> {
        for chunk in rows.chunks(UNNEST_ROWS) {
            sqlx::query(
                "WITH u AS (SELECT * FROM UNNEST($4::int8[], $5::text[], $6::text[], $7::int4[], \
                 $8::text[], $9::text[]) AS u (id, code, note, minutes_late, old_code, old_note)), \
                 upd AS (UPDATE registrations r SET code = u.code, note = u.note, \
                 minutes_late = u.minutes_late FROM u WHERE r.school_id = $1 AND r.id = u.id) \
                 INSERT INTO registration_history (school_id, registration_id, changed_at, changed_by, \
                 old_code, new_code, old_note, new_note, changed_by_label) \
                 SELECT $1, u.id, $2, NULL, u.old_code, u.code, u.old_note, u.note, $3 FROM u",
            )
            .bind(school)
            .bind(at)
            .bind(label)
            .bind(chunk.iter().map(|u| u.id).collect::<Vec<_>>())
            .bind(chunk.iter().map(|u| u.code).collect::<Vec<_>>())
            .bind(chunk.iter().map(|u| u.note).collect::<Vec<_>>())
            .bind(chunk.iter().map(|u| u.minutes_late).collect::<Vec<_>>())
            .bind(chunk.iter().map(|u| u.old_code.as_str()).collect::<Vec<_>>())
            .bind(chunk.iter().map(|u| u.old_note.as_str()).collect::<Vec<_>>())
            .execute(&mut *self)
            .await?;
        }
        Ok(())
    }
}

/// The audit detail of an import: what it wrote, in Dutch.
fn import_detail(report: &BatchReport) -> String {
    let mut detail = format!(
        "import: {} klassen, {} medewerkers, {} leerlingen, {} lessen, {} registraties",
        report.groups, report.staff, report.students, report.lessons, report.registrations
    );
    if report.registrations_updated > 0 || report.registrations_skipped > 0 {
        detail.push_str(&format!(
            "; al aanwezig: {} registraties bijgewerkt, {} ongewijzigd overgeslagen",
            report.registrations_updated, report.registrations_skipped
        ));
    }
    detail
}

impl Store {
    /// Writes a batch (groups, staff, students, lessons, registrations keyed by natural keys)
    /// all or nothing, in one transaction:
    ///
    /// - groups are upserted by code; staff by username (a username of another school, or a
    ///   code taken by another staff member, is refused); students by student number;
    ///   lessons by (group, date, start time);
    /// - a registration is tied to the lesson of the student's group that starts at its date
    ///   and time (and takes the lesson's times), otherwise it is stored as a span; each new
    ///   one gets a history row (none → code);
    /// - importing the same registrations again does not double them: a student has at most
    ///   one standing registration per lesson, so a row for a lesson the student already has
    ///   one for changes it when code, note or minutes differ (history row old → new, by
    ///   `actor_label`) and is skipped when they are the same; a span with the same student,
    ///   date, start, end and code as a standing one is skipped (see `plan_registrations`);
    ///   [`BatchReport`] counts created, changed and skipped rows;
    /// - one audit row (`import`) says what was written.
    ///
    /// A row that refers to something unknown (group, teacher, mentor, student, code) or
    /// repeats a key of the batch rolls everything back and fails with
    /// [`StoreError::Batch`], naming the row's file and line and the column (as the import
    /// files name it: `leerlingnummer`, `klas`, `docent`, `mentor`, `code`, ...).
    pub async fn write_batch(
        &self,
        school: SchoolId,
        batch: &Batch,
        at: DateTime<Utc>,
        actor_label: &str,
    ) -> Result<BatchReport> {
        let groups = distinct_groups(&batch.groups);
        let mut report = BatchReport {
            groups: groups.len() as u64,
            staff: batch.staff.len() as u64,
            students: batch.students.len() as u64,
            lessons: batch.lessons.len() as u64,
            ..BatchReport::default()
        };
        let dialect = self.dialect();
        let mut statements = Statements::new(dialect);
        // SQLite's bulk statements repeat the shared values in every row (see `bulk_values`).
        let per_row_shared = dialect == Dialect::Sqlite;
        let started = std::time::Instant::now();
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            require_school(&mut *tx, school).await?;

            // Groups.
            for chunk in groups.chunks(ROWS_PER_STATEMENT) {
                let mut q = sqlx::query(statements.get(Bulk::Groups, chunk.len()));
                for (i, g) in chunk.iter().enumerate() {
                    if i == 0 || per_row_shared {
                        q = q.bind(school.0);
                    }
                    q = q.bind(g.code.trim()).bind(i16::from(g.year_level)).bind(g.location.trim());
                }
                q.execute(&mut *tx).await?;
            }
            let group_ids: HashMap<String, i64> =
                sqlx::query_as::<_, (String, i64)>("SELECT code, id FROM class_groups WHERE school_id = $1")
                    .bind(school.0)
                    .fetch_all(&mut *tx)
                    .await?
                    .into_iter()
                    .collect();

            // Staff: few rows, one at a time, so a refusal names its row.
            let existing: HashMap<String, i64> =
                sqlx::query_as::<_, (String, i64)>("SELECT username, id FROM staff WHERE school_id = $1")
                    .bind(school.0)
                    .fetch_all(&mut *tx)
                    .await?
                    .into_iter()
                    .collect();
            let mut seen_usernames: HashMap<&str, &Origin> = HashMap::new();
            let mut seen_codes: HashMap<&str, &Origin> = HashMap::new();
            for row in &batch.staff {
                let staff = &row.staff;
                staff.validate().map_err(|e| batch_error(&row.origin, &e.field, e.reason))?;
                let username = staff.username.trim();
                let code = staff.code.trim();
                if let Some(first) = seen_usernames.insert(username, &row.origin) {
                    return Err(batch_error(
                        &row.origin,
                        "gebruikersnaam",
                        format!("gebruikersnaam '{username}' staat ook op {}", line_of(first)),
                    ));
                }
                if let Some(first) = seen_codes.insert(code, &row.origin) {
                    return Err(batch_error(
                        &row.origin,
                        "code",
                        format!("docentcode '{code}' staat ook op {}", line_of(first)),
                    ));
                }
                let code_taken = |e: sqlx::Error| match &e {
                    sqlx::Error::Database(db) if db.is_unique_violation() => batch_error(
                        &row.origin,
                        "code",
                        format!("docentcode '{code}' is al van een andere medewerker van de school"),
                    ),
                    _ => StoreError::Database(e),
                };
                let id = if let Some(&id) = existing.get(username) {
                    sqlx::query(
                        "UPDATE staff SET name = $3, code = $4, password_hash = COALESCE($5, password_hash) \
                         WHERE school_id = $1 AND id = $2",
                    )
                    .bind(school.0)
                    .bind(id)
                    .bind(staff.name.trim())
                    .bind(code)
                    .bind(row.password_hash.as_deref())
                    .execute(&mut *tx)
                    .await
                    .map_err(code_taken)?;
                    sqlx::query("DELETE FROM staff_roles WHERE school_id = $1 AND staff_id = $2")
                        .bind(school.0)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    id
                } else {
                    let elsewhere: Option<i64> =
                        sqlx::query_scalar("SELECT school_id FROM staff WHERE username = $1")
                            .bind(username)
                            .fetch_optional(&mut *tx)
                            .await?;
                    if elsewhere.is_some() {
                        return Err(batch_error(
                            &row.origin,
                            "gebruikersnaam",
                            format!("gebruikersnaam '{username}' is al in gebruik bij een andere school"),
                        ));
                    }
                    sqlx::query_scalar::<_, i64>(
                        "INSERT INTO staff (school_id, username, name, code, password_hash) \
                         VALUES ($1, $2, $3, $4, $5) RETURNING id",
                    )
                    .bind(school.0)
                    .bind(username)
                    .bind(staff.name.trim())
                    .bind(code)
                    .bind(row.password_hash.as_deref())
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(code_taken)?
                };
                for role in &staff.roles {
                    sqlx::query(
                        "INSERT INTO staff_roles (school_id, staff_id, role) VALUES ($1, $2, $3) \
                         ON CONFLICT (staff_id, role) DO NOTHING",
                    )
                    .bind(school.0)
                    .bind(id)
                    .bind(role.code())
                    .execute(&mut *tx)
                    .await?;
                }
            }
            let staff_codes: HashMap<String, i64> =
                sqlx::query_as::<_, (String, i64)>("SELECT code, id FROM staff WHERE school_id = $1")
                    .bind(school.0)
                    .fetch_all(&mut *tx)
                    .await?
                    .into_iter()
                    .collect();

            // Students.
            let students = resolve_students(&batch.students, &group_ids, &staff_codes)?;
            for chunk in students.chunks(ROWS_PER_STATEMENT) {
                let mut q = sqlx::query(statements.get(Bulk::Students, chunk.len()));
                for (i, v) in chunk.iter().enumerate() {
                    if i == 0 || per_row_shared {
                        q = q.bind(school.0);
                    }
                    let s = &v.row.student;
                    q = q
                        .bind(s.student_number.trim())
                        .bind(s.personal_number.as_str())
                        .bind(s.first_name.trim())
                        .bind(s.name_prefix.trim())
                        .bind(s.last_name.trim())
                        .bind(s.birth_date)
                        .bind(s.residence.as_ref().map(|r| r.as_str()))
                        .bind(s.enrolled_from)
                        .bind(s.enrolled_until)
                        .bind(s.start_qualification)
                        .bind(v.group)
                        .bind(v.mentor);
                }
                q.execute(&mut *tx).await?;
            }

            // Lessons.
            let lessons = resolve_lessons(&batch.lessons, &group_ids, &staff_codes)?;
            for chunk in lessons.chunks(ROWS_PER_STATEMENT) {
                let mut q = sqlx::query(statements.get(Bulk::Lessons, chunk.len()));
                for (i, v) in chunk.iter().enumerate() {
                    if i == 0 || per_row_shared {
                        q = q.bind(school.0);
                    }
                    q = q
                        .bind(v.row.date)
                        .bind(i16::from(v.row.period))
                        .bind(v.row.start)
                        .bind(v.row.end)
                        .bind(v.group)
                        .bind(v.teacher)
                        .bind(v.row.subject.trim());
                }
                q.execute(&mut *tx).await?;
            }

            // Registrations.
            if !batch.registrations.is_empty() {
                let student_ids: HashMap<String, (i64, Option<i64>)> =
                    sqlx::query_as::<_, (String, i64, Option<i64>)>(
                        "SELECT student_number, id, group_id FROM students WHERE school_id = $1",
                    )
                    .bind(school.0)
                    .fetch_all(&mut *tx)
                    .await?
                    .into_iter()
                    .map(|(number, id, group)| (number, (id, group)))
                    .collect();
                let from = batch.registrations.iter().map(|r| r.date).min().unwrap_or_default();
                let to = batch.registrations.iter().map(|r| r.date).max().unwrap_or_default();
                let lesson_ids: HashMap<(i64, NaiveDate, NaiveTime), (i64, NaiveTime)> =
                    sqlx::query_as::<_, (i64, NaiveDate, NaiveTime, i64, NaiveTime)>(
                        "SELECT group_id, date, start_time, id, end_time FROM lessons \
                         WHERE school_id = $1 AND date >= $2 AND date <= $3",
                    )
                    .bind(school.0)
                    .bind(from)
                    .bind(to)
                    .fetch_all(&mut *tx)
                    .await?
                    .into_iter()
                    .map(|(group, date, start, id, end)| ((group, date, start), (id, end)))
                    .collect();
                let codes: HashSet<String> =
                    sqlx::query_scalar("SELECT code FROM absence_codes WHERE school_id = $1")
                        .bind(school.0)
                        .fetch_all(&mut *tx)
                        .await?
                        .into_iter()
                        .collect();
                let registrations =
                    resolve_registrations(&batch.registrations, &student_ids, &lesson_ids, &codes)?;
                // What is already there, to compare with (nothing, for a first import). The
                // lesson rows leave their times out: the lesson has them, and parsing a million
                // of them costs seconds on SQLite.
                let lessons_standing = sqlx::query_as::<_, StandingLessonRec>(
                    "SELECT id, student_id, lesson_id, code, note, minutes_late FROM registrations \
                     WHERE school_id = $1 AND date >= $2 AND date <= $3 AND withdrawn = FALSE \
                     AND lesson_id IS NOT NULL",
                )
                .bind(school.0)
                .bind(from)
                .bind(to)
                .fetch_all(&mut *tx)
                .await?;
                let spans_standing = sqlx::query_as::<_, StandingSpanRec>(
                    "SELECT student_id, date, start_time, end_time, code FROM registrations \
                     WHERE school_id = $1 AND date >= $2 AND date <= $3 AND withdrawn = FALSE \
                     AND lesson_id IS NULL",
                )
                .bind(school.0)
                .bind(from)
                .bind(to)
                .fetch_all(&mut *tx)
                .await?;
                let standing = Standing::new(lessons_standing, spans_standing);
                let plan = plan_registrations(registrations, &standing)?;
                drop(standing);
                report.registrations = plan.new.len() as u64;
                report.registrations_updated = plan.updates.len() as u64;
                report.registrations_skipped = plan.skipped;

                BulkRegistrations::insert_registrations(&mut *tx, school.0, at, actor_label, &plan.new)
                    .await?;
                BulkRegistrations::update_registrations(&mut *tx, school.0, at, actor_label, &plan.updates)
                    .await?;
            }

            // One audit row for the whole import.
            sqlx::query(
                "INSERT INTO audit_log (school_id, at, actor_id, actor_label, student_id, action, detail) \
                 VALUES ($1, $2, NULL, $3, NULL, $4, $5)",
            )
            .bind(school.0)
            .bind(at)
            .bind(actor_label)
            .bind(AuditAction::Import.code())
            .bind(import_detail(&report))
            .execute(&mut *tx)
            .await?;
            tx.commit().await?;
        });
        tracing::info!(
            school = school.0,
            dialect = dialect.name(),
            registrations = report.registrations,
            registrations_updated = report.registrations_updated,
            registrations_skipped = report.registrations_skipped,
            elapsed_ms = started.elapsed().as_millis() as u64,
            "batch written"
        );
        Ok(report)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(line: u64) -> Origin {
        Origin {
            file: "registraties.csv".into(),
            line,
        }
    }

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn d(day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, day).unwrap()
    }

    fn reg(number: &str, start: NaiveTime, code: &str, line: u64) -> BatchRegistration {
        BatchRegistration {
            student_number: number.into(),
            date: d(23),
            start,
            end: t(10, 0),
            code: code.into(),
            note: String::new(),
            minutes_late: None,
            origin: origin(line),
        }
    }

    #[test]
    fn registration_is_tied_to_the_lesson_of_the_students_group_or_else_a_span() {
        let students = HashMap::from([
            ("1001".to_owned(), (7, Some(3))),
            ("1002".to_owned(), (8, None)),
        ]);
        let lessons = HashMap::from([((3, d(23), t(8, 30)), (42, t(9, 20)))]);
        let codes = HashSet::from(["ON".to_owned()]);
        let rows = [
            reg("1001", t(8, 30), "ON", 2),
            reg("1002", t(8, 30), "ON", 3),
            reg("1001", t(9, 0), "ON", 4),
        ];
        let out = resolve_registrations(&rows, &students, &lessons, &codes).unwrap();
        assert_eq!((out[0].lesson, out[0].end), (Some(42), t(9, 20)));
        assert_eq!((out[1].lesson, out[1].end), (None, t(10, 0)));
        assert_eq!((out[2].lesson, out[2].end), (None, t(10, 0)));
    }

    #[test]
    fn unknown_student_or_code_names_the_line_and_column() {
        let students = HashMap::from([("1001".to_owned(), (7, None))]);
        let codes = HashSet::from(["ON".to_owned()]);
        let err = resolve_registrations(
            &[reg("9999", t(8, 30), "ON", 5)],
            &students,
            &HashMap::new(),
            &codes,
        )
        .unwrap_err();
        match err {
            StoreError::Batch { origin, column, .. } => {
                assert_eq!((origin.line, column.as_str()), (5, "leerlingnummer"))
            }
            other => panic!("{other}"),
        }
        let err = resolve_registrations(
            &[reg("1001", t(8, 30), "XX", 6)],
            &students,
            &HashMap::new(),
            &codes,
        )
        .unwrap_err();
        assert!(
            matches!(err, StoreError::Batch { ref column, .. } if column == "code"),
            "{err}"
        );
        assert_eq!(
            err.to_string(),
            "registraties.csv:6: code: 'XX' staat niet in de codetabel van de school"
        );
    }

    #[test]
    fn repeated_group_codes_keep_the_last_row_in_first_position() {
        let g = |code: &str, year: u8| Group {
            code: code.into(),
            year_level: year,
            location: "00".into(),
        };
        let groups = [g("1A", 1), g("2B", 2), g("1A", 3)];
        let out = distinct_groups(&groups);
        assert_eq!(out.len(), 2);
        assert_eq!((out[0].code.as_str(), out[0].year_level), ("1A", 3));
    }

    #[test]
    fn bulk_statements_share_the_school_on_postgres_and_repeat_it_on_sqlite() {
        let pg = build_statement(Dialect::Postgres, Bulk::Lessons, 2);
        assert!(
            pg.contains("VALUES ($1, $2, $3, $4, $5, $6, $7, $8), ($1, $9,"),
            "{pg}"
        );
        let lite = build_statement(Dialect::Sqlite, Bulk::Registrations, 2);
        assert!(
            lite.ends_with("VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?), (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
            "{lite}"
        );
    }
}
