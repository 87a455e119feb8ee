//! Maandrapportages (seed 001: "N&R en maandrapportages"; DUO's report `R01 meldingen per
//! status`, research §1.1): meldingen per month of filing, per kind and per current status,
//! for one school or one gemeente. The store delivers the rows; this module counts and
//! writes the CSV.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::codes::{MeldingStatus, Verzuimsoort};

/// One counted cell: month (`2026-10`), kind, status, number of meldingen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MonthlyCount {
    /// `YYYY-MM` of the filing date.
    pub month: String,
    /// Soort verzuim.
    pub kind: Verzuimsoort,
    /// Current status.
    pub status: MeldingStatus,
    /// How many.
    pub count: u64,
}

/// The counts of a report, sorted by month, kind, status, with totals.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MonthlyReport {
    /// Every non-zero cell.
    pub rows: Vec<MonthlyCount>,
}

impl MonthlyReport {
    /// Counts `(month, kind, status)` triples, e.g. one per melding from the store.
    pub fn count<'a>(
        items: impl IntoIterator<Item = (&'a str, Verzuimsoort, MeldingStatus)>,
    ) -> Self {
        let mut cells: BTreeMap<(String, Verzuimsoort, MeldingStatus), u64> = BTreeMap::new();
        for (month, kind, status) in items {
            *cells.entry((month.to_owned(), kind, status)).or_default() += 1;
        }
        Self::from_cells(cells.into_iter().map(|((m, k, s), n)| (m, k, s, n)))
    }

    /// Builds a report from already counted cells (e.g. a `GROUP BY` in the store).
    pub fn from_cells(
        cells: impl IntoIterator<Item = (String, Verzuimsoort, MeldingStatus, u64)>,
    ) -> Self {
        let mut rows: Vec<MonthlyCount> = cells
            .into_iter()
            .filter(|c| c.3 > 0)
            .map(|(month, kind, status, count)| MonthlyCount {
                month,
                kind,
                status,
                count,
            })
            .collect();
        rows.sort_by(|a, b| (&a.month, a.kind, a.status).cmp(&(&b.month, b.kind, b.status)));
        Self { rows }
    }

    /// The months present, ascending.
    pub fn months(&self) -> Vec<&str> {
        let mut m: Vec<&str> = self.rows.iter().map(|r| r.month.as_str()).collect();
        m.dedup();
        m
    }

    /// Total per month and kind (all statuses).
    pub fn by_month_and_kind(&self) -> BTreeMap<(&str, Verzuimsoort), u64> {
        let mut out = BTreeMap::new();
        for r in &self.rows {
            *out.entry((r.month.as_str(), r.kind)).or_default() += r.count;
        }
        out
    }

    /// Total per month (all kinds and statuses).
    pub fn by_month(&self) -> BTreeMap<&str, u64> {
        let mut out = BTreeMap::new();
        for r in &self.rows {
            *out.entry(r.month.as_str()).or_default() += r.count;
        }
        out
    }

    /// Total of all meldingen.
    pub fn total(&self) -> u64 {
        self.rows.iter().map(|r| r.count).sum()
    }

    /// CSV with a header: `maand;soort;soort_omschrijving;status;status_omschrijving;aantal`
    /// (semicolons, as Dutch spreadsheet programs expect).
    pub fn to_csv(&self) -> String {
        let mut out =
            String::from("maand;soort;soort_omschrijving;status;status_omschrijving;aantal\n");
        for r in &self.rows {
            out.push_str(&format!(
                "{};{};{};{};{};{}\n",
                r.month,
                r.kind.code(),
                r.kind.label(),
                r.status.code(),
                r.status.label(),
                r.count
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MeldingStatus::*;
    use Verzuimsoort::*;

    #[test]
    fn counts_and_totals() {
        let r = MonthlyReport::count([
            ("2026-10", ZestienUur, Geregistreerd),
            ("2026-09", Luxe, Afgesloten),
            ("2026-10", ZestienUur, Geregistreerd),
            ("2026-10", Lrv, InBehandeling),
        ]);
        assert_eq!(r.total(), 4);
        assert_eq!(r.months(), ["2026-09", "2026-10"]);
        assert_eq!(r.by_month().get("2026-10"), Some(&3));
        assert_eq!(
            r.by_month_and_kind().get(&("2026-10", ZestienUur)),
            Some(&2)
        );
        assert_eq!(
            r.to_csv(),
            "maand;soort;soort_omschrijving;status;status_omschrijving;aantal\n\
             2026-09;L;Luxe verzuim;G;Afgesloten;1\n\
             2026-10;V3;16 uur in 4 weken;R;Geregistreerd;2\n\
             2026-10;LRV;Langdurig relatief verzuim;B;In behandeling;1\n"
        );
    }
}
