//! The demo school: deterministic, complete, consistent with its calendar, and showing the
//! absence patterns the law and the protocol react to.

// Helpers outside #[test] functions unwrap too: a failing unwrap is a failing test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, NaiveTime, Weekday};
use verzuim_demo::{DemoGenerator, DemoSchool, DemoSpec, generate};
use verzuim_domain::{AbsenceKind, Batch, Brin, PersonalNumber, SchoolRole, SchoolWeek, Student};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Default demo as of Monday 15 March 2027 (winter behind it, several holidays passed).
fn march() -> &'static DemoSchool {
    static DEMO: OnceLock<DemoSchool> = OnceLock::new();
    DEMO.get_or_init(|| generate(&DemoSpec::for_today(d(2027, 3, 15)).unwrap()).unwrap())
}

/// Default demo as of Monday 23 November 2026 (the date this generator was written).
fn november() -> &'static DemoSchool {
    static DEMO: OnceLock<DemoSchool> = OnceLock::new();
    DEMO.get_or_init(|| generate(&DemoSpec::for_today(d(2026, 11, 23)).unwrap()).unwrap())
}

fn students_by_number(batch: &Batch) -> HashMap<&str, (&Student, &str)> {
    batch
        .students
        .iter()
        .map(|s| {
            (
                s.student.student_number.as_str(),
                (&s.student, s.group_code.as_deref().unwrap()),
            )
        })
        .collect()
}

/// Lessons per (group, date): their start times.
fn lesson_index(batch: &Batch) -> HashMap<(&str, NaiveDate), Vec<NaiveTime>> {
    let mut out: HashMap<(&str, NaiveDate), Vec<NaiveTime>> = HashMap::new();
    for l in &batch.lessons {
        out.entry((l.group_code.as_str(), l.date))
            .or_default()
            .push(l.start);
    }
    out
}

fn week_of(weeks: &[SchoolWeek], date: NaiveDate) -> usize {
    weeks.iter().position(|w| w.days.contains(&date)).unwrap()
}

/// Unauthorized absence that counts toward the 16 hours, per student per lesweek.
fn unauthorized_per_week(demo: &DemoSchool) -> HashMap<&str, BTreeMap<usize, usize>> {
    let weeks = demo.calendar.school_weeks();
    let mut out: HashMap<&str, BTreeMap<usize, usize>> = HashMap::new();
    for r in &demo.batch.registrations {
        let code = demo.code_table.get(&r.code).unwrap();
        if code.kind == AbsenceKind::Absent && !code.authorized && code.counts_toward_legal_hours {
            *out.entry(r.student_number.as_str())
                .or_default()
                .entry(week_of(&weeks, r.date))
                .or_default() += 1;
        }
    }
    out
}

#[test]
fn same_seed_gives_identical_batches_and_another_seed_another_school() {
    let spec = DemoSpec::for_today(d(2026, 11, 23)).unwrap();
    let again = generate(&spec).unwrap();
    assert_eq!(&again, november());
    let mut other = spec.clone();
    other.seed += 1;
    let other = generate(&other).unwrap();
    assert_ne!(other.batch.students, november().batch.students);
    assert_ne!(other.batch.registrations, november().batch.registrations);
}

#[test]
fn default_demo_is_a_vo_school_in_regio_zuid_with_two_locations() {
    let demo = november();
    assert!(Brin::parse(demo.school.brin.as_str()).is_ok());
    assert_eq!(demo.school.sector, verzuim_domain::Sector::Vo);
    assert_eq!(demo.school.region, verzuim_domain::Region::Zuid);
    assert_eq!(demo.school.locations.len(), 2);
    let codes: HashSet<&str> = demo
        .school
        .locations
        .iter()
        .map(|l| l.code.as_str())
        .collect();
    assert!(
        demo.batch
            .groups
            .iter()
            .all(|g| codes.contains(g.location.as_str()))
    );
}

