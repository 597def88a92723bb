//! The kill test: worker processes on one store, one of them killed (SIGKILL) and restarted
//! about every half second: every task ends completed exactly once, or dead after all its
//! attempts; none is lost. Each store's `tests/processes.rs` calls
//! [`killed_workers_lose_and_duplicate_nothing`] with its `chaos_worker` binary.

use std::collections::HashSet;
use std::ffi::OsStr;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use serde_json::json;
use xspense::clock::{Clock, SystemClock};
use xspense::tasks::{NewTask, TaskStatus, TaskStore};

use crate::chaos::QUEUE;

const TASKS: usize = 2_000;
const FAIL_PERCENT: u32 = 15;
const MAX_ATTEMPTS: u32 = 3;
const KILL_EVERY: Duration = Duration::from_millis(500);
const DEADLINE: Duration = Duration::from_secs(50);
const TENANTS: [&str; 2] = ["alice", "bob"];

/// Starts `worker` (a `chaos_worker` binary) on `target`, noting its completions in `dir`.
fn spawn(worker: &Path, target: &OsStr, dir: &Path, name: &str) -> Child {
    Command::new(worker)
        .arg(target)
        .arg(name)
        .arg(FAIL_PERCENT.to_string())
        .arg(dir.join(format!("{name}.completions")))
        .spawn()
        .expect("start a worker")
}

/// xorshift64: which worker to kill, without a dependency.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Fills `store` (empty) with the test's tasks, runs `workers_n` processes of `worker` (a
/// `chaos_worker` binary, given `target`: what its store opens) killing and restarting one
/// about every half second until the queue is done, then checks every task ended completed
/// exactly once or dead. The workers note their completions in `dir`, as `*.completions`.
pub fn killed_workers_lose_and_duplicate_nothing(
    store: &dyn TaskStore,
    worker: &Path,
    target: &OsStr,
    dir: &Path,
    workers_n: usize,
) {
    let now = SystemClock.now_ms();
    let ids: Vec<(String, String)> = (0..TASKS)
        .map(|i| {
            let tenant = TENANTS[i % TENANTS.len()];
            let t = store
                .enqueue(
                    NewTask::new(tenant, QUEUE, "work", json!({ "n": i }))
                        .max_attempts(MAX_ATTEMPTS),
                    now,
                )
                .unwrap()
                .task;
            (tenant.to_string(), t.id)
        })
        .collect();

    let mut seed = now as u64 | 1;
    eprintln!("seed {seed}");
    let mut generation = 0;
    let mut workers: Vec<Child> = (0..workers_n)
        .map(|slot| spawn(worker, target, dir, &format!("w{slot}-g0")))
        .collect();
    let started = Instant::now();
    let mut kills = 0;
    loop {
        std::thread::sleep(KILL_EVERY);
        let stats = store.stats(SystemClock.now_ms()).unwrap();
        let open = stats.queues.get(QUEUE).map_or(0, |q| {
            q.by_status.get(&TaskStatus::Pending).unwrap_or(&0)
                + q.by_status.get(&TaskStatus::Claimed).unwrap_or(&0)
        });
        if open == 0 {
            break;
        }
        assert!(
            started.elapsed() < DEADLINE,
            "{open} tasks still open after {DEADLINE:?}"
        );
        let slot = (next(&mut seed) % workers_n as u64) as usize;
        workers[slot].kill().unwrap(); // SIGKILL
        workers[slot].wait().unwrap();
        kills += 1;
        generation += 1;
        workers[slot] = spawn(worker, target, dir, &format!("w{slot}-g{generation}"));
    }
    for mut w in workers {
        let status = w.wait().unwrap();
        assert!(status.success(), "a worker failed: {status}");
    }
    eprintln!("{kills} kills in {:?}", started.elapsed());
    assert!(kills > 0, "no worker was killed");

    // every completion a worker saw accepted, at most once per task
    let mut logged = HashSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "completions") {
            for id in std::fs::read_to_string(&path).unwrap().lines() {
                assert!(logged.insert(id.to_string()), "{id} completed twice");
            }
        }
    }
    let (mut completed, mut dead) = (0, 0);
    for (tenant, id) in &ids {
        let t = store.get(tenant, id).unwrap();
        match t.status {
            TaskStatus::Completed => {
                completed += 1;
                assert!(t.result.is_some());
            }
            TaskStatus::Dead => {
                dead += 1;
                assert_eq!(t.attempts, MAX_ATTEMPTS, "{id} died early");
                assert!(!logged.contains(id), "{id} is dead but was completed");
            }
            s => panic!("{id} ended {s:?}"),
        }
    }
    let stats = store.stats(SystemClock.now_ms()).unwrap();
    assert_eq!(completed + dead, TASKS, "no task lost");
    assert_eq!(
        stats.completed_total, completed as u64,
        "one accepted completion per completed task"
    );
    // a killed worker may die between its commit and its note: never the other way round
    assert!(logged.len() <= completed && completed - logged.len() <= kills);
    eprintln!(
        "{completed} completed, {dead} dead, {} failures",
        stats.failed_total
    );
}
