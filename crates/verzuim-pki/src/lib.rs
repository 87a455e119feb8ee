//! A local test PKI (rcgen, ring): a CA, the loket's server certificate and school client
//! certificates shaped like PKIoverheid services certificates — subject `serialNumber` =
//! the school's OIN (`Oin::from_brin`) and `O` = the school's name. For tests, development,
//! the demo and `verzuim pki`; production uses real PKIoverheid certificates.
//!
//! Validity is relative to the real clock, because the TLS layer checks it against the real
//! clock too.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use rcgen::string::PrintableString;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, DnValue,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use verzuim_domain::Brin;
use verzuim_edukoppeling::Oin;

/// X.520 `serialNumber` (2.5.4.5): the OIN in PKIoverheid certificates.
const OID_SERIAL_NUMBER: [u64; 4] = [2, 5, 4, 5];

/// The organisation (`O`) in the subject of every CA a [`TestCa`] makes: a loket outside the
/// proeftuin refuses a trust store that holds one.
pub const TEST_CA_ORGANISATION: &str = "verzuim test-PKI";

/// Why a certificate could not be made, loaded or written.
#[derive(Debug, thiserror::Error)]
pub enum PkiError {
    /// rcgen refused (bad name, bad dates, unreadable CA).
    #[error("certificaat maken mislukt: {0}")]
    Generate(#[from] rcgen::Error),
    /// A date outside what a certificate can hold.
    #[error("ongeldige geldigheidsdatum: {0}")]
    Date(String),
    /// A file or directory could not be written or read.
    #[error("kan {} niet schrijven of lezen: {source}", path.display())]
    Io {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// A certificate with its private key, as issued by a [`TestCa`].
#[derive(Debug, Clone)]
pub struct IssuedCert {
    /// The certificate, DER.
    pub der: CertificateDer<'static>,
    /// The certificate, PEM.
    pub cert_pem: String,
    /// The private key, PKCS#8 PEM.
    pub key_pem: String,
    key_der: Vec<u8>,
}

impl IssuedCert {
    fn new(cert: rcgen::Certificate, key: &KeyPair) -> Self {
        Self {
            der: cert.der().clone(),
            cert_pem: cert.pem(),
            key_pem: key.serialize_pem(),
            key_der: key.serialize_der(),
        }
    }

    /// The chain to present in TLS: the leaf alone (the CA is the peer's trust anchor).
    pub fn chain(&self) -> Vec<CertificateDer<'static>> {
        vec![self.der.clone()]
    }

    /// The private key for rustls.
    pub fn key(&self) -> PrivateKeyDer<'static> {
        PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.key_der.clone()))
    }
}

/// A self-signed test certificate authority that issues server and school certificates.
pub struct TestCa {
    issuer: Issuer<'static, KeyPair>,
    cert: IssuedCert,
}

impl std::fmt::Debug for TestCa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TestCa").finish_non_exhaustive()
    }
}

fn to_time(t: DateTime<Utc>) -> Result<time::OffsetDateTime, PkiError> {
    time::OffsetDateTime::from_unix_timestamp(t.timestamp())
        .map_err(|e| PkiError::Date(e.to_string()))
}

fn days(n: i64) -> chrono::Duration {
    chrono::Duration::days(n)
}

