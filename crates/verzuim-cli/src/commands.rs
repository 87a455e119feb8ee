//! The subcommands: each connects to the store, calls the application layer and prints what
//! a person needs to know. Only this shell reads the clock and the terminal.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{NaiveDate, Utc};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use verzuim_app::App;
use verzuim_app::demo::{DEMO_ACTOR, DEMO_PROTOCOL};
use verzuim_app::import::ImportFile;
use verzuim_app::loket::demo::LoketDemoSchool;
use verzuim_app::loket::{Loket, LoketConfig};
use verzuim_demo::{DEMO_BRIN, DemoGenerator, DemoSpec};
use verzuim_domain::{
    Brin, CodeTable, Location, Region, School, SchoolCalendar, SchoolYear, Sector,
};
use verzuim_import::RegistrationFormat;
use verzuim_loket::RetentionPolicy;
use verzuim_store::{LoketStore, SchoolId, Store, StudentQuery};
use verzuim_web::WebConfig;

use crate::config::Config;
use crate::m2m::{M2mListener, SchoolSync};
use crate::{Cli, Command, Face, LoketCommand, PkiCommand, ProtocolCommand, SchoolCommand};

pub(crate) async fn run(cli: Cli, config: Config) -> Result<()> {
    match cli.command {
        Command::Serve {
            face: Face::School,
            listen,
            ..
        } => {
            let app = open(&config.database_url.0).await?;
            let listen = listen.unwrap_or(config.listen.clone());
            let web = WebConfig {
                secure_cookies: config.secure_cookies,
                ..WebConfig::default()
            };
            if let Some(sync) = SchoolSync::from_config(&config)? {
                println!(
                    "Synchronisatie met het verzuimloket ({}) voor school {} elke {} s.",
                    config.m2m_endpoint,
                    sync.brin(),
                    config.m2m_sync_seconds
                );
                tokio::spawn(
                    sync.run_every(app.clone(), Duration::from_secs(config.m2m_sync_seconds)),
                );
            }
            match crate::protocol::schools_with_protocol(&app).await {
                Ok(schools) => {
                    for (brin, name) in schools {
                        println!(
                            "Protocol {name} voor school {brin}: taken maken bij de start en {}.",
                            every_seconds(config.protocol_run_seconds)
                        );
                    }
                }
                Err(e) => {
                    tracing::warn!(error = %format!("{e:#}"), "protocol: kan de keuze van de scholen niet lezen")
                }
            }
            tokio::spawn(crate::protocol::run_every(
                app.clone(),
                Duration::from_secs(config.protocol_run_seconds),
                None,
            ));
            serve(app, &listen, web, ctrl_c()).await
        }
        Command::Serve {
            face: Face::Loket,
            listen,
            m2m_listen,
            proeftuin,
        } => {
            let mut config = config;
            config.proeftuin |= proeftuin;
            if let Some(m) = m2m_listen {
                config.m2m_listen = m;
            }
            let loket = open_loket(&config.loket_database_url.0, &config).await?;
            let listen = listen.unwrap_or(config.loket_listen.clone());
            let web = WebConfig {
                secure_cookies: config.secure_cookies,
                proeftuin: config.proeftuin,
                ..WebConfig::default()
            };
            let m2m = match config.m2m_listen.trim() {
                "" => None,
                addr => Some(M2mListener::from_config(&config, addr)?),
            };
            tokio::spawn(daily_retention(loket.clone()));
            match m2m {
                None => serve_loket(loket, &listen, web, ctrl_c()).await,
                Some(m2m) => {
                    println!(
                        "Verzuimloket op http://{listen}/, machinekoppeling op https://{}{}{}",
                        m2m.listen(),
                        verzuim_m2m::ENDPOINT_PATH,
                        if config.proeftuin { " (proeftuin)" } else { "" }
                    );
                    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
                    tokio::spawn(async move {
                        ctrl_c().await;
                        let _ = stop_tx.send(true);
                    });
                    tokio::try_join!(
                        serve_loket(loket.clone(), &listen, web, stopped(stop_rx.clone())),
                        m2m.serve(loket, stopped(stop_rx)),
                    )?;
                    Ok(())
                }
            }
        }
        Command::Protocol(ProtocolCommand::Check { file }) => crate::protocol::check(&file),
        Command::Protocol(ProtocolCommand::Presets) => crate::protocol::presets(),
        Command::Protocol(ProtocolCommand::Use {
            brin,
            protocol,
            vanaf,
        }) => crate::protocol::use_protocol(&config.database_url.0, &brin, &protocol, vanaf).await,
        Command::Protocol(ProtocolCommand::Run { brin, today: date }) => {
            crate::protocol::run(&config.database_url.0, &brin, date.unwrap_or_else(today)).await
        }
        Command::Protocol(ProtocolCommand::Explain {
            student,
            brin,
            today: date,
        }) => {
            crate::protocol::explain(
                &config.database_url.0,
                &brin,
                &student,
                date.unwrap_or_else(today),
            )
            .await
        }
        Command::Pki(PkiCommand::Init {
            dir,
            hosts,
            schools,
        }) => {
            let files = crate::m2m::pki_init(&dir, &hosts, &schools)?;
            crate::m2m::print_pki(&files);
            Ok(())
        }
        Command::Pki(PkiCommand::School { dir, school, days }) => {
            let files = crate::m2m::pki_school(&dir, &school, days)?;
            crate::m2m::print_pki(&files);
            Ok(())
        }
        Command::School(SchoolCommand::Sync) => {
            let app = open(&config.database_url.0).await?;
            let Some(sync) = SchoolSync::from_config(&config)? else {
                bail!(
                    "geen clientcertificaat ingesteld: zet m2m_client_cert en m2m_client_key (of VERZUIM_M2M_CLIENT_CERT/KEY)"
                );
            };
            let report = sync.run_once(&app).await?;
            crate::m2m::print_report(sync.brin(), &report);
            Ok(())
        }
        Command::Loket(LoketCommand::Admin { username, name }) => {
            let loket = open_loket(&config.loket_database_url.0, &config).await?;
            let password = read_password()?;
            loket
                .bootstrap_admin(&username, &name, &password, Utc::now())
                .await?;
            println!(
                "Beheerder {username} staat in het loket; bij de eerste keer inloggen koppelt {name} een tokengenerator."
            );
            Ok(())
        }
        Command::Loket(LoketCommand::Retention) => {
            let loket = open_loket(&config.loket_database_url.0, &config).await?;
            let counts = loket.run_retention(today(), Utc::now()).await?;
            println!(
                "Schoning: {} melding(en), {} bijlage(n) en {} statusregel(s) verwijderd (bewaartermijn {} dagen).",
                counts.meldingen, counts.attachments, counts.events, config.retention_days
            );
            Ok(())
        }
        Command::Loket(LoketCommand::Migrate) => {
            let loket = open_loket(&config.loket_database_url.0, &config).await?;
            println!(
                "loketdatabase {} is bijgewerkt ({})",
                config.loket_database_url,
                loket.store.dialect().name()
            );
            Ok(())
        }
        Command::Totp { secret } => {
            let unix = u64::try_from(Utc::now().timestamp()).unwrap_or_default();
            let code = verzuim_auth::totp::code_at(secret.trim(), unix)
                .map_err(|e| anyhow!("geheim van de token: {e}"))?;
            println!("{code}");
            Ok(())
        }
        Command::Demo {
            listen,
            file,
            seed,
            students,
            reset,
            loket_listen,
            sync_seconds,
        } => {
            let url = match cli.database_url {
                Some(url) => url,
                None => {
                    if reset {
                        remove_sqlite_files(&file)?;
                    }
                    format!("sqlite:{}", file.display())
                }
            };
            let listen = listen.unwrap_or(config.listen.clone());
            let loket_listen = loket_listen.unwrap_or_else(|| next_port(&listen));
            let stem = file
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_else(|| "verzuim-demo".to_owned());
            let loket_file = file.with_file_name(format!("{stem}-loket.sqlite"));
            remove_sqlite_files(&loket_file)?;
            let loket_url = format!("sqlite:{}", loket_file.display());
            let m2m = next_port(&loket_listen);
            demo(
                &url,
                &loket_url,
                Listen {
                    school: listen,
                    loket: loket_listen,
                    m2m,
                    pki: file.with_file_name(format!("{stem}-pki")),
                    sync_seconds,
                },
                seed,
                students,
                &config,
            )
            .await
        }
        Command::Import {
            brin,
            format,
            check,
            files,
        } => {
            import(
                &config.database_url.0,
                &brin,
                format.as_deref(),
                check,
                &files,
            )
            .await
        }
        Command::Generate {
            students,
            seed,
            weeks,
            out,
        } => generate(students, seed, weeks, &out),
        Command::Migrate => {
            let store = Store::connect(&config.database_url.0).await?;
            store.migrate().await?;
            println!(
                "database {} is bijgewerkt ({})",
                config.database_url,
                store.dialect().name()
            );
            Ok(())
        }
        Command::School(SchoolCommand::Add {
            brin,
            name,
            sector,
            region,
            year,
        }) => {
            add_school(
                &config.database_url.0,
                &brin,
                &name,
                &sector,
                &region,
                year.as_deref(),
            )
            .await
        }
        Command::SetPassword { username } => set_password(&config.database_url.0, &username).await,
        Command::DefaultConfig => {
            print!("{}", crate::config::EXAMPLE);
            Ok(())
        }
        Command::Check {
            input,
            brin,
            today: date,
            format,
        } => {
            let date = date.unwrap_or_else(today);
            match (input, brin) {
                (Some(input), _) => crate::check::run(&input, date, format),
                (None, Some(brin)) => {
                    check_school(&config.database_url.0, &brin, date, format).await
                }
                (None, None) => Err(anyhow!("geef --input CASE.json of --brin BRIN")),
            }
        }
    }
}

