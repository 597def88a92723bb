//! The in-memory task store's behaviour, checked on any store: the core's task tests as one
//! function each (taking the store to check), and the bodies of the differential property test
//! (the same operations on the in-memory store and another give the same answers, tasks and
//! stats) and of the stats property test (stats equal a full recount). Each store's
//! `tests/tasks.rs` calls them under the same names, on the stores it builds.

use std::collections::{BTreeMap, HashMap};

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;
use serde_json::json;
use xspense::clock::Millis;
use xspense::tasks::{NewTask, QueueCounts, QueueStats, RetryPolicy, Task, TaskStatus, TaskStore};
use xspense::ErrorCode;

/// The clock's start in every check.
pub const T0: i64 = 1_700_000_000_000;

/// A task of `tenant` on `queue`.
pub fn new(tenant: &str, queue: &str) -> NewTask {
    NewTask::new(tenant, queue, "work", json!({"n": 1}))
}

fn count(st: &QueueStats, queue: &str, status: TaskStatus) -> usize {
    st.queues[queue]
        .by_status
        .get(&status)
        .copied()
        .unwrap_or(0)
}

/// Checked by the stores' test of the same name.
pub fn priority_then_age_decides_the_claim_order(s: &dyn TaskStore) {
    let low = s.enqueue(new("a", "q").priority(0), T0).unwrap().task;
    let high = s.enqueue(new("a", "q").priority(9), T0 + 1).unwrap().task;
    let later = s
        .enqueue(new("a", "q").priority(9).run_at(T0 + 60_000), T0 + 2)
        .unwrap()
        .task;
    let order: Vec<String> = (0..3)
        .filter_map(|_| s.claim("q", "w", 1_000, T0 + 10).unwrap())
        .map(|t| t.id)
        .collect();
    assert_eq!(order, [high.id.clone(), low.id.clone()]);
    for t in [&high, &low] {
        s.complete("a", &t.id, "w", json!(null), T0 + 20).unwrap();
    }
    let due = s.claim("q", "w", 1_000, T0 + 60_000).unwrap().unwrap();
    assert_eq!(due.id, later.id);
    assert!(s.claim("other", "w", 1_000, T0).unwrap().is_none());
}

