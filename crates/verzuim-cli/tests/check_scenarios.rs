//! Runs `verzuim check` on every scenario in `crates/verzuim-law/tests/scenarios` and compares
//! the meldingen with the hand-derived `NAME.expected.json`.
//!
//! Expected file: `{"today": "YYYY-MM-DD", "rule": "what is checked, the article, the
//! arithmetic", "meldingen": [...]}`. Each expected melding has `kind`, `student`, `begin`
//! (always compared) and any of `end` (a date or `null` for open), `units`, `unit`, `days`
//! (the dates of the day specification, in order); a key that is left out is not compared.
//! Units are compared rounded to 2 decimals. The lists are matched one to one regardless of
//! order: every expected melding must match one actual melding and no actual melding may be
//! left over (proposals for overig verzuim included). Exclusions are not compared.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Map, Value, json};

const KEYS: [&str; 7] = ["kind", "student", "begin", "end", "units", "unit", "days"];

fn scenario_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../verzuim-law/tests/scenarios")
}

fn verzuim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_verzuim"))
        .args(args)
        .env_remove("VERZUIM_DATABASE_URL")
        .output()
        .expect("verzuim starts")
}

/// One actual melding reduced to the compared keys.
fn project(melding: &Value) -> Map<String, Value> {
    let mut out = Map::new();
    for key in KEYS {
        let value = match key {
            "days" => Value::Array(
                melding["days"]
                    .as_array()
                    .map(|days| days.iter().map(|d| d["date"].clone()).collect())
                    .unwrap_or_default(),
            ),
            "units" => round(&melding["units"]),
            _ => melding.get(key).cloned().unwrap_or(Value::Null),
        };
        out.insert(key.to_owned(), value);
    }
    out
}

fn round(v: &Value) -> Value {
    match v.as_f64() {
        Some(f) => json!((f * 100.0).round() / 100.0),
        None => v.clone(),
    }
}

fn matches(expected: &Map<String, Value>, actual: &Map<String, Value>) -> bool {
    expected.iter().all(|(k, e)| {
        let a = actual.get(k).unwrap_or(&Value::Null);
        if k == "units" {
            match (e.as_f64(), a.as_f64()) {
                (Some(e), Some(a)) => (e - a).abs() < 0.005,
                _ => e == a,
            }
        } else {
            e == a
        }
    })
}

fn line(m: &Map<String, Value>) -> String {
    KEYS.iter()
        .filter_map(|k| m.get(*k).map(|v| format!("{k}={v}")))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Compares; `None` when equal, else a readable diff (`-` expected but missing, `+` unexpected).
fn compare(expected: &[Value], actual: &[Value]) -> Option<String> {
    let actual: Vec<Map<String, Value>> = actual.iter().map(project).collect();
    let mut used = vec![false; actual.len()];
    let mut diff = Vec::new();
    for e in expected {
        let e: Map<String, Value> = e
            .as_object()
            .cloned()
            .expect("expected melding is an object");
        match (0..actual.len()).find(|&i| !used[i] && matches(&e, &actual[i])) {
            Some(i) => {
                used[i] = true;
                diff.push(format!("    {}", line(&e)));
            }
            None => diff.push(format!("  - {}", line(&e))),
        }
    }
    for (i, a) in actual.iter().enumerate() {
        if !used[i] {
            diff.push(format!("  + {}", line(a)));
        }
    }
    diff.iter()
        .any(|l| !l.starts_with("    "))
        .then(|| diff.join("\n"))
}

#[test]
fn every_scenario_gives_the_hand_derived_meldingen() {
    let dir = scenario_dir();
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("scenario directory exists")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") && !n.ends_with(".expected.json"))
        .map(|n| n.trim_end_matches(".json").to_owned())
        .collect();
    names.sort();
    assert!(names.len() >= 40, "only {} scenarios", names.len());
    let mut failures = Vec::new();
    for name in &names {
        let input = dir.join(format!("{name}.json"));
        let expected_path = dir.join(format!("{name}.expected.json"));
        let expected: Value = match std::fs::read_to_string(&expected_path) {
            Ok(text) => serde_json::from_str(&text).expect("expected file is JSON"),
            Err(err) => {
                eprintln!("FAIL {name}: no expected file ({err})");
                failures.push(name.clone());
                continue;
            }
        };
        let today = expected["today"].as_str().expect("expected has today");
        let output = verzuim(&[
            "check",
            "--input",
            input.to_str().expect("utf-8 path"),
            "--today",
            today,
            "--format",
            "json",
        ]);
        if !output.status.success() {
            eprintln!(
                "FAIL {name}: exit {:?}\n  {}",
                output.status.code(),
                String::from_utf8_lossy(&output.stderr).trim()
            );
            failures.push(name.clone());
            continue;
        }
        let actual: Value = serde_json::from_slice(&output.stdout).expect("check prints JSON");
        let empty = Vec::new();
        let want = expected["meldingen"].as_array().unwrap_or(&empty);
        let got = actual["meldingen"].as_array().unwrap_or(&empty);
        if let Some(diff) = compare(want, got) {
            eprintln!(
                "FAIL {name} (today {today})\n  rule: {}\n  (- expected, missing; + actual, unexpected)\n{diff}",
                expected["rule"].as_str().unwrap_or("")
            );
            failures.push(name.clone());
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} scenarios fail:\n  {}",
        failures.len(),
        names.len(),
        failures.join("\n  ")
    );
}

fn write_case(name: &str, text: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, text).expect("write case");
    (dir, path)
}

