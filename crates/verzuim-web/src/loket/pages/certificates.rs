//! The certificate registry of the machine coupling (issue 5, seed 000: "Nadat u het
//! beveiligingscertificaat heeft geïnstalleerd, moet u het onderwerp en de uitgever van het
//! certificaat […] opsturen"): the school's certificates with their history, a warning 30 days
//! before expiry, the beheerder's upload (`.cer`, `.crt`, `.cert`, `.p7b`) and revocation with a
//! confirmation; for the site administrator the overview of expiring certificates across
//! schools and the form to register subject + issuer for a school.
//!
//! Who may: the school's melder and beheerder look ([`CertificateReader`]); the beheerder
//! uploads; the beheerder or the site administrator revokes. The app layer checks the same and
//! answers 404 to anyone else.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Form, FromRequestParts, Multipart, Path, Query, State};
use axum::http::StatusCode;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Redirect, Response};
use chrono::NaiveDate;
use verzuim_app::loket::{
    CERTIFICATE_EXTENSIONS, CertificateRow, CertificateSource, CertificateState, LoketActor,
};
use verzuim_domain::Brin;

use crate::clock::{local_date_time, short_date};
use crate::error::WebError;
use crate::loket::forms::{Choice, ErrorList, FieldView};
use crate::loket::pages::{field_errors, parse_id};
use crate::loket::session::{LoketUser, SiteAdmin};
use crate::loket::views::{ConfirmView, Crumb, Layout};
use crate::loket::{LoketState, render};

type Params = HashMap<String, String>;

fn param(params: &Params, name: &str) -> String {
    params
        .get(name)
        .map(|s| s.trim().to_owned())
        .unwrap_or_default()
}

/// Labels of the upload form.
const UPLOAD_LABELS: [(&str, &str); 1] = [("certificate", "Certificaatbestand")];

/// Labels of the site administrator's registration form.
const REGISTER_LABELS: [(&str, &str); 4] = [
    ("brin", "School"),
    ("subject", "Onderwerp (subject)"),
    ("issuer", "Uitgever (issuer)"),
    ("not_after", "Geldig tot en met"),
];

/// A user who may see the certificates of the school (BRIN) in the path: its melder or
/// beheerder, or the site administrator. Anyone else — and a BRIN that is not one — gets 404.
#[derive(Debug, Clone)]
pub struct CertificateReader {
    /// The signed-in user.
    pub user: LoketUser,
    /// The school of the path.
    pub brin: Brin,
}

impl CertificateReader {
    /// Whether the user may upload a certificate: the school's beheerder.
    pub fn may_upload(&self) -> bool {
        self.user.actor.is_beheerder(&self.brin)
    }

    /// Whether the user may revoke: the school's beheerder or the site administrator.
    pub fn may_revoke(&self) -> bool {
        self.may_upload() || self.user.actor.is_site_admin()
    }

    fn base(&self) -> String {
        certificates_path(&self.brin)
    }
}

impl FromRequestParts<LoketState> for CertificateReader {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &LoketState,
    ) -> Result<Self, Self::Rejection> {
        let user = LoketUser::from_request_parts(parts, state).await?;
        let Path(params) = Path::<Params>::from_request_parts(parts, state)
            .await
            .map_err(|_| WebError::NotFound)?;
        let raw = params.get("brin").ok_or(WebError::NotFound)?;
        let brin = Brin::parse(raw).map_err(|_| WebError::NotFound)?;
        if user.actor.works_for_school(&brin) || user.actor.is_site_admin() {
            Ok(Self { user, brin })
        } else {
            Err(WebError::NotFound)
        }
    }
}

/// `/scholen/{brin}/certificaten`.
pub fn certificates_path(brin: &Brin) -> String {
    format!("/scholen/{brin}/certificaten")
}

// ---------------------------------------------------------------------------------------
// Views

