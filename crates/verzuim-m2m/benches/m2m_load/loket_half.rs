//! The loket half: `Loket::m2m_exchange` behind the same listener, on a SQLite temp file
//! with one school (location, contact person, registered certificate) and one gemeente.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use verzuim_app::loket::{ContactInput, LocationInput, Loket, LoketConfig, LoketRole, M2mSettings};
use verzuim_edukoppeling::messages::ResponseMessage;
use verzuim_edukoppeling::{Limits, Oin, ResponseBody, parse_response};
use verzuim_m2m::LoketEndpoint;
use verzuim_store::LoketStore;

use super::{LOKET_OIN, Pki, SCHOOL_NAME, Stats, brin, melden_envelope, run as run_clients, start};

const PASSWORD: &str = "bench wachtwoord 123";
const LOCATION: &str = "Hoofdgebouw";
const GEMEENTE: &str = "0935";

/// The meldingsnummer in a `MeldenRelatiefVerzuimResponse`, if the answer is one.
fn nummer(status: u16, body: &[u8]) -> Option<String> {
    if status != 200 {
        return None;
    }
    match parse_response(body, &Limits::default()).ok()?.body {
        ResponseBody::Message(ResponseMessage::Melden(m)) => Some(m.id.number),
        _ => None,
    }
}

async fn setup(pki: &Pki, url: &str) -> Loket {
    let store = LoketStore::connect(url).await.unwrap();
    store.migrate().await.unwrap();
    let loket = Loket::new(store, LoketConfig::default());
    let t = Utc::now();
    let admin = loket
        .bootstrap_admin("beheer", "Site Beheer", PASSWORD, t)
        .await
        .unwrap();
    let b = loket
        .add_school(&admin, brin().as_str(), SCHOOL_NAME, "vo", t)
        .await
        .unwrap();
    loket
        .add_gemeente(&admin, GEMEENTE, "Maastricht", t)
        .await
        .unwrap();
    for (username, role) in [
        ("beheer.school", LoketRole::Beheerder(b.clone())),
        ("melder.school", LoketRole::Melder(b.clone())),
    ] {
        loket
            .create_user(&admin, username, username, PASSWORD, t)
            .await
            .unwrap();
        loket.grant_role(&admin, username, role, t).await.unwrap();
    }
    let beheer = loket.load_actor("beheer.school").await.unwrap().unwrap();
    loket
        .add_location(
            &beheer,
            &b,
            &LocationInput {
                name: LOCATION.into(),
                city: "Maastricht".into(),
                ..LocationInput::default()
            },
            t,
        )
        .await
        .unwrap();
    loket
        .add_contact(
            &beheer,
            &b,
            &ContactInput {
                name: "Karin de Vries".into(),
                function: "Verzuimcoördinator".into(),
                phone: "043 321 00 00".into(),
                email: "verzuim@bench.nl".into(),
                username: "melder.school".into(),
            },
            t,
        )
        .await
        .unwrap();
    loket
        .upload_certificate(&beheer, &b, "school.crt", pki.school.cert_pem.as_bytes(), t)
        .await
        .unwrap();
    loket
}

async fn count(url: &str, sql: &'static str) -> i64 {
    let pool = sqlx::SqlitePool::connect(url).await.unwrap();
    let n: (i64,) = sqlx::query_as(sql).fetch_one(&pool).await.unwrap();
    pool.close().await;
    n.0
}

pub async fn run(pki: &Pki, clients: usize, duration: Duration) -> Option<Stats> {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("loket.sqlite").display());
    let loket = setup(pki, &url).await;
    let settings = M2mSettings {
        own_oin: Oin::parse(LOKET_OIN).unwrap(),
        limits: Limits::default(),
        proeftuin: false,
    };
    let handler = Arc::new(LoketEndpoint::new(loket.clone(), settings, |now| {
        now.date_naive()
    }));
    let (endpoint, stop, task) = start(pki, handler).await;
    let (stats, bodies) = run_clients(
        "loket",
        pki,
        &endpoint,
        clients,
        duration,
        Arc::new(|c, s| melden_envelope(c, s, LOCATION, GEMEENTE)),
        Arc::new(|status, body| nummer(status, body).is_some()),
    )
    .await;
    let _ = stop.send(());
    let _ = task.await;
    loket.store.close().await;

    let acknowledged: HashSet<String> = bodies.iter().filter_map(|b| nummer(200, b)).collect();
    let stored = count(&url, "SELECT COUNT(*) FROM loket_meldingen").await;
    let messages = count(&url, "SELECT COUNT(*) FROM loket_m2m_messages").await;
    println!(
        "loket: {} meldingen acknowledged ({} distinct nummers), {stored} stored, {messages} messages logged",
        stats.ok,
        acknowledged.len()
    );
    assert_eq!(
        acknowledged.len() as u64,
        stats.ok,
        "every acknowledgement carries its own nummer"
    );
    assert_eq!(
        stored, stats.ok as i64,
        "stored meldingen must equal acknowledged ones"
    );
    Some(stats)
}
