//! Claim latency of the PostgreSQL task store with a backlog of due tasks, and claim →
//! complete throughput of several workers, against the server at
//! `$XSPENSE_TEST_DATABASE_URL` (a database of its own, dropped at the end).
//!
//! `XSPENSE_TEST_DATABASE_URL=... cargo bench -p xspense-postgres --features server-tests
//! --bench claim` (scripts/test-postgres.sh prints the URL of the cluster it starts).

#[path = "scratch_db.rs"]
mod scratch_db;

use std::time::{Duration, Instant};

use serde_json::json;
use xspense::tasks::{NewTask, TaskStore};
use xspense_postgres::PgTaskStore;

const T0: i64 = 1_700_000_000_000;
const LEASE_MS: i64 = 60_000;
/// Due tasks waiting while claims are timed.
const BACKLOG: usize = 20_000;
/// Claims timed one by one.
const TIMED_CLAIMS: usize = 2_000;
/// Worker threads of the throughput run, and the batch each claims.
const WORKERS: usize = 4;
const BATCH: usize = 10;
/// Priorities of the backlog.
const PRIORITIES: i32 = 3;

fn task(i: usize) -> NewTask {
    NewTask::new(
        ["alice", "bob"][i % 2],
        "q",
        "categorize",
        json!({ "n": i }),
    )
    .priority(i as i32 % PRIORITIES)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p) as usize]
}

fn main() {
    let server = scratch_db::server();
    let name = format!("xspense_bench_{}", std::process::id());
    let url = scratch_db::create(&server, &name);
    let store = PgTaskStore::connect(&url).unwrap();

    // the backlog in one statement per 1,000 rows would be faster; enqueue is what hosts call
    let fill = Instant::now();
    for i in 0..BACKLOG + TIMED_CLAIMS {
        store.enqueue(task(i), T0).unwrap();
    }
    let fill = fill.elapsed();
    println!(
        "enqueue: {:.0} tasks/s (one transaction each, {} tasks)",
        (BACKLOG + TIMED_CLAIMS) as f64 / fill.as_secs_f64(),
        BACKLOG + TIMED_CLAIMS
    );

    let mut lat = Vec::with_capacity(TIMED_CLAIMS);
    for _ in 0..TIMED_CLAIMS {
        let t = Instant::now();
        store.claim("q", "timer", LEASE_MS, T0).unwrap().unwrap();
        lat.push(t.elapsed());
    }
    lat.sort();
    println!(
        "claim with {BACKLOG}+ due: p50 {:?}, p99 {:?}",
        percentile(&lat, 0.5),
        percentile(&lat, 0.99)
    );

    let started = Instant::now();
    let handles: Vec<_> = (0..WORKERS)
        .map(|w| {
            let s = PgTaskStore::connect(&url).unwrap();
            std::thread::spawn(move || {
                let worker = format!("w{w}");
                let mut done = 0usize;
                loop {
                    let batch = s.claim_many("q", &worker, BATCH, LEASE_MS, T0).unwrap();
                    if batch.is_empty() {
                        return done;
                    }
                    for t in batch {
                        s.complete(&t.tenant, &t.id, &worker, json!(1), T0).unwrap();
                        done += 1;
                    }
                }
            })
        })
        .collect();
    let done: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    let took = started.elapsed();
    println!(
        "claim_many({BATCH}) + complete, {WORKERS} workers: {done} tasks in {took:?}, {:.0} tasks/s",
        done as f64 / took.as_secs_f64()
    );
    drop(store);
    scratch_db::drop(&server, &name);
}
