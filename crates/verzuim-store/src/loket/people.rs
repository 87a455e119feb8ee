//! Loket users: their password hash, roles, TOTP token (secret, pending secret during
//! enrolment, last accepted step) and one-time recovery codes.
//!
//! The checks that must hold across instances are single statements: accepting a TOTP step
//! is `UPDATE … WHERE totp_last_step < $step`, using a recovery code is
//! `UPDATE … WHERE used_at IS NULL`, so two logins with the same code cannot both win.

use chrono::{DateTime, Utc};

use super::LoketStore;
use super::admin::{LoketAuditEntry, insert_loket_audit};
use crate::sql::unique_to_conflict;
use crate::{Result, StoreError};

/// A stored loket user. `Debug` hides the password hash and TOTP secrets.
#[derive(Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LoketUser {
    /// Id.
    pub id: i64,
    /// Login name (lower-case).
    pub username: String,
    /// Display name.
    pub name: String,
    /// argon2id PHC string.
    pub password_hash: String,
    /// Base32 secret of the enrolled token; `None` until enrolment is confirmed.
    pub totp_secret: Option<String>,
    /// Base32 secret shown during enrolment, until a code confirms it.
    pub totp_pending_secret: Option<String>,
    /// The last TOTP step accepted (a step at or before it is refused).
    pub totp_last_step: Option<i64>,
    /// When the token was enrolled.
    pub totp_enrolled_at: Option<DateTime<Utc>>,
    /// Whether the user may log in.
    pub active: bool,
    /// When the user was created.
    pub created_at: DateTime<Utc>,
}

impl std::fmt::Debug for LoketUser {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LoketUser")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("name", &self.name)
            .field("totp_enrolled", &self.totp_secret.is_some())
            .field("totp_last_step", &self.totp_last_step)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// A role as stored: its code and the BRIN or gemeentecode it is for (`None` for the site
/// admin).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StoredRole {
    /// `melder`, `beheerder`, `leerplicht`, `rmc` or `admin`.
    pub code: String,
    /// BRIN or gemeentecode; `None` for the site admin.
    pub organisation: Option<String>,
}

impl StoredRole {
    /// A role for `organisation` (`None`: the site admin's).
    pub fn new(code: &str, organisation: Option<&str>) -> Self {
        Self {
            code: code.to_owned(),
            organisation: organisation.map(str::to_owned),
        }
    }

    /// The organisation column: '' stands for "none" (a NULL could not be part of the key).
    fn column(&self) -> &str {
        self.organisation.as_deref().unwrap_or("")
    }

    fn from_columns(code: String, organisation: String) -> Self {
        Self {
            code,
            organisation: (!organisation.is_empty()).then_some(organisation),
        }
    }
}

/// A user to create.
#[derive(Clone, PartialEq, Eq)]
pub struct NewLoketUser<'a> {
    /// Login name (already validated, lower-case).
    pub username: &'a str,
    /// Display name.
    pub name: &'a str,
    /// argon2id PHC string.
    pub password_hash: &'a str,
}

/// What confirming a TOTP enrolment stores.
#[derive(Clone, PartialEq, Eq)]
pub struct TotpEnrolmentRecord<'a> {
    /// The user.
    pub user_id: i64,
    /// The pending secret the user confirmed (must still be the pending one).
    pub secret: &'a str,
    /// The step the confirming code matched (becomes the last accepted step).
    pub step: i64,
    /// SHA-256 hashes of the new recovery codes (replace any old ones).
    pub recovery_hashes: &'a [String],
    /// The session to upgrade to `full`.
    pub session_token_hash: &'a str,
    /// The upgraded session's new end.
    pub session_expires_at: DateTime<Utc>,
    /// When.
    pub now: DateTime<Utc>,
}

const USER_SELECT: &str = "SELECT id, username, name, password_hash, totp_secret, \
     totp_pending_secret, totp_last_step, totp_enrolled_at, active, created_at FROM loket_users";

