//! The site administrator's pages ("beheer beveiligde site"): schools and gemeenten, users
//! and their roles (and a lost token reset), the resident register import, the audit log.
//! Only for the site administrator: anyone else gets 404 ([`SiteAdmin`]).

use std::collections::HashMap;

use axum::extract::{Form, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use verzuim_app::loket::{LoketError, LoketRole, LoketUserRow};
use verzuim_domain::{Sector, ValidationError};

use crate::clock::local_date_time;
use crate::error::WebError;
use crate::loket::forms::{Choice, ErrorList, FieldView};
use crate::loket::pages::field_errors;
use crate::loket::session::SiteAdmin;
use crate::loket::views::{
    AdminView, AuditLine, AuditView, Crumb, Layout, OrganisationLine, OrganisationsView, RoleLine,
    UserLine, UserView, UsersView,
};
use crate::loket::{LoketState, render};

type Params = HashMap<String, String>;

fn param(params: &Params, name: &str) -> String {
    params
        .get(name)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

fn layout(title: &str, admin: &SiteAdmin, last: Option<(&str, &str)>) -> Layout {
    let crumbs = match last {
        Some((href, label)) if !href.is_empty() => vec![
            Crumb::link("/beheer", "Beheer"),
            Crumb::link(href, label),
            Crumb::here(title),
        ],
        Some(_) => vec![Crumb::link("/beheer", "Beheer"), Crumb::here(title)],
        None => vec![Crumb::here("Beheer")],
    };
    Layout::for_user(title, &admin.user, "/beheer").crumbs(crumbs)
}

fn status_of(errors: &ErrorList) -> StatusCode {
    if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    }
}

/// GET `/beheer`.
pub async fn overview(
    State(state): State<LoketState>,
    admin: SiteAdmin,
) -> Result<Response, WebError> {
    let actor = &admin.user.actor;
    let schools = state.loket.list_schools(actor).await?.len();
    let gemeenten = state.loket.list_gemeenten(actor).await?.len();
    let users = state.loket.list_users(actor).await?.len();
    let audit_rows = state.loket.audit_log(actor, 1).await?.total;
    Ok(render(&AdminView {
        layout: layout("Beheer", &admin, None),
        schools,
        gemeenten,
        users,
        audit_rows,
    })?
    .into_response())
}

const SCHOOL_LABELS: [(&str, &str); 3] = [
    ("brin", "BRIN-nummer"),
    ("name", "Naam school"),
    ("sector", "Sector"),
];
const GEMEENTE_LABELS: [(&str, &str); 2] = [("code", "Gemeentecode"), ("name", "Naam gemeente")];

fn sector_label(sector: Sector) -> &'static str {
    match sector {
        Sector::Po => "primair onderwijs",
        Sector::So => "speciaal onderwijs",
        Sector::Vo => "voortgezet onderwijs",
        Sector::Vso => "voortgezet speciaal onderwijs",
        Sector::Mbo => "middelbaar beroepsonderwijs",
    }
}

async fn organisations_page(
    state: &LoketState,
    admin: &SiteAdmin,
    notice: Option<String>,
    typed: &Params,
    school_errors: ErrorList,
    gemeente_errors: ErrorList,
) -> Result<Response, WebError> {
    let actor = &admin.user.actor;
    let schools = state.loket.list_schools(actor).await?;
    let gemeenten = state.loket.list_gemeenten(actor).await?;
    let is_school = param(typed, "soort") == "school";
    let value = |form_is_school: bool, name: &str| {
        if form_is_school == is_school {
            param(typed, name)
        } else {
            String::new()
        }
    };
    let sector = value(true, "sector");
    let status = if school_errors.is_empty() && gemeente_errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = render(&OrganisationsView {
        layout: layout("Scholen en gemeenten", admin, Some(("", ""))),
        csrf: admin.user.csrf_token.clone(),
        notice,
        school_fields: vec![
            FieldView::text("brin", "BRIN-nummer", &value(true, "brin"))
                .hint("Vier tekens, bijvoorbeeld 12AB.")
                .input_class("short")
                .with_errors(&school_errors),
            FieldView::text("name", "Naam school", &value(true, "name"))
                .with_errors(&school_errors),
            FieldView::select(
                "sector",
                "Sector",
                std::iter::once(Choice::new("", "Kies de sector", &sector))
                    .chain(
                        Sector::ALL
                            .iter()
                            .map(|s| Choice::new(s.code(), sector_label(*s), &sector)),
                    )
                    .collect(),
            )
            .with_errors(&school_errors),
        ],
        school_errors,
        gemeente_fields: vec![
            FieldView::text("code", "Gemeentecode", &value(false, "code"))
                .hint("De CBS-code van 4 cijfers, bijvoorbeeld 0344.")
                .input_class("short")
                .inputmode("numeric")
                .with_errors(&gemeente_errors),
            FieldView::text("name", "Naam gemeente", &value(false, "name"))
                .with_errors(&gemeente_errors),
        ],
        gemeente_errors,
        schools: schools
            .iter()
            .map(|s| OrganisationLine {
                code: s.brin.to_string(),
                name: s.name.clone(),
                detail: sector_label(s.sector).to_owned(),
            })
            .collect(),
        gemeenten: gemeenten
            .iter()
            .map(|g| OrganisationLine {
                code: g.code.to_string(),
                name: g.name.clone(),
                detail: String::new(),
            })
            .collect(),
    })?;
    Ok((status, page).into_response())
}

