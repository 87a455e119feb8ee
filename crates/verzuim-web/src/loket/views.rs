//! Template structs of the loket: one per page, each with the shared [`Layout`]. Values are
//! formatted for display here and in the handlers (Dutch dates, labels), so the templates stay
//! plain.

use askama::Template;
use verzuim_app::loket::LoketActor;

use super::forms::{ErrorList, FieldView};
use super::session::LoketUser;

/// A link of the header bar's menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavItem {
    /// Target.
    pub href: String,
    /// Text.
    pub label: String,
    /// Whether it is the page shown (`aria-current`).
    pub current: bool,
}

/// A step of the breadcrumb trail; an empty `href` is the page itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Crumb {
    /// Target, or empty for the current page.
    pub href: String,
    /// Text.
    pub label: String,
}

impl Crumb {
    /// A step with a link.
    pub fn link(href: &str, label: &str) -> Self {
        Self {
            href: href.to_owned(),
            label: label.to_owned(),
        }
    }

    /// The current page.
    pub fn here(label: &str) -> Self {
        Self::link("", label)
    }
}

/// The signed-in person as the header shows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NavUser {
    /// Display name.
    pub name: String,
    /// CSRF token for the logout form.
    pub csrf: String,
}

/// What the loket's base layout needs from every page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Page title (also the `<title>`).
    pub title: String,
    /// The signed-in person, if any.
    pub user: Option<NavUser>,
    /// The header bar's menu.
    pub nav: Vec<NavItem>,
    /// The breadcrumb trail (empty: none shown).
    pub crumbs: Vec<Crumb>,
}

impl Layout {
    /// Layout without a signed-in person.
    pub fn anonymous(title: &str) -> Self {
        Self {
            title: title.to_owned(),
            user: None,
            nav: Vec::new(),
            crumbs: Vec::new(),
        }
    }

    /// Layout for someone who is logged in but may only log out (token enrolment).
    pub fn enrolling(title: &str, name: &str, csrf: &str) -> Self {
        Self {
            user: Some(NavUser {
                name: name.to_owned(),
                csrf: csrf.to_owned(),
            }),
            ..Self::anonymous(title)
        }
    }

    /// Layout for a signed-in user; `current` is the path of the menu item to mark.
    pub fn for_user(title: &str, user: &LoketUser, current: &str) -> Self {
        let mut layout = Self::enrolling(title, &user.actor.name, &user.csrf_token);
        layout.nav = menu(&user.actor, current);
        layout
    }

    /// Adds the breadcrumb trail (the start page comes first by itself).
    pub fn crumbs(mut self, crumbs: Vec<Crumb>) -> Self {
        let mut all = vec![Crumb::link("/", "Start")];
        all.extend(crumbs);
        self.crumbs = all;
        self
    }
}

/// The header menu: the start page, and for someone with a single school or gemeente its main
/// pages; the site administrator also gets "Beheer".
fn menu(actor: &LoketActor, current: &str) -> Vec<NavItem> {
    let mut items = vec![("/".to_owned(), "Start".to_owned())];
    let schools = actor.schools();
    let gemeenten = actor.gemeenten();
    if let [brin] = schools.as_slice() {
        let base = format!("/scholen/{brin}");
        if actor.is_melder(brin) {
            items.push((format!("{base}/meldingen"), "Meldingen".to_owned()));
        }
        if actor.is_beheerder(brin) {
            items.push((format!("{base}/locaties"), "Locaties".to_owned()));
            items.push((
                format!("{base}/contactpersonen"),
                "Contactpersonen".to_owned(),
            ));
        }
        if actor.is_melder(brin) {
            items.push((format!("{base}/rapportages"), "Rapportages".to_owned()));
        }
        items.push((format!("{base}/certificaten"), "Certificaten".to_owned()));
    }
    if let [code] = gemeenten.as_slice() {
        let base = format!("/gemeenten/{code}");
        items.push((format!("{base}/meldingen"), "Meldingen".to_owned()));
        items.push((
            format!("{base}/vrijstellingen"),
            "Vrijstellingen".to_owned(),
        ));
        items.push((format!("{base}/rapportages"), "Rapportages".to_owned()));
    }
    if actor.is_site_admin() {
        items.push(("/beheer".to_owned(), "Beheer".to_owned()));
        items.push(("/beheer/certificaten".to_owned(), "Certificaten".to_owned()));
    }
    let matches = |href: &str| {
        if href == "/" {
            current == "/"
        } else {
            current.starts_with(href)
        }
    };
    // Only the most specific item is current ("Certificaten" under "Beheer").
    let best = items
        .iter()
        .filter(|(href, _)| matches(href))
        .map(|(href, _)| href.len())
        .max();
    items
        .into_iter()
        .map(|(href, label)| NavItem {
            current: matches(&href) && Some(href.len()) == best,
            href,
            label,
        })
        .collect()
}

