//! Transport of the machine coupling school ↔ Verzuimloket: SOAP 1.1 over HTTPS with mutual
//! TLS. The protocol itself (envelopes, faults, messages) is the pure crate
//! `verzuim-edukoppeling`; this crate only moves bytes, safely:
//!
//! - [`tls`]: PEM loading and the rustls configurations (ring only; the client certificate is
//!   required and checked against a configured trust store, expiry included).
//! - [`server`]: the loket's listener (hyper 1 over tokio-rustls) with handshake and read
//!   timeouts, a body cap before buffering, a connection limit and graceful shutdown; hands
//!   each POST with the peer's leaf certificate to a [`SoapHandler`].
//! - [`client`]: the school's keep-alive HTTPS client with its own certificate; implements
//!   `verzuim_app::m2m::LoketTransport`.
//! - [`verifier`]: the deferred client-certificate check, so that a refused certificate gets
//!   a SOAP fault (`Client.DK0002`) instead of a bare TLS alert.
//! - [`pki`]: the test PKI of the `verzuim-pki` crate (a CA with server and school
//!   certificates for tests, development and the demo), re-exported.

use std::future::Future;
use std::pin::Pin;

use bytes::Bytes;

pub mod client;
pub mod endpoint;
pub mod server;
pub mod tls;
pub mod verifier;

pub use verzuim_pki as pki;

pub use client::{ClientError, ClientOptions, M2mClient};
pub use endpoint::LoketEndpoint;
pub use server::{ServerOptions, serve};

/// The path the loket serves the SOAP endpoint on (`POST`, and `GET ?wsdl` / `?xsd`).
pub const ENDPOINT_PATH: &str = "/verzuimloket";

/// One SOAP request as the transport received it.
#[derive(Debug, Clone)]
pub struct SoapRequest {
    /// DER of the client's leaf certificate from the TLS session (`None` without one).
    pub peer_der: Option<Vec<u8>>,
    /// The HTTP `SOAPAction` header as sent (quotes included), `None` when absent.
    pub soap_action: Option<String>,
    /// The complete request body, at most `ServerOptions::max_body_bytes` long.
    pub body: Bytes,
}

/// The answer to a [`SoapRequest`]: HTTP status and XML body (sent as `text/xml`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoapResponse {
    /// HTTP status: 200 for a message, 500 for a SOAP fault.
    pub status: u16,
    /// The SOAP envelope.
    pub body: String,
}

/// What the loket does with a SOAP request; the server calls it once per accepted POST.
pub trait SoapHandler: Send + Sync + 'static {
    /// Handles one request and produces its answer.
    fn handle(
        &self,
        request: SoapRequest,
    ) -> Pin<Box<dyn Future<Output = SoapResponse> + Send + '_>>;
}
