//! The certificate registry of the machine coupling (issue 5, seed 000): a school's
//! beheerder uploads its client certificate (`.cer`, `.crt`, `.cert` or `.p7b`), or the site
//! administrator registers subject + issuer; the loket shows validity, warns 30 days before
//! expiry and keeps the history on renewal (a new registration does not end the old one: the
//! old certificate stays valid until it expires or is revoked, because renewal overlaps).
//! [`Loket::m2m_exchange`](super::Loket::m2m_exchange) accepts a TLS peer whose subject and
//! issuer match a registered, unrevoked certificate of the BRIN the message is about.

use chrono::{DateTime, NaiveDate, Utc};
use verzuim_domain::Brin;
use verzuim_edukoppeling::{CertificateInfo, dn_key, parse_certificate_file};
pub use verzuim_store::loket::CertificateSource;
use verzuim_store::loket::{NewCertificate, StoredCertificate};

use super::access::audit_entry;
use super::admin::require_admin;
use super::meldingen::field_error;
use super::{Loket, LoketActor, Result, not_found};

/// Days before expiry from which a certificate is shown as "verloopt binnenkort".
pub const EXPIRY_WARNING_DAYS: i64 = 30;

/// File extensions accepted for an upload (seed 000).
pub const CERTIFICATE_EXTENSIONS: &[&str] = &["cer", "crt", "cert", "p7b"];

/// Longest subject or issuer text the site administrator may type.
const MAX_DN: usize = 1000;

/// A registered certificate as the loket shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRow {
    /// Id.
    pub id: i64,
    /// The school.
    pub brin: Brin,
    /// Subject DN.
    pub subject: String,
    /// Issuer DN.
    pub issuer: String,
    /// Serial number (hex), when uploaded.
    pub serial: Option<String>,
    /// Valid from, when known.
    pub not_before: Option<DateTime<Utc>>,
    /// Valid until, when known (an admin registration may leave it open).
    pub not_after: Option<DateTime<Utc>>,
    /// SHA-256 fingerprint (hex), when uploaded.
    pub sha256: Option<String>,
    /// Uploaded or registered by the site administrator.
    pub source: CertificateSource,
    /// When it was registered.
    pub registered_at: DateTime<Utc>,
    /// Login name of who registered it.
    pub registered_by: String,
    /// When a newer registration followed (this one stays valid until it expires).
    pub replaced_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    pub revoked_at: Option<DateTime<Utc>>,
}

/// Where a certificate stands on a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CertificateState {
    /// Accepted.
    Geldig,
    /// Accepted, but expires within [`EXPIRY_WARNING_DAYS`] days.
    VerlooptBinnenkort {
        /// Whole days left (0 = expires today).
        days: i64,
    },
    /// Expired: no longer accepted.
    Verlopen,
    /// Revoked: no longer accepted.
    Ingetrokken,
}

impl CertificateState {
    /// Dutch label for the registry page.
    pub fn label(self) -> String {
        match self {
            Self::Geldig => "geldig".to_owned(),
            Self::VerlooptBinnenkort { days: 0 } => "verloopt vandaag".to_owned(),
            Self::VerlooptBinnenkort { days: 1 } => "verloopt morgen".to_owned(),
            Self::VerlooptBinnenkort { days } => format!("verloopt over {days} dagen"),
            Self::Verlopen => "verlopen".to_owned(),
            Self::Ingetrokken => "ingetrokken".to_owned(),
        }
    }

    /// Whether the loket accepts the certificate in this state.
    pub fn is_accepted(self) -> bool {
        matches!(self, Self::Geldig | Self::VerlooptBinnenkort { .. })
    }
}

impl CertificateRow {
    /// The state on `today`: revoked wins, then expiry (`not_after` before `today` is
    /// expired), then the 30-day warning.
    pub fn state(&self, today: NaiveDate) -> CertificateState {
        if self.revoked_at.is_some() {
            return CertificateState::Ingetrokken;
        }
        let Some(until) = self.not_after.map(|t| t.date_naive()) else {
            return CertificateState::Geldig;
        };
        let days = (until - today).num_days();
        if days < 0 {
            CertificateState::Verlopen
        } else if days <= EXPIRY_WARNING_DAYS {
            CertificateState::VerlooptBinnenkort { days }
        } else {
            CertificateState::Geldig
        }
    }
}

