//! The task engine: `TaskQueue` over the built-in store, a SQLite file opened by URL (through
//! `xspense-stores`), or a store of the app's (Room, SQLite, Core Data) implementing `TaskStore`.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;
use xspense::clock::{Clock, Millis, SystemClock};
use xspense::tasks::{
    InMemoryTaskStore, NewTask as CoreNew, RetryPolicy as CorePolicy, Task as CoreTask, TaskStatus,
    TaskStore as CoreStore,
};

use crate::errors::{call, Result, XspenseError};

/// Where a task is in its life.
#[derive(uniffi::Enum, Clone, Copy, PartialEq, Eq)]
pub enum TaskState {
    Pending,
    Claimed,
    Completed,
    Dead,
    Cancelled,
}

fn state(s: TaskStatus) -> TaskState {
    match s {
        TaskStatus::Pending => TaskState::Pending,
        TaskStatus::Claimed => TaskState::Claimed,
        TaskStatus::Completed => TaskState::Completed,
        TaskStatus::Dead => TaskState::Dead,
        TaskStatus::Cancelled => TaskState::Cancelled,
    }
}

fn status(s: TaskState) -> TaskStatus {
    match s {
        TaskState::Pending => TaskStatus::Pending,
        TaskState::Claimed => TaskStatus::Claimed,
        TaskState::Completed => TaskStatus::Completed,
        TaskState::Dead => TaskStatus::Dead,
        TaskState::Cancelled => TaskStatus::Cancelled,
    }
}

/// A task (times in ms since the epoch; payload and result as JSON text).
#[derive(uniffi::Record, Clone)]
pub struct Task {
    pub id: String,
    pub tenant: String,
    pub queue: String,
    pub sender: String,
    pub intent: String,
    pub payload_json: String,
    pub correlation_id: String,
    pub idempotency_key: Option<String>,
    pub priority: i32,
    pub run_at: i64,
    pub attempts: u32,
    pub max_attempts: u32,
    pub state: TaskState,
    pub lease_owner: Option<String>,
    pub lease_expires_at: Option<i64>,
    pub result_json: Option<String>,
    pub error: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub finished_at: Option<i64>,
}

/// A task to add (what a store's `enqueue` receives).
#[derive(uniffi::Record, Clone)]
pub struct NewTask {
    pub tenant: String,
    pub queue: String,
    pub sender: String,
    pub intent: String,
    pub payload_json: String,
    pub correlation_id: Option<String>,
    pub idempotency_key: Option<String>,
    pub priority: i32,
    pub run_at: Option<i64>,
    pub max_attempts: u32,
}

/// The task, and whether this call created it (`false`: the idempotency key matched).
#[derive(uniffi::Record)]
pub struct Enqueued {
    pub task: Task,
    pub created: bool,
}

/// Counts of one queue.
#[derive(uniffi::Record)]
pub struct QueueCounts {
    pub by_state: HashMap<String, u64>,
    pub due: u64,
    pub oldest_due_age_ms: Option<i64>,
}

/// Statistics across queues.
#[derive(uniffi::Record)]
pub struct QueueStats {
    pub queues: HashMap<String, QueueCounts>,
    pub completed_total: u64,
    pub failed_total: u64,
    pub error_rate: f64,
    pub dead_letters: u64,
}

fn parse(what: &str, s: &str) -> xspense::Result<Value> {
    serde_json::from_str(s)
        .map_err(|e| xspense::Error::InvalidInput(format!("{what} is not JSON: {e}")))
}

fn to_record(t: CoreTask) -> Task {
    Task {
        id: t.id,
        tenant: t.tenant,
        queue: t.queue,
        sender: t.from,
        intent: t.intent,
        payload_json: t.payload.to_string(),
        correlation_id: t.correlation_id,
        idempotency_key: t.idempotency_key,
        priority: t.priority,
        run_at: t.run_at,
        attempts: t.attempts,
        max_attempts: t.max_attempts,
        state: state(t.status),
        lease_owner: t.lease_owner,
        lease_expires_at: t.lease_expires_at,
        result_json: t.result.map(|r| r.to_string()),
        error: t.error,
        created_at: t.created_at,
        updated_at: t.updated_at,
        finished_at: t.finished_at,
    }
}

