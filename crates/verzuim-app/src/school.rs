//! The school face's use cases: logging in and out, the student list and page, today's
//! lessons and registering per lesson (seed 004 §4: "Begin van iedere les — docent registreert
//! absenten en laatkomers").
//!
//! Every use case takes an [`Actor`], which only [`App::login`]/[`App::current_user`] (or
//! [`Actor::trusted`] for the CLI) produce, and is scoped to the actor's school: another
//! school's student or lesson is [`SchoolError::NotFound`], never "forbidden", so ids do not
//! leak across tenants.
//!
//! Who sees which students: every school role except the plain docent sees all students of
//! the school ([`SchoolRole::sees_all_students`]). A staff member who is only a docent sees the
//! students of the groups they teach (any lesson on the timetable with them as teacher), and
//! opens only lessons of those groups (their own, or a colleague's with the same group, e.g. as
//! substitute).
//!
//! No clock here: callers pass `now` (and `date`) in.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use verzuim_auth::{LoginThrottle, SessionToken};
use verzuim_domain::{
    AbsenceKind, CodeTable, GroupId, LessonId, RegistrationTarget, SchoolRole, StaffId, StudentId,
    ValidationError,
};
use verzuim_store::{
    AuditAction, AuditEntry, GroupRow, HistoryRow, LessonRow, RegistrationEdit, RegistrationRow,
    SchoolId, SessionRow, StaffRow, StoreError, StudentQuery, StudentRow,
};

use crate::App;

/// How long a login session lasts.
pub const SESSION_HOURS: i64 = 8;
/// Students per page of the student list.
pub const STUDENTS_PER_PAGE: i64 = 25;

/// What went wrong in a school use case.
#[derive(Debug, thiserror::Error)]
pub enum SchoolError {
    /// Unknown username, no password set, or a wrong password (deliberately not told apart).
    #[error("gebruikersnaam of wachtwoord klopt niet")]
    BadCredentials,
    /// Too many failed logins for this username recently.
    #[error("te veel mislukte pogingen; probeer het over {minutes} minuten opnieuw")]
    Throttled {
        /// Minutes of the throttle window.
        minutes: i64,
    },
    /// The student, lesson, ... does not exist in the actor's school or is out of their sight.
    #[error("{what} niet gevonden")]
    NotFound {
        /// What was looked for, in Dutch.
        what: String,
    },
    /// A value the person entered is not accepted.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// Several rows of a lesson form were refused; nothing was saved.
    #[error("{} regel(s) van het formulier kloppen niet; er is niets opgeslagen", .0.len())]
    InvalidRows(BTreeMap<StudentId, ValidationError>),
    /// What was saved conflicts with what is stored by now (e.g. someone else registered the
    /// same student for the lesson meanwhile); nothing was saved.
    #[error("{field}: {reason}")]
    Conflict {
        /// The field.
        field: String,
        /// Why, in Dutch.
        reason: String,
    },
    /// The store failed.
    #[error(transparent)]
    Store(StoreError),
    /// Hashing or checking a password failed.
    #[error(transparent)]
    Auth(#[from] verzuim_auth::AuthError),
    /// A background task failed.
    #[error("interne fout: {0}")]
    Internal(String),
}

impl From<StoreError> for SchoolError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what } => Self::NotFound { what },
            StoreError::Conflict { field, reason } => Self::Conflict { field, reason },
            other => Self::Store(other),
        }
    }
}

/// Result of a school use case.
pub type Result<T> = std::result::Result<T, SchoolError>;

fn not_found(what: &str) -> SchoolError {
    SchoolError::NotFound {
        what: what.to_owned(),
    }
}

/// A staff member acting in the application: the capability every use case asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    staff: StaffRow,
}

impl Actor {
    /// An actor for a staff member the caller has authenticated by other means (the CLI run
    /// by an administrator on the server, tests).
    pub fn trusted(staff: StaffRow) -> Self {
        Self { staff }
    }

