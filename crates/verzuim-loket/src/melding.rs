//! The melding as a school files it: every field of the Besluit Verzuimmelding (Bijlage) and
//! of art. 13/14 Besluit register onderwijsdeelnemers (research/duo-and-law.md §1.4, §1.5),
//! with the maximum lengths of DUO's VSV webservice where known (§1.3: vermoedelijke reden
//! ≤ 200, melder naam ≤ 100, functie ≤ 60, e-mail ≤ 100).
//!
//! [`MeldingInput`] holds what came in (form fields or a machine message) as text;
//! [`MeldingInput::validate`] turns it into a [`NewMelding`] or a [`FieldErrors`] with one
//! Dutch message per field, named by the form field, so a page can show each message beside
//! its field. The person who files is not part of the input: the loket takes the reporter
//! from the contact person linked to the account (seed 000: "Alleen contactpersonen kunnen
//! verzuimmeldingen doen").

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use verzuim_domain::{Gemeentecode, PersonalNumber, ValidationError};

use crate::codes::{Priority, Verzuimsoort};

/// Longest "vermoedelijke reden" (VSV webservice: 200).
pub const MAX_REASON: usize = 200;
/// Longest free text for actions and explanations.
pub const MAX_TEXT: usize = 2000;
/// Longest name.
pub const MAX_NAME: usize = 100;

/// Every field of a melding as received, as text. Empty means "not given".
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct MeldingInput {
    /// BSN or onderwijsnummer (persoonsgebonden nummer).
    pub student_number: String,
    /// Voornamen.
    pub first_names: String,
    /// Tussenvoegsel(s).
    pub prefix: String,
    /// Geslachtsnaam.
    pub surname: String,
    /// Geboortedatum (`2012-03-04` or `04-03-2012`).
    pub birth_date: String,
    /// Geslacht: `M`, `V` or `X` (onbekend/anders).
    pub gender: String,
    /// CBS gemeentecode of residence as the school knows it.
    pub residence_gemeente: String,
    /// Startkwalificatie behaald: `ja`/`nee`.
    pub start_qualification: String,
    /// Soort verzuim: a [`Verzuimsoort`] code.
    pub kind: String,
    /// Begindatum verzuim.
    pub begin_date: String,
    /// Einddatum verzuim (when known).
    pub end_date: String,
    /// Vermoedelijke reden verzuim.
    pub suspected_reason: String,
    /// Alle lessen gemist: `ja`/`nee`.
    pub all_lessons_missed: String,
    /// Door school ondernomen actie.
    pub school_actions: String,
    /// Actie door gemeente gewenst: `ja`/`nee`.
    pub action_wanted: String,
    /// Prioriteit when action is wanted: a [`Priority`] code.
    pub priority: String,
    /// Toelichting when no action is wanted.
    pub no_action_explanation: String,
    /// Naam leslocatie (from the school's own list).
    pub location: String,
    /// Telefoonnummer ouder of leerling.
    pub parent_phone: String,
    /// Afwijkend adres: straat.
    pub address_street: String,
    /// Afwijkend adres: huisnummer.
    pub address_number: String,
    /// Afwijkend adres: huisletter.
    pub address_letter: String,
    /// Afwijkend adres: huisnummertoevoeging.
    pub address_addition: String,
    /// Afwijkend adres: postcode.
    pub address_postcode: String,
    /// Afwijkend adres: locatieaanduiding (e.g. "woonboot").
    pub address_location: String,
    /// Afwijkend adres: plaatsnaam.
    pub address_city: String,
    /// Verzuimspecificatie: number of absence days.
    pub absence_days: String,
    /// Verzuimspecificatie: number of absence hours.
    pub absence_hours: String,
}

/// What validation needs besides the input.
#[derive(Debug, Clone, Copy)]
pub struct ValidationContext<'a> {
    /// Today (no date may lie after it).
    pub today: NaiveDate,
    /// The names of the school's own locations.
    pub locations: &'a [String],
}

/// One message per refused field, in the order of the form.
#[derive(Debug, Clone, Default, PartialEq, Eq, thiserror::Error)]
#[error("{} veld(en) kloppen niet: {}", .0.len(), .0.iter().map(|e| e.to_string()).collect::<Vec<_>>().join("; "))]
pub struct FieldErrors(pub Vec<ValidationError>);

