//! The Verzuimloket's use cases (issue 4): the desk that receives meldingen from schools and
//! the gemeente's side that answers them. Every use case takes a [`LoketActor`], which only a
//! login (password + TOTP) or [`LoketActor::trusted`] (CLI, demo, tests) produces, and checks
//! the actor's role for the BRIN or gemeente it touches. Anything outside the actor's roles is
//! [`LoketError::NotFound`] (a 404 on the web), never "forbidden", so no other school's or
//! gemeente's data — not even its existence — leaks.
//!
//! Roles (seed 000; research/duo-and-law.md §1.1):
//! - `verzuimloket melder` per BRIN: files, completes and withdraws the school's meldingen,
//!   reads terugmeldingen and the school's reports;
//! - `verzuimloket beheerder onderwijs` per BRIN: manages the school's locations and contact
//!   persons ("Beheer locaties", "Beheer contactpersonen");
//! - `leerplichtambtenaar` and `behandelaar RMC` per gemeente: the inbox of meldingen for the
//!   gemeente's residents, terugmeldingen, vrijstellingen, the gemeente's reports;
//! - site administrator (beheerder beveiligde site): creates organisations and users, grants
//!   roles, imports the resident register, reads the audit log.
//!
//! No clock here: callers pass `now`/`today`. The pure rules (validation, life cycle,
//! routing, reports, retention) live in `verzuim-loket`.

use std::fmt;

use verzuim_domain::{Brin, Gemeentecode, ValidationError};
use verzuim_loket::{FieldErrors, RetentionPolicy, TransitionError};
use verzuim_store::{LoketStore, StoreError};

/// Settings of the loket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoketConfig {
    /// How long finished meldingen are kept (schoning).
    pub retention: RetentionPolicy,
    /// Largest attachment accepted, in bytes.
    pub max_attachment_bytes: usize,
    /// Most attachments per melding.
    pub max_attachments: usize,
}

impl Default for LoketConfig {
    fn default() -> Self {
        Self {
            retention: RetentionPolicy::default(),
            max_attachment_bytes: 5 * 1024 * 1024,
            max_attachments: 10,
        }
    }
}

/// The loket application: its store and settings.
#[derive(Debug, Clone)]
pub struct Loket {
    /// The loket's database.
    pub store: LoketStore,
    /// Settings.
    pub config: LoketConfig,
}

impl Loket {
    /// Wraps a connected, migrated loket store.
    pub fn new(store: LoketStore, config: LoketConfig) -> Self {
        Self { store, config }
    }
}

/// A role on the loket, with the organisation it is for.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LoketRole {
    /// `verzuimloket melder` for a school.
    Melder(Brin),
    /// `verzuimloket beheerder onderwijs` for a school.
    Beheerder(Brin),
    /// `leerplichtambtenaar` of a gemeente.
    Leerplichtambtenaar(Gemeentecode),
    /// `behandelaar RMC` of a gemeente (RMC-regio's contact point).
    Rmc(Gemeentecode),
    /// Beheerder of the loket site: organisations, users, roles, audit.
    SiteAdmin,
}

impl LoketRole {
    /// The role's code as stored (`melder`, `beheerder`, `leerplicht`, `rmc`, `admin`).
    pub fn code(&self) -> &'static str {
        match self {
            Self::Melder(_) => "melder",
            Self::Beheerder(_) => "beheerder",
            Self::Leerplichtambtenaar(_) => "leerplicht",
            Self::Rmc(_) => "rmc",
            Self::SiteAdmin => "admin",
        }
    }

    /// The organisation code it is for (BRIN or gemeentecode); none for the site admin.
    pub fn organisation(&self) -> Option<&str> {
        match self {
            Self::Melder(b) | Self::Beheerder(b) => Some(b.as_str()),
            Self::Leerplichtambtenaar(g) | Self::Rmc(g) => Some(g.as_str()),
            Self::SiteAdmin => None,
        }
    }

    /// Builds a role from its stored code and organisation.
    pub fn parse(
        code: &str,
        organisation: Option<&str>,
    ) -> std::result::Result<Self, ValidationError> {
        let org = organisation.unwrap_or("");
        match code {
            "melder" => Ok(Self::Melder(Brin::parse(org)?)),
            "beheerder" => Ok(Self::Beheerder(Brin::parse(org)?)),
            "leerplicht" => Ok(Self::Leerplichtambtenaar(Gemeentecode::parse(org)?)),
            "rmc" => Ok(Self::Rmc(Gemeentecode::parse(org)?)),
            "admin" => Ok(Self::SiteAdmin),
            other => Err(ValidationError::new(
                "rol",
                format!("'{other}' is geen rol: kies melder, beheerder, leerplicht, rmc of admin"),
            )),
        }
    }

    /// Dutch name, as the beveiligde site shows it.
    pub fn label(&self) -> &'static str {
        match self {
            Self::Melder(_) => "verzuimloket melder",
            Self::Beheerder(_) => "verzuimloket beheerder onderwijs",
            Self::Leerplichtambtenaar(_) => "leerplichtambtenaar",
            Self::Rmc(_) => "behandelaar RMC",
            Self::SiteAdmin => "beheerder beveiligde site",
        }
    }
}

impl fmt::Display for LoketRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.organisation() {
            Some(org) => write!(f, "{} ({org})", self.label()),
            None => f.write_str(self.label()),
        }
    }
}

