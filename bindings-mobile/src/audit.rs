//! The hash-chained audit log.

use std::sync::{Arc, Mutex};

use xspense::audit::{self, AuditAction, AuditEntry, AuditLog as CoreLog};
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
/// redacted before they are hashed.
#[derive(uniffi::Object)]
pub struct AuditLog {
    inner: Mutex<CoreLog>,
}

#[uniffi::export]
impl AuditLog {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(AuditLog {
            inner: Mutex::new(CoreLog::with_redactor(Some(Redactor::new()))),
        })
    }

    /// Continues a persisted log (a JSON array of entries) after verifying its chain.
    #[uniffi::constructor]
    pub fn resume(entries_json: String) -> Result<Arc<Self>> {
        let entries = entries_of(&entries_json)?;
        let log = call(|| CoreLog::resume(entries, Some(Redactor::new())))?;
        Ok(Arc::new(AuditLog {
            inner: Mutex::new(log),
        }))
    }

    /// Appends one entry (`action`: decision, correction, rule_change, task_transition, other;
    /// `old_json`/`new_json`: JSON text or null) and returns it as JSON.
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
        let mut log = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let e = call(|| {
            let act = action.parse::<AuditAction>()?;
            log.append(at, &tenant, &actor, act, &subject, old, new)
                .cloned()
        })?;
        json(&e)
    }

    /// Every entry as a JSON array, oldest first.
    pub fn entries_json(&self) -> Result<String> {
        json(
            &self
                .inner
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .entries(),
        )
    }

    /// Throws `Tampered` if the chain does not verify.
    pub fn verify(&self) -> Result<()> {
        let log = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        call(|| audit::verify(log.entries()))
    }
}

/// Verifies persisted entries (a JSON array); throws `Tampered` at the first bad one.
#[uniffi::export]
pub fn verify_audit(entries_json: String) -> Result<()> {
    let entries = entries_of(&entries_json)?;
    call(|| audit::verify(&entries))
}
