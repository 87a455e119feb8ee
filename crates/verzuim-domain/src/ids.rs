//! Identifiers from Dutch registers: BSN / onderwijsnummer, BRIN, CBS gemeentecode.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::ValidationError;

/// The 11-proef weighted sum of nine digits with weights 9..2 and -1
/// (research/data-formats.md §3.3).
fn eleven_test_sum(digits: &[u8; 9]) -> i64 {
    let weights = [9, 8, 7, 6, 5, 4, 3, 2, -1];
    digits
        .iter()
        .zip(weights)
        .map(|(d, w)| i64::from(*d) * w)
        .sum()
}

fn nine_digits(field: &str, input: &str) -> Result<[u8; 9], ValidationError> {
    let trimmed = input.trim();
    if trimmed.len() != 9 || !trimmed.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ValidationError::new(
            field,
            format!("'{trimmed}' is geen nummer van precies 9 cijfers"),
        ));
    }
    let mut digits = [0u8; 9];
    for (slot, byte) in digits.iter_mut().zip(trimmed.bytes()) {
        *slot = byte - b'0';
    }
    Ok(digits)
}

/// A student's persoonsgebonden nummer: the BSN, or DUO's onderwijsnummer when there is no BSN.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum PersonalNumber {
    /// Burgerservicenummer: 9 digits, weighted sum mod 11 = 0.
    Bsn(String),
    /// Onderwijsnummer: 9 digits starting with `10`, weighted sum mod 11 = 5.
    Onderwijsnummer(String),
}

impl PersonalNumber {
    /// Parses a BSN or onderwijsnummer, telling which by the 11-proef
    /// (research/data-formats.md §3.3).
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        Self::parse_field("persoonsnummer", input)
    }

    /// Like [`PersonalNumber::parse`], naming `field` in the error.
    pub fn parse_field(field: &str, input: &str) -> Result<Self, ValidationError> {
        let digits = nine_digits(field, input)?;
        let sum = eleven_test_sum(&digits);
        let text = input.trim().to_owned();
        if digits[0] == 1 && digits[1] == 0 && sum.rem_euclid(11) == 5 {
            return Ok(Self::Onderwijsnummer(text));
        }
        if sum.rem_euclid(11) == 0 && text != "000000000" {
            return Ok(Self::Bsn(text));
        }
        Err(ValidationError::new(
            field,
            format!("'{text}' is geen geldig BSN of onderwijsnummer (de 11-proef klopt niet)"),
        ))
    }

    /// The nine digits.
    pub fn as_str(&self) -> &str {
        match self {
            Self::Bsn(n) | Self::Onderwijsnummer(n) => n,
        }
    }

    /// Dutch name of the kind of number.
    pub fn kind_label(&self) -> &'static str {
        match self {
            Self::Bsn(_) => "BSN",
            Self::Onderwijsnummer(_) => "onderwijsnummer",
        }
    }
}

impl fmt::Display for PersonalNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PersonalNumber {
    type Err = ValidationError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for PersonalNumber {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<PersonalNumber> for String {
    fn from(value: PersonalNumber) -> Self {
        value.as_str().to_owned()
    }
}

/// BRIN (instellingscode): 2 digits and 2 capital letters, e.g. `12AB`
/// (research/data-formats.md §3.4).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Brin(String);

impl Brin {
    /// Parses a BRIN; lower-case letters are accepted and upper-cased.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let text = input.trim().to_ascii_uppercase();
        let bytes = text.as_bytes();
        let ok = bytes.len() == 4
            && bytes[..2].iter().all(u8::is_ascii_digit)
            && bytes[2..].iter().all(u8::is_ascii_uppercase);
        if ok {
            Ok(Self(text))
        } else {
            Err(ValidationError::new(
                "brin",
                format!(
                    "'{}' is geen BRIN: verwacht 2 cijfers en 2 letters, zoals 12AB",
                    input.trim()
                ),
            ))
        }
    }

    /// The four characters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Brin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Brin {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Brin> for String {
    fn from(value: Brin) -> Self {
        value.0
    }
}

/// CBS gemeentecode: four digits (CBS writes `GM0935`; both forms are accepted).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Gemeentecode(String);

impl Gemeentecode {
    /// Parses `0935` or `GM0935`.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let trimmed = input.trim();
        let digits = trimmed
            .strip_prefix("GM")
            .or_else(|| trimmed.strip_prefix("gm"))
            .unwrap_or(trimmed);
        if digits.len() == 4 && digits.bytes().all(|b| b.is_ascii_digit()) && digits != "0000" {
            Ok(Self(digits.to_owned()))
        } else {
            Err(ValidationError::new(
                "gemeentecode",
                format!("'{trimmed}' is geen CBS-gemeentecode: verwacht 4 cijfers, zoals 0935"),
            ))
        }
    }

    /// The four digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Gemeentecode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for Gemeentecode {
    type Error = ValidationError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Gemeentecode> for String {
    fn from(value: Gemeentecode) -> Self {
        value.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn known_valid_bsns_pass_the_eleven_test() {
        for n in ["999996708", "999996630", "111222333"] {
            assert!(
                matches!(PersonalNumber::parse(n), Ok(PersonalNumber::Bsn(_))),
                "{n}"
            );
        }
    }

    #[test]
    fn bsn_failing_the_eleven_test_is_refused_with_the_field_named() {
        let err = PersonalNumber::parse_field("bsn", "999998620").unwrap_err();
        assert_eq!(err.field, "bsn");
        assert!(err.reason.contains("11-proef"));
    }

    #[test]
    fn onderwijsnummer_is_recognised_by_remainder_five() {
        assert!(matches!(
            PersonalNumber::parse("101222331"),
            Ok(PersonalNumber::Onderwijsnummer(_))
        ));
    }

    #[test]
    fn wrong_length_and_letters_are_refused() {
        assert!(PersonalNumber::parse("12345678").is_err());
        assert!(PersonalNumber::parse("12345678a").is_err());
        assert!(PersonalNumber::parse("000000000").is_err());
    }

    #[test]
    fn brin_is_two_digits_two_letters() {
        assert_eq!(Brin::parse("12ab").unwrap().as_str(), "12AB");
        assert!(Brin::parse("1AB2").is_err());
        assert!(Brin::parse("12ABC").is_err());
    }

    #[test]
    fn gemeentecode_accepts_the_cbs_prefix() {
        assert_eq!(Gemeentecode::parse("GM0935").unwrap().as_str(), "0935");
        assert_eq!(Gemeentecode::parse("0363").unwrap().as_str(), "0363");
        assert!(Gemeentecode::parse("935").is_err());
    }

    proptest! {
        #[test]
        fn every_nine_digit_string_is_either_refused_or_round_trips(n in 0u32..1_000_000_000) {
            let text = format!("{n:09}");
            if let Ok(p) = PersonalNumber::parse(&text) {
                prop_assert_eq!(p.as_str(), text.as_str());
                let digits = nine_digits("x", &text).unwrap();
                let rem = eleven_test_sum(&digits).rem_euclid(11);
                prop_assert!(rem == 0 || rem == 5);
            }
        }
    }
}