impl FieldErrors {
    /// The message for `field`, if it was refused.
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|e| e.field == field)
            .map(|e| e.reason.as_str())
    }

    /// Whether nothing was refused.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Adds a refusal.
    pub fn push(&mut self, field: &str, reason: impl Into<String>) {
        self.0.push(ValidationError::new(field, reason));
    }

    /// Keeps the value, or records its error and gives `None`.
    pub fn take<T>(&mut self, result: Result<T, ValidationError>) -> Option<T> {
        match result {
            Ok(v) => Some(v),
            Err(e) => {
                self.0.push(e);
                None
            }
        }
    }
}

/// An afwijkend (verblijf)adres: only when it differs from the BRP (Besluit art. 13).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Address {
    /// Straat.
    pub street: String,
    /// Huisnummer.
    pub number: u32,
    /// Huisletter.
    pub letter: Option<String>,
    /// Huisnummertoevoeging.
    pub addition: Option<String>,
    /// Postcode, normalised to `1234 AB`.
    pub postcode: String,
    /// Locatieaanduiding.
    pub location: Option<String>,
    /// Plaatsnaam.
    pub city: String,
}

/// A validated melding, ready to be numbered and stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewMelding {
    /// BSN or onderwijsnummer.
    pub student_number: PersonalNumber,
    /// Voornamen.
    pub first_names: String,
    /// Tussenvoegsel(s).
    pub prefix: Option<String>,
    /// Geslachtsnaam.
    pub surname: String,
    /// Geboortedatum.
    pub birth_date: NaiveDate,
    /// `M`, `V` or `X`.
    pub gender: String,
    /// Residence as the school sent it.
    pub residence_gemeente: Gemeentecode,
    /// Startkwalificatie behaald.
    pub start_qualification: bool,
    /// Soort verzuim.
    pub kind: Verzuimsoort,
    /// Begindatum.
    pub begin_date: NaiveDate,
    /// Einddatum, when known.
    pub end_date: Option<NaiveDate>,
    /// Vermoedelijke reden.
    pub suspected_reason: String,
    /// Alle lessen gemist.
    pub all_lessons_missed: bool,
    /// Door school ondernomen actie.
    pub school_actions: String,
    /// Actie door gemeente gewenst.
    pub action_wanted: bool,
    /// Prioriteit, when action is wanted.
    pub priority: Option<Priority>,
    /// Toelichting, when no action is wanted.
    pub no_action_explanation: Option<String>,
    /// Naam leslocatie.
    pub location: String,
    /// Telefoonnummer ouder of leerling, normalised (digits, leading `+` kept).
    pub parent_phone: String,
    /// Afwijkend adres.
    pub address: Option<Address>,
    /// Verzuimdagen.
    pub absence_days: Option<u32>,
    /// Verzuimuren.
    pub absence_hours: Option<u32>,
}

impl NewMelding {
    /// "Voornamen tussenvoegsel achternaam".
    pub fn full_name(&self) -> String {
        let mut parts = vec![self.first_names.as_str()];
        if let Some(p) = &self.prefix {
            parts.push(p);
        }
        parts.push(&self.surname);
        parts.join(" ")
    }
}