/// GET `/beheer/organisaties`.
pub async fn organisations(
    State(state): State<LoketState>,
    admin: SiteAdmin,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let notice = match param(&params, "gedaan").as_str() {
        "school" => Some("De school is toegevoegd.".to_owned()),
        "gemeente" => Some("De gemeente is toegevoegd.".to_owned()),
        _ => None,
    };
    organisations_page(
        &state,
        &admin,
        notice,
        &Params::new(),
        ErrorList::new(),
        ErrorList::new(),
    )
    .await
}

/// POST `/beheer/organisaties` (`soort=school` or `soort=gemeente`).
pub async fn add_organisation(
    State(state): State<LoketState>,
    admin: SiteAdmin,
    Form(form): Form<Params>,
) -> Result<Response, WebError> {
    let actor = &admin.user.actor;
    let now = state.now();
    let is_school = param(&form, "soort") == "school";
    let result = if is_school {
        state
            .loket
            .add_school(
                actor,
                &param(&form, "brin"),
                &param(&form, "name"),
                &param(&form, "sector"),
                now,
            )
            .await
            .map(|_| ())
    } else {
        state
            .loket
            .add_gemeente(actor, &param(&form, "code"), &param(&form, "name"), now)
            .await
            .map(|_| ())
    };
    match result {
        Ok(()) => Ok(Redirect::to(if is_school {
            "/beheer/organisaties?gedaan=school"
        } else {
            "/beheer/organisaties?gedaan=gemeente"
        })
        .into_response()),
        Err(e) => match field_errors(&e) {
            Some(list) if is_school => {
                let errors = ErrorList::from_errors(&list, &SCHOOL_LABELS);
                organisations_page(&state, &admin, None, &form, errors, ErrorList::new()).await
            }
            Some(list) => {
                let errors = ErrorList::from_errors(&list, &GEMEENTE_LABELS);
                organisations_page(&state, &admin, None, &form, ErrorList::new(), errors).await
            }
            None => Err(e.into()),
        },
    }
}

const USER_LABELS: [(&str, &str); 3] = [
    ("username", "Inlognaam"),
    ("name", "Naam"),
    ("password", "Wachtwoord"),
];

