//! Plain types and validation for verzuim: schools, calendars, students, staff, timetables,
//! absence codes and registrations. No I/O, no clock: callers pass dates in.
//!
//! Constructors parse and check their input ("parse, don't validate"); past the edge a value
//! of one of these types is valid. Validation errors name the field and the reason, in Dutch,
//! because they are shown to the people who typed or imported the value.

pub mod batch;
pub mod calendar;
pub mod codes;
pub mod error;
pub mod ids;
pub mod people;
pub mod registration;
pub mod school;
pub mod timetable;

pub use batch::{Batch, BatchLesson, BatchRegistration, BatchStaff, BatchStudent, Origin};
pub use calendar::{Holiday, Region, SchoolCalendar, SchoolPeriod, SchoolWeek, SchoolYear};
pub use codes::{AbsenceCode, AbsenceKind, CodeTable};
pub use error::ValidationError;
pub use ids::{Brin, Gemeentecode, PersonalNumber};
pub use people::{SchoolRole, Staff, StaffId, Student, StudentId};
pub use registration::{Registration, RegistrationChange, RegistrationId, RegistrationTarget};
pub use school::{Location, School, Sector};
pub use timetable::{Group, GroupId, Lesson, LessonId};
