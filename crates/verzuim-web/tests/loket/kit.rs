//! The loket's test kit: start the real loket server on 127.0.0.1:0 against a fresh SQLite
//! file or a fresh PostgreSQL schema, with two schools, two gemeenten and their users, and
//! log in as them through the real forms — with TOTP codes computed from the secret the
//! enrolment page shows.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use chrono::{Days, NaiveDate, Utc};
use verzuim_app::loket::{ContactInput, LocationInput, Loket, LoketConfig, LoketRole};
use verzuim_domain::{Brin, Gemeentecode};
use verzuim_store::LoketStore;
use verzuim_testkit::{Backend, Browser, DEFAULT_PG_URL};
use verzuim_web::WebConfig;

/// A login: username and password.
pub type User = (&'static str, &'static str);

/// The site administrator.
pub const ADMIN: User = ("beheer", "beheer-wachtwoord-1");
/// Beheerder onderwijs of school A (12AB).
pub const BEHEERDER: User = ("beheerder", "beheerder-wachtwoord-1");
/// Melder of school A, linked to contact person Mia Melder.
pub const MELDER: User = ("melder", "melder-wachtwoord-1");
/// Beheerder onderwijs of school B (34CD).
pub const BEHEERDER_B: User = ("beheerder-b", "beheerder-b-wachtwoord-1");
/// Melder of school B, linked to a contact person of B.
pub const MELDER_B: User = ("melder-b", "melder-b-wachtwoord-1");
/// Leerplichtambtenaar of Utrecht (0344).
pub const LPA: User = ("lpa-utrecht", "lpa-utrecht-wachtwoord-1");
/// Leerplichtambtenaar of Amsterdam (0363).
pub const LPA_B: User = ("lpa-amsterdam", "lpa-amsterdam-wachtwoord-1");

/// School A.
pub const SCHOOL_A: &str = "12AB";
/// School B.
pub const SCHOOL_B: &str = "34CD";
/// Utrecht.
pub const UTRECHT: &str = "0344";
/// Amsterdam.
pub const AMSTERDAM: &str = "0363";

/// What the database holds at the start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seed {
    /// Organisations and users only (no locations, no contact persons).
    Bare,
    /// Also a location and a contact person (linked to the melder) for each school.
    Full,
}

/// A running loket.
pub struct LoketApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The loket the server uses (for checking the database directly).
    pub loket: Loket,
    /// Today as the server sees it.
    pub today: NaiveDate,
    /// The database URL (a second instance connects to the same database).
    pub url: String,
    secrets: Mutex<HashMap<String, (String, u64)>>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    _dir: Option<tempfile::TempDir>,
    pg_schema: Option<(String, String)>,
}

