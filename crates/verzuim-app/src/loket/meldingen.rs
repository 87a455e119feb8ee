//! The school's side of the loket: filing a melding through the web form (every field of the
//! Besluit Verzuimmelding), the school's list of meldingen, one melding with its terugmelding
//! and history, completing it later (end date, verzuimdagspecificatie, attachments),
//! withdrawing it, and "nieuwe melding bij aanhoudend verzuim" (seed 001: klonen).
//!
//! Only a `verzuimloket melder` of the BRIN may do any of this; for anyone else the school's
//! meldingen do not exist ([`LoketError::NotFound`]). Only a contact person may file (seed
//! 000): the reporter is the contact person linked to the user's account for the BRIN, stored
//! as a snapshot on the melding. Every view, change and download writes a `loket_audit` row.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use sha2::{Digest, Sha256};
use verzuim_domain::{Brin, Gemeentecode, ValidationError};
use verzuim_loket::melding::{date, optional_text};
use verzuim_loket::{
    DaySpecification, FieldErrors, MeldingInput, MeldingStatus, NewMelding, Party, Routing,
    Transition, ValidationContext, WithdrawReason,
};
pub use verzuim_store::loket::{
    AttachmentMeta, MeldingEventRow, MeldingFilter, MeldingScope, MeldingSummary, ReporterSnapshot,
    StoredTerugmelding,
};
use verzuim_store::loket::{MeldingRow, MeldingToFile, NewAttachment, StatusChange, Who};

use super::{Loket, LoketActor, LoketError, Result, not_found};

/// The refusal when the account is not linked to a contact person of the school (seed 000).
pub const NOT_A_CONTACT: &str = "Alleen contactpersonen kunnen verzuimmeldingen doen: laat de beheerder u als contactpersoon koppelen";

/// Longest note with a withdrawal.
const MAX_NOTE: usize = 500;
/// Longest stored attachment file name.
const MAX_FILENAME: usize = 100;

/// Everything a melding page shows, for the school and for the gemeente.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MeldingView {
    /// Meldingsnummer (`VM` + 9 digits).
    pub nummer: String,
    /// The school that filed it.
    pub brin: Brin,
    /// Every field as filed (end date as last set).
    pub melding: NewMelding,
    /// The reporting contact person (snapshot at filing).
    pub reporter: ReporterSnapshot,
    /// The receiving gemeente and where that came from (register or school).
    pub routing: Routing,
    /// Current status ([`MeldingView::status_label`] for its Dutch name).
    pub status: MeldingStatus,
    /// Why it was withdrawn (status I): by the school, or a vrijstelling.
    pub withdraw_reason: Option<WithdrawReason>,
    /// The gemeente's terugmelding, once given.
    pub terugmelding: Option<StoredTerugmelding>,
    /// The verzuimdagspecificatie; `None` until filled (the gemeente sees it only then).
    pub day_spec: Option<DaySpecification>,
    /// The history, oldest first.
    pub events: Vec<MeldingEventRow>,
    /// The attachments (metadata; download with [`Loket::attachment`]).
    pub attachments: Vec<AttachmentMeta>,
    /// Filed.
    pub filed_at: DateTime<Utc>,
    /// Last changed.
    pub updated_at: DateTime<Utc>,
    /// Became final (afgesloten, ter kennisneming, ingetrokken).
    pub final_at: Option<DateTime<Utc>>,
    /// The melding this one continues ("nieuwe melding bij aanhoudend verzuim").
    pub cloned_from: Option<String>,
}

impl MeldingView {
    /// Dutch name of the status.
    pub fn status_label(&self) -> &'static str {
        self.status.label()
    }

    /// Whether the status is final (no party can change it any more).
    pub fn is_final(&self) -> bool {
        self.status.is_final()
    }

    /// The day specification as text ("lesuren opgeven" form), empty when not filled.
    pub fn day_spec_text(&self) -> String {
        self.day_spec
            .as_ref()
            .map(DaySpecification::to_text)
            .unwrap_or_default()
    }
}

/// A downloaded attachment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttachmentDownload {
    /// File name for `Content-Disposition: attachment`.
    pub filename: String,
    /// The stored content type (from the magic bytes).
    pub content_type: String,
    /// The bytes.
    pub bytes: Vec<u8>,
}