/// A registered certificate as a block of the school's page.
#[derive(Debug, Clone)]
pub struct CertificateLine {
    /// Id (element id `certificaat-{id}`).
    pub id: i64,
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number, or "niet bekend".
    pub serial: String,
    /// "23-11-2026 10:15", or "niet bekend".
    pub valid_from: String,
    /// "23-11-2027 10:15", or "geen einddatum opgegeven".
    pub valid_until: String,
    /// SHA-256 fingerprint in pairs, or empty (registered without the file).
    pub sha256: String,
    /// "geüpload" / "door beheerder geregistreerd".
    pub source: String,
    /// "23-11-2026 10:15 door beheerder".
    pub registered: String,
    /// "Geldig", "Verloopt over 10 dagen", "Verlopen", "Ingetrokken", "Vervangen".
    pub state: String,
    /// CSS class of the state label.
    pub state_class: String,
    /// Explanation under the state ("nog geldig tot het verloopt", "ingetrokken op …").
    pub state_note: String,
    /// The revoke confirmation page, when the user may revoke it and it is not revoked.
    pub revoke_href: Option<String>,
}

/// The school's certificates.
#[derive(Template)]
#[template(path = "loket/certificates.html")]
pub struct CertificatesView {
    /// Layout.
    pub layout: Layout,
    /// School name and BRIN.
    pub school: String,
    /// This page's path (the upload form's action).
    pub action: String,
    /// CSRF token.
    pub csrf: String,
    /// Notice after a change.
    pub notice: Option<String>,
    /// Expiry warnings.
    pub warnings: Vec<String>,
    /// The certificates, newest first, with history.
    pub rows: Vec<CertificateLine>,
    /// The user may upload (shows the form).
    pub can_upload: bool,
    /// Refusal of the upload.
    pub errors: ErrorList,
    /// The upload field's message.
    pub upload_error: Option<String>,
    /// `accept` of the file input.
    pub accept: String,
    /// The site administrator's registration form for this school, if the user is one.
    pub admin_register_href: Option<String>,
}

/// A line of the site administrator's overview.
#[derive(Debug, Clone)]
pub struct ExpiringLine {
    /// School name and BRIN.
    pub school: String,
    /// The school's certificate page.
    pub href: String,
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Valid until.
    pub valid_until: String,
    /// State label.
    pub state: String,
    /// CSS class of the state label.
    pub state_class: String,
}

/// The site administrator's page: expiring and expired certificates across schools, the
/// registration form and a way to a school's certificates.
#[derive(Template)]
#[template(path = "loket/certificates_admin.html")]
pub struct CertificatesAdminView {
    /// Layout.
    pub layout: Layout,
    /// This page's path.
    pub action: String,
    /// CSRF token.
    pub csrf: String,
    /// Notice after a registration.
    pub notice: Option<String>,
    /// Link under the notice (the school's certificates).
    pub notice_href: Option<String>,
    /// Expiring and expired current certificates, soonest first.
    pub rows: Vec<ExpiringLine>,
    /// Refusals of the registration form.
    pub errors: ErrorList,
    /// School, subject, issuer, end date.
    pub fields: Vec<FieldView>,
    /// The "certificaten van een school" lookup field.
    pub lookup: FieldView,
}

// ---------------------------------------------------------------------------------------
// Display helpers

/// The state label, its CSS class and a note. A replaced certificate is shown as "Vervangen"
/// while it is still accepted (renewal overlaps: the old one stays valid until it expires).
fn state_of(row: &CertificateRow, today: NaiveDate) -> (String, &'static str, String) {
    let state = row.state(today);
    match state {
        CertificateState::Ingetrokken => (
            "Ingetrokken".to_owned(),
            "status-I",
            row.revoked_at
                .map(|t| format!("Ingetrokken op {}.", local_date_time(t)))
                .unwrap_or_default(),
        ),
        CertificateState::Verlopen => (
            "Verlopen".to_owned(),
            "status-verlopen",
            "Het loket weigert berichten met dit certificaat.".to_owned(),
        ),
        accepted => match row.replaced_at {
            Some(at) => (
                "Vervangen".to_owned(),
                "status-I",
                format!(
                    "Vervangen door een nieuwere registratie op {}; blijft geldig tot het verloopt ({}).",
                    local_date_time(at),
                    accepted.label()
                ),
            ),
            None => (
                sentence_case(&accepted.label()),
                if matches!(accepted, CertificateState::Geldig) {
                    "status-G"
                } else {
                    "status-B"
                },
                String::new(),
            ),
        },
    }
}

