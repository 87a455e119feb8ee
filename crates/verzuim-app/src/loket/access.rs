//! Logging in to the loket: username + password + TOTP code (the "tokengenerator" of seed
//! 000), sessions in the database, enrolment of a token with a QR code and recovery codes,
//! and the site admin's reset of a lost token.
//!
//! - A code is RFC 6238 (SHA-1, 6 digits, 30 s) with one step of skew either way; the step a
//!   code was accepted for is stored, and a step at or before it is refused, so a code works
//!   once (also across instances: the check-and-set is one `UPDATE`).
//! - A user without an enrolled token logs in with the password alone into an enrolment
//!   session ([`SessionStage::Enrol`]) that can do nothing but enrol (its actor holds no
//!   roles, so every other use case answers "not found"); confirming the first code
//!   upgrades it to [`SessionStage::Full`] and shows 10 one-time recovery codes (stored as
//!   SHA-256). A recovery code may stand in for the TOTP code once.
//! - Failed logins are counted per username in the database (5 in 15 minutes, like the school
//!   face) and refused with [`LoketError::Throttled`] beyond that.

use chrono::{DateTime, Duration, Utc};
use verzuim_auth::{LoginThrottle, SessionToken, totp};
use verzuim_domain::ValidationError;
use verzuim_store::loket::{LoketAuditEntry, LoketSessionRow, LoketUser, TotpEnrolmentRecord};

use super::{Loket, LoketActor, LoketError, LoketRole, Result};

/// How long a full loket session lasts.
pub const LOKET_SESSION_HOURS: i64 = 8;
/// How long an enrolment-only session lasts.
pub const ENROLMENT_SESSION_MINUTES: i64 = 30;

/// What a session may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionStage {
    /// Logged in with password and token: everything the roles allow.
    Full,
    /// Logged in with the password only, because no token is enrolled yet: only the
    /// enrolment pages ([`Loket::start_enrolment`], [`Loket::confirm_enrolment`]).
    Enrol,
}

impl SessionStage {
    /// The code stored in `loket_sessions.stage`.
    pub fn code(self) -> &'static str {
        match self {
            Self::Full => "full",
            Self::Enrol => "enrol",
        }
    }

    /// Parses a stored code.
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "full" => Some(Self::Full),
            "enrol" => Some(Self::Enrol),
            _ => None,
        }
    }
}

/// A session just created by [`Loket::login`]: the secret goes into the cookie.
#[derive(Clone, PartialEq, Eq)]
pub struct NewLoketSession {
    /// Session token for the cookie (only its hash is stored).
    pub token: String,
    /// CSRF token of the session.
    pub csrf_token: String,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
    /// Who logged in.
    pub actor: LoketActor,
}

impl std::fmt::Debug for NewLoketSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewLoketSession")
            .field("token", &"[verborgen]")
            .field("expires_at", &self.expires_at)
            .field("actor", &self.actor.username)
            .finish()
    }
}

/// The outcome of a successful [`Loket::login`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoketLogin {
    /// Password and TOTP (or recovery) code were right: a full session.
    Full(NewLoketSession),
    /// The password was right and the user has no token yet: an enrolment-only session
    /// (the web sends the user to the enrolment page).
    EnrolmentNeeded(NewLoketSession),
}

impl LoketLogin {
    /// The session, whichever stage.
    pub fn session(&self) -> &NewLoketSession {
        match self {
            Self::Full(s) | Self::EnrolmentNeeded(s) => s,
        }
    }

    /// The stage of the session.
    pub fn stage(&self) -> SessionStage {
        match self {
            Self::Full(_) => SessionStage::Full,
            Self::EnrolmentNeeded(_) => SessionStage::Enrol,
        }
    }
}

