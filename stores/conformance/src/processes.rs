//! The kill test: worker processes on one store, one of them killed (SIGKILL) at a random
//! pick every [`Scale::kill_every`] and restarted: every task ends completed exactly once, or
//! dead after all its attempts; none is lost.
//!
//! Two kinds of worker are driven:
//!
//! - a store's `chaos_worker` binary ([`Workload::Chaos`]): tasks of intent `work`, a share of
//!   attempts failed at random by the worker, every accepted completion noted in a file;
//! - `xspense worker` ([`Workload::Intents`]): `redact` tasks, a random share of them with an
//!   intent the worker does not serve, which fails every attempt and so must end dead.
//!
//! Each store's `tests/processes.rs` calls [`killed_workers_lose_and_duplicate_nothing`] at
//! the CI scale ([`Scale::ci`]) and, in an ignored test, at the scale
//! ([`Scale::full`]: 20,000 tasks, a kill every second).

use std::collections::HashSet;
use std::path::Path;
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use serde_json::json;
use xspense::clock::{Clock, SystemClock};
use xspense::tasks::{NewTask, TaskStatus, TaskStore};

use crate::chaos::QUEUE;

/// Share of failures, in percent.
pub const FAIL_PERCENT: u32 = 15;
const MAX_ATTEMPTS: u32 = 3;
const TENANTS: [&str; 2] = ["alice", "bob"];
/// The signal `kill -TERM` sends.
const SIGTERM: i32 = 15;
/// How often the harness looks at the queue between kills.
const POLL: Duration = Duration::from_millis(100);

/// How big a run is.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    /// Worker processes at once.
    pub processes: usize,
    /// Tasks enqueued before the workers start.
    pub tasks: usize,
    /// Time between two kills.
    pub kill_every: Duration,
    /// The run fails if tasks are still open after this long.
    pub deadline: Duration,
}

impl Scale {
    /// What CI runs: 2,000 tasks, a kill every half second.
    pub fn ci(processes: usize) -> Scale {
        Scale {
            processes,
            tasks: 2_000,
            kill_every: Duration::from_millis(500),
            deadline: Duration::from_secs(60),
        }
    }

    /// The scale: 20,000 tasks, a kill every second.
    pub fn full(processes: usize) -> Scale {
        Scale {
            processes,
            tasks: 20_000,
            kill_every: Duration::from_secs(1),
            deadline: Duration::from_secs(900),
        }
    }
}

/// Which worker runs and what it is given.
pub enum Workload<'a> {
    /// A `chaos_worker` binary, given `target` (what its store opens).
    Chaos {
        /// The binary.
        worker: &'a Path,
        /// Its first argument.
        target: &'a std::ffi::OsStr,
    },
    /// Any worker serving `redact`; `command(name)` builds the command line of one process
    /// (`xspense worker --store URL --queue chaos --id NAME ...`).
    Intents {
        /// The command of the process named `name`.
        command: &'a dyn Fn(&str) -> Command,
    },
}

/// What a run did.
#[derive(Debug, Clone, Copy)]
pub struct Report {
    /// Tasks enqueued.
    pub tasks: usize,
    /// Worker processes at once.
    pub processes: usize,
    /// Processes killed (and restarted).
    pub kills: usize,
    /// From the first worker's start to the last task's end.
    pub elapsed: Duration,
    /// Tasks completed.
    pub completed: usize,
    /// Tasks dead.
    pub dead: usize,
    /// Failed attempts (failures, lease expiries and releases).
    pub failures: u64,
}

/// xorshift64: which worker to kill, which task fails, without a dependency.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

fn spawn(w: &Workload<'_>, dir: &Path, name: &str) -> Child {
    let mut cmd = match w {
        Workload::Chaos { worker, target } => {
            let mut c = Command::new(worker);
            c.arg(target)
                .arg(name)
                .arg(FAIL_PERCENT.to_string())
                .arg(dir.join(format!("{name}.completions")));
            c
        }
        Workload::Intents { command } => command(name),
    };
    cmd.spawn().expect("start a worker")
}

/// Enqueues the run's tasks; returns (tenant, id, whether it must fail).
fn fill(
    store: &dyn TaskStore,
    w: &Workload<'_>,
    tasks: usize,
    seed: &mut u64,
) -> Vec<(String, String, bool)> {
    let now = SystemClock.now_ms();
    (0..tasks)
        .map(|i| {
            let tenant = TENANTS[i % TENANTS.len()];
            let (intent, doomed) = match w {
                Workload::Chaos { .. } => ("work", false),
                Workload::Intents { .. } if next(seed) % 100 < u64::from(FAIL_PERCENT) => {
                    ("no-such-intent", true)
                }
                Workload::Intents { .. } => ("redact", false),
            };
            let payload = json!(format!("task {i}: write to ana{i}@example.com"));
            let t = store
                .enqueue(
                    NewTask::new(tenant, QUEUE, intent, payload).max_attempts(MAX_ATTEMPTS),
                    now,
                )
                .unwrap()
                .task;
            (tenant.to_string(), t.id, doomed)
        })
        .collect()
}

