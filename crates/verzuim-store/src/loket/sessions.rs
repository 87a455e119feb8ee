//! Loket login sessions and failed-login counts in the database, so that several loket
//! instances share them and a restart logs nobody out.

use chrono::{DateTime, Utc};

use super::LoketStore;
use crate::Result;
use crate::sql::unique_to_conflict;

/// A stored loket session. Only the token's SHA-256 is stored; the token is in the cookie.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LoketSessionRow {
    /// SHA-256 of the session token, hex.
    pub token_hash: String,
    /// The user logged in.
    pub user_id: i64,
    /// Per-session CSRF token.
    pub csrf_token: String,
    /// `full`, or `enrol` for a password-only session that may only enrol a token.
    pub stage: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Expires.
    pub expires_at: DateTime<Utc>,
}

impl LoketStore {
    /// Stores a new session. A token hash that exists already is a conflict.
    pub async fn create_session(&self, session: &LoketSessionRow) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO loket_sessions \
                 (token_hash, user_id, csrf_token, stage, created_at, expires_at) \
                 VALUES ($1, $2, $3, $4, $5, $6)",
            )
            .bind(&session.token_hash)
            .bind(session.user_id)
            .bind(&session.csrf_token)
            .bind(&session.stage)
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
    ) -> Result<Option<LoketSessionRow>> {
        Ok(with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT token_hash, user_id, csrf_token, stage, created_at, expires_at \
                 FROM loket_sessions WHERE token_hash = $1 AND expires_at > $2",
            )
            .bind(token_hash)
            .bind(now)
            .fetch_optional(pool)
            .await?
        }))
    }

    /// Ends a session (logout). Ending one that does not exist is not an error.
    pub async fn delete_session(&self, token_hash: &str) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("DELETE FROM loket_sessions WHERE token_hash = $1")
                .bind(token_hash)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Removes the sessions expired at `now`; returns how many.
    pub async fn delete_expired_sessions(&self, now: DateTime<Utc>) -> Result<u64> {
        Ok(with_pool!(self, pool => {
            sqlx::query("DELETE FROM loket_sessions WHERE expires_at <= $1")
                .bind(now)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }

    /// Notes a failed login for `username` at `at`.
    pub async fn record_login_failure(&self, username: &str, at: DateTime<Utc>) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("INSERT INTO loket_login_failures (username, at) VALUES ($1, $2)")
                .bind(username)
                .bind(at)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// How many failed logins `username` had from `since` on.
    pub async fn login_failures_since(&self, username: &str, since: DateTime<Utc>) -> Result<i64> {
        Ok(with_pool!(self, pool => {
            sqlx::query_scalar(
                "SELECT COUNT(*) FROM loket_login_failures WHERE username = $1 AND at >= $2",
            )
            .bind(username)
            .bind(since)
            .fetch_one(pool)
            .await?
        }))
    }

    /// Forgets the failed logins of `username` (after a successful login).
    pub async fn clear_login_failures(&self, username: &str) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query("DELETE FROM loket_login_failures WHERE username = $1")
                .bind(username)
                .execute(pool)
                .await?;
        });
        Ok(())
    }

    /// Forgets failed logins older than `before` (housekeeping); returns how many.
    pub async fn delete_login_failures_before(&self, before: DateTime<Utc>) -> Result<u64> {
        Ok(with_pool!(self, pool => {
            sqlx::query("DELETE FROM loket_login_failures WHERE at < $1")
                .bind(before)
                .execute(pool)
                .await?
                .rows_affected()
        }))
    }
}
