//! Organisations (schools by BRIN, gemeenten by CBS code), each school's locations and
//! contact persons, the resident register (BSN → gemeentecode) and the loket's audit log.
//!
//! Every change takes the [`LoketAuditEntry`] that describes it and writes it in the same
//! transaction. Other loket store modules write theirs with [`insert_loket_audit!`].

use chrono::{DateTime, Utc};
use verzuim_domain::{Brin, Gemeentecode, Sector};

use super::LoketStore;
use crate::sql::{contains_pattern, corrupt};
use crate::{Result, StoreError};

/// One audit row to write: who did what, when, to which organisation or melding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoketAuditEntry {
    /// When.
    pub at: DateTime<Utc>,
    /// Who: the username, or `systeem` for a job.
    pub username: String,
    /// What, as a short code such as `location.add` or `melding.view`.
    pub action: String,
    /// The BRIN or gemeentecode concerned.
    pub organisation: Option<String>,
    /// The melding concerned (its id).
    pub melding_id: Option<i64>,
    /// Details in Dutch.
    pub detail: String,
}

/// Appends a [`LoketAuditEntry`] with `executor` (a pool or `&mut *tx`); evaluates to the
/// `Result<_, sqlx::Error>` of the `INSERT`. For writing the audit row inside the transaction
/// of the change it describes:
///
/// ```text
/// insert_loket_audit!(&mut *tx, &entry)?;
/// ```
macro_rules! insert_loket_audit {
    ($executor:expr, $entry:expr) => {{
        let entry: &$crate::loket::LoketAuditEntry = $entry;
        sqlx::query(
            "INSERT INTO loket_audit (at, username, action, organisation, melding_id, detail) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(entry.at)
        .bind(&entry.username)
        .bind(&entry.action)
        .bind(entry.organisation.as_deref())
        .bind(entry.melding_id)
        .bind(&entry.detail)
        .execute($executor)
        .await
    }};
}
pub(crate) use insert_loket_audit;

/// A school known to the loket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoketSchoolRow {
    /// Instellingscode.
    pub brin: Brin,
    /// Name.
    pub name: String,
    /// Sector.
    pub sector: Sector,
}

/// A gemeente known to the loket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoketGemeenteRow {
    /// CBS gemeentecode.
    pub code: Gemeentecode,
    /// Name.
    pub name: String,
}

/// A location's values, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocationFields {
    /// Name (unique per school, case-insensitively).
    pub name: String,
    /// Street, or "".
    pub street: String,
    /// House number, or "".
    pub number: String,
    /// Postcode, or "".
    pub postcode: String,
    /// City, or "".
    pub city: String,
}

/// A stored location of a school.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationRow {
    /// Id.
    pub id: i64,
    /// The school.
    pub brin: Brin,
    /// Name.
    pub name: String,
    /// Street ("" when not given).
    pub street: String,
    /// House number ("" when not given).
    pub number: String,
    /// Postcode ("" when not given).
    pub postcode: String,
    /// City ("" when not given).
    pub city: String,
}

/// A contact person's values, validated.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ContactFields {
    /// Name.
    pub name: String,
    /// Function.
    pub function: String,
    /// Telephone number.
    pub phone: String,
    /// E-mail address.
    pub email: String,
    /// The loket user this contact person is, if any.
    pub user_id: Option<i64>,
}

/// A stored contact person of a school.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContactRow {
    /// Id.
    pub id: i64,
    /// The school.
    pub brin: Brin,
    /// Name.
    pub name: String,
    /// Function.
    pub function: String,
    /// Telephone number.
    pub phone: String,
    /// E-mail address.
    pub email: String,
    /// The linked loket user's id, if any.
    pub user_id: Option<i64>,
    /// The linked loket user's login name, if any.
    pub username: Option<String>,
}