/// Checked by the stores' test of the same name.
pub fn illegal_transitions_are_typed_errors(s: &dyn TaskStore) {
    let t = s.enqueue(new("a", "q"), T0).unwrap().task;
    let e = s.complete("a", &t.id, "w", json!(1), T0).unwrap_err();
    assert_eq!(e.code(), ErrorCode::LeaseLost);
    s.claim("q", "w", 1_000, T0).unwrap().unwrap();
    s.complete("a", &t.id, "w", json!(1), T0 + 1).unwrap();
    let code = |r: xspense::Result<()>| r.unwrap_err().code();
    assert_eq!(
        code(s.complete("a", &t.id, "w", json!(1), T0 + 2)),
        ErrorCode::InvalidTransition
    );
    assert_eq!(
        code(s.cancel("a", &t.id, T0 + 3)),
        ErrorCode::InvalidTransition
    );
    assert_eq!(s.get("a", &t.id).unwrap().status, TaskStatus::Completed);
    assert_eq!(
        s.claim("q", "w", 0, T0).unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    assert_eq!(
        s.enqueue(new("", "q"), T0).unwrap_err().code(),
        ErrorCode::InvalidInput
    );
    // bad input is an error, never a panic
    assert_eq!(code(s.cancel("a", "task_zz", T0)), ErrorCode::NotFound);
    assert_eq!(code(s.cancel("a", "", T0)), ErrorCode::NotFound);
}

/// Checked by the stores' test of the same name.
pub fn tenants_never_see_each_other(s: &dyn TaskStore) {
    let t = s.enqueue(new("a", "q"), T0).unwrap().task;
    assert_eq!(s.get("b", &t.id).unwrap_err().code(), ErrorCode::NotFound);
    assert_eq!(
        s.cancel("b", &t.id, T0).unwrap_err().code(),
        ErrorCode::NotFound
    );
    let c = s.claim("q", "w", 1_000, T0).unwrap().unwrap();
    for r in [
        s.complete("b", &c.id, "w", json!(1), T0),
        s.heartbeat("b", &c.id, "w", 1_000, T0).map(|_| ()),
        s.fail("b", &c.id, "w", "x", &RetryPolicy::default(), T0)
            .map(|_| ()),
    ] {
        assert_eq!(r.unwrap_err().code(), ErrorCode::NotFound);
    }
    assert_eq!(s.get("a", &t.id).unwrap().status, TaskStatus::Claimed);
    // the same idempotency key in two tenants makes two tasks
    let x = s.enqueue(new("a", "q").idempotency_key("k"), T0).unwrap();
    let y = s.enqueue(new("b", "q").idempotency_key("k"), T0).unwrap();
    assert!(x.created && y.created && x.task.id != y.task.id);
    assert_eq!(
        s.get("b", &x.task.id).unwrap_err().code(),
        ErrorCode::NotFound
    );
}

/// Checked by the stores' test of the same name.
pub fn idempotency_key_returns_the_task_until_retention_ends(s: &dyn TaskStore) {
    let first = s
        .enqueue(new("a", "q").idempotency_key("import-7"), T0)
        .unwrap();
    let again = s
        .enqueue(new("a", "q").idempotency_key("import-7"), T0 + 5)
        .unwrap();
    assert!(first.created && !again.created);
    assert_eq!(first.task, again.task);
    let c = s.claim("q", "w", 1_000, T0 + 10).unwrap().unwrap();
    s.complete("a", &c.id, "w", json!("ok"), T0 + 20).unwrap();
    let after = s
        .enqueue(new("a", "q").idempotency_key("import-7"), T0 + 30)
        .unwrap();
    assert!(!after.created);
    assert_eq!(after.task.status, TaskStatus::Completed);
    assert_eq!(after.task.result, Some(json!("ok")));
    assert_eq!(s.purge(3_600_000, T0 + 40).unwrap(), 0, "inside retention");
    assert_eq!(s.purge(3_600_000, T0 + 3_600_021).unwrap(), 1);
    let fresh = s
        .enqueue(new("a", "q").idempotency_key("import-7"), T0 + 3_600_030)
        .unwrap();
    assert!(fresh.created);
    assert_ne!(fresh.task.id, first.task.id, "ids are never reused");
}

/// Checked by the stores' test of the same name.
pub fn failures_back_off_then_die_and_downstream_keeps_the_correlation(s: &dyn TaskStore) {
    let retry = RetryPolicy {
        base_ms: 1_000,
        factor: 2.0,
        max_ms: 60_000,
        jitter: 0.0,
    };
    let t = s.enqueue(new("a", "q").max_attempts(3), T0).unwrap().task;
    let mut now = T0;
    for attempt in 1..=3u32 {
        let c = s.claim("q", "w", 5_000, now).unwrap().expect("due");
        assert_eq!(c.attempts, attempt);
        let status = s.fail("a", &t.id, "w", "boom", &retry, now).unwrap();
        if attempt < 3 {
            assert_eq!(status, TaskStatus::Pending);
            let back = s.get("a", &t.id).unwrap();
            assert_eq!(back.run_at - now, 1_000 * 2i64.pow(attempt - 1));
            assert!(s.claim("q", "w", 5_000, now).unwrap().is_none());
            now = back.run_at;
        } else {
            assert_eq!(status, TaskStatus::Dead);
        }
    }
    let st = s.stats(now).unwrap();
    assert_eq!((st.dead_letters, st.failed_total), (1, 3));
    let parent = s.get("a", &t.id).unwrap();
    assert_eq!(parent.error.as_deref(), Some("boom"));
    let child = s
        .enqueue(
            NewTask::downstream_of(&parent, "insights", "summarize", json!({})),
            now,
        )
        .unwrap()
        .task;
    assert_eq!(child.correlation_id, parent.correlation_id);
    assert_eq!((child.from.as_str(), child.tenant.as_str()), ("q", "a"));
}

/// Checked by the stores' test of the same name.
pub fn an_expired_lease_is_rescued_by_the_next_claim(s: &dyn TaskStore) {
    let t = s.enqueue(new("a", "q").max_attempts(2), T0).unwrap().task;
    s.claim("q", "w1", 1_000, T0).unwrap().unwrap();
    let again = s.claim("q", "w2", 1_000, T0 + 1_000).unwrap().unwrap();
    assert_eq!((again.id.as_str(), again.attempts), (t.id.as_str(), 2));
    assert_eq!(again.error.as_deref(), Some("lease expired at attempt 1"));
    assert_eq!(
        s.complete("a", &t.id, "w1", json!(1), T0 + 1_001)
            .unwrap_err()
            .code(),
        ErrorCode::LeaseLost
    );
    // the second lease runs out too: no attempts left, the task is dead
    assert!(s.claim("q", "w3", 1_000, T0 + 2_000).unwrap().is_none());
    let dead = s.get("a", &t.id).unwrap();
    assert_eq!(
        (dead.status, dead.finished_at),
        (TaskStatus::Dead, Some(T0 + 2_000))
    );
    let st = s.stats(T0 + 2_000).unwrap();
    assert_eq!((st.failed_total, st.dead_letters), (2, 1));
}

/// Checked by the stores' test of the same name.
pub fn heartbeats_keep_the_lease(s: &dyn TaskStore) {
    let t = s.enqueue(new("a", "q"), T0).unwrap().task;
    s.claim("q", "w1", 1_000, T0).unwrap().unwrap();
    assert_eq!(
        s.heartbeat("a", &t.id, "w1", 1_000, T0 + 900).unwrap(),
        T0 + 1_900
    );
    assert!(s.claim("q", "w2", 1_000, T0 + 1_500).unwrap().is_none());
    assert_eq!(
        s.heartbeat("a", &t.id, "w2", 1_000, T0 + 1_500)
            .unwrap_err()
            .code(),
        ErrorCode::LeaseLost
    );
    s.complete("a", &t.id, "w1", json!(null), T0 + 1_800)
        .unwrap();
}

/// Checked by the stores' test of the same name.
pub fn stats_counters_follow_every_transition(s: &dyn TaskStore) {
    let retry = RetryPolicy {
        base_ms: 1_000,
        factor: 2.0,
        max_ms: 60_000,
        jitter: 0.0,
    };
    let ids: Vec<String> = (0..5)
        .map(|_| {
            s.enqueue(new("a", "q").max_attempts(2), T0)
                .unwrap()
                .task
                .id
        })
        .collect();
    s.enqueue(new("a", "other").run_at(T0 + 5_000), T0).unwrap();
    let st = s.stats(T0).unwrap();
    assert_eq!(count(&st, "q", TaskStatus::Pending), 5);
    assert_eq!((st.queues["q"].due, st.queues["other"].due), (5, 0));
    assert_eq!(st.queues["other"].oldest_due_age_ms, None);
    let c = s.claim("q", "w", 1_000, T0 + 10).unwrap().unwrap();
    s.complete("a", &c.id, "w", json!(1), T0 + 20).unwrap();
    let c = s.claim("q", "w", 1_000, T0 + 30).unwrap().unwrap();
    assert_eq!(
        s.fail("a", &c.id, "w", "x", &retry, T0 + 40).unwrap(),
        TaskStatus::Pending
    );
    s.claim("q", "w", 1_000, T0 + 50).unwrap().unwrap();
    s.cancel("a", &ids[4], T0 + 60).unwrap();
    let st = s.stats(T0 + 70).unwrap();
    let q = &st.queues["q"];
    let expected: BTreeMap<TaskStatus, usize> = [
        (TaskStatus::Pending, 2),
        (TaskStatus::Claimed, 1),
        (TaskStatus::Completed, 1),
        (TaskStatus::Cancelled, 1),
    ]
    .into();
    assert_eq!(q.by_status, expected, "zero counts are left out");
    assert_eq!((q.due, q.oldest_due_age_ms), (1, Some(70)));
    assert_eq!((st.completed_total, st.failed_total), (1, 1));
    assert_eq!(st.error_rate, 0.5);
    let st = s.stats(T0 + 6_000).unwrap();
    assert_eq!(
        (st.queues["other"].due, st.queues["other"].oldest_due_age_ms),
        (1, Some(1_000))
    );
    assert_eq!(
        count(&st, "q", TaskStatus::Claimed),
        1,
        "stats does not expire leases"
    );
}

/// Checked by the stores' test of the same name.
pub fn purge_forgets_only_old_final_tasks_and_their_counts(s: &dyn TaskStore) {
    let a = s
        .enqueue(new("a", "q").idempotency_key("k"), T0)
        .unwrap()
        .task;
    let b = s.enqueue(new("a", "q"), T0).unwrap().task;
    s.enqueue(new("a", "q"), T0).unwrap();
    s.cancel("a", &a.id, T0 + 10).unwrap();
    s.cancel("a", &b.id, T0 + 500).unwrap();
    assert_eq!(s.purge(1_000, T0 + 1_010).unwrap(), 0);
    assert_eq!(s.purge(1_000, T0 + 1_011).unwrap(), 1);
    assert_eq!(s.get("a", &a.id).unwrap_err().code(), ErrorCode::NotFound);
    assert!(
        s.enqueue(new("a", "q").idempotency_key("k"), T0 + 1_012)
            .unwrap()
            .created
    );
    let x = s.enqueue(new("a", "gone"), T0).unwrap().task;
    s.cancel("a", &x.id, T0).unwrap();
    assert!(s.stats(T0).unwrap().queues.contains_key("gone"));
    assert_eq!(s.purge(0, T0 + 1_000_000).unwrap(), 2, "b and x");
    assert!(!s.stats(T0 + 1_000_000).unwrap().queues.contains_key("gone"));
    assert_eq!(
        s.purge(Millis::MAX, T0 + 1_000_000).unwrap(),
        0,
        "no overflow"
    );
    assert_eq!(s.purge(Millis::MIN, T0).unwrap(), 0, "no overflow");
}

/// Operations of the differential property test.
#[derive(Debug, Clone)]
pub enum Op {
    Enqueue {
        queue: u8,
        key: Option<u8>,
        delay: i64,
        priority: i32,
        max_attempts: u32,
    },
    Claim {
        queue: u8,
        worker: u8,
    },
    Complete {
        pick: u8,
        worker: u8,
    },
    Fail {
        pick: u8,
        worker: u8,
    },
    Cancel {
        pick: u8,
    },
    Heartbeat {
        pick: u8,
        worker: u8,
    },
    Purge {
        retention: i64,
    },
    Advance {
        ms: i64,
    },
}

pub fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => (0u8..2, prop::option::of(0u8..4), prop_oneof![Just(0i64), 0i64..3_000], 0i32..3, 1u32..4)
            .prop_map(|(queue, key, delay, priority, max_attempts)| Op::Enqueue { queue, key, delay, priority, max_attempts }),
        3 => (0u8..2, 0u8..3).prop_map(|(queue, worker)| Op::Claim { queue, worker }),
        1 => (any::<u8>(), 0u8..3).prop_map(|(pick, worker)| Op::Complete { pick, worker }),
        1 => (any::<u8>(), 0u8..3).prop_map(|(pick, worker)| Op::Fail { pick, worker }),
        1 => any::<u8>().prop_map(|pick| Op::Cancel { pick }),
        1 => (any::<u8>(), 0u8..3).prop_map(|(pick, worker)| Op::Heartbeat { pick, worker }),
        1 => (0i64..4_000).prop_map(|retention| Op::Purge { retention }),
        2 => (0i64..3_000).prop_map(|ms| Op::Advance { ms }),
    ]
}

