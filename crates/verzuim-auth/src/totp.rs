//! TOTP, the loket's "tokengenerator" (RFC 6238: HMAC-SHA-1, 6 digits, 30-second steps),
//! the QR code an authenticator app scans, and one-time recovery codes.
//!
//! - [`verify`] accepts a code for the current step or one step either side (clock drift)
//!   and returns the step it matched. It does not remember anything: the caller stores the
//!   step and refuses a step at or before the stored one, so a code works once (RFC 6238
//!   §5.2).
//! - Secrets are 160 random bits, exchanged as base32 (RFC 4648, no padding).
//! - Recovery codes are 12 random letters shown as `abcd-efgh-ijkl` (no `i`, `l`, `o`, which
//!   are easy to misread); only their SHA-256 is stored.

use qrcode::QrCode;
use qrcode::render::svg;
use rand::Rng;
use sha2::{Digest, Sha256};
use totp_rs::{Algorithm, Builder, Secret, Totp};

/// The issuer an authenticator app shows above the code.
pub const ISSUER: &str = "Verzuimloket";
/// Seconds per step.
pub const STEP_SECONDS: u64 = 30;
/// Digits per code.
pub const DIGITS: u8 = 6;
/// Recovery codes made at enrolment.
pub const RECOVERY_CODES: usize = 10;

/// Letters of a recovery code: a–z without `i`, `l` and `o`.
const RECOVERY_ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz";
/// Letters per recovery code (23^12 ≈ 2^54 possibilities).
const RECOVERY_LETTERS: usize = 12;

/// What went wrong with a TOTP secret or code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    /// The stored or given secret is not base32 of at least 128 bits.
    #[error("TOTP-geheim is ongeldig: {0}")]
    BadSecret(String),
    /// The otpauth URL could not be made (e.g. a `:` in the account name).
    #[error("otpauth-URL kon niet gemaakt worden: {0}")]
    Url(String),
    /// The QR code could not be made.
    #[error("QR-code kon niet gemaakt worden: {0}")]
    Qr(String),
}

fn build(secret: Secret, account: &str) -> Result<Totp, TotpError> {
    Builder::new()
        .with_algorithm(Algorithm::SHA1)
        .with_digits(DIGITS)
        .with_skew(1)
        .with_step_duration(STEP_SECONDS)
        .with_secret(secret)
        .with_issuer(Some(ISSUER))
        .with_account_name(account)
        .build()
        .map_err(|e| TotpError::BadSecret(e.to_string()))
}

fn from_base32(secret_base32: &str, account: &str) -> Result<Totp, TotpError> {
    let secret = Secret::try_from_base32(secret_base32.trim())
        .map_err(|e| TotpError::BadSecret(e.to_string()))?;
    build(secret, account)
}

/// A fresh random secret (160 bits), base32 without padding (32 characters).
pub fn generate_secret() -> String {
    Secret::generate().to_base32()
}

/// The `otpauth://totp/Verzuimloket:<account>?secret=…&issuer=Verzuimloket` URL an
/// authenticator app reads from the QR code.
pub fn otpauth_url(secret_base32: &str, account: &str) -> Result<String, TotpError> {
    from_base32(secret_base32, account)?
        .to_url()
        .map_err(|e| TotpError::Url(e.to_string()))
}

/// `text` as a QR code in an `<svg>` element (black on white, with quiet zone, `role="img"`
/// and a Dutch `aria-label`), ready to put into an HTML page.
pub fn qr_svg(text: &str) -> Result<String, TotpError> {
    let code = QrCode::new(text.as_bytes()).map_err(|e| TotpError::Qr(e.to_string()))?;
    let image = code
        .render::<svg::Color<'_>>()
        .min_dimensions(220, 220)
        .quiet_zone(true)
        .dark_color(svg::Color("#000000"))
        .light_color(svg::Color("#ffffff"))
        .build();
    // Inline in HTML: no XML declaration; named for screen readers.
    let start = image.find("<svg").unwrap_or(0);
    Ok(image[start..].replacen(
        "<svg ",
        "<svg role=\"img\" aria-label=\"QR-code om de tokengenerator in te stellen\" ",
        1,
    ))
}

