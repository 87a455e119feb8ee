//! The machine coupling's shell: `verzuim pki` (a test PKI for development, the demo and the
//! proeftuin), the loket's HTTPS listener with client certificates, and the school's
//! synchronisation job (docs/m2m.md).

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use chrono::Utc;
use verzuim_app::App;
use verzuim_app::loket::{Loket, M2mSettings};
use verzuim_app::m2m::{SyncReport, SyncSettings};
use verzuim_domain::Brin;
use verzuim_edukoppeling::{Limits, Oin};
use verzuim_m2m::pki::{DevPki, TEST_CA_ORGANISATION, TestCa};
use verzuim_m2m::{ClientOptions, LoketEndpoint, M2mClient, ServerOptions, tls};
use verzuim_store::SchoolId;

use crate::commands::today;
use crate::config::Config;

/// What `verzuim pki init` wrote.
pub(crate) struct PkiFiles {
    /// The directory.
    pub dir: PathBuf,
    /// Every file written.
    pub written: Vec<PathBuf>,
}

/// A school certificate to issue: BRIN and the school's name.
#[derive(Debug, Clone)]
pub(crate) struct SchoolName {
    pub brin: Brin,
    pub name: String,
}

impl std::str::FromStr for SchoolName {
    type Err = String;

    /// `BRIN=Naam van de school` (the name may be left out: `BRIN`).
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let (brin, name) = s.split_once('=').unwrap_or((s, ""));
        let brin = Brin::parse(brin.trim()).map_err(|e| e.to_string())?;
        let name = match name.trim() {
            "" => format!("School {}", brin.as_str()),
            n => n.to_owned(),
        };
        Ok(Self { brin, name })
    }
}

/// Days a school certificate of `verzuim pki init` is valid.
const SCHOOL_CERT_DAYS: i64 = 365;

/// `verzuim pki init`: a new test CA in `dir` (refused when `dir/ca.key` exists), a loket
/// server certificate for `hosts`, and a client certificate per school.
pub(crate) fn pki_init(dir: &Path, hosts: &[String], schools: &[SchoolName]) -> Result<PkiFiles> {
    if dir.join("ca.key").exists() {
        bail!(
            "{} bevat al een test-CA (ca.key); gebruik `verzuim pki school` om er een schoolcertificaat bij te maken, of kies een andere map",
            dir.display()
        );
    }
    let names: Vec<&str> = hosts.iter().map(String::as_str).collect();
    let schools: Vec<(Brin, String)> = schools
        .iter()
        .map(|s| (s.brin.clone(), s.name.clone()))
        .collect();
    let written = DevPki::generate("verzuim test-CA", &names, &schools, SCHOOL_CERT_DAYS)
        .context("kan de test-PKI niet maken")?
        .write_pem(dir)?;
    Ok(PkiFiles {
        dir: dir.to_owned(),
        written,
    })
}

/// `verzuim pki school`: one more school certificate from the CA in `dir`.
pub(crate) fn pki_school(dir: &Path, school: &SchoolName, days: i64) -> Result<PkiFiles> {
    let ca = load_ca(dir)?;
    let cert = ca
        .school_cert(
            &school.brin,
            &school.name,
            Utc::now() + chrono::Duration::days(days),
        )
        .context("kan het schoolcertificaat niet maken")?;
    Ok(PkiFiles {
        dir: dir.to_owned(),
        written: verzuim_m2m::pki::write_school(dir, &school.brin, &cert)?,
    })
}

fn load_ca(dir: &Path) -> Result<TestCa> {
    let read = |name: &str| {
        std::fs::read_to_string(dir.join(name)).with_context(|| {
            format!(
                "kan {} niet lezen; maak eerst een test-PKI met `verzuim pki init --dir {}`",
                dir.join(name).display(),
                dir.display()
            )
        })
    };
    TestCa::from_pem(&read("ca.pem")?, &read("ca.key")?).context("de test-CA is onleesbaar")
}