/// Error page (404, 403, 500, ...).
#[derive(Template)]
#[template(path = "loket/error.html")]
pub struct ErrorView {
    /// Layout.
    pub layout: Layout,
    /// What happened and what to do.
    pub message: String,
}

/// Login page.
#[derive(Template)]
#[template(path = "loket/login.html")]
pub struct LoginView {
    /// Layout.
    pub layout: Layout,
    /// CSRF token (double submit with the cookie).
    pub csrf: String,
    /// Where to go after logging in.
    pub back: String,
    /// Why the last attempt failed.
    pub error: Option<String>,
    /// Inlognaam, wachtwoord, code.
    pub fields: Vec<FieldView>,
}

/// Token enrolment: QR code, secret, confirmation code.
#[derive(Template)]
#[template(path = "loket/enrol.html")]
pub struct EnrolView {
    /// Layout.
    pub layout: Layout,
    /// CSRF token.
    pub csrf: String,
    /// The QR code as an `<svg>` element (made by the app layer, no user input in it).
    pub qr_svg: String,
    /// The secret in groups of four, for typing in by hand.
    pub secret: String,
    /// Refusals.
    pub errors: ErrorList,
    /// The code field.
    pub fields: Vec<FieldView>,
}

/// The recovery codes, shown once after enrolment.
#[derive(Template)]
#[template(path = "loket/recovery.html")]
pub struct RecoveryView {
    /// Layout.
    pub layout: Layout,
    /// The codes.
    pub codes: Vec<String>,
}

/// A school as a card on the start page.
#[derive(Debug, Clone)]
pub struct SchoolCard {
    /// BRIN.
    pub brin: String,
    /// Name.
    pub name: String,
    /// The user is melder.
    pub melder: bool,
    /// The user is beheerder.
    pub beheerder: bool,
}

/// A gemeente as a card on the start page.
#[derive(Debug, Clone)]
pub struct GemeenteCard {
    /// CBS code.
    pub code: String,
    /// Name.
    pub name: String,
}

/// Start page: the user's schools and gemeenten.
#[derive(Template)]
#[template(path = "loket/home.html")]
pub struct HomeView {
    /// Layout.
    pub layout: Layout,
    /// The user's name.
    pub name: String,
    /// Schools.
    pub schools: Vec<SchoolCard>,
    /// Gemeenten.
    pub gemeenten: Vec<GemeenteCard>,
    /// Site administrator.
    pub admin: bool,
    /// A warning when few recovery codes are left.
    pub recovery_warning: Option<String>,
    /// Certificates of the machine coupling that expire within 30 days: (text, link).
    pub certificate_warnings: Vec<(String, String)>,
}

/// A row of a locations or contacts list.
#[derive(Debug, Clone)]
pub struct PlaceLine {
    /// Cells, in the order of the columns; the first is the name (a link).
    pub cells: Vec<String>,
    /// View/change page.
    pub edit_href: String,
    /// Delete confirmation page.
    pub delete_href: String,
}

