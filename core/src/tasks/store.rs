//! The storage interface of the task engine and its in-memory implementation.
//!
//! Every [`TaskStore`] operation is one atomic step that maps onto one SQL statement:
//!
//! | operation | SQL shape |
//! |---|---|
//! | `enqueue` | `INSERT ... ON CONFLICT (tenant, idempotency_key) DO NOTHING RETURNING *`, then `SELECT` the existing row |
//! | `claim` | `UPDATE tasks SET status='claimed', lease_owner=$w, lease_expires_at=$now+$lease, attempts=attempts+1 WHERE id = (SELECT id FROM tasks WHERE queue=$q AND ((status='pending' AND run_at<=$now) OR (status='claimed' AND lease_expires_at<=$now)) ORDER BY priority DESC, run_at, seq FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING *` |
//! | `heartbeat` | `UPDATE ... SET lease_expires_at=$t WHERE id=$id AND tenant=$t AND status='claimed' AND lease_owner=$w AND lease_expires_at>$now` |
//! | `complete` / `fail` | the same guard, setting status, result or error and run_at |
//! | `cancel` | `UPDATE ... SET status='cancelled' WHERE id=$id AND tenant=$t AND status IN ('pending','claimed')` |
//!
//! An expired lease whose task has no attempts left is moved to `dead` by the claim that finds
//! it (in SQL: the same transaction, or a periodic `UPDATE`).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::ops::Bound;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::model::{NewTask, RetryPolicy, Task, TaskStatus};
use crate::clock::Millis;
use crate::error::{Error, Result};

/// The result of [`TaskStore::enqueue`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Enqueued {
    /// The new task, or the existing one with the same idempotency key.
    pub task: Task,
    /// Whether this call created it.
    pub created: bool,
}

/// Counts of one queue.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct QueueCounts {
    /// Tasks per status.
    pub by_status: BTreeMap<TaskStatus, usize>,
    /// Pending tasks whose `run_at` has passed.
    pub due: usize,
    /// Age of the oldest due pending task (since its `run_at`), in ms.
    pub oldest_due_age_ms: Option<Millis>,
}

/// Statistics across queues.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct QueueStats {
    /// Per queue.
    pub queues: BTreeMap<String, QueueCounts>,
    /// Completions since the store started.
    pub completed_total: u64,
    /// Failures (including lease expiries) since the store started.
    pub failed_total: u64,
    /// `failed_total / (failed_total + completed_total)`.
    pub error_rate: f64,
    /// Dead tasks currently held.
    pub dead_letters: usize,
}

impl QueueStats {
    /// Sets the completion and failure totals and the error rate derived from them (0 when
    /// nothing has finished), so every store computes the rate the same way.
    ///
    /// ```
    /// let mut s = xspense::tasks::QueueStats::default();
    /// s.set_totals(3, 1);
    /// assert_eq!((s.completed_total, s.failed_total, s.error_rate), (3, 1, 0.25));
    /// s.set_totals(0, 0);
    /// assert_eq!(s.error_rate, 0.0);
    /// ```
    pub fn set_totals(&mut self, completed_total: u64, failed_total: u64) {
        self.completed_total = completed_total;
        self.failed_total = failed_total;
        let done = completed_total + failed_total;
        self.error_rate = if done == 0 {
            0.0
        } else {
            failed_total as f64 / done as f64
        };
    }
}

/// Tasks whose leases were ended before their expiry (a gone agent's).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Released {
    /// Back to pending, due at once.
    pub pending: usize,
    /// Dead: the released attempt was their last.
    pub dead: usize,
}

impl Released {
    /// Adds another count.
    pub fn add(&mut self, other: Released) {
        self.pending += other.pending;
        self.dead += other.dead;
    }

    /// Tasks released in all.
    pub fn total(&self) -> usize {
        self.pending + self.dead
    }
}

/// Separates an agent's id from a slot (a thread) in a lease owner's name.
pub const SLOT_SEPARATOR: char = '#';

