//! The task engine: `TaskQueue` over the built-in store or a store written in JavaScript.

use napi::bindgen_prelude::{FnArgs, Function, JsObjectValue, Object, ObjectFinalize, ObjectRef};
use napi::Env;
use napi_derive::napi;
use serde::de::DeserializeOwned;
use serde_json::Value;
use xspense::clock::Millis;
use xspense::tasks::{
    InMemoryTaskStore, NewTask, RetryPolicy as CorePolicy, Task, TaskStatus, TaskStore,
};

use crate::convert::{from_record, integral, now_or, record};
use crate::errors::{guard, invalid, IntoJs, JsError};

/// Backoff between attempts of a failed task.
#[napi(object)]
#[derive(Clone, Copy)]
pub struct RetryOptions {
    /// First delay (default 1,000 ms).
    pub base_ms: Option<i64>,
    /// Growth per attempt (default 2).
    pub factor: Option<f64>,
    /// Longest delay (default 600,000 ms).
    pub max_ms: Option<i64>,
    /// Fraction of the delay randomized away, deterministically per task (default 0.5).
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

/// What a host store's `fail` receives to compute the next delay.
#[napi]
pub struct RetryPolicy {
    inner: CorePolicy,
}

#[napi]
impl RetryPolicy {
    #[napi(constructor)]
    pub fn new(options: Option<RetryOptions>) -> Result<Self, JsError> {
        Ok(RetryPolicy {
            inner: policy(options, CorePolicy::default())?,
        })
    }
    /// The delay after failed attempt number `attempt` (1-based) of task `taskId`.
    #[napi]
    pub fn delay_ms(&self, task_id: String, attempt: u32) -> i64 {
        self.inner.delay(&task_id, attempt)
    }
    #[napi(getter)]
    pub fn max_ms(&self) -> i64 {
        self.inner.max_ms
    }
}

/// Options of `TaskQueue.enqueue`.
#[napi(object)]
pub struct EnqueueOptions {
    /// Who asks (default `"api"`).
    pub sender: Option<String>,
    pub idempotency_key: Option<String>,
    pub correlation_id: Option<String>,
    pub priority: Option<i32>,
    /// Not before this time (ms since the epoch).
    pub run_at: Option<i64>,
    /// Attempts before the task is dead (default 5).
    pub max_attempts: Option<u32>,
    pub now: Option<i64>,
}

/// Options of `claim` and `heartbeat`.
#[napi(object)]
pub struct LeaseOptions {
    /// Lease length (default 30,000 ms).
    pub lease_ms: Option<i64>,
    pub now: Option<i64>,
}

/// Options of `fail`.
#[napi(object)]
pub struct FailOptions {
    /// Overrides the queue's retry policy for this failure.
    pub retry: Option<RetryOptions>,
    pub now: Option<i64>,
}

/// Options of `TaskQueue`.
#[napi(object)]
pub struct QueueOptions {
    pub retry: Option<RetryOptions>,
}

enum Backend {
    Memory(InMemoryTaskStore),
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

fn check_lease(lease_ms: Millis) -> Result<(), JsError> {
    if lease_ms <= 0 {
        return Err(invalid("leaseMs must be positive"));
    }
    Ok(())
}

#[napi]
impl TaskQueue {
    #[napi(constructor)]
    pub fn new(
        #[napi(ts_arg_type = "TaskStore | null")] store: Option<Object>,
        options: Option<QueueOptions>,
    ) -> Result<Self, JsError> {
        let retry = policy(options.and_then(|o| o.retry), CorePolicy::default())?;
        let backend = match store {
            None => Backend::Memory(InMemoryTaskStore::new()),
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
        })
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
        #[napi(ts_arg_type = "JsonValue")] payload: Option<Value>,
        options: Option<EnqueueOptions>,
    ) -> Result<Value, JsError> {
        let o = options.unwrap_or(EnqueueOptions {
            sender: None,
            idempotency_key: None,
            correlation_id: None,
            priority: None,
            run_at: None,
            max_attempts: None,
            now: None,
        });
        let task = NewTask {
            tenant,
            queue,
            from: o.sender.unwrap_or_else(|| "api".into()),
            intent,
            payload: payload.map_or_else(|| Value::Object(Default::default()), integral),
            correlation_id: o.correlation_id,
            idempotency_key: o.idempotency_key,
            priority: o.priority.unwrap_or(0),
            run_at: o.run_at,
            max_attempts: o.max_attempts.unwrap_or(5),
        };
        self.add(&env, task, now_or(o.now))
    }

