//! Client certificates as a school registers them with the loket (seed 000: the school buys a
//! PKIoverheid certificate and registers its subject and issuer; on renewal it registers
//! again). Reads the files a beheerder uploads — PEM with one or more `CERTIFICATE` blocks,
//! raw DER (`.cer`, `.crt`, `.cert`) and PKCS#7 (`.p7b`, DER or PEM `PKCS7`) — into
//! [`CertificateInfo`], and gives the DN key the loket matches a TLS peer on
//! ([`dn_key`], [`CertificateInfo::subject_key`]).
//!
//! Pure: no clock (validity is data, the caller compares it with its `now`), no file system.
//! PKIoverheid puts the organisation's OIN in the subject's `serialNumber` (2.5.4.5) or
//! `organizationIdentifier` (2.5.4.97) (research/duo-and-law.md §2.3; stack pitfall 8: map on
//! issuer + subject, never on the CN alone).

use base64::Engine as _;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use x509_parser::prelude::{FromDer, X509Certificate, X509Name};

use crate::addressing::Oin;

/// Largest certificate file accepted (a chain in a `.p7b` is a few KiB).
pub const MAX_CERTIFICATE_FILE_BYTES: usize = 256 * 1024;

/// Why a certificate file could not be read; the Display text is Dutch, for the beheerder.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CertificateError {
    /// The file holds no certificate at all (empty, or not a certificate format).
    #[error("geen certificaat gevonden: kies een .cer-, .crt-, .cert- of .p7b-bestand")]
    NotFound,
    /// A certificate (or the PKCS#7 around it) could not be read.
    #[error("ongeldig certificaat: {0}")]
    Invalid(String),
    /// The file is larger than [`MAX_CERTIFICATE_FILE_BYTES`].
    #[error("het bestand is te groot voor een certificaat ({size} bytes, hoogstens {max})")]
    TooLarge {
        /// Size received.
        size: usize,
        /// The limit.
        max: usize,
    },
}

/// What the loket keeps of one X.509 certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInfo {
    /// The subject DN as x509-parser prints it (`C=NL, O=…, serialNumber=…, CN=…`).
    pub subject: String,
    /// The issuer DN, printed the same way.
    pub issuer: String,
    /// The serial number: hexadecimal, upper case, no colons.
    pub serial: String,
    /// The subject's `serialNumber` attribute (2.5.4.5): the OIN in PKIoverheid certificates.
    pub subject_serial_number: Option<String>,
    /// The subject's `organizationIdentifier` attribute (2.5.4.97).
    pub organization_identifier: Option<String>,
    /// Valid from.
    pub not_before: DateTime<Utc>,
    /// Valid until.
    pub not_after: DateTime<Utc>,
    /// SHA-256 fingerprint of the DER, hexadecimal lower case.
    pub sha256: String,
    /// Whether it is a CA certificate (`basicConstraints cA=TRUE`): a chain file also carries
    /// its issuers, which are not the school's own certificate.
    pub is_ca: bool,
    /// The DER bytes.
    pub der: Vec<u8>,
}

const OID_SERIAL_NUMBER: &str = "2.5.4.5";
const OID_ORGANIZATION_IDENTIFIER: &str = "2.5.4.97";
/// PKCS#7 `signedData` (RFC 2315).
const OID_PKCS7_SIGNED_DATA: &[u8] = &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x02];

impl CertificateInfo {
    /// Reads one DER-encoded X.509 certificate (trailing bytes are refused).
    pub fn from_der(der: &[u8]) -> Result<Self, CertificateError> {
        let (rest, cert) = X509Certificate::from_der(der)
            .map_err(|e| CertificateError::Invalid(format!("{e}")))?;
        if !rest.is_empty() {
            return Err(CertificateError::Invalid(
                "er staan nog gegevens achter het certificaat".to_owned(),
            ));
        }
        let used = &der[..der.len() - rest.len()];
        let time = |t: i64, what: &str| {
            DateTime::<Utc>::from_timestamp(t, 0)
                .ok_or_else(|| CertificateError::Invalid(format!("{what} is geen geldige datum")))
        };
        let validity = cert.validity();
        Ok(Self {
            subject: cert.subject().to_string(),
            issuer: cert.issuer().to_string(),
            serial: cert
                .raw_serial()
                .iter()
                .map(|b| format!("{b:02X}"))
                .collect(),
            subject_serial_number: attribute(cert.subject(), OID_SERIAL_NUMBER),
            organization_identifier: attribute(cert.subject(), OID_ORGANIZATION_IDENTIFIER),
            not_before: time(validity.not_before.timestamp(), "geldig vanaf")?,
            not_after: time(validity.not_after.timestamp(), "geldig tot")?,
            sha256: Sha256::digest(used)
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
            is_ca: cert.is_ca(),
            der: used.to_vec(),
        })
    }

