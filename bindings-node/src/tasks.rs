//! The task engine: `TaskQueue` over the built-in store, a store opened by URL (SQLite or
//! PostgreSQL, through `xspense-stores`) or a store written in JavaScript.

use std::sync::Arc;

use napi::bindgen_prelude::{
    FnArgs, Function, JsObjectValue, Object, ObjectFinalize, ObjectRef, Unknown,
};
use napi::Env;
use napi_derive::napi;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::Value;
use xspense::clock::Millis;
use xspense::tasks::{
    InMemoryTaskStore, NewTask, RetryPolicy as CorePolicy, Task, TaskStatus, TaskStore,
};

use crate::convert::{from_js, from_js_or_default, integral, now_or, record, to_js, Json};
use crate::errors::{guard, invalid, IntoJs, JsError};

/// Backoff between attempts of a failed task: any of the keys of a `RetryPolicy`; a key left
/// out keeps the value in force (the queue's, or the core's default for a new queue).
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Deserialize, Default, Clone, Copy)]
#[serde(deny_unknown_fields)]
pub struct RetryOptions {
    /// First delay (ms).
    #[napi(js_name = "base_ms")]
    pub base_ms: Option<i64>,
    /// Growth per attempt.
    pub factor: Option<f64>,
    /// Longest delay (ms).
    #[napi(js_name = "max_ms")]
    pub max_ms: Option<i64>,
    /// Fraction of the delay randomized away, deterministically per task.
    pub jitter: Option<f64>,
}

fn policy(o: Option<RetryOptions>, base: CorePolicy) -> Result<CorePolicy, JsError> {
    let p = match o {
        None => base,
        Some(o) => CorePolicy {
            base_ms: o.base_ms.unwrap_or(base.base_ms),
            factor: o.factor.unwrap_or(base.factor),
            max_ms: o.max_ms.unwrap_or(base.max_ms),
            jitter: o.jitter.unwrap_or(base.jitter),
        },
    };
    p.validate().js()?;
    Ok(p)
}

/// What a host store's `fail` receives to compute the next delay. Its `base_ms`, `factor`,
/// `max_ms` and `jitter` are those of the `RetryPolicy` record.
#[napi]
pub struct RetryPolicy {
    inner: CorePolicy,
}

// The getters' declarations are the `RetryPolicy` record's keys in records.d.ts, which
// TypeScript merges with this class.
#[napi]
impl RetryPolicy {
    #[napi(constructor)]
    pub fn new(
        env: Env,
        #[napi(ts_arg_type = "RetryOptions")] options: Option<Unknown>,
    ) -> Result<Self, JsError> {
        let options: RetryOptions = from_js_or_default(&env, options, "retry options")?;
        Ok(RetryPolicy {
            inner: policy(Some(options), CorePolicy::default())?,
        })
    }
    /// The delay after failed attempt number `attempt` (1-based) of task `taskId`.
    #[napi]
    pub fn delay_ms(&self, task_id: String, attempt: u32) -> i64 {
        self.inner.delay(&task_id, attempt)
    }
    #[napi(getter, js_name = "base_ms", skip_typescript)]
    pub fn base_ms(&self) -> i64 {
        self.inner.base_ms
    }
    #[napi(getter, js_name = "factor", skip_typescript)]
    pub fn factor(&self) -> f64 {
        self.inner.factor
    }
    #[napi(getter, js_name = "max_ms", skip_typescript)]
    pub fn max_ms(&self) -> i64 {
        self.inner.max_ms
    }
    #[napi(getter, js_name = "jitter", skip_typescript)]
    pub fn jitter(&self) -> f64 {
        self.inner.jitter
    }
}

/// Options of `TaskQueue.enqueue` and `enqueueDownstream`; what is left out takes the core's
/// defaults for a new task.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EnqueueOptions {
    /// Who asks (`enqueue` only; a downstream task is from its parent's queue).
    pub sender: Option<String>,
    #[napi(js_name = "idempotency_key")]
    pub idempotency_key: Option<String>,
    /// Joins an existing correlation (`enqueue` only; a downstream task keeps its parent's).
    #[napi(js_name = "correlation_id")]
    pub correlation_id: Option<String>,
    pub priority: Option<i32>,
    /// Not before this time (ms since the epoch).
    #[napi(js_name = "run_at")]
    pub run_at: Option<i64>,
    /// Claims allowed before the task is dead.
    #[napi(js_name = "max_attempts")]
    pub max_attempts: Option<u32>,
    /// ms since the epoch (default: now).
    pub now: Option<i64>,
}

