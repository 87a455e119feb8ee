//! The school's shape: units of about 1200 students, their classes (vmbo 1–4, havo 1–5,
//! vwo 1–6), staff with docentcodes and mentorships, and one weekly timetable per class with
//! no teacher in two places at once.

use std::collections::HashSet;

use chrono::NaiveTime;
use rand::Rng;
use rand::seq::SliceRandom;
use verzuim_domain::SchoolRole;

use crate::names::{PersonName, adult_name, staff_code};
use crate::rng::{Stream, rng_for};

/// Students per unit: a unit is one "school" of the default size with its own staff and
/// timetable, so a million students are 833 independent units.
pub(crate) const UNIT_STUDENTS: u32 = 1200;
/// Largest class the generator forms.
const MAX_CLASS: u32 = 30;
/// Lessons per class per week.
pub(crate) const LESSONS_PER_WEEK: usize = 32;
/// Target teaching load of a teacher, in lessons per week.
const TARGET_LOAD: u32 = 20;
/// Lesson hours per day.
pub(crate) const PERIODS_PER_DAY: usize = 8;
const SLOTS: usize = 5 * PERIODS_PER_DAY;

/// Start and end of each lesson hour: 50 minutes from 08:30, a 15-minute break after the 2nd
/// and 6th hour and a 30-minute lunch after the 4th.
pub(crate) fn period_times(period: u8) -> (NaiveTime, NaiveTime) {
    let start_min: u32 = match period {
        1 => 8 * 60 + 30,
        2 => 9 * 60 + 20,
        3 => 10 * 60 + 25,
        4 => 11 * 60 + 15,
        5 => 12 * 60 + 35,
        6 => 13 * 60 + 25,
        7 => 14 * 60 + 30,
        _ => 15 * 60 + 20,
    };
    let end_min = start_min + 50;
    let t = |m: u32| NaiveTime::from_hms_opt(m / 60, m % 60, 0).unwrap_or(NaiveTime::MIN);
    (t(start_min), t(end_min))
}

/// A school type (stroom) with its number of leerjaren.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Stroom {
    Vmbo,
    Havo,
    Vwo,
}

impl Stroom {
    const ALL: [Stroom; 3] = [Self::Vmbo, Self::Havo, Self::Vwo];

    fn levels(self) -> u8 {
        match self {
            Self::Vmbo => 4,
            Self::Havo => 5,
            Self::Vwo => 6,
        }
    }

    /// Share of the students, in percent.
    fn share(self) -> u32 {
        match self {
            Self::Vmbo => 45,
            Self::Havo => 30,
            Self::Vwo => 25,
        }
    }

    fn letter(self) -> &'static str {
        match self {
            Self::Vmbo => "M",
            Self::Havo => "H",
            Self::Vwo => "V",
        }
    }

    /// Location code: vmbo in its own building.
    pub fn location(self) -> &'static str {
        match self {
            Self::Vmbo => "01",
            Self::Havo | Self::Vwo => "00",
        }
    }

    /// Age on 1 October of a student in leerjaar `level` who never stayed down.
    pub fn base_age(self, level: u8) -> u32 {
        11 + u32::from(level)
    }
}

/// One leerjaar of one stroom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Track {
    pub stroom: Stroom,
    pub level: u8,
}

/// The fifteen tracks in a fixed order.
pub(crate) fn tracks() -> Vec<Track> {
    Stroom::ALL
        .iter()
        .flat_map(|&stroom| (1..=stroom.levels()).map(move |level| Track { stroom, level }))
        .collect()
}

/// Splits `total` over `weights` by largest remainder (deterministic, sums exactly).
fn apportion(total: u32, weights: &[u32]) -> Vec<u32> {
    let sum: u64 = weights.iter().map(|&w| u64::from(w)).sum::<u64>().max(1);
    let mut parts: Vec<u32> = weights
        .iter()
        .map(|&w| (u64::from(total) * u64::from(w) / sum) as u32)
        .collect();
    let mut rest = total - parts.iter().sum::<u32>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by_key(|&i| {
        let rem = (u64::from(total) * u64::from(weights[i])) % sum;
        (std::cmp::Reverse(rem), i)
    });
    for &i in order.iter().cycle().take(weights.len() * 2) {
        if rest == 0 {
            break;
        }
        parts[i] += 1;
        rest -= 1;
    }
    parts
}

/// Where a unit sits in the school: its students and its classes per track.
#[derive(Debug, Clone)]
pub(crate) struct UnitLayout {
    /// Global index of the unit's first student.
    pub student_offset: u64,
    /// Students per track.
    pub per_track: Vec<u32>,
    /// Classes per track.
    pub classes: Vec<u32>,
    /// Global number of the unit's first class per track (1-based class numbers).
    pub class_offsets: Vec<u32>,
}

