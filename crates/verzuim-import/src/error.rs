//! What can go wrong while importing.

/// An import failure. Nothing of an import is written when one occurs.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    /// One value of one row is wrong or missing; the row is named by file, line and column.
    #[error("{file}:{line}:{column}: {reason}")]
    BadRow {
        /// File name as given.
        file: String,
        /// 1-based line; the header is line 1 (for a spreadsheet: the row number).
        line: u64,
        /// Column name as written in the file's header (or the expected name when missing).
        column: String,
        /// Why, in Dutch, with what would be accepted.
        reason: String,
    },
    /// The file as a whole cannot be read or understood.
    #[error("{file}: {reason}")]
    File {
        /// File name as given.
        file: String,
        /// Why, in Dutch.
        reason: String,
    },
}

impl ImportError {
    /// Builds a [`ImportError::File`].
    pub fn file(file: impl Into<String>, reason: impl Into<String>) -> Self {
        Self::File {
            file: file.into(),
            reason: reason.into(),
        }
    }
}