impl TestCa {
    /// A new CA named `name` (its CN), valid from yesterday for ten years.
    pub fn generate(name: &str) -> Result<Self, PkiError> {
        let now = Utc::now();
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "NL");
        dn.push(DnType::OrganizationName, TEST_CA_ORGANISATION);
        dn.push(DnType::CommonName, name);
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        params.not_before = to_time(now - days(1))?;
        params.not_after = to_time(now + days(3650))?;
        let key = KeyPair::generate()?;
        let cert = params.self_signed(&key)?;
        let issued = IssuedCert::new(cert, &key);
        Ok(Self {
            issuer: Issuer::new(params, key),
            cert: issued,
        })
    }

    /// A CA read back from the PEM files [`write_pem`] wrote (`ca.pem`, `ca.key`), to issue
    /// more certificates with it later.
    pub fn from_pem(cert_pem: &str, key_pem: &str) -> Result<Self, PkiError> {
        let key = KeyPair::from_pem(key_pem)?;
        let issuer = Issuer::from_ca_cert_pem(cert_pem, key)?;
        let der = CertificateDer::pem_slice_iter(cert_pem.as_bytes())
            .next()
            .and_then(Result::ok)
            .ok_or(PkiError::Generate(rcgen::Error::CouldNotParseCertificate))?;
        let key_again = KeyPair::from_pem(key_pem)?;
        Ok(Self {
            issuer,
            cert: IssuedCert {
                der,
                cert_pem: cert_pem.to_owned(),
                key_pem: key_pem.to_owned(),
                key_der: key_again.serialize_der(),
            },
        })
    }

    /// The CA certificate (and key) — the trust anchor for the other side.
    pub fn certificate(&self) -> &IssuedCert {
        &self.cert
    }

    /// The CA certificate, DER.
    pub fn cert_der(&self) -> CertificateDer<'static> {
        self.cert.der.clone()
    }

    /// The CA certificate, PEM.
    pub fn cert_pem(&self) -> &str {
        &self.cert.cert_pem
    }

    /// A server certificate for the loket, with `names` (DNS names or IP addresses) as
    /// subject alternative names; valid from yesterday for two years.
    pub fn server_cert(&self, names: &[&str]) -> Result<IssuedCert, PkiError> {
        let now = Utc::now();
        let mut params =
            CertificateParams::new(names.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "NL");
        dn.push(DnType::OrganizationName, "Verzuimloket");
        dn.push(
            DnType::CommonName,
            names.first().copied().unwrap_or("verzuimloket"),
        );
        params.distinguished_name = dn;
        params.key_usages = vec![
            KeyUsagePurpose::DigitalSignature,
            KeyUsagePurpose::KeyEncipherment,
        ];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.not_before = to_time(now - days(1))?;
        params.not_after = to_time(now + days(730))?;
        self.issue(params)
    }

    /// A school's client certificate valid from yesterday until `not_after`: subject
    /// `C=NL, O=<school_name>, serialNumber=<OIN of the BRIN>, CN=<school_name>`.
    pub fn school_cert(
        &self,
        brin: &Brin,
        school_name: &str,
        not_after: DateTime<Utc>,
    ) -> Result<IssuedCert, PkiError> {
        self.school_cert_between(brin, school_name, Utc::now() - days(1), not_after)
    }

    /// A school's client certificate valid from `not_before` until `not_after`.
    pub fn school_cert_between(
        &self,
        brin: &Brin,
        school_name: &str,
        not_before: DateTime<Utc>,
        not_after: DateTime<Utc>,
    ) -> Result<IssuedCert, PkiError> {
        let mut params = CertificateParams::new(Vec::<String>::new())?;
        let oin = Oin::from_brin(brin);
        let serial = PrintableString::try_from(oin.as_str())?;
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "NL");
        dn.push(DnType::OrganizationName, school_name);
        dn.push(
            DnType::CustomDnType(OID_SERIAL_NUMBER.to_vec()),
            DnValue::PrintableString(serial),
        );
        dn.push(DnType::CommonName, school_name);
        params.distinguished_name = dn;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
        params.not_before = to_time(not_before)?;
        params.not_after = to_time(not_after)?;
        self.issue(params)
    }

    /// A school certificate that expired yesterday (valid for the 60 days before).
    pub fn expired_school_cert(
        &self,
        brin: &Brin,
        school_name: &str,
    ) -> Result<IssuedCert, PkiError> {
        let now = Utc::now();
        self.school_cert_between(brin, school_name, now - days(61), now - days(1))
    }

    /// A school certificate that becomes valid tomorrow.
    pub fn not_yet_valid_school_cert(
        &self,
        brin: &Brin,
        school_name: &str,
    ) -> Result<IssuedCert, PkiError> {
        let now = Utc::now();
        self.school_cert_between(brin, school_name, now + days(1), now + days(366))
    }

    fn issue(&self, params: CertificateParams) -> Result<IssuedCert, PkiError> {
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &self.issuer)?;
        Ok(IssuedCert::new(cert, &key))
    }
}

/// A complete development PKI: a CA, the loket's server certificate and one client
/// certificate per school — what `verzuim pki` writes.
#[derive(Debug)]
pub struct DevPki {
    /// The CA (trust anchor of both sides).
    pub ca: TestCa,
    /// The loket's server certificate.
    pub server: IssuedCert,
    /// Per school its client certificate.
    pub schools: Vec<(Brin, IssuedCert)>,
}

impl DevPki {
    /// A new CA named `ca_name`, a server certificate for `server_names` and, for every
    /// (BRIN, school name), a client certificate valid for `school_days` days.
    pub fn generate(
        ca_name: &str,
        server_names: &[&str],
        schools: &[(Brin, String)],
        school_days: i64,
    ) -> Result<Self, PkiError> {
        let ca = TestCa::generate(ca_name)?;
        let server = ca.server_cert(server_names)?;
        let not_after = Utc::now() + days(school_days);
        let schools = schools
            .iter()
            .map(|(brin, name)| Ok((brin.clone(), ca.school_cert(brin, name, not_after)?)))
            .collect::<Result<Vec<_>, PkiError>>()?;
        Ok(Self {
            ca,
            server,
            schools,
        })
    }

    /// Writes it with [`write_pem`].
    pub fn write_pem(&self, dir: &Path) -> Result<Vec<PathBuf>, PkiError> {
        write_pem(dir, &self.ca, &self.server, &self.schools)
    }
}

