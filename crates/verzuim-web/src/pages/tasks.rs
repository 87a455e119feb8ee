//! "Taken": the protocol's tasks of the signed-in person (issue 6). The inbox lists the open
//! or the closed tasks the person may see (the app layer decides: a mentor her mentees', the
//! verzuimcoördinator the whole school's), sorted by deadline, each with the student, what to
//! do and for which role, the reason in words, the evidence, the deadline (an overdue one says
//! "te laat" in words), the sanction, the letter and a proposed DUO melding, and a form to
//! close it as done or not done with a note. One task has its own page, and its letter a
//! printable page. Works without JavaScript; every form carries the CSRF token.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use verzuim_app::protocol::{
    EvidenceLine, ProtocolTask, TaskFilter, TaskPage as InboxPage, TaskQuery, TaskStatus,
};
use verzuim_app::school::SchoolError;
use verzuim_domain::SchoolRole;
use verzuim_protocol::Role;

use crate::AppState;
use crate::clock::{local_date_time, short_date};
use crate::error::WebError;
use crate::pages::{parse_id, render};
use crate::session::CurrentUser;
use crate::views::Layout;

type Params = HashMap<String, String>;

/// The school roles whose holders can get protocol tasks (the beheerder gets none).
const TASK_ROLES: [SchoolRole; 7] = [
    SchoolRole::AttendanceCoordinator,
    SchoolRole::Mentor,
    SchoolRole::Teacher,
    SchoolRole::TeamLeader,
    SchoolRole::DayCoordinator,
    SchoolRole::SupportCoordinator,
    SchoolRole::Reception,
];

/// Whether the person holds a role that can get tasks.
pub(crate) fn has_task_role(user: &CurrentUser) -> bool {
    TASK_ROLES.iter().any(|r| user.actor.has_role(*r))
}

// ---------------------------------------------------------------------------------------
// Views

/// A task as the inbox, the task page and the student page show it.
#[derive(Debug, Clone)]
pub struct TaskView {
    /// Task id.
    pub id: i64,
    /// Link to the task page.
    pub href: String,
    /// Student id (for the link to the student page).
    pub student_id: i64,
    /// Student's full name.
    pub student: String,
    /// Student number.
    pub number: String,
    /// Class, or empty.
    pub group: String,
    /// The step's title.
    pub step: String,
    /// The ladder.
    pub ladder: String,
    /// For whom: "mentor".
    pub role: String,
    /// What to do.
    pub text: String,
    /// Why: "6× te laat in periode 1".
    pub reason: String,
    /// When the step was reached.
    pub reached: String,
    /// The registrations that counted, one line each.
    pub evidence: Vec<String>,
    /// "25-11-2026" or "geen termijn".
    pub due: String,
    /// Open and past its deadline.
    pub overdue: bool,
    /// Open.
    pub open: bool,
    /// "open", "gedaan", "niet gedaan", "vervallen".
    pub status: String,
    /// Sanction in words, or empty.
    pub sanction: String,
    /// Link to the letter page, when the step has a letter.
    pub letter_href: Option<String>,
    /// Dutch label of the proposed DUO melding, or empty.
    pub melding: String,
    /// Note written when closing.
    pub note: String,
    /// "gedaan door J. Jansen op 23-11-2026 10:15" for a closed task.
    pub closed: String,
    /// Why the last close of this task was refused (beside the note field).
    pub error: Option<String>,
    /// Which outcome was chosen when the close was refused.
    pub chosen: String,
}

impl TaskView {
    fn from_task(t: &ProtocolTask, today: NaiveDate) -> Self {
        let open = t.status == TaskStatus::Open;
        let closed = match (&t.closed_by, t.closed_at) {
            (Some(by), Some(at)) => {
                format!("{} door {by} op {}", t.status.label(), local_date_time(at))
            }
            (Some(by), None) => format!("{} door {by}", t.status.label()),
            (None, Some(at)) => format!("{} op {}", t.status.label(), local_date_time(at)),
            (None, None) if !open => t.status.label().to_owned(),
            _ => String::new(),
        };
        Self {
            id: t.id,
            href: format!("/taken/{}", t.id),
            student_id: t.student.0,
            student: t.student_name.clone(),
            number: t.student_number.clone(),
            group: t.group.clone().unwrap_or_default(),
            step: t.step_title.clone(),
            ladder: t.ladder.clone(),
            role: t.role.label().to_owned(),
            text: t.text.clone(),
            reason: t.reason.clone(),
            reached: short_date(t.reached_on),
            evidence: evidence_lines(&t.evidence),
            due: t.due.map_or_else(|| "geen termijn".to_owned(), short_date),
            overdue: open && t.due.is_some_and(|d| d < today),
            open,
            status: t.status.label().to_owned(),
            sanction: t.sanction.clone().unwrap_or_default(),
            letter_href: t.letter.as_ref().map(|_| format!("/taken/{}/brief", t.id)),
            melding: t.propose_melding.clone().unwrap_or_default(),
            note: t.note.clone(),
            closed,
            error: None,
            chosen: String::new(),
        }
    }
}

