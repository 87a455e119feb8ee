//! The lesson page: register every student of the lesson in one form (seed 004 §4: at the
//! start of every lesson the teacher registers absentees and late arrivals; §6: removals).

use std::collections::{BTreeMap, HashMap};

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use verzuim_app::school::{LessonEntry, LessonPage, SchoolError};
use verzuim_domain::{LessonId, StudentId};

use crate::AppState;
use crate::clock::{clock_time, local_date_time, long_date};
use crate::error::WebError;
use crate::pages::home::period_label;
use crate::pages::{parse_id, render};
use crate::session::CurrentUser;
use crate::views::{CodeOption, Layout, LessonFormRow, LessonPageView};

/// Status value for "present".
pub const PRESENT: &str = "aanwezig";
/// Status value for "another code, see the dropdown".
pub const OTHER: &str = "anders";
/// Codes with their own one-click choice: absent, late, removed (seed 004 §2.2).
pub const QUICK_CODES: [&str; 3] = ["ON", "TO", "UI"];

/// The form's values for one student, as typed.
#[derive(Debug, Clone, Default)]
struct Typed {
    status: String,
    code: String,
    minutes: String,
    note: String,
}

fn typed_from_form(form: &HashMap<String, String>, id: i64) -> Option<Typed> {
    let get = |name: &str| {
        form.get(&format!("{name}_{id}"))
            .cloned()
            .unwrap_or_default()
    };
    form.get(&format!("status_{id}")).map(|status| Typed {
        status: status.clone(),
        code: get("code"),
        minutes: get("minuten"),
        note: get("notitie"),
    })
}

/// What is stored now, as the form shows it.
fn typed_from_store(page: &LessonPage, index: usize) -> Typed {
    let Some(current) = page.students.get(index).and_then(|s| s.current.as_ref()) else {
        return Typed {
            status: PRESENT.to_owned(),
            ..Typed::default()
        };
    };
    let reg = &current.registration;
    let quick = QUICK_CODES.contains(&reg.code.as_str());
    Typed {
        status: if quick {
            reg.code.clone()
        } else {
            OTHER.to_owned()
        },
        code: if quick {
            String::new()
        } else {
            reg.code.clone()
        },
        minutes: reg.minutes_late.map(|m| m.to_string()).unwrap_or_default(),
        note: reg.note.clone(),
    }
}

fn view(
    page: &LessonPage,
    user: &CurrentUser,
    typed: &HashMap<i64, Typed>,
    errors: &BTreeMap<StudentId, String>,
    saved: Option<usize>,
) -> LessonPageView {
    let lesson = &page.lesson.lesson;
    let has = |c: &str| page.codes.get(c).is_some();
    let period = period_label(lesson.period);
    let when = [
        long_date(lesson.date),
        period,
        format!("{}–{}", clock_time(lesson.start), clock_time(lesson.end)),
    ]
    .into_iter()
    .filter(|s| !s.is_empty())
    .collect::<Vec<_>>()
    .join(", ");
    let rows = page
        .students
        .iter()
        .enumerate()
        .map(|(i, ls)| {
            let id = ls.student.id.0;
            let t = typed
                .get(&id)
                .cloned()
                .unwrap_or_else(|| typed_from_store(page, i));
            let stored = ls.current.as_ref().map_or_else(String::new, |r| {
                format!(
                    "Nu: {} (door {}, {})",
                    r.registration.code,
                    r.registered_by_name
                        .clone()
                        .unwrap_or_else(|| "import".to_owned()),
                    local_date_time(r.registration.registered_at)
                )
            });
            LessonFormRow {
                id,
                name: ls.student.student.sort_name(),
                number: ls.student.student.student_number.clone(),
                status: t.status,
                code: t.code,
                minutes: t.minutes,
                note: t.note,
                stored,
                // Read-only: a span registered elsewhere (reception's sick report) that
                // overlaps the lesson; the form's choice for the student does not touch it.
                covering: ls
                    .covering
                    .iter()
                    .map(|r| {
                        let desc = page
                            .codes
                            .get(&r.registration.code)
                            .map(|c| format!(" ({})", c.description))
                            .unwrap_or_default();
                        format!(
                            "{} {}–{}{desc} door {}",
                            r.registration.code,
                            clock_time(r.start),
                            clock_time(r.end),
                            r.registered_by_name.as_deref().unwrap_or("import")
                        )
                    })
                    .collect(),
                error: errors.get(&ls.student.id).cloned(),
            }
        })
        .collect();
    LessonPageView {
        layout: Layout::for_user(&format!("{} {}", lesson.subject, page.lesson.group_code), user),
        id: page.lesson.id.0,
        csrf: user.csrf_token.clone(),
        heading: format!("{} — {}", lesson.subject, page.lesson.group_code),
        when,
        saved: saved.map(|n| match n {
            0 => "Opgeslagen: er was niets gewijzigd.".to_owned(),
            1 => "Opgeslagen: 1 wijziging.".to_owned(),
            n => format!("Opgeslagen: {n} wijzigingen."),
        }),
        error_summary: (!errors.is_empty()).then(|| {
            format!(
                "Er is niets opgeslagen: {} regel(s) kloppen niet. Zie de meldingen bij de leerlingen hieronder.",
                errors.len()
            )
        }),
        rows,
        has_on: has("ON"),
        has_to: has("TO"),
        has_ui: has("UI"),
        other_codes: page
            .codes
            .codes()
            .iter()
            .filter(|c| !(QUICK_CODES.contains(&c.code.as_str())))
            .map(|c| CodeOption {
                code: c.code.clone(),
                label: format!("{} – {}", c.code, c.description),
            })
            .collect(),
    }
}

