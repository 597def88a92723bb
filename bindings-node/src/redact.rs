//! Redaction: `Redactor`, `TokenVault` and their results. Finding offsets index the JavaScript
//! string (UTF-16 units).

use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{AsyncTask, Buffer, JsObjectValue, Object, Unknown};
use napi::{Env, Task};
use napi_derive::napi;
use serde_json::Value;
use xspense::redact::{
    reindex_findings, OffsetUnit, Redacted, RedactedJson, Redactor as CoreRedactor, RedactorSpec,
    TokenVault as CoreVault,
};

use crate::convert::{encode, from_js, is_buffer, json_text, parse, to_js, Json};
use crate::errors::{guard, invalid, rejection, IntoJs, JsError};

/// Remembers the values behind `<KIND_n>` tokens so a reply can be restored.
#[napi]
pub struct TokenVault {
    inner: Arc<Mutex<CoreVault>>,
}

impl TokenVault {
    fn lock(&self) -> std::sync::MutexGuard<'_, CoreVault> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[napi]
impl TokenVault {
    #[napi(constructor)]
    #[allow(clippy::new_without_default)]
    pub fn new() -> Self {
        TokenVault {
            inner: Arc::new(Mutex::new(CoreVault::new())),
        }
    }
    /// `text` with every token this vault issued replaced by its original value.
    #[napi]
    pub fn restore(&self, text: String) -> String {
        self.lock().restore(&text)
    }
    /// The value behind one token, or `null`.
    #[napi]
    pub fn value_of_token(&self, token: String) -> Option<String> {
        self.lock().value_of(&token).map(str::to_string)
    }
    /// How many values it holds.
    #[napi(getter)]
    pub fn size(&self) -> u32 {
        self.lock().len() as u32
    }
}

/// Redacts a large text on the libuv thread pool.
pub struct RedactTask {
    redactor: Arc<CoreRedactor>,
    vault: Option<Arc<Mutex<CoreVault>>>,
    text: String,
}

impl Task for RedactTask {
    type Output = xspense::Result<Json>;
    type JsValue = Json;
    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(run(&self.redactor, &self.text, self.vault.as_ref()).and_then(|r| encode(&r)))
    }
    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Json> {
        output.map_err(|e| rejection(env, e))
    }
}

fn run(
    r: &CoreRedactor,
    text: &str,
    vault: Option<&Arc<Mutex<CoreVault>>>,
) -> xspense::Result<Redacted> {
    let out = guard(|| {
        Ok(match vault {
            Some(v) => r.redact_with(text, &mut v.lock().unwrap_or_else(|p| p.into_inner())),
            None => r.redact(text),
        })
    })?;
    Ok(out.in_offsets(text, OffsetUnit::Utf16))
}

/// The redactor's options as the core reads them (`RedactorSpec`), and the `hash_key` when it
/// was given as a `Buffer` (which JSON cannot carry).
fn redactor_options(
    env: &Env,
    options: Unknown,
) -> Result<(RedactorSpec, Option<Vec<u8>>), JsError> {
    const WHAT: &str = "redactor options";
    let mut key = None;
    if options.get_type().ok() == Some(napi::ValueType::Object) {
        // SAFETY: the value was just checked to be an object.
        let obj: Object = unsafe { options.cast() }.js()?;
        let k: Unknown = obj.get_named_property_unchecked("hash_key").js()?;
        if is_buffer(&k) {
            // SAFETY: the value was just checked to be a Buffer.
            let b: Buffer = unsafe { k.cast() }.js()?;
            key = Some(b.to_vec());
        }
    }
    let mut value: Value = parse(&json_text(env, options, WHAT)?, WHAT)?;
    if key.is_some() {
        if let Some(map) = value.as_object_mut() {
            map.remove("hash_key");
        }
    }
    let spec = serde_json::from_value(value).map_err(|e| invalid(format!("{WHAT}: {e}")))?;
    Ok((spec, key))
}

/// Finds and replaces card numbers, IBANs, SSNs, routing numbers, emails, phones, IPs, JWTs,
/// API keys and secrets.
#[napi]
pub struct Redactor {
    inner: Arc<CoreRedactor>,
}

#[napi]
impl Redactor {
    /// A redactor; `options` uses the core's names (`operator`, `min_confidence`, ...; unknown
    /// keys are refused). `hash_key` may also be a `Buffer`.
    #[napi(constructor)]
    pub fn new(
        env: Env,
        #[napi(
            ts_arg_type = "Omit<RedactorSpec, 'hash_key'> & { hash_key?: string | Buffer | null }"
        )]
        options: Option<Unknown>,
    ) -> Result<Self, JsError> {
        let (spec, key) = match options {
            Some(o) => redactor_options(&env, o)?,
            None => (RedactorSpec::default(), None),
        };
        let mut b = spec.builder().js()?;
        if let Some(k) = &key {
            b = b.hash_key(k);
        }
        Ok(Redactor {
            inner: Arc::new(guard(|| b.build()).js()?),
        })
    }

    /// The operator's name.
    #[napi(
        getter,
        ts_return_type = "'placeholder' | 'mask' | 'hash' | 'remove' | 'token'"
    )]
    pub fn operator(&self) -> &'static str {
        self.inner.operator().as_str()
    }

    /// The ids of the secret detectors in force.
    #[napi]
    pub fn detector_ids(&self) -> Vec<String> {
        self.inner.detector_ids()
    }

    /// The findings in `text`, in order of position, without replacing anything.
    #[napi(ts_return_type = "Finding[]")]
    pub fn find(&self, text: String) -> Result<Json, JsError> {
        let mut found = guard(|| Ok(self.inner.find(&text))).js()?;
        reindex_findings(&text, &mut found, OffsetUnit::Utf16);
        to_js(&found)
    }

    /// `text` with every finding replaced; with the `token` operator pass a `vault` to restore
    /// the values later.
    #[napi(ts_return_type = "Redacted")]
    pub fn redact(&self, text: String, vault: Option<&TokenVault>) -> Result<Json, JsError> {
        to_js(&run(&self.inner, &text, vault.map(|v| &v.inner)).js()?)
    }

    /// `redact` off the main thread, for large texts.
    #[napi(ts_return_type = "Promise<Redacted>")]
    pub fn redact_async(&self, text: String, vault: Option<&TokenVault>) -> AsyncTask<RedactTask> {
        AsyncTask::new(RedactTask {
            redactor: self.inner.clone(),
            vault: vault.map(|v| v.inner.clone()),
            text,
        })
    }

    /// A JSON value with sensitive strings, and values under sensitive keys (`password`,
    /// `card_number`, ...), replaced. Each finding's `path` is a JSON Pointer; its offsets index
    /// the string there.
    #[napi(ts_return_type = "RedactedJson")]
    pub fn redact_json(
        &self,
        env: Env,
        #[napi(ts_arg_type = "JsonValue")] value: Unknown,
        vault: Option<&TokenVault>,
    ) -> Result<Json, JsError> {
        let value: Value = from_js(&env, value, "value")?;
        let out: RedactedJson = guard(|| {
            Ok(match vault {
                Some(v) => self.inner.redact_json_with(&value, &mut v.lock()),
                None => self.inner.redact_json(&value),
            })
        })
        .js()?;
        to_js(&out.in_offsets(&value, OffsetUnit::Utf16))
    }
}
