use super::*;
use crate::clock::Millis;
use crate::error::ErrorCode;
use proptest::prelude::*;
use serde_json::json;

const T0: i64 = 1_700_000_000_000;

fn new(tenant: &str, queue: &str) -> NewTask {
    NewTask::new(tenant, queue, "work", json!({"n": 1}))
}

#[test]
fn priority_then_age_decides_the_claim_order() {
    let s = InMemoryTaskStore::new();
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
    assert_eq!(
        order,
        [high.id.clone(), low.id.clone()],
        "the delayed task is not due yet"
    );
    for t in [&high, &low] {
        s.complete("a", &t.id, "w", json!(null), T0 + 20).unwrap();
    }
    let due = s.claim("q", "w", 1_000, T0 + 60_000).unwrap().unwrap();
    assert_eq!(due.id, later.id);
    assert!(s.claim("other", "w", 1_000, T0).unwrap().is_none());
}

#[test]
fn illegal_transitions_are_typed_errors() {
    let s = InMemoryTaskStore::new();
    let t = s.enqueue(new("a", "q"), T0).unwrap().task;
    let e = s.complete("a", &t.id, "w", json!(1), T0).unwrap_err();
    assert_eq!(
        e.code(),
        ErrorCode::LeaseLost,
        "pending task cannot complete"
    );
    s.claim("q", "w", 1_000, T0).unwrap().unwrap();
    s.complete("a", &t.id, "w", json!(1), T0 + 1).unwrap();
    assert_eq!(
        s.complete("a", &t.id, "w", json!(1), T0 + 2)
            .unwrap_err()
            .code(),
        ErrorCode::InvalidTransition
    );
    assert_eq!(
        s.cancel("a", &t.id, T0 + 3).unwrap_err().code(),
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
}

#[test]
fn tenants_never_see_each_other() {
    let s = InMemoryTaskStore::new();
    let t = s.enqueue(new("a", "q"), T0).unwrap().task;
    assert_eq!(s.get("b", &t.id).unwrap_err().code(), ErrorCode::NotFound);
    assert_eq!(
        s.cancel("b", &t.id, T0).unwrap_err().code(),
        ErrorCode::NotFound
    );
    let c = s.claim("q", "w", 1_000, T0).unwrap().unwrap();
    assert_eq!(
        s.complete("b", &c.id, "w", json!(1), T0)
            .unwrap_err()
            .code(),
        ErrorCode::NotFound
    );
    // the same idempotency key in two tenants makes two tasks
    let x = s.enqueue(new("a", "q").idempotency_key("k"), T0).unwrap();
    let y = s.enqueue(new("b", "q").idempotency_key("k"), T0).unwrap();
    assert!(x.created && y.created && x.task.id != y.task.id);
}

#[test]
fn idempotency_key_returns_the_task_until_retention_ends() {
    let s = InMemoryTaskStore::new();
    let first = s
        .enqueue(new("a", "q").idempotency_key("import-7"), T0)
        .unwrap();
    let again = s
        .enqueue(new("a", "q").idempotency_key("import-7"), T0 + 5)
        .unwrap();
    assert!(first.created && !again.created);
    assert_eq!(first.task.id, again.task.id);
    let c = s.claim("q", "w", 1_000, T0 + 10).unwrap().unwrap();
    s.complete("a", &c.id, "w", json!("ok"), T0 + 20).unwrap();
    let after = s
        .enqueue(new("a", "q").idempotency_key("import-7"), T0 + 30)
        .unwrap();
    assert!(!after.created);
    assert_eq!(after.task.status, TaskStatus::Completed);
    assert_eq!(s.purge(3_600_000, T0 + 40).unwrap(), 0, "inside retention");
    assert_eq!(s.purge(3_600_000, T0 + 3_600_021).unwrap(), 1);
    assert!(
        s.enqueue(new("a", "q").idempotency_key("import-7"), T0 + 3_600_030)
            .unwrap()
            .created
    );
}

#[test]
fn failures_back_off_then_die_and_downstream_keeps_the_correlation() {
    let s = InMemoryTaskStore::new();
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
            assert!(
                s.claim("q", "w", 5_000, now).unwrap().is_none(),
                "not before the backoff"
            );
            now = back.run_at;
        } else {
            assert_eq!(status, TaskStatus::Dead);
        }
    }
    let st = s.stats(now).unwrap();
    assert_eq!(st.dead_letters, 1);
    assert_eq!(st.failed_total, 3);
    let parent = s.get("a", &t.id).unwrap();
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

