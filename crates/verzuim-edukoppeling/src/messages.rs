//! The message bodies, in DUO's vocabulary where research knows it (research/duo-and-law.md
//! §1.3: IB-Groep VSV webservice_v2 as Topicus's EduArte client calls it), and their mapping
//! to the loket's own types. Everything travels in [`crate::NAMESPACE`] with
//! `elementFormDefault="qualified"`; `wsdl/verzuimloket.xsd` is the schema.
//!
//! | Operation | Request | Answer |
//! |---|---|---|
//! | `MeldenRelatiefVerzuim` | [`MeldenRelatiefVerzuimRequest`]: [`MeldingGegevens`] (every field of `verzuim_loket::MeldingInput`), `Verzuimdagspecificatie`, optional `identificatiecodeBedrijfsdocument` | [`MeldenRelatiefVerzuimResponse`] with `NummerMeldingRelatiefVerzuim` (DUO's `DC0018LeveringNummerMeldingRelatiefVerzuim`) |
//! | `MutatieMeldingRelatiefVerzuim` | end date, day specification, `Bijlage` (base64) | [`Bevestiging`] (`DC0001Bevestiging`) |
//! | `IntrekkenMeldingRelatiefVerzuim` | number + `Toelichting` | [`Bevestiging`] |
//! | `AanvraagMeldingRelatiefVerzuim` | number | [`MeldingRelatiefVerzuim`] with status and terugmelding |
//! | `AanvraagGewijzigdeMeldingRelatiefVerzuim` | `Selectieperiode` or `Cursor` | [`Verzuimgeval`]s + `VolgendeCursor` (`DC0011LeveringMeldingRelatiefVerzuim`) |
//!
//! Any operation may answer with a [`Foutmelding`] (DUO's `DC0002Foutmelding`): functional
//! refusals, one [`Fout`] per field, named by its XML element.
//!
//! Codes are the loket's: `Verzuimsoort` (`V3`, `V4`, `LRV`, `RMC`, `L`, `O`),
//! `StatusMeldingRelatiefVerzuim` (`R`, `B`, `G`, `K`, `I`), `RedenMeldingAfgesloten`,
//! `ToelichtingAfsluiting`, `RedenIngetrokken`, `Prioriteit` (see `verzuim_loket::codes`).

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use verzuim_loket::{
    ClosingExplanation, ClosingReason, DaySpecEntry, DaySpecification, FieldErrors, MeldingInput,
    MeldingStatus, NewMelding, Priority, Terugmelding, Verzuimsoort, WithdrawReason,
};

use crate::addressing::DocumentId;
use crate::operation::Operation;

/// A clock time as DUO's `TijdstipLaatsteMutatie` carries it: `HH:mm:ss.SSS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Tijdstip(pub NaiveTime);

impl Serialize for Tijdstip {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0.format("%H:%M:%S%.3f").to_string())
    }
}

impl<'de> Deserialize<'de> for Tijdstip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        NaiveTime::parse_from_str(s.trim(), "%H:%M:%S%.f")
            .map(Self)
            .map_err(|_| serde::de::Error::custom(format!("'{s}' is geen tijdstip (uu:mm:ss.SSS)")))
    }
}

/// Base64 (`xs:base64Binary`) for attachment contents.
mod base64_content {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let s = String::deserialize(d)?;
        let compact: String = s.chars().filter(|c| !c.is_ascii_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(compact)
            .map_err(|e| serde::de::Error::custom(format!("Inhoud is geen geldige base64: {e}")))
    }
}

/// `IdentificatieMeldingRelatiefVerzuim`: the loket's meldingsnummer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdentificatieMelding {
    /// The meldingsnummer (`VM000001234`).
    #[serde(rename = "NummerMeldingRelatiefVerzuim")]
    pub number: String,
}

/// An afwijkend verblijfadres (`AdresType/BinnenlandsAdresType`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AfwijkendAdres {
    /// Straatnaam.
    #[serde(rename = "Straatnaam")]
    pub street: String,
    /// Huisnummer.
    #[serde(rename = "Huisnummer")]
    pub number: u32,
    /// Huisletter.
    #[serde(
        rename = "Huisletter",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub letter: Option<String>,
    /// Huisnummertoevoeging.
    #[serde(
        rename = "HuisnummerToevoeging",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub addition: Option<String>,
    /// Postcode.
    #[serde(rename = "Postcode")]
    pub postcode: String,
    /// Aanduiding locatie (e.g. "woonboot").
    #[serde(
        rename = "AanduidingLocatie",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub location: Option<String>,
    /// Plaatsnaam.
    #[serde(rename = "Plaatsnaam")]
    pub city: String,
}