/// Prints what `verzuim pki` wrote and what to do with it.
pub(crate) fn print_pki(files: &PkiFiles) {
    println!("Test-PKI in {}:", files.dir.display());
    for path in &files.written {
        println!("  {}", path.display());
    }
    println!(
        "Alleen voor ontwikkeling, de demo en de proeftuin: een loket accepteert deze CA alleen met `proeftuin = true`."
    );
}

/// Whether a trust anchor was made by `verzuim pki` (its subject names the test PKI).
fn is_test_ca(der: &[u8]) -> bool {
    verzuim_edukoppeling::certificate::CertificateInfo::from_der(der)
        .map(|info| info.subject.contains(TEST_CA_ORGANISATION))
        .unwrap_or(false)
}

/// The loket's machine coupling as configured: TLS server configuration and the endpoint.
pub(crate) struct M2mListener {
    listen: String,
    tls: tls::ServerTls,
    settings: M2mSettings,
}

impl M2mListener {
    /// Reads the certificate files named in `config`. Outside the proeftuin a trust store that
    /// holds a test CA of `verzuim pki` is refused, so a test certificate never opens the
    /// production loket.
    pub(crate) fn from_config(config: &Config, listen: &str) -> Result<Self> {
        let cert = Path::new(&config.m2m_server_cert);
        let key = Path::new(&config.m2m_server_key);
        let trust = Path::new(&config.m2m_client_trust);
        let hint = "maak een test-PKI met `verzuim pki init`, of zet m2m_server_cert, m2m_server_key en m2m_client_trust";
        let chain = tls::load_certs(cert)
            .with_context(|| format!("servercertificaat {} ({hint})", cert.display()))?;
        let key = tls::load_private_key(key)
            .with_context(|| format!("sleutel {} ({hint})", key.display()))?;
        let anchors = tls::load_certs(trust)
            .with_context(|| format!("vertrouwde CA's {} ({hint})", trust.display()))?;
        if !config.proeftuin && anchors.iter().any(|a| is_test_ca(a)) {
            bail!(
                "{} bevat een test-CA van `verzuim pki`; die wordt alleen in de proeftuin geaccepteerd (proeftuin = true)",
                trust.display()
            );
        }
        let tls = tls::server_config_deferred(chain, key, tls::trust_store(&anchors)?, Vec::new())?;
        let own_oin = Oin::parse(&config.m2m_oin)
            .map_err(|e| anyhow!("m2m_oin '{}': {e}", config.m2m_oin))?;
        Ok(Self {
            listen: listen.to_owned(),
            tls,
            settings: M2mSettings {
                own_oin,
                limits: Limits::default(),
                proeftuin: config.proeftuin,
            },
        })
    }

    /// Where it listens.
    pub(crate) fn listen(&self) -> &str {
        &self.listen
    }

