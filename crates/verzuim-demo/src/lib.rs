//! A synthetic but realistic Dutch secondary school for demos and benchmarks: "Demo College
//! Maastricht" (vmbo, havo, vwo; regio zuid), with staff, classes, a timetable for every school
//! day of the calendar and the absence a real school records, deterministic by seed.
//!
//! Pure: no clock, no I/O. The caller passes `today`; registrations exist for school days up
//! to and including `today`, lessons for the whole school year (or the first `weeks` lesweken).
//! The same [`DemoSpec`] always gives the same data; another seed gives another school.
//!
//! # Scale
//!
//! The school is built from units of about 1200 students, each with its own staff and
//! timetable, and each generated from its own random stream. [`DemoGenerator::chunk`] builds
//! one unit as a [`Batch`], so a million students ([`DemoGenerator::chunks`]) never sit in
//! memory at once, and chunks may be built in any order or in parallel.
//!
//! # What is in it
//!
//! - 15 tracks (vmbo 1–4, havo 1–5, vwo 1–6) with classes of 24–30, ages matching the leerjaar
//!   with some who stayed down (so there are 16-, 17- and 18-year-olds), BSNs passing the
//!   11-proef (a few onderwijsnummers), homes in Maastricht and the municipalities around it
//!   (two in Belgium), a few enrolled mid-year and a few unenrolled.
//! - About 80 teachers per unit with docentcodes, a mentor per class, and every [`SchoolRole`].
//! - The calendar's school periods: "periode 1" to "periode 4" over the lesweken, stored with
//!   the calendar (the protocol counts "per periode" in them).
//! - 50-minute lessons from 08:30 (8 hours, breaks after the 2nd, 4th and 6th), 32 a week per
//!   class, no teacher in two places at once, none in holidays or on public holidays.
//! - Absence with the codes of seed 004 (Magister): seasonal illness, chronic truants (one
//!   well over 16 lesuren in 4 lesweken), late-comers (≥ 6 `TO` in a period), a student
//!   absent for more than 4 lesweken, holiday extensions, removals, suspensions, stage weeks,
//!   excursions, and `ON` that is mostly, not always, replaced.

mod absence;
mod names;
mod numbers;
mod rng;
mod structure;
mod students;

use chrono::{Datelike, NaiveDate};
use rand::Rng;
use verzuim_domain::{
    Batch, BatchLesson, BatchStaff, BatchStudent, Brin, CodeTable, Group, Location, Origin, Region,
    School, SchoolCalendar, SchoolRole, SchoolYear, Sector, Staff, ValidationError,
};

use crate::absence::{DayInfo, RegContext, class_registrations};
use crate::numbers::NumberPlan;
use crate::rng::{Stream, rng_for};
use crate::structure::{LoginKind, UnitLayout, build_structure, layout, period_times};
use crate::students::{HolidayEdge, StudentContext, build_students};

/// BRIN of the demo school (2 digits, 2 letters; not a real school's).
pub const DEMO_BRIN: &str = "99ZZ";
/// Name of the demo school.
pub const DEMO_NAME: &str = "Demo College Maastricht";
/// Students in the default demo.
pub const DEFAULT_STUDENTS: u32 = 1200;
/// Seed of the default demo.
pub const DEFAULT_SEED: u64 = 2026;
/// Most students the generator makes (BSNs stay unique up to here).
pub const MAX_STUDENTS: u32 = 9_000_000;
/// File name written into every generated row's [`Origin`].
pub const ORIGIN_FILE: &str = "demo";

/// What went wrong while setting up a demo.
#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    /// Fewer than one or more than [`MAX_STUDENTS`] students asked for.
    #[error("aantal leerlingen {0} kan niet: kies 1 tot en met {MAX_STUDENTS}")]
    StudentCount(u32),
    /// The calendar or school could not be built.
    #[error(transparent)]
    Invalid(#[from] ValidationError),
}

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSpec {
    /// Seed: the same seed gives the same school.
    pub seed: u64,
    /// Number of students.
    pub students: u32,
    /// The school year's calendar (holidays decide which days have lessons). Without periods
    /// of its own, the generated school gets the four standard ones ("periode 1" to
    /// "periode 4", [`SchoolCalendar::periods_or_standard`]) as explicit periods.
    pub calendar: SchoolCalendar,
    /// Registrations are generated for school days up to and including this date.
    pub today: NaiveDate,
    /// Only the first this-many lesweken get lessons and registrations; `None`: the whole year.
    pub weeks: Option<u32>,
}

