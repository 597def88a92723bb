//! The task engine: `TaskQueue` over the built-in store, a store opened by URL (SQLite or
//! PostgreSQL, through `xspense-stores`) or a store written in Python.

use std::sync::Arc;

use pyo3::prelude::*;
use serde::de::DeserializeOwned;
use serde_json::Value;
use xspense::clock::Millis;
use xspense::tasks::{
    Enqueued, InMemoryTaskStore, NewTask, QueueStats, RetryPolicy, Task, TaskStatus, TaskStore,
};
use xspense::{Error, Result};

use crate::convert::{de, from_py, now_or, ser, to_py};
use crate::errors::{from_py_err, guard, IntoPy};

/// Backoff between attempts of a failed task.
#[pyclass(frozen, module = "xspense", name = "RetryPolicy")]
#[derive(Clone, Copy)]
pub struct PyRetryPolicy {
    inner: RetryPolicy,
}

#[pymethods]
impl PyRetryPolicy {
    #[new]
    #[pyo3(signature = (*, base_ms=1_000, factor=2.0, max_ms=600_000, jitter=0.5))]
    fn new(base_ms: Millis, factor: f64, max_ms: Millis, jitter: f64) -> PyResult<Self> {
        let inner = RetryPolicy {
            base_ms,
            factor,
            max_ms,
            jitter,
        };
        inner.validate().py()?;
        Ok(PyRetryPolicy { inner })
    }
    #[getter]
    fn base_ms(&self) -> Millis {
        self.inner.base_ms
    }
    #[getter]
    fn factor(&self) -> f64 {
        self.inner.factor
    }
    #[getter]
    fn max_ms(&self) -> Millis {
        self.inner.max_ms
    }
    #[getter]
    fn jitter(&self) -> f64 {
        self.inner.jitter
    }
    /// The delay after failed attempt number `attempt` (1-based) of task `task_id`.
    fn delay_ms(&self, task_id: &str, attempt: u32) -> Millis {
        self.inner.delay(task_id, attempt)
    }
    fn __repr__(&self) -> String {
        format!(
            "RetryPolicy(base_ms={}, factor={}, max_ms={}, jitter={})",
            self.inner.base_ms, self.inner.factor, self.inner.max_ms, self.inner.jitter
        )
    }
}

/// A `TaskStore` implemented by a Python object (see `xspense.TaskStoreProtocol`).
struct PyStore {
    obj: Py<PyAny>,
}

impl PyStore {
    fn call<T: DeserializeOwned>(
        &self,
        method: &str,
        args: impl FnOnce(Python<'_>) -> PyResult<Vec<Bound<'_, PyAny>>>,
    ) -> Result<T> {
        Python::attach(|py| {
            let context = format!("task store method {method}()");
            let out = args(py)
                .and_then(|a| {
                    let tuple = pyo3::types::PyTuple::new(py, a)?;
                    self.obj.bind(py).call_method1(method, tuple)
                })
                .map_err(|e| from_py_err(py, &e, &context))?;
            let value = from_py(&out).map_err(|e| from_py_err(py, &e, &context))?;
            serde_json::from_value(value).map_err(|e| {
                Error::Internal(format!("{context} returned an unexpected value: {e}"))
            })
        })
    }
}

fn s<'py>(py: Python<'py>, v: &str) -> Bound<'py, PyAny> {
    pyo3::types::PyString::new(py, v).into_any()
}

fn n<'py>(py: Python<'py>, v: i64) -> PyResult<Bound<'py, PyAny>> {
    Ok(v.into_pyobject(py)?.into_any())
}

impl TaskStore for PyStore {
    fn enqueue(&self, task: NewTask, now: Millis) -> Result<Enqueued> {
        self.call("enqueue", |py| Ok(vec![ser(py, &task)?, n(py, now)?]))
    }

    fn claim(
        &self,
        queue: &str,
        worker: &str,
        lease_ms: Millis,
        now: Millis,
    ) -> Result<Option<Task>> {
        self.call("claim", |py| {
            Ok(vec![
                s(py, queue),
                s(py, worker),
                n(py, lease_ms)?,
                n(py, now)?,
            ])
        })
    }

    fn heartbeat(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        lease_ms: Millis,
        now: Millis,
    ) -> Result<Millis> {
        self.call("heartbeat", |py| {
            Ok(vec![
                s(py, tenant),
                s(py, id),
                s(py, worker),
                n(py, lease_ms)?,
                n(py, now)?,
            ])
        })
    }

    fn complete(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        result: Value,
        now: Millis,
    ) -> Result<()> {
        let _: Value = self.call("complete", |py| {
            Ok(vec![
                s(py, tenant),
                s(py, id),
                s(py, worker),
                to_py(py, &result)?,
                n(py, now)?,
            ])
        })?;
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
        self.call("fail", |py| {
            let policy = Py::new(py, PyRetryPolicy { inner: *retry })?
                .into_bound(py)
                .into_any();
            Ok(vec![
                s(py, tenant),
                s(py, id),
                s(py, worker),
                s(py, error),
                policy,
                n(py, now)?,
            ])
        })
    }