    /// Serves the endpoint until `shutdown`.
    pub(crate) async fn serve(
        self,
        loket: Loket,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> Result<()> {
        let listener = tokio::net::TcpListener::bind(&self.listen)
            .await
            .with_context(|| format!("kan niet luisteren op {}", self.listen))?;
        let own_oin = self.settings.own_oin.clone();
        let endpoint = LoketEndpoint::new(loket, self.settings, verzuim_web::clock::amsterdam_date);
        tracing::info!(listen = %self.listen, "machinekoppeling luistert (https, clientcertificaat verplicht)");
        verzuim_m2m::serve(
            listener,
            self.tls,
            Arc::new(endpoint),
            ServerOptions {
                own_oin: Some(own_oin),
                ..ServerOptions::default()
            },
            shutdown,
        )
        .await;
        Ok(())
    }
}

/// The school's client of the machine coupling, as configured.
pub(crate) struct SchoolSync {
    client: M2mClient,
    brin: Brin,
    settings: SyncSettings,
}

impl SchoolSync {
    /// `None` when no client certificate is configured. The school is the BRIN in the
    /// certificate's OIN.
    pub(crate) fn from_config(config: &Config) -> Result<Option<Self>> {
        if config.m2m_client_cert.trim().is_empty() {
            return Ok(None);
        }
        let cert = Path::new(&config.m2m_client_cert);
        let key = Path::new(&config.m2m_client_key);
        let trust = Path::new(&config.m2m_server_trust);
        let chain = tls::load_certs(cert)
            .with_context(|| format!("clientcertificaat {}", cert.display()))?;
        let leaf = chain
            .first()
            .ok_or_else(|| anyhow!("{} bevat geen certificaat", cert.display()))?;
        let info = verzuim_edukoppeling::certificate::CertificateInfo::from_der(leaf)
            .with_context(|| format!("clientcertificaat {}", cert.display()))?;
        let school_oin = info.oin().ok_or_else(|| {
            anyhow!(
                "het clientcertificaat {} heeft geen OIN in het subject (serialNumber)",
                cert.display()
            )
        })?;
        let brin = school_oin.brin().ok_or_else(|| {
            anyhow!(
                "de OIN {} in {} is niet die van een school (00000007000 + BRIN + 00000)",
                school_oin.as_str(),
                cert.display()
            )
        })?;
        let key =
            tls::load_private_key(key).with_context(|| format!("sleutel {}", key.display()))?;
        let anchors = tls::load_certs(trust)
            .with_context(|| format!("vertrouwde CA's {}", trust.display()))?;
        let tls = tls::client_config(chain, key, tls::trust_store(&anchors)?)?;
        let endpoint = url::Url::parse(&config.m2m_endpoint)
            .with_context(|| format!("m2m_endpoint '{}'", config.m2m_endpoint))?;
        let client = M2mClient::new(endpoint, tls, ClientOptions::default())?;
        let loket_oin = Oin::parse(&config.m2m_oin)
            .map_err(|e| anyhow!("m2m_oin '{}': {e}", config.m2m_oin))?;
        Ok(Some(Self {
            client,
            brin,
            settings: SyncSettings {
                loket_oin,
                school_oin,
            },
        }))
    }

    /// The school this client syncs.
    pub(crate) fn brin(&self) -> &Brin {
        &self.brin
    }

    /// One synchronisation: send what is due, poll for changes.
    pub(crate) async fn run_once(&self, app: &App) -> Result<SyncReport> {
        let school = self.school(app).await?;
        Ok(app
            .m2m_sync(school, &self.client, &self.settings, today(), Utc::now())
            .await?)
    }

    async fn school(&self, app: &App) -> Result<SchoolId> {
        Ok(app
            .store
            .school_by_brin(&self.brin)
            .await?
            .ok_or_else(|| {
                anyhow!(
                    "school {} (uit het clientcertificaat) staat niet in de database",
                    self.brin
                )
            })?
            .id)
    }

    /// Syncs every `every` until the process stops; failures are logged and retried at the
    /// next turn (the app keeps its own backoff per melding).
    pub(crate) async fn run_every(self, app: App, every: Duration) {
        let mut ticker = tokio::time::interval(every.max(Duration::from_secs(1)));
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticker.tick().await;
            match self.run_once(&app).await {
                Ok(r) => log_report(&self.brin, &r),
                Err(e) => {
                    tracing::warn!(brin = %self.brin, error = %format!("{e:#}"), "synchronisatie met het verzuimloket mislukt")
                }
            }
        }
    }
}

/// Logs one sync's outcome.
pub(crate) fn log_report(brin: &Brin, r: &SyncReport) {
    tracing::info!(
        brin = %brin,
        verzonden = r.sent,
        geweigerd = r.refused,
        later_opnieuw = r.retry_later,
        bijgewerkt = r.updated,
        terugmeldingen = r.terugmeldingen,
        "synchronisatie met het verzuimloket"
    );
    for p in &r.problems {
        tracing::warn!(brin = %brin, probleem = %p, "synchronisatie");
    }
}

/// Prints one sync's outcome (for `verzuim school sync`).
pub(crate) fn print_report(brin: &Brin, r: &SyncReport) {
    println!(
        "School {brin}: {} verzonden, {} geweigerd, {} later opnieuw, {} bijgewerkt, {} terugmelding(en).",
        r.sent, r.refused, r.retry_later, r.updated, r.terugmeldingen
    );
    for p in &r.problems {
        println!("  probleem: {p}");
    }
}
