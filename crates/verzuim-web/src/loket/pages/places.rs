//! "Beheer locaties" and "Beheer contactpersonen" (seed 000): a search field (empty lists
//! all), the list, Toevoegen, Wijzigen and Verwijderen with a confirmation. The beheerder
//! onderwijs of the school changes them; a melder may look (the app layer decides, and answers
//! 404 to anyone else).

use std::collections::HashMap;

use axum::extract::{Form, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use verzuim_app::loket::{ContactInput, ContactRow, LocationInput, LocationRow};

use crate::error::WebError;
use crate::loket::forms::{ErrorList, FieldView};
use crate::loket::pages::{field_errors, parse_id, school_label};
use crate::loket::session::InSchool;
use crate::loket::views::{ConfirmView, Crumb, Layout, PlaceFormView, PlaceLine, PlaceListView};
use crate::loket::{LoketState, render};

type Params = HashMap<String, String>;

fn param(params: &Params, name: &str) -> String {
    params
        .get(name)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// The notice after a change (`?gedaan=toegevoegd`).
fn done_notice(params: &Params, noun: &str) -> Option<String> {
    let what = match params.get("gedaan").map(String::as_str) {
        Some("toegevoegd") => "toegevoegd",
        Some("gewijzigd") => "gewijzigd",
        Some("verwijderd") => "verwijderd",
        _ => return None,
    };
    Some(format!("De {noun} is {what}."))
}

/// Labels of the location form's fields.
const LOCATION_LABELS: [(&str, &str); 5] = [
    ("name", "Naam locatie"),
    ("street", "Straat"),
    ("number", "Huisnummer"),
    ("postcode", "Postcode"),
    ("city", "Plaats"),
];

/// Labels of the contact form's fields.
const CONTACT_LABELS: [(&str, &str); 5] = [
    ("name", "Naam"),
    ("function", "Functie"),
    ("phone", "Telefoonnummer"),
    ("email", "E-mailadres"),
    ("username", "Inlognaam in het Verzuimloket"),
];

fn location_fields(input: &LocationInput, errors: &ErrorList) -> Vec<FieldView> {
    vec![
        FieldView::text("name", "Naam locatie", &input.name)
            .hint("Zoals de school de locatie noemt, bijvoorbeeld ‘Hoofdgebouw’ of ‘Dependance Noord’. Deze naam kiest de melder in het meldformulier.")
            .with_errors(errors),
        FieldView::text("street", "Straat", &input.street)
            .optional()
            .autocomplete("address-line1")
            .with_errors(errors),
        FieldView::text("number", "Huisnummer", &input.number)
            .optional()
            .input_class("short")
            .with_errors(errors),
        FieldView::text("postcode", "Postcode", &input.postcode)
            .optional()
            .hint("Bijvoorbeeld 1234 AB.")
            .input_class("short")
            .autocomplete("postal-code")
            .with_errors(errors),
        FieldView::text("city", "Plaats", &input.city)
            .optional()
            .autocomplete("address-level2")
            .with_errors(errors),
    ]
}

fn contact_fields(input: &ContactInput, errors: &ErrorList) -> Vec<FieldView> {
    vec![
        FieldView::text("name", "Naam", &input.name)
            .autocomplete("name")
            .with_errors(errors),
        FieldView::text("function", "Functie", &input.function)
            .hint("Bijvoorbeeld verzuimcoördinator of teamleider.")
            .with_errors(errors),
        FieldView::text("phone", "Telefoonnummer", &input.phone)
            .kind("tel")
            .hint("Waarop de gemeente deze contactpersoon kan bellen.")
            .input_class("short")
            .autocomplete("tel")
            .with_errors(errors),
        FieldView::text("email", "E-mailadres", &input.email)
            .kind("email")
            .autocomplete("email")
            .with_errors(errors),
        FieldView::text("username", "Inlognaam in het Verzuimloket", &input.username)
            .hint("Alleen contactpersonen kunnen verzuimmeldingen doen. Vul de inlognaam in van de melder die als deze contactpersoon meldt.")
            .optional()
            .with_errors(errors),
    ]
}

fn location_input(form: &Params) -> LocationInput {
    LocationInput {
        name: param(form, "name"),
        street: param(form, "street"),
        number: param(form, "number"),
        postcode: param(form, "postcode"),
        city: param(form, "city"),
    }
}

fn contact_input(form: &Params) -> ContactInput {
    ContactInput {
        name: param(form, "name"),
        function: param(form, "function"),
        phone: param(form, "phone"),
        email: param(form, "email"),
        username: param(form, "username"),
    }
}

fn location_row_input(row: &LocationRow) -> LocationInput {
    LocationInput {
        name: row.name.clone(),
        street: row.street.clone(),
        number: row.number.clone(),
        postcode: row.postcode.clone(),
        city: row.city.clone(),
    }
}

fn contact_row_input(row: &ContactRow) -> ContactInput {
    ContactInput {
        name: row.name.clone(),
        function: row.function.clone(),
        phone: row.phone.clone(),
        email: row.email.clone(),
        username: row.username.clone().unwrap_or_default(),
    }
}

/// The two families, told apart where their words differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Family {
    Locations,
    Contacts,
}

impl Family {
    fn segment(self) -> &'static str {
        match self {
            Self::Locations => "locaties",
            Self::Contacts => "contactpersonen",
        }
    }
    fn heading(self) -> &'static str {
        match self {
            Self::Locations => "Beheer locaties",
            Self::Contacts => "Beheer contactpersonen",
        }
    }
    fn noun(self) -> &'static str {
        match self {
            Self::Locations => "locatie",
            Self::Contacts => "contactpersoon",
        }
    }
    fn base(self, school: &InSchool) -> String {
        format!("/scholen/{}/{}", school.brin, self.segment())
    }
    fn layout(self, title: &str, school: &InSchool, last: Option<&str>) -> Layout {
        let base = self.base(school);
        let mut crumbs = vec![Crumb::link(&base, self.heading())];
        if let Some(last) = last {
            crumbs.push(Crumb::here(last));
        } else {
            crumbs = vec![Crumb::here(self.heading())];
        }
        Layout::for_user(title, &school.user, &base).crumbs(crumbs)
    }
}