/// A loket user acting: the capability every loket use case asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoketActor {
    /// The user's id in the loket database.
    pub user_id: i64,
    /// Login name (written in the audit log).
    pub username: String,
    /// Display name.
    pub name: String,
    /// The user's roles.
    pub roles: Vec<LoketRole>,
}

impl LoketActor {
    /// An actor the caller has authenticated by other means (CLI on the server, demo, tests).
    pub fn trusted(user_id: i64, username: &str, name: &str, roles: Vec<LoketRole>) -> Self {
        Self {
            user_id,
            username: username.to_owned(),
            name: name.to_owned(),
            roles,
        }
    }

    /// Whether the actor holds `role`.
    pub fn has(&self, role: &LoketRole) -> bool {
        self.roles.contains(role)
    }

    /// Melder of `brin`.
    pub fn is_melder(&self, brin: &Brin) -> bool {
        self.has(&LoketRole::Melder(brin.clone()))
    }

    /// Beheerder onderwijs of `brin`.
    pub fn is_beheerder(&self, brin: &Brin) -> bool {
        self.has(&LoketRole::Beheerder(brin.clone()))
    }

    /// Melder or beheerder of `brin` (may see the school's pages).
    pub fn works_for_school(&self, brin: &Brin) -> bool {
        self.is_melder(brin) || self.is_beheerder(brin)
    }

    /// Leerplichtambtenaar or RMC of `gemeente`.
    pub fn works_for_gemeente(&self, gemeente: &Gemeentecode) -> bool {
        self.has(&LoketRole::Leerplichtambtenaar(gemeente.clone()))
            || self.has(&LoketRole::Rmc(gemeente.clone()))
    }

    /// Site administrator.
    pub fn is_site_admin(&self) -> bool {
        self.has(&LoketRole::SiteAdmin)
    }

    /// The schools the actor works for, sorted, each once.
    pub fn schools(&self) -> Vec<Brin> {
        let mut out: Vec<Brin> = self
            .roles
            .iter()
            .filter_map(|r| match r {
                LoketRole::Melder(b) | LoketRole::Beheerder(b) => Some(b.clone()),
                _ => None,
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    /// The gemeenten the actor works for, sorted, each once.
    pub fn gemeenten(&self) -> Vec<Gemeentecode> {
        let mut out: Vec<Gemeentecode> = self
            .roles
            .iter()
            .filter_map(|r| match r {
                LoketRole::Leerplichtambtenaar(g) | LoketRole::Rmc(g) => Some(g.clone()),
                _ => None,
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

/// What went wrong in a loket use case.
#[derive(Debug, thiserror::Error)]
pub enum LoketError {
    /// Unknown user, wrong password, or wrong/missing TOTP code (deliberately not told apart).
    #[error("inlognaam, wachtwoord of code klopt niet")]
    BadCredentials,
    /// Too many failed logins for this user recently.
    #[error("te veel mislukte pogingen; probeer het over {minutes} minuten opnieuw")]
    Throttled {
        /// Minutes of the throttle window.
        minutes: i64,
    },
    /// Not there, or outside the actor's roles (the same answer on purpose).
    #[error("{what} niet gevonden")]
    NotFound {
        /// What was looked for, in Dutch.
        what: String,
    },
    /// One value refused.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
    /// Several form fields refused; nothing was stored.
    #[error(transparent)]
    Fields(#[from] FieldErrors),
    /// A status change the life cycle does not allow.
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The database failed.
    #[error(transparent)]
    Store(StoreError),
    /// Hashing a password, reading a stored TOTP secret or a background task failed (a bug,
    /// or stored data that no longer reads); the page says "er ging iets mis".
    #[error("interne fout: {0}")]
    Internal(String),
}

impl From<StoreError> for LoketError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::NotFound { what } => Self::NotFound { what },
            StoreError::Conflict { field, reason } => {
                Self::Invalid(ValidationError::new(field, reason))
            }
            other => Self::Store(other),
        }
    }
}

/// Result of a loket use case.
pub type Result<T> = std::result::Result<T, LoketError>;

/// `NotFound` for `what`.
pub(crate) fn not_found<T>(what: &str) -> Result<T> {
    Err(LoketError::NotFound {
        what: what.to_owned(),
    })
}

mod gemeente;
mod meldingen;
mod reports;
mod retention;

pub use gemeente::VrijstellingRow;
pub use meldingen::{
    AttachmentDownload, AttachmentMeta, MeldingEventRow, MeldingFilter, MeldingScope,
    MeldingSummary, MeldingView, NOT_A_CONTACT, ReporterSnapshot, StoredTerugmelding,
};
pub use retention::{RETENTION_USER, RetentionCounts};

mod access;
mod admin;
mod certificates;
pub mod demo;
mod m2m;
mod places;

pub use access::{
    ENROLMENT_SESSION_MINUTES, LOKET_SESSION_HOURS, LoketLogin, LoketSignedIn, NewLoketSession,
    SessionStage, TotpEnrolment,
};
pub use admin::{
    AUDIT_PER_PAGE, ActorOrganisations, LoketAuditPage, LoketAuditRow, LoketGemeenteRow,
    LoketSchoolRow, LoketUserRow,
};
pub use certificates::{
    CERTIFICATE_EXTENSIONS, CertificateRow, CertificateSource, CertificateState,
    EXPIRY_WARNING_DAYS,
};
pub use m2m::{
    DEFAULT_POLL_LIMIT, M2mPeer, M2mReply, M2mSettings, MAX_POLL_LIMIT, decode_cursor,
    encode_cursor, machine_actor, procesverloop,
};
pub use places::{ContactInput, ContactRow, LocationInput, LocationRow};
