//! Vrijstellingen: the gemeente's register of exemptions (Leerplichtwet art. 5, 11, 15; DUO:
//! gemeenten register vrijstellingen, research §1.1). A melding whose period overlaps a
//! registered vrijstelling of the same student is withdrawn with reason `V` (DUO's news
//! "Omzetting status verzuimmelding bij vrijstelling").

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use verzuim_domain::PersonalNumber;

use crate::melding::{FieldErrors, date, optional_date, required_text};

/// A vrijstelling as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct VrijstellingInput {
    /// BSN or onderwijsnummer.
    pub student_number: String,
    /// First day.
    pub from: String,
    /// Last day (empty: open-ended).
    pub until: String,
    /// The legal ground, e.g. "art. 5 onder a Leerplichtwet 1969".
    pub article: String,
}

/// A validated vrijstelling.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Vrijstelling {
    /// The student.
    pub student_number: PersonalNumber,
    /// First day.
    pub from: NaiveDate,
    /// Last day, or open-ended.
    pub until: Option<NaiveDate>,
    /// The legal ground.
    pub article: String,
}

impl VrijstellingInput {
    /// Checks every field.
    pub fn validate(&self) -> Result<Vrijstelling, FieldErrors> {
        let mut e = FieldErrors::default();
        let student_number = e.take(PersonalNumber::parse_field(
            "student_number",
            &self.student_number,
        ));
        let from = e.take(date("from", &self.from));
        let until = e.take(optional_date("until", &self.until)).flatten();
        let article = e.take(required_text("article", &self.article, 200));
        if let (Some(f), Some(u)) = (from, until)
            && u < f
        {
            e.push("until", "de einddatum ligt voor de begindatum");
        }
        match (student_number, from, article) {
            (Some(student_number), Some(from), Some(article)) if e.is_empty() => Ok(Vrijstelling {
                student_number,
                from,
                until,
                article,
            }),
            _ => Err(e),
        }
    }
}

impl Vrijstelling {
    /// Whether the melding period `begin..=end` (open when `end` is `None`) overlaps this
    /// exemption.
    pub fn overlaps(&self, begin: NaiveDate, end: Option<NaiveDate>) -> bool {
        let starts_before_we_end = self.until.is_none_or(|u| begin <= u);
        let ends_after_we_start = end.is_none_or(|e| e >= self.from);
        starts_before_we_end && ends_after_we_start
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    fn v(from: &str, until: Option<&str>) -> Vrijstelling {
        Vrijstelling {
            student_number: PersonalNumber::parse("123456782")
                .unwrap_or(PersonalNumber::Bsn(String::new())),
            from: day(from),
            until: until.map(day),
            article: "art. 5 onder a".into(),
        }
    }

    #[test]
    fn overlap_includes_touching_days_and_open_ends() {
        let x = v("2026-10-01", Some("2026-10-31"));
        assert!(x.overlaps(day("2026-10-31"), Some(day("2026-11-05"))));
        assert!(x.overlaps(day("2026-09-01"), Some(day("2026-10-01"))));
        assert!(!x.overlaps(day("2026-11-01"), None));
        assert!(!x.overlaps(day("2026-09-01"), Some(day("2026-09-30"))));
        assert!(x.overlaps(day("2026-09-01"), None));
        assert!(v("2026-10-01", None).overlaps(day("2027-05-01"), Some(day("2027-05-02"))));
    }

    #[test]
    fn input_is_checked() {
        let e = VrijstellingInput {
            student_number: "1".into(),
            from: "2026-10-01".into(),
            until: "2026-09-01".into(),
            article: String::new(),
        }
        .validate()
        .err()
        .unwrap_or_default();
        for f in ["student_number", "until", "article"] {
            assert!(e.get(f).is_some(), "{f}: {e}");
        }
    }
}
