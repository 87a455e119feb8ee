//! TLS configuration for both ends of the machine coupling: PEM loading and the rustls
//! `ServerConfig` (client certificate required, checked against the configured trust store
//! by webpki, expiry included) and `ClientConfig` (own certificate, own server trust).
//!
//! Always the ring provider, passed explicitly (`builder_with_provider`), never the
//! process-wide default: a second provider in the tree would otherwise panic at run time
//! (research/stack.md pitfall 1).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, CertificateRevocationListDer, PrivateKeyDer};
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};

use crate::verifier::{DeferredClientVerifier, PeerCheck};

/// Why a certificate, key or trust store could not be loaded or a TLS configuration built.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// A PEM file could not be read or parsed.
    #[error("kan {} niet lezen: {reason}", path.display())]
    Pem {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        reason: String,
    },
    /// PEM text (not from a file) could not be parsed.
    #[error("ongeldige PEM-gegevens: {0}")]
    PemText(String),
    /// The PEM held no certificate.
    #[error("geen certificaat gevonden in {0}")]
    NoCertificate(String),
    /// A trust anchor was refused by webpki.
    #[error("ongeldig vertrouwd certificaat: {0}")]
    BadTrustAnchor(String),
    /// The trust store is empty: nothing would be accepted.
    #[error("de lijst met vertrouwde certificaten is leeg")]
    EmptyTrust,
    /// rustls refused the configuration (key does not match, bad CRL, …).
    #[error("TLS-configuratie ongeldig: {0}")]
    Config(String),
}

/// The crypto provider used everywhere in this crate: rustls' ring provider.
pub fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn pem_err(path: &Path, e: impl std::fmt::Display) -> TlsError {
    TlsError::Pem {
        path: path.to_owned(),
        reason: e.to_string(),
    }
}

/// All `CERTIFICATE` blocks of a PEM file, in order (leaf first for a chain).
pub fn load_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_file_iter(path)
        .map_err(|e| pem_err(path, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_err(path, e))?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate(path.display().to_string()));
    }
    Ok(certs)
}

/// All `CERTIFICATE` blocks of PEM text, in order.
pub fn certs_from_pem(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| TlsError::PemText(e.to_string()))?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate("PEM-tekst".into()));
    }
    Ok(certs)
}

/// The first private key (PKCS#8, PKCS#1 or SEC1) of a PEM file.
pub fn load_private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_file(path).map_err(|e| pem_err(path, e))
}

/// The first private key of PEM text.
pub fn key_from_pem(pem: &[u8]) -> Result<PrivateKeyDer<'static>, TlsError> {
    PrivateKeyDer::from_pem_slice(pem).map_err(|e| TlsError::PemText(e.to_string()))
}

/// All CRLs (`X509 CRL` blocks) of a PEM file.
pub fn load_crls(path: &Path) -> Result<Vec<CertificateRevocationListDer<'static>>, TlsError> {
    CertificateRevocationListDer::pem_file_iter(path)
        .map_err(|e| pem_err(path, e))?
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| pem_err(path, e))
}

