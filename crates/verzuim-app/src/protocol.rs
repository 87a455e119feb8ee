//! The school's absence protocol in the app: the school chooses a rule file (a preset or its
//! own), a run evaluates it over the school's registrations and stores each newly reached step
//! with its tasks exactly once, and staff work the tasks from an inbox per role and person.
//!
//! Who sees which task: the verzuimcoördinator sees every task of the school, including those
//! of roles outside the school (leerplichtambtenaar, schoolarts, ...), which are hers to
//! arrange. A mentor sees the mentor tasks of her mentees, a docent the docent tasks of the
//! students in groups she teaches, and the teamleider, dagcoördinator, ondersteunings-
//! coördinator and receptie the tasks of their role. A person with several roles sees the
//! union. Another school's task, or one out of sight, is [`SchoolError::NotFound`].

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use verzuim_domain::{
    CodeTable, RegistrationId, RegistrationTarget, SchoolCalendar, SchoolRole, SchoolYear,
    StudentId, ValidationError,
};
use verzuim_protocol::{
    Input, ManualTrigger, Protocol, ReachedStep, RegistrationFact, Role, StudentLadder, Trigger,
};
use verzuim_store::{
    AuditAction, AuditEntry, NewManualTrigger, NewProtocolStep, NewProtocolTask, ProtocolTaskQuery,
    ProtocolTaskRow, RegistrationRow, SchoolId, SchoolProtocolRow, StoreError, StudentQuery,
    StudentRow, TaskGrant,
};

use crate::App;
use crate::law::most_common_length;
use crate::school::{self, Actor, SchoolError};

/// Why a protocol use case failed (CLI / admin side).
#[derive(Debug, thiserror::Error)]
pub enum ProtocolUseCaseError {
    /// The school does not exist.
    #[error("school {0} bestaat niet")]
    UnknownSchool(i64),
    /// A student number the school's administration does not know.
    #[error("leerling {0} bestaat niet in deze school")]
    UnknownStudent(String),
    /// The school has not chosen a protocol yet.
    #[error("deze school heeft nog geen protocol gekozen; kies er een met `verzuim protocol use`")]
    NoProtocol,
    /// The rule file was refused (located error).
    #[error(transparent)]
    Rules(#[from] verzuim_protocol::ProtocolError),
    /// The school's data cannot be evaluated (e.g. overlapping periods).
    #[error(transparent)]
    Input(#[from] verzuim_protocol::InputError),
    /// The school year has no stored calendar and verzuim ships no holidays for it.
    #[error("schoolkalender: {0}")]
    Calendar(ValidationError),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl From<ProtocolUseCaseError> for SchoolError {
    fn from(e: ProtocolUseCaseError) -> Self {
        match e {
            ProtocolUseCaseError::Store(e) => e.into(),
            ProtocolUseCaseError::UnknownSchool(_) => SchoolError::NotFound {
                what: "school".to_owned(),
            },
            ProtocolUseCaseError::UnknownStudent(_) => SchoolError::NotFound {
                what: "leerling".to_owned(),
            },
            ProtocolUseCaseError::Calendar(e) => SchoolError::Invalid(e),
            other => SchoolError::Invalid(ValidationError::new("protocol", other.to_string())),
        }
    }
}

/// The school's chosen protocol.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SchoolProtocol {
    /// Preset name or file name.
    pub name: String,
    /// The TOML text, stored so that a later preset change does not alter history.
    pub source: String,
    /// Steps reached before this date are history only: their tasks are "vervallen".
    pub active_from: NaiveDate,
    /// When the protocol was chosen.
    pub chosen_at: DateTime<Utc>,
    /// Who chose it (label).
    pub chosen_by: String,
}

/// Where a task stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TaskStatus {
    /// To do.
    Open,
    /// Done.
    Done,
    /// Closed without doing it (with a note why).
    NotDone,
    /// Reached before the protocol was active: history only.
    Lapsed,
}

impl TaskStatus {
    /// All statuses.
    pub const ALL: [TaskStatus; 4] = [Self::Open, Self::Done, Self::NotDone, Self::Lapsed];

    /// Stored code.
    pub fn code(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Done => "gedaan",
            Self::NotDone => "niet_gedaan",
            Self::Lapsed => "vervallen",
        }
    }

    /// Dutch label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Done => "gedaan",
            Self::NotDone => "niet gedaan",
            Self::Lapsed => "vervallen",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|s| s.code() == code)
    }
}

/// One registration that counted for a step, as shown with the task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvidenceLine {
    /// The registration.
    pub registration: RegistrationId,
    /// Its date.
    pub date: NaiveDate,
    /// Its code ("" when the registration is gone).
    pub code: String,
    /// "3e uur wiskunde" or "10:00–12:00"; "" when the registration is gone.
    pub what: String,
}

