//! Four worker processes on one database file, one of them killed (SIGKILL) and restarted
//! about every half second: every task ends completed exactly once, or dead after all its
//! attempts; none is lost (the shared `xspense_store_conformance::processes`).

use std::path::Path;

use xspense_sqlite::{Durability, Options, SqliteTaskStore};
use xspense_store_conformance::processes;

const WORKERS: usize = 4;

#[test]
fn killed_workers_lose_and_duplicate_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("tasks.db");
    // filled without a sync per task (the workers sync every commit)
    let options = Options {
        durability: Durability::Normal,
        ..Options::default()
    };
    let store = SqliteTaskStore::open_with(&db, options).unwrap();
    processes::killed_workers_lose_and_duplicate_nothing(
        &store,
        Path::new(env!("CARGO_BIN_EXE_sqlite_chaos_worker")),
        db.as_os_str(),
        dir.path(),
        WORKERS,
    );
}
