//! The hash-chained audit log.

use std::sync::Mutex;

use napi_derive::napi;
use serde_json::Value;
use xspense::audit::{self, AuditAction, AuditEntry, AuditLog as CoreLog};
use xspense::redact::Redactor;

use crate::convert::{from_record, integral, now_or, record};
use crate::errors::{guard, IntoJs, JsError};

/// Options of `AuditLog.append`.
#[napi(object)]
pub struct AppendOptions {
    #[napi(ts_type = "JsonValue")]
    pub old: Option<Value>,
    #[napi(ts_type = "JsonValue")]
    pub new: Option<Value>,
    /// ms since the epoch (default: now).
    pub at: Option<i64>,
}

/// An append-only log where each entry carries the hash of the one before; values are redacted
/// before they are hashed unless `redact` is `false`.
#[napi]
pub struct AuditLog {
    inner: Mutex<CoreLog>,
}

impl AuditLog {
    fn lock(&self) -> std::sync::MutexGuard<'_, CoreLog> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[napi]
impl AuditLog {
    #[napi(constructor)]
    pub fn new(redact: Option<bool>) -> Self {
        AuditLog {
            inner: Mutex::new(CoreLog::with_redactor(
                redact.unwrap_or(true).then(Redactor::new),
            )),
        }
    }

    /// Continues a persisted log after verifying its chain.
    #[napi(factory)]
    pub fn resume(
        #[napi(ts_arg_type = "AuditEntry[]")] entries: Value,
        redact: Option<bool>,
    ) -> Result<Self, JsError> {
        let entries: Vec<AuditEntry> = from_record(entries, "audit entries")?;
        let log =
            guard(|| CoreLog::resume(entries, redact.unwrap_or(true).then(Redactor::new))).js()?;
        Ok(AuditLog {
            inner: Mutex::new(log),
        })
    }

    /// Appends one entry and returns it.
    #[napi(ts_return_type = "AuditEntry")]
    pub fn append(
        &self,
        tenant: String,
        actor: String,
        #[napi(ts_arg_type = "AuditAction")] action: String,
        subject: String,
        options: Option<AppendOptions>,
    ) -> Result<Value, JsError> {
        let act = action.parse::<AuditAction>().js()?;
        let (old, new, at) = options.map_or((None, None, None), |o| {
            (o.old.map(integral), o.new.map(integral), o.at)
        });
        let mut log = self.lock();
        let e = guard(|| {
            log.append(now_or(at), &tenant, &actor, act, &subject, old, new)
                .cloned()
        })
        .js()?;
        record(&e)
    }

    /// Every entry, oldest first (optionally one tenant's).
    #[napi(ts_return_type = "AuditEntry[]")]
    pub fn entries(&self, tenant: Option<String>) -> Result<Value, JsError> {
        let log = self.lock();
        match tenant {
            Some(t) => record(&log.for_tenant(&t).collect::<Vec<_>>()),
            None => record(&log.entries()),
        }
    }

    /// Throws `code: "tampered"` if the chain does not verify.
    #[napi]
    pub fn verify(&self) -> Result<(), JsError> {
        let log = self.lock();
        guard(|| audit::verify(log.entries())).js()
    }

    /// How many entries it holds.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        self.lock().entries().len() as u32
    }
}

/// Verifies persisted audit entries; throws `code: "tampered"` at the first bad one.
#[napi]
pub fn verify_audit(#[napi(ts_arg_type = "AuditEntry[]")] entries: Value) -> Result<(), JsError> {
    let entries: Vec<AuditEntry> = from_record(entries, "audit entries")?;
    guard(|| audit::verify(&entries)).js()
}
