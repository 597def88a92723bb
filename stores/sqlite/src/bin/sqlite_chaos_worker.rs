//! A task worker for the multi-process test (`tests/processes.rs`) on a database file: the
//! shared loop of `xspense_store_conformance::chaos`.
//!
//! Usage: `sqlite_chaos_worker DB WORKER FAIL_PERCENT COMPLETIONS_FILE`

use std::process::ExitCode;

use xspense_sqlite::SqliteTaskStore;

fn main() -> ExitCode {
    xspense_store_conformance::chaos::main("DB", |db| {
        SqliteTaskStore::open(db).map_err(|e| e.to_string())
    })
}
