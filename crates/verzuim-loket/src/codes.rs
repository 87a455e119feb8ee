//! DUO's code lists for the melding and the terugmelding, as data: each value has its code
//! (what travels in messages and the database) and its Dutch label (what people read).
//!
//! Sources: research/duo-and-law.md §1.3 (the Verzuimsoort and StatusMeldingRelatiefVerzuim
//! enums of DUO's VSV webservice, still in use per DUO's 2023 news on vrijstellingen), §1.4
//! (Besluit Verzuimmelding, Bijlage: the 3 statuses, 7 reasons and 3 explanations of the
//! gemeente) and §1.5 (art. 14 h Besluit register onderwijsdeelnemers: a priority with
//! "actie gewenst").

use serde::{Deserialize, Serialize};
use verzuim_domain::ValidationError;

/// Declares a code list: an enum whose values each carry a code and a Dutch label, with
/// `code()`, `label()`, `parse()` and `ALL`.
macro_rules! code_list {
    (
        $(#[$meta:meta])*
        $name:ident, $field:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $label:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in the order of the list.
            pub const ALL: &'static [Self] = &[ $( Self::$variant, )+ ];

            /// The code as stored and sent.
            pub fn code(self) -> &'static str {
                match self { $( Self::$variant => $code, )+ }
            }

            /// The Dutch label.
            pub fn label(self) -> &'static str {
                match self { $( Self::$variant => $label, )+ }
            }

            /// Parses a code (case-insensitive, surrounding spaces ignored).
            pub fn parse(input: &str) -> Result<Self, ValidationError> {
                let t = input.trim();
                Self::ALL
                    .iter()
                    .copied()
                    .find(|v| v.code().eq_ignore_ascii_case(t))
                    .ok_or_else(|| {
                        let allowed: Vec<&str> = Self::ALL.iter().map(|v| v.code()).collect();
                        ValidationError::new(
                            $field,
                            format!("'{t}' is geen geldige waarde; kies uit {}", allowed.join(", ")),
                        )
                    })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.label())
            }
        }

        impl TryFrom<String> for $name {
            type Error = ValidationError;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                Self::parse(&value)
            }
        }

        impl From<$name> for String {
            fn from(value: $name) -> Self {
                value.code().to_owned()
            }
        }
    };
}

code_list! {
    /// Soort verzuim (DUO `Verzuimsoort`). V1/V2 belong to the pre-2009 regime; the loket
    /// accepts the five kinds of DUO's current page (research §1.2) and V4, the 16-uur melding
    /// for 18+ that many gemeenten agree with their schools.
    Verzuimsoort, "soort" {
        /// 16 uur ongeoorloofd verzuim in 4 opeenvolgende lesweken (Leerplichtwet art. 21a).
        ZestienUur = "V3", "16 uur in 4 weken";
        /// The same for a student of 18 or older (optional by law).
        ZestienUurVolwassen = "V4", "16 uur in 4 weken (18+)";
        /// Langdurig relatief verzuim: more than 4 weeks absent without leave.
        Lrv = "LRV", "Langdurig relatief verzuim";
        /// RMC: no longer under the Leerplichtwet, under 23, no startkwalificatie (WEB 8.1.8a).
        Rmc = "RMC", "RMC-verzuim (18+)";
        /// Luxe verzuim: holiday outside the school holidays without leave.
        Luxe = "L", "Luxe verzuim";
        /// Overig verzuim: below the thresholds, reported by choice.
        Overig = "O", "Overig verzuim";
    }
}

impl Verzuimsoort {
    /// Whether the end date is required once known (16 uur, LRV, RMC: research §1.2).
    pub fn end_date_required(self) -> bool {
        matches!(
            self,
            Self::ZestienUur | Self::ZestienUurVolwassen | Self::Lrv | Self::Rmc
        )
    }

    /// The "vermoedelijke soort verzuim" of the Besluit Verzuimmelding (Bijlage) it maps to.
    pub fn besluit_label(self) -> &'static str {
        match self {
            Self::ZestienUur | Self::ZestienUurVolwassen => {
                "ongeoorloofd verzuim van in totaal zestien uren in vier opeenvolgende lesweken"
            }
            Self::Lrv | Self::Rmc => "ongeoorloofd verzuim van 1 maand of langer",
            Self::Luxe => "luxe verzuim",
            Self::Overig => "signaal verzuim",
        }
    }
}

