//! Load benchmark of the machine coupling over real mutual TLS on 127.0.0.1: N concurrent
//! keep-alive clients post valid `MeldenRelatiefVerzuim` envelopes.
//!
//! 1. **echo**: the same listener (`verzuim_m2m::serve`, same TLS and limits) with a handler
//!    that answers at once: the transport's ceiling (TLS + HTTP/1.1 + body handling).
//! 2. **loket**: the real loket (`Loket::m2m_exchange`) on a SQLite temp file: parse, check
//!    the certificate registration, store the melding and the message in one transaction.
//!    At the end the number of stored meldingen must equal the number acknowledged.
//!
//! Run: `cargo bench -p verzuim-m2m --bench m2m_load`. Environment:
//! `VERZUIM_BENCH_CLIENTS` (concurrent clients, default 16), `VERZUIM_BENCH_SECS` (seconds per
//! half, default 8).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, missing_docs)]

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use verzuim_domain::Brin;
use verzuim_edukoppeling::messages::{MeldenRelatiefVerzuimRequest, MeldingGegevens};
use verzuim_edukoppeling::{
    DocumentId, MessageId, Oin, Operation, RequestMessage, WsaHeaders, write_request,
};
use verzuim_loket::{Priority, Verzuimsoort};
use verzuim_m2m::pki::{IssuedCert, TestCa};
use verzuim_m2m::{
    ClientOptions, M2mClient, ServerOptions, SoapHandler, SoapRequest, SoapResponse, tls,
};

#[path = "m2m_load/loket_half.rs"]
mod loket_half;

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The loket's OIN in the benchmark (any valid OIN).
pub const LOKET_OIN: &str = "00000001800866472000";
pub const SCHOOL_NAME: &str = "Bench College";

pub fn brin() -> Brin {
    Brin::parse("12AB").unwrap()
}