/// A valid session looked up by its token ([`Loket::current`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoketSignedIn {
    /// Who is logged in, with the roles they hold now.
    pub actor: LoketActor,
    /// The session's CSRF token, which every form must send back.
    pub csrf_token: String,
    /// What the session may do.
    pub stage: SessionStage,
    /// When the session ends.
    pub expires_at: DateTime<Utc>,
}

/// What the enrolment page shows: scan the QR code, or type the secret into the app.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpEnrolment {
    /// The secret in base32 (RFC 4648, no padding), for typing in by hand.
    pub secret_base32: String,
    /// `otpauth://totp/Verzuimloket:<username>?secret=…&issuer=Verzuimloket`.
    pub otpauth_url: String,
    /// The URL as a QR code, an `<svg>` element to put in the page as it is.
    pub qr_svg: String,
}

impl std::fmt::Debug for TotpEnrolment {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TotpEnrolment")
            .field("secret_base32", &"[verborgen]")
            .finish_non_exhaustive()
    }
}

impl Loket {
    /// Logs in with username, password and TOTP code. `code` may also be one of the user's
    /// unused recovery codes (then it is used up). A user without an enrolled token needs only
    /// the password (`code` is ignored) and gets [`LoketLogin::EnrolmentNeeded`].
    ///
    /// Errors: [`LoketError::BadCredentials`] for an unknown or inactive user, a wrong
    /// password, or a missing, wrong or already used code (not told apart; each counts as a
    /// failure); [`LoketError::Throttled`] after 5 failures in 15 minutes for the username.
    pub async fn login(
        &self,
        username: &str,
        password: &str,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<LoketLogin> {
        let username = username.trim().to_lowercase();
        if username.is_empty() || password.is_empty() {
            return Err(LoketError::BadCredentials);
        }
        let throttle = LoginThrottle::default();
        let since = now - Duration::minutes(throttle.window_minutes);
        let failures = self.store.login_failures_since(&username, since).await?;
        if throttle.is_locked(failures) {
            tracing::warn!(
                username,
                failures,
                "loket: inloggen geweigerd, te veel mislukte pogingen"
            );
            return Err(LoketError::Throttled {
                minutes: throttle.window_minutes,
            });
        }
        let found = self.store.user_by_username(&username).await?;
        let user = match found {
            Some(user) => {
                let ok = check_password(password, &user.password_hash).await?;
                (ok && user.active).then_some(user)
            }
            None => {
                dummy_password_check(password).await?;
                None
            }
        };
        let Some(user) = user else {
            self.store.record_login_failure(&username, now).await?;
            return Err(LoketError::BadCredentials);
        };
        let stage = match user.totp_secret.as_deref() {
            None => SessionStage::Enrol,
            Some(secret) => {
                if !self.second_factor(&user, secret, code, now).await? {
                    self.store.record_login_failure(&username, now).await?;
                    return Err(LoketError::BadCredentials);
                }
                SessionStage::Full
            }
        };
        self.store.clear_login_failures(&username).await?;
        let actor = self.actor_in_stage(&user, stage).await?;
        let session = self.new_session(&actor, stage, now).await?;
        let detail = match stage {
            SessionStage::Full => "ingelogd",
            SessionStage::Enrol => "ingelogd met wachtwoord om een tokengenerator te koppelen",
        };
        self.store
            .append_audit(&audit_entry(&actor.username, "login", None, detail, now))
            .await?;
        // Housekeeping on the way: expired sessions and failures outside the window count for
        // nothing any more.
        if let Err(e) = self.store.delete_expired_sessions(now).await {
            tracing::warn!(error = %e, "loket: verlopen sessies opruimen mislukt");
        }
        if let Err(e) = self.store.delete_login_failures_before(since).await {
            tracing::warn!(error = %e, "loket: oude mislukte inlogpogingen opruimen mislukt");
        }
        Ok(match stage {
            SessionStage::Full => LoketLogin::Full(session),
            SessionStage::Enrol => LoketLogin::EnrolmentNeeded(session),
        })
    }

    /// Whether `code` is a valid, unused TOTP code or recovery code of `user`; uses it up.
    async fn second_factor(
        &self,
        user: &LoketUser,
        secret: &str,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        if totp::is_code_format(code) {
            let Ok(unix) = u64::try_from(now.timestamp()) else {
                return Ok(false);
            };
            let matched = totp::verify(secret, code, unix)
                .map_err(|e| LoketError::Internal(format!("TOTP van {}: {e}", user.username)))?;
            let Some(step) = matched.and_then(|s| i64::try_from(s).ok()) else {
                return Ok(false);
            };
            // One UPDATE: a step at or before the last accepted one is refused, also when two
            // instances check the same code at once.
            let fresh = self.store.accept_totp_step(user.id, step).await?;
            if !fresh {
                tracing::warn!(
                    username = user.username,
                    step,
                    "loket: TOTP-code opnieuw gebruikt"
                );
            }
            Ok(fresh)
        } else if let Some(canonical) = totp::normalize_recovery_code(code) {
            let used = self
                .store
                .use_recovery_code(user.id, &totp::hash_recovery_code(&canonical), now)
                .await?;
            if used {
                self.store
                    .append_audit(&audit_entry(
                        &user.username,
                        "recovery_code.use",
                        None,
                        "ingelogd met een herstelcode",
                        now,
                    ))
                    .await?;
            }
            Ok(used)
        } else {
            Ok(false)
        }
    }

    /// Stores a new session for `actor` and returns its secrets.
    async fn new_session(
        &self,
        actor: &LoketActor,
        stage: SessionStage,
        now: DateTime<Utc>,
    ) -> Result<NewLoketSession> {
        let token = SessionToken::generate();
        let csrf_token = verzuim_auth::new_csrf_token();
        let expires_at = now
            + match stage {
                SessionStage::Full => Duration::hours(LOKET_SESSION_HOURS),
                SessionStage::Enrol => Duration::minutes(ENROLMENT_SESSION_MINUTES),
            };
        self.store
            .create_session(&LoketSessionRow {
                token_hash: token.hash,
                user_id: actor.user_id,
                csrf_token: csrf_token.clone(),
                stage: stage.code().to_owned(),
                created_at: now,
                expires_at,
            })
            .await?;
        Ok(NewLoketSession {
            token: token.token,
            csrf_token,
            expires_at,
            actor: actor.clone(),
        })
    }

    /// The actor for a stored user, with the roles held now. A stored role that no longer
    /// parses is left out (and logged), rather than locking the user out.
    pub(crate) async fn actor_of(&self, user: &LoketUser) -> Result<LoketActor> {
        let mut roles = Vec::new();
        for stored in self.store.roles_of(user.id).await? {
            match LoketRole::parse(&stored.code, stored.organisation.as_deref()) {
                Ok(role) => roles.push(role),
                Err(e) => tracing::error!(
                    username = user.username,
                    error = %e,
                    "loket: opgeslagen rol onleesbaar"
                ),
            }
        }
        roles.sort();
        roles.dedup();
        Ok(LoketActor::trusted(
            user.id,
            &user.username,
            &user.name,
            roles,
        ))
    }

    /// The actor of a session in `stage`: an enrolment session's actor holds no roles, so
    /// that whatever a page forgets to check, such a session can do nothing but enrol.
    async fn actor_in_stage(&self, user: &LoketUser, stage: SessionStage) -> Result<LoketActor> {
        match stage {
            SessionStage::Full => self.actor_of(user).await,
            SessionStage::Enrol => Ok(LoketActor::trusted(
                user.id,
                &user.username,
                &user.name,
                Vec::new(),
            )),
        }
    }

    /// The user logged in with this session token, if the session exists and has not expired
    /// at `now` (and the user is still active). The roles are read afresh; an enrolment
    /// session's actor has none.
    pub async fn current(&self, token: &str, now: DateTime<Utc>) -> Result<Option<LoketSignedIn>> {
        if !verzuim_auth::is_well_formed_token(token) {
            return Ok(None);
        }
        let hash = verzuim_auth::hash_session_token(token);
        let Some(session) = self.store.session(&hash, now).await? else {
            return Ok(None);
        };
        let Some(stage) = SessionStage::parse(&session.stage) else {
            return Ok(None);
        };
        let Some(user) = self.store.user_by_id(session.user_id).await? else {
            return Ok(None);
        };
        if !user.active {
            return Ok(None);
        }
        Ok(Some(LoketSignedIn {
            actor: self.actor_in_stage(&user, stage).await?,
            csrf_token: session.csrf_token,
            stage,
            expires_at: session.expires_at,
        }))
    }

    /// Ends the session with this token (no error when it does not exist).
    pub async fn logout(&self, token: &str) -> Result<()> {
        if verzuim_auth::is_well_formed_token(token) {
            self.store
                .delete_session(&verzuim_auth::hash_session_token(token))
                .await?;
        }
        Ok(())
    }

    /// Starts enrolling a token for the actor: makes a secret (or reuses the pending one, so
    /// reloading the page shows the same QR code) and stores it as pending. An actor with an
    /// enrolled token gets [`LoketError::Invalid`] (field `code`): the site admin must reset it
    /// first.
    pub async fn start_enrolment(&self, actor: &LoketActor) -> Result<TotpEnrolment> {
        let Some(secret) = self
            .store
            .ensure_pending_totp(actor.user_id, &totp::generate_secret())
            .await?
        else {
            return Err(already_enrolled());
        };
        let otpauth_url = totp::otpauth_url(&secret, &actor.username)
            .map_err(|e| LoketError::Internal(e.to_string()))?;
        let qr_svg = totp::qr_svg(&otpauth_url).map_err(|e| LoketError::Internal(e.to_string()))?;
        Ok(TotpEnrolment {
            secret_base32: secret,
            otpauth_url,
            qr_svg,
        })
    }

    /// Confirms the enrolment with a code from the app: the pending secret becomes the user's
    /// token, 10 fresh recovery codes replace any old ones, and the session `token` is upgraded
    /// to [`SessionStage::Full`] (and lasts [`LOKET_SESSION_HOURS`] from `now`). Returns the
    /// recovery codes, to be shown once. A wrong code is [`LoketError::Invalid`] on field
    /// `code`; no pending secret is [`LoketError::Invalid`] too.
    pub async fn confirm_enrolment(
        &self,
        token: &str,
        actor: &LoketActor,
        code: &str,
        now: DateTime<Utc>,
    ) -> Result<Vec<String>> {
        let Some(user) = self.store.user_by_id(actor.user_id).await? else {
            return Err(LoketError::BadCredentials);
        };
        if user.totp_secret.is_some() {
            return Err(already_enrolled());
        }
        let Some(secret) = user.totp_pending_secret.as_deref() else {
            return Err(LoketError::Invalid(ValidationError::new(
                "code",
                "er is geen tokengenerator in voorbereiding: open de koppelpagina opnieuw",
            )));
        };
        let unix = u64::try_from(now.timestamp()).unwrap_or(0);
        let step = totp::verify(secret, code, unix)
            .map_err(|e| LoketError::Internal(format!("TOTP van {}: {e}", user.username)))?
            .and_then(|s| i64::try_from(s).ok());
        let Some(step) = step else {
            return Err(LoketError::Invalid(ValidationError::new(
                "code",
                "de code klopt niet: vul de 6 cijfers in die de app nu toont",
            )));
        };
        let codes = totp::generate_recovery_codes();
        let hashes: Vec<String> = codes.iter().map(|c| totp::hash_recovery_code(c)).collect();
        let token_hash = if verzuim_auth::is_well_formed_token(token) {
            verzuim_auth::hash_session_token(token)
        } else {
            String::new()
        };
        let enrolled = self
            .store
            .enrol_totp(
                &TotpEnrolmentRecord {
                    user_id: user.id,
                    secret,
                    step,
                    recovery_hashes: &hashes,
                    session_token_hash: &token_hash,
                    session_expires_at: now + Duration::hours(LOKET_SESSION_HOURS),
                    now,
                },
                &audit_entry(
                    &user.username,
                    "totp.enrol",
                    None,
                    "tokengenerator gekoppeld; 10 nieuwe herstelcodes",
                    now,
                ),
            )
            .await?;
        if !enrolled {
            return Err(LoketError::Invalid(ValidationError::new(
                "code",
                "de koppeling is intussen veranderd: open de koppelpagina opnieuw",
            )));
        }
        Ok(codes)
    }

    /// Site admin: removes the token, pending secret and recovery codes of `username` and ends
    /// their sessions; their next login enrols again. [`LoketError::NotFound`] for others or
    /// an unknown user.
    pub async fn reset_totp(
        &self,
        admin: &LoketActor,
        username: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let user = self.user_for_admin(admin, username).await?;
        self.store
            .reset_totp(
                user.id,
                &audit_entry(
                    &admin.username,
                    "totp.reset",
                    None,
                    &format!("tokengenerator van {} ontkoppeld", user.username),
                    now,
                ),
            )
            .await?;
        Ok(())
    }

    /// How many unused recovery codes the actor has left (for a warning when few remain).
    pub async fn recovery_codes_left(&self, actor: &LoketActor) -> Result<i64> {
        Ok(self.store.recovery_codes_left(actor.user_id).await?)
    }
}

/// An audit row for a change by `username`, not about a melding.
pub(crate) fn audit_entry(
    username: &str,
    action: &str,
    organisation: Option<&str>,
    detail: &str,
    now: DateTime<Utc>,
) -> LoketAuditEntry {
    LoketAuditEntry {
        at: now,
        username: username.to_owned(),
        action: action.to_owned(),
        organisation: organisation.map(str::to_owned),
        melding_id: None,
        detail: detail.to_owned(),
    }
}

fn already_enrolled() -> LoketError {
    LoketError::Invalid(ValidationError::new(
        "code",
        "er is al een tokengenerator gekoppeld; vraag de beheerder om die te ontkoppelen",
    ))
}

/// Checks a password against its PHC string off the async workers (argon2 takes tens of
/// milliseconds of CPU).
pub(crate) async fn check_password(password: &str, phc: &str) -> Result<bool> {
    let password = password.to_owned();
    let phc = phc.to_owned();
    tokio::task::spawn_blocking(move || verzuim_auth::verify_password(&password, &phc))
        .await
        .map_err(|e| LoketError::Internal(format!("wachtwoordcontrole: {e}")))?
        .map_err(|e| LoketError::Internal(e.to_string()))
}

/// The same work as a password check, for an unknown username (timing does not tell which
/// usernames exist).
async fn dummy_password_check(password: &str) -> Result<()> {
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || verzuim_auth::verify_dummy(&password))
        .await
        .map_err(|e| LoketError::Internal(format!("wachtwoordcontrole: {e}")))
}

/// Hashes a new password (checked for length first) off the async workers. A weak password
/// is [`LoketError::Invalid`] on field `password`.
pub(crate) async fn hash_new_password(password: &str) -> Result<String> {
    verzuim_auth::check_new_password(password).map_err(|e| match e {
        verzuim_auth::AuthError::WeakPassword(reason) => {
            LoketError::Invalid(ValidationError::new("password", reason))
        }
        other => LoketError::Internal(other.to_string()),
    })?;
    let password = password.to_owned();
    tokio::task::spawn_blocking(move || verzuim_auth::hash_password(&password))
        .await
        .map_err(|e| LoketError::Internal(format!("wachtwoord versleutelen: {e}")))?
        .map_err(|e| LoketError::Internal(e.to_string()))
}
