//! The school-level engine: the calendar as a day table, the code table interned to small
//! indices, the counting unit and the timetable per group, prepared once in [`Engine::new`];
//! then [`Engine::evaluate_student`] per student, counting in exact integers.

use std::cell::Cell;
use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, Days, NaiveDate, Timelike};
use verzuim_domain::calendar::HolidayRegion;
use verzuim_domain::{
    AbsenceCode, AbsenceKind, CodeTable, Holiday, SchoolCalendar, SchoolYear, Sector,
};

use crate::status::StatusDates;
use crate::units::{self, DAGDEEL, LESUUR, NOON};
use crate::{
    CalendarInput, CaseError, Exclusion, LawStatus, LeaveRequestInput, LeaveStatus, LessonInput,
    Melding, NotReported, RegistrationInput, SchoolSettings, StudentInput, Unit,
};

/// Without a timetable, a day counts as "all lessons missed" when the counted absence registered
/// for it covers at least this many minutes (4 klokuren; see docs/law.md, rule 4).
pub const WHOLE_DAY_MINUTES: u32 = 240;

/// No lesweek (the day is in a week without school days).
pub(crate) const NO_WEEK: u16 = u16::MAX;
/// Not an expected school day for the student.
pub(crate) const NO_ORD: u16 = u16::MAX;

/// Per-thread buffers, reused from student to student (no allocation per student once warm):
/// the prepared registrations, the days, and the compact form of a `RegistrationInput` slice.
type Scratch = (Vec<Reg>, Vec<DayAgg>, Vec<CompactRegistration>);

thread_local! {
    static SCRATCH: Cell<Scratch> =
        const { Cell::new((Vec::new(), Vec::new(), Vec::new())) };
}

/// One registration in the engine's own terms (16 bytes, no heap): what a store or a benchmark
/// that already keeps its registrations compactly passes to [`Engine::evaluate_compact`].
/// The indices are the engine's: [`Engine::day_index`] and [`Engine::code_index`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CompactRegistration {
    /// The caller's number for the registration (e.g. its database id); the evidence of a
    /// melding shows it in decimal.
    pub id: u32,
    /// Day index in the school year ([`Engine::day_index`]).
    pub day: u16,
    /// Start, minutes after midnight ([`minutes_of`]).
    pub start: u16,
    /// End, minutes after midnight; after `start`, below [`DAY_MINUTES`].
    pub end: u16,
    /// Code index in the engine's code table ([`Engine::code_index`]).
    pub code: u16,
    /// Minutes late (late codes); 0 when not given.
    pub minutes_late: u16,
    /// Lesuren the registration stands for without a timetable; 0 when not given
    /// (`RegistrationInput::lesuren`).
    pub lesuren: u8,
}

/// Minutes in a day: a [`CompactRegistration`]'s times are below it.
pub const DAY_MINUTES: u16 = 24 * 60;

/// Minutes after midnight of a clock time (the unit of [`CompactRegistration`]'s times).
pub fn minutes_of(t: chrono::NaiveTime) -> u16 {
    u16::try_from(t.num_seconds_from_midnight() / 60).unwrap_or(u16::MAX)
}

/// Where the evidence ids of a student's registrations come from.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Ids<'a> {
    /// [`CompactRegistration::id`] in decimal.
    Compact,
    /// The `RegistrationInput`s the compact ones were made from (compact id = index into them):
    /// their own id, else `r{position + 1}` in the case, else `r?`.
    Inputs(Items<'a, RegistrationInput>, Option<&'a [usize]>),
}

/// What the engine answers for one student.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StudentEvaluation {
    /// Meldingen (and proposals) due as of `today`, ordered by begin date and kind.
    pub meldingen: Vec<Melding>,
    /// Absence deliberately not reported, and why.
    pub exclusions: Vec<Exclusion>,
}

/// What [`Engine::evaluate_compact`] answers for one student: the meldingen in full, and what
/// was deliberately not reported as facts, whose texts are written only on request
/// ([`NotReported::exclusions`], or [`StudentOutcome::into_evaluation`]).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct StudentOutcome {
    /// Meldingen (and proposals) due as of `today`, ordered by begin date and kind.
    pub meldingen: Vec<Melding>,
    /// What was not reported, as counts and dates.
    pub not_reported: NotReported,
}

impl StudentOutcome {
    /// The answer with the exclusions written out, as [`Engine::evaluate_student`] gives it;
    /// `student` is the student evaluated.
    pub fn into_evaluation(self, student: &StudentInput) -> StudentEvaluation {
        StudentEvaluation {
            exclusions: self.not_reported.exclusions(student),
            meldingen: self.meldingen,
        }
    }
}

/// A student's registrations or leave requests: the caller's slice, or references into a case.
#[derive(Debug)]
pub(crate) enum Items<'a, T> {
    /// A slice of the caller's.
    Owned(&'a [T]),
    /// References (a case's items grouped by student).
    Refs(&'a [&'a T]),
}

impl<T> Clone for Items<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Items<'_, T> {}

impl<'a, T> Items<'a, T> {
    pub fn len(&self) -> usize {
        match self {
            Items::Owned(s) => s.len(),
            Items::Refs(s) => s.len(),
        }
    }

    pub fn get(&self, i: usize) -> Option<&'a T> {
        match self {
            Items::Owned(s) => s.get(i),
            Items::Refs(s) => s.get(i).copied(),
        }
    }

    pub fn iter(self) -> impl Iterator<Item = &'a T> {
        (0..self.len()).filter_map(move |i| self.get(i))
    }
}

/// One code of the table, interned.
#[derive(Debug, Clone)]
pub(crate) struct CodeInfo {
    key: Option<u64>,
    pub code: String,
    /// The classes the code belongs to ([`Class::bit`]), and [`LEAVE`] / [`IGNORED`].
    pub flags: u8,
}

/// Flag of a leave code (`school.leave_codes`).
pub(crate) const LEAVE: u8 = 1 << 4;
/// Flag of authorized absence that is not a leave code: recorded as not reportable (rule 8).
pub(crate) const IGNORED: u8 = 1 << 5;

/// The flags of a code: one bit per [`Class`] it belongs to, plus [`LEAVE`] and [`IGNORED`].
fn code_flags(c: &AbsenceCode, leave: bool) -> u8 {
    let late = c.kind == AbsenceKind::Late;
    let mut f = 0;
    // Unauthorized, counting toward the legal hours, not late (16 uur, LRV, RMC).
    if !c.authorized && c.counts_toward_legal_hours && !late {
        f |= Class::Counted.bit();
    }
    // Unauthorized and not late, or a leave code (luxe verzuim).
    if (!c.authorized && !late) || leave {
        f |= Class::Luxe.bit();
    }
    // Unauthorized late arrivals.
    if !c.authorized && late {
        f |= Class::Late.bit();
    }
    // Authorized absence (suspect periods).
    if c.authorized && c.kind == AbsenceKind::Absent && !leave {
        f |= Class::Authorized.bit();
    }
    if leave {
        f |= LEAVE;
    }
    if c.authorized && !leave {
        f |= IGNORED;
    }
    f
}