    /// Adds a task downstream of `parent`: same tenant and correlation id, from its queue.
    #[napi(ts_return_type = "Enqueued")]
    pub fn enqueue_downstream(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Task")] parent: Value,
        queue: String,
        intent: String,
        #[napi(ts_arg_type = "JsonValue")] payload: Option<Value>,
        options: Option<EnqueueOptions>,
    ) -> Result<Value, JsError> {
        let parent: Task = from_record(parent, "parent task")?;
        let payload = payload.map_or_else(|| Value::Object(Default::default()), integral);
        let mut task = NewTask::downstream_of(&parent, queue, intent, payload);
        let mut now = None;
        if let Some(o) = options {
            task.priority = o.priority.unwrap_or(0);
            task.idempotency_key = o.idempotency_key;
            task.run_at = o.run_at;
            if let Some(m) = o.max_attempts {
                task.max_attempts = m;
            }
            now = o.now;
        }
        self.add(&env, task, now_or(now))
    }

    fn add(&self, env: &Env, task: NewTask, now: Millis) -> Result<Value, JsError> {
        task.validate().js()?;
        match self.backend()? {
            Backend::Memory(s) => record(&guard(|| s.enqueue(task, now)).js()?),
            Backend::Host(h) => {
                let e: xspense::tasks::Enqueued =
                    host_call(env, h, "enqueue", FnArgs::from((record(&task)?, now)))?;
                record(&e)
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
        options: Option<LeaseOptions>,
    ) -> Result<Value, JsError> {
        let (lease, now) = options.map_or((None, None), |o| (o.lease_ms, o.now));
        let (lease, now) = (lease.unwrap_or(30_000), now_or(now));
        check_lease(lease)?;
        let t: Option<Task> = match self.backend()? {
            Backend::Memory(s) => guard(|| s.claim(&queue, &worker, lease, now)).js()?,
            Backend::Host(h) => {
                host_call(&env, h, "claim", FnArgs::from((queue, worker, lease, now)))?
            }
        };
        record(&t)
    }

    /// Extends the lease `worker` holds; returns the new expiry.
    #[napi]
    pub fn heartbeat(
        &self,
        env: Env,
        tenant: String,
        id: String,
        worker: String,
        options: Option<LeaseOptions>,
    ) -> Result<i64, JsError> {
        let (lease, now) = options.map_or((None, None), |o| (o.lease_ms, o.now));
        let (lease, now) = (lease.unwrap_or(30_000), now_or(now));
        check_lease(lease)?;
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
        #[napi(ts_arg_type = "JsonValue")] result: Option<Value>,
        now: Option<i64>,
    ) -> Result<(), JsError> {
        let (result, now) = (result.map_or(Value::Null, integral), now_or(now));
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
        options: Option<FailOptions>,
    ) -> Result<String, JsError> {
        let (retry, now) = options.map_or((None, None), |o| (o.retry, o.now));
        let retry = policy(retry, self.retry)?;
        let now = now_or(now);
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
    pub fn get(&self, env: Env, tenant: String, id: String) -> Result<Value, JsError> {
        let t: Task = match self.backend()? {
            Backend::Memory(s) => guard(|| s.get(&tenant, &id)).js()?,
            Backend::Host(h) => host_call(&env, h, "get", FnArgs::from((tenant, id)))?,
        };
        record(&t)
    }

    /// Counts per queue and status, error rate and dead letters.
    #[napi(ts_return_type = "QueueStats")]
    pub fn stats(&self, env: Env, now: Option<i64>) -> Result<Value, JsError> {
        let now = now_or(now);
        let s: xspense::tasks::QueueStats = match self.backend()? {
            Backend::Memory(s) => guard(|| s.stats(now)).js()?,
            Backend::Host(h) => host_call(&env, h, "stats", now)?,
        };
        record(&s)
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
