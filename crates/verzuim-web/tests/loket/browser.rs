//! The main path in a real headless Chromium (fantoccini → chromedriver → /usr/bin/chromium):
//! the beheerder enrols a token, adds a location and a contact; the melder files a melding;
//! the leerplichtambtenaar closes it with a terugmelding; the melder sees it. The beheerder
//! also uploads the certificate of the machine coupling. Every page is
//! saved as a PNG under `target/e2e/loket-*.png` to look at.
//!
//! Without Chromium/chromedriver the test fails and says to run `scripts/test` (which installs
//! them); `VERZUIM_SKIP_BROWSER=1` skips it with a line on stderr instead.

use std::path::{Path, PathBuf};

use crate::chrome::{CHROMEDRIVER, CHROMIUM, start_chromedriver};
use fantoccini::{Client, ClientBuilder, Locator};
use verzuim_testkit::Backend;

use crate::kit::{ADMIN, BEHEERDER, LPA, LoketApp, MELDER, Seed, UTRECHT, User, bsn, spawn_loket};

type Step<T> = Result<T, fantoccini::error::CmdError>;

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

/// Saves the whole page (the window is made as tall as the page first).
async fn shot(browser: &Client, name: &str) -> Step<()> {
    // Start from a normal window, so a short page is not measured as tall as the last one.
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
    std::fs::write(screenshot_dir().join(format!("loket-{name}.png")), png).unwrap();
    Ok(())
}

async fn fill(browser: &Client, id: &str, text: &str) -> Step<()> {
    let field = browser.find(Locator::Id(id)).await?;
    field.clear().await?;
    field.send_keys(text).await
}

async fn choose(browser: &Client, name: &str, value: &str) -> Step<()> {
    browser
        .find(Locator::Css(&format!("label[for=\"{name}-{value}\"]")))
        .await?
        .click()
        .await
}

async fn select(browser: &Client, id: &str, value: &str) -> Step<()> {
    browser
        .find(Locator::Id(id))
        .await?
        .select_by_value(value)
        .await
}

async fn submit(browser: &Client, css: &str) -> Step<()> {
    browser.find(Locator::Css(css)).await?.click().await
}

/// Logs in through the form; enrols the token on the first login (screenshots of the
/// enrolment when `shots` is set).
async fn log_in(app: &LoketApp, browser: &Client, user: User, shots: bool) -> Step<()> {
    browser.goto(&format!("{}/inloggen", app.address)).await?;
    if shots {
        shot(browser, "01-inloggen").await?;
    }
    fill(browser, "inlognaam", user.0).await?;
    fill(browser, "wachtwoord", user.1).await?;
    let enrolled = app.secret(user.0).is_some();
    if enrolled {
        let code = app.fresh_code(user.0).await;
        fill(browser, "code", &code).await?;
    }
    submit(browser, "main form button[type=submit]").await?;
    if !enrolled {
        let secret = browser
            .wait()
            .for_element(Locator::Id("sleutel"))
            .await?
            .text()
            .await?;
        if shots {
            shot(browser, "02-token-koppelen").await?;
        }
        let secret: String = secret.split_whitespace().collect();
        app.remember_secret(user.0, &secret);
        let code = app.fresh_code(user.0).await;
        fill(browser, "code", &code).await?;
        submit(browser, "main form button[type=submit]").await?;
        browser
            .wait()
            .for_element(Locator::Id("herstelcodes"))
            .await?;
        if shots {
            shot(browser, "03-herstelcodes").await?;
        }
        browser
            .find(Locator::Css("main a.button"))
            .await?
            .click()
            .await?;
    }
    Ok(())
}

async fn log_out(browser: &Client) -> Step<()> {
    submit(browser, ".who button[type=submit]").await?;
    browser.wait().for_element(Locator::Id("inlognaam")).await?;
    Ok(())
}

