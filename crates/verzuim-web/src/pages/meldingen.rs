//! "Verzuimmeldingen": the school's side of the chain to the Verzuimloket (issue 5, client).
//! The law engine proposes meldingen; the verzuimcoördinator (or teamleider, beheerder)
//! completes and confirms one; the machine coupling sends it and brings the loket's status and
//! the gemeente's terugmelding back. The page lists the proposals, the confirm form (errors
//! beside each field), the school's meldingen with state, nummer, status and terugmelding, and
//! per melding every message sent and received, with a form to add an end date or the
//! verzuimdagen later. Works without JavaScript; every form carries the CSRF token.

use std::collections::HashMap;

use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use verzuim_app::m2m::{Confirmation, M2mError, Proposal};
use verzuim_app::school::SchoolError;
use verzuim_loket::{
    ClosingExplanation, ClosingReason, MeldingInput, MeldingStatus, Priority, Verzuimsoort,
    WithdrawReason,
};
use verzuim_store::{M2mMeldingRow, M2mState};

use crate::AppState;
use crate::clock::{local_date_time, short_date};
use crate::error::WebError;
use crate::loket::forms::{Choice, ErrorList, FieldView, yes_no};
use crate::loket::pages::meldingen::MELDING_LABELS;
use crate::loket::views::FieldGroup;
use crate::pages::{parse_id, render};
use crate::session::{Coordinator, RequireRole};
use crate::views::Layout;

type Params = HashMap<String, String>;

/// Labels of the fields of the confirm and change forms that the loket's form does not have.
const EXTRA_LABELS: [(&str, &str); 3] = [
    ("day_specification", "Verzuimdagen"),
    ("end_date", "Einddatum verzuim"),
    ("location", "Leslocatie"),
];

fn labels() -> Vec<(&'static str, &'static str)> {
    MELDING_LABELS
        .iter()
        .chain(EXTRA_LABELS.iter())
        .copied()
        .collect()
}

fn label(field: &str) -> &'static str {
    MELDING_LABELS
        .iter()
        .chain(EXTRA_LABELS.iter())
        .find(|(f, _)| *f == field)
        .map_or("", |(_, l)| l)
}

/// The use case's error as a page.
fn web(e: M2mError) -> WebError {
    match e {
        M2mError::Forbidden => WebError::Forbidden(e.to_string()),
        M2mError::NotFound { .. } => WebError::NotFound,
        M2mError::Conflict { field, reason } => {
            WebError::App(SchoolError::Conflict { field, reason })
        }
        M2mError::Store(s) => WebError::App(SchoolError::Store(s)),
        other => WebError::App(SchoolError::Internal(other.to_string())),
    }
}

fn kind_label(code: &str) -> String {
    Verzuimsoort::parse(code).map_or_else(|_| code.to_owned(), |k| k.label().to_owned())
}

fn status_label(code: Option<&str>) -> String {
    match code {
        None => String::new(),
        Some(c) => MeldingStatus::parse(c).map_or_else(|_| c.to_owned(), |s| s.label().to_owned()),
    }
}

// ---------------------------------------------------------------------------------------
// Templates

/// A proposal as a line of the overview.
#[derive(Debug, Clone)]
pub struct ProposalLine {
    /// Link to the confirm form.
    pub href: String,
    /// Student's name.
    pub student: String,
    /// Soort verzuim.
    pub kind: String,
    /// Begin date.
    pub begin: String,
    /// End date or "loopt nog".
    pub end: String,
    /// Due since.
    pub due: String,
    /// The engine's explanation.
    pub explanation: String,
}

/// A stored melding as a line of the overview.
#[derive(Debug, Clone)]
pub struct MeldingLine {
    /// Link to the melding page.
    pub href: String,
    /// Student's name.
    pub student: String,
    /// Soort verzuim.
    pub kind: String,
    /// Begin date.
    pub begin: String,
    /// State in the chain.
    pub state: String,
    /// Whether the state is a refusal (shown as an error).
    pub refused: bool,
    /// Meldingsnummer.
    pub nummer: String,
    /// The loket's status.
    pub status: String,
    /// The terugmelding in one line.
    pub terugmelding: String,
    /// Waiting, retrying, or a change waiting.
    pub note: String,
}

