//! The site administrator's use cases (beheerder beveiligde site, seed 000: "de beheerder van
//! de beveiligde site [moet] u de rol … toekennen"): organisations (schools by BRIN, gemeenten
//! by CBS code), users and their roles, the resident register (BSN → gemeentecode) that
//! routing prefers over what the school sent, and the loket's audit log.
//!
//! Everything here is for the site admin only: anyone else gets [`LoketError::NotFound`].
//! Every change writes a `loket_audit` row in the same transaction.

use std::collections::{BTreeMap, HashSet};

use chrono::{DateTime, Utc};
use verzuim_domain::{Brin, Gemeentecode, PersonalNumber, Sector, ValidationError};
use verzuim_loket::FieldErrors;
pub use verzuim_store::loket::{LoketAuditRow, LoketGemeenteRow, LoketSchoolRow};
use verzuim_store::loket::{LoketUser, NewLoketUser, StoredRole};

use super::access::{audit_entry, hash_new_password};
use super::{Loket, LoketActor, LoketError, LoketRole, Result, not_found};

/// Audit rows per page of [`Loket::audit_log`].
pub const AUDIT_PER_PAGE: i64 = 50;

/// A user as the site admin's user list shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoketUserRow {
    /// Login name.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Roles, sorted.
    pub roles: Vec<LoketRole>,
    /// Whether a token is enrolled.
    pub totp_enrolled: bool,
    /// Whether the user may log in.
    pub active: bool,
}

/// One page of the audit log, newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoketAuditPage {
    /// The rows on this page.
    pub rows: Vec<LoketAuditRow>,
    /// This page, 1-based.
    pub page: i64,
    /// Number of pages (at least 1).
    pub pages: i64,
    /// Rows in the whole log.
    pub total: i64,
}

/// The organisations an actor works for, with their names (for headers and menus).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActorOrganisations {
    /// Schools the actor is melder or beheerder of.
    pub schools: Vec<LoketSchoolRow>,
    /// Gemeenten the actor works for.
    pub gemeenten: Vec<LoketGemeenteRow>,
}

