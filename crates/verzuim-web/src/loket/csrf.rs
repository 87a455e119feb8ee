//! The loket's CSRF guard: the school face's guard ([`crate::csrf`]) for the loket's session,
//! plus multipart forms (attachments, the resident register file), whose `csrf` part is read
//! from the multipart body.
//!
//! 1. A present `Origin`/`Referer` must be this site ([`crate::csrf::same_origin`]).
//! 2. The `csrf` field must equal the session's token in constant time; for the login form it
//!    must equal the `loket_csrf` cookie set with the form (double submit).
//!
//! The session found here (any stage: the enrolment form posts too) is handed on in the
//! request's extensions for the extractors of [`super::session`].

use axum::body::{Body, Bytes, to_bytes};
use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::LoketState;
use super::session::{LOKET_LOGIN_CSRF_COOKIE, LOKET_SESSION_COOKIE};
use crate::csrf::{CSRF_FIELD, csrf_field, forbidden, same_origin};
use crate::error::WebError;
use crate::session::cookie;

/// Largest urlencoded form (the resident register pasted into a text area can be large).
pub const MAX_LOKET_FORM_BYTES: usize = 4 * 1024 * 1024;

/// Whether the request body is `multipart/form-data`.
fn is_multipart(request: &Request) -> bool {
    request
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

/// The `csrf` part of a multipart body, read by axum's multipart parser from a copy.
async fn multipart_csrf(parts: &axum::http::request::Parts, body: Bytes) -> Option<String> {
    let mut builder = Request::builder()
        .method(parts.method.clone())
        .uri(parts.uri.clone());
    for (k, v) in &parts.headers {
        builder = builder.header(k, v);
    }
    let request = builder.body(Body::from(body)).ok()?;
    let mut multipart = Multipart::from_request(request, &()).await.ok()?;
    while let Ok(Some(field)) = multipart.next_field().await {
        if field.name() == Some(CSRF_FIELD) {
            return field.text().await.ok();
        }
    }
    None
}

/// The middleware; see the module documentation.
pub async fn loket_csrf_guard(
    State(state): State<LoketState>,
    request: Request,
    next: Next,
) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    if !same_origin(request.headers()) {
        return forbidden("Origin/Referer is een andere site");
    }
    let multipart = is_multipart(&request);
    let limit = if multipart {
        state.max_body_bytes()
    } else {
        MAX_LOKET_FORM_BYTES
    };
    let (mut parts, body) = request.into_parts();
    let bytes = match to_bytes(body, limit).await {
        Ok(b) => b,
        Err(_) => {
            let mut response = WebError::Forbidden(
                "Het formulier of bestand is te groot. Kies een kleiner bestand en probeer het opnieuw."
                    .to_owned(),
            )
            .into_response();
            *response.status_mut() = StatusCode::PAYLOAD_TOO_LARGE;
            return response;
        }
    };
    let sent = if multipart {
        multipart_csrf(&parts, bytes.clone()).await
    } else {
        csrf_field(&bytes)
    };
    let Some(sent) = sent else {
        return forbidden("geen csrf-veld");
    };
    let expected = if parts.uri.path() == "/inloggen" {
        cookie(&parts.headers, LOKET_LOGIN_CSRF_COOKIE)
    } else {
        let session = match cookie(&parts.headers, LOKET_SESSION_COOKIE) {
            Some(token) => match state.loket.current(&token, state.now()).await {
                Ok(s) => s,
                Err(e) => return WebError::from(e).into_response(),
            },
            None => None,
        };
        let Some(session) = session else {
            return WebError::LoginRequired { back: None }.into_response();
        };
        let token = session.csrf_token.clone();
        parts.extensions.insert(session);
        Some(token)
    };
    match expected {
        Some(expected) if verzuim_auth::constant_time_eq(&sent, &expected) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
        _ => forbidden("csrf-token klopt niet"),
    }
}