/// Grants a role; does nothing when the user holds it already.
const GRANT_ROLE: &str = "INSERT INTO loket_user_roles (user_id, role, organisation) \
                          VALUES ($1, $2, $3) ON CONFLICT (user_id, role, organisation) DO NOTHING";
/// Takes a role away.
const REVOKE_ROLE: &str =
    "DELETE FROM loket_user_roles WHERE user_id = $1 AND role = $2 AND organisation = $3";

impl LoketStore {
    /// The user with this login name.
    pub async fn user_by_username(&self, username: &str) -> Result<Option<LoketUser>> {
        let sql = format!("{USER_SELECT} WHERE username = $1");
        Ok(with_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(username.trim())
                .fetch_optional(pool)
                .await?
        }))
    }

    /// The user with this id.
    pub async fn user_by_id(&self, id: i64) -> Result<Option<LoketUser>> {
        let sql = format!("{USER_SELECT} WHERE id = $1");
        Ok(with_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(id)
                .fetch_optional(pool)
                .await?
        }))
    }

    /// All users, by login name.
    pub async fn users(&self) -> Result<Vec<LoketUser>> {
        let sql = format!("{USER_SELECT} ORDER BY username");
        Ok(with_pool!(self, pool => {
            sqlx::query_as(sqlx::AssertSqlSafe(sql)).fetch_all(pool).await?
        }))
    }

    /// The roles of one user, sorted.
    pub async fn roles_of(&self, user_id: i64) -> Result<Vec<StoredRole>> {
        let rows: Vec<(String, String)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT role, organisation FROM loket_user_roles WHERE user_id = $1 \
                 ORDER BY role, organisation",
            )
            .bind(user_id)
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(code, org)| StoredRole::from_columns(code, org))
            .collect())
    }

    /// The roles of all users, as (user id, role), sorted.
    pub async fn all_roles(&self) -> Result<Vec<(i64, StoredRole)>> {
        let rows: Vec<(i64, String, String)> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT user_id, role, organisation FROM loket_user_roles \
                 ORDER BY user_id, role, organisation",
            )
            .fetch_all(pool)
            .await?
        });
        Ok(rows
            .into_iter()
            .map(|(user, code, org)| (user, StoredRole::from_columns(code, org)))
            .collect())
    }

    /// Login names of the users with role `code` (e.g. the site admins), sorted.
    pub async fn usernames_with_role(&self, code: &str) -> Result<Vec<String>> {
        Ok(with_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT DISTINCT u.username FROM loket_users u \
                 JOIN loket_user_roles r ON r.user_id = u.id WHERE r.role = $1 ORDER BY u.username",
            )
            .bind(code)
            .fetch_all(pool)
            .await?
        }))
    }

    /// Creates a user with `roles`, and its audit row, in one transaction. A taken login name
    /// is [`StoreError::Conflict`] on `username`. Returns the new id.
    pub async fn create_user(
        &self,
        user: &NewLoketUser<'_>,
        roles: &[StoredRole],
        now: DateTime<Utc>,
        audit: &LoketAuditEntry,
    ) -> Result<i64> {
        let taken = || StoreError::Conflict {
            field: "username".to_owned(),
            reason: format!("inlognaam '{}' is al in gebruik", user.username),
        };
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO loket_users (username, name, password_hash, active, created_at) \
                 VALUES ($1, $2, $3, TRUE, $4) RETURNING id",
            )
            .bind(user.username)
            .bind(user.name)
            .bind(user.password_hash)
            .bind(now)
            .fetch_one(&mut *tx)
            .await
            .map_err(|e| match unique_to_conflict(e, "username", "") {
                StoreError::Conflict { .. } => taken(),
                other => other,
            })?;
            for role in roles {
                sqlx::query(
                    "INSERT INTO loket_user_roles (user_id, role, organisation) VALUES ($1, $2, $3) \
                     ON CONFLICT (user_id, role, organisation) DO NOTHING",
                )
                .bind(id)
                .bind(&role.code)
                .bind(role.column())
                .execute(&mut *tx)
                .await?;
            }
            insert_loket_audit!(&mut *tx, audit)?;
            tx.commit().await?;
            Ok(id)
        })
    }

    /// Sets a user's password hash and ends their sessions. [`StoreError::NotFound`] for an
    /// unknown id.
    pub async fn set_user_password(
        &self,
        user_id: i64,
        password_hash: &str,
        audit: &LoketAuditEntry,
    ) -> Result<()> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let n = sqlx::query("UPDATE loket_users SET password_hash = $2 WHERE id = $1")
                .bind(user_id)
                .bind(password_hash)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(user_not_found(user_id));
            }
            sqlx::query("DELETE FROM loket_sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            insert_loket_audit!(&mut *tx, audit)?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Blocks or unblocks a user; blocking ends their sessions.
    pub async fn set_user_active(
        &self,
        user_id: i64,
        active: bool,
        audit: &LoketAuditEntry,
    ) -> Result<()> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let n = sqlx::query("UPDATE loket_users SET active = $2 WHERE id = $1")
                .bind(user_id)
                .bind(active)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(user_not_found(user_id));
            }
            if !active {
                sqlx::query("DELETE FROM loket_sessions WHERE user_id = $1")
                    .bind(user_id)
                    .execute(&mut *tx)
                    .await?;
            }
            insert_loket_audit!(&mut *tx, audit)?;
            tx.commit().await?;
        });
        Ok(())
    }

    /// Grants a role; `false` when the user held it already (then nothing is written).
    pub async fn grant_role(
        &self,
        user_id: i64,
        role: &StoredRole,
        audit: &LoketAuditEntry,
    ) -> Result<bool> {
        self.change_role(GRANT_ROLE, user_id, role, audit).await
    }

    /// Takes a role away; `false` when the user did not hold it (then nothing is written).
    pub async fn revoke_role(
        &self,
        user_id: i64,
        role: &StoredRole,
        audit: &LoketAuditEntry,
    ) -> Result<bool> {
        self.change_role(REVOKE_ROLE, user_id, role, audit).await
    }

    /// Runs a grant or revoke statement (`$1` user, `$2` role, `$3` organisation) and, when
    /// it changed a row, the audit row, in one transaction; whether it changed a row.
    async fn change_role(
        &self,
        sql: &'static str,
        user_id: i64,
        role: &StoredRole,
        audit: &LoketAuditEntry,
    ) -> Result<bool> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let n = sqlx::query(sql)
                .bind(user_id)
                .bind(&role.code)
                .bind(role.column())
                .execute(&mut *tx)
                .await?
                .rows_affected();
            if n > 0 {
                insert_loket_audit!(&mut *tx, audit)?;
            }
            tx.commit().await?;
            Ok(n > 0)
        })
    }

    /// The user's pending TOTP secret: the one stored, else `candidate` (stored now). `None`
    /// when the user has an enrolled token already (or does not exist). Concurrent calls get
    /// the same secret.
    pub async fn ensure_pending_totp(
        &self,
        user_id: i64,
        candidate: &str,
    ) -> Result<Option<String>> {
        Ok(with_pool!(self, pool => {
            sqlx::query_scalar(
                "UPDATE loket_users SET totp_pending_secret = COALESCE(totp_pending_secret, $2) \
                 WHERE id = $1 AND totp_secret IS NULL RETURNING totp_pending_secret",
            )
            .bind(user_id)
            .bind(candidate)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Confirms an enrolment in one transaction: the pending secret becomes the token, the
    /// recovery codes are replaced, the session is upgraded to `full`, and the audit row is
    /// written. `false` (nothing written) when `record.secret` is no longer the user's pending
    /// secret or a token is enrolled already.
    pub async fn enrol_totp(
        &self,
        record: &TotpEnrolmentRecord<'_>,
        audit: &LoketAuditEntry,
    ) -> Result<bool> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let n = sqlx::query(
                "UPDATE loket_users SET totp_secret = $2, totp_pending_secret = NULL, \
                 totp_last_step = $3, totp_enrolled_at = $4 \
                 WHERE id = $1 AND totp_secret IS NULL AND totp_pending_secret = $2",
            )
            .bind(record.user_id)
            .bind(record.secret)
            .bind(record.step)
            .bind(record.now)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                tx.rollback().await?;
                return Ok(false);
            }
            sqlx::query("DELETE FROM loket_recovery_codes WHERE user_id = $1")
                .bind(record.user_id)
                .execute(&mut *tx)
                .await?;
            for hash in record.recovery_hashes {
                sqlx::query("INSERT INTO loket_recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                    .bind(record.user_id)
                    .bind(hash)
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query(
                "UPDATE loket_sessions SET stage = 'full', expires_at = $3 \
                 WHERE token_hash = $1 AND user_id = $2",
            )
            .bind(record.session_token_hash)
            .bind(record.user_id)
            .bind(record.session_expires_at)
            .execute(&mut *tx)
            .await?;
            insert_loket_audit!(&mut *tx, audit)?;
            tx.commit().await?;
            Ok(true)
        })
    }

    /// Records `step` as the user's last accepted TOTP step, if it is later than the stored
    /// one: `true` when accepted, `false` for a replayed (or older) step.
    pub async fn accept_totp_step(&self, user_id: i64, step: i64) -> Result<bool> {
        let n = with_pool!(self, pool => {
            sqlx::query(
                "UPDATE loket_users SET totp_last_step = $2 WHERE id = $1 \
                 AND totp_secret IS NOT NULL AND (totp_last_step IS NULL OR totp_last_step < $2)",
            )
            .bind(user_id)
            .bind(step)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n > 0)
    }

    /// Uses up the unused recovery code with this hash: `true` when there was one.
    pub async fn use_recovery_code(
        &self,
        user_id: i64,
        code_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let n = with_pool!(self, pool => {
            sqlx::query(
                "UPDATE loket_recovery_codes SET used_at = $3 \
                 WHERE user_id = $1 AND code_hash = $2 AND used_at IS NULL",
            )
            .bind(user_id)
            .bind(code_hash)
            .bind(now)
            .execute(pool)
            .await?
            .rows_affected()
        });
        Ok(n > 0)
    }

    /// How many unused recovery codes the user has.
    pub async fn recovery_codes_left(&self, user_id: i64) -> Result<i64> {
        Ok(with_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM loket_recovery_codes WHERE user_id = $1 AND used_at IS NULL",
            )
            .bind(user_id)
            .fetch_one(pool)
            .await?
        }))
    }

    /// Removes the user's token, pending secret and recovery codes and ends their sessions,
    /// with the audit row, in one transaction.
    pub async fn reset_totp(&self, user_id: i64, audit: &LoketAuditEntry) -> Result<()> {
        with_pool!(self, pool => {
            let mut tx = pool.begin_with(self.begin_write()).await?;
            let n = sqlx::query(
                "UPDATE loket_users SET totp_secret = NULL, totp_pending_secret = NULL, \
                 totp_last_step = NULL, totp_enrolled_at = NULL WHERE id = $1",
            )
            .bind(user_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
            if n == 0 {
                return Err(user_not_found(user_id));
            }
            sqlx::query("DELETE FROM loket_recovery_codes WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("DELETE FROM loket_sessions WHERE user_id = $1")
                .bind(user_id)
                .execute(&mut *tx)
                .await?;
            insert_loket_audit!(&mut *tx, audit)?;
            tx.commit().await?;
        });
        Ok(())
    }
}

fn user_not_found(id: i64) -> StoreError {
    StoreError::NotFound {
        what: format!("gebruiker {id}"),
    }
}
