//! Setting up a school: the school row, its calendar and its absence-code table.

use verzuim_domain::{CodeTable, School, SchoolCalendar};
use verzuim_store::{SchoolId, StoreError};

use crate::App;

/// Why a school could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    /// A school with this BRIN exists already.
    #[error("school {0} bestaat al")]
    Exists(String),
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl App {
    /// Creates a school with its calendar and code table; refuses a BRIN that exists.
    pub async fn create_school(
        &self,
        school: &School,
        calendar: &SchoolCalendar,
        code_table: &CodeTable,
    ) -> Result<SchoolId, SetupError> {
        if self.store.school_by_brin(&school.brin).await?.is_some() {
            return Err(SetupError::Exists(school.brin.to_string()));
        }
        let id = self.store.create_school(school).await?;
        self.store.save_calendar(id, calendar).await?;
        self.store.save_code_table(id, code_table).await?;
        Ok(id)
    }
}
