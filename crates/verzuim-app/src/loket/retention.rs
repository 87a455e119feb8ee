//! Schoning: finished meldingen (afgesloten, ter kennisneming, ingetrokken) are deleted with
//! their attachments, history and day specification once `config.retention` has passed since
//! they became final (seed 001: the school keeps its own copy). `verzuim serve loket` runs it
//! daily; it logs and audits the counts.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
pub use verzuim_store::loket::RetentionCounts;
use verzuim_store::loket::Who;

use super::{Loket, Result};

/// The name in the audit log of the retention job.
pub const RETENTION_USER: &str = "systeem";

impl Loket {
    /// Deletes what is due `today` (final on or before `config.retention.cutoff(today)`, in
    /// UTC), writes one audit row with the counts (user `schoning`) and returns them.
    pub async fn run_retention(
        &self,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<RetentionCounts> {
        let cutoff = self.config.retention.cutoff(today);
        let before = (cutoff + Duration::days(1))
            .and_time(NaiveTime::MIN)
            .and_utc();
        let counts = self
            .store
            .delete_final_meldingen_before(
                before,
                Who {
                    username: RETENTION_USER,
                    organisation: "",
                },
                now,
            )
            .await?;
        tracing::info!(
            meldingen = counts.meldingen,
            attachments = counts.attachments,
            events = counts.events,
            cutoff = %cutoff,
            "schoning verzuimloket"
        );
        Ok(counts)
    }
}