/// One stored row of the loket's audit log.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LoketAuditRow {
    /// Row id (increasing).
    pub id: i64,
    /// When.
    pub at: DateTime<Utc>,
    /// Who (username; `systeem` for jobs such as retention).
    pub username: String,
    /// What, as a short code (`melding.view`, `location.add`, `login`, …).
    pub action: String,
    /// BRIN or gemeentecode concerned, if any.
    pub organisation: Option<String>,
    /// Melding concerned (its database id), if any.
    pub melding_id: Option<i64>,
    /// Details in Dutch.
    pub detail: String,
}

#[derive(sqlx::FromRow)]
struct SchoolRec {
    brin: String,
    name: String,
    sector: String,
}

impl SchoolRec {
    fn into_row(self) -> Result<LoketSchoolRow> {
        let what = format!("school {}", self.brin);
        Ok(LoketSchoolRow {
            brin: Brin::parse(&self.brin).map_err(|e| corrupt(&what, e))?,
            sector: Sector::parse(&self.sector).map_err(|e| corrupt(&what, e))?,
            name: self.name,
        })
    }
}

#[derive(sqlx::FromRow)]
struct GemeenteRec {
    code: String,
    name: String,
}

impl GemeenteRec {
    fn into_row(self) -> Result<LoketGemeenteRow> {
        Ok(LoketGemeenteRow {
            code: Gemeentecode::parse(&self.code)
                .map_err(|e| corrupt(&format!("gemeente {}", self.code), e))?,
            name: self.name,
        })
    }
}

#[derive(sqlx::FromRow)]
struct LocationRec {
    id: i64,
    brin: String,
    name: String,
    street: String,
    number: String,
    postcode: String,
    city: String,
}

impl LocationRec {
    fn into_row(self) -> Result<LocationRow> {
        Ok(LocationRow {
            id: self.id,
            brin: Brin::parse(&self.brin)
                .map_err(|e| corrupt(&format!("locatie {}", self.id), e))?,
            name: self.name,
            street: self.street,
            number: self.number,
            postcode: self.postcode,
            city: self.city,
        })
    }
}

#[derive(sqlx::FromRow)]
struct ContactRec {
    id: i64,
    brin: String,
    name: String,
    function: String,
    phone: String,
    email: String,
    user_id: Option<i64>,
    username: Option<String>,
}

impl ContactRec {
    fn into_row(self) -> Result<ContactRow> {
        Ok(ContactRow {
            id: self.id,
            brin: Brin::parse(&self.brin)
                .map_err(|e| corrupt(&format!("contactpersoon {}", self.id), e))?,
            name: self.name,
            function: self.function,
            phone: self.phone,
            email: self.email,
            user_id: self.user_id,
            username: self.username,
        })
    }
}

const LOCATION_SELECT: &str =
    "SELECT id, brin, name, street, number, postcode, city FROM loket_locations";

const CONTACT_SELECT: &str = "SELECT c.id, c.brin, c.name, c.function, c.phone, c.email, \
     c.user_id, u.username FROM loket_contacts c LEFT JOIN loket_users u ON u.id = c.user_id";

/// The optional search as a `LIKE` pattern; `None` for an empty search (list all).
fn search_pattern(search: &str) -> Option<String> {
    (!search.trim().is_empty()).then(|| contains_pattern(search))
}

/// Maps the errors of writing a location or contact person: a duplicate to a conflict on
/// `unique_field`, a missing school to not-found, a row still referred to (by a melding) to a
/// conflict.
fn place_error(err: sqlx::Error, unique_field: &str, unique_reason: &str) -> StoreError {
    match &err {
        sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::Conflict {
            field: unique_field.to_owned(),
            reason: unique_reason.to_owned(),
        },
        sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Conflict {
            field: "id".to_owned(),
            reason: "wordt nog gebruikt (in een melding of door een onbekende school)".to_owned(),
        },
        _ => StoreError::Database(err),
    }
}

fn location_not_found(id: i64) -> StoreError {
    StoreError::NotFound {
        what: format!("locatie {id}"),
    }
}