/// Both stores number tasks from `task_000000000000`: their tasks must be equal, ids and all.
fn same_shape(t: Task) -> Task {
    t
}

pub fn code<T>(r: &xspense::Result<T>) -> Option<ErrorCode> {
    r.as_ref().err().map(|e| e.code())
}

/// What `stats` must say, counted the slow way from every task `get` still finds.
pub fn recount(s: &dyn TaskStore, ids: &[String], now: i64) -> BTreeMap<String, QueueCounts> {
    let mut queues: BTreeMap<String, QueueCounts> = BTreeMap::new();
    for id in ids {
        let Ok(t) = s.get("a", id) else { continue };
        let q = queues.entry(t.queue.clone()).or_default();
        *q.by_status.entry(t.status).or_default() += 1;
        if t.status == TaskStatus::Pending && t.run_at <= now {
            q.due += 1;
            let age = now - t.run_at;
            q.oldest_due_age_ms = Some(q.oldest_due_age_ms.map_or(age, |a| a.max(age)));
        }
    }
    queues
}

/// The operations of one property-test case.
pub fn ops() -> impl Strategy<Value = Vec<Op>> {
    prop::collection::vec(op(), 1..100)
}

/// The clock's steps back in one case of [`stats_equal_a_full_recount`].
pub fn steps_back() -> impl Strategy<Value = Vec<i64>> {
    prop::collection::vec(-800i64..0, 0..10)
}

