//! The machine coupling end to end, with the real binary (issue 5, acceptance):
//!
//! 1. `verzuim demo` runs the school, the loket and the loket's machine coupling as one
//!    process on three ports, with a test PKI it generates and the school's certificate
//!    registered on the loket; the school syncs every second over HTTPS with its client
//!    certificate. A coordinator confirms a proposal of the law engine (school database), the
//!    next sync submits it and stores the meldingsnummer; the leerplichtambtenaar answers it
//!    through the loket's web pages (login with password + TOTP); the school's next poll
//!    stores the terugmelding.
//! 2. Refusals over real TLS: no client certificate, a certificate of an unknown CA, an
//!    expired one, school A's certificate for school B, malformed XML, XXE, billion laughs
//!    and an oversized body each get a SOAP fault, and the loket stores nothing (no melding,
//!    no logged exchange).
//! 3. `kill -9` during a burst of submissions: every melding the loket acknowledged with a
//!    meldingsnummer is there after a restart (`verzuim serve loket`), and resending the whole
//!    burst with the same document ids stores each melding once.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use chrono::{NaiveDate, Utc};
use verzuim_app::App;
use verzuim_app::loket::{Loket, LoketConfig};
use verzuim_app::m2m::Confirmation;
use verzuim_app::school::Actor;
use verzuim_domain::Brin;
use verzuim_edukoppeling::messages::{
    AanvraagMeldingRelatiefVerzuimRequest, MeldenRelatiefVerzuimRequest, MeldingGegevens,
};
use verzuim_edukoppeling::{
    DocumentId, FaultCode, Limits, MessageId, Oin, RequestMessage, ResponseBody, ResponseMessage,
    WsaHeaders, parse_response, write_request,
};
use verzuim_loket::{MeldingStatus, Priority, Verzuimsoort};
use verzuim_m2m::pki::{IssuedCert, TestCa};
use verzuim_m2m::{ClientOptions, M2mClient, tls};
use verzuim_store::m2m::M2mState;
use verzuim_store::{LoketStore, Store};

use common::{Running, free_ports, verzuim, wait_for_port};

const LOKET_OIN: &str = "00000001800866472000";
const DEMO_BRIN: &str = "99ZZ";
const OTHER_BRIN: &str = "11AA";

/// The demo's files and ports.
struct DemoFiles {
    dir: tempfile::TempDir,
    base: u16,
}

impl DemoFiles {
    fn school_url(&self) -> String {
        format!(
            "sqlite:{}",
            self.dir.path().join("verzuim-demo.sqlite").display()
        )
    }
    fn loket_url(&self) -> String {
        format!(
            "sqlite:{}",
            self.dir.path().join("verzuim-demo-loket.sqlite").display()
        )
    }
    fn pki(&self) -> PathBuf {
        self.dir.path().join("verzuim-demo-pki")
    }
    fn loket_port(&self) -> u16 {
        self.base + 1
    }
    fn m2m_port(&self) -> u16 {
        self.base + 2
    }
    fn endpoint(&self, port: u16) -> url::Url {
        url::Url::parse(&format!("https://127.0.0.1:{port}/verzuimloket")).unwrap()
    }
}

fn start_demo() -> (Running, DemoFiles, Vec<String>) {
    let dir = tempfile::tempdir().unwrap();
    let base = free_ports();
    let mut c = verzuim();
    c.current_dir(dir.path()).args([
        "demo",
        "--students",
        "150",
        "--file",
        dir.path().join("verzuim-demo.sqlite").to_str().unwrap(),
        "--listen",
        &format!("127.0.0.1:{base}"),
        "--sync-seconds",
        "1",
    ]);
    let (running, lines) = Running::start(c, "Stoppen: Ctrl+C", Duration::from_secs(300));
    let files = DemoFiles { dir, base };
    wait_for_port(files.m2m_port(), Duration::from_secs(30));
    (running, files, lines)
}