fn contact_not_found(id: i64) -> StoreError {
    StoreError::NotFound {
        what: format!("contactpersoon {id}"),
    }
}

/// The two kinds of a school's own lists ("Beheer locaties", "Beheer contactpersonen").
#[derive(Debug, Clone, Copy)]
enum Place {
    Location,
    Contact,
}

impl Place {
    /// The DELETE of one row of the school's list.
    fn delete_sql(self) -> &'static str {
        match self {
            Self::Location => "DELETE FROM loket_locations WHERE brin = $1 AND id = $2",
            Self::Contact => "DELETE FROM loket_contacts WHERE brin = $1 AND id = $2",
        }
    }

    fn not_found(self, id: i64) -> StoreError {
        match self {
            Self::Location => location_not_found(id),
            Self::Contact => contact_not_found(id),
        }
    }
}

impl LoketStore {
    /// Deletes one row of the school's locations or contact persons with its audit row;
    /// [`StoreError::NotFound`] when the id is not one of this school's.
    async fn delete_place(
        &self,
        place: Place,
        brin: &Brin,
        id: i64,
        audit: &LoketAuditEntry,
    ) -> Result<()> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let n = sqlx::query(place.delete_sql())
                .bind(brin.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await
                .map_err(|e| place_error(e, "id", ""))?
                .rows_affected();
            if n == 0 {
                return Err(place.not_found(id));
            }
            insert_loket_audit!(&mut *tx, audit)?;
            tx.commit().await?;
        });
        Ok(())
    }
}

impl LoketStore {
    /// Appends one audit row on its own (for reads; changes write theirs in their own
    /// transaction).
    pub async fn append_audit(&self, entry: &LoketAuditEntry) -> Result<()> {
        with_pool!(self, pool => {
            insert_loket_audit!(pool, entry)?;
        });
        Ok(())
    }

