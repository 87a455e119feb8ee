//! Client certificates checked after the handshake, so a refusal is a SOAP fault.
//!
//! rustls' [`WebPkiClientVerifier`] aborts the TLS handshake when a client certificate is
//! missing, expired or issued by an unknown CA; the client then sees only a TLS alert. Issue 5
//! asks for a SOAP fault in each of those cases (a vendor testing in the proeftuin should read
//! *why*). [`DeferredClientVerifier`] lets the handshake complete — it still checks the
//! client's signature over the handshake, so the client proves it holds the certificate's
//! key — and the server then runs the same webpki chain check itself ([`PeerCheck`]). A
//! request on a connection whose certificate failed that check is answered with
//! `Client.DK0002` and **never reaches the handler** (`Loket::m2m_exchange`), exactly as when
//! the handshake had failed; only its WS-Addressing headers are read (with the protocol's
//! size, DTD and depth limits) so that the fault carries `wsa:RelatesTo`. Enable it with
//! [`crate::tls::server_config_deferred`].

use std::sync::Arc;

use rustls::client::danger::HandshakeSignatureValid;
use rustls::pki_types::{CertificateDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{CertificateError, DigitallySignedStruct, DistinguishedName, Error, SignatureScheme};

/// Accepts every client at handshake time (with or without a certificate) but checks the
/// handshake signature; the chain is checked afterwards with [`PeerCheck::check`].
#[derive(Debug)]
pub struct DeferredClientVerifier {
    inner: Arc<dyn ClientCertVerifier>,
}

impl DeferredClientVerifier {
    /// Wraps the real verifier (a `WebPkiClientVerifier` over the trust store).
    pub fn new(inner: Arc<dyn ClientCertVerifier>) -> Self {
        Self { inner }
    }

    /// The check to run on the peer's chain after the handshake.
    pub fn peer_check(&self) -> PeerCheck {
        PeerCheck {
            inner: self.inner.clone(),
        }
    }
}

impl ClientCertVerifier for DeferredClientVerifier {
    fn offer_client_auth(&self) -> bool {
        true
    }

    fn client_auth_mandatory(&self) -> bool {
        false
    }

    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        self.inner.root_hint_subjects()
    }

    fn verify_client_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, Error> {
        Ok(ClientCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// The chain check of a connection's client certificate, run once per connection after the
/// handshake.
#[derive(Debug, Clone)]
pub struct PeerCheck {
    inner: Arc<dyn ClientCertVerifier>,
}

impl PeerCheck {
    /// `Ok` when `chain` (leaf first) chains to the trust store and is valid at `now`;
    /// otherwise the Dutch reason for the fault's detail.
    pub fn check(
        &self,
        chain: Option<&[CertificateDer<'static>]>,
        now: UnixTime,
    ) -> Result<(), String> {
        let Some((leaf, intermediates)) = chain.and_then(<[_]>::split_first) else {
            return Err("er is geen clientcertificaat meegestuurd".to_owned());
        };
        self.inner
            .verify_client_cert(leaf, intermediates, now)
            .map(|_| ())
            .map_err(|e| refusal(&e))
    }
}

/// Dutch text for a refused client certificate.
fn refusal(error: &Error) -> String {
    match error {
        Error::InvalidCertificate(c) => match c {
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "het clientcertificaat is verlopen".to_owned()
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "het clientcertificaat is nog niet geldig".to_owned()
            }
            CertificateError::UnknownIssuer => {
                "het clientcertificaat is niet uitgegeven door een vertrouwde CA".to_owned()
            }
            CertificateError::Revoked => "het clientcertificaat is ingetrokken".to_owned(),
            other => format!("het clientcertificaat is ongeldig ({other:?})"),
        },
        other => format!("het clientcertificaat is ongeldig ({other})"),
    }
}