/// The melding's data: every field of `verzuim_loket::MeldingInput`, typed as the XSD types
/// them. The loket validates it with [`MeldingGegevens::to_melding_input`] +
/// `MeldingInput::validate`, so a refusal comes back per field in a [`Foutmelding`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeldingGegevens {
    /// BSN or onderwijsnummer (`student_number`).
    #[serde(rename = "PersoonsgebondenNummer")]
    pub student_number: String,
    /// Voornamen (`first_names`).
    #[serde(rename = "Voornamen")]
    pub first_names: String,
    /// Voorvoegsel (`prefix`).
    #[serde(
        rename = "Voorvoegsel",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub prefix: Option<String>,
    /// Geslachtsnaam (`surname`).
    #[serde(rename = "Geslachtsnaam")]
    pub surname: String,
    /// Geboortedatum (`birth_date`).
    #[serde(rename = "Geboortedatum")]
    pub birth_date: NaiveDate,
    /// Geslacht `M`, `V` or `X` (`gender`).
    #[serde(rename = "Geslacht")]
    pub gender: String,
    /// CBS gemeentecode of residence (`residence_gemeente`).
    #[serde(rename = "Woongemeente")]
    pub residence_gemeente: String,
    /// Startkwalificatie behaald (`start_qualification`).
    #[serde(rename = "Startkwalificatie")]
    pub start_qualification: bool,
    /// Soort verzuim (`kind`).
    #[serde(rename = "Verzuimsoort")]
    pub kind: Verzuimsoort,
    /// Begindatum verzuim (`begin_date`).
    #[serde(rename = "BegindatumVerzuim")]
    pub begin_date: NaiveDate,
    /// Einddatum verzuim, when known (`end_date`).
    #[serde(
        rename = "EinddatumVerzuim",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub end_date: Option<NaiveDate>,
    /// Vermoedelijke reden (`suspected_reason`).
    #[serde(rename = "VermoedelijkeReden")]
    pub suspected_reason: String,
    /// Alle lessen gemist (`all_lessons_missed`).
    #[serde(rename = "AlleLessenGemist")]
    pub all_lessons_missed: bool,
    /// Door school ondernomen actie (`school_actions`).
    #[serde(rename = "OndernomenActie")]
    pub school_actions: String,
    /// Actie door gemeente gewenst (`action_wanted`).
    #[serde(rename = "ActieGewenst")]
    pub action_wanted: bool,
    /// Prioriteit of the wanted action (`priority`).
    #[serde(
        rename = "Prioriteit",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub priority: Option<Priority>,
    /// Toelichting when no action is wanted (`no_action_explanation`).
    #[serde(
        rename = "ToelichtingGeenActie",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub no_action_explanation: Option<String>,
    /// Naam leslocatie (`location`).
    #[serde(rename = "Onderwijslocatienaam")]
    pub location: String,
    /// Telefoonnummer ouder of leerling (`parent_phone`).
    #[serde(rename = "TelefoonnummerOuderOfLeerling")]
    pub parent_phone: String,
    /// Afwijkend adres (`address_*`).
    #[serde(
        rename = "AfwijkendAdres",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub address: Option<AfwijkendAdres>,
    /// Aantal verzuimdagen (`absence_days`).
    #[serde(
        rename = "AantalVerzuimdagen",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub absence_days: Option<u32>,
    /// Aantal verzuimuren (`absence_hours`).
    #[serde(
        rename = "AantalVerzuimuren",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub absence_hours: Option<u32>,
}

fn ja_nee(b: bool) -> String {
    if b { "ja" } else { "nee" }.to_owned()
}

fn date_text(d: Option<NaiveDate>) -> String {
    d.map(|d| d.format("%Y-%m-%d").to_string())
        .unwrap_or_default()
}

impl MeldingGegevens {
    /// The loket's text input, for `MeldingInput::validate`.
    pub fn to_melding_input(&self) -> MeldingInput {
        let a = self.address.as_ref();
        let opt = |o: Option<&String>| o.cloned().unwrap_or_default();
        MeldingInput {
            student_number: self.student_number.clone(),
            first_names: self.first_names.clone(),
            prefix: opt(self.prefix.as_ref()),
            surname: self.surname.clone(),
            birth_date: date_text(Some(self.birth_date)),
            gender: self.gender.clone(),
            residence_gemeente: self.residence_gemeente.clone(),
            start_qualification: ja_nee(self.start_qualification),
            kind: self.kind.code().to_owned(),
            begin_date: date_text(Some(self.begin_date)),
            end_date: date_text(self.end_date),
            suspected_reason: self.suspected_reason.clone(),
            all_lessons_missed: ja_nee(self.all_lessons_missed),
            school_actions: self.school_actions.clone(),
            action_wanted: ja_nee(self.action_wanted),
            priority: self
                .priority
                .map(|p| p.code().to_owned())
                .unwrap_or_default(),
            no_action_explanation: opt(self.no_action_explanation.as_ref()),
            location: self.location.clone(),
            parent_phone: self.parent_phone.clone(),
            address_street: a.map(|a| a.street.clone()).unwrap_or_default(),
            address_number: a.map(|a| a.number.to_string()).unwrap_or_default(),
            address_letter: opt(a.and_then(|a| a.letter.as_ref())),
            address_addition: opt(a.and_then(|a| a.addition.as_ref())),
            address_postcode: a.map(|a| a.postcode.clone()).unwrap_or_default(),
            address_location: opt(a.and_then(|a| a.location.as_ref())),
            address_city: a.map(|a| a.city.clone()).unwrap_or_default(),
            absence_days: self.absence_days.map(|n| n.to_string()).unwrap_or_default(),
            absence_hours: self
                .absence_hours
                .map(|n| n.to_string())
                .unwrap_or_default(),
        }
    }

    /// The message data of a validated melding (the school side sends what a person
    /// confirmed).
    pub fn from_new_melding(m: &NewMelding) -> Self {
        Self {
            student_number: m.student_number.as_str().to_owned(),
            first_names: m.first_names.clone(),
            prefix: m.prefix.clone(),
            surname: m.surname.clone(),
            birth_date: m.birth_date,
            gender: m.gender.clone(),
            residence_gemeente: m.residence_gemeente.as_str().to_owned(),
            start_qualification: m.start_qualification,
            kind: m.kind,
            begin_date: m.begin_date,
            end_date: m.end_date,
            suspected_reason: m.suspected_reason.clone(),
            all_lessons_missed: m.all_lessons_missed,
            school_actions: m.school_actions.clone(),
            action_wanted: m.action_wanted,
            priority: m.priority,
            no_action_explanation: m.no_action_explanation.clone(),
            location: m.location.clone(),
            parent_phone: m.parent_phone.clone(),
            address: m.address.as_ref().map(|a| AfwijkendAdres {
                street: a.street.clone(),
                number: a.number,
                letter: a.letter.clone(),
                addition: a.addition.clone(),
                postcode: a.postcode.clone(),
                location: a.location.clone(),
                city: a.city.clone(),
            }),
            absence_days: m.absence_days,
            absence_hours: m.absence_hours,
        }
    }
}

/// One absence day (`IbgVerzuimdag`: a whole day, or the lesuren 1–12 missed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verzuimdag {
    /// The day.
    #[serde(rename = "Datum")]
    pub date: NaiveDate,
    /// The whole day.
    #[serde(rename = "HeleDag")]
    pub whole_day: bool,
    /// The lesuren missed, when not the whole day.
    #[serde(rename = "Lesuur", default, skip_serializing_if = "Vec::is_empty")]
    pub lesuren: Vec<u8>,
}

/// The verzuimdagspecificatie: one [`Verzuimdag`] per day.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verzuimdagspecificatie {
    /// The days.
    #[serde(rename = "Verzuimdag", default)]
    pub days: Vec<Verzuimdag>,
}

