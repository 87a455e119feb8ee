//! Test helpers: start the real web server on port 0 against a fresh SQLite file or a fresh
//! PostgreSQL schema, with a small fixture school, and talk to it over HTTP.
//!
//! ```no_run
//! # async fn t() -> anyhow::Result<()> {
//! use verzuim_testkit::{Backend, TEACHER, spawn_app};
//! let app = spawn_app(Backend::Sqlite).await?;
//! app.login(TEACHER.0, TEACHER.1).await?;
//! let page = app.get(&format!("/lessen/{}", app.fixture.lesson_1a.0)).await?;
//! # Ok(()) }
//! ```
//!
//! PostgreSQL: the base URL comes from `VERZUIM_TEST_PG_URL` (default
//! `postgres://postgres@127.0.0.1:5432/test`); each app gets its own schema, dropped when the
//! [`TestApp`] is dropped.

use std::sync::atomic::{AtomicU32, Ordering};

use anyhow::{Context, Result, anyhow, bail};
use chrono::{NaiveDate, NaiveTime, Utc};
use verzuim_app::App;
use verzuim_domain::{
    Batch, BatchLesson, BatchStaff, BatchStudent, Brin, CodeTable, Group, GroupId, LessonId,
    Location, Origin, PersonalNumber, Region, School, SchoolRole, Sector, Staff, StaffId, Student,
    StudentId,
};
use verzuim_store::{SchoolId, Store};
use verzuim_web::WebConfig;

/// Username and password of the fixture's teacher (docent of group 1A).
pub const TEACHER: (&str, &str) = ("docent", "docent-wachtwoord-1");
/// Username and password of a second teacher of the school, who teaches only group 1B.
pub const OTHER_TEACHER: (&str, &str) = ("docent2", "docent2-wachtwoord-1");
/// Username and password of the fixture's verzuimcoördinator (sees every student).
pub const COORDINATOR: (&str, &str) = ("coordinator", "coordinator-wachtwoord-1");
/// Username and password of a teacher of the other school.
pub const OTHER_SCHOOL_TEACHER: (&str, &str) = ("docent-elders", "elders-wachtwoord-1");

/// Base URL of the PostgreSQL database for tests when `VERZUIM_TEST_PG_URL` is not set.
pub const DEFAULT_PG_URL: &str = "postgres://postgres@127.0.0.1:5432/test";

/// Which database a test app runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// A fresh SQLite file in a temporary directory.
    Sqlite,
    /// A fresh schema in the PostgreSQL database of `VERZUIM_TEST_PG_URL`.
    Postgres,
}

impl Backend {
    /// Name for test output.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// The ids of the fixture's rows.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// "Today" for the server (its `today_override`): a Monday.
    pub today: NaiveDate,
    /// The school under test (BRIN 12AB).
    pub school: SchoolId,
    /// Another school (BRIN 34CD), for isolation tests.
    pub other_school: SchoolId,
    /// Group 1A (taught by [`TEACHER`]).
    pub group_1a: GroupId,
    /// Group 1B (taught by [`OTHER_TEACHER`]).
    pub group_1b: GroupId,
    /// The teacher.
    pub teacher: StaffId,
    /// The coordinator.
    pub coordinator: StaffId,
    /// Students of 1A, by name: Anna de Vries, Bram Jansen, Chris Bakker.
    pub students_1a: Vec<StudentId>,
    /// The student of 1B: Daan Smit.
    pub student_1b: StudentId,
    /// The student of the other school: Eva Elders.
    pub other_school_student: StudentId,
    /// The teacher's first lesson today: ENG with 1A, 08:30–09:20.
    pub lesson_1a: LessonId,
    /// The other teacher's lesson today: NE with 1B, 09:20–10:10.
    pub lesson_1b: LessonId,
    /// The other school's lesson today.
    pub other_school_lesson: LessonId,
}

/// A running server with its store, app, an HTTP client with a cookie jar, and the fixture.
#[derive(Debug)]
pub struct TestApp {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// Which database.
    pub backend: Backend,
    /// The store the server uses (for checking the database directly).
    pub store: Store,
    /// The application the server uses.
    pub app: App,
    /// Client with a cookie store that does not follow redirects.
    pub client: reqwest::Client,
    /// The fixture's ids.
    pub fixture: Fixture,
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

/// A valid BSN (11-proef) derived from `seed`, for fixture students.
pub fn test_bsn(seed: u32) -> Result<PersonalNumber> {
    for prefix in (seed * 97 + 10_000_000)..(seed * 97 + 10_000_100) {
        let digits: Vec<u32> = format!("{prefix:08}")
            .bytes()
            .map(|b| u32::from(b - b'0'))
            .collect();
        let sum: u32 = digits
            .iter()
            .zip([9, 8, 7, 6, 5, 4, 3, 2])
            .map(|(d, w)| d * w)
            .sum();
        let check = sum % 11;
        if check < 10
            && let Ok(p) = PersonalNumber::parse(&format!("{prefix:08}{check}"))
        {
            return Ok(p);
        }
    }
    bail!("geen BSN gevonden bij {seed}")
}

fn time(h: u32, m: u32) -> Result<NaiveTime> {
    NaiveTime::from_hms_opt(h, m, 0).ok_or_else(|| anyhow!("tijd {h}:{m}"))
}

fn date(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| anyhow!("datum {y}-{m}-{d}"))
}