fn open_tasks(store: &dyn TaskStore) -> usize {
    let stats = store.stats(SystemClock.now_ms()).unwrap();
    stats.queues.get(QUEUE).map_or(0, |q| {
        q.by_status.get(&TaskStatus::Pending).unwrap_or(&0)
            + q.by_status.get(&TaskStatus::Claimed).unwrap_or(&0)
    })
}

/// Fills `store` (empty) with `scale.tasks` tasks, runs `scale.processes` workers, killing a
/// random one every `scale.kill_every` and starting another in its place, until the queue is
/// done; then checks that every task ended completed exactly once or dead after all its
/// attempts. Chaos workers note their completions in `dir`.
pub fn killed_workers_lose_and_duplicate_nothing(
    store: &dyn TaskStore,
    workload: &Workload<'_>,
    dir: &Path,
    scale: Scale,
) -> Report {
    let mut seed = SystemClock.now_ms() as u64 | 1;
    eprintln!("seed {seed}, {scale:?}");
    let ids = fill(store, workload, scale.tasks, &mut seed);
    let mut generation = 0;
    let mut workers: Vec<Child> = (0..scale.processes)
        .map(|slot| spawn(workload, dir, &format!("w{slot}-g0")))
        .collect();
    let started = Instant::now();
    let mut last_kill = Instant::now();
    let mut kills = 0;
    while open_tasks(store) > 0 {
        assert!(
            started.elapsed() < scale.deadline,
            "{} tasks still open after {:?}",
            open_tasks(store),
            scale.deadline
        );
        std::thread::sleep(POLL);
        if last_kill.elapsed() < scale.kill_every {
            continue;
        }
        last_kill = Instant::now();
        let slot = (next(&mut seed) % scale.processes as u64) as usize;
        workers[slot].kill().unwrap(); // SIGKILL
        workers[slot].wait().unwrap();
        kills += 1;
        generation += 1;
        workers[slot] = spawn(workload, dir, &format!("w{slot}-g{generation}"));
    }
    for w in &mut workers {
        if matches!(workload, Workload::Intents { .. }) {
            // `xspense worker` without --exit-when-idle: stopped as an operator would
            // the shell's own `kill`: no procps needed
            let _ = Command::new("sh")
                .arg("-c")
                .arg(format!("kill -TERM {}", w.id()))
                .status();
        }
    }
    for mut w in workers {
        let status = w.wait().unwrap();
        // a worker told to stop before it set its signal handler ends by the signal
        let stopped = matches!(workload, Workload::Intents { .. })
            && std::os::unix::process::ExitStatusExt::signal(&status) == Some(SIGTERM);
        assert!(status.success() || stopped, "a worker failed: {status}");
    }
    let elapsed = started.elapsed();
    assert!(kills > 0, "no worker was killed");
    let report = check_outcome(store, &ids, dir, kills, scale, elapsed);
    eprintln!("{report:?}");
    report
}

/// Every completion a worker noted as accepted, at most once per task.
fn noted_completions(dir: &Path) -> HashSet<String> {
    let mut logged = HashSet::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "completions") {
            for id in std::fs::read_to_string(&path).unwrap().lines() {
                assert!(logged.insert(id.to_string()), "{id} completed twice");
            }
        }
    }
    logged
}

fn check_outcome(
    store: &dyn TaskStore,
    ids: &[(String, String, bool)],
    dir: &Path,
    kills: usize,
    scale: Scale,
    elapsed: Duration,
) -> Report {
    let logged = noted_completions(dir);
    let (mut completed, mut dead) = (0, 0);
    for (tenant, id, doomed) in ids {
        let t = store.get(tenant, id).unwrap();
        match t.status {
            TaskStatus::Completed => {
                completed += 1;
                assert!(!doomed, "{id} has an unknown intent but completed");
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
    assert_eq!(completed + dead, ids.len(), "no task lost");
    assert_eq!(
        stats.completed_total, completed as u64,
        "one accepted completion per completed task"
    );
    // a killed worker may die between its commit and its note: never the other way round
    if !logged.is_empty() {
        assert!(logged.len() <= completed && completed - logged.len() <= kills);
    }
    Report {
        tasks: ids.len(),
        processes: scale.processes,
        kills,
        elapsed,
        completed,
        dead,
        failures: stats.failed_total,
    }
}
