//! End-to-end tests in a real headless Chromium (fantoccini → chromedriver →
//! /usr/bin/chromium): the teacher logs in, opens today's lesson, marks one student absent and
//! another late, saves, and the page and the database agree; a mentor closes a protocol task
//! in "Taken" (screenshot `target/e2e/taken.png`).
//!
//! Without Chromium/chromedriver the test fails and says to run `scripts/test` (which installs
//! them); `VERZUIM_SKIP_BROWSER=1` skips it with a line on stderr instead.

use std::path::{Path, PathBuf};

use crate::chrome::{CHROMEDRIVER, CHROMIUM, start_chromedriver};
use crate::tasks::{MENTOR, school_with_tasks};
use fantoccini::{Client, ClientBuilder, Locator};
use verzuim_testkit::{Backend, TEACHER, TestApp};

/// Whether the browser tests run: `false` (with a line on stderr) when
/// `VERZUIM_SKIP_BROWSER=1`; fails saying what to install when Chromium is missing.
fn browser_tests_run() -> bool {
    if std::env::var("VERZUIM_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("browsertest overgeslagen (VERZUIM_SKIP_BROWSER=1)");
        return false;
    }
    for tool in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(tool).exists(),
            "{tool} ontbreekt: draai scripts/test (installeert chromium en chromium-driver) \
             of zet VERZUIM_SKIP_BROWSER=1 om de browsertest over te slaan"
        );
    }
    true
}