fn origin() -> Origin {
    Origin {
        file: "testkit".to_owned(),
        line: 0,
    }
}

fn staff(
    username: &str,
    name: &str,
    code: &str,
    roles: Vec<SchoolRole>,
    password: &str,
) -> Result<BatchStaff> {
    Ok(BatchStaff {
        staff: Staff {
            username: username.to_owned(),
            name: name.to_owned(),
            code: code.to_owned(),
            roles,
        },
        password_hash: Some(verzuim_auth::hash_password(password)?),
        origin: origin(),
    })
}

fn student(
    number: &str,
    first: &str,
    prefix: &str,
    last: &str,
    group: &str,
    mentor: Option<&str>,
    seed: u32,
) -> Result<BatchStudent> {
    Ok(BatchStudent {
        student: Student {
            student_number: number.to_owned(),
            personal_number: test_bsn(seed)?,
            first_name: first.to_owned(),
            name_prefix: prefix.to_owned(),
            last_name: last.to_owned(),
            birth_date: date(2013, 5, seed % 28 + 1)?,
            residence: None,
            enrolled_from: date(2025, 8, 25)?,
            enrolled_until: None,
            start_qualification: false,
            group: None,
            mentor: None,
        },
        group_code: Some(group.to_owned()),
        mentor_code: mentor.map(str::to_owned),
        origin: origin(),
    })
}

#[allow(clippy::too_many_arguments)]
fn lesson(
    day: NaiveDate,
    period: u8,
    start: (u32, u32),
    end: (u32, u32),
    group: &str,
    teacher: &str,
    subject: &str,
) -> Result<BatchLesson> {
    Ok(BatchLesson {
        date: day,
        period,
        start: time(start.0, start.1)?,
        end: time(end.0, end.1)?,
        group_code: group.to_owned(),
        teacher_code: Some(teacher.to_owned()),
        subject: subject.to_owned(),
        origin: origin(),
    })
}

fn group(code: &str) -> Group {
    Group {
        code: code.to_owned(),
        year_level: 1,
        location: "00".to_owned(),
    }
}

fn school(brin: &str, name: &str) -> Result<School> {
    Ok(School::new(
        Brin::parse(brin)?,
        name,
        Sector::Vo,
        Region::Zuid,
        vec![Location {
            code: "00".to_owned(),
            name: "Hoofdgebouw".to_owned(),
        }],
    )?)
}

