//! Counts for the maandrapportages: meldingen per month of filing, kind and current status,
//! counted by the database (`GROUP BY`), per school or per gemeente.
//!
//! The month is the filing timestamp's month in UTC, computed by each dialect:
//! `to_char(filed_at AT TIME ZONE 'UTC', 'YYYY-MM')` on PostgreSQL, the first seven
//! characters of the stored ISO text on SQLite.

use sqlx::AssertSqlSafe;
use verzuim_loket::{MeldingStatus, Verzuimsoort};

use super::LoketStore;
use super::meldingen::MeldingScope;
use crate::sql::corrupt;
use crate::{Dialect, Result};

impl LoketStore {
    /// `(month, kind, status, count)` for every combination that occurs in `scope`.
    pub async fn monthly_cells(
        &self,
        scope: &MeldingScope,
    ) -> Result<Vec<(String, Verzuimsoort, MeldingStatus, u64)>> {
        let month = match self.dialect() {
            Dialect::Postgres => "to_char(filed_at AT TIME ZONE 'UTC', 'YYYY-MM')",
            Dialect::Sqlite => "substr(filed_at, 1, 7)",
        };
        let (clause, key) = match scope {
            MeldingScope::School(b) => ("brin = $1", b.as_str()),
            MeldingScope::Gemeente(g) => ("gemeente = $1", g.as_str()),
        };
        let sql = format!(
            "SELECT {month} AS month, kind, status, COUNT(*) AS n FROM loket_meldingen \
             WHERE {clause} GROUP BY {month}, kind, status ORDER BY 1, 2, 3"
        );
        let rows: Vec<(String, String, String, i64)> = with_pool!(self, pool => {
            sqlx::query_as(AssertSqlSafe(sql.clone()))
                .bind(key)
                .fetch_all(pool)
                .await?
        });
        rows.into_iter()
            .map(|(month, kind, status, n)| {
                Ok((
                    month,
                    Verzuimsoort::parse(&kind).map_err(|e| corrupt("maandrapportage", e))?,
                    MeldingStatus::parse(&status).map_err(|e| corrupt("maandrapportage", e))?,
                    u64::try_from(n).unwrap_or_default(),
                ))
            })
            .collect()
    }
}