/// `verzuim check --brin`: the law engine on a school in the database, as of `date`. Every
/// student in the answer gets a `read` audit row (actor "verzuim check (cli)").
async fn check_school(
    url: &str,
    brin: &str,
    date: NaiveDate,
    format: crate::check::Format,
) -> Result<()> {
    let brin = Brin::parse(brin)?;
    let app = open(url).await?;
    let school = app.store.school_by_brin(&brin).await?.ok_or_else(|| {
        anyhow!("school {brin} staat niet in de database; maak hem eerst met `verzuim school add`")
    })?;
    let evaluation = app
        .check_school(school.id, date, "verzuim check (cli)", Utc::now())
        .await?;
    app.store.close().await;
    crate::check::print_evaluation(&evaluation, format)
}

/// Connects to the database and brings its schema up to date.
pub(crate) async fn open(url: &str) -> Result<App> {
    let store = Store::connect(url).await.with_context(|| {
        format!(
            "kan de database niet openen ({})",
            crate::config::DatabaseUrl(url.to_owned())
        )
    })?;
    store
        .migrate()
        .await
        .context("kan het databaseschema niet bijwerken")?;
    Ok(App::new(store))
}

/// The date in the Netherlands now.
pub(crate) fn today() -> NaiveDate {
    verzuim_web::clock::amsterdam_date(Utc::now())
}