#[test]
fn demo_calendar_has_four_named_periods_covering_the_school_year() {
    let demo = november();
    let names: Vec<&str> = demo
        .calendar
        .periods
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(names, ["periode 1", "periode 2", "periode 3", "periode 4"]);
    assert_eq!(demo.calendar.periods[0].first, demo.calendar.first_day);
    assert_eq!(demo.calendar.periods[3].last, demo.calendar.last_day);
    assert!(
        demo.calendar
            .school_days()
            .iter()
            .all(|&day| demo.calendar.period_of(day).is_some())
    );
}

#[test]
fn the_mentor_login_is_mentor_of_a_class_so_her_inbox_has_students() {
    let demo = november();
    let login = demo.login(SchoolRole::Mentor).unwrap();
    let code = &demo
        .batch
        .staff
        .iter()
        .find(|s| s.staff.username == login.username)
        .unwrap()
        .staff
        .code;
    let mentees = demo
        .batch
        .students
        .iter()
        .filter(|s| s.mentor_code.as_ref() == Some(code))
        .count();
    assert!(mentees >= 24, "{mentees} mentees");
}

#[test]
fn default_demo_has_1200_students_in_classes_of_24_to_30_each_with_a_mentor() {
    let batch = &november().batch;
    assert_eq!(batch.students.len(), 1200);
    let mut per_group: HashMap<&str, usize> = HashMap::new();
    let mentors: HashMap<&str, &verzuim_domain::Staff> = batch
        .staff
        .iter()
        .map(|s| (s.staff.code.as_str(), &s.staff))
        .collect();
    for s in &batch.students {
        *per_group
            .entry(s.group_code.as_deref().unwrap())
            .or_default() += 1;
        let mentor = mentors[s.mentor_code.as_deref().unwrap()];
        assert!(mentor.has_role(SchoolRole::Mentor));
    }
    assert_eq!(per_group.len(), batch.groups.len());
    assert!(
        per_group.values().all(|n| (24..=30).contains(n)),
        "{per_group:?}"
    );
    // Every mentor teaches their own class.
    let taught: HashSet<(&str, &str)> = batch
        .lessons
        .iter()
        .map(|l| (l.group_code.as_str(), l.teacher_code.as_deref().unwrap()))
        .collect();
    for s in &batch.students {
        assert!(taught.contains(&(
            s.group_code.as_deref().unwrap(),
            s.mentor_code.as_deref().unwrap()
        )));
    }
    let levels: HashSet<u8> = batch.groups.iter().map(|g| g.year_level).collect();
    assert_eq!(levels, (1..=6).collect());
}

#[test]
fn staff_has_about_eighty_teachers_unique_codes_and_every_role() {
    let batch = &november().batch;
    let teachers = batch
        .staff
        .iter()
        .filter(|s| s.staff.has_role(SchoolRole::Teacher))
        .count();
    assert!((70..=95).contains(&teachers), "{teachers} docenten");
    let codes: HashSet<&str> = batch.staff.iter().map(|s| s.staff.code.as_str()).collect();
    assert_eq!(codes.len(), batch.staff.len());
    let usernames: HashSet<&str> = batch
        .staff
        .iter()
        .map(|s| s.staff.username.as_str())
        .collect();
    assert_eq!(usernames.len(), batch.staff.len());
    for s in &batch.staff {
        s.staff.validate().unwrap();
        if s.staff.has_role(SchoolRole::Teacher) {
            assert_eq!(s.staff.code.len(), 3, "{}", s.staff.code);
        }
        assert!(s.password_hash.is_none());
    }
    for role in SchoolRole::ALL {
        assert!(
            batch.staff.iter().any(|s| s.staff.has_role(role)),
            "{role:?}"
        );
    }
}

