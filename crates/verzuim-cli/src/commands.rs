//! The subcommands: each connects to the store, calls the application layer and prints what
//! a person needs to know. Only this shell reads the clock and the terminal.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, anyhow, bail};
use chrono::{NaiveDate, Utc};
use indicatif::{MultiProgress, ProgressBar, ProgressStyle};
use verzuim_app::App;
use verzuim_app::import::ImportFile;
use verzuim_demo::{DEMO_BRIN, DemoGenerator, DemoSpec};
use verzuim_domain::{
    Brin, CodeTable, Location, Region, School, SchoolCalendar, SchoolYear, Sector,
};
use verzuim_import::RegistrationFormat;
use verzuim_store::Store;
use verzuim_web::WebConfig;

use crate::config::Config;
use crate::{Cli, Command, SchoolCommand};

pub(crate) async fn run(cli: Cli, config: Config) -> Result<()> {
    match cli.command {
        Command::Serve { listen } => {
            let app = open(&config.database_url.0).await?;
            let listen = listen.unwrap_or(config.listen.clone());
            let web = WebConfig {
                secure_cookies: config.secure_cookies,
                today_override: None,
            };
            serve(app, &listen, web).await
        }
        Command::Demo {
            listen,
            file,
            seed,
            students,
            reset,
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
            demo(
                &url,
                listen.unwrap_or(config.listen.clone()),
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
async fn open(url: &str) -> Result<App> {
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

async fn serve(app: App, listen: &str, web: WebConfig) -> Result<()> {
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("kan niet luisteren op {listen}"))?;
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
        eprintln!("verzuim: stoppen…");
    };
    verzuim_web::serve(listener, app, web, shutdown)
        .await
        .context("de webserver stopte met een fout")
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

async fn demo(url: &str, listen: String, seed: u64, students: u32, config: &Config) -> Result<()> {
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
    println!();
    println!("verzuim demo — {} ({})", row.school.name, row.school.brin);
    println!("Open http://{listen}/ en log in als:");
    for login in generator.logins() {
        println!(
            "  {:<26} gebruiker {:<22} wachtwoord {:<26} ({})",
            login.role.label(),
            login.username,
            login.password,
            login.name
        );
    }
    if shown != today {
        println!(
            "Vandaag ({today}) is geen lesdag in het demorooster; de pagina's tonen {shown} als vandaag."
        );
    }
    println!("Stoppen: Ctrl+C");
    let web = WebConfig {
        secure_cookies: config.secure_cookies,
        today_override: (shown != today).then_some(shown),
    };
    serve(app, &listen, web).await
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
