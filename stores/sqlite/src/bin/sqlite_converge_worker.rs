//! An engine process for the convergence test (`tests/converge.rs`) on a SQLite database:
//! the shared loop of `xspense_store_conformance::converge`.
//!
//! Usage: `sqlite_converge_worker DB WORKER VOTES DIR`
//!
//! Commits are not synced one by one (`Durability::Normal`: WAL, synced at checkpoints):
//! what the test checks is the order of appends between processes, which a sync per commit
//! only slows down (about 5 ms a commit on the CI disk).

use std::process::ExitCode;
use std::sync::Arc;

use xspense_sqlite::{Durability, Options, SqliteEngineState};

fn main() -> ExitCode {
    xspense_store_conformance::converge::worker_main("DB", |db| {
        let options = Options {
            durability: Durability::Normal,
            ..Options::default()
        };
        let store = SqliteEngineState::open_with(db, options).map_err(|e| e.to_string())?;
        Ok(Arc::new(store))
    })
}