    fn cancel(&self, tenant: &str, id: &str, now: Millis) -> Result<()> {
        let _: Value = self.call("cancel", |py| {
            Ok(vec![s(py, tenant), s(py, id), n(py, now)?])
        })?;
        Ok(())
    }

    fn get(&self, tenant: &str, id: &str) -> Result<Task> {
        self.call("get", |py| Ok(vec![s(py, tenant), s(py, id)]))
    }

    fn stats(&self, now: Millis) -> Result<QueueStats> {
        self.call("stats", |py| Ok(vec![n(py, now)?]))
    }

    fn purge(&self, retention_ms: Millis, now: Millis) -> Result<usize> {
        self.call("purge", |py| Ok(vec![n(py, retention_ms)?, n(py, now)?]))
    }
}

/// Claims, leases, retries, idempotency and dead letters over a task store.
#[pyclass(frozen, module = "xspense", name = "TaskQueue")]
pub struct PyTaskQueue {
    store: Arc<dyn TaskStore>,
    /// The Python store object, if the host supplied one.
    host: Option<Py<PyAny>>,
    /// The store URL (password masked), if opened by URL.
    location: Option<String>,
    retry: RetryPolicy,
}

impl PyTaskQueue {
    /// Calls the store without the GIL (a database call may wait on a lock; a Python store
    /// takes the GIL back for its own call).
    fn run<T: Send>(&self, f: impl FnOnce(&dyn TaskStore) -> Result<T> + Send) -> PyResult<T> {
        let store = self.store.as_ref();
        Python::attach(|py| py.detach(|| guard(|| f(store)))).py()
    }
}

#[pymethods]
impl PyTaskQueue {
    #[new]
    #[pyo3(signature = (store=None, *, retry=None))]
    fn new(store: Option<Py<PyAny>>, retry: Option<PyRef<'_, PyRetryPolicy>>) -> PyResult<Self> {
        let retry = retry.map(|r| r.inner).unwrap_or_default();
        match store {
            None => Ok(PyTaskQueue {
                store: Arc::new(InMemoryTaskStore::new()),
                host: None,
                location: None,
                retry,
            }),
            Some(obj) => {
                Python::attach(|py| {
                    let missing: Vec<&str> = xspense::tasks::STORE_METHODS
                        .iter()
                        .copied()
                        .filter(|m| !obj.bind(py).hasattr(*m).unwrap_or(false))
                        .collect();
                    if missing.is_empty() {
                        Ok(())
                    } else {
                        Err(crate::errors::invalid(format!(
                            "the task store lacks {}",
                            missing.join(", ")
                        )))
                    }
                })?;
                let host = Python::attach(|py| obj.clone_ref(py));
                Ok(PyTaskQueue {
                    store: Arc::new(PyStore { obj }),
                    host: Some(host),
                    location: None,
                    retry,
                })
            }
        }
    }

    /// A queue over the task store at `url`: `sqlite:PATH` (or a plain file path; created and
    /// migrated on open) or `postgres://...` (migrated beforehand).
    #[staticmethod]
    #[pyo3(signature = (url, *, retry=None))]
    fn open(py: Python<'_>, url: &str, retry: Option<PyRef<'_, PyRetryPolicy>>) -> PyResult<Self> {
        let retry = retry.map(|r| r.inner).unwrap_or_default();
        let (store, location) = py
            .detach(|| {
                let at = xspense_stores::StoreUrl::parse(url)?;
                Ok::<_, xspense_stores::Error>((xspense_stores::open_tasks(&at)?, at.to_string()))
            })
            .py()?;
        Ok(PyTaskQueue {
            store,
            host: None,
            location: Some(location),
            retry,
        })
    }

    /// The store URL (any password masked) of a queue opened by URL, else `None`.
    #[getter]
    fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// The host's store object, or `None` for the built-in in-memory store.
    #[getter]
    fn store(&self, py: Python<'_>) -> Option<Py<PyAny>> {
        self.host.as_ref().map(|h| h.clone_ref(py))
    }