/// Completes when `rx` says stop.
async fn stopped(mut rx: tokio::sync::watch::Receiver<bool>) {
    let _ = rx.wait_for(|stop| *stop).await;
}

/// Completes on Ctrl+C (or when the signal cannot be listened for).
async fn ctrl_c() {
    let _ = tokio::signal::ctrl_c().await;
    eprintln!("verzuim: stoppen…");
}

async fn serve(
    app: App,
    listen: &str,
    web: WebConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("kan niet luisteren op {listen}"))?;
    verzuim_web::serve(listener, app, web, shutdown)
        .await
        .context("de webserver stopte met een fout")
}

async fn serve_loket(
    loket: Loket,
    listen: &str,
    web: WebConfig,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("kan niet luisteren op {listen}"))?;
    verzuim_web::loket::serve_loket(listener, loket, web, shutdown)
        .await
        .context("het verzuimloket stopte met een fout")
}

/// Connects to the loket's database, brings its schema up to date, and applies the
/// configured retention.
async fn open_loket(url: &str, config: &Config) -> Result<Loket> {
    let store = LoketStore::connect(url).await.with_context(|| {
        format!(
            "kan de loketdatabase niet openen ({})",
            crate::config::DatabaseUrl(url.to_owned())
        )
    })?;
    store
        .migrate()
        .await
        .context("kan het schema van de loketdatabase niet bijwerken")?;
    let loket_config = LoketConfig {
        retention: RetentionPolicy {
            days: config.retention_days,
        },
        ..LoketConfig::default()
    };
    Ok(Loket::new(store, loket_config))
}

