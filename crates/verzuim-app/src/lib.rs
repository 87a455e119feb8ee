//! Use cases shared by verzuim's web pages and CLI: each loads data from the store, runs
//! domain logic, and writes results, history and audit rows through the store in one
//! transaction. The CLI calls these directly, never through HTTP.

pub mod demo;
pub mod drafts;
pub mod import;
pub mod law;
pub mod loket;
pub mod m2m;
pub mod protocol;
pub mod school;
pub mod setup;

use verzuim_store::Store;

/// The application: the store plus the use cases in the modules of this crate.
#[derive(Debug, Clone)]
pub struct App {
    /// The store all use cases read and write.
    pub store: Store,
}

impl App {
    /// Wraps a connected, migrated store.
    pub fn new(store: Store) -> Self {
        Self { store }
    }
}