fn from_record(t: Task) -> xspense::Result<CoreTask> {
    Ok(CoreTask {
        payload: parse("payload", &t.payload_json)?,
        result: t
            .result_json
            .as_deref()
            .map(|r| parse("result", r))
            .transpose()?,
        id: t.id,
        tenant: t.tenant,
        queue: t.queue,
        from: t.sender,
        intent: t.intent,
        correlation_id: t.correlation_id,
        idempotency_key: t.idempotency_key,
        priority: t.priority,
        run_at: t.run_at,
        attempts: t.attempts,
        max_attempts: t.max_attempts,
        status: status(t.state),
        lease_owner: t.lease_owner,
        lease_expires_at: t.lease_expires_at,
        error: t.error,
        created_at: t.created_at,
        updated_at: t.updated_at,
        finished_at: t.finished_at,
    })
}

fn stats_record(s: xspense::tasks::QueueStats) -> QueueStats {
    QueueStats {
        queues: s
            .queues
            .into_iter()
            .map(|(q, c)| {
                let counts = QueueCounts {
                    by_state: c
                        .by_status
                        .iter()
                        .map(|(k, v)| (k.as_str().to_string(), *v as u64))
                        .collect(),
                    due: c.due as u64,
                    oldest_due_age_ms: c.oldest_due_age_ms,
                };
                (q, counts)
            })
            .collect(),
        completed_total: s.completed_total,
        failed_total: s.failed_total,
        error_rate: s.error_rate,
        dead_letters: s.dead_letters as u64,
    }
}

/// Backoff between attempts; what a store's `fail` asks for the next delay.
#[derive(uniffi::Object)]
pub struct RetryPolicy {
    inner: CorePolicy,
}

#[uniffi::export]
impl RetryPolicy {
    /// The delay after failed attempt number `attempt` (1-based) of task `task_id`, in ms.
    pub fn delay_ms(&self, task_id: String, attempt: u32) -> i64 {
        self.inner.delay(&task_id, attempt)
    }
}

/// A task store implemented by the app. Each method must be atomic; throw `NotFound`,
/// `LeaseLost` or `InvalidTransition` where the in-memory store would (see the Rust
/// `TaskStore` docs for the SQL each maps to).
#[uniffi::export(with_foreign)]
pub trait TaskStore: Send + Sync {
    /// Adds `task`, or returns the one with the same tenant and idempotency key.
    fn enqueue(&self, task: NewTask, now: i64) -> Result<Enqueued>;
    /// Claims the next due task of `queue` (or one whose lease expired).
    fn claim(&self, queue: String, worker: String, lease_ms: i64, now: i64)
        -> Result<Option<Task>>;
    /// Extends the lease `worker` holds; returns the new expiry.
    fn heartbeat(
        &self,
        tenant: String,
        id: String,
        worker: String,
        lease_ms: i64,
        now: i64,
    ) -> Result<i64>;
    /// Marks a claimed task completed.
    fn complete(
        &self,
        tenant: String,
        id: String,
        worker: String,
        result_json: String,
        now: i64,
    ) -> Result<()>;
    /// Records a failed attempt: pending again at `now + retry.delayMs(id, attempts)`, or dead
    /// when no attempts are left. Returns the new state.
    fn fail(
        &self,
        tenant: String,
        id: String,
        worker: String,
        error: String,
        retry: Arc<RetryPolicy>,
        now: i64,
    ) -> Result<TaskState>;
    /// Cancels a pending or claimed task.
    fn cancel(&self, tenant: String, id: String, now: i64) -> Result<()>;
    /// One task of a tenant.
    fn get(&self, tenant: String, id: String) -> Result<Task>;
    /// Counts per queue and state.
    fn stats(&self, now: i64) -> Result<QueueStats>;
    /// Deletes final tasks older than `retention_ms`; returns how many.
    fn purge(&self, retention_ms: i64, now: i64) -> Result<u64>;
}

/// The app's store seen as the core's `TaskStore`.
struct Foreign(Arc<dyn TaskStore>);

fn core<T>(r: Result<T>) -> xspense::Result<T> {
    r.map_err(XspenseError::into_core)
}