/// The task an `Op::Enqueue` makes at `now`.
fn enqueued(op: &Op, now: i64) -> NewTask {
    let Op::Enqueue {
        queue,
        key,
        delay,
        priority,
        max_attempts,
    } = *op
    else {
        unreachable!("only Op::Enqueue makes a task")
    };
    let mut n = new("a", QUEUES[queue as usize])
        .max_attempts(max_attempts)
        .priority(priority);
    if delay > 0 {
        n = n.run_at(now + delay);
    }
    if let Some(k) = key {
        n = n.idempotency_key(format!("k{k}"));
    }
    n
}

/// The queues and the retry policy of the property tests.
const QUEUES: [&str; 2] = ["q", "r"];
const PROP_RETRY: RetryPolicy = RetryPolicy {
    base_ms: 100,
    factor: 2.0,
    max_ms: 1_000,
    jitter: 0.3,
};

/// The differential property test: `ops` on `mem` (a new in-memory store) and on `sql` (a new
/// store under test, numbering tasks from 0) give the same answers, the same tasks and the
/// same stats (with a clock that only moves forward: the in-memory store keeps a task that was
/// due at a later `now` claimable when the clock steps back).
pub fn answers_like_the_in_memory_store(
    mem: &dyn TaskStore,
    sql: &dyn TaskStore,
    ops: Vec<Op>,
) -> Result<(), TestCaseError> {
    let (retry, queues, mut now) = (PROP_RETRY, QUEUES, T0);
    // (in-memory id, store id) in enqueue order
    let mut ids: Vec<(String, String)> = Vec::new();
    let mut by_sql: HashMap<String, usize> = HashMap::new();
    for op in ops {
        let pick = |p: u8| ids[p as usize % ids.len()].clone();
        match op {
            Op::Enqueue { .. } => {
                let n = enqueued(&op, now);
                let (a, b) = (
                    mem.enqueue(n.clone(), now).unwrap(),
                    sql.enqueue(n, now).unwrap(),
                );
                prop_assert_eq!(a.created, b.created);
                if a.created {
                    by_sql.insert(b.task.id.clone(), ids.len());
                    ids.push((a.task.id.clone(), b.task.id.clone()));
                } else {
                    prop_assert_eq!(&ids[by_sql[&b.task.id]].0, &a.task.id);
                }
                prop_assert_eq!(same_shape(a.task), same_shape(b.task));
            }
            Op::Claim { queue, worker } => {
                let w = format!("w{worker}");
                let a = mem.claim(queues[queue as usize], &w, 1_000, now).unwrap();
                let b = sql.claim(queues[queue as usize], &w, 1_000, now).unwrap();
                prop_assert_eq!(a.is_some(), b.is_some());
                if let (Some(a), Some(b)) = (a, b) {
                    prop_assert_eq!(&ids[by_sql[&b.id]].0, &a.id, "the same task is claimed");
                    prop_assert_eq!(same_shape(a), same_shape(b));
                }
            }
            Op::Complete { pick: p, worker } if !ids.is_empty() => {
                let (x, y) = pick(p);
                let w = format!("w{worker}");
                prop_assert_eq!(
                    code(&mem.complete("a", &x, &w, json!(1), now)),
                    code(&sql.complete("a", &y, &w, json!(1), now))
                );
            }
            Op::Fail { pick: p, worker } if !ids.is_empty() => {
                let (x, y) = pick(p);
                let w = format!("w{worker}");
                let (a, b) = (
                    mem.fail("a", &x, &w, "boom", &retry, now),
                    sql.fail("a", &y, &w, "boom", &retry, now),
                );
                prop_assert_eq!(code(&a), code(&b));
                prop_assert_eq!(a.ok(), b.ok());
            }
            Op::Cancel { pick: p } if !ids.is_empty() => {
                let (x, y) = pick(p);
                prop_assert_eq!(
                    code(&mem.cancel("a", &x, now)),
                    code(&sql.cancel("a", &y, now))
                );
            }
            Op::Heartbeat { pick: p, worker } if !ids.is_empty() => {
                let (x, y) = pick(p);
                let w = format!("w{worker}");
                let (a, b) = (
                    mem.heartbeat("a", &x, &w, 1_000, now),
                    sql.heartbeat("a", &y, &w, 1_000, now),
                );
                prop_assert_eq!(code(&a), code(&b));
                prop_assert_eq!(a.ok(), b.ok());
            }
            Op::Purge { retention } => {
                prop_assert_eq!(
                    mem.purge(retention, now).unwrap(),
                    sql.purge(retention, now).unwrap()
                );
            }
            Op::Advance { ms } => now += ms,
            _ => {}
        }
        for (x, y) in &ids {
            let (a, b) = (mem.get("a", x), sql.get("a", y));
            prop_assert_eq!(code(&a), code(&b));
            prop_assert_eq!(a.ok().map(same_shape), b.ok().map(same_shape));
        }
        prop_assert_eq!(mem.stats(now).unwrap(), sql.stats(now).unwrap());
    }
    Ok(())
}