pub fn day(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// A valid BSN (11-proef), different for every `seed`.
pub fn bsn(seed: u64) -> String {
    verzuim_demo::test_bsn(u32::try_from(seed).unwrap())
}

/// A deterministic UUID v4-shaped string from two numbers (no randomness needed).
pub fn uuid(a: u64, b: u64) -> String {
    let x = format!("{a:016x}{b:016x}");
    format!(
        "{}-{}-4{}-8{}-{}",
        &x[0..8],
        &x[8..12],
        &x[13..16],
        &x[17..20],
        &x[20..32]
    )
}

/// One valid `MeldenRelatiefVerzuim` envelope for melding number `seq` of client `client`.
pub fn melden_envelope(client: u64, seq: u64, location: &str, gemeente: &str) -> String {
    let school = Oin::from_brin(&brin());
    let loket = Oin::parse(LOKET_OIN).unwrap();
    let id = MessageId::from_uuid(&uuid(client + 1, seq)).unwrap();
    let headers = WsaHeaders::request(&loket, &school, Operation::MeldenRelatiefVerzuim, id);
    let melding = MeldingGegevens {
        student_number: bsn(client * 100_000 + seq),
        first_names: "Sam".into(),
        prefix: None,
        surname: format!("Leerling {client}-{seq}"),
        birth_date: day("2011-05-06"),
        gender: "X".into(),
        residence_gemeente: gemeente.into(),
        start_qualification: false,
        kind: Verzuimsoort::ZestienUur,
        begin_date: day("2026-10-01"),
        end_date: Some(day("2026-10-20")),
        suspected_reason: "Spijbelt op maandag".into(),
        all_lessons_missed: false,
        school_actions: "Gesprek met ouders".into(),
        action_wanted: true,
        priority: Some(Priority::Normaal),
        no_action_explanation: None,
        location: location.into(),
        parent_phone: "0431234567".into(),
        address: None,
        absence_days: Some(4),
        absence_hours: Some(16),
    };
    let message = RequestMessage::Melden(Box::new(MeldenRelatiefVerzuimRequest {
        document_id: Some(DocumentId::parse(&uuid(client + 1_000_001, seq)).unwrap()),
        brin: brin().as_str().to_owned(),
        melding,
        day_specification: None,
    }));
    write_request(&headers, &message).unwrap()
}

/// The server side both halves share: CA, server certificate, trust.
pub struct Pki {
    pub ca: TestCa,
    pub server: IssuedCert,
    pub school: IssuedCert,
}

impl Pki {
    fn new() -> Self {
        let ca = TestCa::generate("Bench-CA").unwrap();
        let server = ca.server_cert(&["localhost", "127.0.0.1"]).unwrap();
        let school = ca
            .school_cert(
                &brin(),
                SCHOOL_NAME,
                chrono::Utc::now() + chrono::Duration::days(30),
            )
            .unwrap();
        Self { ca, server, school }
    }
}

/// Starts `serve` on 127.0.0.1:0 with `handler`; returns the endpoint and a stop switch.
pub async fn start(
    pki: &Pki,
    handler: Arc<dyn SoapHandler>,
) -> (
    url::Url,
    tokio::sync::oneshot::Sender<()>,
    tokio::task::JoinHandle<()>,
) {
    let trust = tls::trust_store(&[pki.ca.cert_der()]).unwrap();
    let config = tls::server_config(pki.server.chain(), pki.server.key(), trust).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(verzuim_m2m::serve(
        listener,
        config,
        handler,
        ServerOptions::default(),
        async {
            let _ = rx.await;
        },
    ));
    let url = url::Url::parse(&format!("https://127.0.0.1:{port}/verzuimloket")).unwrap();
    (url, tx, task)
}

/// Makes the envelope for (client, sequence number).
pub type MakeEnvelope = Arc<dyn Fn(u64, u64) -> String + Send + Sync>;
/// Says whether an answer (HTTP status, body) counts as a success.
pub type Accept = Arc<dyn Fn(u16, &[u8]) -> bool + Send + Sync>;

/// What one half measured.
pub struct Stats {
    pub name: &'static str,
    pub ok: u64,
    pub failed: u64,
    pub elapsed: Duration,
    pub latencies_us: Vec<u64>,
}

impl Stats {
    fn percentile(&self, p: f64) -> f64 {
        if self.latencies_us.is_empty() {
            return 0.0;
        }
        let i = ((self.latencies_us.len() as f64 - 1.0) * p).round() as usize;
        self.latencies_us[i] as f64 / 1000.0
    }

    fn print(&self, unit: &str) {
        println!(
            "{:<6} {:>8} {unit} in {:>5.1} s = {:>8.0} {unit}/s   p50 {:>7.2} ms   p99 {:>7.2} ms   failed {}",
            self.name,
            self.ok,
            self.elapsed.as_secs_f64(),
            self.ok as f64 / self.elapsed.as_secs_f64(),
            self.percentile(0.50),
            self.percentile(0.99),
            self.failed
        );
    }
}

/// Runs `clients` concurrent keep-alive clients against `endpoint` for `duration`, each
/// posting the envelopes `envelope(client, seq)` makes; `accept` says whether an answer
/// counts as success. Returns the stats and every successful answer body.
pub async fn run(
    name: &'static str,
    pki: &Pki,
    endpoint: &url::Url,
    clients: usize,
    duration: Duration,
    envelope: MakeEnvelope,
    accept: Accept,
) -> (Stats, Vec<Vec<u8>>) {
    let trust = tls::trust_store(&[pki.ca.cert_der()]).unwrap();
    let config = tls::client_config(pki.school.chain(), pki.school.key(), trust).unwrap();
    let action = Operation::MeldenRelatiefVerzuim.action();
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::new();
    // Only the first failure of a half is printed.
    let reported = Arc::new(AtomicBool::new(false));
    for c in 0..clients as u64 {
        let reported = reported.clone();
        let client =
            M2mClient::new(endpoint.clone(), config.clone(), ClientOptions::default()).unwrap();
        let envelope = envelope.clone();
        let accept = accept.clone();
        let action = action.to_owned();
        tasks.push(tokio::spawn(async move {
            let (mut lat, mut bodies, mut failed) = (Vec::new(), Vec::new(), 0u64);
            let mut seq = 0u64;
            while Instant::now() < deadline {
                let body = envelope(c, seq);
                seq += 1;
                let t0 = Instant::now();
                match client.post(&action, body).await {
                    Ok((status, answer)) if accept(status, &answer) => {
                        lat.push(t0.elapsed().as_micros() as u64);
                        bodies.push(answer);
                    }
                    Ok((status, answer)) => {
                        if !reported.swap(true, Ordering::Relaxed) {
                            eprintln!(
                                "{name}: HTTP {status}: {}",
                                String::from_utf8_lossy(&answer)
                            );
                        }
                        failed += 1;
                    }
                    Err(e) => {
                        if !reported.swap(true, Ordering::Relaxed) {
                            eprintln!("{name}: {e}");
                        }
                        failed += 1;
                    }
                }
            }
            (lat, bodies, failed)
        }));
    }
    let mut stats = Stats {
        name,
        ok: 0,
        failed: 0,
        elapsed: Duration::ZERO,
        latencies_us: Vec::new(),
    };
    let mut bodies = Vec::new();
    for t in tasks {
        let (lat, b, failed) = t.await.unwrap();
        stats.ok += lat.len() as u64;
        stats.failed += failed;
        stats.latencies_us.extend(lat);
        bodies.extend(b);
    }
    stats.elapsed = started.elapsed();
    stats.latencies_us.sort_unstable();
    (stats, bodies)
}

/// The ceiling: answers every request at once with a fixed envelope.
struct Echo;

impl SoapHandler for Echo {
    fn handle(
        &self,
        request: SoapRequest,
    ) -> std::pin::Pin<Box<dyn Future<Output = SoapResponse> + Send + '_>> {
        Box::pin(async move {
            SoapResponse {
                status: if request.peer_der.is_some() { 200 } else { 500 },
                body: "<?xml version=\"1.0\" encoding=\"UTF-8\"?><ok/>".to_owned(),
            }
        })
    }
}

