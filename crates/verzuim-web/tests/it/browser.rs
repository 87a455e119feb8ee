//! One end-to-end test in a real headless Chromium (fantoccini → chromedriver →
//! /usr/bin/chromium): the teacher logs in, opens today's lesson, marks one student absent and
//! another late, saves, and the page and the database agree.
//!
//! Without Chromium/chromedriver the test fails and says to run `scripts/test` (which installs
//! them); `VERZUIM_SKIP_BROWSER=1` skips it with a line on stderr instead.

use std::path::Path;

use crate::chrome::{CHROMEDRIVER, CHROMIUM, start_chromedriver};
use fantoccini::{ClientBuilder, Locator};
use verzuim_testkit::{Backend, TEACHER};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_teacher_marks_one_absent_and_one_late_in_todays_lesson_on_sqlite() {
    if std::env::var("VERZUIM_SKIP_BROWSER").as_deref() == Ok("1") {
        eprintln!("browsertest overgeslagen (VERZUIM_SKIP_BROWSER=1)");
        return;
    }
    for tool in [CHROMIUM, CHROMEDRIVER] {
        assert!(
            Path::new(tool).exists(),
            "{tool} ontbreekt: draai scripts/test (installeert chromium en chromium-driver) \
             of zet VERZUIM_SKIP_BROWSER=1 om de browsertest over te slaan"
        );
    }
    let app = crate::start(Backend::Sqlite).await;
    let f = app.fixture.clone();
    let (_driver, port) = start_chromedriver();
    let profile = tempfile::tempdir().unwrap();
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
                format!("--user-data-dir={}", profile.path().display()),
            ],
        }),
    );
    let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("chromedriver-sessie");

    let result = async {
        // Log in.
        browser.goto(&app.url("/inloggen")).await?;
        browser
            .find(Locator::Id("gebruikersnaam"))
            .await?
            .send_keys(TEACHER.0)
            .await?;
        browser
            .find(Locator::Id("wachtwoord"))
            .await?
            .send_keys(TEACHER.1)
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