impl MeldingInput {
    /// Checks every field and gives the melding, or every refusal at once.
    pub fn validate(&self, ctx: &ValidationContext<'_>) -> Result<NewMelding, FieldErrors> {
        let mut e = FieldErrors::default();
        let student_number = e.take(
            filled("student_number", &self.student_number)
                .and_then(|t| PersonalNumber::parse_field("student_number", t)),
        );
        let first_names = e.take(required_text("first_names", &self.first_names, MAX_NAME));
        let prefix = e.take(optional_text("prefix", &self.prefix, 20)).flatten();
        let surname = e.take(required_text("surname", &self.surname, MAX_NAME));
        let birth_date = e.take(date("birth_date", &self.birth_date));
        let gender = match self.gender.trim().to_ascii_uppercase().as_str() {
            g @ ("M" | "V" | "X") => Some(g.to_owned()),
            "" => {
                e.push("gender", "vul het geslacht in (M, V of X)");
                None
            }
            other => {
                e.push(
                    "gender",
                    format!("'{other}' is geen geslacht: kies M, V of X"),
                );
                None
            }
        };
        let residence_gemeente = e.take(
            filled("residence_gemeente", &self.residence_gemeente)
                .and_then(|t| Gemeentecode::parse(t).map_err(|x| rename(x, "residence_gemeente"))),
        );
        let start_qualification = e.take(yes_no("start_qualification", &self.start_qualification));
        let kind = e.take(if self.kind.trim().is_empty() {
            Err(ValidationError::new("kind", "kies de soort verzuim"))
        } else {
            Verzuimsoort::parse(&self.kind).map_err(|x| rename(x, "kind"))
        });
        let begin_date = e.take(date("begin_date", &self.begin_date));
        let end_date = e.take(optional_date("end_date", &self.end_date)).flatten();
        let suspected_reason = e.take(required_text(
            "suspected_reason",
            &self.suspected_reason,
            MAX_REASON,
        ));
        let all_lessons_missed = e.take(yes_no("all_lessons_missed", &self.all_lessons_missed));
        let school_actions = e.take(required_text(
            "school_actions",
            &self.school_actions,
            MAX_TEXT,
        ));
        let action_wanted = e.take(yes_no("action_wanted", &self.action_wanted));
        let mut priority = None;
        let mut no_action_explanation = None;
        match action_wanted {
            Some(true) => {
                priority = e.take(if self.priority.trim().is_empty() {
                    Err(ValidationError::new(
                        "priority",
                        "kies de prioriteit van de gewenste actie",
                    ))
                } else {
                    Priority::parse(&self.priority).map_err(|x| rename(x, "priority"))
                });
            }
            Some(false) => {
                no_action_explanation = e
                    .take(
                        required_text(
                            "no_action_explanation",
                            &self.no_action_explanation,
                            MAX_TEXT,
                        )
                        .map_err(|x| {
                            ValidationError::new(
                                x.field,
                                if self.no_action_explanation.trim().is_empty() {
                                    "licht toe waarom geen actie van de gemeente gewenst is"
                                        .to_owned()
                                } else {
                                    x.reason
                                },
                            )
                        }),
                    )
                    .map(Some)
                    .unwrap_or(None);
            }
            None => {}
        }
        let location = match self.location.trim() {
            "" => {
                e.push("location", "kies de leslocatie");
                None
            }
            name => match ctx.locations.iter().find(|l| l.as_str() == name) {
                Some(l) => Some(l.clone()),
                None if ctx.locations.is_empty() => {
                    e.push(
                        "location",
                        "de school heeft nog geen locaties; voeg eerst een locatie toe bij 'Beheer locaties'",
                    );
                    None
                }
                None => {
                    e.push(
                        "location",
                        format!("'{name}' staat niet in de locaties van de school"),
                    );
                    None
                }
            },
        };
        let parent_phone = e.take(phone("parent_phone", &self.parent_phone));
        let address = e.take(self.address()).flatten();
        let absence_days = e
            .take(count("absence_days", &self.absence_days, 366))
            .flatten();
        let absence_hours = e
            .take(count("absence_hours", &self.absence_hours, 3000))
            .flatten();

        // Rules across fields.
        if birth_date.is_some_and(|b| b > ctx.today) {
            e.push("birth_date", "de geboortedatum ligt in de toekomst");
        }
        if let Some(begin) = begin_date {
            if begin > ctx.today {
                e.push("begin_date", "de begindatum ligt in de toekomst");
            }
            if let Some(b) = birth_date {
                let age = age_on(b, begin);
                if age < 5 {
                    e.push(
                        "birth_date",
                        format!("de leerling was op de begindatum {age} jaar: jonger dan 5 valt niet onder de Leerplichtwet"),
                    );
                } else if age >= 23 {
                    e.push(
                        "birth_date",
                        format!("de leerling was op de begindatum {age} jaar: vanaf 23 valt verzuim niet onder de Leerplichtwet of de RMC-regeling"),
                    );
                }
            }
        }
        if let Some(end) = end_date {
            if end > ctx.today {
                e.push("end_date", "de einddatum ligt in de toekomst");
            }
            if begin_date.is_some_and(|b| end < b) {
                e.push("end_date", "de einddatum ligt voor de begindatum");
            }
        }
        if matches!(
            kind,
            Some(Verzuimsoort::ZestienUur | Verzuimsoort::ZestienUurVolwassen)
        ) && end_date.is_none()
            && self.end_date.trim().is_empty()
        {
            e.push(
                "end_date",
                "vul de einddatum in: bij 16 uur in 4 weken is dat de dag waarop de 16 uur bereikt werden",
            );
        }
        if let (Some(k), Some(b), Some(begin)) = (kind, birth_date, begin_date) {
            let age = age_on(b, begin);
            if k == Verzuimsoort::ZestienUur && (18..23).contains(&age) {
                e.push(
                    "kind",
                    format!("de leerling was op de begindatum {age} jaar: kies 16 uur in 4 weken (18+), V4"),
                );
            } else if k == Verzuimsoort::ZestienUurVolwassen && age < 18 {
                e.push(
                    "kind",
                    format!(
                        "de leerling was op de begindatum {age} jaar: kies 16 uur in 4 weken, V3"
                    ),
                );
            }
        }
        if kind == Some(Verzuimsoort::Rmc) && start_qualification == Some(true) {
            e.push(
                "kind",
                "RMC-verzuim geldt alleen voor jongeren zonder startkwalificatie",
            );
        }

        match (
            student_number,
            first_names,
            surname,
            birth_date,
            gender,
            residence_gemeente,
            start_qualification,
            kind,
            begin_date,
            suspected_reason,
            all_lessons_missed,
            school_actions,
            action_wanted,
            location,
            parent_phone,
        ) {
            (
                Some(student_number),
                Some(first_names),
                Some(surname),
                Some(birth_date),
                Some(gender),
                Some(residence_gemeente),
                Some(start_qualification),
                Some(kind),
                Some(begin_date),
                Some(suspected_reason),
                Some(all_lessons_missed),
                Some(school_actions),
                Some(action_wanted),
                Some(location),
                Some(parent_phone),
            ) if e.is_empty() => Ok(NewMelding {
                student_number,
                first_names,
                prefix,
                surname,
                birth_date,
                gender,
                residence_gemeente,
                start_qualification,
                kind,
                begin_date,
                end_date,
                suspected_reason,
                all_lessons_missed,
                school_actions,
                action_wanted,
                priority,
                no_action_explanation,
                location,
                parent_phone,
                address,
                absence_days,
                absence_hours,
            }),
            _ => Err(e),
        }
    }