/// Writes a development PKI into `dir` (created with mode 0700 when missing): `ca.pem`,
/// `ca.key`, `server.pem`, `server.key` and per school the files of [`write_school`]. Keys get
/// mode 0600. Returns the paths written.
pub fn write_pem(
    dir: &Path,
    ca: &TestCa,
    server: &IssuedCert,
    schools: &[(Brin, IssuedCert)],
) -> Result<Vec<PathBuf>, PkiError> {
    create_private_dir(dir)?;
    let mut written = Vec::new();
    for (name, text, secret) in [
        ("ca.pem", &ca.cert.cert_pem, false),
        ("ca.key", &ca.cert.key_pem, true),
        ("server.pem", &server.cert_pem, false),
        ("server.key", &server.key_pem, true),
    ] {
        let path = dir.join(name);
        write_file(&path, text.as_bytes(), secret)?;
        written.push(path);
    }
    for (brin, cert) in schools {
        written.extend(write_school(dir, brin, cert)?);
    }
    Ok(written)
}

/// Writes one school's certificate into `dir` (created when missing): `<BRIN>.pem`,
/// `<BRIN>.key` (mode 0600) and `<BRIN>.cer` — the certificate in DER, the file the school's
/// beheerder uploads to the loket (seed 000 allows .cer, .crt, .cert and .p7b). Returns the
/// paths written.
pub fn write_school(dir: &Path, brin: &Brin, cert: &IssuedCert) -> Result<Vec<PathBuf>, PkiError> {
    create_private_dir(dir)?;
    let brin = brin.as_str();
    let mut written = Vec::new();
    for (name, bytes, secret) in [
        (format!("{brin}.pem"), cert.cert_pem.as_bytes(), false),
        (format!("{brin}.key"), cert.key_pem.as_bytes(), true),
        (format!("{brin}.cer"), cert.der.as_ref(), false),
    ] {
        let path = dir.join(name);
        write_file(&path, bytes, secret)?;
        written.push(path);
    }
    Ok(written)
}

fn io_err(path: &Path) -> impl FnOnce(std::io::Error) -> PkiError + '_ {
    move |source| PkiError::Io {
        path: path.to_owned(),
        source,
    }
}

fn create_private_dir(dir: &Path) -> Result<(), PkiError> {
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(0o700);
    }
    builder.create(dir).map_err(io_err(dir))
}

fn write_file(path: &Path, bytes: &[u8], secret: bool) -> Result<(), PkiError> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if secret { 0o600 } else { 0o644 });
    }
    let mut file = options.open(path).map_err(io_err(path))?;
    // An existing file keeps its old mode through open(): tighten it explicitly.
    #[cfg(unix)]
    if secret {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))
            .map_err(io_err(path))?;
    }
    file.write_all(bytes).map_err(io_err(path))?;
    file.sync_all().map_err(io_err(path))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_keys_are_private_and_certificates_parse() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("pki");
        let ca = TestCa::generate("Test CA").unwrap();
        let server = ca.server_cert(&["localhost", "127.0.0.1"]).unwrap();
        let brin = Brin::parse("12AB").unwrap();
        let school = ca
            .school_cert(&brin, "De Test School", Utc::now() + days(30))
            .unwrap();
        let paths = write_pem(&out, &ca, &server, &[(brin, school.clone())]).unwrap();
        assert_eq!(paths.len(), 7);
        assert_eq!(
            fs::read(out.join("12AB.cer")).unwrap(),
            school.der.as_ref(),
            "the upload file is the certificate in DER"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            for name in ["ca.key", "server.key", "12AB.key"] {
                let mode = fs::metadata(out.join(name)).unwrap().permissions().mode();
                assert_eq!(mode & 0o777, 0o600, "{name}");
            }
            let mode = fs::metadata(&out).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o700);
        }
        let certs: Vec<_> = CertificateDer::pem_file_iter(out.join("12AB.pem"))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(certs.len(), 1);
        PrivateKeyDer::from_pem_file(out.join("12AB.key")).unwrap();
        let again = TestCa::from_pem(
            &fs::read_to_string(out.join("ca.pem")).unwrap(),
            &fs::read_to_string(out.join("ca.key")).unwrap(),
        )
        .unwrap();
        assert_eq!(again.cert_der(), ca.cert_der());
        again.server_cert(&["localhost"]).unwrap();
    }

    #[test]
    fn school_certificate_carries_the_oin_and_the_school_name() {
        use x509_parser::prelude::*;
        let ca = TestCa::generate("Test CA").unwrap();
        let brin = Brin::parse("25BE").unwrap();
        let cert = ca
            .school_cert(&brin, "Het Lyceum", Utc::now() + days(30))
            .unwrap();
        let (_, x) = X509Certificate::from_der(cert.der.as_ref()).unwrap();
        let subject = x.subject();
        let serial: Vec<_> = subject
            .iter_attributes()
            .filter(|a| a.attr_type() == &x509_parser::oid_registry::OID_X509_SERIALNUMBER)
            .map(|a| a.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(serial, vec!["0000000700025BE00000".to_owned()]);
        let org: Vec<_> = subject
            .iter_organization()
            .map(|a| a.as_str().unwrap().to_owned())
            .collect();
        assert_eq!(org, vec!["Het Lyceum".to_owned()]);
        assert!(x.issuer().to_string().contains("Test CA"));
    }
}
