//! The home page: the signed-in person's lessons today.

use axum::extract::State;
use axum::response::Html;

use crate::AppState;
use crate::clock::{clock_time, long_date};
use crate::error::WebError;
use crate::pages::render;
use crate::session::CurrentUser;
use crate::views::{HomePage, Layout, LessonLine};

/// GET `/`.
pub async fn home(
    State(state): State<AppState>,
    user: CurrentUser,
) -> Result<Html<String>, WebError> {
    let today = state.today();
    let lessons = state.app.lessons_for(&user.actor, today).await?;
    render(&HomePage {
        layout: Layout::for_user("Vandaag", &user),
        today: long_date(today),
        lessons: lessons
            .into_iter()
            .map(|l| LessonLine {
                id: l.id.0,
                time: format!(
                    "{}–{}",
                    clock_time(l.lesson.start),
                    clock_time(l.lesson.end)
                ),
                period: period_label(l.lesson.period),
                subject: l.lesson.subject,
                group: l.group_code,
            })
            .collect(),
    })
}

/// "3e uur", or empty when the timetable has no hour numbers.
pub(crate) fn period_label(period: u8) -> String {
    if period == 0 {
        String::new()
    } else {
        format!("{period}e uur")
    }
}