/// A stored protocol task with what the inbox shows of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProtocolTask {
    /// Database id.
    pub id: i64,
    /// The student.
    pub student: StudentId,
    /// The student's number.
    pub student_number: String,
    /// The student's full name.
    pub student_name: String,
    /// The student's group (class) code.
    pub group: Option<String>,
    /// The step's key, e.g. "mlg-te-laat-6@periode-1".
    pub step_key: String,
    /// The task's key: step key + "#n".
    pub task_key: String,
    /// The step's title.
    pub step_title: String,
    /// The step's ladder.
    pub ladder: String,
    /// Who does it.
    pub role: Role,
    /// What to do.
    pub text: String,
    /// Why, in words: "6× te laat in periode 1".
    pub reason: String,
    /// The registrations that counted.
    pub evidence: Vec<EvidenceLine>,
    /// When the step was reached.
    pub reached_on: NaiveDate,
    /// When the task was created.
    pub created_on: NaiveDate,
    /// Deadline, fixed at creation.
    pub due: Option<NaiveDate>,
    /// Where it stands.
    pub status: TaskStatus,
    /// Note written when closing.
    pub note: String,
    /// Who closed it: the staff member's name.
    pub closed_by: Option<String>,
    /// When it was closed.
    pub closed_at: Option<DateTime<Utc>>,
    /// The step's sanction in words.
    pub sanction: Option<String>,
    /// The step's letter template.
    pub letter: Option<String>,
    /// Dutch label of the melding kind the step proposes.
    pub propose_melding: Option<String>,
}

/// Which tasks an inbox lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TaskFilter {
    /// Open tasks.
    #[default]
    Open,
    /// Done and not-done tasks.
    Closed,
    /// Every task, including lapsed ones.
    All,
}

/// How many tasks an inbox page lists.
pub const TASKS_PER_PAGE: usize = 50;

/// Which tasks an inbox page lists: all given filters hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskQuery {
    /// Open, closed or all tasks.
    pub status: TaskFilter,
    /// Only students of this group (class code).
    pub group: Option<String>,
    /// Only tasks for this role.
    pub role: Option<Role>,
    /// Only open tasks whose deadline lies before today (a closed task is never late any
    /// more; this overrides `status`).
    pub overdue: bool,
    /// Only students whose name or number contains this.
    pub search: Option<String>,
    /// The page, counted from 1.
    pub page: u32,
}

impl Default for TaskQuery {
    /// Every open task the actor may see, first page.
    fn default() -> Self {
        Self {
            status: TaskFilter::Open,
            group: None,
            role: None,
            overdue: false,
            search: None,
            page: 1,
        }
    }
}

/// One page of an inbox, with what its filter form and tabs show.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TaskPage {
    /// The tasks on this page: overdue first, then by deadline (none last), then by id.
    pub tasks: Vec<ProtocolTask>,
    /// How many tasks match the query on all pages.
    pub total: usize,
    /// This page, counted from 1.
    pub page: u32,
    /// How many pages there are (at least 1).
    pub pages: u32,
    /// Tasks per page.
    pub per_page: usize,
    /// Open tasks the actor may see, per role (by role code; roles without any left out).
    pub roles: Vec<(Role, usize)>,
    /// The groups (class codes) of the students of the tasks the actor may see.
    pub groups: Vec<String>,
}

impl TaskPage {
    /// The number of open tasks the actor may see (whatever the query).
    pub fn open_count(&self) -> usize {
        self.roles.iter().map(|(_, n)| n).sum()
    }
}

/// What a protocol run did.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RunReport {
    /// Students evaluated.
    pub students: usize,
    /// Steps reached (old and new).
    pub steps_reached: usize,
    /// Steps stored for the first time by this run.
    pub steps_new: usize,
    /// Tasks stored for the first time by this run.
    pub tasks_new: usize,
}

/// The ladder of one student, for the student page.
#[derive(Debug, Clone)]
pub struct StudentProtocol {
    /// The protocol's name.
    pub protocol_name: String,
    /// `verzuim_protocol::explain` text.
    pub explain: String,
    /// The engine's ladder of the student.
    pub ladder: StudentLadder,
    /// (step id, title) of the manual steps the actor may start.
    pub manual_steps: Vec<(String, String)>,
    /// The student's stored tasks (all statuses) the actor may see.
    pub tasks: Vec<ProtocolTask>,
}

/// Longest note on a task or a manual trigger, in characters.
const NOTE_MAX: usize = 1000;

/// Everything an evaluation needs, loaded from the store.
struct Loaded {
    stored: SchoolProtocolRow,
    protocol: Protocol,
    calendar: SchoolCalendar,
    codes: CodeTable,
    students: Vec<StudentId>,
    facts: Vec<RegistrationFact>,
    manual: Vec<ManualTrigger>,
}

impl Loaded {
    fn evaluate(&self, today: NaiveDate) -> Result<Vec<StudentLadder>, ProtocolUseCaseError> {
        let periods = self.calendar.periods_or_standard();
        let input = Input {
            calendar: &self.calendar,
            periods: &periods,
            codes: &self.codes,
            students: &self.students,
            registrations: &self.facts,
            manual: &self.manual,
        };
        Ok(verzuim_protocol::evaluate(&self.protocol, &input, today)?)
    }

    /// The ladder of one student (empty when the engine has nothing for them).
    fn ladder_of(
        &self,
        student: StudentId,
        today: NaiveDate,
    ) -> Result<StudentLadder, ProtocolUseCaseError> {
        Ok(self
            .evaluate(today)?
            .into_iter()
            .find(|l| l.student == student)
            .unwrap_or(StudentLadder {
                student,
                reached: Vec::new(),
                progress: Vec::new(),
            }))
    }
}

/// The codes of protocol roles.
fn role_codes(roles: &[Role]) -> Vec<String> {
    roles.iter().map(|r| r.code().to_owned()).collect()
}