impl Verzuimdagspecificatie {
    /// The loket's text form (`2026-10-05: hele dag`), for `DaySpecification::parse`, which
    /// checks the range, the lesuren and duplicates with a message per line.
    pub fn to_loket_text(&self) -> String {
        self.days
            .iter()
            .map(|d| {
                let what = if d.whole_day || d.lesuren.is_empty() {
                    "hele dag".to_owned()
                } else {
                    d.lesuren
                        .iter()
                        .map(u8::to_string)
                        .collect::<Vec<_>>()
                        .join(", ")
                };
                format!("{}: {what}\n", d.date.format("%Y-%m-%d"))
            })
            .collect()
    }
}

impl From<&DaySpecification> for Verzuimdagspecificatie {
    fn from(spec: &DaySpecification) -> Self {
        Self {
            days: spec
                .0
                .iter()
                .map(|d: &DaySpecEntry| Verzuimdag {
                    date: d.date,
                    whole_day: d.whole_day,
                    lesuren: if d.whole_day {
                        Vec::new()
                    } else {
                        d.lesuren.clone()
                    },
                })
                .collect(),
        }
    }
}

/// `MeldenRelatiefVerzuim`: submit a melding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeldenRelatiefVerzuimRequest {
    /// `identificatiecodeBedrijfsdocument`: the client's UUID for this melding; the loket
    /// answers a repeat with the same meldingsnummer.
    #[serde(
        rename = "identificatiecodeBedrijfsdocument",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub document_id: Option<DocumentId>,
    /// `VerzendendeInstantie`: the school's BRIN.
    #[serde(rename = "VerzendendeInstantie")]
    pub brin: String,
    /// The melding.
    #[serde(rename = "Melding")]
    pub melding: MeldingGegevens,
    /// The absence days, when the school fills them from its own administration.
    #[serde(
        rename = "Verzuimdagspecificatie",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub day_specification: Option<Verzuimdagspecificatie>,
}

/// The answer to `MeldenRelatiefVerzuim` (DUO's `DC0018LeveringNummerMeldingRelatiefVerzuim`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeldenRelatiefVerzuimResponse {
    /// The client's document id, echoed.
    #[serde(
        rename = "identificatiecodeBedrijfsdocument",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub document_id: Option<DocumentId>,
    /// The meldingsnummer the loket assigned.
    #[serde(rename = "IdentificatieMeldingRelatiefVerzuim")]
    pub id: IdentificatieMelding,
    /// The status (`R` on intake).
    #[serde(rename = "StatusMeldingRelatiefVerzuim")]
    pub status: MeldingStatus,
}

/// An attachment (`Bijlage`): file name, MIME type and bytes (base64 in XML).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bijlage {
    /// File name as the school knows it.
    #[serde(rename = "Bestandsnaam")]
    pub filename: String,
    /// MIME type, e.g. `application/pdf`.
    #[serde(rename = "MimeType")]
    pub mime_type: String,
    /// The bytes.
    #[serde(rename = "Inhoud", with = "base64_content")]
    pub content: Vec<u8>,
}

/// `Procesverloop`: the moment of the last change, the optimistic-lock token of a melding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Procesverloop {
    /// `DatumLaatsteMutatie`.
    #[serde(rename = "DatumLaatsteMutatie")]
    pub date: NaiveDate,
    /// `TijdstipLaatsteMutatie` (`HH:mm:ss.SSS`).
    #[serde(rename = "TijdstipLaatsteMutatie")]
    pub time: Tijdstip,
}

/// `MutatieMeldingRelatiefVerzuim`: change a melding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MutatieMeldingRelatiefVerzuimRequest {
    /// Track-and-trace UUID of this change.
    #[serde(
        rename = "identificatiecodeBedrijfsdocument",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub document_id: Option<DocumentId>,
    /// The school's BRIN.
    #[serde(rename = "VerzendendeInstantie")]
    pub brin: String,
    /// The meldingsnummer.
    #[serde(rename = "NummerMeldingRelatiefVerzuim")]
    pub number: String,
    /// The last change the client knows of; the loket refuses when the melding changed since.
    #[serde(
        rename = "Procesverloop",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub last_known: Option<Procesverloop>,
    /// New einddatum.
    #[serde(
        rename = "EinddatumVerzuim",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub end_date: Option<NaiveDate>,
    /// New day specification (replaces the old one).
    #[serde(
        rename = "Verzuimdagspecificatie",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub day_specification: Option<Verzuimdagspecificatie>,
    /// Attachments to add.
    #[serde(rename = "Bijlage", default, skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<Bijlage>,
}

/// `Bevestiging` (DUO's `DC0001Bevestiging`): the change was stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bevestiging {
    /// `DatumBedrijfsdocument`: the day the loket processed it.
    #[serde(rename = "DatumBedrijfsdocument")]
    pub date: NaiveDate,
    /// The melding.
    #[serde(rename = "NummerMeldingRelatiefVerzuim")]
    pub number: String,
    /// Its status now.
    #[serde(rename = "StatusMeldingRelatiefVerzuim")]
    pub status: MeldingStatus,
    /// Its new last change.
    #[serde(rename = "Procesverloop")]
    pub process: Procesverloop,
}

/// The answer to `MutatieMeldingRelatiefVerzuim`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MutatieMeldingRelatiefVerzuimResponse {
    /// The confirmation.
    #[serde(rename = "Bevestiging")]
    pub confirmation: Bevestiging,
}

/// `IntrekkenMeldingRelatiefVerzuim`: withdraw a melding (status `I`, reden `S`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntrekkenMeldingRelatiefVerzuimRequest {
    /// Track-and-trace UUID.
    #[serde(
        rename = "identificatiecodeBedrijfsdocument",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub document_id: Option<DocumentId>,
    /// The school's BRIN.
    #[serde(rename = "VerzendendeInstantie")]
    pub brin: String,
    /// The meldingsnummer.
    #[serde(rename = "NummerMeldingRelatiefVerzuim")]
    pub number: String,
    /// Why it is withdrawn.
    #[serde(rename = "Toelichting")]
    pub note: String,
}

/// The answer to `IntrekkenMeldingRelatiefVerzuim`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntrekkenMeldingRelatiefVerzuimResponse {
    /// The confirmation.
    #[serde(rename = "Bevestiging")]
    pub confirmation: Bevestiging,
}

