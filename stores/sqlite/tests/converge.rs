//! Two engine processes on one SQLite database file voting on one tenant at once converge to
//! the state the optimistic-append rule gives, with no vote lost (the shared
//! `xspense_store_conformance::converge`).

use std::path::Path;

use xspense_sqlite::SqliteEngineState;
use xspense_store_conformance::converge;

/// Feedback votes per process.
const VOTES: usize = 5_000;

#[test]
fn two_engine_processes_converge_and_lose_no_vote() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("state.db");
    let store = SqliteEngineState::open(&db).unwrap();
    converge::two_processes_converge(
        &store,
        Path::new(env!("CARGO_BIN_EXE_sqlite_converge_worker")),
        db.as_os_str(),
        dir.path(),
        VOTES,
    );
}
