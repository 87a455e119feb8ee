//! The Verzuimloket's rules, as plain types and pure functions (no clock, no I/O; callers pass
//! `today`):
//!
//! - [`codes`]: DUO's code lists — verzuimsoort, status, reden afsluiting, toelichting,
//!   reden intrekking, prioriteit (research/duo-and-law.md §1.3, §1.4, §1.5).
//! - [`melding`]: the melding as a school files it, every field of the Besluit Verzuimmelding
//!   (Bijlage) and of art. 14 Besluit register onderwijsdeelnemers, and its validation with a
//!   message per field.
//! - [`lifecycle`]: which party may move a melding from which status to which.
//! - [`terugmelding`]: the gemeente's answer and its validation.
//! - [`dayspec`]: the verzuimdagspecificatie ("lesuren opgeven").
//! - [`routing`]: which gemeente receives a melding.
//! - [`vrijstelling`]: exemptions and their overlap with a melding.
//! - [`report`]: the maandrapportage counts.
//! - [`retention`]: when a closed melding is due for schoning.

pub mod codes;
pub mod dayspec;
pub mod lifecycle;
pub mod melding;
pub mod report;
pub mod retention;
pub mod routing;
pub mod terugmelding;
pub mod vrijstelling;

pub use codes::{
    ClosingExplanation, ClosingReason, MeldingStatus, Priority, Verzuimsoort, WithdrawReason,
};
pub use dayspec::{DaySpecEntry, DaySpecification};
pub use lifecycle::{Party, Transition, TransitionError};
pub use melding::{Address, FieldErrors, MeldingInput, NewMelding, ValidationContext};
pub use report::{MonthlyCount, MonthlyReport};
pub use retention::RetentionPolicy;
pub use routing::{Routing, RoutingSource};
pub use terugmelding::{Terugmelding, TerugmeldingInput};
pub use vrijstelling::{Vrijstelling, VrijstellingInput};

/// Formats a meldingsnummer from the database's sequence number: `VM` and nine digits,
/// e.g. `VM000001234`. Unique because the sequence is; readable over the phone.
pub fn meldingsnummer(sequence: i64) -> String {
    format!("VM{sequence:09}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meldingsnummer_is_vm_and_nine_digits() {
        assert_eq!(meldingsnummer(1234), "VM000001234");
        assert_eq!(meldingsnummer(123_456_789), "VM123456789");
    }
}
