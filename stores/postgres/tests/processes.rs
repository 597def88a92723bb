//! Six worker processes on one PostgreSQL database, one of them killed (SIGKILL) and
//! restarted about every half second: every task ends completed exactly once, or dead after
//! all its attempts; none is lost (the shared `xspense_store_conformance::processes`).

mod common;

use std::ffi::OsStr;
use std::path::Path;

use common::TestDb;
use xspense_postgres::PgTaskStore;
use xspense_store_conformance::processes;

const WORKERS: usize = 6;

#[test]
fn killed_workers_lose_and_duplicate_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let store = PgTaskStore::connect(&db.url).unwrap();
    processes::killed_workers_lose_and_duplicate_nothing(
        &store,
        Path::new(env!("CARGO_BIN_EXE_pg_chaos_worker")),
        OsStr::new(&db.url),
        dir.path(),
        WORKERS,
    );
}