/// School days in order, for one schedule (the school's, or a group's lesson days).
#[derive(Debug, Clone, Default)]
pub(crate) struct Schedule {
    /// Day index → ordinal among the schedule's days, or [`NO_ORD`].
    pub ord: Vec<u16>,
    /// Ordinal → day index.
    pub days: Vec<u16>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Lesson {
    pub start: u16,
    pub end: u16,
    pub lesuren: u8,
    pub counts: bool,
    pub first_lesuur: u8,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct GroupTable {
    pub sched: Schedule,
    /// Day index → start into `lessons` (length ndays + 1).
    day_start: Vec<u32>,
    lessons: Vec<Lesson>,
}

impl GroupTable {
    pub fn lessons_on(&self, day: u16) -> &[Lesson] {
        let d = usize::from(day);
        match (self.day_start.get(d), self.day_start.get(d + 1)) {
            (Some(&a), Some(&b)) => self.lessons.get(a as usize..b as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// A school's prepared rules: build once, evaluate many students.
#[derive(Debug, Clone)]
pub struct Engine {
    pub(crate) year: SchoolYear,
    /// The school year's first day (day index 0).
    first_day: NaiveDate,
    base_ordinal: i64,
    first_year_days: i64,
    pub(crate) dates: Vec<NaiveDate>,
    pub(crate) lesweek: Vec<u16>,
    pub(crate) week_monday: Vec<NaiveDate>,
    pub(crate) before_holiday: Vec<bool>,
    pub(crate) after_holiday: Vec<bool>,
    pub(crate) school: Schedule,
    pub(crate) codes: Vec<CodeInfo>,
    code_slots: Vec<u16>,
    code_shift: u32,
    units: [Unit; 5],
    school_sector: Sector,
    pub(crate) lesson_minutes: u16,
    groups: HashMap<String, usize>,
    pub(crate) group_tables: Vec<GroupTable>,
}

fn pack(code: &str) -> Option<u64> {
    let b = code.as_bytes();
    if b.is_empty() || b.len() > 8 {
        return None;
    }
    let mut k = 0u64;
    for &c in b {
        k = (k << 8) | u64::from(c);
    }
    Some(k)
}

fn slot(key: u64, shift: u32) -> usize {
    (key.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> shift) as usize
}

fn sector_index(s: Sector) -> usize {
    match s {
        Sector::Po => 0,
        Sector::So => 1,
        Sector::Vo => 2,
        Sector::Vso => 3,
        Sector::Mbo => 4,
    }
}

/// The school calendar of a case (shipped holidays unless given).
pub fn build_calendar(input: &CalendarInput) -> Result<SchoolCalendar, CaseError> {
    let year = input.school_year;
    // The shipped calendar (parsed from TOML) only when a field is left to it.
    let shipped_cell = std::cell::OnceCell::new();
    let shipped = || shipped_cell.get_or_init(|| SchoolCalendar::shipped(year, input.region));
    let missing = |field: &str| {
        CaseError::new(
            format!("calendar.{field}"),
            format!(
                "verzuim heeft geen vakantiegegevens voor {year}: geef first_day, last_day en holidays op"
            ),
        )
    };
    let holidays = match &input.holidays {
        Some(list) => {
            let mut out = Vec::with_capacity(list.len());
            for (i, h) in list.iter().enumerate() {
                if h.last < h.first {
                    return Err(CaseError::new(
                        format!("calendar.holidays[{i}].last"),
                        format!("{}: de laatste dag ligt voor de eerste", h.name),
                    ));
                }
                out.push(Holiday {
                    name: h.name.clone(),
                    region: HolidayRegion::One(input.region),
                    first: h.first,
                    last: h.last,
                });
            }
            out
        }
        None => shipped()
            .as_ref()
            .map(|c| c.holidays.clone())
            .map_err(|_| missing("holidays"))?,
    };
    let first_day = match input.first_day {
        Some(d) => d,
        None => shipped()
            .as_ref()
            .map(|c| c.first_day)
            .map_err(|_| missing("first_day"))?,
    };
    let last_day = match input.last_day {
        Some(d) => d,
        None => shipped()
            .as_ref()
            .map(|c| c.last_day)
            .map_err(|_| missing("last_day"))?,
    };
    for (i, d) in input.free_days.iter().enumerate() {
        if *d < year.first_day() || *d > year.last_day() {
            return Err(CaseError::new(
                format!("calendar.free_days[{i}]"),
                format!("{d} valt niet in schooljaar {year}"),
            ));
        }
    }
    let free: BTreeSet<NaiveDate> = input.free_days.iter().copied().collect();
    SchoolCalendar::new(year, input.region, first_day, last_day, holidays, free).map_err(|e| {
        let field = match e.field.as_str() {
            "eerste_schooldag" => "first_day",
            "laatste_schooldag" => "last_day",
            other => other,
        };
        CaseError::new(format!("calendar.{field}"), e.reason)
    })
}

/// The code table: the Magister default (seed 004 §2.2) with `codes` replacing or adding by code.
pub fn build_codes(codes: &[AbsenceCode]) -> Result<CodeTable, CaseError> {
    let mut all = CodeTable::magister_default().codes().to_vec();
    for (i, c) in codes.iter().enumerate() {
        c.validate().map_err(|e| {
            CaseError::new(
                format!(
                    "codes[{i}].{}",
                    if e.field == "code" {
                        "code"
                    } else {
                        "description"
                    }
                ),
                e.reason,
            )
        })?;
        if codes[..i].iter().any(|o| o.code == c.code) {
            return Err(CaseError::new(
                format!("codes[{i}].code"),
                format!("code '{}' komt twee keer voor", c.code),
            ));
        }
        match all.iter_mut().find(|o| o.code == c.code) {
            Some(slot) => *slot = c.clone(),
            None => all.push(c.clone()),
        }
    }
    CodeTable::new(all).map_err(|e| CaseError::new("codes", e.reason))
}

impl Engine {
    /// Prepares a school: its calendar as a day table, its codes (the default table with
    /// `codes` replacing or adding by code), its counting unit per sector and the timetable.
    pub fn new(
        school: &SchoolSettings,
        calendar: &CalendarInput,
        codes: &[AbsenceCode],
        timetable: &[LessonInput],
    ) -> Result<Engine, CaseError> {
        let cal = build_calendar(calendar)?;
        let table = build_codes(codes)?;
        if school.lesson_minutes == 0 {
            return Err(CaseError::new(
                "school.lesson_minutes",
                "een lesuur duurt minstens 1 minuut",
            ));
        }
        let year = cal.year;
        let base = year.first_day();
        let ndays = usize::try_from((year.last_day() - base).num_days() + 1).unwrap_or(366);
        let dates: Vec<NaiveDate> = base.iter_days().take(ndays).collect();
        let school_day: Vec<bool> = dates.iter().map(|d| cal.is_school_day(*d)).collect();
        let mut lesweek = vec![NO_WEEK; ndays];
        let mut week_monday = Vec::new();
        for (i, d) in dates.iter().enumerate() {
            if !school_day[i] {
                continue;
            }
            let monday = d.week(chrono::Weekday::Mon).first_day();
            if week_monday.last() != Some(&monday) {
                week_monday.push(monday);
            }
            lesweek[i] = u16::try_from(week_monday.len() - 1).unwrap_or(NO_WEEK);
        }
        let sched = schedule(&school_day);
        // Days adjoining a holiday: the last school day before it, the first after it; the
        // first and last school day of the year adjoin the summer holiday.
        let mut before_holiday = vec![false; ndays];
        let mut after_holiday = vec![false; ndays];
        let idx = |d: NaiveDate| usize::try_from((d - base).num_days()).ok();
        for h in &cal.holidays {
            if let Some(&day) = sched
                .days
                .iter()
                .rev()
                .find(|&&s| dates[usize::from(s)] < h.first)
            {
                before_holiday[usize::from(day)] = true;
            }
            if let Some(&day) = sched.days.iter().find(|&&s| dates[usize::from(s)] > h.last) {
                after_holiday[usize::from(day)] = true;
            }
        }
        if let (Some(&f), Some(&l)) = (sched.days.first(), sched.days.last()) {
            after_holiday[usize::from(f)] = true;
            before_holiday[usize::from(l)] = true;
        }

        // Timetable per group.
        let mut groups: HashMap<String, usize> = HashMap::new();
        let mut per_group: Vec<Vec<(u16, Lesson)>> = Vec::new();
        let mut long_lessons = false;
        for (i, l) in timetable.iter().enumerate() {
            let (s, e) = (minutes_of(l.start), minutes_of(l.end));
            if e <= s {
                return Err(CaseError::new(
                    format!("timetable[{i}].end"),
                    "de les eindigt niet na het begin",
                ));
            }
            if l.lesuren == 0 {
                return Err(CaseError::new(
                    format!("timetable[{i}].lesuren"),
                    "een les is minstens 1 lesuur",
                ));
            }
            let Some(day) = idx(l.date).filter(|&d| d < ndays) else {
                return Err(CaseError::new(
                    format!("timetable[{i}].date"),
                    format!("{} valt niet in schooljaar {year}", l.date),
                ));
            };
            if l.counts && u32::from(e - s) > 60 * u32::from(l.lesuren) {
                long_lessons = true;
            }
            let g = *groups.entry(l.group.clone()).or_insert_with(|| {
                per_group.push(Vec::new());
                per_group.len() - 1
            });
            per_group[g].push((
                u16::try_from(day).unwrap_or(0),
                Lesson {
                    start: s,
                    end: e,
                    lesuren: l.lesuren,
                    counts: l.counts,
                    first_lesuur: 0,
                },
            ));
        }
        if timetable.is_empty() {
            long_lessons = school.lesson_minutes > 60;
        }
        let group_tables = per_group
            .into_iter()
            .map(|mut ls| {
                ls.sort_by_key(|(d, l)| (*d, l.start, l.end));
                let mut day_start = vec![0u32; ndays + 1];
                let mut lessons = Vec::with_capacity(ls.len());
                let mut lesson_day = vec![false; ndays];
                let mut cur_day = u16::MAX;
                let mut next_lesuur = 1u8;
                for (d, mut l) in ls {
                    if d != cur_day {
                        cur_day = d;
                        next_lesuur = 1;
                    }
                    l.first_lesuur = next_lesuur;
                    next_lesuur = next_lesuur.saturating_add(l.lesuren);
                    if l.counts && school_day[usize::from(d)] {
                        lesson_day[usize::from(d)] = true;
                    }
                    day_start[usize::from(d) + 1] += 1;
                    lessons.push(l);
                }
                for i in 0..ndays {
                    day_start[i + 1] += day_start[i];
                }
                GroupTable {
                    sched: schedule(&lesson_day),
                    day_start,
                    lessons,
                }
            })
            .collect();

        let leave: Vec<&str> = school.leave_codes.iter().map(|s| s.trim()).collect();
        let codes: Vec<CodeInfo> = table
            .codes()
            .iter()
            .map(|c| CodeInfo {
                key: pack(&c.code),
                code: c.code.clone(),
                flags: code_flags(c, leave.contains(&c.code.as_str())),
            })
            .collect();
        // Open addressing on the packed code: at most a quarter full, so a probe ends quickly;
        // an empty slot (u16::MAX) makes `code_index` return None.
        let codes: Vec<CodeInfo> = codes;
        let size = (codes.len() * 4).next_power_of_two().max(64);
        let code_shift = 64 - size.trailing_zeros();
        let mut code_slots = vec![u16::MAX; size];
        for (i, c) in codes.iter().enumerate() {
            if let Some(k) = c.key {
                let mut h = slot(k, code_shift);
                while code_slots[h] != u16::MAX {
                    h = (h + 1) & (size - 1);
                }
                code_slots[h] = u16::try_from(i).unwrap_or(u16::MAX);
            }
        }
        let units = Sector::ALL
            .map(|s| units::unit_for(s, school.counting, school.mbo_all_in_lesuren, long_lessons));
        Ok(Engine {
            year,
            first_day: base,
            base_ordinal: i64::from(base.ordinal0()),
            first_year_days: if base.leap_year() { 366 } else { 365 },
            dates,
            lesweek,
            week_monday,
            before_holiday,
            after_holiday,
            school: sched,
            school_sector: school.sector,
            codes,
            code_slots,
            code_shift,
            units,
            lesson_minutes: school.lesson_minutes,
            groups,
            group_tables,
        })
    }

    /// The school year the engine was prepared for.
    pub fn school_year(&self) -> SchoolYear {
        self.year
    }

    /// The counting unit for a student of `sector`.
    pub fn unit(&self, sector: Sector) -> Unit {
        self.units[sector_index(sector)]
    }

    fn code_index_packed(&self, k: u64) -> Option<u16> {
        let mask = self.code_slots.len() - 1;
        let mut h = slot(k, self.code_shift);
        loop {
            let i = *self.code_slots.get(h)?;
            let c = self.codes.get(usize::from(i))?;
            if c.key == Some(k) {
                return Some(i);
            }
            h = (h + 1) & mask;
        }
    }

    /// The index of `code` in the engine's code table (for [`CompactRegistration::code`]);
    /// `None` when the table has no such code.
    pub fn code_index(&self, code: &str) -> Option<u16> {
        match pack(code) {
            Some(k) => self.code_index_packed(k),
            None => self
                .codes
                .iter()
                .position(|c| c.code == code)
                .and_then(|i| u16::try_from(i).ok()),
        }
    }

    /// The index of `date` in the school year (for [`CompactRegistration::day`]); `None`
    /// outside the year.
    pub fn day_index(&self, date: NaiveDate) -> Option<u16> {
        let o = i64::from(date.ordinal0());
        let i = if date.year() == self.year.start_year() {
            o - self.base_ordinal
        } else if date.year() == self.year.start_year() + 1 {
            o + self.first_year_days - self.base_ordinal
        } else {
            return None;
        };
        if i < 0 || i as usize >= self.dates.len() {
            None
        } else {
            u16::try_from(i).ok()
        }
    }

    /// Days from the school year's first day to `date` (negative before it), the scale of
    /// [`CompactRegistration::day`].
    fn day_offset(&self, date: NaiveDate) -> i64 {
        (date - self.first_day).num_days()
    }

    /// `r` in compact form with `id`, checked as the engine checks a case: the code must be in
    /// the table, the date in the school year and the end after the start. `position` is the
    /// registration's index in the case, for the error's path (`registrations[position]`).
    pub fn compact(
        &self,
        r: &RegistrationInput,
        id: u32,
        position: usize,
    ) -> Result<CompactRegistration, CaseError> {
        let Some(code) = self.code_index(&r.code) else {
            return Err(CaseError::new(
                format!("registrations[{position}].code"),
                format!("'{}' staat niet in de codetabel", r.code),
            ));
        };
        let Some(day) = self.day_index(r.date) else {
            return Err(CaseError::new(
                format!("registrations[{position}].date"),
                format!("{} valt niet in schooljaar {}", r.date, self.year),
            ));
        };
        let (start, end) = (minutes_of(r.start), minutes_of(r.end));
        if end <= start {
            return Err(CaseError::new(
                format!("registrations[{position}].end"),
                "het einde ligt niet na het begin",
            ));
        }
        Ok(CompactRegistration {
            id,
            day,
            start,
            end,
            code,
            minutes_late: r.minutes_late.unwrap_or(0),
            lesuren: r.lesuren.unwrap_or(0),
        })
    }

    /// Evaluates one student. `registrations` and `leave` are this student's only, in any
    /// order (their `student` field is not compared again, for speed); registration ids default
    /// to `r?` (use [`crate::evaluate`] for positional ids).
    pub fn evaluate_student(
        &self,
        student: &StudentInput,
        registrations: &[RegistrationInput],
        leave: &[LeaveRequestInput],
        today: NaiveDate,
    ) -> Result<StudentEvaluation, CaseError> {
        self.evaluate_refs(
            student,
            "student",
            Items::Owned(registrations),
            None,
            Items::Owned(leave),
            None,
            today,
        )
    }

    /// Evaluates one student from compact registrations (this student's only, in any order):
    /// the same rules and the same answer as [`Engine::evaluate_student`], without strings to
    /// look up, and with the exclusions as facts ([`StudentOutcome::into_evaluation`] writes
    /// them out). The evidence shows each registration's [`CompactRegistration::id`] in decimal.
    pub fn evaluate_compact(
        &self,
        student: &StudentInput,
        registrations: &[CompactRegistration],
        leave: &[LeaveRequestInput],
        today: NaiveDate,
    ) -> Result<StudentOutcome, CaseError> {
        let leave = Items::Owned(leave);
        check_student(student, "student", leave, None)?;
        let (mut sorted, mut days, compact) = SCRATCH.with(Cell::take);
        let out = self.evaluate_core(
            student,
            registrations,
            Ids::Compact,
            leave,
            today,
            &mut sorted,
            &mut days,
        );
        SCRATCH.with(|s| s.set((sorted, days, compact)));
        out
    }

    /// The `RegistrationInput` form: checks the student and the leave requests, converts the
    /// registrations to compact form (refusing a bad one, in input order) and evaluates them.
    /// `positions` are the registrations' positions in the case (for error paths and `r{n}`
    /// ids), `leave_positions` the leave requests'.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn evaluate_refs(
        &self,
        student: &StudentInput,
        student_path: &str,
        regs: Items<'_, RegistrationInput>,
        positions: Option<&[usize]>,
        leave: Items<'_, LeaveRequestInput>,
        leave_positions: Option<&[usize]>,
        today: NaiveDate,
    ) -> Result<StudentEvaluation, CaseError> {
        check_student(student, student_path, leave, leave_positions)?;
        let (mut sorted, mut days, mut compact) = SCRATCH.with(Cell::take);
        compact.clear();
        compact.reserve(regs.len());
        let mut converted = Ok(());
        for (i, r) in regs.iter().enumerate() {
            let p = positions.and_then(|p| p.get(i).copied()).unwrap_or(i);
            match self.compact(r, u32::try_from(i).unwrap_or(u32::MAX), p) {
                Ok(c) => compact.push(c),
                Err(e) => {
                    converted = Err(e);
                    break;
                }
            }
        }
        let out = converted.and_then(|()| {
            self.evaluate_core(
                student,
                &compact,
                Ids::Inputs(regs, positions),
                leave,
                today,
                &mut sorted,
                &mut days,
            )
        });
        SCRATCH.with(|s| s.set((sorted, days, compact)));
        Ok(out?.into_evaluation(student))
    }

    /// The rules on one student's compact registrations; `sorted` and `days` are scratch.
    #[allow(clippy::too_many_arguments)]
    fn evaluate_core<'a>(
        &'a self,
        student: &'a StudentInput,
        regs: &'a [CompactRegistration],
        ids: Ids<'a>,
        leave: Items<'a, LeaveRequestInput>,
        today: NaiveDate,
        sorted: &mut Vec<Reg>,
        days: &mut Vec<DayAgg>,
    ) -> Result<StudentOutcome, CaseError> {
        let status = StatusDates::of(student, self.year);
        let group = student
            .group
            .as_ref()
            .and_then(|g| self.groups.get(g))
            .and_then(|&g| self.group_tables.get(g));
        let unit = self.unit(student.sector.unwrap_or(self.default_sector()));
        let mut ignored = NotReported::default();
        sorted.clear();
        days.clear();
        sorted.reserve(regs.len());
        // Dates as day offsets from the year's first day, the scale of `CompactRegistration::day`.
        let today_off = self.day_offset(today);
        let from_off = self.day_offset(student.enrolled_from);
        let until_off = student
            .enrolled_until
            .map_or(i64::MAX, |u| self.day_offset(u));
        for (i, r) in regs.iter().enumerate() {
            let Some(code) = self.codes.get(usize::from(r.code)) else {
                return Err(CaseError::new(
                    format!("registrations[{i}].code"),
                    format!("code-index {} staat niet in de codetabel", r.code),
                ));
            };
            let Some(&ord) = self.school.ord.get(usize::from(r.day)) else {
                return Err(CaseError::new(
                    format!("registrations[{i}].date"),
                    format!("dag {} valt niet in schooljaar {}", r.day, self.year),
                ));
            };
            if r.end <= r.start {
                return Err(CaseError::new(
                    format!("registrations[{i}].end"),
                    "het einde ligt niet na het begin",
                ));
            }
            if r.end >= DAY_MINUTES {
                return Err(CaseError::new(
                    format!("registrations[{i}].end"),
                    format!("{} minuten na middernacht ligt niet op de dag", r.end),
                ));
            }
            let off = i64::from(r.day);
            if off > today_off || ord == NO_ORD {
                continue; // after today, or not a school day: nothing to count
            }
            if off < from_off || off > until_off {
                ignored.outside_enrolment += 1;
                continue;
            }
            // Leerplichtwet art. 5, 5a, 15: a vrijstelling; nothing in it counts.
            if !student.exemptions.is_empty() {
                let date = self.dates[usize::from(r.day)];
                if student
                    .exemptions
                    .iter()
                    .any(|e| e.first <= date && date <= e.last)
                {
                    ignored.exempt += 1;
                    continue;
                }
            }
            let input = u32::try_from(i).unwrap_or(u32::MAX);
            sorted.push(Reg {
                key: sort_key(r.day, r.start, r.end, input),
                flags: code.flags,
                lesuren: r.lesuren,
                minutes_late: r.minutes_late,
                input,
            });
        }
        // Seed 002 "Bijzondere situaties": living abroad, not under the Dutch Leerplichtwet;
        // nothing is reported (the registrations were still checked, so a bad case is refused
        // the same way).
        if student.lives_abroad {
            return Ok(StudentOutcome {
                meldingen: Vec::new(),
                not_reported: NotReported {
                    abroad: true,
                    ..NotReported::default()
                },
            });
        }
        let mut out = StudentOutcome::default();
        // Registrations usually arrive in date order already: check before sorting.
        if !sorted.is_sorted_by_key(|r| r.key) {
            sorted.sort_unstable_by_key(|r| r.key);
        }
        let ctx = StudentCtx {
            engine: self,
            student,
            regs,
            ids,
            sorted,
            unit,
            group,
            status,
            leave,
        };
        ctx.aggregate(&mut ignored, days);
        crate::sixteen_hours::find(&ctx, days, today, &mut out.meldingen);
        crate::long_term::find(&ctx, days, today, &mut out.meldingen);
        crate::luxury::find(&ctx, days, &mut out.meldingen);
        crate::overig::find(&ctx, days, &mut out.meldingen);
        out.meldingen.sort_by_key(|m| (m.begin, m.kind));
        out.not_reported = ignored;
        Ok(out)
    }

    fn default_sector(&self) -> Sector {
        self.school_sector
    }
}

fn schedule(on: &[bool]) -> Schedule {
    let mut ord = vec![NO_ORD; on.len()];
    let mut days = Vec::new();
    for (i, &yes) in on.iter().enumerate() {
        if yes {
            ord[i] = u16::try_from(days.len()).unwrap_or(NO_ORD);
            days.push(u16::try_from(i).unwrap_or(0));
        }
    }
    Schedule { ord, days }
}

/// Refuses a student or a leave request the engine cannot evaluate (before the registrations,
/// so errors come in the same order on every path).
fn check_student(
    student: &StudentInput,
    student_path: &str,
    leave: Items<'_, LeaveRequestInput>,
    leave_positions: Option<&[usize]>,
) -> Result<(), CaseError> {
    validate_student(student, student_path)?;
    let lpos = |i: usize| leave_positions.and_then(|p| p.get(i).copied()).unwrap_or(i);
    for (i, l) in leave.iter().enumerate() {
        if l.last < l.first {
            return Err(CaseError::new(
                format!("leave_requests[{}].last", lpos(i)),
                "de laatste verlofdag ligt voor de eerste",
            ));
        }
        if l.student != student.id {
            return Err(CaseError::new(
                format!("leave_requests[{}].student", lpos(i)),
                format!(
                    "verlofaanvraag van '{}' bij leerling '{}'",
                    l.student, student.id
                ),
            ));
        }
    }
    Ok(())
}

fn validate_student(s: &StudentInput, path: &str) -> Result<(), CaseError> {
    if s.enrolled_until.is_some_and(|u| u < s.enrolled_from) {
        return Err(CaseError::new(
            format!("{path}.enrolled_until"),
            "het einde van de inschrijving ligt voor het begin",
        ));
    }
    if s.birth_date > s.enrolled_from {
        return Err(CaseError::new(
            format!("{path}.birth_date"),
            "de geboortedatum ligt na het begin van de inschrijving",
        ));
    }
    for (j, e) in s.exemptions.iter().enumerate() {
        if e.last < e.first {
            return Err(CaseError::new(
                format!("{path}.exemptions[{j}].last"),
                "de laatste dag van de vrijstelling ligt voor de eerste",
            ));
        }
    }
    for (j, e) in s.suspect.iter().enumerate() {
        if e.last < e.first {
            return Err(CaseError::new(
                format!("{path}.suspect[{j}].last"),
                "de laatste dag ligt voor de eerste",
            ));
        }
    }
    for (j, m) in s.prior_meldingen.iter().enumerate() {
        if m.end.is_some_and(|e| e < m.begin) {
            return Err(CaseError::new(
                format!("{path}.prior_meldingen[{j}].end"),
                "de einddatum ligt voor de begindatum",
            ));
        }
    }
    Ok(())
}

/// A registration, prepared.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Reg {
    /// Day, start, end and (the low 26 bits of) `input`: [`sort_key`].
    pub key: u64,
    /// Index into the student's registration slice.
    pub input: u32,
    pub minutes_late: u16,
    /// The code's flags ([`code_flags`]).
    pub flags: u8,
    pub lesuren: u8,
}

impl Reg {
    /// Day index.
    pub fn day(&self) -> u16 {
        (self.key >> 48) as u16
    }

    /// Start, minutes after midnight.
    pub fn start(&self) -> u16 {
        ((self.key >> 37) & 0x7FF) as u16
    }

    /// End, minutes after midnight.
    pub fn end(&self) -> u16 {
        ((self.key >> 26) & 0x7FF) as u16
    }
}

/// Sort key: day, start, end, input position (a total order, so the order of the input does
/// not change the result). Start and end take 11 bits each: times are below [`DAY_MINUTES`].
fn sort_key(day: u16, start: u16, end: u16, input: u32) -> u64 {
    (u64::from(day) << 48)
        | (u64::from(start) << 37)
        | (u64::from(end) << 26)
        | u64::from(input & 0x03FF_FFFF)
}

/// Which registrations a count looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Class {
    /// Unauthorized, counting toward the legal hours, not late (16 uur, LRV, RMC).
    Counted,
    /// Unauthorized and not late, or a leave code (luxe verzuim).
    Luxe,
    /// Unauthorized late arrivals.
    Late,
    /// Authorized absence (suspect periods).
    Authorized,
}

impl Class {
    /// The class's bit in a code's flags ([`code_flags`]).
    pub const fn bit(self) -> u8 {
        match self {
            Class::Counted => 1,
            Class::Luxe => 1 << 1,
            Class::Late => 1 << 2,
            Class::Authorized => 1 << 3,
        }
    }

    /// Whether a registration with these code flags belongs to the class.
    pub fn matches(self, flags: u8) -> bool {
        flags & self.bit() != 0
    }
}

/// Units, minutes and lessons of one day for one class.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct Tally {
    pub weight: u32,
    pub minutes: u32,
    /// Lessons (bit j = j-th lesson of the day) when the timetable is known.
    pub mask: u32,
    pub count: u16,
}

/// A day's `Counted` and `Luxe` tallies while its registrations are added, with the latest end
/// so far of each (see [`StudentCtx::span`]).
#[derive(Debug, Default)]
pub(crate) struct Pair {
    counted: Tally,
    luxe: Tally,
    cover_counted: u16,
    cover_luxe: u16,
}

/// One day with registrations of the student.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DayAgg {
    pub day: u16,
    pub date: NaiveDate,
    pub lo: u32,
    pub hi: u32,
    pub status: LawStatus,
    pub counted: Tally,
    pub luxe: Tally,
    pub lates: u16,
    pub authorized: bool,
    pub whole_day: bool,
    pub leave_ungranted: bool,
    pub in_refused_leave: bool,
    pub granted_leave: bool,
    /// Every lesson of the day missed without authorization (any unauthorized code, rule 5).
    pub luxe_whole_day: bool,
}

