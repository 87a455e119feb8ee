//! Rows as the database returns them, and their conversion into domain values. A stored value
//! that no longer parses (a BSN failing the 11-proef, an unknown role) is
//! [`StoreError::Corrupt`](crate::StoreError::Corrupt), never a panic.

use chrono::{DateTime, NaiveDate, NaiveTime, Utc};
use verzuim_domain::{
    AbsenceCode, AbsenceKind, Gemeentecode, Group, GroupId, Lesson, LessonId, PersonalNumber,
    Registration, RegistrationChange, RegistrationId, RegistrationTarget, SchoolRole, Staff,
    StaffId, Student, StudentId,
};

use crate::sql::{corrupt, to_u8};
use crate::{
    AuditAction, AuditEntry, GroupRow, HistoryRow, LessonRow, RegistrationRow, Result, SchoolId,
    SessionRow, StaffRow, StudentRow,
};

/// `SELECT` of [`StudentRec`], with `s` the students table, `g` its group and `m` its mentor.
macro_rules! student_select {
    () => {
        "SELECT s.id, s.student_number, s.personal_number, \
         s.first_name, s.name_prefix, s.last_name, s.birth_date, s.residence, s.enrolled_from, \
         s.enrolled_until, s.start_qualification, s.group_id, s.mentor_id, \
         g.code AS group_code, m.name AS mentor_name \
         FROM students s \
         LEFT JOIN class_groups g ON g.school_id = s.school_id AND g.id = s.group_id \
         LEFT JOIN staff m ON m.school_id = s.school_id AND m.id = s.mentor_id"
    };
}
pub(crate) use student_select;

#[derive(sqlx::FromRow)]
pub(crate) struct StudentRec {
    id: i64,
    student_number: String,
    personal_number: String,
    first_name: String,
    name_prefix: String,
    last_name: String,
    birth_date: NaiveDate,
    residence: Option<String>,
    enrolled_from: NaiveDate,
    enrolled_until: Option<NaiveDate>,
    start_qualification: bool,
    group_id: Option<i64>,
    mentor_id: Option<i64>,
    group_code: Option<String>,
    mentor_name: Option<String>,
}

impl StudentRec {
    pub(crate) fn into_row(self) -> Result<StudentRow> {
        let personal_number = PersonalNumber::parse(&self.personal_number)
            .map_err(|e| corrupt(&format!("leerling {}", self.student_number), e))?;
        let residence = self
            .residence
            .as_deref()
            .map(Gemeentecode::parse)
            .transpose()
            .map_err(|e| corrupt(&format!("leerling {}", self.student_number), e))?;
        Ok(StudentRow {
            id: StudentId(self.id),
            student: Student {
                student_number: self.student_number,
                personal_number,
                first_name: self.first_name,
                name_prefix: self.name_prefix,
                last_name: self.last_name,
                birth_date: self.birth_date,
                residence,
                enrolled_from: self.enrolled_from,
                enrolled_until: self.enrolled_until,
                start_qualification: self.start_qualification,
                group: self.group_id.map(GroupId),
                mentor: self.mentor_id.map(StaffId),
            },
            group_code: self.group_code,
            mentor_name: self.mentor_name,
        })
    }
}

/// `SELECT` of [`StaffRec`] from the staff table `st`.
macro_rules! staff_select {
    () => {
        "SELECT st.id, st.school_id, st.username, st.name, st.code, st.password_hash FROM staff st"
    };
}
pub(crate) use staff_select;

#[derive(sqlx::FromRow)]
pub(crate) struct StaffRec {
    pub(crate) id: i64,
    school_id: i64,
    username: String,
    name: String,
    code: String,
    password_hash: Option<String>,
}

