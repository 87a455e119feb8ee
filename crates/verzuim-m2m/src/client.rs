//! The school's client for the loket: keep-alive HTTP/1.1 over rustls with the school's
//! client certificate and its own trust for the loket's server certificate (hyper-util's
//! pooled client + hyper-rustls, ring only).
//!
//! It posts one SOAP envelope and returns whatever HTTP answer came back; reading the
//! envelope (message, `Foutmelding` or fault) is `verzuim_edukoppeling::parse_response`'s job.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::header::{CONTENT_TYPE, HeaderValue};
use http::{Method, Request, Uri};
use http_body_util::{BodyExt, Full, LengthLimitError, Limited};
use hyper_rustls::{HttpsConnector, HttpsConnectorBuilder};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rustls::ClientConfig;

/// Timeouts and limits of the client.
#[derive(Debug, Clone)]
pub struct ClientOptions {
    /// Time for one whole exchange: connect, handshake, send, and read the answer.
    pub timeout: Duration,
    /// Time for the TCP connection alone.
    pub connect_timeout: Duration,
    /// How long an unused keep-alive connection stays in the pool. Keep it below the
    /// loket's read timeout (30 s by default) so the client never reuses a connection the
    /// server is about to close.
    pub pool_idle_timeout: Duration,
    /// Largest answer body accepted, in bytes.
    pub max_response_bytes: usize,
}

impl Default for ClientOptions {
    /// 60 s per exchange, 10 s to connect, 20 s idle, 16 MiB answers.
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            pool_idle_timeout: Duration::from_secs(20),
            max_response_bytes: 16 * 1024 * 1024,
        }
    }
}

/// Why no answer came back. Any HTTP answer, also 4xx/5xx, is *not* an error.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The endpoint is not an `https://` URL the client can use.
    #[error("ongeldig adres van het verzuimloket: {0}")]
    BadEndpoint(String),
    /// The SOAPAction is not a valid header value.
    #[error("ongeldige SOAPAction: {0}")]
    BadSoapAction(String),
    /// No connection, TLS refused, or the connection broke (cause chain in the text).
    #[error("geen antwoord van het verzuimloket: {0}")]
    Transport(String),
    /// The exchange took longer than [`ClientOptions::timeout`].
    #[error("het verzuimloket antwoordde niet binnen {0:?}")]
    Timeout(Duration),
    /// The answer was larger than [`ClientOptions::max_response_bytes`].
    #[error("het antwoord van het verzuimloket is groter dan {0} bytes")]
    ResponseTooLarge(usize),
}

/// A pooled keep-alive client for one loket endpoint; cheap to clone (shares its pool).
#[derive(Clone)]
pub struct M2mClient {
    client: Client<HttpsConnector<HttpConnector>, Full<Bytes>>,
    endpoint: Uri,
    opts: ClientOptions,
}

impl std::fmt::Debug for M2mClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("M2mClient")
            .field("endpoint", &self.endpoint)
            .field("opts", &self.opts)
            .finish_non_exhaustive()
    }
}

/// The error and all its sources, so that "client error (Connect)" says *why*.
fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut src = e.source();
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out
}

impl M2mClient {
    /// A client for `endpoint` (e.g. `https://loket.example:8443/verzuimloket`) with a TLS
    /// configuration from [`crate::tls::client_config`]. Needs a Tokio runtime to send.
    pub fn new(
        endpoint: url::Url,
        tls: Arc<ClientConfig>,
        opts: ClientOptions,
    ) -> Result<Self, ClientError> {
        if endpoint.scheme() != "https" {
            return Err(ClientError::BadEndpoint(format!(
                "{endpoint} (alleen https:// is toegestaan)"
            )));
        }
        let uri: Uri = endpoint
            .as_str()
            .parse()
            .map_err(|e: http::uri::InvalidUri| ClientError::BadEndpoint(e.to_string()))?;
        let mut http = HttpConnector::new();
        http.enforce_http(false);
        http.set_nodelay(true);
        http.set_connect_timeout(Some(opts.connect_timeout));
        let https = HttpsConnectorBuilder::new()
            .with_tls_config((*tls).clone())
            .https_only()
            .enable_http1()
            .wrap_connector(http);
        let client = Client::builder(TokioExecutor::new())
            .timer(TokioTimer::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(opts.pool_idle_timeout)
            .build(https);
        Ok(Self {
            client,
            endpoint: uri,
            opts,
        })
    }

    /// The endpoint this client posts to.
    pub fn endpoint(&self) -> &Uri {
        &self.endpoint
    }

    /// POSTs one SOAP envelope with `Content-Type: text/xml; charset=UTF-8` and
    /// `SOAPAction: "<soap_action>"`; returns the HTTP status and body of any answer.
    pub async fn post(
        &self,
        soap_action: &str,
        body: impl Into<Bytes>,
    ) -> Result<(u16, Vec<u8>), ClientError> {
        let action = HeaderValue::from_str(&format!("\"{soap_action}\""))
            .map_err(|_| ClientError::BadSoapAction(soap_action.to_owned()))?;
        let request = Request::builder()
            .method(Method::POST)
            .uri(self.endpoint.clone())
            .header(CONTENT_TYPE, "text/xml; charset=UTF-8")
            .header("SOAPAction", action)
            .body(Full::new(body.into()))
            .map_err(|e| ClientError::Transport(e.to_string()))?;
        let max = self.opts.max_response_bytes;
        let exchange = async {
            let response = self
                .client
                .request(request)
                .await
                .map_err(|e| ClientError::Transport(chain(&e)))?;
            let status = response.status().as_u16();
            let body = Limited::new(response.into_body(), max)
                .collect()
                .await
                .map_err(|e| {
                    if e.downcast_ref::<LengthLimitError>().is_some() {
                        ClientError::ResponseTooLarge(max)
                    } else {
                        ClientError::Transport(chain(e.as_ref()))
                    }
                })?
                .to_bytes();
            Ok((status, body.to_vec()))
        };
        tokio::time::timeout(self.opts.timeout, exchange)
            .await
            .map_err(|_| ClientError::Timeout(self.opts.timeout))?
    }
}

impl ClientError {
    /// The cause without the "geen antwoord" prefix, for `TransportError`, which adds its own.
    fn cause(&self) -> String {
        match self {
            Self::Transport(s) => s.clone(),
            other => other.to_string(),
        }
    }
}

impl verzuim_app::m2m::LoketTransport for M2mClient {
    async fn post(
        &self,
        soap_action: &str,
        body: String,
    ) -> Result<(u16, Vec<u8>), verzuim_app::m2m::TransportError> {
        M2mClient::post(self, soap_action, body)
            .await
            .map_err(|e| verzuim_app::m2m::TransportError(e.cause()))
    }
}
