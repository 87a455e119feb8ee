//! Logging in and out.

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use serde::Deserialize;
use verzuim_app::school::{SESSION_HOURS, SchoolError};

use crate::AppState;
use crate::error::WebError;
use crate::pages::render;
use crate::session::{CurrentUser, LOGIN_CSRF_COOKIE, SESSION_COOKIE, cookie, set_cookie};
use crate::views::{Layout, LoginPage};

/// Query of the login page.
#[derive(Debug, Deserialize)]
pub struct LoginQuery {
    /// Where to go after logging in.
    #[serde(default)]
    pub terug: String,
}

/// The login form's fields.
#[derive(Debug, Deserialize)]
pub struct LoginForm {
    /// Username.
    #[serde(default)]
    pub gebruikersnaam: String,
    /// Password.
    #[serde(default)]
    pub wachtwoord: String,
    /// Where to go afterwards.
    #[serde(default)]
    pub terug: String,
    /// CSRF token (checked by the guard before this handler runs).
    #[serde(default)]
    pub csrf: String,
}

/// A local path to return to after logging in; anything else (other sites, `//host`) is `/`.
pub fn safe_back(back: &str) -> String {
    let ok = back.starts_with('/')
        && !back.starts_with("//")
        && !back.contains('\\')
        && !back.starts_with("/inloggen")
        && !back.chars().any(char::is_control);
    if ok { back.to_owned() } else { "/".to_owned() }
}

fn login_page(
    csrf: String,
    username: String,
    back: String,
    error: Option<String>,
) -> Result<axum::response::Html<String>, WebError> {
    render(&LoginPage {
        layout: Layout::anonymous("Inloggen"),
        csrf,
        username,
        back,
        error,
    })
}

/// GET `/inloggen`: the form, with a fresh (or the existing) login CSRF cookie. Someone
/// already signed in goes straight on.
pub async fn login_form(
    State(state): State<AppState>,
    user: Option<CurrentUser>,
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
) -> Result<Response, WebError> {
    let back = safe_back(&query.terug);
    if user.is_some() {
        return Ok(Redirect::to(&back).into_response());
    }
    let csrf = cookie(&headers, LOGIN_CSRF_COOKIE)
        .filter(|c| verzuim_auth::is_well_formed_token(c))
        .unwrap_or_else(verzuim_auth::new_csrf_token);
    let page = login_page(csrf.clone(), String::new(), back, None)?;
    let set = set_cookie(
        &state.config,
        LOGIN_CSRF_COOKIE,
        &csrf,
        "/inloggen",
        "Strict",
        3600,
    );
    Ok(([(header::SET_COOKIE, set)], page).into_response())
}

/// POST `/inloggen`: checks the password, sets the session cookie and goes on; a wrong
/// password shows the form again with the reason.
pub async fn login_submit(
    State(state): State<AppState>,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let back = safe_back(&form.terug);
    match state
        .app
        .login(&form.gebruikersnaam, &form.wachtwoord, state.now())
        .await
    {
        Ok(session) => {
            tracing::info!(user = session.actor.label(), "ingelogd");
            let set = set_cookie(
                &state.config,
                SESSION_COOKIE,
                &session.token,
                "/",
                "Lax",
                SESSION_HOURS * 3600,
            );
            let clear = set_cookie(
                &state.config,
                LOGIN_CSRF_COOKIE,
                "",
                "/inloggen",
                "Strict",
                0,
            );
            Ok((
                AppendHeaders([(header::SET_COOKIE, set), (header::SET_COOKIE, clear)]),
                Redirect::to(&back),
            )
                .into_response())
        }
        Err(e @ (SchoolError::BadCredentials | SchoolError::Throttled { .. })) => {
            let status = if matches!(e, SchoolError::Throttled { .. }) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            let page = login_page(
                form.csrf,
                form.gebruikersnaam,
                back,
                Some(capitalize(&e.to_string())),
            )?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect::<String>() + ".",
        None => String::new(),
    }
}

/// POST `/uitloggen`: ends the session and clears the cookie.
pub async fn logout(
    State(state): State<AppState>,
    user: CurrentUser,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    if let Some(token) = cookie(&headers, SESSION_COOKIE) {
        state.app.logout(&token).await?;
    }
    tracing::info!(user = user.actor.label(), "uitgelogd");
    let clear = set_cookie(&state.config, SESSION_COOKIE, "", "/", "Lax", 0);
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/inloggen")).into_response())
}

#[cfg(test)]
mod tests {
    use super::safe_back;

    #[test]
    fn return_path_stays_on_this_site() {
        assert_eq!(safe_back("/leerlingen/3"), "/leerlingen/3");
        assert_eq!(safe_back("//evil.example/"), "/");
        assert_eq!(safe_back("https://evil.example/"), "/");
        assert_eq!(safe_back("/\\evil.example"), "/");
        assert_eq!(safe_back(""), "/");
    }
}
