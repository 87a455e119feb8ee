//! Template structs: one per page, each with the shared [`Layout`]. Values are formatted for
//! display here (Dutch dates, names), so the templates stay plain.

use askama::Template;

use crate::session::CurrentUser;

/// The signed-in person as the layout shows them (name, logout form).
#[derive(Debug, Clone)]
pub struct NavUser {
    /// Display name.
    pub name: String,
    /// CSRF token for the logout form.
    pub csrf: String,
}

/// What the base layout needs from every page.
#[derive(Debug, Clone)]
pub struct Layout {
    /// Page title.
    pub title: String,
    /// The signed-in person, if any.
    pub user: Option<NavUser>,
}

impl Layout {
    /// Layout without a signed-in person.
    pub fn anonymous(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            user: None,
        }
    }

    /// Layout for a signed-in person.
    pub fn for_user(title: &str, user: &CurrentUser) -> Self {
        Self {
            title: title.to_owned(),
            user: Some(NavUser {
                name: user.actor.name().to_owned(),
                csrf: user.csrf_token.clone(),
            }),
        }
    }
}

/// Error page (404, 403, 500, ...).
#[derive(Template)]
#[template(path = "error.html")]
pub struct ErrorPage {
    /// Layout.
    pub layout: Layout,
    /// What happened and what to do, in Dutch.
    pub message: String,
}

/// Login page.
#[derive(Template)]
#[template(path = "login.html")]
pub struct LoginPage {
    /// Layout.
    pub layout: Layout,
    /// CSRF token (double submit with the cookie).
    pub csrf: String,
    /// Username typed before, kept after a failed attempt.
    pub username: String,
    /// Where to go after logging in.
    pub back: String,
    /// Why the last attempt failed.
    pub error: Option<String>,
}

/// A lesson as a line on the home page.
#[derive(Debug, Clone)]
pub struct LessonLine {
    /// Lesson id.
    pub id: i64,
    /// "08:30–09:20".
    pub time: String,
    /// "2e uur" or empty.
    pub period: String,
    /// Subject.
    pub subject: String,
    /// Group code.
    pub group: String,
}

/// Home page: today's lessons.
#[derive(Template)]
#[template(path = "home.html")]
pub struct HomePage {
    /// Layout.
    pub layout: Layout,
    /// "maandag 23 november 2026".
    pub today: String,
    /// The person's lessons today.
    pub lessons: Vec<LessonLine>,
}

/// A group in the filter.
#[derive(Debug, Clone)]
pub struct GroupOption {
    /// Group id.
    pub id: String,
    /// Group code.
    pub code: String,
    /// Currently chosen.
    pub selected: bool,
}

/// A student as a line of the list.
#[derive(Debug, Clone)]
pub struct StudentLine {
    /// Student id.
    pub id: i64,
    /// "Berg, Anna van der".
    pub name: String,
    /// Student number.
    pub number: String,
    /// Group code.
    pub group: String,
    /// Mentor's name.
    pub mentor: String,
}

/// Student list.
#[derive(Template)]
#[template(path = "students.html")]
pub struct StudentListPage {
    /// Layout.
    pub layout: Layout,
    /// Search text.
    pub search: String,
    /// Groups to filter on.
    pub groups: Vec<GroupOption>,
    /// The students on this page.
    pub rows: Vec<StudentLine>,
    /// Matching students in total.
    pub total: i64,
    /// This page.
    pub page: i64,
    /// Number of pages.
    pub pages: i64,
    /// Link to the previous page.
    pub prev_link: Option<String>,
    /// Link to the next page.
    pub next_link: Option<String>,
}

/// A registration on the student page.
#[derive(Debug, Clone)]
pub struct RegistrationLine {
    /// "23-11-2026".
    pub date: String,
    /// "10:00–10:50".
    pub time: String,
    /// "ENG, 3e uur" or "tijdvak".
    pub lesson: String,
    /// Code.
    pub code: String,
    /// Code description.
    pub description: String,
    /// Minutes late, or empty.
    pub minutes: String,
    /// Who registered it.
    pub by: String,
    /// When it was registered, local time.
    pub at: String,
    /// Note.
    pub note: String,
    /// Withdrawn.
    pub withdrawn: bool,
}

/// A change on the student page.
#[derive(Debug, Clone)]
pub struct HistoryLine {
    /// Date of the registration changed.
    pub date: String,
    /// "ON → SP".
    pub change: String,
    /// Who changed it.
    pub by: String,
    /// When, local time.
    pub at: String,
    /// Note change, if any.
    pub note: String,
}

