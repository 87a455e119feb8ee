//! Students and staff.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::{Gemeentecode, GroupId, PersonalNumber, ValidationError};

/// Database identity of a student.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StudentId(pub i64);

/// Database identity of a staff member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct StaffId(pub i64);

/// A student (leerling/deelnemer) as the school's administration knows them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Student {
    /// The school's own student number (leerlingnummer), unique within the school.
    pub student_number: String,
    /// BSN or onderwijsnummer.
    pub personal_number: PersonalNumber,
    /// Given name (roepnaam).
    pub first_name: String,
    /// Tussenvoegsel, e.g. "van der"; empty when none.
    pub name_prefix: String,
    /// Family name.
    pub last_name: String,
    /// Date of birth.
    pub birth_date: NaiveDate,
    /// Gemeente of residence; `None` for a student living abroad.
    pub residence: Option<Gemeentecode>,
    /// First day of enrolment.
    pub enrolled_from: NaiveDate,
    /// Last day of enrolment, if unenrolled.
    pub enrolled_until: Option<NaiveDate>,
    /// Has a startkwalificatie (havo, vwo, mbo-2 or higher).
    pub start_qualification: bool,
    /// Class/group the student is in.
    pub group: Option<GroupId>,
    /// Mentor.
    pub mentor: Option<crate::StaffId>,
}

impl Student {
    /// Checks the fields that depend on each other: names present, enrolment after birth,
    /// enrolment end not before its start.
    pub fn validate(&self) -> Result<(), ValidationError> {
        if self.student_number.trim().is_empty() {
            return Err(ValidationError::new("leerlingnummer", "is leeg"));
        }
        if self.first_name.trim().is_empty() {
            return Err(ValidationError::new("roepnaam", "is leeg"));
        }
        if self.last_name.trim().is_empty() {
            return Err(ValidationError::new("achternaam", "is leeg"));
        }
        if self.enrolled_from <= self.birth_date {
            return Err(ValidationError::new(
                "ingeschreven_vanaf",
                format!(
                    "{} ligt niet na de geboortedatum {}",
                    self.enrolled_from, self.birth_date
                ),
            ));
        }
        if let Some(until) = self.enrolled_until
            && until < self.enrolled_from
        {
            return Err(ValidationError::new(
                "ingeschreven_tot",
                format!(
                    "{until} ligt voor ingeschreven_vanaf {}",
                    self.enrolled_from
                ),
            ));
        }
        Ok(())
    }

    /// Whether the student is enrolled on `date`.
    pub fn enrolled_on(&self, date: NaiveDate) -> bool {
        self.enrolled_from <= date && self.enrolled_until.is_none_or(|u| date <= u)
    }

    /// Full name as the Dutch write it: "Anna van der Berg".
    pub fn full_name(&self) -> String {
        [
            self.first_name.as_str(),
            self.name_prefix.as_str(),
            self.last_name.as_str(),
        ]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join(" ")
    }

    /// Name for sorted lists: "Berg, Anna van der".
    pub fn sort_name(&self) -> String {
        if self.name_prefix.is_empty() {
            format!("{}, {}", self.last_name, self.first_name)
        } else {
            format!(
                "{}, {} {}",
                self.last_name, self.first_name, self.name_prefix
            )
        }
    }
}

/// A role a staff member holds in the school's absence protocol
/// (seed 004 §2, seed 003; GLOSSARY.md).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SchoolRole {
    /// Docent: registers per lesson.
    Teacher,
    /// Mentor: follows the students of a class.
    Mentor,
    /// Verzuimcoördinator: checks absence daily, files the DUO meldingen.
    AttendanceCoordinator,
    /// Teamleider: decides leave, ends the escalation.
    TeamLeader,
    /// Receptie: takes sick reports and calls.
    Reception,
    /// Dagcoördinator.
    DayCoordinator,
    /// Ondersteuningscoördinator.
    SupportCoordinator,
    /// Administrator of the school's verzuim installation.
    Admin,
}

impl SchoolRole {
    /// All roles.
    pub const ALL: [SchoolRole; 8] = [
        Self::Teacher,
        Self::Mentor,
        Self::AttendanceCoordinator,
        Self::TeamLeader,
        Self::Reception,
        Self::DayCoordinator,
        Self::SupportCoordinator,
        Self::Admin,
    ];