impl EnqueueOptions {
    /// `task` with the options given here set on it.
    fn apply(self, mut task: NewTask) -> NewTask {
        if let Some(k) = self.idempotency_key {
            task = task.idempotency_key(k);
        }
        if let Some(p) = self.priority {
            task = task.priority(p);
        }
        if let Some(t) = self.run_at {
            task = task.run_at(t);
        }
        if let Some(n) = self.max_attempts {
            task = task.max_attempts(n);
        }
        task
    }
}

/// Options of `claim` and `heartbeat`.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct LeaseOptions {
    /// Lease length (default 30,000 ms).
    #[napi(js_name = "lease_ms")]
    pub lease_ms: Option<i64>,
    /// ms since the epoch (default: now).
    pub now: Option<i64>,
}

impl LeaseOptions {
    /// The lease length and the time.
    fn read(env: &Env, options: Option<Unknown>) -> Result<(Millis, Millis), JsError> {
        let o: LeaseOptions = from_js_or_default(env, options, "lease options")?;
        let lease = o.lease_ms.unwrap_or(30_000);
        if lease <= 0 {
            return Err(invalid("lease_ms must be positive"));
        }
        Ok((lease, now_or(o.now)))
    }
}

/// Options of `fail`.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct FailOptions {
    /// Overrides the queue's retry policy for this failure.
    pub retry: Option<RetryOptions>,
    /// ms since the epoch (default: now).
    pub now: Option<i64>,
}

/// Options of `new TaskQueue`.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct QueueOptions {
    /// The retry policy of failed tasks.
    pub retry: Option<RetryOptions>,
}

/// A task store written by the host, for `new TaskQueue(store)`. Each method must be atomic
/// and synchronous; throw an `Error` with `code` `"not_found"`, `"lease_lost"` or
/// `"invalid_transition"` where the in-memory store would (it reaches the caller unchanged).
/// Tasks, new tasks and statistics are records in the core's JSON shape (snake_case keys).
/// `examples/json-file-store.mjs` is a complete one.
#[napi(
    object,
    js_name = "TaskStore",
    object_from_js = false,
    object_to_js = false
)]
#[allow(dead_code)] // declares the interface a host implements (index.d.ts); never built here
pub struct HostTaskStore {
    /// Adds `task` (id, `correlation_id` defaulting to it, `run_at` to `now`), or returns the
    /// task with the same tenant and idempotency key and `created: false`.
    #[napi(ts_type = "(task: NewTask, now: number) => Enqueued")]
    pub enqueue: (),
    /// Takes the next due task of `queue` (pending with `run_at <= now`, or claimed with an
    /// expired lease, which counts as a failed attempt), highest priority first, then earliest
    /// `run_at`.
    #[napi(
        ts_type = "(queue: string, worker: string, leaseMs: number, now: number) => Task | null"
    )]
    pub claim: (),
    /// Extends the lease `worker` holds to `now + leaseMs` and returns it.
    #[napi(
        ts_type = "(tenant: string, id: string, worker: string, leaseMs: number, now: number) => number"
    )]
    pub heartbeat: (),
    /// Marks a claimed task completed with `result`.
    #[napi(
        ts_type = "(tenant: string, id: string, worker: string, result: JsonValue, now: number) => void"
    )]
    pub complete: (),
    /// Records a failed attempt: pending again at `now + retry.delayMs(id, attempts)`, or dead
    /// when no attempts are left.
    #[napi(
        ts_type = "(tenant: string, id: string, worker: string, error: string, retry: RetryPolicy, now: number) => TaskStatus"
    )]
    pub fail: (),
    /// Cancels a pending or claimed task.
    #[napi(ts_type = "(tenant: string, id: string, now: number) => void")]
    pub cancel: (),
    /// One task of `tenant`.
    #[napi(ts_type = "(tenant: string, id: string) => Task")]
    pub get: (),
    /// Counts per queue and status.
    #[napi(ts_type = "(now: number) => QueueStats")]
    pub stats: (),
    /// Deletes final tasks finished before `now - retentionMs`; returns how many.
    #[napi(ts_type = "(retentionMs: number, now: number) => number")]
    pub purge: (),
}

