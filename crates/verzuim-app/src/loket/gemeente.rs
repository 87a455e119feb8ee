//! The gemeente's side of the loket: the leerplichtambtenaar's (or RMC's) inbox of meldingen
//! routed to the gemeente, one melding with its day specification and attachments, the
//! terugmelding (Besluit Verzuimmelding, Bijlage: status, reden, toelichting, contactpersoon),
//! and the register of vrijstellingen.
//!
//! Only a leerplichtambtenaar or RMC of the gemeente the melding is routed to sees it; for
//! anyone else it does not exist ([`super::LoketError::NotFound`]).

use chrono::{DateTime, Utc};
use verzuim_domain::Gemeentecode;
use verzuim_loket::{Party, Terugmelding, TerugmeldingInput, Transition, VrijstellingInput};
pub use verzuim_store::loket::VrijstellingRow;
use verzuim_store::loket::{MeldingFilter, MeldingRow, MeldingScope, MeldingSummary, StatusChange};

use super::meldingen::{MeldingView, require_gemeente, who};
use super::{Loket, LoketActor, Result, not_found};

impl Loket {
    /// The gemeente's inbox, newest first: filter on status ("nieuw" is
    /// [`verzuim_loket::MeldingStatus::Geregistreerd`]), school, kind and filing period.
    pub async fn inbox(
        &self,
        actor: &LoketActor,
        gemeente: &Gemeentecode,
        filter: &MeldingFilter,
    ) -> Result<Vec<MeldingSummary>> {
        require_gemeente(actor, gemeente)?;
        Ok(self
            .store
            .meldingen(&MeldingScope::Gemeente(gemeente.clone()), filter)
            .await?)
    }

    /// One melding routed to the gemeente (audited as a view). The day specification is
    /// `Some` only when the school filled it.
    pub async fn gemeente_melding(
        &self,
        actor: &LoketActor,
        gemeente: &Gemeentecode,
        nummer: &str,
        now: DateTime<Utc>,
    ) -> Result<MeldingView> {
        let row = self.gemeente_row(actor, gemeente, nummer).await?;
        self.audit(
            actor,
            "melding.view",
            Some(gemeente.as_str()),
            Some(row.id),
            &format!("melding {} bekeken", row.nummer),
            now,
        )
        .await?;
        self.view(row).await
    }

    /// Gives (or updates) the terugmelding: validates the fields, checks the status change
    /// (`Transition::check(.., Party::Gemeente)`), stores it with a history row; G and K make
    /// the melding final. Errors: `Fields` per field, `Transition` for an illegal change.
    pub async fn answer(
        &self,
        actor: &LoketActor,
        gemeente: &Gemeentecode,
        nummer: &str,
        input: &TerugmeldingInput,
        now: DateTime<Utc>,
    ) -> Result<MeldingView> {
        let row = self.gemeente_row(actor, gemeente, nummer).await?;
        let t = input.validate()?;
        let transition = Transition::check(row.status, t.status, Party::Gemeente)?;
        let note = terugmelding_note(&t);
        self.store
            .record_terugmelding(
                &StatusChange {
                    id: row.id,
                    from: transition.from,
                    to: transition.to,
                    party: Party::Gemeente,
                    who: who(actor, gemeente.as_str()),
                    note: &note,
                    now,
                },
                &t,
            )
            .await?;
        tracing::info!(nummer = %row.nummer, status = t.status.code(), "terugmelding gegeven");
        let row = self.gemeente_row(actor, gemeente, nummer).await?;
        self.view(row).await
    }

    /// The gemeente's vrijstellingen, by student and start date.
    pub async fn vrijstellingen(
        &self,
        actor: &LoketActor,
        gemeente: &Gemeentecode,
    ) -> Result<Vec<VrijstellingRow>> {
        require_gemeente(actor, gemeente)?;
        Ok(self.store.vrijstellingen(gemeente).await?)
    }

    /// Registers a vrijstelling and withdraws (reason V) every unfinished melding of that
    /// student routed to this gemeente whose period overlaps it; returns the vrijstelling and
    /// the meldingsnummers withdrawn (a melding without end date counts as still running).
    pub async fn add_vrijstelling(
        &self,
        actor: &LoketActor,
        gemeente: &Gemeentecode,
        input: &VrijstellingInput,
        now: DateTime<Utc>,
    ) -> Result<(VrijstellingRow, Vec<String>)> {
        require_gemeente(actor, gemeente)?;
        let v = input.validate()?;
        let (row, withdrawn) = self
            .store
            .add_vrijstelling(gemeente, &v, who(actor, gemeente.as_str()), now)
            .await?;
        if !withdrawn.is_empty() {
            tracing::info!(
                gemeente = %gemeente,
                withdrawn = withdrawn.len(),
                "meldingen ingetrokken wegens vrijstelling"
            );
        }
        Ok((row, withdrawn))
    }

    /// Deletes a vrijstelling of the gemeente (meldingen it withdrew stay withdrawn).
    pub async fn delete_vrijstelling(
        &self,
        actor: &LoketActor,
        gemeente: &Gemeentecode,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        require_gemeente(actor, gemeente)?;
        if self
            .store
            .delete_vrijstelling(gemeente, id, who(actor, gemeente.as_str()), now)
            .await?
        {
            Ok(())
        } else {
            not_found("vrijstelling")
        }
    }

    /// The melding `nummer` routed to `gemeente`, for its leerplichtambtenaar or RMC.
    async fn gemeente_row(
        &self,
        actor: &LoketActor,
        gemeente: &Gemeentecode,
        nummer: &str,
    ) -> Result<MeldingRow> {
        require_gemeente(actor, gemeente)?;
        match self
            .store
            .melding(&MeldingScope::Gemeente(gemeente.clone()), nummer)
            .await?
        {
            Some(row) => Ok(row),
            None => not_found("melding"),
        }
    }
}

/// The history line of a terugmelding: "Terugmelding: Afgesloten — reden; toelichting".
fn terugmelding_note(t: &Terugmelding) -> String {
    let mut note = format!("Terugmelding: {}", t.status.label());
    let details: Vec<&str> = t
        .closing_reason
        .map(|r| r.label())
        .into_iter()
        .chain(t.explanation.map(|e| e.label()))
        .collect();
    if !details.is_empty() {
        note.push_str(" — ");
        note.push_str(&details.join("; "));
    }
    note
}
