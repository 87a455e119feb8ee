//! The student list and the student page.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::Html;
use verzuim_app::school::StudentListQuery;
use verzuim_domain::{GroupId, RegistrationTarget, StudentId};

use crate::AppState;
use crate::clock::{clock_time, local_date_time, short_date};
use crate::error::WebError;
use crate::pages::home::period_label;
use crate::pages::{parse_id, render};
use crate::session::CurrentUser;
use crate::views::{
    GroupOption, HistoryLine, Layout, RegistrationLine, StudentLine, StudentListPage,
    StudentPageView,
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

/// GET `/leerlingen/{id}`: the student's data, registrations and history. Reading it writes
/// an audit entry (in the app layer).
pub async fn student_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
) -> Result<Html<String>, WebError> {
    let id = StudentId(parse_id(&id)?);
    let page = state.app.student_page(&user.actor, id, state.now()).await?;
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
    render(&StudentPageView {
        layout: Layout::for_user(&s.full_name(), &user),
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
    })
}
