//! Passwords, session tokens and CSRF tokens for verzuim's staff logins.
//!
//! - Passwords are hashed with argon2id (default parameters: m=19456 KiB, t=2, p=1, OWASP's
//!   minimum) into PHC strings (`$argon2id$v=19$...`), so the parameters travel with the hash.
//! - A session token is 32 random bytes, base64url without padding. Only its SHA-256 (hex) is
//!   stored: a copy of the database does not let anyone log in.
//! - CSRF tokens are random too and are compared in constant time.
//! - [`LoginThrottle`] is the policy for failed logins; the counting lives in the database
//!   (the app layer records failures there) so that several instances share it.
//! - [`totp`]: the loket's TOTP tokens (RFC 6238), their QR code and recovery codes.

pub mod totp;

use std::sync::OnceLock;

use argon2::password_hash::PasswordHasher;
use argon2::{Argon2, PasswordHash, PasswordVerifier};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::RngCore;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

/// What went wrong while hashing or checking a password.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    /// Hashing failed (should not happen with the default parameters).
    #[error("wachtwoord kon niet versleuteld worden: {0}")]
    Hash(String),
    /// The stored hash is not a PHC string argon2 understands.
    #[error("opgeslagen wachtwoord-hash is onleesbaar: {0}")]
    BadStoredHash(String),
    /// The password is too short or too long.
    #[error("wachtwoord: {0}")]
    WeakPassword(String),
}

/// Shortest password accepted when one is set.
pub const MIN_PASSWORD_CHARS: usize = 10;
/// Longest password accepted (argon2 can take more; this bounds the work per attempt).
pub const MAX_PASSWORD_BYTES: usize = 1024;

/// Checks that a new password is long enough and not absurdly long.
pub fn check_new_password(password: &str) -> Result<(), AuthError> {
    if password.chars().count() < MIN_PASSWORD_CHARS {
        return Err(AuthError::WeakPassword(format!(
            "gebruik minstens {MIN_PASSWORD_CHARS} tekens"
        )));
    }
    if password.len() > MAX_PASSWORD_BYTES {
        return Err(AuthError::WeakPassword(format!(
            "gebruik hoogstens {MAX_PASSWORD_BYTES} tekens"
        )));
    }
    Ok(())
}

/// Hashes a password with argon2id and a fresh random salt into a PHC string.
pub fn hash_password(password: &str) -> Result<String, AuthError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| AuthError::Hash(e.to_string()))
}

/// Checks a password against a stored PHC string. `Ok(false)` for a wrong password; an error
/// only when the stored hash itself is unreadable.
pub fn verify_password(password: &str, phc: &str) -> Result<bool, AuthError> {
    if password.len() > MAX_PASSWORD_BYTES {
        return Ok(false);
    }
    let parsed = PasswordHash::new(phc).map_err(|e| AuthError::BadStoredHash(e.to_string()))?;
    match Argon2::default().verify_password(password.as_bytes(), &parsed) {
        Ok(()) => Ok(true),
        Err(argon2::password_hash::Error::PasswordInvalid) => Ok(false),
        Err(e) => Err(AuthError::BadStoredHash(e.to_string())),
    }
}

/// Does the same work as checking a password, for a username that does not exist or has no
/// password, so that the response time does not tell which usernames exist.
pub fn verify_dummy(password: &str) {
    static DUMMY: OnceLock<Option<String>> = OnceLock::new();
    if let Some(phc) = DUMMY.get_or_init(|| hash_password("verzuim-dummy-password").ok()) {
        let _ = verify_password(password, phc);
    }
}

fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

/// A new session token: the secret for the cookie and the hash for the database.
#[derive(Clone, PartialEq, Eq)]
pub struct SessionToken {
    /// The secret (43 characters, base64url of 32 random bytes); only in the cookie.
    pub token: String,
    /// SHA-256 of the token, lower-case hex; what the database stores.
    pub hash: String,
}

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SessionToken")
            .field("token", &"[verborgen]")
            .field("hash", &self.hash)
            .finish()
    }
}

