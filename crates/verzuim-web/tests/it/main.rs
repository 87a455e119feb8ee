//! Integration tests: the real server on port 0, over HTTP, against a fresh SQLite file and a
//! fresh PostgreSQL schema. Each rule is one test module with an `on_sqlite` and an
//! `on_postgres` test, so the name says the rule and the backend.
//!
//! PostgreSQL: `VERZUIM_TEST_PG_URL` (default postgres://postgres@127.0.0.1:5432/test).

// Test code: a failing unwrap is a failing test (clippy.toml allows it in #[test] functions;
// these helpers are shared by them).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

/// Generates `on_sqlite` and `on_postgres` tests in a module named after the rule.
macro_rules! on_both_backends {
    ($rule:ident) => {
        mod $rule {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_sqlite() {
                super::$rule(verzuim_testkit::Backend::Sqlite).await
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn on_postgres() {
                super::$rule(verzuim_testkit::Backend::Postgres).await
            }
        }
    };
}

mod browser;
#[path = "../common/chrome.rs"]
mod chrome;
mod csrf;
mod isolation;
mod lessons;
mod login;
mod meldingen;
mod roles;
mod students;
mod tasks;

use verzuim_testkit::{Backend, TestApp, spawn_app};

/// Starts a test app or fails the test saying why.
pub async fn start(backend: Backend) -> TestApp {
    match spawn_app(backend).await {
        Ok(app) => app,
        Err(e) => panic!("testserver op {} start niet: {e:#}", backend.name()),
    }
}

/// Logs in and checks it worked.
pub async fn logged_in(backend: Backend, user: (&str, &str)) -> TestApp {
    let app = start(backend).await;
    let r = app.login(user.0, user.1).await.unwrap();
    assert_eq!(r.status(), 303, "inloggen als {} mislukt", user.0);
    app
}