impl DemoSpec {
    /// The default demo for `today`: 1200 students, seed [`DEFAULT_SEED`], the shipped calendar
    /// (regio zuid) of the school year containing `today`, or of 2026-2027 when verzuim ships
    /// no holidays for that year.
    pub fn for_today(today: NaiveDate) -> Result<Self, DemoError> {
        let calendar = SchoolCalendar::shipped(SchoolYear::containing(today), Region::Zuid)
            .or_else(|_| SchoolCalendar::shipped(SchoolYear::starting(2026), Region::Zuid))?;
        Ok(Self {
            seed: DEFAULT_SEED,
            students: DEFAULT_STUDENTS,
            calendar,
            today,
            weeks: None,
        })
    }

    /// A spec for files and benchmarks: registrations for every generated day (today is the
    /// calendar's last day, so the output does not depend on the clock), optionally only the
    /// first `weeks` lesweken, on the shipped 2026-2027 calendar (regio zuid).
    pub fn for_benchmark(seed: u64, students: u32, weeks: Option<u32>) -> Result<Self, DemoError> {
        let calendar = SchoolCalendar::shipped(SchoolYear::starting(2026), Region::Zuid)?;
        Ok(Self {
            seed,
            students,
            today: calendar.last_day,
            calendar,
            weeks,
        })
    }
}

/// A demo login: username, readable password and the role it shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoLogin {
    /// Username, e.g. `demo.docent`.
    pub username: String,
    /// Password in plain text (demo only), e.g. `demo-docent-2026`.
    pub password: String,
    /// The role this login demonstrates.
    pub role: SchoolRole,
    /// The staff member's display name.
    pub name: String,
}

/// A generated school, all in memory: what `verzuim demo` loads into a fresh database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSchool {
    /// The school (BRIN [`DEMO_BRIN`], sector vo, regio zuid, two locations).
    pub school: School,
    /// The calendar used, with its school periods.
    pub calendar: SchoolCalendar,
    /// The absence-code table (Magister default, seed 004 §2.2).
    pub code_table: CodeTable,
    /// Groups, staff, students, lessons and registrations.
    pub batch: Batch,
    /// The demo logins (passwords in plain text; hash them before storing).
    pub logins: Vec<DemoLogin>,
    /// Days that have lessons, ascending.
    pub lesson_days: Vec<NaiveDate>,
}

impl DemoSchool {
    /// The day whose lessons a demo page should show for `today`: today if it has lessons,
    /// else the next day with lessons, else (after the last) the last one. `None` only when
    /// there are no lessons at all.
    pub fn next_school_day(&self, today: NaiveDate) -> Option<NaiveDate> {
        next_lesson_day(&self.lesson_days, today)
    }

    /// The demo login for `role`, if there is one.
    pub fn login(&self, role: SchoolRole) -> Option<&DemoLogin> {
        self.logins.iter().find(|l| l.role == role)
    }
}

fn next_lesson_day(days: &[NaiveDate], today: NaiveDate) -> Option<NaiveDate> {
    days.iter()
        .copied()
        .find(|d| *d >= today)
        .or_else(|| days.last().copied())
}

/// Builds a whole demo school in memory (fine up to some tens of thousands of students; use
/// [`DemoGenerator::chunks`] beyond that).
pub fn generate(spec: &DemoSpec) -> Result<DemoSchool, DemoError> {
    let generator = DemoGenerator::new(spec)?;
    let mut batch = Batch::default();
    for chunk in generator.chunks() {
        batch.groups.extend(chunk.groups);
        batch.staff.extend(chunk.staff);
        batch.students.extend(chunk.students);
        batch.lessons.extend(chunk.lessons);
        batch.registrations.extend(chunk.registrations);
    }
    Ok(DemoSchool {
        school: generator.school.clone(),
        calendar: generator.spec.calendar.clone(),
        code_table: generator.code_table.clone(),
        batch,
        logins: generator.logins.clone(),
        lesson_days: generator.lesson_days(),
    })
}

/// The streaming generator: school, calendar, code table and logins up front, then the data
/// one unit (about 1200 students with their staff) at a time.
#[derive(Debug, Clone)]
pub struct DemoGenerator {
    spec: DemoSpec,
    school: School,
    code_table: CodeTable,
    layouts: Vec<UnitLayout>,
    days: Vec<DayInfo>,
    /// How many of `days` get registrations (those up to `today`).
    reg_count: usize,
    holidays: Vec<HolidayEdge>,
    bus_day: Option<usize>,
    numbers: NumberPlan,
    logins: Vec<DemoLogin>,
}

