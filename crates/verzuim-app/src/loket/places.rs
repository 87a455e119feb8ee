//! "Beheer locaties" and "Beheer contactpersonen" (seed 000): a school's teaching locations
//! and contact persons, per BRIN.
//!
//! - The beheerder onderwijs of the BRIN adds, changes and deletes them.
//! - A melder of the BRIN may list and view them (the melding form picks a location, and the
//!   reporter is the contact person linked to the melder's account).
//! - Anyone else gets [`LoketError::NotFound`], for the list too.
//! - "Alleen contactpersonen kunnen verzuimmeldingen doen": a contact person may be linked to
//!   a loket user of the school ([`Loket::my_contact`]).
//!
//! Search is case-insensitive on name and city (locations) or name, function and e-mail
//! (contacts); an empty search lists all. Every change writes a `loket_audit` row in the
//! same transaction.

use chrono::{DateTime, Utc};
use verzuim_domain::{Brin, ValidationError};
use verzuim_loket::FieldErrors;
use verzuim_loket::melding::{email, optional_text, phone, postcode, required_text};
use verzuim_store::loket::{ContactFields, LocationFields};
pub use verzuim_store::loket::{ContactRow, LocationRow};

use super::access::audit_entry;
use super::{Loket, LoketActor, LoketError, LoketRole, Result, not_found};

/// A location as the form sends it (field names are the form's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocationInput {
    /// Name (required, at most 100 characters, unique per school).
    pub name: String,
    /// Street (optional, at most 100).
    pub street: String,
    /// House number with addition (optional, at most 20).
    pub number: String,
    /// Postcode (optional; `1234 AB` when given).
    pub postcode: String,
    /// City (optional, at most 80).
    pub city: String,
}

/// A contact person as the form sends it (field names are the form's).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactInput {
    /// Name (required, at most 100).
    pub name: String,
    /// Function (required, at most 60).
    pub function: String,
    /// Telephone number (required).
    pub phone: String,
    /// E-mail address (required).
    pub email: String,
    /// Login name of the loket user this contact person is (optional; must be melder or
    /// beheerder of the school, and linked to at most one contact person of it).
    pub username: String,
}

impl Loket {
    /// The school's locations whose name or city contains `search` (empty: all), by name.
    pub async fn list_locations(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        search: &str,
    ) -> Result<Vec<LocationRow>> {
        require_school(actor, brin)?;
        Ok(self.store.locations(brin, search).await?)
    }

    /// One location of the school.
    pub async fn location(&self, actor: &LoketActor, brin: &Brin, id: i64) -> Result<LocationRow> {
        require_school(actor, brin)?;
        match self.store.location(brin, id).await? {
            Some(row) => Ok(row),
            None => not_found("locatie"),
        }
    }

    /// Adds a location (beheerder only). Field errors as [`LoketError::Fields`]; a name the
    /// school has already is a field error on `name`. Returns the new id.
    pub async fn add_location(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        input: &LocationInput,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        require_beheerder(actor, brin)?;
        let fields = input.validate()?;
        let detail = format!("locatie '{}' toegevoegd", fields.name);
        self.store
            .add_location(
                brin,
                &fields,
                now,
                &audit_entry(
                    &actor.username,
                    "location.add",
                    Some(brin.as_str()),
                    &detail,
                    now,
                ),
            )
            .await
            .map_err(as_field_error)
    }

    /// Changes a location (beheerder only).
    pub async fn update_location(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        id: i64,
        input: &LocationInput,
        now: DateTime<Utc>,
    ) -> Result<()> {
        require_beheerder(actor, brin)?;
        let fields = input.validate()?;
        let detail = format!("locatie {id} gewijzigd: '{}'", fields.name);
        self.store
            .update_location(
                brin,
                id,
                &fields,
                now,
                &audit_entry(
                    &actor.username,
                    "location.update",
                    Some(brin.as_str()),
                    &detail,
                    now,
                ),
            )
            .await
            .map_err(as_field_error)
    }

