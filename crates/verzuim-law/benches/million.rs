//! The law engine on a million students, against the same 16-uur rule in DuckDB.
//!
//! ```text
//! cargo bench -p verzuim-law --bench million
//! VERZUIM_BENCH_STUDENTS=100000 cargo bench -p verzuim-law --bench million
//! ```
//!
//! 1. Generates the demo school (`verzuim-demo`, seed `VERZUIM_BENCH_SEED`, default 2026) for
//!    `VERZUIM_BENCH_STUDENTS` students (default 1,000,000) over the whole 2026-2027 school year,
//!    on 2 threads, keeping the registrations compactly (16-byte rows: student, day, start, end,
//!    minutes late, code, as a store keeps them, with an index of each student's rows) and
//!    writing the same facts for DuckDB as CSV into `target/bench-law/` (not timed).
//! 2. Runs the engine on 2 threads (`std::thread::scope`). Each thread takes the next school
//!    part (≤ 1,200 students), builds its [`Engine`], maps the part's day and code numbers to the
//!    engine's, and per student turns its rows into [`CompactRegistration`]s (a reused buffer)
//!    and calls [`Engine::evaluate_compact`] (every rule), `today` = the last school day. Timed,
//!    all of it: wall clock from releasing the threads until the last one is done, and the CPU
//!    time of both. The answers are kept (meldingen in full, exclusions as facts); the Dutch
//!    texts of the exclusions are written after the clock stops, to count excluded students.
//!    `VERZUIM_BENCH_RUNS=n` runs the engine n times and reports the last run.
//! 3. Runs `python3 bench/law/duckdb_16uur.py` (DuckDB, 2 threads) on the CSV files: load time and
//!    query time of `bench/law/sixteen_hours.sql`, printed apart.
//! 4. Prints both figures, their ratio, and whether the engine's 16-uur meldingen (V3 + V4) are
//!    the same as DuckDB's for every student the engine did not exclude.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::error::Error;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Barrier, Mutex};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, NaiveTime, Timelike};
use verzuim_demo::{DemoGenerator, DemoSpec};
use verzuim_domain::{AbsenceCode, Batch, CodeTable, SchoolCalendar, Sector};
use verzuim_law::{
    CalendarInput, CompactRegistration, CountingSetting, Engine, MeldingKind, NotReported,
    SchoolSettings, StudentInput, StudentOutcome,
};

type BoxError = Box<dyn Error + Send + Sync>;

/// Threads for generating, for the engine and for DuckDB.
const THREADS: usize = 2;

/// A registration kept compactly until its part is evaluated.
#[derive(Debug, Clone, Copy)]
struct Reg {
    /// Index of the student within the part.
    student: u32,
    /// Index into the day list (school days of the year).
    day: u16,
    /// Start and end, minutes after midnight.
    start: u16,
    end: u16,
    /// Minutes late, 0 when none.
    minutes_late: u16,
    /// Index into the code table.
    code: u8,
}

/// One school part, compact.
struct Part {
    /// Global index of the part's first student (the student key in the CSV files).
    first_student: u32,
    students: Vec<StudentInput>,
    /// Sorted by student, day, start.
    regs: Vec<Reg>,
    /// Student `k`'s registrations are `regs[starts[k]..starts[k + 1]]`.
    starts: Vec<u32>,
}

/// A 16-uur melding reduced to what both sides compute.
type Key = (u32, NaiveDate, NaiveDate);