/// Student page.
#[derive(Template)]
#[template(path = "student.html")]
pub struct StudentPageView {
    /// Layout.
    pub layout: Layout,
    /// Full name.
    pub name: String,
    /// Student number.
    pub number: String,
    /// "BSN" or "onderwijsnummer".
    pub personal_kind: String,
    /// The personal number.
    pub personal_number: String,
    /// Date of birth.
    pub birth_date: String,
    /// Group code.
    pub group: String,
    /// Mentor's name.
    pub mentor: String,
    /// "sinds 26-08-2024" / "26-08-2024 tot 31-01-2025".
    pub enrolled: String,
    /// "ja"/"nee".
    pub start_qualification: String,
    /// Registrations, newest first.
    pub registrations: Vec<RegistrationLine>,
    /// Changes, newest first.
    pub history: Vec<HistoryLine>,
    /// Student id (for the protocol form).
    pub id: i64,
    /// CSRF token (for the protocol form).
    pub csrf: String,
    /// The protocol section; `None` when the school has chosen no protocol.
    pub protocol: Option<ProtocolSection>,
}

/// A reached step on the student page.
#[derive(Debug, Clone)]
pub struct ReachedLine {
    /// Step title.
    pub title: String,
    /// "6× te laat in periode 1".
    pub reason: String,
    /// Date reached.
    pub date: String,
    /// Sanction in words, or empty.
    pub sanction: String,
}

/// One ladder of the protocol with the steps the student reached on it.
#[derive(Debug, Clone)]
pub struct LadderLine {
    /// Ladder name.
    pub name: String,
    /// Steps reached, in order.
    pub steps: Vec<ReachedLine>,
}

/// A manual step in the select.
#[derive(Debug, Clone)]
pub struct StepOption {
    /// Step id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Chosen.
    pub selected: bool,
}

/// The "Protocol" section of the student page.
#[derive(Debug, Clone)]
pub struct ProtocolSection {
    /// The protocol's name.
    pub name: String,
    /// The ladders with the steps reached (ladders without any are left out).
    pub ladders: Vec<LadderLine>,
    /// How far the next steps are: "‘6× te laat’ in periode 2: te laat 5 van 6".
    pub progress: Vec<String>,
    /// The full explanation, as `verzuim protocol explain` prints it.
    pub explain: String,
    /// The student's tasks the person may see.
    pub tasks: Vec<crate::pages::tasks::TaskView>,
    /// The manual steps the person may start (empty: no form).
    pub manual_steps: Vec<StepOption>,
    /// Date field of the form.
    pub date: String,
    /// Note field of the form.
    pub note: String,
    /// Why the form was refused.
    pub error: Option<String>,
    /// A message after starting a step.
    pub notice: Option<String>,
}

/// A code in the "other code" dropdown.
#[derive(Debug, Clone)]
pub struct CodeOption {
    /// Code.
    pub code: String,
    /// "ZK – ziek".
    pub label: String,
}

/// One student's row of the lesson form.
#[derive(Debug, Clone)]
pub struct LessonFormRow {
    /// Student id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Student number.
    pub number: String,
    /// Chosen status: `aanwezig`, `ON`, `TO`, `UI` or `anders`.
    pub status: String,
    /// Chosen other code (with `anders`).
    pub code: String,
    /// Minutes late as typed.
    pub minutes: String,
    /// Note.
    pub note: String,
    /// What is stored now ("ON, door J. Jansen om 08:32"), if anything.
    pub stored: String,
    /// Registrations over a span that cover the lesson ("ZK 08:00–16:00 (ziek)").
    pub covering: Vec<String>,
    /// Why this row was refused.
    pub error: Option<String>,
}

/// Lesson page with the registration form.
#[derive(Template)]
#[template(path = "lesson.html")]
pub struct LessonPageView {
    /// Layout.
    pub layout: Layout,
    /// Lesson id.
    pub id: i64,
    /// CSRF token.
    pub csrf: String,
    /// "ENG — 2B".
    pub heading: String,
    /// "maandag 23 november 2026, 3e uur, 10:00–10:50".
    pub when: String,
    /// "Opgeslagen: 2 wijzigingen." after a save.
    pub saved: Option<String>,
    /// Summary of refused rows.
    pub error_summary: Option<String>,
    /// One row per student.
    pub rows: Vec<LessonFormRow>,
    /// Whether the table has ON, TO, UI (one-click choices).
    pub has_on: bool,
    /// See `has_on`.
    pub has_to: bool,
    /// See `has_on`.
    pub has_ui: bool,
    /// Other codes for the dropdown.
    pub other_codes: Vec<CodeOption>,
}
