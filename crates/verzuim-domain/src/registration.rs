//! Registrations (one recorded absence, late arrival or removal) and their change history.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{LessonId, StaffId, StudentId, ValidationError};

/// Database identity of a registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct RegistrationId(pub i64);

/// What a registration covers: one lesson, or a span of time on a day (a sick report from
/// 10:00, a dentist visit) that covers whichever lessons fall in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RegistrationTarget {
    /// One lesson of the timetable.
    Lesson {
        /// The lesson.
        lesson: LessonId,
    },
    /// A time span on one date.
    Span {
        /// The date.
        date: NaiveDate,
        /// Start time (inclusive).
        start: NaiveTime,
        /// End time (exclusive).
        end: NaiveTime,
    },
}

impl RegistrationTarget {
    /// Checks that a span ends after it starts.
    pub fn validate(&self) -> Result<(), ValidationError> {
        match self {
            Self::Span { start, end, .. } if end <= start => Err(ValidationError::new(
                "eindtijd",
                format!(
                    "{} ligt niet na begintijd {}",
                    end.format("%H:%M"),
                    start.format("%H:%M")
                ),
            )),
            _ => Ok(()),
        }
    }
}

/// A recorded absence, late arrival, removal or other event for one student.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registration {
    /// The student.
    pub student: StudentId,
    /// Lesson or time span.
    pub target: RegistrationTarget,
    /// Absence code from the school's table.
    pub code: String,
    /// Who registered it; `None` for an import.
    pub registered_by: Option<StaffId>,
    /// When it was registered.
    pub registered_at: DateTime<Utc>,
    /// Free-text note; may be empty.
    pub note: String,
    /// Minutes late, for late arrivals (kind `Late`); otherwise `None`.
    pub minutes_late: Option<u16>,
}

/// One change of a registration: who changed it, when, and the old and new code and note.
/// `new_code` is `None` when the registration was withdrawn (the student was present after all).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegistrationChange {
    /// The registration changed.
    pub registration: RegistrationId,
    /// When.
    pub changed_at: DateTime<Utc>,
    /// By whom; `None` for an import.
    pub changed_by: Option<StaffId>,
    /// Code before the change; `None` when the change created the registration.
    pub old_code: Option<String>,
    /// Code after the change; `None` when the change withdrew the registration.
    pub new_code: Option<String>,
    /// Note before.
    pub old_note: String,
    /// Note after.
    pub new_note: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn span_must_end_after_it_starts() {
        let t = RegistrationTarget::Span {
            date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            start: NaiveTime::from_hms_opt(10, 0, 0).unwrap(),
            end: NaiveTime::from_hms_opt(9, 0, 0).unwrap(),
        };
        assert_eq!(t.validate().unwrap_err().field, "eindtijd");
    }
}