/// The overview page.
#[derive(Template)]
#[template(path = "meldingen.html")]
pub struct MeldingenPage {
    /// Layout.
    pub layout: Layout,
    /// A message after a form.
    pub notice: Option<String>,
    /// Open proposals.
    pub proposals: Vec<ProposalLine>,
    /// The school's meldingen.
    pub meldingen: Vec<MeldingLine>,
}

/// The confirm form.
#[derive(Template)]
#[template(path = "meldingen_bevestigen.html")]
pub struct ConfirmPage {
    /// Layout.
    pub layout: Layout,
    /// CSRF token.
    pub csrf: String,
    /// The proposal's key.
    pub key: String,
    /// The student.
    pub student: String,
    /// Why the engine proposes it.
    pub explanation: String,
    /// Refused fields.
    pub errors: ErrorList,
    /// The form's field groups.
    pub groups: Vec<FieldGroup>,
}

/// A label and a value.
#[derive(Debug, Clone)]
pub struct Fact {
    /// Label.
    pub label: String,
    /// Value.
    pub value: String,
}

/// A logged message as the page shows it.
#[derive(Debug, Clone)]
pub struct MessageLine {
    /// "Verzonden" or "Ontvangen".
    pub direction: String,
    /// Operation.
    pub operation: String,
    /// When.
    pub at: String,
    /// `wsa:MessageID`.
    pub message_id: String,
    /// `wsa:RelatesTo`.
    pub relates_to: String,
    /// HTTP status.
    pub http_status: String,
    /// Failure.
    pub error: String,
    /// Envelope.
    pub body: String,
}

/// The page of one melding.
#[derive(Template)]
#[template(path = "meldingen_melding.html")]
pub struct MeldingPage {
    /// Layout.
    pub layout: Layout,
    /// CSRF token.
    pub csrf: String,
    /// Melding id.
    pub id: i64,
    /// A message after a form.
    pub notice: Option<String>,
    /// The melding's facts.
    pub facts: Vec<Fact>,
    /// The terugmelding's facts (empty: none yet).
    pub terugmelding: Vec<Fact>,
    /// The loket's refusals.
    pub refusals: Vec<String>,
    /// Whether the change form is shown (only a sent melding).
    pub can_change: bool,
    /// Whether the correction form is shown (only a refused melding).
    pub can_resubmit: bool,
    /// The correction form's field groups (a refused melding).
    pub groups: Vec<FieldGroup>,
    /// Refused fields of the change form.
    pub errors: ErrorList,
    /// The change form's fields.
    pub change_fields: Vec<FieldView>,
    /// Every message, oldest first.
    pub messages: Vec<MessageLine>,
}

// ---------------------------------------------------------------------------------------
// Overview

fn proposal_line(p: &Proposal) -> ProposalLine {
    let m = &p.melding;
    ProposalLine {
        href: format!(
            "/verzuimmeldingen/voorstel?sleutel={}",
            url::form_urlencoded::byte_serialize(p.key.as_bytes()).collect::<String>()
        ),
        student: p.student_name.clone(),
        kind: kind_label(&m.duo_code),
        begin: short_date(m.begin),
        end: m.end.map_or_else(|| "loopt nog".to_owned(), short_date),
        due: short_date(m.due_on),
        explanation: m.explanation.clone(),
    }
}

fn terugmelding_line(r: &M2mMeldingRow) -> String {
    let mut parts = Vec::new();
    if let Some(c) = r.closing_reason.as_deref() {
        parts.push(ClosingReason::parse(c).map_or_else(|_| c.to_owned(), |x| x.label().to_owned()));
    }
    if let Some(c) = r.explanation.as_deref() {
        parts.push(
            ClosingExplanation::parse(c).map_or_else(|_| c.to_owned(), |x| x.label().to_owned()),
        );
    }
    if let Some(c) = r.withdraw_reason.as_deref() {
        parts
            .push(WithdrawReason::parse(c).map_or_else(|_| c.to_owned(), |x| x.label().to_owned()));
    }
    if let Some(c) = &r.contact {
        parts.push(format!("contact: {} ({}, {})", c.name, c.function, c.phone));
    }
    parts.join("; ")
}