fn unique_suffix() -> String {
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = Utc::now().timestamp_subsec_nanos();
    format!("{}_{n}_{nanos}", std::process::id())
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Starts the loket against a fresh database of `backend`, seeded as `seed` says.
pub async fn spawn_loket(backend: Backend, seed: Seed) -> LoketApp {
    let mut dir = None;
    let mut pg_schema = None;
    let url = match backend {
        Backend::Sqlite => {
            let d = tempfile::tempdir().unwrap();
            let url = format!("sqlite:{}", d.path().join("verzuim-loket.sqlite").display());
            dir = Some(d);
            url
        }
        Backend::Postgres => {
            let base =
                std::env::var("VERZUIM_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_owned());
            let schema = format!("loket_test_{}", unique_suffix());
            let url = verzuim_store::create_postgres_schema(&base, &schema)
                .await
                .unwrap_or_else(|e| {
                    panic!("PostgreSQL-schema aanmaken op {base} mislukt (zet VERZUIM_TEST_PG_URL of start PostgreSQL): {e}")
                });
            pg_schema = Some((base, schema));
            url
        }
    };
    let store = LoketStore::connect(&url).await.unwrap();
    store.migrate().await.unwrap();
    let loket = Loket::new(store, LoketConfig::default());
    seed_loket(&loket, seed).await;
    let today = verzuim_web::clock::amsterdam_date(Utc::now());
    let (address, tx, server) = start_server(loket.clone()).await;
    LoketApp {
        address,
        loket,
        today,
        url,
        secrets: Mutex::new(HashMap::new()),
        shutdown: Some(tx),
        server: Some(server),
        _dir: dir,
        pg_schema,
    }
}

/// Serves `loket` on 127.0.0.1:0: the address, the stop signal and the server task.
async fn start_server(
    loket: Loket,
) -> (
    String,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let address = format!("http://{}", listener.local_addr().unwrap());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let config = WebConfig {
        secure_cookies: false,
        today_override: None,
        ..WebConfig::default()
    };
    let server = tokio::spawn(async move {
        let shutdown = async move {
            let _ = rx.await;
        };
        if let Err(e) = verzuim_web::serve_loket(listener, loket, config, shutdown).await {
            eprintln!("loket-testserver gestopt met fout: {e}");
        }
    });
    (address, tx, server)
}

/// A second loket instance: its own connection pool to the same database, its own server.
pub struct Instance {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    server: Option<tokio::task::JoinHandle<()>>,
    loket: Loket,
}

impl Instance {
    /// Stops the server and closes its pool.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.loket.store.close().await;
    }
}

async fn seed_loket(loket: &Loket, seed: Seed) {
    let now = Utc::now();
    let admin = loket
        .bootstrap_admin(ADMIN.0, "Bea Beheer", ADMIN.1, now)
        .await
        .unwrap();
    loket
        .add_school(&admin, SCHOOL_A, "Testschool De Linde", "vo", now)
        .await
        .unwrap();
    loket
        .add_school(&admin, SCHOOL_B, "Andere School", "vo", now)
        .await
        .unwrap();
    loket
        .add_gemeente(&admin, UTRECHT, "Utrecht", now)
        .await
        .unwrap();
    loket
        .add_gemeente(&admin, AMSTERDAM, "Amsterdam", now)
        .await
        .unwrap();
    let brin_a = Brin::parse(SCHOOL_A).unwrap();
    let brin_b = Brin::parse(SCHOOL_B).unwrap();
    let users: [(User, &str, LoketRole); 6] = [
        (
            BEHEERDER,
            "Bert Beheerder",
            LoketRole::Beheerder(brin_a.clone()),
        ),
        (MELDER, "Mia Melder", LoketRole::Melder(brin_a.clone())),
        (
            BEHEERDER_B,
            "Bo Beheerder",
            LoketRole::Beheerder(brin_b.clone()),
        ),
        (MELDER_B, "Max Melder", LoketRole::Melder(brin_b.clone())),
        (
            LPA,
            "Lotte Leerplicht",
            LoketRole::Leerplichtambtenaar(Gemeentecode::parse(UTRECHT).unwrap()),
        ),
        (
            LPA_B,
            "Aziz Ambtenaar",
            LoketRole::Leerplichtambtenaar(Gemeentecode::parse(AMSTERDAM).unwrap()),
        ),
    ];
    for (user, name, role) in users {
        loket
            .create_user(&admin, user.0, name, user.1, now)
            .await
            .unwrap();
        loket.grant_role(&admin, user.0, role, now).await.unwrap();
    }
    if seed == Seed::Bare {
        return;
    }
    for (beheerder, brin, location, contact, melder) in [
        (BEHEERDER, &brin_a, "Hoofdgebouw", "Mia Melder", MELDER),
        (BEHEERDER_B, &brin_b, "Hoofdlocatie", "Max Melder", MELDER_B),
    ] {
        let actor = loket.load_actor(beheerder.0).await.unwrap().unwrap();
        loket
            .add_location(
                &actor,
                brin,
                &LocationInput {
                    name: location.to_owned(),
                    street: "Schoolstraat".to_owned(),
                    number: "1".to_owned(),
                    postcode: "3511 AB".to_owned(),
                    city: "Utrecht".to_owned(),
                },
                now,
            )
            .await
            .unwrap();
        loket
            .add_contact(
                &actor,
                brin,
                &ContactInput {
                    name: contact.to_owned(),
                    function: "verzuimcoördinator".to_owned(),
                    phone: "030 123 4567".to_owned(),
                    email: format!("{}@school.example", melder.0),
                    username: melder.0.to_owned(),
                },
                now,
            )
            .await
            .unwrap();
    }
}

/// The secret of the enrolment page (`<span class="secret" id="sleutel">ABCD EFGH …</span>`).
pub fn secret_from(html: &str) -> Option<String> {
    let at = html.find("id=\"sleutel\">")? + "id=\"sleutel\">".len();
    let end = html[at..].find('<')?;
    Some(html[at..at + end].split_whitespace().collect())
}

impl LoketApp {
    /// Starts a second instance of the loket on the same database (as a second app server
    /// on one PostgreSQL would run).
    pub async fn second_instance(&self) -> Instance {
        let store = LoketStore::connect(&self.url).await.unwrap();
        let loket = Loket::new(store, LoketConfig::default());
        let (address, tx, server) = start_server(loket.clone()).await;
        Instance {
            address,
            shutdown: Some(tx),
            server: Some(server),
            loket,
        }
    }

    /// A new browser (own cookie jar) for this server.
    pub fn browser(&self) -> Browser {
        Browser::new(&self.address).unwrap()
    }

    /// `days` days before today.
    pub fn days_ago(&self, days: u64) -> NaiveDate {
        self.today.checked_sub_days(Days::new(days)).unwrap()
    }

    /// Remembers the user's TOTP secret (and that no step has been used yet).
    pub fn remember_secret(&self, username: &str, secret: &str) {
        self.secrets
            .lock()
            .unwrap()
            .insert(username.to_owned(), (secret.to_owned(), 0));
    }

    /// The user's TOTP secret, if enrolled through [`LoketApp::login`].
    pub fn secret(&self, username: &str) -> Option<String> {
        self.secrets
            .lock()
            .unwrap()
            .get(username)
            .map(|(s, _)| s.clone())
    }

    /// A code for the user that the loket has not seen yet: the current step, or the next
    /// one (one step of skew is allowed), or after waiting for a new step.
    pub async fn fresh_code(&self, username: &str) -> String {
        loop {
            let now = unix_now();
            let step = now / 30;
            {
                let mut secrets = self.secrets.lock().unwrap();
                let (secret, last) = secrets
                    .get_mut(username)
                    .unwrap_or_else(|| panic!("{username} heeft geen token"));
                let s = step.max(*last + 1);
                if s <= step + 1 {
                    *last = s;
                    return verzuim_auth::totp::code_at(secret, s * 30).unwrap();
                }
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
    }

    /// The user's code of the current step, without marking it used (for attempts the
    /// loket refuses before it looks at the code).
    pub fn peek_code(&self, username: &str) -> String {
        let secret = self.secret(username).expect("token gekoppeld");
        verzuim_auth::totp::code_at(&secret, unix_now()).unwrap()
    }

    /// Posts the login form.
    pub async fn post_login(&self, browser: &Browser, user: User, code: &str) -> reqwest::Response {
        browser
            .post_form(
                "/inloggen",
                "/inloggen",
                &[
                    ("inlognaam", user.0),
                    ("wachtwoord", user.1),
                    ("code", code),
                ],
            )
            .await
            .unwrap()
    }

    /// Enrols the token of a user whose browser holds an enrolment session: reads the secret
    /// from the page and confirms with a code. Returns the recovery codes page.
    pub async fn enrol(&self, browser: &Browser, username: &str) -> String {
        let (status, html) = browser.get_page("/token-koppelen").await.unwrap();
        assert_eq!(status, 200, "{html}");
        let secret = secret_from(&html).expect("sleutel op de koppelpagina");
        self.remember_secret(username, &secret);
        let code = self.fresh_code(username).await;
        let r = browser
            .post_form("/token-koppelen", "/token-koppelen", &[("code", &code)])
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "koppelen van {username}");
        r.text().await.unwrap()
    }

    /// A browser logged in as `user` with a full session (enrolling the token on first use).
    pub async fn login(&self, user: User) -> Browser {
        let browser = self.browser();
        if self.secret(user.0).is_none() {
            let r = self.post_login(&browser, user, "").await;
            assert_eq!(r.status(), 303, "inloggen als {}", user.0);
            assert_eq!(r.headers()["location"], "/token-koppelen");
            self.enrol(&browser, user.0).await;
        } else {
            let code = self.fresh_code(user.0).await;
            let r = self.post_login(&browser, user, &code).await;
            assert_eq!(r.status(), 303, "inloggen als {}", user.0);
        }
        browser
    }

    /// Stops the server and drops the PostgreSQL schema.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.loket.store.close().await;
        if let Some((base, schema)) = self.pg_schema.take() {
            let _ = verzuim_store::drop_postgres_schema(&base, &schema).await;
        }
    }
}

impl Drop for LoketApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
        if let Some((base, schema)) = self.pg_schema.take() {
            let _ = std::thread::spawn(move || {
                if let Ok(rt) = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                {
                    let _ = rt.block_on(verzuim_store::drop_postgres_schema(&base, &schema));
                }
            })
            .join();
        }
    }
}

