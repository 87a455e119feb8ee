//! The absence-code table (absentiecodes): per code, whether it is authorized, what kind of
//! event it records, whether it counts toward the legal hours and whether it needs follow-up.

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// What a registration with this code records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AbsenceKind {
    /// Not in the lesson.
    Absent,
    /// Came late.
    Late,
    /// Removed from the lesson (uit de les verwijderd).
    Removal,
    /// Elsewhere with the school's knowledge (stage, extra activity, care team).
    Other,
}

impl AbsenceKind {
    /// Stable code for storage and import.
    pub fn code(self) -> &'static str {
        match self {
            Self::Absent => "absent",
            Self::Late => "late",
            Self::Removal => "removal",
            Self::Other => "other",
        }
    }

    /// Dutch label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Absent => "afwezig",
            Self::Late => "te laat",
            Self::Removal => "verwijderd",
            Self::Other => "elders",
        }
    }

    /// Parses a kind code (English code or Dutch label).
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let lower = input.trim().to_lowercase();
        [Self::Absent, Self::Late, Self::Removal, Self::Other]
            .into_iter()
            .find(|k| k.code() == lower || k.label() == lower)
            .ok_or_else(|| {
                ValidationError::new(
                    "soort",
                    format!(
                        "'{}' is geen soort: kies afwezig, te laat, verwijderd of elders",
                        input.trim()
                    ),
                )
            })
    }
}

/// One absence code of a school's table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AbsenceCode {
    /// Short code, e.g. `ZK`; 1 to 4 capital letters or digits.
    pub code: String,
    /// Dutch description, e.g. "ziek".
    pub description: String,
    /// Geoorloofd (Leerplichtwet art. 11) or not.
    pub authorized: bool,
    /// What the code records.
    pub kind: AbsenceKind,
    /// Whether the missed time counts toward the legal hours (16 uur in 4 weken).
    pub counts_toward_legal_hours: bool,
    /// Whether someone must act on it (replace ON, talk to the student, ...).
    pub needs_follow_up: bool,
}

impl AbsenceCode {
    /// Checks the code's shape and description.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let ok = (1..=4).contains(&self.code.len())
            && self
                .code
                .bytes()
                .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        if !ok {
            return Err(ValidationError::new(
                "code",
                format!(
                    "'{}' is geen code: 1 tot 4 hoofdletters of cijfers",
                    self.code
                ),
            ));
        }
        if self.description.trim().is_empty() {
            return Err(ValidationError::new("omschrijving", "is leeg"));
        }
        Ok(())
    }
}

/// A school's absence-code table.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CodeTable {
    codes: Vec<AbsenceCode>,
}

impl CodeTable {
    /// Builds a table, checking each code and that no code appears twice.
    pub fn new(codes: Vec<AbsenceCode>) -> Result<Self, ValidationError> {
        for (i, c) in codes.iter().enumerate() {
            c.validate()?;
            if codes[..i].iter().any(|o| o.code == c.code) {
                return Err(ValidationError::new(
                    "code",
                    format!("code '{}' komt twee keer voor", c.code),
                ));
            }
        }
        Ok(Self { codes })
    }

    /// The Magister-style default set of seed 004 §2.2 (VMBO Maastricht). `ON` (onbekend)
    /// counts as unauthorized until replaced, as the seed says; `IB` (in behandeling) is
    /// treated the same way because the absence is not yet accounted for.
    pub fn magister_default() -> Self {
        use AbsenceKind::{Absent, Late, Other, Removal};
        let c = |code: &str, description: &str, authorized, kind, counts, follow_up| AbsenceCode {
            code: code.to_owned(),
            description: description.to_owned(),
            authorized,
            kind,
            counts_toward_legal_hours: counts,
            needs_follow_up: follow_up,
        };
        Self {
            codes: vec![
                c("BZ", "begeleiding zorgteam", true, Other, false, false),
                c("DV", "diverse", true, Absent, false, true),
                c("EA", "extra activiteit", true, Other, false, false),
                c("UI", "lesverwijdering", true, Removal, false, true),
                c("MB", "medische begeleiding", true, Absent, false, false),
                c("ON", "onbekend", false, Absent, true, true),
                c("SC", "schorsing", true, Absent, false, false),
                c("SP", "spijbelen", false, Absent, true, true),
                c("SA", "spijbelen afgehandeld", false, Absent, true, false),
                c("ST", "stage", true, Other, false, false),
                c("TG", "te laat geoorloofd", true, Late, false, false),
                c("TH", "thuisplaatsing", true, Absent, false, true),
                c("TO", "te laat ongeoorloofd", false, Late, false, true),
                c("VE", "verlof", true, Absent, false, false),
                c("VP", "vervoersprobleem", true, Absent, false, false),
                c("ZK", "ziek", true, Absent, false, false),
                c("IB", "in behandeling", false, Absent, true, true),
            ],
        }
    }

    /// Looks a code up.
    pub fn get(&self, code: &str) -> Option<&AbsenceCode> {
        self.codes.iter().find(|c| c.code == code)
    }

    /// Looks a code up, or says it is not in the table.
    pub fn require(&self, field: &str, code: &str) -> Result<&AbsenceCode, ValidationError> {
        self.get(code.trim()).ok_or_else(|| {
            ValidationError::new(
                field,
                format!("'{}' staat niet in de codetabel", code.trim()),
            )
        })
    }

    /// All codes, in table order.
    pub fn codes(&self) -> &[AbsenceCode] {
        &self.codes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_table_is_valid_and_has_the_seventeen_seed_codes() {
        let t = CodeTable::magister_default();
        assert_eq!(t.codes().len(), 17);
        assert!(CodeTable::new(t.codes().to_vec()).is_ok());
    }

    #[test]
    fn unknown_code_on_counts_as_unauthorized_seed_004_2_2() {
        let t = CodeTable::magister_default();
        let on = t.get("ON").unwrap();
        assert!(!on.authorized && on.counts_toward_legal_hours && on.needs_follow_up);
    }

    #[test]
    fn sickness_is_authorized_and_does_not_count() {
        let zk = CodeTable::magister_default().get("ZK").cloned().unwrap();
        assert!(zk.authorized && !zk.counts_toward_legal_hours);
    }

    #[test]
    fn duplicate_and_malformed_codes_are_refused() {
        let mut codes = CodeTable::magister_default().codes().to_vec();
        codes.push(codes[0].clone());
        assert!(CodeTable::new(codes).is_err());
        let mut bad = CodeTable::magister_default().codes()[0].clone();
        bad.code = "zk".into();
        assert_eq!(bad.validate().unwrap_err().field, "code");
    }
}