/// The evidence in lines, one per date and code: "16-11-2026 ZK: 1e uur FA, 2e uur TE" (a
/// day of sickness is one line, not six); a registration that is gone says so.
fn evidence_lines(evidence: &[EvidenceLine]) -> Vec<String> {
    /// A date and code (`None`: the registration is gone) and the lessons it covers.
    type Line<'a> = (Option<(NaiveDate, &'a str)>, Vec<&'a str>);
    let mut lines: Vec<Line<'_>> = Vec::new();
    for e in evidence {
        let key = (!e.code.is_empty()).then_some((e.date, e.code.as_str()));
        match lines.last_mut() {
            Some((last, whats)) if key.is_some() && *last == key => {
                if !e.what.is_empty() {
                    whats.push(&e.what);
                }
            }
            _ => lines.push((
                key,
                [e.what.as_str()]
                    .into_iter()
                    .filter(|w| !w.is_empty())
                    .collect(),
            )),
        }
    }
    lines
        .into_iter()
        .map(|(key, whats)| match key {
            None => "een registratie die niet meer bestaat".to_owned(),
            Some((date, code)) if whats.is_empty() => format!("{} {code}", short_date(date)),
            Some((date, code)) => format!("{} {code}: {}", short_date(date), whats.join(", ")),
        })
        .collect()
}

/// Tasks as views, sorted by deadline (none last), then by id.
pub(crate) fn task_views(tasks: &[ProtocolTask], today: NaiveDate) -> Vec<TaskView> {
    let mut sorted: Vec<&ProtocolTask> = tasks.iter().collect();
    sorted.sort_by_key(|t| (t.due.is_none(), t.due, t.id));
    sorted
        .into_iter()
        .map(|t| TaskView::from_task(t, today))
        .collect()
}

/// An option of a filter's list.
#[derive(Debug, Clone)]
pub struct FilterOption {
    /// The value sent.
    pub value: String,
    /// What the person reads.
    pub label: String,
    /// Whether it is the chosen one.
    pub selected: bool,
}

/// The inbox's filter as it arrived in the address: `status`, `klas`, `rol`, `te_laat`,
/// `zoek`, `pagina`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct InboxFilter {
    /// `open`, `afgehandeld` or `alle`.
    status: String,
    /// Class code, or empty.
    group: String,
    /// Role code, or empty.
    role: String,
    /// Only overdue tasks.
    overdue: bool,
    /// Name or number, or empty.
    search: String,
}

impl InboxFilter {
    fn from_params(params: &Params) -> Self {
        let get = |k: &str| {
            params
                .get(k)
                .map(|v| v.trim().to_owned())
                .unwrap_or_default()
        };
        let status = match get("status").as_str() {
            s @ ("afgehandeld" | "alle") => s.to_owned(),
            _ => "open".to_owned(),
        };
        Self {
            status,
            group: get("klas"),
            role: get("rol"),
            overdue: !get("te_laat").is_empty(),
            search: get("zoek"),
        }
    }

    fn status(&self) -> TaskFilter {
        match self.status.as_str() {
            "afgehandeld" => TaskFilter::Closed,
            "alle" => TaskFilter::All,
            _ => TaskFilter::Open,
        }
    }

    fn query(&self, page: u32) -> TaskQuery {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        TaskQuery {
            status: self.status(),
            group: some(&self.group),
            role: Role::parse(&self.role),
            overdue: self.overdue,
            search: some(&self.search),
            page,
        }
    }

    /// `/taken?…` with this filter (its status replaced by `status`) on `page`; empty
    /// filters and page 1 are left out.
    fn link(&self, status: &str, page: u32) -> String {
        let mut q = url::form_urlencoded::Serializer::new(String::new());
        q.append_pair("status", status);
        for (key, value) in [
            ("klas", self.group.as_str()),
            ("rol", self.role.as_str()),
            ("zoek", self.search.as_str()),
        ] {
            if !value.is_empty() {
                q.append_pair(key, value);
            }
        }
        if self.overdue {
            q.append_pair("te_laat", "1");
        }
        if page > 1 {
            q.append_pair("pagina", &page.to_string());
        }
        format!("/taken?{}", q.finish())
    }
}

