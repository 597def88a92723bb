//! The worker-coordination pieces on one core: in-memory claim + complete, GCRA decisions,
//! envelope JWT verification and audit appends.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use serde_json::json;
use xspense::audit::{AuditAction, AuditLog};
use xspense::envelope::{Envelope, Resources, Signer, TaskMessage, Verifier};
use xspense::limits::{InMemoryLimitStore, Quota, RateLimiter};
use xspense::tasks::{InMemoryTaskStore, NewTask, TaskStore};

const NOW: i64 = 1_700_000_000_000;

fn tasks(c: &mut Criterion) {
    let mut g = c.benchmark_group("tasks");
    const N: usize = 10_000;
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("claim_complete_10k", |b| {
        b.iter_batched(
            || {
                let s = InMemoryTaskStore::new();
                for i in 0..N {
                    s.enqueue(NewTask::new("t", "q", "work", json!(i)), NOW)
                        .unwrap();
                }
                s
            },
            |s| {
                for _ in 0..N {
                    let t = s.claim("q", "w", 30_000, NOW).unwrap().unwrap();
                    s.complete("t", &t.id, "w", serde_json::Value::Null, NOW)
                        .unwrap();
                }
                s
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn limits(c: &mut Criterion) {
    let mut g = c.benchmark_group("limits");
    let l = RateLimiter::new(
        Quota::per_second(1_000, 100).unwrap(),
        InMemoryLimitStore::new(),
    );
    let tenants: Vec<String> = (0..1_000).map(|i| format!("tenant-{i}")).collect();
    const N: usize = 100_000;
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("gcra_100k_decisions_1k_keys", |b| {
        b.iter(|| {
            let mut allowed = 0u32;
            for i in 0..N {
                let d = l
                    .check(
                        &tenants[i % tenants.len()],
                        "/categorize",
                        NOW + (i as i64 / 64),
                    )
                    .unwrap();
                allowed += u32::from(d.allowed);
            }
            allowed
        })
    });
    g.finish();
}

fn jwt(c: &mut Criterion) {
    let key = b"0123456789abcdef0123456789abcdef";
    let signer = Signer::new(key, "scheduler").unwrap();
    let msg = Envelope::Task(TaskMessage {
        task_id: "t-42".into(),
        action: "categorize_batch".into(),
        payload: json!({"tenant": "alice", "ids": [1, 2, 3]}),
        reply_to: Some("https://scheduler.internal/results".into()),
        trace_id: "tr-1".into(),
        requested_by: "scheduler".into(),
        resources: Resources {
            priority: 1,
            timeout_ms: 60_000,
            retry: 3,
        },
    });
    const N: usize = 10_000;
    let tokens: Vec<String> = (0..N)
        .map(|i| {
            signer
                .sign(&msg, "categorizer", &format!("jti-{i}"), NOW, 3_600_000)
                .unwrap()
        })
        .collect();
    let mut g = c.benchmark_group("envelope");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("jwt_verify_10k", |b| {
        b.iter_batched(
            || Verifier::new(&[key], &["scheduler"], "categorizer").unwrap(),
            |v| {
                for t in &tokens {
                    v.verify(t, NOW + 1_000).unwrap();
                }
                v
            },
            BatchSize::LargeInput,
        )
    });
    g.finish();
}

fn audit(c: &mut Criterion) {
    let mut g = c.benchmark_group("audit");
    const N: usize = 10_000;
    g.throughput(Throughput::Elements(N as u64));
    let old = json!({"status": "claimed"});
    let new = json!({"status": "completed", "attempts": 1});
    for (name, redacting) in [
        ("append_10k_redacted", true),
        ("append_10k_unredacted", false),
    ] {
        g.bench_function(name, |b| {
            b.iter_batched(
                || {
                    if redacting {
                        AuditLog::new()
                    } else {
                        AuditLog::with_redactor(None)
                    }
                },
                |mut log| {
                    for i in 0..N {
                        log.append(
                            NOW + i as i64,
                            "alice",
                            "worker:categorizer",
                            AuditAction::TaskTransition,
                            "task_000000000001",
                            Some(old.clone()),
                            Some(new.clone()),
                        )
                        .unwrap();
                    }
                    log
                },
                BatchSize::LargeInput,
            )
        });
    }
    g.finish();
}

criterion_group!(benches, tasks, limits, jwt, audit);
criterion_main!(benches);