fn main() -> Result<(), BoxError> {
    let students: u32 = env_or("VERZUIM_BENCH_STUDENTS", 1_000_000)?;
    let seed: u64 = env_or("VERZUIM_BENCH_SEED", 2026)?;
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| manifest.join("../.."));
    let out_dir = std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("bench-law");
    std::fs::create_dir_all(&out_dir)?;

    let spec = DemoSpec::for_benchmark(seed, students, None)?;
    let generator = DemoGenerator::new(&spec)?;
    let calendar = generator.calendar().clone();
    let today = calendar.last_day;
    let code_table = generator.code_table().clone();
    let days = generator.lesson_days();
    let weeks = lesweek_of_days(&calendar, &days);

    // 1. Generate (not timed as engine work).
    println!(
        "verzuim-law million: {students} students, seed {seed}, school year {} (today {today}), {} parts, {THREADS} threads",
        calendar.year,
        generator.chunk_count()
    );
    let started = Instant::now();
    write_side_tables(&out_dir, &days, &weeks, &code_table)?;
    let parts = generate(&generator, &days, &code_table, &out_dir)?;
    let n_students: usize = parts.iter().map(|p| p.students.len()).sum();
    let n_regs: usize = parts.iter().map(|p| p.regs.len()).sum();
    println!(
        "generated {n_students} students, {n_regs} registrations in {:.1?} (not timed; CSV for DuckDB in {})",
        started.elapsed(),
        out_dir.display()
    );

    // 2. The engine.
    let school = school_settings();
    let calendar_input = CalendarInput::from(&calendar);
    // Extra runs first when asked (`VERZUIM_BENCH_RUNS`, default 1): to warm up, to see the
    // spread on a shared machine, or to give a profiler more samples. The last run is reported.
    let runs: u32 = env_or("VERZUIM_BENCH_RUNS", 1)?;
    for k in 1..runs {
        let run = run_engine(
            &parts,
            &school,
            &calendar_input,
            code_table.codes(),
            &days,
            today,
        )?;
        println!(
            "engine run {k}/{runs}: {:.3} s, CPU {:.3} s",
            run.wall.as_secs_f64(),
            run.cpu.as_secs_f64()
        );
    }
    let run = run_engine(
        &parts,
        &school,
        &calendar_input,
        code_table.codes(),
        &days,
        today,
    )?;
    let engine_s = run.wall.as_secs_f64();
    println!();
    println!("engine ({THREADS} threads, today {today}):");
    println!(
        "  time {engine_s:.3} s (all timed: Engine::new per part {:.3} s summed over the threads, stored rows to CompactRegistration, evaluate)",
        run.setup.as_secs_f64(),
    );
    println!(
        "  {:.0} students/s, {:.0} registrations/s",
        n_students as f64 / engine_s,
        n_regs as f64 / engine_s
    );
    let cpu_s = run.cpu.as_secs_f64();
    println!(
        "  CPU time evaluating {:.3} s on {THREADS} threads = {:.3} s per core ({:.0}% of the evaluate wall time; below 100%: other processes had the cores) = {:.1} µs per student",
        cpu_s,
        cpu_s / THREADS as f64,
        100.0 * cpu_s / THREADS as f64 / engine_s,
        cpu_s * 1e6 / n_students as f64
    );
    for (kind, count) in &run.by_kind {
        println!("  {:<22} {count}", format!("{kind:?}"));
    }
    println!(
        "  students excluded (abroad, no plicht, outside enrolment, vrijstelling): {}",
        run.excluded.len()
    );
    drop(parts);

    // 3. DuckDB.
    println!();
    let script = root.join("bench/law/duckdb_16uur.py");
    let pattern = out_dir.join("registrations_*.csv");
    println!(
        "duckdb ({THREADS} threads): python3 {} {}",
        script.display(),
        pattern.display()
    );
    let duck = run_duckdb(&script, &pattern)?;
    let Some(duck) = duck else {
        println!();
        println!("engine {engine_s:.3} s; DuckDB skipped");
        return Ok(());
    };
    println!(
        "  load {:.3} s (CPU {:.3} s), query {:.3} s (CPU {:.3} s), {} meldingen for {} students",
        duck.load_s, duck.load_cpu_s, duck.query_s, duck.query_cpu_s, duck.meldingen, duck.students
    );

    // 4. Compare.
    let sql = read_duckdb_meldingen(&out_dir.join("duckdb_meldingen.csv"))?;
    // DuckDB gets the same student facts (birth date, startkwalificatie, enrolment, abroad),
    // so every student is compared; only a vrijstelling (none in the demo) is left out.
    let agreement = compare(&run.sixteen, &sql, &run.exempt);
    println!();
    println!("16 uur in 4 weken (V3 + V4), engine vs DuckDB:");
    println!(
        "  engine {engine_s:.3} s | DuckDB query {:.3} s (+ load {:.3} s) | DuckDB/engine {:.1}x (with load {:.1}x)",
        duck.query_s,
        duck.load_s,
        duck.query_s / engine_s,
        (duck.query_s + duck.load_s) / engine_s
    );
    let engine_cpu = run.cpu.as_secs_f64();
    println!(
        "  CPU time: engine {engine_cpu:.3} s | DuckDB query {:.3} s (+ load {:.3} s) | DuckDB/engine {:.1}x (with load {:.1}x)",
        duck.query_cpu_s,
        duck.load_cpu_s,
        duck.query_cpu_s / engine_cpu,
        (duck.query_cpu_s + duck.load_cpu_s) / engine_cpu
    );
    agreement.print(&run.all);
    if !agreement.agrees() {
        return Err("MISMATCH between the engine and DuckDB (see above)".into());
    }
    Ok(())
}

