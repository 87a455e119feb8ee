//! The start page: the user's schools and gemeenten with their pages. A beheerder whose school
//! has no location yet is sent to add one first (seed 000: "Als u als beheerder voor de eerste
//! keer inlogt, moet u eerst de verschillende locaties van uw onderwijsinstelling vastleggen").

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};

use crate::error::WebError;
use crate::loket::pages::certificates;
use crate::loket::session::LoketUser;
use crate::loket::views::{GemeenteCard, HomeView, Layout, SchoolCard};
use crate::loket::{LoketState, render};

/// Fewer recovery codes than this left: the start page warns.
const FEW_RECOVERY_CODES: i64 = 3;

/// GET `/`.
pub async fn home(State(state): State<LoketState>, user: LoketUser) -> Result<Response, WebError> {
    if let Some(brin) = state.loket.needs_locations(&user.actor).await? {
        return Ok(
            Redirect::to(&format!("/scholen/{brin}/locaties/nieuw?eerste=ja")).into_response(),
        );
    }
    let orgs = state.loket.organisations_of(&user.actor).await?;
    let left = state.loket.recovery_codes_left(&user.actor).await?;
    let recovery_warning = (left < FEW_RECOVERY_CODES).then(|| match left {
        0 => "U heeft geen herstelcodes meer. Raakt u uw telefoon kwijt, dan moet de beheerder uw token opnieuw instellen.".to_owned(),
        1 => "U heeft nog 1 herstelcode over.".to_owned(),
        n => format!("U heeft nog {n} herstelcodes over."),
    });
    let actor = &user.actor;
    let schools: Vec<_> = orgs
        .schools
        .iter()
        .map(|s| (s.brin.clone(), s.name.clone()))
        .collect();
    let mut certificate_warnings = certificates::home_warnings(&state, actor, &schools).await?;
    if let Some(w) = certificates::admin_home_warning(&state, actor).await? {
        certificate_warnings.push((w, "/beheer/certificaten".to_owned()));
    }
    Ok(render(&HomeView {
        layout: Layout::for_user("Start", &user, "/"),
        name: actor.name.clone(),
        schools: orgs
            .schools
            .iter()
            .map(|s| SchoolCard {
                brin: s.brin.to_string(),
                name: s.name.clone(),
                melder: actor.is_melder(&s.brin),
                beheerder: actor.is_beheerder(&s.brin),
            })
            .collect(),
        gemeenten: orgs
            .gemeenten
            .iter()
            .map(|g| GemeenteCard {
                code: g.code.to_string(),
                name: g.name.clone(),
            })
            .collect(),
        admin: actor.is_site_admin(),
        recovery_warning,
        certificate_warnings,
    })?
    .into_response())
}
