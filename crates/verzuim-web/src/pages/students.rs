//! The student list and the student page (with the student's position on the school's
//! protocol and the form to start a manual step).

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use verzuim_app::protocol::StudentProtocol;
use verzuim_app::school::{SchoolError, StudentListQuery};
use verzuim_domain::{GroupId, RegistrationTarget, StudentId, ValidationError};
use verzuim_protocol::SanctionOutcome;

use crate::AppState;
use crate::clock::{clock_time, local_date_time, short_date};
use crate::error::WebError;
use crate::pages::home::period_label;
use crate::pages::tasks::task_views;
use crate::pages::{parse_id, render};
use crate::session::CurrentUser;
use crate::views::{
    GroupOption, HistoryLine, LadderLine, Layout, ProtocolSection, ReachedLine, RegistrationLine,
    StepOption, StudentLine, StudentListPage, StudentPageView,
};

fn list_link(search: &str, group: Option<GroupId>, page: i64) -> String {
    let mut q = url::form_urlencoded::Serializer::new(String::new());
    if !search.is_empty() {
        q.append_pair("zoek", search);
    }
    if let Some(g) = group {
        q.append_pair("groep", &g.0.to_string());
    }
    q.append_pair("pagina", &page.to_string());
    format!("/leerlingen?{}", q.finish())
}

/// GET `/leerlingen?zoek=&groep=&pagina=`.
pub async fn student_list(
    State(state): State<AppState>,
    user: CurrentUser,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Html<String>, WebError> {
    let search = params
        .get("zoek")
        .map(|s| s.trim().to_owned())
        .unwrap_or_default();
    let group = params
        .get("groep")
        .and_then(|g| g.parse::<i64>().ok())
        .map(GroupId);
    let page = params
        .get("pagina")
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let query = StudentListQuery {
        search: search.clone(),
        group,
        page,
    };
    let list = state
        .app
        .student_list(&user.actor, &query, state.now())
        .await?;
    render(&StudentListPage {
        layout: Layout::for_user("Leerlingen", &user),
        groups: list
            .groups
            .iter()
            .map(|g| GroupOption {
                id: g.id.0.to_string(),
                code: g.group.code.clone(),
                selected: Some(g.id) == group,
            })
            .collect(),
        rows: list
            .students
            .into_iter()
            .map(|s| StudentLine {
                id: s.id.0,
                name: s.student.sort_name(),
                number: s.student.student_number,
                group: s.group_code.unwrap_or_default(),
                mentor: s.mentor_name.unwrap_or_default(),
            })
            .collect(),
        total: list.total,
        page: list.page,
        pages: list.pages,
        prev_link: (list.page > 1).then(|| list_link(&search, group, list.page - 1)),
        next_link: (list.page < list.pages).then(|| list_link(&search, group, list.page + 1)),
        search,
    })
}

/// GET `/leerlingen/{id}`: the student's data, registrations, history and position on the
/// school's protocol. Reading it writes audit entries (in the app layer).
pub async fn student_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Html<String>, WebError> {
    let id = StudentId(parse_id(&id)?);
    let form = ManualForm {
        date: state.today().to_string(),
        notice: params.contains_key("gestart").then(|| {
            "De stap is gestart; de taken staan hieronder en in de takenlijsten.".to_owned()
        }),
        ..ManualForm::default()
    };
    let view = student_view(&state, &user, id, form).await?;
    render(&view)
}

/// POST `/leerlingen/{id}/protocol`: starts a manual step of the protocol for the student
/// (`stap`, `datum`, `notitie`), then back to the student page. A refused start shows the
/// page again with the reason beside the form; nothing is stored.
pub async fn manual_step_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let id = StudentId(parse_id(&id)?);
    let fields: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let get = |k: &str| {
        fields
            .get(k)
            .map(|v| v.trim().to_owned())
            .unwrap_or_default()
    };
    let mut form = ManualForm {
        step: get("stap"),
        date: get("datum"),
        note: get("notitie"),
        ..ManualForm::default()
    };
    let refused = |form: ManualForm| async {
        let view = student_view(&state, &user, id, form).await?;
        Ok::<_, WebError>((StatusCode::UNPROCESSABLE_ENTITY, render(&view)?).into_response())
    };
    if form.step.is_empty() {
        form.error = Some("Kies de stap die u wilt starten.".to_owned());
        return refused(form).await;
    }
    let Some(date) = parse_date(&form.date) else {
        form.error = Some(
            "Vul de datum in als jjjj-mm-dd (bijvoorbeeld 2026-11-23) of dd-mm-jjjj.".to_owned(),
        );
        return refused(form).await;
    };
    match state
        .app
        .trigger_manual_step(
            &user.actor,
            id,
            &form.step,
            date,
            &form.note,
            state.today(),
            state.now(),
        )
        .await
    {
        Ok(()) => {
            Ok(Redirect::to(&format!("/leerlingen/{}?gestart=1#protocol", id.0)).into_response())
        }
        Err(
            SchoolError::Invalid(ValidationError { reason, .. })
            | SchoolError::Conflict { reason, .. },
        ) => {
            form.error = Some(reason);
            refused(form).await
        }
        Err(e) => Err(e.into()),
    }
}

/// "2026-11-23" or "23-11-2026".
fn parse_date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(text, "%d-%m-%Y"))
        .ok()
}

