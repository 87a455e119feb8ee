//! The melding's life cycle, explicit and checked:
//!
//! ```text
//!                    ┌──────────────▶ Afgesloten (G)               ┐
//!  Geregistreerd (R) ├──▶ In behandeling (B) ──▶ G / K             │ gemeente
//!                    ├──────────────▶ Ter kennisneming (K)         ┘
//!                    └──▶ Ingetrokken (I)  ◀── also from B         school, or a vrijstelling
//! ```
//!
//! The school files (R) and may withdraw while the gemeente has not finished (R, B → I). The
//! gemeente takes it in behandeling and finishes it (R, B → B, G, K); B → B is an update of
//! the terugmelding (new contact person or explanation). A registered vrijstelling withdraws
//! an unfinished melding that overlaps it (R, B → I, reason V). G, K and I are final.

use crate::codes::MeldingStatus;

/// Who asks for a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Party {
    /// The school that filed the melding (a melder of its BRIN).
    School,
    /// The gemeente the melding is routed to (its leerplichtambtenaar or RMC).
    Gemeente,
    /// The loket itself, applying a vrijstelling the gemeente registered.
    Vrijstelling,
}

impl Party {
    /// Dutch name.
    pub fn label(self) -> &'static str {
        match self {
            Self::School => "de school",
            Self::Gemeente => "de gemeente",
            Self::Vrijstelling => "een vrijstelling",
        }
    }
}

/// A refused transition.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{} kan een melding met status '{}' niet op '{}' zetten", party.label(), from.label(), to.label())]
pub struct TransitionError {
    /// The current status.
    pub from: MeldingStatus,
    /// The asked status.
    pub to: MeldingStatus,
    /// Who asked.
    pub party: Party,
}

/// A checked change of status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Transition {
    /// The status before.
    pub from: MeldingStatus,
    /// The status after.
    pub to: MeldingStatus,
}

impl Transition {
    /// Checks that `party` may move a melding from `from` to `to`.
    pub fn check(
        from: MeldingStatus,
        to: MeldingStatus,
        party: Party,
    ) -> Result<Self, TransitionError> {
        use MeldingStatus::{
            Afgesloten, Geregistreerd, InBehandeling, Ingetrokken, TerKennisneming,
        };
        let allowed = match party {
            Party::School | Party::Vrijstelling => {
                matches!((from, to), (Geregistreerd | InBehandeling, Ingetrokken))
            }
            Party::Gemeente => matches!(
                (from, to),
                (
                    Geregistreerd | InBehandeling,
                    InBehandeling | Afgesloten | TerKennisneming
                )
            ),
        };
        if allowed {
            Ok(Self { from, to })
        } else {
            Err(TransitionError { from, to, party })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MeldingStatus::*;

    #[test]
    fn school_withdraws_only_unfinished_meldingen() {
        assert!(Transition::check(Geregistreerd, Ingetrokken, Party::School).is_ok());
        assert!(Transition::check(InBehandeling, Ingetrokken, Party::School).is_ok());
        assert!(Transition::check(Afgesloten, Ingetrokken, Party::School).is_err());
        assert!(Transition::check(Geregistreerd, Afgesloten, Party::School).is_err());
    }

    #[test]
    fn gemeente_handles_and_closes_but_never_withdraws_or_reopens() {
        for to in [InBehandeling, Afgesloten, TerKennisneming] {
            assert!(Transition::check(Geregistreerd, to, Party::Gemeente).is_ok());
            assert!(Transition::check(InBehandeling, to, Party::Gemeente).is_ok());
        }
        assert!(Transition::check(Geregistreerd, Ingetrokken, Party::Gemeente).is_err());
        assert!(Transition::check(Afgesloten, InBehandeling, Party::Gemeente).is_err());
        assert!(Transition::check(Ingetrokken, Afgesloten, Party::Gemeente).is_err());
        assert!(Transition::check(InBehandeling, Geregistreerd, Party::Gemeente).is_err());
    }

    #[test]
    fn final_statuses_allow_nothing() {
        for from in MeldingStatus::ALL.iter().copied().filter(|s| s.is_final()) {
            for to in MeldingStatus::ALL {
                for party in [Party::School, Party::Gemeente, Party::Vrijstelling] {
                    assert!(
                        Transition::check(from, *to, party).is_err(),
                        "{from:?}→{to:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn refusal_explains_in_dutch() {
        let e = Transition::check(Afgesloten, Ingetrokken, Party::School).err();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("de school kan een melding met status 'Afgesloten' niet op 'Ingetrokken' zetten")
        );
    }
}