impl Loket {
    /// Files a melding for `brin` as the contact person linked to the actor's account.
    /// Validates every field (locations from the school's own list), routes it (the resident
    /// register wins over the school's residence gemeente; the routed gemeente must be known
    /// to the loket, else an error on `residence_gemeente`), numbers it and stores it with its
    /// first history row in one transaction. A melding that overlaps a vrijstelling of the
    /// routed gemeente is stored and withdrawn at once with reason V. `cloned_from` is the
    /// meldingsnummer this one continues (from [`Loket::clone_input`]; the form's hidden
    /// field), which must be a melding of the same school.
    ///
    /// Errors: [`super::LoketError::Fields`] with a message per field (`reporter` when the
    /// account is no contact person); `NotFound` when the actor is no melder of `brin`.
    pub async fn file_melding(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        input: &MeldingInput,
        cloned_from: Option<&str>,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<MeldingView> {
        require_melder(actor, brin)?;
        let Some(contact) = self.my_contact(actor, brin).await? else {
            return Err(field_error("reporter", NOT_A_CONTACT));
        };
        let reporter = ReporterSnapshot {
            name: contact.name,
            function: contact.function,
            phone: contact.phone,
            email: contact.email,
        };
        let locations: Vec<String> = self
            .list_locations(actor, brin, "")
            .await?
            .into_iter()
            .map(|l| l.name)
            .collect();
        let melding = input.validate(&ValidationContext {
            today,
            locations: &locations,
        })?;
        let routing = self.route(&melding).await?;
        let cloned_from = match cloned_from.map(str::trim).filter(|c| !c.is_empty()) {
            Some(nummer) => Some(self.school_row(actor, brin, nummer).await?.nummer),
            None => None,
        };
        let filed = self
            .store
            .file_melding(&MeldingToFile {
                brin,
                melding: &melding,
                reporter: &reporter,
                routing: &routing,
                cloned_from: cloned_from.as_deref(),
                client_melding_id: None,
                who: who(actor, brin.as_str()),
                now,
            })
            .await?;
        tracing::info!(
            nummer = %filed.nummer,
            brin = %brin,
            gemeente = %routing.gemeente,
            withdrawn_by_vrijstelling = filed.withdrawn_by.is_some(),
            "verzuimmelding ingediend"
        );
        let row = self.school_row(actor, brin, &filed.nummer).await?;
        self.view(row).await
    }

    /// The routing of a validated melding: the register's gemeente, else the school's; the
    /// gemeente must be known to the loket.
    pub(super) async fn route(&self, melding: &NewMelding) -> Result<Routing> {
        let register = self
            .resident_gemeente(melding.student_number.as_str())
            .await?;
        let routing = Routing::decide(&melding.residence_gemeente, register.as_ref());
        if self.store.gemeente(&routing.gemeente).await?.is_none() {
            return Err(field_error(
                "residence_gemeente",
                unknown_gemeente(&routing.gemeente, register.is_some()),
            ));
        }
        Ok(routing)
    }

    /// The school's meldingen, newest first, filtered.
    pub async fn school_meldingen(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        filter: &MeldingFilter,
    ) -> Result<Vec<MeldingSummary>> {
        require_melder(actor, brin)?;
        Ok(self
            .store
            .meldingen(&MeldingScope::School(brin.clone()), filter)
            .await?)
    }

    /// One of the school's meldingen with its terugmelding, history and attachments
    /// (audited as a view).
    pub async fn school_melding(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        nummer: &str,
        now: DateTime<Utc>,
    ) -> Result<MeldingView> {
        let row = self.school_row(actor, brin, nummer).await?;
        self.audit(
            actor,
            "melding.view",
            Some(brin.as_str()),
            Some(row.id),
            &format!("melding {} bekeken", row.nummer),
            now,
        )
        .await?;
        self.view(row).await
    }

    /// Sets (or corrects) the end date of a melding that is not final: on or after the begin
    /// date, not after `today`. Error on field `end_date`.
    pub async fn set_end_date(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        nummer: &str,
        text: &str,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let row = self.school_row(actor, brin, nummer).await?;
        if row.status.is_final() {
            return Err(field_error(
                "end_date",
                format!(
                    "de melding is {}; de einddatum kan niet meer worden gewijzigd",
                    row.status.label().to_lowercase()
                ),
            ));
        }
        let end = date("end_date", text).map_err(one_field)?;
        if end < row.melding.begin_date {
            return Err(field_error(
                "end_date",
                "de einddatum ligt voor de begindatum",
            ));
        }
        if end > today {
            return Err(field_error("end_date", "de einddatum ligt in de toekomst"));
        }
        self.store
            .set_melding_end_date(row.id, row.status, end, who(actor, brin.as_str()), now)
            .await?;
        Ok(())
    }

    /// Sets the verzuimdagspecificatie ("lesuren opgeven") from its text form, one day per
    /// line (`2026-10-05: hele dag`, `2026-10-06: 1, 2, 5`); every day between the begin date
    /// and the end date (or `today` while open). Empty text clears it. Not for a withdrawn
    /// melding. Error on field `day_spec`.
    pub async fn set_day_spec(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        nummer: &str,
        text: &str,
        today: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let row = self.school_row(actor, brin, nummer).await?;
        if row.status == MeldingStatus::Ingetrokken {
            return Err(field_error(
                "day_spec",
                "de melding is ingetrokken; een verzuimdagspecificatie kan niet meer worden opgegeven",
            ));
        }
        let end = row.melding.end_date.unwrap_or(today);
        let spec = DaySpecification::parse("day_spec", text, row.melding.begin_date, end)
            .map_err(one_field)?;
        let (stored, note) = if spec.is_empty() {
            (None, "Verzuimdagspecificatie gewist".to_owned())
        } else {
            (
                Some(spec.to_text()),
                format!("Verzuimdagspecificatie opgegeven: {} dag(en)", spec.days()),
            )
        };
        self.store
            .set_melding_day_spec(
                row.id,
                row.status,
                stored.as_deref(),
                &note,
                who(actor, brin.as_str()),
                now,
            )
            .await?;
        Ok(())
    }

    /// Adds an attachment: PDF, PNG or JPEG (checked by the magic bytes, not by the name),
    /// at most `config.max_attachment_bytes`, at most `config.max_attachments` per melding;
    /// the file name is sanitised. Not for a withdrawn melding. Errors on field `attachment`.
    pub async fn add_attachment(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        nummer: &str,
        filename: &str,
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<AttachmentMeta> {
        let row = self.school_row(actor, brin, nummer).await?;
        if row.status == MeldingStatus::Ingetrokken {
            return Err(field_error(
                "attachment",
                "de melding is ingetrokken; er kunnen geen bijlagen meer bij",
            ));
        }
        let content_type = check_attachment(bytes, self.config.max_attachment_bytes)?;
        let filename = sanitize_filename(filename, content_type);
        let sha256 = hex_sha256(bytes);
        self.store
            .add_attachment(
                row.id,
                row.status,
                &NewAttachment {
                    filename: &filename,
                    content_type,
                    sha256: &sha256,
                    bytes,
                },
                self.config.max_attachments,
                who(actor, brin.as_str()),
                now,
            )
            .await
            .map_err(|e| match LoketError::from(e) {
                LoketError::Invalid(v) => one_field(v),
                other => other,
            })
    }

    /// Withdraws a melding (reason S) while the gemeente has not finished it; `note` (may be
    /// empty) goes into the history. A finished melding: [`super::LoketError::Transition`].
    pub async fn withdraw(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        nummer: &str,
        note: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let row = self.school_row(actor, brin, nummer).await?;
        let note = optional_text("note", note, MAX_NOTE).map_err(one_field)?;
        let t = Transition::check(row.status, MeldingStatus::Ingetrokken, Party::School)?;
        let text = match note {
            Some(n) => format!("Ingetrokken door de school: {n}"),
            None => "Ingetrokken door de school".to_owned(),
        };
        self.store
            .withdraw_melding(
                &StatusChange {
                    id: row.id,
                    from: t.from,
                    to: t.to,
                    party: Party::School,
                    who: who(actor, brin.as_str()),
                    note: &text,
                    now,
                },
                WithdrawReason::DoorSchool,
            )
            .await?;
        Ok(())
    }

    /// "Nieuwe melding bij aanhoudend verzuim": the form of a new melding prefilled from an
    /// old one (same student, contact and school fields, same kind; begin date the day after
    /// the old end date, end date empty). Post it back with `cloned_from` = `nummer`.
    /// Audited as a view.
    pub async fn clone_input(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        nummer: &str,
        now: DateTime<Utc>,
    ) -> Result<MeldingInput> {
        let row = self.school_row(actor, brin, nummer).await?;
        self.audit(
            actor,
            "melding.clone",
            Some(brin.as_str()),
            Some(row.id),
            &format!("melding {} overgenomen in een nieuwe melding", row.nummer),
            now,
        )
        .await?;
        Ok(continuation_input(&row.melding))
    }

    /// Downloads an attachment of a melding in `scope`: the school that filed it (melder) or
    /// the gemeente it is routed to (leerplichtambtenaar/RMC). Audited.
    pub async fn attachment(
        &self,
        actor: &LoketActor,
        scope: &MeldingScope,
        nummer: &str,
        attachment_id: i64,
        now: DateTime<Utc>,
    ) -> Result<AttachmentDownload> {
        let organisation = match scope {
            MeldingScope::School(b) => {
                require_melder(actor, b)?;
                b.as_str()
            }
            MeldingScope::Gemeente(g) => {
                require_gemeente(actor, g)?;
                g.as_str()
            }
        };
        let Some(row) = self.store.melding(scope, nummer).await? else {
            return not_found("melding");
        };
        let Some(file) = self.store.attachment(row.id, attachment_id).await? else {
            return not_found("bijlage");
        };
        self.audit(
            actor,
            "attachment.download",
            Some(organisation),
            Some(row.id),
            &format!(
                "bijlage '{}' van melding {} gedownload",
                file.meta.filename, row.nummer
            ),
            now,
        )
        .await?;
        Ok(AttachmentDownload {
            filename: file.meta.filename,
            content_type: file.meta.content_type,
            bytes: file.bytes,
        })
    }

    /// The melding `nummer` of `brin`, for a melder of `brin`.
    pub(super) async fn school_row(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        nummer: &str,
    ) -> Result<MeldingRow> {
        require_melder(actor, brin)?;
        match self
            .store
            .melding(&MeldingScope::School(brin.clone()), nummer)
            .await?
        {
            Some(row) => Ok(row),
            None => not_found("melding"),
        }
    }

    /// The page's view of a stored melding: with its history and attachments.
    pub(super) async fn view(&self, row: MeldingRow) -> Result<MeldingView> {
        let events = self.store.melding_events(row.id).await?;
        let attachments = self.store.attachments_of(row.id).await?;
        Ok(MeldingView {
            nummer: row.nummer,
            brin: row.brin,
            melding: row.melding,
            reporter: row.reporter,
            routing: row.routing,
            status: row.status,
            withdraw_reason: row.withdraw_reason,
            terugmelding: row.terugmelding,
            day_spec: row.day_spec.filter(|d| !d.is_empty()),
            events,
            attachments,
            filed_at: row.filed_at,
            updated_at: row.updated_at,
            final_at: row.final_at,
            cloned_from: row.cloned_from,
        })
    }
}

/// `NotFound` unless the actor is a melder of `brin`.
pub(super) fn require_melder(actor: &LoketActor, brin: &Brin) -> Result<()> {
    if actor.is_melder(brin) {
        Ok(())
    } else {
        not_found("melding")
    }
}

/// `NotFound` unless the actor is leerplichtambtenaar or RMC of `gemeente`.
pub(super) fn require_gemeente(actor: &LoketActor, gemeente: &Gemeentecode) -> Result<()> {
    if actor.works_for_gemeente(gemeente) {
        Ok(())
    } else {
        not_found("melding")
    }
}

/// The actor acting for `organisation`, for history and audit rows.
pub(super) fn who<'a>(actor: &'a LoketActor, organisation: &'a str) -> Who<'a> {
    Who {
        username: &actor.username,
        organisation,
    }
}

/// A refused value as a form error.
pub(super) fn one_field(e: ValidationError) -> LoketError {
    LoketError::Fields(FieldErrors(vec![e]))
}

/// A form error on one field.
pub(super) fn field_error(field: &str, reason: impl Into<String>) -> LoketError {
    let mut e = FieldErrors::default();
    e.push(field, reason);
    LoketError::Fields(e)
}

fn unknown_gemeente(code: &Gemeentecode, from_register: bool) -> String {
    if from_register {
        format!(
            "volgens het woonplaatsregister woont de leerling in gemeente {code}, maar die gemeente is niet bij het loket bekend; neem contact op met de beheerder van het loket"
        )
    } else {
        format!(
            "gemeente {code} is niet bij het loket bekend; controleer de gemeentecode van de woonplaats"
        )
    }
}

/// The form of a continuation of `old` ("nieuwe melding bij aanhoudend verzuim").
fn continuation_input(old: &NewMelding) -> MeldingInput {
    let yes_no = |b: bool| if b { "ja" } else { "nee" }.to_owned();
    let address = old.address.as_ref();
    MeldingInput {
        student_number: old.student_number.as_str().to_owned(),
        first_names: old.first_names.clone(),
        prefix: old.prefix.clone().unwrap_or_default(),
        surname: old.surname.clone(),
        birth_date: old.birth_date.format("%Y-%m-%d").to_string(),
        gender: old.gender.clone(),
        residence_gemeente: old.residence_gemeente.as_str().to_owned(),
        start_qualification: yes_no(old.start_qualification),
        kind: old.kind.code().to_owned(),
        begin_date: old
            .end_date
            .and_then(|e| e.checked_add_signed(Duration::days(1)))
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_default(),
        end_date: String::new(),
        suspected_reason: old.suspected_reason.clone(),
        all_lessons_missed: yes_no(old.all_lessons_missed),
        school_actions: old.school_actions.clone(),
        action_wanted: yes_no(old.action_wanted),
        priority: old
            .priority
            .map(|p| p.code().to_owned())
            .unwrap_or_default(),
        no_action_explanation: old.no_action_explanation.clone().unwrap_or_default(),
        location: old.location.clone(),
        parent_phone: old.parent_phone.clone(),
        address_street: address.map(|a| a.street.clone()).unwrap_or_default(),
        address_number: address.map(|a| a.number.to_string()).unwrap_or_default(),
        address_letter: address.and_then(|a| a.letter.clone()).unwrap_or_default(),
        address_addition: address.and_then(|a| a.addition.clone()).unwrap_or_default(),
        address_postcode: address.map(|a| a.postcode.clone()).unwrap_or_default(),
        address_location: address.and_then(|a| a.location.clone()).unwrap_or_default(),
        address_city: address.map(|a| a.city.clone()).unwrap_or_default(),
        absence_days: String::new(),
        absence_hours: String::new(),
    }
}

/// The content type of an acceptable attachment, told by its first bytes; or the refusal.
pub(super) fn check_attachment(bytes: &[u8], max_bytes: usize) -> Result<&'static str> {
    if bytes.is_empty() {
        return Err(field_error("attachment", "het bestand is leeg"));
    }
    if bytes.len() > max_bytes {
        return Err(field_error(
            "attachment",
            format!(
                "het bestand is te groot: {}, hoogstens {}",
                human_size(bytes.len()),
                human_size(max_bytes)
            ),
        ));
    }
    if bytes.starts_with(b"%PDF-") {
        Ok("application/pdf")
    } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
        Ok("image/png")
    } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Ok("image/jpeg")
    } else {
        Err(field_error(
            "attachment",
            "dit bestandstype wordt niet geaccepteerd: alleen PDF, PNG of JPEG",
        ))
    }
}

