//! The hash-chained audit log.

use std::sync::Arc;

use xspense::audit::{self, AuditAction, AuditBackend, AuditEntry, AuditLog as CoreLog};
use xspense::clock::{Clock, SystemClock};
use xspense::redact::Redactor;

use crate::errors::{call, Result, XspenseError};

fn json<T: serde::Serialize>(v: &T) -> Result<String> {
    serde_json::to_string(v).map_err(|e| XspenseError::Internal {
        detail: e.to_string(),
    })
}

fn entries_of(text: &str) -> Result<Vec<AuditEntry>> {
    serde_json::from_str(text).map_err(|e| XspenseError::InvalidInput {
        detail: format!("audit entries: {e}"),
    })
}

/// An append-only log where each entry carries the hash of the one before; values are
/// redacted before they are hashed. In memory one chain holds every tenant; in a SQLite store
/// (`AuditLog.open(url)`) each tenant has its own chain, so `entries_json` and `verify` need a
/// tenant there.
#[derive(uniffi::Object)]
pub struct AuditLog {
    inner: AuditBackend,
    /// The store URL, if opened by URL.
    location: Option<String>,
}

fn memory(log: CoreLog) -> Arc<AuditLog> {
    Arc::new(AuditLog {
        inner: AuditBackend::memory(log),
        location: None,
    })
}

#[uniffi::export]
impl AuditLog {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        memory(CoreLog::with_redactor(Some(Redactor::new())))
    }

    /// Continues a persisted log (a JSON array of entries) after verifying its chain.
    #[uniffi::constructor]
    pub fn resume(entries_json: String) -> Result<Arc<Self>> {
        let entries = entries_of(&entries_json)?;
        let log = call(|| CoreLog::resume(entries, Some(Redactor::new())))?;
        Ok(memory(log))
    }

    /// The audit log in the SQLite store at `url` (`sqlite:PATH` or a file path): one chain
    /// per tenant, values redacted with the default redactor.
    #[uniffi::constructor]
    pub fn open(url: String) -> Result<Arc<Self>> {
        let (store, location) = call(|| {
            let at = xspense_stores::StoreUrl::parse(&url)?;
            Ok((xspense_stores::open_audit(&at)?, at.to_string()))
        })?;
        Ok(Arc::new(AuditLog {
            inner: AuditBackend::store(store),
            location: Some(location),
        }))
    }

    /// The store URL of a log opened by URL, else null.
    pub fn location(&self) -> Option<String> {
        self.location.clone()
    }

    /// Appends one entry (`action`: decision, correction, rule_change, task_transition, other;
    /// `old_json`/`new_json`: JSON text or null) to the log (to `tenant`'s chain, in a store)
    /// and returns it as JSON.
    #[allow(clippy::too_many_arguments)]
    pub fn append(
        &self,
        tenant: String,
        actor: String,
        action: String,
        subject: String,
        old_json: Option<String>,
        new_json: Option<String>,
        at: Option<i64>,
    ) -> Result<String> {
        let parse = |s: Option<String>| -> Result<Option<serde_json::Value>> {
            s.map(|s| {
                serde_json::from_str(&s).map_err(|e| XspenseError::InvalidInput {
                    detail: format!("value is not JSON: {e}"),
                })
            })
            .transpose()
        };
        let (old, new) = (parse(old_json)?, parse(new_json)?);
        let at = at.unwrap_or_else(|| SystemClock.now_ms());
        let e = call(|| {
            let act = action.parse::<AuditAction>()?;
            self.inner
                .append(at, &tenant, &actor, act, &subject, old, new)
        })?;
        json(&e)
    }

    /// Entries as a JSON array, oldest first: one tenant's, or every entry of an in-memory
    /// log (a store needs the tenant: `InvalidInput` without).
    #[uniffi::method(default(tenant = None))]
    pub fn entries_json(&self, tenant: Option<String>) -> Result<String> {
        json(&call(|| self.inner.entries(tenant.as_deref()))?)
    }

    /// Verifies the chain (a store: `tenant`'s chain, which it needs) and returns how many
    /// entries it checked (of `tenant`, when given); throws `Tampered` if it does not verify.
    #[uniffi::method(default(tenant = None))]
    pub fn verify(&self, tenant: Option<String>) -> Result<u64> {
        call(|| self.inner.verify(tenant.as_deref())).map(|n| n as u64)
    }
}

/// Verifies persisted entries (a JSON array); throws `Tampered` at the first bad one.
#[uniffi::export]
pub fn verify_audit(entries_json: String) -> Result<()> {
    let entries = entries_of(&entries_json)?;
    call(|| audit::verify(&entries))
}
