//! The `verzuim` binary: one command for every face of the product.
//!
//! Exit codes: 0 success, 1 failure (the message says why), 2 bad command line (clap), an
//! invalid case file (`check`; the message names the JSON path) or a refused rule file
//! (`protocol check`, `protocol use`; the message names the line and the key).

mod check;
mod config;
mod m2m;
mod protocol;

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

use config::Config;

/// verzuim: registreren, opvolgen en melden van schoolverzuim.
#[derive(Debug, Parser)]
#[command(name = "verzuim", version, about)]
struct Cli {
    /// Configuration file (TOML); default: verzuim.toml in the working directory, if present.
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Database URL: sqlite:FILE or postgres://… (overrides config and VERZUIM_DATABASE_URL).
    #[arg(long, global = true, value_name = "URL")]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the school's web pages, or the Verzuimloket (`verzuim serve loket`), on the
    /// configured database.
    Serve {
        /// Which service: the school (default) or the loket.
        #[arg(value_enum, default_value_t = Face::School)]
        face: Face,
        /// Address to listen on (overrides config and VERZUIM_LISTEN / VERZUIM_LOKET_LISTEN).
        #[arg(long)]
        listen: Option<String>,
        /// Loket: also serve the machine coupling (SOAP over HTTPS with client certificates)
        /// on this address (overrides m2m_listen).
        #[arg(long, value_name = "ADDRESS")]
        m2m_listen: Option<String>,
        /// Loket: run as the test environment ("proeftuin"), accepting only the test CA of
        /// `verzuim pki` (overrides the config's proeftuin).
        #[arg(long)]
        proeftuin: bool,
    },
    /// A school's absence protocol as a rule file (docs/protocol.md).
    #[command(subcommand)]
    Protocol(ProtocolCommand),
    /// A test PKI for development, the demo and the proeftuin: a CA, the loket's server
    /// certificate and school client certificates (PEM files).
    #[command(subcommand)]
    Pki(PkiCommand),
    /// Manage the Verzuimloket (on `loket_database_url`).
    #[command(subcommand)]
    Loket(LoketCommand),
    /// Print the current code of a TOTP token (for the demo's printed secrets and tests).
    Totp {
        /// The token's secret (base32), as printed by `verzuim demo`.
        secret: String,
    },
    /// Create a demo school (once) in a SQLite file and a demo Verzuimloket beside it, print
    /// the logins, and serve both.
    Demo {
        /// Address to listen on.
        #[arg(long)]
        listen: Option<String>,
        /// SQLite file for the demo (ignored when --database-url is given).
        #[arg(long, default_value = "verzuim-demo.sqlite")]
        file: PathBuf,
        /// Seed of the generator: the same seed gives the same school.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Number of students.
        #[arg(long, default_value_t = 1200)]
        students: u32,
        /// Throw away an existing demo file and generate anew.
        #[arg(long)]
        reset: bool,
        /// Address of the demo loket (default: the port after the school's); its machine
        /// coupling listens on the port after that.
        #[arg(long)]
        loket_listen: Option<String>,
        /// Seconds between the demo school's synchronisations with the demo loket.
        #[arg(long, default_value_t = 20)]
        sync_seconds: u64,
    },
    /// Import students, staff, timetable and registrations from CSV or XLSX files,
    /// all or nothing.
    Import {
        /// BRIN of the school to import into.
        #[arg(long)]
        brin: String,
        /// Dialect of registration files: verzuim, magister or somtoday (detected when absent).
        #[arg(long)]
        format: Option<String>,
        /// Only read and check the files; write nothing.
        #[arg(long)]
        check: bool,
        /// Files to import; the kind is taken from the headers (see docs/import.md).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
    /// Write a synthetic school as an import file set (for benchmarks and trials).
    Generate {
        /// Number of students.
        #[arg(long, default_value_t = 1200)]
        students: u32,
        /// Seed of the generator.
        #[arg(long, default_value_t = 2026)]
        seed: u64,
        /// Only this many school weeks of lessons and registrations (all when absent).
        #[arg(long)]
        weeks: Option<u32>,
        /// Output directory.
        #[arg(long, default_value = "verzuim-generated")]
        out: PathBuf,
    },
    /// Create or update the database schema.
    Migrate,
    /// Manage schools.
    #[command(subcommand)]
    School(SchoolCommand),
    /// Set a staff member's password (read from standard input or VERZUIM_PASSWORD).
    SetPassword {
        /// Username.
        username: String,
    },
    /// Print a commented example configuration file.
    DefaultConfig,
    /// Check against the law which verzuimmeldingen are due, why, with the day
    /// specification: a case file (`--input`, JSON, see docs/check-format.md) or a school in
    /// the database (`--brin`, with the configured `--database-url`).
    Check {
        /// The case file (JSON).
        #[arg(
            long,
            value_name = "CASE.json",
            required_unless_present = "brin",
            conflicts_with = "brin"
        )]
        input: Option<PathBuf>,
        /// BRIN of a school in the database to check instead of a case file.
        #[arg(long)]
        brin: Option<String>,
        /// The date to evaluate on, YYYY-MM-DD (default: today in the Netherlands).
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<chrono::NaiveDate>,
        /// Output: text (Dutch, for people) or json (the evaluation, for programs).
        #[arg(long, value_enum, default_value_t = check::Format::Text)]
        format: check::Format,
    },
}

