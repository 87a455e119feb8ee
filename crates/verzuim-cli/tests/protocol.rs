//! `verzuim protocol …` with the real binary (issue 6): `check` accepts both presets and refuses
//! a broken rule file with exit code 2 and an error that names the line, the key and the
//! reason; on a school in a SQLite database (`school add` + `generate` + `import`), `use`
//! chooses a preset or refuses a broken file the same way, `run` stores new steps and tasks
//! once, and `explain` prints a student's ladder.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Duration;

use common::{Running, free_ports, verzuim};

use verzuim_domain::Brin;
use verzuim_store::{ProtocolTaskQuery, Store};

const BRIN: &str = "99ZZ";

/// A broken rule file: the step's condition names a counter that does not exist (line 19).
const BROKEN: &str = "[protocol]\nname = \"x\"\n\n[[counter]]\nname = \"laat\"\nlabel = \"te laat\"\ncodes = [\"TO\"]\nunit = \"events\"\n\n[[window]]\nname = \"jaar\"\ntype = \"school_year\"\n\n[[step]]\nid = \"a\"\nladder = \"laat\"\ntitle = \"3x te laat\"\nwindow = \"jaar\"\nwhen = { at_least = { counter = \"laatt\", value = 3 } }\n";

fn check(file: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_verzuim"))
        .args(["protocol", "check"])
        .arg(file)
        .env_remove("VERZUIM_DATABASE_URL")
        .output()
        .expect("verzuim starts")
}

#[test]
fn both_seed_presets_pass_the_check() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../protocols");
    for preset in ["mlg-2020.toml", "vmbo-maastricht-2019.toml"] {
        let out = check(&dir.join(preset));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success(),
            "{preset}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(stdout.contains("in orde"), "{stdout}");
    }
}

#[test]
fn a_broken_rule_file_gets_its_line_key_and_reason() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("kapot.toml");
    std::fs::write(&file, BROKEN).unwrap();
    let out = check(&file);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("regel 19"), "{stderr}");
    assert!(stderr.contains("step[0].when.at_least.counter"), "{stderr}");
    assert!(stderr.contains("onbekende teller 'laatt'"), "{stderr}");

    std::fs::write(&file, "[protocol]\nname = \"x\"\nkleur = \"rood\"\n").unwrap();
    let out = check(&file);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("regel 3"), "unknown key located: {stderr}");
}

/// A school in a fresh SQLite file: `school add`, then a small generated school (120
/// students, 12 lesweken of lessons and registrations) imported into it.
struct School {
    dir: tempfile::TempDir,
}

impl School {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let school = Self { dir };
        school.ok(&[
            "school",
            "add",
            "--brin",
            BRIN,
            "--name",
            "Demo College Maastricht",
            "--year",
            "2026-2027",
        ]);
        let generated = school.dir.path().join("gen");
        school.ok(&[
            "generate",
            "--students",
            "120",
            "--weeks",
            "12",
            "--out",
            generated.to_str().unwrap(),
        ]);
        let mut import = vec!["import".to_owned(), "--brin".to_owned(), BRIN.to_owned()];
        for entry in std::fs::read_dir(&generated).unwrap() {
            import.push(entry.unwrap().path().display().to_string());
        }
        let import: Vec<&str> = import.iter().map(String::as_str).collect();
        school.ok(&import);
        school
    }

    fn url(&self) -> String {
        format!("sqlite:{}", self.dir.path().join("school.sqlite").display())
    }

    fn file(&self, name: &str, text: &str) -> PathBuf {
        let path = self.dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        path
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("verzuim starts")
    }

    /// The binary in the school's directory on its database.
    fn command(&self, args: &[&str]) -> Command {
        let mut c = verzuim();
        c.current_dir(self.dir.path())
            .env("VERZUIM_DATABASE_URL", self.url())
            .args(args);
        c
    }

    /// Runs `args`, asserts success, returns standard output.
    fn ok(&self, args: &[&str]) -> String {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "verzuim {}: {}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    }

    /// The student number of a student with a stored protocol step (read from the database).
    fn student_with_a_step(&self) -> String {
        let url = self.url();
        tokio::runtime::Runtime::new().unwrap().block_on(async {
            let store = Store::connect(&url).await.unwrap();
            let school = store
                .school_by_brin(&Brin::parse(BRIN).unwrap())
                .await
                .unwrap()
                .unwrap();
            let tasks = store
                .protocol_tasks(school.id, &ProtocolTaskQuery::default())
                .await
                .unwrap();
            store.close().await;
            tasks.first().expect("a stored task").student_number.clone()
        })
    }
}

