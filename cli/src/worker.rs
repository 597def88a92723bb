//! `xspense worker`: N threads claiming tasks of the given queues from a store, running the
//! built-in intents ([`crate::intents`]), registered as an agent while they run.
//!
//! Each thread categorizes on its own [`intents::Categorizer`] (a `SharedEngine` over the
//! store's engine state). The main thread registers the agent (id, queues, intents, version, host), heartbeats on an
//! interval, reaps agents that missed three heartbeats (which releases their task leases at
//! once) and, when told to stop (SIGINT or SIGTERM) or when `--exit-when-idle` finds the queues
//! empty, waits for the threads to finish their current task and deregisters. Each thread
//! claims under its own lease owner name (`ID#slot`); when nothing is due it waits on the
//! store's wake-up hook (LISTEN/NOTIFY on PostgreSQL) or backs off, at most [`MAX_IDLE`].

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use xspense::clock::{Clock, Millis, SystemClock};
use xspense::redact::Redactor;
use xspense::store::EngineStateStore;
use xspense::tasks::{
    lease_owner, AgentRegistry, NewAgent, RetryPolicy, Task, TaskStatus, TaskStore,
};
use xspense::ErrorCode;
use xspense_stores::StoreUrl;

use crate::intents;
use crate::stdio::note;
use crate::CliResult;

/// Most worker threads.
pub const MAX_CONCURRENCY: usize = 256;
/// First idle pause; doubled while nothing is due, up to [`MAX_IDLE`].
const MIN_IDLE: Duration = Duration::from_millis(20);
/// Longest idle pause (or LISTEN/NOTIFY wait) between claims.
pub const MAX_IDLE: Duration = Duration::from_secs(1);
/// An agent that sent no heartbeat for this many intervals is reaped.
const MISSED_HEARTBEATS: i64 = 3;
/// How often the main thread looks at the stop flag and the threads.
const TICK: Duration = Duration::from_millis(50);
/// Delays between a failed attempt and the next.
const RETRY: RetryPolicy = RetryPolicy {
    base_ms: 1_000,
    factor: 2.0,
    max_ms: 60_000,
    jitter: 0.5,
};

/// Options of `xspense worker`.
pub struct Options<'a> {
    pub store: &'a str,
    pub queues: &'a [String],
    pub concurrency: usize,
    pub id: Option<&'a str>,
    pub lease_secs: u64,
    pub heartbeat_secs: u64,
    pub exit_when_idle: bool,
}

/// What the threads did.
#[derive(Default)]
struct Counts {
    completed: AtomicU64,
    retried: AtomicU64,
    dead: AtomicU64,
    lost: AtomicU64,
}

/// What every thread shares.
struct Shared {
    tasks: Arc<dyn TaskStore>,
    state: Arc<dyn EngineStateStore>,
    redactor: Redactor,
    id: String,
    queues: Vec<String>,
    lease_ms: Millis,
    exit_when_idle: bool,
    stop: Arc<AtomicBool>,
    counts: Counts,
}

fn now() -> Millis {
    SystemClock.now_ms()
}

/// This machine's name, for the registry.
pub fn host_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_string())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "unknown-host".into())
}

fn check(o: &Options<'_>) -> CliResult<()> {
    if o.queues.is_empty() {
        return Err("give at least one --queue".into());
    }
    if !(1..=MAX_CONCURRENCY).contains(&o.concurrency) {
        return Err(format!("--concurrency must be 1 to {MAX_CONCURRENCY}").into());
    }
    if o.lease_secs == 0 || o.heartbeat_secs == 0 {
        return Err("--lease and --heartbeat must be at least 1 second".into());
    }
    Ok(())
}

/// The stores of the worker's URL.
struct Opened {
    tasks: Arc<dyn TaskStore>,
    agents: Arc<dyn AgentRegistry>,
    state: Arc<dyn EngineStateStore>,
}

fn open(at: &StoreUrl) -> CliResult<Opened> {
    let fail = |e: xspense_stores::Error| format!("{at}: {}", e);
    Ok(Opened {
        tasks: xspense_stores::open_tasks(at).map_err(fail)?,
        agents: xspense_stores::open_agents(at).map_err(fail)?,
        state: xspense_stores::open_state(at).map_err(fail)?,
    })
}

