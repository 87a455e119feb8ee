//! The terugmelding: the gemeente's answer to a melding (Besluit Verzuimmelding, Bijlage,
//! "door de gemeente te verstrekken gegevens"; research §1.4): status, reden afsluiting (when
//! closed), toelichting afsluiting, and the gemeentelijke contactpersoon.

use serde::{Deserialize, Serialize};
use verzuim_domain::ValidationError;

use crate::codes::{ClosingExplanation, ClosingReason, MeldingStatus};
use crate::melding::{FieldErrors, email, phone, required_text};

/// The terugmelding as typed, as text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct TerugmeldingInput {
    /// `B`, `G` or `K`.
    pub status: String,
    /// A [`ClosingReason`] code; required with `G`.
    pub closing_reason: String,
    /// A [`ClosingExplanation`] code; required with `G` and `K`.
    pub explanation: String,
    /// Contactpersoon: naam.
    pub contact_name: String,
    /// Contactpersoon: functie.
    pub contact_function: String,
    /// Contactpersoon: telefoon.
    pub contact_phone: String,
    /// Contactpersoon: e-mail.
    pub contact_email: String,
}

/// A validated terugmelding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Terugmelding {
    /// In behandeling, afgesloten or ter kennisneming aangenomen.
    pub status: MeldingStatus,
    /// Why it was closed (only with afgesloten).
    pub closing_reason: Option<ClosingReason>,
    /// Toelichting afsluiting (with afgesloten and ter kennisneming).
    pub explanation: Option<ClosingExplanation>,
    /// Contactpersoon: naam.
    pub contact_name: String,
    /// Contactpersoon: functie.
    pub contact_function: String,
    /// Contactpersoon: telefoon (normalised).
    pub contact_phone: String,
    /// Contactpersoon: e-mail.
    pub contact_email: String,
}

impl TerugmeldingInput {
    /// Checks every field; the status transition itself is checked by
    /// [`crate::Transition::check`] against the melding's current status.
    pub fn validate(&self) -> Result<Terugmelding, FieldErrors> {
        let mut e = FieldErrors::default();
        let status = e.take(
            MeldingStatus::parse(&self.status)
                .and_then(|s| {
                    if matches!(
                        s,
                        MeldingStatus::InBehandeling
                            | MeldingStatus::Afgesloten
                            | MeldingStatus::TerKennisneming
                    ) {
                        Ok(s)
                    } else {
                        Err(ValidationError::new(
                            "status",
                            "kies in behandeling, afgesloten of ter kennisneming aangenomen",
                        ))
                    }
                })
                .map_err(|x| ValidationError::new("status", x.reason)),
        );
        let mut closing_reason = None;
        let mut explanation = None;
        if matches!(status, Some(MeldingStatus::Afgesloten)) {
            closing_reason = e.take(if self.closing_reason.trim().is_empty() {
                Err(ValidationError::new(
                    "closing_reason",
                    "kies de reden van afsluiten",
                ))
            } else {
                ClosingReason::parse(&self.closing_reason)
                    .map_err(|x| ValidationError::new("closing_reason", x.reason))
            });
        } else if !self.closing_reason.trim().is_empty() {
            e.push(
                "closing_reason",
                "een reden van afsluiten hoort alleen bij 'afgesloten'",
            );
        }
        if matches!(
            status,
            Some(MeldingStatus::Afgesloten | MeldingStatus::TerKennisneming)
        ) {
            explanation = e.take(if self.explanation.trim().is_empty() {
                Err(ValidationError::new(
                    "explanation",
                    "kies een toelichting bij het afsluiten",
                ))
            } else {
                ClosingExplanation::parse(&self.explanation)
                    .map_err(|x| ValidationError::new("explanation", x.reason))
            });
        } else if !self.explanation.trim().is_empty() {
            explanation = e.take(
                ClosingExplanation::parse(&self.explanation)
                    .map_err(|x| ValidationError::new("explanation", x.reason)),
            );
        }
        let contact_name = e.take(required_text("contact_name", &self.contact_name, 100));
        let contact_function = e.take(required_text(
            "contact_function",
            &self.contact_function,
            60,
        ));
        let contact_phone = e.take(phone("contact_phone", &self.contact_phone));
        let contact_email = e.take(email("contact_email", &self.contact_email));
        match (
            status,
            contact_name,
            contact_function,
            contact_phone,
            contact_email,
        ) {
            (
                Some(status),
                Some(contact_name),
                Some(contact_function),
                Some(contact_phone),
                Some(contact_email),
            ) if e.is_empty() => Ok(Terugmelding {
                status,
                closing_reason,
                explanation,
                contact_name,
                contact_function,
                contact_phone,
                contact_email,
            }),
            _ => Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn closing() -> TerugmeldingInput {
        TerugmeldingInput {
            status: "G".into(),
            closing_reason: "TERUG".into(),
            explanation: "GEZIEN".into(),
            contact_name: "M. Jansen".into(),
            contact_function: "Leerplichtambtenaar".into(),
            contact_phone: "043 350 00 00".into(),
            contact_email: "leerplicht@maastricht.nl".into(),
        }
    }

    #[test]
    fn closing_needs_reason_and_explanation() {
        assert!(closing().validate().is_ok());
        let mut t = closing();
        t.closing_reason.clear();
        assert!(
            t.validate()
                .err()
                .is_some_and(|e| e.get("closing_reason").is_some())
        );
        let mut t = closing();
        t.explanation.clear();
        assert!(
            t.validate()
                .err()
                .is_some_and(|e| e.get("explanation").is_some())
        );
    }

    #[test]
    fn in_behandeling_takes_no_closing_reason() {
        let mut t = closing();
        t.status = "B".into();
        t.explanation.clear();
        assert!(
            t.validate()
                .err()
                .is_some_and(|e| e.get("closing_reason").is_some())
        );
        t.closing_reason.clear();
        assert_eq!(
            t.validate().ok().map(|t| t.status),
            Some(MeldingStatus::InBehandeling)
        );
    }

    #[test]
    fn gemeente_cannot_set_registered_or_withdrawn() {
        for s in ["R", "I", "X"] {
            let mut t = closing();
            t.status = s.into();
            assert!(
                t.validate()
                    .err()
                    .is_some_and(|e| e.get("status").is_some()),
                "{s}"
            );
        }
    }
}
