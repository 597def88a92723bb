//! The PostgreSQL task store's half of `benches/queue_side_by_side.sh` (the other half is
//! `benches/graphile/bench.mjs`, graphile-worker on the same server): at a concurrency of C
//! worker threads, each with its own store handle,
//! - drain throughput: N tasks enqueued up front, then the time until the workers have
//!   claimed and completed them all, once claiming one task at a time (`claim`) and once ten
//!   at a time (`claim_many`);
//! - add-to-start latency: tasks enqueued one at a time at a steady rate while the workers
//!   idle in `wait_for_task`; latency is the claim's return minus the moment before the
//!   enqueue call (both on one clock: the payload carries it);
//! - rate-limit decisions per second: C threads calling `PgLimitStore::check` (one statement
//!   each) for a fixed time.
//!
//! Prints one JSON line. Against `$XSPENSE_TEST_DATABASE_URL` (a database of its own, dropped
//! at the end); `XSPENSE_BENCH_CONCURRENCY`, `XSPENSE_BENCH_TASKS`,
//! `XSPENSE_BENCH_LATENCY_TASKS` and `XSPENSE_BENCH_RATE` change the defaults below.
//!
//! `XSPENSE_TEST_DATABASE_URL=... cargo bench -p xspense-postgres --features server-tests
//! --bench side_by_side`

#[path = "scratch_db.rs"]
mod scratch_db;

use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};
use xspense::limits::Quota;
use xspense::tasks::{NewTask, Task, TaskStore};
use xspense_postgres::{PgLimitStore, PgTaskStore};

const DEFAULT_CONCURRENCY: usize = 4;
/// Tasks of each drain run.
const DEFAULT_TASKS: usize = 10_000;
/// Tasks whose add-to-start latency is measured, and the rate they are enqueued at.
const DEFAULT_LATENCY_TASKS: usize = 2_000;
const DEFAULT_RATE_PER_S: u64 = 200;
/// The batch of the second drain run.
const BATCH: usize = 10;
const QUEUE: &str = "bench";
const TENANT: &str = "alice";
const LEASE_MS: i64 = 60_000;
/// How long an idle worker waits for a notification before claiming again anyway.
const IDLE_WAIT: Duration = Duration::from_millis(100);
/// How long the rate-limit threads run.
const GCRA_RUN: Duration = Duration::from_secs(3);
/// A quota no check exhausts: every decision is an allow and writes its key.
const GCRA_PER_S: u32 = 1_000;
const GCRA_BURST: u32 = 1_000_000;

struct Config {
    concurrency: usize,
    tasks: usize,
    latency_tasks: usize,
    rate_per_s: u64,
}

fn env_or<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

impl Config {
    fn from_env() -> Config {
        Config {
            concurrency: env_or("XSPENSE_BENCH_CONCURRENCY", DEFAULT_CONCURRENCY),
            tasks: env_or("XSPENSE_BENCH_TASKS", DEFAULT_TASKS),
            latency_tasks: env_or("XSPENSE_BENCH_LATENCY_TASKS", DEFAULT_LATENCY_TASKS),
            rate_per_s: env_or("XSPENSE_BENCH_RATE", DEFAULT_RATE_PER_S),
        }
    }
}

fn wall_ms() -> i64 {
    let since = SystemTime::now().duration_since(UNIX_EPOCH).unwrap();
    i64::try_from(since.as_millis()).unwrap()
}

fn task(payload: Value) -> NewTask {
    NewTask::new(TENANT, QUEUE, "categorize", payload)
}

/// Enqueues `n` tasks from `threads` threads (setup, not the measured drain); tasks/s.
fn fill(url: &str, n: usize, threads: usize) -> f64 {
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|w| {
            let store = PgTaskStore::connect(url).unwrap();
            let count = n / threads + usize::from(w < n % threads);
            std::thread::spawn(move || {
                for i in 0..count {
                    store.enqueue(task(json!({ "n": i })), wall_ms()).unwrap();
                }
            })
        })
        .collect();
    handles.into_iter().for_each(|h| h.join().unwrap());
    n as f64 / started.elapsed().as_secs_f64()
}

/// Claims up to `batch` tasks (one `claim` when `batch` is 1).
fn claim(store: &PgTaskStore, worker: &str, batch: usize) -> Vec<Task> {
    if batch == 1 {
        let one = store.claim(QUEUE, worker, LEASE_MS, wall_ms()).unwrap();
        one.into_iter().collect()
    } else {
        store
            .claim_many(QUEUE, worker, batch, LEASE_MS, wall_ms())
            .unwrap()
    }
}

fn complete(store: &PgTaskStore, worker: &str, t: &Task) {
    store
        .complete(&t.tenant, &t.id, worker, json!(1), wall_ms())
        .unwrap();
}

/// Claims and completes until the queue is empty; tasks/s of the whole drain.
fn drain(url: &str, threads: usize, batch: usize) -> f64 {
    let stores: Vec<_> = (0..threads)
        .map(|_| PgTaskStore::connect(url).unwrap())
        .collect();
    let started = Instant::now();
    let handles: Vec<_> = stores
        .into_iter()
        .enumerate()
        .map(|(w, store)| {
            std::thread::spawn(move || {
                let worker = format!("w{w}");
                let mut done = 0usize;
                loop {
                    let tasks = claim(&store, &worker, batch);
                    if tasks.is_empty() {
                        return done;
                    }
                    tasks.iter().for_each(|t| complete(&store, &worker, t));
                    done += tasks.len();
                }
            })
        })
        .collect();
    let done: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    done as f64 / started.elapsed().as_secs_f64()
}

