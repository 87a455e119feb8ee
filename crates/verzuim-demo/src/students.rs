//! Students of a unit: names, numbers, ages matching the leerjaar, where they live, when they
//! were enrolled, and the traits and patterns that drive their absence.

use chrono::{Datelike, Days, NaiveDate};
use rand::Rng;
use rand::seq::SliceRandom;
use verzuim_domain::{Gemeentecode, PersonalNumber, Student};

use crate::names::student_name;
use crate::numbers::NumberPlan;
use crate::rng::{Stream, rng_for};
use crate::structure::{Stroom, UnitLayout, UnitStructure};

/// Municipalities around Maastricht with their share of the students (CBS codes).
const RESIDENCES: &[(&str, u32)] = &[
    ("0935", 55), // Maastricht
    ("1903", 10), // Eijsden-Margraten
    ("0938", 8),  // Meerssen
    ("0994", 6),  // Valkenburg aan de Geul
    ("0888", 5),  // Beek
    ("0986", 5),  // Stein
    ("0917", 6),  // Heerlen
    ("0928", 5),  // Kerkrade
];

/// Municipalities whose students come by bus (the bus-strike day hits them).
pub(crate) const BUS_TOWNS: &[&str] = &["0917", "0928"];

/// A recurring or one-off absence pattern of one student.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Pattern {
    /// Absent without reason for more than four lesweken up to today (LRV later).
    LongAbsent,
    /// Ill for four lesweken in a row (m@zzel: more than 15 days).
    LongSick,
    /// Skips the last hours of Monday, Wednesday and Friday and Thursday's first hour for
    /// four lesweken: well over 16 lesuren.
    TruantHeavy,
    /// Skips Tuesday's first hour and now and then another: around 8 hours a month.
    TruantModerate,
    /// Skips whole Fridays every other week lately.
    TruantFridays,
    /// Late for the first hour twice a week or more for eight lesweken.
    LateHeavy,
    /// Late now and then.
    LateModerate,
    /// Sent out of class several times (gele/oranje kaart).
    Troublemaker,
    /// Suspended for two days.
    Suspended,
    /// Absent on a school day next to a holiday (`day` is an index into the registration
    /// days); `approved`: leave granted (VE), otherwise unknown (ON).
    HolidayExtension { day: usize, approved: bool },
}

/// A student with the traits that drive the generator.
#[derive(Debug, Clone)]
pub(crate) struct StudentPlan {
    pub student: Student,
    /// Index of the class in the unit.
    pub class: usize,
    /// Global index (seeds the student's own random stream).
    pub global: u64,
    /// Age on 1 October.
    pub age: u32,
    /// Relative proneness to illness (mean about 1).
    pub sick: f64,
    /// Relative tendency to come late.
    pub late: f64,
    /// Relative tendency to skip a lesson.
    pub skip: f64,
    /// In the care team's caseload (BZ).
    pub care: bool,
    pub patterns: Vec<Pattern>,
}

/// Edges of the holidays inside the registration days: index of the last school day before
/// and of the first school day after each holiday.
#[derive(Debug, Clone, Copy)]
pub(crate) struct HolidayEdge {
    pub before: Option<usize>,
    pub after: Option<usize>,
}

