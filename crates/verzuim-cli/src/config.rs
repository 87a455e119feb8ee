//! Configuration in layers: built-in defaults, then a TOML file, then `VERZUIM_*` environment
//! variables, then command-line flags (applied by `main`).

use std::fmt;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Deserialize;

/// A database URL whose password is hidden when printed.
#[derive(Clone, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct DatabaseUrl(pub String);

impl fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

impl fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&self.0))
    }
}

/// Replaces the password in `scheme://user:password@host` by `***`.
fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    match rest.split_once('@') {
        Some((userinfo, host)) => {
            let user = userinfo.split(':').next().unwrap_or_default();
            if userinfo.contains(':') {
                format!("{scheme}://{user}:***@{host}")
            } else {
                url.to_owned()
            }
        }
        None => url.to_owned(),
    }
}

/// DUO's OIN, the default OIN of the loket.
pub const DUO_OIN: &str = "00000001800866472000";

/// verzuim's settings.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// Where the data lives: `sqlite:verzuim.sqlite` or `postgres://user@host/db`.
    pub database_url: DatabaseUrl,
    /// Address the web server listens on.
    pub listen: String,
    /// Mark session cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Log filter, as `RUST_LOG` (e.g. `info,verzuim_store=debug`).
    pub log: String,
    /// The Verzuimloket's own database (a separate service from the school).
    pub loket_database_url: DatabaseUrl,
    /// Address the loket's web server listens on.
    pub loket_listen: String,
    /// Days a finished melding is kept on the loket before schoning.
    pub retention_days: u32,
    /// Address of the loket's machine coupling (SOAP over HTTPS with client certificates);
    /// empty: not served.
    pub m2m_listen: String,
    /// The loket's server certificate chain (PEM) for the machine coupling.
    pub m2m_server_cert: String,
    /// The loket's private key (PEM) for the machine coupling.
    pub m2m_server_key: String,
    /// The CA certificates (PEM) that issue the schools' client certificates: the
    /// PKIoverheid issuing CAs in production, the test CA of `verzuim pki` in the proeftuin.
    pub m2m_client_trust: String,
    /// The loket's own OIN (`wsa:To` of requests, `wsa:From` of answers).
    pub m2m_oin: String,
    /// Test environment ("proeftuin"): the loket accepts certificates of a test CA made by
    /// `verzuim pki` and says so on every page; without it, a trust store holding such a test
    /// CA is refused.
    pub proeftuin: bool,
    /// The school's client: the loket's machine-coupling address (`https://…/verzuimloket`).
    pub m2m_endpoint: String,
    /// The school's client certificate (PEM); empty: the school does not sync.
    pub m2m_client_cert: String,
    /// The school's private key (PEM).
    pub m2m_client_key: String,
    /// The CA certificates (PEM) the school trusts for the loket's server certificate.
    pub m2m_server_trust: String,
    /// Seconds between two synchronisations of the school with the loket.
    pub m2m_sync_seconds: u64,
    /// Seconds between two runs of the schools' protocols in `verzuim serve` (new steps and
    /// tasks); 0: only at start.
    pub protocol_run_seconds: u64,
}

impl Default for Config {
    fn default() -> Self {
        Self {
            database_url: DatabaseUrl("sqlite:verzuim.sqlite".to_owned()),
            listen: "127.0.0.1:8080".to_owned(),
            secure_cookies: false,
            log: "info".to_owned(),
            loket_database_url: DatabaseUrl("sqlite:verzuim-loket.sqlite".to_owned()),
            loket_listen: "127.0.0.1:8081".to_owned(),
            retention_days: 730,
            m2m_listen: String::new(),
            m2m_server_cert: "pki/loket.pem".to_owned(),
            m2m_server_key: "pki/loket.key".to_owned(),
            m2m_client_trust: "pki/ca.pem".to_owned(),
            m2m_oin: DUO_OIN.to_owned(),
            proeftuin: false,
            m2m_endpoint: "https://127.0.0.1:8443/verzuimloket".to_owned(),
            m2m_client_cert: String::new(),
            m2m_client_key: String::new(),
            m2m_server_trust: "pki/ca.pem".to_owned(),
            m2m_sync_seconds: 300,
            protocol_run_seconds: 300,
        }
    }
}