/// The lease owner name of slot `slot` (a worker thread) of the agent `agent`:
/// `agent#slot`. Leases taken under such names, or under the agent's id itself, are the
/// agent's: the registry releases them when the agent is gone.
///
/// ```
/// use xspense::tasks::{is_lease_of, lease_owner};
/// assert_eq!(lease_owner("w1", 3), "w1#3");
/// assert!(is_lease_of("w1#3", "w1") && is_lease_of("w1", "w1"));
/// assert!(!is_lease_of("w10#3", "w1"));
/// ```
pub fn lease_owner(agent: &str, slot: usize) -> String {
    format!("{agent}{SLOT_SEPARATOR}{slot}")
}

/// Whether a lease taken by `owner` belongs to the agent `agent` (see [`lease_owner`]).
pub fn is_lease_of(owner: &str, agent: &str) -> bool {
    owner
        .strip_prefix(agent)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(SLOT_SEPARATOR))
}

/// The method names of [`TaskStore`], for bindings that check a host's store object.
pub const STORE_METHODS: [&str; 9] = [
    "enqueue",
    "claim",
    "heartbeat",
    "complete",
    "fail",
    "cancel",
    "get",
    "stats",
    "purge",
];

/// Task persistence. Implementations must make each method atomic; see the module docs for
/// the SQL each maps to.
pub trait TaskStore: Send + Sync {
    /// Adds a task, or returns the existing one with the same tenant and idempotency key.
    fn enqueue(&self, task: NewTask, now: Millis) -> Result<Enqueued>;

    /// Claims the next due task of `queue` for `worker`: pending tasks whose `run_at` has
    /// passed and claimed tasks whose lease expired, highest priority first, then oldest.
    fn claim(
        &self,
        queue: &str,
        worker: &str,
        lease_ms: Millis,
        now: Millis,
    ) -> Result<Option<Task>>;

    /// Extends the lease `worker` holds; returns the new expiry.
    fn heartbeat(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        lease_ms: Millis,
        now: Millis,
    ) -> Result<Millis>;

    /// Marks a claimed task completed. Refused with `lease_lost` if `worker` no longer holds
    /// an unexpired lease.
    fn complete(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        result: Value,
        now: Millis,
    ) -> Result<()>;

    /// Records a failed attempt: back to pending after the retry delay, or dead when no
    /// attempts are left. Returns the new status.
    fn fail(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        error: &str,
        retry: &RetryPolicy,
        now: Millis,
    ) -> Result<TaskStatus>;

    /// Cancels a pending or claimed task.
    fn cancel(&self, tenant: &str, id: &str, now: Millis) -> Result<()>;

    /// One task of a tenant.
    fn get(&self, tenant: &str, id: &str) -> Result<Task>;

    /// Counts per queue and status, error rate and dead letters.
    fn stats(&self, now: Millis) -> Result<QueueStats>;

    /// Forgets final tasks (and their idempotency keys) that finished more than `retention_ms`
    /// ago; returns how many.
    fn purge(&self, retention_ms: Millis, now: Millis) -> Result<usize>;

    /// Blocks for up to `timeout` until a task may have become claimable on `queue`; `true`
    /// when woken by one. An idle worker calls it between claims. The default returns `false`
    /// at once and the caller backs off with a bounded sleep; a store with a wake-up channel
    /// (PostgreSQL's LISTEN/NOTIFY) blocks on it. A store without one must not block here:
    /// the core never sleeps.
    fn wait_for_work(&self, queue: &str, timeout: std::time::Duration) -> Result<bool> {
        let _ = (queue, timeout);
        Ok(false)
    }
}

/// Claim order of a ready task: priority (highest first), then `run_at`, then enqueue order.
type ReadyKey = (Reverse<i32>, Millis, u64);

/// How many tasks of one queue are in each status, kept as tasks change so that
/// [`TaskStore::stats`] never walks the tasks.
#[derive(Debug, Default, Clone, Copy, PartialEq)]
struct StatusCounts([usize; TaskStatus::ALL.len()]);

