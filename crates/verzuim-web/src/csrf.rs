//! The CSRF guard: a middleware in front of every handler that checks every request that can
//! change something (anything but GET/HEAD/OPTIONS) before it reaches a handler.
//!
//! 1. When the browser names where the request comes from (`Origin`, or else `Referer`), it
//!    must be this site (the `Host` the request was sent to).
//! 2. The form's hidden `csrf` field must equal, in constant time, the session's token; for
//!    the login form (no session yet) it must equal the `verzuim_csrf` cookie set with the
//!    form (double submit).
//!
//! A POST without a valid session (other than the login) is sent to the login page. The
//! session found here is handed on in the request's extensions, so [`crate::CurrentUser`]
//! does not look it up a second time.

use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::AppState;
use crate::error::WebError;
use crate::session::{LOGIN_CSRF_COOKIE, SESSION_COOKIE, cookie};

/// Name of the hidden form field with the CSRF token.
pub const CSRF_FIELD: &str = "csrf";
/// Largest form body accepted (a lesson form of 40 students is a few KiB).
pub const MAX_FORM_BYTES: usize = 256 * 1024;

/// Host and port of a URL (`https://school.example:8443/x` → `school.example:8443`).
fn authority(url: &str) -> Option<&str> {
    let rest = url.split_once("://")?.1;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Whether `Origin` (or, without it, `Referer`) names this site, when present.
pub fn same_origin(headers: &HeaderMap) -> bool {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_ascii_lowercase);
    let source = headers
        .get(header::ORIGIN)
        .or_else(|| headers.get(header::REFERER))
        .map(|v| v.to_str().unwrap_or("null"));
    match source {
        None => true,
        Some(src) => match (authority(src), host) {
            (Some(a), Some(h)) => a.eq_ignore_ascii_case(&h),
            _ => false,
        },
    }
}

/// The `csrf` field of a urlencoded form body.
pub fn csrf_field(body: &[u8]) -> Option<String> {
    url::form_urlencoded::parse(body)
        .find(|(k, _)| k == CSRF_FIELD)
        .map(|(_, v)| v.into_owned())
}

/// The 403 answer to a request the guard refuses; `reason` goes to the log only.
pub(crate) fn forbidden(reason: &str) -> Response {
    tracing::warn!(reason, "CSRF-controle: verzoek geweigerd");
    WebError::Forbidden(
        "Dit formulier kon niet worden verwerkt: het is verlopen of niet via deze site verstuurd. \
         Ga terug, laad de pagina opnieuw en probeer het nog eens."
            .to_owned(),
    )
    .into_response()
}

/// The middleware; see the module documentation.
pub async fn csrf_guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return next.run(request).await;
    }
    if !same_origin(request.headers()) {
        return forbidden("Origin/Referer is een andere site");
    }
    let (mut parts, body) = request.into_parts();
    let bytes = match to_bytes(body, MAX_FORM_BYTES).await {
        Ok(b) => b,
        Err(_) => return forbidden("formulier te groot of onleesbaar"),
    };
    let Some(sent) = csrf_field(&bytes) else {
        return forbidden("geen csrf-veld");
    };
    let expected = if parts.uri.path() == "/inloggen" {
        cookie(&parts.headers, LOGIN_CSRF_COOKIE)
    } else {
        let session = match cookie(&parts.headers, SESSION_COOKIE) {
            Some(token) => match state.app.current_user(&token, state.now()).await {
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

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(header::HeaderName, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(k.clone(), HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn request_without_origin_or_referer_passes_the_origin_check() {
        assert!(same_origin(&headers(&[(header::HOST, "127.0.0.1:8080")])));
    }

    #[test]
    fn origin_of_this_site_passes_and_another_site_is_refused() {
        assert!(same_origin(&headers(&[
            (header::HOST, "127.0.0.1:8080"),
            (header::ORIGIN, "http://127.0.0.1:8080"),
        ])));
        assert!(!same_origin(&headers(&[
            (header::HOST, "127.0.0.1:8080"),
            (header::ORIGIN, "http://evil.example"),
        ])));
        assert!(!same_origin(&headers(&[
            (header::HOST, "127.0.0.1:8080"),
            (header::ORIGIN, "null"),
        ])));
    }

    #[test]
    fn referer_is_checked_when_origin_is_missing() {
        assert!(same_origin(&headers(&[
            (header::HOST, "school.example"),
            (header::REFERER, "https://school.example/lessen/3?x=1"),
        ])));
        assert!(!same_origin(&headers(&[
            (header::HOST, "school.example"),
            (header::REFERER, "https://school.example.evil.test/"),
        ])));
    }

    #[test]
    fn csrf_field_is_read_from_a_urlencoded_body() {
        assert_eq!(
            csrf_field(b"a=1&csrf=abc%2Ddef&b=2").as_deref(),
            Some("abc-def")
        );
        assert_eq!(csrf_field(b"a=1"), None);
    }
}