/// Only the beheerder may change; the app layer refuses others with "not found" too.
fn require_beheerder(school: &InSchool) -> Result<(), WebError> {
    if school.is_beheerder() {
        Ok(())
    } else {
        Err(WebError::NotFound)
    }
}

async fn list_page(
    state: &LoketState,
    school: &InSchool,
    family: Family,
    params: &Params,
) -> Result<Response, WebError> {
    let search = param(params, "zoek");
    let actor = &school.user.actor;
    let base = family.base(school);
    let (columns, rows, intro, search_label) = match family {
        Family::Locations => {
            let rows = state
                .loket
                .list_locations(actor, &school.brin, &search)
                .await?;
            (
                vec!["Naam", "Adres", "Plaats"],
                rows.iter()
                    .map(|l| PlaceLine {
                        cells: vec![
                            l.name.clone(),
                            [l.street.as_str(), l.number.as_str()]
                                .iter()
                                .filter(|s| !s.is_empty())
                                .copied()
                                .collect::<Vec<_>>()
                                .join(" "),
                            [l.postcode.as_str(), l.city.as_str()]
                                .iter()
                                .filter(|s| !s.is_empty())
                                .copied()
                                .collect::<Vec<_>>()
                                .join(" "),
                        ],
                        edit_href: format!("{base}/{}", l.id),
                        delete_href: format!("{base}/{}/verwijderen", l.id),
                    })
                    .collect::<Vec<_>>(),
                "De leslocaties van uw school. De melder kiest bij elke verzuimmelding een van deze locaties.",
                "Zoek op naam of plaats",
            )
        }
        Family::Contacts => {
            let rows = state
                .loket
                .list_contacts(actor, &school.brin, &search)
                .await?;
            (
                vec!["Naam", "Functie", "Telefoon", "E-mail", "Inlognaam"],
                rows.iter()
                    .map(|c| PlaceLine {
                        cells: vec![
                            c.name.clone(),
                            c.function.clone(),
                            c.phone.clone(),
                            c.email.clone(),
                            c.username.clone().unwrap_or_else(|| "—".to_owned()),
                        ],
                        edit_href: format!("{base}/{}", c.id),
                        delete_href: format!("{base}/{}/verwijderen", c.id),
                    })
                    .collect::<Vec<_>>(),
                "De contactpersonen van uw school. Alleen contactpersonen kunnen verzuimmeldingen doen: koppel de contactpersoon aan de inlognaam van de melder.",
                "Zoek op naam, functie of e-mailadres",
            )
        }
    };
    let noun = family.noun();
    let empty = if search.is_empty() {
        format!(
            "Er zijn nog geen {}. Kies ‘Toevoegen’ om er een toe te voegen.",
            family.segment()
        )
    } else {
        format!(
            "Geen {} gevonden met ‘{search}’. Laat het zoekveld leeg om alle {} te zien.",
            family.segment(),
            family.segment()
        )
    };
    Ok(render(&PlaceListView {
        layout: family.layout(family.heading(), school, None),
        heading: family.heading().to_owned(),
        school: school_label(state, actor, &school.brin).await?,
        intro: intro.to_owned(),
        action: base.clone(),
        search_label: search_label.to_owned(),
        search,
        columns: columns.into_iter().map(str::to_owned).collect(),
        rows,
        empty,
        add_label: format!("{} toevoegen", capitalized(noun)),
        add_href: format!("{base}/nieuw"),
        beheerder: school.is_beheerder(),
        notice: done_notice(params, noun),
    })?
    .into_response())
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

#[allow(clippy::too_many_arguments)]
fn form_page(
    school: &InSchool,
    family: Family,
    heading: &str,
    action: String,
    fields: Vec<FieldView>,
    errors: ErrorList,
    notice: Option<String>,
    delete_href: Option<String>,
) -> Result<Response, WebError> {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let submit = if action.ends_with("/nieuw") {
        "Toevoegen"
    } else {
        "Wijzigingen opslaan"
    };
    let intro = match family {
        Family::Locations => "Velden met ‘niet verplicht’ mag u leeg laten.",
        Family::Contacts => {
            "De gemeente ziet de naam, functie, het telefoonnummer en e-mailadres van de contactpersoon bij elke melding die deze persoon doet."
        }
    };
    let page = render(&PlaceFormView {
        layout: family.layout(heading, school, Some(heading)),
        heading: heading.to_owned(),
        intro: intro.to_owned(),
        notice,
        action,
        csrf: school.user.csrf_token.clone(),
        errors,
        fields,
        submit: submit.to_owned(),
        cancel_href: family.base(school),
        delete_href,
    })?;
    Ok((status, page).into_response())
}

/// GET `/scholen/{brin}/locaties?zoek=`.
pub async fn location_list(
    State(state): State<LoketState>,
    school: InSchool,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    list_page(&state, &school, Family::Locations, &params).await
}

/// GET `/scholen/{brin}/contactpersonen?zoek=`.
pub async fn contact_list(
    State(state): State<LoketState>,
    school: InSchool,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    list_page(&state, &school, Family::Contacts, &params).await
}

/// GET `/scholen/{brin}/locaties/nieuw` (`?eerste=ja`: the beheerder's first visit).
pub async fn location_new(
    school: InSchool,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    require_beheerder(&school)?;
    let notice = (param(&params, "eerste") == "ja").then(|| {
        "Welkom. Uw school heeft nog geen locaties. Leg eerst de locaties van uw school vast: de melder kiest bij elke verzuimmelding een locatie.".to_owned()
    });
    let family = Family::Locations;
    form_page(
        &school,
        family,
        "Locatie toevoegen",
        format!("{}/nieuw", family.base(&school)),
        location_fields(&LocationInput::default(), &ErrorList::new()),
        ErrorList::new(),
        notice,
        None,
    )
}

/// POST `/scholen/{brin}/locaties/nieuw`.
pub async fn location_create(
    State(state): State<LoketState>,
    school: InSchool,
    Form(form): Form<Params>,
) -> Result<Response, WebError> {
    let input = location_input(&form);
    let family = Family::Locations;
    match state
        .loket
        .add_location(&school.user.actor, &school.brin, &input, state.now())
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("{}?gedaan=toegevoegd", family.base(&school))).into_response(),
        ),
        Err(e) => match field_errors(&e) {
            Some(list) => {
                let errors = ErrorList::from_errors(&list, &LOCATION_LABELS);
                form_page(
                    &school,
                    family,
                    "Locatie toevoegen",
                    format!("{}/nieuw", family.base(&school)),
                    location_fields(&input, &errors),
                    errors,
                    None,
                    None,
                )
            }
            None => Err(e.into()),
        },
    }
}