/// A trust store with every given certificate as a trust anchor. For PKIoverheid put the
/// *issuing* CA certificates here, because many clients send only their leaf
/// (research/stack.md pitfall 8); that also narrows what is accepted.
pub fn trust_store(anchors: &[CertificateDer<'_>]) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    for cert in anchors {
        roots
            .add(cert.clone().into_owned())
            .map_err(|e| TlsError::BadTrustAnchor(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(TlsError::EmptyTrust);
    }
    Ok(roots)
}

/// A trust store from the certificates in one or more PEM files.
pub fn load_trust(paths: &[PathBuf]) -> Result<RootCertStore, TlsError> {
    let mut anchors = Vec::new();
    for p in paths {
        anchors.extend(load_certs(p)?);
    }
    trust_store(&anchors)
}

/// The loket's server configuration: its certificate chain and key; every client must
/// present a certificate that chains to `client_trust` and is valid now (webpki checks the
/// dates), else the handshake fails.
pub fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    client_trust: RootCertStore,
) -> Result<Arc<ServerConfig>, TlsError> {
    server_config_with_crls(chain, key, client_trust, Vec::new())
}

/// [`server_config`] that also refuses client certificates revoked by one of `crls`.
pub fn server_config_with_crls(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    client_trust: RootCertStore,
    crls: Vec<CertificateRevocationListDer<'static>>,
) -> Result<Arc<ServerConfig>, TlsError> {
    if client_trust.is_empty() {
        return Err(TlsError::EmptyTrust);
    }
    let provider = provider();
    let verifier =
        WebPkiClientVerifier::builder_with_provider(Arc::new(client_trust), provider.clone())
            .with_crls(crls)
            .build()
            .map_err(|e| TlsError::Config(e.to_string()))?;
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_client_cert_verifier(verifier)
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    Ok(Arc::new(config))
}

/// What [`crate::serve`] needs for TLS: the rustls configuration and, when the client
/// certificate is checked after the handshake ([`server_config_deferred`]), that check. The
/// two only travel together, so a permissive handshake cannot be served without its check.
#[derive(Debug, Clone)]
pub struct ServerTls {
    pub(crate) config: Arc<ServerConfig>,
    pub(crate) peer_check: Option<PeerCheck>,
}

impl From<Arc<ServerConfig>> for ServerTls {
    /// A configuration whose handshake checks the client certificate itself (from
    /// [`server_config`]).
    fn from(config: Arc<ServerConfig>) -> Self {
        Self {
            config,
            peer_check: None,
        }
    }
}

/// Like [`server_config_with_crls`], but a missing, unknown, expired or revoked client
/// certificate does not abort the handshake: the server checks the chain right after it
/// (same webpki check, same trust store and CRLs) and answers every request on such a
/// connection with a SOAP fault `Client.DK0002` saying why, without calling the handler.
/// The client still has to prove possession of the certificate's key in the handshake.
pub fn server_config_deferred(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    client_trust: RootCertStore,
    crls: Vec<CertificateRevocationListDer<'static>>,
) -> Result<ServerTls, TlsError> {
    if client_trust.is_empty() {
        return Err(TlsError::EmptyTrust);
    }
    let provider = provider();
    let inner =
        WebPkiClientVerifier::builder_with_provider(Arc::new(client_trust), provider.clone())
            .with_crls(crls)
            .build()
            .map_err(|e| TlsError::Config(e.to_string()))?;
    let deferred = DeferredClientVerifier::new(inner);
    let peer_check = deferred.peer_check();
    let config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_client_cert_verifier(Arc::new(deferred))
        .with_single_cert(chain, key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    Ok(ServerTls {
        config: Arc::new(config),
        peer_check: Some(peer_check),
    })
}

/// The school's client configuration: its certificate chain and key, and the certificates
/// it trusts for the loket's server certificate.
pub fn client_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
    server_trust: RootCertStore,
) -> Result<Arc<ClientConfig>, TlsError> {
    if server_trust.is_empty() {
        return Err(TlsError::EmptyTrust);
    }
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_root_certificates(server_trust)
        .with_client_auth_cert(chain, key)
        .map_err(|e| TlsError::Config(e.to_string()))?;
    Ok(Arc::new(config))
}

/// A client configuration without a client certificate (only for tests and diagnostics: the
/// loket refuses it).
pub fn client_config_without_certificate(
    server_trust: RootCertStore,
) -> Result<Arc<ClientConfig>, TlsError> {
    let config = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| TlsError::Config(e.to_string()))?
        .with_root_certificates(server_trust)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// [`server_config_with_crls`] from files: the loket's certificate chain (PEM, leaf first)
/// and key, the PEM files whose certificates clients must chain to, and optional CRL files.
pub fn server_config_from_files(
    cert: &Path,
    key: &Path,
    client_trust: &[PathBuf],
    crls: &[PathBuf],
) -> Result<Arc<ServerConfig>, TlsError> {
    let mut revoked = Vec::new();
    for p in crls {
        revoked.extend(load_crls(p)?);
    }
    server_config_with_crls(
        load_certs(cert)?,
        load_private_key(key)?,
        load_trust(client_trust)?,
        revoked,
    )
}

/// [`client_config`] from files: the school's certificate chain and key, and the PEM files
/// whose certificates the loket's server certificate must chain to.
pub fn client_config_from_files(
    cert: &Path,
    key: &Path,
    server_trust: &[PathBuf],
) -> Result<Arc<ClientConfig>, TlsError> {
    client_config(
        load_certs(cert)?,
        load_private_key(key)?,
        load_trust(server_trust)?,
    )
}

#[cfg(test)]
mod tests {
    use verzuim_domain::Brin;

    use crate::pki::DevPki;

    #[test]
    fn a_dev_pki_on_disk_gives_working_tls_configurations() {
        let dir = tempfile::tempdir().unwrap();
        let brin = Brin::parse("12AB").unwrap();
        let pki = DevPki::generate(
            "Dev CA",
            &["localhost", "127.0.0.1"],
            &[(brin, "School".to_owned())],
            365,
        )
        .unwrap();
        pki.write_pem(dir.path()).unwrap();
        let p = |n: &str| dir.path().join(n);
        super::server_config_from_files(&p("server.pem"), &p("server.key"), &[p("ca.pem")], &[])
            .unwrap();
        super::client_config_from_files(&p("12AB.pem"), &p("12AB.key"), &[p("ca.pem")]).unwrap();
        assert!(super::load_trust(&[p("missing.pem")]).is_err());
    }
}