    /// `limit` audit rows from `offset`, newest first.
    pub async fn audit_rows(&self, limit: i64, offset: i64) -> Result<Vec<LoketAuditRow>> {
        Ok(with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, at, username, action, organisation, melding_id, detail FROM loket_audit \
                 ORDER BY id DESC LIMIT $1 OFFSET $2",
            )
            .bind(limit)
            .bind(offset.max(0))
            .fetch_all(pool)
            .await?
        }))
    }

    /// The audit rows about one melding, oldest first.
    pub async fn audit_of_melding(&self, melding_id: i64) -> Result<Vec<LoketAuditRow>> {
        Ok(with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT id, at, username, action, organisation, melding_id, detail FROM loket_audit \
                 WHERE melding_id = $1 ORDER BY id",
            )
            .bind(melding_id)
            .fetch_all(pool)
            .await?
        }))
    }

    /// How many rows the audit log has.
    pub async fn count_audit(&self) -> Result<i64> {
        Ok(with_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM loket_audit").fetch_one(pool).await?
        }))
    }

    /// Adds a school. A BRIN that exists is [`StoreError::Conflict`] on `brin`.
    pub async fn add_school(&self, school: &LoketSchoolRow, audit: &LoketAuditEntry) -> Result<()> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            sqlx::query("INSERT INTO loket_schools (brin, name, sector) VALUES ($1, $2, $3)")
                .bind(school.brin.as_str())
                .bind(&school.name)
                .bind(school.sector.code())
                .execute(&mut *tx)
                .await
                .map_err(|e| place_error(e, "brin", &format!("school {} bestaat al", school.brin)))?;
            insert_loket_audit!(&mut *tx, audit)?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// All schools, by BRIN.
    pub async fn schools(&self) -> Result<Vec<LoketSchoolRow>> {
        let recs: Vec<SchoolRec> = with_pool!(self, pool => {
            sqlx::query_as("SELECT brin, name, sector FROM loket_schools ORDER BY brin")
                .fetch_all(pool)
                .await?
        });
        recs.into_iter().map(SchoolRec::into_row).collect()
    }

    /// One school.
    pub async fn school(&self, brin: &Brin) -> Result<Option<LoketSchoolRow>> {
        let rec: Option<SchoolRec> = with_pool!(self, pool => {
            sqlx::query_as("SELECT brin, name, sector FROM loket_schools WHERE brin = $1")
                .bind(brin.as_str())
                .fetch_optional(pool)
                .await?
        });
        rec.map(SchoolRec::into_row).transpose()
    }

    /// Adds a gemeente. A code that exists is [`StoreError::Conflict`] on `code`.
    pub async fn add_gemeente(
        &self,
        gemeente: &LoketGemeenteRow,
        audit: &LoketAuditEntry,
    ) -> Result<()> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            sqlx::query("INSERT INTO loket_gemeenten (code, name) VALUES ($1, $2)")
                .bind(gemeente.code.as_str())
                .bind(&gemeente.name)
                .execute(&mut *tx)
                .await
                .map_err(|e| place_error(e, "code", &format!("gemeente {} bestaat al", gemeente.code)))?;
            insert_loket_audit!(&mut *tx, audit)?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// All gemeenten, by code.
    pub async fn gemeenten(&self) -> Result<Vec<LoketGemeenteRow>> {
        let recs: Vec<GemeenteRec> = with_pool!(self, pool => {
            sqlx::query_as("SELECT code, name FROM loket_gemeenten ORDER BY code")
                .fetch_all(pool)
                .await?
        });
        recs.into_iter().map(GemeenteRec::into_row).collect()
    }

    /// One gemeente.
    pub async fn gemeente(&self, code: &Gemeentecode) -> Result<Option<LoketGemeenteRow>> {
        let rec: Option<GemeenteRec> = with_pool!(self, pool => {
            sqlx::query_as("SELECT code, name FROM loket_gemeenten WHERE code = $1")
                .bind(code.as_str())
                .fetch_optional(pool)
                .await?
        });
        rec.map(GemeenteRec::into_row).transpose()
    }

    /// The school's locations whose name or city contains `search` (case-insensitive; empty:
    /// all), by name.
    pub async fn locations(&self, brin: &Brin, search: &str) -> Result<Vec<LocationRow>> {
        let sql = format!(
            "{LOCATION_SELECT} WHERE brin = $1 AND ($2 IS NULL \
             OR LOWER(name) LIKE $2 ESCAPE '\\' OR LOWER(city) LIKE $2 ESCAPE '\\') \
             ORDER BY LOWER(name), id"
        );
        let recs: Vec<LocationRec> = with_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(brin.as_str())
                .bind(search_pattern(search))
                .fetch_all(pool)
                .await?
        });
        recs.into_iter().map(LocationRec::into_row).collect()
    }

    /// The names of the school's locations, by name (for the melding form's list).
    pub async fn location_names(&self, brin: &Brin) -> Result<Vec<String>> {
        Ok(with_pool!(self, pool => {
            sqlx::query_scalar("SELECT name FROM loket_locations WHERE brin = $1 ORDER BY LOWER(name), id")
                .bind(brin.as_str())
                .fetch_all(pool)
                .await?
        }))
    }

    /// How many locations the school has.
    pub async fn count_locations(&self, brin: &Brin) -> Result<i64> {
        Ok(with_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM loket_locations WHERE brin = $1")
                .bind(brin.as_str())
                .fetch_one(pool)
                .await?
        }))
    }

    /// One location of the school; `None` when the id is not one of this school's.
    pub async fn location(&self, brin: &Brin, id: i64) -> Result<Option<LocationRow>> {
        let sql = format!("{LOCATION_SELECT} WHERE brin = $1 AND id = $2");
        let rec: Option<LocationRec> = with_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(brin.as_str())
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        rec.map(LocationRec::into_row).transpose()
    }

    /// Adds a location to the school; a name it has already is [`StoreError::Conflict`] on
    /// `name`. Returns the id.
    pub async fn add_location(
        &self,
        brin: &Brin,
        fields: &LocationFields,
        now: DateTime<Utc>,
        audit: &LoketAuditEntry,
    ) -> Result<i64> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO loket_locations \
                 (brin, name, street, number, postcode, city, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(brin.as_str())
            .bind(&fields.name)
            .bind(&fields.street)
            .bind(&fields.number)
            .bind(&fields.postcode)
            .bind(&fields.city)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| place_error(e, "name", "de school heeft al een locatie met deze naam"))?;
            insert_loket_audit!(&mut *tx, audit)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Changes a location of the school; [`StoreError::NotFound`] when the id is not one of
    /// this school's.
    pub async fn update_location(
        &self,
        brin: &Brin,
        id: i64,
        fields: &LocationFields,
        now: DateTime<Utc>,
        audit: &LoketAuditEntry,
    ) -> Result<()> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let n = sqlx::query(
                "UPDATE loket_locations SET name = $3, street = $4, number = $5, postcode = $6, \
                 city = $7, updated_at = $8 WHERE brin = $1 AND id = $2",
            )
            .bind(brin.as_str())
            .bind(id)
            .bind(&fields.name)
            .bind(&fields.street)
            .bind(&fields.number)
            .bind(&fields.postcode)
            .bind(&fields.city)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| place_error(e, "name", "de school heeft al een locatie met deze naam"))?
            .rows_affected();
            if n == 0 {
                return Err(location_not_found(id));
            }
            insert_loket_audit!(&mut *tx, audit)?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Deletes a location of the school; [`StoreError::NotFound`] when the id is not one of
    /// this school's.
    pub async fn delete_location(
        &self,
        brin: &Brin,
        id: i64,
        audit: &LoketAuditEntry,
    ) -> Result<()> {
        self.delete_place(Place::Location, brin, id, audit).await
    }

    /// The school's contact persons whose name, function or e-mail contains `search`
    /// (case-insensitive; empty: all), by name.
    pub async fn contacts(&self, brin: &Brin, search: &str) -> Result<Vec<ContactRow>> {
        let sql = format!(
            "{CONTACT_SELECT} WHERE c.brin = $1 AND ($2 IS NULL \
             OR LOWER(c.name) LIKE $2 ESCAPE '\\' OR LOWER(c.function) LIKE $2 ESCAPE '\\' \
             OR LOWER(c.email) LIKE $2 ESCAPE '\\') ORDER BY LOWER(c.name), c.id"
        );
        let recs: Vec<ContactRec> = with_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(brin.as_str())
                .bind(search_pattern(search))
                .fetch_all(pool)
                .await?
        });
        recs.into_iter().map(ContactRec::into_row).collect()
    }

    /// One contact person of the school; `None` when the id is not one of this school's.
    pub async fn contact(&self, brin: &Brin, id: i64) -> Result<Option<ContactRow>> {
        let sql = format!("{CONTACT_SELECT} WHERE c.brin = $1 AND c.id = $2");
        let rec: Option<ContactRec> = with_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(brin.as_str())
                .bind(id)
                .fetch_optional(pool)
                .await?
        });
        rec.map(ContactRec::into_row).transpose()
    }

    /// The contact person of the school linked to loket user `user_id`.
    pub async fn contact_of_user(&self, brin: &Brin, user_id: i64) -> Result<Option<ContactRow>> {
        let sql = format!("{CONTACT_SELECT} WHERE c.brin = $1 AND c.user_id = $2");
        let rec: Option<ContactRec> = with_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(brin.as_str())
                .bind(user_id)
                .fetch_optional(pool)
                .await?
        });
        rec.map(ContactRec::into_row).transpose()
    }

    /// Adds a contact person to the school; a user linked to another contact person of the
    /// school already is [`StoreError::Conflict`] on `username`. Returns the id.
    pub async fn add_contact(
        &self,
        brin: &Brin,
        fields: &ContactFields,
        now: DateTime<Utc>,
        audit: &LoketAuditEntry,
    ) -> Result<i64> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO loket_contacts \
                 (brin, name, function, phone, email, user_id, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            )
            .bind(brin.as_str())
            .bind(&fields.name)
            .bind(&fields.function)
            .bind(&fields.phone)
            .bind(&fields.email)
            .bind(fields.user_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| place_error(e, "username", LINKED_ALREADY))?;
            insert_loket_audit!(&mut *tx, audit)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Changes a contact person of the school; [`StoreError::NotFound`] when the id is not
    /// one of this school's.
    pub async fn update_contact(
        &self,
        brin: &Brin,
        id: i64,
        fields: &ContactFields,
        now: DateTime<Utc>,
        audit: &LoketAuditEntry,
    ) -> Result<()> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let n = sqlx::query(
                "UPDATE loket_contacts SET name = $3, function = $4, phone = $5, email = $6, \
                 user_id = $7, updated_at = $8 WHERE brin = $1 AND id = $2",
            )
            .bind(brin.as_str())
            .bind(id)
            .bind(&fields.name)
            .bind(&fields.function)
            .bind(&fields.phone)
            .bind(&fields.email)
            .bind(fields.user_id)
            .bind(now)
            .execute(&mut *tx)
            .await
            .map_err(|e| place_error(e, "username", LINKED_ALREADY))?
            .rows_affected();
            if n == 0 {
                return Err(contact_not_found(id));
            }
            insert_loket_audit!(&mut *tx, audit)?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Deletes a contact person of the school; [`StoreError::NotFound`] when the id is not
    /// one of this school's.
    pub async fn delete_contact(
        &self,
        brin: &Brin,
        id: i64,
        audit: &LoketAuditEntry,
    ) -> Result<()> {
        self.delete_place(Place::Contact, brin, id, audit).await
    }

    /// Writes resident register rows (student number → gemeentecode) in one transaction with
    /// the audit row; a number already there gets the new gemeente. The gemeenten must exist
    /// (else [`StoreError::Conflict`] on `file`, nothing written). Returns the rows written.
    pub async fn import_residents(
        &self,
        rows: &[(String, Gemeentecode)],
        now: DateTime<Utc>,
        audit: &LoketAuditEntry,
    ) -> Result<u64> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let mut written = 0u64;
            for (number, gemeente) in rows {
                written += sqlx::query(
                    "INSERT INTO loket_residents (student_number, gemeente, imported_at) \
                     VALUES ($1, $2, $3) ON CONFLICT (student_number) DO UPDATE \
                     SET gemeente = excluded.gemeente, imported_at = excluded.imported_at",
                )
                .bind(number)
                .bind(gemeente.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await
                .map_err(|e| match &e {
                    sqlx::Error::Database(db) if db.is_foreign_key_violation() => StoreError::Conflict {
                        field: "file".to_owned(),
                        reason: format!("gemeente {gemeente} bestaat niet in het loket"),
                    },
                    _ => StoreError::Database(e),
                })?
                .rows_affected();
            }
            insert_loket_audit!(&mut *tx, audit)?;
            tx.commit().await?;
            Ok(written)
        })
    }

    /// The gemeentecode the resident register has for this student number.
    pub async fn resident_gemeente(&self, student_number: &str) -> Result<Option<String>> {
        Ok(with_pool!(self, pool => {
            sqlx::query_scalar("SELECT gemeente FROM loket_residents WHERE student_number = $1")
                .bind(student_number.trim())
                .fetch_optional(pool)
                .await?
        }))
    }

    /// How many students the resident register knows.
    pub async fn count_residents(&self) -> Result<i64> {
        Ok(with_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM loket_residents").fetch_one(pool).await?
        }))
    }
}

const LINKED_ALREADY: &str =
    "deze gebruiker is al aan een andere contactpersoon van de school gekoppeld";
