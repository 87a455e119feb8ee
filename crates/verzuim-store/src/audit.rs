//! The append-only audit log: who read or changed which student's data, when.

use sqlx::AssertSqlSafe;
use verzuim_domain::StudentId;

use crate::rows::AuditRec;
use crate::sql::{ROWS_PER_STATEMENT, bulk_values};
use crate::{AuditEntry, Result, SchoolId, Store};

impl Store {
    /// Appends one audit entry (for example a `read` when a student's page is shown).
    pub async fn append_audit(&self, entry: &AuditEntry) -> Result<()> {
        with_pool!(self, pool => {
            sqlx::query(
                "INSERT INTO audit_log (school_id, at, actor_id, actor_label, student_id, action, detail) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(entry.school.0)
            .bind(entry.at)
            .bind(entry.actor.map(|a| a.0))
            .bind(&entry.actor_label)
            .bind(entry.student.map(|s| s.0))
            .bind(entry.action.code())
            .bind(&entry.detail)
            .execute(pool)
            .await?;
        });
        Ok(())
    }

    /// Appends many audit entries with one multi-row `INSERT` (per [`ROWS_PER_STATEMENT`]
    /// entries, all in one transaction when there are more): one `read` row per student a
    /// list or lesson page shows, for the price of one statement. Nothing to append is fine.
    pub async fn append_audits(&self, entries: &[AuditEntry]) -> Result<()> {
        if entries.is_empty() {
            return Ok(());
        }
        let dialect = self.dialect();
        let statement = |rows: usize| {
            AssertSqlSafe(format!(
                "INSERT INTO audit_log (school_id, at, actor_id, actor_label, student_id, action, detail) \
                 VALUES {}",
                bulk_values(dialect, rows, 0, 7)
            ))
        };
        with_pool!(self, pool => {
            let mut tx = if entries.len() > ROWS_PER_STATEMENT {
                Some(pool.begin_with(self.begin_write()).await?)
            } else {
                None
            };
            for chunk in entries.chunks(ROWS_PER_STATEMENT) {
                let mut q = sqlx::query(statement(chunk.len()));
                for entry in chunk {
                    q = q
                        .bind(entry.school.0)
                        .bind(entry.at)
                        .bind(entry.actor.map(|a| a.0))
                        .bind(&entry.actor_label)
                        .bind(entry.student.map(|s| s.0))
                        .bind(entry.action.code())
                        .bind(&entry.detail);
                }
                match tx.as_mut() {
                    Some(tx) => q.execute(&mut **tx).await?,
                    None => q.execute(pool).await?,
                };
            }
            if let Some(tx) = tx {
                tx.commit().await?;
            }
        });
        Ok(())
    }

    /// The audit entries about one student of the school, newest first.
    pub async fn audit_of_student(
        &self,
        school: SchoolId,
        student: StudentId,
    ) -> Result<Vec<AuditEntry>> {
        let recs: Vec<AuditRec> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT at, school_id, actor_id, actor_label, student_id, action, detail FROM audit_log \
                 WHERE school_id = $1 AND student_id = $2 ORDER BY at DESC, id DESC",
            )
            .bind(school.0)
            .bind(student.0)
            .fetch_all(pool)
            .await?
        });
        recs.into_iter().map(AuditRec::into_entry).collect()
    }

    /// The school's audit entries that concern no single student (imports, exports), newest
    /// first, at most `limit`.
    pub async fn audit_of_school(&self, school: SchoolId, limit: i64) -> Result<Vec<AuditEntry>> {
        let recs: Vec<AuditRec> = with_pool!(self, pool => {
            sqlx::query_as(
                "SELECT at, school_id, actor_id, actor_label, student_id, action, detail FROM audit_log \
                 WHERE school_id = $1 AND student_id IS NULL ORDER BY at DESC, id DESC LIMIT $2",
            )
            .bind(school.0)
            .bind(limit.max(0))
            .fetch_all(pool)
            .await?
        });
        recs.into_iter().map(AuditRec::into_entry).collect()
    }
}
