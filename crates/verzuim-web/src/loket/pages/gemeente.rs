//! The gemeente's side: the inbox of meldingen for its residents (filters: nieuw, in
//! behandeling, school, soort, periode), the melding with its day specification (only when
//! filled) and attachments, the terugmelding (status, reden afsluiting, toelichting, the
//! gemeente's contact person), and the vrijstellingen register.

use std::collections::HashMap;

use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use verzuim_app::loket::{MeldingFilter, MeldingScope, MeldingView};
use verzuim_domain::Brin;
use verzuim_loket::{
    ClosingExplanation, ClosingReason, MeldingStatus, TerugmeldingInput, Verzuimsoort,
    VrijstellingInput,
};

use crate::clock::local_date_time;
use crate::error::WebError;
use crate::loket::forms::{Choice, ErrorList, FieldView};
use crate::loket::pages::meldingen::{download_response, melding_facts, melding_line};
use crate::loket::pages::{field_errors, gemeente_label, parse_id, period};
use crate::loket::session::InGemeente;
use crate::loket::views::{
    Crumb, GemeenteMeldingView, InboxView, Layout, NavItem, VrijstellingLine, VrijstellingenView,
};
use crate::loket::{LoketState, render};

type Params = HashMap<String, String>;

fn param(params: &Params, name: &str) -> String {
    params
        .get(name)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

fn inbox_path(g: &InGemeente) -> String {
    format!("/gemeenten/{}/meldingen", g.gemeente)
}

fn layout(title: &str, g: &InGemeente, section: (&str, &str), last: Option<&str>) -> Layout {
    let (href, name) = section;
    let crumbs = match last {
        Some(last) => vec![Crumb::link(href, name), Crumb::here(last)],
        None => vec![Crumb::here(name)],
    };
    Layout::for_user(title, &g.user, href).crumbs(crumbs)
}

/// Labels of the inbox's filters.
const FILTER_LABELS: [(&str, &str); 5] = [
    ("status", "Status"),
    ("school", "School (BRIN)"),
    ("soort", "Soort verzuim"),
    ("van", "Ingediend vanaf"),
    ("tot", "Ingediend tot en met"),
];

/// GET `/gemeenten/{code}/meldingen?status=&school=&soort=&van=&tot=`.
pub async fn inbox(
    State(state): State<LoketState>,
    g: InGemeente,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let mut errors = Vec::new();
    let raw = |n: &str| param(&params, n);
    let mut filter = MeldingFilter::default();
    if !raw("status").is_empty() {
        match MeldingStatus::parse(&raw("status")) {
            Ok(s) => filter.status = Some(s),
            Err(e) => errors.push(verzuim_domain::ValidationError::new("status", e.reason)),
        }
    }
    if !raw("school").is_empty() {
        match Brin::parse(&raw("school")) {
            Ok(b) => filter.brin = Some(b),
            Err(e) => errors.push(verzuim_domain::ValidationError::new("school", e.reason)),
        }
    }
    if !raw("soort").is_empty() {
        match Verzuimsoort::parse(&raw("soort")) {
            Ok(k) => filter.kind = Some(k),
            Err(e) => errors.push(verzuim_domain::ValidationError::new("soort", e.reason)),
        }
    }
    match verzuim_loket::melding::optional_date("van", &raw("van")) {
        Ok(d) => filter.from = d,
        Err(e) => errors.push(e),
    }
    match verzuim_loket::melding::optional_date("tot", &raw("tot")) {
        Ok(d) => filter.until = d,
        Err(e) => errors.push(e),
    }
    let errors = ErrorList::from_errors(&errors, &FILTER_LABELS);
    let rows = state
        .loket
        .inbox(&g.user.actor, &g.gemeente, &filter)
        .await?;
    let path = inbox_path(&g);
    let status_code = filter.status.map(|s| s.code()).unwrap_or("");
    let tab = |code: &str, label: &str| NavItem {
        href: if code.is_empty() {
            path.clone()
        } else {
            format!("{path}?status={code}")
        },
        label: label.to_owned(),
        current: status_code == code
            && filter.brin.is_none()
            && filter.kind.is_none()
            && filter.from.is_none()
            && filter.until.is_none(),
    };
    let mut soort = vec![Choice::new("", "Alle soorten", &raw("soort"))];
    soort.extend(
        Verzuimsoort::ALL
            .iter()
            .map(|k| Choice::new(k.code(), k.label(), &raw("soort"))),
    );
    let filters = vec![
        FieldView::select(
            "status",
            "Status",
            crate::loket::pages::meldingen::status_choices(status_code),
        )
        .filter(),
        FieldView::text("school", "School (BRIN)", &raw("school")).filter(),
        FieldView::select("soort", "Soort verzuim", soort).filter(),
        FieldView::date("van", "Ingediend vanaf", &raw("van")).filter(),
        FieldView::date("tot", "Ingediend tot en met", &raw("tot")).filter(),
    ]
    .into_iter()
    .map(|f| f.hint("").with_errors(&errors))
    .collect();
    Ok(render(&InboxView {
        layout: layout("Meldingen", &g, (&path, "Meldingen"), None),
        gemeente: gemeente_label(&state, &g.user.actor, &g.gemeente).await?,
        action: path.clone(),
        tabs: vec![
            tab("R", "Nieuw"),
            tab("B", "In behandeling"),
            tab("", "Alle meldingen"),
        ],
        filters,
        errors,
        rows: rows
            .iter()
            .map(|m| melding_line(m, &path, m.brin.to_string()))
            .collect(),
    })?
    .into_response())
}

/// Labels of the terugmelding form.
const ANSWER_LABELS: [(&str, &str); 7] = [
    ("status", "Status"),
    ("closing_reason", "Reden afsluiting"),
    ("explanation", "Toelichting"),
    ("contact_name", "Naam contactpersoon"),
    ("contact_function", "Functie"),
    ("contact_phone", "Telefoonnummer"),
    ("contact_email", "E-mailadres"),
];

fn answer_input(form: &Params) -> TerugmeldingInput {
    TerugmeldingInput {
        status: param(form, "status"),
        closing_reason: param(form, "closing_reason"),
        explanation: param(form, "explanation"),
        contact_name: param(form, "contact_name"),
        contact_function: param(form, "contact_function"),
        contact_phone: param(form, "contact_phone"),
        contact_email: param(form, "contact_email"),
    }
}

/// The form prefilled with the last terugmelding's contact person (or the user's name).
fn prefilled(view: &MeldingView, name: &str) -> TerugmeldingInput {
    match &view.terugmelding {
        Some(t) => TerugmeldingInput {
            status: String::new(),
            closing_reason: String::new(),
            explanation: String::new(),
            contact_name: t.terugmelding.contact_name.clone(),
            contact_function: t.terugmelding.contact_function.clone(),
            contact_phone: t.terugmelding.contact_phone.clone(),
            contact_email: t.terugmelding.contact_email.clone(),
        },
        None => TerugmeldingInput {
            contact_name: name.to_owned(),
            ..TerugmeldingInput::default()
        },
    }
}

async fn detail_page(
    state: &LoketState,
    g: &InGemeente,
    nummer: &str,
    notice: Option<String>,
    input: Option<TerugmeldingInput>,
    errors: ErrorList,
) -> Result<Response, WebError> {
    let view = state
        .loket
        .gemeente_melding(&g.user.actor, &g.gemeente, nummer, state.now())
        .await?;
    let path = inbox_path(g);
    let href = format!("{path}/{}", view.nummer);
    let input = input.unwrap_or_else(|| prefilled(&view, &g.user.actor.name));
    let e = &errors;
    let mut reasons = vec![Choice::new("", "Kies een reden", &input.closing_reason)];
    reasons.extend(
        ClosingReason::ALL
            .iter()
            .map(|r| Choice::new(r.code(), r.label(), &input.closing_reason)),
    );
    let mut explanations = vec![Choice::new("", "Kies een toelichting", &input.explanation)];
    explanations.extend(
        ClosingExplanation::ALL
            .iter()
            .map(|x| Choice::new(x.code(), x.label(), &input.explanation)),
    );
    let answer_fields = vec![
        FieldView::radio(
            "status",
            "Status",
            [
                MeldingStatus::InBehandeling,
                MeldingStatus::Afgesloten,
                MeldingStatus::TerKennisneming,
            ]
            .iter()
            .map(|s| Choice::new(s.code(), s.label(), &input.status))
            .collect(),
        )
        .with_errors(e),
        FieldView::select("closing_reason", "Reden afsluiting", reasons)
            .hint("Alleen bij ‘Afgesloten’.")
            .optional()
            .with_errors(e),
        FieldView::select("explanation", "Toelichting", explanations)
            .hint("Verplicht bij ‘Afgesloten’ en ‘Ter kennisneming aangenomen’.")
            .optional()
            .with_errors(e),
    ];
    let contact_fields = vec![
        FieldView::text("contact_name", "Naam contactpersoon", &input.contact_name)
            .autocomplete("name")
            .with_errors(e),
        FieldView::text("contact_function", "Functie", &input.contact_function)
            .hint("Bijvoorbeeld leerplichtambtenaar of RMC-trajectbegeleider.")
            .with_errors(e),
        FieldView::text("contact_phone", "Telefoonnummer", &input.contact_phone)
            .kind("tel")
            .input_class("short")
            .with_errors(e),
        FieldView::text("contact_email", "E-mailadres", &input.contact_email)
            .kind("email")
            .with_errors(e),
    ];
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = render(&GemeenteMeldingView {
        layout: layout(
            &format!("Melding {}", view.nummer),
            g,
            (&path, "Meldingen"),
            Some(&view.nummer),
        ),
        m: melding_facts(&view, &href),
        action: href,
        csrf: g.user.csrf_token.clone(),
        notice,
        errors,
        can_answer: !view.is_final(),
        answer_fields,
        contact_fields,
    })?;
    Ok((status, page).into_response())
}

/// GET `/gemeenten/{code}/meldingen/{nummer}`.
pub async fn detail(
    State(state): State<LoketState>,
    g: InGemeente,
    Path((_, nummer)): Path<(String, String)>,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let notice = (param(&params, "gedaan") == "terugmelding")
        .then(|| "De terugmelding is verstuurd. De school ziet haar bij de melding.".to_owned());
    detail_page(&state, &g, &nummer, notice, None, ErrorList::new()).await
}

/// POST `/gemeenten/{code}/meldingen/{nummer}`: the terugmelding.
pub async fn answer(
    State(state): State<LoketState>,
    g: InGemeente,
    Path((_, nummer)): Path<(String, String)>,
    Form(form): Form<Params>,
) -> Result<Response, WebError> {
    let input = answer_input(&form);
    match state
        .loket
        .answer(&g.user.actor, &g.gemeente, &nummer, &input, state.now())
        .await
    {
        Ok(view) => Ok(Redirect::to(&format!(
            "{}/{}?gedaan=terugmelding",
            inbox_path(&g),
            view.nummer
        ))
        .into_response()),
        Err(e) => match field_errors(&e) {
            Some(list) => {
                let errors = ErrorList::from_errors(&list, &ANSWER_LABELS);
                detail_page(&state, &g, &nummer, None, Some(input), errors).await
            }
            None => Err(e.into()),
        },
    }
}

/// GET `/gemeenten/{code}/meldingen/{nummer}/bijlagen/{id}`.
pub async fn download(
    State(state): State<LoketState>,
    g: InGemeente,
    Path((_, nummer, id)): Path<(String, String, String)>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let file = state
        .loket
        .attachment(
            &g.user.actor,
            &MeldingScope::Gemeente(g.gemeente.clone()),
            &nummer,
            id,
            state.now(),
        )
        .await?;
    Ok(download_response(file))
}

/// Labels of the vrijstelling form.
const VRIJSTELLING_LABELS: [(&str, &str); 4] = [
    ("student_number", "BSN of onderwijsnummer"),
    ("from", "Vrijstelling vanaf"),
    ("until", "Vrijstelling tot en met"),
    ("article", "Grond (artikel)"),
];

async fn vrijstellingen_page(
    state: &LoketState,
    g: &InGemeente,
    notice: Option<String>,
    input: &VrijstellingInput,
    errors: ErrorList,
) -> Result<Response, WebError> {
    let rows = state
        .loket
        .vrijstellingen(&g.user.actor, &g.gemeente)
        .await?;
    let path = format!("/gemeenten/{}/vrijstellingen", g.gemeente);
    let e = &errors;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = render(&VrijstellingenView {
        layout: layout("Vrijstellingen", g, (&path, "Vrijstellingen"), None),
        gemeente: gemeente_label(state, &g.user.actor, &g.gemeente).await?,
        action: path.clone(),
        csrf: g.user.csrf_token.clone(),
        notice,
        fields: vec![
            FieldView::text(
                "student_number",
                "BSN of onderwijsnummer",
                &input.student_number,
            )
            .input_class("short")
            .inputmode("numeric")
            .with_errors(e),
            FieldView::date("from", "Vrijstelling vanaf", &input.from).with_errors(e),
            FieldView::date("until", "Vrijstelling tot en met", &input.until)
                .hint(
                    "Leeg laten als de vrijstelling geen einddatum heeft. Bijvoorbeeld 31-07-2027.",
                )
                .optional()
                .with_errors(e),
            FieldView::text("article", "Grond (artikel)", &input.article)
                .hint("Bijvoorbeeld ‘art. 5 onder a Leerplichtwet 1969’.")
                .with_errors(e),
        ],
        errors,
        rows: rows
            .iter()
            .map(|r| VrijstellingLine {
                id: r.id,
                student_number: r.vrijstelling.student_number.as_str().to_owned(),
                period: period(r.vrijstelling.from, r.vrijstelling.until),
                article: r.vrijstelling.article.clone(),
                registered: format!("{} door {}", local_date_time(r.created_at), r.created_by),
            })
            .collect(),
    })?;
    Ok((status, page).into_response())
}

/// GET `/gemeenten/{code}/vrijstellingen`.
pub async fn vrijstellingen(
    State(state): State<LoketState>,
    g: InGemeente,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let notice = match param(&params, "gedaan").as_str() {
        "verwijderd" => Some("De vrijstelling is verwijderd.".to_owned()),
        "toegevoegd" => {
            let withdrawn = param(&params, "ingetrokken");
            Some(if withdrawn.is_empty() {
                "De vrijstelling is geregistreerd.".to_owned()
            } else {
                format!(
                    "De vrijstelling is geregistreerd. Deze meldingen overlapten de vrijstelling en zijn ingetrokken: {}.",
                    withdrawn.replace(',', ", ")
                )
            })
        }
        _ => None,
    };
    vrijstellingen_page(
        &state,
        &g,
        notice,
        &VrijstellingInput::default(),
        ErrorList::new(),
    )
    .await
}

/// POST `/gemeenten/{code}/vrijstellingen`: registers one; overlapping meldingen are
/// withdrawn (the notice names them).
pub async fn add_vrijstelling(
    State(state): State<LoketState>,
    g: InGemeente,
    Form(form): Form<Params>,
) -> Result<Response, WebError> {
    let input = VrijstellingInput {
        student_number: param(&form, "student_number"),
        from: param(&form, "from"),
        until: param(&form, "until"),
        article: param(&form, "article"),
    };
    match state
        .loket
        .add_vrijstelling(&g.user.actor, &g.gemeente, &input, state.now())
        .await
    {
        Ok((_, withdrawn)) => {
            let mut q = url::form_urlencoded::Serializer::new(String::new());
            q.append_pair("gedaan", "toegevoegd");
            if !withdrawn.is_empty() {
                q.append_pair("ingetrokken", &withdrawn.join(","));
            }
            Ok(Redirect::to(&format!(
                "/gemeenten/{}/vrijstellingen?{}",
                g.gemeente,
                q.finish()
            ))
            .into_response())
        }
        Err(e) => match field_errors(&e) {
            Some(list) => {
                let errors = ErrorList::from_errors(&list, &VRIJSTELLING_LABELS);
                vrijstellingen_page(&state, &g, None, &input, errors).await
            }
            None => Err(e.into()),
        },
    }
}

/// POST `/gemeenten/{code}/vrijstellingen/{id}/verwijderen`.
pub async fn delete_vrijstelling(
    State(state): State<LoketState>,
    g: InGemeente,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    state
        .loket
        .delete_vrijstelling(&g.user.actor, &g.gemeente, id, state.now())
        .await?;
    Ok(Redirect::to(&format!(
        "/gemeenten/{}/vrijstellingen?gedaan=verwijderd",
        g.gemeente
    ))
    .into_response())
}