/// "verloopt over 10 dagen" → "Verloopt over 10 dagen".
fn sentence_case(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// Valid until: date and time for an uploaded certificate, the last day for one the site
/// administrator registered (stored as 23:59:59 UTC of that day).
fn valid_until(row: &CertificateRow) -> String {
    match (row.not_after, row.source) {
        (Some(t), CertificateSource::Admin) => short_date(t.date_naive()),
        (Some(t), _) => local_date_time(t),
        (None, _) => "geen einddatum opgegeven".to_owned(),
    }
}

/// "ab:cd:…" in groups, so the fingerprint wraps and reads like the certificate viewer's.
fn fingerprint(hex: &str) -> String {
    hex.as_bytes()
        .chunks(2)
        .map(|c| String::from_utf8_lossy(c).to_uppercase())
        .collect::<Vec<_>>()
        .join(":")
}

fn line(row: &CertificateRow, today: NaiveDate, revoke_base: Option<&str>) -> CertificateLine {
    let (state, class, note) = state_of(row, today);
    CertificateLine {
        id: row.id,
        subject: row.subject.clone(),
        issuer: row.issuer.clone(),
        serial: row
            .serial
            .clone()
            .unwrap_or_else(|| "niet bekend".to_owned()),
        valid_from: row
            .not_before
            .map(local_date_time)
            .unwrap_or_else(|| "niet bekend".to_owned()),
        valid_until: valid_until(row),
        sha256: row.sha256.as_deref().map(fingerprint).unwrap_or_default(),
        source: row.source.label().to_owned(),
        registered: format!(
            "{} door {}",
            local_date_time(row.registered_at),
            row.registered_by
        ),
        state,
        state_class: class.to_owned(),
        state_note: note,
        revoke_href: revoke_base
            .filter(|_| row.revoked_at.is_none())
            .map(|base| format!("{base}/{}/intrekken", row.id)),
    }
}

/// What to do about an expiring certificate: the beheerder registers the new one, others ask.
fn renew_advice(may_upload: bool) -> &'static str {
    if may_upload {
        "Vraag op tijd een nieuw certificaat aan en registreer het hier; het huidige blijft geldig tot het verloopt."
    } else {
        "Vraag de beheerder van uw school op tijd een nieuw certificaat te registreren."
    }
}

/// The warnings for the school's current certificates (not revoked, not replaced by a newer
/// registration) that expire within 30 days or have expired; `may_upload` picks the advice.
pub fn expiry_warnings(rows: &[CertificateRow], today: NaiveDate, may_upload: bool) -> Vec<String> {
    rows.iter()
        .filter(|r| r.revoked_at.is_none() && r.replaced_at.is_none())
        .filter_map(|r| {
            let until = valid_until(r);
            match r.state(today) {
                CertificateState::VerlooptBinnenkort { .. } => Some(format!(
                    "Het certificaat ‘{}’ {} (geldig tot {until}). {}",
                    r.subject,
                    r.state(today).label(),
                    renew_advice(may_upload)
                )),
                CertificateState::Verlopen => Some(format!(
                    "Het certificaat ‘{}’ is verlopen (geldig tot {until}). Het loket weigert berichten van uw leerlingadministratie die met dit certificaat zijn verstuurd. {}",
                    r.subject,
                    if may_upload {
                        "Registreer hier een nieuw certificaat, of trek dit in als de koppeling niet meer wordt gebruikt."
                    } else {
                        "Vraag de beheerder van uw school een nieuw certificaat te registreren."
                    }
                )),
                _ => None,
            }
        })
        .collect()
}