#[test]
fn heartbeats_keep_the_lease() {
    let s = InMemoryTaskStore::new();
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

#[test]
fn jitter_is_deterministic_and_bounded() {
    let p = RetryPolicy {
        base_ms: 1_000,
        factor: 2.0,
        max_ms: 8_000,
        jitter: 0.5,
    };
    for attempt in 1..10 {
        let d = p.delay("task_1", attempt);
        let cap = (1_000.0 * 2f64.powi(attempt as i32 - 1)).min(8_000.0);
        assert!(d as f64 <= cap && d as f64 >= cap * 0.5, "{attempt}: {d}");
        assert_eq!(d, p.delay("task_1", attempt));
    }
    assert!(RetryPolicy { jitter: 2.0, ..p }.validate().is_err());
}

/// Operations of the state-machine property test.
#[derive(Debug, Clone)]
enum Op {
    Enqueue { key: Option<u8>, max_attempts: u32 },
    Claim { worker: u8 },
    Complete { pick: u8, worker: u8 },
    Fail { pick: u8, worker: u8 },
    Cancel { pick: u8 },
    Heartbeat { pick: u8, worker: u8 },
    Advance { ms: i64 },
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (prop::option::of(0u8..4), 1u32..4)
            .prop_map(|(key, max_attempts)| Op::Enqueue { key, max_attempts }),
        (0u8..3).prop_map(|worker| Op::Claim { worker }),
        (any::<u8>(), 0u8..3).prop_map(|(pick, worker)| Op::Complete { pick, worker }),
        (any::<u8>(), 0u8..3).prop_map(|(pick, worker)| Op::Fail { pick, worker }),
        any::<u8>().prop_map(|pick| Op::Cancel { pick }),
        (any::<u8>(), 0u8..3).prop_map(|(pick, worker)| Op::Heartbeat { pick, worker }),
        (0i64..3_000).prop_map(|ms| Op::Advance { ms }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// Against a simple model: no task is lost, none completes twice, a completion is accepted
    /// only from the current lease holder, and every dead task used all its attempts.
    #[test]
    fn state_machine_matches_the_model(ops in prop::collection::vec(op(), 1..80)) {
        let s = InMemoryTaskStore::new();
        let retry = RetryPolicy { base_ms: 100, factor: 2.0, max_ms: 1_000, jitter: 0.3 };
        let lease = 1_000;
        let mut now = T0;
        let mut ids: Vec<String> = Vec::new();
        // model: id -> (holder, lease expiry) for tasks we believe are claimed
        let mut held: std::collections::HashMap<String, (u8, i64)> = Default::default();
        let mut completions: std::collections::HashMap<String, u32> = Default::default();
        for op in ops {
            match op {
                Op::Enqueue { key, max_attempts } => {
                    let mut n = new("a", "q").max_attempts(max_attempts);
                    if let Some(k) = key { n = n.idempotency_key(format!("k{k}")); }
                    let e = s.enqueue(n, now).unwrap();
                    if e.created { ids.push(e.task.id); } else { prop_assert!(ids.contains(&e.task.id)); }
                }
                Op::Claim { worker } => {
                    if let Some(t) = s.claim("q", &format!("w{worker}"), lease, now).unwrap() {
                        prop_assert!(t.attempts <= t.max_attempts);
                        if let Some((_, exp)) = held.get(&t.id) {
                            prop_assert!(*exp <= now, "claimed while another lease was live");
                        }
                        held.insert(t.id.clone(), (worker, now + lease));
                    }
                }
                Op::Complete { pick, worker } if !ids.is_empty() => {
                    let id = &ids[pick as usize % ids.len()];
                    let ok = s.complete("a", id, &format!("w{worker}"), json!(1), now).is_ok();
                    let live_holder = held.get(id).is_some_and(|&(w, exp)| w == worker && exp > now);
                    prop_assert_eq!(ok, live_holder, "complete accepted iff the caller holds a live lease");
                    if ok { *completions.entry(id.clone()).or_default() += 1; held.remove(id); }
                }
                Op::Fail { pick, worker } if !ids.is_empty() => {
                    let id = &ids[pick as usize % ids.len()];
                    let r = s.fail("a", id, &format!("w{worker}"), "x", &retry, now);
                    let live_holder = held.get(id).is_some_and(|&(w, exp)| w == worker && exp > now);
                    prop_assert_eq!(r.is_ok(), live_holder);
                    if r.is_ok() { held.remove(id); }
                }
                Op::Heartbeat { pick, worker } if !ids.is_empty() => {
                    let id = &ids[pick as usize % ids.len()];
                    let r = s.heartbeat("a", id, &format!("w{worker}"), lease, now);
                    let live_holder = held.get(id).is_some_and(|&(w, exp)| w == worker && exp > now);
                    prop_assert_eq!(r.is_ok(), live_holder);
                    if r.is_ok() { held.insert(id.clone(), (worker, now + lease)); }
                }
                Op::Cancel { pick } if !ids.is_empty() => {
                    let id = ids[pick as usize % ids.len()].clone();
                    if s.cancel("a", &id, now).is_ok() { held.remove(&id); }
                }
                Op::Advance { ms } => now += ms,
                _ => {}
            }
        }
        // nothing lost, nothing completed twice, dead means exhausted
        for id in &ids {
            let t = s.get("a", id).unwrap();
            prop_assert!(completions.get(id).copied().unwrap_or(0) <= 1);
            prop_assert_eq!(t.status == TaskStatus::Completed, completions.contains_key(id));
            if t.status == TaskStatus::Dead {
                prop_assert_eq!(t.attempts, t.max_attempts);
            }
        }
        let st = s.stats(now).unwrap();
        let total: usize = st.queues.values().flat_map(|q| q.by_status.values()).sum();
        prop_assert_eq!(total, ids.len());
    }
}

/// What `stats` must say, counted the slow way from every task `get` still finds.
fn recount(
    s: &InMemoryTaskStore,
    tenant: &str,
    ids: &[String],
    now: i64,
) -> Vec<(String, QueueCounts)> {
    let mut queues: std::collections::BTreeMap<String, QueueCounts> = Default::default();
    for id in ids {
        let Ok(t) = s.get(tenant, id) else {
            continue; // purged
        };
        let q = queues.entry(t.queue.clone()).or_default();
        *q.by_status.entry(t.status).or_default() += 1;
        if t.status == TaskStatus::Pending && t.run_at <= now {
            q.due += 1;
            let age = now - t.run_at;
            q.oldest_due_age_ms = Some(q.oldest_due_age_ms.map_or(age, |a| a.max(age)));
        }
    }
    queues.into_iter().collect()
}

fn stats_queues(s: &InMemoryTaskStore, now: i64) -> Vec<(String, QueueCounts)> {
    s.stats(now).unwrap().queues.into_iter().collect()
}

fn count(st: &QueueStats, queue: &str, status: TaskStatus) -> usize {
    st.queues[queue]
        .by_status
        .get(&status)
        .copied()
        .unwrap_or(0)
}

#[test]
fn stats_counters_follow_every_transition() {
    let s = InMemoryTaskStore::new();
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
    let later = s
        .enqueue(new("a", "other").run_at(T0 + 5_000), T0)
        .unwrap()
        .task;
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
    s.claim("q", "w", 1_000, T0 + 50).unwrap().unwrap(); // abandoned: its lease runs out
    s.cancel("a", &ids[4], T0 + 60).unwrap();
    let st = s.stats(T0 + 70).unwrap();
    let q = &st.queues["q"];
    assert_eq!(q.by_status.get(&TaskStatus::Completed), Some(&1));
    assert_eq!(q.by_status.get(&TaskStatus::Claimed), Some(&1));
    assert_eq!(q.by_status.get(&TaskStatus::Cancelled), Some(&1));
    assert_eq!(
        q.by_status.get(&TaskStatus::Pending),
        Some(&2),
        "one waits for its retry"
    );
    assert_eq!(q.due, 1);
    assert_eq!(q.oldest_due_age_ms, Some(70));
    assert!(
        !q.by_status.contains_key(&TaskStatus::Dead),
        "zero counts are left out"
    );

    // the delayed task becomes due, the abandoned lease expires (attempt 1 of 2: pending again)
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
    s.claim("q", "w", 1_000, T0 + 6_000).unwrap().unwrap();
    let st = s.stats(T0 + 6_000).unwrap();
    assert_eq!(count(&st, "q", TaskStatus::Claimed), 1);
    assert_eq!(count(&st, "q", TaskStatus::Pending), 2);
    // an earlier `now` counts only what was due by then
    assert_eq!(s.stats(T0).unwrap().queues["other"].due, 0);
    assert_eq!(
        stats_queues(&s, T0 + 6_000),
        recount(&s, "a", &[&ids[..], &[later.id]].concat(), T0 + 6_000)
    );
}

#[test]
fn purge_forgets_only_old_final_tasks_and_their_counts() {
    let s = InMemoryTaskStore::new();
    let a = s
        .enqueue(new("a", "q").idempotency_key("k"), T0)
        .unwrap()
        .task;
    let b = s.enqueue(new("a", "q"), T0).unwrap().task;
    s.enqueue(new("a", "q"), T0).unwrap();
    s.cancel("a", &a.id, T0 + 10).unwrap();
    s.cancel("a", &b.id, T0 + 500).unwrap();
    assert_eq!(
        s.purge(1_000, T0 + 1_010).unwrap(),
        0,
        "a finished 1,000 ms ago, not more"
    );
    assert_eq!(s.purge(1_000, T0 + 1_011).unwrap(), 1);
    assert_eq!(s.get("a", &a.id).unwrap_err().code(), ErrorCode::NotFound);
    assert!(
        s.enqueue(new("a", "q").idempotency_key("k"), T0 + 1_012)
            .unwrap()
            .created
    );
    let st = s.stats(T0 + 1_012).unwrap();
    assert_eq!(count(&st, "q", TaskStatus::Cancelled), 1);
    assert_eq!(count(&st, "q", TaskStatus::Pending), 2);
    // a queue whose tasks are all purged leaves the stats
    let x = s.enqueue(new("a", "gone"), T0).unwrap().task;
    s.cancel("a", &x.id, T0).unwrap();
    assert!(s.stats(T0).unwrap().queues.contains_key("gone"));
    assert_eq!(s.purge(0, T0 + 1_000_000).unwrap(), 2, "b and x");
    assert!(!s.stats(T0 + 1_000_000).unwrap().queues.contains_key("gone"));
    assert_eq!(s.purge(0, T0 + 1_000_000).unwrap(), 0);
    assert_eq!(
        s.purge(Millis::MAX, T0 + 1_000_000).unwrap(),
        0,
        "no overflow"
    );
}

/// Operations of the stats property test: two queues, delays, priorities, purges and a clock
/// that may step back (hosts' clocks do).
#[derive(Debug, Clone)]
enum StatsOp {
    Enqueue {
        queue: u8,
        key: Option<u8>,
        delay: i64,
        priority: i32,
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

fn stats_op() -> impl Strategy<Value = StatsOp> {
    prop_oneof![
        3 => (0u8..2, prop::option::of(0u8..4), prop_oneof![Just(0i64), 0i64..3_000], 0i32..3)
            .prop_map(|(queue, key, delay, priority)| StatsOp::Enqueue { queue, key, delay, priority }),
        3 => (0u8..2, 0u8..3).prop_map(|(queue, worker)| StatsOp::Claim { queue, worker }),
        1 => (any::<u8>(), 0u8..3).prop_map(|(pick, worker)| StatsOp::Complete { pick, worker }),
        1 => (any::<u8>(), 0u8..3).prop_map(|(pick, worker)| StatsOp::Fail { pick, worker }),
        1 => any::<u8>().prop_map(|pick| StatsOp::Cancel { pick }),
        1 => (any::<u8>(), 0u8..3).prop_map(|(pick, worker)| StatsOp::Heartbeat { pick, worker }),
        1 => (0i64..4_000).prop_map(|retention| StatsOp::Purge { retention }),
        2 => (-800i64..3_000).prop_map(|ms| StatsOp::Advance { ms }),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    /// After any sequence of operations, `stats` (kept incrementally) equals a full recount of
    /// the tasks, at the current time and at earlier and later ones.
    #[test]
    fn stats_equal_a_full_recount(ops in prop::collection::vec(stats_op(), 1..120)) {
        let s = InMemoryTaskStore::new();
        let retry = RetryPolicy { base_ms: 100, factor: 2.0, max_ms: 1_000, jitter: 0.3 };
        let queues = ["q", "r"];
        let mut now = T0;
        let mut ids: Vec<String> = Vec::new();
        let mut completed = 0u64;
        for op in ops {
            let pick = |p: u8| ids[p as usize % ids.len()].clone();
            match op {
                StatsOp::Enqueue { queue, key, delay, priority } => {
                    let mut n = new("a", queues[queue as usize]).max_attempts(2).priority(priority);
                    if delay > 0 { n = n.run_at(now + delay); }
                    if let Some(k) = key { n = n.idempotency_key(format!("k{k}")); }
                    let e = s.enqueue(n, now).unwrap();
                    if e.created { ids.push(e.task.id); }
                }
                StatsOp::Claim { queue, worker } => {
                    s.claim(queues[queue as usize], &format!("w{worker}"), 1_000, now).unwrap();
                }
                StatsOp::Complete { pick: p, worker } if !ids.is_empty() => {
                    completed += u64::from(s.complete("a", &pick(p), &format!("w{worker}"), json!(1), now).is_ok());
                }
                StatsOp::Fail { pick: p, worker } if !ids.is_empty() => {
                    let _ = s.fail("a", &pick(p), &format!("w{worker}"), "x", &retry, now);
                }
                StatsOp::Cancel { pick: p } if !ids.is_empty() => {
                    let _ = s.cancel("a", &pick(p), now);
                }
                StatsOp::Heartbeat { pick: p, worker } if !ids.is_empty() => {
                    let _ = s.heartbeat("a", &pick(p), &format!("w{worker}"), 1_000, now);
                }
                StatsOp::Purge { retention } => {
                    s.purge(retention, now).unwrap();
                }
                StatsOp::Advance { ms } => now += ms,
                _ => {}
            }
            for at in [now - 700, now, now + 1_500] {
                prop_assert_eq!(stats_queues(&s, at), recount(&s, "a", &ids, at), "at {}", at - now);
            }
            let st = s.stats(now).unwrap();
            prop_assert_eq!(st.completed_total, completed);
            let dead = recount(&s, "a", &ids, now)
                .iter()
                .map(|(_, q)| q.by_status.get(&TaskStatus::Dead).copied().unwrap_or(0))
                .sum::<usize>();
            prop_assert_eq!(st.dead_letters, dead);
        }
    }
}

#[test]
fn a_large_backlog_slows_neither_claims_nor_stats() {
    // Debug builds are slow; the point is that the cost does not grow with the backlog.
    const BACKLOG: usize = 200_000;
    let s = InMemoryTaskStore::new();
    for i in 0..BACKLOG {
        s.enqueue(new("a", "q").priority((i % 3) as i32), T0)
            .unwrap();
    }
    let started = std::time::Instant::now();
    for i in 0..100 {
        let t = s.claim("q", "w", 1_000, T0 + i).unwrap().unwrap();
        s.complete("a", &t.id, "w", json!(null), T0 + i).unwrap();
        s.stats(T0 + i).unwrap();
    }
    let per_step = started.elapsed() / 100;
    assert!(
        per_step < std::time::Duration::from_millis(5),
        "claim + complete + stats took {per_step:?} with {BACKLOG} due tasks"
    );
    assert_eq!(s.stats(T0 + 100).unwrap().queues["q"].due, BACKLOG - 100);
}