    /// The afwijkend adres: all empty is none; otherwise street, number, postcode and city
    /// are required.
    fn address(&self) -> Result<Option<Address>, ValidationError> {
        let all = [
            &self.address_street,
            &self.address_number,
            &self.address_letter,
            &self.address_addition,
            &self.address_postcode,
            &self.address_location,
            &self.address_city,
        ];
        if all.iter().all(|v| v.trim().is_empty()) {
            return Ok(None);
        }
        let street = required_text("address_street", &self.address_street, 80).map_err(|_| {
            ValidationError::new("address_street", "vul bij een afwijkend adres de straat in")
        })?;
        let number = self
            .address_number
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| (1..=99_999).contains(n))
            .ok_or_else(|| {
                ValidationError::new(
                    "address_number",
                    "vul bij een afwijkend adres een huisnummer in (1 tot 99999)",
                )
            })?;
        let letter = optional_text("address_letter", &self.address_letter, 1)?;
        if letter
            .as_deref()
            .is_some_and(|l| !l.chars().all(|c| c.is_ascii_alphabetic()))
        {
            return Err(ValidationError::new(
                "address_letter",
                "een huisletter is één letter",
            ));
        }
        let addition = optional_text("address_addition", &self.address_addition, 4)?;
        let postcode = postcode("address_postcode", &self.address_postcode)?;
        let location = optional_text("address_location", &self.address_location, 40)?;
        let city = required_text("address_city", &self.address_city, 80).map_err(|_| {
            ValidationError::new(
                "address_city",
                "vul bij een afwijkend adres de plaatsnaam in",
            )
        })?;
        Ok(Some(Address {
            street,
            number,
            letter,
            addition,
            postcode,
            location,
            city,
        }))
    }
}

