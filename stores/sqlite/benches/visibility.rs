//! How long a feedback vote on one engine takes to be visible on another engine sharing the
//! tenant through one SQLite file: the follower polls (every 1 ms and every 10 ms), since
//! SQLite has no notifications (`xspense_store_conformance::visibility`).
//!
//! `cargo bench -p xspense-sqlite --bench visibility`

use std::sync::Arc;
use std::time::Duration;

use xspense::store::EngineStateStore;
use xspense_sqlite::SqliteEngineState;
use xspense_store_conformance::visibility::measure;

/// Votes timed per run.
const VOTES: u32 = 300;
/// The follower's poll intervals, one run each.
const POLLS: [Duration; 2] = [Duration::from_millis(1), Duration::from_millis(10)];

fn main() {
    println!("{VOTES} votes per run, one at a time; default options (a sync per commit)");
    for poll in POLLS {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("state.db");
        let open =
            || -> Arc<dyn EngineStateStore> { Arc::new(SqliteEngineState::open(&db).unwrap()) };
        let v = measure(open(), open(), move || std::thread::sleep(poll), VOTES);
        let label = format!("sqlite, poll {} ms", poll.as_millis());
        println!("{label}: feedback {}", v.feedback);
        println!("{label}: visible  {}", v.visible);
    }
}
