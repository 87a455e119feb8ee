//! `verzuim protocol …`: check a rule file, list the presets, choose a school's protocol, run
//! it and explain one student's ladder; and the background run of `verzuim serve` and the demo
//! (docs/protocol.md).

use std::path::Path;
use std::time::Duration;

use anyhow::{Context, Result, anyhow, bail};
use chrono::{NaiveDate, Utc};
use verzuim_app::App;
use verzuim_app::protocol::{ProtocolUseCaseError, RunReport, TaskStatus};
use verzuim_app::school::Actor;
use verzuim_demo::DemoLogin;
use verzuim_domain::{Brin, SchoolRole};
use verzuim_protocol::{PRESETS, Protocol, preset};
use verzuim_store::{ProtocolTaskQuery, SchoolId, SchoolRow};

use crate::commands::{open, today};

/// Label of the command line in the audit log.
const CLI_ACTOR: &str = "verzuim protocol (cli)";
/// Label of the background run in the audit log.
pub(crate) const SERVE_ACTOR: &str = "verzuim serve (protocol)";

/// `verzuim protocol check FILE`.
pub(crate) fn check(file: &Path) -> Result<()> {
    let text = std::fs::read_to_string(file)
        .with_context(|| format!("kan {} niet lezen", file.display()))?;
    let protocol = Protocol::from_toml(&text)
        .map_err(|e| anyhow::Error::new(e).context(format!("{}", file.display())))?;
    println!(
        "{}: in orde — {} tellers, {} stappen in {} ladder(s).",
        file.display(),
        protocol.counters.len(),
        protocol.steps.len(),
        protocol.ladders().len()
    );
    Ok(())
}

/// `verzuim protocol presets`.
pub(crate) fn presets() -> Result<()> {
    println!("Meegeleverde protocollen (kies er een met `verzuim protocol use --brin BRIN NAAM`):");
    for p in PRESETS {
        let protocol = Protocol::from_toml(p.source)
            .map_err(|e| anyhow::Error::new(e).context(format!("preset {}", p.name)))?;
        println!(
            "  {:<22} {} — {} stappen in {} ladder(s)",
            p.name,
            protocol.name,
            protocol.steps.len(),
            protocol.ladders().len()
        );
    }
    Ok(())
}

/// `verzuim protocol use --brin X NAME_OR_FILE [--vanaf DATE]`.
pub(crate) async fn use_protocol(
    url: &str,
    brin: &str,
    choice: &str,
    vanaf: Option<NaiveDate>,
) -> Result<()> {
    let (name, source, kind) = match preset(choice) {
        Some(p) => (p.name.to_owned(), p.source.to_owned(), "preset"),
        None => {
            let path = Path::new(choice);
            if !path.is_file() {
                bail!(
                    "'{choice}' is geen meegeleverd protocol en geen bestand; kies een preset ({}) \
                     of geef het pad van een regelbestand",
                    preset_names()
                );
            }
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("kan {} niet lezen", path.display()))?;
            let name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| choice.to_owned());
            (name, text, "bestand")
        }
    };
    let app = open(url).await?;
    let school = find_school(&app, brin).await?;
    let from = vanaf.unwrap_or_else(today);
    let protocol = app
        .set_protocol(school.id, &name, &source, from, CLI_ACTOR, Utc::now())
        .await
        .map_err(|e| use_case_error(e, choice))?;
    app.store.close().await;
    println!(
        "School {} ({}) volgt nu protocol '{}' ({kind} {name}) vanaf {}: {} tellers, {} stappen \
         in {} ladder(s).",
        school.school.name,
        school.school.brin,
        protocol.name,
        from.format("%d-%m-%Y"),
        protocol.counters.len(),
        protocol.steps.len(),
        protocol.ladders().len()
    );
    println!(
        "Stappen die voor {} bereikt zijn, gelden als geschiedenis (taken vervallen). Taken \
         maken: `verzuim protocol run --brin {}` (`verzuim serve` doet dat ook regelmatig).",
        from.format("%d-%m-%Y"),
        school.school.brin
    );
    Ok(())
}

/// `verzuim protocol run --brin X [--today DATE]`.
pub(crate) async fn run(url: &str, brin: &str, date: NaiveDate) -> Result<()> {
    let app = open(url).await?;
    let school = find_school(&app, brin).await?;
    let chosen = app
        .school_protocol(school.id)
        .await?
        .ok_or(ProtocolUseCaseError::NoProtocol)?;
    let report = app
        .protocol_run(school.id, date, CLI_ACTOR, Utc::now())
        .await?;
    app.store.close().await;
    println!(
        "Protocol {} voor {} ({}) op {}:",
        chosen.name,
        school.school.name,
        school.school.brin,
        date.format("%d-%m-%Y")
    );
    println!("  {}", describe(&report));
    Ok(())
}