/// The start page's warnings: per school of the user whose certificates need attention,
/// "Testschool De Linde (12AB): het certificaat … verloopt over 10 dagen".
pub async fn home_warnings(
    state: &LoketState,
    actor: &LoketActor,
    schools: &[(Brin, String)],
) -> Result<Vec<(String, String)>, WebError> {
    let today = state.today();
    let mut out = Vec::new();
    for (brin, name) in schools {
        let rows = state.loket.certificates(actor, brin).await?;
        let expiring = rows
            .iter()
            .filter(|r| r.revoked_at.is_none() && r.replaced_at.is_none())
            .filter_map(|r| match r.state(today) {
                CertificateState::VerlooptBinnenkort { .. } => {
                    Some(format!("verloopt {}", short_until(r, today)))
                }
                CertificateState::Verlopen => Some("is verlopen".to_owned()),
                _ => None,
            })
            .next();
        if let Some(what) = expiring {
            out.push((
                format!(
                    "{name} ({brin}): het certificaat van de machinekoppeling {what}. {}",
                    renew_advice(actor.is_beheerder(brin))
                ),
                certificates_path(brin),
            ));
        }
    }
    Ok(out)
}

/// The site administrator's start page: how many current certificates expire within 30 days
/// or have expired, if any.
pub async fn admin_home_warning(
    state: &LoketState,
    actor: &LoketActor,
) -> Result<Option<String>, WebError> {
    if !actor.is_site_admin() {
        return Ok(None);
    }
    let n = state
        .loket
        .expiring_certificates(actor, state.today())
        .await?
        .len();
    Ok(match n {
        0 => None,
        1 => Some(
            "1 certificaat van de machinekoppeling verloopt binnen 30 dagen of is verlopen."
                .to_owned(),
        ),
        n => Some(format!(
            "{n} certificaten van de machinekoppeling verlopen binnen 30 dagen of zijn verlopen."
        )),
    })
}

/// "over 10 dagen" / "vandaag" / "morgen".
fn short_until(row: &CertificateRow, today: NaiveDate) -> String {
    row.state(today)
        .label()
        .trim_start_matches("verloopt ")
        .to_owned()
}

// ---------------------------------------------------------------------------------------
// The school's page

fn school_layout(title: &str, reader: &CertificateReader, last: Option<&str>) -> Layout {
    let base = reader.base();
    let mut crumbs = Vec::new();
    if reader.user.actor.is_site_admin() && !reader.user.actor.works_for_school(&reader.brin) {
        crumbs.push(Crumb::link("/beheer", "Beheer"));
        crumbs.push(Crumb::link("/beheer/certificaten", "Certificaten"));
    }
    match last {
        Some(last) => {
            crumbs.push(Crumb::link(&base, "Certificaten"));
            crumbs.push(Crumb::here(last));
        }
        None => crumbs.push(Crumb::here("Certificaten")),
    }
    Layout::for_user(title, &reader.user, &base).crumbs(crumbs)
}

/// "Testschool De Linde (12AB)"; the site administrator sees every school's name.
async fn school_name(
    state: &LoketState,
    actor: &LoketActor,
    brin: &Brin,
) -> Result<String, WebError> {
    let name = if actor.is_site_admin() {
        state
            .loket
            .list_schools(actor)
            .await?
            .into_iter()
            .find(|s| &s.brin == brin)
            .map(|s| s.name)
    } else {
        state
            .loket
            .organisations_of(actor)
            .await?
            .schools
            .into_iter()
            .find(|s| &s.brin == brin)
            .map(|s| s.name)
    };
    Ok(match name {
        Some(name) => format!("{name} ({brin})"),
        None => brin.to_string(),
    })
}

