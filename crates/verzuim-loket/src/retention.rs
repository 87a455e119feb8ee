//! Schoning (retention): a melding that is finished (afgesloten, ter kennisneming, ingetrokken)
//! is deleted with its attachments a configurable number of days after it became final. The
//! loket keeps no personal data longer than the handling needs; the school keeps its own copy
//! (seed 001: "Door lokale opslag niet te maken met schoning").

use chrono::{Duration, NaiveDate};

use crate::codes::MeldingStatus;

/// How long finished meldingen are kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetentionPolicy {
    /// Days after the melding became final.
    pub days: u32,
}

impl Default for RetentionPolicy {
    /// 730 days (two school years after closing): long enough for a gemeente's follow-up and
    /// a proces-verbaal, short enough not to build a register of old absence.
    fn default() -> Self {
        Self { days: 730 }
    }
}

impl RetentionPolicy {
    /// The last day a melding that became final on `final_on` is kept; it is deleted on any
    /// later day.
    pub fn keep_until(self, final_on: NaiveDate) -> NaiveDate {
        final_on + Duration::days(i64::from(self.days))
    }

    /// Whether a melding with `status`, final since `final_on`, is due for deletion `today`.
    pub fn is_due(
        self,
        status: MeldingStatus,
        final_on: Option<NaiveDate>,
        today: NaiveDate,
    ) -> bool {
        status.is_final() && final_on.is_some_and(|d| today > self.keep_until(d))
    }

    /// Meldingen that became final on or before this day are due `today` (for a `WHERE`).
    pub fn cutoff(self, today: NaiveDate) -> NaiveDate {
        today - Duration::days(i64::from(self.days) + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    #[test]
    fn due_the_day_after_the_period_and_only_when_final() {
        let p = RetentionPolicy { days: 30 };
        let closed = day("2026-10-01");
        assert!(!p.is_due(MeldingStatus::Afgesloten, Some(closed), day("2026-10-31")));
        assert!(p.is_due(MeldingStatus::Afgesloten, Some(closed), day("2026-11-01")));
        assert!(!p.is_due(
            MeldingStatus::InBehandeling,
            Some(closed),
            day("2027-11-01")
        ));
        assert!(!p.is_due(MeldingStatus::Ingetrokken, None, day("2027-11-01")));
        assert_eq!(p.cutoff(day("2026-11-01")), closed);
    }
}