/// GET `/scholen/{brin}/locaties/{id}`: the change form (beheerder) or the details (melder).
pub async fn location_edit(
    State(state): State<LoketState>,
    school: InSchool,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let row = state
        .loket
        .location(&school.user.actor, &school.brin, id)
        .await?;
    let family = Family::Locations;
    let base = family.base(&school);
    let beheerder = school.is_beheerder();
    form_page(
        &school,
        family,
        &if beheerder {
            format!("Locatie {} wijzigen", row.name)
        } else {
            format!("Locatie {}", row.name)
        },
        if beheerder {
            format!("{base}/{id}")
        } else {
            String::new()
        },
        location_fields(&location_row_input(&row), &ErrorList::new()),
        ErrorList::new(),
        None,
        beheerder.then(|| format!("{base}/{id}/verwijderen")),
    )
}

/// POST `/scholen/{brin}/locaties/{id}`.
pub async fn location_update(
    State(state): State<LoketState>,
    school: InSchool,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<Params>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let input = location_input(&form);
    let family = Family::Locations;
    let base = family.base(&school);
    match state
        .loket
        .update_location(&school.user.actor, &school.brin, id, &input, state.now())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{base}?gedaan=gewijzigd")).into_response()),
        Err(e) => match field_errors(&e) {
            Some(list) => {
                let errors = ErrorList::from_errors(&list, &LOCATION_LABELS);
                form_page(
                    &school,
                    family,
                    "Locatie wijzigen",
                    format!("{base}/{id}"),
                    location_fields(&input, &errors),
                    errors,
                    None,
                    Some(format!("{base}/{id}/verwijderen")),
                )
            }
            None => Err(e.into()),
        },
    }
}

