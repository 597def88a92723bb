//! The in-memory task store's behaviour, checked on both stores: the core's task tests (in
//! `xspense_store_conformance::tasks`, run here under the same names) against any
//! `TaskStore`, a differential property test (the same operations on both, the same answers)
//! and the core's stats property test (stats equal a full recount).

use proptest::prelude::*;
use xspense::clock::Millis;
use xspense::tasks::{InMemoryTaskStore, TaskStore};
use xspense::ErrorCode;
use xspense_sqlite::SqliteTaskStore;
use xspense_store_conformance::tasks::{self, new, T0};

/// Runs `check` on an in-memory store, a SQLite store in memory and one in a file.
fn on_every_store(check: impl Fn(&dyn TaskStore)) {
    check(&InMemoryTaskStore::new());
    check(&SqliteTaskStore::in_memory().unwrap());
    let dir = tempfile::tempdir().unwrap();
    check(&SqliteTaskStore::open(dir.path().join("tasks.db")).unwrap());
}

#[test]
fn priority_then_age_decides_the_claim_order() {
    on_every_store(tasks::priority_then_age_decides_the_claim_order);
}

#[test]
fn illegal_transitions_are_typed_errors() {
    on_every_store(tasks::illegal_transitions_are_typed_errors);
    let s = SqliteTaskStore::in_memory().unwrap();
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
fn the_queue_survives_reopening_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("tasks.db");
    let id = {
        let s = SqliteTaskStore::open(&path).unwrap();
        s.enqueue(new("a", "q").idempotency_key("k"), T0)
            .unwrap()
            .task
            .id
    };
    let s = SqliteTaskStore::open(&path).unwrap();
    assert!(
        !s.enqueue(new("a", "q").idempotency_key("k"), T0)
            .unwrap()
            .created
    );
    assert_eq!(s.claim("q", "w", 1_000, T0).unwrap().unwrap().id, id);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// The same operations on the in-memory store and on SQLite give the same answers, the same
    /// tasks and the same stats (see `tasks::answers_like_the_in_memory_store`).
    #[test]
    fn sqlite_answers_like_the_in_memory_store(ops in tasks::ops()) {
        let sql = SqliteTaskStore::in_memory().unwrap();
        tasks::answers_like_the_in_memory_store(&InMemoryTaskStore::new(), &sql, ops)?;
    }

    /// SQLite's stats equal a full recount of the tasks at earlier and later times too, with a
    /// clock that steps back now and then.
    #[test]
    fn sqlite_stats_equal_a_full_recount(ops in tasks::ops(), back in tasks::steps_back()) {
        let s = SqliteTaskStore::in_memory().unwrap();
        tasks::stats_equal_a_full_recount(&s, ops, back)?;
    }
}
