//! `verzuim protocol check` (issue 6): both presets are accepted; a broken rule file is refused
//! with exit code 2 and an error that names the line, the key and the reason.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;
use std::process::{Command, Output};

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
    std::fs::write(
        &file,
        "[protocol]\nname = \"x\"\n\n[[counter]]\nname = \"laat\"\nlabel = \"te laat\"\ncodes = [\"TO\"]\nunit = \"events\"\n\n[[window]]\nname = \"jaar\"\ntype = \"school_year\"\n\n[[step]]\nid = \"a\"\nladder = \"laat\"\ntitle = \"3x te laat\"\nwindow = \"jaar\"\nwhen = { at_least = { counter = \"laatt\", value = 3 } }\n",
    )
    .unwrap();
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