/// The schoning, once at start and then every 24 hours. Several instances may run it: the
/// delete is the same statement, so the second finds nothing left.
async fn daily_retention(loket: Loket) {
    let mut every_day = tokio::time::interval(std::time::Duration::from_secs(24 * 60 * 60));
    loop {
        every_day.tick().await;
        match loket.run_retention(today(), Utc::now()).await {
            Ok(c) => tracing::info!(
                meldingen = c.meldingen,
                bijlagen = c.attachments,
                "schoning uitgevoerd"
            ),
            Err(e) => tracing::error!(error = %e, "schoning mislukt"),
        }
    }
}

/// "elke N s", or "verder niet" for 0 (a run at start only).
fn every_seconds(seconds: u64) -> String {
    match seconds {
        0 => "verder niet (protocol_run_seconds = 0)".to_owned(),
        n => format!("elke {n} s"),
    }
}

/// `host:port` with the port one higher (the demo loket beside the demo school).
fn next_port(listen: &str) -> String {
    match listen.rsplit_once(':') {
        Some((host, port)) => match port.parse::<u16>() {
            Ok(p) => format!("{host}:{}", p.saturating_add(1)),
            Err(_) => format!("{host}:8081"),
        },
        None => "127.0.0.1:8081".to_owned(),
    }
}

fn remove_sqlite_files(file: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm"] {
        let path = PathBuf::from(format!("{}{suffix}", file.display()));
        if path.exists() {
            std::fs::remove_file(&path)
                .with_context(|| format!("kan {} niet verwijderen", path.display()))?;
        }
    }
    Ok(())
}

/// Where the demo's services listen, and where its test PKI goes.
struct Listen {
    school: String,
    loket: String,
    m2m: String,
    pki: PathBuf,
    sync_seconds: u64,
}