    /// Deletes a location (beheerder only).
    pub async fn delete_location(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        require_beheerder(actor, brin)?;
        let Some(row) = self.store.location(brin, id).await? else {
            return not_found("locatie");
        };
        let detail = format!("locatie '{}' verwijderd", row.name);
        self.store
            .delete_location(
                brin,
                id,
                &audit_entry(
                    &actor.username,
                    "location.delete",
                    Some(brin.as_str()),
                    &detail,
                    now,
                ),
            )
            .await?;
        Ok(())
    }

    /// The school's contact persons whose name, function or e-mail contains `search` (empty:
    /// all), by name.
    pub async fn list_contacts(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        search: &str,
    ) -> Result<Vec<ContactRow>> {
        require_school(actor, brin)?;
        Ok(self.store.contacts(brin, search).await?)
    }

    /// One contact person of the school.
    pub async fn contact(&self, actor: &LoketActor, brin: &Brin, id: i64) -> Result<ContactRow> {
        require_school(actor, brin)?;
        match self.store.contact(brin, id).await? {
            Some(row) => Ok(row),
            None => not_found("contactpersoon"),
        }
    }

    /// Adds a contact person (beheerder only). Field errors as [`LoketError::Fields`]
    /// (`name`, `function`, `phone`, `email`, `username`). Returns the new id.
    pub async fn add_contact(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        input: &ContactInput,
        now: DateTime<Utc>,
    ) -> Result<i64> {
        require_beheerder(actor, brin)?;
        let fields = self.validate_contact(brin, input).await?;
        let detail = format!("contactpersoon '{}' toegevoegd", fields.name);
        self.store
            .add_contact(
                brin,
                &fields,
                now,
                &audit_entry(
                    &actor.username,
                    "contact.add",
                    Some(brin.as_str()),
                    &detail,
                    now,
                ),
            )
            .await
            .map_err(as_field_error)
    }

    /// Changes a contact person (beheerder only).
    pub async fn update_contact(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        id: i64,
        input: &ContactInput,
        now: DateTime<Utc>,
    ) -> Result<()> {
        require_beheerder(actor, brin)?;
        let fields = self.validate_contact(brin, input).await?;
        let detail = format!("contactpersoon {id} gewijzigd: '{}'", fields.name);
        self.store
            .update_contact(
                brin,
                id,
                &fields,
                now,
                &audit_entry(
                    &actor.username,
                    "contact.update",
                    Some(brin.as_str()),
                    &detail,
                    now,
                ),
            )
            .await
            .map_err(as_field_error)
    }

    /// Deletes a contact person (beheerder only).
    pub async fn delete_contact(
        &self,
        actor: &LoketActor,
        brin: &Brin,
        id: i64,
        now: DateTime<Utc>,
    ) -> Result<()> {
        require_beheerder(actor, brin)?;
        let Some(row) = self.store.contact(brin, id).await? else {
            return not_found("contactpersoon");
        };
        let detail = format!("contactpersoon '{}' verwijderd", row.name);
        self.store
            .delete_contact(
                brin,
                id,
                &audit_entry(
                    &actor.username,
                    "contact.delete",
                    Some(brin.as_str()),
                    &detail,
                    now,
                ),
            )
            .await?;
        Ok(())
    }

    /// A school the actor is beheerder of that has no location yet (the first of them by
    /// BRIN): the web sends such a beheerder to add a location first (seed 000).
    pub async fn needs_locations(&self, actor: &LoketActor) -> Result<Option<Brin>> {
        for brin in actor.schools() {
            if actor.is_beheerder(&brin) && self.store.count_locations(&brin).await? == 0 {
                return Ok(Some(brin));
            }
        }
        Ok(None)
    }

    /// The contact person of `brin` linked to the actor's account: the reporter of the
    /// actor's meldingen for that school. `None` when there is none ("Alleen contactpersonen
    /// kunnen verzuimmeldingen doen"); [`LoketError::NotFound`] when the actor does not work
    /// for the school.
    pub async fn my_contact(&self, actor: &LoketActor, brin: &Brin) -> Result<Option<ContactRow>> {
        require_school(actor, brin)?;
        Ok(self.store.contact_of_user(brin, actor.user_id).await?)
    }

