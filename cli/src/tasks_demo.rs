//! `xspense tasks demo`: a small worker simulation on the embedded task engine.
//!
//! A scheduler enqueues categorization jobs for three tenants (each sent once more with the
//! same idempotency key, which returns the existing task) as signed envelopes. Categorizer
//! workers verify the envelope, then complete, fail or "crash" (abandon the lease); every
//! completed job dispatches an insights task with the same correlation id. Time is virtual, so
//! backoffs and lease expiries happen fast. Every transition goes to a hash-chained audit log
//! that is verified at the end.

use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use serde_json::json;
use xspense::audit::{verify, AuditAction, AuditLog};
use xspense::envelope::{Envelope, Resources, Signer, TaskMessage, Verifier};
use xspense::tasks::{InMemoryTaskStore, NewTask, RetryPolicy, TaskStatus, TaskStore};

use crate::stdio::Stdout;
use crate::CliResult;

/// Most categorization jobs one run takes. Memory grows with them, about 7 KB per job: every
/// task and every audit entry is kept until the end, when the audit chain is verified and the
/// counts printed. At this bound a run peaks at about 7 GB (docs/performance.md).
pub const MAX_TASKS: usize = 1_000_000;

/// Most worker threads (the work is on virtual time: more threads only contend for the store).
pub const MAX_WORKERS: usize = 64;

/// Options of the demo.
pub struct Options {
    pub tasks: usize,
    pub workers: usize,
    pub fail_rate: f64,
    pub crash_rate: f64,
    pub seed: u64,
}

struct Shared {
    store: InMemoryTaskStore,
    clock: AtomicI64,
    audit: Mutex<AuditLog>,
    verifier: Verifier,
    /// workers between a claim and the end of its handling (a follow-up enqueue included)
    busy: AtomicUsize,
    verified: AtomicUsize,
    fail_rate: f64,
    crash_rate: f64,
}

const KEY: &[u8] = b"demo-key-0123456789abcdef0123456";
const LEASE_MS: i64 = 2_000;

fn record(s: &Shared, tenant: &str, actor: &str, subject: &str, from: &str, to: &str) {
    if let Ok(mut a) = s.audit.lock() {
        let _ = a.append(
            s.clock.load(Ordering::SeqCst),
            tenant,
            actor,
            AuditAction::TaskTransition,
            subject,
            Some(json!(from)),
            Some(json!(to)),
        );
    }
}

/// Refuses options that would make no sense or take the machine's memory.
fn check(o: &Options) -> CliResult<()> {
    if !(1..=MAX_TASKS).contains(&o.tasks) {
        return Err(format!("--tasks must be between 1 and {MAX_TASKS}, got {}", o.tasks).into());
    }
    if !(1..=MAX_WORKERS).contains(&o.workers) {
        return Err(format!(
            "--workers must be between 1 and {MAX_WORKERS}, got {}",
            o.workers
        )
        .into());
    }
    for (flag, rate) in [("--fail-rate", o.fail_rate), ("--crash-rate", o.crash_rate)] {
        if !(0.0..=1.0).contains(&rate) {
            return Err(format!("{flag} must be within 0..=1, got {rate}").into());
        }
    }
    Ok(())
}