async fn school_page(
    state: &LoketState,
    reader: &CertificateReader,
    notice: Option<String>,
    errors: ErrorList,
) -> Result<Response, WebError> {
    let actor = &reader.user.actor;
    let rows = state.loket.certificates(actor, &reader.brin).await?;
    let today = state.today();
    let base = reader.base();
    let revoke_base = reader.may_revoke().then_some(base.as_str());
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = render(&CertificatesView {
        layout: school_layout("Certificaten", reader, None),
        school: school_name(state, actor, &reader.brin).await?,
        action: base.clone(),
        csrf: reader.user.csrf_token.clone(),
        notice,
        warnings: expiry_warnings(&rows, today, reader.may_upload()),
        rows: rows.iter().map(|r| line(r, today, revoke_base)).collect(),
        can_upload: reader.may_upload(),
        upload_error: errors.get("certificate").map(str::to_owned),
        errors,
        accept: CERTIFICATE_EXTENSIONS
            .iter()
            .map(|e| format!(".{e}"))
            .collect::<Vec<_>>()
            .join(","),
        admin_register_href: actor
            .is_site_admin()
            .then(|| format!("/beheer/certificaten?voor={}#registreren", reader.brin)),
    })?;
    Ok((status, page).into_response())
}

/// GET `/scholen/{brin}/certificaten`.
pub async fn school_certificates(
    State(state): State<LoketState>,
    reader: CertificateReader,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let notice = match param(&params, "gedaan").as_str() {
        "geregistreerd" => match param(&params, "aantal").as_str() {
            "" | "1" => Some("Het certificaat is geregistreerd.".to_owned()),
            n => Some(format!("{n} certificaten zijn geregistreerd.")),
        },
        "ingetrokken" => Some(
            "Het certificaat is ingetrokken. Het loket weigert voortaan berichten met dit certificaat."
                .to_owned(),
        ),
        _ => None,
    };
    school_page(&state, &reader, notice, ErrorList::new()).await
}

/// POST `/scholen/{brin}/certificaten` (multipart: `csrf`, `certificate`): the beheerder
/// uploads the school's certificate.
pub async fn upload(
    State(state): State<LoketState>,
    reader: CertificateReader,
    mut multipart: Multipart,
) -> Result<Response, WebError> {
    if !reader.may_upload() {
        return Err(WebError::NotFound);
    }
    let refuse = |reason: &str| ErrorList::single("certificate", reason, &UPLOAD_LABELS);
    let mut file: Option<(String, Vec<u8>)> = None;
    loop {
        match multipart.next_field().await {
            Ok(Some(field)) => {
                if field.name() == Some("certificate") {
                    let name = field.file_name().unwrap_or("").to_owned();
                    match field.bytes().await {
                        Ok(bytes) => file = Some((name, bytes.to_vec())),
                        Err(_) => break,
                    }
                }
            }
            Ok(None) => break,
            Err(_) => {
                let errors = refuse(
                    "het bestand kon niet worden gelezen; probeer het opnieuw of kies een kleiner bestand",
                );
                return school_page(&state, &reader, None, errors).await;
            }
        }
    }
    let Some((name, bytes)) = file.filter(|(n, b)| !n.is_empty() || !b.is_empty()) else {
        return school_page(&state, &reader, None, refuse("kies een certificaatbestand")).await;
    };
    match state
        .loket
        .upload_certificate(&reader.user.actor, &reader.brin, &name, &bytes, state.now())
        .await
    {
        Ok(rows) => Ok(Redirect::to(&format!(
            "{}?gedaan=geregistreerd&aantal={}",
            reader.base(),
            rows.len()
        ))
        .into_response()),
        Err(e) => match field_errors(&e) {
            Some(list) => {
                let errors = ErrorList::from_errors(&list, &UPLOAD_LABELS);
                school_page(&state, &reader, None, errors).await
            }
            None => Err(e.into()),
        },
    }
}

/// The certificate `id` of the school, when the user may revoke it.
async fn revocable(
    state: &LoketState,
    reader: &CertificateReader,
    id: &str,
) -> Result<CertificateRow, WebError> {
    if !reader.may_revoke() {
        return Err(WebError::NotFound);
    }
    let id = parse_id(id)?;
    state
        .loket
        .certificates(&reader.user.actor, &reader.brin)
        .await?
        .into_iter()
        .find(|r| r.id == id)
        .ok_or(WebError::NotFound)
}