impl CoreStore for Foreign {
    fn enqueue(&self, t: CoreNew, now: Millis) -> xspense::Result<xspense::tasks::Enqueued> {
        let rec = NewTask {
            payload_json: t.payload.to_string(),
            tenant: t.tenant,
            queue: t.queue,
            sender: t.from,
            intent: t.intent,
            correlation_id: t.correlation_id,
            idempotency_key: t.idempotency_key,
            priority: t.priority,
            run_at: t.run_at,
            max_attempts: t.max_attempts,
        };
        let e = core(self.0.enqueue(rec, now))?;
        Ok(xspense::tasks::Enqueued {
            task: from_record(e.task)?,
            created: e.created,
        })
    }
    fn claim(
        &self,
        queue: &str,
        worker: &str,
        lease_ms: Millis,
        now: Millis,
    ) -> xspense::Result<Option<CoreTask>> {
        core(self.0.claim(queue.into(), worker.into(), lease_ms, now))?
            .map(from_record)
            .transpose()
    }
    fn heartbeat(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        lease_ms: Millis,
        now: Millis,
    ) -> xspense::Result<Millis> {
        core(
            self.0
                .heartbeat(tenant.into(), id.into(), worker.into(), lease_ms, now),
        )
    }
    fn complete(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        result: Value,
        now: Millis,
    ) -> xspense::Result<()> {
        core(self.0.complete(
            tenant.into(),
            id.into(),
            worker.into(),
            result.to_string(),
            now,
        ))
    }
    fn fail(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        error: &str,
        retry: &CorePolicy,
        now: Millis,
    ) -> xspense::Result<TaskStatus> {
        let retry = Arc::new(RetryPolicy { inner: *retry });
        core(self.0.fail(
            tenant.into(),
            id.into(),
            worker.into(),
            error.into(),
            retry,
            now,
        ))
        .map(status)
    }
    fn cancel(&self, tenant: &str, id: &str, now: Millis) -> xspense::Result<()> {
        core(self.0.cancel(tenant.into(), id.into(), now))
    }
    fn get(&self, tenant: &str, id: &str) -> xspense::Result<CoreTask> {
        from_record(core(self.0.get(tenant.into(), id.into()))?)
    }
    fn stats(&self, now: Millis) -> xspense::Result<xspense::tasks::QueueStats> {
        let s = core(self.0.stats(now))?;
        Ok(xspense::tasks::QueueStats {
            queues: s
                .queues
                .into_iter()
                .map(|(q, c)| {
                    let by_status = c
                        .by_state
                        .into_iter()
                        .filter_map(|(k, v)| {
                            TaskStatus::ALL
                                .into_iter()
                                .find(|s| s.as_str() == k)
                                .map(|s| (s, v as usize))
                        })
                        .collect();
                    let counts = xspense::tasks::QueueCounts {
                        by_status,
                        due: c.due as usize,
                        oldest_due_age_ms: c.oldest_due_age_ms,
                    };
                    (q, counts)
                })
                .collect(),
            completed_total: s.completed_total,
            failed_total: s.failed_total,
            error_rate: s.error_rate,
            dead_letters: s.dead_letters as usize,
        })
    }
    fn purge(&self, retention_ms: Millis, now: Millis) -> xspense::Result<usize> {
        core(self.0.purge(retention_ms, now)).map(|n| n as usize)
    }
}

/// Options of `TaskQueue.enqueue`.
#[derive(uniffi::Record)]
pub struct EnqueueOptions {
    #[uniffi(default = "app")]
    pub sender: String,
    #[uniffi(default = None)]
    pub idempotency_key: Option<String>,
    #[uniffi(default = None)]
    pub correlation_id: Option<String>,
    #[uniffi(default = 0)]
    pub priority: i32,
    #[uniffi(default = None)]
    pub run_at: Option<i64>,
    #[uniffi(default = 5)]
    pub max_attempts: u32,
}

/// Claims, leases, retries (exponential backoff), idempotency and dead letters over a store.
/// `now` is ms since the epoch; pass `null`/`nil` for the system clock.
#[derive(uniffi::Object)]
pub struct TaskQueue {
    store: Arc<dyn CoreStore>,
    retry: CorePolicy,
    /// The store URL, if opened by URL.
    location: Option<String>,
}

fn now_or(now: Option<i64>) -> i64 {
    now.unwrap_or_else(|| SystemClock.now_ms())
}

#[uniffi::export]
impl TaskQueue {
    /// A queue over the built-in in-memory store.
    #[uniffi::constructor]
    pub fn in_memory() -> Arc<Self> {
        Arc::new(TaskQueue {
            store: Arc::new(InMemoryTaskStore::new()),
            retry: CorePolicy::default(),
            location: None,
        })
    }