/// The inbox.
#[derive(Template)]
#[template(path = "tasks.html")]
pub struct TasksPage {
    /// Layout.
    pub layout: Layout,
    /// CSRF token.
    pub csrf: String,
    /// Whether the open tab is shown.
    pub open_tab: bool,
    /// Whether the closed tab is shown.
    pub closed_tab: bool,
    /// A message after closing a task.
    pub notice: Option<String>,
    /// Whether the person holds a role that can get tasks.
    pub has_role: bool,
    /// Whether the person may see the Verzuimmeldingen page.
    pub melding_role: bool,
    /// The number of open tasks the person may see (shown on the "Open" tab).
    pub open_count: usize,
    /// The tabs' links, keeping the filter.
    pub open_href: String,
    /// See `open_href`.
    pub closed_href: String,
    /// Status options: open, afgehandeld, alle.
    pub statuses: Vec<FilterOption>,
    /// Class options (besides "alle klassen").
    pub groups: Vec<FilterOption>,
    /// Role options with their open counts (besides "alle rollen").
    pub roles: Vec<FilterOption>,
    /// "Alleen te laat" ticked.
    pub overdue: bool,
    /// The search text.
    pub search: String,
    /// Whether any filter besides the status is set.
    pub filtered: bool,
    /// Tasks matching the filter, on all pages.
    pub total: usize,
    /// This page, from 1.
    pub page: u32,
    /// Number of pages.
    pub pages: u32,
    /// Link to the previous page.
    pub prev_link: Option<String>,
    /// Link to the next page.
    pub next_link: Option<String>,
    /// The tasks of this page, overdue first, then by deadline.
    pub tasks: Vec<TaskView>,
}

impl TasksPage {
    fn new(user: &CurrentUser, filter: &InboxFilter, result: InboxPage, today: NaiveDate) -> Self {
        let statuses = [
            ("open", "open"),
            ("afgehandeld", "afgehandeld"),
            ("alle", "alle"),
        ]
        .into_iter()
        .map(|(value, label)| FilterOption {
            value: value.to_owned(),
            label: label.to_owned(),
            selected: filter.status == value,
        })
        .collect();
        let mut groups: Vec<FilterOption> = result
            .groups
            .iter()
            .map(|g| FilterOption {
                value: g.clone(),
                label: g.clone(),
                selected: *g == filter.group,
            })
            .collect();
        if !filter.group.is_empty() && !groups.iter().any(|g| g.selected) {
            groups.push(FilterOption {
                value: filter.group.clone(),
                label: filter.group.clone(),
                selected: true,
            });
        }
        let chosen_role = Role::parse(&filter.role);
        let mut roles: Vec<FilterOption> = result
            .roles
            .iter()
            .map(|(role, n)| FilterOption {
                value: role.code().to_owned(),
                label: format!("{} ({n} open)", role.label()),
                selected: chosen_role == Some(*role),
            })
            .collect();
        if let Some(role) = chosen_role.filter(|r| !result.roles.iter().any(|(x, _)| x == r)) {
            roles.push(FilterOption {
                value: role.code().to_owned(),
                label: format!("{} (0 open)", role.label()),
                selected: true,
            });
        }
        let (page, pages) = (result.page, result.pages);
        Self {
            layout: Layout::for_user("Taken", user),
            csrf: user.csrf_token.clone(),
            open_tab: filter.status == "open",
            closed_tab: filter.status == "afgehandeld",
            notice: None,
            has_role: true,
            melding_role: may_see_meldingen(user),
            open_count: result.open_count(),
            open_href: filter.link("open", 1),
            closed_href: filter.link("afgehandeld", 1),
            statuses,
            groups,
            roles,
            overdue: filter.overdue,
            search: filter.search.clone(),
            filtered: !filter.group.is_empty()
                || chosen_role.is_some()
                || filter.overdue
                || !filter.search.is_empty(),
            total: result.total,
            page,
            pages,
            prev_link: (page > 1).then(|| filter.link(&filter.status, page - 1)),
            next_link: (page < pages).then(|| filter.link(&filter.status, page + 1)),
            tasks: result
                .tasks
                .iter()
                .map(|t| TaskView::from_task(t, today))
                .collect(),
        }
    }
}

/// One task.
#[derive(Template)]
#[template(path = "task.html")]
pub struct TaskPage {
    /// Layout.
    pub layout: Layout,
    /// CSRF token.
    pub csrf: String,
    /// A message after closing it.
    pub notice: Option<String>,
    /// Whether the person may see the Verzuimmeldingen page.
    pub melding_role: bool,
    /// The task.
    pub task: TaskView,
}

