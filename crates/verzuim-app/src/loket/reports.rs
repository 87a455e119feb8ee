//! Maandrapportages (seed 001): meldingen per month of filing, kind and current status, for
//! one school (its melders) or one gemeente (its leerplichtambtenaren and RMC). The counting
//! is the database's (`GROUP BY`); table, chart and CSV come from
//! [`verzuim_loket::MonthlyReport`].

use verzuim_domain::{Brin, Gemeentecode};
use verzuim_loket::MonthlyReport;
use verzuim_store::loket::MeldingScope;

use super::meldingen::{require_gemeente, require_melder};
use super::{Loket, LoketActor, Result};

impl Loket {
    /// The school's monthly report (melder of `brin`).
    pub async fn school_report(&self, actor: &LoketActor, brin: &Brin) -> Result<MonthlyReport> {
        require_melder(actor, brin)?;
        let cells = self
            .store
            .monthly_cells(&MeldingScope::School(brin.clone()))
            .await?;
        Ok(MonthlyReport::from_cells(cells))
    }

    /// The gemeente's monthly report (leerplichtambtenaar or RMC of `gemeente`).
    pub async fn gemeente_report(
        &self,
        actor: &LoketActor,
        gemeente: &Gemeentecode,
    ) -> Result<MonthlyReport> {
        require_gemeente(actor, gemeente)?;
        let cells = self
            .store
            .monthly_cells(&MeldingScope::Gemeente(gemeente.clone()))
            .await?;
        Ok(MonthlyReport::from_cells(cells))
    }
}
