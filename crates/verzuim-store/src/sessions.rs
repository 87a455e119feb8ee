//! Login sessions in the database, so that several instances share them and a restart logs
//! nobody out.

use chrono::{DateTime, Utc};

use crate::rows::SessionRec;
use crate::sql::unique_to_conflict;
use crate::{Result, SessionRow, StaffRow, Store};

impl Store {
    /// Stores a new session. A token hash that exists already is a conflict.
    pub async fn create_session(&self, session: &SessionRow) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO sessions (token_hash, staff_id, csrf_token, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&session.token_hash)
            .bind(session.staff.0)
            .bind(&session.csrf_token)
            .bind(session.created_at)
            .bind(session.expires_at)
            .execute(pool)
            .await
            .map_err(|e| unique_to_conflict(e, "sessie", "deze sessie bestaat al"))?;
        });
        Ok(())
    }

    /// The session with this token hash, if it exists and has not expired at `now`.
    pub async fn session(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<SessionRow>> {
        let rec: Option<SessionRec> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT token_hash, staff_id, csrf_token, created_at, expires_at FROM sessions \
                 WHERE token_hash = $1 AND expires_at > $2",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await?
        });
        Ok(rec.map(SessionRec::into_row))
    }

    /// Ends a session (logout). Ending one that does not exist is not an error.
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Removes the sessions expired at `now`; returns how many.
    pub async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        Ok(with_pool!(self, pool => {
            sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    /// The session with this token hash (if not expired at `now`) and its staff member, for
    /// loading the current user.
    pub async fn session_with_staff(
        &self,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<Option<(SessionRow, StaffRow)>> {
        let Some(session) = self.session(token_hash, now).await? else {
            return Ok(None);
        };
        Ok(self
            .staff_by_id(session.staff)
            .await?
            .map(|staff| (session, staff)))
    }

    /// Notes a failed login for `username` at `at` (login throttling, shared by all instances).
    pub async fn record_login_failure(&self, username: &str, at: DateTime<Utc>) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("INSERT INTO login_failures (username, at) VALUES ($1, $2)")
                .bind(username.trim())
                .bind(at)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// How many failed logins `username` had from `since` on.
    pub async fn login_failures_since(&self, username: &str, since: DateTime<Utc>) -> Result<i64> {
        Ok(with_pool!(self, pool => {
            sqlx::query_scalar("SELECT COUNT(*) FROM login_failures WHERE username = $1 AND at >= $2")
                .bind(username.trim())
                .bind(since)
                .fetch_one(pool)
                .await?
        }))
    }

    /// Forgets the failed logins of `username` (after a successful login).
    pub async fn clear_login_failures(&self, username: &str) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("DELETE FROM login_failures WHERE username = $1")
                .bind(username.trim())
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Forgets failed logins older than `before` (housekeeping); returns how many.
    pub async fn delete_login_failures_before(&self, before: DateTime<Utc>) -> Result<u64> {
        Ok(with_pool!(self, pool => {
            sqlx::query("DELETE FROM login_failures WHERE at < $1")
                .bind(before)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}
