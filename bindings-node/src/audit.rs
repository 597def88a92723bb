//! The hash-chained audit log.

use std::sync::Mutex;

use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;
use serde::Deserialize;
use serde_json::Value;
use xspense::audit::{self, AuditAction, AuditEntry, AuditLog as CoreLog};
use xspense::redact::Redactor;

use crate::convert::{from_js, from_js_or_default, now_or, to_js, Json};
use crate::errors::{guard, IntoJs, JsError};

/// Options of `AuditLog.append`.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct AppendOptions {
    /// Value before (redacted before it is hashed, unless the log does not redact).
    #[napi(ts_type = "JsonValue")]
    pub old: Option<Value>,
    /// Value after (redacted likewise).
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
        env: Env,
        #[napi(ts_arg_type = "AuditEntry[]")] entries: Unknown,
        redact: Option<bool>,
    ) -> Result<Self, JsError> {
        let entries: Vec<AuditEntry> = from_js(&env, entries, "audit entries")?;
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
        env: Env,
        tenant: String,
        actor: String,
        #[napi(ts_arg_type = "AuditAction")] action: String,
        subject: String,
        #[napi(ts_arg_type = "AppendOptions")] options: Option<Unknown>,
    ) -> Result<Json, JsError> {
        let act = action.parse::<AuditAction>().js()?;
        let o: AppendOptions = from_js_or_default(&env, options, "append options")?;
        let mut log = self.lock();
        let e = guard(|| {
            log.append(now_or(o.at), &tenant, &actor, act, &subject, o.old, o.new)
                .cloned()
        })
        .js()?;
        to_js(&e)
    }

    /// Every entry, oldest first (optionally one tenant's).
    #[napi(ts_return_type = "AuditEntry[]")]
    pub fn entries(&self, tenant: Option<String>) -> Result<Json, JsError> {
        let log = self.lock();
        match tenant {
            Some(t) => to_js(&log.for_tenant(&t).collect::<Vec<_>>()),
            None => to_js(&log.entries()),
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
pub fn verify_audit(
    env: Env,
    #[napi(ts_arg_type = "AuditEntry[]")] entries: Unknown,
) -> Result<(), JsError> {
    let entries: Vec<AuditEntry> = from_js(&env, entries, "audit entries")?;
    guard(|| audit::verify(&entries)).js()
}