/// `AanvraagMeldingRelatiefVerzuim`: fetch one melding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AanvraagMeldingRelatiefVerzuimRequest {
    /// The school's BRIN.
    #[serde(rename = "VerzendendeInstantie")]
    pub brin: String,
    /// The meldingsnummer.
    #[serde(rename = "NummerMeldingRelatiefVerzuim")]
    pub number: String,
}

/// The gemeentelijke contactpersoon of a terugmelding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Contactpersoon {
    /// Naam.
    #[serde(rename = "Naam")]
    pub name: String,
    /// Functie.
    #[serde(rename = "Functie")]
    pub function: String,
    /// Telefoonnummer.
    #[serde(rename = "Telefoonnummer")]
    pub phone: String,
    /// E-mailadres.
    #[serde(rename = "Emailadres")]
    pub email: String,
}

impl From<&Terugmelding> for Contactpersoon {
    fn from(t: &Terugmelding) -> Self {
        Self {
            name: t.contact_name.clone(),
            function: t.contact_function.clone(),
            phone: t.contact_phone.clone(),
            email: t.contact_email.clone(),
        }
    }
}

/// A melding with its status and terugmelding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MeldingRelatiefVerzuim {
    /// The meldingsnummer.
    #[serde(rename = "IdentificatieMeldingRelatiefVerzuim")]
    pub id: IdentificatieMelding,
    /// Status code.
    #[serde(rename = "StatusMeldingRelatiefVerzuim")]
    pub status: MeldingStatus,
    /// Reden afsluiting (with `G`).
    #[serde(
        rename = "RedenMeldingAfgesloten",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub closing_reason: Option<ClosingReason>,
    /// Toelichting afsluiting (with `G`, `K`).
    #[serde(
        rename = "ToelichtingAfsluiting",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub explanation: Option<ClosingExplanation>,
    /// Reden intrekking (with `I`).
    #[serde(
        rename = "RedenIngetrokken",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub withdraw_reason: Option<WithdrawReason>,
    /// The gemeente's contact person, once it answered.
    #[serde(
        rename = "GemeentelijkeContactpersoon",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub contact: Option<Contactpersoon>,
    /// The melding as filed (with its changes).
    #[serde(rename = "Melding")]
    pub melding: MeldingGegevens,
    /// The day specification, when filled.
    #[serde(
        rename = "Verzuimdagspecificatie",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub day_specification: Option<Verzuimdagspecificatie>,
    /// The last change.
    #[serde(rename = "Procesverloop")]
    pub process: Procesverloop,
}

/// The answer to `AanvraagMeldingRelatiefVerzuim`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AanvraagMeldingRelatiefVerzuimResponse {
    /// The melding.
    #[serde(rename = "MeldingRelatiefVerzuim")]
    pub melding: MeldingRelatiefVerzuim,
}

/// `Selectieperiode`: changes from this moment on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Selectieperiode {
    /// `DatumBeginSelectieperiode`.
    #[serde(rename = "DatumBeginSelectieperiode")]
    pub date: NaiveDate,
    /// `TijdstipBeginSelectieperiode` (start of the day when absent).
    #[serde(
        rename = "TijdstipBeginSelectieperiode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub time: Option<Tijdstip>,
}

/// `AanvraagGewijzigdeMeldingRelatiefVerzuim`: the meldingen changed since a moment or an
/// opaque cursor of a previous answer (give one of the two; neither means "from the start").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AanvraagGewijzigdeMeldingRelatiefVerzuimRequest {
    /// The school's BRIN.
    #[serde(rename = "VerzendendeInstantie")]
    pub brin: String,
    /// From this moment.
    #[serde(
        rename = "Selectieperiode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub period: Option<Selectieperiode>,
    /// Or from this cursor (`VolgendeCursor` of the previous answer).
    #[serde(rename = "Cursor", default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<String>,
    /// At most this many cases per answer.
    #[serde(
        rename = "MaximumAantal",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub limit: Option<u32>,
}

/// Where a changed-since poll starts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// From the beginning.
    Everything,
    /// From a moment (inclusive).
    Since(NaiveDate, Option<NaiveTime>),
    /// From an opaque cursor.
    Cursor(String),
}

impl AanvraagGewijzigdeMeldingRelatiefVerzuimRequest {
    /// The selection; a period and a cursor together are refused.
    pub fn selection(&self) -> Result<Selection, Foutmelding> {
        match (&self.period, &self.cursor) {
            (Some(_), Some(_)) => Err(Foutmelding::single(
                FoutCode::OngeldigVeld,
                Some("Cursor"),
                "geef een Selectieperiode of een Cursor, niet allebei",
            )),
            (Some(p), None) => Ok(Selection::Since(p.date, p.time.map(|t| t.0))),
            (None, Some(c)) => Ok(Selection::Cursor(c.clone())),
            (None, None) => Ok(Selection::Everything),
        }
    }
}

/// One changed melding in a poll answer (`Verzuimgeval`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verzuimgeval {
    /// The melding's identification and status.
    #[serde(rename = "MeldingRelatiefVerzuim")]
    pub melding: VerzuimgevalMelding,
    /// The gemeente's contact person, once it answered.
    #[serde(
        rename = "GemeentelijkeContactpersoon",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub contact: Option<Contactpersoon>,
    /// When it last changed.
    #[serde(rename = "Procesverloop")]
    pub process: Procesverloop,
}

/// The status part of a [`Verzuimgeval`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerzuimgevalMelding {
    /// The meldingsnummer.
    #[serde(rename = "IdentificatieMeldingRelatiefVerzuim")]
    pub id: IdentificatieMelding,
    /// Status code.
    #[serde(rename = "StatusMeldingRelatiefVerzuim")]
    pub status: MeldingStatus,
    /// Reden afsluiting (with `G`).
    #[serde(
        rename = "RedenMeldingAfgesloten",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub closing_reason: Option<ClosingReason>,
    /// Toelichting afsluiting (with `G`, `K`).
    #[serde(
        rename = "ToelichtingAfsluiting",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub explanation: Option<ClosingExplanation>,
    /// Reden intrekking (with `I`).
    #[serde(
        rename = "RedenIngetrokken",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub withdraw_reason: Option<WithdrawReason>,
}

