//! The hash-chained audit log.

use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;
use serde::Deserialize;
use serde_json::Value;
use xspense::audit::{self, AuditAction, AuditBackend, AuditEntry, AuditLog as CoreLog};
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
/// before they are hashed unless `redact` is `false`. In memory one chain holds every tenant;
/// in a store (`AuditLog.open(url)`) each tenant has its own chain, so `entries`, `verify` and
/// `size` need a tenant there.
#[napi]
pub struct AuditLog {
    inner: AuditBackend,
    /// The store URL (password masked), if opened by URL.
    location: Option<String>,
}

fn memory(log: CoreLog) -> AuditLog {
    AuditLog {
        inner: AuditBackend::memory(log),
        location: None,
    }
}

#[napi]
impl AuditLog {
    #[napi(constructor)]
    pub fn new(redact: Option<bool>) -> Self {
        memory(CoreLog::with_redactor(
            redact.unwrap_or(true).then(Redactor::new),
        ))
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
        Ok(memory(log))
    }

    /// The audit log in the store at `url` (`sqlite:PATH`, a file path, or `postgres://...`):
    /// one chain per tenant, values redacted with the default redactor.
    #[napi(factory)]
    pub fn open(url: String) -> Result<Self, JsError> {
        let at = xspense_stores::StoreUrl::parse(&url).js()?;
        Ok(AuditLog {
            inner: AuditBackend::store(xspense_stores::open_audit(&at).js()?),
            location: Some(at.to_string()),
        })
    }

    /// The store URL of a log opened by URL (any password masked), else `null`.
    #[napi(getter)]
    pub fn location(&self) -> Option<String> {
        self.location.clone()
    }

    /// Appends one entry (to `tenant`'s chain, in a store) and returns it.
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
        let e = guard(|| {
            self.inner
                .append(now_or(o.at), &tenant, &actor, act, &subject, o.old, o.new)
        })
        .js()?;
        to_js(&e)
    }

    /// Entries, oldest first: one tenant's, or every entry of an in-memory log (a store needs
    /// the tenant: `code: "invalid_input"` without).
    #[napi(ts_return_type = "AuditEntry[]")]
    pub fn entries(&self, tenant: Option<String>) -> Result<Json, JsError> {
        to_js(&guard(|| self.inner.entries(tenant.as_deref())).js()?)
    }

    /// Verifies the chain (a store: `tenant`'s chain, which it needs) and returns how many
    /// entries it checked (of `tenant`, when given); throws `code: "tampered"` if it does not
    /// verify.
    #[napi]
    pub fn verify(&self, tenant: Option<String>) -> Result<u32, JsError> {
        let n = guard(|| self.inner.verify(tenant.as_deref())).js()?;
        Ok(n as u32)
    }

    /// How many entries an in-memory log holds (a store throws `code: "invalid_input"`:
    /// count one tenant's `entries`).
    #[napi(getter)]
    pub fn size(&self) -> Result<u32, JsError> {
        Ok(guard(|| self.inner.len()).js()? as u32)
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
