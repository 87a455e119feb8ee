#![allow(clippy::unwrap_used, missing_docs)]
use chrono::{Days, NaiveDate, NaiveTime};
use verzuim_domain::{Region, SchoolYear, Sector};
use verzuim_law::*;
fn main() {
    let school = SchoolSettings {
        brin: None,
        sector: Sector::Vo,
        lesson_minutes: 50,
        counting: CountingSetting::Auto,
        mbo_all_in_lesuren: false,
        leave_codes: vec!["VE".into()],
    };
    let cal = CalendarInput {
        school_year: SchoolYear::starting(2026),
        region: Region::Zuid,
        first_day: None,
        last_day: None,
        holidays: None,
        free_days: vec![],
    };
    let engine = Engine::new(&school, &cal, &[], &[]).unwrap();
    let codes: Vec<&str> = std::env::var("CODES")
        .unwrap_or("SP,ZK,ON,TO,ZK,VE".into())
        .split(",")
        .map(|s| &*Box::leak(s.to_string().into_boxed_str()))
        .collect();
    let n: usize = std::env::var("N")
        .map(|r| r.parse().unwrap())
        .unwrap_or(100_000);
    let mut students = Vec::new();
    let mut regs = Vec::new();
    let mut x: u64 = 12345;
    for i in 0..n {
        let id = format!("{i}");
        students.push(StudentInput {
            id: id.clone(),
            birth_date: NaiveDate::from_ymd_opt(2011, 5, 5).unwrap(),
            start_qualification: false,
            enrolled_from: NaiveDate::from_ymd_opt(2020, 8, 1).unwrap(),
            enrolled_until: None,
            lives_abroad: false,
            school_years_completed: None,
            sector: None,
            group: None,
            exemptions: vec![],
            prior_meldingen: vec![],
            suspect: vec![],
        });
        let mut r = Vec::new();
        for _ in 0..std::env::var("REGS").map(|r| r.parse().unwrap()).unwrap_or(50usize) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let day = (x % 320) as u64;
            let l = ((x >> 20) % 8) as u32;
            let s = 8 * 60 + 30 + 50 * l;
            r.push(RegistrationInput {
                id: None,
                student: id.clone(),
                date: NaiveDate::from_ymd_opt(2026, 8, 24)
                    .unwrap()
                    .checked_add_days(Days::new(day))
                    .unwrap(),
                start: NaiveTime::from_hms_opt(s / 60, s % 60, 0).unwrap(),
                end: NaiveTime::from_hms_opt((s + 50) / 60, (s + 50) % 60, 0).unwrap(),
                code: codes[((x >> 40) as usize) % codes.len()].into(),
                minutes_late: None,
                lesuren: None,
            });
        }
        regs.push(r);
    }
    let today = NaiveDate::from_ymd_opt(2027, 7, 31).unwrap();
    let t0 = std::time::Instant::now();
    let mut m = 0;
    let mut ex = 0;
    for i in (0..n).cycle().take(
        n * std::env::var("REP")
            .map(|r| r.parse().unwrap())
            .unwrap_or(1),
    ) {
        let e = engine
            .evaluate_student(&students[i], &regs[i], &[], today)
            .unwrap();
        m += e.meldingen.len();
        ex += e.exclusions.len();
    }
    let el = t0.elapsed();
    println!(
        "{n} students: {:?} ({} meldingen, {} exclusions) => 1M est {:?} single core",
        el,
        m,
        ex,
        el * 10
    );
}
