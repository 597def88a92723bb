//! A redactor's settings as data (the JSON shape bindings accept), turned into a builder.

use serde::{Deserialize, Serialize};

use super::{DetectorSpec, Operator, PiiKind, Redactor, RedactorBuilder};
use crate::error::Result;

/// How a [`Redactor`] works, as a serde value; every field is optional.
///
/// ```
/// use xspense::redact::RedactorSpec;
/// let spec: RedactorSpec = serde_json::from_str(r#"{"operator": "mask", "disable": ["EMAIL_ADDRESS"]}"#).unwrap();
/// let r = spec.builder().unwrap().build().unwrap();
/// assert_eq!(r.redact("4111 1111 1111 1111 ana@example.com").text, "**** **** **** 1111 ana@example.com");
/// assert!(serde_json::from_str::<RedactorSpec>(r#"{"operater": "mask"}"#).is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct RedactorSpec {
    /// `placeholder` (default), `mask`, `hash`, `remove` or `token`.
    pub operator: Option<String>,
    /// Findings below this confidence are kept (default 0.5).
    pub min_confidence: Option<f64>,
    /// The HMAC key of the `hash` operator, as text (hosts with binary keys use
    /// [`RedactorBuilder::hash_key`]).
    pub hash_key: Option<String>,
    /// Kinds to leave alone (`EMAIL_ADDRESS`, `PHONE_NUMBER`, ...).
    pub disable: Vec<String>,
    /// `false` drops the built-in secret detectors (default `true`).
    pub builtin_secrets: Option<bool>,
    /// Extra pattern detectors.
    pub detectors: Vec<DetectorSpec>,
    /// Values never redacted.
    pub allow_values: Vec<String>,
    /// Regexes whose matches are never redacted.
    pub allow_patterns: Vec<String>,
    /// Keep merchant numbers of bank descriptors (store numbers, references).
    pub for_descriptors: bool,
}

impl RedactorSpec {
    /// A builder with these settings; an unknown operator or kind is an `invalid_input` error.
    pub fn builder(&self) -> Result<RedactorBuilder> {
        let op: Operator = self.operator.as_deref().unwrap_or("placeholder").parse()?;
        let mut b = Redactor::builder()
            .operator(op)
            .min_confidence(self.min_confidence.unwrap_or(0.5));
        if let Some(k) = &self.hash_key {
            b = b.hash_key(k.as_bytes());
        }
        for name in &self.disable {
            b = b.disable(PiiKind::parse(name)?);
        }
        if self.builtin_secrets == Some(false) {
            b = b.without_builtin_secrets();
        }
        for d in &self.detectors {
            b = b.detector(d.clone());
        }
        for v in &self.allow_values {
            b = b.allow_value(v.clone());
        }
        for p in &self.allow_patterns {
            b = b.allow_pattern(p.clone());
        }
        if self.for_descriptors {
            b = b.for_descriptors();
        }
        Ok(b)
    }
}