/// The number before `word` in `text` ("… 624 nieuwe taken.").
fn number_before(text: &str, word: &str) -> usize {
    let at = text
        .find(word)
        .unwrap_or_else(|| panic!("no '{word}' in {text}"));
    text[..at]
        .split_whitespace()
        .last()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number before '{word}' in {text}"))
}

#[test]
fn protocol_use_chooses_a_preset_for_a_school_and_presets_lists_it() {
    let school = School::new();
    let presets = school.ok(&["protocol", "presets"]);
    assert!(presets.contains("vmbo-maastricht-2019"), "{presets}");
    assert!(presets.contains("mlg-2020"), "{presets}");

    let out = school.ok(&[
        "protocol",
        "use",
        "--brin",
        BRIN,
        "vmbo-maastricht-2019",
        "--vanaf",
        "2026-08-24",
    ]);
    assert!(out.contains("VMBO Maastricht 2019/2020"), "{out}");
    assert!(out.contains("preset vmbo-maastricht-2019"), "{out}");
    assert!(out.contains("vanaf 24-08-2026"), "{out}");

    // Another choice replaces it: a file, by its path.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../protocols/mlg-2020.toml");
    let out = school.ok(&["protocol", "use", "--brin", BRIN, dir.to_str().unwrap()]);
    assert!(out.contains("MLG 2020/2021"), "{out}");
    assert!(out.contains("bestand mlg-2020.toml"), "{out}");

    let unknown = school.run(&["protocol", "use", "--brin", BRIN, "vmbo-utrecht"]);
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert_eq!(unknown.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("geen meegeleverd protocol"), "{stderr}");
}

#[test]
fn protocol_use_refuses_a_broken_file_with_its_location_and_exit_code_2() {
    let school = School::new();
    let broken = school.file("kapot.toml", BROKEN);
    let out = school.run(&["protocol", "use", "--brin", BRIN, broken.to_str().unwrap()]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("kapot.toml"), "{stderr}");
    assert!(stderr.contains("regel 19"), "{stderr}");
    assert!(stderr.contains("step[0].when.at_least.counter"), "{stderr}");

    // Checked against the school's code table: a code it does not have is located too.
    let unknown_code = school.file(
        "code.toml",
        &BROKEN
            .replace("[\"TO\"]", "[\"TQ\"]")
            .replace("laatt", "laat"),
    );
    let out = school.run(&[
        "protocol",
        "use",
        "--brin",
        BRIN,
        unknown_code.to_str().unwrap(),
    ]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("regel 7"), "{stderr}");
    assert!(stderr.contains("counter[0].codes[0]"), "{stderr}");
    assert!(stderr.contains("'TQ'"), "{stderr}");

    // Nothing was chosen: running says how to choose.
    let out = school.run(&["protocol", "run", "--brin", BRIN]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("verzuim protocol use"), "{stderr}");
}