/// Writes the fixture: two schools with the default code table, groups, staff with known
/// passwords, students and today's lessons, all through `Store::write_batch`.
pub async fn seed_fixture(store: &Store, today: NaiveDate) -> Result<Fixture> {
    let now = Utc::now();
    let school_id = store
        .create_school(&school("12AB", "Testschool De Linde")?)
        .await?;
    store
        .save_code_table(school_id, &CodeTable::magister_default())
        .await?;
    let batch = Batch {
        groups: vec![group("1A"), group("1B")],
        staff: vec![
            staff(
                TEACHER.0,
                "Dirk Docent",
                "DOC",
                vec![SchoolRole::Teacher],
                TEACHER.1,
            )?,
            staff(
                OTHER_TEACHER.0,
                "Bea Beta",
                "BET",
                vec![SchoolRole::Teacher],
                OTHER_TEACHER.1,
            )?,
            staff(
                COORDINATOR.0,
                "Carla Coördinator",
                "COO",
                vec![SchoolRole::AttendanceCoordinator, SchoolRole::Mentor],
                COORDINATOR.1,
            )?,
        ],
        students: vec![
            student("1001", "Anna", "de", "Vries", "1A", Some("COO"), 1)?,
            student("1002", "Bram", "", "Jansen", "1A", Some("COO"), 2)?,
            student("1003", "Chris", "", "Bakker", "1A", None, 3)?,
            student("1004", "Daan", "", "Smit", "1B", None, 4)?,
        ],
        lessons: vec![
            lesson(today, 1, (8, 30), (9, 20), "1A", "DOC", "ENG")?,
            lesson(today, 2, (9, 20), (10, 10), "1B", "BET", "NE")?,
            lesson(today, 3, (10, 30), (11, 20), "1A", "DOC", "WI")?,
        ],
        registrations: vec![],
    };
    store.write_batch(school_id, &batch, now, "testkit").await?;

    let other_id = store
        .create_school(&school("34CD", "Andere School")?)
        .await?;
    store
        .save_code_table(other_id, &CodeTable::magister_default())
        .await?;
    let other = Batch {
        groups: vec![group("2X")],
        staff: vec![staff(
            OTHER_SCHOOL_TEACHER.0,
            "Olga Elders",
            "OEL",
            vec![SchoolRole::Teacher, SchoolRole::AttendanceCoordinator],
            OTHER_SCHOOL_TEACHER.1,
        )?],
        students: vec![student("2001", "Eva", "", "Elders", "2X", None, 5)?],
        lessons: vec![lesson(today, 1, (8, 30), (9, 20), "2X", "OEL", "GS")?],
        registrations: vec![],
    };
    store.write_batch(other_id, &other, now, "testkit").await?;

    let staff_id = |name: &'static str| async move {
        store
            .staff_for_login(name)
            .await?
            .map(|(s, _)| s.id)
            .ok_or_else(|| anyhow!("medewerker {name} ontbreekt"))
    };
    let teacher = staff_id(TEACHER.0).await?;
    let other_teacher = staff_id(OTHER_TEACHER.0).await?;
    let coordinator = staff_id(COORDINATOR.0).await?;
    let elders = staff_id(OTHER_SCHOOL_TEACHER.0).await?;
    let student_id = |school: SchoolId, number: &'static str| async move {
        store
            .student_by_number(school, number)
            .await?
            .map(|s| s.id)
            .ok_or_else(|| anyhow!("leerling {number} ontbreekt"))
    };
    let groups = store.groups(school_id).await?;
    let group_id = |code: &str| {
        groups
            .iter()
            .find(|g| g.group.code == code)
            .map(|g| g.id)
            .ok_or_else(|| anyhow!("groep {code} ontbreekt"))
    };
    let first_lesson = |lessons: Vec<verzuim_store::LessonRow>| {
        lessons
            .into_iter()
            .min_by_key(|l| l.lesson.start)
            .map(|l| l.id)
            .ok_or_else(|| anyhow!("les ontbreekt"))
    };
    Ok(Fixture {
        today,
        school: school_id,
        other_school: other_id,
        group_1a: group_id("1A")?,
        group_1b: group_id("1B")?,
        teacher,
        coordinator,
        students_1a: vec![
            student_id(school_id, "1001").await?,
            student_id(school_id, "1002").await?,
            student_id(school_id, "1003").await?,
        ],
        student_1b: student_id(school_id, "1004").await?,
        other_school_student: student_id(other_id, "2001").await?,
        lesson_1a: first_lesson(
            store
                .lessons_of_teacher_on(school_id, teacher, today)
                .await?,
        )?,
        lesson_1b: first_lesson(
            store
                .lessons_of_teacher_on(school_id, other_teacher, today)
                .await?,
        )?,
        other_school_lesson: first_lesson(
            store.lessons_of_teacher_on(other_id, elders, today).await?,
        )?,
    })
}

/// The fixture's "today": Monday 23 November 2026.
pub fn fixture_today() -> Result<NaiveDate> {
    date(2026, 11, 23)
}