/// Whether `code` looks like a TOTP code: six digits, spaces ignored (not a recovery code).
pub fn is_code_format(code: &str) -> bool {
    let digits: Vec<char> = code.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == usize::from(DIGITS) && digits.iter().all(char::is_ascii_digit)
}

/// Checks `code` (spaces ignored) against the secret at `unix_time` (seconds), allowing one
/// step either way. `Some(step)`: valid for that step (`unix_time / 30` ± 1); the caller
/// must refuse it if that step was accepted before. `None`: wrong code.
pub fn verify(secret_base32: &str, code: &str, unix_time: u64) -> Result<Option<u64>, TotpError> {
    if !is_code_format(code) {
        return Ok(None);
    }
    let compact: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    Ok(from_base32(secret_base32, "")?.check(&compact, unix_time))
}

/// The code of the secret at `unix_time` (seconds): what the authenticator app shows then.
/// For tests and the demo.
pub fn code_at(secret_base32: &str, unix_time: u64) -> Result<String, TotpError> {
    Ok(from_base32(secret_base32, "")?
        .generate(unix_time)
        .to_string())
}

/// The step a Unix time falls in.
pub fn step_of(unix_time: u64) -> u64 {
    unix_time / STEP_SECONDS
}

/// [`RECOVERY_CODES`] fresh recovery codes, `abcd-efgh-ijkl`.
pub fn generate_recovery_codes() -> Vec<String> {
    let mut rng = rand::rng();
    (0..RECOVERY_CODES)
        .map(|_| {
            let letters: Vec<char> = (0..RECOVERY_LETTERS)
                .map(|_| {
                    let i = rng.random_range(0..RECOVERY_ALPHABET.len());
                    char::from(RECOVERY_ALPHABET[i])
                })
                .collect();
            format_recovery(&letters)
        })
        .collect()
}

fn format_recovery(letters: &[char]) -> String {
    letters
        .chunks(4)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("-")
}

/// A recovery code as typed, in its canonical form (`abcd-efgh-ijkl`): case, spaces and
/// dashes do not matter. `None` when it cannot be a recovery code.
pub fn normalize_recovery_code(input: &str) -> Option<String> {
    let letters: Vec<char> = input
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_lowercase())
        .collect();
    let ok = letters.len() == RECOVERY_LETTERS
        && letters
            .iter()
            .all(|c| c.is_ascii() && RECOVERY_ALPHABET.contains(&(*c as u8)));
    ok.then(|| format_recovery(&letters))
}