    /// Stable code for storage and import.
    pub fn code(self) -> &'static str {
        match self {
            Self::Teacher => "docent",
            Self::Mentor => "mentor",
            Self::AttendanceCoordinator => "verzuimcoordinator",
            Self::TeamLeader => "teamleider",
            Self::Reception => "receptie",
            Self::DayCoordinator => "dagcoordinator",
            Self::SupportCoordinator => "ondersteuningscoordinator",
            Self::Admin => "admin",
        }
    }

    /// Dutch label.
    pub fn label(self) -> &'static str {
        match self {
            Self::Teacher => "docent",
            Self::Mentor => "mentor",
            Self::AttendanceCoordinator => "verzuimcoördinator",
            Self::TeamLeader => "teamleider",
            Self::Reception => "receptie",
            Self::DayCoordinator => "dagcoördinator",
            Self::SupportCoordinator => "ondersteuningscoördinator",
            Self::Admin => "beheerder",
        }
    }

    /// Parses a role code.
    pub fn parse(input: &str) -> Result<Self, ValidationError> {
        let lower = input.trim().to_lowercase().replace('ö', "o");
        Self::ALL
            .into_iter()
            .find(|r| r.code() == lower)
            .ok_or_else(|| {
                ValidationError::new("rol", format!("'{}' is geen schoolrol", input.trim()))
            })
    }

    /// Whether this role may see every student of the school (not only its own lessons).
    pub fn sees_all_students(self) -> bool {
        !matches!(self, Self::Teacher)
    }
}

/// A staff member with a login.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Staff {
    /// Login name, unique within the installation.
    pub username: String,
    /// Display name.
    pub name: String,
    /// Short code used in timetables (docentcode), e.g. "HOO".
    pub code: String,
    /// Roles held.
    pub roles: Vec<SchoolRole>,
}

impl Staff {
    /// Whether the staff member holds `role`.
    pub fn has_role(&self, role: SchoolRole) -> bool {
        self.roles.contains(&role)
    }

    /// Checks username, name and code.
    pub fn validate(&self) -> Result<(), ValidationError> {
        let u = self.username.trim();
        if u.is_empty()
            || !u
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | '@'))
        {
            return Err(ValidationError::new(
                "gebruikersnaam",
                "gebruik alleen letters, cijfers, punt, streepje, liggend streepje of @",
            ));
        }
        if self.name.trim().is_empty() {
            return Err(ValidationError::new("naam", "is leeg"));
        }
        if self.code.trim().is_empty() {
            return Err(ValidationError::new("code", "is leeg"));
        }
        if self.roles.is_empty() {
            return Err(ValidationError::new("rollen", "geef minstens één rol"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn student() -> Student {
        Student {
            student_number: "1001".into(),
            personal_number: PersonalNumber::parse("999996708").unwrap(),
            first_name: "Anna".into(),
            name_prefix: "van der".into(),
            last_name: "Berg".into(),
            birth_date: NaiveDate::from_ymd_opt(2012, 3, 4).unwrap(),
            residence: Some(Gemeentecode::parse("0935").unwrap()),
            enrolled_from: NaiveDate::from_ymd_opt(2024, 8, 26).unwrap(),
            enrolled_until: None,
            start_qualification: false,
            group: None,
            mentor: None,
        }
    }

    #[test]
    fn names_are_written_the_dutch_way() {
        assert_eq!(student().full_name(), "Anna van der Berg");
        assert_eq!(student().sort_name(), "Berg, Anna van der");
    }

    #[test]
    fn enrolment_ending_before_it_starts_is_refused() {
        let mut s = student();
        s.enrolled_until = NaiveDate::from_ymd_opt(2024, 8, 1);
        assert_eq!(s.validate().unwrap_err().field, "ingeschreven_tot");
    }

    #[test]
    fn enrolment_is_inclusive_of_both_ends() {
        let mut s = student();
        s.enrolled_until = NaiveDate::from_ymd_opt(2025, 1, 31);
        assert!(s.enrolled_on(NaiveDate::from_ymd_opt(2025, 1, 31).unwrap()));
        assert!(!s.enrolled_on(NaiveDate::from_ymd_opt(2025, 2, 1).unwrap()));
        assert!(!s.enrolled_on(NaiveDate::from_ymd_opt(2024, 8, 25).unwrap()));
    }

    #[test]
    fn roles_parse_with_or_without_umlaut() {
        assert_eq!(
            SchoolRole::parse("verzuimcoördinator").unwrap(),
            SchoolRole::AttendanceCoordinator
        );
        assert_eq!(SchoolRole::parse("Mentor").unwrap(), SchoolRole::Mentor);
        assert!(SchoolRole::parse("conciërge").is_err());
    }
}
