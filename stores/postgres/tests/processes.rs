//! Worker processes on one PostgreSQL database, one of them killed (SIGKILL) and restarted:
//! six every half second with 2,000 tasks (CI), or eight every second with 20,000 tasks (the
//! ignored full-scale test, run by scripts/kill-test.sh). Every task ends completed exactly
//! once, or dead after all its attempts; none is lost (the shared
//! `xspense_store_conformance::processes`).

mod common;

use std::ffi::OsStr;
use std::path::Path;

use common::TestDb;
use xspense_postgres::PgTaskStore;
use xspense_store_conformance::processes::{self, Scale, Workload};

fn run(scale: Scale) {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let store = PgTaskStore::connect(&db.url).unwrap();
    let workload = Workload::Chaos {
        worker: Path::new(env!("CARGO_BIN_EXE_pg_chaos_worker")),
        target: OsStr::new(&db.url),
    };
    processes::killed_workers_lose_and_duplicate_nothing(&store, &workload, dir.path(), scale);
}

#[test]
fn killed_workers_lose_and_duplicate_nothing() {
    run(Scale::ci(6));
}

#[test]
#[ignore = "the issue's scale (20,000 tasks, minutes): scripts/kill-test.sh"]
fn killed_workers_lose_and_duplicate_nothing_at_full_scale() {
    run(Scale::full(8));
}