/// SHA-256 (lower-case hex) of a recovery code's canonical form: what is stored. The input
/// is normalised first, so a code typed in capitals matches.
pub fn hash_recovery_code(code: &str) -> String {
    let canonical = normalize_recovery_code(code).unwrap_or_else(|| code.trim().to_owned());
    Sha256::digest(canonical.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 6238 appendix B's SHA-1 seed, "12345678901234567890", in base32.
    const RFC_SECRET: &str = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";

    fn rfc_totp(digits: u8) -> Totp {
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(digits)
            .with_step_duration(30)
            .with_secret(Secret::try_from_base32(RFC_SECRET).unwrap())
            .build()
            .unwrap()
    }

    #[test]
    fn rfc_6238_sha1_vectors_with_eight_digits() {
        let t = rfc_totp(8);
        for (time, code) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(t.generate(time).to_string(), code, "T = {time}");
        }
    }

    #[test]
    fn six_digit_codes_are_the_last_six_digits_of_the_rfc_vectors() {
        assert_eq!(code_at(RFC_SECRET, 59).unwrap(), "287082");
        assert_eq!(code_at(RFC_SECRET, 1_111_111_109).unwrap(), "081804");
        assert_eq!(code_at(RFC_SECRET, 1_234_567_890).unwrap(), "005924");
        assert_eq!(code_at(RFC_SECRET, 2_000_000_000).unwrap(), "279037");
    }

    #[test]
    fn verify_returns_the_matched_step_within_one_step_of_skew() {
        let now = 1_234_567_890;
        let step = step_of(now);
        let code = code_at(RFC_SECRET, now).unwrap();
        assert_eq!(verify(RFC_SECRET, &code, now).unwrap(), Some(step));
        // The same code 30 s later is the previous step: still accepted, same step number.
        assert_eq!(verify(RFC_SECRET, &code, now + 30).unwrap(), Some(step));
        assert_eq!(verify(RFC_SECRET, &code, now - 30).unwrap(), Some(step));
        // Two steps away: refused.
        assert_eq!(verify(RFC_SECRET, &code, now + 60).unwrap(), None);
        // Spaces do not matter; letters or other lengths are never a code.
        let spaced = format!("{} {}", &code[..3], &code[3..]);
        assert_eq!(verify(RFC_SECRET, &spaced, now).unwrap(), Some(step));
        assert_eq!(verify(RFC_SECRET, "12345", now).unwrap(), None);
        assert_eq!(verify(RFC_SECRET, "abcdef", now).unwrap(), None);
    }

    #[test]
    fn wrong_code_is_refused() {
        let now = 1_700_000_000;
        let code = code_at(RFC_SECRET, now).unwrap();
        let wrong = if code == "000000" { "000001" } else { "000000" };
        assert_eq!(verify(RFC_SECRET, wrong, now).unwrap(), None);
    }

    #[test]
    fn a_bad_secret_is_an_error() {
        assert!(matches!(
            verify("not base32!", "123456", 0),
            Err(TotpError::BadSecret(_))
        ));
        // 80 bits: too short for RFC 4226's minimum of 128.
        assert!(matches!(
            code_at("GEZDGNBVGY3TQOJQ", 0),
            Err(TotpError::BadSecret(_))
        ));
    }

    #[test]
    fn generated_secrets_are_160_bits_of_base32_and_differ() {
        let a = generate_secret();
        let b = generate_secret();
        assert_eq!(a.len(), 32, "{a}");
        assert!(
            a.bytes()
                .all(|c| c.is_ascii_uppercase() || (b'2'..=b'7').contains(&c))
        );
        assert_ne!(a, b);
        assert!(code_at(&a, 0).is_ok());
    }

    #[test]
    fn otpauth_url_names_issuer_and_account() {
        let url = otpauth_url(RFC_SECRET, "j.jansen").unwrap();
        assert!(
            url.starts_with("otpauth://totp/Verzuimloket:j.jansen?"),
            "{url}"
        );
        assert!(url.contains(&format!("secret={RFC_SECRET}")), "{url}");
        assert!(url.contains("issuer=Verzuimloket"), "{url}");
        assert!(otpauth_url(RFC_SECRET, "a:b").is_err());
    }

    #[test]
    fn qr_code_is_an_inline_svg_element() {
        let svg = qr_svg("otpauth://totp/Verzuimloket:x?secret=ABC").unwrap();
        assert!(svg.starts_with("<svg role=\"img\" aria-label="), "{svg}");
        assert!(svg.ends_with("</svg>"));
        assert!(!svg.contains("<?xml"));
    }

    #[test]
    fn recovery_codes_are_ten_distinct_codes_that_normalise_to_themselves() {
        let codes = generate_recovery_codes();
        assert_eq!(codes.len(), 10);
        for c in &codes {
            assert_eq!(c.len(), 14, "{c}");
            assert_eq!(normalize_recovery_code(c).as_deref(), Some(c.as_str()));
        }
        let mut unique = codes.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), 10);
    }

    #[test]
    fn recovery_codes_match_whatever_the_case_spaces_or_dashes() {
        let code = "abcd-efgh-jkmn";
        let hash = hash_recovery_code(code);
        assert_eq!(hash.len(), 64);
        assert_eq!(hash_recovery_code("ABCD EFGH JKMN"), hash);
        assert_eq!(hash_recovery_code("abcdefghjkmn"), hash);
        assert_ne!(hash_recovery_code("abcd-efgh-jkmp"), hash);
        assert_eq!(normalize_recovery_code("123456"), None);
        assert_eq!(
            normalize_recovery_code("abcd-efgh-ijkl"),
            None,
            "i and l are not used"
        );
    }

    #[test]
    fn six_digits_are_a_code_and_recovery_codes_are_not() {
        assert!(is_code_format("123456"));
        assert!(is_code_format(" 123 456 "));
        assert!(!is_code_format("abcd-efgh-jkmn"));
        assert!(!is_code_format("1234567"));
        assert!(!is_code_format(""));
    }
}