/// The commented example printed by `verzuim default-config`.
pub const EXAMPLE: &str = r#"# verzuim configuration. Every setting may also come from the environment
# (VERZUIM_DATABASE_URL, VERZUIM_LISTEN, VERZUIM_SECURE_COOKIES, VERZUIM_LOG),
# which wins over this file; command-line flags win over both.

# Where the data lives. SQLite (one file, the default) or PostgreSQL (several
# instances on one database):
#   database_url = "postgres://verzuim:geheim@127.0.0.1:5432/verzuim"
database_url = "sqlite:verzuim.sqlite"

# Address and port of the web server.
listen = "127.0.0.1:8080"

# Set to true when verzuim is served over HTTPS (behind a proxy), so session
# cookies are only sent over TLS.
secure_cookies = false

# Log filter, like RUST_LOG.
log = "info"

# The Verzuimloket (`verzuim serve loket`): a separate service with its own
# database (VERZUIM_LOKET_DATABASE_URL), address (VERZUIM_LOKET_LISTEN) and the
# number of days a finished melding is kept before schoning
# (VERZUIM_RETENTION_DAYS).
loket_database_url = "sqlite:verzuim-loket.sqlite"
loket_listen = "127.0.0.1:8081"
retention_days = 730

# The loket's machine coupling (`verzuim serve loket`): SOAP 1.1 over HTTPS with
# client certificates (docs/m2m.md). Empty m2m_listen: not served. Make a test
# PKI with `verzuim pki init`. m2m_client_trust holds the CAs that issue the
# schools' certificates (PKIoverheid's issuing CAs in production). proeftuin =
# true accepts a test CA of `verzuim pki` (VERZUIM_PROEFTUIN).
m2m_listen = ""
m2m_server_cert = "pki/loket.pem"
m2m_server_key = "pki/loket.key"
m2m_client_trust = "pki/ca.pem"
m2m_oin = "00000001800866472000"
proeftuin = false

# The school's side of the machine coupling (`verzuim serve`, `verzuim school
# sync`): where the loket is, the school's certificate and key (empty: no
# sync), the CA of the loket's server certificate, and how often to sync.
m2m_endpoint = "https://127.0.0.1:8443/verzuimloket"
m2m_client_cert = ""
m2m_client_key = ""
m2m_server_trust = "pki/ca.pem"
m2m_sync_seconds = 300

# The school's absence protocol (`verzuim protocol use`, docs/protocol.md):
# `verzuim serve` runs the protocol of every school that chose one at start and
# then every this many seconds, so new steps become tasks in the inboxes
# (VERZUIM_PROTOCOL_RUN_SECONDS). 0: only at start.
protocol_run_seconds = 300
"#;

impl Config {
    /// Loads defaults, then `file` (when given, it must exist; otherwise `verzuim.toml` in the
    /// working directory when present), then the environment.
    pub fn load(file: Option<&Path>) -> Result<Self> {
        let mut config = match file {
            Some(path) => Self::from_file(path)?,
            None => {
                let default = PathBuf::from("verzuim.toml");
                if default.exists() {
                    Self::from_file(&default)?
                } else {
                    Self::default()
                }
            }
        };
        config.apply_env(|key| std::env::var(key).ok())?;
        Ok(config)
    }