/// The lesuren a registration covers: a lesson's length in lesuren (at least 1); a span's
/// number of lessons of the student's group it overlaps that day (at least 1).
fn lesuren(
    r: &RegistrationRow,
    lesuur: u16,
    group: Option<&str>,
    lessons: &HashMap<(String, NaiveDate), Vec<(NaiveTime, NaiveTime)>>,
) -> u32 {
    match r.registration.target {
        RegistrationTarget::Lesson { .. } => {
            let minutes = (r.end - r.start).num_minutes().max(0);
            let lesuur = i64::from(lesuur.max(1));
            let rounded = (2 * minutes + lesuur) / (2 * lesuur);
            u32::try_from(rounded.max(1)).unwrap_or(1)
        }
        RegistrationTarget::Span { .. } => {
            let n = group
                .and_then(|g| lessons.get(&(g.to_owned(), r.date)))
                .map_or(0, |ls| {
                    ls.iter()
                        .filter(|(start, end)| *start < r.end && *end > r.start)
                        .count()
                });
            u32::try_from(n.max(1)).unwrap_or(1)
        }
    }
}

/// Dutch label of a DUO melding kind code, with the code.
fn melding_label(code: &str) -> String {
    use verzuim_law::MeldingKind as K;
    let kind = match code {
        "V3" => Some(K::SixteenHours),
        "V4" => Some(K::SixteenHoursAdult),
        "LRV" => Some(K::Lrv),
        "L" => Some(K::Luxe),
        "RMC" => Some(K::Rmc),
        "O" => Some(K::Overig),
        _ => None,
    };
    match kind {
        Some(k) => format!("{} ({code})", k.label()),
        None => code.to_owned(),
    }
}

/// How a registration reads as evidence: "3e uur WI" or "10:00–12:00".
fn evidence_line(id: RegistrationId, row: Option<&RegistrationRow>) -> EvidenceLine {
    match row {
        Some(r) => {
            let mut what = match &r.lesson {
                Some((subject, period)) => format!("{period}e uur {subject}"),
                None => format!("{}–{}", r.start.format("%H:%M"), r.end.format("%H:%M")),
            };
            if r.withdrawn {
                what.push_str(" (ingetrokken)");
            }
            EvidenceLine {
                registration: id,
                date: r.date,
                code: r.registration.code.clone(),
                what,
            }
        }
        None => EvidenceLine {
            registration: id,
            date: NaiveDate::MIN,
            code: String::new(),
            what: String::new(),
        },
    }
}

/// The step as the store keeps it: tasks open, or lapsed when the step was reached before the
/// protocol applied.
fn new_step(student: StudentId, step: &ReachedStep, active_from: NaiveDate) -> NewProtocolStep {
    let status = if step.reached_on < active_from {
        TaskStatus::Lapsed
    } else {
        TaskStatus::Open
    };
    NewProtocolStep {
        student,
        step_key: step.key.clone(),
        step_id: step.step.clone(),
        title: step.title.clone(),
        ladder: step.ladder.clone(),
        reason: step.reason.clone(),
        evidence: step.evidence.clone(),
        reached_on: step.reached_on,
        sanction: step.sanction.as_ref().map(|s| s.describe()),
        letter: step.letter.clone(),
        propose_melding: step.propose_melding.map(|m| m.duo_code().to_owned()),
        tasks: step
            .tasks
            .iter()
            .map(|t| NewProtocolTask {
                task_key: t.key.clone(),
                role: t.role.code().to_owned(),
                text: t.text.clone(),
                due: t.due,
                status: status.code().to_owned(),
            })
            .collect(),
    }
}

/// A read audit entry written by a staff member.
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

/// A trimmed note, refused when longer than [`NOTE_MAX`].
fn clean_note(note: &str) -> school::Result<String> {
    let note = note.trim();
    if note.chars().count() > NOTE_MAX {
        return Err(SchoolError::Invalid(ValidationError::new(
            "notitie",
            format!("gebruik hoogstens {NOTE_MAX} tekens"),
        )));
    }
    Ok(note.to_owned())
}

/// "Leerling 1001 (Anna de Vries, 1A) — protocol" instead of the engine's database id.
fn explain_for(protocol: &Protocol, ladder: &StudentLadder, student: &StudentRow) -> String {
    let text = verzuim_protocol::explain(protocol, ladder);
    let rest = text.split_once('\n').map_or("", |(_, rest)| rest);
    let group = student
        .group_code
        .as_deref()
        .map(|g| format!(", {g}"))
        .unwrap_or_default();
    format!(
        "Leerling {} ({}{group}) — {}\n{rest}",
        student.student.student_number,
        student.student.full_name(),
        protocol.name
    )
}