code_list! {
    /// Status of a melding (DUO `StatusMeldingRelatiefVerzuim`; `W` and `D` are not used by
    /// the loket: `W` is client-only, forwarding to another gemeente is not built).
    MeldingStatus, "status" {
        /// Geregistreerd: received, not yet picked up by the gemeente.
        Geregistreerd = "R", "Geregistreerd";
        /// In behandeling bij de gemeente.
        InBehandeling = "B", "In behandeling";
        /// Afgesloten door de gemeente, with a reason.
        Afgesloten = "G", "Afgesloten";
        /// Ter kennisneming aangenomen door de gemeente.
        TerKennisneming = "K", "Ter kennisneming aangenomen";
        /// Ingetrokken: by the school, or because of a vrijstelling.
        Ingetrokken = "I", "Ingetrokken";
    }
}

impl MeldingStatus {
    /// Whether the melding is finished (no party can change its status any more); the
    /// retention clock runs from the moment it became so.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Self::Afgesloten | Self::TerKennisneming | Self::Ingetrokken
        )
    }
}

code_list! {
    /// Reden melding afgesloten: the 7 of the Besluit Verzuimmelding (Bijlage).
    ClosingReason, "reden afsluiting" {
        /// Terug naar school, opleiding hervat.
        TerugNaarSchool = "TERUG", "Terug naar school, opleiding hervat";
        /// Inschrijving beëindigd, andere opleiding.
        AndereOpleiding = "OPLEIDING", "Inschrijving beëindigd, andere opleiding";
        /// Inschrijving beëindigd, werk.
        Werk = "WERK", "Inschrijving beëindigd, werk";
        /// Inschrijving beëindigd, overige redenen.
        OverigeRedenen = "OVERIG", "Inschrijving beëindigd, overige redenen";
        /// Inschrijving beëindigd, leerling overleden.
        Overleden = "OVERLEDEN", "Inschrijving beëindigd, leerling overleden";
        /// Geen verzuim, langdurig ziek.
        LangdurigZiek = "ZIEK", "Geen verzuim, langdurig ziek";
        /// Geen verzuim, legitiem afwezig.
        LegitiemAfwezig = "LEGITIEM", "Geen verzuim, legitiem afwezig";
    }
}

code_list! {
    /// Toelichting afsluiting melding: the 3 of the Besluit Verzuimmelding (Bijlage).
    ClosingExplanation, "toelichting" {
        /// Leerling/deelnemer is gezien door gemeente.
        Gezien = "GEZIEN", "Leerling/deelnemer is gezien door gemeente";
        /// Er wordt actie ondernomen richting leerling/deelnemer door gemeente.
        ActieOndernomen = "ACTIE", "Er wordt actie ondernomen richting leerling/deelnemer door gemeente";
        /// Er loopt geen actie meer richting leerling/deelnemer.
        GeenActie = "GEEN_ACTIE", "Er loopt geen actie meer richting leerling/deelnemer";
    }
}

code_list! {
    /// Reden ingetrokken (DUO `RedenIngetrokken`; `V` per DUO's news on vrijstellingen).
    WithdrawReason, "reden intrekking" {
        /// Withdrawn by the school.
        DoorSchool = "S", "Ingetrokken door de school";
        /// Withdrawn because the student has a vrijstelling for the period.
        Vrijstelling = "V", "Vrijstelling";
    }
}

code_list! {
    /// Prioriteit of "actie door gemeente gewenst" (art. 14 h Besluit register
    /// onderwijsdeelnemers: "onder vermelding van de prioriteit daarvan").
    Priority, "prioriteit" {
        /// Urgent: act within days.
        Hoog = "HOOG", "Hoog";
        /// The usual.
        Normaal = "NORMAAL", "Normaal";
        /// When there is time.
        Laag = "LAAG", "Laag";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips() {
        for v in Verzuimsoort::ALL {
            assert_eq!(Verzuimsoort::parse(v.code()).ok(), Some(*v));
        }
        for v in MeldingStatus::ALL {
            assert_eq!(
                MeldingStatus::parse(&v.code().to_lowercase()).ok(),
                Some(*v)
            );
        }
        assert_eq!(
            ClosingReason::ALL.len(),
            7,
            "Besluit Verzuimmelding: 7 redenen"
        );
        assert_eq!(
            ClosingExplanation::ALL.len(),
            3,
            "Besluit Verzuimmelding: 3 toelichtingen"
        );
    }

    #[test]
    fn unknown_code_names_field_and_choices() {
        let e = Verzuimsoort::parse("V9").err();
        assert_eq!(e.as_ref().map(|e| e.field.as_str()), Some("soort"));
        assert!(e.is_some_and(|e| e.reason.contains("V3, V4, LRV, RMC, L, O")));
    }

    #[test]
    fn end_date_required_for_16_uur_lrv_rmc_only() {
        let required: Vec<_> = Verzuimsoort::ALL
            .iter()
            .filter(|s| s.end_date_required())
            .map(|s| s.code())
            .collect();
        assert_eq!(required, ["V3", "V4", "LRV", "RMC"]);
    }
}