impl Loket {
    /// Creates the first site admin when there is none yet, and returns it as an actor (for
    /// `verzuim serve loket`'s set-up and the demo). When `username` is already a site admin,
    /// returns it unchanged (the password is not touched); when another site admin exists,
    /// [`LoketError::Invalid`] on field `username`.
    pub async fn bootstrap_admin(
        &self,
        username: &str,
        name: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<LoketActor> {
        let admins = self
            .store
            .usernames_with_role(LoketRole::SiteAdmin.code())
            .await?;
        let wanted = username.trim().to_lowercase();
        if admins.contains(&wanted)
            && let Some(actor) = self.load_actor(&wanted).await?
        {
            return Ok(actor);
        }
        if let Some(other) = admins.first() {
            return Err(LoketError::Invalid(ValidationError::new(
                "username",
                format!(
                    "er is al een beheerder van de site ({other}); die kan gebruikers aanmaken"
                ),
            )));
        }
        let (username, name) = check_user_fields(username, name, password)?;
        let hash = hash_new_password(password).await?;
        self.store
            .create_user(
                &NewLoketUser {
                    username: &username,
                    name: &name,
                    password_hash: &hash,
                },
                &[StoredRole::new(LoketRole::SiteAdmin.code(), None)],
                now,
                &audit_entry(
                    &username,
                    "user.bootstrap",
                    None,
                    &format!("eerste beheerder van de site aangemaakt: {username}"),
                    now,
                ),
            )
            .await?;
        self.load_actor(&username)
            .await?
            .ok_or_else(|| LoketError::NotFound {
                what: format!("gebruiker {username}"),
            })
    }

    /// The user `username` as an actor with their current roles, without any login (CLI on
    /// the server, demo, tests). `None` for an unknown or inactive user.
    pub async fn load_actor(&self, username: &str) -> Result<Option<LoketActor>> {
        match self
            .store
            .user_by_username(&username.trim().to_lowercase())
            .await?
        {
            Some(user) if user.active => Ok(Some(self.actor_of(&user).await?)),
            _ => Ok(None),
        }
    }

    /// Adds a school. Field errors (`brin`, `name`, `sector`) as [`LoketError::Fields`];
    /// a BRIN that exists already is [`LoketError::Invalid`] on `brin`.
    pub async fn add_school(
        &self,
        admin: &LoketActor,
        brin: &str,
        name: &str,
        sector: &str,
        now: DateTime<Utc>,
    ) -> Result<Brin> {
        require_admin(admin)?;
        let mut errors = FieldErrors::default();
        let brin = errors.take(Brin::parse(brin).map_err(|e| rename(e, "brin")));
        let name = errors.take(verzuim_loket::melding::required_text("name", name, 100));
        let sector = errors.take(Sector::parse(sector).map_err(|e| rename(e, "sector")));
        let (Some(brin), Some(name), Some(sector)) = (brin, name, sector) else {
            return Err(LoketError::Fields(errors));
        };
        let row = LoketSchoolRow {
            brin: brin.clone(),
            name,
            sector,
        };
        let detail = format!("school {} ({}) toegevoegd", row.brin, row.name);
        self.store
            .add_school(
                &row,
                &audit_entry(
                    &admin.username,
                    "school.add",
                    Some(brin.as_str()),
                    &detail,
                    now,
                ),
            )
            .await?;
        Ok(brin)
    }

    /// Adds a gemeente. Field errors (`code`, `name`) as [`LoketError::Fields`]; a code that
    /// exists already is [`LoketError::Invalid`] on `code`.
    pub async fn add_gemeente(
        &self,
        admin: &LoketActor,
        code: &str,
        name: &str,
        now: DateTime<Utc>,
    ) -> Result<Gemeentecode> {
        require_admin(admin)?;
        let mut errors = FieldErrors::default();
        let code = errors.take(Gemeentecode::parse(code).map_err(|e| rename(e, "code")));
        let name = errors.take(verzuim_loket::melding::required_text("name", name, 100));
        let (Some(code), Some(name)) = (code, name) else {
            return Err(LoketError::Fields(errors));
        };
        let detail = format!("gemeente {code} ({name}) toegevoegd");
        self.store
            .add_gemeente(
                &LoketGemeenteRow {
                    code: code.clone(),
                    name,
                },
                &audit_entry(
                    &admin.username,
                    "gemeente.add",
                    Some(code.as_str()),
                    &detail,
                    now,
                ),
            )
            .await?;
        Ok(code)
    }

    /// All schools, by BRIN.
    pub async fn list_schools(&self, admin: &LoketActor) -> Result<Vec<LoketSchoolRow>> {
        require_admin(admin)?;
        Ok(self.store.schools().await?)
    }

    /// All gemeenten, by code.
    pub async fn list_gemeenten(&self, admin: &LoketActor) -> Result<Vec<LoketGemeenteRow>> {
        require_admin(admin)?;
        Ok(self.store.gemeenten().await?)
    }

    /// The schools and gemeenten the actor works for, with names (any actor; only their own).
    pub async fn organisations_of(&self, actor: &LoketActor) -> Result<ActorOrganisations> {
        let mut out = ActorOrganisations::default();
        for brin in actor.schools() {
            if let Some(school) = self.store.school(&brin).await? {
                out.schools.push(school);
            }
        }
        for code in actor.gemeenten() {
            if let Some(gemeente) = self.store.gemeente(&code).await? {
                out.gemeenten.push(gemeente);
            }
        }
        Ok(out)
    }

    /// Creates a user (no roles, no token yet: the first login enrols). Username: 3–64 of
    /// `a-z 0-9 . _ - @`, stored lower-case; password at least 10 characters. Field errors
    /// (`username`, `name`, `password`) as [`LoketError::Fields`]; a taken username is
    /// [`LoketError::Invalid`] on `username`. Returns the user's id.
    pub async fn create_user(
        &self,
        admin: &LoketActor,
        username: &str,
        name: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        require_admin(admin)?;
        let (username, name) = check_user_fields(username, name, password)?;
        let hash = hash_new_password(password).await?;
        let detail = format!("gebruiker {username} ({name}) aangemaakt");
        Ok(self
            .store
            .create_user(
                &NewLoketUser {
                    username: &username,
                    name: &name,
                    password_hash: &hash,
                },
                &[],
                now,
                &audit_entry(&admin.username, "user.create", None, &detail, now),
            )
            .await?)
    }

    /// Sets a user's password (field `password`) and ends their sessions.
    pub async fn set_password(
        &self,
        admin: &LoketActor,
        username: &str,
        password: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let user = self.user_for_admin(admin, username).await?;
        let hash = hash_new_password(password).await?;
        let detail = format!("wachtwoord van {} opnieuw ingesteld", user.username);
        self.store
            .set_user_password(
                user.id,
                &hash,
                &audit_entry(&admin.username, "user.password", None, &detail, now),
            )
            .await?;
        Ok(())
    }

    /// Blocks (`active = false`, and ends their sessions) or unblocks a user. An admin cannot
    /// block themselves ([`LoketError::Invalid`] on `username`).
    pub async fn set_active(
        &self,
        admin: &LoketActor,
        username: &str,
        active: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let user = self.user_for_admin(admin, username).await?;
        if !active && user.id == admin.user_id {
            return Err(LoketError::Invalid(ValidationError::new(
                "username",
                "u kunt uzelf niet blokkeren",
            )));
        }
        let (action, detail) = if active {
            (
                "user.unblock",
                format!("{} mag weer inloggen", user.username),
            )
        } else {
            ("user.block", format!("{} geblokkeerd", user.username))
        };
        self.store
            .set_user_active(
                user.id,
                active,
                &audit_entry(&admin.username, action, None, &detail, now),
            )
            .await?;
        Ok(())
    }

    /// Grants `role` to `username` (granting one they hold is fine). The role's school or
    /// gemeente must exist in the loket ([`LoketError::Invalid`] on `organisation`).
    pub async fn grant_role(
        &self,
        admin: &LoketActor,
        username: &str,
        role: LoketRole,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let user = self.user_for_admin(admin, username).await?;
        self.require_organisation(&role).await?;
        let detail = format!("rol {role} toegekend aan {}", user.username);
        self.store
            .grant_role(
                user.id,
                &StoredRole::new(role.code(), role.organisation()),
                &audit_entry(
                    &admin.username,
                    "role.grant",
                    role.organisation(),
                    &detail,
                    now,
                ),
            )
            .await?;
        Ok(())
    }

    /// Takes `role` away from `username` (not holding it is fine). An admin cannot take the
    /// site-admin role from themselves ([`LoketError::Invalid`] on `role`).
    pub async fn revoke_role(
        &self,
        admin: &LoketActor,
        username: &str,
        role: LoketRole,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let user = self.user_for_admin(admin, username).await?;
        if role == LoketRole::SiteAdmin && user.id == admin.user_id {
            return Err(LoketError::Invalid(ValidationError::new(
                "role",
                "u kunt uw eigen beheerdersrol niet intrekken; laat een andere beheerder dat doen",
            )));
        }
        let detail = format!("rol {role} ingetrokken bij {}", user.username);
        self.store
            .revoke_role(
                user.id,
                &StoredRole::new(role.code(), role.organisation()),
                &audit_entry(
                    &admin.username,
                    "role.revoke",
                    role.organisation(),
                    &detail,
                    now,
                ),
            )
            .await?;
        Ok(())
    }

    /// All users with their roles, by username.
    pub async fn list_users(&self, admin: &LoketActor) -> Result<Vec<LoketUserRow>> {
        require_admin(admin)?;
        let mut roles: BTreeMap<i64, Vec<LoketRole>> = BTreeMap::new();
        for (user, stored) in self.store.all_roles().await? {
            if let Ok(role) = LoketRole::parse(&stored.code, stored.organisation.as_deref()) {
                roles.entry(user).or_default().push(role);
            }
        }
        Ok(self
            .store
            .users()
            .await?
            .into_iter()
            .map(|u| {
                let mut roles = roles.remove(&u.id).unwrap_or_default();
                roles.sort();
                LoketUserRow {
                    totp_enrolled: u.totp_secret.is_some(),
                    active: u.active,
                    username: u.username,
                    name: u.name,
                    roles,
                }
            })
            .collect())
    }

    /// Imports the resident register: lines `bsn;gemeentecode` (a header line with letters
    /// is skipped, blank lines too; `,` also separates). The BSN (or onderwijsnummer) must pass
    /// the 11-proef and the gemeente must exist in the loket. All or nothing: the first bad
    /// line is [`LoketError::Invalid`] on field `file` with reason `regel N: …`. A number
    /// already in the register gets the new gemeente. Returns the number of lines imported.
    pub async fn import_residents(
        &self,
        admin: &LoketActor,
        csv_text: &str,
        now: DateTime<Utc>,
    ) -> Result<usize> {
        require_admin(admin)?;
        let known: HashSet<Gemeentecode> = self
            .store
            .gemeenten()
            .await?
            .into_iter()
            .map(|g| g.code)
            .collect();
        let rows = parse_residents(csv_text, &known).map_err(LoketError::Invalid)?;
        let detail = format!("bevolkingsregister ingelezen: {} leerlingen", rows.len());
        self.store
            .import_residents(
                &rows,
                now,
                &audit_entry(&admin.username, "residents.import", None, &detail, now),
            )
            .await?;
        Ok(rows.len())
    }

    /// The gemeente where the resident register says the student lives, if it knows
    /// (routing: this wins over the gemeente the school sent).
    pub async fn resident_gemeente(&self, student_number: &str) -> Result<Option<Gemeentecode>> {
        match self.store.resident_gemeente(student_number).await? {
            None => Ok(None),
            Some(code) => Gemeentecode::parse(&code).map(Some).map_err(|e| {
                LoketError::Store(verzuim_store::StoreError::Corrupt(format!(
                    "bevolkingsregister {student_number}: {e}"
                )))
            }),
        }
    }

    /// One page (1-based; out of range gives the last) of the audit log, newest first.
    pub async fn audit_log(&self, admin: &LoketActor, page: i64) -> Result<LoketAuditPage> {
        require_admin(admin)?;
        let total = self.store.count_audit().await?;
        let pages = ((total + AUDIT_PER_PAGE - 1) / AUDIT_PER_PAGE).max(1);
        let page = page.clamp(1, pages);
        let rows = self
            .store
            .audit_rows(AUDIT_PER_PAGE, (page - 1) * AUDIT_PER_PAGE)
            .await?;
        Ok(LoketAuditPage {
            rows,
            page,
            pages,
            total,
        })
    }

    /// Appends one audit row for `actor` (the meldingen use cases log every view, change and
    /// download of a melding with it). Prefer the store's in-transaction audit for changes.
    pub(crate) async fn audit(
        &self,
        actor: &LoketActor,
        action: &str,
        organisation: Option<&str>,
        melding_id: Option<i64>,
        detail: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut entry = audit_entry(&actor.username, action, organisation, detail, now);
        entry.melding_id = melding_id;
        self.store.append_audit(&entry).await?;
        Ok(())
    }

    /// The user `username`, for a site admin; [`LoketError::NotFound`] for anyone else or an
    /// unknown user.
    pub(crate) async fn user_for_admin(
        &self,
        admin: &LoketActor,
        username: &str,
    ) -> Result<LoketUser> {
        require_admin(admin)?;
        let username = username.trim().to_lowercase();
        match self.store.user_by_username(&username).await? {
            Some(user) => Ok(user),
            None => not_found(&format!("gebruiker {username}")),
        }
    }

    /// Checks that the school or gemeente of a role exists in the loket.
    async fn require_organisation(&self, role: &LoketRole) -> Result<()> {
        let exists = match role {
            LoketRole::Melder(brin) | LoketRole::Beheerder(brin) => {
                self.store.school(brin).await?.is_some()
            }
            LoketRole::Leerplichtambtenaar(code) | LoketRole::Rmc(code) => {
                self.store.gemeente(code).await?.is_some()
            }
            LoketRole::SiteAdmin => true,
        };
        if exists {
            Ok(())
        } else {
            Err(LoketError::Invalid(ValidationError::new(
                "organisation",
                format!(
                    "{} bestaat niet in het loket: voeg de school of gemeente eerst toe",
                    role.organisation().unwrap_or("")
                ),
            )))
        }
    }
}

/// Site admin only; anyone else is told the page does not exist.
pub(crate) fn require_admin(actor: &LoketActor) -> Result<()> {
    if actor.is_site_admin() {
        Ok(())
    } else {
        not_found("pagina")
    }
}

/// The same error on the form's field name.
fn rename(mut e: ValidationError, field: &str) -> ValidationError {
    field.clone_into(&mut e.field);
    e
}

/// Checks a login name: 3 to 64 of `a-z 0-9 . _ - @`, lower-cased.
pub fn check_username(input: &str) -> std::result::Result<String, ValidationError> {
    let username = input.trim().to_lowercase();
    let ok = (3..=64).contains(&username.chars().count())
        && username.chars().all(|c| {
            c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-' | '@')
        });
    if ok {
        Ok(username)
    } else {
        Err(ValidationError::new(
            "username",
            "gebruik 3 tot 64 kleine letters, cijfers of . _ - @, zoals j.jansen",
        ))
    }
}

/// The checked username and name of a new user, or the field errors (the password too).
fn check_user_fields(username: &str, name: &str, password: &str) -> Result<(String, String)> {
    let mut errors = FieldErrors::default();
    let username = errors.take(check_username(username));
    let name = errors.take(verzuim_loket::melding::required_text("name", name, 100));
    if let Err(verzuim_auth::AuthError::WeakPassword(reason)) =
        verzuim_auth::check_new_password(password)
    {
        errors.push("password", reason);
    }
    match (username, name) {
        (Some(u), Some(n)) if errors.is_empty() => Ok((u, n)),
        _ => Err(LoketError::Fields(errors)),
    }
}

/// Parses the resident register file; the first bad line is an error on `file`.
fn parse_residents(
    text: &str,
    known: &HashSet<Gemeentecode>,
) -> std::result::Result<Vec<(String, Gemeentecode)>, ValidationError> {
    let mut rows = Vec::new();
    let mut seen_data = false;
    for (i, raw) in text.lines().enumerate() {
        let n = i + 1;
        let line = raw.trim().trim_start_matches('\u{feff}').trim();
        if line.is_empty() {
            continue;
        }
        let bad = |reason: String| ValidationError::new("file", format!("regel {n}: {reason}"));
        let parts: Vec<&str> = line.split([';', ',']).map(str::trim).collect();
        if !seen_data
            && parts
                .first()
                .is_some_and(|p| p.chars().any(char::is_alphabetic))
        {
            // Header line ("bsn;gemeentecode").
            seen_data = true;
            continue;
        }
        seen_data = true;
        let [number, gemeente] = parts.as_slice() else {
            return Err(bad(format!(
                "verwacht 2 kolommen 'bsn;gemeentecode', gevonden {}",
                parts.len()
            )));
        };
        let number = PersonalNumber::parse_field("bsn", number).map_err(|e| bad(e.reason))?;
        let gemeente = Gemeentecode::parse(gemeente).map_err(|e| bad(e.reason))?;
        if !known.contains(&gemeente) {
            return Err(bad(format!(
                "gemeente {gemeente} bestaat niet in het loket; voeg die eerst toe"
            )));
        }
        rows.push((number.as_str().to_owned(), gemeente));
    }
    if rows.is_empty() {
        return Err(ValidationError::new(
            "file",
            "het bestand bevat geen regels 'bsn;gemeentecode'",
        ));
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known() -> HashSet<Gemeentecode> {
        ["0935", "0363"]
            .iter()
            .filter_map(|c| Gemeentecode::parse(c).ok())
            .collect()
    }

    #[test]
    fn resident_file_with_header_blank_lines_and_commas_parses() {
        let rows = parse_residents(
            "bsn;gemeentecode\n\n123456782;0935\n111222333,GM0363\n",
            &known(),
        )
        .unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].0, "111222333");
        assert_eq!(rows[1].1.as_str(), "0363");
    }

    #[test]
    fn resident_file_errors_name_the_line() {
        let e = parse_residents("123456782;0935\n123456789;0935\n", &known()).unwrap_err();
        assert_eq!(e.field, "file");
        assert!(e.reason.starts_with("regel 2: "), "{}", e.reason);
        let e = parse_residents("123456782;0999\n", &known()).unwrap_err();
        assert!(
            e.reason.contains("regel 1: gemeente 0999 bestaat niet"),
            "{}",
            e.reason
        );
        let e = parse_residents("123456782\n", &known()).unwrap_err();
        assert!(
            e.reason.starts_with("regel 1: verwacht 2 kolommen"),
            "{}",
            e.reason
        );
        assert!(parse_residents("bsn;gemeente\n", &known()).is_err());
    }

    #[test]
    fn usernames_are_lower_case_and_plain() {
        assert_eq!(check_username(" J.Jansen ").unwrap(), "j.jansen");
        assert!(check_username("ab").is_err());
        assert!(check_username("a b c").is_err());
        assert!(check_username("piet:geheim").is_err());
    }
}