/// CPU time of the calling thread in nanoseconds (Linux `/proc/thread-self/schedstat`), so the
/// engine's figure can be checked against what other processes on the machine take away.
fn thread_cpu_ns() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    text.split_whitespace().next()?.parse().ok()
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> Result<T, BoxError>
where
    T::Err: Error + Send + Sync + 'static,
{
    match std::env::var(name) {
        Ok(v) => Ok(v.trim().replace('_', "").parse()?),
        Err(_) => Ok(default),
    }
}

/// Lesweek index (0, 1, …) of every school day: weeks with at least one school day, in order.
fn lesweek_of_days(calendar: &SchoolCalendar, days: &[NaiveDate]) -> Vec<u16> {
    let weeks = calendar.school_weeks();
    let mut index: HashMap<NaiveDate, u16> = HashMap::new();
    for (i, w) in weeks.iter().enumerate() {
        for d in &w.days {
            index.insert(*d, i as u16);
        }
    }
    days.iter()
        .map(|d| index.get(d).copied().unwrap_or(u16::MAX))
        .collect()
}

fn write_side_tables(
    dir: &Path,
    days: &[NaiveDate],
    weeks: &[u16],
    codes: &CodeTable,
) -> Result<(), BoxError> {
    let mut w = BufWriter::new(File::create(dir.join("lesweek.csv"))?);
    writeln!(w, "date,lesweek")?;
    for (d, wk) in days.iter().zip(weeks) {
        writeln!(w, "{d},{wk}")?;
    }
    w.flush()?;
    let mut w = BufWriter::new(File::create(dir.join("codes.csv"))?);
    writeln!(w, "code,counts")?;
    for c in codes.codes() {
        writeln!(
            w,
            "{},{}",
            c.code,
            !c.authorized && c.counts_toward_legal_hours
        )?;
    }
    w.flush()?;
    Ok(())
}