    /// A queue over the SQLite task store at `url` (`sqlite:PATH` or a file path, created and
    /// migrated on open), with the default backoff. PostgreSQL is not offered on mobile.
    #[uniffi::constructor]
    pub fn open(url: String) -> Result<Arc<Self>> {
        let (store, location) = call(|| {
            let at = xspense_stores::StoreUrl::parse(&url)?;
            Ok((xspense_stores::open_tasks(&at)?, at.to_string()))
        })?;
        Ok(Arc::new(TaskQueue {
            store,
            retry: CorePolicy::default(),
            location: Some(location),
        }))
    }

    /// The store URL of a queue opened by URL, else null.
    pub fn location(&self) -> Option<String> {
        self.location.clone()
    }

    /// A queue over the app's store, with backoff from `base_ms` doubling up to `max_ms`.
    #[uniffi::constructor]
    pub fn with_store(store: Arc<dyn TaskStore>, base_ms: i64, max_ms: i64) -> Result<Arc<Self>> {
        let retry = CorePolicy {
            base_ms,
            max_ms,
            ..CorePolicy::default()
        };
        call(|| retry.validate())?;
        Ok(Arc::new(TaskQueue {
            store: Arc::new(Foreign(store)),
            retry,
            location: None,
        }))
    }

    /// Adds a task (payload as JSON text), or returns the one with the same idempotency key.
    pub fn enqueue(
        &self,
        tenant: String,
        queue: String,
        intent: String,
        payload_json: String,
        options: EnqueueOptions,
        now: Option<i64>,
    ) -> Result<Enqueued> {
        let e = call(|| {
            let t = CoreNew {
                tenant,
                queue,
                from: options.sender,
                intent,
                payload: parse("payload", &payload_json)?,
                correlation_id: options.correlation_id,
                idempotency_key: options.idempotency_key,
                priority: options.priority,
                run_at: options.run_at,
                max_attempts: options.max_attempts,
            };
            t.validate()?;
            self.store.enqueue(t, now_or(now))
        })?;
        Ok(Enqueued {
            task: to_record(e.task),
            created: e.created,
        })
    }

    /// Claims the next due task of `queue` for `worker`.
    pub fn claim(
        &self,
        queue: String,
        worker: String,
        lease_ms: i64,
        now: Option<i64>,
    ) -> Result<Option<Task>> {
        call(|| self.store.claim(&queue, &worker, lease_ms, now_or(now))).map(|t| t.map(to_record))
    }

    /// Extends the lease `worker` holds; returns the new expiry.
    pub fn heartbeat(
        &self,
        tenant: String,
        id: String,
        worker: String,
        lease_ms: i64,
        now: Option<i64>,
    ) -> Result<i64> {
        call(|| {
            self.store
                .heartbeat(&tenant, &id, &worker, lease_ms, now_or(now))
        })
    }

    /// Marks a claimed task completed (result as JSON text).
    pub fn complete(
        &self,
        tenant: String,
        id: String,
        worker: String,
        result_json: String,
        now: Option<i64>,
    ) -> Result<()> {
        call(|| {
            let result = parse("result", &result_json)?;
            self.store
                .complete(&tenant, &id, &worker, result, now_or(now))
        })
    }

    /// Records a failed attempt; returns the new state.
    pub fn fail(
        &self,
        tenant: String,
        id: String,
        worker: String,
        error: String,
        now: Option<i64>,
    ) -> Result<TaskState> {
        call(|| {
            self.store
                .fail(&tenant, &id, &worker, &error, &self.retry, now_or(now))
        })
        .map(state)
    }

    /// Cancels a pending or claimed task.
    pub fn cancel(&self, tenant: String, id: String, now: Option<i64>) -> Result<()> {
        call(|| self.store.cancel(&tenant, &id, now_or(now)))
    }

    /// One task of a tenant.
    pub fn get(&self, tenant: String, id: String) -> Result<Task> {
        call(|| self.store.get(&tenant, &id)).map(to_record)
    }

    /// Counts per queue and state.
    pub fn stats(&self, now: Option<i64>) -> Result<QueueStats> {
        call(|| self.store.stats(now_or(now))).map(stats_record)
    }

    /// Forgets final tasks older than `retention_ms`; returns how many.
    pub fn purge(&self, retention_ms: i64, now: Option<i64>) -> Result<u64> {
        call(|| self.store.purge(retention_ms, now_or(now))).map(|n| n as u64)
    }
}