fn status_slot(s: TaskStatus) -> usize {
    match s {
        TaskStatus::Pending => 0,
        TaskStatus::Claimed => 1,
        TaskStatus::Completed => 2,
        TaskStatus::Dead => 3,
        TaskStatus::Cancelled => 4,
    }
}

impl StatusCounts {
    fn get(&self, s: TaskStatus) -> usize {
        self.0[status_slot(s)]
    }

    fn add(&mut self, s: TaskStatus) {
        self.0[status_slot(s)] += 1;
    }

    fn remove(&mut self, s: TaskStatus) {
        let n = &mut self.0[status_slot(s)];
        *n = n.saturating_sub(1);
    }

    fn moved(&mut self, from: TaskStatus, to: TaskStatus) {
        self.remove(from);
        self.add(to);
    }

    fn total(&self) -> usize {
        self.0.iter().sum()
    }

    /// The non-zero counts, as [`QueueCounts::by_status`] lists them.
    fn by_status(&self) -> BTreeMap<TaskStatus, usize> {
        TaskStatus::ALL
            .into_iter()
            .map(|s| (s, self.get(s)))
            .filter(|&(_, n)| n > 0)
            .collect()
    }
}

/// The indexes of one queue. Every operation on them costs O(log n) in the queue's size, or
/// O(1) amortized per task for moving tasks whose `run_at` passed into the claim order.
#[derive(Debug)]
struct QueueIndex {
    /// Every pending task, by (run_at, seq), with its priority.
    pending: BTreeMap<(Millis, u64), i32>,
    /// The pending tasks whose `run_at` is at or before `due_until`, in claim order.
    ready: BTreeSet<ReadyKey>,
    /// The latest time `ready` was brought up to.
    due_until: Millis,
    /// Claimed tasks: (lease expiry, seq).
    leased: BTreeSet<(Millis, u64)>,
    /// Tasks held per status.
    counts: StatusCounts,
}

impl Default for QueueIndex {
    fn default() -> Self {
        QueueIndex {
            pending: BTreeMap::new(),
            ready: BTreeSet::new(),
            due_until: Millis::MIN,
            leased: BTreeSet::new(),
            counts: StatusCounts::default(),
        }
    }
}

/// The `(run_at, seq)` keys after `time`, for ranges over [`QueueIndex::pending`].
fn after(time: Millis) -> Bound<(Millis, u64)> {
    Bound::Excluded((time, u64::MAX))
}

/// The `(run_at, seq)` keys up to and including `time`.
fn until(time: Millis) -> Bound<(Millis, u64)> {
    Bound::Included((time, u64::MAX))
}

impl QueueIndex {
    /// Adds a pending task (its count is the caller's).
    fn insert_pending(&mut self, run_at: Millis, seq: u64, priority: i32) {
        self.pending.insert((run_at, seq), priority);
        if run_at <= self.due_until {
            self.ready.insert((Reverse(priority), run_at, seq));
        }
    }

    /// Takes a pending task out of the indexes (claimed or cancelled).
    fn remove_pending(&mut self, run_at: Millis, seq: u64, priority: i32) {
        self.pending.remove(&(run_at, seq));
        self.ready.remove(&(Reverse(priority), run_at, seq));
    }

    /// Moves the pending tasks whose `run_at` is at or before `now` into the claim order.
    fn advance(&mut self, now: Millis) {
        if now <= self.due_until {
            return;
        }
        for (&(run_at, seq), &priority) in self.pending.range((after(self.due_until), until(now))) {
            self.ready.insert((Reverse(priority), run_at, seq));
        }
        self.due_until = now;
    }

    /// Pending tasks whose `run_at` is at or before `now` (after [`QueueIndex::advance`]).
    fn due(&self, now: Millis) -> usize {
        if now >= self.due_until {
            return self.ready.len();
        }
        // `now` is earlier than a time the queue already saw: leave out what became due since
        let later = self
            .pending
            .range((after(now), until(self.due_until)))
            .count();
        self.ready.len().saturating_sub(later)
    }

    /// How long ago the earliest due pending task became due.
    fn oldest_due_age(&self, now: Millis) -> Option<Millis> {
        let (&(run_at, _), _) = self.pending.first_key_value()?;
        (run_at <= now).then(|| now - run_at)
    }

