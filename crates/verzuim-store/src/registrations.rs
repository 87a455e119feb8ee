//! Registrations, their change history, and the audit rows written with every change.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use verzuim_domain::{
    LessonId, Registration, RegistrationId, RegistrationTarget, StaffId, StudentId,
};

use crate::rows::{HistoryRec, RegistrationRec, registration_select};
use crate::sql::unique_to_conflict;
use crate::{AuditAction, HistoryRow, RegistrationRow, Result, SchoolId, Store, StoreError};

/// How a code reads in an audit detail: the code, or "(ingetrokken)" when withdrawn.
fn code_label(code: Option<&str>) -> &str {
    code.unwrap_or("(ingetrokken)")
}

fn not_found(what: String) -> StoreError {
    StoreError::NotFound { what }
}

fn unknown_code(code: &str) -> StoreError {
    StoreError::Conflict {
        field: "code".to_owned(),
        reason: format!("'{code}' staat niet in de codetabel van de school"),
    }
}

/// What a change does with the minutes late.
enum MinutesLate {
    /// Leave them as they are.
    Keep,
    /// Set them (`None` clears).
    Set(Option<u16>),
}

/// One change of an existing registration, as the writer takes it.
struct Change<'a> {
    id: RegistrationId,
    new_code: Option<&'a str>,
    new_note: &'a str,
    minutes: MinutesLate,
}

/// One edit of a person's batch of registrations ([`Store::save_registrations`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RegistrationEdit {
    /// Records a new registration, registered by the saving staff member at the save's time.
    Record {
        /// The student.
        student: StudentId,
        /// Lesson or time span.
        target: RegistrationTarget,
        /// Code from the school's table.
        code: String,
        /// Note; may be empty.
        note: String,
        /// Minutes late, for late arrivals.
        minutes_late: Option<u16>,
    },
    /// Changes a registration's code, note and minutes late; `code` `None` withdraws it (the
    /// student was present after all).
    Change {
        /// The registration.
        id: RegistrationId,
        /// The new code, or `None` to withdraw.
        code: Option<String>,
        /// The new note.
        note: String,
        /// The new minutes late (`None` clears them).
        minutes_late: Option<u16>,
    },
}

#[derive(sqlx::FromRow)]
struct CurrentRec {
    student_id: i64,
    code: String,
    note: String,
    withdrawn: bool,
}

/// The unique index on a lesson's standing registrations refused a second one.
fn second_standing(err: sqlx::Error) -> StoreError {
    unique_to_conflict(
        err,
        "les",
        "de leerling heeft voor deze les al een registratie; laad de les opnieuw en wijzig die",
    )
}

/// Writing one registration or one change, with its history and audit rows, on a connection
/// inside the caller's transaction. One body, compiled once per driver (like `with_pool!`),
/// so that a single write and a form's batch of writes share it.
trait RegistrationWriter {
    /// Checks and inserts a registration; returns its id.
    fn record(
        &mut self,
        school: SchoolId,
        registration: &Registration,
        actor_label: &str,
    ) -> impl Future<Output = Result<i64>> + Send;

    /// Checks and applies a change.
    fn change(
        &mut self,
        school: SchoolId,
        change: &Change<'_>,
        actor: StaffId,
        actor_label: &str,
        at: DateTime<Utc>,
    ) -> impl Future<Output = Result<()>> + Send;
}