fn human_size(bytes: usize) -> String {
    const MIB: usize = 1024 * 1024;
    if bytes >= MIB {
        format!("{:.1} MB", bytes as f64 / MIB as f64).replace('.', ",")
    } else {
        format!("{} kB", bytes.div_ceil(1024))
    }
}

/// A safe file name: no path, only letters, digits, spaces, `.`, `-` and `_`, at most
/// [`MAX_FILENAME`] characters, with the extension of its real type.
pub(super) fn sanitize_filename(name: &str, content_type: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or_default();
    let mut clean: String = base
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ') {
                c
            } else {
                '_'
            }
        })
        .collect();
    clean = clean.trim_matches(['.', ' ']).to_owned();
    let extensions: &[&str] = match content_type {
        "application/pdf" => &["pdf"],
        "image/png" => &["png"],
        _ => &["jpg", "jpeg"],
    };
    let has_ext = clean
        .rsplit_once('.')
        .is_some_and(|(_, ext)| extensions.iter().any(|e| ext.eq_ignore_ascii_case(e)));
    if clean.is_empty() {
        clean = "bijlage".to_owned();
    }
    let ext = extensions.first().copied().unwrap_or("bin");
    let stem_max = MAX_FILENAME - ext.len() - 1;
    if has_ext {
        if clean.chars().count() > MAX_FILENAME {
            let (stem, _) = clean.rsplit_once('.').unwrap_or((clean.as_str(), ""));
            let stem: String = stem.chars().take(stem_max).collect();
            clean = format!("{stem}.{ext}");
        }
        clean
    } else {
        let stem: String = clean.chars().take(stem_max).collect();
        format!("{stem}.{ext}")
    }
}

fn hex_sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
