//! Handlers, one module per page family. Each is short: extract, call the app layer, render.

pub mod assets;
pub mod home;
pub mod lessons;
pub mod login;
pub mod meldingen;
pub mod students;
pub mod tasks;

use askama::Template;
use axum::response::Html;

use crate::error::WebError;

/// The answer to any unknown address: the Dutch 404 page.
pub async fn not_found() -> WebError {
    WebError::NotFound
}

/// Renders a template into an HTML response.
pub(crate) fn render(t: &impl Template) -> Result<Html<String>, WebError> {
    Ok(Html(t.render()?))
}

/// Parses a numeric id from the path; anything else is "not found".
pub(crate) fn parse_id(raw: &str) -> Result<i64, WebError> {
    raw.parse::<i64>()
        .ok()
        .filter(|n| *n > 0)
        .ok_or(WebError::NotFound)
}