/// The answer to `AanvraagGewijzigdeMeldingRelatiefVerzuim` (DUO's
/// `DC0011LeveringMeldingRelatiefVerzuim`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AanvraagGewijzigdeMeldingRelatiefVerzuimResponse {
    /// The period asked for, echoed.
    #[serde(
        rename = "Selectieperiode",
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub period: Option<Selectieperiode>,
    /// The changed meldingen, oldest change first.
    #[serde(
        rename = "Verzuimgeval",
        default,
        skip_serializing_if = "Vec::is_empty"
    )]
    pub cases: Vec<Verzuimgeval>,
    /// Give this in the next poll.
    #[serde(rename = "VolgendeCursor")]
    pub next_cursor: String,
    /// Whether more changes are waiting (poll again at once).
    #[serde(rename = "MeerBeschikbaar")]
    pub more: bool,
}

/// What kind of functional refusal a [`Fout`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum FoutCode {
    /// `F001`: a field is missing or wrong.
    OngeldigVeld,
    /// `F002`: the melding does not exist (for this school).
    NietGevonden,
    /// `F003`: the melding changed since the client's `Procesverloop`.
    Gewijzigd,
    /// `F004`: not allowed in the melding's status.
    NietToegestaan,
    /// `F005`: the `identificatiecodeBedrijfsdocument` was used for another document.
    DubbelDocument,
}

impl FoutCode {
    /// Every code.
    pub const ALL: &'static [Self] = &[
        Self::OngeldigVeld,
        Self::NietGevonden,
        Self::Gewijzigd,
        Self::NietToegestaan,
        Self::DubbelDocument,
    ];

    /// The code as sent.
    pub fn code(self) -> &'static str {
        match self {
            Self::OngeldigVeld => "F001",
            Self::NietGevonden => "F002",
            Self::Gewijzigd => "F003",
            Self::NietToegestaan => "F004",
            Self::DubbelDocument => "F005",
        }
    }
}

impl TryFrom<String> for FoutCode {
    type Error = String;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::ALL
            .iter()
            .copied()
            .find(|c| c.code() == value.trim())
            .ok_or_else(|| format!("'{value}' is geen foutcode"))
    }
}

impl From<FoutCode> for String {
    fn from(value: FoutCode) -> Self {
        value.code().to_owned()
    }
}

/// One functional refusal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fout {
    /// What kind.
    #[serde(rename = "Foutcode")]
    pub code: FoutCode,
    /// The XML element it is about, when it is about one.
    #[serde(rename = "Veld", default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// What is wrong and what would be accepted, in Dutch.
    #[serde(rename = "Omschrijving")]
    pub message: String,
}

/// `Foutmelding` (DUO's `DC0002Foutmelding`): the loket understood the message but refuses
/// it; nothing was stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Foutmelding {
    /// The refusals.
    #[serde(rename = "Fout", default)]
    pub errors: Vec<Fout>,
}

/// The loket's field names (`MeldingInput`, `TerugmeldingInput`, day specification) and the
/// XML element each travels in.
pub const FIELD_ELEMENTS: &[(&str, &str)] = &[
    ("student_number", "PersoonsgebondenNummer"),
    ("first_names", "Voornamen"),
    ("prefix", "Voorvoegsel"),
    ("surname", "Geslachtsnaam"),
    ("birth_date", "Geboortedatum"),
    ("gender", "Geslacht"),
    ("residence_gemeente", "Woongemeente"),
    ("start_qualification", "Startkwalificatie"),
    ("kind", "Verzuimsoort"),
    ("begin_date", "BegindatumVerzuim"),
    ("end_date", "EinddatumVerzuim"),
    ("suspected_reason", "VermoedelijkeReden"),
    ("all_lessons_missed", "AlleLessenGemist"),
    ("school_actions", "OndernomenActie"),
    ("action_wanted", "ActieGewenst"),
    ("priority", "Prioriteit"),
    ("no_action_explanation", "ToelichtingGeenActie"),
    ("location", "Onderwijslocatienaam"),
    ("parent_phone", "TelefoonnummerOuderOfLeerling"),
    ("address_street", "Straatnaam"),
    ("address_number", "Huisnummer"),
    ("address_letter", "Huisletter"),
    ("address_addition", "HuisnummerToevoeging"),
    ("address_postcode", "Postcode"),
    ("address_location", "AanduidingLocatie"),
    ("address_city", "Plaatsnaam"),
    ("absence_days", "AantalVerzuimdagen"),
    ("absence_hours", "AantalVerzuimuren"),
    ("day_specification", "Verzuimdagspecificatie"),
    ("dagspecificatie", "Verzuimdagspecificatie"),
];

/// The XML element for a loket field name (the name itself when unknown).
pub fn element_for_field(field: &str) -> &str {
    FIELD_ELEMENTS
        .iter()
        .find(|(f, _)| *f == field)
        .map_or(field, |(_, e)| e)
}

impl Foutmelding {
    /// A Foutmelding with one refusal.
    pub fn single(code: FoutCode, field: Option<&str>, message: impl Into<String>) -> Self {
        Self {
            errors: vec![Fout {
                code,
                field: field.map(str::to_owned),
                message: message.into(),
            }],
        }
    }
}

impl From<&FieldErrors> for Foutmelding {
    fn from(errors: &FieldErrors) -> Self {
        Self {
            errors: errors
                .0
                .iter()
                .map(|e| Fout {
                    code: FoutCode::OngeldigVeld,
                    field: Some(element_for_field(&e.field).to_owned()),
                    message: e.reason.clone(),
                })
                .collect(),
        }
    }
}

/// A request body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RequestMessage {
    /// `MeldenRelatiefVerzuimRequest`.
    Melden(Box<MeldenRelatiefVerzuimRequest>),
    /// `MutatieMeldingRelatiefVerzuimRequest`.
    Mutatie(MutatieMeldingRelatiefVerzuimRequest),
    /// `IntrekkenMeldingRelatiefVerzuimRequest`.
    Intrekken(IntrekkenMeldingRelatiefVerzuimRequest),
    /// `AanvraagMeldingRelatiefVerzuimRequest`.
    Aanvraag(AanvraagMeldingRelatiefVerzuimRequest),
    /// `AanvraagGewijzigdeMeldingRelatiefVerzuimRequest`.
    AanvraagGewijzigde(AanvraagGewijzigdeMeldingRelatiefVerzuimRequest),
}