enum Backend {
    /// The in-memory store, or a database opened by URL.
    Memory(Arc<dyn TaskStore>),
    /// The host's store object (see `TaskStore` in index.d.ts).
    Host(ObjectRef<false>),
}

/// Claims, leases, retries, idempotency and dead letters over the built-in in-memory store or
/// a store object of the host's (`TaskStore`). Times are ms since the epoch; `now` defaults to
/// the system clock.
#[napi(custom_finalize)]
pub struct TaskQueue {
    backend: Option<Backend>,
    retry: CorePolicy,
    /// The store URL (password masked), if opened by URL.
    location: Option<String>,
}

impl ObjectFinalize for TaskQueue {
    fn finalize(mut self, env: Env) -> napi::Result<()> {
        if let Some(Backend::Host(r)) = self.backend.take() {
            r.unref(&env)?;
        }
        Ok(())
    }
}

/// Calls `method` on the host store with `args` and reads its answer as `T`. An exception the
/// store throws reaches the caller unchanged.
fn host_call<A, T>(env: &Env, store: &ObjectRef<false>, method: &str, args: A) -> Result<T, JsError>
where
    A: napi::bindgen_prelude::JsValuesTupleIntoVec,
    T: DeserializeOwned,
{
    let obj: Object = store.get_value(env).js()?;
    let f: Function<A, Option<Value>> = obj
        .get_named_property(method)
        .map_err(|_| invalid(format!("the task store has no method {method}")))?;
    let out = f
        .apply(obj, args)
        .map_err(|e| napi::Error::new("internal".to_string(), e.reason))?;
    // undefined and null both read as null (void methods, claim finding nothing)
    serde_json::from_value(integral(out.unwrap_or(Value::Null))).map_err(|e| {
        crate::errors::to_js(xspense::Error::Internal(format!(
            "task store method {method}() returned an unexpected value: {e}"
        )))
    })
}

#[napi]
impl TaskQueue {
    #[napi(constructor)]
    pub fn new(
        env: Env,
        #[napi(ts_arg_type = "TaskStore | null")] store: Option<Object>,
        #[napi(ts_arg_type = "QueueOptions")] options: Option<Unknown>,
    ) -> Result<Self, JsError> {
        let options: QueueOptions = from_js_or_default(&env, options, "queue options")?;
        let retry = policy(options.retry, CorePolicy::default())?;
        let backend = match store {
            None => Backend::Memory(Arc::new(InMemoryTaskStore::new())),
            Some(obj) => {
                let missing: Vec<&str> = xspense::tasks::STORE_METHODS
                    .iter()
                    .copied()
                    .filter(|m| !obj.has_named_property(m).unwrap_or(false))
                    .collect();
                if !missing.is_empty() {
                    return Err(invalid(format!(
                        "the task store lacks {}",
                        missing.join(", ")
                    )));
                }
                Backend::Host(obj.create_ref().js()?)
            }
        };
        Ok(TaskQueue {
            backend: Some(backend),
            retry,
            location: None,
        })
    }

    /// A queue over the task store at `url`: `sqlite:PATH` or a file path (created and
    /// migrated on open), or `postgres://...` (migrated beforehand).
    #[napi(factory)]
    pub fn open(
        env: Env,
        url: String,
        #[napi(ts_arg_type = "QueueOptions")] options: Option<Unknown>,
    ) -> Result<Self, JsError> {
        let options: QueueOptions = from_js_or_default(&env, options, "queue options")?;
        let retry = policy(options.retry, CorePolicy::default())?;
        let at = xspense_stores::StoreUrl::parse(&url).js()?;
        let store = xspense_stores::open_tasks(&at).js()?;
        Ok(TaskQueue {
            backend: Some(Backend::Memory(store)),
            retry,
            location: Some(at.to_string()),
        })
    }