/// A melding with every field filled in, for a student with BSN `bsn` living in `gemeente`.
pub fn full_melding(app: &LoketApp, bsn: &str, gemeente: &str) -> Vec<(&'static str, String)> {
    let d = |n: u64| app.days_ago(n).format("%d-%m-%Y").to_string();
    vec![
        ("student_number", bsn.to_owned()),
        ("first_names", "Sanne Johanna".to_owned()),
        ("prefix", "van der".to_owned()),
        ("surname", "Berg".to_owned()),
        ("birth_date", "04-05-2011".to_owned()),
        ("gender", "V".to_owned()),
        ("residence_gemeente", gemeente.to_owned()),
        ("start_qualification", "nee".to_owned()),
        ("parent_phone", "06 1234 5678".to_owned()),
        ("kind", "V3".to_owned()),
        ("begin_date", d(20)),
        ("end_date", d(3)),
        (
            "suspected_reason",
            "Spijbelt om te werken in de supermarkt".to_owned(),
        ),
        ("all_lessons_missed", "nee".to_owned()),
        ("absence_days", "4".to_owned()),
        ("absence_hours", "17".to_owned()),
        (
            "school_actions",
            "Gesprek met leerling en ouders; zorgteam ingeschakeld".to_owned(),
        ),
        ("action_wanted", "ja".to_owned()),
        ("priority", "HOOG".to_owned()),
        ("no_action_explanation", String::new()),
        ("location", "Hoofdgebouw".to_owned()),
        ("address_street", "Kanaalweg".to_owned()),
        ("address_number", "12".to_owned()),
        ("address_letter", "b".to_owned()),
        ("address_addition", "2".to_owned()),
        ("address_postcode", "3526 kl".to_owned()),
        ("address_location", "woonboot".to_owned()),
        ("address_city", "Utrecht".to_owned()),
    ]
}