/// GET `/scholen/{brin}/certificaten/{id}/intrekken`: "weet u het zeker?".
pub async fn revoke_confirm(
    State(state): State<LoketState>,
    reader: CertificateReader,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let row = revocable(&state, &reader, &id).await?;
    if row.revoked_at.is_some() {
        return Ok(Redirect::to(&reader.base()).into_response());
    }
    let title = "Certificaat intrekken";
    Ok(render(&ConfirmView {
        layout: school_layout(title, &reader, Some(title)),
        heading: title.to_owned(),
        question: format!(
            "Weet u zeker dat u het certificaat ‘{}’ (uitgegeven door ‘{}’, geldig tot {}) wilt intrekken? Het loket weigert daarna elk bericht met dit certificaat. Dit kunt u niet ongedaan maken; een ingetrokken certificaat blijft in de geschiedenis staan.",
            row.subject,
            row.issuer,
            valid_until(&row)
        ),
        action: format!("{}/{}/intrekken", reader.base(), row.id),
        csrf: reader.user.csrf_token.clone(),
        confirm: "Ja, intrekken".to_owned(),
        cancel_href: reader.base(),
    })?
    .into_response())
}

/// POST `/scholen/{brin}/certificaten/{id}/intrekken`.
pub async fn revoke(
    State(state): State<LoketState>,
    reader: CertificateReader,
    Path((_, id)): Path<(String, String)>,
) -> Result<Response, WebError> {
    let row = revocable(&state, &reader, &id).await?;
    state
        .loket
        .revoke_certificate(&reader.user.actor, &reader.brin, row.id, state.now())
        .await?;
    Ok(Redirect::to(&format!("{}?gedaan=ingetrokken", reader.base())).into_response())
}

// ---------------------------------------------------------------------------------------
// The site administrator

fn admin_layout(admin: &SiteAdmin) -> Layout {
    Layout::for_user("Certificaten", &admin.user, "/beheer/certificaten").crumbs(vec![
        Crumb::link("/beheer", "Beheer"),
        Crumb::here("Certificaten"),
    ])
}

async fn admin_page(
    state: &LoketState,
    admin: &SiteAdmin,
    notice: Option<(String, String)>,
    typed: &Params,
    errors: ErrorList,
    lookup_error: Option<String>,
) -> Result<Response, WebError> {
    let actor = &admin.user.actor;
    let today = state.today();
    let schools = state.loket.list_schools(actor).await?;
    let name_of = |brin: &Brin| {
        schools
            .iter()
            .find(|s| &s.brin == brin)
            .map(|s| format!("{} ({brin})", s.name))
            .unwrap_or_else(|| brin.to_string())
    };
    let rows = state
        .loket
        .expiring_certificates(actor, today)
        .await?
        .iter()
        .map(|r| {
            let (state, class, _) = state_of(r, today);
            ExpiringLine {
                school: name_of(&r.brin),
                href: certificates_path(&r.brin),
                subject: r.subject.clone(),
                issuer: r.issuer.clone(),
                valid_until: valid_until(r),
                state,
                state_class: class.to_owned(),
            }
        })
        .collect();
    let chosen = param(typed, "brin");
    let mut options = vec![Choice::new("", "Kies een school", &chosen)];
    options.extend(schools.iter().map(|s| {
        Choice::new(
            s.brin.as_str(),
            &format!("{} ({})", s.name, s.brin),
            &chosen,
        )
    }));
    let e = &errors;
    let fields = vec![
        FieldView::select("brin", "School", options).with_errors(e),
        FieldView::textarea("subject", "Onderwerp (subject)", &param(typed, "subject"))
            .hint("Zoals de school het opgeeft, bijvoorbeeld C=NL, O=Testschool De Linde, serialNumber=00000001234567890000, CN=las.linde.example.")
            .rows(2)
            .input_class("mono")
            .with_errors(e),
        FieldView::textarea("issuer", "Uitgever (issuer)", &param(typed, "issuer"))
            .hint("Bijvoorbeeld C=NL, O=QuoVadis Trustlink B.V., CN=QuoVadis PKIoverheid Private Services CA - G1.")
            .rows(2)
            .input_class("mono")
            .with_errors(e),
        FieldView::date("not_after", "Geldig tot en met", &param(typed, "not_after"))
            .hint("Dag-maand-jaar, bijvoorbeeld 31-12-2027. Leeg laten als de school de einddatum niet heeft opgegeven; het loket waarschuwt dan niet voor het verlopen.")
            .optional()
            .with_errors(e),
    ];
    let mut lookup = FieldView::text("school", "BRIN-nummer", &param(typed, "school"))
        .hint("Bijvoorbeeld 12AB.")
        .input_class("short")
        .filter();
    lookup.error = lookup_error;
    let status = if errors.is_empty() && lookup.error.is_none() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let (notice, notice_href) = match notice {
        Some((text, href)) => (Some(text), Some(href)),
        None => (None, None),
    };
    let page = render(&CertificatesAdminView {
        layout: admin_layout(admin),
        action: "/beheer/certificaten".to_owned(),
        csrf: admin.user.csrf_token.clone(),
        notice,
        notice_href,
        rows,
        errors,
        fields,
        lookup,
    })?;
    Ok((status, page).into_response())
}