impl SessionToken {
    /// Generates a fresh random token.
    pub fn generate() -> Self {
        let token = random_token(32);
        let hash = hash_session_token(&token);
        Self { token, hash }
    }
}

/// SHA-256 of a session token as lower-case hex, for looking the session up.
pub fn hash_session_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Whether a string looks like one of our session tokens (43 base64url characters); lets the
/// web layer skip a database lookup for garbage cookies.
pub fn is_well_formed_token(token: &str) -> bool {
    token.len() == 43
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// A new CSRF token (base64url of 32 random bytes).
pub fn new_csrf_token() -> String {
    random_token(32)
}

/// Compares two secrets in time that depends only on their lengths.
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// Policy for failed logins per username: after `max_failures` failures within
/// `window_minutes`, further attempts are refused until the oldest failure in the window is
/// older than the window. The failures are counted in the database (shared by all instances);
/// a successful login clears them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LoginThrottle {
    /// Failures allowed within the window.
    pub max_failures: i64,
    /// Length of the window, in minutes.
    pub window_minutes: i64,
}

impl Default for LoginThrottle {
    fn default() -> Self {
        Self {
            max_failures: 5,
            window_minutes: 15,
        }
    }
}

impl LoginThrottle {
    /// Whether a login must be refused given the failures counted within the window.
    pub fn is_locked(&self, failures_in_window: i64) -> bool {
        failures_in_window >= self.max_failures
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_an_argon2id_phc_string_that_verifies() {
        let phc = hash_password("correct horse battery").unwrap();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        assert!(verify_password("correct horse battery", &phc).unwrap());
    }

    #[test]
    fn wrong_password_does_not_verify() {
        let phc = hash_password("correct horse battery").unwrap();
        assert!(!verify_password("Correct horse battery", &phc).unwrap());
        assert!(!verify_password("", &phc).unwrap());
    }

    #[test]
    fn same_password_gets_a_different_salt_each_time() {
        assert_ne!(
            hash_password("abcdefghijk").unwrap(),
            hash_password("abcdefghijk").unwrap()
        );
    }

    #[test]
    fn unreadable_stored_hash_is_an_error_not_a_wrong_password() {
        assert!(matches!(
            verify_password("x", "not-a-phc-string"),
            Err(AuthError::BadStoredHash(_))
        ));
    }

    #[test]
    fn session_token_is_32_random_bytes_and_stored_only_as_sha256_hex() {
        let t = SessionToken::generate();
        assert_eq!(URL_SAFE_NO_PAD.decode(&t.token).unwrap().len(), 32);
        assert!(is_well_formed_token(&t.token));
        assert_eq!(t.hash.len(), 64);
        assert_eq!(t.hash, hash_session_token(&t.token));
        assert_ne!(t.hash, t.token);
        assert_ne!(SessionToken::generate().token, t.token);
        assert!(!format!("{t:?}").contains(&t.token));
    }

    #[test]
    fn sha256_of_a_known_token_matches_the_reference() {
        assert_eq!(
            hash_session_token("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn garbage_cookies_are_not_well_formed_tokens() {
        assert!(!is_well_formed_token(""));
        assert!(!is_well_formed_token("a b"));
        assert!(!is_well_formed_token(&"x".repeat(44)));
    }

    #[test]
    fn csrf_tokens_differ_and_compare_in_constant_time() {
        let a = new_csrf_token();
        let b = new_csrf_token();
        assert_ne!(a, b);
        assert!(constant_time_eq(&a, &a.clone()));
        assert!(!constant_time_eq(&a, &b));
        assert!(!constant_time_eq(&a, &a[..10]));
        assert!(!constant_time_eq("", &a));
    }

    #[test]
    fn throttle_locks_after_five_failures_in_fifteen_minutes() {
        let t = LoginThrottle::default();
        assert!(!t.is_locked(4));
        assert!(t.is_locked(5));
    }

    #[test]
    fn new_passwords_need_ten_characters() {
        assert!(check_new_password("kort").is_err());
        assert!(check_new_password("lang genoeg!").is_ok());
    }

    #[test]
    fn dummy_verification_runs_without_error() {
        verify_dummy("wat dan ook");
    }
}
