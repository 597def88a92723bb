//! Redaction: `Redactor`, `TokenVault` and their results.

use std::sync::{Arc, Mutex};

use xspense::redact::{
    reindex_findings, OffsetUnit, Operator, Redactor as CoreRedactor, RedactorSpec,
    TokenVault as CoreVault,
};

use crate::errors::{call, Result};

/// How a finding is replaced.
#[derive(uniffi::Enum, Clone, Copy)]
pub enum RedactOperator {
    /// `[CARD]`, `[EMAIL]`, ...
    Placeholder,
    /// All but the last four letters and digits become `*`.
    Mask,
    /// A stable keyed pseudonym: `[CARD:5f1c0e93a2d4]`.
    Hash,
    /// The finding is deleted.
    Remove,
    /// A numbered token (`<CARD_1>`) a `TokenVault` can restore.
    Token,
}

/// How a `Redactor` works: the core's `RedactorSpec` as a record. An absent field takes the
/// core's default; `Redactor.withSpecJson` takes the whole spec (custom detectors included).
#[derive(uniffi::Record)]
pub struct RedactorOptions {
    #[uniffi(default = None)]
    pub operator: Option<RedactOperator>,
    /// Findings below this confidence are kept.
    #[uniffi(default = None)]
    pub min_confidence: Option<f64>,
    /// The HMAC key of the `Hash` operator.
    #[uniffi(default = None)]
    pub hash_key: Option<Vec<u8>>,
    /// Kinds to leave alone (`EMAIL_ADDRESS`, `PHONE_NUMBER`, ...).
    #[uniffi(default = [])]
    pub disable: Vec<String>,
    /// `false` drops the built-in secret detectors.
    #[uniffi(default = None)]
    pub builtin_secrets: Option<bool>,
    /// Values never redacted.
    #[uniffi(default = [])]
    pub allow_values: Vec<String>,
    /// Regexes whose matches are never redacted.
    #[uniffi(default = [])]
    pub allow_patterns: Vec<String>,
    /// Keep merchant numbers of bank descriptors.
    #[uniffi(default = None)]
    pub for_descriptors: Option<bool>,
}

impl RedactorOptions {
    /// The core's spec, and the binary hash key (which the spec holds only as text).
    fn into_spec(self) -> (RedactorSpec, Option<Vec<u8>>) {
        let mut spec = RedactorSpec {
            operator: self
                .operator
                .map(|op| Operator::from(op).as_str().to_string()),
            min_confidence: self.min_confidence,
            disable: self.disable,
            builtin_secrets: self.builtin_secrets,
            allow_values: self.allow_values,
            allow_patterns: self.allow_patterns,
            ..RedactorSpec::default()
        };
        if let Some(f) = self.for_descriptors {
            spec.for_descriptors = f;
        }
        (spec, self.hash_key)
    }
}

impl From<RedactOperator> for Operator {
    fn from(op: RedactOperator) -> Self {
        match op {
            RedactOperator::Placeholder => Operator::Placeholder,
            RedactOperator::Mask => Operator::Mask,
            RedactOperator::Hash => Operator::Hash,
            RedactOperator::Remove => Operator::Remove,
            RedactOperator::Token => Operator::Token,
        }
    }
}

fn build(spec: &RedactorSpec, hash_key: Option<Vec<u8>>) -> Result<CoreRedactor> {
    call(|| {
        let mut b = spec.builder()?;
        if let Some(k) = hash_key {
            b = b.hash_key(k);
        }
        b.build()
    })
}

/// Sensitive data found in a text; `start`/`end` are UTF-16 offsets into it (Kotlin's string
/// indices; Swift's `utf16` view).
#[derive(uniffi::Record)]
pub struct Finding {
    pub kind: String,
    pub start: u64,
    pub end: u64,
    pub confidence: f64,
    pub detector: String,
}

/// A redacted text and what was replaced in it.
#[derive(uniffi::Record)]
pub struct Redacted {
    pub text: String,
    pub findings: Vec<Finding>,
}

fn findings(text: &str, mut found: Vec<xspense::redact::Finding>) -> Vec<Finding> {
    reindex_findings(text, &mut found, OffsetUnit::Utf16);
    found
        .into_iter()
        .map(|f| Finding {
            kind: f.kind.as_str().to_string(),
            start: f.start as u64,
            end: f.end as u64,
            confidence: f.confidence,
            detector: f.detector,
        })
        .collect()
}

/// Remembers the values behind `<KIND_n>` tokens so a reply can be restored.
#[derive(uniffi::Object)]
pub struct TokenVault {
    inner: Mutex<CoreVault>,
}

#[uniffi::export]
impl TokenVault {
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(TokenVault {
            inner: Mutex::new(CoreVault::new()),
        })
    }
    /// `text` with every token this vault issued replaced by its original value.
    pub fn restore(&self, text: String) -> String {
        self.inner
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .restore(&text)
    }
    /// How many values it holds.
    pub fn size(&self) -> u64 {
        self.inner.lock().unwrap_or_else(|p| p.into_inner()).len() as u64
    }
}

/// Finds and replaces card numbers, IBANs, SSNs, emails, phones, IPs, API keys and secrets.
#[derive(uniffi::Object)]
pub struct Redactor {
    inner: CoreRedactor,
}

#[uniffi::export]
impl Redactor {
    /// A redactor with the defaults (placeholders, every built-in detector).
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Arc::new(Redactor {
            inner: CoreRedactor::new(),
        })
    }

    /// A redactor configured by `options`.
    #[uniffi::constructor]
    pub fn with_options(options: RedactorOptions) -> Result<Arc<Self>> {
        let (spec, hash_key) = options.into_spec();
        Ok(Arc::new(Redactor {
            inner: build(&spec, hash_key)?,
        }))
    }

    /// A redactor configured by the core's `RedactorSpec` as JSON (`{"operator": "mask",
    /// "detectors": [...], "allow_patterns": [...]}`; every key optional, unknown keys refused).
    #[uniffi::constructor]
    pub fn with_spec_json(spec_json: String) -> Result<Arc<Self>> {
        let spec: RedactorSpec = serde_json::from_str(&spec_json).map_err(|e| {
            crate::errors::XspenseError::InvalidInput {
                detail: format!("redactor spec: {e}"),
            }
        })?;
        Ok(Arc::new(Redactor {
            inner: build(&spec, None)?,
        }))
    }

    /// The findings in `text`, in order of position.
    pub fn find(&self, text: String) -> Result<Vec<Finding>> {
        call(|| Ok(findings(&text, self.inner.find(&text))))
    }

    /// `text` with every finding replaced; pass a `vault` with the `Token` operator.
    pub fn redact(&self, text: String, vault: Option<Arc<TokenVault>>) -> Result<Redacted> {
        let out = call(|| {
            Ok(match &vault {
                Some(v) => self.inner.redact_with(
                    &text,
                    &mut v.inner.lock().unwrap_or_else(|p| p.into_inner()),
                ),
                None => self.inner.redact(&text),
            })
        })?;
        Ok(Redacted {
            text: out.text,
            findings: findings(&text, out.findings),
        })
    }

    /// A JSON document with sensitive values replaced (returned as JSON).
    pub fn redact_json(&self, json: String) -> Result<String> {
        let v: serde_json::Value =
            serde_json::from_str(&json).map_err(|e| crate::errors::XspenseError::InvalidInput {
                detail: format!("not JSON: {e}"),
            })?;
        let out = call(|| Ok(self.inner.redact_json(&v)))?;
        Ok(out.value.to_string())
    }
}