impl From<StoredCertificate> for CertificateRow {
    fn from(c: StoredCertificate) -> Self {
        Self {
            id: c.id,
            brin: c.brin,
            subject: c.subject,
            issuer: c.issuer,
            serial: c.serial,
            not_before: c.not_before,
            not_after: c.not_after,
            sha256: c.sha256,
            source: c.source,
            registered_at: c.registered_at,
            registered_by: c.registered_by,
            replaced_at: c.replaced_at,
            revoked_at: c.revoked_at,
        }
    }
}

impl Loket {
    /// Registers the certificate(s) in an uploaded file for `brin`: the school's beheerder
    /// only. The file (extension `.cer`, `.crt`, `.cert` or `.p7b`; PEM or DER inside) may
    /// hold a chain: CA certificates in it are skipped, every end-entity certificate is
    /// registered. An expired certificate, or one registered (and not revoked) for the school
    /// already, is refused. Errors on field `certificate`. Returns the new registrations.
    pub async fn upload_certificate(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        filename: &str,
        bytes: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Vec<CertificateRow>> {
        if !actor.is_beheerder(brin) {
            return not_found("pagina");
        }
        self.require_school(brin).await?;
        let ext = filename
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .unwrap_or_default();
        if !CERTIFICATE_EXTENSIONS.contains(&ext.as_str()) {
            return Err(field_error(
                "certificate",
                "kies een certificaatbestand met de extensie .cer, .crt, .cert of .p7b",
            ));
        }
        let infos =
            parse_certificate_file(bytes).map_err(|e| field_error("certificate", e.to_string()))?;
        let leaves: Vec<CertificateInfo> = infos.into_iter().filter(|c| !c.is_ca).collect();
        if leaves.is_empty() {
            return Err(field_error(
                "certificate",
                "het bestand bevat alleen CA-certificaten; kies het certificaat van de school zelf",
            ));
        }
        let existing = self.store.certificates_of(brin).await?;
        for c in &leaves {
            if c.is_expired_at(now) {
                return Err(field_error(
                    "certificate",
                    format!(
                        "het certificaat '{}' is verlopen op {}",
                        c.subject,
                        c.not_after.format("%d-%m-%Y")
                    ),
                ));
            }
            if existing
                .iter()
                .any(|e| e.revoked_at.is_none() && e.sha256.as_deref() == Some(c.sha256.as_str()))
            {
                return Err(field_error(
                    "certificate",
                    "dit certificaat is al geregistreerd voor deze school",
                ));
            }
        }
        let keys: Vec<(String, String)> = leaves
            .iter()
            .map(|c| (c.subject_key(), c.issuer_key()))
            .collect();
        let new: Vec<NewCertificate<'_>> = leaves
            .iter()
            .zip(&keys)
            .map(|(c, (sk, ik))| NewCertificate {
                brin,
                subject: &c.subject,
                issuer: &c.issuer,
                subject_key: sk,
                issuer_key: ik,
                serial: Some(&c.serial),
                not_before: Some(c.not_before),
                not_after: Some(c.not_after),
                sha256: Some(&c.sha256),
                der: Some(&c.der),
                source: CertificateSource::Upload,
            })
            .collect();
        let audit = audit_entry(
            &actor.username,
            "certificate.upload",
            Some(brin.as_str()),
            &format!("certificaat geüpload ({})", clean_filename(filename)),
            now,
        );
        let ids = self.store.register_certificates(&new, &audit).await?;
        tracing::info!(brin = %brin, count = ids.len(), "clientcertificaat geregistreerd");
        self.rows_with_ids(brin, &ids).await
    }

    /// Registers subject + issuer of a school's certificate without the file: the site
    /// administrator only. `not_after` (optional) is the last valid day. Errors on fields
    /// `subject`, `issuer`, `not_after`.
    pub async fn register_certificate(
        &self,
        admin: &LoketActor,
        brin: &Brin,
        subject: &str,
        issuer: &str,
        not_after: Option<NaiveDate>,
        now: DateTime<Utc>,
    ) -> Result<CertificateRow> {
        require_admin(admin)?;
        self.require_school(brin).await?;
        let subject = subject.trim();
        let issuer = issuer.trim();
        for (field, value) in [("subject", subject), ("issuer", issuer)] {
            if value.is_empty() || dn_key(value).is_empty() {
                return Err(field_error(
                    field,
                    "vul de naam in als attributen, bijvoorbeeld C=NL, O=School, CN=naam",
                ));
            }
            if value.chars().count() > MAX_DN {
                return Err(field_error(field, format!("hoogstens {MAX_DN} tekens")));
            }
        }
        let until = not_after
            .and_then(|d| d.and_hms_opt(23, 59, 59))
            .map(|t| t.and_utc());
        if let Some(u) = until
            && u < now
        {
            return Err(field_error("not_after", "deze datum ligt in het verleden"));
        }
        let (sk, ik) = (dn_key(subject), dn_key(issuer));
        let audit = audit_entry(
            &admin.username,
            "certificate.register",
            Some(brin.as_str()),
            "certificaat geregistreerd door de beheerder",
            now,
        );
        let ids = self
            .store
            .register_certificates(
                &[NewCertificate {
                    brin,
                    subject,
                    issuer,
                    subject_key: &sk,
                    issuer_key: &ik,
                    serial: None,
                    not_before: None,
                    not_after: until,
                    sha256: None,
                    der: None,
                    source: CertificateSource::Admin,
                }],
                &audit,
            )
            .await?;
        match self.rows_with_ids(brin, &ids).await?.into_iter().next() {
            Some(row) => Ok(row),
            None => not_found("certificaat"),
        }
    }

    /// The school's certificates, newest registration first, with the history (replaced and
    /// revoked ones): for the school's melder or beheerder, or the site administrator.
    pub async fn certificates(
        &self,
        actor: &LoketActor,
        brin: &Brin,
    ) -> Result<Vec<CertificateRow>> {
        if !(actor.works_for_school(brin) || actor.is_site_admin()) {
            return not_found("pagina");
        }
        Ok(self
            .store
            .certificates_of(brin)
            .await?
            .into_iter()
            .map(CertificateRow::from)
            .collect())
    }

    /// Revokes a certificate of the school (from then on refused): the school's beheerder or
    /// the site administrator. Revoking one that is revoked already changes nothing.
    pub async fn revoke_certificate(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        if !(actor.is_beheerder(brin) || actor.is_site_admin()) {
            return not_found("pagina");
        }
        let Some(cert) = self.store.certificate(brin, id).await? else {
            return not_found("certificaat");
        };
        let audit = audit_entry(
            &actor.username,
            "certificate.revoke",
            Some(brin.as_str()),
            &format!("certificaat {id} ingetrokken: {}", cert.subject),
            now,
        );
        self.store.revoke_certificate(brin, id, &audit).await?;
        Ok(())
    }

    /// The site administrator's overview: current certificates (not revoked, not replaced by
    /// a newer registration) that expire within [`EXPIRY_WARNING_DAYS`] days of `today` or
    /// have expired, soonest first.
    pub async fn expiring_certificates(
        &self,
        admin: &LoketActor,
        today: NaiveDate,
    ) -> Result<Vec<CertificateRow>> {
        require_admin(admin)?;
        let before = (today + chrono::Duration::days(EXPIRY_WARNING_DAYS + 1))
            .and_time(chrono::NaiveTime::MIN)
            .and_utc();
        Ok(self
            .store
            .certificates_expiring_before(before)
            .await?
            .into_iter()
            .map(CertificateRow::from)
            .collect())
    }

    async fn require_school(&self, brin: &Brin) -> Result<()> {
        match self.store.school(brin).await? {
            Some(_) => Ok(()),
            None => not_found("school"),
        }
    }

    async fn rows_with_ids(&self, brin: &Brin, ids: &[i64]) -> Result<Vec<CertificateRow>> {
        let all = self.store.certificates_of(brin).await?;
        Ok(ids
            .iter()
            .filter_map(|id| all.iter().find(|c| c.id == *id).cloned())
            .map(CertificateRow::from)
            .collect())
    }
}

/// The file name for the audit log: no path, at most 100 characters.
fn clean_filename(name: &str) -> String {
    name.rsplit(['/', '\\'])
        .next()
        .unwrap_or_default()
        .chars()
        .filter(|c| !c.is_control())
        .take(100)
        .collect()
}