/// A response body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseMessage {
    /// `MeldenRelatiefVerzuimResponse`.
    Melden(MeldenRelatiefVerzuimResponse),
    /// `MutatieMeldingRelatiefVerzuimResponse`.
    Mutatie(MutatieMeldingRelatiefVerzuimResponse),
    /// `IntrekkenMeldingRelatiefVerzuimResponse`.
    Intrekken(IntrekkenMeldingRelatiefVerzuimResponse),
    /// `AanvraagMeldingRelatiefVerzuimResponse`.
    Aanvraag(Box<AanvraagMeldingRelatiefVerzuimResponse>),
    /// `AanvraagGewijzigdeMeldingRelatiefVerzuimResponse`.
    AanvraagGewijzigde(AanvraagGewijzigdeMeldingRelatiefVerzuimResponse),
    /// `Foutmelding`, for any operation.
    Foutmelding(Foutmelding),
}

/// Element name of a [`Foutmelding`] body.
pub const FOUTMELDING_ELEMENT: &str = "Foutmelding";

type XmlResult<T> = Result<T, quick_xml::DeError>;

fn to_xml<T: Serialize>(root: &str, value: &T) -> Result<String, quick_xml::SeError> {
    quick_xml::se::to_string_with_root(root, value)
}

impl RequestMessage {
    /// The operation it belongs to.
    pub fn operation(&self) -> Operation {
        match self {
            Self::Melden(_) => Operation::MeldenRelatiefVerzuim,
            Self::Mutatie(_) => Operation::MutatieMeldingRelatiefVerzuim,
            Self::Intrekken(_) => Operation::IntrekkenMeldingRelatiefVerzuim,
            Self::Aanvraag(_) => Operation::AanvraagMeldingRelatiefVerzuim,
            Self::AanvraagGewijzigde(_) => Operation::AanvraagGewijzigdeMeldingRelatiefVerzuim,
        }
    }

    /// The BRIN the message is about (`VerzendendeInstantie`), as sent: the server checks
    /// that the client certificate is registered for it.
    pub fn brin(&self) -> &str {
        match self {
            Self::Melden(m) => &m.brin,
            Self::Mutatie(m) => &m.brin,
            Self::Intrekken(m) => &m.brin,
            Self::Aanvraag(m) => &m.brin,
            Self::AanvraagGewijzigde(m) => &m.brin,
        }
    }

    /// The body element without namespace declaration.
    pub(crate) fn to_xml(&self) -> Result<String, quick_xml::SeError> {
        let root = self.operation().request_element();
        match self {
            Self::Melden(m) => to_xml(root, m),
            Self::Mutatie(m) => to_xml(root, m),
            Self::Intrekken(m) => to_xml(root, m),
            Self::Aanvraag(m) => to_xml(root, m),
            Self::AanvraagGewijzigde(m) => to_xml(root, m),
        }
    }

    /// Reads the body element of `operation`.
    pub(crate) fn from_xml(operation: Operation, xml: &str) -> XmlResult<Self> {
        use quick_xml::de::from_str;
        Ok(match operation {
            Operation::MeldenRelatiefVerzuim => Self::Melden(Box::new(from_str(xml)?)),
            Operation::MutatieMeldingRelatiefVerzuim => Self::Mutatie(from_str(xml)?),
            Operation::IntrekkenMeldingRelatiefVerzuim => Self::Intrekken(from_str(xml)?),
            Operation::AanvraagMeldingRelatiefVerzuim => Self::Aanvraag(from_str(xml)?),
            Operation::AanvraagGewijzigdeMeldingRelatiefVerzuim => {
                Self::AanvraagGewijzigde(from_str(xml)?)
            }
        })
    }
}

impl ResponseMessage {
    /// The body element name.
    pub fn element_name(&self) -> &'static str {
        match self {
            Self::Melden(_) => Operation::MeldenRelatiefVerzuim.response_element(),
            Self::Mutatie(_) => Operation::MutatieMeldingRelatiefVerzuim.response_element(),
            Self::Intrekken(_) => Operation::IntrekkenMeldingRelatiefVerzuim.response_element(),
            Self::Aanvraag(_) => Operation::AanvraagMeldingRelatiefVerzuim.response_element(),
            Self::AanvraagGewijzigde(_) => {
                Operation::AanvraagGewijzigdeMeldingRelatiefVerzuim.response_element()
            }
            Self::Foutmelding(_) => FOUTMELDING_ELEMENT,
        }
    }

    /// The operation it answers (`None` for a `Foutmelding`, which answers any).
    pub fn operation(&self) -> Option<Operation> {
        match self {
            Self::Melden(_) => Some(Operation::MeldenRelatiefVerzuim),
            Self::Mutatie(_) => Some(Operation::MutatieMeldingRelatiefVerzuim),
            Self::Intrekken(_) => Some(Operation::IntrekkenMeldingRelatiefVerzuim),
            Self::Aanvraag(_) => Some(Operation::AanvraagMeldingRelatiefVerzuim),
            Self::AanvraagGewijzigde(_) => {
                Some(Operation::AanvraagGewijzigdeMeldingRelatiefVerzuim)
            }
            Self::Foutmelding(_) => None,
        }
    }

    /// The body element without namespace declaration.
    pub(crate) fn to_xml(&self) -> Result<String, quick_xml::SeError> {
        let root = self.element_name();
        match self {
            Self::Melden(m) => to_xml(root, m),
            Self::Mutatie(m) => to_xml(root, m),
            Self::Intrekken(m) => to_xml(root, m),
            Self::Aanvraag(m) => to_xml(root, m),
            Self::AanvraagGewijzigde(m) => to_xml(root, m),
            Self::Foutmelding(m) => to_xml(root, m),
        }
    }

    /// Reads a response body element by its name; `None` when the name is not a response.
    pub(crate) fn from_xml(element: &str, xml: &str) -> Option<XmlResult<Self>> {
        use quick_xml::de::from_str;
        if element == FOUTMELDING_ELEMENT {
            return Some(from_str(xml).map(Self::Foutmelding));
        }
        let op = Operation::ALL
            .iter()
            .copied()
            .find(|o| o.response_element() == element)?;
        Some(match op {
            Operation::MeldenRelatiefVerzuim => from_str(xml).map(Self::Melden),
            Operation::MutatieMeldingRelatiefVerzuim => from_str(xml).map(Self::Mutatie),
            Operation::IntrekkenMeldingRelatiefVerzuim => from_str(xml).map(Self::Intrekken),
            Operation::AanvraagMeldingRelatiefVerzuim => {
                from_str(xml).map(|m| Self::Aanvraag(Box::new(m)))
            }
            Operation::AanvraagGewijzigdeMeldingRelatiefVerzuim => {
                from_str(xml).map(Self::AanvraagGewijzigde)
            }
        })
    }
}