/// GET `/scholen/{brin}/locaties/{id}/verwijderen`: "Weet u het zeker?".
pub async fn location_confirm_delete(
    State(state): State<LoketState>,
    school: InSchool,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    require_beheerder(&school)?;
    let id = parse_id(&id)?;
    let row = state
        .loket
        .location(&school.user.actor, &school.brin, id)
        .await?;
    confirm_page(
        &school,
        Family::Locations,
        id,
        &format!(
            "Weet u zeker dat u locatie ‘{}’ wilt verwijderen? Meldingen die al zijn gedaan, houden de naam van de locatie.",
            row.name
        ),
    )
}

/// POST `/scholen/{brin}/locaties/{id}/verwijderen`.
pub async fn location_delete(
    State(state): State<LoketState>,
    school: InSchool,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    state
        .loket
        .delete_location(&school.user.actor, &school.brin, id, state.now())
        .await?;
    Ok(Redirect::to(&format!(
        "{}?gedaan=verwijderd",
        Family::Locations.base(&school)
    ))
    .into_response())
}

fn confirm_page(
    school: &InSchool,
    family: Family,
    id: i64,
    question: &str,
) -> Result<Response, WebError> {
    let heading = format!("{} verwijderen", capitalized(family.noun()));
    let base = family.base(school);
    Ok(render(&ConfirmView {
        layout: family.layout(&heading, school, Some(&heading)),
        heading,
        question: question.to_owned(),
        action: format!("{base}/{id}/verwijderen"),
        csrf: school.user.csrf_token.clone(),
        confirm: "Ja, verwijderen".to_owned(),
        cancel_href: base,
    })?
    .into_response())
}

/// GET `/scholen/{brin}/contactpersonen/nieuw`.
pub async fn contact_new(school: InSchool) -> Result<Response, WebError> {
    require_beheerder(&school)?;
    let family = Family::Contacts;
    form_page(
        &school,
        family,
        "Contactpersoon toevoegen",
        format!("{}/nieuw", family.base(&school)),
        contact_fields(&ContactInput::default(), &ErrorList::new()),
        ErrorList::new(),
        None,
        None,
    )
}

