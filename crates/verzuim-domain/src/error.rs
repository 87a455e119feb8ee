//! The one validation error of the domain: which field, and why.

use std::fmt;

/// A value that failed validation: the field it belongs to and the reason, in Dutch.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct ValidationError {
    /// Name of the field as a person knows it (e.g. `bsn`, `geboortedatum`).
    pub field: String,
    /// Why the value was refused, in Dutch, saying what would be accepted.
    pub reason: String,
}

impl ValidationError {
    /// Builds an error for `field` with `reason`.
    pub fn new(field: impl Into<String>, reason: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            reason: reason.into(),
        }
    }
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.reason)
    }
}