pub fn run(o: &Options) -> CliResult<()> {
    check(o)?;
    let signer = Signer::new(KEY, "scheduler").map_err(|e| e.to_string())?;
    let shared = Arc::new(Shared {
        store: InMemoryTaskStore::new(),
        clock: AtomicI64::new(1_700_000_000_000),
        audit: Mutex::new(AuditLog::with_redactor(None)),
        verifier: Verifier::new(&[KEY], &["scheduler"], "categorizer")
            .map_err(|e| e.to_string())?
            .replay_capacity(o.tasks * 8 + 16),
        busy: AtomicUsize::new(0),
        verified: AtomicUsize::new(0),
        fail_rate: o.fail_rate,
        crash_rate: o.crash_rate,
    });
    let tenants = ["alice", "bob", "carol"];
    let mut duplicates = 0;
    for i in 0..o.tasks {
        let tenant = tenants[i % tenants.len()];
        let now = shared.clock.load(Ordering::SeqCst);
        let new = NewTask::new(
            tenant,
            "categorizer",
            "categorize_batch",
            json!({ "batch": i }),
        )
        .from("scheduler")
        .idempotency_key(format!("import-{i}"))
        .max_attempts(4)
        .priority((i % 3) as i32);
        let first = shared
            .store
            .enqueue(new.clone(), now)
            .map_err(|e| e.to_string())?;
        record(
            &shared,
            tenant,
            "scheduler",
            &first.task.id,
            "none",
            "pending",
        );
        if i % 2 == 0
            && !shared
                .store
                .enqueue(new, now)
                .map_err(|e| e.to_string())?
                .created
        {
            duplicates += 1;
        }
    }
    let total = o.tasks * 2; // each job and (unless it dies) its insights follow-up
    let pb = crate::progress(total);
    let handles: Vec<_> = (0..o.workers)
        .map(|w| {
            let s = shared.clone();
            let signer = signer.clone();
            let seed = o.seed;
            std::thread::spawn(move || worker(&s, &signer, w, seed))
        })
        .collect();
    while !handles.iter().all(|h| h.is_finished()) {
        let now = shared.clock.load(Ordering::SeqCst);
        if let Ok(st) = shared.store.stats(now) {
            let done: usize = st
                .queues
                .values()
                .flat_map(|q| q.by_status.iter())
                .filter(|(s, _)| s.is_final())
                .map(|(_, n)| n)
                .sum();
            pb.set_position(done as u64);
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    for h in handles {
        h.join()
            .map_err(|_| "a worker thread panicked".to_string())??;
    }
    pb.finish_and_clear();

    let now = shared.clock.load(Ordering::SeqCst);
    let stats = shared.store.stats(now).map_err(|e| e.to_string())?;
    let audit = shared
        .audit
        .lock()
        .map_err(|_| "audit lock poisoned".to_string())?;
    verify(audit.entries()).map_err(|e| e.to_string())?;
    let mut out = Stdout::lock();
    writeln!(
        out,
        "{:<12} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "queue", "pending", "claimed", "completed", "dead", "cancelled"
    )?;
    for (q, c) in &stats.queues {
        let n = |s: TaskStatus| c.by_status.get(&s).copied().unwrap_or(0);
        writeln!(
            out,
            "{q:<12} {:>9} {:>9} {:>9} {:>9} {:>9}",
            n(TaskStatus::Pending),
            n(TaskStatus::Claimed),
            n(TaskStatus::Completed),
            n(TaskStatus::Dead),
            n(TaskStatus::Cancelled)
        )?;
    }
    writeln!(
        out,
        "duplicates absorbed by idempotency keys: {duplicates}\nenvelopes verified: {}\nfailures and lease expiries: {} (error rate {:.1}%)\ndead letters: {}\naudit log: {} entries, chain verified",
        shared.verified.load(Ordering::SeqCst),
        stats.failed_total,
        stats.error_rate * 100.0,
        stats.dead_letters,
        audit.entries().len()
    )
}

fn worker(s: &Shared, signer: &Signer, w: usize, seed: u64) -> CliResult<()> {
    let name = format!("worker-{w}");
    let mut rng = seed ^ (0x9e37_79b9_7f4a_7c15u64.wrapping_mul(w as u64 + 1)) | 1;
    let mut roll = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng >> 11) as f64 / (1u64 << 53) as f64
    };
    let retry = RetryPolicy {
        base_ms: 500,
        factor: 2.0,
        max_ms: 8_000,
        jitter: 0.5,
    };
    let queues = ["categorizer", "insights"];
    let mut turn = w;
    loop {
        let now = s.clock.fetch_add(10, Ordering::SeqCst);
        turn += 1;
        let queue = queues[turn % 2];
        s.busy.fetch_add(1, Ordering::SeqCst);
        let claimed = s.store.claim(queue, &name, LEASE_MS, now);
        let task = match claimed {
            Ok(Some(t)) => t,
            Ok(None) => {
                s.busy.fetch_sub(1, Ordering::SeqCst);
                // stop when nothing is open and no worker is between a claim and its follow-up
                let st = s.store.stats(now).map_err(|e| e.to_string())?;
                let open: usize = st
                    .queues
                    .values()
                    .flat_map(|q| q.by_status.iter())
                    .filter(|(s, _)| !s.is_final())
                    .map(|(_, n)| n)
                    .sum();
                if open == 0 && s.busy.load(Ordering::SeqCst) == 0 {
                    return Ok(());
                }
                s.clock.fetch_add(50, Ordering::SeqCst);
                std::thread::yield_now();
                continue;
            }
            Err(e) => {
                s.busy.fetch_sub(1, Ordering::SeqCst);
                return Err(e.to_string().into());
            }
        };
        let result = handle(s, signer, &name, queue, task, &mut roll, &retry);
        s.busy.fetch_sub(1, Ordering::SeqCst);
        result?;
    }
}

fn handle(
    s: &Shared,
    signer: &Signer,
    name: &str,
    queue: &str,
    task: xspense::tasks::Task,
    roll: &mut impl FnMut() -> f64,
    retry: &RetryPolicy,
) -> CliResult<()> {
    let (crash_rate, fail_rate) = (s.crash_rate, s.fail_rate);
    {
        let now = s.clock.load(Ordering::SeqCst);
        record(s, &task.tenant, name, &task.id, "pending", "claimed");
        if queue == "categorizer" {
            // the job arrives as a signed envelope; refuse to run anything that does not verify
            let msg = Envelope::Task(TaskMessage {
                task_id: task.id.clone(),
                action: task.intent.clone(),
                payload: task.payload.clone(),
                reply_to: Some("scheduler".into()),
                trace_id: task.correlation_id.clone(),
                requested_by: task.from.clone(),
                resources: Resources {
                    priority: task.priority,
                    timeout_ms: LEASE_MS as u64,
                    retry: task.max_attempts,
                },
            });
            let jti = format!("{}#{}", task.id, task.attempts);
            let token = signer
                .sign(&msg, "categorizer", &jti, now, 60_000)
                .map_err(|e| e.to_string())?;
            s.verifier.verify(&token, now).map_err(|e| e.to_string())?;
            s.verified.fetch_add(1, Ordering::SeqCst);
        }
        let r = roll();
        let now = s.clock.load(Ordering::SeqCst);
        if r < crash_rate {
            return Ok(()); // the worker "crashes": the lease runs out and another worker retries
        }
        if r < crash_rate + fail_rate {
            let status = s.store.fail(
                &task.tenant,
                &task.id,
                name,
                "simulated model timeout",
                retry,
                now,
            );
            if let Ok(st) = status {
                record(s, &task.tenant, name, &task.id, "claimed", st.as_str());
            }
            return Ok(());
        }
        if s.store
            .complete(
                &task.tenant,
                &task.id,
                name,
                json!({"categorized": true}),
                now,
            )
            .is_ok()
        {
            record(s, &task.tenant, name, &task.id, "claimed", "completed");
            if queue == "categorizer" {
                let next = NewTask::downstream_of(&task, "insights", "refresh_insights", json!({}))
                    .idempotency_key(format!("insights-{}", task.id));
                let e = s.store.enqueue(next, now).map_err(|e| e.to_string())?;
                record(s, &task.tenant, name, &e.task.id, "none", "pending");
            }
        }
    }
    Ok(())
}
