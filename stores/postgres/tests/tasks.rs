//! The in-memory task store's behaviour, checked on PostgreSQL too: the core's task tests (in
//! `xspense_store_conformance::tasks`, run here under the same names) against any
//! `TaskStore`, a differential property test (the same operations on both, the same answers)
//! and the core's stats property test (stats equal a full recount). Needs a server: see
//! `common`.

mod common;

use common::TestDb;
use proptest::prelude::*;
use proptest::test_runner::TestRunner;
use xspense::clock::Millis;
use xspense::tasks::{InMemoryTaskStore, TaskStore};
use xspense::ErrorCode;
use xspense_postgres::PgTaskStore;
use xspense_store_conformance::tasks::{self, new, T0};

/// Runs `check` on an in-memory store and on a PostgreSQL store in a new database.
fn on_every_store(check: impl Fn(&dyn TaskStore)) {
    check(&InMemoryTaskStore::new());
    let db = TestDb::new();
    check(&PgTaskStore::connect(&db.url).unwrap());
}

/// Proptest cases on PostgreSQL: every operation is a round trip (a case takes about a
/// second), so far fewer than SQLite's 150.
const PG_CASES: u32 = 16;

/// Empties the tables of `db` between property-test cases (as the owner) and numbers tasks
/// from 0 again, as a new in-memory store does.
fn reset(db: &TestDb) {
    db.owner()
        .batch_execute("TRUNCATE tasks, task_counters; ALTER SEQUENCE tasks_seq RESTART")
        .unwrap();
}

#[test]
fn priority_then_age_decides_the_claim_order() {
    on_every_store(tasks::priority_then_age_decides_the_claim_order);
}

#[test]
fn illegal_transitions_are_typed_errors() {
    on_every_store(tasks::illegal_transitions_are_typed_errors);
    let db = TestDb::new();
    let s = PgTaskStore::connect(&db.url).unwrap();
    assert_eq!(
        s.claim("q", "w", 1, Millis::MAX).unwrap_err().code(),
        ErrorCode::InvalidInput,
        "a lease past the end of time"
    );
}

#[test]
fn tenants_never_see_each_other() {
    on_every_store(tasks::tenants_never_see_each_other);
}

#[test]
fn idempotency_key_returns_the_task_until_retention_ends() {
    on_every_store(tasks::idempotency_key_returns_the_task_until_retention_ends);
}

#[test]
fn failures_back_off_then_die_and_downstream_keeps_the_correlation() {
    on_every_store(tasks::failures_back_off_then_die_and_downstream_keeps_the_correlation);
}

#[test]
fn an_expired_lease_is_rescued_by_the_next_claim() {
    on_every_store(tasks::an_expired_lease_is_rescued_by_the_next_claim);
}

#[test]
fn heartbeats_keep_the_lease() {
    on_every_store(tasks::heartbeats_keep_the_lease);
}

#[test]
fn stats_counters_follow_every_transition() {
    on_every_store(tasks::stats_counters_follow_every_transition);
}

#[test]
fn purge_forgets_only_old_final_tasks_and_their_counts() {
    on_every_store(tasks::purge_forgets_only_old_final_tasks_and_their_counts);
}

#[test]
fn the_queue_survives_reconnecting() {
    let db = TestDb::new();
    let id = {
        let s = PgTaskStore::connect(&db.url).unwrap();
        s.enqueue(new("a", "q").idempotency_key("k"), T0)
            .unwrap()
            .task
            .id
    };
    let s = PgTaskStore::connect(&db.url).unwrap();
    assert!(
        !s.enqueue(new("a", "q").idempotency_key("k"), T0)
            .unwrap()
            .created
    );
    assert_eq!(s.claim("q", "w", 1_000, T0).unwrap().unwrap().id, id);
}

/// The same operations on the in-memory store and on PostgreSQL give the same answers, the
/// same tasks and the same stats (see `tasks::answers_like_the_in_memory_store`).
#[test]
fn postgres_answers_like_the_in_memory_store() {
    let db = TestDb::new();
    let mut runner = TestRunner::new(ProptestConfig::with_cases(PG_CASES));
    let outcome = runner.run(&tasks::ops(), |ops| {
        reset(&db);
        let sql = PgTaskStore::connect(&db.url).unwrap();
        tasks::answers_like_the_in_memory_store(&InMemoryTaskStore::new(), &sql, ops)
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}

/// PostgreSQL's stats equal a full recount of the tasks at earlier and later times too, with a
/// clock that steps back now and then.
#[test]
fn postgres_stats_equal_a_full_recount() {
    let db = TestDb::new();
    let mut runner = TestRunner::new(ProptestConfig::with_cases(PG_CASES));
    let outcome = runner.run(&(tasks::ops(), tasks::steps_back()), |(ops, back)| {
        reset(&db);
        let s = PgTaskStore::connect(&db.url).unwrap();
        tasks::stats_equal_a_full_recount(&s, ops, back)
    });
    if let Err(e) = outcome {
        panic!("{e}");
    }
}