#[cfg(test)]
pub(crate) mod samples {
    //! Sample messages for the round-trip tests.
    use super::*;

    pub fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    pub fn tijd(s: &str) -> Tijdstip {
        Tijdstip(NaiveTime::parse_from_str(s, "%H:%M:%S%.f").unwrap())
    }

    pub fn melding() -> MeldingGegevens {
        MeldingGegevens {
            student_number: "123456782".into(),
            first_names: "Jan Piet".into(),
            prefix: Some("van der".into()),
            surname: "Berg & Zn".into(),
            birth_date: day("2012-03-04"),
            gender: "M".into(),
            residence_gemeente: "0363".into(),
            start_qualification: false,
            kind: Verzuimsoort::ZestienUur,
            begin_date: day("2026-10-01"),
            end_date: Some(day("2026-10-20")),
            suspected_reason: "Spijbelt <vaak> op maandag".into(),
            all_lessons_missed: false,
            school_actions: "Gesprek met ouders".into(),
            action_wanted: true,
            priority: Some(Priority::Hoog),
            no_action_explanation: None,
            location: "Hoofdgebouw".into(),
            parent_phone: "0201234567".into(),
            address: Some(AfwijkendAdres {
                street: "Dorpsstraat".into(),
                number: 12,
                letter: Some("a".into()),
                addition: None,
                postcode: "1234 AB".into(),
                location: None,
                city: "Amsterdam".into(),
            }),
            absence_days: Some(4),
            absence_hours: Some(17),
        }
    }

    pub fn dagen() -> Verzuimdagspecificatie {
        Verzuimdagspecificatie {
            days: vec![
                Verzuimdag {
                    date: day("2026-10-05"),
                    whole_day: true,
                    lesuren: vec![],
                },
                Verzuimdag {
                    date: day("2026-10-06"),
                    whole_day: false,
                    lesuren: vec![1, 3, 5],
                },
            ],
        }
    }

    pub fn process() -> Procesverloop {
        Procesverloop {
            date: day("2026-10-21"),
            time: tijd("14:03:07.250"),
        }
    }

    pub fn contact() -> Contactpersoon {
        Contactpersoon {
            name: "A. Ambtenaar".into(),
            function: "Leerplichtambtenaar".into(),
            phone: "0201111111".into(),
            email: "lpa@gemeente.example".into(),
        }
    }

    pub fn requests() -> Vec<RequestMessage> {
        let doc = DocumentId::parse("6f1c0a52-3e5b-4c0e-9d6a-0b7e6f1f2a11").ok();
        vec![
            RequestMessage::Melden(Box::new(MeldenRelatiefVerzuimRequest {
                document_id: doc.clone(),
                brin: "25BE".into(),
                melding: melding(),
                day_specification: Some(dagen()),
            })),
            RequestMessage::Melden(Box::new(MeldenRelatiefVerzuimRequest {
                document_id: None,
                brin: "25BE".into(),
                melding: MeldingGegevens {
                    prefix: None,
                    end_date: None,
                    action_wanted: false,
                    priority: None,
                    no_action_explanation: Some("Loopt al via zorgteam".into()),
                    address: None,
                    absence_days: None,
                    absence_hours: None,
                    kind: Verzuimsoort::Luxe,
                    ..melding()
                },
                day_specification: None,
            })),
            RequestMessage::Mutatie(MutatieMeldingRelatiefVerzuimRequest {
                document_id: doc.clone(),
                brin: "25BE".into(),
                number: "VM000001234".into(),
                last_known: Some(process()),
                end_date: Some(day("2026-10-22")),
                day_specification: Some(dagen()),
                attachments: vec![
                    Bijlage {
                        filename: "verslag gesprek.pdf".into(),
                        mime_type: "application/pdf".into(),
                        content: b"%PDF-1.4\n\x00\x01\xff binary".to_vec(),
                    },
                    Bijlage {
                        filename: "leeg.txt".into(),
                        mime_type: "text/plain".into(),
                        content: b"x".to_vec(),
                    },
                ],
            }),
            RequestMessage::Intrekken(IntrekkenMeldingRelatiefVerzuimRequest {
                document_id: doc,
                brin: "25BE".into(),
                number: "VM000001234".into(),
                note: "Verkeerde leerling gekozen".into(),
            }),
            RequestMessage::Aanvraag(AanvraagMeldingRelatiefVerzuimRequest {
                brin: "25BE".into(),
                number: "VM000001234".into(),
            }),
            RequestMessage::AanvraagGewijzigde(AanvraagGewijzigdeMeldingRelatiefVerzuimRequest {
                brin: "25BE".into(),
                period: Some(Selectieperiode {
                    date: day("2026-10-01"),
                    time: Some(tijd("08:00:00.000")),
                }),
                cursor: None,
                limit: Some(100),
            }),
            RequestMessage::AanvraagGewijzigde(AanvraagGewijzigdeMeldingRelatiefVerzuimRequest {
                brin: "25BE".into(),
                period: None,
                cursor: Some("c:000000042".into()),
                limit: None,
            }),
        ]
    }