/// The trimmed input, or "dit veld is verplicht" on `field` when empty.
pub fn filled<'a>(field: &str, input: &'a str) -> Result<&'a str, ValidationError> {
    let t = input.trim();
    if t.is_empty() {
        Err(ValidationError::new(field, "dit veld is verplicht"))
    } else {
        Ok(t)
    }
}

fn rename(e: ValidationError, field: &str) -> ValidationError {
    ValidationError::new(field, e.reason)
}

/// Age in whole years on `day`.
pub fn age_on(birth: NaiveDate, day: NaiveDate) -> i32 {
    let mut age = day.year() - birth.year();
    if (day.month(), day.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// A required free text, trimmed, at most `max` characters, without control characters.
pub fn required_text(field: &str, input: &str, max: usize) -> Result<String, ValidationError> {
    match optional_text(field, input, max)? {
        Some(t) => Ok(t),
        None => Err(ValidationError::new(field, "dit veld is verplicht")),
    }
}

/// An optional free text: empty is `None`.
pub fn optional_text(
    field: &str,
    input: &str,
    max: usize,
) -> Result<Option<String>, ValidationError> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    let n = t.chars().count();
    if n > max {
        return Err(ValidationError::new(
            field,
            format!("te lang: {n} tekens, hoogstens {max}"),
        ));
    }
    if t.chars()
        .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
    {
        return Err(ValidationError::new(field, "bevat ongeldige tekens"));
    }
    Ok(Some(t.to_owned()))
}

/// A date as `2026-11-23` (what a browser's date field sends) or `23-11-2026`.
pub fn date(field: &str, input: &str) -> Result<NaiveDate, ValidationError> {
    optional_date(field, input)?.ok_or_else(|| ValidationError::new(field, "vul een datum in"))
}

/// An optional date: empty is `None`.
pub fn optional_date(field: &str, input: &str) -> Result<Option<NaiveDate>, ValidationError> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(t, "%d-%m-%Y"))
        .map(Some)
        .map_err(|_| {
            ValidationError::new(
                field,
                format!("'{t}' is geen datum: gebruik dd-mm-jjjj, zoals 23-11-2026"),
            )
        })
}

/// `ja`/`nee` (also `true`/`false`, `j`/`n`, `1`/`0`).
pub fn yes_no(field: &str, input: &str) -> Result<bool, ValidationError> {
    match input.trim().to_ascii_lowercase().as_str() {
        "ja" | "j" | "true" | "1" | "on" => Ok(true),
        "nee" | "n" | "false" | "0" => Ok(false),
        "" => Err(ValidationError::new(field, "kies ja of nee")),
        other => Err(ValidationError::new(
            field,
            format!("'{other}' is geen ja of nee"),
        )),
    }
}

/// A telephone number: a Dutch one of 10 digits starting with 0, or an international one
/// starting with `+` (8 to 15 digits). Spaces, dashes, dots and brackets are ignored.
pub fn phone(field: &str, input: &str) -> Result<String, ValidationError> {
    let t = input.trim();
    if t.is_empty() {
        return Err(ValidationError::new(field, "vul een telefoonnummer in"));
    }
    let mut out = String::with_capacity(t.len());
    for (i, c) in t.chars().enumerate() {
        match c {
            '0'..='9' => out.push(c),
            '+' if i == 0 => out.push(c),
            ' ' | '-' | '.' | '(' | ')' => {}
            _ => {
                return Err(ValidationError::new(
                    field,
                    format!(
                        "'{t}' is geen telefoonnummer: alleen cijfers, spaties, - en een + vooraan"
                    ),
                ));
            }
        }
    }
    let digits = out.trim_start_matches('+').len();
    let ok = if out.starts_with('+') {
        (8..=15).contains(&digits)
    } else {
        digits == 10 && out.starts_with('0')
    };
    if ok {
        Ok(out)
    } else {
        Err(ValidationError::new(
            field,
            format!("'{t}' is geen telefoonnummer: 10 cijfers, zoals 043 123 45 67, of +32 …"),
        ))
    }
}