#[test]
fn all_personal_numbers_are_valid_unique_and_a_few_are_onderwijsnummers() {
    let batch = &november().batch;
    let mut seen = HashSet::new();
    let mut onderwijsnummers = 0;
    for s in &batch.students {
        let n = s.student.personal_number.as_str();
        let parsed = PersonalNumber::parse(n).unwrap();
        assert_eq!(&parsed, &s.student.personal_number);
        if matches!(parsed, PersonalNumber::Onderwijsnummer(_)) {
            onderwijsnummers += 1;
        }
        assert!(seen.insert(n.to_owned()), "{n} twice");
        s.student.validate().unwrap();
    }
    assert!((1..=5).contains(&onderwijsnummers));
    let numbers: HashSet<&str> = batch
        .students
        .iter()
        .map(|s| s.student.student_number.as_str())
        .collect();
    assert_eq!(numbers.len(), batch.students.len());
}

#[test]
fn ages_match_the_leerjaar_and_some_students_are_sixteen_to_eighteen() {
    let demo = november();
    let levels: HashMap<&str, u8> = demo
        .batch
        .groups
        .iter()
        .map(|g| (g.code.as_str(), g.year_level))
        .collect();
    let oct1 = d(2026, 10, 1);
    let mut ages: BTreeMap<i32, usize> = BTreeMap::new();
    for s in &demo.batch.students {
        let b = s.student.birth_date;
        let mut age = oct1.year() - b.year();
        if (b.month(), b.day()) > (oct1.month(), oct1.day()) {
            age -= 1;
        }
        let level = i32::from(levels[s.group_code.as_deref().unwrap()]);
        assert!(
            (11 + level - 1..=11 + level + 2).contains(&age),
            "age {age} in leerjaar {level}"
        );
        *ages.entry(age).or_default() += 1;
    }
    assert!(ages.keys().all(|a| (11..=19).contains(a)), "{ages:?}");
    assert!(ages.get(&16).copied().unwrap_or(0) > 20, "{ages:?}");
    assert!(ages.get(&17).copied().unwrap_or(0) > 5, "{ages:?}");
    assert!(
        ages.range(18..).map(|(_, n)| n).sum::<usize>() >= 1,
        "{ages:?}"
    );
}

#[test]
fn students_live_around_maastricht_and_one_or_two_abroad() {
    let known = [
        "0935", "0888", "0938", "0994", "1903", "0986", "0917", "0928",
    ];
    let batch = &november().batch;
    let abroad = batch
        .students
        .iter()
        .filter(|s| s.student.residence.is_none())
        .count();
    assert!((1..=2).contains(&abroad));
    let mut seen = HashSet::new();
    for s in &batch.students {
        if let Some(g) = &s.student.residence {
            assert!(known.contains(&g.as_str()), "{g}");
            seen.insert(g.as_str().to_owned());
        }
    }
    assert_eq!(seen.len(), known.len());
}

#[test]
fn most_students_are_enrolled_from_the_start_a_few_joined_or_left_during_the_year() {
    let demo = november();
    let first = demo.calendar.first_day;
    let joined = demo
        .batch
        .students
        .iter()
        .filter(|s| s.student.enrolled_from > first)
        .count();
    let left = demo
        .batch
        .students
        .iter()
        .filter(|s| s.student.enrolled_until.is_some())
        .count();
    assert!((5..=20).contains(&joined), "{joined}");
    assert!((3..=15).contains(&left), "{left}");
}

#[test]
fn every_lesson_is_on_a_school_day_within_the_day_and_fifty_minutes() {
    let demo = march();
    let mut days = HashSet::new();
    for l in &demo.batch.lessons {
        assert!(demo.calendar.is_school_day(l.date), "{}", l.date);
        assert_eq!((l.end - l.start).num_minutes(), 50);
        assert!(l.start >= NaiveTime::from_hms_opt(8, 30, 0).unwrap());
        assert!(l.end <= NaiveTime::from_hms_opt(16, 10, 0).unwrap());
        assert!((1..=8).contains(&l.period));
        days.insert(l.date);
    }
    // Lessons on every school day of the year, also after today.
    assert_eq!(days.len(), demo.calendar.school_days().len());
    assert!(!days.contains(&d(2026, 12, 24)) && !days.contains(&d(2027, 3, 29)));
}

