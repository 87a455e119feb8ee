//! The loket's session cookie and the extractors that give a handler the signed-in user.
//!
//! [`LoketUser`] is the only way into a full session: it reads the `loket_sessie` cookie (or
//! takes the session the CSRF guard already looked up), sends a visitor without a session to
//! the login page and a user who still has to enrol a token to `/token-koppelen`.
//! [`InSchool`], [`InGemeente`] and [`SiteAdmin`] add the check that the user works for the
//! school or gemeente in the path, or administers the site, and answer 404 otherwise.

use std::collections::HashMap;

use axum::extract::{FromRequestParts, Path};
use axum::http::Method;
use axum::http::request::Parts;
use verzuim_app::loket::{LoketActor, LoketSignedIn, SessionStage};
use verzuim_domain::{Brin, Gemeentecode};

use super::LoketState;
use crate::error::WebError;
use crate::session::cookie;

/// Name of the loket's session cookie.
pub const LOKET_SESSION_COOKIE: &str = "loket_sessie";
/// Name of the cookie with the login form's CSRF token (before there is a session).
pub const LOKET_LOGIN_CSRF_COOKIE: &str = "loket_csrf";
/// Where a user without a token goes.
pub const ENROL_PATH: &str = "/token-koppelen";

/// Looks the session of a request up: the one the CSRF guard found, or by the cookie.
pub(crate) async fn lookup(
    parts: &Parts,
    state: &LoketState,
) -> Result<Option<LoketSignedIn>, WebError> {
    if let Some(found) = parts.extensions.get::<LoketSignedIn>() {
        return Ok(Some(found.clone()));
    }
    let Some(token) = cookie(&parts.headers, LOKET_SESSION_COOKIE) else {
        return Ok(None);
    };
    Ok(state.loket.current(&token, state.now()).await?)
}

/// Where to come back to after logging in: the page asked for (GET only).
fn back_path(parts: &Parts) -> Option<String> {
    if parts.method == Method::GET {
        parts
            .uri
            .path_and_query()
            .map(|p| p.as_str().to_owned())
            .filter(|p| p != "/")
    } else {
        None
    }
}

/// A signed-in user with a full session (password and token).
#[derive(Debug, Clone)]
pub struct LoketUser {
    /// Who is acting; pass it to the loket's use cases.
    pub actor: LoketActor,
    /// The session's CSRF token, for the hidden field of every form.
    pub csrf_token: String,
}

impl FromRequestParts<LoketState> for LoketUser {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &LoketState,
    ) -> Result<Self, Self::Rejection> {
        match lookup(parts, state).await? {
            Some(s) if s.stage == SessionStage::Full => Ok(Self {
                actor: s.actor,
                csrf_token: s.csrf_token,
            }),
            Some(_) => Err(WebError::SeeOther(ENROL_PATH.to_owned())),
            None => Err(WebError::LoginRequired {
                back: back_path(parts),
            }),
        }
    }
}

impl axum::extract::OptionalFromRequestParts<LoketState> for LoketUser {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &LoketState,
    ) -> Result<Option<Self>, Self::Rejection> {
        Ok(lookup(parts, state)
            .await?
            .filter(|s| s.stage == SessionStage::Full)
            .map(|s| Self {
                actor: s.actor,
                csrf_token: s.csrf_token,
            }))
    }
}

/// A signed-in user in any stage, with the session token: the enrolment pages need it to
/// upgrade the session.
#[derive(Debug, Clone)]
pub struct EnrollingUser {
    /// Who is logged in.
    pub actor: LoketActor,
    /// The session's CSRF token.
    pub csrf_token: String,
    /// The session's stage.
    pub stage: SessionStage,
    /// The session token from the cookie.
    pub token: String,
}

impl FromRequestParts<LoketState> for EnrollingUser {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &LoketState,
    ) -> Result<Self, Self::Rejection> {
        let token = cookie(&parts.headers, LOKET_SESSION_COOKIE);
        match (lookup(parts, state).await?, token) {
            (Some(s), Some(token)) => Ok(Self {
                actor: s.actor,
                csrf_token: s.csrf_token,
                stage: s.stage,
                token,
            }),
            _ => Err(WebError::LoginRequired {
                back: back_path(parts),
            }),
        }
    }
}

/// One segment of the path by name (`brin`, `code`), if the route has it.
async fn path_param(parts: &mut Parts, state: &LoketState, name: &str) -> Result<String, WebError> {
    let Path(params) = Path::<HashMap<String, String>>::from_request_parts(parts, state)
        .await
        .map_err(|_| WebError::NotFound)?;
    params.get(name).cloned().ok_or(WebError::NotFound)
}

/// A user who works for the school (BRIN) in the path: a melder or beheerder of it. Anyone
/// else — and a BRIN that is not one — gets 404.
#[derive(Debug, Clone)]
pub struct InSchool {
    /// The signed-in user.
    pub user: LoketUser,
    /// The school of the path.
    pub brin: Brin,
}

impl InSchool {
    /// Whether the user may file and follow the school's meldingen.
    pub fn is_melder(&self) -> bool {
        self.user.actor.is_melder(&self.brin)
    }

    /// Whether the user may manage the school's locations and contact persons.
    pub fn is_beheerder(&self) -> bool {
        self.user.actor.is_beheerder(&self.brin)
    }
}

impl FromRequestParts<LoketState> for InSchool {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &LoketState,
    ) -> Result<Self, Self::Rejection> {
        let user = LoketUser::from_request_parts(parts, state).await?;
        let raw = path_param(parts, state, "brin").await?;
        let brin = Brin::parse(&raw).map_err(|_| WebError::NotFound)?;
        if user.actor.works_for_school(&brin) {
            Ok(Self { user, brin })
        } else {
            Err(WebError::NotFound)
        }
    }
}

/// A user who works for the gemeente in the path (leerplichtambtenaar or RMC). Anyone else
/// gets 404.
#[derive(Debug, Clone)]
pub struct InGemeente {
    /// The signed-in user.
    pub user: LoketUser,
    /// The gemeente of the path.
    pub gemeente: Gemeentecode,
}

impl FromRequestParts<LoketState> for InGemeente {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &LoketState,
    ) -> Result<Self, Self::Rejection> {
        let user = LoketUser::from_request_parts(parts, state).await?;
        let raw = path_param(parts, state, "code").await?;
        let gemeente = Gemeentecode::parse(&raw).map_err(|_| WebError::NotFound)?;
        if user.actor.works_for_gemeente(&gemeente) {
            Ok(Self { user, gemeente })
        } else {
            Err(WebError::NotFound)
        }
    }
}

/// The site administrator; anyone else gets 404 (the pages do not exist for them).
#[derive(Debug, Clone)]
pub struct SiteAdmin {
    /// The signed-in administrator.
    pub user: LoketUser,
}

impl FromRequestParts<LoketState> for SiteAdmin {
    type Rejection = WebError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &LoketState,
    ) -> Result<Self, Self::Rejection> {
        let user = LoketUser::from_request_parts(parts, state).await?;
        if user.actor.is_site_admin() {
            Ok(Self { user })
        } else {
            Err(WebError::NotFound)
        }
    }
}
