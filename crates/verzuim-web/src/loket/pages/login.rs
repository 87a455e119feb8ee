//! Logging in (inlognaam, wachtwoord and the code of the tokengenerator) and out.

use axum::extract::{Form, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, Html, IntoResponse, Redirect, Response};
use serde::Deserialize;
use verzuim_app::loket::{ENROLMENT_SESSION_MINUTES, LOKET_SESSION_HOURS, LoketError, LoketLogin};

use crate::error::WebError;
use crate::loket::forms::{FieldView, sentence};
use crate::loket::session::{
    ENROL_PATH, EnrollingUser, LOKET_LOGIN_CSRF_COOKIE, LOKET_SESSION_COOKIE, LoketUser,
};
use crate::loket::views::{Layout, LoginView};
use crate::loket::{LoketState, render};
use crate::pages::login::safe_back;
use crate::session::{cookie, set_cookie};

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
    /// Inlognaam.
    #[serde(default)]
    pub inlognaam: String,
    /// Wachtwoord.
    #[serde(default)]
    pub wachtwoord: String,
    /// Code of the tokengenerator, or a recovery code.
    #[serde(default)]
    pub code: String,
    /// Where to go afterwards.
    #[serde(default)]
    pub terug: String,
    /// CSRF token (checked by the guard before this handler runs).
    #[serde(default)]
    pub csrf: String,
}

fn login_page(
    csrf: String,
    username: &str,
    back: String,
    error: Option<String>,
) -> Result<Html<String>, WebError> {
    render(&LoginView {
        layout: Layout::anonymous("Inloggen"),
        csrf,
        back,
        error,
        fields: vec![
            FieldView::text("inlognaam", "Inlognaam", username).autocomplete("username"),
            FieldView::text("wachtwoord", "Wachtwoord", "")
                .kind("password")
                .autocomplete("current-password"),
            FieldView::text("code", "Code uit tokengenerator", "")
                .hint(
                    "De 6 cijfers die de app op uw telefoon nu toont. Telefoon kwijt? Vul dan een \
                     van uw herstelcodes in. Heeft u nog geen tokengenerator gekoppeld? Laat dit \
                     veld leeg: u koppelt hem direct na het inloggen.",
                )
                .autocomplete("one-time-code")
                .inputmode("numeric")
                .input_class("code")
                .optional(),
        ],
    })
}

/// GET `/inloggen`: the form, with a fresh (or the existing) login CSRF cookie. Someone
/// already signed in goes straight on.
pub async fn login_form(
    State(state): State<LoketState>,
    user: Option<LoketUser>,
    headers: HeaderMap,
    Query(query): Query<LoginQuery>,
) -> Result<Response, WebError> {
    let back = safe_back(&query.terug);
    if user.is_some() {
        return Ok(Redirect::to(&back).into_response());
    }
    let csrf = cookie(&headers, LOKET_LOGIN_CSRF_COOKIE)
        .filter(|c| verzuim_auth::is_well_formed_token(c))
        .unwrap_or_else(verzuim_auth::new_csrf_token);
    let page = login_page(csrf.clone(), "", back, None)?;
    let set = set_cookie(
        &state.config,
        LOKET_LOGIN_CSRF_COOKIE,
        &csrf,
        "/inloggen",
        "Strict",
        3600,
    );
    Ok(([(header::SET_COOKIE, set)], page).into_response())
}

/// POST `/inloggen`: checks password and code, sets the session cookie and goes on (to the
/// enrolment page when the user has no token yet); a wrong attempt shows the form again.
pub async fn login_submit(
    State(state): State<LoketState>,
    Form(form): Form<LoginForm>,
) -> Result<Response, WebError> {
    let back = safe_back(&form.terug);
    match state
        .loket
        .login(&form.inlognaam, &form.wachtwoord, &form.code, state.now())
        .await
    {
        Ok(login) => {
            let (target, max_age) = match &login {
                LoketLogin::Full(_) => (back, LOKET_SESSION_HOURS * 3600),
                LoketLogin::EnrolmentNeeded(_) => {
                    (ENROL_PATH.to_owned(), ENROLMENT_SESSION_MINUTES * 60)
                }
            };
            let session = login.session();
            tracing::info!(user = %session.actor.username, stage = login.stage().code(), "ingelogd op het loket");
            let set = set_cookie(
                &state.config,
                LOKET_SESSION_COOKIE,
                &session.token,
                "/",
                "Lax",
                max_age,
            );
            let clear = set_cookie(
                &state.config,
                LOKET_LOGIN_CSRF_COOKIE,
                "",
                "/inloggen",
                "Strict",
                0,
            );
            Ok((
                AppendHeaders([(header::SET_COOKIE, set), (header::SET_COOKIE, clear)]),
                Redirect::to(&target),
            )
                .into_response())
        }
        Err(e @ (LoketError::BadCredentials | LoketError::Throttled { .. })) => {
            let status = if matches!(e, LoketError::Throttled { .. }) {
                StatusCode::TOO_MANY_REQUESTS
            } else {
                StatusCode::UNAUTHORIZED
            };
            let message = match e {
                LoketError::BadCredentials => "Inlognaam, wachtwoord of code klopt niet. \
                    Controleer ze en probeer het opnieuw; de code verandert elke 30 seconden."
                    .to_owned(),
                other => sentence(&other.to_string()),
            };
            let page = login_page(form.csrf, &form.inlognaam, back, Some(message))?;
            Ok((status, page).into_response())
        }
        Err(e) => Err(e.into()),
    }
}

/// POST `/uitloggen`: ends the session (also an enrolment session) and clears the cookie.
pub async fn logout(
    State(state): State<LoketState>,
    user: EnrollingUser,
) -> Result<Response, WebError> {
    state.loket.logout(&user.token).await?;
    tracing::info!(user = %user.actor.username, "uitgelogd van het loket");
    let clear = set_cookie(&state.config, LOKET_SESSION_COOKIE, "", "/", "Lax", 0);
    Ok(([(header::SET_COOKIE, clear)], Redirect::to("/inloggen")).into_response())
}