#[test]
fn every_class_has_thirty_two_lessons_in_a_full_week_and_no_teacher_is_in_two_places() {
    let batch = &march().batch;
    let week: Vec<NaiveDate> = (0..5)
        .map(|i| d(2026, 11, 23) + chrono::Days::new(i))
        .collect();
    let mut per_group: HashMap<&str, usize> = HashMap::new();
    let mut teacher_at: HashSet<(&str, NaiveDate, NaiveTime)> = HashSet::new();
    for l in batch.lessons.iter().filter(|l| week.contains(&l.date)) {
        *per_group.entry(l.group_code.as_str()).or_default() += 1;
        assert!(
            teacher_at.insert((l.teacher_code.as_deref().unwrap(), l.date, l.start)),
            "{:?} twice at {} {}",
            l.teacher_code,
            l.date,
            l.start
        );
    }
    assert!(per_group.values().all(|&n| n == 32), "{per_group:?}");
    let subjects: HashSet<&str> = batch.lessons.iter().map(|l| l.subject.as_str()).collect();
    for s in [
        "NE", "EN", "WI", "BI", "GS", "AK", "LO", "DU", "FA", "EC", "NASK",
    ] {
        assert!(subjects.contains(s), "{s}");
    }
}

#[test]
fn registrations_fall_on_lessons_of_the_students_class_while_enrolled_up_to_today() {
    for (demo, today) in [(march(), d(2027, 3, 15)), (november(), d(2026, 11, 23))] {
        let students = students_by_number(&demo.batch);
        let lessons = lesson_index(&demo.batch);
        let mut seen = HashSet::new();
        for r in &demo.batch.registrations {
            let (student, group) = students[r.student_number.as_str()];
            assert!(r.date <= today);
            assert!(demo.calendar.is_school_day(r.date));
            assert!(
                student.enrolled_on(r.date),
                "{} {}",
                r.student_number,
                r.date
            );
            assert!(lessons[&(group, r.date)].contains(&r.start));
            demo.code_table.require("code", &r.code).unwrap();
            let late = demo.code_table.get(&r.code).unwrap().kind == AbsenceKind::Late;
            assert_eq!(late, r.minutes_late.is_some(), "{}", r.code);
            assert!(
                seen.insert((r.student_number.as_str(), r.date, r.start)),
                "double registration"
            );
        }
    }
}

#[test]
fn about_three_to_six_percent_of_lesson_places_are_registered() {
    for (demo, today) in [(march(), d(2027, 3, 15)), (november(), d(2026, 11, 23))] {
        let lessons = lesson_index(&demo.batch);
        let mut places = 0usize;
        for s in &demo.batch.students {
            for ((group, date), starts) in &lessons {
                if *group == s.group_code.as_deref().unwrap()
                    && *date <= today
                    && s.student.enrolled_on(*date)
                {
                    places += starts.len();
                }
            }
        }
        let share = demo.batch.registrations.len() as f64 / places as f64;
        assert!(
            (0.03..=0.06).contains(&share),
            "{share:.4} of {places} on {today}"
        );
    }
}

#[test]
fn registrations_use_the_codes_a_real_school_uses() {
    let demo = march();
    let mut count: BTreeMap<&str, usize> = BTreeMap::new();
    for r in &demo.batch.registrations {
        *count.entry(r.code.as_str()).or_default() += 1;
    }
    for code in [
        "ZK", "ON", "SP", "SA", "TO", "TG", "MB", "UI", "EA", "ST", "BZ", "VE", "SC", "VP", "IB",
        "DV",
    ] {
        assert!(count.contains_key(code), "{code} missing: {count:?}");
    }
    // Illness is by far the most common reason.
    let zk = count["ZK"];
    assert!(
        count.iter().all(|(c, n)| *c == "ZK" || *n < zk),
        "{count:?}"
    );
}