/// "Beheer locaties" / "Beheer contactpersonen": search field and list.
#[derive(Template)]
#[template(path = "loket/place_list.html")]
pub struct PlaceListView {
    /// Layout.
    pub layout: Layout,
    /// "Beheer locaties".
    pub heading: String,
    /// School name and BRIN.
    pub school: String,
    /// Intro text.
    pub intro: String,
    /// This page's path (the search form's action).
    pub action: String,
    /// Label of the search field.
    pub search_label: String,
    /// Search text.
    pub search: String,
    /// Column headings.
    pub columns: Vec<String>,
    /// Rows.
    pub rows: Vec<PlaceLine>,
    /// "Geen locaties gevonden." when empty.
    pub empty: String,
    /// "Locatie toevoegen"; shown to the beheerder only.
    pub add_label: String,
    /// Path of the add form.
    pub add_href: String,
    /// The user may add, change and delete.
    pub beheerder: bool,
    /// "De locatie is toegevoegd." after a change.
    pub notice: Option<String>,
}

/// Add/change form of a location or contact person, or its read-only view.
#[derive(Template)]
#[template(path = "loket/place_form.html")]
pub struct PlaceFormView {
    /// Layout.
    pub layout: Layout,
    /// "Locatie toevoegen".
    pub heading: String,
    /// Intro text.
    pub intro: String,
    /// A notice above the form (the first location of a beheerder).
    pub notice: Option<String>,
    /// Form action; empty for the read-only view.
    pub action: String,
    /// CSRF token.
    pub csrf: String,
    /// Refusals.
    pub errors: ErrorList,
    /// The fields (shown read-only when `action` is empty).
    pub fields: Vec<FieldView>,
    /// "Opslaan".
    pub submit: String,
    /// Back to the list.
    pub cancel_href: String,
    /// Delete confirmation page, when it may be deleted.
    pub delete_href: Option<String>,
}

/// "Weet u het zeker?" before deleting.
#[derive(Template)]
#[template(path = "loket/confirm.html")]
pub struct ConfirmView {
    /// Layout.
    pub layout: Layout,
    /// "Locatie verwijderen".
    pub heading: String,
    /// The question.
    pub question: String,
    /// Where the form posts.
    pub action: String,
    /// CSRF token.
    pub csrf: String,
    /// "Ja, verwijderen".
    pub confirm: String,
    /// Back.
    pub cancel_href: String,
}

/// A melding as a line of a list.
#[derive(Debug, Clone)]
pub struct MeldingLine {
    /// Meldingsnummer.
    pub nummer: String,
    /// Detail page.
    pub href: String,
    /// Student name.
    pub student: String,
    /// BRIN (gemeente inbox) or gemeente (school list).
    pub other: String,
    /// Kind label.
    pub kind: String,
    /// Status code (for the colour).
    pub status_code: String,
    /// Status label.
    pub status: String,
    /// "05-10-2026 t/m 16-10-2026".
    pub period: String,
    /// Filing date and time.
    pub filed: String,
}

/// The school's meldingen.
#[derive(Template)]
#[template(path = "loket/school_meldingen.html")]
pub struct SchoolMeldingenView {
    /// Layout.
    pub layout: Layout,
    /// School name and BRIN.
    pub school: String,
    /// BRIN.
    pub brin: String,
    /// The status filter.
    pub status_field: FieldView,
    /// The meldingen.
    pub rows: Vec<MeldingLine>,
}

/// A label and a value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fact {
    /// Label.
    pub label: String,
    /// Value.
    pub value: String,
}

impl Fact {
    /// A fact; an empty value shows as "niet opgegeven".
    pub fn new(label: &str, value: impl Into<String>) -> Self {
        let value = value.into();
        Self {
            label: label.to_owned(),
            value: if value.trim().is_empty() {
                "niet opgegeven".to_owned()
            } else {
                value
            },
        }
    }
}

/// A titled group of facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FactGroup {
    /// Title.
    pub title: String,
    /// Element id (for links).
    pub id: String,
    /// Facts.
    pub facts: Vec<Fact>,
}

/// A field group of a form.
#[derive(Debug, Clone)]
pub struct FieldGroup {
    /// Legend.
    pub legend: String,
    /// Element id.
    pub id: String,
    /// Help text under the legend.
    pub hint: String,
    /// Fields.
    pub fields: Vec<FieldView>,
}