    fn counts(&self, now: Millis) -> QueueCounts {
        QueueCounts {
            by_status: self.counts.by_status(),
            due: self.due(now),
            oldest_due_age_ms: self.oldest_due_age(now),
        }
    }
}

#[derive(Debug, Default)]
struct Inner {
    /// Boxed: a table of whole tasks would hold up to twice their size in empty slots.
    tasks: HashMap<u64, Box<Task>>,
    queues: HashMap<String, QueueIndex>,
    idempotency: HashMap<(String, String), u64>,
    /// Final tasks by (finished_at, seq), oldest first, for `purge`.
    finished: BTreeSet<(Millis, u64)>,
    next: u64,
    completed_total: u64,
    failed_total: u64,
}

const ID_PREFIX: &str = "task_";

/// Longest error text kept on a task, in characters.
const MAX_ERROR_CHARS: usize = 1_000;

fn task_at<'a>(tasks: &'a mut HashMap<u64, Box<Task>>, seq: u64, id: &str) -> Result<&'a mut Task> {
    tasks
        .get_mut(&seq)
        .map(|t| &mut **t)
        .ok_or_else(|| Error::not_found("task", id))
}

fn seq_of(id: &str) -> Option<u64> {
    id.strip_prefix(ID_PREFIX)
        .and_then(|h| u64::from_str_radix(h, 16).ok())
}

/// Counts the task `seq`, just moved from claimed to its status `t.status`, and indexes it by
/// `finished_at` when that status is final. (A function of the fields it needs, so the caller
/// can hold the task while it runs.)
fn claimed_to(
    queues: &mut HashMap<String, QueueIndex>,
    finished: &mut BTreeSet<(Millis, u64)>,
    t: &Task,
    seq: u64,
) {
    if let Some(q) = queues.get_mut(&t.queue) {
        q.counts.moved(TaskStatus::Claimed, t.status);
    }
    if let (true, Some(at)) = (t.status.is_final(), t.finished_at) {
        finished.insert((at, seq));
    }
}

/// A [`TaskStore`] in memory, safe to share between threads (one lock around the state).
///
/// Claims, transitions and `stats` cost O(log n) in the number of tasks held (`stats`:
/// O(queues · log n)), and `purge` O(log n) per task it forgets, so a backlog of millions of
/// due tasks does not slow them down.
#[derive(Debug, Default)]
pub struct InMemoryTaskStore {
    inner: Mutex<Inner>,
}

impl InMemoryTaskStore {
    /// An empty store.
    pub fn new() -> InMemoryTaskStore {
        InMemoryTaskStore::default()
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, Inner>> {
        self.inner
            .lock()
            .map_err(|_| Error::Internal("task store lock poisoned by a panicking thread".into()))
    }
}

impl InMemoryTaskStore {
    /// Ends at once every lease held by the agent `agent` (its own name, or a name of
    /// [`lease_owner`] for it), as a lease expiry at `now` would: each attempt counts as a
    /// failure and the task is pending again (due now), or dead without attempts left. What
    /// [`super::AgentRegistry::reap`] does to a gone agent's tasks.
    pub fn release_leases_of(&self, agent: &str, now: Millis) -> Result<Released> {
        let mut g = self.lock()?;
        let inner = &mut *g;
        let held: Vec<u64> = inner
            .queues
            .values()
            .flat_map(|q| q.leased.iter().map(|&(_, seq)| seq))
            .filter(|seq| {
                inner
                    .tasks
                    .get(seq)
                    .and_then(|t| t.lease_owner.as_deref())
                    .is_some_and(|owner| is_lease_of(owner, agent))
            })
            .collect();
        let why = format!("agent {agent} gone");
        let mut released = Released::default();
        for seq in held {
            match inner.end_lease(seq, now, &why) {
                Some(TaskStatus::Dead) => released.dead += 1,
                Some(_) => released.pending += 1,
                None => {}
            }
        }
        Ok(released)
    }
}

impl Inner {
    fn task_mut(&mut self, tenant: &str, id: &str) -> Result<(u64, &mut Task)> {
        let seq = seq_of(id).ok_or_else(|| Error::not_found("task", id))?;
        match self.tasks.get_mut(&seq) {
            Some(t) if t.tenant == tenant => Ok((seq, t)),
            _ => Err(Error::not_found("task", id)),
        }
    }