impl DemoGenerator {
    /// Prepares the generator; cheap (builds the first unit's staff to name the logins).
    pub fn new(spec: &DemoSpec) -> Result<Self, DemoError> {
        if spec.students == 0 || spec.students > MAX_STUDENTS {
            return Err(DemoError::StudentCount(spec.students));
        }
        let school = demo_school()?;
        let mut spec = spec.clone();
        if spec.calendar.periods.is_empty() {
            // The demo school names its periods like a real one does, so the protocol's
            // "per periode" rows count in periods the school's calendar shows.
            let periods = spec.calendar.periods_or_standard();
            spec.calendar = spec.calendar.with_periods(periods)?;
        }
        let spec = &spec;
        let weeks = spec.calendar.school_weeks();
        let limit = spec
            .weeks
            .map_or(weeks.len(), |w| w as usize)
            .min(weeks.len());
        let days: Vec<DayInfo> = weeks[..limit]
            .iter()
            .enumerate()
            .flat_map(|(wi, w)| {
                w.days.iter().map(move |&date| DayInfo {
                    date,
                    weekday: date.weekday().num_days_from_monday() as usize,
                    week: wi,
                    month: date.month(),
                })
            })
            .collect();
        let reg_count = days.iter().take_while(|d| d.date <= spec.today).count();
        let holidays = spec
            .calendar
            .holidays
            .iter()
            .filter(|h| !h.name.starts_with("Zomervakantie"))
            .filter_map(|h| {
                let i = days
                    .windows(2)
                    .position(|w| w[0].date < h.first && w[1].date > h.last)?;
                Some(HolidayEdge {
                    before: (i < reg_count).then_some(i),
                    after: (i + 1 < reg_count).then_some(i + 1),
                })
            })
            .collect();
        let bus_day = (reg_count > 20).then(|| {
            let mut rng = rng_for(spec.seed, Stream::School, 1);
            rng.random_range(reg_count / 4..reg_count * 3 / 4)
        });
        let mut generator = Self {
            spec: spec.clone(),
            school,
            code_table: CodeTable::magister_default(),
            layouts: layout(spec.students),
            days,
            reg_count,
            holidays,
            bus_day,
            numbers: NumberPlan::new(spec.seed),
            logins: Vec::new(),
        };
        generator.logins = generator.make_logins();
        Ok(generator)
    }

    /// The school.
    pub fn school(&self) -> &School {
        &self.school
    }

    /// The calendar, with its school periods.
    pub fn calendar(&self) -> &SchoolCalendar {
        &self.spec.calendar
    }

    /// The absence-code table.
    pub fn code_table(&self) -> &CodeTable {
        &self.code_table
    }

    /// The demo logins (in the first chunk's staff).
    pub fn logins(&self) -> &[DemoLogin] {
        &self.logins
    }

    /// Days that get lessons, ascending.
    pub fn lesson_days(&self) -> Vec<NaiveDate> {
        self.days.iter().map(|d| d.date).collect()
    }

    /// See [`DemoSchool::next_school_day`].
    pub fn next_school_day(&self, today: NaiveDate) -> Option<NaiveDate> {
        next_lesson_day(&self.lesson_days(), today)
    }

    /// Number of chunks (units of 800 to 1800 students, about 1200 each).
    pub fn chunk_count(&self) -> usize {
        self.layouts.len()
    }

    /// Students in chunk `index` (0 past the end).
    pub fn chunk_students(&self, index: usize) -> u32 {
        self.layouts.get(index).map_or(0, UnitLayout::students)
    }