/// The new melding form (also prefilled for "nieuwe melding bij aanhoudend verzuim").
#[derive(Template)]
#[template(path = "loket/melding_form.html")]
pub struct MeldingFormView {
    /// Layout.
    pub layout: Layout,
    /// School name and BRIN.
    pub school: String,
    /// Form action.
    pub action: String,
    /// CSRF token.
    pub csrf: String,
    /// The melding this one continues, if any.
    pub cloned_from: String,
    /// Refusals.
    pub errors: ErrorList,
    /// The melder, read-only (from the linked contact person).
    pub melder: Vec<Fact>,
    /// Why the user cannot file (no linked contact person), if so.
    pub refused: Option<String>,
    /// The field groups before the melder.
    pub groups_before: Vec<FieldGroup>,
    /// The location field (in the melder's group).
    pub location: FieldView,
    /// The field groups after the melder.
    pub groups_after: Vec<FieldGroup>,
    /// Back to the list.
    pub cancel_href: String,
}

/// An attachment as a line.
#[derive(Debug, Clone)]
pub struct AttachmentLine {
    /// Download path.
    pub href: String,
    /// File name.
    pub filename: String,
    /// "PDF, 12 kB".
    pub description: String,
    /// "23-11-2026 10:15 door melder1".
    pub uploaded: String,
}

/// A line of the melding's history.
#[derive(Debug, Clone)]
pub struct EventLine {
    /// When.
    pub at: String,
    /// "Geregistreerd → In behandeling".
    pub change: String,
    /// "de gemeente (lpa1)".
    pub by: String,
    /// Note.
    pub note: String,
}

/// A day of the day specification.
#[derive(Debug, Clone)]
pub struct DayLine {
    /// "maandag 5 oktober 2026".
    pub date: String,
    /// "hele dag" or "lesuur 1, 2, 5".
    pub hours: String,
}

/// What both faces show of a melding.
#[derive(Debug, Clone)]
pub struct MeldingFacts {
    /// Meldingsnummer.
    pub nummer: String,
    /// Status code.
    pub status_code: String,
    /// Status label.
    pub status: String,
    /// Why it was withdrawn, if so.
    pub withdrawn: Option<String>,
    /// The terugmelding, if any.
    pub terugmelding: Vec<Fact>,
    /// The melding's field groups.
    pub groups: Vec<FactGroup>,
    /// The day specification (empty: not filled).
    pub days: Vec<DayLine>,
    /// Attachments.
    pub attachments: Vec<AttachmentLine>,
    /// History.
    pub events: Vec<EventLine>,
}

/// The school's view of one melding, with its forms.
#[derive(Template)]
#[template(path = "loket/school_melding.html")]
pub struct SchoolMeldingView {
    /// Layout.
    pub layout: Layout,
    /// The melding.
    pub m: MeldingFacts,
    /// Path of the melding.
    pub base: String,
    /// CSRF token.
    pub csrf: String,
    /// Notice after a change.
    pub notice: Option<String>,
    /// Refusals of the last form sent.
    pub errors: ErrorList,
    /// The user is melder and the melding is not finished: show the forms.
    pub can_change: bool,
    /// The user is melder (may clone).
    pub can_clone: bool,
    /// The prefilled form of "nieuwe melding bij aanhoudend verzuim".
    pub clone_href: String,
    /// Einddatum field.
    pub end_date: FieldView,
    /// Lesuren field.
    pub day_spec: FieldView,
    /// Withdraw note field.
    pub withdraw_note: FieldView,
    /// Upload field's error, if any.
    pub attachment_error: Option<String>,
    /// "PDF, PNG of JPEG, hoogstens 5 MB".
    pub attachment_hint: String,
}

/// The gemeente's inbox.
#[derive(Template)]
#[template(path = "loket/inbox.html")]
pub struct InboxView {
    /// Layout.
    pub layout: Layout,
    /// Gemeente name and code.
    pub gemeente: String,
    /// Path of the inbox.
    pub action: String,
    /// Quick filters: (href, label, current).
    pub tabs: Vec<NavItem>,
    /// Filter fields.
    pub filters: Vec<FieldView>,
    /// Refused filter values.
    pub errors: ErrorList,
    /// The meldingen.
    pub rows: Vec<MeldingLine>,
}