fn roles_text(roles: &[LoketRole]) -> String {
    if roles.is_empty() {
        "geen".to_owned()
    } else {
        roles
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

async fn users_page(
    state: &LoketState,
    admin: &SiteAdmin,
    notice: Option<String>,
    typed: &Params,
    errors: ErrorList,
) -> Result<Response, WebError> {
    let users = state.loket.list_users(&admin.user.actor).await?;
    let page = render(&UsersView {
        layout: layout("Gebruikers", admin, Some(("", ""))),
        csrf: admin.user.csrf_token.clone(),
        notice,
        fields: vec![
            FieldView::text("username", "Inlognaam", &param(typed, "username"))
                .hint("3 tot 64 tekens: kleine letters, cijfers en . _ - @")
                .autocomplete("off")
                .with_errors(&errors),
            FieldView::text("name", "Naam", &param(typed, "name")).with_errors(&errors),
            FieldView::text("password", "Wachtwoord", "")
                .kind("password")
                .hint("Minstens 10 tekens. Geef het wachtwoord op een veilige manier door; de gebruiker koppelt bij de eerste keer inloggen een tokengenerator.")
                .autocomplete("new-password")
                .with_errors(&errors),
        ],
        rows: users
            .iter()
            .map(|u| UserLine {
                username: u.username.clone(),
                name: u.name.clone(),
                roles: roles_text(&u.roles),
                token: if u.totp_enrolled { "gekoppeld" } else { "nog niet" }.to_owned(),
                state: if u.active { "actief" } else { "geblokkeerd" }.to_owned(),
            })
            .collect(),
        errors,
    })?;
    Ok((StatusCode::OK, page).into_response())
}

/// GET `/beheer/gebruikers`.
pub async fn users(
    State(state): State<LoketState>,
    admin: SiteAdmin,
) -> Result<Response, WebError> {
    users_page(&state, &admin, None, &Params::new(), ErrorList::new()).await
}

/// POST `/beheer/gebruikers`: creates a user and opens their page (to grant roles).
pub async fn create_user(
    State(state): State<LoketState>,
    admin: SiteAdmin,
    Form(form): Form<Params>,
) -> Result<Response, WebError> {
    let username = param(&form, "username").to_lowercase();
    match state
        .loket
        .create_user(
            &admin.user.actor,
            &username,
            &param(&form, "name"),
            form.get("password").map(String::as_str).unwrap_or(""),
            state.now(),
        )
        .await
    {
        Ok(_) => {
            let path = format!(
                "/beheer/gebruikers/{}?gedaan=aangemaakt",
                url::form_urlencoded::byte_serialize(username.as_bytes()).collect::<String>()
            );
            Ok(Redirect::to(&path).into_response())
        }
        Err(e) => match field_errors(&e) {
            Some(list) => {
                let errors = ErrorList::from_errors(&list, &USER_LABELS);
                let mut r = users_page(&state, &admin, None, &form, errors).await?;
                *r.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
                Ok(r)
            }
            None => Err(e.into()),
        },
    }
}

const ROLE_LABELS: [(&str, &str); 4] = [
    ("role", "Rol"),
    ("organisation", "School of gemeente"),
    ("password", "Nieuw wachtwoord"),
    ("username", "Gebruiker"),
];

fn role_choices(current: &str) -> Vec<Choice> {
    [
        ("melder", "verzuimloket melder (school)"),
        ("beheerder", "verzuimloket beheerder onderwijs (school)"),
        ("leerplicht", "leerplichtambtenaar (gemeente)"),
        ("rmc", "behandelaar RMC (gemeente)"),
        ("admin", "beheerder beveiligde site"),
    ]
    .iter()
    .map(|(v, l)| Choice::new(v, l, current))
    .collect()
}

async fn find_user(
    state: &LoketState,
    admin: &SiteAdmin,
    username: &str,
) -> Result<LoketUserRow, WebError> {
    state
        .loket
        .list_users(&admin.user.actor)
        .await?
        .into_iter()
        .find(|u| u.username == username)
        .ok_or(WebError::NotFound)
}

async fn user_page(
    state: &LoketState,
    admin: &SiteAdmin,
    username: &str,
    notice: Option<String>,
    typed: &Params,
    errors: ErrorList,
) -> Result<Response, WebError> {
    let user = find_user(state, admin, username).await?;
    let path = format!(
        "/beheer/gebruikers/{}",
        url::form_urlencoded::byte_serialize(user.username.as_bytes()).collect::<String>()
    );
    let page = render(&UserView {
        layout: layout(&user.name, admin, Some(("/beheer/gebruikers", "Gebruikers"))),
        action: path,
        csrf: admin.user.csrf_token.clone(),
        notice,
        username: user.username.clone(),
        name: user.name.clone(),
        token: user.totp_enrolled,
        active: user.active,
        roles: user
            .roles
            .iter()
            .map(|r| RoleLine {
                label: r.to_string(),
                code: r.code().to_owned(),
                organisation: r.organisation().unwrap_or("").to_owned(),
            })
            .collect(),
        grant_fields: vec![
            FieldView::select("role", "Rol", role_choices(&param(typed, "role")))
                .with_errors(&errors),
            FieldView::text("organisation", "School of gemeente", &param(typed, "organisation"))
                .hint("Het BRIN-nummer bij een schoolrol, de gemeentecode bij een gemeenterol; leeg bij ‘beheerder beveiligde site’.")
                .optional()
                .input_class("short")
                .with_errors(&errors),
        ],
        password_field: FieldView::text("password", "Nieuw wachtwoord", "")
            .kind("password")
            .hint("Minstens 10 tekens. De gebruiker wordt overal uitgelogd.")
            .autocomplete("new-password")
            .with_errors(&errors),
        errors: errors.clone(),
    })?;
    Ok((status_of(&errors), page).into_response())
}

/// GET `/beheer/gebruikers/{username}`.
pub async fn user(
    State(state): State<LoketState>,
    admin: SiteAdmin,
    Path(username): Path<String>,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let notice = match param(&params, "gedaan").as_str() {
        "aangemaakt" => Some("De gebruiker is aangemaakt. Ken nu een rol toe.".to_owned()),
        "rol" => Some("De rol is toegekend.".to_owned()),
        "ingetrokken" => Some("De rol is ingetrokken.".to_owned()),
        "token" => Some("Het token is opnieuw ingesteld: de gebruiker koppelt bij de volgende keer inloggen een nieuwe tokengenerator.".to_owned()),
        "wachtwoord" => Some("Het wachtwoord is gewijzigd.".to_owned()),
        "geblokkeerd" => Some("De gebruiker is geblokkeerd.".to_owned()),
        "actief" => Some("De gebruiker kan weer inloggen.".to_owned()),
        _ => None,
    };
    user_page(
        &state,
        &admin,
        &username,
        notice,
        &Params::new(),
        ErrorList::new(),
    )
    .await
}

/// POST `/beheer/gebruikers/{username}` with `actie`: `rol-toekennen`, `rol-intrekken`,
/// `token-resetten`, `wachtwoord`, `blokkeren`, `deblokkeren`.
pub async fn change_user(
    State(state): State<LoketState>,
    admin: SiteAdmin,
    Path(username): Path<String>,
    Form(form): Form<Params>,
) -> Result<Response, WebError> {
    let actor = &admin.user.actor;
    let now = state.now();
    let role = || {
        let org = param(&form, "organisation");
        LoketRole::parse(
            &param(&form, "role"),
            (!org.is_empty()).then_some(org.as_str()),
        )
        .map_err(|e| {
            let field = if e.field == "rol" {
                "role"
            } else {
                "organisation"
            };
            LoketError::Invalid(ValidationError::new(field, e.reason))
        })
    };
    let (result, done) = match param(&form, "actie").as_str() {
        "rol-toekennen" => (
            match role() {
                Ok(r) => state.loket.grant_role(actor, &username, r, now).await,
                Err(e) => Err(e),
            },
            "rol",
        ),
        "rol-intrekken" => (
            match role() {
                Ok(r) => state.loket.revoke_role(actor, &username, r, now).await,
                Err(e) => Err(e),
            },
            "ingetrokken",
        ),
        "token-resetten" => (state.loket.reset_totp(actor, &username, now).await, "token"),
        "wachtwoord" => (
            state
                .loket
                .set_password(
                    actor,
                    &username,
                    form.get("password").map(String::as_str).unwrap_or(""),
                    now,
                )
                .await,
            "wachtwoord",
        ),
        "blokkeren" => (
            state.loket.set_active(actor, &username, false, now).await,
            "geblokkeerd",
        ),
        "deblokkeren" => (
            state.loket.set_active(actor, &username, true, now).await,
            "actief",
        ),
        _ => return Err(WebError::NotFound),
    };
    match result {
        Ok(()) => Ok(Redirect::to(&format!(
            "/beheer/gebruikers/{}?gedaan={done}",
            url::form_urlencoded::byte_serialize(username.as_bytes()).collect::<String>()
        ))
        .into_response()),
        Err(e) => match field_errors(&e) {
            Some(list) => {
                let errors = ErrorList::from_errors(&list, &ROLE_LABELS);
                user_page(&state, &admin, &username, None, &form, errors).await
            }
            None => Err(e.into()),
        },
    }
}

fn residents_view(
    admin: &SiteAdmin,
    notice: Option<String>,
    text: &str,
    errors: ErrorList,
) -> Result<Response, WebError> {
    let file_error = errors.get("file").map(str::to_owned);
    let page = render(&crate::loket::views::ResidentsView {
        layout: layout("Woonplaatsregister inlezen", admin, Some(("", ""))),
        csrf: admin.user.csrf_token.clone(),
        notice,
        text_field: FieldView::textarea("tekst", "Plak de regels hier", text)
            .hint("Eén leerling per regel: BSN of onderwijsnummer, puntkomma, gemeentecode. Bijvoorbeeld: 123456782;0344")
            .input_class("mono")
            .rows(8)
            .optional(),
        file_error,
        errors: errors.clone(),
    })?;
    Ok((status_of(&errors), page).into_response())
}

/// GET `/beheer/inwoners`.
pub async fn residents(
    admin: SiteAdmin,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let notice = params
        .get("ingelezen")
        .and_then(|n| n.parse::<usize>().ok())
        .map(|n| match n {
            1 => "1 regel ingelezen.".to_owned(),
            n => format!("{n} regels ingelezen."),
        });
    residents_view(&admin, notice, "", ErrorList::new())
}

/// POST `/beheer/inwoners` (multipart: `csrf`, `tekst`, `bestand`): all lines or none.
pub async fn import_residents(
    State(state): State<LoketState>,
    admin: SiteAdmin,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    let labels = [("file", "Bestand")];
    let mut text = String::new();
    let mut file = Vec::new();
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => match field.name() {
                Some("tekst") => text = field.text().await.unwrap_or_default(),
                Some("bestand") => {
                    file = field.bytes().await.map(|b| b.to_vec()).unwrap_or_default()
                }
                _ => {}
            },
            Ok(None) => break,
            Err(_) => {
                let errors = ErrorList::single(
                    "file",
                    "het bestand kon niet worden gelezen; probeer het opnieuw",
                    &labels,
                );
                return residents_view(&admin, None, &text, errors);
            }
        }
    }
    let csv = if file.is_empty() {
        text.clone()
    } else {
        match String::from_utf8(file) {
            Ok(s) => s,
            Err(_) => {
                let errors = ErrorList::single(
                    "file",
                    "het bestand is geen tekstbestand (UTF-8); sla het op als CSV",
                    &labels,
                );
                return residents_view(&admin, None, &text, errors);
            }
        }
    };
    if csv.trim().is_empty() {
        let errors = ErrorList::single(
            "file",
            "kies een bestand of plak de regels in het tekstvak",
            &labels,
        );
        return residents_view(&admin, None, &text, errors);
    }
    match state
        .loket
        .import_residents(&admin.user.actor, &csv, state.now())
        .await
    {
        Ok(n) => Ok(Redirect::to(&format!("/beheer/inwoners?ingelezen={n}")).into_response()),
        Err(e) => match field_errors(&e) {
            Some(list) => {
                let list: Vec<ValidationError> = list
                    .into_iter()
                    .map(|v| ValidationError::new("file", v.reason))
                    .collect();
                let errors = ErrorList::from_errors(&list, &labels);
                residents_view(&admin, None, &text, errors)
            }
            None => Err(e.into()),
        },
    }
}

/// GET `/beheer/audit?pagina=`.
pub async fn audit(
    State(state): State<LoketState>,
    admin: SiteAdmin,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let page = params
        .get("pagina")
        .and_then(|p| p.parse::<i64>().ok())
        .unwrap_or(1)
        .max(1);
    let log = state.loket.audit_log(&admin.user.actor, page).await?;
    Ok(render(&AuditView {
        layout: layout("Auditlog", &admin, Some(("", ""))),
        rows: log
            .rows
            .iter()
            .map(|r| AuditLine {
                at: local_date_time(r.at),
                username: r.username.clone(),
                action: r.action.clone(),
                organisation: r.organisation.clone().unwrap_or_default(),
                melding: r.melding_id.map(|m| m.to_string()).unwrap_or_default(),
                detail: r.detail.clone(),
            })
            .collect(),
        page: log.page,
        pages: log.pages,
        total: log.total,
        prev: (log.page > 1).then(|| format!("/beheer/audit?pagina={}", log.page - 1)),
        next: (log.page < log.pages).then(|| format!("/beheer/audit?pagina={}", log.page + 1)),
    })?
    .into_response())
}