#[test]
fn protocol_run_creates_tasks_once_and_explain_prints_a_students_ladder() {
    let school = School::new();
    school.ok(&[
        "protocol",
        "use",
        "--brin",
        BRIN,
        "vmbo-maastricht-2019",
        "--vanaf",
        "2026-08-24",
    ]);
    let first = school.ok(&["protocol", "run", "--brin", BRIN, "--today", "2026-11-20"]);
    assert!(first.contains("120 leerling(en) beoordeeld"), "{first}");
    assert!(number_before(&first, "nieuwe ta") > 0, "{first}");
    let second = school.ok(&["protocol", "run", "--brin", BRIN, "--today", "2026-11-20"]);
    assert_eq!(number_before(&second, "nieuwe ta"), 0, "{second}");
    assert_eq!(
        number_before(&second, "stap(pen) bereikt"),
        number_before(&first, "stap(pen) bereikt"),
        "{second}"
    );

    let number = school.student_with_a_step();
    let ladder = school.ok(&[
        "protocol",
        "explain",
        &number,
        "--brin",
        BRIN,
        "--today",
        "2026-11-20",
    ]);
    assert!(ladder.contains(&number), "{ladder}");
    assert!(ladder.contains("VMBO Maastricht 2019/2020"), "{ladder}");
    assert!(ladder.contains("Ladder '"), "{ladder}");
    assert!(ladder.contains("op stap '"), "{ladder}");
    assert!(ladder.contains("bewijs:"), "{ladder}");

    let unknown = school.run(&["protocol", "explain", "999999", "--brin", BRIN]);
    let stderr = String::from_utf8_lossy(&unknown.stderr);
    assert_eq!(unknown.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("leerling 999999 bestaat niet in deze school"),
        "{stderr}"
    );
}

/// `verzuim demo` generates absence up to the real today (it has no `--today`); in the first
/// days of a school year the demo may have too little absence for a mentor task.
#[test]
fn the_demo_school_runs_on_the_vmbo_preset_and_its_mentor_and_coordinator_have_tasks() {
    let dir = tempfile::tempdir().unwrap();
    let base = free_ports();
    let mut c = verzuim();
    c.current_dir(dir.path()).args([
        "demo",
        "--students",
        "150",
        "--file",
        dir.path().join("demo.sqlite").to_str().unwrap(),
        "--listen",
        &format!("127.0.0.1:{base}"),
    ]);
    let (running, lines) = Running::start(c, "Stoppen: Ctrl+C", Duration::from_secs(300));
    drop(running);
    let out = lines.join("\n");
    assert!(out.contains("Stoppen: Ctrl+C"), "{out}");
    assert!(
        out.contains("Protocol: VMBO Maastricht 2019/2020 (preset vmbo-maastricht-2019)"),
        "{out}"
    );
    let open_in = |username: &str| -> usize {
        let line = lines
            .iter()
            .find(|l| l.contains(username) && l.contains(" open — "))
            .unwrap_or_else(|| panic!("no inbox line for {username}:\n{out}"));
        number_before(line, "open —")
    };
    let school_wide = number_before(&out, "open taken");
    assert!(school_wide > 0, "{out}");
    assert_eq!(open_in("demo.verzuim"), school_wide, "{out}");
    let mentor = open_in("demo.mentor");
    assert!(mentor > 0 && mentor < school_wide, "{out}");
}

#[test]
fn serve_runs_the_schools_protocol_at_start_and_then_every_protocol_run_seconds() {
    let school = School::new();
    school.ok(&["protocol", "use", "--brin", BRIN, "vmbo-maastricht-2019"]);
    let port = free_ports();
    let mut c = school.command(&["serve", "--listen", &format!("127.0.0.1:{port}")]);
    c.env("VERZUIM_LOG", "info")
        .env("VERZUIM_PROTOCOL_RUN_SECONDS", "1");
    // A run that fails is logged and retried, never fatal; either way it ran.
    let ran = |line: &str| {
        line.contains("protocol uitgevoerd") || line.contains("protocol uitvoeren mislukt")
    };
    let within = Duration::from_secs(60);
    let (mut child, mut lines) = Running::start(c, "taken maken bij de start", within);
    for _ in 0..2 {
        lines.extend(child.wait_until(ran, "een protocolrun", within));
    }
    let out = lines.join("\n");
    assert!(
        out.contains(
            "Protocol vmbo-maastricht-2019 voor school 99ZZ: taken maken bij de start en elke 1 s."
        ),
        "{out}"
    );
    // The server still serves.
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_ok());
    drop(child);
}