fn melding_line(r: &M2mMeldingRow) -> MeldingLine {
    let note = if r.pending.is_some() {
        "Aanvulling wacht op verzending".to_owned()
    } else if let Some(e) = &r.mutation_error {
        format!("Aanvulling geweigerd: {e}")
    } else if let (Some(e), Some(next)) = (&r.last_error, r.next_attempt_at) {
        format!(
            "Poging {} mislukt ({e}); nieuwe poging na {}",
            r.attempts,
            local_date_time(next)
        )
    } else {
        String::new()
    };
    MeldingLine {
        href: format!("/verzuimmeldingen/{}", r.id),
        student: r.student_name.clone(),
        kind: kind_label(&r.kind),
        begin: short_date(r.begin_date),
        state: r.state.label().to_owned(),
        refused: r.state == M2mState::Geweigerd,
        nummer: r.nummer.clone().unwrap_or_default(),
        status: status_label(r.loket_status.as_deref()),
        terugmelding: terugmelding_line(r),
        note,
    }
}

/// GET `/verzuimmeldingen`: the proposals and the school's meldingen.
pub async fn overview(
    State(state): State<AppState>,
    RequireRole { user, .. }: RequireRole<Coordinator>,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let now = state.now();
    let proposals = state
        .app
        .m2m_proposals(&user.actor, state.today(), now)
        .await
        .map_err(web)?;
    let meldingen = state
        .app
        .m2m_meldingen(&user.actor, now)
        .await
        .map_err(web)?;
    let notice = params
        .contains_key("bevestigd")
        .then(|| "De melding is bevestigd. Zij wordt bij de volgende synchronisatie naar het Verzuimloket verzonden.".to_owned());
    Ok(render(&MeldingenPage {
        layout: Layout::for_user("Verzuimmeldingen", &user),
        notice,
        proposals: proposals.iter().map(proposal_line).collect(),
        meldingen: meldingen.iter().map(melding_line).collect(),
    })?
    .into_response())
}

// ---------------------------------------------------------------------------------------
// Confirm form

fn text(name: &str, value: &str, e: &ErrorList) -> FieldView {
    FieldView::text(name, label(name), value).with_errors(e)
}