impl UnitLayout {
    /// Students in the unit.
    pub fn students(&self) -> u32 {
        self.per_track.iter().sum()
    }
}

/// Splits `students` into units of about [`UNIT_STUDENTS`].
pub(crate) fn layout(students: u32) -> Vec<UnitLayout> {
    let tracks = tracks();
    let weights: Vec<u32> = tracks
        .iter()
        .map(|t| t.stroom.share() * 60 / u32::from(t.stroom.levels()))
        .collect();
    // Rounded, so a school of 1201 is one unit, not two of 600.
    let units = (students.saturating_add(UNIT_STUDENTS / 2) / UNIT_STUDENTS).max(1);
    let sizes = apportion(students, &vec![1; units as usize]);
    let mut offsets = vec![0u32; tracks.len()];
    let mut student_offset = 0u64;
    let mut out = Vec::with_capacity(sizes.len());
    for size in sizes {
        let per_track = apportion(size, &weights);
        let classes: Vec<u32> = per_track.iter().map(|&n| n.div_ceil(MAX_CLASS)).collect();
        out.push(UnitLayout {
            student_offset,
            per_track,
            classes: classes.clone(),
            class_offsets: offsets.clone(),
        });
        for (o, c) in offsets.iter_mut().zip(&classes) {
            *o += c;
        }
        student_offset += u64::from(size);
    }
    out
}

/// Weekly hours per subject for a track; each table sums to [`LESSONS_PER_WEEK`].
pub(crate) fn subject_table(track: Track) -> &'static [(&'static str, u32)] {
    const LOWER: &[(&str, u32)] = &[
        ("NE", 4),
        ("EN", 3),
        ("WI", 4),
        ("FA", 2),
        ("DU", 2),
        ("GS", 2),
        ("AK", 2),
        ("BI", 2),
        ("NASK", 2),
        ("LO", 3),
        ("BV", 2),
        ("MU", 1),
        ("EC", 1),
        ("TE", 1),
        ("MEN", 1),
    ];
    const VMBO_UPPER: &[(&str, u32)] = &[
        ("NE", 4),
        ("EN", 4),
        ("WI", 4),
        ("NASK", 3),
        ("EC", 3),
        ("BI", 3),
        ("GS", 2),
        ("AK", 2),
        ("DU", 2),
        ("LO", 2),
        ("MA", 1),
        ("KV", 1),
        ("MEN", 1),
    ];
    const HV_UPPER: &[(&str, u32)] = &[
        ("NE", 4),
        ("EN", 3),
        ("WI", 4),
        ("FA", 2),
        ("DU", 2),
        ("GS", 2),
        ("AK", 2),
        ("BI", 2),
        ("NA", 2),
        ("SK", 2),
        ("EC", 2),
        ("LO", 2),
        ("MA", 1),
        ("CKV", 1),
        ("MEN", 1),
    ];
    match (track.stroom, track.level) {
        (_, 1 | 2) => LOWER,
        (Stroom::Vmbo, _) => VMBO_UPPER,
        _ => HV_UPPER,
    }
}

/// The mentor lesson, taught by the class's mentor.
pub(crate) const MENTOR_SUBJECT: &str = "MEN";

/// One lesson of a class's weekly timetable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Slot {
    /// Lesson hour, 1–8.
    pub period: u8,
    /// Subject code.
    pub subject: &'static str,
    /// Index of the teacher in the unit's staff.
    pub teacher: usize,
}

/// A class and its weekly timetable.
#[derive(Debug, Clone)]
pub(crate) struct ClassPlan {
    pub code: String,
    pub track: Track,
    /// Index of its first student in the unit's students.
    pub first_student: usize,
    /// Number of students.
    pub size: usize,
    /// Index of the mentor in the unit's staff.
    pub mentor: usize,
    /// Lessons per weekday (Monday = 0), ascending by period.
    pub week: [Vec<Slot>; 5],
}

/// Which demo login a staff member carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LoginKind {
    Docent,
    Mentor,
    Verzuim,
    Teamleider,
    Receptie,
    Admin,
}

impl LoginKind {
    pub const ALL: [LoginKind; 6] = [
        Self::Docent,
        Self::Mentor,
        Self::Verzuim,
        Self::Teamleider,
        Self::Receptie,
        Self::Admin,
    ];