#[test]
fn illness_peaks_in_winter() {
    let demo = march();
    let sick_in = |from: NaiveDate, to: NaiveDate| {
        demo.batch
            .registrations
            .iter()
            .filter(|r| {
                r.code == "ZK" && r.date >= from && r.date <= to && !r.note.starts_with("langdurig")
            })
            .count() as f64
            / demo
                .calendar
                .school_days()
                .iter()
                .filter(|x| **x >= from && **x <= to)
                .count() as f64
    };
    let autumn = sick_in(d(2026, 9, 1), d(2026, 10, 31));
    let winter = sick_in(d(2026, 12, 1), d(2027, 2, 28));
    assert!(
        winter > autumn * 1.4,
        "winter {winter:.1} per day vs autumn {autumn:.1}"
    );
}

#[test]
fn a_student_is_absent_without_reason_every_lesson_for_more_than_four_lesweken() {
    for demo in [march(), november()] {
        let weeks = demo.calendar.school_weeks();
        let students = students_by_number(&demo.batch);
        let lessons = lesson_index(&demo.batch);
        let unauthorized: HashMap<&str, HashSet<(NaiveDate, NaiveTime)>> = {
            let mut m: HashMap<&str, HashSet<(NaiveDate, NaiveTime)>> = HashMap::new();
            for r in &demo.batch.registrations {
                let c = demo.code_table.get(&r.code).unwrap();
                if !c.authorized && c.kind == AbsenceKind::Absent {
                    m.entry(r.student_number.as_str())
                        .or_default()
                        .insert((r.date, r.start));
                }
            }
            m
        };
        let today = demo
            .batch
            .registrations
            .iter()
            .map(|r| r.date)
            .max()
            .unwrap();
        let best = unauthorized
            .iter()
            .map(|(number, absent)| {
                let group = students[number].1;
                let mut run = 0;
                let mut best = 0;
                for w in weeks.iter().filter(|w| w.monday <= today) {
                    let all = w.days.iter().filter(|x| **x <= today).all(|day| {
                        lessons[&(group, *day)]
                            .iter()
                            .all(|start| absent.contains(&(*day, *start)))
                    });
                    run = if all { run + 1 } else { 0 };
                    best = best.max(run);
                }
                best
            })
            .max()
            .unwrap();
        assert!(
            best > 4,
            "longest continuous unauthorized absence: {best} lesweken"
        );
    }
}

#[test]
fn a_truant_reaches_sixteen_unauthorized_lesuren_in_four_consecutive_lesweken() {
    for demo in [march(), november()] {
        let per_week = unauthorized_per_week(demo);
        let long_absent: Vec<&str> = per_week
            .iter()
            .filter(|(_, w)| w.values().filter(|n| **n >= 25).count() >= 4)
            .map(|(s, _)| *s)
            .collect();
        let reaching: Vec<&str> = per_week
            .iter()
            .filter(|(s, _)| !long_absent.contains(s))
            .filter(|(_, weeks)| {
                weeks.keys().any(|&w| {
                    (w..w + 4)
                        .map(|x| weeks.get(&x).copied().unwrap_or(0))
                        .sum::<usize>()
                        >= 16
                })
            })
            .map(|(s, _)| *s)
            .collect();
        assert!(!reaching.is_empty());
        // ... and others stay below it: the signal means something.
        assert!(
            reaching.len() < 10,
            "{} students reach 16 hours",
            reaching.len()
        );
    }
}

#[test]
fn a_late_comer_is_late_without_reason_six_times_or_more_in_a_period() {
    for demo in [march(), november()] {
        let weeks = demo.calendar.school_weeks();
        let mut late: HashMap<&str, Vec<usize>> = HashMap::new();
        for r in demo.batch.registrations.iter().filter(|r| r.code == "TO") {
            assert!(r.minutes_late.unwrap() >= 1);
            late.entry(r.student_number.as_str())
                .or_default()
                .push(week_of(&weeks, r.date));
        }
        // A period (periode) of ten lesweken.
        let in_a_period = |ws: &Vec<usize>| {
            ws.iter()
                .any(|&w| ws.iter().filter(|&&x| x >= w && x < w + 10).count() >= 6)
        };
        let count = late.values().filter(|ws| in_a_period(ws)).count();
        assert!(count >= 1, "no late-comer with 6 TO in a period");
    }
}

