//! verzuim's web faces: the school staff's pages, and the Verzuimloket's ([`loket`], its own
//! router, cookie and layout, served by [`serve_loket`]). Both are server-rendered Dutch
//! pages (askama templates, one per page, one shared layout per face) that work without
//! JavaScript. Forms post and redirect. What follows describes the school face; the loket
//! reuses its cookies, CSRF checks, security headers, clock and errors.
//!
//! - Sessions live in the database (cookie `verzuim_sessie`, HttpOnly, SameSite=Lax, Secure
//!   when configured, 8 hours), so several instances can serve one school.
//! - Every POST is checked by the CSRF guard ([`csrf`]) before any handler runs: the hidden
//!   `csrf` field must match the session's token (the login form uses a double-submit cookie),
//!   and a present `Origin`/`Referer` must be this site.
//! - Handlers get the logged-in staff member only through the [`CurrentUser`] or
//!   [`RequireRole`] extractors, and the app layer's use cases ask for the [`verzuim_app::school::Actor`]
//!   inside, so a page without the extractor cannot reach anyone's data.
//! - The web layer reads the clock (`Utc::now`, the Dutch date) and passes it down.

pub mod clock;
pub mod csrf;
pub mod error;
pub mod loket;
pub mod pages;
pub mod session;
mod views;

use std::future::Future;
use std::sync::Arc;

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, Utc};
use verzuim_app::App;

pub use error::WebError;
pub use loket::{loket_router, serve_loket};
pub use session::{AnyRole, Coordinator, CurrentUser, RequireRole, RoleSet};

/// Settings of the web face.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WebConfig {
    /// Mark cookies `Secure` (when served over HTTPS, directly or behind a proxy).
    pub secure_cookies: bool,
    /// Use this date as "today" instead of the Dutch date of the clock (demos and tests).
    pub today_override: Option<NaiveDate>,
    /// The loket runs as the test environment ("proeftuin"): every page says so.
    pub proeftuin: bool,
}

/// What every handler shares: the application and the settings.
#[derive(Debug, Clone)]
pub struct AppState {
    /// The application (use cases over the store).
    pub app: App,
    /// The settings.
    pub config: Arc<WebConfig>,
}

impl AppState {
    /// The current moment; the only clock read of the school face.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    /// Today's date in the Netherlands, or the configured override.
    pub fn today(&self) -> NaiveDate {
        self.config
            .today_override
            .unwrap_or_else(|| clock::amsterdam_date(self.now()))
    }
}

/// The router with every page, the CSRF guard, security headers and request tracing.
pub fn router(app: App, config: WebConfig) -> Router {
    let state = AppState {
        app,
        config: Arc::new(config),
    };
    Router::new()
        .route("/", get(pages::home::home))
        .route(
            "/inloggen",
            get(pages::login::login_form).post(pages::login::login_submit),
        )
        .route("/uitloggen", post(pages::login::logout))
        .route("/leerlingen", get(pages::students::student_list))
        .route("/leerlingen/{id}", get(pages::students::student_page))
        .route(
            "/leerlingen/{id}/protocol",
            post(pages::students::manual_step_submit),
        )
        .route("/taken", get(pages::tasks::inbox))
        .route(
            "/taken/{id}",
            get(pages::tasks::task).post(pages::tasks::close),
        )
        .route("/taken/{id}/brief", get(pages::tasks::letter))
        .route(
            "/lessen/{id}",
            get(pages::lessons::lesson_page).post(pages::lessons::lesson_submit),
        )
        .route("/verzuimmeldingen", get(pages::meldingen::overview))
        .route(
            "/verzuimmeldingen/voorstel",
            get(pages::meldingen::proposal_form).post(pages::meldingen::proposal_submit),
        )
        .route("/verzuimmeldingen/{id}", get(pages::meldingen::melding))
        .route(
            "/verzuimmeldingen/{id}/aanvullen",
            post(pages::meldingen::change_submit),
        )
        .route(
            "/verzuimmeldingen/{id}/opnieuw",
            post(pages::meldingen::resubmit),
        )
        .route("/static/verzuim.css", get(pages::assets::css))
        .route("/static/verzuim.js", get(pages::assets::js))
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            csrf::csrf_guard,
        ))
        .layer(axum::middleware::map_response(security_headers))
        .layer(tower_http::trace::TraceLayer::new_for_http())
        .with_state(state)
}

/// Headers on every response: no framing, no sniffing, scripts and styles only from here,
/// and no caching of pages with personal data.
pub(crate) async fn security_headers(mut response: Response) -> Response {
    let h = response.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
        ),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    h.entry(header::CACHE_CONTROL)
        .or_insert(HeaderValue::from_static("no-store"));
    response
}

/// Serves the school face on `listener` until `shutdown` completes, then finishes the
/// requests in flight.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: App,
    config: WebConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    if let Ok(addr) = listener.local_addr() {
        tracing::info!(%addr, "webserver luistert");
    }
    axum::serve(listener, router(app, config))
        .with_graceful_shutdown(shutdown)
        .await
}