    /// The word used in the username and password.
    pub fn word(self) -> &'static str {
        match self {
            Self::Docent => "docent",
            Self::Mentor => "mentor",
            Self::Verzuim => "verzuim",
            Self::Teamleider => "teamleider",
            Self::Receptie => "receptie",
            Self::Admin => "admin",
        }
    }

    /// The role the login demonstrates.
    pub fn role(self) -> SchoolRole {
        match self {
            Self::Docent => SchoolRole::Teacher,
            Self::Mentor => SchoolRole::Mentor,
            Self::Verzuim => SchoolRole::AttendanceCoordinator,
            Self::Teamleider => SchoolRole::TeamLeader,
            Self::Receptie => SchoolRole::Reception,
            Self::Admin => SchoolRole::Admin,
        }
    }
}

/// A staff member of a unit.
#[derive(Debug, Clone)]
pub(crate) struct StaffPlan {
    pub name: PersonName,
    pub code: String,
    pub username: String,
    pub roles: Vec<SchoolRole>,
    /// Lessons per week.
    pub load: u32,
    pub login: Option<LoginKind>,
}

/// Classes, staff and timetables of one unit.
#[derive(Debug, Clone)]
pub(crate) struct UnitStructure {
    pub classes: Vec<ClassPlan>,
    pub staff: Vec<StaffPlan>,
    /// Lessons placed where their teacher already had one (0 in practice; tested).
    pub collisions: usize,
}

