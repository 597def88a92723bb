//! An engine process for the convergence test (`tests/converge.rs`) on a PostgreSQL
//! database: the shared loop of `xspense_store_conformance::converge`.
//!
//! Usage: `pg_converge_worker URL WORKER VOTES DIR`

use std::process::ExitCode;
use std::sync::Arc;

use xspense_postgres::PgEngineState;

fn main() -> ExitCode {
    xspense_store_conformance::converge::worker_main("URL", |url| {
        let store = PgEngineState::connect(url).map_err(|e| e.to_string())?;
        Ok(Arc::new(store))
    })
}
