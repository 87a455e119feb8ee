//! The verzuimdagspecificatie ("lesuren opgeven", seed 001): per absence day either the whole
//! day or the lesuren 1–12 missed, as DUO's VSV webservice carries it (research §1.3:
//! `IbgVerzuimdag`, `heledag` or `lesuur1`..`lesuur12`). It is evidence for the gemeente
//! ("wettig en overtuigend bewijs bij een PV"); the gemeente sees it only once filled.
//!
//! Text form, one day per line: `2026-10-05: hele dag` or `2026-10-06: 1, 2, 5`
//! (`dd-mm-jjjj` also accepted). That is what the web form's text area and the CSV export use.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use verzuim_domain::ValidationError;

use crate::melding::optional_date;

/// The highest lesuur number DUO's specification carries.
pub const MAX_LESUUR: u8 = 12;

/// One absence day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaySpecEntry {
    /// The day.
    pub date: NaiveDate,
    /// Whole day absent.
    pub whole_day: bool,
    /// The lesuren missed (1–12, ascending), empty for a whole day.
    pub lesuren: Vec<u8>,
}

/// The days of a melding, ascending, each date once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DaySpecification(pub Vec<DaySpecEntry>);

impl DaySpecification {
    /// Parses the text form; `field` names the form field in errors. Every day must lie in
    /// `begin..=end` (end: the melding's end date, or today while it is open).
    pub fn parse(
        field: &str,
        text: &str,
        begin: NaiveDate,
        end: NaiveDate,
    ) -> Result<Self, ValidationError> {
        let mut days: BTreeMap<NaiveDate, DaySpecEntry> = BTreeMap::new();
        for (n, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() {
                continue;
            }
            let at =
                |reason: String| ValidationError::new(field, format!("regel {}: {reason}", n + 1));
            let (d, rest) = line
                .split_once(':')
                .ok_or_else(|| at("verwacht 'datum: hele dag' of 'datum: 1, 2, 3'".to_owned()))?;
            let date = optional_date(field, d)
                .map_err(|e| at(e.reason))?
                .ok_or_else(|| at("datum ontbreekt".to_owned()))?;
            if date < begin || date > end {
                return Err(at(format!(
                    "{} ligt buiten de verzuimperiode {} t/m {}",
                    date.format("%d-%m-%Y"),
                    begin.format("%d-%m-%Y"),
                    end.format("%d-%m-%Y")
                )));
            }
            let rest = rest.trim();
            let entry =
                if rest.eq_ignore_ascii_case("hele dag") || rest.eq_ignore_ascii_case("heledag") {
                    DaySpecEntry {
                        date,
                        whole_day: true,
                        lesuren: Vec::new(),
                    }
                } else {
                    let mut lesuren = Vec::new();
                    for part in rest.split([',', ' ']).filter(|p| !p.is_empty()) {
                        let u = part
                            .parse::<u8>()
                            .ok()
                            .filter(|u| (1..=MAX_LESUUR).contains(u))
                            .ok_or_else(|| {
                                at(format!("'{part}' is geen lesuur van 1 tot {MAX_LESUUR}"))
                            })?;
                        lesuren.push(u);
                    }
                    if lesuren.is_empty() {
                        return Err(at("noem de lesuren of 'hele dag'".to_owned()));
                    }
                    lesuren.sort_unstable();
                    lesuren.dedup();
                    DaySpecEntry {
                        date,
                        whole_day: false,
                        lesuren,
                    }
                };
            if days.insert(date, entry).is_some() {
                return Err(at(format!(
                    "{} staat er twee keer in",
                    date.format("%d-%m-%Y")
                )));
            }
        }
        Ok(Self(days.into_values().collect()))
    }

    /// The text form (the inverse of [`DaySpecification::parse`]).
    pub fn to_text(&self) -> String {
        self.0
            .iter()
            .map(|d| {
                let what = if d.whole_day {
                    "hele dag".to_owned()
                } else {
                    d.lesuren
                        .iter()
                        .map(u8::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                format!("{}: {what}\n", d.date)
            })
            .collect()
    }

    /// Whether no day is given.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Number of days.
    pub fn days(&self) -> usize {
        self.0.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn parses_whole_days_and_lesuren_and_round_trips() {
        let text = "06-10-2026: 3,1 1\n\n2026-10-05: hele dag\n";
        let spec = DaySpecification::parse("dagen", text, day("2026-10-01"), day("2026-10-31"));
        let spec = spec.unwrap_or_default();
        assert_eq!(spec.days(), 2);
        assert_eq!(spec.to_text(), "2026-10-05: hele dag\n2026-10-06: 1, 3\n");
        let again = DaySpecification::parse(
            "dagen",
            &spec.to_text(),
            day("2026-10-01"),
            day("2026-10-31"),
        );
        assert_eq!(again.ok(), Some(spec));
    }

    #[test]
    fn refuses_with_line_and_reason() {
        let range = (day("2026-10-01"), day("2026-10-31"));
        for (text, expect) in [
            ("2026-10-05 hele dag", "regel 1: verwacht"),
            ("2026-11-05: 1", "buiten de verzuimperiode"),
            ("2026-10-05: 13", "geen lesuur"),
            (
                "2026-10-05: 1\n2026-10-05: 2",
                "regel 2: 05-10-2026 staat er twee keer in",
            ),
            ("2026-10-05:", "noem de lesuren"),
        ] {
            let e = DaySpecification::parse("dagen", text, range.0, range.1).err();
            assert!(
                e.as_ref().is_some_and(|e| e.reason.contains(expect)),
                "{text}: {e:?}"
            );
        }
    }
}
