//! Maandrapportages per school and per gemeente: a table per month and kind, the chart, the
//! cells per status, and the CSV download.

use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use verzuim_loket::{MonthlyReport, Verzuimsoort};

use crate::error::WebError;
use crate::loket::chart::{KIND_COLOURS, bar_chart, month_name};
use crate::loket::pages::{gemeente_label, school_label};
use crate::loket::session::{InGemeente, InSchool, LoketUser};
use crate::loket::views::{Crumb, Layout, LegendItem, ReportCell, ReportRow, ReportView};
use crate::loket::{LoketState, render};

fn page(
    user: &LoketUser,
    path: &str,
    organisation: String,
    report: &MonthlyReport,
) -> Result<Response, WebError> {
    let by_kind = report.by_month_and_kind();
    let rows: Vec<ReportRow> = report
        .months()
        .iter()
        .map(|m| {
            let counts: Vec<u64> = Verzuimsoort::ALL
                .iter()
                .map(|k| by_kind.get(&(*m, *k)).copied().unwrap_or(0))
                .collect();
            ReportRow {
                month: month_name(m),
                total: counts.iter().sum(),
                counts,
            }
        })
        .collect();
    let totals: Vec<u64> = (0..Verzuimsoort::ALL.len())
        .map(|i| rows.iter().filter_map(|r| r.counts.get(i)).sum())
        .collect();
    Ok(render(&ReportView {
        layout: Layout::for_user("Maandrapportage", user, path)
            .crumbs(vec![Crumb::here("Maandrapportage")]),
        heading: "Maandrapportage".to_owned(),
        organisation,
        kinds: Verzuimsoort::ALL
            .iter()
            .map(|k| k.label().to_owned())
            .collect(),
        rows,
        totals,
        total: report.total(),
        cells: report
            .rows
            .iter()
            .map(|c| ReportCell {
                month: month_name(&c.month),
                kind: c.kind.label().to_owned(),
                status: c.status.label().to_owned(),
                count: c.count,
            })
            .collect(),
        chart_svg: bar_chart(report, "Meldingen per maand en soort verzuim"),
        legend: Verzuimsoort::ALL
            .iter()
            .enumerate()
            .map(|(i, k)| LegendItem {
                class: format!("k{}", i % KIND_COLOURS.len()),
                label: k.label().to_owned(),
            })
            .collect(),
        csv_href: format!("{path}/maandrapportage.csv"),
    })?
    .into_response())
}

fn csv(report: &MonthlyReport, name: &str) -> Response {
    let disposition = format!("attachment; filename=\"maandrapportage-{name}.csv\"");
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        report.to_csv(),
    )
        .into_response()
}

/// GET `/scholen/{brin}/rapportages`.
pub async fn school_report(
    State(state): State<LoketState>,
    school: InSchool,
) -> Result<Response, WebError> {
    let report = state
        .loket
        .school_report(&school.user.actor, &school.brin)
        .await?;
    let name = school_label(&state, &school.user.actor, &school.brin).await?;
    page(
        &school.user,
        &format!("/scholen/{}/rapportages", school.brin),
        name,
        &report,
    )
}

/// GET `/scholen/{brin}/rapportages/maandrapportage.csv`.
pub async fn school_csv(
    State(state): State<LoketState>,
    school: InSchool,
) -> Result<Response, WebError> {
    let report = state
        .loket
        .school_report(&school.user.actor, &school.brin)
        .await?;
    Ok(csv(&report, school.brin.as_str()))
}

/// GET `/gemeenten/{code}/rapportages`.
pub async fn gemeente_report(
    State(state): State<LoketState>,
    g: InGemeente,
) -> Result<Response, WebError> {
    let report = state
        .loket
        .gemeente_report(&g.user.actor, &g.gemeente)
        .await?;
    let name = gemeente_label(&state, &g.user.actor, &g.gemeente).await?;
    page(
        &g.user,
        &format!("/gemeenten/{}/rapportages", g.gemeente),
        name,
        &report,
    )
}

/// GET `/gemeenten/{code}/rapportages/maandrapportage.csv`.
pub async fn gemeente_csv(
    State(state): State<LoketState>,
    g: InGemeente,
) -> Result<Response, WebError> {
    let report = state
        .loket
        .gemeente_report(&g.user.actor, &g.gemeente)
        .await?;
    Ok(csv(&report, g.gemeente.as_str()))
}