async fn demo(
    url: &str,
    loket_url: &str,
    listen: Listen,
    seed: u64,
    students: u32,
    config: &Config,
) -> Result<()> {
    let today = today();
    let mut spec = DemoSpec::for_today(today)?;
    spec.seed = seed;
    spec.students = students;
    let generator = DemoGenerator::new(&spec)?;
    let app = open(url).await?;
    let brin = Brin::parse(DEMO_BRIN)?;
    let school = match app.store.school_by_brin(&brin).await? {
        Some(existing) => {
            println!("De demoschool staat al in de database; die wordt gebruikt.");
            existing.id
        }
        None => {
            println!(
                "Demoschool maken: {} leerlingen, schooljaar {}, regio zuid (seed {seed})…",
                students, spec.calendar.year
            );
            let bar =
                ProgressBar::new(generator.chunk_count() as u64).with_style(bar_style("delen"));
            let report = app
                .load_demo_streaming(
                    &generator,
                    Utc::now(),
                    verzuim_auth::hash_password,
                    |done, _| bar.set_position(done as u64),
                )
                .await?;
            bar.finish_and_clear();
            println!(
                "Klaar: {} leerlingen, {} medewerkers, {} lessen, {} registraties.",
                report.written.students,
                report.written.staff,
                report.written.lessons,
                report.written.registrations
            );
            report.school
        }
    };
    let calendar = app
        .store
        .calendar(school, spec.calendar.year)
        .await?
        .unwrap_or_else(|| spec.calendar.clone());
    let shown = demo_day(&calendar, today);
    let row = app
        .store
        .school(school)
        .await?
        .ok_or_else(|| anyhow!("de demoschool is verdwenen uit de database"))?;

    // A demo file made before the demo had a protocol gets it now.
    app.choose_demo_protocol(school, &calendar, Utc::now())
        .await?;
    println!(
        "Protocol {DEMO_PROTOCOL} uitvoeren op {}: stappen en taken maken…",
        shown.format("%d-%m-%Y")
    );
    let run = app
        .protocol_run(school, shown, DEMO_ACTOR, Utc::now())
        .await?;
    let inbox = crate::protocol::demo_inboxes(&app, school, generator.logins()).await?;

    println!("Demoloket maken: meldingen uit de wetsregels van de demoschool…");
    let loket = open_loket(loket_url, config).await?;
    let demo_loket = seed_demo_loket(&app, &loket, school, &row.school, shown).await?;
    let coupling = demo_coupling(&loket, &demo_loket, &row.school, &listen, config).await?;

    println!();
    println!("verzuim demo — {} ({})", row.school.name, row.school.brin);
    println!("School: open http://{}/ en log in als:", listen.school);
    for login in generator.logins() {
        println!(
            "  {:<26} gebruiker {:<22} wachtwoord {:<26} ({})",
            login.role.label(),
            login.username,
            login.password,
            login.name
        );
    }
    crate::protocol::print_demo_protocol(&inbox, &run, config.protocol_run_seconds);
    println!();
    println!(
        "Verzuimloket en gemeente: open http://{}/ — {} meldingen, {} met een terugmelding.",
        listen.loket, demo_loket.meldingen, demo_loket.answered
    );
    println!(
        "Inloggen met wachtwoord en de code van de tokengenerator: zet het geheim in een \
         authenticator-app, of vraag de code op met `verzuim totp GEHEIM`."
    );
    for login in &demo_loket.logins {
        println!(
            "  {:<40} gebruiker {:<17} wachtwoord {:<28} geheim {}",
            login.role, login.username, login.password, login.totp_secret
        );
    }
    println!();
    println!(
        "Machinekoppeling (proeftuin): https://{}{} — WSDL op ?wsdl. De school synchroniseert elke {} s met certificaat {}; de test-CA staat in {}.",
        listen.m2m,
        verzuim_m2m::ENDPOINT_PATH,
        listen.sync_seconds,
        listen
            .pki
            .join(format!("{}.pem", row.school.brin))
            .display(),
        listen.pki.join("ca.pem").display()
    );
    println!(
        "Bevestig een voorstel op de pagina Verzuimmeldingen van de school; de volgende synchronisatie stuurt het naar het loket."
    );
    if shown != today {
        println!(
            "Vandaag ({today}) is geen lesdag in het demorooster; de pagina's tonen {shown} als vandaag."
        );
    }
    println!("Stoppen: Ctrl+C");
    let web = WebConfig {
        secure_cookies: config.secure_cookies,
        today_override: (shown != today).then_some(shown),
        ..WebConfig::default()
    };
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::spawn(async move {
        ctrl_c().await;
        let _ = stop_tx.send(true);
    });
    tokio::spawn(
        coupling
            .sync
            .run_every(app.clone(), Duration::from_secs(listen.sync_seconds)),
    );
    if config.protocol_run_seconds > 0 {
        tokio::spawn(crate::protocol::run_every_after(
            app.clone(),
            Duration::from_secs(config.protocol_run_seconds),
            web.today_override,
        ));
    }
    let loket_web = WebConfig {
        proeftuin: true,
        ..web.clone()
    };
    tokio::try_join!(
        serve(app, &listen.school, web, stopped(stop_rx.clone())),
        serve_loket(
            loket.clone(),
            &listen.loket,
            loket_web,
            stopped(stop_rx.clone())
        ),
        coupling.listener.serve(loket, stopped(stop_rx)),
    )?;
    Ok(())
}

