//! Rate limiting (GCRA) and payload guards.

use std::sync::Arc;

use pyo3::prelude::*;
use xspense::clock::Millis;
use xspense::limits::{Decision, InMemoryLimitStore, LimitStore, PayloadGuard, Quota, RateLimiter};

use crate::convert::{bytes_of, now_or};
use crate::errors::{guard, IntoPy};

/// The answer to one rate-limit check.
#[pyclass(frozen, module = "xspense", name = "RateDecision")]
pub struct PyRateDecision {
    inner: Decision,
}

#[pymethods]
impl PyRateDecision {
    /// Whether the request may go ahead (it has been counted if so).
    #[getter]
    fn allowed(&self) -> bool {
        self.inner.allowed
    }
    /// Requests that could still go ahead right now.
    #[getter]
    fn remaining(&self) -> u32 {
        self.inner.remaining
    }
    /// When refused, how long until a request would be allowed (ms).
    #[getter]
    fn retry_after_ms(&self) -> Millis {
        self.inner.retry_after_ms
    }
    /// How long until the full burst is available again (ms).
    #[getter]
    fn reset_after_ms(&self) -> Millis {
        self.inner.reset_after_ms
    }
    fn __bool__(&self) -> bool {
        self.inner.allowed
    }
    fn __repr__(&self) -> String {
        format!(
            "RateDecision(allowed={}, remaining={}, retry_after_ms={}, reset_after_ms={})",
            if self.inner.allowed { "True" } else { "False" },
            self.inner.remaining,
            self.inner.retry_after_ms,
            self.inner.reset_after_ms
        )
    }
}

/// A per-tenant, per-route rate limiter: `count` requests per `period_ms`, bursts of `burst`.
#[pyclass(frozen, module = "xspense", name = "RateLimiter")]
pub struct PyRateLimiter {
    inner: RateLimiter<Arc<dyn LimitStore>>,
    /// The store URL (password masked), if opened by URL.
    location: Option<String>,
}

#[pymethods]
impl PyRateLimiter {
    #[new]
    #[pyo3(signature = (count, period_ms, *, burst=None))]
    fn new(count: u32, period_ms: Millis, burst: Option<u32>) -> PyResult<Self> {
        let quota = Quota::new(count, period_ms, burst.unwrap_or(count)).py()?;
        Ok(PyRateLimiter {
            inner: RateLimiter::new(quota, Arc::new(InMemoryLimitStore::new())),
            location: None,
        })
    }

    /// A limiter whose state is kept in the store at `url` (`sqlite:PATH`, a file path, or
    /// `postgres://...`), shared by every limiter opened on it.
    #[staticmethod]
    #[pyo3(signature = (url, count, period_ms, *, burst=None))]
    fn open(
        py: Python<'_>,
        url: &str,
        count: u32,
        period_ms: Millis,
        burst: Option<u32>,
    ) -> PyResult<Self> {
        let quota = Quota::new(count, period_ms, burst.unwrap_or(count)).py()?;
        let (store, location) = py
            .detach(|| {
                let at = xspense_stores::StoreUrl::parse(url)?;
                Ok::<_, xspense_stores::Error>((xspense_stores::open_limits(&at)?, at.to_string()))
            })
            .py()?;
        Ok(PyRateLimiter {
            inner: RateLimiter::new(quota, store),
            location: Some(location),
        })
    }

    /// The store URL (any password masked) of a limiter opened by URL, else `None`.
    #[getter]
    fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    fn __repr__(&self) -> String {
        format!(
            "RateLimiter(store={})",
            self.location.as_deref().unwrap_or("in-memory")
        )
    }

    /// Counts `n` requests of `tenant` on `route` if they fit; says when to retry if not.
    #[pyo3(signature = (tenant, route, *, n=1, now=None))]
    fn check(
        &self,
        py: Python<'_>,
        tenant: &str,
        route: &str,
        n: u32,
        now: Option<Millis>,
    ) -> PyResult<PyRateDecision> {
        let d = py
            .detach(|| guard(|| self.inner.check_n(tenant, route, n, now_or(now))))
            .py()?;
        Ok(PyRateDecision { inner: d })
    }

    /// Like `check`, but raises `RateLimitedError` when refused.
    #[pyo3(signature = (tenant, route, *, now=None))]
    fn enforce(
        &self,
        py: Python<'_>,
        tenant: &str,
        route: &str,
        now: Option<Millis>,
    ) -> PyResult<PyRateDecision> {
        let d = py
            .detach(|| guard(|| self.inner.enforce(tenant, route, now_or(now))))
            .py()?;
        Ok(PyRateDecision { inner: d })
    }
}

/// Refuses payloads over a size or JSON nesting depth before anything parses them.
#[pyclass(frozen, module = "xspense", name = "PayloadGuard")]
pub struct PyPayloadGuard {
    inner: PayloadGuard,
}

#[pymethods]
impl PyPayloadGuard {
    #[new]
    #[pyo3(signature = (max_bytes=1_048_576, max_depth=64))]
    fn new(max_bytes: usize, max_depth: usize) -> Self {
        PyPayloadGuard {
            inner: PayloadGuard::new(max_bytes, max_depth),
        }
    }
    /// Raises `PayloadTooLargeError` if `payload` is over the size limit.
    fn check_size(&self, payload: &Bound<'_, PyAny>) -> PyResult<()> {
        let b = bytes_of(payload, "payload")?;
        self.inner.check_size(&b).py()
    }
    /// Raises `PayloadTooLargeError` if `payload` is too large or nested too deep.
    fn check_json(&self, payload: &Bound<'_, PyAny>) -> PyResult<()> {
        let b = bytes_of(payload, "payload")?;
        self.inner.check_json(&b).py()
    }
}