/// The gemeente's view of one melding, with the terugmelding form.
#[derive(Template)]
#[template(path = "loket/gemeente_melding.html")]
pub struct GemeenteMeldingView {
    /// Layout.
    pub layout: Layout,
    /// The melding.
    pub m: MeldingFacts,
    /// Form action.
    pub action: String,
    /// CSRF token.
    pub csrf: String,
    /// Notice after the terugmelding.
    pub notice: Option<String>,
    /// Refusals.
    pub errors: ErrorList,
    /// Whether the terugmelding form is shown (not finished).
    pub can_answer: bool,
    /// Status, reason, explanation.
    pub answer_fields: Vec<FieldView>,
    /// The gemeente's contact person.
    pub contact_fields: Vec<FieldView>,
}

/// A vrijstelling as a line.
#[derive(Debug, Clone)]
pub struct VrijstellingLine {
    /// Id.
    pub id: i64,
    /// BSN / onderwijsnummer.
    pub student_number: String,
    /// "01-09-2026 t/m 31-07-2027" or "vanaf 01-09-2026".
    pub period: String,
    /// Article.
    pub article: String,
    /// "23-11-2026 door lpa1".
    pub registered: String,
}

/// The gemeente's vrijstellingen.
#[derive(Template)]
#[template(path = "loket/vrijstellingen.html")]
pub struct VrijstellingenView {
    /// Layout.
    pub layout: Layout,
    /// Gemeente name and code.
    pub gemeente: String,
    /// Path of the page.
    pub action: String,
    /// CSRF token.
    pub csrf: String,
    /// Notice after a change.
    pub notice: Option<String>,
    /// Refusals.
    pub errors: ErrorList,
    /// The add form's fields.
    pub fields: Vec<FieldView>,
    /// The register.
    pub rows: Vec<VrijstellingLine>,
}

/// A row of the report table: a month with the count per kind.
#[derive(Debug, Clone)]
pub struct ReportRow {
    /// "oktober 2026".
    pub month: String,
    /// Count per kind, in the order of the columns.
    pub counts: Vec<u64>,
    /// Total.
    pub total: u64,
}

/// A cell of the detail table.
#[derive(Debug, Clone)]
pub struct ReportCell {
    /// Month.
    pub month: String,
    /// Kind.
    pub kind: String,
    /// Status.
    pub status: String,
    /// Count.
    pub count: u64,
}

/// A legend entry of the chart.
#[derive(Debug, Clone)]
pub struct LegendItem {
    /// CSS class of the swatch.
    pub class: String,
    /// Label.
    pub label: String,
}

/// Maandrapportage of a school or gemeente.
#[derive(Template)]
#[template(path = "loket/report.html")]
pub struct ReportView {
    /// Layout.
    pub layout: Layout,
    /// "Maandrapportage".
    pub heading: String,
    /// School or gemeente name and code.
    pub organisation: String,
    /// Kind labels (columns).
    pub kinds: Vec<String>,
    /// Rows per month.
    pub rows: Vec<ReportRow>,
    /// Totals per kind.
    pub totals: Vec<u64>,
    /// Grand total.
    pub total: u64,
    /// The detail cells.
    pub cells: Vec<ReportCell>,
    /// The chart, an `<svg>` made by [`super::chart`] (escaped there).
    pub chart_svg: String,
    /// Legend.
    pub legend: Vec<LegendItem>,
    /// CSV download path.
    pub csv_href: String,
}

/// The site administrator's overview.
#[derive(Template)]
#[template(path = "loket/admin.html")]
pub struct AdminView {
    /// Layout.
    pub layout: Layout,
    /// Number of schools.
    pub schools: usize,
    /// Number of gemeenten.
    pub gemeenten: usize,
    /// Number of users.
    pub users: usize,
    /// Rows in the audit log.
    pub audit_rows: i64,
}

