//! The loop of a store's `chaos_worker` binary, used by the kill test ([`crate::processes`]):
//! claims tasks of one queue from the store the first argument names, fails a given share of
//! them, completes the rest, and notes each accepted completion in a file. Exits when the queue
//! has nothing pending or claimed.
//!
//! Usage: `chaos_worker TARGET WORKER FAIL_PERCENT COMPLETIONS_FILE`, where TARGET (a database
//! file, a URL) is what the store's `open` takes.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use serde_json::json;
use xspense::clock::{Clock, SystemClock};
use xspense::tasks::{RetryPolicy, TaskStatus, TaskStore};

/// The queue the test fills.
pub const QUEUE: &str = "chaos";
/// Lease per claim: short, so the tasks of a killed worker come back quickly.
const LEASE_MS: i64 = 300;
/// Simulated work per task.
const WORK: Duration = Duration::from_millis(2);
/// Wait when nothing is due.
const IDLE: Duration = Duration::from_millis(20);
/// Quick retries, so failed tasks come back within the test.
const RETRY: RetryPolicy = RetryPolicy {
    base_ms: 20,
    factor: 2.0,
    max_ms: 200,
    jitter: 0.5,
};

/// A fraction in [0, 100) from the task id, attempt and worker (FNV-1a), for the failure draw.
fn draw(id: &str, attempt: u32, worker: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in id
        .bytes()
        .chain(attempt.to_le_bytes())
        .chain(worker.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h % 100
}

fn run<S: TaskStore>(
    args: &[String],
    target: &str,
    open: impl FnOnce(&str) -> Result<S, String>,
) -> Result<(), String> {
    let [db, worker, fail_percent, completions] = args else {
        return Err(format!(
            "usage: chaos_worker {target} WORKER FAIL_PERCENT COMPLETIONS_FILE"
        ));
    };
    let fail_percent: u64 = fail_percent
        .parse()
        .map_err(|e| format!("FAIL_PERCENT: {e}"))?;
    let store = open(db)?;
    let mut log = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(completions)
        .map_err(|e| format!("{completions}: {e}"))?;
    let clock = SystemClock;
    loop {
        let task = store
            .claim(QUEUE, worker, LEASE_MS, clock.now_ms())
            .map_err(|e| e.to_string())?;
        let Some(t) = task else {
            let stats = store.stats(clock.now_ms()).map_err(|e| e.to_string())?;
            let open = stats.queues.get(QUEUE).map_or(0, |q| {
                [TaskStatus::Pending, TaskStatus::Claimed]
                    .iter()
                    .filter_map(|s| q.by_status.get(s))
                    .sum::<usize>()
            });
            if open == 0 {
                return Ok(());
            }
            std::thread::sleep(IDLE);
            continue;
        };
        std::thread::sleep(WORK);
        let now = clock.now_ms();
        let outcome = if draw(&t.id, t.attempts, worker) < fail_percent {
            store
                .fail(&t.tenant, &t.id, worker, "chaos", &RETRY, now)
                .map(|_| ())
        } else {
            store
                .complete(&t.tenant, &t.id, worker, json!(worker), now)
                .and_then(|()| {
                    writeln!(log, "{}", t.id).map_err(|e| xspense::Error::Internal(e.to_string()))
                })
        };
        match outcome {
            // the lease ran out while working: another worker has the task now
            // (`lease_lost`), or its claim found no attempts left and the task is dead
            // (`invalid_transition`)
            Err(e)
                if matches!(
                    e.code(),
                    xspense::ErrorCode::LeaseLost | xspense::ErrorCode::InvalidTransition
                ) => {}
            other => other.map_err(|e| e.to_string())?,
        }
    }
}

/// The worker's `main`: reads the arguments, opens the store with `open` (given TARGET, named
/// `target` in the usage line) and works until the queue is empty.
pub fn main<S: TaskStore>(target: &str, open: impl FnOnce(&str) -> Result<S, String>) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args, target, open) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("chaos_worker: {e}");
            ExitCode::FAILURE
        }
    }
}
