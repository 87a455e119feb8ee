//! The web layer's error: what the person sees (a Dutch page with the right status) and what
//! the log keeps (the technical cause).

use askama::Template;
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Redirect, Response};
use verzuim_app::loket::LoketError;
use verzuim_app::school::SchoolError;

use crate::views::{ErrorPage, Layout};

/// An error a handler returns; turned into a Dutch error page.
#[derive(Debug, thiserror::Error)]
pub enum WebError {
    /// No valid session: go to the login page (and come back to `back` afterwards).
    #[error("niet ingelogd")]
    LoginRequired {
        /// Path to return to after logging in.
        back: Option<String>,
    },
    /// Not found, or not in the signed-in person's school.
    #[error("niet gevonden")]
    NotFound,
    /// Refused: a failed CSRF check or a missing role; the message says what to do.
    #[error("geweigerd: {0}")]
    Forbidden(String),
    /// A use case failed.
    #[error(transparent)]
    App(#[from] SchoolError),
    /// A loket use case failed.
    #[error(transparent)]
    Loket(#[from] LoketError),
    /// Go elsewhere first (e.g. a loket session that may only enrol a token).
    #[error("eerst naar {0}")]
    SeeOther(String),
    /// A template could not be rendered.
    #[error("sjabloon: {0}")]
    Render(#[from] askama::Error),
}

/// What an error page says, attached to the response's extensions so that a face with its own
/// layout (the loket) can render the same error in its own look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorPageInfo {
    /// Page title.
    pub title: String,
    /// What happened and what to do, in Dutch.
    pub message: String,
}

impl WebError {
    fn page(status: StatusCode, title: &str, message: &str) -> Response {
        let page = ErrorPage {
            layout: Layout::anonymous(title),
            message: message.to_owned(),
        };
        let info = ErrorPageInfo {
            title: title.to_owned(),
            message: message.to_owned(),
        };
        let mut response = match page.render() {
            Ok(html) => (status, Html(html)).into_response(),
            Err(e) => {
                tracing::error!(error = %e, "foutpagina kon niet worden opgebouwd");
                (
                    status,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    message.to_owned(),
                )
                    .into_response()
            }
        };
        response.extensions_mut().insert(info);
        response
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        match self {
            Self::LoginRequired { back } => {
                let target = match back {
                    Some(b) => format!(
                        "/inloggen?terug={}",
                        url::form_urlencoded::byte_serialize(b.as_bytes()).collect::<String>()
                    ),
                    None => "/inloggen".to_owned(),
                };
                Redirect::to(&target).into_response()
            }
            Self::SeeOther(target) => Redirect::to(&target).into_response(),
            Self::NotFound
            | Self::App(SchoolError::NotFound { .. })
            | Self::Loket(LoketError::NotFound { .. }) => Self::page(
                StatusCode::NOT_FOUND,
                "Niet gevonden",
                "Deze pagina bestaat niet, of u heeft er geen toegang toe. Controleer het adres of ga terug naar het overzicht.",
            ),
            Self::Forbidden(message) => Self::page(StatusCode::FORBIDDEN, "Geen toegang", &message),
            Self::App(SchoolError::Invalid(e)) => Self::page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Niet opgeslagen",
                &format!("{}: {}. Ga terug en verbeter de invoer.", e.field, e.reason),
            ),
            Self::App(e @ (SchoolError::BadCredentials | SchoolError::Throttled { .. })) => {
                Self::page(StatusCode::UNAUTHORIZED, "Niet ingelogd", &e.to_string())
            }
            Self::App(SchoolError::Conflict { reason, .. }) => Self::page(
                StatusCode::CONFLICT,
                "Niet opgeslagen",
                &format!("Er is niets opgeslagen: {reason}."),
            ),
            Self::App(e @ SchoolError::InvalidRows(_)) => Self::page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Niet opgeslagen",
                &e.to_string(),
            ),
            Self::Loket(LoketError::Invalid(e)) => Self::page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Niet opgeslagen",
                &format!("{}: {}. Ga terug en verbeter de invoer.", e.field, e.reason),
            ),
            Self::Loket(e @ LoketError::Fields(_)) => Self::page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "Niet opgeslagen",
                &format!("Er is niets opgeslagen: {e}. Ga terug en verbeter de invoer."),
            ),
            Self::Loket(LoketError::Transition(e)) => Self::page(
                StatusCode::CONFLICT,
                "Niet opgeslagen",
                &format!("Er is niets opgeslagen: {e}."),
            ),
            Self::Loket(e @ LoketError::BadCredentials) => {
                Self::page(StatusCode::UNAUTHORIZED, "Niet ingelogd", &e.to_string())
            }
            Self::Loket(e @ LoketError::Throttled { .. }) => Self::page(
                StatusCode::TOO_MANY_REQUESTS,
                "Niet ingelogd",
                &e.to_string(),
            ),
            other => {
                tracing::error!(error = %other, cause = ?other, "verzoek mislukt");
                Self::page(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Er ging iets mis",
                    "Er ging iets mis bij het ophalen of opslaan van de gegevens. Probeer het opnieuw; blijft het misgaan, meld het dan bij de beheerder (tijdstip erbij vermelden).",
                )
            }
        }
    }
}
