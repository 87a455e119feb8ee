//! Session cookies and the extractors that give a handler the logged-in staff member.
//!
//! [`CurrentUser`] is the only way into the session: it reads the `verzuim_sessie` cookie,
//! looks the session up in the database (or takes it from the CSRF guard, which already did
//! for POSTs) and refuses with a redirect to the login page. [`RequireRole`] adds a role check
//! on top and answers 403.

use std::marker::PhantomData;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use verzuim_app::school::{Actor, SignedIn};
use verzuim_domain::SchoolRole;

use crate::error::WebError;
use crate::{AppState, WebConfig};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "verzuim_sessie";
/// Name of the cookie holding the login form's CSRF token (before there is a session).
pub const LOGIN_CSRF_COOKIE: &str = "verzuim_csrf";

/// The value of cookie `name` in the request, if any.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.trim_matches('"').to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite, path, lifetime, and Secure when configured.
pub fn set_cookie(
    config: &WebConfig,
    name: &str,
    value: &str,
    path: &str,
    same_site: &str,
    max_age_secs: i64,
) -> HeaderValue {
    let secure = if config.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    let text = format!(
        "{name}={value}; Path={path}; Max-Age={max_age_secs}; HttpOnly; SameSite={same_site}{secure}"
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// The signed-in staff member of this request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    /// Who is acting; pass it to the app layer's use cases.
    pub actor: Actor,
    /// The session's CSRF token, for the hidden field of every form.
    pub csrf_token: String,
}

impl CurrentUser {
    fn from_signed_in(s: SignedIn) -> Self {
        Self {
            actor: s.actor,
            csrf_token: s.csrf_token,
        }
    }
}

/// Looks the session of a request up: the one the CSRF guard found, or by the cookie.
pub(crate) async fn lookup(parts: &Parts, state: &AppState) -> Result<Option<SignedIn>, WebError> {
    if let Some(found) = parts.extensions.get::<SignedIn>() {
        return Ok(Some(found.clone()));
    }
    let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
        return Ok(None);
    };
    Ok(state.app.current_user(&token, state.now()).await?)
}

impl FromRequestParts<AppState> for CurrentUser {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        match lookup(parts, state).await? {
            Some(s) => Ok(Self::from_signed_in(s)),
            None => {
                let back = if parts.method == axum::http::Method::GET {
                    parts
                        .uri
                        .path_and_query()
                        .map(|p| p.as_str().to_owned())
                        .filter(|p| p != "/")
                } else {
                    None
                };
                Err(WebError::LoginRequired { back })
            }
        }
    }
}

impl axum::extract::OptionalFromRequestParts<AppState> for CurrentUser {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(lookup(parts, state).await?.map(Self::from_signed_in))
    }
}

/// A set of roles a page requires (any one of them will do).
pub trait RoleSet: Send + Sync + 'static {
    /// The roles, any of which grants access.
    const ROLES: &'static [SchoolRole];
    /// Dutch description for the 403 page, e.g. "verzuimcoördinator of teamleider".
    const LABEL: &'static str;
}

/// Coordinating roles: verzuimcoördinator, teamleider, beheerder.
#[derive(Debug, Clone, Copy)]
pub struct Coordinator;

impl RoleSet for Coordinator {
    const ROLES: &'static [SchoolRole] = &[
        SchoolRole::AttendanceCoordinator,
        SchoolRole::TeamLeader,
        SchoolRole::Admin,
    ];
    const LABEL: &'static str = "verzuimcoördinator, teamleider of beheerder";
}

/// Every school role.
#[derive(Debug, Clone, Copy)]
pub struct AnyRole;

impl RoleSet for AnyRole {
    const ROLES: &'static [SchoolRole] = &SchoolRole::ALL;
    const LABEL: &'static str = "medewerker van de school";
}

/// The signed-in staff member, who must hold one of the roles of `R`; otherwise 403.
#[derive(Debug, Clone)]
pub struct RequireRole<R: RoleSet> {
    /// The signed-in staff member.
    pub user: CurrentUser,
    _roles: PhantomData<R>,
}

impl<R: RoleSet> FromRequestParts<AppState> for RequireRole<R> {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let user = CurrentUser::from_request_parts(parts, state).await?;
        if R::ROLES.iter().any(|r| user.actor.has_role(*r)) {
            Ok(Self {
                user,
                _roles: PhantomData,
            })
        } else {
            Err(WebError::Forbidden(format!(
                "Deze pagina is alleen voor {}.",
                R::LABEL
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_is_found_among_several_headers_and_pairs() {
        let mut h = HeaderMap::new();
        h.append(
            header::COOKIE,
            HeaderValue::from_static("a=1; verzuim_sessie=abc"),
        );
        h.append(header::COOKIE, HeaderValue::from_static("b=2"));
        assert_eq!(cookie(&h, SESSION_COOKIE).as_deref(), Some("abc"));
        assert_eq!(cookie(&h, "b").as_deref(), Some("2"));
        assert_eq!(cookie(&h, "c"), None);
    }

    #[test]
    fn session_cookie_is_http_only_lax_and_secure_when_configured() {
        let mut config = WebConfig::default();
        let v = set_cookie(&config, SESSION_COOKIE, "t", "/", "Lax", 28_800);
        assert_eq!(
            v.to_str().unwrap(),
            "verzuim_sessie=t; Path=/; Max-Age=28800; HttpOnly; SameSite=Lax"
        );
        config.secure_cookies = true;
        let v = set_cookie(&config, SESSION_COOKIE, "t", "/", "Lax", 28_800);
        assert!(v.to_str().unwrap().ends_with("; Secure"));
    }
}