/// Generates every part on [`THREADS`] threads, keeps it compactly and writes its
/// registrations to `registrations_<thread>.csv`.
fn generate(
    generator: &DemoGenerator,
    days: &[NaiveDate],
    codes: &CodeTable,
    dir: &Path,
) -> Result<Vec<Part>, BoxError> {
    let day_index: HashMap<NaiveDate, u16> = days
        .iter()
        .enumerate()
        .map(|(i, d)| (*d, i as u16))
        .collect();
    let day_text: Vec<String> = days.iter().map(ToString::to_string).collect();
    let code_index: HashMap<&str, u8> = codes
        .codes()
        .iter()
        .enumerate()
        .map(|(i, c)| (c.code.as_str(), i as u8))
        .collect();
    let n = generator.chunk_count();
    // Global index of each part's first student.
    let mut firsts = Vec::with_capacity(n);
    let mut acc = 0u32;
    for i in 0..n {
        firsts.push(acc);
        acc += generator.chunk_students(i);
    }
    let results: Mutex<Vec<(usize, Part)>> = Mutex::new(Vec::with_capacity(n));
    std::thread::scope(|s| -> Result<(), BoxError> {
        let handles: Vec<_> = (0..THREADS)
            .map(|t| {
                let (day_index, day_text, code_index, firsts, results) =
                    (&day_index, &day_text, &code_index, &firsts, &results);
                s.spawn(move || -> Result<(), BoxError> {
                    let path = dir.join(format!("registrations_{t}.csv"));
                    let mut w = BufWriter::with_capacity(1 << 20, File::create(path)?);
                    writeln!(w, "student,date,code")?;
                    let path = dir.join(format!("students_{t}.csv"));
                    let mut ws = BufWriter::new(File::create(path)?);
                    writeln!(
                        ws,
                        "student,birth_date,start_qualification,enrolled_from,enrolled_until,lives_abroad"
                    )?;
                    for i in (t..n).step_by(THREADS) {
                        let batch = generator.chunk(i);
                        let part = compact(batch, firsts[i], day_index, code_index)?;
                        for (k, st) in part.students.iter().enumerate() {
                            writeln!(
                                ws,
                                "{},{},{},{},{},{}",
                                part.first_student + k as u32,
                                st.birth_date,
                                st.start_qualification,
                                st.enrolled_from,
                                st.enrolled_until.map_or(String::new(), |d| d.to_string()),
                                st.lives_abroad
                            )?;
                        }
                        for r in &part.regs {
                            writeln!(
                                w,
                                "{},{},{}",
                                part.first_student + r.student,
                                day_text[r.day as usize],
                                codes.codes()[r.code as usize].code
                            )?;
                        }
                        results
                            .lock()
                            .map_err(|_| "a generating thread panicked")?
                            .push((i, part));
                    }
                    w.flush()?;
                    ws.flush()?;
                    Ok(())
                })
            })
            .collect();
        for h in handles {
            h.join().map_err(|_| "a generating thread panicked")??;
        }
        Ok(())
    })?;
    let mut parts = results
        .into_inner()
        .map_err(|_| "a generating thread panicked")?;
    parts.sort_by_key(|(i, _)| *i);
    Ok(parts.into_iter().map(|(_, p)| p).collect())
}

fn compact(
    batch: Batch,
    first_student: u32,
    day_index: &HashMap<NaiveDate, u16>,
    code_index: &HashMap<&str, u8>,
) -> Result<Part, BoxError> {
    let mut by_number: HashMap<&str, u32> = HashMap::with_capacity(batch.students.len());
    for (i, s) in batch.students.iter().enumerate() {
        by_number.insert(s.student.student_number.as_str(), i as u32);
    }
    let minutes = |t: NaiveTime| (t.hour() * 60 + t.minute()) as u16;
    let mut regs = Vec::with_capacity(batch.registrations.len());
    for r in &batch.registrations {
        let student = *by_number
            .get(r.student_number.as_str())
            .ok_or_else(|| format!("registration for unknown student {}", r.student_number))?;
        let day = *day_index
            .get(&r.date)
            .ok_or_else(|| format!("registration on {} which has no lessons", r.date))?;
        let code = *code_index
            .get(r.code.as_str())
            .ok_or_else(|| format!("code {} not in the code table", r.code))?;
        regs.push(Reg {
            student,
            day,
            start: minutes(r.start),
            end: minutes(r.end),
            minutes_late: r.minutes_late.unwrap_or(0),
            code,
        });
    }
    regs.sort_unstable_by_key(|r| (r.student, r.day, r.start));
    let students: Vec<StudentInput> = batch
        .students
        .into_iter()
        .map(|b| StudentInput {
            id: b.student.student_number,
            birth_date: b.student.birth_date,
            start_qualification: b.student.start_qualification,
            enrolled_from: b.student.enrolled_from,
            enrolled_until: b.student.enrolled_until,
            lives_abroad: b.student.residence.is_none(),
            school_years_completed: None,
            sector: None,
            group: b.group_code,
            exemptions: Vec::new(),
            prior_meldingen: Vec::new(),
            suspect: Vec::new(),
        })
        .collect();
    let mut starts = vec![0u32; students.len() + 1];
    for r in &regs {
        starts[r.student as usize + 1] += 1;
    }
    for k in 0..students.len() {
        starts[k + 1] += starts[k];
    }
    Ok(Part {
        first_student,
        students,
        regs,
        starts,
    })
}