    /// Builds chunk `index`: its groups, staff, students, lessons and registrations. Chunks
    /// share nothing (codes, usernames and student numbers are unique across chunks); an
    /// index past the end gives an empty batch.
    pub fn chunk(&self, index: usize) -> Batch {
        let Some(unit_layout) = self.layouts.get(index) else {
            return Batch::default();
        };
        let structure = build_structure(
            self.spec.seed,
            index,
            unit_layout,
            self.school.brin.as_str(),
        );
        let reg_days: Vec<NaiveDate> = self.days[..self.reg_count].iter().map(|d| d.date).collect();
        let sctx = StudentContext {
            seed: self.spec.seed,
            start_year: self.spec.calendar.year.start_year(),
            first_day: self.spec.calendar.first_day,
            reg_days: &reg_days,
            holidays: &self.holidays,
            numbers: &self.numbers,
        };
        let students = build_students(&sctx, index, unit_layout, &structure);
        let origin = || Origin {
            file: ORIGIN_FILE.to_owned(),
            line: 0,
        };

        let groups = structure
            .classes
            .iter()
            .map(|c| Group {
                code: c.code.clone(),
                year_level: c.track.level,
                location: c.track.stroom.location().to_owned(),
            })
            .collect();
        let staff = structure
            .staff
            .iter()
            .map(|s| BatchStaff {
                staff: Staff {
                    username: s.username.clone(),
                    name: s.name.full(),
                    code: s.code.clone(),
                    roles: s.roles.clone(),
                },
                password_hash: None,
                origin: origin(),
            })
            .collect();
        let batch_students = students
            .iter()
            .map(|sp| {
                let class = &structure.classes[sp.class];
                BatchStudent {
                    student: sp.student.clone(),
                    group_code: Some(class.code.clone()),
                    mentor_code: structure.staff.get(class.mentor).map(|m| m.code.clone()),
                    origin: origin(),
                }
            })
            .collect();
        let per_week: usize = structure
            .classes
            .iter()
            .map(|c| c.week.iter().map(Vec::len).sum::<usize>())
            .sum();
        let mut batch = Batch {
            groups,
            staff,
            students: batch_students,
            lessons: Vec::with_capacity(per_week * self.days.len() / 5 + 1),
            registrations: Vec::new(),
        };
        for class in &structure.classes {
            for day in &self.days {
                for slot in &class.week[day.weekday] {
                    let (start, end) = period_times(slot.period);
                    batch.lessons.push(BatchLesson {
                        date: day.date,
                        period: slot.period,
                        start,
                        end,
                        group_code: class.code.clone(),
                        teacher_code: structure.staff.get(slot.teacher).map(|t| t.code.clone()),
                        subject: slot.subject.to_owned(),
                        origin: origin(),
                    });
                }
            }
        }
        let rctx = RegContext {
            seed: self.spec.seed,
            days: &self.days[..self.reg_count],
            bus_day: self.bus_day,
            origin: ORIGIN_FILE,
        };
        for (ci, class) in structure.classes.iter().enumerate() {
            let members = &students[class.first_student..class.first_student + class.size];
            class_registrations(&rctx, index, ci, class, members, &mut batch.registrations);
        }
        batch
    }

    /// All chunks in order, built one at a time as the iterator advances.
    pub fn chunks(&self) -> impl Iterator<Item = Batch> + '_ {
        (0..self.chunk_count()).map(|i| self.chunk(i))
    }

    /// Calls `f` with each chunk in order, stopping at the first error.
    pub fn for_each_chunk<E>(
        &self,
        mut f: impl FnMut(usize, Batch) -> Result<(), E>,
    ) -> Result<(), E> {
        for i in 0..self.chunk_count() {
            f(i, self.chunk(i))?;
        }
        Ok(())
    }

    fn make_logins(&self) -> Vec<DemoLogin> {
        let Some(first) = self.layouts.first() else {
            return Vec::new();
        };
        let structure = build_structure(self.spec.seed, 0, first, self.school.brin.as_str());
        let year = self.spec.calendar.year.start_year();
        LoginKind::ALL
            .iter()
            .filter_map(|&kind| {
                let member = structure.staff.iter().find(|s| s.login == Some(kind))?;
                Some(DemoLogin {
                    username: member.username.clone(),
                    password: format!("demo-{}-{year}", kind.word()),
                    role: kind.role(),
                    name: member.name.full(),
                })
            })
            .collect()
    }
}

fn demo_school() -> Result<School, ValidationError> {
    School::new(
        Brin::parse(DEMO_BRIN)?,
        DEMO_NAME,
        Sector::Vo,
        Region::Zuid,
        vec![
            Location {
                code: "00".to_owned(),
                name: "Demo College Maastricht, havo/vwo (Randwyck)".to_owned(),
            },
            Location {
                code: "01".to_owned(),
                name: "Demo College Maastricht, vmbo (Heer)".to_owned(),
            },
        ],
    )
}

/// A valid BSN (11-proef) for `seed`, different for every seed below 40 million: for tests,
/// benchmarks and hand-made fixtures that need a few numbers without a whole demo school.
pub fn test_bsn(seed: u32) -> String {
    numbers::test_bsn(seed)
}
