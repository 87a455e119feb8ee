//! Groups and lessons: the timetable a registration refers to.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::{StaffId, ValidationError};

/// Database identity of a group.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct GroupId(pub i64);

/// Database identity of a lesson.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LessonId(pub i64);

/// A class or teaching group (klas), e.g. "2B".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    /// Code, unique within the school.
    pub code: String,
    /// Year level (leerjaar), 1-based.
    pub year_level: u8,
    /// Teaching location code.
    pub location: String,
}

/// One lesson on the timetable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lesson {
    /// Date of the lesson.
    pub date: NaiveDate,
    /// Lesson hour number in the day (1 = first hour); 0 when the timetable has none.
    pub period: u8,
    /// Start time.
    pub start: NaiveTime,
    /// End time.
    pub end: NaiveTime,
    /// Group taught.
    pub group: GroupId,
    /// Teacher.
    pub teacher: Option<StaffId>,
    /// Subject code, e.g. "ENG".
    pub subject: String,
}

impl Lesson {
    /// Length in minutes.
    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }

    /// Checks that the lesson ends after it starts and has a subject.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.end <= self.start {
            return Err(ValidationError::new(
                "eindtijd",
                format!(
                    "{} ligt niet na begintijd {}",
                    self.end.format("%H:%M"),
                    self.start.format("%H:%M")
                ),
            ));
        }
        if self.subject.trim().is_empty() {
            return Err(ValidationError::new("vak", "is leeg"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lesson_length_is_in_minutes_and_must_be_positive() {
        let mut l = Lesson {
            date: NaiveDate::from_ymd_opt(2026, 11, 23).unwrap(),
            period: 1,
            start: NaiveTime::from_hms_opt(8, 30, 0).unwrap(),
            end: NaiveTime::from_hms_opt(9, 20, 0).unwrap(),
            group: GroupId(1),
            teacher: None,
            subject: "NE".into(),
        };
        assert_eq!(l.minutes(), 50);
        assert!(l.validate().is_ok());
        l.end = l.start;
        assert_eq!(l.validate().unwrap_err().field, "eindtijd");
    }
}