    /// The stored staff member.
    pub fn staff(&self) -> &StaffRow {
        &self.staff
    }

    /// The actor's school (tenant).
    pub fn school(&self) -> SchoolId {
        self.staff.school
    }

    /// The actor's staff id.
    pub fn id(&self) -> StaffId {
        self.staff.id
    }

    /// Display name.
    pub fn name(&self) -> &str {
        &self.staff.staff.name
    }

    /// Label written in audit and history rows (the username).
    pub fn label(&self) -> &str {
        &self.staff.staff.username
    }

    /// Whether the actor holds `role`.
    pub fn has_role(&self, role: SchoolRole) -> bool {
        self.staff.staff.has_role(role)
    }

    /// Whether any of the actor's roles sees every student of the school.
    pub fn sees_all_students(&self) -> bool {
        self.staff.staff.roles.iter().any(|r| r.sees_all_students())
    }
}

/// A session just created by [`App::login`]: the secret goes into the cookie.
#[derive(Clone, PartialEq, Eq)]
pub struct NewSession {
    /// Session token for the cookie (only its hash is stored).
    pub token: String,
    /// CSRF token of the session.
    pub csrf_token: String,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
    /// Who logged in.
    pub actor: Actor,
}

impl std::fmt::Debug for NewSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewSession")
            .field("token", &"[verborgen]")
            .field("expires_at", &self.expires_at)
            .field("actor", &self.actor.label())
            .finish()
    }
}

/// A valid session looked up by its token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedIn {
    /// Who is logged in.
    pub actor: Actor,
    /// The session's CSRF token, which every form must send back.
    pub csrf_token: String,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
}

/// Filter and page for the student list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StudentListQuery {
    /// Part of the name or student number; empty lists all.
    pub search: String,
    /// Only this group.
    pub group: Option<GroupId>,
    /// Page, 1-based.
    pub page: i64,
}

/// One page of the student list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentList {
    /// The students on this page.
    pub students: Vec<StudentRow>,
    /// Students matching the filter in total.
    pub total: i64,
    /// This page, 1-based.
    pub page: i64,
    /// Number of pages (at least 1).
    pub pages: i64,
    /// Groups the actor may filter on.
    pub groups: Vec<GroupRow>,
}

/// Everything the student page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StudentPage {
    /// The student.
    pub student: StudentRow,
    /// Registrations, newest first.
    pub registrations: Vec<RegistrationRow>,
    /// Changes of the student's registrations, newest first.
    pub history: Vec<HistoryRow>,
    /// The school's code table, for descriptions.
    pub codes: CodeTable,
}

/// One student on a lesson page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonStudent {
    /// The student.
    pub student: StudentRow,
    /// The student's registration for this lesson, if any (not withdrawn).
    pub current: Option<RegistrationRow>,
    /// Registrations over a time span that cover the lesson (a sick report), for display.
    pub covering: Vec<RegistrationRow>,
}

/// Everything the lesson page shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonPage {
    /// The lesson.
    pub lesson: LessonRow,
    /// The students of the lesson's group, by name.
    pub students: Vec<LessonStudent>,
    /// The school's code table.
    pub codes: CodeTable,
}

/// What a teacher chose for one student in a lesson.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LessonEntry {
    /// The student.
    pub student: StudentId,
    /// Code from the school's table; `None`: present (withdraws a registration).
    pub code: Option<String>,
    /// Minutes late, for codes of kind "te laat"; ignored for others.
    pub minutes_late: Option<u16>,
    /// Note; may be empty.
    pub note: String,
}

/// What saving one entry did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegisterOutcome {
    /// A new registration was recorded.
    Created,
    /// An existing registration got another code, note or minutes.
    Changed,
    /// The registration was withdrawn: the student was present after all.
    Withdrawn,
    /// Nothing to do: the entry matched what was stored.
    Unchanged,
}