/// Which service `verzuim serve` runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum Face {
    /// The school's registration pages.
    School,
    /// The Verzuimloket with the gemeente portal.
    Loket,
}

#[derive(Debug, Subcommand)]
enum LoketCommand {
    /// Create the loket's first site administrator (password from standard input or
    /// VERZUIM_PASSWORD); they link a token at first login.
    Admin {
        /// Login name.
        #[arg(long)]
        username: String,
        /// Display name.
        #[arg(long)]
        name: String,
    },
    /// Run the schoning now: delete finished meldingen older than `retention_days`.
    Retention,
    /// Create or update the loket's database schema.
    Migrate,
}

#[derive(Debug, Subcommand)]
enum ProtocolCommand {
    /// Check a rule file: syntax, keys, counters, roles and codes; errors name the line,
    /// the key and the reason (exit code 2).
    Check {
        /// The rule file (TOML), e.g. protocols/mlg-2020.toml.
        file: PathBuf,
    },
    /// List the shipped presets (`verzuim protocol use` takes their names).
    Presets,
    /// Choose a school's protocol: a preset name or a rule file, checked against the
    /// school's code table (a refused file changes nothing; exit code 2).
    Use {
        /// BRIN of the school.
        #[arg(long)]
        brin: String,
        /// A preset name (see `verzuim protocol presets`) or the path of a rule file (TOML).
        #[arg(value_name = "NAAM_OF_BESTAND")]
        protocol: String,
        /// First day the protocol is followed, YYYY-MM-DD (default: today). Steps reached
        /// before it are history only: their tasks are "vervallen".
        #[arg(long, value_name = "YYYY-MM-DD")]
        vanaf: Option<chrono::NaiveDate>,
    },
    /// Run the school's protocol now: store every newly reached step with its tasks (each
    /// once; running again creates nothing twice).
    Run {
        /// BRIN of the school.
        #[arg(long)]
        brin: String,
        /// The date to evaluate on, YYYY-MM-DD (default: today in the Netherlands).
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<chrono::NaiveDate>,
    },
    /// Print one student's position on every ladder of the school's protocol, with the
    /// evidence and how far the next steps are.
    Explain {
        /// The student's number (leerlingnummer).
        #[arg(value_name = "LEERLINGNUMMER")]
        student: String,
        /// BRIN of the school.
        #[arg(long)]
        brin: String,
        /// The date to evaluate on, YYYY-MM-DD (default: today in the Netherlands).
        #[arg(long, value_name = "YYYY-MM-DD")]
        today: Option<chrono::NaiveDate>,
    },
}

#[derive(Debug, Subcommand)]
enum PkiCommand {
    /// Make a new test CA with a server certificate for the loket and client certificates
    /// for schools.
    Init {
        /// Directory for the PEM files (made when missing; must not hold a CA yet).
        #[arg(long, default_value = "pki")]
        dir: PathBuf,
        /// Host names and IP addresses of the loket's server certificate.
        #[arg(long = "host", default_values_t = ["localhost".to_owned(), "127.0.0.1".to_owned()])]
        hosts: Vec<String>,
        /// A school certificate: BRIN=Naam (repeat for more schools).
        #[arg(long = "school", value_name = "BRIN=NAAM")]
        schools: Vec<m2m::SchoolName>,
    },
    /// Issue one more school certificate from the test CA in the directory.
    School {
        /// Directory of the test PKI.
        #[arg(long, default_value = "pki")]
        dir: PathBuf,
        /// The school: BRIN=Naam.
        #[arg(value_name = "BRIN=NAAM")]
        school: m2m::SchoolName,
        /// Days the certificate is valid.
        #[arg(long, default_value_t = 365)]
        days: i64,
    },
}

#[derive(Debug, Subcommand)]
enum SchoolCommand {
    /// Add a school with the shipped calendar of its region and the default code table.
    Add {
        /// BRIN (instellingscode), e.g. 12AB.
        #[arg(long)]
        brin: String,
        /// Name of the school.
        #[arg(long)]
        name: String,
        /// Sector: po, so, vo, vso or mbo.
        #[arg(long, default_value = "vo")]
        sector: String,
        /// Holiday region: noord, midden or zuid.
        #[arg(long, default_value = "zuid")]
        region: String,
        /// School year, e.g. 2026-2027 (default: the current one).
        #[arg(long)]
        year: Option<String>,
    },
    /// Synchronise with the Verzuimloket once: send confirmed meldingen and changes, fetch
    /// status changes and terugmeldingen (school from the client certificate's OIN).
    Sync,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("verzuim: {err:#}");
            if err.downcast_ref::<check::InvalidCase>().is_some()
                || err
                    .downcast_ref::<verzuim_protocol::ProtocolError>()
                    .is_some()
            {
                ExitCode::from(2)
            } else {
                ExitCode::FAILURE
            }
        }
    }
}

fn run(cli: Cli) -> Result<()> {
    let mut config = Config::load(cli.config.as_deref())?;
    if let Some(url) = cli.database_url.clone() {
        config.database_url = config::DatabaseUrl(url);
    }
    init_logging(&config.log);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("kan de runtime niet starten")?;
    runtime.block_on(commands::run(cli, config))
}

fn init_logging(filter: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(filter));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .try_init();
}

mod commands;