/// One student, prepared.
pub(crate) struct StudentCtx<'a> {
    pub engine: &'a Engine,
    pub student: &'a StudentInput,
    pub regs: &'a [CompactRegistration],
    pub ids: Ids<'a>,
    pub sorted: &'a [Reg],
    pub unit: Unit,
    pub group: Option<&'a GroupTable>,
    pub status: StatusDates,
    pub leave: Items<'a, LeaveRequestInput>,
}

impl StudentCtx<'_> {
    /// The expected-days schedule: the group's lesson days, else the school days.
    pub fn sched(&self) -> &Schedule {
        self.group.map(|g| &g.sched).unwrap_or(&self.engine.school)
    }

    fn lessons_on(&self, day: u16) -> &[Lesson] {
        self.group.map(|g| g.lessons_on(day)).unwrap_or(&[])
    }

    /// Counts `regs` (all on `day`) of `class`.
    pub fn tally(&self, day: u16, regs: &[Reg], class: Class) -> Tally {
        let lessons = self.lessons_on(day);
        let mut t = Tally::default();
        let mut dagdelen = 0u8;
        if lessons.iter().any(|l| l.counts) {
            for r in regs.iter().filter(|r| class.matches(r.flags)) {
                t.count += 1;
                t.minutes += if class == Class::Late {
                    u32::from(r.minutes_late)
                } else {
                    0
                };
                for (j, l) in lessons.iter().enumerate().take(32) {
                    if l.counts && r.start() < l.end && r.end() > l.start {
                        t.mask |= 1 << j;
                    }
                }
            }
            if class == Class::Late {
                return t;
            }
            for (j, l) in lessons.iter().enumerate().take(32) {
                if t.mask & (1 << j) != 0 {
                    let m = u32::from(l.end - l.start);
                    t.minutes += m;
                    t.weight += match self.unit {
                        Unit::Lesuren => LESUUR * u32::from(l.lesuren),
                        Unit::Klokuren => m,
                        Unit::Dagdelen => 0,
                    };
                    dagdelen |= if l.start < NOON { 1 } else { 2 };
                }
            }
        } else {
            let mut cover = 0u16;
            for r in regs.iter().filter(|r| class.matches(r.flags)) {
                t.count += 1;
                if class == Class::Late {
                    t.minutes += u32::from(r.minutes_late);
                    continue;
                }
                let (m, w) = self.span(r, &mut cover);
                t.minutes += m;
                t.weight += if self.unit == Unit::Dagdelen { 0 } else { w };
                if r.start() < NOON {
                    dagdelen |= 1;
                }
                if r.end() > NOON {
                    dagdelen |= 2;
                }
            }
        }
        if self.unit == Unit::Dagdelen {
            t.weight = DAGDEEL * dagdelen.count_ones();
        }
        t
    }

    /// Minutes and weight of a registration without a timetable, counting only the time not
    /// already covered by an earlier registration of the day (`cover` = the latest end so far;
    /// registrations come sorted by start). A registration that overlaps nothing counts in full:
    /// its `lesuren`, else 1 lesuur up to `lesson_minutes`, else its minutes in lesuren; a partly
    /// covered one counts its uncovered minutes (in lesuren: divided by `lesson_minutes`).
    fn span(&self, r: &Reg, cover: &mut u16) -> (u32, u32) {
        let lesson = u32::from(self.engine.lesson_minutes);
        let (start, end) = (r.start(), r.end());
        let full = u32::from(end - start);
        let from = start.max(*cover);
        let m = u32::from(end.saturating_sub(from));
        *cover = (*cover).max(end);
        let w = match self.unit {
            Unit::Lesuren if m < full => m * LESUUR / lesson,
            Unit::Lesuren if r.lesuren > 0 => LESUUR * u32::from(r.lesuren),
            Unit::Lesuren if m <= lesson => LESUUR,
            Unit::Lesuren => m * LESUUR / lesson,
            _ => m,
        };
        (m, w)
    }

    /// Whether a day's `Counted` and `Luxe` tallies need [`Self::tally`] (lessons of a
    /// timetable, or dagdelen); otherwise [`Self::add_pair`] builds both in the day's one pass.
    fn needs_tally(&self, day: u16) -> bool {
        self.unit == Unit::Dagdelen || self.lessons_on(day).iter().any(|l| l.counts)
    }

    /// Adds `r` to the day's `Counted` and `Luxe` tallies without a timetable ([`Self::tally`]
    /// for both classes at once; registrations come sorted by start).
    fn add_pair(&self, r: &Reg, pair: &mut Pair) {
        let (counted, luxe) = (
            Class::Counted.matches(r.flags),
            Class::Luxe.matches(r.flags),
        );
        if !(counted || luxe) {
            return;
        }
        if counted {
            let (m, w) = self.span(r, &mut pair.cover_counted);
            pair.counted.count += 1;
            pair.counted.minutes += m;
            pair.counted.weight += w;
        }
        if luxe {
            let (m, w) = self.span(r, &mut pair.cover_luxe);
            pair.luxe.count += 1;
            pair.luxe.minutes += m;
            pair.luxe.weight += w;
        }
    }

    /// Whether the absence in `counted` covers every lesson of the day (rule 4).
    fn whole_day(&self, day: u16, counted: &Tally) -> bool {
        let lessons = self.lessons_on(day);
        let full: u32 = lessons
            .iter()
            .enumerate()
            .take(32)
            .filter(|(_, l)| l.counts)
            .fold(0, |m, (j, _)| m | (1 << j));
        if full != 0 {
            counted.mask == full
        } else {
            counted.minutes >= WHOLE_DAY_MINUTES
        }
    }

    /// Lesuur numbers of a lesson mask.
    pub fn lesuren_of(&self, day: u16, mask: u32) -> Vec<u8> {
        let mut out = Vec::new();
        for (j, l) in self.lessons_on(day).iter().enumerate().take(32) {
            if mask & (1 << j) != 0 {
                for k in 0..l.lesuren {
                    out.push(l.first_lesuur.saturating_add(k));
                }
            }
        }
        out
    }

    /// The evidence id of the registration at slice index `i` (see [`Ids`]).
    pub fn reg_id(&self, i: u32) -> String {
        let i = i as usize;
        match self.ids {
            Ids::Compact => self
                .regs
                .get(i)
                .map_or_else(|| "r?".to_owned(), |r| r.id.to_string()),
            Ids::Inputs(inputs, positions) => match inputs.get(i).and_then(|r| r.id.clone()) {
                Some(id) => id,
                None => match positions.and_then(|p| p.get(i)) {
                    Some(p) => format!("r{}", p + 1),
                    None => "r?".to_owned(),
                },
            },
        }
    }

    /// The sorted registrations of a day.
    pub fn regs_of(&self, d: &DayAgg) -> &[Reg] {
        self.sorted.get(d.lo as usize..d.hi as usize).unwrap_or(&[])
    }

    fn leave_covers(&self, date: NaiveDate, status: LeaveStatus) -> bool {
        self.leave
            .iter()
            .any(|l| l.status == status && l.first <= date && date <= l.last)
    }

    pub(crate) fn aggregate(&self, ignored: &mut NotReported, days: &mut Vec<DayAgg>) {
        let mut lo = 0usize;
        while let Some(first) = self.sorted.get(lo) {
            let day = first.day();
            let needs_tally = self.needs_tally(day);
            // One pass over the day's registrations: its end, the tallies, the flags.
            let mut pair = Pair::default();
            let (mut lates, mut not_reported, mut any) = (0u16, 0u32, 0u8);
            let mut hi = lo;
            while let Some(r) = self.sorted.get(hi).filter(|r| r.day() == day) {
                if !needs_tally {
                    self.add_pair(r, &mut pair);
                }
                lates += u16::from(Class::Late.matches(r.flags));
                not_reported += u32::from(r.flags & IGNORED != 0);
                any |= r.flags;
                hi += 1;
            }
            let regs = self.sorted.get(lo..hi).unwrap_or(&[]);
            let (counted, luxe) = if needs_tally {
                (
                    self.tally(day, regs, Class::Counted),
                    self.tally(day, regs, Class::Luxe),
                )
            } else {
                (pair.counted, pair.luxe)
            };
            let date = self.engine.dates[usize::from(day)];
            let status = self.status.on(date);
            if not_reported > 0 {
                ignored.authorized += not_reported;
                ignored.authorized_first.get_or_insert(date);
                ignored.authorized_last = Some(date);
            }
            let authorized = Class::Authorized.matches(any);
            let leave_code = any & LEAVE != 0;
            if status == LawStatus::None && luxe.count > 0 {
                ignored.not_under_law += u32::from(luxe.count);
            }
            let granted_leave = self.leave_covers(date, LeaveStatus::Granted);
            let leave_ungranted = leave_code && !granted_leave;
            let in_refused_leave = luxe.count > 0 && self.leave_covers(date, LeaveStatus::Refused);
            days.push(DayAgg {
                day,
                date,
                lo: u32::try_from(lo).unwrap_or(0),
                hi: u32::try_from(hi).unwrap_or(0),
                status,
                whole_day: counted.count > 0 && self.whole_day(day, &counted),
                luxe_whole_day: luxe.count > 0 && self.whole_day(day, &luxe),
                counted,
                luxe,
                lates,
                authorized,
                leave_ungranted,
                in_refused_leave,
                granted_leave,
            });
            lo = hi;
        }
    }

    /// Builds a melding over `days` (the days of `class` in it), rare so it may allocate.
    #[allow(clippy::too_many_arguments)]
    pub fn melding(
        &self,
        kind: crate::MeldingKind,
        days: &[&DayAgg],
        class: Class,
        begin: NaiveDate,
        end: Option<NaiveDate>,
        due_on: NaiveDate,
        rule: crate::Rule,
        explanation: String,
    ) -> Melding {
        let mut specs = Vec::with_capacity(days.len());
        let (mut weight, mut minutes) = (0u32, 0u32);
        for d in days {
            let regs = self.regs_of(d);
            let t = match class {
                Class::Counted => d.counted,
                Class::Luxe => d.luxe,
                _ => self.tally(d.day, regs, class),
            };
            if t.count == 0 {
                continue;
            }
            weight += t.weight;
            minutes += t.minutes;
            let n = regs.iter().filter(|r| class.matches(r.flags)).count();
            let mut ids: Vec<String> = Vec::with_capacity(n);
            ids.extend(
                regs.iter()
                    .filter(|r| class.matches(r.flags))
                    .map(|r| self.reg_id(r.input)),
            );
            if ids.len() > 1 && !ids.is_sorted() {
                ids.sort();
            }
            specs.push(crate::DaySpec {
                date: d.date,
                units: units::to_units(t.weight, self.unit),
                minutes: t.minutes,
                lesuren: self.lesuren_of(d.day, t.mask),
                whole_day: d.whole_day,
                registrations: ids,
            });
        }
        Melding {
            kind,
            duo_code: kind.duo_code().to_owned(),
            student: self.student.id.clone(),
            status: self.status.on(begin),
            begin,
            end,
            end_when: end
                .is_none()
                .then(|| "zodra de leerling weer op school is of is uitgeschreven".to_owned()),
            due_on,
            units: units::to_units(weight, self.unit),
            unit: self.unit,
            minutes,
            days: specs,
            rule,
            explanation,
            proposal: kind == crate::MeldingKind::Overig,
        }
    }

    /// A date plus `n` days.
    pub fn plus(date: NaiveDate, n: u64) -> NaiveDate {
        date.checked_add_days(Days::new(n))
            .unwrap_or(NaiveDate::MAX)
    }

    /// Unit label for explanations.
    pub fn unit_label(&self) -> &'static str {
        match self.unit {
            Unit::Lesuren => "lesuren",
            Unit::Klokuren => "klokuren",
            Unit::Dagdelen => "dagdelen",
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use verzuim_domain::Sector;

    use crate::fixture::*;
    use crate::*;

    fn lesson(date: NaiveDate, h: u32, m: u32, len: u32, lesuren: u8, counts: bool) -> LessonInput {
        let start = h * 60 + m;
        let end = start + len;
        LessonInput {
            group: "1A".into(),
            date,
            start: t(start / 60, start % 60),
            end: t(end / 60, end % 60),
            lesuren,
            counts,
        }
    }

    /// Mon–Wed of 7 Sep 2026: a blokuur (2 lesuren, 100 min), 4 single lessons, one mentor hour
    /// that is not lestijd.
    fn timetabled() -> Case {
        let mut c = case(Sector::Vo);
        c.students[0].group = Some("1A".into());
        for date in [d(2026, 9, 7), d(2026, 9, 8), d(2026, 9, 9)] {
            c.timetable.push(lesson(date, 8, 30, 100, 2, true));
            for k in 0..4 {
                c.timetable.push(lesson(date, 10, 20 + 50 * k, 50, 1, true));
            }
            c.timetable.push(lesson(date, 14, 0, 50, 1, false));
        }
        c
    }

    #[test]
    fn a_blokuur_counts_its_lesuren_and_a_non_lestijd_hour_never_counts() {
        let mut c = timetabled();
        // Whole days as one span: 6 lesuren each, mentor hour excluded.
        for date in [d(2026, 9, 7), d(2026, 9, 8)] {
            c.registrations
                .push(reg("s1", date, t(8, 0), t(16, 0), "SP"));
        }
        assert!(of_kind(&eval(&c, d(2026, 9, 30)), MeldingKind::SixteenHours).is_empty());
        c.registrations
            .push(reg("s1", d(2026, 9, 9), t(8, 30), t(12, 0), "SP"));
        let e = eval(&c, d(2026, 9, 30));
        let m = of_kind(&e, MeldingKind::SixteenHours);
        assert_eq!(m.len(), 1);
        assert!((m[0].units - 16.0).abs() < 1e-9);
        assert_eq!(m[0].days[0].lesuren, vec![1, 2, 3, 4, 5, 6]);
        assert!(m[0].days[0].whole_day);
        assert_eq!(m[0].days[2].lesuren, vec![1, 2, 3, 4]);
        assert!(!m[0].days[2].whole_day);
    }

    #[test]
    fn overlapping_registrations_of_one_lesson_count_once_with_a_timetable() {
        let mut c = timetabled();
        for _ in 0..3 {
            c.registrations
                .push(reg("s1", d(2026, 9, 7), t(8, 30), t(16, 0), "SP"));
        }
        assert!(of_kind(&eval(&c, d(2026, 9, 30)), MeldingKind::SixteenHours).is_empty());
    }

    #[test]
    fn vo_with_lessons_over_60_minutes_counts_klokuren() {
        let mut c = timetabled();
        c.timetable.push(LessonInput {
            group: "2B".into(),
            ..lesson(d(2026, 9, 7), 8, 30, 70, 1, true)
        });
        let engine = Engine::new(&c.school, &c.calendar, &c.codes, &c.timetable).unwrap();
        assert_eq!(engine.unit(Sector::Vo), Unit::Klokuren);
        let engine = Engine::new(&c.school, &c.calendar, &c.codes, &c.timetable[..18]).unwrap();
        assert_eq!(engine.unit(Sector::Vo), Unit::Lesuren);
    }

    #[test]
    fn a_combination_school_counts_by_the_students_own_sector() {
        let mut c = case(Sector::Vo);
        c.students[0].sector = Some(Sector::Mbo);
        days(&mut c, "s1", d(2026, 9, 7), d(2026, 9, 9), "SP"); // 400 minutes a day
        let e = eval(&c, d(2026, 9, 30));
        let m = of_kind(&e, MeldingKind::SixteenHours);
        assert_eq!(m[0].unit, Unit::Klokuren);
        assert_eq!(m[0].end, Some(d(2026, 9, 9)));
    }

    #[test]
    fn dagdelen_five_dagdelen_are_sixteen_hours() {
        let mut c = case(Sector::Po);
        c.school.counting = CountingSetting::Dagdelen;
        for day in 7..=9 {
            c.registrations
                .push(reg("s1", d(2026, 9, day), t(8, 30), t(12, 0), "SP"));
        }
        c.registrations
            .push(reg("s1", d(2026, 9, 10), t(13, 0), t(15, 0), "SP"));
        assert!(eval(&c, d(2026, 9, 30)).meldingen.is_empty());
        c.registrations
            .push(reg("s1", d(2026, 9, 10), t(9, 0), t(10, 0), "SP"));
        let e = eval(&c, d(2026, 9, 30));
        let m = of_kind(&e, MeldingKind::SixteenHours);
        assert_eq!(m[0].unit, Unit::Dagdelen);
        assert!((m[0].units - 5.0).abs() < 1e-9);
    }

    #[test]
    fn living_abroad_excludes_the_whole_student() {
        let mut c = case(Sector::Vo);
        c.students[0].lives_abroad = true;
        days(&mut c, "s1", d(2026, 9, 7), d(2026, 10, 9), "SP");
        let e = eval(&c, d(2026, 10, 9));
        assert!(e.meldingen.is_empty());
        assert_eq!(e.exclusions.len(), 1);
        assert_eq!(e.exclusions[0].rule.id, "lpw-buitenland");
    }

    #[test]
    fn registrations_in_an_exemption_or_outside_enrolment_are_ignored() {
        let mut c = case(Sector::Vo);
        c.students[0].exemptions.push(DateRange {
            first: d(2026, 9, 1),
            last: d(2026, 9, 8),
        });
        c.students[0].enrolled_until = Some(d(2026, 9, 9));
        days(&mut c, "s1", d(2026, 9, 7), d(2026, 9, 11), "SP");
        let e = eval(&c, d(2026, 9, 30));
        assert!(e.meldingen.is_empty());
        let rules: Vec<_> = e.exclusions.iter().map(|x| x.rule.id.as_ref()).collect();
        assert!(rules.contains(&"lpw-5-15-vrijstelling"));
        assert!(rules.contains(&"inschrijving"));
    }

    #[test]
    fn authorized_absence_is_recorded_as_not_reportable() {
        let mut c = case(Sector::Vo);
        day(&mut c, "s1", d(2026, 9, 7), "ZK");
        let e = eval(&c, d(2026, 9, 30));
        assert_eq!(e.exclusions[0].rule.id, "lpw-11-geoorloofd");
    }

    #[test]
    fn errors_name_the_json_path() {
        let mut c = case(Sector::Vo);
        c.registrations
            .push(reg("s9", d(2026, 9, 7), t(8, 30), t(9, 20), "SP"));
        assert_eq!(
            crate::evaluate(&c, d(2026, 9, 30)).unwrap_err().path,
            "registrations[0].student"
        );
        c.registrations[0].student = "s1".into();
        c.registrations[0].code = "XX".into();
        assert_eq!(
            crate::evaluate(&c, d(2026, 9, 30)).unwrap_err().path,
            "registrations[0].code"
        );
        c.registrations[0].code = "SP".into();
        c.registrations[0].date = d(2027, 9, 7);
        assert_eq!(
            crate::evaluate(&c, d(2026, 9, 30)).unwrap_err().path,
            "registrations[0].date"
        );
        c.registrations[0].date = d(2026, 9, 7);
        c.registrations[0].end = t(8, 0);
        assert_eq!(
            crate::evaluate(&c, d(2026, 9, 30)).unwrap_err().path,
            "registrations[0].end"
        );
        c.registrations.clear();
        c.students[0].enrolled_until = Some(d(2020, 1, 1));
        assert_eq!(
            crate::evaluate(&c, d(2026, 9, 30)).unwrap_err().path,
            "students[0].enrolled_until"
        );
    }

    #[test]
    fn evaluate_student_gives_the_same_meldingen_with_own_or_unknown_ids() {
        let mut c = case(Sector::Vo);
        days(&mut c, "s1", d(2026, 9, 7), d(2026, 9, 8), "SP");
        let engine = Engine::new(&c.school, &c.calendar, &c.codes, &c.timetable).unwrap();
        let e = engine
            .evaluate_student(&c.students[0], &c.registrations, &[], d(2026, 9, 30))
            .unwrap();
        assert_eq!(e.meldingen.len(), 1);
        assert_eq!(e.meldingen[0].days[0].registrations[0], "r?");
        let whole = eval(&c, d(2026, 9, 30));
        assert_eq!(whole.meldingen[0].days[0].registrations[0], "r1");
        assert_eq!(whole.meldingen[0].begin, e.meldingen[0].begin);
    }

    #[test]
    fn evaluate_compact_shows_the_compact_ids_and_keeps_exclusions_as_facts() {
        let mut c = case(Sector::Vo);
        days(&mut c, "s1", d(2026, 9, 7), d(2026, 9, 8), "SP");
        day(&mut c, "s1", d(2026, 9, 9), "ZK");
        let engine = Engine::new(&c.school, &c.calendar, &c.codes, &c.timetable).unwrap();
        let compact: Vec<CompactRegistration> = c
            .registrations
            .iter()
            .enumerate()
            .map(|(i, r)| engine.compact(r, 1000 + i as u32, i).unwrap())
            .collect();
        let out = engine
            .evaluate_compact(&c.students[0], &compact, &[], d(2026, 9, 30))
            .unwrap();
        assert_eq!(out.meldingen[0].days[0].registrations[0], "1000");
        assert!(out.not_reported.authorized > 0);
        assert_eq!(out.not_reported.authorized_first, Some(d(2026, 9, 9)));
        let e = out.into_evaluation(&c.students[0]);
        assert_eq!(e.exclusions.len(), 1);
        assert_eq!(e.exclusions[0].rule.id, "lpw-11-geoorloofd");
        let whole = eval(&c, d(2026, 9, 30));
        assert_eq!(whole.exclusions, e.exclusions);
        assert_eq!(whole.meldingen[0].begin, e.meldingen[0].begin);
    }

    #[test]
    fn evaluate_compact_refuses_indices_the_engine_does_not_have() {
        let c = case(Sector::Vo);
        let engine = Engine::new(&c.school, &c.calendar, &c.codes, &c.timetable).unwrap();
        let good = CompactRegistration {
            id: 1,
            day: engine.day_index(d(2026, 9, 7)).unwrap(),
            start: 8 * 60 + 30,
            end: 9 * 60 + 20,
            code: engine.code_index("SP").unwrap(),
            minutes_late: 0,
            lesuren: 0,
        };
        let path = |r: CompactRegistration| {
            engine
                .evaluate_compact(&c.students[0], &[good, r], &[], d(2026, 9, 30))
                .unwrap_err()
                .path
        };
        assert_eq!(
            path(CompactRegistration { code: 999, ..good }),
            "registrations[1].code"
        );
        assert_eq!(
            path(CompactRegistration { day: 400, ..good }),
            "registrations[1].date"
        );
        assert_eq!(
            path(CompactRegistration {
                end: good.start,
                ..good
            }),
            "registrations[1].end"
        );
        assert_eq!(
            path(CompactRegistration {
                end: DAY_MINUTES,
                ..good
            }),
            "registrations[1].end"
        );
        assert!(engine.code_index("XX").is_none());
        assert!(engine.day_index(d(2027, 8, 1)).is_none());
    }

    #[test]
    fn own_codes_replace_the_default_entry() {
        let mut c = case(Sector::Vo);
        let mut zk = verzuim_domain::CodeTable::magister_default()
            .get("ZK")
            .cloned()
            .unwrap();
        zk.authorized = false;
        zk.counts_toward_legal_hours = true;
        c.codes.push(zk);
        days(&mut c, "s1", d(2026, 9, 7), d(2026, 9, 8), "ZK");
        assert_eq!(
            of_kind(&eval(&c, d(2026, 9, 30)), MeldingKind::SixteenHours).len(),
            1
        );
    }
}