fn weighted<R: Rng>(rng: &mut R, table: &[(&'static str, u32)]) -> &'static str {
    let total: u32 = table.iter().map(|t| t.1).sum();
    let mut x = rng.random_range(0..total.max(1));
    for (v, w) in table {
        if x < *w {
            return v;
        }
        x -= w;
    }
    table.first().map(|t| t.0).unwrap_or("0935")
}

/// Inputs the student generator needs from the school.
pub(crate) struct StudentContext<'a> {
    pub seed: u64,
    pub start_year: i32,
    pub first_day: NaiveDate,
    /// School days on which registrations are generated, ascending.
    pub reg_days: &'a [NaiveDate],
    pub holidays: &'a [HolidayEdge],
    pub numbers: &'a NumberPlan,
}

/// Builds the students of one unit.
pub(crate) fn build_students(
    ctx: &StudentContext<'_>,
    unit: usize,
    layout: &UnitLayout,
    structure: &UnitStructure,
) -> Vec<StudentPlan> {
    let mut rng = rng_for(ctx.seed, Stream::Students, unit as u64);
    let total = layout.students() as usize;
    let mut out: Vec<StudentPlan> = Vec::with_capacity(total);
    for (ci, class) in structure.classes.iter().enumerate() {
        for k in 0..class.size {
            let local = class.first_student + k;
            let global = layout.student_offset + local as u64;
            let name = student_name(&mut rng);
            let track = class.track;
            // Stayed down once (12 %), twice (3 %, upper years only); a few vwo pupils skipped a year.
            let roll: f64 = rng.random();
            let delay: i64 = if roll < 0.03 && track.level >= 3 {
                2
            } else if roll < 0.15 {
                1
            } else if roll > 0.98 && track.stroom == Stroom::Vwo {
                -1
            } else {
                0
            };
            let age = (i64::from(track.stroom.base_age(track.level)) + delay).max(11) as u32;
            // Age `age` on 1 October: born between 2 October (Y − age − 1) and 1 October (Y − age).
            let born_from = NaiveDate::from_ymd_opt(ctx.start_year - age as i32 - 1, 10, 2)
                .unwrap_or(NaiveDate::MIN);
            let birth_date = born_from
                .checked_add_days(Days::new(rng.random_range(0..365)))
                .unwrap_or(born_from);
            let residence = Gemeentecode::parse(weighted(&mut rng, RESIDENCES)).ok();
            // Entered leerjaar 1 in the year matching their leerjaar.
            let entry_year = ctx.start_year - i32::from(track.level) + 1;
            let enrolled_from = ctx.first_day.with_year(entry_year).unwrap_or(ctx.first_day);
            let personal_number = PersonalNumber::parse(&ctx.numbers.bsn(global));
            let Ok(personal_number) = personal_number else {
                continue;
            };
            let start_qualification = track.stroom == Stroom::Vwo
                && track.level >= 5
                && delay > 0
                && rng.random_bool(0.5);
            let sick = *[0.3, 0.8, 0.8, 1.4, 3.0]
                .get(rng.random_range(0..5))
                .unwrap_or(&1.0);
            let late = if rng.random_bool(0.15) { 3.0 } else { 0.7 };
            let skip = if track.level >= 3 && rng.random_bool(0.1) {
                4.0
            } else {
                0.5
            };
            let care = rng.random_bool(0.03);
            out.push(StudentPlan {
                student: Student {
                    student_number: format!("{}", 100_001 + global),
                    personal_number,
                    first_name: name.first,
                    name_prefix: name.prefix,
                    last_name: name.last,
                    birth_date,
                    residence,
                    enrolled_from,
                    enrolled_until: None,
                    start_qualification,
                    group: None,
                    mentor: None,
                },
                class: ci,
                global,
                age,
                sick,
                late,
                skip,
                care,
                patterns: Vec::new(),
            });
        }
    }
    special_cases(ctx, unit, &mut out);
    assign_patterns(ctx, unit, &mut out);
    out
}

/// Students living abroad, with an onderwijsnummer, enrolled mid-year or unenrolled.
fn special_cases(ctx: &StudentContext<'_>, unit: usize, students: &mut [StudentPlan]) {
    let mut rng = rng_for(ctx.seed, Stream::Patterns, (unit as u64) << 1);
    let mut order: Vec<usize> = (0..students.len()).collect();
    order.shuffle(&mut rng);
    let n = students.len();
    let mut next = order.into_iter();
    // Living in Belgium (Lanaken, Riemst): no Dutch gemeente.
    let abroad = if n >= 600 { 2 } else { usize::from(n >= 50) };
    for i in next.by_ref().take(abroad) {
        students[i].student.residence = None;
    }
    // Newcomers without a BSN yet: DUO's onderwijsnummer.
    let without_bsn = if n >= 100 { 3 } else { 0 };
    for (k, i) in next.by_ref().take(without_bsn).enumerate() {
        if let Ok(n) =
            PersonalNumber::parse(&ctx.numbers.onderwijsnummer(unit as u64 * 3 + k as u64))
        {
            students[i].student.personal_number = n;
        }
    }
    let days = ctx.reg_days.len();
    if days > 15 {
        // Came from another school during the year.
        for i in next.by_ref().take(n / 100) {
            let day = ctx.reg_days[rng.random_range(10..days)];
            students[i].student.enrolled_from = day;
        }
        // Left (moved, switched school) during the year.
        for i in next.by_ref().take(n / 150) {
            let day = ctx.reg_days[rng.random_range(5..days - 1)];
            students[i].student.enrolled_until = Some(day);
        }
    }
}

/// Hands out the absence patterns to students enrolled all along.
fn assign_patterns(ctx: &StudentContext<'_>, unit: usize, students: &mut [StudentPlan]) {
    let mut rng = rng_for(ctx.seed, Stream::Patterns, ((unit as u64) << 1) | 1);
    let first = ctx.reg_days.first().copied();
    let last = ctx.reg_days.last().copied();
    let (Some(first), Some(last)) = (first, last) else {
        return;
    };
    let mut eligible: Vec<usize> = (0..students.len())
        .filter(|&i| {
            let s = &students[i].student;
            s.enrolled_from <= first && s.enrolled_until.is_none_or(|u| u >= last)
        })
        .collect();
    eligible.shuffle(&mut rng);
    let mut used = vec![false; students.len()];
    let upper = |s: &StudentPlan| s.age >= 15;
    let any = |_: &StudentPlan| true;
    let mut give =
        |pred: &dyn Fn(&StudentPlan) -> bool, p: Pattern, students: &mut [StudentPlan]| {
            let found = eligible
                .iter()
                .copied()
                .find(|&i| !used[i] && pred(&students[i]));
            if let Some(i) = found {
                used[i] = true;
                students[i].patterns.push(p);
            }
            found
        };
    give(&upper, Pattern::LongAbsent, students);
    give(&any, Pattern::LongSick, students);
    // The oldest eligible student (often 17 or 18) is the heavy truant: a kwalificatieplicht
    // or RMC case later on.
    let oldest_age = students.iter().map(|s| s.age).max().unwrap_or(0);
    let oldest = give(
        &|s: &StudentPlan| s.age == oldest_age,
        Pattern::TruantHeavy,
        students,
    );
    if oldest.is_none() {
        give(&upper, Pattern::TruantHeavy, students);
    }
    give(&upper, Pattern::TruantHeavy, students);
    give(&any, Pattern::TruantModerate, students);
    give(&any, Pattern::TruantModerate, students);
    give(&upper, Pattern::TruantFridays, students);
    for _ in 0..2 {
        give(&any, Pattern::LateHeavy, students);
        give(&any, Pattern::LateModerate, students);
    }
    if let Some(i) = give(&any, Pattern::Troublemaker, students) {
        students[i].patterns.push(Pattern::Suspended);
    }
    give(&any, Pattern::Troublemaker, students);
    give(&any, Pattern::Troublemaker, students);
    // Families stretching a holiday: one before, one after (sometimes two days), and now and
    // then one with the teamleider's permission.
    let days = ctx.reg_days.len();
    for (h, edge) in ctx.holidays.iter().enumerate() {
        if let Some(day) = edge.before {
            give(
                &any,
                Pattern::HolidayExtension {
                    day,
                    approved: false,
                },
                students,
            );
        }
        if let Some(day) = edge.after
            && let Some(i) = give(
                &any,
                Pattern::HolidayExtension {
                    day,
                    approved: false,
                },
                students,
            )
            && rng.random_bool(0.5)
            && day + 1 < days
        {
            students[i].patterns.push(Pattern::HolidayExtension {
                day: day + 1,
                approved: false,
            });
        }
        if h % 2 == 0
            && let Some(day) = edge.before
        {
            give(
                &any,
                Pattern::HolidayExtension {
                    day,
                    approved: true,
                },
                students,
            );
        }
    }
}
