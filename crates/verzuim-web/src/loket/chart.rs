//! The maandrapportage's chart: an inline SVG bar chart, drawn on the server (no script),
//! with bars per month grouped by kind of verzuim. The SVG carries its own title and a
//! description in words; the page's table holds the same numbers as the text alternative.
//!
//! Colours have at least 3:1 contrast against white (WCAG 2.1 1.4.11) and are set with
//! presentation attributes, which the Content-Security-Policy allows (inline `style` it does
//! not).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use verzuim_loket::{MonthlyReport, Verzuimsoort};

use crate::clock::MONTHS;

/// Bar colours per kind, in the order of [`Verzuimsoort::ALL`] (the stylesheet's legend
/// swatches `.k0`…`.k7` have the same colours).
pub const KIND_COLOURS: [&str; 8] = [
    "#154273", "#ca005d", "#275937", "#b35900", "#42145f", "#007bc7", "#696969", "#8b6d00",
];

/// The colour of the kind at `index` of [`Verzuimsoort::ALL`].
pub fn kind_colour(index: usize) -> &'static str {
    KIND_COLOURS[index % KIND_COLOURS.len()]
}

const WIDTH: u32 = 800;
const HEIGHT: u32 = 300;
const LEFT: u32 = 48;
const RIGHT: u32 = 16;
const TOP: u32 = 20;
const BOTTOM: u32 = 40;
/// Widest bar, so a report of one month does not look like a wall.
const MAX_BAR: u32 = 36;

/// "2026-10" → "oktober 2026"; anything else as it is.
pub fn month_name(month: &str) -> String {
    month
        .split_once('-')
        .and_then(|(y, m)| {
            let i = m.parse::<usize>().ok()?.checked_sub(1)?;
            MONTHS.get(i).map(|name| format!("{name} {y}"))
        })
        .unwrap_or_else(|| month.to_owned())
}

/// "2026-10" → "okt 2026".
fn month_short(month: &str) -> String {
    let long = month_name(month);
    match long.split_once(' ') {
        Some((name, year)) => format!("{} {year}", name.chars().take(3).collect::<String>()),
        None => long,
    }
}

/// Escapes text for SVG/XML.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A round upper bound for the axis: 1, 2, 5, 10, 20, 50, ...
fn axis_max(max: u64) -> u64 {
    let mut step = 1u64;
    loop {
        for m in [1, 2, 5] {
            let candidate = step.saturating_mul(m);
            if candidate >= max {
                return candidate.max(1);
            }
        }
        step = step.saturating_mul(10);
    }
}

/// The chart as an `<svg>` element; `title` names it ("Meldingen per maand en soort").
pub fn bar_chart(report: &MonthlyReport, title: &str) -> String {
    let months = report.months();
    let cells: BTreeMap<(&str, Verzuimsoort), u64> = report.by_month_and_kind();
    let max = cells.values().copied().max().unwrap_or(0);
    let top = axis_max(max);
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let mut svg = String::new();
    let description = if months.is_empty() {
        "Er zijn nog geen meldingen.".to_owned()
    } else {
        let per_month: Vec<String> = report
            .by_month()
            .iter()
            .map(|(m, n)| format!("{}: {n}", month_name(m)))
            .collect();
        format!(
            "Staafdiagram van het aantal meldingen per maand, per soort verzuim. Totaal per maand: {}. De tabel op deze pagina geeft alle aantallen.",
            per_month.join("; ")
        )
    };
    let _ = write!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="grafiek-titel grafiek-beschrijving" font-family="Verdana, Arial, sans-serif" font-size="12"><title id="grafiek-titel">{}</title><desc id="grafiek-beschrijving">{}</desc>"#,
        escape(title),
        escape(&description)
    );
    // Grid lines and the y axis: 0, half and top.
    let mut ticks = vec![0, top / 2, top];
    ticks.dedup();
    for (i, value) in ticks.iter().enumerate() {
        let y = TOP + plot_h - (u64::from(plot_h) * value / top.max(1)) as u32;
        let colour = if i == 0 { "#535353" } else { "#d0d0d0" };
        let _ = write!(
            svg,
            r##"<line x1="{LEFT}" y1="{y}" x2="{}" y2="{y}" stroke="{colour}" stroke-width="1"/><text x="{}" y="{}" text-anchor="end" fill="#1e1e1e">{value}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6,
            y + 4
        );
    }
    if !months.is_empty() {
        let group_w = plot_w / u32::try_from(months.len()).unwrap_or(1).max(1);
        let kinds = Verzuimsoort::ALL.len() as u32;
        let bar_w = ((group_w * 8 / 10) / kinds).clamp(2, MAX_BAR);
        let offset = (group_w - bar_w * kinds) / 2;
        for (mi, month) in months.iter().enumerate() {
            let gx = LEFT + group_w * mi as u32;
            for (ki, kind) in Verzuimsoort::ALL.iter().enumerate() {
                let n = cells.get(&(*month, *kind)).copied().unwrap_or(0);
                if n == 0 {
                    continue;
                }
                let h = (u64::from(plot_h) * n / top.max(1)) as u32;
                let x = gx + offset + bar_w * ki as u32;
                let y = TOP + plot_h - h;
                let colour = kind_colour(ki);
                let _ = write!(
                    svg,
                    r##"<rect x="{x}" y="{y}" width="{bar_w}" height="{h}" fill="{colour}"><title>{}, {}: {n}</title></rect><text x="{}" y="{}" text-anchor="middle" fill="#1e1e1e" font-size="11">{n}</text>"##,
                    escape(&month_name(month)),
                    escape(kind.label()),
                    x + bar_w / 2,
                    y.saturating_sub(4).max(10)
                );
            }
            let _ = write!(
                svg,
                r##"<text x="{}" y="{}" text-anchor="middle" fill="#1e1e1e">{}</text>"##,
                gx + group_w / 2,
                HEIGHT - BOTTOM + 18,
                escape(&month_short(month))
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use verzuim_loket::MeldingStatus;

    #[test]
    fn months_are_named_in_dutch() {
        assert_eq!(month_name("2026-10"), "oktober 2026");
        assert_eq!(month_short("2026-03"), "maa 2026");
        assert_eq!(month_name("raar"), "raar");
    }

    #[test]
    fn the_axis_ends_on_a_round_number() {
        assert_eq!(axis_max(0), 1);
        assert_eq!(axis_max(3), 5);
        assert_eq!(axis_max(7), 10);
        assert_eq!(axis_max(11), 20);
        assert_eq!(axis_max(120), 200);
    }

    #[test]
    fn chart_has_a_bar_per_month_and_kind_and_a_description() {
        let report = MonthlyReport::count([
            (
                "2026-10",
                Verzuimsoort::ZestienUur,
                MeldingStatus::Geregistreerd,
            ),
            (
                "2026-10",
                Verzuimsoort::ZestienUur,
                MeldingStatus::Afgesloten,
            ),
            ("2026-11", Verzuimsoort::Luxe, MeldingStatus::Geregistreerd),
        ]);
        let svg = bar_chart(&report, "Meldingen <per> maand");
        assert_eq!(svg.matches("<rect").count(), 2);
        assert!(svg.contains("oktober 2026: 2"));
        assert!(svg.contains("Meldingen &lt;per&gt; maand"));
        assert!(svg.starts_with("<svg") && svg.ends_with("</svg>"));
        assert!(!svg.contains("style="), "the CSP forbids inline styles");
    }
}
