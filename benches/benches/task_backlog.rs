//! `InMemoryTaskStore` under a backlog of 10,000, 100,000 and 1,000,000 due tasks
//! (`cargo bench -p xspense-benches --bench task_backlog`).
//!
//! Before its criterion runs it prints one line per backlog:
//! - memory: the bytes the store holds per task, counted by this binary's global allocator
//!   (live bytes requested, so neither the allocator's rounding nor its free lists), and the
//!   process's peak resident memory so far (`VmHWM` in `/proc/self/status`);
//! - latency: 10,000 claims timed one by one with the backlog in place (median and 99th
//!   percentile), and `stats` and `purge` the same way.
//!
//! Each claimed task is completed and replaced by a new due task, and finished tasks are
//! purged, so the backlog stays at its size while claims are measured. The criterion group
//! `tasks_backlog` times claims in the same loop, in chunks of 64.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use serde_json::json;
use xspense::tasks::{InMemoryTaskStore, NewTask, TaskStore};

/// A global allocator that counts the bytes currently allocated.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded to `System` unchanged; only a counter is updated beside it.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            LIVE.fetch_add(new_size, Ordering::Relaxed);
            LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// The backlogs measured.
const BACKLOGS: [usize; 3] = [10_000, 100_000, 1_000_000];
/// Claims timed one by one per backlog for the table.
const TIMED_CLAIMS: usize = 10_000;
/// Calls of `stats` timed per backlog.
const TIMED_STATS: usize = 1_000;
/// Claims per timed chunk in the criterion runs.
const CHUNK: u64 = 64;
/// Lease of every claim: longer than any run, so no lease expires.
const LEASE_MS: i64 = 3_600_000;
const QUEUE: &str = "categorizer";
const TENANTS: [&str; 3] = ["alice", "bob", "carol"];
const T0: i64 = 1_700_000_000_000;

/// A task like the ones `xspense tasks demo` enqueues.
fn job(i: usize) -> NewTask {
    NewTask::new(
        TENANTS[i % TENANTS.len()],
        QUEUE,
        "categorize_batch",
        json!({ "batch": i }),
    )
    .from("scheduler")
    .idempotency_key(format!("import-{i}"))
    .max_attempts(4)
    .priority((i % 3) as i32)
}

/// A store with `n` due tasks, and a virtual clock one millisecond past their enqueueing.
struct Backlog {
    store: InMemoryTaskStore,
    next: usize,
    now: i64,
}

impl Backlog {
    fn new(n: usize) -> Backlog {
        let store = InMemoryTaskStore::new();
        for i in 0..n {
            store.enqueue(job(i), T0).unwrap();
        }
        Backlog {
            store,
            next: n,
            now: T0 + 1,
        }
    }

    fn tick(&mut self) -> i64 {
        self.now += 1;
        self.now
    }

    /// One claim, timed.
    fn timed_claim(&mut self) -> (Duration, xspense::tasks::Task) {
        let now = self.tick();
        let started = Instant::now();
        let task = self.store.claim(QUEUE, "w", LEASE_MS, now).unwrap();
        (started.elapsed(), task.expect("the backlog is never empty"))
    }

    /// Completes a claimed task, enqueues a new due one in its place and forgets finished ones.
    fn replace(&mut self, task: &xspense::tasks::Task) {
        let now = self.tick();
        let s = &self.store;
        s.complete(&task.tenant, &task.id, "w", json!(null), now)
            .unwrap();
        s.enqueue(job(self.next), now).unwrap();
        self.next += 1;
        s.purge(0, now + 1).unwrap();
    }
}

/// The process's peak resident memory, from `/proc/self/status`, in MiB.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

fn quantile(sorted: &[Duration], q: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * q).round() as usize]
}

fn micros(d: Duration) -> f64 {
    d.as_secs_f64() * 1e6
}

/// Prints memory and latency at each backlog.
fn table() {
    for n in BACKLOGS {
        let before = LIVE.load(Ordering::Relaxed);
        let started = Instant::now();
        let mut b = Backlog::new(n);
        let built = started.elapsed();
        let bytes = LIVE.load(Ordering::Relaxed).saturating_sub(before);
        let mut claims: Vec<Duration> = (0..TIMED_CLAIMS)
            .map(|_| {
                let (d, task) = b.timed_claim();
                b.replace(&task);
                d
            })
            .collect();
        claims.sort();
        let mut stats: Vec<Duration> = (0..TIMED_STATS)
            .map(|_| {
                let now = b.tick();
                let started = Instant::now();
                let s = b.store.stats(now).unwrap();
                let d = started.elapsed();
                assert_eq!(s.queues[QUEUE].due, n);
                d
            })
            .collect();
        stats.sort();
        eprintln!(
            "task_backlog: {n:>9} due tasks: {:>6.0} bytes/task ({:>7.1} MiB), peak RSS {:>7.1} MiB, \
             built in {:>5.2} s; claim median {:.2} µs, p99 {:.2} µs; stats median {:.2} µs",
            bytes as f64 / n as f64,
            bytes as f64 / (1 << 20) as f64,
            peak_rss_mib().unwrap_or(f64::NAN),
            built.as_secs_f64(),
            micros(quantile(&claims, 0.5)),
            micros(quantile(&claims, 0.99)),
            micros(quantile(&stats, 0.5)),
        );
    }
}

fn bench(c: &mut Criterion) {
    table();
    let mut g = c.benchmark_group("tasks_backlog");
    g.throughput(Throughput::Elements(1));
    for n in BACKLOGS {
        let mut b = Backlog::new(n);
        g.bench_function(BenchmarkId::new("claim", n), |bench| {
            bench.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                let mut left = iters;
                while left > 0 {
                    let chunk = left.min(CHUNK);
                    let now = b.tick();
                    let started = Instant::now();
                    let tasks: Vec<_> = (0..chunk)
                        .map(|_| b.store.claim(QUEUE, "w", LEASE_MS, now).unwrap())
                        .collect();
                    total += started.elapsed();
                    for t in tasks.iter().flatten() {
                        b.replace(t);
                    }
                    left -= chunk;
                }
                total
            })
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