/// The demo's machine coupling: listener and the school's client.
struct DemoCoupling {
    listener: M2mListener,
    sync: SchoolSync,
}

/// Makes the demo's machine coupling: a fresh test PKI (CA, the loket's server certificate,
/// the demo school's client certificate), the school certificate registered on the demo
/// loket by the school's beheerder, the loket's listener in proeftuin mode, and the school's
/// client.
async fn demo_coupling(
    loket: &Loket,
    demo_loket: &verzuim_app::loket::demo::LoketDemo,
    school: &School,
    listen: &Listen,
    config: &Config,
) -> Result<DemoCoupling> {
    if listen.pki.join("ca.key").exists() {
        std::fs::remove_dir_all(&listen.pki)
            .with_context(|| format!("kan {} niet opruimen", listen.pki.display()))?;
    }
    let host = listen
        .m2m
        .rsplit_once(':')
        .map(|(h, _)| h.to_owned())
        .unwrap_or_else(|| "127.0.0.1".to_owned());
    let mut hosts = vec!["localhost".to_owned(), "127.0.0.1".to_owned()];
    if !hosts.contains(&host) {
        hosts.push(host);
    }
    let school_name = crate::m2m::SchoolName {
        brin: school.brin.clone(),
        name: school.name.clone(),
    };
    crate::m2m::pki_init(&listen.pki, &hosts, std::slice::from_ref(&school_name))?;
    let beheerder = demo_loket
        .logins
        .iter()
        .find(|l| l.role.starts_with("verzuimloket beheerder"))
        .ok_or_else(|| anyhow!("het demoloket heeft geen beheerder onderwijs"))?;
    let actor = loket
        .load_actor(&beheerder.username)
        .await?
        .ok_or_else(|| anyhow!("beheerder {} niet gevonden", beheerder.username))?;
    let cer = listen.pki.join(format!("{}.cer", school.brin));
    let bytes = std::fs::read(&cer).with_context(|| format!("kan {} niet lezen", cer.display()))?;
    loket
        .upload_certificate(&actor, &school.brin, "school.cer", &bytes, Utc::now())
        .await?;
    let file = |name: String| listen.pki.join(name).display().to_string();
    let coupling = Config {
        proeftuin: true,
        m2m_listen: listen.m2m.clone(),
        m2m_server_cert: file("server.pem".to_owned()),
        m2m_server_key: file("server.key".to_owned()),
        m2m_client_trust: file("ca.pem".to_owned()),
        m2m_endpoint: format!("https://{}{}", listen.m2m, verzuim_m2m::ENDPOINT_PATH),
        m2m_client_cert: file(format!("{}.pem", school.brin)),
        m2m_client_key: file(format!("{}.key", school.brin)),
        m2m_server_trust: file("ca.pem".to_owned()),
        ..config.clone()
    };
    let listener = M2mListener::from_config(&coupling, &listen.m2m)?;
    let sync = SchoolSync::from_config(&coupling)?
        .ok_or_else(|| anyhow!("het demoschoolcertificaat ontbreekt"))?;
    Ok(DemoCoupling { listener, sync })
}