    /// Validates a contact person's form; the linked user must be melder or beheerder of the
    /// school.
    async fn validate_contact(&self, brin: &Brin, input: &ContactInput) -> Result<ContactFields> {
        let mut errors = FieldErrors::default();
        let name = errors.take(required_text("name", &input.name, 100));
        let function = errors.take(required_text("function", &input.function, 60));
        let phone = errors.take(phone("phone", &input.phone));
        let email = errors.take(email("email", &input.email));
        let username = input.username.trim().to_lowercase();
        let mut user_id = None;
        if !username.is_empty() {
            let user = self.store.user_by_username(&username).await?;
            let works_here = match &user {
                Some(u) => self.store.roles_of(u.id).await?.iter().any(|r| {
                    LoketRole::parse(&r.code, r.organisation.as_deref()).is_ok_and(|role| {
                        role == LoketRole::Melder(brin.clone())
                            || role == LoketRole::Beheerder(brin.clone())
                    })
                }),
                None => false,
            };
            match user {
                Some(u) if works_here => user_id = Some(u.id),
                _ => errors.push(
                    "username",
                    format!(
                        "'{username}' is geen gebruiker met de rol melder of beheerder van {brin}"
                    ),
                ),
            }
        }
        match (name, function, phone, email) {
            (Some(name), Some(function), Some(phone), Some(email)) if errors.is_empty() => {
                Ok(ContactFields {
                    name,
                    function,
                    phone,
                    email,
                    user_id,
                })
            }
            _ => Err(LoketError::Fields(errors)),
        }
    }
}

impl LocationInput {
    /// The validated values, or a message per refused field.
    pub fn validate(&self) -> Result<LocationFields> {
        let mut errors = FieldErrors::default();
        let name = errors.take(required_text("name", &self.name, 100));
        let street = errors.take(optional_text("street", &self.street, 100));
        let number = errors.take(optional_text("number", &self.number, 20));
        let postcode = if self.postcode.trim().is_empty() {
            Some(String::new())
        } else {
            errors.take(postcode("postcode", &self.postcode))
        };
        let city = errors.take(optional_text("city", &self.city, 80));
        match (name, street, number, postcode, city) {
            (Some(name), Some(street), Some(number), Some(postcode), Some(city)) => {
                Ok(LocationFields {
                    name,
                    street: street.unwrap_or_default(),
                    number: number.unwrap_or_default(),
                    postcode,
                    city: city.unwrap_or_default(),
                })
            }
            _ => Err(LoketError::Fields(errors)),
        }
    }
}

impl From<&LocationRow> for LocationInput {
    fn from(row: &LocationRow) -> Self {
        Self {
            name: row.name.clone(),
            street: row.street.clone(),
            number: row.number.clone(),
            postcode: row.postcode.clone(),
            city: row.city.clone(),
        }
    }
}

impl From<&ContactRow> for ContactInput {
    fn from(row: &ContactRow) -> Self {
        Self {
            name: row.name.clone(),
            function: row.function.clone(),
            phone: row.phone.clone(),
            email: row.email.clone(),
            username: row.username.clone().unwrap_or_default(),
        }
    }
}

/// Melder or beheerder of the school; anyone else: the school's pages do not exist.
fn require_school(actor: &LoketActor, brin: &Brin) -> Result<()> {
    if actor.works_for_school(brin) {
        Ok(())
    } else {
        not_found("school")
    }
}

/// Beheerder onderwijs of the school; anyone else (a melder too): not found.
fn require_beheerder(actor: &LoketActor, brin: &Brin) -> Result<()> {
    if actor.is_beheerder(brin) {
        Ok(())
    } else {
        not_found("pagina")
    }
}

/// A conflict on a form field (a duplicate name, a user linked twice) as a field error, so
/// the form shows it next to the field.
fn as_field_error(e: verzuim_store::StoreError) -> LoketError {
    match e {
        verzuim_store::StoreError::Conflict { field, reason } => {
            LoketError::Fields(FieldErrors(vec![ValidationError::new(field, reason)]))
        }
        other => other.into(),
    }
}