    fn from_file(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("kan configuratiebestand {} niet lezen", path.display()))?;
        toml::from_str(&text)
            .with_context(|| format!("configuratiebestand {} is ongeldig", path.display()))
    }

    /// Applies `VERZUIM_*` variables read through `var`.
    pub fn apply_env(&mut self, var: impl Fn(&str) -> Option<String>) -> Result<()> {
        if let Some(v) = var("VERZUIM_DATABASE_URL") {
            self.database_url = DatabaseUrl(v);
        }
        if let Some(v) = var("VERZUIM_LISTEN") {
            self.listen = v;
        }
        if let Some(v) = var("VERZUIM_SECURE_COOKIES") {
            self.secure_cookies = flag("VERZUIM_SECURE_COOKIES", &v)?;
        }
        if let Some(v) = var("VERZUIM_LOG") {
            self.log = v;
        }
        if let Some(v) = var("VERZUIM_LOKET_DATABASE_URL") {
            self.loket_database_url = DatabaseUrl(v);
        }
        if let Some(v) = var("VERZUIM_LOKET_LISTEN") {
            self.loket_listen = v;
        }
        for (key, field) in [
            ("VERZUIM_M2M_LISTEN", &mut self.m2m_listen),
            ("VERZUIM_M2M_SERVER_CERT", &mut self.m2m_server_cert),
            ("VERZUIM_M2M_SERVER_KEY", &mut self.m2m_server_key),
            ("VERZUIM_M2M_CLIENT_TRUST", &mut self.m2m_client_trust),
            ("VERZUIM_M2M_OIN", &mut self.m2m_oin),
            ("VERZUIM_M2M_ENDPOINT", &mut self.m2m_endpoint),
            ("VERZUIM_M2M_CLIENT_CERT", &mut self.m2m_client_cert),
            ("VERZUIM_M2M_CLIENT_KEY", &mut self.m2m_client_key),
            ("VERZUIM_M2M_SERVER_TRUST", &mut self.m2m_server_trust),
        ] {
            if let Some(v) = var(key) {
                *field = v;
            }
        }
        if let Some(v) = var("VERZUIM_PROEFTUIN") {
            self.proeftuin = flag("VERZUIM_PROEFTUIN", &v)?;
        }
        if let Some(v) = var("VERZUIM_M2M_SYNC_SECONDS") {
            self.m2m_sync_seconds = v.trim().parse().map_err(|_| {
                anyhow::anyhow!("VERZUIM_M2M_SYNC_SECONDS: '{v}' is geen aantal seconden")
            })?;
        }
        if let Some(v) = var("VERZUIM_PROTOCOL_RUN_SECONDS") {
            self.protocol_run_seconds = v.trim().parse().map_err(|_| {
                anyhow::anyhow!("VERZUIM_PROTOCOL_RUN_SECONDS: '{v}' is geen aantal seconden")
            })?;
        }
        if let Some(v) = var("VERZUIM_RETENTION_DAYS") {
            self.retention_days = v.trim().parse().map_err(|_| {
                anyhow::anyhow!("VERZUIM_RETENTION_DAYS: '{v}' is geen aantal dagen")
            })?;
        }
        Ok(())
    }
}

/// A yes/no environment value.
fn flag(key: &str, value: &str) -> Result<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "ja" | "yes" => Ok(true),
        "0" | "false" | "nee" | "no" | "" => Ok(false),
        other => anyhow::bail!("{key}: '{other}' is geen true of false"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses_to_the_defaults() {
        let parsed: Config = toml::from_str(EXAMPLE).unwrap();
        assert_eq!(parsed, Config::default());
    }

    #[test]
    fn environment_wins_over_file_values() {
        let mut c: Config = toml::from_str("listen = \"0.0.0.0:9000\"").unwrap();
        c.apply_env(|k| (k == "VERZUIM_LISTEN").then(|| "127.0.0.1:1".to_owned()))
            .unwrap();
        assert_eq!(c.listen, "127.0.0.1:1");
    }

    #[test]
    fn unknown_keys_and_bad_booleans_are_refused() {
        assert!(toml::from_str::<Config>("lissen = \"x\"").is_err());
        let mut c = Config::default();
        assert!(
            c.apply_env(|k| (k == "VERZUIM_SECURE_COOKIES").then(|| "misschien".to_owned()))
                .is_err()
        );
    }

    #[test]
    fn database_password_is_redacted_when_printed() {
        let url = DatabaseUrl("postgres://verzuim:geheim@db:5432/v".to_owned());
        assert_eq!(format!("{url:?}"), "postgres://verzuim:***@db:5432/v");
        assert!(
            !format!(
                "{:?}",
                Config {
                    database_url: url,
                    ..Config::default()
                }
            )
            .contains("geheim")
        );
    }
}