/// The demo loket: the law engine's meldingen for the demo school as of `shown`, as drafts
/// the melder completes and files, the school's students in the resident register.
async fn seed_demo_loket(
    app: &App,
    loket: &Loket,
    school: SchoolId,
    row: &School,
    shown: NaiveDate,
) -> Result<verzuim_app::loket::demo::LoketDemo> {
    let now = Utc::now();
    let evaluation = app.check_school(school, shown, "verzuim demo", now).await?;
    let location = row
        .locations
        .first()
        .map(|l| l.name.clone())
        .unwrap_or_else(|| row.name.clone());
    let mut drafts = Vec::new();
    for melding in evaluation.meldingen.iter().filter(|m| !m.proposal) {
        drafts.push(app.draft_melding(school, melding, &location).await?);
    }
    let all = StudentQuery::default();
    let mut residents = String::from("bsn;gemeentecode\n");
    for s in app.store.students(school, &all).await? {
        if let Some(g) = &s.student.residence {
            residents.push_str(&format!("{};{}\n", s.student.personal_number, g));
        }
    }
    let spec = LoketDemoSchool {
        brin: row.brin.clone(),
        name: row.name.clone(),
        sector: row.sector.code().to_owned(),
        locations: row.locations.iter().map(|l| l.name.clone()).collect(),
    };
    Ok(loket
        .seed_demo(&spec, &residents, drafts, shown, now)
        .await?)
}

/// The day the demo shows as today: today when it is a school day, else the next school
/// day, else (after the school year) its last school day.
fn demo_day(calendar: &SchoolCalendar, today: NaiveDate) -> NaiveDate {
    let days = calendar.school_days();
    days.iter()
        .copied()
        .find(|d| *d >= today)
        .or_else(|| days.last().copied())
        .unwrap_or(today)
}

fn bar_style(unit: &str) -> ProgressStyle {
    ProgressStyle::with_template(&format!(
        "{{spinner}} {{msg}} [{{bar:30}}] {{pos}}/{{len}} {unit} ({{eta}})"
    ))
    .unwrap_or_else(|_| ProgressStyle::default_bar())
}

async fn import(
    url: &str,
    brin: &str,
    format: Option<&str>,
    check: bool,
    files: &[PathBuf],
) -> Result<()> {
    let brin = Brin::parse(brin)?;
    let format = format
        .map(|f| {
            RegistrationFormat::parse(f).ok_or_else(|| {
                anyhow!("--format '{f}' bestaat niet: kies verzuim, magister of somtoday")
            })
        })
        .transpose()?;
    let app = open(url).await?;
    let school = app.store.school_by_brin(&brin).await?.ok_or_else(|| {
        anyhow!("school {brin} staat niet in de database; maak hem eerst met `verzuim school add`")
    })?;
    let files: Vec<ImportFile> = files
        .iter()
        .map(|p| {
            let f = ImportFile::path(p);
            match format {
                Some(fmt) => f.with_format(fmt),
                None => f,
            }
        })
        .collect();
    let bars = MultiProgress::new();
    let bar_for = std::sync::Mutex::new(std::collections::HashMap::<String, ProgressBar>::new());
    let progress = |p: verzuim_import::ImportProgress| {
        let Ok(mut map) = bar_for.lock() else { return };
        let bar = map.entry(p.file.clone()).or_insert_with(|| {
            let bar = bars.add(ProgressBar::new(p.total));
            bar.set_style(
                ProgressStyle::with_template("{msg:40} [{bar:30}] {percent:>3}% ({eta})")
                    .unwrap_or_else(|_| ProgressStyle::default_bar()),
            );
            bar.set_message(p.file.clone());
            bar
        });
        bar.set_length(p.total.max(1));
        bar.set_position(p.done);
    };
    if check {
        let parsed = app.parse_files(school.id, &files, &progress).await?;
        drop(bars);
        println!("Gecontroleerd, niets geschreven:");
        for f in &parsed.files {
            println!("  {}: {} rijen ({:?})", f.file, f.rows, f.kind);
        }
        return Ok(());
    }
    let report = app
        .import_files(school.id, &files, Utc::now(), &progress)
        .await?;
    drop(bars);
    println!(
        "Geïmporteerd in {}: {} klassen, {} medewerkers, {} leerlingen, {} lessen, {} registraties, \
         {} bijgewerkt, {} al aanwezig (lezen {:.1} s, schrijven {:.1} s).",
        school.school.name,
        report.written.groups,
        report.written.staff,
        report.written.students,
        report.written.lessons,
        report.written.registrations,
        report.written.registrations_updated,
        report.written.registrations_skipped,
        report.parse_time.as_secs_f64(),
        report.write_time.as_secs_f64()
    );
    Ok(())
}