fn groups(i: &MeldingInput, day_spec: &str, e: &ErrorList) -> Vec<FieldGroup> {
    let kind_choices = Verzuimsoort::ALL
        .iter()
        .map(|k| Choice::new(k.code(), k.label(), &i.kind))
        .collect();
    let mut priorities = vec![Choice::new("", "(geen)", &i.priority)];
    priorities.extend(
        Priority::ALL
            .iter()
            .map(|p| Choice::new(p.code(), p.label(), &i.priority)),
    );
    vec![
        FieldGroup {
            legend: "Leerling".to_owned(),
            id: "leerling".to_owned(),
            hint: "Uit de leerlingadministratie; controleer en vul aan.".to_owned(),
            fields: vec![
                text("student_number", &i.student_number, e).input_class("short"),
                text("first_names", &i.first_names, e),
                text("prefix", &i.prefix, e).optional().input_class("short"),
                text("surname", &i.surname, e),
                text("birth_date", &i.birth_date, e).hint("Jaar-maand-dag of dag-maand-jaar."),
                FieldView::radio(
                    "gender",
                    label("gender"),
                    vec![
                        Choice::new("M", "Man", &i.gender),
                        Choice::new("V", "Vrouw", &i.gender),
                        Choice::new("X", "Onbekend of anders", &i.gender),
                    ],
                )
                .with_errors(e),
                text("residence_gemeente", &i.residence_gemeente, e)
                    .hint("CBS-gemeentecode van 4 cijfers; de melding gaat naar deze gemeente.")
                    .input_class("short"),
                FieldView::radio(
                    "start_qualification",
                    label("start_qualification"),
                    yes_no(&i.start_qualification),
                )
                .with_errors(e),
                text("parent_phone", &i.parent_phone, e)
                    .kind("tel")
                    .hint("Waarop de leerplichtambtenaar de ouder of de leerling kan bereiken."),
            ],
        },
        FieldGroup {
            legend: "Verzuim".to_owned(),
            id: "verzuim".to_owned(),
            hint: "Voorgesteld door de verzuimcontrole; pas aan waar nodig.".to_owned(),
            fields: vec![
                FieldView::radio("kind", label("kind"), kind_choices).with_errors(e),
                text("begin_date", &i.begin_date, e),
                text("end_date", &i.end_date, e).optional(),
                FieldView::textarea(
                    "suspected_reason",
                    label("suspected_reason"),
                    &i.suspected_reason,
                )
                .hint("Hoogstens 200 tekens.")
                .rows(3)
                .with_errors(e),
                FieldView::radio(
                    "all_lessons_missed",
                    label("all_lessons_missed"),
                    yes_no(&i.all_lessons_missed),
                )
                .with_errors(e),
                text("absence_days", &i.absence_days, e)
                    .optional()
                    .input_class("short"),
                text("absence_hours", &i.absence_hours, e)
                    .optional()
                    .input_class("short"),
                text("location", &i.location, e)
                    .hint("De naam van de leslocatie zoals het Verzuimloket haar kent."),
                FieldView::textarea("day_specification", label("day_specification"), day_spec)
                    .hint("Eén dag per regel: ‘2026-11-02: hele dag’ of ‘2026-11-03: 1, 2, 5’ (lesuren).")
                    .rows(6)
                    .optional()
                    .with_errors(e),
            ],
        },
        FieldGroup {
            legend: "Actie".to_owned(),
            id: "actie".to_owned(),
            hint: String::new(),
            fields: vec![
                FieldView::textarea("school_actions", label("school_actions"), &i.school_actions)
                    .hint("Bijvoorbeeld: gesprek met de leerling, ouders gebeld, zorgteam ingeschakeld.")
                    .with_errors(e),
                FieldView::radio(
                    "action_wanted",
                    label("action_wanted"),
                    yes_no(&i.action_wanted),
                )
                .with_errors(e),
                FieldView::select("priority", label("priority"), priorities)
                    .hint("Alleen als u actie van de gemeente wenst.")
                    .optional()
                    .with_errors(e),
                FieldView::textarea(
                    "no_action_explanation",
                    label("no_action_explanation"),
                    &i.no_action_explanation,
                )
                .hint("Alleen als u geen actie van de gemeente wenst: leg uit waarom.")
                .rows(3)
                .optional()
                .with_errors(e),
            ],
        },
    ]
}

/// The confirm form's fields as typed.
fn input_from_form(form: &Params) -> (MeldingInput, String) {
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let input = MeldingInput {
        student_number: get("student_number"),
        first_names: get("first_names"),
        prefix: get("prefix"),
        surname: get("surname"),
        birth_date: get("birth_date"),
        gender: get("gender"),
        residence_gemeente: get("residence_gemeente"),
        start_qualification: get("start_qualification"),
        kind: get("kind"),
        begin_date: get("begin_date"),
        end_date: get("end_date"),
        suspected_reason: get("suspected_reason"),
        all_lessons_missed: get("all_lessons_missed"),
        school_actions: get("school_actions"),
        action_wanted: get("action_wanted"),
        priority: get("priority"),
        no_action_explanation: get("no_action_explanation"),
        location: get("location"),
        parent_phone: get("parent_phone"),
        absence_days: get("absence_days"),
        absence_hours: get("absence_hours"),
        ..MeldingInput::default()
    };
    (input, get("day_specification"))
}