async fn main_path(app: &LoketApp, browser: &Client) -> Step<String> {
    let base = &app.address;
    // 1. The beheerder: first login enrols the token, then adds a location (sent there).
    log_in(app, browser, BEHEERDER, true).await?;
    browser.wait().for_element(Locator::Id("name")).await?;
    assert!(
        browser
            .current_url()
            .await?
            .path()
            .ends_with("/locaties/nieuw")
    );
    shot(browser, "04-eerste-locatie").await?;
    fill(browser, "name", "Hoofdgebouw").await?;
    fill(browser, "street", "Schoolstraat").await?;
    fill(browser, "number", "1").await?;
    fill(browser, "postcode", "3511 AB").await?;
    fill(browser, "city", "Utrecht").await?;
    submit(browser, "main form button[type=submit]").await?;
    browser.wait().for_element(Locator::Id("melding")).await?;
    shot(browser, "05-locaties").await?;

    // A contact person, first with errors.
    browser
        .goto(&format!("{base}/scholen/12AB/contactpersonen/nieuw"))
        .await?;
    fill(browser, "email", "geen-mailadres").await?;
    submit(browser, "main form button[type=submit]").await?;
    browser
        .wait()
        .for_element(Locator::Id("foutmeldingen"))
        .await?;
    shot(browser, "06-contactpersoon-fouten").await?;
    fill(browser, "name", "Mia Melder").await?;
    fill(browser, "function", "verzuimcoördinator").await?;
    fill(browser, "phone", "030 123 4567").await?;
    fill(browser, "email", "mia@linde.example").await?;
    fill(browser, "username", MELDER.0).await?;
    submit(browser, "main form button[type=submit]").await?;
    browser.wait().for_element(Locator::Id("melding")).await?;
    shot(browser, "07-contactpersonen").await?;

    // The certificate of the machine coupling: uploaded through the file input; it expires
    // within 30 days, so the page warns.
    let ca = crate::certificates::TestCa::new("Test PKIoverheid Private Services CA");
    let cert = ca.school(
        "Testschool De Linde",
        "las.linde.example",
        app.days_ago(340),
        app.today + chrono::Days::new(12),
    );
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("linde.crt");
    std::fs::write(&file, cert.pem.as_bytes()).unwrap();
    browser
        .goto(&format!("{base}/scholen/12AB/certificaten"))
        .await?;
    browser
        .find(Locator::Id("certificate"))
        .await?
        .send_keys(&file.display().to_string())
        .await?;
    submit(browser, "#registreren").await?;
    browser.wait().for_element(Locator::Id("melding")).await?;
    let warning = browser
        .find(Locator::Id("waarschuwing-1"))
        .await?
        .text()
        .await?;
    assert!(warning.contains("verloopt over 12 dagen"), "{warning}");
    shot(browser, "certificaten").await?;
    log_out(browser).await?;

    // 2. The melder files a melding.
    log_in(app, browser, MELDER, false).await?;
    browser.wait().for_element(Locator::Css(".cards")).await?;
    shot(browser, "08-start-melder").await?;
    browser
        .goto(&format!("{base}/scholen/12AB/meldingen/nieuw"))
        .await?;
    browser.wait().for_element(Locator::Id("versturen")).await?;
    shot(browser, "09-meldformulier").await?;
    submit(browser, "#versturen").await?;
    browser
        .wait()
        .for_element(Locator::Id("foutmeldingen"))
        .await?;
    shot(browser, "10-meldformulier-fouten").await?;
    let day = |n: u64| app.days_ago(n).format("%d-%m-%Y").to_string();
    fill(browser, "student_number", &bsn(201)).await?;
    fill(browser, "first_names", "Sanne").await?;
    fill(browser, "prefix", "van der").await?;
    fill(browser, "surname", "Berg").await?;
    fill(browser, "birth_date", "04-05-2011").await?;
    choose(browser, "gender", "V").await?;
    fill(browser, "residence_gemeente", UTRECHT).await?;
    choose(browser, "start_qualification", "nee").await?;
    fill(browser, "parent_phone", "06 1234 5678").await?;
    choose(browser, "kind", "V3").await?;
    fill(browser, "begin_date", &day(20)).await?;
    fill(browser, "end_date", &day(3)).await?;
    fill(browser, "suspected_reason", "Spijbelt om te werken").await?;
    choose(browser, "all_lessons_missed", "nee").await?;
    fill(browser, "absence_days", "4").await?;
    fill(browser, "absence_hours", "17").await?;
    fill(browser, "school_actions", "Gesprek met leerling en ouders").await?;
    choose(browser, "action_wanted", "ja").await?;
    select(browser, "priority", "HOOG").await?;
    select(browser, "location", "Hoofdgebouw").await?;
    submit(browser, "#versturen").await?;
    let notice = browser
        .wait()
        .for_element(Locator::Id("melding"))
        .await?
        .text()
        .await?;
    shot(browser, "11-melding-ingediend").await?;
    let nummer = notice
        .split_whitespace()
        .find(|w| w.starts_with("VM"))
        .map(|w| w.trim_end_matches('.').to_owned())
        .unwrap_or_default();
    assert_eq!(nummer.len(), 11, "{notice}");
    log_out(browser).await?;

    // 3. The leerplichtambtenaar closes it with a terugmelding.
    log_in(app, browser, LPA, false).await?;
    browser
        .goto(&format!("{base}/gemeenten/{UTRECHT}/meldingen?status=R"))
        .await?;
    browser
        .wait()
        .for_element(Locator::LinkText(&nummer))
        .await?;
    shot(browser, "12-inbox").await?;
    browser
        .find(Locator::LinkText(&nummer))
        .await?
        .click()
        .await?;
    browser
        .wait()
        .for_element(Locator::Id("terugmelden"))
        .await?;
    shot(browser, "13-melding-gemeente").await?;
    choose(browser, "status", "G").await?;
    select(browser, "closing_reason", "TERUG").await?;
    select(browser, "explanation", "GEZIEN").await?;
    fill(browser, "contact_function", "leerplichtambtenaar").await?;
    fill(browser, "contact_phone", "030 286 0000").await?;
    fill(browser, "contact_email", "leerplicht@utrecht.example").await?;
    submit(browser, "#terugmelden").await?;
    browser
        .wait()
        .for_element(Locator::Id("terugmelding"))
        .await?;
    shot(browser, "14-terugmelding-verstuurd").await?;
    log_out(browser).await?;

    // 4. The melder sees it.
    log_in(app, browser, MELDER, false).await?;
    browser
        .goto(&format!("{base}/scholen/12AB/meldingen"))
        .await?;
    browser
        .wait()
        .for_element(Locator::LinkText(&nummer))
        .await?;
    shot(browser, "15-meldingen-school").await?;
    browser
        .find(Locator::LinkText(&nummer))
        .await?
        .click()
        .await?;
    let terugmelding = browser
        .wait()
        .for_element(Locator::Id("terugmelding"))
        .await?
        .text()
        .await?;
    assert!(
        terugmelding.contains("Terug naar school, opleiding hervat"),
        "{terugmelding}"
    );
    assert!(terugmelding.contains("Lotte Leerplicht"), "{terugmelding}");
    let status = browser.find(Locator::Id("status")).await?.text().await?;
    assert_eq!(status, "Afgesloten");
    shot(browser, "16-melding-met-terugmelding").await?;
    browser
        .goto(&format!("{base}/scholen/12AB/rapportages"))
        .await?;
    browser
        .wait()
        .for_element(Locator::Id("rapportage"))
        .await?;
    shot(browser, "17-rapportage").await?;
    browser.goto(&format!("{base}/bestaat-niet")).await?;
    shot(browser, "18-niet-gevonden").await?;
    log_out(browser).await?;

    // 5. The other pages, to look at: the gemeente's vrijstellingen and the site admin's pages.
    log_in(app, browser, LPA, false).await?;
    browser
        .goto(&format!("{base}/gemeenten/{UTRECHT}/vrijstellingen"))
        .await?;
    shot(browser, "19-vrijstellingen").await?;
    log_out(browser).await?;
    log_in(app, browser, ADMIN, false).await?;
    for (path, name) in [
        ("/beheer", "20-beheer"),
        ("/beheer/organisaties", "21-organisaties"),
        ("/beheer/gebruikers", "22-gebruikers"),
        ("/beheer/gebruikers/melder", "23-gebruiker"),
        ("/beheer/inwoners", "24-inwoners"),
        ("/beheer/audit", "25-auditlog"),
        ("/beheer/certificaten", "26-certificaten-beheer"),
    ] {
        browser.goto(&format!("{base}{path}")).await?;
        shot(browser, name).await?;
    }
    Ok(nummer)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_beheerder_melder_and_leerplichtambtenaar_walk_the_main_path_on_sqlite() {
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
    let app = spawn_loket(Backend::Sqlite, Seed::Bare).await;
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
                "--hide-scrollbars",
                "--window-size=1280,900",
                "--lang=nl-NL",
                format!("--user-data-dir={}", profile.path().display()),
            ],
        }),
    );
    let browser = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("chromedriver-sessie");
    let result = main_path(&app, &browser).await;
    let _ = browser.close().await;
    let nummer = result.expect("browserstappen");

    // The database agrees: closed by the gemeente with the reason chosen.
    let lpa = app.loket.load_actor(LPA.0).await.unwrap().unwrap();
    let view = app
        .loket
        .gemeente_melding(
            &lpa,
            &verzuim_domain::Gemeentecode::parse(UTRECHT).unwrap(),
            &nummer,
            chrono::Utc::now(),
        )
        .await
        .unwrap();
    assert_eq!(view.status, verzuim_loket::MeldingStatus::Afgesloten);
    assert_eq!(
        view.terugmelding.map(|t| t.terugmelding.closing_reason),
        Some(Some(verzuim_loket::ClosingReason::TerugNaarSchool))
    );
    app.stop().await;
}