fn client(files: &DemoFiles, port: u16, cert: Option<(&str, &str)>) -> M2mClient {
    let trust = tls::trust_store(&tls::load_certs(&files.pki().join("ca.pem")).unwrap()).unwrap();
    let config = match cert {
        Some((pem, key)) => tls::client_config(
            tls::certs_from_pem(pem.as_bytes()).unwrap(),
            tls::key_from_pem(key.as_bytes()).unwrap(),
            trust,
        )
        .unwrap(),
        None => tls::client_config_without_certificate(trust).unwrap(),
    };
    let opts = ClientOptions {
        timeout: Duration::from_secs(20),
        ..ClientOptions::default()
    };
    M2mClient::new(files.endpoint(port), config, opts).unwrap()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap()
}

fn demo_client(files: &DemoFiles, port: u16) -> M2mClient {
    let pki = files.pki();
    client(
        files,
        port,
        Some((
            &read(&pki.join(format!("{DEMO_BRIN}.pem"))),
            &read(&pki.join(format!("{DEMO_BRIN}.key"))),
        )),
    )
}

fn issued_client(files: &DemoFiles, cert: &IssuedCert) -> M2mClient {
    client(
        files,
        files.m2m_port(),
        Some((&cert.cert_pem, &cert.key_pem)),
    )
}

fn uuid(n: u64, salt: u32) -> String {
    format!("{salt:08x}-0000-4000-8000-{n:012x}")
}

fn headers(brin: &str, message: u64, salt: u32, message_kind: &RequestMessage) -> WsaHeaders {
    WsaHeaders::request(
        &Oin::parse(LOKET_OIN).unwrap(),
        &Oin::from_brin(&Brin::parse(brin).unwrap()),
        message_kind.operation(),
        MessageId::from_uuid(&uuid(message, salt)).unwrap(),
    )
}

/// Posts `message` and reads the answer: the body or the fault.
async fn call(
    client: &M2mClient,
    brin: &str,
    message: RequestMessage,
    id: u64,
    salt: u32,
) -> Result<(u16, ResponseBody), String> {
    let h = headers(brin, id, salt, &message);
    let xml = write_request(&h, &message).unwrap();
    let (status, body) = client
        .post(message.operation().action(), xml)
        .await
        .map_err(|e| e.to_string())?;
    let parsed = parse_response(&body, &Limits::default())
        .map_err(|e| format!("unreadable answer ({status}): {e}"))?;
    Ok((status, parsed.body))
}

/// A valid BSN for `seed`.
fn bsn(seed: u32) -> String {
    verzuim_demo::test_bsn(seed)
}

fn melding(student: u32, location: &str, begin: NaiveDate) -> MeldingGegevens {
    MeldingGegevens {
        student_number: bsn(student),
        first_names: format!("Leerling {student}"),
        prefix: None,
        surname: "Burst".into(),
        birth_date: NaiveDate::from_ymd_opt(2011, 3, 14).unwrap(),
        gender: "X".into(),
        residence_gemeente: "0935".into(),
        start_qualification: false,
        kind: Verzuimsoort::ZestienUur,
        begin_date: begin,
        end_date: Some(begin),
        suspected_reason: "Spijbelen".into(),
        all_lessons_missed: false,
        school_actions: "Mentor heeft ouders gebeld.".into(),
        action_wanted: true,
        priority: Some(Priority::Normaal),
        no_action_explanation: None,
        location: location.into(),
        parent_phone: "06 12345678".into(),
        address: None,
        absence_days: None,
        absence_hours: Some(16),
    }
}

fn melden(brin: &str, document: &str, m: MeldingGegevens) -> RequestMessage {
    RequestMessage::Melden(Box::new(MeldenRelatiefVerzuimRequest {
        document_id: Some(DocumentId::parse(document).unwrap()),
        brin: brin.into(),
        melding: m,
        day_specification: None,
    }))
}

fn fault_code(r: &Result<(u16, ResponseBody), String>) -> Option<FaultCode> {
    match r {
        Ok((500 | 413, ResponseBody::Fault(f))) => Some(f.code),
        _ => None,
    }
}

async fn loket(files: &DemoFiles) -> Loket {
    Loket::new(
        LoketStore::connect(&files.loket_url()).await.unwrap(),
        LoketConfig::default(),
    )
}

/// What the loket stored: meldingen of the demo school and logged exchanges.
async fn stored(loket: &Loket) -> (usize, i64) {
    let melder = loket.load_actor("school.melder").await.unwrap().unwrap();
    let meldingen = loket
        .school_meldingen(
            &melder,
            &Brin::parse(DEMO_BRIN).unwrap(),
            &Default::default(),
        )
        .await
        .unwrap()
        .len();
    (meldingen, loket.store.count_m2m_messages().await.unwrap())
}