fn school_settings() -> SchoolSettings {
    SchoolSettings {
        brin: Some(verzuim_demo::DEMO_BRIN.to_owned()),
        sector: Sector::Vo,
        lesson_minutes: 50,
        counting: CountingSetting::Auto,
        mbo_all_in_lesuren: false,
        leave_codes: vec!["VE".to_owned()],
    }
}

/// What the engine run gives back.
struct EngineRun {
    /// Wall clock from releasing the evaluating threads to the last one finishing.
    wall: Duration,
    /// `Engine::new`, summed over the parts (inside `wall`, on both threads).
    setup: Duration,
    /// CPU time of the evaluating threads (both summed).
    cpu: Duration,
    by_kind: BTreeMap<MeldingKind, usize>,
    /// 16-uur meldingen (V3 and V4): global student index, begin, end.
    sixteen: Vec<Key>,
    /// Every melding: global student index, kind, begin, end (to explain a mismatch).
    all: Vec<(u32, MeldingKind, NaiveDate, Option<NaiveDate>)>,
    /// Global indices of students the engine excluded (abroad, no plicht, outside enrolment,
    /// vrijstelling).
    excluded: HashSet<u32>,
    /// Of those, the ones with a vrijstelling (DuckDB is not told about vrijstellingen).
    exempt: HashSet<u32>,
}

/// What one evaluating thread did.
#[derive(Default)]
struct Share<'a> {
    setup: Duration,
    cpu_ns: u64,
    /// Global student index, the student and the engine's answer, for every student with a
    /// melding or something not reported.
    results: Vec<(u32, &'a StudentInput, StudentOutcome)>,
}

/// Evaluates every part with [`THREADS`] threads. Each thread takes the next part, builds its
/// [`Engine`], maps the part's code and day indices to the engine's (a table of 30 and one of
/// 190 entries), and per student turns the stored rows into [`CompactRegistration`]s in a
/// reused buffer and evaluates them. All of that is timed: from releasing the threads to the
/// last one finishing. The answer keeps the exclusions as facts ([`StudentOutcome`]); their
/// Dutch texts are written afterwards (not timed), to count the excluded students.
fn run_engine(
    parts: &[Part],
    school: &SchoolSettings,
    calendar: &CalendarInput,
    codes: &[AbsenceCode],
    days: &[NaiveDate],
    today: NaiveDate,
) -> Result<EngineRun, BoxError> {
    let code_names: Vec<&str> = codes.iter().map(|c| c.code.as_str()).collect();
    let students: usize = parts.iter().map(|p| p.students.len()).sum();
    let next = AtomicUsize::new(0);
    let start = Barrier::new(THREADS + 1);
    let (wall, shares) = std::thread::scope(|s| -> Result<_, BoxError> {
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let (next, start, code_names) = (&next, &start, &code_names);
                s.spawn(move || -> Result<Share<'_>, BoxError> {
                    let mut share = Share {
                        results: Vec::with_capacity(students / THREADS + 1024),
                        ..Share::default()
                    };
                    let mut input: Vec<CompactRegistration> = Vec::with_capacity(1024);
                    start.wait();
                    let cpu = thread_cpu_ns();
                    while let Some(part) = parts.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let started = Instant::now();
                        let engine = Engine::new(school, calendar, codes, &[])?;
                        share.setup += started.elapsed();
                        let day_of = days
                            .iter()
                            .map(|d| engine.day_index(*d).ok_or("a day outside the year"))
                            .collect::<Result<Vec<u16>, _>>()?;
                        let code_of = code_names
                            .iter()
                            .map(|c| engine.code_index(c).ok_or("a code the engine lacks"))
                            .collect::<Result<Vec<u16>, _>>()?;
                        for (k, student) in part.students.iter().enumerate() {
                            let (lo, hi) = (part.starts[k], part.starts[k + 1]);
                            input.clear();
                            input.extend(part.regs[lo as usize..hi as usize].iter().zip(lo..).map(
                                |(r, id)| CompactRegistration {
                                    id,
                                    day: day_of[usize::from(r.day)],
                                    start: r.start,
                                    end: r.end,
                                    code: code_of[usize::from(r.code)],
                                    minutes_late: r.minutes_late,
                                    lesuren: 0,
                                },
                            ));
                            let e = engine.evaluate_compact(student, &input, &[], today)?;
                            if !e.meldingen.is_empty() || e.not_reported != NotReported::default() {
                                share
                                    .results
                                    .push((part.first_student + k as u32, student, e));
                            }
                        }
                    }
                    if let (Some(a), Some(b)) = (cpu, thread_cpu_ns()) {
                        share.cpu_ns = b.saturating_sub(a);
                    }
                    Ok(share)
                })
            })
            .collect();
        let started = Instant::now();
        start.wait();
        let mut shares = Vec::with_capacity(THREADS);
        for h in handles {
            shares.push(h.join().map_err(|_| "an engine thread panicked")??);
        }
        Ok((started.elapsed(), shares))
    })?;

    let mut run = EngineRun {
        wall,
        setup: shares.iter().map(|s| s.setup).sum(),
        cpu: Duration::from_nanos(shares.iter().map(|s| s.cpu_ns).sum()),
        by_kind: BTreeMap::new(),
        sixteen: Vec::new(),
        all: Vec::new(),
        excluded: HashSet::new(),
        exempt: HashSet::new(),
    };
    for (global, student, outcome) in shares.into_iter().flat_map(|s| s.results) {
        let evaluation = outcome.into_evaluation(student);
        // Authorized absence not reported is informational; the other exclusions rest on facts
        // DuckDB is not given (abroad, no leerplicht, outside enrolment, vrijstelling).
        if evaluation
            .exclusions
            .iter()
            .any(|e| e.rule.id != "lpw-11-geoorloofd")
        {
            run.excluded.insert(global);
        }
        if evaluation
            .exclusions
            .iter()
            .any(|e| e.rule.id == "lpw-5-15-vrijstelling")
        {
            run.exempt.insert(global);
        }
        for m in &evaluation.meldingen {
            *run.by_kind.entry(m.kind).or_default() += 1;
            run.all.push((global, m.kind, m.begin, m.end));
            if matches!(
                m.kind,
                MeldingKind::SixteenHours | MeldingKind::SixteenHoursAdult
            ) {
                let end = m.end.ok_or("a 16-uur melding without an end date")?;
                run.sixteen.push((global, m.begin, end));
            }
        }
    }
    Ok(run)
}