impl App {
    /// Loads the school's protocol, calendar, code table and registrations up to `today`
    /// (of one student, or of all), ready for the engine.
    async fn load_protocol(
        &self,
        school: SchoolId,
        today: NaiveDate,
        only: Option<&StudentRow>,
    ) -> Result<Loaded, ProtocolUseCaseError> {
        let row = self
            .store
            .school(school)
            .await?
            .ok_or(ProtocolUseCaseError::UnknownSchool(school.0))?;
        let stored = self
            .store
            .school_protocol(school)
            .await?
            .ok_or(ProtocolUseCaseError::NoProtocol)?;
        let codes = self.store.code_table(school).await?;
        let protocol = Protocol::from_toml_with_codes(&stored.source, &codes)?;
        let year = SchoolYear::containing(today);
        let calendar = match self.store.calendar(school, year).await? {
            Some(c) => c,
            None => SchoolCalendar::shipped(year, row.school.region)
                .map_err(ProtocolUseCaseError::Calendar)?,
        };
        let first = calendar.first_day;
        let students: Vec<StudentRow> = match only {
            Some(s) => vec![s.clone()],
            None => {
                self.store
                    .students(school, &StudentQuery::default())
                    .await?
            }
        };
        let groups: HashMap<StudentId, Option<String>> = students
            .iter()
            .map(|s| (s.id, s.group_code.clone()))
            .collect();
        // The lesuur is the school's most common lesson length (counted in SQL); the lessons
        // themselves are needed only of the classes whose spans are converted: one student's
        // class for one student's page, not the school's year of lessons.
        let lesuur = most_common_length(
            self.store
                .lesson_length_counts(school, first, today)
                .await?,
        );
        let lessons = match only.map(|s| s.group_code.as_deref()) {
            Some(Some(group)) => {
                self.store
                    .group_lessons_between(school, group, first, today)
                    .await?
            }
            Some(None) => Vec::new(),
            None => self.store.lessons_between(school, first, today).await?,
        };
        let mut by_group_day: HashMap<(String, NaiveDate), Vec<(NaiveTime, NaiveTime)>> =
            HashMap::new();
        for l in &lessons {
            by_group_day
                .entry((l.group_code.clone(), l.lesson.date))
                .or_default()
                .push((l.lesson.start, l.lesson.end));
        }
        let registrations = match only {
            Some(s) => {
                self.store
                    .registrations_of_student_between(school, s.id, first, today)
                    .await?
            }
            None => {
                self.store
                    .registrations_between(school, first, today)
                    .await?
            }
        };
        let facts = registrations
            .iter()
            .filter_map(|r| {
                let group = groups.get(&r.registration.student)?;
                Some(RegistrationFact {
                    id: r.id,
                    student: r.registration.student,
                    date: r.date,
                    code: r.registration.code.clone(),
                    lesuren: lesuren(r, lesuur, group.as_deref(), &by_group_day),
                })
            })
            .collect();
        // Triggers of steps the current protocol no longer has as manual steps (the school
        // chose another protocol since) are history, not input.
        let manual = self
            .store
            .manual_triggers(school)
            .await?
            .into_iter()
            .filter(|t| groups.contains_key(&t.student))
            .filter(|t| {
                protocol
                    .step(&t.step)
                    .is_some_and(|s| s.trigger == Trigger::Manual)
            })
            .map(|t| ManualTrigger {
                step: t.step,
                student: t.student,
                date: t.date,
            })
            .collect();
        Ok(Loaded {
            stored,
            protocol,
            calendar,
            codes,
            students: students.iter().map(|s| s.id).collect(),
            facts,
            manual,
        })
    }

    /// Chooses `source` (named `name`) as the school's protocol from `active_from`: the file is
    /// parsed with the school's code table; refused files change nothing. Audited.
    pub async fn set_protocol(
        &self,
        school: SchoolId,
        name: &str,
        source: &str,
        active_from: NaiveDate,
        actor_label: &str,
        now: DateTime<Utc>,
    ) -> Result<Protocol, ProtocolUseCaseError> {
        self.store
            .school(school)
            .await?
            .ok_or(ProtocolUseCaseError::UnknownSchool(school.0))?;
        let codes = self.store.code_table(school).await?;
        let protocol = Protocol::from_toml_with_codes(source, &codes)?;
        let name = match name.trim() {
            "" => protocol.name.clone(),
            n => n.to_owned(),
        };
        let row = SchoolProtocolRow {
            name: name.clone(),
            source: source.to_owned(),
            active_from,
            chosen_at: now,
            chosen_by: actor_label.to_owned(),
        };
        let audit = AuditEntry {
            at: now,
            school,
            actor: None,
            actor_label: actor_label.to_owned(),
            student: None,
            action: AuditAction::Update,
            detail: format!(
                "verzuimprotocol gekozen: {name} ({}), geldt vanaf {}",
                protocol.name,
                active_from.format("%d-%m-%Y")
            ),
        };
        self.store.set_school_protocol(school, &row, &audit).await?;
        Ok(protocol)
    }

    /// The school's chosen protocol, if any.
    pub async fn school_protocol(
        &self,
        school: SchoolId,
    ) -> Result<Option<SchoolProtocol>, ProtocolUseCaseError> {
        Ok(self
            .store
            .school_protocol(school)
            .await?
            .map(|r| SchoolProtocol {
                name: r.name,
                source: r.source,
                active_from: r.active_from,
                chosen_at: r.chosen_at,
                chosen_by: r.chosen_by,
            }))
    }

    /// Evaluates the school's protocol as of `today` (nothing stored, nothing audited: the
    /// caller shows no personal data, or audits what it shows).
    pub async fn evaluate_protocol(
        &self,
        school: SchoolId,
        today: NaiveDate,
    ) -> Result<Vec<StudentLadder>, ProtocolUseCaseError> {
        self.load_protocol(school, today, None)
            .await?
            .evaluate(today)
    }