/// What the worker registers as.
fn agent(o: &Options<'_>) -> NewAgent {
    let id = match o.id {
        Some(id) => id.to_string(),
        None => format!("{}-{}", host_name(), std::process::id()),
    };
    NewAgent::new(id, o.queues.iter().cloned())
        .intents(intents::INTENTS)
        .version(env!("CARGO_PKG_VERSION"))
        .host(host_name())
}

/// A flag set on SIGINT or SIGTERM.
fn stop_flag() -> CliResult<Arc<AtomicBool>> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| format!("cannot catch SIGINT/SIGTERM: {e}"))?;
    Ok(stop)
}

/// Runs the worker until stopped (or idle, with `--exit-when-idle`).
pub fn run(o: &Options<'_>) -> CliResult<()> {
    check(o)?;
    let at = StoreUrl::parse(o.store).map_err(|e| e.to_string())?;
    let Opened {
        tasks,
        agents,
        state,
    } = open(&at)?;
    let stop = stop_flag()?;
    let me = agent(o);
    agents
        .register(me.clone(), now())
        .map_err(|e| format!("register agent {}: {e}", me.id))?;
    note!(
        "xspense worker {}: {} threads on {} queue(s) {} of {at}",
        me.id,
        o.concurrency,
        o.queues.len(),
        o.queues.join(", ")
    );
    let shared = Arc::new(Shared {
        tasks,
        state,
        redactor: Redactor::new(),
        id: me.id.clone(),
        queues: o.queues.to_vec(),
        lease_ms: secs_ms(o.lease_secs),
        exit_when_idle: o.exit_when_idle,
        stop,
        counts: Counts::default(),
    });
    let started = Instant::now();
    let threads: Vec<_> = (0..o.concurrency)
        .map(|slot| {
            let s = shared.clone();
            std::thread::spawn(move || work(&s, slot))
        })
        .collect();
    supervise(&shared, agents.as_ref(), &me, o.heartbeat_secs, &threads);
    let mut errors = join(threads);
    let left = agents.deregister(&me.id, now());
    summary(&shared, started.elapsed(), left.as_ref().ok());
    if let Err(e) = left {
        errors.push(format!("deregister agent {}: {e}", me.id));
    }
    match errors.into_iter().next() {
        Some(e) => Err(e.into()),
        None => Ok(()),
    }
}

/// Waits for the threads; their errors.
fn join(threads: Vec<std::thread::JoinHandle<Result<(), String>>>) -> Vec<String> {
    threads
        .into_iter()
        .filter_map(|t| match t.join() {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e),
            Err(_) => Some("a worker thread panicked".to_string()),
        })
        .collect()
}

fn secs_ms(secs: u64) -> Millis {
    Millis::try_from(secs.saturating_mul(1_000)).unwrap_or(Millis::MAX)
}

/// The main thread's loop: heartbeats and reaps on the interval until the stop flag is set or
/// every thread ended (idle exit or error).
fn supervise(
    s: &Shared,
    agents: &dyn AgentRegistry,
    me: &NewAgent,
    heartbeat_secs: u64,
    threads: &[std::thread::JoinHandle<Result<(), String>>],
) {
    let interval = Duration::from_secs(heartbeat_secs);
    let timeout = secs_ms(heartbeat_secs).saturating_mul(MISSED_HEARTBEATS);
    let mut last = Instant::now();
    while !s.stop.load(Ordering::SeqCst) && !threads.iter().all(|t| t.is_finished()) {
        std::thread::sleep(TICK);
        if last.elapsed() < interval {
            continue;
        }
        last = Instant::now();
        beat(agents, me, timeout);
    }
    // told to stop: the threads finish their current task and leave
    s.stop.store(true, Ordering::SeqCst);
}

/// One heartbeat and reap; a reaped agent (this one, after a long pause) registers again.
fn beat(agents: &dyn AgentRegistry, me: &NewAgent, timeout: Millis) {
    let t = now();
    match agents.heartbeat(&me.id, t) {
        Ok(()) => {}
        Err(e) if e.code() == ErrorCode::LeaseLost => {
            note!(
                "xspense worker {}: reaped while alive; registering again",
                me.id
            );
            if let Err(e) = agents.register(me.clone(), t) {
                note!("xspense worker {}: register: {e}", me.id);
            }
        }
        Err(e) => note!("xspense worker {}: heartbeat: {e}", me.id),
    }
    match agents.reap(t, timeout) {
        Ok(r) if !r.agents.is_empty() => note!(
            "xspense worker {}: reaped {} ({} task(s) released, {} dead)",
            me.id,
            r.agents.join(", "),
            r.released.pending,
            r.released.dead
        ),
        Ok(_) => {}
        Err(e) => note!("xspense worker {}: reap: {e}", me.id),
    }
}