/// DuckDB's figures.
struct DuckRun {
    load_s: f64,
    query_s: f64,
    load_cpu_s: f64,
    query_cpu_s: f64,
    meldingen: usize,
    students: usize,
}

/// Runs the Python script; `None` (with a message) when python3 or duckdb is missing.
fn run_duckdb(script: &Path, pattern: &Path) -> Result<Option<DuckRun>, BoxError> {
    let output = Command::new("python3")
        .arg(script)
        .arg(pattern)
        .arg("--threads")
        .arg(THREADS.to_string())
        .output();
    let output = match output {
        Ok(o) => o,
        Err(e) => {
            println!(
                "  SKIPPED: cannot run python3 ({e}); install Python 3 and `pip install --user duckdb`"
            );
            return Ok(None);
        }
    };
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(3) {
        println!(
            "  SKIPPED: the duckdb Python module is missing; install it with `pip install --user duckdb`"
        );
        return Ok(None);
    }
    if !output.status.success() {
        return Err(format!("duckdb_16uur.py failed ({}): {stderr}", output.status).into());
    }
    let stdout = String::from_utf8_lossy(&output.stdout);
    let line = stdout
        .lines()
        .find(|l| l.starts_with("RESULT "))
        .ok_or_else(|| format!("duckdb_16uur.py printed no RESULT line: {stdout}{stderr}"))?;
    let field = |name: &str| -> Result<&str, BoxError> {
        line.split_whitespace()
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
            .ok_or_else(|| format!("no {name} in {line}").into())
    };
    Ok(Some(DuckRun {
        load_s: field("load_s")?.parse()?,
        query_s: field("query_s")?.parse()?,
        load_cpu_s: field("load_cpu_s")?.parse()?,
        query_cpu_s: field("query_cpu_s")?.parse()?,
        meldingen: field("meldingen")?.parse()?,
        students: field("students")?.parse()?,
    }))
}