/// POST `/scholen/{brin}/contactpersonen/nieuw`.
pub async fn contact_create(
    State(state): State<LoketState>,
    school: InSchool,
    Form(form): Form<Params>,
) -> Result<Response, WebError> {
    let input = contact_input(&form);
    let family = Family::Contacts;
    match state
        .loket
        .add_contact(&school.user.actor, &school.brin, &input, state.now())
        .await
    {
        Ok(_) => Ok(
            Redirect::to(&format!("{}?gedaan=toegevoegd", family.base(&school))).into_response(),
        ),
        Err(e) => match field_errors(&e) {
            Some(list) => {
                let errors = ErrorList::from_errors(&list, &CONTACT_LABELS);
                form_page(
                    &school,
                    family,
                    "Contactpersoon toevoegen",
                    format!("{}/nieuw", family.base(&school)),
                    contact_fields(&input, &errors),
                    errors,
                    None,
                    None,
                )
            }
            None => Err(e.into()),
        },
    }
}

/// GET `/scholen/{brin}/contactpersonen/{id}`.
pub async fn contact_edit(
    State(state): State<LoketState>,
    school: InSchool,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let row = state
        .loket
        .contact(&school.user.actor, &school.brin, id)
        .await?;
    let family = Family::Contacts;
    let base = family.base(&school);
    let beheerder = school.is_beheerder();
    form_page(
        &school,
        family,
        &if beheerder {
            format!("Contactpersoon {} wijzigen", row.name)
        } else {
            format!("Contactpersoon {}", row.name)
        },
        if beheerder {
            format!("{base}/{id}")
        } else {
            String::new()
        },
        contact_fields(&contact_row_input(&row), &ErrorList::new()),
        ErrorList::new(),
        None,
        beheerder.then(|| format!("{base}/{id}/verwijderen")),
    )
}

/// POST `/scholen/{brin}/contactpersonen/{id}`.
pub async fn contact_update(
    State(state): State<LoketState>,
    school: InSchool,
    Path((_, id)): Path<(String, String)>,
    Form(form): Form<Params>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    let input = contact_input(&form);
    let family = Family::Contacts;
    let base = family.base(&school);
    match state
        .loket
        .update_contact(&school.user.actor, &school.brin, id, &input, state.now())
        .await
    {
        Ok(()) => Ok(Redirect::to(&format!("{base}?gedaan=gewijzigd")).into_response()),
        Err(e) => match field_errors(&e) {
            Some(list) => {
                let errors = ErrorList::from_errors(&list, &CONTACT_LABELS);
                form_page(
                    &school,
                    family,
                    "Contactpersoon wijzigen",
                    format!("{base}/{id}"),
                    contact_fields(&input, &errors),
                    errors,
                    None,
                    Some(format!("{base}/{id}/verwijderen")),
                )
            }
            None => Err(e.into()),
        },
    }
}

/// GET `/scholen/{brin}/contactpersonen/{id}/verwijderen`.
pub async fn contact_confirm_delete(
    State(state): State<LoketState>,
    school: InSchool,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    require_beheerder(&school)?;
    let id = parse_id(&id)?;
    let row = state
        .loket
        .contact(&school.user.actor, &school.brin, id)
        .await?;
    confirm_page(
        &school,
        Family::Contacts,
        id,
        &format!(
            "Weet u zeker dat u contactpersoon ‘{}’ wilt verwijderen? Een gekoppelde melder kan daarna geen verzuimmeldingen meer doen. Meldingen die al zijn gedaan, houden de gegevens van de melder.",
            row.name
        ),
    )
}

/// POST `/scholen/{brin}/contactpersonen/{id}/verwijderen`.
pub async fn contact_delete(
    State(state): State<LoketState>,
    school: InSchool,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let id = parse_id(&id)?;
    state
        .loket
        .delete_contact(&school.user.actor, &school.brin, id, state.now())
        .await?;
    Ok(Redirect::to(&format!(
        "{}?gedaan=verwijderd",
        Family::Contacts.base(&school)
    ))
    .into_response())
}