    /// The store URL of a queue opened by URL (any password masked), else `null`.
    #[napi(getter)]
    pub fn location(&self) -> Option<String> {
        self.location.clone()
    }

    fn backend(&self) -> Result<&Backend, JsError> {
        self.backend.as_ref().ok_or_else(|| {
            crate::errors::to_js(xspense::Error::Internal(
                "task queue already finalized".into(),
            ))
        })
    }

    /// Adds a task, or returns the one with the same tenant and idempotency key.
    #[napi(ts_return_type = "Enqueued")]
    pub fn enqueue(
        &self,
        env: Env,
        tenant: String,
        queue: String,
        intent: String,
        #[napi(ts_arg_type = "JsonValue")] payload: Option<Unknown>,
        #[napi(ts_arg_type = "EnqueueOptions")] options: Option<Unknown>,
    ) -> Result<Json, JsError> {
        let payload = read_payload(&env, payload)?;
        let mut o: EnqueueOptions = from_js_or_default(&env, options, "enqueue options")?;
        let mut task = NewTask::new(tenant, queue, intent, payload);
        if let Some(from) = o.sender.take() {
            task = task.from(from);
        }
        if let Some(id) = o.correlation_id.take() {
            task = task.correlation_id(id);
        }
        let now = now_or(o.now);
        self.add(&env, o.apply(task), now)
    }

    /// Adds a task downstream of `parent`: same tenant and correlation id, from its queue.
    #[napi(ts_return_type = "Enqueued")]
    pub fn enqueue_downstream(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Task")] parent: Unknown,
        queue: String,
        intent: String,
        #[napi(ts_arg_type = "JsonValue")] payload: Option<Unknown>,
        #[napi(ts_arg_type = "EnqueueOptions")] options: Option<Unknown>,
    ) -> Result<Json, JsError> {
        let parent: Task = from_js(&env, parent, "parent task")?;
        let payload = read_payload(&env, payload)?;
        let o: EnqueueOptions = from_js_or_default(&env, options, "enqueue options")?;
        let task = NewTask::downstream_of(&parent, queue, intent, payload);
        let now = now_or(o.now);
        self.add(&env, o.apply(task), now)
    }

    fn add(&self, env: &Env, task: NewTask, now: Millis) -> Result<Json, JsError> {
        task.validate().js()?;
        match self.backend()? {
            Backend::Memory(s) => to_js(&guard(|| s.enqueue(task, now)).js()?),
            Backend::Host(h) => {
                let e: xspense::tasks::Enqueued =
                    host_call(env, h, "enqueue", FnArgs::from((record(&task)?, now)))?;
                to_js(&e)
            }
        }
    }

    /// Claims the next due task of `queue` for `worker`, or returns `null`.
    #[napi(ts_return_type = "Task | null")]
    pub fn claim(
        &self,
        env: Env,
        queue: String,
        worker: String,
        #[napi(ts_arg_type = "LeaseOptions")] options: Option<Unknown>,
    ) -> Result<Json, JsError> {
        let (lease, now) = LeaseOptions::read(&env, options)?;
        let t: Option<Task> = match self.backend()? {
            Backend::Memory(s) => guard(|| s.claim(&queue, &worker, lease, now)).js()?,
            Backend::Host(h) => {
                host_call(&env, h, "claim", FnArgs::from((queue, worker, lease, now)))?
            }
        };
        to_js(&t)
    }

    /// Extends the lease `worker` holds; returns the new expiry.
    #[napi]
    pub fn heartbeat(
        &self,
        env: Env,
        tenant: String,
        id: String,
        worker: String,
        #[napi(ts_arg_type = "LeaseOptions")] options: Option<Unknown>,
    ) -> Result<i64, JsError> {
        let (lease, now) = LeaseOptions::read(&env, options)?;
        match self.backend()? {
            Backend::Memory(s) => guard(|| s.heartbeat(&tenant, &id, &worker, lease, now)).js(),
            Backend::Host(h) => host_call(
                &env,
                h,
                "heartbeat",
                FnArgs::from((tenant, id, worker, lease, now)),
            ),
        }
    }

