//! The hash-chained audit log.

use pyo3::prelude::*;
use xspense::audit::{self, AuditAction, AuditBackend, AuditEntry, AuditLog};
use xspense::clock::Millis;
use xspense::redact::Redactor;

use crate::convert::{de, from_py, now_or, ser};
use crate::errors::{guard, IntoPy};

/// An append-only log where each entry carries the hash of the one before; values are
/// redacted before they are hashed unless `redact=False`. In memory (one chain for every
/// tenant), or in a store opened by URL (one chain per tenant, always redacted).
#[pyclass(frozen, module = "xspense", name = "AuditLog")]
pub struct PyAuditLog {
    inner: AuditBackend,
    /// The store URL (password masked), if opened by URL.
    location: Option<String>,
}

fn redactor(redact: bool) -> Option<Redactor> {
    redact.then(Redactor::new)
}

fn memory(log: AuditLog) -> PyAuditLog {
    PyAuditLog {
        inner: AuditBackend::memory(log),
        location: None,
    }
}

#[pymethods]
impl PyAuditLog {
    #[new]
    #[pyo3(signature = (*, redact=true))]
    fn new(redact: bool) -> Self {
        memory(AuditLog::with_redactor(redactor(redact)))
    }

    /// Continues a persisted log after verifying its chain.
    #[staticmethod]
    #[pyo3(signature = (entries, *, redact=true))]
    fn resume(entries: &Bound<'_, PyAny>, redact: bool) -> PyResult<Self> {
        let entries: Vec<AuditEntry> = de(entries, "audit entries")?;
        let log = guard(|| AuditLog::resume(entries, redactor(redact))).py()?;
        Ok(memory(log))
    }

    /// The audit log in the store at `url` (`sqlite:PATH`, a file path, or `postgres://...`):
    /// one chain per tenant, values redacted with the default redactor.
    #[staticmethod]
    fn open(py: Python<'_>, url: &str) -> PyResult<Self> {
        let (store, location) = py
            .detach(|| {
                let at = xspense_stores::StoreUrl::parse(url)?;
                Ok::<_, xspense_stores::Error>((xspense_stores::open_audit(&at)?, at.to_string()))
            })
            .py()?;
        Ok(PyAuditLog {
            inner: AuditBackend::store(store),
            location: Some(location),
        })
    }

    /// The store URL (any password masked) of a log opened by URL, else `None`.
    #[getter]
    fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// Appends one entry (to `tenant`'s chain, in a store) and returns it.
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
        let e = py
            .detach(|| {
                guard(|| {
                    self.inner
                        .append(now_or(at), tenant, actor, act, subject, old, new)
                })
            })
            .py()?;
        ser(py, &e)
    }

    /// Entries, oldest first: one tenant's, or every entry of an in-memory log (a store
    /// needs the tenant: `InvalidInputError` without).
    #[pyo3(signature = (tenant=None))]
    fn entries<'py>(&self, py: Python<'py>, tenant: Option<&str>) -> PyResult<Bound<'py, PyAny>> {
        let e = py.detach(|| guard(|| self.inner.entries(tenant))).py()?;
        ser(py, &e)
    }

    /// Verifies the chain (a store: `tenant`'s chain, which it needs) and returns how many
    /// entries it checked (of `tenant`, when given); raises `TamperedError` (with `seq`) if
    /// it does not verify.
    #[pyo3(signature = (tenant=None))]
    fn verify(&self, py: Python<'_>, tenant: Option<&str>) -> PyResult<usize> {
        py.detach(|| guard(|| self.inner.verify(tenant))).py()
    }

    /// Entries of an in-memory log (a store raises `InvalidInputError`: count one tenant's
    /// `entries`).
    fn __len__(&self) -> PyResult<usize> {
        guard(|| self.inner.len()).py()
    }

    fn __repr__(&self) -> String {
        format!(
            "AuditLog(store={})",
            self.location.as_deref().unwrap_or("in-memory")
        )
    }
}

/// Verifies a list of persisted audit entries; raises `TamperedError` at the first bad one.
#[pyfunction]
pub fn verify_audit(entries: &Bound<'_, PyAny>) -> PyResult<()> {
    let entries: Vec<AuditEntry> = de(entries, "audit entries")?;
    guard(|| audit::verify(&entries)).py()
}