    /// Moves due pending tasks into the claim order and handles expired leases of one queue.
    fn refresh(&mut self, queue: &str, now: Millis) {
        let Some(q) = self.queues.get_mut(queue) else {
            return;
        };
        q.advance(now);
        let mut expired = Vec::new();
        while let Some(&(expires, seq)) = q.leased.first() {
            if expires > now {
                break;
            }
            q.leased.pop_first();
            expired.push(seq);
        }
        for seq in expired {
            self.end_lease(seq, now, "lease expired");
        }
    }

    /// Ends the lease on the claimed task `seq` at `now` as an expiry does: the attempt counts
    /// as a failure, and the task is pending again (due now), or dead without attempts left.
    /// `why` starts the error text (`"<why> at attempt <n>"`).
    fn end_lease(&mut self, seq: u64, now: Millis, why: &str) -> Option<TaskStatus> {
        self.unlease(seq);
        let t = self.tasks.get_mut(&seq)?;
        if t.status != TaskStatus::Claimed {
            return None;
        }
        let q = self.queues.get_mut(&t.queue)?;
        self.failed_total += 1;
        t.lease_owner = None;
        t.lease_expires_at = None;
        t.updated_at = now;
        t.error = Some(format!("{why} at attempt {}", t.attempts));
        if t.attempts >= t.max_attempts {
            t.status = TaskStatus::Dead;
            t.finished_at = Some(now);
            q.counts.moved(TaskStatus::Claimed, TaskStatus::Dead);
            self.finished.insert((now, seq));
        } else {
            t.status = TaskStatus::Pending;
            t.run_at = now;
            q.counts.moved(TaskStatus::Claimed, TaskStatus::Pending);
            q.insert_pending(t.run_at, seq, t.priority);
        }
        Some(t.status)
    }

    /// Checks that `worker` holds an unexpired lease on the task and takes the task out of the
    /// lease index (the caller sets what follows).
    fn take_lease(&mut self, tenant: &str, id: &str, worker: &str, now: Millis) -> Result<u64> {
        let seq = self.held(tenant, id, worker, now)?;
        self.unlease(seq);
        Ok(seq)
    }

    /// Checks that `worker` holds an unexpired lease on the task.
    fn held(&mut self, tenant: &str, id: &str, worker: &str, now: Millis) -> Result<u64> {
        let (seq, t) = self.task_mut(tenant, id)?;
        if t.status != TaskStatus::Claimed {
            return Err(if t.status == TaskStatus::Pending {
                Error::LeaseLost(format!("task {id} is pending again: its lease expired"))
            } else {
                Error::InvalidTransition(format!("task {id} is {}", t.status.as_str()))
            });
        }
        if t.lease_owner.as_deref() != Some(worker) {
            return Err(Error::LeaseLost(format!(
                "task {id} is held by another worker"
            )));
        }
        if t.lease_expires_at.is_none_or(|e| e <= now) {
            return Err(Error::LeaseLost(format!("the lease on task {id} expired")));
        }
        Ok(seq)
    }

    fn unlease(&mut self, seq: u64) {
        let Some(t) = self.tasks.get(&seq) else {
            return;
        };
        if let (Some(q), Some(e)) = (self.queues.get_mut(&t.queue), t.lease_expires_at) {
            q.leased.remove(&(e, seq));
        }
    }