/// `verzuim protocol explain STUDENTNUMMER --brin X [--today DATE]`.
pub(crate) async fn explain(url: &str, brin: &str, student: &str, date: NaiveDate) -> Result<()> {
    let app = open(url).await?;
    let school = find_school(&app, brin).await?;
    let text = app
        .protocol_explain(school.id, student.trim(), date, CLI_ACTOR, Utc::now())
        .await?;
    app.store.close().await;
    print!("{text}");
    if !text.ends_with('\n') {
        println!();
    }
    Ok(())
}

/// A run's outcome in one Dutch sentence.
pub(crate) fn describe(r: &RunReport) -> String {
    format!(
        "{} leerling(en) beoordeeld, {} stap(pen) bereikt waarvan {} nieuw, {} nieuwe ta{}.",
        r.students,
        r.steps_reached,
        r.steps_new,
        r.tasks_new,
        if r.tasks_new == 1 { "ak" } else { "ken" }
    )
}

/// Runs the protocol of every school in the database that has chosen one, now and then every
/// `every`, until the process stops. `fixed_today` pins the evaluation date (the demo shows a
/// school day); otherwise it is today in the Netherlands. Failures (and panics) of a run are
/// logged and the next turn tries again: the server never stops for this. `every` zero: only
/// the run at start.
pub(crate) async fn run_every(app: App, every: Duration, fixed_today: Option<NaiveDate>) {
    turns(app, every, fixed_today, tokio::time::Instant::now()).await;
}

/// Like [`run_every`], but the first run after one `every` (the caller has just run it).
pub(crate) async fn run_every_after(app: App, every: Duration, fixed_today: Option<NaiveDate>) {
    let every = every.max(Duration::from_secs(1));
    turns(app, every, fixed_today, tokio::time::Instant::now() + every).await;
}

async fn turns(
    app: App,
    every: Duration,
    fixed_today: Option<NaiveDate>,
    first: tokio::time::Instant,
) {
    let mut ticker = tokio::time::interval_at(first, every.max(Duration::from_secs(1)));
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticker.tick().await;
        let turn = tokio::spawn({
            let app = app.clone();
            async move { run_all(&app, fixed_today.unwrap_or_else(today)).await }
        });
        if let Err(e) = turn.await {
            tracing::error!(error = %e, "protocolronde afgebroken");
        }
        if every.is_zero() {
            return;
        }
    }
}

/// One turn of [`run_every`]: every school with a protocol.
async fn run_all(app: &App, date: NaiveDate) {
    let schools = match app.store.schools().await {
        Ok(s) => s,
        Err(e) => {
            tracing::warn!(error = %e, "protocol: kan de scholen niet lezen");
            return;
        }
    };
    for school in schools {
        let brin = school.school.brin.clone();
        match app.school_protocol(school.id).await {
            Ok(None) => {}
            Ok(Some(chosen)) => match app
                .protocol_run(school.id, date, SERVE_ACTOR, Utc::now())
                .await
            {
                Ok(r) => tracing::info!(
                    brin = %brin,
                    protocol = %chosen.name,
                    leerlingen = r.students,
                    stappen = r.steps_reached,
                    nieuwe_stappen = r.steps_new,
                    nieuwe_taken = r.tasks_new,
                    "protocol uitgevoerd"
                ),
                Err(e) => {
                    tracing::warn!(brin = %brin, error = %format!("{e:#}"), "protocol uitvoeren mislukt")
                }
            },
            Err(e) => {
                tracing::warn!(brin = %brin, error = %format!("{e:#}"), "protocol: kan de keuze van de school niet lezen")
            }
        }
    }
}

/// The schools in the database that have chosen a protocol, with its name (for the line
/// `verzuim serve` prints at start).
pub(crate) async fn schools_with_protocol(app: &App) -> Result<Vec<(Brin, String)>> {
    let mut out = Vec::new();
    for school in app.store.schools().await? {
        if let Some(p) = app.school_protocol(school.id).await? {
            out.push((school.school.brin.clone(), p.name));
        }
    }
    Ok(out)
}