/// One thread: claim, run, complete or fail, until stopped (or idle with `--exit-when-idle`).
fn work(s: &Shared, slot: usize) -> Result<(), String> {
    let owner = lease_owner(&s.id, slot);
    let mut engine = intents::Categorizer::new(s.state.clone());
    let mut idle = MIN_IDLE;
    let mut turn = slot;
    while !s.stop.load(Ordering::SeqCst) {
        let queue = &s.queues[turn % s.queues.len()];
        turn = turn.wrapping_add(1);
        match s.tasks.claim(queue, &owner, s.lease_ms, now()) {
            Ok(Some(task)) => {
                idle = MIN_IDLE;
                if let Err(e) = finish(s, &owner, &task, &mut engine) {
                    // the lease expires and the task is retried elsewhere
                    note!("xspense worker {owner}: {e}");
                }
            }
            Ok(None) if s.exit_when_idle && queues_empty(s) => return Ok(()),
            Ok(None) => idle = wait(s, queue, idle),
            Err(e) => {
                note!("xspense worker {owner}: claim on {queue}: {e}");
                std::thread::sleep(MAX_IDLE);
            }
        }
    }
    Ok(())
}

/// Waits for work on `queue` (the store's hook, else a sleep of `idle`); the next pause.
fn wait(s: &Shared, queue: &str, idle: Duration) -> Duration {
    let started = Instant::now();
    match s.tasks.wait_for_work(queue, MAX_IDLE) {
        Ok(true) => return MIN_IDLE,
        Ok(false) => {}
        Err(e) => note!("xspense worker {}: waiting for work: {e}", s.id),
    }
    // a store without a wake-up channel returns at once: back off
    if let Some(rest) = idle.checked_sub(started.elapsed()) {
        std::thread::sleep(rest);
    }
    (idle * 2).min(MAX_IDLE)
}

/// Whether none of the worker's queues has a pending or claimed task (`false` when the store
/// cannot tell now).
fn queues_empty(s: &Shared) -> bool {
    let stats = match s.tasks.stats(now()) {
        Ok(stats) => stats,
        Err(e) => {
            note!("xspense worker {}: stats: {e}", s.id);
            return false;
        }
    };
    s.queues.iter().all(|q| {
        stats.queues.get(q).is_none_or(|c| {
            [TaskStatus::Pending, TaskStatus::Claimed]
                .iter()
                .all(|st| c.by_status.get(st).is_none_or(|&n| n == 0))
        })
    })
}

/// Runs one task and records its outcome.
fn finish(
    s: &Shared,
    owner: &str,
    task: &Task,
    engine: &mut intents::Categorizer,
) -> Result<(), String> {
    let outcome = intents::run(task, engine, &s.redactor);
    let t = now();
    let recorded = match outcome {
        Ok(result) => s
            .tasks
            .complete(&task.tenant, &task.id, owner, result, t)
            .map(|()| &s.counts.completed),
        Err(e) => s
            .tasks
            .fail(&task.tenant, &task.id, owner, &e.0, &RETRY, t)
            .map(|status| match status {
                TaskStatus::Dead => &s.counts.dead,
                _ => &s.counts.retried,
            }),
    };
    match recorded {
        Ok(counter) => {
            counter.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        // the lease ended meanwhile (expired, or released as this agent was reaped)
        Err(e)
            if matches!(
                e.code(),
                ErrorCode::LeaseLost | ErrorCode::InvalidTransition
            ) =>
        {
            s.counts.lost.fetch_add(1, Ordering::Relaxed);
            Ok(())
        }
        Err(e) => Err(format!("task {}: {e}", task.id)),
    }
}

fn summary(s: &Shared, elapsed: Duration, left: Option<&xspense::tasks::Reaped>) {
    let c = &s.counts;
    let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
    note!(
        "xspense worker {}: {} completed, {} failed and retried, {} dead, {} lost to another \
         worker, in {:.1} s; deregistered ({} lease(s) released)",
        s.id,
        load(&c.completed),
        load(&c.retried),
        load(&c.dead),
        load(&c.lost),
        elapsed.as_secs_f64(),
        left.map_or(0, |r| r.released.total())
    );
}