/// Files a melding through the form; returns its meldingsnummer.
pub async fn file(browser: &Browser, brin: &str, fields: &[(&'static str, String)]) -> String {
    let path = format!("/scholen/{brin}/meldingen/nieuw");
    let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let r = browser.post_form(&path, &path, &pairs).await.unwrap();
    let status = r.status();
    let location = r
        .headers()
        .get("location")
        .map(|l| l.to_str().unwrap().to_owned());
    let Some(location) = location else {
        panic!(
            "melding niet aangenomen (status {status}): {}",
            r.text().await.unwrap()
        );
    };
    assert_eq!(status, 303);
    let prefix = format!("/scholen/{brin}/meldingen/");
    let rest = location.strip_prefix(&prefix).expect("naar de melding");
    rest.split('?').next().unwrap().to_owned()
}

/// A valid BSN for test students.
pub fn bsn(seed: u32) -> String {
    verzuim_testkit::test_bsn(seed).unwrap().as_str().to_owned()
}

/// A multipart body with the given text fields and one file; returns (content type, body).
pub fn multipart(
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &str, &[u8])>,
) -> (String, Vec<u8>) {
    let boundary = "----loket-test-grens-7d1f3a";
    let mut body = Vec::new();
    for (name, value) in fields {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
            )
            .as_bytes(),
        );
    }
    if let Some((name, filename, content_type, bytes)) = file {
        body.extend_from_slice(
            format!(
                "--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\nContent-Type: {content_type}\r\n\r\n"
            )
            .as_bytes(),
        );
        body.extend_from_slice(bytes);
        body.extend_from_slice(b"\r\n");
    }
    body.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    (format!("multipart/form-data; boundary={boundary}"), body)
}

/// Posts a multipart form with the CSRF token of `form_page`.
pub async fn post_multipart(
    browser: &Browser,
    form_page: &str,
    path: &str,
    fields: &[(&str, &str)],
    file: Option<(&str, &str, &str, &[u8])>,
) -> reqwest::Response {
    let (_, html) = browser.get_page(form_page).await.unwrap();
    let csrf = verzuim_testkit::csrf_from(&html).expect("csrf-veld");
    let mut all = vec![("csrf", csrf.as_str())];
    all.extend_from_slice(fields);
    let (content_type, body) = multipart(&all, file);
    browser
        .client
        .post(browser.url(path))
        .header("content-type", content_type)
        .body(body)
        .send()
        .await
        .unwrap()
}