/// What the manual-step form shows: the values typed, the reason it was refused, or the
/// message after a start.
#[derive(Debug, Clone, Default)]
struct ManualForm {
    step: String,
    date: String,
    note: String,
    error: Option<String>,
    notice: Option<String>,
}

fn protocol_section(p: &StudentProtocol, form: ManualForm, today: NaiveDate) -> ProtocolSection {
    let mut ladders: Vec<LadderLine> = Vec::new();
    for r in &p.ladder.reached {
        let line = ReachedLine {
            title: r.title.clone(),
            reason: r.reason.clone(),
            date: short_date(r.reached_on),
            sanction: r
                .sanction
                .as_ref()
                .map(SanctionOutcome::describe)
                .unwrap_or_default(),
        };
        match ladders.iter_mut().find(|l| l.name == r.ladder) {
            Some(l) => l.steps.push(line),
            None => ladders.push(LadderLine {
                name: r.ladder.clone(),
                steps: vec![line],
            }),
        }
    }
    let progress = p
        .ladder
        .progress
        .iter()
        .map(|g| {
            let counts: Vec<String> = g
                .thresholds
                .iter()
                .map(|(counter, now, needed)| format!("{counter} {now} van {needed}"))
                .collect();
            format!("‘{}’ in {}: {}", g.title, g.instance, counts.join(", "))
        })
        .collect();
    ProtocolSection {
        name: p.protocol_name.clone(),
        ladders,
        progress,
        explain: p.explain.clone(),
        tasks: task_views(&p.tasks, today),
        manual_steps: p
            .manual_steps
            .iter()
            .map(|(id, title)| StepOption {
                selected: *id == form.step,
                id: id.clone(),
                title: title.clone(),
            })
            .collect(),
        date: form.date,
        note: form.note,
        error: form.error,
        notice: form.notice,
    }
}

/// The student page's view, with the protocol section (and the manual-step form as `form`).
async fn student_view(
    state: &AppState,
    user: &CurrentUser,
    id: StudentId,
    form: ManualForm,
) -> Result<StudentPageView, WebError> {
    let (today, now) = (state.today(), state.now());
    let page = state.app.student_page(&user.actor, id, now).await?;
    let protocol = state
        .app
        .student_protocol(&user.actor, id, today, now)
        .await?
        .map(|p| protocol_section(&p, form, today));
    let s = &page.student.student;
    let enrolled = match s.enrolled_until {
        Some(until) => format!(
            "{} tot en met {}",
            short_date(s.enrolled_from),
            short_date(until)
        ),
        None => format!("sinds {}", short_date(s.enrolled_from)),
    };
    let registrations = page
        .registrations
        .iter()
        .map(|r| {
            let reg = &r.registration;
            RegistrationLine {
                date: short_date(r.date),
                time: format!("{}–{}", clock_time(r.start), clock_time(r.end)),
                lesson: match (&r.lesson, &reg.target) {
                    (Some((subject, period)), _) => {
                        let p = period_label(*period);
                        if p.is_empty() {
                            subject.clone()
                        } else {
                            format!("{subject}, {p}")
                        }
                    }
                    (None, RegistrationTarget::Span { .. }) => "tijdvak".to_owned(),
                    (None, RegistrationTarget::Lesson { .. }) => "les".to_owned(),
                },
                code: reg.code.clone(),
                description: page
                    .codes
                    .get(&reg.code)
                    .map(|c| c.description.clone())
                    .unwrap_or_default(),
                minutes: reg
                    .minutes_late
                    .map(|m| format!("{m} min"))
                    .unwrap_or_default(),
                by: r
                    .registered_by_name
                    .clone()
                    .unwrap_or_else(|| "import".to_owned()),
                at: local_date_time(reg.registered_at),
                note: reg.note.clone(),
                withdrawn: r.withdrawn,
            }
        })
        .collect();
    let history = page
        .history
        .iter()
        .map(|h| {
            let c = &h.change;
            let old = c.old_code.clone().unwrap_or_else(|| "nieuw".to_owned());
            let new = c
                .new_code
                .clone()
                .unwrap_or_else(|| "aanwezig (ingetrokken)".to_owned());
            let note = if c.old_note == c.new_note {
                String::new()
            } else if c.old_note.is_empty() {
                format!("notitie: “{}”", c.new_note)
            } else {
                format!("notitie: “{}” → “{}”", c.old_note, c.new_note)
            };
            HistoryLine {
                date: short_date(h.date),
                change: format!("{old} → {new}"),
                by: h.changed_by_name.clone(),
                at: local_date_time(c.changed_at),
                note,
            }
        })
        .collect();
    Ok(StudentPageView {
        layout: Layout::for_user(&s.full_name(), user),
        name: s.full_name(),
        number: s.student_number.clone(),
        personal_kind: s.personal_number.kind_label().to_owned(),
        personal_number: s.personal_number.as_str().to_owned(),
        birth_date: short_date(s.birth_date),
        group: page
            .student
            .group_code
            .clone()
            .unwrap_or_else(|| "geen".to_owned()),
        mentor: page
            .student
            .mentor_name
            .clone()
            .unwrap_or_else(|| "geen".to_owned()),
        enrolled,
        start_qualification: if s.start_qualification { "ja" } else { "nee" }.to_owned(),
        registrations,
        history,
        id: id.0,
        csrf: user.csrf_token.clone(),
        protocol,
    })
}
