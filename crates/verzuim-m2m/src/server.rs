//! The loket's SOAP listener: an accept loop of hyper 1 HTTP/1.1 connections over
//! tokio-rustls with mutual TLS.
//!
//! Per connection: a permit from the connection limit (taken *before* `accept`, so excess
//! clients wait in the kernel's backlog instead of costing a task), the TLS handshake under
//! [`ServerOptions::handshake_timeout`], the client's leaf certificate taken from the session,
//! then keep-alive HTTP/1.1 where every request head must arrive within
//! [`ServerOptions::read_timeout`] (this also ends idle keep-alive connections) and every body
//! within the same time again. A body is capped at [`ServerOptions::max_body_bytes`] while it
//! is read, so an oversized message never gets buffered and never reaches the handler.
//!
//! Routes on [`crate::ENDPOINT_PATH`]: `POST` → the [`SoapHandler`]; `GET ?wsdl` → the WSDL,
//! `GET ?xsd` (or `/verzuimloket.xsd`) → the XSD of `verzuim-edukoppeling`.

use std::convert::Infallible;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{ALLOW, CONNECTION, CONTENT_LENGTH, CONTENT_TYPE, HOST};
use http::{Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use rustls::pki_types::UnixTime;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio_rustls::TlsAcceptor;
use verzuim_edukoppeling::{
    Fault, FaultCode, Limits, Oin, WSA_ANONYMOUS, WSA_FAULT_ACTION, WsaHeaders, recover_headers,
    write_fault,
};

use crate::tls::ServerTls;
use crate::{ENDPOINT_PATH, SoapHandler, SoapRequest};

const WSDL: &str = include_str!("../../verzuim-edukoppeling/wsdl/verzuimloket.wsdl");
const XSD: &str = include_str!("../../verzuim-edukoppeling/wsdl/verzuimloket.xsd");
/// The `soap:address` in the checked-in WSDL; replaced by the real endpoint when served.
const WSDL_ADDRESS: &str = "https://localhost:8443/m2m/verzuimloket";
const XML_CONTENT_TYPE: &str = "text/xml; charset=UTF-8";

/// Limits and timeouts of the listener.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Largest request body in bytes; a larger one gets 413 and is not read further. Keep it
    /// equal to the protocol's `Limits::max_bytes` (the default does).
    pub max_body_bytes: usize,
    /// Time for the TLS handshake after the TCP connection is accepted.
    pub handshake_timeout: Duration,
    /// Time for a request head to arrive (also the idle time of a keep-alive connection), and
    /// again for its body.
    pub read_timeout: Duration,
    /// Most connections served at once; more wait to be accepted.
    pub max_connections: usize,
    /// How long shutdown waits for requests in flight before it gives up on them.
    pub shutdown_grace: Duration,
    /// The loket's OIN, for `wsa:From` in the faults the transport writes itself.
    pub own_oin: Option<Oin>,
    /// The endpoint URL written into the served WSDL's `soap:address`; `None` builds it from
    /// the request's `Host` header.
    pub public_url: Option<String>,
}

impl Default for ServerOptions {
    /// 4 MiB (the protocol's limit), 10 s handshake, 30 s read, 512 connections, 10 s grace.
    fn default() -> Self {
        Self {
            max_body_bytes: Limits::default().max_bytes,
            handshake_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(30),
            max_connections: 512,
            shutdown_grace: Duration::from_secs(10),
            own_oin: None,
            public_url: None,
        }
    }
}

/// The client as the TLS layer saw it.
struct Peer {
    /// DER of its leaf certificate.
    der: Option<Vec<u8>>,
    /// Why the deferred check refused the certificate, if it did.
    refusal: Option<String>,
}

struct Shared {
    handler: Arc<dyn SoapHandler>,
    opts: ServerOptions,
}