/// A worker that claims one task at a time, idles in `wait_for_task` while none is due, and
/// notes each task's add-to-start latency (µs) until `stop`.
fn latency_worker(
    store: PgTaskStore,
    w: usize,
    origin: Instant,
    done: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
) -> JoinHandle<Vec<u64>> {
    std::thread::spawn(move || {
        let worker = format!("w{w}");
        let mut seen = Vec::new();
        while !stop.load(Ordering::Relaxed) {
            let Some(t) = store.claim(QUEUE, &worker, LEASE_MS, wall_ms()).unwrap() else {
                store.wait_for_task(IDLE_WAIT).unwrap();
                continue;
            };
            let started = origin.elapsed().as_micros() as u64;
            seen.push(started - t.payload["added_us"].as_u64().unwrap());
            complete(&store, &worker, &t);
            done.fetch_add(1, Ordering::Relaxed);
        }
        seen
    })
}

/// Enqueues `n` tasks at `rate_per_s` while `threads` workers wait for them; the sorted
/// add-to-start latencies in µs.
fn add_to_start(url: &str, threads: usize, n: usize, rate_per_s: u64) -> Vec<u64> {
    let origin = Instant::now();
    let done = Arc::new(AtomicUsize::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let workers: Vec<_> = (0..threads)
        .map(|w| {
            let store = PgTaskStore::connect(url).unwrap();
            latency_worker(store, w, origin, done.clone(), stop.clone())
        })
        .collect();
    let adder = PgTaskStore::connect(url).unwrap();
    // the workers are idle in their first wait by now
    std::thread::sleep(IDLE_WAIT);
    let gap = Duration::from_micros(1_000_000 / rate_per_s);
    let start = Instant::now();
    for i in 0..n {
        let due = start + gap * i as u32;
        std::thread::sleep(due.saturating_duration_since(Instant::now()));
        let added_us = origin.elapsed().as_micros() as u64;
        adder
            .enqueue(task(json!({ "added_us": added_us })), wall_ms())
            .unwrap();
    }
    while done.load(Ordering::Relaxed) < n {
        std::thread::sleep(IDLE_WAIT);
    }
    stop.store(true, Ordering::Relaxed);
    let mut all: Vec<u64> = workers
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    all.sort_unstable();
    all
}

/// Rate-limit decisions per second of `threads` threads, each on its own key.
fn gcra(url: &str, threads: usize) -> f64 {
    let quota = Quota::per_second(GCRA_PER_S, GCRA_BURST).unwrap();
    let total = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let handles: Vec<_> = (0..threads)
        .map(|w| {
            let store = PgLimitStore::connect(url).unwrap();
            let total = total.clone();
            std::thread::spawn(move || {
                let route = format!("route{w}");
                let mut n = 0;
                while started.elapsed() < GCRA_RUN {
                    store.check(&quota, TENANT, &route, 1, wall_ms()).unwrap();
                    n += 1;
                }
                total.fetch_add(n, Ordering::Relaxed);
            })
        })
        .collect();
    handles.into_iter().for_each(|h| h.join().unwrap());
    total.load(Ordering::Relaxed) as f64 / started.elapsed().as_secs_f64()
}

fn percentile_ms(sorted_us: &[u64], p: f64) -> f64 {
    let i = ((sorted_us.len() - 1) as f64 * p).round() as usize;
    sorted_us[i] as f64 / 1_000.0
}

fn main() {
    let server = scratch_db::server();
    let cfg = Config::from_env();
    let name = format!("xspense_side_{}", std::process::id());
    let url = scratch_db::create(&server, &name);
    let c = cfg.concurrency;

    let enqueue_per_s = fill(&url, cfg.tasks, c);
    let drain_1 = drain(&url, c, 1);
    fill(&url, cfg.tasks, c);
    let drain_batch = drain(&url, c, BATCH);
    let lat = add_to_start(&url, c, cfg.latency_tasks, cfg.rate_per_s);
    let decisions = gcra(&url, c);

    let round = |x: f64| (x * 1_000.0).round() / 1_000.0;
    println!(
        "{}",
        json!({
            "queue": "xspense",
            "concurrency": c,
            "tasks": cfg.tasks,
            "enqueue_per_s": enqueue_per_s.round(),
            "drain_per_s": drain_1.round(),
            "drain_batch": BATCH,
            "drain_batched_per_s": drain_batch.round(),
            "latency_tasks": lat.len(),
            "rate_per_s": cfg.rate_per_s,
            "p50_ms": round(percentile_ms(&lat, 0.50)),
            "p90_ms": round(percentile_ms(&lat, 0.90)),
            "p99_ms": round(percentile_ms(&lat, 0.99)),
            "max_ms": round(percentile_ms(&lat, 1.0)),
            "gcra_decisions_per_s": decisions.round(),
        })
    );
    scratch_db::drop(&server, &name);
}