#[test]
fn a_family_extends_a_holiday_by_missing_the_school_day_before_or_after_it() {
    let demo = march();
    let lessons = lesson_index(&demo.batch);
    let students = students_by_number(&demo.batch);
    // Friday 18 December 2026 before kerstvakantie, Monday 4 January 2027 after it.
    for day in [
        d(2026, 12, 18),
        d(2027, 1, 4),
        d(2026, 10, 16),
        d(2026, 10, 26),
    ] {
        let mut per_student: HashMap<&str, Vec<&str>> = HashMap::new();
        for r in demo.batch.registrations.iter().filter(|r| r.date == day) {
            per_student
                .entry(r.student_number.as_str())
                .or_default()
                .push(r.code.as_str());
        }
        let whole_day_on = per_student.iter().any(|(s, codes)| {
            let group = students[s].1;
            codes.len() == lessons[&(group, day)].len() && codes.iter().all(|c| *c == "ON")
        });
        assert!(whole_day_on, "nobody missing all of {day} without reason");
    }
    assert!(
        demo.batch
            .registrations
            .iter()
            .any(|r| r.code == "VE" && r.note.contains("werkgeversverklaring"))
    );
}

#[test]
fn unexplained_absence_is_mostly_replaced_but_some_on_stays() {
    let demo = march();
    let today = d(2027, 3, 15);
    let old = |r: &&verzuim_domain::BatchRegistration| (today - r.date).num_days() > 14;
    let on_old = demo
        .batch
        .registrations
        .iter()
        .filter(old)
        .filter(|r| r.code == "ON")
        .count();
    let sp_old = demo
        .batch
        .registrations
        .iter()
        .filter(old)
        .filter(|r| r.code == "SP" || r.code == "SA")
        .count();
    assert!(
        on_old > 0 && sp_old > on_old,
        "old ON {on_old}, SP/SA {sp_old}"
    );
    let recent_on = demo
        .batch
        .registrations
        .iter()
        .filter(|r| r.date == today && r.code == "ON")
        .count();
    assert!(recent_on > 0);
}

#[test]
fn the_demo_docent_has_lessons_on_the_next_school_day_whatever_today_is() {
    let demo = november();
    let docent = demo.login(SchoolRole::Teacher).unwrap();
    let code = &demo
        .batch
        .staff
        .iter()
        .find(|s| s.staff.username == docent.username)
        .unwrap()
        .staff
        .code;
    let mentor = demo.login(SchoolRole::Mentor).unwrap();
    let mentor_code = &demo
        .batch
        .staff
        .iter()
        .find(|s| s.staff.username == mentor.username)
        .unwrap()
        .staff
        .code;
    let mut day = d(2026, 8, 1);
    while day <= d(2027, 8, 31) {
        let school_day = demo.next_school_day(day).unwrap();
        assert!(demo.calendar.is_school_day(school_day));
        if day <= demo.calendar.last_day {
            assert!(school_day >= day);
        }
        if demo.calendar.is_school_day(day) {
            assert_eq!(school_day, day);
        }
        for c in [code, mentor_code] {
            assert!(
                demo.batch
                    .lessons
                    .iter()
                    .any(|l| l.date == school_day && l.teacher_code.as_ref() == Some(c)),
                "{c} has no lessons on {school_day}"
            );
        }
        day = day.succ_opt().unwrap();
    }
    assert_eq!(demo.next_school_day(d(2026, 11, 21)), Some(d(2026, 11, 23)));
    assert_eq!(d(2026, 11, 23).weekday(), Weekday::Mon);
}

