//! The Verzuimloket's web face (issue 4): the desk where schools file meldingen and the
//! gemeente answers them, as Dutch server-rendered pages in the look of a government service
//! (NL Design System conventions; works without JavaScript).
//!
//! - Its own session cookie `loket_sessie`, with the session in the loket's database, so
//!   several instances can serve one PostgreSQL database. Logging in needs inlognaam,
//!   wachtwoord and the code of the tokengenerator; a user without a token gets a session that
//!   can only enrol one ([`session::EnrollingUser`]).
//! - Every POST passes the CSRF guard ([`csrf::loket_csrf_guard`]) first, also the multipart
//!   uploads; the school face's origin check, field reader and constant-time compare are reused.
//! - Handlers reach the loket only through the extractors of [`session`]: [`session::LoketUser`]
//!   for any signed-in user, and [`session::InSchool`], [`session::InGemeente`],
//!   [`session::SiteAdmin`], which answer 404 to anyone outside the school, gemeente or role in
//!   the path — the same answer the app layer gives ([`verzuim_app::loket::LoketError::NotFound`]).
//! - Errors are the school face's [`WebError`], drawn in the loket's own layout.

pub mod chart;
pub mod csrf;
pub mod forms;
pub mod pages;
pub mod session;
pub mod views;

use std::future::Future;
use std::sync::Arc;

use askama::Template;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, Utc};
use verzuim_app::loket::{Loket, SessionStage};

use crate::error::ErrorPageInfo;
use crate::session::cookie;
use crate::{WebConfig, WebError, clock};

/// What every loket handler shares: the loket application and the web settings.
#[derive(Debug, Clone)]
pub struct LoketState {
    /// The loket (use cases over the loket's store).
    pub loket: Loket,
    /// The web settings.
    pub config: Arc<WebConfig>,
}

impl LoketState {
    /// The current moment; the only clock read of the loket face.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// Today's date in the Netherlands, or the configured override.
    pub fn today(&self) -> NaiveDate {
        self.config
            .today_override
            .unwrap_or_else(|| clock::amsterdam_date(self.now()))
    }

    /// Largest request body: an attachment (or a resident register file) with room for the
    /// other fields of its form.
    pub fn max_body_bytes(&self) -> usize {
        self.loket
            .config
            .max_attachment_bytes
            .max(csrf::MAX_LOKET_FORM_BYTES)
            + 64 * 1024
    }
}

/// The loket's router: every page, the CSRF guard, the body limit, security headers, error
/// pages in the loket's layout and request tracing.
pub fn loket_router(loket: Loket, config: WebConfig) -> Router {
    use pages::{admin, certificates, enrol, gemeente, home, login, meldingen, places, reports};
    let state = LoketState {
        loket,
        config: Arc::new(config),
    };
    let body_limit = state.max_body_bytes();
    Router::new()
        .route("/", get(home::home))
        .route(
            "/inloggen",
            get(login::login_form).post(login::login_submit),
        )
        .route("/uitloggen", post(login::logout))
        .route(
            "/token-koppelen",
            get(enrol::enrol_form).post(enrol::enrol_submit),
        )
        // Beheer locaties.
        .route("/scholen/{brin}/locaties", get(places::location_list))
        .route(
            "/scholen/{brin}/locaties/nieuw",
            get(places::location_new).post(places::location_create),
        )
        .route(
            "/scholen/{brin}/locaties/{id}",
            get(places::location_edit).post(places::location_update),
        )
        .route(
            "/scholen/{brin}/locaties/{id}/verwijderen",
            get(places::location_confirm_delete).post(places::location_delete),
        )
        // Beheer contactpersonen.
        .route("/scholen/{brin}/contactpersonen", get(places::contact_list))
        .route(
            "/scholen/{brin}/contactpersonen/nieuw",
            get(places::contact_new).post(places::contact_create),
        )
        .route(
            "/scholen/{brin}/contactpersonen/{id}",
            get(places::contact_edit).post(places::contact_update),
        )
        .route(
            "/scholen/{brin}/contactpersonen/{id}/verwijderen",
            get(places::contact_confirm_delete).post(places::contact_delete),
        )
        // The school's meldingen.
        .route("/scholen/{brin}/meldingen", get(meldingen::school_list))
        .route(
            "/scholen/{brin}/meldingen/nieuw",
            get(meldingen::new_form).post(meldingen::create),
        )
        .route(
            "/scholen/{brin}/meldingen/{nummer}",
            get(meldingen::school_detail),
        )
        .route(
            "/scholen/{brin}/meldingen/{nummer}/einddatum",
            post(meldingen::end_date),
        )
        .route(
            "/scholen/{brin}/meldingen/{nummer}/lesuren",
            post(meldingen::day_spec),
        )
        .route(
            "/scholen/{brin}/meldingen/{nummer}/bijlagen",
            post(meldingen::upload),
        )
        .route(
            "/scholen/{brin}/meldingen/{nummer}/bijlagen/{id}",
            get(meldingen::school_download),
        )
        .route(
            "/scholen/{brin}/meldingen/{nummer}/intrekken",
            post(meldingen::withdraw),
        )
        // Certificates of the machine coupling.
        .route(
            "/scholen/{brin}/certificaten",
            get(certificates::school_certificates).post(certificates::upload),
        )
        .route(
            "/scholen/{brin}/certificaten/{id}/intrekken",
            get(certificates::revoke_confirm).post(certificates::revoke),
        )
        .route(
            "/beheer/certificaten",
            get(certificates::admin_overview).post(certificates::admin_register),
        )
        .route("/scholen/{brin}/rapportages", get(reports::school_report))
        .route(
            "/scholen/{brin}/rapportages/maandrapportage.csv",
            get(reports::school_csv),
        )
        // The gemeente.
        .route("/gemeenten/{code}/meldingen", get(gemeente::inbox))
        .route(
            "/gemeenten/{code}/meldingen/{nummer}",
            get(gemeente::detail).post(gemeente::answer),
        )
        .route(
            "/gemeenten/{code}/meldingen/{nummer}/bijlagen/{id}",
            get(gemeente::download),
        )
        .route(
            "/gemeenten/{code}/vrijstellingen",
            get(gemeente::vrijstellingen).post(gemeente::add_vrijstelling),
        )
        .route(
            "/gemeenten/{code}/vrijstellingen/{id}/verwijderen",
            post(gemeente::delete_vrijstelling),
        )
        .route(
            "/gemeenten/{code}/rapportages",
            get(reports::gemeente_report),
        )
        .route(
            "/gemeenten/{code}/rapportages/maandrapportage.csv",
            get(reports::gemeente_csv),
        )
        // The site administrator.
        .route("/beheer", get(admin::overview))
        .route(
            "/beheer/organisaties",
            get(admin::organisations).post(admin::add_organisation),
        )
        .route(
            "/beheer/gebruikers",
            get(admin::users).post(admin::create_user),
        )
        .route(
            "/beheer/gebruikers/{username}",
            get(admin::user).post(admin::change_user),
        )
        .route(
            "/beheer/inwoners",
            get(admin::residents).post(admin::import_residents),
        )
        .route("/beheer/audit", get(admin::audit))
        .route("/static/loket.css", get(pages::css))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::loket_csrf_guard,
        ))
        .layer(DefaultBodyLimit::max(body_limit))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            loket_error_page,
        ))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            proeftuin_banner,
        ))
        .layer(axum::middleware::map_response(crate::security_headers))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Draws an error page of the shared [`WebError`] again in the loket's own layout, with the