/// Serves the SOAP endpoint on `listener` until `shutdown` completes; then stops accepting,
/// lets requests in flight finish (at most [`ServerOptions::shutdown_grace`]) and returns.
/// `tls` is an `Arc<ServerConfig>` from [`crate::tls::server_config`] (a refused client
/// certificate aborts the handshake) or a [`ServerTls`] from
/// [`crate::tls::server_config_deferred`] (it gets a `Client.DK0002` fault).
pub async fn serve(
    listener: TcpListener,
    tls: impl Into<ServerTls>,
    handler: Arc<dyn SoapHandler>,
    opts: ServerOptions,
    shutdown: impl Future<Output = ()> + Send,
) {
    let ServerTls { config, peer_check } = tls.into();
    let acceptor = TlsAcceptor::from(config);
    let permits = Arc::new(Semaphore::new(opts.max_connections.max(1)));
    let graceful = GracefulShutdown::new();
    let grace = opts.shutdown_grace;
    let shared = Arc::new(Shared { handler, opts });
    tokio::pin!(shutdown);
    loop {
        let permit = tokio::select! {
            () = &mut shutdown => break,
            p = permits.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
        };
        let (tcp, addr) = tokio::select! {
            () = &mut shutdown => break,
            r = listener.accept() => match r {
                Ok(x) => x,
                Err(e) => {
                    // EMFILE and the like: back off instead of spinning.
                    tracing::warn!(error = %e, "m2m: accept mislukt");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = tcp.set_nodelay(true);
        let watcher = graceful.watcher();
        let acceptor = acceptor.clone();
        let shared = shared.clone();
        let peer_check = peer_check.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let stream =
                match tokio::time::timeout(shared.opts.handshake_timeout, acceptor.accept(tcp))
                    .await
                {
                    Ok(Ok(s)) => s,
                    Ok(Err(e)) => {
                        tracing::info!(%addr, error = %e, "m2m: TLS-handshake geweigerd");
                        return;
                    }
                    Err(_) => {
                        tracing::info!(%addr, "m2m: TLS-handshake duurde te lang");
                        return;
                    }
                };
            let certificates = stream.get_ref().1.peer_certificates();
            // With the deferred check a refused certificate never reaches the handler: every
            // request on this connection gets the fault.
            let refusal = peer_check.and_then(|c| c.check(certificates, UnixTime::now()).err());
            if let Some(reason) = &refusal {
                tracing::info!(%addr, %reason, "m2m: clientcertificaat geweigerd");
            }
            let peer: Arc<Peer> = Arc::new(Peer {
                der: certificates
                    .and_then(|c| c.first())
                    .map(|c| c.as_ref().to_vec()),
                refusal,
            });
            let read_timeout = shared.opts.read_timeout;
            let svc = service_fn(move |req| {
                let shared = shared.clone();
                let peer = peer.clone();
                async move { Ok::<_, Infallible>(respond(&shared, req, &peer).await) }
            });
            let mut builder = http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(read_timeout)
                .keep_alive(true);
            let conn = builder.serve_connection(TokioIo::new(stream), svc);
            if let Err(e) = watcher.watch(conn).await {
                tracing::debug!(%addr, error = %e, "m2m: verbinding beëindigd");
            }
        });
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(grace) => {
            tracing::warn!("m2m: niet alle verbindingen op tijd afgesloten");
        }
    }
}

fn response(
    status: StatusCode,
    content_type: &str,
    body: impl Into<Bytes>,
) -> Response<Full<Bytes>> {
    let mut r = Response::new(Full::new(body.into()));
    *r.status_mut() = status;
    if let Ok(v) = content_type.parse() {
        r.headers_mut().insert(CONTENT_TYPE, v);
    }
    r
}

fn text(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    response(status, "text/plain; charset=UTF-8", body)
}

/// A SOAP fault answered by the transport itself (the handler never saw the request); the
/// connection is closed afterwards because the rest of the body was not read.
fn transport_fault(status: StatusCode, fault: &Fault) -> Response<Full<Bytes>> {
    let mut r = response(status, XML_CONTENT_TYPE, write_fault(None, fault));
    if let Ok(v) = "close".parse() {
        r.headers_mut().insert(CONNECTION, v);
    }
    r
}

fn too_large(max: usize) -> Response<Full<Bytes>> {
    transport_fault(
        StatusCode::PAYLOAD_TOO_LARGE,
        &Fault::new(FaultCode::Dk0004)
            .with_detail(format!("het bericht is groter dan {max} bytes")),
    )
}

/// A transport fault that relates to the request, when the request's WS-Addressing headers
/// can be read from `body` (with the protocol's safety limits), so the client can match it
/// (`verzuim_edukoppeling::parse_response` requires `wsa:RelatesTo`).
fn fault_relating_to(
    shared: &Shared,
    body: &[u8],
    status: StatusCode,
    fault: &Fault,
) -> Response<Full<Bytes>> {
    let limits = Limits {
        max_bytes: shared.opts.max_body_bytes,
        ..Limits::default()
    };
    let headers = recover_headers(body, &limits).map(|request| WsaHeaders {
        to: request
            .from
            .clone()
            .unwrap_or_else(|| WSA_ANONYMOUS.to_owned()),
        action: WSA_FAULT_ACTION.to_owned(),
        message_id: verzuim_app::m2m::new_message_id(),
        relates_to: Some(request.message_id),
        from: shared.opts.own_oin.as_ref().map(Oin::anonymous_address),
        reply_to: None,
    });
    let mut r = response(
        status,
        XML_CONTENT_TYPE,
        write_fault(headers.as_ref(), fault),
    );
    if let Ok(v) = "close".parse() {
        r.headers_mut().insert(CONNECTION, v);
    }
    r
}

async fn respond(shared: &Shared, req: Request<Incoming>, peer: &Peer) -> Response<Full<Bytes>> {
    if let Some(reason) = &peer.refusal {
        let fault = Fault {
            code: FaultCode::Dk0002,
            string: format!("Niet geautoriseerd: {reason}"),
            detail: Some(reason.clone()),
        };
        // Only the WS-Addressing headers are read, for wsa:RelatesTo; the handler never
        // sees a request from a peer whose certificate was refused.
        return match read_body(shared, req).await {
            Ok(body) => fault_relating_to(shared, &body, StatusCode::INTERNAL_SERVER_ERROR, &fault),
            Err(_) => transport_fault(StatusCode::INTERNAL_SERVER_ERROR, &fault),
        };
    }
    let path = req.uri().path();
    if path == "/verzuimloket.xsd" && req.method() == Method::GET {
        return response(StatusCode::OK, XML_CONTENT_TYPE, XSD);
    }
    if path != ENDPOINT_PATH {
        return text(StatusCode::NOT_FOUND, "Niet gevonden\n");
    }
    match *req.method() {
        Method::GET => match req.uri().query().map(str::to_ascii_lowercase).as_deref() {
            Some("wsdl") => {
                let host = req.headers().get(HOST).and_then(|h| h.to_str().ok());
                response(StatusCode::OK, XML_CONTENT_TYPE, wsdl(&shared.opts, host))
            }
            Some("xsd") => response(StatusCode::OK, XML_CONTENT_TYPE, XSD),
            _ => text(
                StatusCode::NOT_FOUND,
                "Gebruik POST voor SOAP-berichten, ?wsdl voor de WSDL of ?xsd voor het schema\n",
            ),
        },
        Method::POST => post(shared, req, peer).await,
        _ => {
            let mut r = text(StatusCode::METHOD_NOT_ALLOWED, "Alleen GET en POST\n");
            if let Ok(v) = "GET, POST".parse() {
                r.headers_mut().insert(ALLOW, v);
            }
            r
        }
    }
}

/// A declared body over the limit but at most this many times it is read and thrown away
/// before the 413 goes out: an ordinary HTTP client writes its whole body before it reads the
/// answer, and would otherwise see a broken connection instead of the fault. Anything bigger
/// is cut off at once.
const DRAIN_FACTOR: u64 = 4;

/// Reads and discards at most `budget` bytes of `body` within `timeout`.
async fn drain(mut body: Incoming, budget: u64, timeout: Duration) {
    let discard = async {
        let mut seen = 0u64;
        while let Some(Ok(frame)) = body.frame().await {
            if let Some(data) = frame.data_ref() {
                seen += data.len() as u64;
                if seen > budget {
                    break;
                }
            }
        }
    };
    let _ = tokio::time::timeout(timeout, discard).await;
}

/// The whole body, capped at `max_body_bytes` while reading and within `read_timeout`; or
/// the answer to send instead.
async fn read_body(
    shared: &Shared,
    req: Request<Incoming>,
) -> Result<Bytes, Response<Full<Bytes>>> {
    let max = shared.opts.max_body_bytes;
    let declared = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if let Some(n) = declared.filter(|n| *n > max as u64) {
        if n <= DRAIN_FACTOR * max as u64 {
            drain(req.into_body(), n, shared.opts.read_timeout).await;
        }
        return Err(too_large(max));
    }
    let limited = Limited::new(req.into_body(), max);
    match tokio::time::timeout(shared.opts.read_timeout, limited.collect()).await {
        Ok(Ok(collected)) => Ok(collected.to_bytes()),
        Ok(Err(e)) if e.downcast_ref::<LengthLimitError>().is_some() => Err(too_large(max)),
        Ok(Err(_)) => Err(transport_fault(
            StatusCode::BAD_REQUEST,
            &Fault::new(FaultCode::Dk0004).with_detail("het bericht kwam onvolledig aan"),
        )),
        Err(_) => Err(transport_fault(
            StatusCode::REQUEST_TIMEOUT,
            &Fault::new(FaultCode::Dk0051).with_detail(format!(
                "het bericht kwam niet binnen {} s binnen",
                shared.opts.read_timeout.as_secs()
            )),
        )),
    }
}

async fn post(shared: &Shared, req: Request<Incoming>, peer: &Peer) -> Response<Full<Bytes>> {
    let soap_action = req
        .headers()
        .get("soapaction")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let body = match read_body(shared, req).await {
        Ok(b) => b,
        Err(answer) => return answer,
    };
    let answer = shared
        .handler
        .handle(SoapRequest {
            peer_der: peer.der.clone(),
            soap_action,
            body,
        })
        .await;
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    response(status, XML_CONTENT_TYPE, answer.body)
}

/// The WSDL as served: the schema import points at `?xsd` next to it, and `soap:address` at
/// the real endpoint.
fn wsdl(opts: &ServerOptions, host: Option<&str>) -> String {
    let address = match (&opts.public_url, host) {
        (Some(url), _) => Some(xml_escape(url)),
        // The Host header is the peer's text: only a plain host[:port] goes into the XML.
        (None, Some(h))
            if !h.is_empty()
                && h.bytes()
                    .all(|c| c.is_ascii_alphanumeric() || b".-:[]".contains(&c)) =>
        {
            Some(format!("https://{h}{ENDPOINT_PATH}"))
        }
        _ => None,
    };
    let out = WSDL.replace(
        "schemaLocation=\"verzuimloket.xsd\"",
        "schemaLocation=\"verzuimloket?xsd\"",
    );
    match address {
        Some(a) => out.replace(WSDL_ADDRESS, &a),
        None => out,
    }
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_wsdl_points_at_the_xsd_and_the_real_endpoint() {
        let w = wsdl(&ServerOptions::default(), Some("loket.example:8443"));
        assert!(w.contains("schemaLocation=\"verzuimloket?xsd\""));
        assert!(w.contains("https://loket.example:8443/verzuimloket\""));
        assert!(!w.contains(WSDL_ADDRESS));
    }

    #[test]
    fn a_strange_host_header_does_not_reach_the_wsdl() {
        let w = wsdl(&ServerOptions::default(), Some("x\"><evil/>"));
        assert!(!w.contains("evil"));
        assert!(w.contains(WSDL_ADDRESS));
    }

    #[test]
    fn a_configured_public_url_wins() {
        let opts = ServerOptions {
            public_url: Some("https://loket.nl/m2m?a=1&b=2".into()),
            ..ServerOptions::default()
        };
        let w = wsdl(&opts, Some("localhost"));
        assert!(w.contains("https://loket.nl/m2m?a=1&amp;b=2"));
    }
}
