//! A batch of school data keyed by natural keys (student number, group code, teacher code):
//! what an import or the demo generator produces, and what the store writes in one
//! transaction. Every row keeps where it came from, so an error found while writing can
//! still name the file and line.

use chrono::{NaiveDate, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::{Group, Staff, Student};

/// Where a row came from: file and 1-based line (0 when generated).
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Origin {
    /// File name as given by the user.
    pub file: String,
    /// 1-based line number; the header is line 1.
    pub line: u64,
}

/// A student row: the student plus references by natural key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchStudent {
    /// The student; `group` and `mentor` ids are ignored, the codes below are used.
    pub student: Student,
    /// Group code (klas), if any.
    pub group_code: Option<String>,
    /// Mentor's staff code, if any.
    pub mentor_code: Option<String>,
    /// Source position.
    pub origin: Origin,
}

/// A lesson row keyed by group code and teacher code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchLesson {
    /// Date.
    pub date: NaiveDate,
    /// Lesson hour number (0 when unknown).
    pub period: u8,
    /// Start time.
    pub start: NaiveTime,
    /// End time.
    pub end: NaiveTime,
    /// Group code.
    pub group_code: String,
    /// Teacher's staff code, if any.
    pub teacher_code: Option<String>,
    /// Subject code.
    pub subject: String,
    /// Source position.
    pub origin: Origin,
}

/// A registration row keyed by student number. When a lesson of the student's group starts
/// at `start` on `date`, the registration is tied to that lesson; otherwise it is a span.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchRegistration {
    /// The school's student number.
    pub student_number: String,
    /// Date.
    pub date: NaiveDate,
    /// Start time.
    pub start: NaiveTime,
    /// End time.
    pub end: NaiveTime,
    /// Absence code.
    pub code: String,
    /// Note; may be empty.
    pub note: String,
    /// Minutes late, for late arrivals.
    pub minutes_late: Option<u16>,
    /// Source position.
    pub origin: Origin,
}

/// A staff member row, with an optional password hash for demo logins.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BatchStaff {
    /// The staff member.
    pub staff: Staff,
    /// PHC string of the password (argon2id); `None`: no login until one is set.
    pub password_hash: Option<String>,
    /// Source position.
    pub origin: Origin,
}

/// Everything one import writes, all or nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Batch {
    /// Groups (klassen).
    pub groups: Vec<Group>,
    /// Staff.
    pub staff: Vec<BatchStaff>,
    /// Students.
    pub students: Vec<BatchStudent>,
    /// Lessons.
    pub lessons: Vec<BatchLesson>,
    /// Registrations.
    pub registrations: Vec<BatchRegistration>,
}
