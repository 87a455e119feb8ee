//! Enrolling the tokengenerator: the QR code and secret, the confirmation code, and the
//! recovery codes shown once (the session becomes a full one).

use axum::extract::{Form, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use verzuim_app::loket::{LOKET_SESSION_HOURS, SessionStage};

use crate::error::WebError;
use crate::loket::forms::{ErrorList, FieldView};
use crate::loket::pages::field_errors;
use crate::loket::session::{EnrollingUser, LOKET_SESSION_COOKIE};
use crate::loket::views::{EnrolView, Layout, RecoveryView};
use crate::loket::{LoketState, render};
use crate::session::set_cookie;

/// The confirmation form.
#[derive(Debug, Deserialize)]
pub struct EnrolForm {
    /// The code the app shows.
    #[serde(default)]
    pub code: String,
}

/// "JBSW Y3DP EHPK 3PXP": easier to type over.
fn grouped(secret: &str) -> String {
    secret
        .chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join(" ")
}

async fn enrol_page(
    state: &LoketState,
    user: &EnrollingUser,
    errors: ErrorList,
) -> Result<Response, WebError> {
    let enrolment = state.loket.start_enrolment(&user.actor).await?;
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let code = FieldView::text("code", "Code uit de app", "")
        .hint("De 6 cijfers die de app nu toont, zonder spaties.")
        .autocomplete("one-time-code")
        .inputmode("numeric")
        .input_class("code")
        .with_errors(&errors);
    let page = render(&EnrolView {
        layout: Layout::enrolling(
            "Tokengenerator koppelen",
            &user.actor.name,
            &user.csrf_token,
        ),
        csrf: user.csrf_token.clone(),
        qr_svg: enrolment.qr_svg,
        secret: grouped(&enrolment.secret_base32),
        errors,
        fields: vec![code],
    })?;
    Ok((status, page).into_response())
}

/// GET `/token-koppelen`: the QR code and the secret (the same on every reload until
/// confirmed). A user who has a token already goes to the start page.
pub async fn enrol_form(
    State(state): State<LoketState>,
    user: EnrollingUser,
) -> Result<Response, WebError> {
    if user.stage == SessionStage::Full {
        return Ok(Redirect::to("/").into_response());
    }
    enrol_page(&state, &user, ErrorList::new()).await
}

/// POST `/token-koppelen`: confirms with a code; shows the recovery codes once.
pub async fn enrol_submit(
    State(state): State<LoketState>,
    user: EnrollingUser,
    Form(form): Form<EnrolForm>,
) -> Result<Response, WebError> {
    if user.stage == SessionStage::Full {
        return Ok(Redirect::to("/").into_response());
    }
    match state
        .loket
        .confirm_enrolment(&user.token, &user.actor, &form.code, state.now())
        .await
    {
        Ok(codes) => {
            tracing::info!(user = %user.actor.username, "tokengenerator gekoppeld");
            // The session now lasts as long as a full one; so does its cookie.
            let cookie = set_cookie(
                &state.config,
                LOKET_SESSION_COOKIE,
                &user.token,
                "/",
                "Lax",
                LOKET_SESSION_HOURS * 3600,
            );
            let page = render(&RecoveryView {
                layout: Layout::enrolling(
                    "Tokengenerator gekoppeld",
                    &user.actor.name,
                    &user.csrf_token,
                ),
                codes,
            })?;
            Ok(([(header::SET_COOKIE, cookie)], page).into_response())
        }
        Err(e) => match field_errors(&e) {
            Some(list) => {
                let errors = ErrorList::from_errors(&list, &[("code", "Code uit de app")]);
                // Whatever field the app named, the message belongs to the one code field.
                let errors = ErrorList {
                    list: errors
                        .list
                        .into_iter()
                        .map(|mut i| {
                            i.field = "code".to_owned();
                            i
                        })
                        .collect(),
                };
                enrol_page(&state, &user, errors).await
            }
            None => Err(e.into()),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::grouped;

    #[test]
    fn secret_is_shown_in_groups_of_four() {
        assert_eq!(grouped("JBSWY3DPEHPK3PXP"), "JBSW Y3DP EHPK 3PXP");
        assert_eq!(grouped("ABCDEF"), "ABCD EF");
    }
}
