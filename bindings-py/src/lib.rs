//! The Python binding of xspense: conversion and calls only; the behaviour lives in the core.
//!
//! Built with maturin into `xspense._native`; the `xspense` package re-exports it with type
//! stubs and a few Pythonic helpers.

mod audit;
mod convert;
mod embedder;
mod envelope;
mod errors;
mod limits;
mod model;
mod pipeline;
mod redact;
mod statement;
mod stores;
mod tasks;

use pyo3::prelude::*;

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add(
        "ERROR_CODES",
        xspense::ErrorCode::ALL
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>(),
    )?;
    m.add("TASK_STATUSES", tasks::statuses())?;
    m.add_class::<pipeline::PyEngine>()?;
    m.add_class::<model::PyTransaction>()?;
    m.add_function(wrap_pyfunction!(model::parse_transaction, m)?)?;
    m.add_function(wrap_pyfunction!(statement::read_statement, m)?)?;
    m.add_class::<pipeline::PyCategorization>()?;
    m.add_class::<pipeline::PyTraceStep>()?;
    m.add_class::<pipeline::PyLlmRequest>()?;
    m.add_class::<redact::PyRedactor>()?;
    m.add_class::<redact::PyTokenVault>()?;
    m.add_class::<redact::PyFinding>()?;
    m.add_class::<redact::PyRedacted>()?;
    m.add_class::<redact::PyRedactedJson>()?;
    m.add_class::<tasks::PyTaskQueue>()?;
    m.add_class::<tasks::PyRetryPolicy>()?;
    m.add_class::<envelope::PySigner>()?;
    m.add_class::<envelope::PyVerifier>()?;
    m.add_function(wrap_pyfunction!(envelope::sign_webhook, m)?)?;
    m.add_function(wrap_pyfunction!(envelope::verify_webhook, m)?)?;
    m.add_class::<limits::PyRateLimiter>()?;
    m.add_class::<limits::PyRateDecision>()?;
    m.add_class::<limits::PyPayloadGuard>()?;
    m.add_class::<audit::PyAuditLog>()?;
    m.add_function(wrap_pyfunction!(audit::verify_audit, m)?)?;
    m.add_function(wrap_pyfunction!(stores::migrate_store, m)?)?;
    Ok(())
}
