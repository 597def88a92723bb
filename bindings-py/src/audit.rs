//! The hash-chained audit log.

use std::sync::Mutex;

use pyo3::prelude::*;
use xspense::audit::{self, AuditAction, AuditEntry, AuditLog};
use xspense::clock::Millis;
use xspense::redact::Redactor;

use crate::convert::{de, from_py, now_or, ser};
use crate::errors::{guard, IntoPy};

/// An append-only log where each entry carries the hash of the one before; values are
/// redacted before they are hashed unless `redact=False`.
#[pyclass(frozen, module = "xspense", name = "AuditLog")]
pub struct PyAuditLog {
    inner: Mutex<AuditLog>,
}

impl PyAuditLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, AuditLog> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn redactor(redact: bool) -> Option<Redactor> {
    redact.then(Redactor::new)
}

#[pymethods]
impl PyAuditLog {
    #[new]
    #[pyo3(signature = (*, redact=true))]
    fn new(redact: bool) -> Self {
        PyAuditLog {
            inner: Mutex::new(AuditLog::with_redactor(redactor(redact))),
        }
    }

    /// Continues a persisted log after verifying its chain.
    #[staticmethod]
    #[pyo3(signature = (entries, *, redact=true))]
    fn resume(entries: &Bound<'_, PyAny>, redact: bool) -> PyResult<Self> {
        let entries: Vec<AuditEntry> = de(entries, "audit entries")?;
        let log = guard(|| AuditLog::resume(entries, redactor(redact))).py()?;
        Ok(PyAuditLog {
            inner: Mutex::new(log),
        })
    }

    /// Appends one entry and returns it.
    #[pyo3(signature = (tenant, actor, action, subject, *, old=None, new=None, at=None))]
    #[allow(clippy::too_many_arguments)]
    fn append<'py>(
        &self,
        py: Python<'py>,
        tenant: &str,
        actor: &str,
        action: &str,
        subject: &str,
        old: Option<&Bound<'py, PyAny>>,
        new: Option<&Bound<'py, PyAny>>,
        at: Option<Millis>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let act = action.parse::<AuditAction>().py()?;
        let old = old.map(from_py).transpose()?;
        let new = new.map(from_py).transpose()?;
        let mut log = self.lock();
        let e = guard(|| {
            log.append(now_or(at), tenant, actor, act, subject, old, new)
                .cloned()
        })
        .py()?;
        ser(py, &e)
    }

    /// Every entry, oldest first (optionally one tenant's).
    #[pyo3(signature = (tenant=None))]
    fn entries<'py>(&self, py: Python<'py>, tenant: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
        let log = self.lock();
        match tenant {
            Some(t) => ser(py, &log.for_tenant(t).collect::<Vec<_>>()),
            None => ser(py, &log.entries()),
        }
    }

    /// Raises `TamperedError` (with `seq`) if the chain does not verify.
    fn verify(&self) -> PyResult<()> {
        let log = self.lock();
        guard(|| audit::verify(log.entries())).py()
    }

    fn __len__(&self) -> usize {
        self.lock().entries().len()
    }
}

/// Verifies a list of persisted audit entries; raises `TamperedError` at the first bad one.
#[pyfunction]
pub fn verify_audit(entries: &Bound<'_, PyAny>) -> PyResult<()> {
    let entries: Vec<AuditEntry> = de(entries, "audit entries")?;
    guard(|| audit::verify(&entries)).py()
}