fn main() {
    let clients = env_usize("VERZUIM_BENCH_CLIENTS", 16);
    let secs = env_usize("VERZUIM_BENCH_SECS", 8) as u64;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let pki = Pki::new();
        println!(
            "m2m_load: {clients} keep-alive clients over mTLS (rustls/ring, TLS 1.3), {secs} s per half, {} cores",
            std::thread::available_parallelism().map_or(1, |n| n.get())
        );
        let sample = melden_envelope(0, 0, "Hoofdgebouw", "0935");
        println!("request: MeldenRelatiefVerzuim, {} bytes", sample.len());

        let (url, stop, task) = start(&pki, Arc::new(Echo)).await;
        let (echo, _) = run(
            "echo",
            &pki,
            &url,
            clients,
            Duration::from_secs(secs),
            Arc::new(|c, s| melden_envelope(c, s, "Hoofdgebouw", "0935")),
            Arc::new(|status, _| status == 200),
        )
        .await;
        let _ = stop.send(());
        let _ = task.await;

        let loket = loket_half::run(&pki, clients, Duration::from_secs(secs)).await;

        println!();
        echo.print("req");
        match &loket {
            Some(l) => {
                l.print("mld");
                if echo.ok > 0 && l.ok > 0 {
                    println!(
                        "loket / echo: {:.1} % of the transport's ceiling",
                        100.0 * (l.ok as f64 / l.elapsed.as_secs_f64())
                            / (echo.ok as f64 / echo.elapsed.as_secs_f64())
                    );
                }
            }
            None => println!("loket  (skipped: Loket::m2m_exchange is not built yet)"),
        }
    });
}
