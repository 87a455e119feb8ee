//! The Verzuimloket's integration tests: the real loket server on port 0, over HTTP, against
//! a fresh SQLite file and a fresh PostgreSQL schema. Each rule is one test module with an
//! `on_sqlite` and an `on_postgres` test, so the name says the rule and the backend. Logins
//! use real TOTP codes computed from the secret the enrolment page shows.
//!
//! PostgreSQL: `VERZUIM_TEST_PG_URL` (default postgres://postgres@127.0.0.1:5432/test).

// Test code: a failing unwrap is a failing test.
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

mod admin;
mod browser;
mod certificates;
#[path = "../common/chrome.rs"]
mod chrome;
mod gemeente;
mod instances;
mod isolation;
mod kit;
mod login;
mod meldingen;
mod places;
mod reports;