fn generate(students: u32, seed: u64, weeks: Option<u32>, out: &Path) -> Result<()> {
    let spec = DemoSpec::for_benchmark(seed, students, weeks)?;
    let generator = DemoGenerator::new(&spec)?;
    let total = generator.chunk_count();
    let bar = ProgressBar::new(total as u64).with_style(bar_style("delen"));
    let mut dirs = Vec::new();
    for (index, batch) in generator.chunks().enumerate() {
        let dir = if total == 1 {
            out.to_path_buf()
        } else {
            out.join(format!("deel-{:04}", index + 1))
        };
        verzuim_import::write_files(&batch, &dir)?;
        dirs.push(dir);
        bar.inc(1);
    }
    bar.finish_and_clear();
    println!(
        "{students} leerlingen (seed {seed}) geschreven naar {} ({} map{}).",
        out.display(),
        dirs.len(),
        if dirs.len() == 1 { "" } else { "pen" }
    );
    println!(
        "Importeren: verzuim school add --brin {DEMO_BRIN} --name \"Demo College Maastricht\" \
         && verzuim import --brin {DEMO_BRIN} {}/*.csv",
        dirs.first()
            .map(|d| d.display().to_string())
            .unwrap_or_default()
    );
    Ok(())
}

async fn add_school(
    url: &str,
    brin: &str,
    name: &str,
    sector: &str,
    region: &str,
    year: Option<&str>,
) -> Result<()> {
    let brin = Brin::parse(brin)?;
    let sector = Sector::parse(sector)?;
    let region = Region::parse(region)?;
    let year = match year {
        Some(y) => SchoolYear::parse(y)?,
        None => SchoolYear::containing(today()),
    };
    let calendar = SchoolCalendar::shipped(year, region)?;
    let school = School::new(
        brin,
        name,
        sector,
        region,
        vec![Location {
            code: "00".to_owned(),
            name: name.to_owned(),
        }],
    )?;
    let app = open(url).await?;
    let id = app
        .create_school(&school, &calendar, &CodeTable::magister_default())
        .await?;
    println!(
        "School {} ({}) aangemaakt (id {}), schooljaar {year} van {} tot en met {}, \
         codetabel: standaard (Magister-stijl).",
        school.name, school.brin, id.0, calendar.first_day, calendar.last_day
    );
    Ok(())
}

async fn set_password(url: &str, username: &str) -> Result<()> {
    let app = open(url).await?;
    let (staff, _) = app
        .store
        .staff_for_login(username)
        .await?
        .ok_or_else(|| anyhow!("gebruiker '{username}' bestaat niet"))?;
    let password = read_password()?;
    verzuim_auth::check_new_password(&password)?;
    let hash = verzuim_auth::hash_password(&password)?;
    app.store
        .set_password_hash(staff.school, staff.id, &hash)
        .await?;
    println!("Wachtwoord van {username} is ingesteld.");
    Ok(())
}

/// Reads a new password: from VERZUIM_PASSWORD, else one line of standard input.
fn read_password() -> Result<String> {
    if let Ok(p) = std::env::var("VERZUIM_PASSWORD") {
        return Ok(p);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprint!("Nieuw wachtwoord: ");
        std::io::stderr().flush().ok();
    }
    let mut line = String::new();
    stdin.lock().read_line(&mut line)?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("geen wachtwoord gegeven (op standaardinvoer of in VERZUIM_PASSWORD)");
    }
    Ok(password)
}