/// Starts the server on 127.0.0.1:0 against a fresh database of `backend`, migrated and
/// seeded with the fixture.
pub async fn spawn_app(backend: Backend) -> Result<TestApp> {
    let mut dir = None;
    let mut pg_schema = None;
    let url = match backend {
        Backend::Sqlite => {
            let d = tempfile::tempdir().context("tijdelijke map")?;
            let url = format!("sqlite:{}", d.path().join("verzuim-test.sqlite").display());
            dir = Some(d);
            url
        }
        Backend::Postgres => {
            let base =
                std::env::var("VERZUIM_TEST_PG_URL").unwrap_or_else(|_| DEFAULT_PG_URL.to_owned());
            let schema = format!("verzuim_test_{}", unique_suffix());
            let url = verzuim_store::create_postgres_schema(&base, &schema)
                .await
                .with_context(|| format!("PostgreSQL-schema aanmaken op {base} (zet VERZUIM_TEST_PG_URL of start PostgreSQL)"))?;
            pg_schema = Some((base, schema));
            url
        }
    };
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    let today = fixture_today()?;
    let fixture = seed_fixture(&store, today).await?;
    let app = App::new(store.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let address = format!("http://{}", listener.local_addr()?);
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let config = WebConfig {
        secure_cookies: false,
        today_override: Some(today),
        ..WebConfig::default()
    };
    let server_app = app.clone();
    let server = tokio::spawn(async move {
        let shutdown = async move {
            let _ = rx.await;
        };
        if let Err(e) = verzuim_web::serve(listener, server_app, config, shutdown).await {
            eprintln!("testserver gestopt met fout: {e}");
        }
    });
    let client = Browser::new(&address)?.client;
    Ok(TestApp {
        address,
        backend,
        store,
        app,
        client,
        fixture,
        shutdown: Some(tx),
        server: Some(server),
        _dir: dir,
        pg_schema,
    })
}

/// The value of the first hidden `csrf` field in an HTML page.
pub fn csrf_from(html: &str) -> Option<String> {
    let at = html.find("name=\"csrf\"")?;
    let rest = &html[at..];
    let v = rest.find("value=\"")? + "value=\"".len();
    let end = rest[v..].find('"')?;
    Some(rest[v..v + end].to_owned())
}

/// A browser-like HTTP client: its own cookie jar, no automatic redirects.
#[derive(Debug, Clone)]
pub struct Browser {
    /// `http://127.0.0.1:<port>`.
    pub address: String,
    /// The client.
    pub client: reqwest::Client,
}

impl Browser {
    /// A new client with an empty cookie jar for the server at `address`.
    pub fn new(address: &str) -> Result<Self> {
        Ok(Self {
            address: address.to_owned(),
            client: reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()?,
        })
    }

    /// Full URL of a path on the server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// GET a path (redirects are not followed).
    pub async fn get(&self, path: &str) -> Result<reqwest::Response> {
        Ok(self.client.get(self.url(path)).send().await?)
    }

    /// GET a path and return status and body.
    pub async fn get_page(&self, path: &str) -> Result<(reqwest::StatusCode, String)> {
        let r = self.get(path).await?;
        let status = r.status();
        Ok((status, r.text().await?))
    }

    /// POST form fields as they are (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Result<reqwest::Response> {
        Ok(self.client.post(self.url(path)).form(fields).send().await?)
    }

    /// POST a form the way a browser would: GET `form_page`, take its CSRF token, and send it
    /// with `fields` to `path`.
    pub async fn post_form(
        &self,
        form_page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Result<reqwest::Response> {
        let (status, html) = self.get_page(form_page).await?;
        let csrf = csrf_from(&html)
            .ok_or_else(|| anyhow!("geen csrf-veld op {form_page} (status {status})"))?;
        let mut all: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Logs in through the login form; returns the response to the POST (303 on success).
    pub async fn login(&self, username: &str, password: &str) -> Result<reqwest::Response> {
        self.post_form(
            "/inloggen",
            "/inloggen",
            &[("gebruikersnaam", username), ("wachtwoord", password)],
        )
        .await
    }
}

impl TestApp {
    /// The app's own client as a [`Browser`] (same cookie jar as [`TestApp::client`]).
    pub fn browser(&self) -> Browser {
        Browser {
            address: self.address.clone(),
            client: self.client.clone(),
        }
    }

    /// A second browser with its own cookie jar (another person at another desk).
    pub fn new_browser(&self) -> Result<Browser> {
        Browser::new(&self.address)
    }

    /// Full URL of a path on the server.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.address)
    }

    /// GET a path with the app's client (redirects are not followed).
    pub async fn get(&self, path: &str) -> Result<reqwest::Response> {
        self.browser().get(path).await
    }

    /// GET a path and return status and body.
    pub async fn get_page(&self, path: &str) -> Result<(reqwest::StatusCode, String)> {
        self.browser().get_page(path).await
    }

    /// POST form fields as they are (no CSRF token added).
    pub async fn post_raw(&self, path: &str, fields: &[(&str, &str)]) -> Result<reqwest::Response> {
        self.browser().post_raw(path, fields).await
    }

    /// POST a form with the CSRF token scraped from `form_page`.
    pub async fn post_form(
        &self,
        form_page: &str,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Result<reqwest::Response> {
        self.browser().post_form(form_page, path, fields).await
    }

    /// Logs in with the app's client; returns the response to the POST (303 on success).
    pub async fn login(&self, username: &str, password: &str) -> Result<reqwest::Response> {
        self.browser().login(username, password).await
    }

    /// Stops the server and drops the PostgreSQL schema (also done on drop).
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            let _ = server.await;
        }
        self.store.close().await;
        if let Some((base, schema)) = self.pg_schema.take() {
            let _ = verzuim_store::drop_postgres_schema(&base, &schema).await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(server) = self.server.take() {
            server.abort();
        }
        if let Some((base, schema)) = self.pg_schema.take() {
            // Drop cannot await; a short-lived runtime on its own thread does the clean-up.
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