/// A letter, printable.
#[derive(Template)]
#[template(path = "letter.html")]
pub struct LetterPage {
    /// Layout.
    pub layout: Layout,
    /// Link back to the task.
    pub back: String,
    /// The letter's title.
    pub title: String,
    /// Paragraphs, each a list of lines.
    pub paragraphs: Vec<Vec<String>>,
}

fn may_see_meldingen(user: &CurrentUser) -> bool {
    [
        SchoolRole::AttendanceCoordinator,
        SchoolRole::TeamLeader,
        SchoolRole::Admin,
    ]
    .iter()
    .any(|r| user.actor.has_role(*r))
}

// ---------------------------------------------------------------------------------------
// Handlers

/// GET `/taken?status=open|afgehandeld|alle&klas=&rol=&te_laat=1&zoek=&pagina=`: one page
/// of the person's inbox, filtered; the app layer filters, counts and pages in the database
/// and audits only the students on the page.
pub async fn inbox(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let notice = params
        .get("gesloten")
        .map(|_| "De taak is afgehandeld. U vindt haar onder ‘Afgehandeld’.".to_owned());
    if !has_task_role(&user) {
        let filter = InboxFilter::from_params(&Params::new());
        let empty = InboxPage {
            tasks: Vec::new(),
            total: 0,
            page: 1,
            pages: 1,
            per_page: 0,
            roles: Vec::new(),
            groups: Vec::new(),
        };
        let mut page = TasksPage::new(&user, &filter, empty, state.today());
        page.has_role = false;
        return Ok(render(&page)?.into_response());
    }
    let filter = InboxFilter::from_params(&params);
    let wanted = params
        .get("pagina")
        .and_then(|p| p.trim().parse::<u32>().ok())
        .unwrap_or(1);
    let result = state
        .app
        .protocol_tasks(
            &user.actor,
            &filter.query(wanted),
            state.today(),
            state.now(),
        )
        .await?;
    let mut page = TasksPage::new(&user, &filter, result, state.today());
    page.notice = notice;
    Ok(render(&page)?.into_response())
}

/// GET `/taken/{id}`: one task with its form (open) or who closed it (closed).
pub async fn task(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let t = state
        .app
        .protocol_task(&user.actor, id, state.now())
        .await?;
    let notice = params
        .contains_key("gesloten")
        .then(|| "De taak is afgehandeld.".to_owned());
    let page = task_page(&user, &t, state.today(), notice);
    Ok(render(&page)?.into_response())
}

fn task_page(
    user: &CurrentUser,
    t: &ProtocolTask,
    today: NaiveDate,
    notice: Option<String>,
) -> TaskPage {
    TaskPage {
        layout: Layout::for_user(&format!("Taak voor {}", t.student_name), user),
        csrf: user.csrf_token.clone(),
        notice,
        melding_role: may_see_meldingen(user),
        task: TaskView::from_task(t, today),
    }
}