/// Builds the classes, staff and timetables of unit `unit`.
pub(crate) fn build_structure(
    seed: u64,
    unit: usize,
    layout: &UnitLayout,
    brin: &str,
) -> UnitStructure {
    let mut rng = rng_for(seed, Stream::Structure, unit as u64);
    let tracks = tracks();

    // Classes, contiguous blocks of students in track order.
    let mut classes = Vec::new();
    let mut first_student = 0usize;
    for (t, track) in tracks.iter().enumerate() {
        let n = layout.per_track[t];
        let count = layout.classes[t];
        if count == 0 {
            continue;
        }
        let sizes = apportion(n, &vec![1; count as usize]);
        for (k, size) in sizes.into_iter().enumerate() {
            let number = layout.class_offsets[t] + k as u32 + 1;
            classes.push(ClassPlan {
                code: format!("{}{}{}", track.level, track.stroom.letter(), number),
                track: *track,
                first_student,
                size: size as usize,
                mentor: 0,
                week: Default::default(),
            });
            first_student += size as usize;
        }
    }

    // Teaching assignments: per subject, enough teachers for ~TARGET_LOAD lessons each.
    let mut subjects: Vec<&'static str> = Vec::new();
    for c in &classes {
        for (s, _) in subject_table(c.track) {
            if *s != MENTOR_SUBJECT && !subjects.contains(s) {
                subjects.push(s);
            }
        }
    }
    let mut staff: Vec<StaffPlan> = Vec::new();
    let mut taken: HashSet<String> = HashSet::new();
    let suffix = if unit == 0 {
        String::new()
    } else {
        unit.to_string()
    };
    let mut new_staff =
        |rng: &mut rand_chacha::ChaCha8Rng, staff: &mut Vec<StaffPlan>, roles: Vec<SchoolRole>| {
            let name = adult_name(rng);
            let base = staff_code(&name, &|c: &str| taken.contains(c));
            taken.insert(base.clone());
            let code = format!("{base}{suffix}");
            let username = format!("{}.{}", code.to_lowercase(), brin.to_lowercase());
            staff.push(StaffPlan {
                name,
                code,
                username,
                roles,
                load: 0,
                login: None,
            });
            staff.len() - 1
        };
    // assignment[class][subject index in its table] = teacher
    let mut assignment: Vec<Vec<Option<usize>>> = classes
        .iter()
        .map(|c| vec![None; subject_table(c.track).len()])
        .collect();
    let mut subject_teachers: Vec<(&'static str, Vec<usize>)> = Vec::new();
    for subject in &subjects {
        let demand: Vec<(usize, usize, u32)> = classes
            .iter()
            .enumerate()
            .filter_map(|(ci, c)| {
                subject_table(c.track)
                    .iter()
                    .position(|(s, _)| s == subject)
                    .map(|si| (ci, si, subject_table(c.track)[si].1))
            })
            .collect();
        let total: u32 = demand.iter().map(|d| d.2).sum();
        let count = total.div_ceil(TARGET_LOAD).max(1);
        let share = total.div_ceil(count);
        let mut ids = Vec::new();
        let mut current = new_staff(&mut rng, &mut staff, vec![SchoolRole::Teacher]);
        ids.push(current);
        for (ci, si, hours) in demand {
            if staff[current].load >= share && ids.len() < count as usize {
                current = new_staff(&mut rng, &mut staff, vec![SchoolRole::Teacher]);
                ids.push(current);
            }
            staff[current].load += hours;
            assignment[ci][si] = Some(current);
        }
        subject_teachers.push((subject, ids));
    }

    // Mentors: a teacher of the class with the fewest mentorships, then the lightest load.
    let mut mentorships = vec![0u32; staff.len()];
    for (ci, class) in classes.iter_mut().enumerate() {
        let table = subject_table(class.track);
        let mut candidates: Vec<usize> = assignment[ci].iter().flatten().copied().collect();
        candidates.sort_unstable();
        candidates.dedup();
        candidates.shuffle(&mut rng);
        let mentor = candidates
            .iter()
            .copied()
            .min_by_key(|&t| (mentorships[t], staff[t].load))
            .unwrap_or(0);
        class.mentor = mentor;
        if let Some(t) = mentorships.get_mut(mentor) {
            *t += 1;
        }
        if let Some(member) = staff.get_mut(mentor) {
            if !member.roles.contains(&SchoolRole::Mentor) {
                member.roles.push(SchoolRole::Mentor);
            }
            member.load += 1;
        }
        if let Some(si) = table.iter().position(|(s, _)| *s == MENTOR_SUBJECT) {
            assignment[ci][si] = Some(mentor);
        }
    }

    // The team around the teachers.
    let mut team = vec![
        (
            vec![SchoolRole::AttendanceCoordinator],
            Some(LoginKind::Verzuim),
        ),
        (vec![SchoolRole::TeamLeader], Some(LoginKind::Teamleider)),
        (vec![SchoolRole::TeamLeader], None),
        (vec![SchoolRole::TeamLeader], None),
        (vec![SchoolRole::Reception], Some(LoginKind::Receptie)),
        (vec![SchoolRole::DayCoordinator], None),
        (vec![SchoolRole::SupportCoordinator], None),
    ];
    if unit == 0 {
        team.push((vec![SchoolRole::Reception], None));
        team.push((vec![SchoolRole::Admin], Some(LoginKind::Admin)));
    }
    for (roles, login) in team {
        let id = new_staff(&mut rng, &mut staff, roles);
        if unit == 0 {
            staff[id].login = login;
        }
    }

    let mut structure = UnitStructure {
        classes,
        staff,
        collisions: 0,
    };
    schedule(seed, unit, &mut structure, &assignment, &subject_teachers);
    if unit == 0 {
        pick_teacher_logins(&mut structure);
        for member in &mut structure.staff {
            if let Some(kind) = member.login {
                member.username = format!("demo.{}", kind.word());
            }
        }
    }
    structure
}

/// Places every class's lessons in the week, keeping each teacher in one place at a time,
/// early hours first, spread over the days, a subject at most once a day where possible.
fn schedule(
    seed: u64,
    unit: usize,
    s: &mut UnitStructure,
    assignment: &[Vec<Option<usize>>],
    subject_teachers: &[(&'static str, Vec<usize>)],
) {
    let mut rng = rng_for(seed, Stream::Timetable, unit as u64);
    let mut teacher_busy = vec![[false; SLOTS]; s.staff.len()];
    for (ci, class) in s.classes.iter_mut().enumerate() {
        let table = subject_table(class.track);
        let mut units: Vec<(&'static str, usize)> = Vec::with_capacity(LESSONS_PER_WEEK);
        for (si, (subject, hours)) in table.iter().enumerate() {
            let teacher = assignment[ci][si].unwrap_or(class.mentor);
            for _ in 0..*hours {
                units.push((subject, teacher));
            }
        }
        units.shuffle(&mut rng);
        units.sort_by_key(|&(_, t)| std::cmp::Reverse(s.staff[t].load));
        let mut class_busy = [false; SLOTS];
        let mut day_count = [0u32; 5];
        let mut placed: Vec<(usize, &'static str, usize)> = Vec::with_capacity(units.len());
        for (subject, teacher) in units {
            let score = |slot: usize, placed: &[(usize, &str, usize)], day_count: &[u32; 5]| {
                let day = slot / PERIODS_PER_DAY;
                let period = slot % PERIODS_PER_DAY;
                let same_day = placed
                    .iter()
                    .filter(|(p, sub, _)| p / PERIODS_PER_DAY == day && *sub == subject)
                    .count() as u32;
                let late = if period >= 7 { 40 } else { 0 };
                period as u32 * 4 + day_count[day] * 6 + same_day * 30 + late
            };
            let best_for = |t: usize, busy: &[[bool; SLOTS]], rng: &mut rand_chacha::ChaCha8Rng| {
                (0..SLOTS)
                    .filter(|&slot| !class_busy[slot] && !busy[t][slot])
                    .map(|slot| {
                        (
                            score(slot, &placed, &day_count) * 4 + rng.random_range(0..4),
                            slot,
                        )
                    })
                    .min()
                    .map(|(_, slot)| slot)
            };
            let mut choice = best_for(teacher, &teacher_busy, &mut rng).map(|slot| (slot, teacher));
            if choice.is_none() {
                // Another teacher of the same subject takes this one lesson.
                let others = subject_teachers
                    .iter()
                    .find(|(sub, _)| *sub == subject)
                    .map(|(_, ids)| ids.clone())
                    .unwrap_or_default();
                choice = others
                    .into_iter()
                    .filter(|&t| t != teacher)
                    .find_map(|t| best_for(t, &teacher_busy, &mut rng).map(|slot| (slot, t)));
            }
            let (slot, teacher) = match choice {
                Some(c) => c,
                None => {
                    s.collisions += 1;
                    let free = (0..SLOTS).find(|&slot| !class_busy[slot]).unwrap_or(0);
                    (free, teacher)
                }
            };
            class_busy[slot] = true;
            if let Some(busy) = teacher_busy.get_mut(teacher) {
                busy[slot] = true;
            }
            day_count[slot / PERIODS_PER_DAY] += 1;
            placed.push((slot, subject, teacher));
        }
        placed.sort_unstable_by_key(|p| p.0);
        let mut week: [Vec<Slot>; 5] = Default::default();
        for (slot, subject, teacher) in placed {
            week[slot / PERIODS_PER_DAY].push(Slot {
                period: (slot % PERIODS_PER_DAY) as u8 + 1,
                subject,
                teacher,
            });
        }
        class.week = week;
    }
}

/// Chooses the demo docent and mentor: teachers with lessons on every weekday, so the lesson
/// page is never empty on a school day.
fn pick_teacher_logins(s: &mut UnitStructure) {
    let mut days = vec![[0u32; 5]; s.staff.len()];
    for class in &s.classes {
        for (d, lessons) in class.week.iter().enumerate() {
            for l in lessons {
                if let Some(t) = days.get_mut(l.teacher) {
                    t[d] += 1;
                }
            }
        }
    }
    let every_day = |t: usize| days[t].iter().filter(|&&n| n > 0).count();
    let best = |s: &UnitStructure, mentor: bool| {
        (0..s.staff.len())
            .filter(|&t| s.staff[t].roles.contains(&SchoolRole::Teacher))
            .filter(|&t| s.staff[t].roles.contains(&SchoolRole::Mentor) == mentor)
            .filter(|&t| s.staff[t].login.is_none())
            .max_by_key(|&t| {
                (
                    every_day(t),
                    days[t].iter().sum::<u32>(),
                    std::cmp::Reverse(t),
                )
            })
    };
    if let Some(t) = best(s, false) {
        s.staff[t].login = Some(LoginKind::Docent);
    }
    if let Some(t) = best(s, true) {
        s.staff[t].login = Some(LoginKind::Mentor);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_tables_fill_thirty_two_lessons_a_week() {
        for t in tracks() {
            let sum: u32 = subject_table(t).iter().map(|s| s.1).sum();
            assert_eq!(sum as usize, LESSONS_PER_WEEK, "{t:?}");
        }
    }

    #[test]
    fn apportion_sums_exactly() {
        assert_eq!(apportion(10, &[1, 1, 1]).iter().sum::<u32>(), 10);
        assert_eq!(
            apportion(1_000_000, &[45, 30, 25]),
            vec![450_000, 300_000, 250_000]
        );
        assert_eq!(apportion(0, &[1, 2]), vec![0, 0]);
    }

    #[test]
    fn default_unit_has_classes_of_twenty_four_to_thirty() {
        let l = layout(1200);
        assert_eq!(l.len(), 1);
        let s = build_structure(1, 0, &l[0], "99ZZ");
        assert!(
            s.classes.iter().all(|c| (24..=30).contains(&c.size)),
            "{:?}",
            s.classes.iter().map(|c| c.size).collect::<Vec<_>>()
        );
        assert_eq!(s.classes.iter().map(|c| c.size).sum::<usize>(), 1200);
    }

    #[test]
    fn million_students_split_into_units_with_unique_class_numbers() {
        let l = layout(1_000_000);
        assert_eq!(l.iter().map(UnitLayout::students).sum::<u32>(), 1_000_000);
        assert_eq!(l.len(), 833);
        let last = l.last().unwrap();
        assert_eq!(last.student_offset + u64::from(last.students()), 1_000_000);
    }
}
