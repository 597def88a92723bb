//! How long a feedback vote on one engine takes to be visible on another engine sharing the
//! tenant through PostgreSQL: the follower woken by LISTEN/NOTIFY, and polling every 10 ms
//! for comparison (`xspense_store_conformance::visibility`). Against the server at
//! `$XSPENSE_TEST_DATABASE_URL`, a database of its own per run, dropped at the end.
//!
//! `XSPENSE_TEST_DATABASE_URL=... cargo bench -p xspense-postgres --features server-tests
//! --bench visibility` (scripts/test-postgres.sh prints the URL of the cluster it starts).

#[path = "scratch_db.rs"]
mod scratch_db;

use std::sync::Arc;
use std::time::Duration;

use xspense::store::EngineStateStore;
use xspense_postgres::PgEngineState;
use xspense_store_conformance::visibility::{measure, Visibility};

/// Votes timed per run.
const VOTES: u32 = 300;
/// The follower's poll interval in the polling run.
const POLL: Duration = Duration::from_millis(10);
/// The longest a LISTEN follower waits before reading on anyway.
const LISTEN_TIMEOUT: Duration = Duration::from_millis(100);

/// Runs `f` on a new migrated database of the server, dropped after.
fn with_database(server: &str, run: usize, f: impl FnOnce(&str) -> Visibility) -> Visibility {
    let name = format!("xspense_bench_visibility_{}_{run}", std::process::id());
    let url = scratch_db::create(server, &name);
    let out = f(&url);
    scratch_db::drop(server, &name);
    out
}

fn store(url: &str) -> Arc<dyn EngineStateStore> {
    Arc::new(PgEngineState::connect(url).unwrap())
}

fn report(label: &str, v: &Visibility) {
    println!("{label}: feedback {}", v.feedback);
    println!("{label}: visible  {}", v.visible);
}

fn main() {
    let server = scratch_db::server();
    println!("{VOTES} votes per run, one at a time");
    let listen = with_database(&server, 0, |url| {
        let follower = PgEngineState::connect(url).unwrap();
        let mut listener = follower.listen().unwrap();
        let wake = move || {
            listener.wait(LISTEN_TIMEOUT).unwrap();
        };
        measure(store(url), Arc::new(follower), wake, VOTES)
    });
    report("postgres, LISTEN", &listen);
    let poll = with_database(&server, 1, |url| {
        measure(store(url), store(url), || std::thread::sleep(POLL), VOTES)
    });
    report("postgres, poll 10 ms", &poll);
}