    /// The OIN: the subject's `serialNumber` when it is one, else its
    /// `organizationIdentifier` (PKIoverheid).
    pub fn oin(&self) -> Option<Oin> {
        [&self.subject_serial_number, &self.organization_identifier]
            .into_iter()
            .flatten()
            .find_map(|v| Oin::parse(v).ok())
    }

    /// The subject as a matching key ([`dn_key`]).
    pub fn subject_key(&self) -> String {
        dn_key(&self.subject)
    }

    /// The issuer as a matching key ([`dn_key`]).
    pub fn issuer_key(&self) -> String {
        dn_key(&self.issuer)
    }

    /// Whether `at` lies outside the validity period.
    pub fn is_expired_at(&self, at: DateTime<Utc>) -> bool {
        at > self.not_after
    }

    /// Whether `at` lies before the start of the validity period.
    pub fn is_not_yet_valid_at(&self, at: DateTime<Utc>) -> bool {
        at < self.not_before
    }
}

/// The first value of attribute `oid` in `name`, as text.
fn attribute(name: &X509Name<'_>, oid: &str) -> Option<String> {
    name.iter_attributes()
        .find(|a| a.attr_type().to_id_string() == oid)
        .and_then(|a| a.as_str().ok())
        .map(str::to_owned)
}

/// Short names of the attribute types a DN is written with, and the aliases people type.
const ATTRIBUTE_NAMES: &[(&str, &[&str])] = &[
    ("c", &["c", "countryname", "2.5.4.6"]),
    ("o", &["o", "organizationname", "2.5.4.10"]),
    ("ou", &["ou", "organizationalunitname", "2.5.4.11"]),
    ("cn", &["cn", "commonname", "2.5.4.3"]),
    ("l", &["l", "localityname", "2.5.4.7"]),
    ("st", &["st", "s", "stateorprovincename", "2.5.4.8"]),
    ("street", &["street", "streetaddress", "2.5.4.9"]),
    (
        "serialnumber",
        &["serialnumber", "serial_number", "sn_oin", "2.5.4.5"],
    ),
    (
        "organizationidentifier",
        &["organizationidentifier", "orgid", "2.5.4.97"],
    ),
    ("title", &["title", "2.5.4.12"]),
    ("givenname", &["givenname", "gn", "2.5.4.42"]),
    ("surname", &["surname", "2.5.4.4"]),
    (
        "emailaddress",
        &["emailaddress", "email", "e", "1.2.840.113549.1.9.1"],
    ),
    (
        "dc",
        &["dc", "domaincomponent", "0.9.2342.19200300.100.1.25"],
    ),
];

fn canonical_type(t: &str) -> String {
    let lower = t.trim().to_ascii_lowercase();
    // x509-parser prints a type it has no name for as `OID(2.5.4.97)`
    let lower = lower
        .strip_prefix("oid(")
        .and_then(|o| o.strip_suffix(')'))
        .map_or(lower.clone(), str::to_owned);
    ATTRIBUTE_NAMES
        .iter()
        .find(|(_, aliases)| aliases.contains(&lower.as_str()))
        .map_or(lower, |(name, _)| (*name).to_owned())
}

/// The key the loket compares distinguished names with: `type=value` pairs with the type's
/// canonical short name, values trimmed, white space collapsed and lower-cased
/// (X.520 `caseIgnoreMatch`), sorted, joined by `,`. So `C=NL, O=School, CN=x` printed by
/// x509-parser, `CN = x, O = School, C = NL` typed in RFC 4514 order and OpenSSL's
/// `/C=NL/O=School/CN=x` give the same key. An escaped `\,` stays inside its value.
pub fn dn_key(dn: &str) -> String {
    let text = dn.trim();
    let slash_form = text.starts_with('/') && !text.contains(',');
    let separators: &[char] = if slash_form { &['/'] } else { &[',', ';', '+'] };
    let mut parts: Vec<String> = Vec::new();
    let mut current = String::new();
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                current.push(next);
            }
        } else if separators.contains(&c) {
            parts.push(std::mem::take(&mut current));
        } else {
            current.push(c);
        }
    }
    parts.push(current);
    // x509-parser writes a multi-valued RDN with " + "; `+` inside a value is rare in DNs.
    let mut pairs: Vec<String> = parts
        .iter()
        .filter_map(|p| {
            let (t, v) = p.split_once('=')?;
            let value = v
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            let t = t.trim();
            (!t.is_empty()).then(|| format!("{}={value}", canonical_type(t)))
        })
        .collect();
    pairs.sort();
    pairs.join(",")
}