impl StaffRec {
    /// The staff row with `roles` (role codes in any order), and the password hash.
    pub(crate) fn into_row(self, roles: &[String]) -> Result<(StaffRow, Option<String>)> {
        let mut parsed = roles
            .iter()
            .map(|r| {
                SchoolRole::parse(r)
                    .map_err(|e| corrupt(&format!("medewerker {}", self.username), e))
            })
            .collect::<Result<Vec<_>>>()?;
        parsed.sort_unstable();
        parsed.dedup();
        Ok((
            StaffRow {
                id: StaffId(self.id),
                school: SchoolId(self.school_id),
                staff: Staff {
                    username: self.username,
                    name: self.name,
                    code: self.code,
                    roles: parsed,
                },
            },
            self.password_hash,
        ))
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct GroupRec {
    id: i64,
    code: String,
    year_level: i16,
    location: String,
}

impl GroupRec {
    pub(crate) fn into_row(self) -> Result<GroupRow> {
        Ok(GroupRow {
            id: GroupId(self.id),
            group: Group {
                year_level: to_u8(&format!("leerjaar van klas {}", self.code), self.year_level)?,
                code: self.code,
                location: self.location,
            },
        })
    }
}

/// `SELECT` of [`LessonRec`], with `l` the lessons table, `g` its group and `t` its teacher.
macro_rules! lesson_select {
    () => {
        "SELECT l.id, l.date, l.period, l.start_time, l.end_time, \
         l.group_id, l.teacher_id, l.subject, g.code AS group_code, t.code AS teacher_code \
         FROM lessons l \
         JOIN class_groups g ON g.school_id = l.school_id AND g.id = l.group_id \
         LEFT JOIN staff t ON t.school_id = l.school_id AND t.id = l.teacher_id"
    };
}
pub(crate) use lesson_select;

#[derive(sqlx::FromRow)]
pub(crate) struct LessonRec {
    id: i64,
    date: NaiveDate,
    period: i16,
    start_time: NaiveTime,
    end_time: NaiveTime,
    group_id: i64,
    teacher_id: Option<i64>,
    subject: String,
    group_code: String,
    teacher_code: Option<String>,
}

impl LessonRec {
    pub(crate) fn into_row(self) -> Result<LessonRow> {
        Ok(LessonRow {
            id: LessonId(self.id),
            lesson: Lesson {
                date: self.date,
                period: to_u8(&format!("lesuur van les {}", self.id), self.period)?,
                start: self.start_time,
                end: self.end_time,
                group: GroupId(self.group_id),
                teacher: self.teacher_id.map(StaffId),
                subject: self.subject,
            },
            group_code: self.group_code,
            teacher_code: self.teacher_code,
        })
    }
}

/// `SELECT` of [`RegistrationRec`], with `r` the registrations table, `l` its lesson and `b`
/// who registered it.
macro_rules! registration_select {
    () => {
        "SELECT r.id, r.student_id, r.lesson_id, r.date, \
         r.start_time, r.end_time, r.code, r.note, r.minutes_late, r.registered_by, \
         r.registered_at, r.withdrawn, l.subject, l.period, b.name AS registered_by_name \
         FROM registrations r \
         LEFT JOIN lessons l ON l.school_id = r.school_id AND l.id = r.lesson_id \
         LEFT JOIN staff b ON b.school_id = r.school_id AND b.id = r.registered_by"
    };
}
pub(crate) use registration_select;

#[derive(sqlx::FromRow)]
pub(crate) struct RegistrationRec {
    id: i64,
    student_id: i64,
    lesson_id: Option<i64>,
    date: NaiveDate,
    start_time: NaiveTime,
    end_time: NaiveTime,
    code: String,
    note: String,
    minutes_late: Option<i32>,
    registered_by: Option<i64>,
    registered_at: DateTime<Utc>,
    withdrawn: bool,
    subject: Option<String>,
    period: Option<i16>,
    registered_by_name: Option<String>,
}

impl RegistrationRec {
    pub(crate) fn into_row(self) -> Result<RegistrationRow> {
        let what = format!("registratie {}", self.id);
        let target = match self.lesson_id {
            Some(lesson) => RegistrationTarget::Lesson {
                lesson: LessonId(lesson),
            },
            None => RegistrationTarget::Span {
                date: self.date,
                start: self.start_time,
                end: self.end_time,
            },
        };
        let minutes_late = self
            .minutes_late
            .map(|m| u16::try_from(m).map_err(|_| corrupt(&what, format!("{m} minuten te laat"))))
            .transpose()?;
        let lesson = match (self.subject, self.period) {
            (Some(subject), Some(period)) => Some((subject, to_u8(&what, period)?)),
            _ => None,
        };
        Ok(RegistrationRow {
            id: RegistrationId(self.id),
            registration: Registration {
                student: StudentId(self.student_id),
                target,
                code: self.code,
                registered_by: self.registered_by.map(StaffId),
                registered_at: self.registered_at,
                note: self.note,
                minutes_late,
            },
            date: self.date,
            start: self.start_time,
            end: self.end_time,
            lesson,
            registered_by_name: self.registered_by_name,
            withdrawn: self.withdrawn,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct HistoryRec {
    registration_id: i64,
    changed_at: DateTime<Utc>,
    changed_by: Option<i64>,
    old_code: Option<String>,
    new_code: Option<String>,
    old_note: String,
    new_note: String,
    changed_by_label: String,
    changed_by_name: Option<String>,
    date: NaiveDate,
}

impl HistoryRec {
    pub(crate) fn into_row(self) -> HistoryRow {
        HistoryRow {
            change: RegistrationChange {
                registration: RegistrationId(self.registration_id),
                changed_at: self.changed_at,
                changed_by: self.changed_by.map(StaffId),
                old_code: self.old_code,
                new_code: self.new_code,
                old_note: self.old_note,
                new_note: self.new_note,
            },
            // The staff member's name; else the label written with the change (an import's).
            changed_by_name: self
                .changed_by_name
                .or_else(|| Some(self.changed_by_label).filter(|l| !l.trim().is_empty()))
                .unwrap_or_else(|| "import".to_owned()),
            date: self.date,
        }
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct CodeRec {
    code: String,
    description: String,
    authorized: bool,
    kind: String,
    counts_toward_legal_hours: bool,
    needs_follow_up: bool,
}

impl CodeRec {
    pub(crate) fn into_code(self) -> Result<AbsenceCode> {
        let kind = AbsenceKind::parse(&self.kind)
            .map_err(|e| corrupt(&format!("code {}", self.code), e))?;
        Ok(AbsenceCode {
            code: self.code,
            description: self.description,
            authorized: self.authorized,
            kind,
            counts_toward_legal_hours: self.counts_toward_legal_hours,
            needs_follow_up: self.needs_follow_up,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRec {
    at: DateTime<Utc>,
    school_id: i64,
    actor_id: Option<i64>,
    actor_label: String,
    student_id: Option<i64>,
    action: String,
    detail: String,
}

impl AuditRec {
    pub(crate) fn into_entry(self) -> Result<AuditEntry> {
        let action = AuditAction::parse(&self.action)
            .ok_or_else(|| corrupt("auditregel", format!("onbekende actie '{}'", self.action)))?;
        Ok(AuditEntry {
            at: self.at,
            school: SchoolId(self.school_id),
            actor: self.actor_id.map(StaffId),
            actor_label: self.actor_label,
            student: self.student_id.map(StudentId),
            action,
            detail: self.detail,
        })
    }
}

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRec {
    token_hash: String,
    staff_id: i64,
    csrf_token: String,
    created_at: DateTime<Utc>,
    expires_at: DateTime<Utc>,
}

impl SessionRec {
    pub(crate) fn into_row(self) -> SessionRow {
        SessionRow {
            token_hash: self.token_hash,
            staff: StaffId(self.staff_id),
            csrf_token: self.csrf_token,
            created_at: self.created_at,
            expires_at: self.expires_at,
        }
    }
}