    /// Forgets one final task: its record, its idempotency key and its count.
    fn forget(&mut self, seq: u64) {
        let Some(t) = self.tasks.remove(&seq) else {
            return;
        };
        if let Some(k) = t.idempotency_key {
            self.idempotency.remove(&(t.tenant, k));
        }
        let emptied = self.queues.get_mut(&t.queue).is_some_and(|q| {
            q.counts.remove(t.status);
            q.counts.total() == 0
        });
        if emptied {
            self.queues.remove(&t.queue);
        }
    }
}

impl TaskStore for InMemoryTaskStore {
    fn enqueue(&self, new: NewTask, now: Millis) -> Result<Enqueued> {
        new.validate()?;
        let mut g = self.lock()?;
        let inner = &mut *g;
        if let Some(key) = &new.idempotency_key {
            if let Some(seq) = inner.idempotency.get(&(new.tenant.clone(), key.clone())) {
                if let Some(t) = inner.tasks.get(seq) {
                    return Ok(Enqueued {
                        task: Task::clone(t),
                        created: false,
                    });
                }
            }
        }
        let seq = inner.next;
        inner.next += 1;
        let id = format!("{ID_PREFIX}{seq:012x}");
        let run_at = new.run_at.unwrap_or(now);
        let task = Task {
            correlation_id: new.correlation_id.unwrap_or_else(|| id.clone()),
            id,
            tenant: new.tenant,
            queue: new.queue,
            from: new.from,
            intent: new.intent,
            payload: new.payload,
            idempotency_key: new.idempotency_key,
            priority: new.priority,
            run_at,
            attempts: 0,
            max_attempts: new.max_attempts,
            status: TaskStatus::Pending,
            lease_owner: None,
            lease_expires_at: None,
            result: None,
            error: None,
            created_at: now,
            updated_at: now,
            finished_at: None,
        };
        if let Some(key) = &task.idempotency_key {
            inner
                .idempotency
                .insert((task.tenant.clone(), key.clone()), seq);
        }
        let q = inner.queues.entry(task.queue.clone()).or_default();
        q.advance(now);
        q.insert_pending(run_at, seq, task.priority);
        q.counts.add(TaskStatus::Pending);
        inner.tasks.insert(seq, Box::new(task.clone()));
        Ok(Enqueued {
            task,
            created: true,
        })
    }

    fn claim(
        &self,
        queue: &str,
        worker: &str,
        lease_ms: Millis,
        now: Millis,
    ) -> Result<Option<Task>> {
        if lease_ms <= 0 {
            return Err(Error::invalid("lease_ms must be positive"));
        }
        if worker.is_empty() {
            return Err(Error::invalid("worker name must not be empty"));
        }
        let mut g = self.lock()?;
        let inner = &mut *g;
        inner.refresh(queue, now);
        let Some(q) = inner.queues.get_mut(queue) else {
            return Ok(None);
        };
        let Some((_, run_at, seq)) = q.ready.pop_first() else {
            return Ok(None);
        };
        q.pending.remove(&(run_at, seq));
        let Some(t) = inner.tasks.get_mut(&seq) else {
            return Err(Error::Internal(format!(
                "queue {queue} lists a missing task"
            )));
        };
        t.status = TaskStatus::Claimed;
        t.attempts += 1;
        t.lease_owner = Some(worker.to_string());
        t.lease_expires_at = Some(now + lease_ms);
        t.updated_at = now;
        q.counts.moved(TaskStatus::Pending, TaskStatus::Claimed);
        q.leased.insert((now + lease_ms, seq));
        Ok(Some(Task::clone(t)))
    }

    fn heartbeat(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        lease_ms: Millis,
        now: Millis,
    ) -> Result<Millis> {
        if lease_ms <= 0 {
            return Err(Error::invalid("lease_ms must be positive"));
        }
        let mut g = self.lock()?;
        let seq = g.take_lease(tenant, id, worker, now)?;
        let inner = &mut *g;
        let t = task_at(&mut inner.tasks, seq, id)?;
        let expires = now + lease_ms;
        t.lease_expires_at = Some(expires);
        t.updated_at = now;
        if let Some(q) = inner.queues.get_mut(&t.queue) {
            q.leased.insert((expires, seq));
        }
        Ok(expires)
    }