    /// Adds a task, or returns the one with the same tenant and idempotency key.
    #[pyo3(signature = (tenant, queue, intent, payload=None, *, sender="api", idempotency_key=None, correlation_id=None, priority=0, run_at=None, max_attempts=5, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn enqueue<'py>(
        &self,
        py: Python<'py>,
        tenant: &str,
        queue: &str,
        intent: &str,
        payload: Option<&Bound<'py, PyAny>>,
        sender: &str,
        idempotency_key: Option<String>,
        correlation_id: Option<String>,
        priority: i32,
        run_at: Option<Millis>,
        max_attempts: u32,
        now: Option<Millis>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let payload = match payload {
            Some(p) => from_py(p)?,
            None => Value::Object(Default::default()),
        };
        let task = NewTask {
            tenant: tenant.into(),
            queue: queue.into(),
            from: sender.into(),
            intent: intent.into(),
            payload,
            correlation_id,
            idempotency_key,
            priority,
            run_at,
            max_attempts,
        };
        task.validate().py()?;
        let e = self.run(|s| s.enqueue(task, now_or(now)))?;
        ser(py, &e)
    }

    /// Adds a task downstream of `parent` (same tenant and correlation id).
    #[pyo3(signature = (parent, queue, intent, payload=None, *, idempotency_key=None, priority=0, now=None))]
    #[allow(clippy::too_many_arguments)]
    fn enqueue_downstream<'py>(
        &self,
        py: Python<'py>,
        parent: &Bound<'py, PyAny>,
        queue: &str,
        intent: &str,
        payload: Option<&Bound<'py, PyAny>>,
        idempotency_key: Option<String>,
        priority: i32,
        now: Option<Millis>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let parent: Task = de(parent, "parent task")?;
        let payload = match payload {
            Some(p) => from_py(p)?,
            None => Value::Object(Default::default()),
        };
        let mut task = NewTask::downstream_of(&parent, queue, intent, payload).priority(priority);
        if let Some(k) = idempotency_key {
            task = task.idempotency_key(k);
        }
        task.validate().py()?;
        let e = self.run(|s| s.enqueue(task, now_or(now)))?;
        ser(py, &e)
    }

    /// Claims the next due task of `queue` for `worker`, or returns `None`.
    #[pyo3(signature = (queue, worker, *, lease_ms=30_000, now=None))]
    fn claim<'py>(
        &self,
        py: Python<'py>,
        queue: &str,
        worker: &str,
        lease_ms: Millis,
        now: Option<Millis>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        check_lease(lease_ms)?;
        let t = self.run(|s| s.claim(queue, worker, lease_ms, now_or(now)))?;
        t.map(|t| ser(py, &t)).transpose()
    }

    /// Extends the lease `worker` holds; returns the new expiry (ms since the epoch).
    #[pyo3(signature = (tenant, id, worker, *, lease_ms=30_000, now=None))]
    fn heartbeat(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        lease_ms: Millis,
        now: Option<Millis>,
    ) -> PyResult<Millis> {
        check_lease(lease_ms)?;
        self.run(|s| s.heartbeat(tenant, id, worker, lease_ms, now_or(now)))
    }

    /// Marks a claimed task completed; raises `LeaseLostError` if the lease was lost.
    #[pyo3(signature = (tenant, id, worker, result=None, *, now=None))]
    fn complete(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        result: Option<&Bound<'_, PyAny>>,
        now: Option<Millis>,
    ) -> PyResult<()> {
        let result = result.map(from_py).transpose()?.unwrap_or(Value::Null);
        self.run(|s| s.complete(tenant, id, worker, result, now_or(now)))
    }

    /// Records a failed attempt; returns the new status (`pending` to retry, or `dead`).
    #[pyo3(signature = (tenant, id, worker, error, *, retry=None, now=None))]
    fn fail(
        &self,
        tenant: &str,
        id: &str,
        worker: &str,
        error: &str,
        retry: Option<PyRef<'_, PyRetryPolicy>>,
        now: Option<Millis>,
    ) -> PyResult<&'static str> {
        let retry = retry.map_or(self.retry, |r| r.inner);
        let st = self.run(|s| s.fail(tenant, id, worker, error, &retry, now_or(now)))?;
        Ok(st.as_str())
    }

    /// Cancels a pending or claimed task.
    #[pyo3(signature = (tenant, id, *, now=None))]
    fn cancel(&self, tenant: &str, id: &str, now: Option<Millis>) -> PyResult<()> {
        self.run(|s| s.cancel(tenant, id, now_or(now)))
    }

    /// One task of a tenant.
    fn get<'py>(&self, py: Python<'py>, tenant: &str, id: &str) -> PyResult<Bound<'py, PyAny>> {
        let t = self.run(|s| s.get(tenant, id))?;
        ser(py, &t)
    }

    /// Counts per queue and status, error rate and dead letters.
    #[pyo3(signature = (*, now=None))]
    fn stats<'py>(&self, py: Python<'py>, now: Option<Millis>) -> PyResult<Bound<'py, PyAny>> {
        let st = self.run(|s| s.stats(now_or(now)))?;
        ser(py, &st)
    }

    /// Forgets final tasks older than `retention_ms`; returns how many.
    #[pyo3(signature = (retention_ms, *, now=None))]
    fn purge(&self, retention_ms: Millis, now: Option<Millis>) -> PyResult<usize> {
        self.run(|s| s.purge(retention_ms, now_or(now)))
    }

    fn __repr__(&self) -> String {
        let kind = match (&self.location, &self.host) {
            (Some(at), _) => at.as_str(),
            (None, Some(_)) => "host",
            (None, None) => "in-memory",
        };
        format!("TaskQueue(store={kind})")
    }
}

fn check_lease(lease_ms: Millis) -> PyResult<()> {
    if lease_ms <= 0 {
        return Err(crate::errors::invalid("lease_ms must be positive"));
    }
    Ok(())
}

/// Every task status name, in lifecycle order.
pub fn statuses() -> Vec<&'static str> {
    TaskStatus::ALL.iter().map(|s| s.as_str()).collect()
}