    /// Evaluates the protocol and stores every newly reached step with its tasks, each once
    /// (a rerun, or a concurrent run, creates nothing twice). A task's deadline is fixed now:
    /// `today` + the action's school days. Steps reached before the protocol's `active_from`
    /// are stored as history, their tasks "vervallen". One `create` audit row per new step.
    pub async fn protocol_run(
        &self,
        school: SchoolId,
        today: NaiveDate,
        actor_label: &str,
        now: DateTime<Utc>,
    ) -> Result<RunReport, ProtocolUseCaseError> {
        let loaded = self.load_protocol(school, today, None).await?;
        let ladders = loaded.evaluate(today)?;
        let stored: HashSet<(StudentId, String)> = self
            .store
            .protocol_step_keys(school)
            .await?
            .into_iter()
            .collect();
        let mut report = RunReport {
            students: loaded.students.len(),
            ..RunReport::default()
        };
        let mut new = Vec::new();
        for ladder in &ladders {
            for step in &ladder.reached {
                report.steps_reached += 1;
                if !stored.contains(&(ladder.student, step.key.clone())) {
                    new.push(new_step(ladder.student, step, loaded.stored.active_from));
                }
            }
        }
        let written = self
            .store
            .insert_protocol_steps(school, &new, today, actor_label, now)
            .await?;
        report.steps_new = written.steps;
        report.tasks_new = written.tasks;
        Ok(report)
    }

    /// The `explain` text of one student's ladder as of `today`. Audited read.
    pub async fn protocol_explain(
        &self,
        school: SchoolId,
        student_number: &str,
        today: NaiveDate,
        actor_label: &str,
        now: DateTime<Utc>,
    ) -> Result<String, ProtocolUseCaseError> {
        self.store
            .school(school)
            .await?
            .ok_or(ProtocolUseCaseError::UnknownSchool(school.0))?;
        let number = student_number.trim();
        let student = self
            .store
            .student_by_number(school, number)
            .await?
            .ok_or_else(|| ProtocolUseCaseError::UnknownStudent(number.to_owned()))?;
        let loaded = self.load_protocol(school, today, Some(&student)).await?;
        let ladder = loaded.ladder_of(student.id, today)?;
        self.store
            .append_audit(&AuditEntry {
                at: now,
                school,
                actor: None,
                actor_label: actor_label.to_owned(),
                student: Some(student.id),
                action: AuditAction::Read,
                detail: format!("protocoluitleg {today}"),
            })
            .await?;
        Ok(explain_for(&loaded.protocol, &ladder, &student))
    }

    /// What the actor may see: `None` for every task of the school (the
    /// verzuimcoördinator), else the grants whose union is visible (empty: none).
    async fn task_grants(&self, actor: &Actor) -> school::Result<Option<Vec<TaskGrant>>> {
        if actor.has_role(SchoolRole::AttendanceCoordinator) {
            return Ok(None);
        }
        let mut grants = Vec::new();
        let mut roles = Vec::new();
        for (school_role, protocol_roles) in [
            (SchoolRole::TeamLeader, &[Role::Teamleider][..]),
            (SchoolRole::DayCoordinator, &[Role::Daco][..]),
            (
                SchoolRole::SupportCoordinator,
                &[Role::Oco, Role::Iot, Role::Ot][..],
            ),
            (SchoolRole::Reception, &[Role::Receptie][..]),
        ] {
            if actor.has_role(school_role) {
                roles.extend(role_codes(protocol_roles));
            }
        }
        if !roles.is_empty() {
            grants.push(TaskGrant {
                roles: Some(roles),
                ..TaskGrant::default()
            });
        }
        if actor.has_role(SchoolRole::Mentor) {
            grants.push(TaskGrant {
                roles: Some(role_codes(&[Role::Mentor])),
                mentor: Some(actor.id()),
                ..TaskGrant::default()
            });
        }
        if actor.has_role(SchoolRole::Teacher) {
            let groups = self
                .store
                .groups_taught_by(actor.school(), actor.id())
                .await?;
            grants.push(TaskGrant {
                roles: Some(role_codes(&[Role::Docent])),
                groups: Some(groups),
                ..TaskGrant::default()
            });
        }
        Ok(Some(grants))
    }

    /// `narrow` limited to what the actor may see.
    async fn visible_query(
        &self,
        actor: &Actor,
        narrow: ProtocolTaskQuery,
    ) -> school::Result<ProtocolTaskQuery> {
        Ok(ProtocolTaskQuery {
            visible: self.task_grants(actor).await?,
            ..narrow
        })
    }