/// POST `/taken/{id}`: closes the task as done (`uitkomst=gedaan`) or not done
/// (`uitkomst=niet_gedaan`, a note is required), then back to the inbox or the task page
/// (`terug=taak`). A refused close shows the task page again with the reason beside the
/// field; nothing is stored.
pub async fn close(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let form: Params = url::form_urlencoded::parse(&body).into_owned().collect();
    let outcome = form.get("uitkomst").map(String::as_str).unwrap_or_default();
    let note = form.get("notitie").map(|n| n.trim()).unwrap_or_default();
    let back_to_task = form.get("terug").map(String::as_str) == Some("taak");
    let now = state.now();
    let (state, user) = (&state, &user);
    let refused = |reason: String| async move {
        let t = state.app.protocol_task(&user.actor, id, now).await?;
        let mut page = task_page(user, &t, state.today(), None);
        page.task.error = Some(reason);
        page.task.chosen = outcome.to_owned();
        page.task.note = note.to_owned();
        Ok::<_, WebError>((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
    };
    let done = match outcome {
        "gedaan" => true,
        "niet_gedaan" => false,
        _ => return refused("Kies ‘gedaan’ of ‘niet gedaan’.".to_owned()).await,
    };
    if !done && note.is_empty() {
        return refused("Schrijf in de notitie waarom de taak niet is gedaan.".to_owned()).await;
    }
    match state.app.close_task(&user.actor, id, done, note, now).await {
        Ok(()) => {
            let to = if back_to_task {
                format!("/taken/{id}?gesloten=1")
            } else {
                format!("/taken?gesloten={id}")
            };
            Ok(Redirect::to(&to).into_response())
        }
        Err(SchoolError::Invalid(e)) => refused(e.reason).await,
        Err(e) => Err(e.into()),
    }
}

/// GET `/taken/{id}/brief`: the task's letter to the parents, ready to print.
pub async fn letter(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let letter = state
        .app
        .task_letter(&user.actor, id, state.today(), state.now())
        .await?;
    let paragraphs = letter
        .body
        .split("\n\n")
        .map(|p| p.lines().map(str::to_owned).collect::<Vec<_>>())
        .filter(|p| !p.is_empty())
        .collect();
    let page = LetterPage {
        layout: Layout::for_user(&letter.title, &user),
        back: format!("/taken/{id}"),
        title: letter.title,
        paragraphs,
    };
    Ok(render(&page)?.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;
    use verzuim_domain::{RegistrationId, StudentId};
    use verzuim_protocol::Role;

    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, d).unwrap()
    }

    fn task(id: i64, due: Option<NaiveDate>, status: TaskStatus) -> ProtocolTask {
        ProtocolTask {
            id,
            student: StudentId(7),
            student_number: "1005".into(),
            student_name: "Fleur Willems".into(),
            group: Some("1A".into()),
            step_key: "laat-3@periode-2".into(),
            task_key: "laat-3@periode-2#0".into(),
            step_title: "3× te laat".into(),
            ladder: "te laat".into(),
            role: Role::Mentor,
            text: "Bel de ouders.".into(),
            reason: "3× te laat in periode 2".into(),
            evidence: vec![
                EvidenceLine {
                    registration: RegistrationId(1),
                    date: day(16),
                    code: "TO".into(),
                    what: "1e uur ENG".into(),
                },
                EvidenceLine {
                    registration: RegistrationId(2),
                    date: NaiveDate::MIN,
                    code: String::new(),
                    what: String::new(),
                },
            ],
            reached_on: day(18),
            created_on: day(18),
            due,
            status,
            note: String::new(),
            closed_by: None,
            closed_at: None,
            sanction: None,
            letter: None,
            propose_melding: None,
        }
    }

    #[test]
    fn tasks_are_sorted_by_deadline_with_tasks_without_one_last() {
        let tasks = [
            task(1, None, TaskStatus::Open),
            task(2, Some(day(25)), TaskStatus::Open),
            task(3, Some(day(20)), TaskStatus::Open),
        ];
        let ids: Vec<i64> = task_views(&tasks, day(23)).iter().map(|t| t.id).collect();
        assert_eq!(ids, [3, 2, 1]);
    }

    #[test]
    fn only_an_open_task_past_its_deadline_is_overdue() {
        let views = task_views(
            &[
                task(1, Some(day(20)), TaskStatus::Open),
                task(2, Some(day(23)), TaskStatus::Open),
                task(3, Some(day(20)), TaskStatus::Done),
                task(4, None, TaskStatus::Open),
            ],
            day(23),
        );
        let overdue: Vec<(i64, bool)> = views.iter().map(|t| (t.id, t.overdue)).collect();
        assert_eq!(overdue, [(1, true), (3, false), (2, false), (4, false)]);
        assert_eq!(views[3].due, "geen termijn");
    }

    #[test]
    fn a_day_of_evidence_with_one_code_is_one_line() {
        let line = |id, d, code: &str, what: &str| EvidenceLine {
            registration: RegistrationId(id),
            date: day(d),
            code: code.into(),
            what: what.into(),
        };
        let lines = evidence_lines(&[
            line(1, 16, "ZK", "1e uur FA"),
            line(2, 16, "ZK", "2e uur TE"),
            line(3, 16, "TO", "3e uur NE"),
            line(4, 17, "ZK", "1e uur BV"),
            line(5, 17, "ZK", ""),
        ]);
        assert_eq!(
            lines,
            [
                "16-11-2026 ZK: 1e uur FA, 2e uur TE",
                "16-11-2026 TO: 3e uur NE",
                "17-11-2026 ZK: 1e uur BV"
            ]
        );
    }

    #[test]
    fn evidence_reads_date_code_and_lesson_and_a_gone_registration_says_so() {
        let v = TaskView::from_task(&task(1, None, TaskStatus::Open), day(23));
        assert_eq!(
            v.evidence,
            [
                "16-11-2026 TO: 1e uur ENG",
                "een registratie die niet meer bestaat"
            ]
        );
        assert_eq!(v.role, "mentor");
        assert_eq!(v.group, "1A");
    }
}