macro_rules! registration_writer {
    ($conn:ty) => {
        impl RegistrationWriter for $conn {
            async fn record(
                &mut self,
                school: SchoolId,
                registration: &Registration,
                actor_label: &str,
            ) -> Result<i64> {
                registration
                    .target
                    .validate()
                    .map_err(|e| StoreError::Conflict {
                        field: e.field,
                        reason: e.reason,
                    })?;
                let code = registration.code.trim();
                let minutes_late = registration.minutes_late.map(i32::from);
                let actor = registration.registered_by.map(|s| s.0);
                let student: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM students WHERE school_id = $1 AND id = $2")
                        .bind(school.0)
                        .bind(registration.student.0)
                        .fetch_optional(&mut *self)
                        .await?;
                if student.is_none() {
                    return Err(not_found(format!("leerling {}", registration.student.0)));
                }
                let (lesson, date, start, end): (Option<i64>, NaiveDate, NaiveTime, NaiveTime) =
                    match &registration.target {
                        RegistrationTarget::Lesson { lesson } => {
                            let times: Option<(NaiveDate, NaiveTime, NaiveTime)> = sqlx::query_as(
                                "SELECT date, start_time, end_time FROM lessons \
                                 WHERE school_id = $1 AND id = $2",
                            )
                            .bind(school.0)
                            .bind(lesson.0)
                            .fetch_optional(&mut *self)
                            .await?;
                            let (date, start, end) =
                                times.ok_or_else(|| not_found(format!("les {}", lesson.0)))?;
                            (Some(lesson.0), date, start, end)
                        }
                        RegistrationTarget::Span { date, start, end } => {
                            (None, *date, *start, *end)
                        }
                    };
                self.require_code_in(school, code).await?;
                if let Some(staff) = actor {
                    self.require_staff_in(school, staff).await?;
                }
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO registrations (school_id, student_id, lesson_id, date, start_time, \
                     end_time, code, note, minutes_late, registered_by, registered_at, withdrawn) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, FALSE) RETURNING id",
                )
                .bind(school.0)
                .bind(registration.student.0)
                .bind(lesson)
                .bind(date)
                .bind(start)
                .bind(end)
                .bind(code)
                .bind(&registration.note)
                .bind(minutes_late)
                .bind(actor)
                .bind(registration.registered_at)
                .fetch_one(&mut *self)
                .await
                .map_err(second_standing)?;
                sqlx::query(
                    "INSERT INTO registration_history (school_id, registration_id, changed_at, \
                     changed_by, old_code, new_code, old_note, new_note, changed_by_label) \
                     VALUES ($1, $2, $3, $4, NULL, $5, '', $6, $7)",
                )
                .bind(school.0)
                .bind(id)
                .bind(registration.registered_at)
                .bind(actor)
                .bind(code)
                .bind(&registration.note)
                .bind(actor_label)
                .execute(&mut *self)
                .await?;
                sqlx::query(
                    "INSERT INTO audit_log (school_id, at, actor_id, actor_label, student_id, \
                     action, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(school.0)
                .bind(registration.registered_at)
                .bind(actor)
                .bind(actor_label)
                .bind(registration.student.0)
                .bind(AuditAction::Create.code())
                .bind(format!("registratie {id}: {code}"))
                .execute(&mut *self)
                .await?;
                Ok(id)
            }

            async fn change(
                &mut self,
                school: SchoolId,
                change: &Change<'_>,
                actor: StaffId,
                actor_label: &str,
                at: DateTime<Utc>,
            ) -> Result<()> {
                let id = change.id;
                let new_code = change.new_code.map(str::trim);
                let (set_minutes, minutes) = match change.minutes {
                    MinutesLate::Keep => (false, None),
                    MinutesLate::Set(m) => (true, m.map(i32::from)),
                };
                let current: Option<CurrentRec> = sqlx::query_as(
                    "SELECT student_id, code, note, withdrawn FROM registrations \
                     WHERE school_id = $1 AND id = $2",
                )
                .bind(school.0)
                .bind(id.0)
                .fetch_optional(&mut *self)
                .await?;
                let current = current.ok_or_else(|| not_found(format!("registratie {}", id.0)))?;
                self.require_staff_in(school, actor.0).await?;
                if let Some(code) = new_code {
                    self.require_code_in(school, code).await?;
                }
                let old_code = (!current.withdrawn).then_some(current.code.as_str());
                sqlx::query(
                    "UPDATE registrations SET code = COALESCE($3, code), note = $4, withdrawn = $5, \
                     minutes_late = CASE WHEN $6 THEN $7 ELSE minutes_late END \
                     WHERE school_id = $1 AND id = $2",
                )
                .bind(school.0)
                .bind(id.0)
                .bind(new_code)
                .bind(change.new_note)
                .bind(new_code.is_none())
                .bind(set_minutes)
                .bind(minutes)
                .execute(&mut *self)
                .await
                .map_err(second_standing)?;
                sqlx::query(
                    "INSERT INTO registration_history (school_id, registration_id, changed_at, \
                     changed_by, old_code, new_code, old_note, new_note, changed_by_label) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                )
                .bind(school.0)
                .bind(id.0)
                .bind(at)
                .bind(actor.0)
                .bind(old_code)
                .bind(new_code)
                .bind(&current.note)
                .bind(change.new_note)
                .bind(actor_label)
                .execute(&mut *self)
                .await?;
                sqlx::query(
                    "INSERT INTO audit_log (school_id, at, actor_id, actor_label, student_id, \
                     action, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(school.0)
                .bind(at)
                .bind(actor.0)
                .bind(actor_label)
                .bind(current.student_id)
                .bind(AuditAction::Update.code())
                .bind(format!(
                    "registratie {}: {} → {}",
                    id.0,
                    code_label(old_code),
                    code_label(new_code)
                ))
                .execute(&mut *self)
                .await?;
                Ok(())
            }
        }

        impl RequireRefs for $conn {
            async fn require_code_in(&mut self, school: SchoolId, code: &str) -> Result<()> {
                let known: Option<String> = sqlx::query_scalar(
                    "SELECT code FROM absence_codes WHERE school_id = $1 AND code = $2",
                )
                .bind(school.0)
                .bind(code)
                .fetch_optional(&mut *self)
                .await?;
                match known {
                    Some(_) => Ok(()),
                    None => Err(unknown_code(code)),
                }
            }

            async fn require_staff_in(&mut self, school: SchoolId, staff: i64) -> Result<()> {
                let found: Option<i64> =
                    sqlx::query_scalar("SELECT id FROM staff WHERE school_id = $1 AND id = $2")
                        .bind(school.0)
                        .bind(staff)
                        .fetch_optional(&mut *self)
                        .await?;
                match found {
                    Some(_) => Ok(()),
                    None => Err(not_found(format!("medewerker {staff}"))),
                }
            }
        }
    };
}

/// The reference checks the writer makes before it writes.
trait RequireRefs {
    /// The code is in the school's table ([`StoreError::Conflict`] on `code`).
    fn require_code_in(
        &mut self,
        school: SchoolId,
        code: &str,
    ) -> impl Future<Output = Result<()>> + Send;

    /// The staff member is of the school ([`StoreError::NotFound`]).
    fn require_staff_in(
        &mut self,
        school: SchoolId,
        staff: i64,
    ) -> impl Future<Output = Result<()>> + Send;
}

registration_writer!(sqlx::SqliteConnection);
registration_writer!(sqlx::PgConnection);

impl Store {
    /// All registrations of a student, newest first; withdrawn ones included and flagged.
    pub async fn registrations_of_student(
        &self,
        school: SchoolId,
        student: StudentId,
    ) -> Result<Vec<RegistrationRow>> {
        let recs: Vec<RegistrationRec> = with_pool!(self, pool => {
            sqlx::query_as(concat!(
                registration_select!(),
                " WHERE r.school_id = $1 AND r.student_id = $2 \
                 ORDER BY r.date DESC, r.start_time DESC, r.id DESC"
            ))
            .bind(school.0)
            .bind(student.0)
            .fetch_all(pool)
            .await?
        });
        recs.into_iter().map(RegistrationRec::into_row).collect()
    }

    /// The standing registrations tied to a lesson (withdrawn ones left out; at most one per
    /// student), in the order they were made.
    pub async fn registrations_for_lesson(
        &self,
        school: SchoolId,
        lesson: LessonId,
    ) -> Result<Vec<RegistrationRow>> {
        let recs: Vec<RegistrationRec> = with_pool!(self, pool => {
            sqlx::query_as(concat!(
                registration_select!(),
                " WHERE r.school_id = $1 AND r.lesson_id = $2 AND NOT r.withdrawn ORDER BY r.id"
            ))
            .bind(school.0)
            .bind(lesson.0)
            .fetch_all(pool)
            .await?
        });
        recs.into_iter().map(RegistrationRec::into_row).collect()
    }

    /// The school's standing registrations (withdrawn ones left out) dated `from` to `to`
    /// inclusive, by date, start time and student.
    pub async fn registrations_between(
        &self,
        school: SchoolId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<RegistrationRow>> {
        let recs: Vec<RegistrationRec> = with_pool!(self, pool => {
            sqlx::query_as(concat!(
                registration_select!(),
                " WHERE r.school_id = $1 AND r.date >= $2 AND r.date <= $3 AND NOT r.withdrawn \
                 ORDER BY r.date, r.start_time, r.student_id, r.id"
            ))
            .bind(school.0)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        recs.into_iter().map(RegistrationRec::into_row).collect()
    }

    /// The standing registrations of one student dated `from` to `to` inclusive, by date and
    /// start time.
    pub async fn registrations_of_student_between(
        &self,
        school: SchoolId,
        student: StudentId,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<RegistrationRow>> {
        let recs: Vec<RegistrationRec> = with_pool!(self, pool => {
            sqlx::query_as(concat!(
                registration_select!(),
                " WHERE r.school_id = $1 AND r.student_id = $2 AND r.date >= $3 AND r.date <= $4 \
                 AND NOT r.withdrawn ORDER BY r.date, r.start_time, r.id"
            ))
            .bind(school.0)
            .bind(student.0)
            .bind(from)
            .bind(to)
            .fetch_all(pool)
            .await?
        });
        recs.into_iter().map(RegistrationRec::into_row).collect()
    }

    /// Records a registration made by a person (or the system when `registered_by` is
    /// `None`), with its history row (none → code) and an audit row (`create`), in one
    /// transaction. The student, lesson and registering staff member must be of the school
    /// ([`StoreError::NotFound`]); the code must be in the school's table
    /// ([`StoreError::Conflict`] on `code`); a student has at most one standing registration
    /// per lesson ([`StoreError::Conflict`] on `les`: change that one instead).
    pub async fn record_registration(
        &self,
        school: SchoolId,
        registration: &Registration,
        actor_label: &str,
    ) -> Result<RegistrationId> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let id = RegistrationWriter::record(&mut *tx, school, registration, actor_label).await?;
            tx.commit().await?;
            Ok(RegistrationId(id))
        })
    }

    /// Changes a registration's code and note, or withdraws it (`new_code` `None`: the student
    /// was there after all; the row stays, flagged). Writes the history row (old → new) and an
    /// audit row (`update`, e.g. "registratie 12: ON → SP") in the same transaction. The
    /// registration and `actor` must be of the school ([`StoreError::NotFound`]); a new code
    /// must be in the school's table ([`StoreError::Conflict`] on `code`).
    /// A `Some(code)` on a withdrawn registration revives it, unless the student has another
    /// standing registration for the lesson by now ([`StoreError::Conflict`] on `les`).
    /// Minutes late are kept as they are; [`Store::change_registration_with_minutes`] sets
    /// them too.
    #[allow(clippy::too_many_arguments)]
    pub async fn change_registration(
        &self,
        school: SchoolId,
        id: RegistrationId,
        new_code: Option<&str>,
        new_note: &str,
        actor: StaffId,
        actor_label: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        let change = Change {
            id,
            new_code,
            new_note,
            minutes: MinutesLate::Keep,
        };
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            RegistrationWriter::change(&mut *tx, school, &change, actor, actor_label, at).await?;
            tx.commit().await?;
            Ok(())
        })
    }

    /// Like [`Store::change_registration`], also setting the minutes late (for a change to
    /// a late-arrival code such as `TO`; `None` clears them).
    #[allow(clippy::too_many_arguments)]
    pub async fn change_registration_with_minutes(
        &self,
        school: SchoolId,
        id: RegistrationId,
        new_code: Option<&str>,
        new_note: &str,
        new_minutes_late: Option<u16>,
        actor: StaffId,
        actor_label: &str,
        at: DateTime<Utc>,
    ) -> Result<()> {
        self.save_registrations(
            school,
            &[RegistrationEdit::Change {
                id,
                code: new_code.map(str::to_owned),
                note: new_note.to_owned(),
                minutes_late: new_minutes_late,
            }],
            actor,
            actor_label,
            at,
        )
        .await
        .map(|_| ())
    }

    /// Records and changes several registrations by one person (a whole lesson form) in ONE
    /// transaction: every edit is checked and written as [`Store::record_registration`] and
    /// [`Store::change_registration_with_minutes`] do it, each with its history and audit row,
    /// and when one is refused nothing is written. Returns the id of each edit's registration,
    /// in the order of `edits`.
    pub async fn save_registrations(
        &self,
        school: SchoolId,
        edits: &[RegistrationEdit],
        actor: StaffId,
        actor_label: &str,
        at: DateTime<Utc>,
    ) -> Result<Vec<RegistrationId>> {
        if edits.is_empty() {
            return Ok(Vec::new());
        }
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let mut ids = Vec::with_capacity(edits.len());
            for edit in edits {
                let id = match edit {
                    RegistrationEdit::Record { student, target, code, note, minutes_late } => {
                        let registration = Registration {
                            student: *student,
                            target: target.clone(),
                            code: code.clone(),
                            registered_by: Some(actor),
                            registered_at: at,
                            note: note.clone(),
                            minutes_late: *minutes_late,
                        };
                        RegistrationId(
                            RegistrationWriter::record(&mut *tx, school, &registration, actor_label).await?,
                        )
                    }
                    RegistrationEdit::Change { id, code, note, minutes_late } => {
                        let change = Change {
                            id: *id,
                            new_code: code.as_deref(),
                            new_note: note,
                            minutes: MinutesLate::Set(*minutes_late),
                        };
                        RegistrationWriter::change(&mut *tx, school, &change, actor, actor_label, at).await?;
                        *id
                    }
                };
                ids.push(id);
            }
            tx.commit().await?;
            Ok(ids)
        })
    }

    /// The standing span registrations (a sick report from reception, a dentist visit) of the
    /// students of a lesson's group that overlap the lesson: on its date, starting before it
    /// ends and ending after it starts. By student, start time and id. An unknown lesson (or
    /// one of another school) has none.
    pub async fn spans_overlapping_lesson(
        &self,
        school: SchoolId,
        lesson: LessonId,
    ) -> Result<Vec<RegistrationRow>> {
        let recs: Vec<RegistrationRec> = with_pool!(self, pool => {
            sqlx::query_as(concat!(
                registration_select!(),
                " JOIN lessons x ON x.school_id = r.school_id AND x.id = $2 \
                 JOIN students s ON s.school_id = r.school_id AND s.id = r.student_id \
                 AND s.group_id = x.group_id \
                 WHERE r.school_id = $1 AND r.lesson_id IS NULL AND r.date = x.date \
                 AND r.start_time < x.end_time AND r.end_time > x.start_time AND NOT r.withdrawn \
                 ORDER BY r.student_id, r.start_time, r.id"
            ))
            .bind(school.0)
            .bind(lesson.0)
            .fetch_all(pool)
            .await?
        });
        recs.into_iter().map(RegistrationRec::into_row).collect()
    }

    /// Every change of every registration of a student, newest first, with the name of who
    /// made it ("import" when nobody did).
    pub async fn history_of_student(
        &self,
        school: SchoolId,
        student: StudentId,
    ) -> Result<Vec<HistoryRow>> {
        let recs: Vec<HistoryRec> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT h.registration_id, h.changed_at, h.changed_by, h.old_code, h.new_code, \
                 h.old_note, h.new_note, h.changed_by_label, c.name AS changed_by_name, r.date \
                 FROM registration_history h \
                 JOIN registrations r ON r.school_id = h.school_id AND r.id = h.registration_id \
                 LEFT JOIN staff c ON c.school_id = h.school_id AND c.id = h.changed_by \
                 WHERE h.school_id = $1 AND r.student_id = $2 \
                 ORDER BY h.changed_at DESC, h.id DESC",
            )
            .bind(school.0)
            .bind(student.0)
            .fetch_all(pool)
            .await?
        });
        Ok(recs.into_iter().map(HistoryRec::into_row).collect())
    }
}