#[test]
fn demo_logins_cover_docent_mentor_coordinator_teamleider_receptie_and_admin() {
    let demo = november();
    let roles = [
        SchoolRole::Teacher,
        SchoolRole::Mentor,
        SchoolRole::AttendanceCoordinator,
        SchoolRole::TeamLeader,
        SchoolRole::Reception,
        SchoolRole::Admin,
    ];
    assert_eq!(demo.logins.len(), roles.len());
    for role in roles {
        let login = demo.login(role).unwrap();
        assert!(
            login.password.len() >= 10 && login.password.ends_with("2026"),
            "{}",
            login.password
        );
        let staff = demo
            .batch
            .staff
            .iter()
            .find(|s| s.staff.username == login.username)
            .unwrap();
        assert!(staff.staff.has_role(role));
        assert_eq!(staff.staff.name, login.name);
    }
    assert_eq!(
        demo.login(SchoolRole::Teacher).unwrap().username,
        "demo.docent"
    );
    assert_eq!(
        demo.login(SchoolRole::Teacher).unwrap().password,
        "demo-docent-2026"
    );
}

#[test]
fn before_the_school_year_there_are_lessons_but_no_registrations() {
    let demo = generate(&DemoSpec::for_today(d(2026, 8, 10)).unwrap()).unwrap();
    assert!(demo.batch.registrations.is_empty());
    assert!(!demo.batch.lessons.is_empty());
    assert_eq!(demo.next_school_day(d(2026, 8, 10)), Some(d(2026, 8, 24)));
}

#[test]
fn a_weeks_limit_keeps_lessons_and_registrations_to_the_first_lesweken() {
    let spec = DemoSpec::for_benchmark(9, 3000, Some(2)).unwrap();
    let demo = generate(&spec).unwrap();
    let weeks = spec.calendar.school_weeks();
    let last = *weeks[1].days.last().unwrap();
    assert!(demo.batch.lessons.iter().all(|l| l.date <= last));
    assert!(demo.batch.registrations.iter().all(|r| r.date <= last));
    assert!(
        demo.batch
            .registrations
            .iter()
            .any(|r| r.date > weeks[0].monday + chrono::Days::new(6))
    );
    assert_eq!(demo.batch.students.len(), 3000);
}

#[test]
fn chunks_are_independent_units_with_unique_keys_across_the_school() {
    let spec = DemoSpec::for_benchmark(3, 5000, Some(1)).unwrap();
    let generator = DemoGenerator::new(&spec).unwrap();
    assert_eq!(generator.chunk_count(), 4);
    let mut groups = HashSet::new();
    let mut staff = HashSet::new();
    let mut usernames = HashSet::new();
    let mut students = HashSet::new();
    let mut bsns = HashSet::new();
    let mut total = 0;
    generator
        .for_each_chunk(|i, chunk| {
            assert_eq!(chunk.students.len() as u32, generator.chunk_students(i));
            let own: HashSet<&str> = chunk.staff.iter().map(|s| s.staff.code.as_str()).collect();
            assert!(
                chunk
                    .lessons
                    .iter()
                    .all(|l| own.contains(l.teacher_code.as_deref().unwrap()))
            );
            for g in &chunk.groups {
                assert!(groups.insert(g.code.clone()), "{}", g.code);
            }
            for s in &chunk.staff {
                assert!(staff.insert(s.staff.code.clone()), "{}", s.staff.code);
                assert!(usernames.insert(s.staff.username.clone()));
            }
            for s in &chunk.students {
                assert!(students.insert(s.student.student_number.clone()));
                assert!(bsns.insert(s.student.personal_number.clone()));
            }
            total += chunk.students.len();
            Ok::<(), ()>(())
        })
        .unwrap();
    assert_eq!(total, 5000);
    // A chunk comes out the same alone as in sequence.
    assert_eq!(generator.chunk(3), generator.chunks().nth(3).unwrap());
}

#[test]
fn tiny_and_impossible_student_counts() {
    let mut spec = DemoSpec::for_benchmark(1, 1, Some(1)).unwrap();
    let demo = generate(&spec).unwrap();
    assert_eq!(demo.batch.students.len(), 1);
    spec.students = 0;
    assert!(generate(&spec).is_err());
}