    fn complete(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        result: Value,
        now: Millis,
    ) -> Result<()> {
        let mut g = self.lock()?;
        let seq = g.take_lease(tenant, id, worker, now)?;
        let inner = &mut *g;
        inner.completed_total += 1;
        let t = task_at(&mut inner.tasks, seq, id)?;
        t.status = TaskStatus::Completed;
        t.result = Some(result);
        t.lease_owner = None;
        t.lease_expires_at = None;
        t.updated_at = now;
        t.finished_at = Some(now);
        claimed_to(&mut inner.queues, &mut inner.finished, t, seq);
        Ok(())
    }

    fn fail(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        error: &str,
        retry: &RetryPolicy,
        now: Millis,
    ) -> Result<TaskStatus> {
        retry.validate()?;
        let mut g = self.lock()?;
        let seq = g.take_lease(tenant, id, worker, now)?;
        g.failed_total += 1;
        let inner = &mut *g;
        let t = task_at(&mut inner.tasks, seq, id)?;
        t.error = Some(error.chars().take(MAX_ERROR_CHARS).collect());
        t.lease_owner = None;
        t.lease_expires_at = None;
        t.updated_at = now;
        if t.attempts >= t.max_attempts {
            t.status = TaskStatus::Dead;
            t.finished_at = Some(now);
        } else {
            t.status = TaskStatus::Pending;
            t.run_at = now + retry.delay(&t.id, t.attempts);
            if let Some(q) = inner.queues.get_mut(&t.queue) {
                q.insert_pending(t.run_at, seq, t.priority);
            }
        }
        claimed_to(&mut inner.queues, &mut inner.finished, t, seq);
        Ok(t.status)
    }

    fn cancel(&self, tenant: &str, id: &str, now: Millis) -> Result<()> {
        let mut g = self.lock()?;
        let inner = &mut *g;
        let (seq, t) = inner.task_mut(tenant, id)?;
        if t.status.is_final() {
            return Err(Error::InvalidTransition(format!(
                "task {id} is already {}",
                t.status.as_str()
            )));
        }
        let (was, priority, run_at, expires, queue) = (
            t.status,
            t.priority,
            t.run_at,
            t.lease_expires_at,
            t.queue.clone(),
        );
        t.status = TaskStatus::Cancelled;
        t.lease_owner = None;
        t.lease_expires_at = None;
        t.updated_at = now;
        t.finished_at = Some(now);
        if let Some(q) = inner.queues.get_mut(&queue) {
            if was == TaskStatus::Pending {
                q.remove_pending(run_at, seq, priority);
            }
            if let Some(e) = expires {
                q.leased.remove(&(e, seq));
            }
            q.counts.moved(was, TaskStatus::Cancelled);
        }
        inner.finished.insert((now, seq));
        Ok(())
    }

    fn get(&self, tenant: &str, id: &str) -> Result<Task> {
        let mut g = self.lock()?;
        g.task_mut(tenant, id).map(|(_, t)| t.clone())
    }

    /// O(queues · log n): the counts are kept as tasks change. Pending tasks whose `run_at`
    /// passed by `now` join their queue's claim order here as they would at the next claim.
    fn stats(&self, now: Millis) -> Result<QueueStats> {
        let mut g = self.lock()?;
        let inner = &mut *g;
        let mut s = QueueStats::default();
        for (name, q) in inner.queues.iter_mut() {
            if q.counts.total() == 0 {
                continue;
            }
            q.advance(now);
            s.dead_letters += q.counts.get(TaskStatus::Dead);
            s.queues.insert(name.clone(), q.counts(now));
        }
        s.set_totals(inner.completed_total, inner.failed_total);
        Ok(s)
    }

    /// O(log n) per task forgotten: final tasks are indexed by the time they finished.
    fn purge(&self, retention_ms: Millis, now: Millis) -> Result<usize> {
        let mut g = self.lock()?;
        let inner = &mut *g;
        let mut purged = 0;
        while let Some(&(finished_at, seq)) = inner.finished.first() {
            if finished_at.saturating_add(retention_ms) >= now {
                break;
            }
            inner.finished.pop_first();
            inner.forget(seq);
            purged += 1;
        }
        Ok(purged)
    }
}