/// GET `/lessen/{id}` (`?opgeslagen=N` after a save).
pub async fn lesson_page(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Response, WebError> {
    let id = LessonId(parse_id(&id)?);
    let page = state.app.lesson_page(&user.actor, id, state.now()).await?;
    let saved = params
        .get("opgeslagen")
        .and_then(|n| n.parse::<usize>().ok());
    Ok(render(&view(
        &page,
        &user,
        &HashMap::new(),
        &BTreeMap::new(),
        saved,
    ))?
    .into_response())
}

/// Turns the typed values into entries, or per-student reasons why not.
fn entries(typed: &HashMap<i64, Typed>) -> (Vec<LessonEntry>, BTreeMap<StudentId, String>) {
    let mut entries = Vec::new();
    let mut errors = BTreeMap::new();
    for (id, t) in typed {
        let student = StudentId(*id);
        let code = match t.status.as_str() {
            PRESENT => None,
            OTHER if t.code.trim().is_empty() => {
                errors.insert(
                    student,
                    "Kies een code in de lijst “andere code”.".to_owned(),
                );
                continue;
            }
            OTHER => Some(t.code.trim().to_owned()),
            quick if QUICK_CODES.contains(&quick) => Some(quick.to_owned()),
            _ => {
                errors.insert(
                    student,
                    "Kies aanwezig, afwezig, te laat, verwijderd of een andere code.".to_owned(),
                );
                continue;
            }
        };
        let minutes = match t.minutes.trim() {
            "" => None,
            m => match m.parse::<u16>() {
                Ok(n) => Some(n),
                Err(_) => {
                    errors.insert(
                        student,
                        "Minuten te laat: vul een heel getal in, bijvoorbeeld 10.".to_owned(),
                    );
                    continue;
                }
            },
        };
        entries.push(LessonEntry {
            student,
            code,
            minutes_late: minutes,
            note: t.note.clone(),
        });
    }
    entries.sort_by_key(|e| e.student);
    (entries, errors)
}

/// POST `/lessen/{id}`: saves what changed and goes back to the page ("Opgeslagen"); when a
/// row is wrong nothing is saved and the page comes back with the reasons next to the rows.
pub async fn lesson_submit(
    State(state): State<AppState>,
    user: CurrentUser,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let id = LessonId(parse_id(&id)?);
    let form: HashMap<String, String> = url::form_urlencoded::parse(&body).into_owned().collect();
    let typed: HashMap<i64, Typed> = form
        .keys()
        .filter_map(|k| k.strip_prefix("status_"))
        .filter_map(|id| id.parse::<i64>().ok())
        .filter_map(|id| typed_from_form(&form, id).map(|t| (id, t)))
        .collect();
    let (entries, mut errors) = entries(&typed);
    if errors.is_empty() {
        match state
            .app
            .save_lesson(&user.actor, id, entries, state.now())
            .await
        {
            Ok(n) => {
                return Ok(
                    Redirect::to(&format!("/lessen/{}?opgeslagen={n}", id.0)).into_response()
                );
            }
            Err(SchoolError::InvalidRows(rows)) => {
                errors = rows
                    .into_iter()
                    .map(|(s, e)| (s, format!("{}: {}.", capitalize(&e.field), e.reason)))
                    .collect();
            }
            Err(e) => return Err(e.into()),
        }
    }
    let page = state.app.lesson_page(&user.actor, id, state.now()).await?;
    let html = render(&view(&page, &user, &typed, &errors, None))?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, html).into_response())
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|f| f.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