/// A Dutch postcode, normalised to `1234 AB` (research/data-formats.md).
pub fn postcode(field: &str, input: &str) -> Result<String, ValidationError> {
    let compact: String = input
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    let b = compact.as_bytes();
    let ok = b.len() == 6
        && b[0] != b'0'
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4..].iter().all(u8::is_ascii_uppercase)
        && !matches!(&compact[4..], "SA" | "SD" | "SS");
    if ok {
        Ok(format!("{} {}", &compact[..4], &compact[4..]))
    } else {
        Err(ValidationError::new(
            field,
            format!(
                "'{}' is geen postcode: 4 cijfers en 2 letters, zoals 6211 AB",
                input.trim()
            ),
        ))
    }
}

/// An e-mail address: one `@`, a dot in the domain, no spaces, at most 100 characters.
pub fn email(field: &str, input: &str) -> Result<String, ValidationError> {
    let t = input.trim();
    let ok = t.len() <= 100
        && !t.chars().any(char::is_whitespace)
        && t.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty()
                && !domain.contains('@')
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
        });
    if ok {
        Ok(t.to_owned())
    } else if t.is_empty() {
        Err(ValidationError::new(field, "vul een e-mailadres in"))
    } else {
        Err(ValidationError::new(
            field,
            format!("'{t}' is geen e-mailadres, zoals naam@school.nl"),
        ))
    }
}