/// `verzuim check --input PATH --today 2026-09-30` (text format).
fn check_on_30_september(path: &Path) -> Output {
    verzuim(&[
        "check",
        "--input",
        path.to_str().unwrap(),
        "--today",
        "2026-09-30",
    ])
}

const VALID: &str = r#"{
  "school": {"sector": "vo"},
  "calendar": {"school_year": "2026-2027", "region": "zuid"},
  "students": [{"id": "1001", "birth_date": "2012-03-15", "enrolled_from": "2026-08-24"}],
  "registrations": [
    {"student": "1001", "date": "2026-09-07", "start": "08:30", "end": "15:10", "code": "SP"},
    {"student": "1001", "date": "2026-09-08", "start": "08:30", "end": "15:10", "code": "SP"}
  ]
}"#;

#[test]
fn a_bad_birth_date_exits_2_and_names_the_json_path() {
    let (_dir, path) = write_case("bad.json", &VALID.replace("2012-03-15", "2012-13-45"));
    let out = check_on_30_september(&path);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("students[0].birth_date"), "{stderr}");
    assert!(stderr.contains("JJJJ-MM-DD"), "{stderr}");
}

#[test]
fn broken_json_exits_2() {
    let (_dir, path) = write_case("broken.json", &VALID[..VALID.len() - 20]);
    let out = check_on_30_september(&path);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn an_unknown_field_exits_2_and_names_it() {
    let (_dir, path) = write_case(
        "field.json",
        &VALID.replace(
            "\"sector\": \"vo\"",
            "\"sector\": \"vo\", \"lesminuten\": 50",
        ),
    );
    let out = check_on_30_september(&path);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("school") && stderr.contains("lesminuten"),
        "{stderr}"
    );
}

#[test]
fn an_unknown_code_exits_2_and_names_the_registration() {
    let text = VALID.replacen("\"code\": \"SP\"}\n  ]", "\"code\": \"XX\"}\n  ]", 1);
    assert!(text.contains("XX"));
    let (_dir, path) = write_case("code.json", &text);
    let out = check_on_30_september(&path);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("registrations[1].code"), "{stderr}");
}

#[test]
fn a_missing_file_is_a_failure_not_a_panic() {
    let out = verzuim(&["check", "--input", "/nonexistent/case.json"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("kan /nonexistent/case.json niet lezen"));
}

#[test]
fn text_format_names_the_kind_the_article_and_the_days() {
    let (_dir, path) = write_case("ok.json", VALID);
    let out = check_on_30_september(&path);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("16 uur in 4 weken (V3)"), "{stdout}");
    assert!(stdout.contains("art. 21a"), "{stdout}");
    assert!(stdout.contains("ma 2026-09-07"), "{stdout}");
    assert!(stdout.contains("di 2026-09-08"), "{stdout}");
    assert!(stdout.contains("16 lesuren"), "{stdout}");
}

#[test]
fn without_today_the_clock_is_used() {
    let (_dir, path) = write_case("ok.json", VALID);
    let out = verzuim(&[
        "check",
        "--input",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["today"].as_str().is_some_and(|t| t.len() == 10));
}
