//! A task worker for the multi-process test (`tests/processes.rs`) on a PostgreSQL database:
//! the shared loop of `xspense_store_conformance::chaos`.
//!
//! Usage: `pg_chaos_worker URL WORKER FAIL_PERCENT COMPLETIONS_FILE`

use std::process::ExitCode;

use xspense_postgres::PgTaskStore;

fn main() -> ExitCode {
    xspense_store_conformance::chaos::main("URL", |url| {
        PgTaskStore::connect(url).map_err(|e| e.to_string())
    })
}