fn confirm_page(
    user: &crate::session::CurrentUser,
    proposal: &Proposal,
    input: &MeldingInput,
    day_spec: &str,
    errors: ErrorList,
) -> ConfirmPage {
    ConfirmPage {
        layout: Layout::for_user("Melding bevestigen", user),
        csrf: user.csrf_token.clone(),
        key: proposal.key.clone(),
        student: proposal.student_name.clone(),
        explanation: proposal.melding.explanation.clone(),
        groups: groups(input, day_spec, &errors),
        errors,
    }
}

/// GET `/verzuimmeldingen/voorstel?sleutel=…`: the confirm form, filled from the draft.
pub async fn proposal_form(
    State(state): State<AppState>,
    RequireRole { user, .. }: RequireRole<Coordinator>,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let key = params.get("sleutel").ok_or(WebError::NotFound)?;
    let p = state
        .app
        .m2m_proposal(&user.actor, key, state.today(), state.now())
        .await
        .map_err(web)?;
    let page = confirm_page(
        &user,
        &p,
        &p.draft.input,
        &p.draft.day_spec.to_text(),
        ErrorList::new(),
    );
    Ok(render(&page)?.into_response())
}

/// POST `/verzuimmeldingen/voorstel`: confirms; back to the overview, or the form again with
/// the reasons beside the fields (nothing stored).
pub async fn proposal_submit(
    State(state): State<AppState>,
    RequireRole { user, .. }: RequireRole<Coordinator>,
    body: Bytes,
) -> Result<Response, WebError> {
    let form: Params = url::form_urlencoded::parse(&body).into_owned().collect();
    let key = form.get("sleutel").cloned().unwrap_or_default();
    let (input, day_spec) = input_from_form(&form);
    let confirmation = Confirmation {
        key: key.clone(),
        input: input.clone(),
        day_spec: day_spec.clone(),
    };
    let (today, now) = (state.today(), state.now());
    match state
        .app
        .confirm_melding(&user.actor, &confirmation, today, now)
        .await
    {
        Ok(id) => Ok(Redirect::to(&format!("/verzuimmeldingen?bevestigd={id}")).into_response()),
        Err(M2mError::Fields(errors)) => {
            let p = state
                .app
                .m2m_proposal(&user.actor, &key, today, now)
                .await
                .map_err(web)?;
            let errors = ErrorList::from_field_errors(&errors, &labels());
            let page = confirm_page(&user, &p, &input, &day_spec, errors);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(web(e)),
    }
}

// ---------------------------------------------------------------------------------------
// One melding

fn fact(label: &str, value: impl Into<String>) -> Fact {
    Fact {
        label: label.to_owned(),
        value: value.into(),
    }
}

#[allow(clippy::too_many_arguments)]
fn melding_page(
    user: &crate::session::CurrentUser,
    log: &verzuim_app::m2m::MeldingLog,
    notice: Option<String>,
    errors: ErrorList,
    end_date: &str,
    day_spec: &str,
    typed: Option<&MeldingInput>,
) -> MeldingPage {
    let r = &log.melding;
    let can_resubmit = r.state == M2mState::Geweigerd;
    // A refused melding: the loket's refusals beside the fields of the correction form.
    let errors = if can_resubmit && errors.is_empty() && typed.is_none() {
        let refused: Vec<verzuim_domain::ValidationError> = r
            .refusal
            .iter()
            .filter_map(|x| {
                x.field
                    .as_ref()
                    .map(|f| verzuim_domain::ValidationError::new(f.clone(), x.message.clone()))
            })
            .collect();
        ErrorList::from_errors(&refused, &labels())
    } else {
        errors
    };
    let stored = verzuim_app::m2m::stored_input(r).unwrap_or_default();
    let groups = if can_resubmit {
        groups(typed.unwrap_or(&stored), day_spec, &errors)
    } else {
        Vec::new()
    };
    let mut facts = vec![
        fact(
            "Leerling",
            format!("{} ({})", r.student_name, r.student_number),
        ),
        fact("Soort verzuim", kind_label(&r.kind)),
        fact("Begindatum", short_date(r.begin_date)),
        fact("Staat", r.state.label()),
        fact(
            "Meldingsnummer",
            r.nummer.clone().unwrap_or_else(|| "nog geen".to_owned()),
        ),
        fact(
            "Status bij het loket",
            status_label(r.loket_status.as_deref()),
        ),
        fact(
            "Bevestigd",
            format!(
                "{} door {}",
                local_date_time(r.confirmed_at),
                r.confirmed_by_label
            ),
        ),
        fact("Documentkenmerk", r.document_id.clone()),
    ];
    if let Some(at) = r.sent_at {
        facts.push(fact("Verzonden", local_date_time(at)));
    }
    if let (Some(d), Some(t)) = (r.process_date, &r.process_time) {
        facts.push(fact(
            "Laatste wijziging bij het loket",
            format!("{} {t}", short_date(d)),
        ));
    }
    if let Some(e) = &r.last_error {
        let next = r.next_attempt_at.map(local_date_time).unwrap_or_default();
        facts.push(fact(
            "Laatste fout",
            format!("{e} (poging {}; opnieuw na {next})", r.attempts),
        ));
    }
    if let Some(p) = &r.pending {
        let mut what = Vec::new();
        if let Some(d) = p.end_date {
            what.push(format!("einddatum {}", short_date(d)));
        }
        if p.day_spec.is_some() {
            what.push("verzuimdagen".to_owned());
        }
        facts.push(fact("Aanvulling wacht op verzending", what.join(", ")));
    }
    if let Some(e) = &r.mutation_error {
        facts.push(fact("Aanvulling geweigerd", e.clone()));
    }
    facts.push(fact(
        "Verzuimdagen",
        if r.day_spec.trim().is_empty() {
            "niet opgegeven".to_owned()
        } else {
            r.day_spec.trim().replace('\n', "; ")
        },
    ));
    let mut terugmelding = Vec::new();
    if let Some(c) = r.closing_reason.as_deref() {
        terugmelding.push(fact(
            "Reden afsluiting",
            ClosingReason::parse(c).map_or_else(|_| c.to_owned(), |x| x.label().to_owned()),
        ));
    }
    if let Some(c) = r.explanation.as_deref() {
        terugmelding.push(fact(
            "Toelichting",
            ClosingExplanation::parse(c).map_or_else(|_| c.to_owned(), |x| x.label().to_owned()),
        ));
    }
    if let Some(c) = r.withdraw_reason.as_deref() {
        terugmelding.push(fact(
            "Reden intrekking",
            WithdrawReason::parse(c).map_or_else(|_| c.to_owned(), |x| x.label().to_owned()),
        ));
    }
    if let Some(c) = &r.contact {
        terugmelding.push(fact(
            "Contactpersoon gemeente",
            format!("{} ({})", c.name, c.function),
        ));
        terugmelding.push(fact("Telefoon", c.phone.clone()));
        terugmelding.push(fact("E-mail", c.email.clone()));
    }
    if let Some(at) = r.terugmelding_at {
        terugmelding.push(fact("Ontvangen", local_date_time(at)));
    }
    let refusals = r
        .refusal
        .iter()
        .map(|x| match &x.field {
            Some(f) => {
                let l = label(f);
                format!(
                    "{} — {}: {}",
                    x.code,
                    if l.is_empty() { f } else { l },
                    x.message
                )
            }
            None => format!("{}: {}", x.code, x.message),
        })
        .collect();
    let change_fields = vec![
        FieldView::text("end_date", label("end_date"), end_date)
            .hint("Jaar-maand-dag, bijvoorbeeld 2026-11-20.")
            .optional()
            .with_errors(&errors),
        FieldView::textarea("day_specification", label("day_specification"), day_spec)
            .hint("Eén dag per regel: ‘2026-11-02: hele dag’ of ‘2026-11-03: 1, 2, 5’. Vervangt de opgegeven dagen.")
            .rows(6)
            .optional()
            .with_errors(&errors),
    ];
    MeldingPage {
        layout: Layout::for_user(&format!("Verzuimmelding {}", r.student_name), user),
        csrf: user.csrf_token.clone(),
        id: r.id,
        notice,
        facts,
        terugmelding,
        refusals,
        can_change: r.state == M2mState::Verzonden,
        can_resubmit,
        groups,
        errors,
        change_fields,
        messages: log
            .messages
            .iter()
            .map(|m| MessageLine {
                direction: if m.direction == "uit" {
                    "Verzonden".to_owned()
                } else {
                    "Ontvangen".to_owned()
                },
                operation: m.operation.clone(),
                at: local_date_time(m.at),
                message_id: m.message_id.clone().unwrap_or_default(),
                relates_to: m.relates_to.clone().unwrap_or_default(),
                http_status: m.http_status.map(|s| s.to_string()).unwrap_or_default(),
                error: m.error.clone().unwrap_or_default(),
                body: m.body.clone(),
            })
            .collect(),
    }
}

/// GET `/verzuimmeldingen/{id}`: one melding with its terugmelding and message log.
pub async fn melding(
    State(state): State<AppState>,
    RequireRole { user, .. }: RequireRole<Coordinator>,
    Path(id): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let log = state
        .app
        .m2m_melding_log(&user.actor, id, state.now())
        .await
        .map_err(web)?;
    let notice = if params.contains_key("aangevuld") {
        Some(
            "De aanvulling is opgeslagen en wordt bij de volgende synchronisatie verzonden."
                .to_owned(),
        )
    } else if params.contains_key("opnieuw") {
        Some("De verbeterde melding is bevestigd en wordt bij de volgende synchronisatie opnieuw verzonden.".to_owned())
    } else {
        None
    };
    let end = verzuim_app::m2m::stored_input(&log.melding)
        .map(|i| i.end_date)
        .unwrap_or_default();
    let page = melding_page(
        &user,
        &log,
        notice,
        ErrorList::new(),
        &end,
        &log.melding.day_spec,
        None,
    );
    Ok(render(&page)?.into_response())
}

/// POST `/verzuimmeldingen/{id}/aanvullen`: queues an end date and/or day specification.
pub async fn change_submit(
    State(state): State<AppState>,
    RequireRole { user, .. }: RequireRole<Coordinator>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let form: Params = url::form_urlencoded::parse(&body).into_owned().collect();
    let end = form.get("end_date").cloned().unwrap_or_default();
    let spec = form.get("day_specification").cloned().unwrap_or_default();
    let (today, now) = (state.today(), state.now());
    match state
        .app
        .m2m_change_melding(&user.actor, id, &end, &spec, today, now)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/verzuimmeldingen/{id}?aangevuld=1")).into_response()),
        Err(M2mError::Fields(errors)) => {
            let log = state
                .app
                .m2m_melding_log(&user.actor, id, now)
                .await
                .map_err(web)?;
            let errors = ErrorList::from_field_errors(&errors, &labels());
            let page = melding_page(&user, &log, None, errors, &end, &spec, None);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(web(e)),
    }
}

/// POST `/verzuimmeldingen/{id}/opnieuw`: corrects a refused melding and confirms it again.
pub async fn resubmit(
    State(state): State<AppState>,
    RequireRole { user, .. }: RequireRole<Coordinator>,
    Path(id): Path<String>,
    body: Bytes,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let form: Params = url::form_urlencoded::parse(&body).into_owned().collect();
    let (input, day_spec) = input_from_form(&form);
    let (today, now) = (state.today(), state.now());
    match state
        .app
        .m2m_correct_melding(&user.actor, id, &input, &day_spec, today, now)
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("/verzuimmeldingen/{id}?opnieuw=1")).into_response()),
        Err(M2mError::Fields(errors)) => {
            let log = state
                .app
                .m2m_melding_log(&user.actor, id, now)
                .await
                .map_err(web)?;
            let errors = ErrorList::from_field_errors(&errors, &labels());
            let page = melding_page(&user, &log, None, errors, "", &day_spec, Some(&input));
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response())
        }
        Err(e) => Err(web(e)),
    }
}
