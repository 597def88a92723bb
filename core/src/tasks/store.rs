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
}

#[derive(Debug, Default)]
struct QueueIndex {
    /// due pending tasks: (priority desc, run_at, seq)
    ready: BTreeSet<(Reverse<i32>, Millis, u64)>,
    /// pending tasks not yet due: (run_at, seq)
    delayed: BTreeSet<(Millis, u64)>,
    /// claimed tasks: (lease expiry, seq)
    leased: BTreeSet<(Millis, u64)>,
}

#[derive(Debug, Default)]
struct Inner {
    tasks: HashMap<u64, Task>,
    queues: HashMap<String, QueueIndex>,
    idempotency: HashMap<(String, String), u64>,
    next: u64,
    completed_total: u64,
    failed_total: u64,
}

const ID_PREFIX: &str = "task_";

fn task_at<'a>(tasks: &'a mut HashMap<u64, Task>, seq: u64, id: &str) -> Result<&'a mut Task> {
    tasks
        .get_mut(&seq)
        .ok_or_else(|| Error::not_found("task", id))
}

fn seq_of(id: &str) -> Option<u64> {
    id.strip_prefix(ID_PREFIX)
        .and_then(|h| u64::from_str_radix(h, 16).ok())
}

/// A [`TaskStore`] in memory, safe to share between threads (one lock around the state).
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

impl Inner {
    fn task_mut(&mut self, tenant: &str, id: &str) -> Result<(u64, &mut Task)> {
        let seq = seq_of(id).ok_or_else(|| Error::not_found("task", id))?;
        match self.tasks.get_mut(&seq) {
            Some(t) if t.tenant == tenant => Ok((seq, t)),
            _ => Err(Error::not_found("task", id)),
        }
    }

    /// Moves due delayed tasks to ready and handles expired leases of one queue.
    fn refresh(&mut self, queue: &str, now: Millis) {
        let Some(q) = self.queues.get_mut(queue) else {
            return;
        };
        while let Some(&(run_at, seq)) = q.delayed.first() {
            if run_at > now {
                break;
            }
            q.delayed.pop_first();
            if let Some(t) = self.tasks.get(&seq) {
                q.ready.insert((Reverse(t.priority), t.run_at, seq));
            }
        }
        while let Some(&(expires, seq)) = q.leased.first() {
            if expires > now {
                break;
            }
            q.leased.pop_first();
            let Some(t) = self.tasks.get_mut(&seq) else {
                continue;
            };
            self.failed_total += 1;
            t.lease_owner = None;
            t.lease_expires_at = None;
            t.updated_at = now;
            t.error = Some(format!("lease expired at attempt {}", t.attempts));
            if t.attempts >= t.max_attempts {
                t.status = TaskStatus::Dead;
                t.finished_at = Some(now);
            } else {
                t.status = TaskStatus::Pending;
                t.run_at = now;
                q.ready.insert((Reverse(t.priority), t.run_at, seq));
            }
        }
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
                        task: t.clone(),
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
        if run_at <= now {
            q.ready.insert((Reverse(task.priority), run_at, seq));
        } else {
            q.delayed.insert((run_at, seq));
        }
        inner.tasks.insert(seq, task.clone());
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
        let Some((_, _, seq)) = q.ready.pop_first() else {
            return Ok(None);
        };
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
        q.leased.insert((now + lease_ms, seq));
        Ok(Some(t.clone()))
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
        g.completed_total += 1;
        let t = task_at(&mut g.tasks, seq, id)?;
        t.status = TaskStatus::Completed;
        t.result = Some(result);
        t.lease_owner = None;
        t.lease_expires_at = None;
        t.updated_at = now;
        t.finished_at = Some(now);
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
        t.error = Some(error.chars().take(1_000).collect());
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
                if t.run_at <= now {
                    q.ready.insert((Reverse(t.priority), t.run_at, seq));
                } else {
                    q.delayed.insert((t.run_at, seq));
                }
            }
        }
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
        let (priority, run_at, expires, queue) =
            (t.priority, t.run_at, t.lease_expires_at, t.queue.clone());
        t.status = TaskStatus::Cancelled;
        t.lease_owner = None;
        t.lease_expires_at = None;
        t.updated_at = now;
        t.finished_at = Some(now);
        if let Some(q) = inner.queues.get_mut(&queue) {
            q.ready.remove(&(Reverse(priority), run_at, seq));
            q.delayed.remove(&(run_at, seq));
            if let Some(e) = expires {
                q.leased.remove(&(e, seq));
            }
        }
        Ok(())
    }

    fn get(&self, tenant: &str, id: &str) -> Result<Task> {
        let mut g = self.lock()?;
        g.task_mut(tenant, id).map(|(_, t)| t.clone())
    }

    fn stats(&self, now: Millis) -> Result<QueueStats> {
        let g = self.lock()?;
        let mut s = QueueStats {
            completed_total: g.completed_total,
            failed_total: g.failed_total,
            ..QueueStats::default()
        };
        for t in g.tasks.values() {
            let q = s.queues.entry(t.queue.clone()).or_default();
            *q.by_status.entry(t.status).or_default() += 1;
            if t.status == TaskStatus::Pending && t.run_at <= now {
                q.due += 1;
                let age = now - t.run_at;
                q.oldest_due_age_ms = Some(q.oldest_due_age_ms.map_or(age, |a| a.max(age)));
            }
            if t.status == TaskStatus::Dead {
                s.dead_letters += 1;
            }
        }
        let done = s.completed_total + s.failed_total;
        s.error_rate = if done == 0 {
            0.0
        } else {
            s.failed_total as f64 / done as f64
        };
        Ok(s)
    }

    fn purge(&self, retention_ms: Millis, now: Millis) -> Result<usize> {
        let mut g = self.lock()?;
        let inner = &mut *g;
        let old: Vec<u64> = inner
            .tasks
            .iter()
            .filter(|(_, t)| t.finished_at.is_some_and(|f| f + retention_ms < now))
            .map(|(&s, _)| s)
            .collect();
        for seq in &old {
            if let Some(t) = inner.tasks.remove(seq) {
                if let Some(k) = t.idempotency_key {
                    inner.idempotency.remove(&(t.tenant, k));
                }
            }
        }
        Ok(old.len())
    }
}