/// Reads a certificate file as uploaded: PEM (one or more `CERTIFICATE` blocks, or a
/// `PKCS7` block), DER of one certificate (`.cer`, `.crt`, `.cert`), or DER PKCS#7 signed
/// data (`.p7b`: the `certificates` of SignedData). Returns every certificate in file order.
pub fn parse_certificate_file(bytes: &[u8]) -> Result<Vec<CertificateInfo>, CertificateError> {
    if bytes.len() > MAX_CERTIFICATE_FILE_BYTES {
        return Err(CertificateError::TooLarge {
            size: bytes.len(),
            max: MAX_CERTIFICATE_FILE_BYTES,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    // DER starts with SEQUENCE; its last bytes may look like white space, so never trim it
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    if bytes.get(start) == Some(&0x30) {
        return parse_der_file(&bytes[start..]);
    }
    let trimmed = trim_ascii(bytes);
    if trimmed.is_empty() {
        return Err(CertificateError::NotFound);
    }
    let text = std::str::from_utf8(trimmed).map_err(|_| CertificateError::NotFound)?;
    let blocks = pem_blocks(text)?;
    let mut out = Vec::new();
    for (label, der) in blocks {
        match label.as_str() {
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                out.push(CertificateInfo::from_der(&der)?);
            }
            "PKCS7" | "PKCS #7 SIGNED DATA" | "CMS" => out.extend(pkcs7_certificates(&der)?),
            // keys, CRLs, requests in the same file are not certificates: skip them
            _ => {}
        }
    }
    if out.is_empty() {
        return Err(CertificateError::NotFound);
    }
    Ok(out)
}

fn trim_ascii(bytes: &[u8]) -> &[u8] {
    let start = bytes
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(bytes.len());
    let end = bytes
        .iter()
        .rposition(|b| !b.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &bytes[start..end]
}

/// A DER file: a certificate, or PKCS#7 ContentInfo.
fn parse_der_file(der: &[u8]) -> Result<Vec<CertificateInfo>, CertificateError> {
    let (tag, content, _) = read_tlv(der)?;
    if tag != 0x30 {
        return Err(CertificateError::NotFound);
    }
    // ContentInfo starts with an OBJECT IDENTIFIER; a Certificate with a SEQUENCE.
    let (first, _, _) = read_tlv(content)?;
    if first == 0x06 {
        pkcs7_certificates(der)
    } else {
        Ok(vec![CertificateInfo::from_der(der)?])
    }
}

/// The PEM blocks of `text`: (label, decoded bytes). Header lines (`Proc-Type:`) are skipped.
fn pem_blocks(text: &str) -> Result<Vec<(String, Vec<u8>)>, CertificateError> {
    let mut out = Vec::new();
    let mut lines = text.lines().map(str::trim);
    while let Some(line) = lines.next() {
        let Some(label) = line
            .strip_prefix("-----BEGIN ")
            .and_then(|l| l.strip_suffix("-----"))
        else {
            continue;
        };
        let end = format!("-----END {label}-----");
        let mut body = String::new();
        let mut closed = false;
        for l in lines.by_ref() {
            if l == end {
                closed = true;
                break;
            }
            if !l.contains(':') {
                body.push_str(l);
            }
        }
        if !closed {
            return Err(CertificateError::Invalid(format!(
                "het PEM-blok '{label}' heeft geen END-regel"
            )));
        }
        let der = base64::engine::general_purpose::STANDARD
            .decode(body.as_bytes())
            .map_err(|_| {
                CertificateError::Invalid(format!("het PEM-blok '{label}' is geen geldige base64"))
            })?;
        out.push((label.to_owned(), der));
    }
    Ok(out)
}

/// One DER TLV: (tag byte, contents, rest). Only definite lengths (DER).
fn read_tlv(input: &[u8]) -> Result<(u8, &[u8], &[u8]), CertificateError> {
    let bad = |why: &str| CertificateError::Invalid(format!("ASN.1: {why}"));
    let (&tag, rest) = input.split_first().ok_or_else(|| bad("onverwacht einde"))?;
    if tag & 0x1F == 0x1F {
        return Err(bad("meerbyte-tags worden niet ondersteund"));
    }
    let (&first, rest) = rest.split_first().ok_or_else(|| bad("onverwacht einde"))?;
    let (len, rest) = if first < 0x80 {
        (usize::from(first), rest)
    } else if first == 0x80 {
        return Err(bad(
            "onbepaalde lengte (BER) wordt niet ondersteund; gebruik DER",
        ));
    } else {
        let n = usize::from(first & 0x7F);
        if n > 4 || rest.len() < n {
            return Err(bad("ongeldige lengte"));
        }
        let len = rest[..n]
            .iter()
            .fold(0usize, |acc, b| (acc << 8) | usize::from(*b));
        (len, &rest[n..])
    };
    if rest.len() < len {
        return Err(bad("lengte voorbij het einde van het bestand"));
    }
    Ok((tag, &rest[..len], &rest[len..]))
}

/// The certificates of a PKCS#7 ContentInfo with SignedData (RFC 2315 §7, §9.1):
/// `ContentInfo ::= SEQUENCE { contentType OID, content [0] EXPLICIT SignedData }`,
/// `SignedData ::= SEQUENCE { version, digestAlgorithms SET, contentInfo SEQUENCE,
/// certificates [0] IMPLICIT SET OF Certificate OPTIONAL, crls [1] …, signerInfos SET }`.
fn pkcs7_certificates(der: &[u8]) -> Result<Vec<CertificateInfo>, CertificateError> {
    let not_signed_data = || CertificateError::Invalid("PKCS#7 zonder SignedData".to_owned());
    let (tag, content_info, _) = read_tlv(der)?;
    if tag != 0x30 {
        return Err(not_signed_data());
    }
    let (tag, oid, rest) = read_tlv(content_info)?;
    if tag != 0x06 || oid != OID_PKCS7_SIGNED_DATA {
        return Err(not_signed_data());
    }
    let (tag, explicit, _) = read_tlv(rest)?;
    if tag != 0xA0 {
        return Err(not_signed_data());
    }
    let (tag, signed_data, _) = read_tlv(explicit)?;
    if tag != 0x30 {
        return Err(not_signed_data());
    }
    // version, digestAlgorithms, contentInfo
    let mut rest = signed_data;
    for _ in 0..3 {
        let (_, _, r) = read_tlv(rest)?;
        rest = r;
    }
    let mut out = Vec::new();
    if let Ok((0xA0, mut certs, _)) = read_tlv(rest) {
        while !certs.is_empty() {
            let (tag, _, after) = read_tlv(certs)?;
            let one = &certs[..certs.len() - after.len()];
            // [0] may also hold extended or attribute certificates; take only X.509 ones
            if tag == 0x30 {
                out.push(CertificateInfo::from_der(one)?);
            }
            certs = after;
        }
    }
    if out.is_empty() {
        return Err(CertificateError::NotFound);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

    use rcgen::{BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, KeyPair};

    use super::*;

    struct Made {
        ca_der: Vec<u8>,
        leaf_der: Vec<u8>,
        leaf_pem: String,
    }

    /// A test CA and a school certificate with the OIN in `serialNumber`.
    fn make() -> Made {
        let ca_key = KeyPair::generate().unwrap();
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        let mut ca_dn = DistinguishedName::new();
        ca_dn.push(DnType::CountryName, "NL");
        ca_dn.push(DnType::OrganizationName, "Test CA");
        ca_dn.push(DnType::CommonName, "Verzuim Test CA");
        ca_params.distinguished_name = ca_dn;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = ca_params.self_signed(&ca_key).unwrap();
        let issuer = rcgen::Issuer::new(ca_params, ca_key);

        let key = KeyPair::generate().unwrap();
        let mut params = CertificateParams::new(Vec::<String>::new()).unwrap();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CountryName, "NL");
        dn.push(DnType::OrganizationName, "Sint-Maartenscollege");
        dn.push(
            DnType::CustomDnType(vec![2, 5, 4, 5]),
            "0000000700012AB00000",
        );
        dn.push(DnType::CommonName, "verzuim.smc.nl");
        params.distinguished_name = dn;
        params.not_before = rcgen::date_time_ymd(2026, 1, 1);
        params.not_after = rcgen::date_time_ymd(2027, 1, 1);
        params.serial_number = Some(rcgen::SerialNumber::from_slice(&[0x0A, 0xBC, 0x01]));
        let leaf = params.signed_by(&key, &issuer).unwrap();
        Made {
            ca_der: ca.der().to_vec(),
            leaf_der: leaf.der().to_vec(),
            leaf_pem: leaf.pem(),
        }
    }

    fn der_len(n: usize) -> Vec<u8> {
        if n < 0x80 {
            vec![n as u8]
        } else if n < 0x100 {
            vec![0x81, n as u8]
        } else {
            vec![0x82, (n >> 8) as u8, n as u8]
        }
    }

    fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
        let mut out = vec![tag];
        out.extend(der_len(content.len()));
        out.extend_from_slice(content);
        out
    }

    /// A degenerate PKCS#7 (`openssl crl2pkcs7 -nocrl` style) holding `certs`.
    fn p7b(certs: &[&[u8]]) -> Vec<u8> {
        let version = tlv(0x02, &[1]);
        let digests = tlv(0x31, &[]);
        let data_oid = tlv(
            0x06,
            &[0x2A, 0x86, 0x48, 0x86, 0xF7, 0x0D, 0x01, 0x07, 0x01],
        );
        let content_info = tlv(0x30, &data_oid);
        let cert_set = tlv(0xA0, &certs.concat());
        let signer_infos = tlv(0x31, &[]);
        let signed_data = tlv(
            0x30,
            &[version, digests, content_info, cert_set, signer_infos].concat(),
        );
        let oid = tlv(0x06, OID_PKCS7_SIGNED_DATA);
        tlv(0x30, &[oid, tlv(0xA0, &signed_data)].concat())
    }

    fn pem(label: &str, der: &[u8]) -> String {
        let b64 = base64::engine::general_purpose::STANDARD.encode(der);
        let lines: Vec<&str> = b64
            .as_bytes()
            .chunks(64)
            .map(|c| std::str::from_utf8(c).unwrap())
            .collect();
        format!(
            "-----BEGIN {label}-----\r\n{}\r\n-----END {label}-----\r\n",
            lines.join("\r\n")
        )
    }

    #[test]
    fn der_certificate_gives_subject_issuer_serial_oin_validity_and_fingerprint() {
        let m = make();
        let infos = parse_certificate_file(&m.leaf_der).unwrap();
        assert_eq!(infos.len(), 1);
        let c = &infos[0];
        assert!(
            c.subject.contains("O=Sint-Maartenscollege"),
            "{}",
            c.subject
        );
        assert!(c.subject.contains("CN=verzuim.smc.nl"), "{}", c.subject);
        assert!(c.issuer.contains("CN=Verzuim Test CA"), "{}", c.issuer);
        assert_eq!(c.serial, "0ABC01");
        assert_eq!(
            c.subject_serial_number.as_deref(),
            Some("0000000700012AB00000")
        );
        assert_eq!(c.oin().unwrap().as_str(), "0000000700012AB00000");
        assert_eq!(c.not_before.to_rfc3339(), "2026-01-01T00:00:00+00:00");
        assert_eq!(c.not_after.to_rfc3339(), "2027-01-01T00:00:00+00:00");
        assert_eq!(c.sha256.len(), 64);
        assert!(
            c.sha256
                .chars()
                .all(|ch| ch.is_ascii_hexdigit() && !ch.is_ascii_uppercase())
        );
        assert!(!c.is_ca);
        assert_eq!(c.der, m.leaf_der);
        assert_eq!(CertificateInfo::from_der(&m.leaf_der).unwrap(), *c);
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        assert!(!c.is_expired_at(at("2026-06-01T00:00:00Z")));
        assert!(c.is_expired_at(at("2027-01-01T00:00:01Z")));
        assert!(c.is_not_yet_valid_at(at("2025-12-31T23:59:59Z")));
    }

    #[test]
    fn der_whose_last_byte_looks_like_white_space_is_read_whole() {
        // the signature's last byte is random: 1 in 40 certificates ends in 0x20, 0x0A, …
        for _ in 0..200 {
            let m = make();
            let infos = parse_certificate_file(&m.leaf_der).unwrap();
            assert_eq!(infos[0].der, m.leaf_der);
            if m.leaf_der.last().is_some_and(u8::is_ascii_whitespace) {
                return;
            }
        }
    }

    #[test]
    fn pem_file_with_several_certificates_and_other_blocks_gives_every_certificate() {
        let m = make();
        let text = format!(
            "Bag Attributes\n{}\n{}{}",
            pem("PRIVATE KEY", b"not a key"),
            m.leaf_pem,
            pem("CERTIFICATE", &m.ca_der)
        );
        let infos = parse_certificate_file(text.as_bytes()).unwrap();
        assert_eq!(infos.len(), 2);
        assert_eq!(infos[0].der, m.leaf_der);
        assert!(!infos[0].is_ca);
        assert_eq!(infos[1].der, m.ca_der);
        assert!(infos[1].is_ca);
    }

    #[test]
    fn p7b_in_der_and_in_pem_gives_the_certificates_of_signed_data() {
        let m = make();
        let der = p7b(&[&m.leaf_der, &m.ca_der]);
        let infos = parse_certificate_file(&der).unwrap();
        assert_eq!(
            infos.iter().map(|c| c.der.clone()).collect::<Vec<_>>(),
            vec![m.leaf_der.clone(), m.ca_der.clone()]
        );
        let text = pem("PKCS7", &der);
        let infos = parse_certificate_file(text.as_bytes()).unwrap();
        assert_eq!(infos.len(), 2);
        assert_eq!(infos[0].der, m.leaf_der);
    }

    #[test]
    fn files_without_a_certificate_are_refused_in_dutch() {
        let m = make();
        assert_eq!(
            parse_certificate_file(b"   \n").unwrap_err(),
            CertificateError::NotFound
        );
        assert_eq!(
            parse_certificate_file(b"hallo wereld").unwrap_err(),
            CertificateError::NotFound
        );
        assert_eq!(
            parse_certificate_file(pem("PRIVATE KEY", b"x").as_bytes()).unwrap_err(),
            CertificateError::NotFound
        );
        let e = parse_certificate_file(&m.leaf_der[..m.leaf_der.len() - 10]).unwrap_err();
        assert!(e.to_string().starts_with("ongeldig certificaat"), "{e}");
        let mut trailing = m.leaf_der.clone();
        trailing.extend_from_slice(&[0, 0]);
        assert!(matches!(
            CertificateInfo::from_der(&trailing),
            Err(CertificateError::Invalid(_))
        ));
        let broken = "-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n";
        assert!(matches!(
            parse_certificate_file(broken.as_bytes()),
            Err(CertificateError::Invalid(_))
        ));
        let unclosed = "-----BEGIN CERTIFICATE-----\nMIIB\n";
        assert!(matches!(
            parse_certificate_file(unclosed.as_bytes()),
            Err(CertificateError::Invalid(_))
        ));
        assert_eq!(
            parse_certificate_file(&p7b(&[])).unwrap_err(),
            CertificateError::NotFound
        );
        let big = vec![b'a'; MAX_CERTIFICATE_FILE_BYTES + 1];
        assert!(matches!(
            parse_certificate_file(&big),
            Err(CertificateError::TooLarge { .. })
        ));
        assert_eq!(
            CertificateError::NotFound.to_string(),
            "geen certificaat gevonden: kies een .cer-, .crt-, .cert- of .p7b-bestand"
        );
    }

    #[test]
    fn dn_key_ignores_order_spacing_case_and_attribute_spelling() {
        let m = make();
        let c = CertificateInfo::from_der(&m.leaf_der).unwrap();
        let typed =
            "CN = verzuim.smc.nl, serialNumber=0000000700012AB00000, O=Sint-Maartenscollege,  C=nl";
        assert_eq!(dn_key(typed), c.subject_key());
        assert_eq!(
            dn_key("/C=NL/O=Sint-Maartenscollege/2.5.4.5=0000000700012AB00000/CN=verzuim.smc.nl"),
            c.subject_key()
        );
        assert_eq!(
            dn_key("CN=Verzuim Test CA, O=Test CA, C=NL"),
            c.issuer_key()
        );
        assert_ne!(dn_key("CN=Other CA, O=Test CA, C=NL"), c.issuer_key());
        assert_eq!(dn_key("O=A\\, B"), "o=a, b");
    }
}