/// The stats property test: after each of `ops` on `s` (a new store), its stats equal a full
/// recount of the tasks at earlier and later times too, with a clock that steps back now and
/// then (`back`).
pub fn stats_equal_a_full_recount(
    s: &dyn TaskStore,
    ops: Vec<Op>,
    back: Vec<i64>,
) -> Result<(), TestCaseError> {
    let (retry, queues, mut now) = (PROP_RETRY, QUEUES, T0);
    let mut ids: Vec<String> = Vec::new();
    let mut steps_back = back.into_iter();
    for op in ops {
        let pick = |p: u8| ids[p as usize % ids.len()].clone();
        match op {
            Op::Enqueue { .. } => {
                let n = enqueued(&op, now);
                let e = s.enqueue(n, now).unwrap();
                if e.created {
                    ids.push(e.task.id);
                }
            }
            Op::Claim { queue, worker } => {
                if let Some(t) = s
                    .claim(queues[queue as usize], &format!("w{worker}"), 1_000, now)
                    .unwrap()
                {
                    prop_assert!(t.run_at <= now, "only due tasks are claimed");
                }
            }
            Op::Complete { pick: p, worker } if !ids.is_empty() => {
                let _ = s.complete("a", &pick(p), &format!("w{worker}"), json!(1), now);
            }
            Op::Fail { pick: p, worker } if !ids.is_empty() => {
                let _ = s.fail("a", &pick(p), &format!("w{worker}"), "x", &retry, now);
            }
            Op::Cancel { pick: p } if !ids.is_empty() => {
                let _ = s.cancel("a", &pick(p), now);
            }
            Op::Heartbeat { pick: p, worker } if !ids.is_empty() => {
                let _ = s.heartbeat("a", &pick(p), &format!("w{worker}"), 1_000, now);
            }
            Op::Purge { retention } => {
                s.purge(retention, now).unwrap();
            }
            Op::Advance { ms } => now += steps_back.next().unwrap_or(ms),
            _ => {}
        }
        for at in [now - 700, now, now + 1_500] {
            prop_assert_eq!(
                s.stats(at).unwrap().queues,
                recount(s, &ids, at),
                "at {}",
                at - now
            );
        }
    }
    Ok(())
}