/// A line of the organisations list.
#[derive(Debug, Clone)]
pub struct OrganisationLine {
    /// BRIN or code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Sector (schools) or empty.
    pub detail: String,
}

/// Organisations: schools and gemeenten, with the add forms.
#[derive(Template)]
#[template(path = "loket/admin_organisations.html")]
pub struct OrganisationsView {
    /// Layout.
    pub layout: Layout,
    /// CSRF token.
    pub csrf: String,
    /// Notice after a change.
    pub notice: Option<String>,
    /// Refusals of the school form.
    pub school_errors: ErrorList,
    /// The school form.
    pub school_fields: Vec<FieldView>,
    /// Refusals of the gemeente form.
    pub gemeente_errors: ErrorList,
    /// The gemeente form.
    pub gemeente_fields: Vec<FieldView>,
    /// Schools.
    pub schools: Vec<OrganisationLine>,
    /// Gemeenten.
    pub gemeenten: Vec<OrganisationLine>,
}

/// A user as a line.
#[derive(Debug, Clone)]
pub struct UserLine {
    /// Login name.
    pub username: String,
    /// Name.
    pub name: String,
    /// Roles, as text.
    pub roles: String,
    /// "ja"/"nee".
    pub token: String,
    /// "actief"/"geblokkeerd".
    pub state: String,
}

/// Users list with the create form.
#[derive(Template)]
#[template(path = "loket/admin_users.html")]
pub struct UsersView {
    /// Layout.
    pub layout: Layout,
    /// CSRF token.
    pub csrf: String,
    /// Notice.
    pub notice: Option<String>,
    /// Refusals.
    pub errors: ErrorList,
    /// The create form.
    pub fields: Vec<FieldView>,
    /// Users.
    pub rows: Vec<UserLine>,
}

/// A role of a user, with its revoke form's value.
#[derive(Debug, Clone)]
pub struct RoleLine {
    /// "verzuimloket melder (12AB)".
    pub label: String,
    /// Role code.
    pub code: String,
    /// Organisation.
    pub organisation: String,
}

/// One user: roles, token, password, blocking.
#[derive(Template)]
#[template(path = "loket/admin_user.html")]
pub struct UserView {
    /// Layout.
    pub layout: Layout,
    /// Path of the page (form action).
    pub action: String,
    /// CSRF token.
    pub csrf: String,
    /// Notice.
    pub notice: Option<String>,
    /// Refusals.
    pub errors: ErrorList,
    /// Login name.
    pub username: String,
    /// Name.
    pub name: String,
    /// Token enrolled.
    pub token: bool,
    /// Active.
    pub active: bool,
    /// Roles.
    pub roles: Vec<RoleLine>,
    /// Grant form: role and organisation.
    pub grant_fields: Vec<FieldView>,
    /// New password.
    pub password_field: FieldView,
}

/// Import of the resident register.
#[derive(Template)]
#[template(path = "loket/admin_residents.html")]
pub struct ResidentsView {
    /// Layout.
    pub layout: Layout,
    /// CSRF token.
    pub csrf: String,
    /// Notice.
    pub notice: Option<String>,
    /// Refusals.
    pub errors: ErrorList,
    /// The text area.
    pub text_field: FieldView,
    /// Error of the file field.
    pub file_error: Option<String>,
}

/// A line of the audit log.
#[derive(Debug, Clone)]
pub struct AuditLine {
    /// When.
    pub at: String,
    /// Who.
    pub username: String,
    /// Action code.
    pub action: String,
    /// Organisation.
    pub organisation: String,
    /// Melding id.
    pub melding: String,
    /// Details.
    pub detail: String,
}

/// The audit log, paged.
#[derive(Template)]
#[template(path = "loket/admin_audit.html")]
pub struct AuditView {
    /// Layout.
    pub layout: Layout,
    /// Rows.
    pub rows: Vec<AuditLine>,
    /// This page.
    pub page: i64,
    /// Pages.
    pub pages: i64,
    /// Total rows.
    pub total: i64,
    /// Previous page link.
    pub prev: Option<String>,
    /// Next page link.
    pub next: Option<String>,
}