/// A headless Chromium session through chromedriver on `port`, with its profile in
/// `profile`.
async fn chromium(port: u16, profile: &Path) -> Client {
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".to_owned(),
        serde_json::json!({
            "binary": CHROMIUM,
            "args": [
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("chromedriver-sessie")
}

/// Logs in through the form and waits for the home page.
async fn log_in(browser: &Client, app: &TestApp, user: (&str, &str)) -> Step<()> {
    browser.goto(&app.url("/inloggen")).await?;
    browser
        .find(Locator::Id("gebruikersnaam"))
        .await?
        .send_keys(user.0)
        .await?;
    browser
        .find(Locator::Id("wachtwoord"))
        .await?
        .send_keys(user.1)
        .await?;
    browser
        .find(Locator::Css("form button[type=submit]"))
        .await?
        .click()
        .await?;
    browser
        .wait()
        .for_element(Locator::LinkText("Leerlingen"))
        .await?;
    Ok(())
}

/// `target/e2e` of the workspace (or of `CARGO_TARGET_DIR`).
fn screenshot_dir() -> PathBuf {
    let target = std::env::var("CARGO_TARGET_DIR").map_or_else(
        |_| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target"),
        PathBuf::from,
    );
    let dir = target.join("e2e");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Saves the whole page as `target/e2e/{name}.png`.
async fn shot(browser: &Client, name: &str) -> Step<()> {
    browser.set_window_size(1280, 900).await?;
    let height = browser
        .execute(
            "return Math.max(document.body.scrollHeight, document.documentElement.scrollHeight);",
            vec![],
        )
        .await?
        .as_u64()
        .unwrap_or(900)
        .clamp(600, 6000);
    browser
        .set_window_size(1280, u32::try_from(height).unwrap_or(900) + 140)
        .await?;
    let png = browser.screenshot().await?;
    std::fs::write(screenshot_dir().join(format!("{name}.png")), png).unwrap();
    Ok(())
}

type Step<T> = Result<T, fantoccini::error::CmdError>;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_teacher_marks_one_absent_and_one_late_in_todays_lesson_on_sqlite() {
    if !browser_tests_run() {
        return;
    }
    let app = crate::start(Backend::Sqlite).await;
    let f = app.fixture.clone();
    let (_driver, port) = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let browser = chromium(port, profile.path()).await;

    let result = async {
        log_in(&browser, &app, TEACHER).await?;
        assert_eq!(browser.current_url().await?.path(), "/");

        // Open today's first lesson from the home page.
        let link = format!("a[href=\"/lessen/{}\"]", f.lesson_1a.0);
        browser.find(Locator::Css(&link)).await?.click().await?;
        browser
            .wait()
            .for_element(Locator::Id("lesformulier"))
            .await?;

        // Anna absent, Bram 5 minutes late.
        let (anna, bram) = (f.students_1a[0].0, f.students_1a[1].0);
        browser
            .find(Locator::Css(&format!("label[for=\"s{anna}-ON\"]")))
            .await?
            .click()
            .await?;
        browser
            .find(Locator::Css(&format!("label[for=\"s{bram}-TO\"]")))
            .await?
            .click()
            .await?;
        browser
            .find(Locator::Id(&format!("min-{bram}")))
            .await?
            .send_keys("5")
            .await?;
        browser.find(Locator::Id("opslaan")).await?.click().await?;

        let saved = browser
            .wait()
            .for_element(Locator::Id("opgeslagen"))
            .await?;
        assert_eq!(saved.text().await?, "Opgeslagen: 2 wijzigingen.");
        let checked = |id: String| {
            let browser = &browser;
            async move { browser.find(Locator::Id(&id)).await?.prop("checked").await }
        };
        assert_eq!(
            checked(format!("s{anna}-ON")).await?.as_deref(),
            Some("true")
        );
        assert_eq!(
            checked(format!("s{bram}-TO")).await?.as_deref(),
            Some("true")
        );
        assert_eq!(
            checked(format!("s{}-aanwezig", f.students_1a[2].0))
                .await?
                .as_deref(),
            Some("true")
        );
        let minutes = browser
            .find(Locator::Id(&format!("min-{bram}")))
            .await?
            .prop("value")
            .await?;
        assert_eq!(minutes.as_deref(), Some("5"));
        Ok::<_, fantoccini::error::CmdError>((anna, bram))
    }
    .await;
    let _ = browser.close().await;
    let (anna, bram) = result.expect("browserstappen");

    let regs = app
        .store
        .registrations_for_lesson(f.school, f.lesson_1a)
        .await
        .unwrap();
    let live: Vec<_> = regs.iter().filter(|r| !r.withdrawn).collect();
    assert_eq!(live.len(), 2, "{regs:?}");
    let code_of = |id: i64| {
        live.iter()
            .find(|r| r.registration.student.0 == id)
            .map(|r| (r.registration.code.clone(), r.registration.minutes_late))
    };
    assert_eq!(code_of(anna), Some(("ON".to_owned(), None)));
    assert_eq!(code_of(bram), Some(("TO".to_owned(), Some(5))));
    assert!(
        live.iter()
            .all(|r| r.registration.registered_by == Some(f.teacher))
    );
    app.stop().await;
}

/// The mentor opens "Taken", closes her task with a note, and finds it under "Afgehandeld";
/// the inbox is saved as `target/e2e/taken.png`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_mentor_closes_a_task_in_taken_on_sqlite() {
    if !browser_tests_run() {
        return;
    }
    let app = crate::start(Backend::Sqlite).await;
    let t = school_with_tasks(&app).await;
    let id = t.fleur_task.id;
    let (_driver, port) = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
    let browser = chromium(port, profile.path()).await;
    let result = async {
        log_in(&browser, &app, MENTOR).await?;
        browser
            .find(Locator::LinkText("Taken"))
            .await?
            .click()
            .await?;
        browser
            .wait()
            .for_element(Locator::Id(&format!("taak-{id}")))
            .await?;
        shot(&browser, "taken").await?;
        browser
            .find(Locator::Css(&format!(
                "label[for=\"uitkomst-{id}-gedaan\"]"
            )))
            .await?
            .click()
            .await?;
        browser
            .find(Locator::Id(&format!("notitie-{id}")))
            .await?
            .send_keys("Vader gebeld.")
            .await?;
        browser
            .find(Locator::Id(&format!("afhandelen-{id}")))
            .await?
            .click()
            .await?;
        let notice = browser.wait().for_element(Locator::Id("melding")).await?;
        assert!(notice.text().await?.contains("De taak is afgehandeld"));
        assert_eq!(browser.current_url().await?.path(), "/taken");
        browser
            .find(Locator::LinkText("Afgehandeld"))
            .await?
            .click()
            .await?;
        let card = browser
            .wait()
            .for_element(Locator::Id(&format!("taak-{id}")))
            .await?;
        let text = card.text().await?;
        assert!(text.contains("Vader gebeld."), "{text}");
        Ok::<_, fantoccini::error::CmdError>(())
    }
    .await;
    let _ = browser.close().await;
    result.expect("browserstappen");
    app.stop().await;
}
