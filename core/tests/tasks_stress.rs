//! 8 threads claim and complete 100,000 tasks from one in-memory store, with random failures
//! and abandoned leases; every task must end completed or dead, and completed exactly once.

use std::sync::atomic::{AtomicI64, AtomicU32, AtomicUsize, Ordering};
use std::sync::Arc;

use serde_json::json;
use xspense::tasks::{InMemoryTaskStore, NewTask, RetryPolicy, TaskStatus, TaskStore};

const TASKS: usize = 100_000;
const THREADS: usize = 8;

#[test]
fn eight_threads_finish_every_task_exactly_once() {
    let store = Arc::new(InMemoryTaskStore::new());
    let clock = Arc::new(AtomicI64::new(1_000_000));
    let mut ids = Vec::with_capacity(TASKS);
    for i in 0..TASKS {
        let t = store
            .enqueue(
                NewTask::new("t", "q", "work", json!({ "i": i })).max_attempts(3),
                clock.load(Ordering::SeqCst),
            )
            .unwrap()
            .task;
        ids.push(t.id);
    }
    let index: std::collections::HashMap<String, usize> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| (id.clone(), i))
        .collect();
    let index = Arc::new(index);
    let accepted: Arc<Vec<AtomicU32>> = Arc::new((0..TASKS).map(|_| AtomicU32::new(0)).collect());
    let abandoned = Arc::new(AtomicUsize::new(0));
    let failed = Arc::new(AtomicUsize::new(0));
    let retry = RetryPolicy {
        base_ms: 5,
        factor: 2.0,
        max_ms: 50,
        jitter: 0.5,
    };

    let handles: Vec<_> = (0..THREADS)
        .map(|w| {
            let (store, clock, index, accepted, abandoned, failed) = (
                store.clone(),
                clock.clone(),
                index.clone(),
                accepted.clone(),
                abandoned.clone(),
                failed.clone(),
            );
            std::thread::spawn(move || {
                let worker = format!("w{w}");
                let mut rng: u64 = 0x9e37_79b9_7f4a_7c15 ^ (w as u64 + 1);
                let mut idle = 0;
                loop {
                    let now = clock.fetch_add(1, Ordering::SeqCst);
                    let Some(task) = store.claim("q", &worker, 50, now).unwrap() else {
                        let s = store.stats(now).unwrap();
                        let q = &s.queues["q"];
                        let open = q.by_status.get(&TaskStatus::Pending).copied().unwrap_or(0)
                            + q.by_status.get(&TaskStatus::Claimed).copied().unwrap_or(0);
                        if open == 0 {
                            break;
                        }
                        // let backoffs and abandoned leases run out
                        clock.fetch_add(20, Ordering::SeqCst);
                        idle += 1;
                        assert!(idle < 1_000_000, "no progress");
                        continue;
                    };
                    rng ^= rng << 13;
                    rng ^= rng >> 7;
                    rng ^= rng << 17;
                    let now = clock.load(Ordering::SeqCst);
                    match rng % 100 {
                        0..=79 => {
                            if store
                                .complete("t", &task.id, &worker, json!("ok"), now)
                                .is_ok()
                            {
                                accepted[index[&task.id]].fetch_add(1, Ordering::SeqCst);
                            }
                        }
                        80..=94 => {
                            if store
                                .fail("t", &task.id, &worker, "flaky", &retry, now)
                                .is_ok()
                            {
                                failed.fetch_add(1, Ordering::SeqCst);
                            }
                        }
                        _ => {
                            // the worker crashes: its lease runs out
                            abandoned.fetch_add(1, Ordering::SeqCst);
                        }
                    }
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }

    let (mut completed, mut dead) = (0, 0);
    for (i, id) in ids.iter().enumerate() {
        let t = store.get("t", id).unwrap();
        let n = accepted[i].load(Ordering::SeqCst);
        match t.status {
            TaskStatus::Completed => {
                assert_eq!(n, 1, "{id} completed {n} times");
                completed += 1;
            }
            TaskStatus::Dead => {
                assert_eq!(n, 0, "{id} is dead but was completed");
                assert_eq!(t.attempts, t.max_attempts, "{id} died early");
                dead += 1;
            }
            other => panic!("{id} ended {other:?}"),
        }
    }
    assert_eq!(completed + dead, TASKS);
    let stats = store.stats(clock.load(Ordering::SeqCst)).unwrap();
    assert_eq!(stats.dead_letters, dead);
    assert_eq!(stats.completed_total as usize, completed);
    eprintln!(
        "completed {completed}, dead {dead}, failures {}, abandoned leases {}",
        failed.load(Ordering::SeqCst),
        abandoned.load(Ordering::SeqCst)
    );
    assert!(
        dead > 0 && abandoned.load(Ordering::SeqCst) > 0,
        "the run exercised dead letters and expiries"
    );
}