/// The printed TOTP secret of `username` in the demo's output.
fn secret(lines: &[String], username: &str) -> String {
    lines
        .iter()
        .find(|l| l.contains(&format!("gebruiker {username} ")))
        .and_then(|l| l.split("geheim ").nth(1))
        .map(|s| s.trim().to_owned())
        .unwrap_or_else(|| panic!("no secret for {username}"))
}

fn csrf(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("csrf field") + 19;
    html[at..].split('"').next().unwrap().to_owned()
}

/// The leerplichtambtenaar closes `nummer` with a terugmelding through the loket's pages.
async fn answer_in_the_loket(files: &DemoFiles, lines: &[String], nummer: &str) {
    let base = format!("http://127.0.0.1:{}", files.loket_port());
    let http = reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // The demo used the current TOTP step to enrol the token (replay protection refuses it
    // again), so a refused code is retried once in the next 30-second step.
    let mut status = 0;
    for attempt in 0..2 {
        if attempt > 0 {
            let unix = Utc::now().timestamp();
            tokio::time::sleep(Duration::from_secs(30 - (unix % 30) as u64 + 1)).await;
        }
        let page = http.get(format!("{base}/inloggen")).send().await.unwrap();
        let html = page.text().await.unwrap();
        assert!(
            html.contains("class=\"proeftuin\""),
            "the demo loket runs as proeftuin and says so on every page"
        );
        let token = csrf(&html);
        let unix = u64::try_from(Utc::now().timestamp()).unwrap();
        let code = verzuim_auth::totp::code_at(&secret(lines, "lpa.maastricht"), unix).unwrap();
        let r = http
            .post(format!("{base}/inloggen"))
            .form(&[
                ("csrf", token.as_str()),
                ("terug", "/"),
                ("inlognaam", "lpa.maastricht"),
                ("wachtwoord", "demo-lpa-maastricht-2026"),
                ("code", code.as_str()),
            ])
            .send()
            .await
            .unwrap();
        status = r.status().as_u16();
        if status == 303 {
            break;
        }
    }
    assert_eq!(status, 303, "login as leerplichtambtenaar");
    let detail = format!("{base}/gemeenten/0935/meldingen/{nummer}");
    let page = http.get(&detail).send().await.unwrap();
    assert_eq!(page.status(), 200, "the melding reached gemeente 0935");
    let token = csrf(&page.text().await.unwrap());
    let r = http
        .post(&detail)
        .form(&[
            ("csrf", token.as_str()),
            ("status", "G"),
            ("closing_reason", "TERUG"),
            ("explanation", "ACTIE"),
            ("contact_name", "Lotte Smeets"),
            ("contact_function", "Leerplichtambtenaar"),
            ("contact_phone", "043 350 40 00"),
            ("contact_email", "leerplicht@maastricht.nl"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 303, "terugmelding saved");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn school_submits_gemeente_answers_school_polls_refusals_store_nothing_and_kill_9_loses_no_acknowledged_melding()
 {
    let (mut demo, files, lines) = start_demo();
    let today = verzuim_web::clock::amsterdam_date(Utc::now());

    // --- 1. The rule: a confirmed proposal goes to the loket, the terugmelding comes back.
    let app = App::new(Store::connect(&files.school_url()).await.unwrap());
    let (staff, _) = app
        .store
        .staff_for_login("demo.verzuim")
        .await
        .unwrap()
        .unwrap();
    let coordinator = Actor::trusted(staff);
    let proposals = app
        .m2m_proposals(&coordinator, today, Utc::now())
        .await
        .unwrap();
    let proposal = proposals
        .iter()
        .find(|p| p.draft.input.residence_gemeente == "0935")
        .expect("a proposal for a student living in Maastricht");
    let mut input = proposal.draft.input.clone();
    input.school_actions = "Gesprek met ouders; mentor belt dagelijks.".into();
    input.action_wanted = "ja".into();
    input.priority = "NORMAAL".into();
    input.parent_phone = "06 12345678".into();
    app.confirm_melding(
        &coordinator,
        &Confirmation {
            key: proposal.key.clone(),
            input,
            day_spec: proposal.draft.day_spec.to_text(),
        },
        today,
        Utc::now(),
    )
    .await
    .unwrap();
    let row = wait_until(
        Duration::from_secs(60),
        "the school's sync submits it",
        async || {
            app.m2m_meldingen(&coordinator, Utc::now())
                .await
                .unwrap()
                .into_iter()
                .find(|m| m.proposal_key == proposal.key && m.state == M2mState::Verzonden)
        },
    )
    .await;
    let nummer = row.nummer.clone().expect("a meldingsnummer");
    assert!(nummer.starts_with("VM"), "{nummer}");

    answer_in_the_loket(&files, &lines, &nummer).await;
    let answered = wait_until(
        Duration::from_secs(60),
        "the school's next poll stores the terugmelding",
        async || {
            app.m2m_meldingen(&coordinator, Utc::now())
                .await
                .unwrap()
                .into_iter()
                .find(|m| {
                    m.nummer.as_deref() == Some(nummer.as_str()) && m.terugmelding_at.is_some()
                })
        },
    )
    .await;
    assert_eq!(answered.loket_status.as_deref(), Some("G"));
    assert_eq!(answered.closing_reason.as_deref(), Some("TERUG"));
    assert_eq!(
        answered.contact.as_ref().map(|c| c.name.as_str()),
        Some("Lotte Smeets")
    );
    let log = app
        .m2m_melding_log(&coordinator, row.id, Utc::now())
        .await
        .unwrap();
    assert!(
        log.messages.len() >= 2,
        "the school keeps the messages it sent and received: {}",
        log.messages.len()
    );

    // --- 2. Refusals over real TLS: a fault each, nothing stored.
    let loket = loket(&files).await;
    let location = loket
        .list_locations(
            &loket.load_actor("school.melder").await.unwrap().unwrap(),
            &Brin::parse(DEMO_BRIN).unwrap(),
            "",
        )
        .await
        .unwrap()[0]
        .name
        .clone();
    let before = stored(&loket).await;
    let demo_ca = TestCa::from_pem(
        &read(&files.pki().join("ca.pem")),
        &read(&files.pki().join("ca.key")),
    )
    .unwrap();
    let brin = Brin::parse(DEMO_BRIN).unwrap();
    let other_ca = TestCa::generate("Onbekende CA").unwrap();
    let cases: Vec<(&str, M2mClient, Option<String>)> = vec![
        (
            "no client certificate",
            client(&files, files.m2m_port(), None),
            None,
        ),
        (
            "a certificate of an unknown CA",
            issued_client(
                &files,
                &other_ca
                    .school_cert(
                        &brin,
                        "Demo College Maastricht",
                        Utc::now() + chrono::Duration::days(30),
                    )
                    .unwrap(),
            ),
            None,
        ),
        (
            "an expired certificate",
            issued_client(
                &files,
                &demo_ca
                    .expired_school_cert(&brin, "Demo College Maastricht")
                    .unwrap(),
            ),
            None,
        ),
        (
            "school 99ZZ's certificate for school 11AA",
            demo_client(&files, files.m2m_port()),
            Some(OTHER_BRIN.to_owned()),
        ),
    ];
    for (i, (what, client, for_brin)) in cases.into_iter().enumerate() {
        let brin = for_brin.as_deref().unwrap_or(DEMO_BRIN);
        let r = call(
            &client,
            brin,
            melden(
                brin,
                &uuid(900 + i as u64, 0xdead),
                melding(900 + i as u32, &location, today),
            ),
            900 + i as u64,
            0xbeef,
        )
        .await;
        assert_eq!(fault_code(&r), Some(FaultCode::Dk0002), "{what}: {r:?}");
    }
    let good = demo_client(&files, files.m2m_port());
    let envelope = |body: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>{body}</soapenv:Body></soapenv:Envelope>"#
        )
    };
    let xxe = r#"<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>&xxe;</soapenv:Body></soapenv:Envelope>"#.to_owned();
    let mut entities = r#"<!ENTITY lol0 "lol">"#.to_owned();
    for i in 1..10 {
        entities.push_str(&format!(
            r#"<!ENTITY lol{i} "{}">"#,
            format!("&lol{};", i - 1).repeat(10)
        ));
    }
    let laughs = format!(
        r#"<?xml version="1.0"?><!DOCTYPE lolz [{entities}]><soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>&lol9;</soapenv:Body></soapenv:Envelope>"#
    );
    let oversized = envelope(&"<a>x</a>".repeat(5 * 1024 * 1024 / 8 + 1));
    let action = verzuim_edukoppeling::Operation::MeldenRelatiefVerzuim.action();
    for (what, body) in [
        (
            "malformed XML",
            envelope("<Melden><niet-gesloten></Melden>"),
        ),
        ("XXE", xxe),
        ("billion laughs", laughs),
        ("an oversized body", oversized),
    ] {
        let (status, answer) = good.post(action, body).await.unwrap();
        // No addressing headers could be read, so the fault carries none (and is no answer
        // `parse_response` accepts): check its faultcode as text.
        let answer = String::from_utf8_lossy(&answer);
        assert!(status == 500 || status == 413, "{what}: HTTP {status}");
        assert!(
            answer.contains("<faultcode>soapenv:Client.DK0004</faultcode>"),
            "{what}: {answer}"
        );
    }
    assert_eq!(
        stored(&loket).await,
        before,
        "refused requests store nothing"
    );

    // --- 3. kill -9 during a burst: nothing acknowledged is lost; a resend stores each once.
    const BURST: u32 = 120;
    let salt = 0xb0_0057;
    let acknowledged = Arc::new(std::sync::Mutex::new(BTreeMap::<u32, String>::new()));
    let started = Arc::new(AtomicUsize::new(0));
    let client = Arc::new(demo_client(&files, files.m2m_port()));
    let mut tasks = Vec::new();
    for worker in 0..8u32 {
        let (client, acknowledged, started, location) = (
            client.clone(),
            acknowledged.clone(),
            started.clone(),
            location.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut n = worker;
            while n < BURST {
                started.fetch_add(1, Ordering::Relaxed);
                let message = melden(
                    DEMO_BRIN,
                    &uuid(u64::from(n), salt),
                    melding(n, &location, today),
                );
                match call(&client, DEMO_BRIN, message, u64::from(n), salt).await {
                    Ok((200, ResponseBody::Message(ResponseMessage::Melden(r)))) => {
                        acknowledged.lock().unwrap().insert(n, r.id.number);
                    }
                    Ok(other) => panic!("melding {n}: unexpected answer {other:?}"),
                    Err(_) => return, // the loket is gone
                }
                n += 8;
            }
        }));
    }
    let deadline = Instant::now() + Duration::from_secs(60);
    while acknowledged.lock().unwrap().len() < 20 {
        assert!(Instant::now() < deadline, "the burst does not get going");
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    demo.kill_9();
    for t in tasks {
        t.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(
        (acknowledged.len() as u32) < BURST,
        "the kill came after the burst ({} acknowledged); nothing was tested",
        acknowledged.len()
    );
    println!(
        "kill -9 after {} of {BURST} submissions were acknowledged ({} sent)",
        acknowledged.len(),
        started.load(Ordering::Relaxed)
    );

    // Restart the loket alone on the same database and certificates.
    let restart_port = free_ports();
    let pki = files.pki();
    let mut c = verzuim();
    c.current_dir(files.dir.path())
        .env("VERZUIM_LOKET_DATABASE_URL", files.loket_url())
        .env("VERZUIM_M2M_SERVER_CERT", pki.join("server.pem"))
        .env("VERZUIM_M2M_SERVER_KEY", pki.join("server.key"))
        .env("VERZUIM_M2M_CLIENT_TRUST", pki.join("ca.pem"))
        .args([
            "serve",
            "loket",
            "--proeftuin",
            "--listen",
            &format!("127.0.0.1:{restart_port}"),
            "--m2m-listen",
            &format!("127.0.0.1:{}", restart_port + 1),
        ]);
    let (_loket_process, _) = Running::start(c, "machinekoppeling op", Duration::from_secs(60));
    wait_for_port(restart_port + 1, Duration::from_secs(30));
    let client = demo_client(&files, restart_port + 1);
    for (n, nummer) in &acknowledged {
        let r = call(
            &client,
            DEMO_BRIN,
            RequestMessage::Aanvraag(AanvraagMeldingRelatiefVerzuimRequest {
                brin: DEMO_BRIN.into(),
                number: nummer.clone(),
            }),
            10_000 + u64::from(*n),
            salt,
        )
        .await;
        match r {
            Ok((200, ResponseBody::Message(ResponseMessage::Aanvraag(a)))) => {
                assert_eq!(a.melding.id.number, *nummer);
                assert_eq!(a.melding.status, MeldingStatus::Geregistreerd);
            }
            other => {
                panic!("acknowledged melding {nummer} (#{n}) is lost after kill -9: {other:?}")
            }
        }
    }
    let (count_before_resend, _) = stored(&loket).await;
    let mut numbers = BTreeSet::new();
    for n in 0..BURST {
        let message = melden(
            DEMO_BRIN,
            &uuid(u64::from(n), salt),
            melding(n, &location, today),
        );
        match call(&client, DEMO_BRIN, message, 20_000 + u64::from(n), salt).await {
            Ok((200, ResponseBody::Message(ResponseMessage::Melden(r)))) => {
                if let Some(first) = acknowledged.get(&n) {
                    assert_eq!(&r.id.number, first, "a resend gets the same meldingsnummer");
                }
                numbers.insert(r.id.number);
            }
            other => panic!("resend {n}: {other:?}"),
        }
    }
    assert_eq!(
        numbers.len() as u32,
        BURST,
        "every melding has its own number"
    );
    let (count_after, _) = stored(&loket).await;
    let survived_unacknowledged = count_before_resend
        .saturating_sub(before.0)
        .saturating_sub(acknowledged.len());
    assert_eq!(
        count_after - before.0,
        BURST as usize,
        "the burst is stored exactly once ({} acknowledged before the kill, {survived_unacknowledged} stored but unacknowledged)",
        acknowledged.len()
    );
    loket.store.close().await;
    app.store.close().await;
}

/// Polls `probe` every 200 ms until it gives something.
async fn wait_until<T>(within: Duration, what: &str, probe: impl AsyncFn() -> Option<T>) -> T {
    let deadline = Instant::now() + within;
    loop {
        if let Some(t) = probe().await {
            return t;
        }
        assert!(Instant::now() < deadline, "timed out: {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// `verzuim pki` makes a test PKI (refusing to overwrite a CA); a loket outside the proeftuin
/// refuses to start with that test CA in its client trust store, and starts with
/// `--proeftuin`.
#[test]
fn a_test_ca_opens_only_the_proeftuin() {
    let dir = tempfile::tempdir().unwrap();
    let pki = dir.path().join("pki");
    let init = |extra: &[&str]| {
        let mut c = verzuim();
        c.args(["pki", "init", "--dir", pki.to_str().unwrap()])
            .args(extra)
            .output()
            .unwrap()
    };
    let out = init(&["--school", "12AB=Sint-Maartenscollege"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for f in [
        "ca.pem",
        "ca.key",
        "server.pem",
        "server.key",
        "12AB.pem",
        "12AB.key",
        "12AB.cer",
    ] {
        assert!(pki.join(f).exists(), "{f} written");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(pki.join("12AB.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "keys are private");
    }
    let again = init(&[]);
    assert!(
        !again.status.success(),
        "a second init must not replace the CA"
    );
    assert!(String::from_utf8_lossy(&again.stderr).contains("bevat al een test-CA"));

    let serve = |proeftuin: bool| {
        let port = free_ports();
        let mut c = verzuim();
        c.current_dir(dir.path())
            .env(
                "VERZUIM_LOKET_DATABASE_URL",
                format!("sqlite:{}", dir.path().join("loket.sqlite").display()),
            )
            .env("VERZUIM_M2M_SERVER_CERT", pki.join("server.pem"))
            .env("VERZUIM_M2M_SERVER_KEY", pki.join("server.key"))
            .env("VERZUIM_M2M_CLIENT_TRUST", pki.join("ca.pem"))
            .args([
                "serve",
                "loket",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--m2m-listen",
                &format!("127.0.0.1:{}", port + 1),
            ]);
        if proeftuin {
            c.arg("--proeftuin");
        }
        c
    };
    let refused = serve(false).output().unwrap();
    assert!(!refused.status.success());
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("alleen in de proeftuin"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );
    let (_running, _) = Running::start(serve(true), "(proeftuin)", Duration::from_secs(60));
}
