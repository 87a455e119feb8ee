//! The loket's handlers, one module per page family. Each is short: extract (the extractors
//! of [`super::session`] check who may), call the loket's use case, render.

pub mod admin;
pub mod certificates;
pub mod enrol;
pub mod gemeente;
pub mod home;
pub mod login;
pub mod meldingen;
pub mod places;
pub mod reports;

use axum::http::header;
use axum::response::IntoResponse;
use chrono::NaiveDate;
use verzuim_app::loket::{LoketActor, LoketError};
use verzuim_domain::{Brin, Gemeentecode};

use super::LoketState;
use crate::clock::short_date;
use crate::error::WebError;

/// The loket's stylesheet.
pub async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../../static/loket.css"),
    )
}

/// The answer to any unknown address: the Dutch 404 page.
pub async fn not_found() -> WebError {
    WebError::NotFound
}

/// "Testschool De Linde (12AB)", or the BRIN alone when the name is unknown.
pub(crate) async fn school_label(
    state: &LoketState,
    actor: &LoketActor,
    brin: &Brin,
) -> Result<String, WebError> {
    let orgs = state.loket.organisations_of(actor).await?;
    Ok(orgs
        .schools
        .iter()
        .find(|s| &s.brin == brin)
        .map(|s| format!("{} ({brin})", s.name))
        .unwrap_or_else(|| brin.to_string()))
}

/// "Gemeente Utrecht (0344)", or the code alone when the name is unknown.
pub(crate) async fn gemeente_label(
    state: &LoketState,
    actor: &LoketActor,
    gemeente: &Gemeentecode,
) -> Result<String, WebError> {
    let orgs = state.loket.organisations_of(actor).await?;
    Ok(orgs
        .gemeenten
        .iter()
        .find(|g| &g.code == gemeente)
        .map(|g| format!("{} ({gemeente})", g.name))
        .unwrap_or_else(|| gemeente.to_string()))
}

/// "05-10-2026 t/m 16-10-2026" or "vanaf 05-10-2026".
pub(crate) fn period(begin: NaiveDate, end: Option<NaiveDate>) -> String {
    match end {
        Some(end) => format!("{} t/m {}", short_date(begin), short_date(end)),
        None => format!("vanaf {}", short_date(begin)),
    }
}

/// Parses a positive numeric id from the path; anything else is "not found".
pub(crate) fn parse_id(raw: &str) -> Result<i64, WebError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(WebError::NotFound)
}

/// Whether an error of the app layer is about the form's fields (shown beside them) rather
/// than a page of its own.
pub(crate) fn field_errors(e: &LoketError) -> Option<Vec<verzuim_domain::ValidationError>> {
    match e {
        LoketError::Fields(f) => Some(f.0.clone()),
        LoketError::Invalid(v) => Some(vec![v.clone()]),
        _ => None,
    }
}

/// "12 kB" / "1,4 MB".
pub(crate) fn file_size(bytes: i64) -> String {
    if bytes < 1024 * 1024 {
        format!("{} kB", (bytes + 1023) / 1024)
    } else {
        let tenths = (bytes * 10 + 512 * 1024) / (1024 * 1024);
        format!("{},{} MB", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_sizes_read_the_dutch_way() {
        assert_eq!(file_size(100), "1 kB");
        assert_eq!(file_size(12 * 1024), "12 kB");
        assert_eq!(file_size(1024 * 1024 * 3 / 2), "1,5 MB");
    }
}
