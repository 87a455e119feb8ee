//! The loket's listener over real mutual TLS on 127.0.0.1, with an echo handler: who gets
//! in, what the handler sees, and the transport's limits and timeouts.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use rustls::ClientConfig;
use rustls::pki_types::ServerName;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;
use verzuim_domain::Brin;
use verzuim_m2m::pki::{IssuedCert, TestCa};
use verzuim_m2m::{
    ClientError, ClientOptions, M2mClient, ServerOptions, SoapHandler, SoapRequest, SoapResponse,
    tls,
};

#[derive(Default)]
struct Echo {
    calls: AtomicUsize,
    last: Mutex<Option<SoapRequest>>,
}

impl SoapHandler for Echo {
    fn handle(
        &self,
        request: SoapRequest,
    ) -> std::pin::Pin<Box<dyn Future<Output = SoapResponse> + Send + '_>> {
        Box::pin(async move {
            self.calls.fetch_add(1, Ordering::SeqCst);
            let body = format!(
                "<echo action='{}'>{}</echo>",
                request.soap_action.clone().unwrap_or_default(),
                String::from_utf8_lossy(&request.body)
            );
            *self.last.lock().unwrap() = Some(request);
            SoapResponse { status: 200, body }
        })
    }
}

struct Loket {
    addr: SocketAddr,
    echo: Arc<Echo>,
    ca: TestCa,
    stop: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

fn brin() -> Brin {
    Brin::parse("12AB").unwrap()
}

async fn spawn(opts: ServerOptions) -> Loket {
    spawn_with(opts, false).await
}

/// `deferred`: the client certificate is checked after the handshake (SOAP fault on refusal).
async fn spawn_with(opts: ServerOptions, deferred: bool) -> Loket {
    let ca = TestCa::generate("Test-CA verzuimloket").unwrap();
    let server = ca.server_cert(&["localhost", "127.0.0.1"]).unwrap();
    let trust = tls::trust_store(&[ca.cert_der()]).unwrap();
    let config = if deferred {
        tls::server_config_deferred(server.chain(), server.key(), trust, Vec::new()).unwrap()
    } else {
        tls::server_config(server.chain(), server.key(), trust)
            .unwrap()
            .into()
    };
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let echo = Arc::new(Echo::default());
    let (tx, rx) = oneshot::channel::<()>();
    let task = tokio::spawn(verzuim_m2m::serve(
        listener,
        config,
        echo.clone(),
        opts,
        async {
            let _ = rx.await;
        },
    ));
    Loket {
        addr,
        echo,
        ca,
        stop: Some(tx),
        task,
    }
}

fn client_tls(loket: &Loket, cert: &IssuedCert) -> Arc<ClientConfig> {
    let trust = tls::trust_store(&[loket.ca.cert_der()]).unwrap();
    tls::client_config(cert.chain(), cert.key(), trust).unwrap()
}

fn good_cert(loket: &Loket) -> IssuedCert {
    loket
        .ca
        .school_cert(
            &brin(),
            "De Test School",
            Utc::now() + chrono::Duration::days(30),
        )
        .unwrap()
}

fn client(loket: &Loket, tls: Arc<ClientConfig>, timeout: Duration) -> M2mClient {
    let url = url::Url::parse(&format!(
        "https://127.0.0.1:{}/verzuimloket",
        loket.addr.port()
    ))
    .unwrap();
    M2mClient::new(
        url,
        tls,
        ClientOptions {
            timeout,
            ..ClientOptions::default()
        },
    )
    .unwrap()
}

/// A TLS connection without HTTP on top, for requests the client would never send.
async fn raw(loket: &Loket, tls: Arc<ClientConfig>) -> tokio_rustls::client::TlsStream<TcpStream> {
    let tcp = TcpStream::connect(loket.addr).await.unwrap();
    tokio_rustls::TlsConnector::from(tls)
        .connect(ServerName::try_from("127.0.0.1").unwrap(), tcp)
        .await
        .unwrap()
}

async fn read_all(s: &mut tokio_rustls::client::TlsStream<TcpStream>) -> String {
    let mut out = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(5), s.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}

const SECOND: Duration = Duration::from_secs(5);

#[tokio::test]
async fn a_good_certificate_reaches_the_handler_with_its_der_and_the_soap_action() {
    let loket = spawn(ServerOptions::default()).await;
    let cert = good_cert(&loket);
    let c = client(&loket, client_tls(&loket, &cert), SECOND);
    let (status, body) = c.post("urn:test:Actie", "<hallo/>").await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(
        String::from_utf8(body).unwrap(),
        "<echo action='\"urn:test:Actie\"'><hallo/></echo>"
    );
    // keep-alive: a second request on the same client works too
    let (status, _) = c.post("urn:test:Actie", "<nog een/>").await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(loket.echo.calls.load(Ordering::SeqCst), 2);
    let last = loket.echo.last.lock().unwrap().clone().unwrap();
    assert_eq!(last.peer_der.as_deref(), Some(cert.der.as_ref()));
}

#[tokio::test]
async fn the_request_carries_content_type_text_xml_and_a_quoted_soap_action() {
    // Checked on the wire: a handler only sees the body, so look at what the client sends.
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let ca = TestCa::generate("CA").unwrap();
    let server = ca.server_cert(&["127.0.0.1"]).unwrap();
    let school = ca
        .school_cert(&brin(), "School", Utc::now() + chrono::Duration::days(3))
        .unwrap();
    let trust = tls::trust_store(&[ca.cert_der()]).unwrap();
    let sconf = tls::server_config(server.chain(), server.key(), trust.clone()).unwrap();
    let seen = tokio::spawn(async move {
        let (tcp, _) = listener.accept().await.unwrap();
        let mut s = tokio_rustls::TlsAcceptor::from(sconf)
            .accept(tcp)
            .await
            .unwrap();
        let mut buf = vec![0u8; 4096];
        let n = s.read(&mut buf).await.unwrap();
        let head = String::from_utf8_lossy(&buf[..n]).into_owned();
        s.write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            .await
            .unwrap();
        head
    });
    let c = M2mClient::new(
        url::Url::parse(&format!("https://127.0.0.1:{}/verzuimloket", addr.port())).unwrap(),
        tls::client_config(school.chain(), school.key(), trust).unwrap(),
        ClientOptions::default(),
    )
    .unwrap();
    let (status, body) = c.post("urn:a:B", "<x/>").await.unwrap();
    assert_eq!((status, body.as_slice()), (200, b"ok".as_slice()));
    let head = seen.await.unwrap().to_ascii_lowercase();
    assert!(
        head.starts_with("post /verzuimloket http/1.1\r\n"),
        "{head}"
    );
    assert!(
        head.contains("content-type: text/xml; charset=utf-8\r\n"),
        "{head}"
    );
    assert!(head.contains("soapaction: \"urn:a:b\"\r\n"), "{head}");
}

#[tokio::test]
async fn a_client_without_a_certificate_is_refused() {
    let loket = spawn(ServerOptions::default()).await;
    let trust = tls::trust_store(&[loket.ca.cert_der()]).unwrap();
    let c = client(
        &loket,
        tls::client_config_without_certificate(trust).unwrap(),
        SECOND,
    );
    let err = c.post("urn:test:Actie", "<x/>").await.unwrap_err();
    assert!(matches!(err, ClientError::Transport(_)), "{err}");
    assert!(err.to_string().contains("CertificateRequired"), "{err}");
    assert_eq!(loket.echo.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_certificate_from_another_ca_is_refused() {
    let loket = spawn(ServerOptions::default()).await;
    let other = TestCa::generate("Een andere CA").unwrap();
    let cert = other
        .school_cert(
            &brin(),
            "De Test School",
            Utc::now() + chrono::Duration::days(30),
        )
        .unwrap();
    let c = client(&loket, client_tls(&loket, &cert), SECOND);
    let err = c.post("urn:test:Actie", "<x/>").await.unwrap_err();
    assert!(matches!(err, ClientError::Transport(_)), "{err}");
    assert!(err.to_string().contains("UnknownCA"), "{err}");
    assert_eq!(loket.echo.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_expired_certificate_is_refused() {
    let loket = spawn(ServerOptions::default()).await;
    let cert = loket
        .ca
        .expired_school_cert(&brin(), "De Test School")
        .unwrap();
    let c = client(&loket, client_tls(&loket, &cert), SECOND);
    let err = c.post("urn:test:Actie", "<x/>").await.unwrap_err();
    assert!(matches!(err, ClientError::Transport(_)), "{err}");
    assert!(err.to_string().contains("CertificateExpired"), "{err}");
    assert_eq!(loket.echo.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_certificate_that_is_not_yet_valid_is_refused() {
    let loket = spawn(ServerOptions::default()).await;
    let cert = loket
        .ca
        .not_yet_valid_school_cert(&brin(), "De Test School")
        .unwrap();
    let c = client(&loket, client_tls(&loket, &cert), SECOND);
    assert!(c.post("urn:test:Actie", "<x/>").await.is_err());
    assert_eq!(loket.echo.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_client_refuses_a_server_it_does_not_trust() {
    let loket = spawn(ServerOptions::default()).await;
    let cert = good_cert(&loket);
    let stranger = TestCa::generate("Onbekende CA").unwrap();
    let trust = tls::trust_store(&[stranger.cert_der()]).unwrap();
    let c = client(
        &loket,
        tls::client_config(cert.chain(), cert.key(), trust).unwrap(),
        SECOND,
    );
    assert!(c.post("urn:test:Actie", "<x/>").await.is_err());
    assert_eq!(loket.echo.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_oversized_body_gets_413_and_never_reaches_the_handler() {
    let loket = spawn(ServerOptions {
        max_body_bytes: 1024,
        ..ServerOptions::default()
    })
    .await;
    let c = client(&loket, client_tls(&loket, &good_cert(&loket)), SECOND);
    let (status, body) = c.post("urn:test:Actie", "x".repeat(2000)).await.unwrap();
    assert_eq!(status, 413);
    let body = String::from_utf8(body).unwrap();
    assert!(body.contains("Client.DK0004"), "{body}");
    assert!(body.contains("groter dan 1024 bytes"), "{body}");
    // exactly at the limit is fine
    let (status, _) = c.post("urn:test:Actie", "x".repeat(1024)).await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(loket.echo.calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn an_oversized_chunked_body_is_cut_off_while_reading() {
    let loket = spawn(ServerOptions {
        max_body_bytes: 1024,
        ..ServerOptions::default()
    })
    .await;
    let mut s = raw(&loket, client_tls(&loket, &good_cert(&loket))).await;
    s.write_all(
        b"POST /verzuimloket HTTP/1.1\r\nhost: 127.0.0.1\r\ntransfer-encoding: chunked\r\n\r\n",
    )
    .await
    .unwrap();
    for _ in 0..3 {
        s.write_all(format!("200\r\n{}\r\n", "y".repeat(0x200)).as_bytes())
            .await
            .unwrap();
    }
    let answer = read_all(&mut s).await;
    assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
    assert_eq!(loket.echo.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_slow_client_is_cut_off_by_the_read_timeout() {
    let loket = spawn(ServerOptions {
        read_timeout: Duration::from_millis(300),
        ..ServerOptions::default()
    })
    .await;
    let tls = client_tls(&loket, &good_cert(&loket));

    // slowloris: a request head that never ends
    let mut s = raw(&loket, tls.clone()).await;
    s.write_all(b"POST /verzuimloket HTTP/1.1\r\nhost: 127.0.0.1\r\nx-a: 1\r\n")
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let _ = read_all(&mut s).await;
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(3),
        "{waited:?}"
    );

    // a body that stops half-way: 408 with a DK0051 fault
    let mut s = raw(&loket, tls.clone()).await;
    s.write_all(
        b"POST /verzuimloket HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-length: 100\r\n\r\n0123456789",
    )
    .await
    .unwrap();
    let answer = read_all(&mut s).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(answer.contains("Server.DK0051"), "{answer}");

    // an idle keep-alive connection is closed as well
    let mut s = raw(&loket, tls).await;
    let started = std::time::Instant::now();
    let _ = read_all(&mut s).await;
    let waited = started.elapsed();
    assert!(
        waited >= Duration::from_millis(250) && waited < Duration::from_secs(3),
        "{waited:?}"
    );
    assert_eq!(loket.echo.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_wsdl_and_xsd_are_served() {
    let loket = spawn(ServerOptions::default()).await;
    let tls = client_tls(&loket, &good_cert(&loket));
    let mut s = raw(&loket, tls.clone()).await;
    s.write_all(
        b"GET /verzuimloket?wsdl HTTP/1.1\r\nhost: 127.0.0.1:8443\r\nconnection: close\r\n\r\n",
    )
    .await
    .unwrap();
    let answer = read_all(&mut s).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("content-type: text/xml; charset=UTF-8"),
        "{answer}"
    );
    assert!(answer.contains("wsdl:definitions"), "{answer}");
    assert!(answer.contains("MeldenRelatiefVerzuim"));
    assert!(answer.contains("schemaLocation=\"verzuimloket?xsd\""));
    assert!(answer.contains("location=\"https://127.0.0.1:8443/verzuimloket\""));

    let mut s = raw(&loket, tls.clone()).await;
    s.write_all(b"GET /verzuimloket?xsd HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    let answer = read_all(&mut s).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(
        answer.contains("xsd:schema") || answer.contains("xs:schema"),
        "{answer}"
    );

    let mut s = raw(&loket, tls).await;
    s.write_all(b"GET /elders HTTP/1.1\r\nhost: 127.0.0.1\r\nconnection: close\r\n\r\n")
        .await
        .unwrap();
    assert!(read_all(&mut s).await.starts_with("HTTP/1.1 404"));
    assert_eq!(loket.echo.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_connection_limit_holds_back_further_clients() {
    let loket = spawn(ServerOptions {
        max_connections: 1,
        ..ServerOptions::default()
    })
    .await;
    let tls = client_tls(&loket, &good_cert(&loket));
    let first = raw(&loket, tls.clone()).await;
    let c = client(&loket, tls.clone(), Duration::from_millis(500));
    let err = c.post("urn:test:Actie", "<x/>").await.unwrap_err();
    assert!(matches!(err, ClientError::Timeout(_)), "{err}");
    drop(first);
    let c = client(&loket, tls, SECOND);
    let (status, _) = c.post("urn:test:Actie", "<x/>").await.unwrap();
    assert_eq!(status, 200);
}

#[tokio::test]
async fn shutdown_stops_accepting_and_returns() {
    let mut loket = spawn(ServerOptions::default()).await;
    let c = client(&loket, client_tls(&loket, &good_cert(&loket)), SECOND);
    assert_eq!(c.post("urn:test:Actie", "<x/>").await.unwrap().0, 200);
    drop(c); // its idle keep-alive connection closes with it
    loket.stop.take().unwrap().send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), &mut loket.task)
        .await
        .expect("serve returns after shutdown")
        .unwrap();
    assert!(TcpStream::connect(loket.addr).await.is_err());
}

#[tokio::test]
async fn the_client_is_the_school_apps_loket_transport() {
    use verzuim_app::m2m::LoketTransport;
    async fn send(
        t: &impl LoketTransport,
    ) -> Result<(u16, Vec<u8>), verzuim_app::m2m::TransportError> {
        t.post("urn:test:Actie", "<x/>".to_owned()).await
    }
    let loket = spawn(ServerOptions::default()).await;
    let c = client(&loket, client_tls(&loket, &good_cert(&loket)), SECOND);
    assert_eq!(send(&c).await.unwrap().0, 200);
    let expired = loket.ca.expired_school_cert(&brin(), "School").unwrap();
    let c = client(&loket, client_tls(&loket, &expired), SECOND);
    let err = send(&c).await.unwrap_err();
    assert!(
        err.to_string()
            .starts_with("geen antwoord van het Verzuimloket: "),
        "{err}"
    );
    assert!(!err.0.contains("geen antwoord"), "{err}");
}

/// Answers after a pause, to have a request in flight; says when it started.
struct Slow {
    started: Arc<tokio::sync::Notify>,
}

impl SoapHandler for Slow {
    fn handle(
        &self,
        _request: SoapRequest,
    ) -> std::pin::Pin<Box<dyn Future<Output = SoapResponse> + Send + '_>> {
        Box::pin(async {
            self.started.notify_one();
            tokio::time::sleep(Duration::from_millis(400)).await;
            SoapResponse {
                status: 200,
                body: "<klaar/>".into(),
            }
        })
    }
}

#[tokio::test]
async fn shutdown_lets_a_request_in_flight_finish() {
    let ca = TestCa::generate("CA").unwrap();
    let server = ca.server_cert(&["127.0.0.1"]).unwrap();
    let school = ca
        .school_cert(&brin(), "School", Utc::now() + chrono::Duration::days(3))
        .unwrap();
    let trust = tls::trust_store(&[ca.cert_der()]).unwrap();
    let config = tls::server_config(server.chain(), server.key(), trust.clone()).unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = oneshot::channel::<()>();
    let started = Arc::new(tokio::sync::Notify::new());
    let task = tokio::spawn(verzuim_m2m::serve(
        listener,
        config,
        Arc::new(Slow {
            started: started.clone(),
        }),
        ServerOptions::default(),
        async {
            let _ = rx.await;
        },
    ));
    let c = M2mClient::new(
        url::Url::parse(&format!("https://127.0.0.1:{port}/verzuimloket")).unwrap(),
        tls::client_config(school.chain(), school.key(), trust).unwrap(),
        ClientOptions::default(),
    )
    .unwrap();
    let in_flight = tokio::spawn(async move { c.post("urn:test:Actie", "<x/>").await });
    started.notified().await;
    tx.send(()).unwrap();
    let (status, body) = in_flight.await.unwrap().unwrap();
    assert_eq!((status, body.as_slice()), (200, b"<klaar/>".as_slice()));
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("serve returns once the request is answered")
        .unwrap();
}

const REQUEST_ID: &str = "0f8fad5b-d9cb-469f-a165-70867728950e";

/// A valid `AanvraagMeldingRelatiefVerzuim` envelope with MessageID [`REQUEST_ID`].
fn aanvraag() -> (&'static str, String) {
    use verzuim_edukoppeling::messages::AanvraagMeldingRelatiefVerzuimRequest;
    use verzuim_edukoppeling::{MessageId, Oin, Operation, RequestMessage, WsaHeaders};
    let op = Operation::AanvraagMeldingRelatiefVerzuim;
    let headers = WsaHeaders::request(
        &Oin::parse("00000001800866472000").unwrap(),
        &Oin::from_brin(&brin()),
        op,
        MessageId::from_uuid(REQUEST_ID).unwrap(),
    );
    let message = RequestMessage::Aanvraag(AanvraagMeldingRelatiefVerzuimRequest {
        brin: brin().as_str().to_owned(),
        number: "VM000000001".into(),
    });
    (
        op.action(),
        verzuim_edukoppeling::write_request(&headers, &message).unwrap(),
    )
}

/// The detail of a `Client.DK0002` fault that relates to [`REQUEST_ID`].
fn deferred_refusal(status: u16, body: &[u8]) -> String {
    assert_eq!(status, 500, "{}", String::from_utf8_lossy(body));
    let answer =
        verzuim_edukoppeling::parse_response(body, &verzuim_edukoppeling::Limits::default())
            .unwrap();
    assert_eq!(
        answer
            .headers
            .relates_to
            .map(|r| r.uuid().to_owned())
            .as_deref(),
        Some(REQUEST_ID)
    );
    assert_eq!(
        answer.headers.action,
        verzuim_edukoppeling::WSA_FAULT_ACTION
    );
    assert_eq!(
        answer.headers.from.as_deref(),
        Some("http://www.w3.org/2005/08/addressing/anonymous?oin=00000001800866472000")
    );
    match answer.body {
        verzuim_edukoppeling::ResponseBody::Fault(f) => {
            assert_eq!(f.code, verzuim_edukoppeling::FaultCode::Dk0002);
            f.detail.unwrap_or_default()
        }
        other => panic!("no fault: {other:?}"),
    }
}

#[tokio::test]
async fn with_the_deferred_check_a_refused_certificate_gets_a_dk0002_fault() {
    let loket = spawn_with(
        ServerOptions {
            own_oin: Some(verzuim_edukoppeling::Oin::parse("00000001800866472000").unwrap()),
            ..ServerOptions::default()
        },
        true,
    )
    .await;
    let trust = || tls::trust_store(&[loket.ca.cert_der()]).unwrap();
    let other = TestCa::generate("Een andere CA").unwrap();
    let cases: Vec<(Arc<ClientConfig>, &str)> = vec![
        (
            tls::client_config_without_certificate(trust()).unwrap(),
            "geen clientcertificaat",
        ),
        (
            client_tls(
                &loket,
                &other
                    .school_cert(&brin(), "School", Utc::now() + chrono::Duration::days(30))
                    .unwrap(),
            ),
            "niet uitgegeven door een vertrouwde CA",
        ),
        (
            client_tls(
                &loket,
                &loket.ca.expired_school_cert(&brin(), "School").unwrap(),
            ),
            "verlopen",
        ),
        (
            client_tls(
                &loket,
                &loket
                    .ca
                    .not_yet_valid_school_cert(&brin(), "School")
                    .unwrap(),
            ),
            "nog niet geldig",
        ),
    ];
    for (config, why) in cases {
        let c = client(&loket, config, SECOND);
        let (action, envelope) = aanvraag();
        let (status, body) = c.post(action, envelope).await.unwrap();
        let detail = deferred_refusal(status, &body);
        assert!(detail.contains(why), "{why}: {detail}");
        // without readable WS-Addressing headers the fault comes without them
        let (status, body) = c.post(action, "<x/>").await.unwrap();
        assert_eq!(status, 500);
        assert!(String::from_utf8(body).unwrap().contains("Client.DK0002"));
    }
    assert_eq!(loket.echo.calls.load(Ordering::SeqCst), 0);

    let cert = good_cert(&loket);
    let c = client(&loket, client_tls(&loket, &cert), SECOND);
    let (status, _) = c.post("urn:test:Actie", "<x/>").await.unwrap();
    assert_eq!(status, 200);
    let last = loket.echo.last.lock().unwrap().clone().unwrap();
    assert_eq!(last.peer_der.as_deref(), Some(cert.der.as_ref()));
}

#[tokio::test]
async fn with_the_deferred_check_a_client_must_still_hold_the_key() {
    // A client that presents the school's certificate with another key fails the handshake
    // signature check, deferred or not.
    let loket = spawn_with(ServerOptions::default(), true).await;
    let cert = good_cert(&loket);
    let thief = loket.ca.expired_school_cert(&brin(), "Dief").unwrap();
    let trust = tls::trust_store(&[loket.ca.cert_der()]).unwrap();
    let config = tls::client_config(cert.chain(), thief.key(), trust);
    // rustls refuses a key that does not match the certificate already when configuring
    assert!(config.is_err());
    assert_eq!(loket.echo.calls.load(Ordering::SeqCst), 0);
}