/// GET `/beheer/certificaten` (`?school=12AB` opens that school's certificates;
/// `?voor=12AB` preselects it in the registration form).
pub async fn admin_overview(
    State(state): State<LoketState>,
    admin: SiteAdmin,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let mut typed = Params::new();
    let lookup = param(&params, "school");
    if !lookup.is_empty() {
        let known = match Brin::parse(&lookup) {
            Ok(brin) => state
                .loket
                .list_schools(&admin.user.actor)
                .await?
                .into_iter()
                .find(|s| s.brin == brin)
                .map(|s| s.brin),
            Err(_) => None,
        };
        if let Some(brin) = known {
            return Ok(Redirect::to(&certificates_path(&brin)).into_response());
        }
        typed.insert("school".to_owned(), lookup.clone());
        return admin_page(
            &state,
            &admin,
            None,
            &typed,
            ErrorList::new(),
            Some(format!("Er is geen school met BRIN-nummer ‘{lookup}’.")),
        )
        .await;
    }
    typed.insert("brin".to_owned(), param(&params, "voor"));
    let notice = match (
        param(&params, "gedaan").as_str(),
        Brin::parse(&param(&params, "brin")),
    ) {
        ("geregistreerd", Ok(brin)) => Some((
            format!("Het certificaat is geregistreerd voor {brin}."),
            certificates_path(&brin),
        )),
        _ => None,
    };
    admin_page(&state, &admin, notice, &typed, ErrorList::new(), None).await
}

/// POST `/beheer/certificaten`: registers subject + issuer (+ optional end date) for a school.
pub async fn admin_register(
    State(state): State<LoketState>,
    admin: SiteAdmin,
    Form(form): Form<Params>,
) -> Result<Response, WebError> {
    let refuse = |errors: ErrorList| admin_page(&state, &admin, None, &form, errors, None);
    let Ok(brin) = Brin::parse(&param(&form, "brin")) else {
        return refuse(ErrorList::single(
            "brin",
            "kies een school",
            &REGISTER_LABELS,
        ))
        .await;
    };
    let not_after =
        match verzuim_loket::melding::optional_date("not_after", &param(&form, "not_after")) {
            Ok(d) => d,
            Err(e) => return refuse(ErrorList::from_errors(&[e], &REGISTER_LABELS)).await,
        };
    match state
        .loket
        .register_certificate(
            &admin.user.actor,
            &brin,
            &param(&form, "subject"),
            &param(&form, "issuer"),
            not_after,
            state.now(),
        )
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!(
            "/beheer/certificaten?gedaan=geregistreerd&brin={brin}"
        ))
        .into_response()),
        Err(verzuim_app::loket::LoketError::NotFound { .. }) => {
            refuse(ErrorList::single(
                "brin",
                "kies een school",
                &REGISTER_LABELS,
            ))
            .await
        }
        Err(e) => match field_errors(&e) {
            Some(list) => refuse(ErrorList::from_errors(&list, &REGISTER_LABELS)).await,
            None => Err(e.into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_read_in_pairs() {
        assert_eq!(fingerprint("ab01ff"), "AB:01:FF");
    }
}
