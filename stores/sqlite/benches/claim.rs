//! Claim latency of the SQLite task store with 10k and 100k due tasks, and enqueue → claim →
//! complete throughput, on a database file, with both durabilities.
//!
//! `cargo bench -p xspense-sqlite --bench claim`; set `XSPENSE_BENCH_MILLION=1` to add a
//! backlog of 1M due tasks (about a minute to fill).

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde_json::json;
use xspense::tasks::{NewTask, TaskStore};
use xspense_sqlite::{Durability, Options, SqliteTaskStore};

const T0: i64 = 1_700_000_000_000;
const LEASE_MS: i64 = 60_000;
/// Priorities of the backlog: claims seek once per priority above the first due task's.
const PRIORITIES: i32 = 3;
const MILLION: usize = 1_000_000;

fn task(i: usize) -> NewTask {
    NewTask::new("bench", "q", "categorize", json!({ "n": i })).priority(i as i32 % PRIORITIES)
}

fn store(dir: &tempfile::TempDir, durability: Durability, backlog: usize) -> SqliteTaskStore {
    let options = Options {
        durability,
        ..Options::default()
    };
    let path = dir.path().join("bench.db");
    {
        // filled without a sync per task
        let fill = SqliteTaskStore::open_with(
            &path,
            Options {
                durability: Durability::Normal,
                ..options
            },
        )
        .unwrap();
        for i in 0..backlog {
            fill.enqueue(task(i), T0).unwrap();
        }
    }
    SqliteTaskStore::open_with(&path, options).unwrap()
}

fn name(d: Durability) -> &'static str {
    match d {
        Durability::Full => "full",
        Durability::Normal => "normal",
    }
}

fn claim_latency(c: &mut Criterion) {
    let mut g = c.benchmark_group("sqlite_claim");
    g.sample_size(20).measurement_time(Duration::from_secs(4));
    let mut backlogs = vec![10_000, 100_000];
    if std::env::var_os("XSPENSE_BENCH_MILLION").is_some() {
        backlogs.push(MILLION);
    }
    for durability in [Durability::Full, Durability::Normal] {
        for &backlog in &backlogs {
            let dir = tempfile::tempdir().unwrap();
            // filled on first use: a filtered-out benchmark costs nothing
            let mut filled: Option<SqliteTaskStore> = None;
            let mut next = backlog;
            g.bench_with_input(
                BenchmarkId::new(name(durability), backlog),
                &backlog,
                |b, _| {
                    let s = filled.get_or_insert_with(|| store(&dir, durability, backlog));
                    // only the claims are timed; each claimed task is then completed and
                    // replaced, so the backlog stays the same size
                    b.iter_custom(|iters| {
                        let mut timed = Duration::ZERO;
                        for _ in 0..iters {
                            let started = Instant::now();
                            let t = s.claim("q", "w", LEASE_MS, T0).unwrap().unwrap();
                            timed += started.elapsed();
                            s.complete("bench", &t.id, "w", json!(null), T0).unwrap();
                            s.enqueue(task(next), T0).unwrap();
                            next += 1;
                        }
                        timed
                    })
                },
            );
        }
    }
    g.finish();
}

fn round_trip(c: &mut Criterion) {
    let mut g = c.benchmark_group("sqlite_enqueue_claim_complete");
    g.sample_size(20)
        .measurement_time(Duration::from_secs(4))
        .throughput(Throughput::Elements(1));
    for durability in [Durability::Full, Durability::Normal] {
        let dir = tempfile::tempdir().unwrap();
        let s = store(&dir, durability, 0);
        let mut n = 0;
        g.bench_function(name(durability), |b| {
            b.iter(|| {
                s.enqueue(task(n), T0).unwrap();
                n += 1;
                let t = s.claim("q", "w", LEASE_MS, T0).unwrap().unwrap();
                s.complete("bench", &t.id, "w", json!(null), T0).unwrap();
            })
        });
    }
    g.finish();
}

criterion_group!(benches, claim_latency, round_trip);
criterion_main!(benches);