/// The lesson, the code table and the registrations of one lesson, loaded once per save.
struct LessonContext {
    lesson: LessonRow,
    codes: CodeTable,
    registrations: Vec<RegistrationRow>,
}

impl App {
    /// Checks a username and password and opens a session of [`SESSION_HOURS`].
    ///
    /// Failed attempts are counted per username in the database, so every instance sees them;
    /// after [`LoginThrottle`]'s limit the login is refused for the window, even with the
    /// right password. Unknown usernames cost the same work as wrong passwords.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<NewSession> {
        let username = username.trim();
        if username.is_empty() || password.is_empty() {
            return Err(SchoolError::BadCredentials);
        }
        let throttle = LoginThrottle::default();
        let since = now - Duration::minutes(throttle.window_minutes);
        let failures = self.store.login_failures_since(username, since).await?;
        if throttle.is_locked(failures) {
            tracing::warn!(
                username,
                failures,
                "inloggen geweigerd: te veel mislukte pogingen"
            );
            return Err(SchoolError::Throttled {
                minutes: throttle.window_minutes,
            });
        }
        let found = self.store.staff_for_login(username).await?;
        // argon2 takes tens of milliseconds of CPU: keep it off the async workers.
        let password = password.to_owned();
        let staff = match found {
            Some((staff, Some(phc))) => {
                let ok = tokio::task::spawn_blocking(move || {
                    verzuim_auth::verify_password(&password, &phc)
                })
                .await
                .map_err(|e| SchoolError::Internal(format!("wachtwoordcontrole: {e}")))??;
                ok.then_some(staff)
            }
            _ => {
                tokio::task::spawn_blocking(move || verzuim_auth::verify_dummy(&password))
                    .await
                    .map_err(|e| SchoolError::Internal(format!("wachtwoordcontrole: {e}")))?;
                None
            }
        };
        let Some(staff) = staff else {
            self.store.record_login_failure(username, now).await?;
            return Err(SchoolError::BadCredentials);
        };
        self.store.clear_login_failures(username).await?;
        let token = SessionToken::generate();
        let csrf_token = verzuim_auth::new_csrf_token();
        let expires_at = now + Duration::hours(SESSION_HOURS);
        self.store
            .create_session(&SessionRow {
                token_hash: token.hash,
                staff: staff.id,
                csrf_token: csrf_token.clone(),
                created_at: now,
                expires_at,
            })
            .await?;
        // Housekeeping on the way: expired sessions and failures outside the window count for
        // nothing any more.
        if let Err(e) = self.store.delete_expired_sessions(now).await {
            tracing::warn!(error = %e, "verlopen sessies opruimen mislukt");
        }
        if let Err(e) = self.store.delete_login_failures_before(since).await {
            tracing::warn!(error = %e, "oude mislukte inlogpogingen opruimen mislukt");
        }
        Ok(NewSession {
            token: token.token,
            csrf_token,
            expires_at,
            actor: Actor { staff },
        })
    }

    /// Ends the session with this token (no error when it does not exist).
    pub async fn logout(&self, token: &str) -> Result<()> {
        if verzuim_auth::is_well_formed_token(token) {
            self.store
                .delete_session(&verzuim_auth::hash_session_token(token))
                .await?;
        }
        Ok(())
    }

    /// The logged-in staff member for a session token, if the session exists and has not
    /// expired at `now`.
    pub async fn current_user(&self, token: &str, now: DateTime<Utc>) -> Result<Option<SignedIn>> {
        if !verzuim_auth::is_well_formed_token(token) {
            return Ok(None);
        }
        let hash = verzuim_auth::hash_session_token(token);
        let Some((session, staff)) = self.store.session_with_staff(&hash, now).await? else {
            return Ok(None);
        };
        if session.expires_at <= now {
            return Ok(None);
        }
        Ok(Some(SignedIn {
            actor: Actor { staff },
            csrf_token: session.csrf_token,
            expires_at: session.expires_at,
        }))
    }

    /// The groups whose students the actor may see: `None` means all of the school's.
    pub(crate) async fn visible_groups(&self, actor: &Actor) -> Result<Option<Vec<GroupId>>> {
        if actor.sees_all_students() {
            return Ok(None);
        }
        Ok(Some(
            self.store
                .groups_taught_by(actor.school(), actor.id())
                .await?,
        ))
    }

    /// One page of the students the actor may see, filtered by name/number and group.
    /// Writes one `read` audit row per student shown ("leerlingenlijst"), in one statement.
    pub async fn student_list(
        &self,
        actor: &Actor,
        query: &StudentListQuery,
        now: DateTime<Utc>,
    ) -> Result<StudentList> {
        let school = actor.school();
        let page = query.page.max(1);
        let search = query.search.trim();
        let all_groups = self.store.groups(school).await?;
        let visible = self.visible_groups(actor).await?;
        let groups: Vec<GroupRow> = match &visible {
            None => all_groups,
            Some(ids) => all_groups
                .into_iter()
                .filter(|g| ids.contains(&g.id))
                .collect(),
        };
        let (students, total) = match visible {
            None => {
                let q = StudentQuery {
                    search: (!search.is_empty()).then(|| search.to_owned()),
                    group: query.group,
                    limit: STUDENTS_PER_PAGE,
                    offset: (page - 1) * STUDENTS_PER_PAGE,
                };
                let total = self.store.count_students(school, &q).await?;
                (self.store.students(school, &q).await?, total)
            }
            // A docent teaches a handful of groups: gather them and page in memory.
            Some(ids) => {
                let wanted: Vec<GroupId> = match query.group {
                    Some(g) => ids.into_iter().filter(|id| *id == g).collect(),
                    None => ids,
                };
                let needle = search.to_lowercase();
                let mut all = Vec::new();
                for g in wanted {
                    for s in self.store.students_in_group(school, g).await? {
                        if needle.is_empty()
                            || s.student.full_name().to_lowercase().contains(&needle)
                            || s.student.student_number.to_lowercase().contains(&needle)
                        {
                            all.push(s);
                        }
                    }
                }
                all.sort_by_key(|s| (s.student.sort_name().to_lowercase(), s.id));
                all.dedup_by_key(|s| s.id);
                let total = i64::try_from(all.len()).unwrap_or(i64::MAX);
                let skip = usize::try_from((page - 1) * STUDENTS_PER_PAGE).unwrap_or(usize::MAX);
                let take = usize::try_from(STUDENTS_PER_PAGE).unwrap_or(25);
                (all.into_iter().skip(skip).take(take).collect(), total)
            }
        };
        let pages = ((total + STUDENTS_PER_PAGE - 1) / STUDENTS_PER_PAGE).max(1);
        // The list shows each student's name, number and group: one read per student shown.
        let reads: Vec<AuditEntry> = students
            .iter()
            .map(|s| read_entry(actor, s.id, "leerlingenlijst".to_owned(), now))
            .collect();
        self.store.append_audits(&reads).await?;
        Ok(StudentList {
            students,
            total,
            page,
            pages,
            groups,
        })
    }

    /// Loads a student the actor may see, or `NotFound`.
    pub(crate) async fn visible_student(&self, actor: &Actor, id: StudentId) -> Result<StudentRow> {
        let student = self
            .store
            .student(actor.school(), id)
            .await?
            .ok_or_else(|| not_found("leerling"))?;
        if let Some(groups) = self.visible_groups(actor).await?
            && !student.student.group.is_some_and(|g| groups.contains(&g))
        {
            return Err(not_found("leerling"));
        }
        Ok(student)
    }

    /// The student page: the student, their registrations (newest first) and the history of
    /// changes (newest first). Appends an audit entry ("leerlingpagina") before returning.
    pub async fn student_page(
        &self,
        actor: &Actor,
        id: StudentId,
        now: DateTime<Utc>,
    ) -> Result<StudentPage> {
        let student = self.visible_student(actor, id).await?;
        self.store
            .append_audit(&AuditEntry {
                at: now,
                school: actor.school(),
                actor: Some(actor.id()),
                actor_label: actor.label().to_owned(),
                student: Some(id),
                action: AuditAction::Read,
                detail: "leerlingpagina".to_owned(),
            })
            .await?;
        let mut registrations = self
            .store
            .registrations_of_student(actor.school(), id)
            .await?;
        registrations.sort_by(|a, b| {
            (b.date, b.start, b.registration.registered_at, b.id).cmp(&(
                a.date,
                a.start,
                a.registration.registered_at,
                a.id,
            ))
        });
        let mut history = self.store.history_of_student(actor.school(), id).await?;
        history.sort_by(|a, b| {
            (b.change.changed_at, b.change.registration)
                .cmp(&(a.change.changed_at, a.change.registration))
        });
        let codes = self.store.code_table(actor.school()).await?;
        Ok(StudentPage {
            student,
            registrations,
            history,
            codes,
        })
    }

    /// The actor's own lessons on `date`, by start time.
    pub async fn lessons_for(&self, actor: &Actor, date: NaiveDate) -> Result<Vec<LessonRow>> {
        let mut lessons = self
            .store
            .lessons_of_teacher_on(actor.school(), actor.id(), date)
            .await?;
        lessons.sort_by_key(|l| (l.lesson.start, l.lesson.period, l.id));
        Ok(lessons)
    }

    /// Loads a lesson the actor may open, or `NotFound`.
    async fn visible_lesson(&self, actor: &Actor, id: LessonId) -> Result<LessonRow> {
        let lesson = self
            .store
            .lesson(actor.school(), id)
            .await?
            .ok_or_else(|| not_found("les"))?;
        if lesson.lesson.teacher != Some(actor.id())
            && let Some(groups) = self.visible_groups(actor).await?
            && !groups.contains(&lesson.lesson.group)
        {
            return Err(not_found("les"));
        }
        Ok(lesson)
    }

    async fn lesson_context(&self, actor: &Actor, id: LessonId) -> Result<LessonContext> {
        let lesson = self.visible_lesson(actor, id).await?;
        let codes = self.store.code_table(actor.school()).await?;
        let registrations = self
            .store
            .registrations_for_lesson(actor.school(), id)
            .await?;
        Ok(LessonContext {
            lesson,
            codes,
            registrations,
        })
    }

    /// The lesson page: every student of the lesson's group with their registration for it,
    /// and the span registrations (a sick report, a dentist visit) that overlap the lesson, so
    /// that the teacher does not mark a student who was reported sick as absent.
    /// Writes one `read` audit row per student listed ("lespagina NE 1A 2026-11-23"), in one
    /// statement.
    pub async fn lesson_page(
        &self,
        actor: &Actor,
        id: LessonId,
        now: DateTime<Utc>,
    ) -> Result<LessonPage> {
        let ctx = self.lesson_context(actor, id).await?;
        let mut students: Vec<StudentRow> = self
            .group_members(actor, &ctx)
            .await?
            .into_values()
            .collect();
        students.sort_by_key(|s| (s.student.sort_name().to_lowercase(), s.id));
        let mut spans: HashMap<StudentId, Vec<RegistrationRow>> = HashMap::new();
        for span in self
            .store
            .spans_overlapping_lesson(actor.school(), id)
            .await?
        {
            spans
                .entry(span.registration.student)
                .or_default()
                .push(span);
        }
        let students: Vec<LessonStudent> = students
            .into_iter()
            .map(|student| {
                let current = current_registration(&ctx.registrations, id, student.id).cloned();
                let covering = spans.remove(&student.id).unwrap_or_default();
                LessonStudent {
                    student,
                    current,
                    covering,
                }
            })
            .collect();
        let lesson = &ctx.lesson;
        let detail = format!(
            "lespagina {} {} {}",
            lesson.lesson.subject, lesson.group_code, lesson.lesson.date
        );
        let reads: Vec<AuditEntry> = students
            .iter()
            .map(|s| read_entry(actor, s.student.id, detail.clone(), now))
            .collect();
        self.store.append_audits(&reads).await?;
        Ok(LessonPage {
            lesson: ctx.lesson,
            students,
            codes: ctx.codes,
        })
    }

    /// Registers (or changes, or withdraws) one student's registration for a lesson.
    /// `code = None` means present. History and audit rows are written by the store in the
    /// same transaction as the change.
    #[allow(clippy::too_many_arguments)]
    pub async fn register_for_lesson(
        &self,
        actor: &Actor,
        lesson: LessonId,
        student: StudentId,
        code: Option<&str>,
        minutes_late: Option<u16>,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<RegisterOutcome> {
        let ctx = self.lesson_context(actor, lesson).await?;
        let entry = LessonEntry {
            student,
            code: code.map(str::to_owned),
            minutes_late,
            note: note.to_owned(),
        };
        let members = self.group_members(actor, &ctx).await?;
        if !members.contains_key(&student) {
            return Err(not_found("leerling"));
        }
        let entry = normalize_entry(&ctx, entry)?;
        let Some((edit, outcome)) = edit_for(&ctx, &entry) else {
            return Ok(RegisterOutcome::Unchanged);
        };
        self.store
            .save_registrations(actor.school(), &[edit], actor.id(), actor.label(), now)
            .await?;
        Ok(outcome)
    }

    /// Saves a whole lesson form: checks every entry first (nothing is saved when one is
    /// wrong; the errors come back per student), then writes what changed in ONE transaction
    /// (all or nothing, each change with its history and audit row). Returns how many
    /// registrations were created, changed or withdrawn.
    ///
    /// "Present" withdraws only the student's registration for this lesson: a span registered
    /// elsewhere (a sick report from reception) stays as it is.
    pub async fn save_lesson(
        &self,
        actor: &Actor,
        lesson: LessonId,
        entries: Vec<LessonEntry>,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        let ctx = self.lesson_context(actor, lesson).await?;
        let members = self.group_members(actor, &ctx).await?;
        let mut errors = BTreeMap::new();
        let mut checked = Vec::with_capacity(entries.len());
        for entry in entries {
            if !members.contains_key(&entry.student) {
                return Err(not_found("leerling"));
            }
            let student = entry.student;
            match normalize_entry(&ctx, entry) {
                Ok(e) => checked.push(e),
                Err(e) => {
                    errors.insert(student, e);
                }
            }
        }
        if !errors.is_empty() {
            return Err(SchoolError::InvalidRows(errors));
        }
        let edits: Vec<RegistrationEdit> = checked
            .iter()
            .filter_map(|entry| edit_for(&ctx, entry).map(|(edit, _)| edit))
            .collect();
        self.store
            .save_registrations(actor.school(), &edits, actor.id(), actor.label(), now)
            .await?;
        Ok(edits.len())
    }

    async fn group_members(
        &self,
        actor: &Actor,
        ctx: &LessonContext,
    ) -> Result<HashMap<StudentId, StudentRow>> {
        Ok(self
            .store
            .students_in_group(actor.school(), ctx.lesson.lesson.group)
            .await?
            .into_iter()
            // Only who is enrolled on the lesson's day belongs in its register.
            .filter(|s| s.student.enrolled_on(ctx.lesson.lesson.date))
            .map(|s| (s.id, s))
            .collect())
    }
}

