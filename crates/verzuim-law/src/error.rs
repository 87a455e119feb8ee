//! The one error of the law engine: which part of the case is wrong (a JSON path) and why.

/// A case the engine refuses: the JSON path of the offending value and the reason in Dutch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {reason}")]
pub struct CaseError {
    /// JSON path, e.g. `registrations[3].code` or `students[0].birth_date`.
    pub path: String,
    /// Why, in Dutch, saying what would be accepted.
    pub reason: String,
}

impl CaseError {
    /// Builds an error for `path` with `reason`.
    pub fn new(path: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            reason: reason.into(),
        }
    }
}