    /// Marks a claimed task completed; throws `code: "lease_lost"` if the lease was lost.
    #[napi]
    pub fn complete(
        &self,
        env: Env,
        tenant: String,
        id: String,
        worker: String,
        #[napi(ts_arg_type = "JsonValue")] result: Option<Unknown>,
        now: Option<i64>,
    ) -> Result<(), JsError> {
        let result: Value = from_js_or_default(&env, result, "result")?;
        let now = now_or(now);
        match self.backend()? {
            Backend::Memory(s) => guard(|| s.complete(&tenant, &id, &worker, result, now)).js(),
            Backend::Host(h) => {
                let _: Value = host_call(
                    &env,
                    h,
                    "complete",
                    FnArgs::from((tenant, id, worker, result, now)),
                )?;
                Ok(())
            }
        }
    }

    /// Records a failed attempt; returns the new status (`pending` to retry, or `dead`).
    #[napi(ts_return_type = "TaskStatus")]
    pub fn fail(
        &self,
        env: Env,
        tenant: String,
        id: String,
        worker: String,
        error: String,
        #[napi(ts_arg_type = "FailOptions")] options: Option<Unknown>,
    ) -> Result<String, JsError> {
        let o: FailOptions = from_js_or_default(&env, options, "fail options")?;
        let retry = policy(o.retry, self.retry)?;
        let now = now_or(o.now);
        let st: TaskStatus = match self.backend()? {
            Backend::Memory(s) => {
                guard(|| s.fail(&tenant, &id, &worker, &error, &retry, now)).js()?
            }
            Backend::Host(h) => {
                let p = RetryPolicy { inner: retry };
                host_call(
                    &env,
                    h,
                    "fail",
                    FnArgs::from((tenant, id, worker, error, p, now)),
                )?
            }
        };
        Ok(st.as_str().to_string())
    }

    /// Cancels a pending or claimed task.
    #[napi]
    pub fn cancel(
        &self,
        env: Env,
        tenant: String,
        id: String,
        now: Option<i64>,
    ) -> Result<(), JsError> {
        let now = now_or(now);
        match self.backend()? {
            Backend::Memory(s) => guard(|| s.cancel(&tenant, &id, now)).js(),
            Backend::Host(h) => {
                let _: Value = host_call(&env, h, "cancel", FnArgs::from((tenant, id, now)))?;
                Ok(())
            }
        }
    }

    /// One task of a tenant.
    #[napi(ts_return_type = "Task")]
    pub fn get(&self, env: Env, tenant: String, id: String) -> Result<Json, JsError> {
        let t: Task = match self.backend()? {
            Backend::Memory(s) => guard(|| s.get(&tenant, &id)).js()?,
            Backend::Host(h) => host_call(&env, h, "get", FnArgs::from((tenant, id)))?,
        };
        to_js(&t)
    }

    /// Counts per queue and status, error rate and dead letters.
    #[napi(ts_return_type = "QueueStats")]
    pub fn stats(&self, env: Env, now: Option<i64>) -> Result<Json, JsError> {
        let now = now_or(now);
        let s: xspense::tasks::QueueStats = match self.backend()? {
            Backend::Memory(s) => guard(|| s.stats(now)).js()?,
            Backend::Host(h) => host_call(&env, h, "stats", now)?,
        };
        to_js(&s)
    }

    /// Forgets final tasks older than `retentionMs`; returns how many.
    #[napi]
    pub fn purge(&self, env: Env, retention_ms: i64, now: Option<i64>) -> Result<u32, JsError> {
        let now = now_or(now);
        let n: usize = match self.backend()? {
            Backend::Memory(s) => guard(|| s.purge(retention_ms, now)).js()?,
            Backend::Host(h) => host_call(&env, h, "purge", FnArgs::from((retention_ms, now)))?,
        };
        Ok(n as u32)
    }
}

/// A task's payload; `{}` when left out.
fn read_payload(env: &Env, payload: Option<Unknown>) -> Result<Value, JsError> {
    match payload {
        Some(p) => from_js(env, p, "payload"),
        None => Ok(Value::Object(Default::default())),
    }
}