/// A `read` audit entry of `student` by the actor.
fn read_entry(actor: &Actor, student: StudentId, detail: String, now: DateTime<Utc>) -> AuditEntry {
    AuditEntry {
        at: now,
        school: actor.school(),
        actor: Some(actor.id()),
        actor_label: actor.label().to_owned(),
        student: Some(student),
        action: AuditAction::Read,
        detail,
    }
}

/// What saving a checked entry takes, compared with the student's registration for the
/// lesson: a new registration, a change, a withdrawal, or nothing (`None`) when the entry is
/// what is stored. Only the lesson's own registration is looked at, never a span.
fn edit_for(
    ctx: &LessonContext,
    entry: &LessonEntry,
) -> Option<(RegistrationEdit, RegisterOutcome)> {
    let current = current_registration(&ctx.registrations, ctx.lesson.id, entry.student);
    match (current, &entry.code) {
        (None, None) => None,
        (None, Some(code)) => Some((
            RegistrationEdit::Record {
                student: entry.student,
                target: RegistrationTarget::Lesson {
                    lesson: ctx.lesson.id,
                },
                code: code.clone(),
                note: entry.note.clone(),
                minutes_late: entry.minutes_late,
            },
            RegisterOutcome::Created,
        )),
        (Some(r), None) => Some((
            RegistrationEdit::Change {
                id: r.id,
                code: None,
                note: entry.note.clone(),
                minutes_late: None,
            },
            RegisterOutcome::Withdrawn,
        )),
        (Some(r), Some(code)) => {
            let same = r.registration.code == *code
                && r.registration.note == entry.note
                && r.registration.minutes_late == entry.minutes_late;
            (!same).then(|| {
                (
                    RegistrationEdit::Change {
                        id: r.id,
                        code: Some(code.clone()),
                        note: entry.note.clone(),
                        minutes_late: entry.minutes_late,
                    },
                    RegisterOutcome::Changed,
                )
            })
        }
    }
}