/// An optional whole number from 0 to `max`.
pub fn count(field: &str, input: &str, max: u32) -> Result<Option<u32>, ValidationError> {
    let t = input.trim();
    if t.is_empty() {
        return Ok(None);
    }
    t.parse::<u32>()
        .ok()
        .filter(|n| *n <= max)
        .map(Some)
        .ok_or_else(|| {
            ValidationError::new(field, format!("'{t}' is geen geheel getal van 0 tot {max}"))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap_or_default()
    }

    /// A complete, valid 16-uur melding.
    pub(crate) fn valid_input() -> MeldingInput {
        MeldingInput {
            student_number: "123456782".into(),
            first_names: "Sanne".into(),
            prefix: "van".into(),
            surname: "Dijk".into(),
            birth_date: "2012-05-04".into(),
            gender: "V".into(),
            residence_gemeente: "0935".into(),
            start_qualification: "nee".into(),
            kind: "V3".into(),
            begin_date: "2026-10-05".into(),
            end_date: "2026-10-28".into(),
            suspected_reason: "Spijbelen, vermoedelijk problemen thuis".into(),
            all_lessons_missed: "nee".into(),
            school_actions: "Mentor heeft twee keer met ouders gebeld".into(),
            action_wanted: "ja".into(),
            priority: "NORMAAL".into(),
            location: "Hoofdgebouw".into(),
            parent_phone: "043 123 45 67".into(),
            absence_days: "6".into(),
            absence_hours: "18".into(),
            ..MeldingInput::default()
        }
    }

    fn ctx(locations: &[String]) -> ValidationContext<'_> {
        ValidationContext {
            today: day("2026-11-23"),
            locations,
        }
    }

    #[test]
    fn complete_melding_is_accepted() {
        let locs = vec!["Hoofdgebouw".to_owned()];
        let m = valid_input().validate(&ctx(&locs));
        let m = m.as_ref().ok();
        assert_eq!(m.map(|m| m.parent_phone.as_str()), Some("0431234567"));
        assert_eq!(
            m.map(NewMelding::full_name).as_deref(),
            Some("Sanne van Dijk")
        );
        assert_eq!(m.and_then(|m| m.priority), Some(Priority::Normaal));
    }

    #[test]
    fn each_invalid_field_has_its_own_message() {
        let locs = vec!["Hoofdgebouw".to_owned()];
        type Case = (&'static str, fn(&mut MeldingInput), &'static str);
        let cases: &[Case] = &[
            (
                "student_number",
                |m| m.student_number = "123456789".into(),
                "11-proef",
            ),
            ("surname", |m| m.surname = " ".into(), "verplicht"),
            (
                "student_number",
                |m| m.student_number = String::new(),
                "verplicht",
            ),
            (
                "residence_gemeente",
                |m| m.residence_gemeente = " ".into(),
                "verplicht",
            ),
            (
                "birth_date",
                |m| m.birth_date = "31-02-2012".into(),
                "geen datum",
            ),
            (
                "birth_date",
                |m| m.birth_date = "2000-01-01".into(),
                "vanaf 23",
            ),
            ("gender", |m| m.gender = "Q".into(), "M, V of X"),
            (
                "residence_gemeente",
                |m| m.residence_gemeente = "93".into(),
                "gemeentecode",
            ),
            ("kind", |m| m.kind = "V9".into(), "kies uit"),
            (
                "begin_date",
                |m| {
                    m.kind = "LRV".into();
                    m.end_date = String::new();
                    m.begin_date = "2027-01-01".into()
                },
                "toekomst",
            ),
            (
                "end_date",
                |m| m.end_date = "2026-10-01".into(),
                "voor de begindatum",
            ),
            ("end_date", |m| m.end_date = String::new(), "16 uur"),
            (
                "suspected_reason",
                |m| m.suspected_reason = "x".repeat(201),
                "hoogstens 200",
            ),
            (
                "all_lessons_missed",
                |m| m.all_lessons_missed = "misschien".into(),
                "ja of nee",
            ),
            (
                "school_actions",
                |m| m.school_actions = String::new(),
                "verplicht",
            ),
            ("priority", |m| m.priority = String::new(), "prioriteit"),
            (
                "no_action_explanation",
                |m| m.action_wanted = "nee".into(),
                "waarom",
            ),
            (
                "location",
                |m| m.location = "Elders".into(),
                "niet in de locaties",
            ),
            (
                "parent_phone",
                |m| m.parent_phone = "12345".into(),
                "10 cijfers",
            ),
            (
                "address_postcode",
                |m| {
                    m.address_street = "Markt".into();
                    m.address_number = "1".into();
                    m.address_city = "Maastricht".into();
                    m.address_postcode = "62 AB".into();
                },
                "postcode",
            ),
            (
                "address_street",
                |m| m.address_city = "Maastricht".into(),
                "straat",
            ),
            (
                "absence_hours",
                |m| m.absence_hours = "-3".into(),
                "geheel getal",
            ),
            (
                "kind",
                |m| {
                    m.kind = "RMC".into();
                    m.start_qualification = "ja".into();
                },
                "startkwalificatie",
            ),
        ];
        for (field, change, expect) in cases {
            let mut input = valid_input();
            change(&mut input);
            let err = input.validate(&ctx(&locs)).err().unwrap_or_default();
            let msg = err.get(field).unwrap_or("");
            assert!(
                msg.contains(expect),
                "{field}: '{msg}' should say '{expect}' ({err})"
            );
            assert_eq!(err.0.len(), 1, "only {field} refused: {err}");
        }
    }

    #[test]
    fn lrv_may_stay_open() {
        let locs = vec!["Hoofdgebouw".to_owned()];
        let mut input = valid_input();
        input.kind = "LRV".into();
        input.end_date = String::new();
        assert_eq!(
            input.validate(&ctx(&locs)).ok().and_then(|m| m.end_date),
            None
        );
    }

    #[test]
    fn no_locations_tells_to_add_one() {
        let err = valid_input().validate(&ctx(&[])).err().unwrap_or_default();
        assert!(
            err.get("location")
                .is_some_and(|m| m.contains("Beheer locaties"))
        );
    }

    #[test]
    fn formats() {
        assert_eq!(postcode("p", "6211ab").ok().as_deref(), Some("6211 AB"));
        assert!(postcode("p", "0211 AB").is_err());
        assert!(postcode("p", "6211 SS").is_err());
        assert_eq!(
            phone("t", "+32 4 123 45 67").ok().as_deref(),
            Some("+3241234567")
        );
        assert!(phone("t", "06-1234567a").is_err());
        assert!(email("e", "a@b.nl").is_ok());
        assert!(email("e", "a@b").is_err());
        assert!(email("e", "a b@c.nl").is_err());
        assert_eq!(age_on(day("2010-03-01"), day("2026-02-28")), 15);
        assert_eq!(age_on(day("2010-03-01"), day("2026-03-01")), 16);
    }
}