/// signed-in user's menu when there is one (so a 404 still offers the way back and out).
async fn loket_error_page(
    State(state): State<LoketState>,
    request: Request,
    next: Next,
) -> Response {
    let token = cookie(request.headers(), session::LOKET_SESSION_COOKIE);
    let response = next.run(request).await;
    let Some(info) = response.extensions().get::<ErrorPageInfo>().cloned() else {
        return response;
    };
    let user = match token {
        Some(token) => state
            .loket
            .current(&token, state.now())
            .await
            .ok()
            .flatten()
            .filter(|s| s.stage == SessionStage::Full)
            .map(|s| session::LoketUser {
                actor: s.actor,
                csrf_token: s.csrf_token,
            }),
        None => None,
    };
    let layout = match &user {
        Some(user) => views::Layout::for_user(&info.title, user, ""),
        None => views::Layout::anonymous(&info.title),
    };
    let status = response.status();
    let page = views::ErrorView {
        layout,
        message: info.message.clone(),
    };
    match page.render() {
        Ok(html) => {
            let mut out = (status, Html(html)).into_response();
            out.extensions_mut().insert(info);
            out
        }
        Err(e) => {
            tracing::error!(error = %e, "foutpagina van het loket kon niet worden opgebouwd");
            response
        }
    }
}

/// The banner every page of a test loket ("proeftuin") shows at the top.
pub const PROEFTUIN_BANNER: &str = r#"<div class="proeftuin" role="note"><strong>Proeftuin</strong> — dit is de testomgeving van het Verzuimloket. Gebruik geen echte gegevens van leerlingen; meldingen hier gaan niet naar een gemeente.</div>"#;

/// In the proeftuin, puts [`PROEFTUIN_BANNER`] right after `<body>` of every HTML page, so
/// nobody mistakes the test environment for the real loket.
async fn proeftuin_banner(
    State(state): State<LoketState>,
    request: Request,
    next: Next,
) -> Response {
    let response = next.run(request).await;
    let is_html = response
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !state.config.proeftuin || !is_html {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 4 * 1024 * 1024).await else {
        return (
            axum::http::StatusCode::INTERNAL_SERVER_ERROR,
            "pagina te groot",
        )
            .into_response();
    };
    let html = String::from_utf8_lossy(&bytes);
    let marked = match html.find("<body>") {
        Some(at) => format!("{}{PROEFTUIN_BANNER}{}", &html[..at + 6], &html[at + 6..]),
        None => html.into_owned(),
    };
    parts.headers.remove(axum::http::header::CONTENT_LENGTH);
    Response::from_parts(parts, axum::body::Body::from(marked))
}

/// Serves the loket on `listener` until `shutdown` completes, then finishes the requests in
/// flight.
pub async fn serve_loket(
    listener: tokio::net::TcpListener,
    loket: Loket,
    config: WebConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "verzuimloket luistert");
    }
    axum::serve(listener, loket_router(loket, config))
        .with_graceful_shutdown(shutdown)
        .await
}

/// Renders a loket template into an HTML response.
pub(crate) fn render(t: &impl Template) -> Result<Html<String>, WebError> {
    Ok(Html(t.render()?))
}