async fn find_school(app: &App, brin: &str) -> Result<SchoolRow> {
    let brin = Brin::parse(brin)?;
    app.store.school_by_brin(&brin).await?.ok_or_else(|| {
        anyhow!("school {brin} staat niet in de database; maak hem eerst met `verzuim school add`")
    })
}

/// A refused rule file keeps its located error (exit code 2) under the name given.
fn use_case_error(e: ProtocolUseCaseError, choice: &str) -> anyhow::Error {
    match e {
        ProtocolUseCaseError::Rules(rules) => anyhow::Error::new(rules).context(choice.to_owned()),
        other => anyhow::Error::new(other),
    }
}

fn preset_names() -> String {
    PRESETS
        .iter()
        .map(|p| p.name)
        .collect::<Vec<_>>()
        .join(", ")
}

/// What the demo prints about its protocol: the choice, the open tasks, and what each demo
/// login's inbox holds.
pub(crate) struct DemoInboxes {
    /// The preset's name.
    name: String,
    /// The protocol's own title.
    title: String,
    /// First day the school follows it.
    active_from: NaiveDate,
    /// Open tasks in the school.
    open: usize,
    /// Per demo login (with a role that gets tasks): username, role label, open tasks in
    /// their inbox, and which tasks those are.
    logins: Vec<(String, &'static str, usize, String)>,
}

/// Counts the demo school's open tasks and what each demo login's inbox lists of them.
/// Counts only: no personal data is shown, so nothing is audited.
pub(crate) async fn demo_inboxes(
    app: &App,
    school: SchoolId,
    logins: &[DemoLogin],
) -> Result<DemoInboxes> {
    let chosen = app
        .school_protocol(school)
        .await?
        .ok_or(ProtocolUseCaseError::NoProtocol)?;
    let title = Protocol::from_toml(&chosen.source)
        .map(|p| p.name)
        .unwrap_or_else(|_| chosen.name.clone());
    let open_query = ProtocolTaskQuery {
        statuses: vec![TaskStatus::Open.code().to_owned()],
        ..ProtocolTaskQuery::default()
    };
    let open = app.store.protocol_task_count(school, &open_query).await?;
    let mut seen = Vec::new();
    for login in logins {
        let Some((staff, _)) = app.store.staff_for_login(&login.username).await? else {
            continue;
        };
        let roles = &staff.staff.roles;
        let what: Vec<&str> = if roles.contains(&SchoolRole::AttendanceCoordinator) {
            inbox_of(SchoolRole::AttendanceCoordinator)
                .into_iter()
                .collect()
        } else {
            roles.iter().filter_map(|role| inbox_of(*role)).collect()
        };
        if what.is_empty() {
            continue;
        }
        let count = app.protocol_open_task_count(&Actor::trusted(staff)).await?;
        seen.push((
            login.username.clone(),
            login.role.label(),
            count,
            what.join("; "),
        ));
    }
    Ok(DemoInboxes {
        name: chosen.name,
        title,
        active_from: chosen.active_from,
        open,
        logins: seen,
    })
}

/// Which tasks a school role's inbox lists, in words (`None`: no inbox).
fn inbox_of(role: SchoolRole) -> Option<&'static str> {
    match role {
        SchoolRole::AttendanceCoordinator => Some("alle taken van de school"),
        SchoolRole::Mentor => Some("mentortaken van de eigen mentorleerlingen"),
        SchoolRole::Teacher => Some("docenttaken van de eigen lesgroepen"),
        SchoolRole::TeamLeader => Some("teamleidertaken"),
        SchoolRole::DayCoordinator => Some("dagcoördinatortaken"),
        SchoolRole::SupportCoordinator => Some("taken van oco, IOT en OT"),
        SchoolRole::Reception => Some("receptietaken"),
        _ => None,
    }
}

/// Prints the demo's protocol lines.
pub(crate) fn print_demo_protocol(inbox: &DemoInboxes, run: &RunReport, every_seconds: u64) {
    println!();
    println!(
        "Protocol: {} (preset {}), gevolgd vanaf {} — {} open taken ({} nieuw bij deze start); \
         opnieuw uitgevoerd elke {} s.",
        inbox.title,
        inbox.name,
        inbox.active_from.format("%d-%m-%Y"),
        inbox.open,
        run.tasks_new,
        every_seconds
    );
    println!("Taken (menu Taken) per login:");
    for (username, role, count, what) in &inbox.logins {
        println!("  {role:<26} {username:<22} {count:>4} open — {what}");
    }
}