/// The student's live registration for this lesson (the newest when there are several).
fn current_registration(
    regs: &[RegistrationRow],
    lesson: LessonId,
    student: StudentId,
) -> Option<&RegistrationRow> {
    regs.iter()
        .filter(|r| {
            r.registration.student == student
                && !r.withdrawn
                && r.registration.target == RegistrationTarget::Lesson { lesson }
        })
        .max_by_key(|r| (r.registration.registered_at, r.id))
}

/// Checks an entry against the code table and the lesson: the code must be in the table;
/// minutes late only for "te laat" codes, between 1 and the length of the lesson.
fn normalize_entry(
    ctx: &LessonContext,
    mut entry: LessonEntry,
) -> std::result::Result<LessonEntry, ValidationError> {
    entry.note = entry.note.trim().to_owned();
    if entry.note.chars().count() > 500 {
        return Err(ValidationError::new(
            "notitie",
            "gebruik hoogstens 500 tekens",
        ));
    }
    let Some(code) = entry
        .code
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    else {
        entry.code = None;
        entry.minutes_late = None;
        return Ok(entry);
    };
    let found = ctx.codes.require("code", code)?;
    entry.code = Some(found.code.clone());
    if found.kind == AbsenceKind::Late {
        if let Some(m) = entry.minutes_late {
            let max = ctx.lesson.lesson.minutes();
            if m == 0 || i64::from(m) > max {
                return Err(ValidationError::new(
                    "minuten",
                    format!(
                        "geef een aantal minuten van 1 tot en met {max} (de lengte van de les)"
                    ),
                ));
            }
        }
    } else {
        entry.minutes_late = None;
    }
    Ok(entry)
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, NaiveTime};
    use verzuim_domain::{Lesson, RegistrationId, Staff};

    use super::*;

    fn ctx() -> LessonContext {
        LessonContext {
            lesson: LessonRow {
                id: LessonId(1),
                lesson: Lesson {
                    date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
                    period: 1,
                    start: NaiveTime::from_hms_opt(8, 30, 0).unwrap(),
                    end: NaiveTime::from_hms_opt(9, 20, 0).unwrap(),
                    group: GroupId(1),
                    teacher: Some(StaffId(1)),
                    subject: "ENG".into(),
                },
                group_code: "1A".into(),
                teacher_code: Some("DOC".into()),
            },
            codes: CodeTable::magister_default(),
            registrations: vec![],
        }
    }

    fn entry(code: Option<&str>, minutes: Option<u16>) -> LessonEntry {
        LessonEntry {
            student: StudentId(7),
            code: code.map(str::to_owned),
            minutes_late: minutes,
            note: "  ".into(),
        }
    }

    #[test]
    fn late_code_keeps_minutes_within_the_lesson() {
        let e = normalize_entry(&ctx(), entry(Some("TO"), Some(50))).unwrap();
        assert_eq!((e.code.as_deref(), e.minutes_late), (Some("TO"), Some(50)));
        assert_eq!(e.note, "");
    }

    #[test]
    fn late_minutes_beyond_the_lesson_or_zero_are_refused() {
        for m in [0, 51] {
            let err = normalize_entry(&ctx(), entry(Some("TO"), Some(m))).unwrap_err();
            assert_eq!(err.field, "minuten");
        }
    }

    #[test]
    fn minutes_are_dropped_for_codes_that_are_not_late_arrivals() {
        let e = normalize_entry(&ctx(), entry(Some("ON"), Some(10))).unwrap();
        assert_eq!(e.minutes_late, None);
        let e = normalize_entry(&ctx(), entry(None, Some(10))).unwrap();
        assert_eq!((e.code, e.minutes_late), (None, None));
    }

    #[test]
    fn present_withdraws_the_lessons_registration_and_never_a_span() {
        let reg = |id, target| RegistrationRow {
            id: RegistrationId(id),
            registration: verzuim_domain::Registration {
                student: StudentId(7),
                target,
                code: "ZK".into(),
                registered_by: None,
                registered_at: chrono::DateTime::UNIX_EPOCH,
                note: String::new(),
                minutes_late: None,
            },
            date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            start: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(16, 0, 0).unwrap(),
            lesson: None,
            registered_by_name: None,
            withdrawn: false,
        };
        let sick_all_day = reg(
            5,
            RegistrationTarget::Span {
                date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
                start: NaiveTime::from_hms_opt(8, 0, 0).unwrap(),
                end: NaiveTime::from_hms_opt(16, 0, 0).unwrap(),
            },
        );
        let mut ctx = ctx();
        ctx.registrations = vec![sick_all_day];
        let present = entry(None, None);
        assert_eq!(edit_for(&ctx, &present), None, "the span is left alone");
        ctx.registrations.push(reg(
            6,
            RegistrationTarget::Lesson {
                lesson: LessonId(1),
            },
        ));
        let (edit, outcome) = edit_for(&ctx, &present).unwrap();
        assert_eq!(outcome, RegisterOutcome::Withdrawn);
        assert!(
            matches!(
                edit,
                RegistrationEdit::Change {
                    id: RegistrationId(6),
                    code: None,
                    ..
                }
            ),
            "{edit:?}"
        );
    }

    #[test]
    fn code_outside_the_schools_table_is_refused() {
        let err = normalize_entry(&ctx(), entry(Some("XX"), None)).unwrap_err();
        assert_eq!(err.field, "code");
    }

    #[test]
    fn only_a_plain_docent_is_limited_to_their_own_groups() {
        let actor = |roles: Vec<SchoolRole>| {
            Actor::trusted(StaffRow {
                id: StaffId(1),
                school: SchoolId(1),
                staff: Staff {
                    username: "x".into(),
                    name: "X".into(),
                    code: "X".into(),
                    roles,
                },
            })
        };
        assert!(!actor(vec![SchoolRole::Teacher]).sees_all_students());
        assert!(actor(vec![SchoolRole::Teacher, SchoolRole::Mentor]).sees_all_students());
        assert!(actor(vec![SchoolRole::Reception]).sees_all_students());
    }
}
