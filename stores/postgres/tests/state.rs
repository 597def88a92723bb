//! Engine state in PostgreSQL: the checks every store passes, appends racing on one
//! sequence, the LISTEN/NOTIFY wake-up, and two engine processes converging with no vote
//! lost.

mod common;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use common::TestDb;
use xspense::store::{Appended, EngineStateStore, SharedEngine};
use xspense::Engine;
use xspense_postgres::PgEngineState;
use xspense_store_conformance::{converge, state};

/// Feedback votes per process in the convergence test.
const VOTES: usize = 5_000;
const RACERS: usize = 8;
const WAIT: Duration = Duration::from_secs(5);

#[test]
fn the_shared_engine_state_checks_pass() {
    let db = TestDb::new();
    state::engine_state_behaves(&|| -> Arc<dyn EngineStateStore> {
        Arc::new(PgEngineState::connect(&db.url).unwrap())
    });
}

#[test]
fn appends_racing_on_one_sequence_leave_one_winner() {
    let db = TestDb::new();
    let mut e = Engine::new();
    e.add_rules("t", "merchant contains \"tesco\" => food.groceries\n")
        .unwrap();
    let changes = Arc::new(e.drain_changes());
    let barrier = Arc::new(std::sync::Barrier::new(RACERS));
    let racers: Vec<_> = (0..RACERS)
        .map(|_| {
            let (url, changes, barrier) = (db.url.clone(), changes.clone(), barrier.clone());
            std::thread::spawn(move || {
                let store = PgEngineState::connect(&url).unwrap();
                barrier.wait();
                store.append("t", 0, &changes).unwrap()
            })
        })
        .collect();
    let outcomes: Vec<Appended> = racers.into_iter().map(|r| r.join().unwrap()).collect();
    let won = outcomes.iter().filter(|o| **o == Appended::At(1)).count();
    let stale = outcomes
        .iter()
        .filter(|o| **o == Appended::Stale { actual: 1 })
        .count();
    assert_eq!((won, stale), (1, RACERS - 1), "{outcomes:?}");
    let store = PgEngineState::connect(&db.url).unwrap();
    assert_eq!(store.load("t").unwrap().changes.len(), 1);
}

#[test]
fn a_listener_hears_the_tenant_of_every_append() {
    let db = TestDb::new();
    let store = PgEngineState::connect(&db.url).unwrap();
    let mut listener = store.listen().unwrap();
    assert!(listener.wait(Duration::from_millis(50)).unwrap().is_empty());
    let writer = Arc::new(PgEngineState::connect(&db.url).unwrap());
    let mut shared = SharedEngine::new(Engine::new(), writer.clone());
    shared
        .add_rules("alice", "merchant contains \"tesco\" => food.groceries\n")
        .unwrap();
    let heard = listener.wait(WAIT).unwrap();
    assert_eq!(heard.into_iter().collect::<Vec<_>>(), ["alice"]);
    // a stale append inserts nothing and notifies nobody
    assert!(matches!(
        writer.append("alice", 0, &[]).unwrap(),
        Appended::Stale { actual: 1 }
    ));
    assert!(listener
        .wait(Duration::from_millis(100))
        .unwrap()
        .is_empty());
    // the one-shot wait
    let waiter = {
        let url = db.url.clone();
        std::thread::spawn(move || {
            PgEngineState::connect(&url)
                .unwrap()
                .wait_for_change(WAIT)
                .unwrap()
        })
    };
    std::thread::sleep(Duration::from_millis(200));
    shared
        .add_rules("bob", "merchant contains \"uber\" => transport.taxi\n")
        .unwrap();
    assert!(waiter.join().unwrap());
}

#[test]
fn two_engine_processes_converge_and_lose_no_vote() {
    let dir = tempfile::tempdir().unwrap();
    let db = TestDb::new();
    let store = PgEngineState::connect(&db.url).unwrap();
    converge::two_processes_converge(
        &store,
        Path::new(env!("CARGO_BIN_EXE_pg_converge_worker")),
        std::ffi::OsStr::new(&db.url),
        dir.path(),
        VOTES,
    );
}
