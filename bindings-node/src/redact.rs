//! Redaction: `Redactor`, `TokenVault` and their results.

use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{AsyncTask, Buffer, Either};
use napi::{Env, Task};
use napi_derive::napi;
use serde_json::Value;
use xspense::redact::{DetectorSpec, Redactor as CoreRedactor, TokenVault as CoreVault};

use xspense::redact::{RedactorSpec, TextOffsets};

use crate::convert::from_record;
use crate::errors::{guard, rejection, IntoJs, JsError};

/// Sensitive data found in a text; `start`/`end` index the JavaScript string.
#[napi(object)]
pub struct Finding {
    pub kind: String,
    pub start: u32,
    pub end: u32,
    pub confidence: f64,
    pub detector: String,
}

/// A redacted text and what was replaced in it (spans refer to the input).
#[napi(object)]
pub struct Redacted {
    pub text: String,
    pub findings: Vec<Finding>,
}

/// A finding inside a JSON document; `start`/`end` index the string at `path`.
#[napi(object)]
pub struct JsonFinding {
    /// JSON Pointer of the value that held it.
    pub path: String,
    pub kind: String,
    pub start: u32,
    pub end: u32,
    pub confidence: f64,
    pub detector: String,
}

/// A redacted JSON document and what was replaced in it.
#[napi(object)]
pub struct RedactedJson {
    #[napi(ts_type = "JsonValue")]
    pub value: Value,
    pub findings: Vec<JsonFinding>,
}

/// How a `Redactor` works; every field is optional.
#[napi(object)]
pub struct RedactorOptions {
    #[napi(ts_type = "'placeholder' | 'mask' | 'hash' | 'remove' | 'token'")]
    pub operator: Option<String>,
    /// Findings below this confidence are kept (default 0.5).
    pub min_confidence: Option<f64>,
    /// The HMAC key of the `hash` operator.
    pub hash_key: Option<Either<String, Buffer>>,
    /// Kinds to leave alone (`EMAIL_ADDRESS`, `PHONE_NUMBER`, ...).
    pub disable: Option<Vec<String>>,
    /// `false` drops the built-in secret detectors (default `true`).
    pub builtin_secrets: Option<bool>,
    /// Extra detectors: `{id, kind, regex, keywords?, entropy?, ...}`.
    #[napi(ts_type = "JsonObject[]")]
    pub detectors: Option<Value>,
    pub allow_values: Option<Vec<String>>,
    pub allow_patterns: Option<Vec<String>>,
    /// Keep merchant numbers of bank descriptors (store numbers, references).
    pub for_descriptors: Option<bool>,
}

fn findings(text: &str, found: Vec<xspense::redact::Finding>) -> Vec<Finding> {
    let mut at = TextOffsets::utf16(text);
    found
        .into_iter()
        .map(|f| Finding {
            kind: f.kind.as_str().to_string(),
            start: at.at(f.start) as u32,
            end: at.at(f.end) as u32,
            confidence: f.confidence,
            detector: f.detector,
        })
        .collect()
}

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
    type Output = xspense::Result<Redacted>;
    type JsValue = Redacted;
    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(run(&self.redactor, &self.text, self.vault.as_ref()))
    }
    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Redacted> {
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
    Ok(Redacted {
        findings: findings(text, out.findings),
        text: out.text,
    })
}

/// Finds and replaces card numbers, IBANs, SSNs, routing numbers, emails, phones, IPs, JWTs,
/// API keys and secrets.
#[napi]
pub struct Redactor {
    inner: Arc<CoreRedactor>,
}

#[napi]
impl Redactor {
    #[napi(constructor)]
    pub fn new(options: Option<RedactorOptions>) -> Result<Self, JsError> {
        let o = options.unwrap_or(RedactorOptions {
            operator: None,
            min_confidence: None,
            hash_key: None,
            disable: None,
            builtin_secrets: None,
            detectors: None,
            allow_values: None,
            allow_patterns: None,
            for_descriptors: None,
        });
        let spec = RedactorSpec {
            operator: o.operator,
            min_confidence: o.min_confidence,
            hash_key: None,
            disable: o.disable.unwrap_or_default(),
            builtin_secrets: o.builtin_secrets,
            detectors: match o.detectors {
                Some(d) => from_record::<Vec<DetectorSpec>>(d, "detectors")?,
                None => Vec::new(),
            },
            allow_values: o.allow_values.unwrap_or_default(),
            allow_patterns: o.allow_patterns.unwrap_or_default(),
            for_descriptors: o.for_descriptors == Some(true),
        };
        let mut b = spec.builder().js()?;
        if let Some(k) = &o.hash_key {
            b = b.hash_key(crate::convert::bytes(k));
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
    #[napi]
    pub fn find(&self, text: String) -> Result<Vec<Finding>, JsError> {
        let found = guard(|| Ok(self.inner.find(&text))).js()?;
        Ok(findings(&text, found))
    }

    /// `text` with every finding replaced; with the `token` operator pass a `vault` to restore
    /// the values later.
    #[napi]
    pub fn redact(&self, text: String, vault: Option<&TokenVault>) -> Result<Redacted, JsError> {
        run(&self.inner, &text, vault.map(|v| &v.inner)).js()
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
    /// `card_number`, ...), replaced.
    #[napi]
    pub fn redact_json(
        &self,
        #[napi(ts_arg_type = "JsonValue")] value: Value,
        vault: Option<&TokenVault>,
    ) -> Result<RedactedJson, JsError> {
        let value = crate::convert::integral(value);
        let r = guard(|| {
            Ok(match vault {
                Some(v) => self.inner.redact_json_with(&value, &mut v.lock()),
                None => self.inner.redact_json(&value),
            })
        })
        .js()?;
        let findings = r
            .findings
            .into_iter()
            .map(|f| {
                let (start, end) = match value.pointer(&f.path).and_then(Value::as_str) {
                    Some(s) => {
                        let mut at = TextOffsets::utf16(s);
                        (at.at(f.finding.start) as u32, at.at(f.finding.end) as u32)
                    }
                    None => (f.finding.start as u32, f.finding.end as u32),
                };
                JsonFinding {
                    path: f.path,
                    kind: f.finding.kind.as_str().to_string(),
                    start,
                    end,
                    confidence: f.finding.confidence,
                    detector: f.finding.detector,
                }
            })
            .collect();
        Ok(RedactedJson {
            value: r.value,
            findings,
        })
    }
}