    /// The tasks of a query already limited to what the actor may see, in the store's order,
    /// with their evidence.
    async fn tasks_with_evidence(
        &self,
        actor: &Actor,
        query: &ProtocolTaskQuery,
    ) -> school::Result<Vec<ProtocolTask>> {
        let rows = self.store.protocol_tasks(actor.school(), query).await?;
        let mut ids: Vec<RegistrationId> = rows
            .iter()
            .flat_map(|r| r.evidence.iter().copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        let registrations: HashMap<RegistrationId, RegistrationRow> = self
            .store
            .registrations_by_ids(actor.school(), &ids)
            .await?
            .into_iter()
            .map(|r| (r.id, r))
            .collect();
        rows.into_iter()
            .map(|r| task_from_row(r, &registrations))
            .collect()
    }

    /// The tasks the actor may see among those `narrow` selects (its statuses, student, id),
    /// by deadline (none last), then by id, with their evidence.
    async fn visible_tasks(
        &self,
        actor: &Actor,
        narrow: ProtocolTaskQuery,
    ) -> school::Result<Vec<ProtocolTask>> {
        let query = self.visible_query(actor, narrow).await?;
        self.tasks_with_evidence(actor, &query).await
    }

    /// One page of the actor's inbox: the tasks the actor may see that match `query`,
    /// overdue ones first, then by deadline (none last), then by id, [`TASKS_PER_PAGE`] a
    /// page; a page past the last one shows the last. Filtering, counting and paging happen
    /// in the database. `today` decides what is overdue. One `read` audit row per student on
    /// the page (and only those).
    pub async fn protocol_tasks(
        &self,
        actor: &Actor,
        query: &TaskQuery,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> school::Result<TaskPage> {
        let visible = self.task_grants(actor).await?;
        let statuses = match query.status {
            _ if query.overdue => vec![TaskStatus::Open],
            TaskFilter::Open => vec![TaskStatus::Open],
            TaskFilter::Closed => vec![TaskStatus::Done, TaskStatus::NotDone],
            TaskFilter::All => Vec::new(),
        };
        let clean = |s: &Option<String>| {
            s.as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        let mut store_query = ProtocolTaskQuery {
            statuses: statuses.iter().map(|s| s.code().to_owned()).collect(),
            roles: query.role.map(|r| vec![r.code().to_owned()]),
            visible: visible.clone(),
            group_code: clean(&query.group),
            due_before: query.overdue.then_some(today),
            search: clean(&query.search),
            ..ProtocolTaskQuery::default()
        };
        let total = self
            .store
            .protocol_task_count(actor.school(), &store_query)
            .await?;
        let pages = u32::try_from(total.div_ceil(TASKS_PER_PAGE))
            .unwrap_or(u32::MAX)
            .max(1);
        let page = query.page.clamp(1, pages);
        store_query.limit = TASKS_PER_PAGE;
        store_query.offset = (page as usize - 1) * TASKS_PER_PAGE;
        let tasks = if total == 0 {
            Vec::new()
        } else {
            self.tasks_with_evidence(actor, &store_query).await?
        };
        let only_visible = ProtocolTaskQuery {
            visible,
            ..ProtocolTaskQuery::default()
        };
        let open_visible = ProtocolTaskQuery {
            statuses: vec![TaskStatus::Open.code().to_owned()],
            ..only_visible.clone()
        };
        let roles = self
            .store
            .protocol_task_counts_by_role(actor.school(), &open_visible)
            .await?
            .into_iter()
            .filter_map(|(code, n)| Role::parse(&code).map(|r| (r, n)))
            .collect();
        let groups = self
            .store
            .protocol_task_group_codes(actor.school(), &only_visible)
            .await?;
        let mut students: Vec<StudentId> = tasks.iter().map(|t| t.student).collect();
        students.sort_unstable();
        students.dedup();
        let reads: Vec<AuditEntry> = students
            .into_iter()
            .map(|s| read_entry(actor, s, "protocoltaken".to_owned(), now))
            .collect();
        self.store.append_audits(&reads).await?;
        Ok(TaskPage {
            tasks,
            total,
            page,
            pages,
            per_page: TASKS_PER_PAGE,
            roles,
            groups,
        })
    }

    /// One task the actor may see, or `NotFound` (another school's task too).
    async fn visible_task(&self, actor: &Actor, id: i64) -> school::Result<ProtocolTask> {
        self.visible_tasks(
            actor,
            ProtocolTaskQuery {
                id: Some(id),
                ..ProtocolTaskQuery::default()
            },
        )
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| SchoolError::NotFound {
            what: "taak".to_owned(),
        })
    }

    /// One task the actor may see, or `NotFound`. Audited.
    pub async fn protocol_task(
        &self,
        actor: &Actor,
        id: i64,
        now: DateTime<Utc>,
    ) -> school::Result<ProtocolTask> {
        let task = self.visible_task(actor, id).await?;
        self.store
            .append_audit(&read_entry(
                actor,
                task.student,
                format!("protocoltaak {}", task.task_key),
                now,
            ))
            .await?;
        Ok(task)
    }

    /// Closes an open task as done or not done; a note is required when not done, and a
    /// closed task cannot be closed again (`Conflict`). Audited.
    pub async fn close_task(
        &self,
        actor: &Actor,
        id: i64,
        done: bool,
        note: &str,
        now: DateTime<Utc>,
    ) -> school::Result<()> {
        let note = clean_note(note)?;
        if !done && note.is_empty() {
            return Err(SchoolError::Invalid(ValidationError::new(
                "notitie",
                "schrijf op waarom de taak niet gedaan is",
            )));
        }
        let task = self.visible_task(actor, id).await?;
        let status = if done {
            TaskStatus::Done
        } else {
            TaskStatus::NotDone
        };
        let audit = AuditEntry {
            at: now,
            school: actor.school(),
            actor: Some(actor.id()),
            actor_label: actor.label().to_owned(),
            student: Some(task.student),
            action: AuditAction::Update,
            detail: if note.is_empty() {
                format!("protocoltaak {}: {}", task.task_key, status.label())
            } else {
                format!(
                    "protocoltaak {}: {} — {note}",
                    task.task_key,
                    status.label()
                )
            },
        };
        self.store
            .close_protocol_task(
                actor.school(),
                id,
                status.code(),
                &note,
                Some(actor.id()),
                actor.label(),
                now,
                &audit,
            )
            .await?;
        Ok(())
    }

    /// How many open tasks the actor's inbox lists. No personal data is shown, so nothing is
    /// audited (for a summary or a badge in the navigation).
    pub async fn protocol_open_task_count(&self, actor: &Actor) -> school::Result<usize> {
        let query = self
            .visible_query(
                actor,
                ProtocolTaskQuery {
                    statuses: vec![TaskStatus::Open.code().to_owned()],
                    ..ProtocolTaskQuery::default()
                },
            )
            .await?;
        Ok(self
            .store
            .protocol_task_count(actor.school(), &query)
            .await?)
    }

    /// The letter of a task's step, filled in for the student and dated `today`. `NotFound`
    /// when the task is out of sight or its step has no (known) letter. Audited.
    pub async fn task_letter(
        &self,
        actor: &Actor,
        id: i64,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> school::Result<verzuim_protocol::letters::Letter> {
        let task = self.visible_task(actor, id).await?;
        let no_letter = || SchoolError::NotFound {
            what: "brief".to_owned(),
        };
        let template = task.letter.clone().ok_or_else(no_letter)?;
        let school =
            self.store
                .school(actor.school())
                .await?
                .ok_or_else(|| SchoolError::NotFound {
                    what: "school".to_owned(),
                })?;
        let student = self.visible_student(actor, task.student).await?;
        let ctx = verzuim_protocol::letters::LetterContext {
            school_name: school.school.name,
            student_name: student.student.full_name(),
            student_number: student.student.student_number.clone(),
            group: student.group_code.clone(),
            mentor_name: student.mentor_name.clone(),
            reason: task.reason.clone(),
            sanction: task.sanction.clone(),
            date: today,
            place: None,
        };
        let letter = verzuim_protocol::letters::render(&template, &ctx).ok_or_else(no_letter)?;
        self.store
            .append_audit(&read_entry(
                actor,
                task.student,
                format!("protocolbrief {template} bij {}", task.step_key),
                now,
            ))
            .await?;
        Ok(letter)
    }

    /// Whether the actor may start a manual step for the student: the verzuimcoördinator, a
    /// teamleider, and the student's own mentor.
    fn may_trigger(actor: &Actor, student: &StudentRow) -> bool {
        actor.has_role(SchoolRole::AttendanceCoordinator)
            || actor.has_role(SchoolRole::TeamLeader)
            || (actor.has_role(SchoolRole::Mentor) && student.student.mentor == Some(actor.id()))
    }

    /// The ladder of one student for the student page; `None` when the school has no
    /// protocol. One `read` audit row.
    pub async fn student_protocol(
        &self,
        actor: &Actor,
        student: StudentId,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> school::Result<Option<StudentProtocol>> {
        let row = self.visible_student(actor, student).await?;
        if self.store.school_protocol(actor.school()).await?.is_none() {
            return Ok(None);
        }
        let loaded = self
            .load_protocol(actor.school(), today, Some(&row))
            .await?;
        let ladder = loaded.ladder_of(student, today)?;
        let manual_steps = if Self::may_trigger(actor, &row) {
            loaded
                .protocol
                .steps
                .iter()
                .filter(|s| s.trigger == Trigger::Manual)
                .map(|s| (s.id.clone(), s.title.clone()))
                .collect()
        } else {
            Vec::new()
        };
        let tasks = self
            .visible_tasks(
                actor,
                ProtocolTaskQuery {
                    student: Some(student),
                    ..ProtocolTaskQuery::default()
                },
            )
            .await?;
        self.store
            .append_audit(&read_entry(
                actor,
                student,
                format!("protocol {}", loaded.stored.name),
                now,
            ))
            .await?;
        Ok(Some(StudentProtocol {
            protocol_name: loaded.stored.name.clone(),
            explain: explain_for(&loaded.protocol, &ladder, &row),
            ladder,
            manual_steps,
            tasks,
        }))
    }

    /// Starts a manual step for a student: stores the trigger, then runs the protocol for the
    /// school so that its tasks exist at once. Only the verzuimcoördinator, a teamleider and
    /// the student's mentor may; the date lies between the protocol's start and `today`.
    /// Audited.
    #[allow(clippy::too_many_arguments)]
    pub async fn trigger_manual_step(
        &self,
        actor: &Actor,
        student: StudentId,
        step: &str,
        date: NaiveDate,
        note: &str,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> school::Result<()> {
        let row = self.visible_student(actor, student).await?;
        if !Self::may_trigger(actor, &row) {
            return Err(SchoolError::Invalid(ValidationError::new(
                "stap",
                "alleen de verzuimcoördinator, een teamleider of de mentor van de leerling mag \
                 een handmatige stap starten",
            )));
        }
        let school = actor.school();
        let stored = self
            .store
            .school_protocol(school)
            .await?
            .ok_or(ProtocolUseCaseError::NoProtocol)?;
        let codes = self.store.code_table(school).await?;
        let protocol = Protocol::from_toml_with_codes(&stored.source, &codes)
            .map_err(ProtocolUseCaseError::from)?;
        let step = step.trim();
        let manual: Vec<&str> = protocol
            .steps
            .iter()
            .filter(|s| s.trigger == Trigger::Manual)
            .map(|s| s.id.as_str())
            .collect();
        let Some(found) = protocol.step(step) else {
            return Err(SchoolError::Invalid(ValidationError::new(
                "stap",
                format!(
                    "het protocol heeft geen stap '{step}'; handmatige stappen: {}",
                    manual.join(", ")
                ),
            )));
        };
        if found.trigger != Trigger::Manual {
            return Err(SchoolError::Invalid(ValidationError::new(
                "stap",
                format!(
                    "stap '{step}' wordt geteld uit de registraties en kan niet met de hand \
                     worden gestart; handmatige stappen: {}",
                    manual.join(", ")
                ),
            )));
        }
        if date > today {
            return Err(SchoolError::Invalid(ValidationError::new(
                "datum",
                "kies vandaag of een eerdere datum",
            )));
        }
        if date < stored.active_from {
            return Err(SchoolError::Invalid(ValidationError::new(
                "datum",
                format!(
                    "het protocol geldt pas vanaf {}; kies die datum of een latere",
                    stored.active_from.format("%d-%m-%Y")
                ),
            )));
        }
        let note = clean_note(note)?;
        let audit = AuditEntry {
            at: now,
            school,
            actor: Some(actor.id()),
            actor_label: actor.label().to_owned(),
            student: Some(student),
            action: AuditAction::Create,
            detail: format!(
                "handmatige protocolstap {step} gestart op {}: {note}",
                date.format("%d-%m-%Y")
            ),
        };
        self.store
            .insert_manual_trigger(
                school,
                &NewManualTrigger {
                    student,
                    step: step.to_owned(),
                    date,
                    note,
                    by: Some(actor.id()),
                    by_label: actor.label().to_owned(),
                    at: now,
                },
                &audit,
            )
            .await?;
        self.protocol_run(school, today, actor.label(), now).await?;
        Ok(())
    }
}

/// A stored task with its evidence as the inbox shows it.
fn task_from_row(
    r: ProtocolTaskRow,
    registrations: &HashMap<RegistrationId, RegistrationRow>,
) -> school::Result<ProtocolTask> {
    let corrupt = |what: String| SchoolError::Store(StoreError::Corrupt(what));
    let role = Role::parse(&r.role)
        .ok_or_else(|| corrupt(format!("protocoltaak {}: onbekende rol '{}'", r.id, r.role)))?;
    let status = TaskStatus::parse(&r.status).ok_or_else(|| {
        corrupt(format!(
            "protocoltaak {}: onbekende status '{}'",
            r.id, r.status
        ))
    })?;
    let mut evidence: Vec<EvidenceLine> = r
        .evidence
        .iter()
        .map(|id| evidence_line(*id, registrations.get(id)))
        .collect();
    evidence.sort_by_key(|e| (e.date, e.registration));
    Ok(ProtocolTask {
        id: r.id,
        student: r.student,
        student_number: r.student_number,
        student_name: r.student_name,
        group: r.group,
        step_key: r.step_key,
        task_key: r.task_key,
        step_title: r.step_title,
        ladder: r.ladder,
        role,
        text: r.text,
        reason: r.reason,
        evidence,
        reached_on: r.reached_on,
        created_on: r.created_on,
        due: r.due,
        status,
        note: r.note,
        closed_by: r.closed_by,
        closed_at: r.closed_at,
        sanction: r.sanction,
        letter: r.letter,
        propose_melding: r.propose_melding.as_deref().map(melding_label),
    })
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, NaiveDate, NaiveTime};
    use verzuim_domain::{LessonId, Registration};

    use super::*;

    fn t(h: u32, m: u32) -> NaiveTime {
        NaiveTime::from_hms_opt(h, m, 0).unwrap()
    }

    fn row(target: RegistrationTarget, start: NaiveTime, end: NaiveTime) -> RegistrationRow {
        RegistrationRow {
            id: RegistrationId(1),
            registration: Registration {
                student: StudentId(1),
                target,
                code: "SP".into(),
                registered_by: None,
                registered_at: DateTime::UNIX_EPOCH,
                note: String::new(),
                minutes_late: None,
            },
            date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            start,
            end,
            lesson: None,
            registered_by_name: None,
            withdrawn: false,
        }
    }

    #[test]
    fn a_lesson_counts_its_length_in_lesuren_and_at_least_one() {
        let lesson = |start, end| {
            row(
                RegistrationTarget::Lesson {
                    lesson: LessonId(1),
                },
                start,
                end,
            )
        };
        let none = HashMap::new();
        assert_eq!(lesuren(&lesson(t(8, 30), t(10, 10)), 50, None, &none), 2);
        assert_eq!(lesuren(&lesson(t(8, 30), t(9, 20)), 50, None, &none), 1);
        assert_eq!(lesuren(&lesson(t(8, 30), t(8, 45)), 50, None, &none), 1);
    }

    #[test]
    fn a_span_counts_the_lessons_of_the_students_group_it_overlaps() {
        let date = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let mut lessons = HashMap::new();
        lessons.insert(
            ("1A".to_owned(), date),
            vec![
                (t(8, 30), t(9, 20)),
                (t(9, 20), t(10, 10)),
                (t(10, 30), t(11, 20)),
                (t(13, 0), t(13, 50)),
            ],
        );
        let span = |start, end| row(RegistrationTarget::Span { date, start, end }, start, end);
        assert_eq!(
            lesuren(&span(t(9, 0), t(11, 0)), 50, Some("1A"), &lessons),
            3
        );
        assert_eq!(
            lesuren(&span(t(8, 0), t(16, 0)), 50, Some("1A"), &lessons),
            4
        );
        // No lesson in the span, or no group: the span still counts once.
        assert_eq!(
            lesuren(&span(t(11, 20), t(13, 0)), 50, Some("1A"), &lessons),
            1
        );
        assert_eq!(lesuren(&span(t(8, 0), t(16, 0)), 50, None, &lessons), 1);
    }
}