fn read_duckdb_meldingen(path: &Path) -> Result<Vec<Key>, BoxError> {
    let text = std::fs::read_to_string(path)?;
    let mut out = Vec::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let [student, _, begin, end, _] = f[..] else {
            return Err(format!("bad line in {}: {line}", path.display()).into());
        };
        out.push((student.parse()?, begin.parse()?, end.parse()?));
    }
    Ok(out)
}

/// How the two sides compare.
struct Agreement {
    compared: usize,
    same: usize,
    only_engine: Vec<Key>,
    only_sql: Vec<Key>,
    /// DuckDB meldingen of students with a vrijstelling (not compared).
    sql_on_excluded: usize,
    first_same: usize,
    first_compared: usize,
}

impl Agreement {
    fn agrees(&self) -> bool {
        self.only_engine.is_empty() && self.only_sql.is_empty()
    }

    fn print(&self, all: &[(u32, MeldingKind, NaiveDate, Option<NaiveDate>)]) {
        if self.agrees() {
            println!(
                "  AGREE: all {} meldingen identical (student, begin, end), every melding of the chain; first melding per student: {}/{}",
                self.same, self.first_same, self.first_compared
            );
        } else {
            println!(
                "  !!! MISMATCH !!! {} of {} meldingen identical; only engine {}, only DuckDB {}; first melding per student identical {}/{}",
                self.same,
                self.compared,
                self.only_engine.len(),
                self.only_sql.len(),
                self.first_same,
                self.first_compared
            );
            for k in self.only_engine.iter().take(5) {
                println!("    only engine: student {} {} .. {}", k.0, k.1, k.2);
            }
            for k in self.only_sql.iter().take(5) {
                println!("    only DuckDB: student {} {} .. {}", k.0, k.1, k.2);
            }
            let mut shown: Vec<u32> = self
                .only_engine
                .iter()
                .chain(&self.only_sql)
                .map(|k| k.0)
                .collect();
            shown.dedup();
            for st in shown.iter().take(5) {
                let of: Vec<String> = all
                    .iter()
                    .filter(|m| m.0 == *st)
                    .map(|m| {
                        format!(
                            "{:?} {}..{}",
                            m.1,
                            m.2,
                            m.3.map_or("open".to_owned(), |e| e.to_string())
                        )
                    })
                    .collect();
                println!(
                    "    engine for student {st}: {}",
                    if of.is_empty() {
                        "nothing".to_owned()
                    } else {
                        of.join(", ")
                    }
                );
            }
        }
        if self.sql_on_excluded > 0 {
            println!(
                "  not compared: {} DuckDB meldingen of students with a vrijstelling",
                self.sql_on_excluded
            );
        }
    }
}

fn compare(engine: &[Key], sql: &[Key], excluded: &HashSet<u32>) -> Agreement {
    let e: HashSet<Key> = engine.iter().copied().collect();
    let s: HashSet<Key> = sql
        .iter()
        .copied()
        .filter(|k| !excluded.contains(&k.0))
        .collect();
    let mut only_engine: Vec<Key> = e.difference(&s).copied().collect();
    let mut only_sql: Vec<Key> = s.difference(&e).copied().collect();
    only_engine.sort_unstable();
    only_sql.sort_unstable();
    let first = |keys: &HashSet<Key>| -> HashMap<u32, Key> {
        let mut m: HashMap<u32, Key> = HashMap::new();
        for k in keys {
            let slot = m.entry(k.0).or_insert(*k);
            if k.2 < slot.2 {
                *slot = *k;
            }
        }
        m
    };
    let (fe, fs) = (first(&e), first(&s));
    let students: HashSet<u32> = fe.keys().chain(fs.keys()).copied().collect();
    Agreement {
        compared: e.union(&s).count(),
        same: e.intersection(&s).count(),
        only_engine,
        only_sql,
        sql_on_excluded: sql.iter().filter(|k| excluded.contains(&k.0)).count(),
        first_same: students
            .iter()
            .filter(|st| fe.contains_key(st) && fe.get(st) == fs.get(st))
            .count(),
        first_compared: students.len(),
    }
}
