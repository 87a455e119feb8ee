//! A school (instelling by BRIN), its sector and its teaching locations.

use serde::{Deserialize, Serialize};

use crate::{Brin, Region, ValidationError};

/// Education sector; it decides the counting unit of the 16-hour rule later on
/// (research/duo-and-law.md §1.2, research/data-formats.md §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sector {
    /// Primair onderwijs.
    Po,
    /// Speciaal onderwijs.
    So,
    /// Voortgezet onderwijs.
    Vo,
    /// Voortgezet speciaal onderwijs.
    Vso,
    /// Middelbaar beroepsonderwijs.
    Mbo,
}

impl Sector {
    /// All sectors, in the order people list them.
    pub const ALL: [Sector; 5] = [Self::Po, Self::So, Self::Vo, Self::Vso, Self::Mbo];

    /// The short code stored and imported (`po`, `vo`, ...).
    pub fn code(self) -> &'static str {
        match self {
            Self::Po => "po",
            Self::So => "so",
            Self::Vo => "vo",
            Self::Vso => "vso",
            Self::Mbo => "mbo",
        }
    }

    /// Dutch label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Po => "primair onderwijs",
            Self::So => "speciaal onderwijs",
            Self::Vo => "voortgezet onderwijs",
            Self::Vso => "voortgezet speciaal onderwijs",
            Self::Mbo => "middelbaar beroepsonderwijs",
        }
    }

    /// Parses a sector code, case-insensitively.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let lower = input.trim().to_ascii_lowercase();
        Self::ALL
            .into_iter()
            .find(|s| s.code() == lower)
            .ok_or_else(|| {
                ValidationError::new(
                    "sector",
                    format!(
                        "'{}' is geen sector: kies po, so, vo, vso of mbo",
                        input.trim()
                    ),
                )
            })
    }
}

/// A teaching location (vestiging/leslocatie) of a school.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Location {
    /// Short code, unique within the school (e.g. the vestigingsnummer `00`).
    pub code: String,
    /// Name as the school and the loket show it.
    pub name: String,
}

/// A school: one BRIN, one sector, one holiday region, one or more locations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct School {
    /// The instellingscode.
    pub brin: Brin,
    /// Name of the school.
    pub name: String,
    /// Sector of the school.
    pub sector: Sector,
    /// Holiday region the school follows.
    pub region: Region,
    /// Teaching locations.
    pub locations: Vec<Location>,
}

impl School {
    /// Builds a school, checking that it has a name and unique location codes.
    pub fn new(
        brin: Brin,
        name: &str,
        sector: Sector,
        region: Region,
        locations: Vec<Location>,
    ) -> Result<Self, ValidationError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(ValidationError::new(
                "naam",
                "de school heeft een naam nodig",
            ));
        }
        let mut codes: Vec<&str> = locations.iter().map(|l| l.code.as_str()).collect();
        codes.sort_unstable();
        if let Some(pair) = codes.windows(2).find(|w| w[0] == w[1]) {
            return Err(ValidationError::new(
                "locaties",
                format!("locatiecode '{}' komt twee keer voor", pair[0]),
            ));
        }
        Ok(Self {
            brin,
            name: name.to_owned(),
            sector,
            region,
            locations,
        })
    }
}
