//! What only this store offers: claiming several tasks at once, many workers claiming
//! concurrently without waiting for nor sharing a task, and the LISTEN/NOTIFY wake-up.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use common::TestDb;
use serde_json::json;
use xspense::tasks::{NewTask, TaskStatus, TaskStore};
use xspense_postgres::PgTaskStore;

const T0: i64 = 1_700_000_000_000;

fn new(tenant: &str) -> NewTask {
    NewTask::new(tenant, "q", "work", json!({}))
}

#[test]
fn claim_many_takes_up_to_n_in_claim_order() {
    let db = TestDb::new();
    let s = PgTaskStore::connect(&db.url).unwrap();
    let low = s.enqueue(new("a").priority(0), T0).unwrap().task;
    let high = s.enqueue(new("b").priority(5), T0 + 1).unwrap().task;
    let older = s
        .enqueue(new("a").priority(0).run_at(T0 - 10), T0)
        .unwrap()
        .task;
    s.enqueue(new("a").run_at(T0 + 60_000), T0).unwrap();
    let got = s.claim_many("q", "w", 10, 1_000, T0 + 5).unwrap();
    let ids: Vec<_> = got.iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, [&high.id, &older.id, &low.id], "the future task waits");
    assert!(got
        .iter()
        .all(|t| t.status == TaskStatus::Claimed && t.attempts == 1));
    assert!(s
        .claim_many("q", "w", 10, 1_000, T0 + 5)
        .unwrap()
        .is_empty());
    assert!(s.claim_many("q", "w", 0, 1_000, T0).unwrap().is_empty());
    assert!(s.claim_many("q", "", 1, 1_000, T0).is_err());
    // after the lease, all three come back, two at a time
    let again = s.claim_many("q", "w2", 2, 1_000, T0 + 2_000).unwrap();
    assert_eq!(again.len(), 2);
    assert!(again.iter().all(|t| t.attempts == 2));
}

#[test]
fn concurrent_workers_never_share_a_task() {
    const TASKS: usize = 400;
    const WORKERS: usize = 6;
    let db = TestDb::new();
    let s = PgTaskStore::connect(&db.url).unwrap();
    for i in 0..TASKS {
        s.enqueue(new(["a", "b"][i % 2]), T0).unwrap();
    }
    let handles: Vec<_> = (0..WORKERS)
        .map(|w| {
            let s = PgTaskStore::connect(&db.url).unwrap();
            std::thread::spawn(move || {
                let worker = format!("w{w}");
                let mut mine = Vec::new();
                loop {
                    let batch = s.claim_many("q", &worker, 1 + w % 3, 60_000, T0).unwrap();
                    if batch.is_empty() {
                        return mine;
                    }
                    for t in batch {
                        s.complete(&t.tenant, &t.id, &worker, json!(w), T0 + 1)
                            .unwrap();
                        mine.push(t.id);
                    }
                }
            })
        })
        .collect();
    let mut seen = HashSet::new();
    for h in handles {
        for id in h.join().unwrap() {
            assert!(seen.insert(id.clone()), "{id} claimed twice");
        }
    }
    let stats = s.stats(T0 + 2).unwrap();
    assert_eq!(stats.completed_total as usize, seen.len());
}

#[test]
fn an_enqueue_wakes_a_waiting_worker() {
    let db = TestDb::new();
    let s = PgTaskStore::connect(&db.url).unwrap();
    let started = Instant::now();
    assert!(
        !s.wait_for_task(Duration::from_millis(100)).unwrap(),
        "nothing came"
    );
    assert!(started.elapsed() >= Duration::from_millis(100));
    let url = db.url.clone();
    let producer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(200));
        PgTaskStore::connect(&url)
            .unwrap()
            .enqueue(new("a"), T0)
            .unwrap();
    });
    let started = Instant::now();
    assert!(s.wait_for_task(Duration::from_secs(10)).unwrap());
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "woken, not timed out"
    );
    producer.join().unwrap();
    assert!(s.claim("q", "w", 1_000, T0).unwrap().is_some());
}

#[test]
fn tenants_with_quotes_and_backslashes_stay_apart_and_a_refusal_rolls_back() {
    // the hot path sends the tenant as a quoted literal (`BEGIN` and the role in one round
    // trip): a tenant that looks like SQL is still one tenant
    let db = TestDb::new();
    let s = PgTaskStore::connect(&db.url).unwrap();
    let odd = r"o'b\'; SELECT 1; --";
    let near = r"o'b\";
    let a = s.enqueue(new(odd), T0).unwrap().task;
    let b = s.enqueue(new(near), T0).unwrap().task;
    assert_eq!((a.tenant.as_str(), b.tenant.as_str()), (odd, near));
    assert!(
        s.get(near, &a.id).is_err(),
        "the other tenant's task is hidden"
    );
    assert_eq!(s.claim_many("q", "w", 10, 1_000, T0).unwrap().len(), 2);
    // refusals roll back, and the pooled connection serves the next call
    for _ in 0..3 {
        assert!(s.complete(near, &a.id, "w", json!(1), T0).is_err());
        assert!(s.complete(odd, &a.id, "other", json!(1), T0).is_err());
    }
    s.complete(odd, &a.id, "w", json!(1), T0).unwrap();
    s.complete(near, &b.id, "w", json!(2), T0).unwrap();
    assert_eq!(s.get(odd, &a.id).unwrap().status, TaskStatus::Completed);
    assert_eq!(s.get(near, &b.id).unwrap().result, Some(json!(2)));
    assert_eq!(s.stats(T0).unwrap().completed_total, 2);
}