    pub fn responses() -> Vec<ResponseMessage> {
        let bevestiging = Bevestiging {
            date: day("2026-10-21"),
            number: "VM000001234".into(),
            status: MeldingStatus::Geregistreerd,
            process: process(),
        };
        vec![
            ResponseMessage::Melden(MeldenRelatiefVerzuimResponse {
                document_id: DocumentId::parse("6f1c0a52-3e5b-4c0e-9d6a-0b7e6f1f2a11").ok(),
                id: IdentificatieMelding {
                    number: "VM000001234".into(),
                },
                status: MeldingStatus::Geregistreerd,
            }),
            ResponseMessage::Mutatie(MutatieMeldingRelatiefVerzuimResponse {
                confirmation: bevestiging.clone(),
            }),
            ResponseMessage::Intrekken(IntrekkenMeldingRelatiefVerzuimResponse {
                confirmation: Bevestiging {
                    status: MeldingStatus::Ingetrokken,
                    ..bevestiging
                },
            }),
            ResponseMessage::Aanvraag(Box::new(AanvraagMeldingRelatiefVerzuimResponse {
                melding: MeldingRelatiefVerzuim {
                    id: IdentificatieMelding {
                        number: "VM000001234".into(),
                    },
                    status: MeldingStatus::Afgesloten,
                    closing_reason: Some(ClosingReason::TerugNaarSchool),
                    explanation: Some(ClosingExplanation::Gezien),
                    withdraw_reason: None,
                    contact: Some(contact()),
                    melding: melding(),
                    day_specification: Some(dagen()),
                    process: process(),
                },
            })),
            ResponseMessage::AanvraagGewijzigde(AanvraagGewijzigdeMeldingRelatiefVerzuimResponse {
                period: Some(Selectieperiode {
                    date: day("2026-10-01"),
                    time: None,
                }),
                cases: vec![
                    Verzuimgeval {
                        melding: VerzuimgevalMelding {
                            id: IdentificatieMelding {
                                number: "VM000001234".into(),
                            },
                            status: MeldingStatus::InBehandeling,
                            closing_reason: None,
                            explanation: None,
                            withdraw_reason: None,
                        },
                        contact: Some(contact()),
                        process: process(),
                    },
                    Verzuimgeval {
                        melding: VerzuimgevalMelding {
                            id: IdentificatieMelding {
                                number: "VM000001235".into(),
                            },
                            status: MeldingStatus::Ingetrokken,
                            closing_reason: None,
                            explanation: None,
                            withdraw_reason: Some(WithdrawReason::Vrijstelling),
                        },
                        contact: None,
                        process: Procesverloop {
                            date: day("2026-10-22"),
                            time: tijd("09:15:00.001"),
                        },
                    },
                ],
                next_cursor: "c:000000044".into(),
                more: false,
            }),
            ResponseMessage::AanvraagGewijzigde(AanvraagGewijzigdeMeldingRelatiefVerzuimResponse {
                period: None,
                cases: vec![],
                next_cursor: "c:000000044".into(),
                more: false,
            }),
            ResponseMessage::Foutmelding(Foutmelding {
                errors: vec![
                    Fout {
                        code: FoutCode::OngeldigVeld,
                        field: Some("BegindatumVerzuim".into()),
                        message: "de begindatum ligt in de toekomst".into(),
                    },
                    Fout {
                        code: FoutCode::NietGevonden,
                        field: None,
                        message: "melding VM000009999 bestaat niet".into(),
                    },
                ],
            }),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::samples::*;
    use super::*;

    #[test]
    fn every_request_body_round_trips() {
        for m in requests() {
            let xml = m.to_xml().unwrap();
            let back = RequestMessage::from_xml(m.operation(), &xml).unwrap();
            assert_eq!(back, m, "{xml}");
        }
    }

    #[test]
    fn every_response_body_round_trips() {
        for m in responses() {
            let xml = m.to_xml().unwrap();
            let back = ResponseMessage::from_xml(m.element_name(), &xml)
                .unwrap()
                .unwrap();
            assert_eq!(back, m, "{xml}");
        }
    }

    #[test]
    fn tijdstip_is_written_with_milliseconds() {
        let xml = to_xml("P", &process()).unwrap();
        assert!(
            xml.contains("<TijdstipLaatsteMutatie>14:03:07.250</TijdstipLaatsteMutatie>"),
            "{xml}"
        );
        assert!(
            xml.contains("<DatumLaatsteMutatie>2026-10-21</DatumLaatsteMutatie>"),
            "{xml}"
        );
    }

    #[test]
    fn melding_gegevens_map_onto_the_loket_input_and_validate() {
        let input = melding().to_melding_input();
        assert_eq!(input.kind, "V3");
        assert_eq!(input.action_wanted, "ja");
        assert_eq!(input.start_qualification, "nee");
        assert_eq!(input.address_number, "12");
        assert_eq!(input.begin_date, "2026-10-01");
        let locations = vec!["Hoofdgebouw".to_owned()];
        let ctx = verzuim_loket::ValidationContext {
            today: day("2026-10-21"),
            locations: &locations,
        };
        let valid = input.validate(&ctx);
        let valid = match valid {
            Ok(v) => v,
            Err(e) => panic!("{e}"),
        };
        let back = MeldingGegevens::from_new_melding(&valid);
        assert_eq!(back.to_melding_input().validate(&ctx).ok(), Some(valid));
    }

    #[test]
    fn field_errors_become_a_foutmelding_per_element() {
        let mut input = melding().to_melding_input();
        input.begin_date = "2027-01-01".into();
        input.location = "Elders".into();
        let locations = vec!["Hoofdgebouw".to_owned()];
        let ctx = verzuim_loket::ValidationContext {
            today: day("2026-10-21"),
            locations: &locations,
        };
        let errors = input.validate(&ctx).err().unwrap();
        let f = Foutmelding::from(&errors);
        let fields: Vec<_> = f.errors.iter().filter_map(|e| e.field.as_deref()).collect();
        assert!(fields.contains(&"BegindatumVerzuim"), "{fields:?}");
        assert!(fields.contains(&"Onderwijslocatienaam"), "{fields:?}");
        assert!(f.errors.iter().all(|e| e.code == FoutCode::OngeldigVeld));
    }

    #[test]
    fn day_specification_maps_to_the_loket_text_form() {
        let text = dagen().to_loket_text();
        assert_eq!(text, "2026-10-05: hele dag\n2026-10-06: 1, 3, 5\n");
        let spec =
            DaySpecification::parse("dagen", &text, day("2026-10-01"), day("2026-10-20")).unwrap();
        assert_eq!(Verzuimdagspecificatie::from(&spec), dagen());
    }

    #[test]
    fn selection_is_period_or_cursor_not_both() {
        let mut r = AanvraagGewijzigdeMeldingRelatiefVerzuimRequest {
            brin: "25BE".into(),
            period: Some(Selectieperiode {
                date: day("2026-10-01"),
                time: None,
            }),
            cursor: Some("c".into()),
            limit: None,
        };
        assert!(r.selection().is_err());
        r.cursor = None;
        assert_eq!(
            r.selection().unwrap(),
            Selection::Since(day("2026-10-01"), None)
        );
        r.period = None;
        assert_eq!(r.selection().unwrap(), Selection::Everything);
    }
}
