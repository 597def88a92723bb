//! Redaction: find card numbers, bank and identity numbers, contact details and secrets in
//! text or JSON, and replace them before the text reaches a log or an LLM prompt.
//!
//! Findings come from two kinds of detector:
//! - built-in scanners for numbers and addresses ([`PiiKind::CreditCard`] with Luhn and issuer
//!   ranges, [`PiiKind::Iban`] with country length and mod-97, [`PiiKind::UsSsn`],
//!   [`PiiKind::AbaRouting`] with its checksum, [`PiiKind::Phone`], [`PiiKind::IpAddress`],
//!   [`PiiKind::Email`]); words nearby (`card`, `ssn`, `routing`, `phone`, `amount`, ...)
//!   raise or lower their confidence;
//! - data-defined pattern detectors ([`DetectorSpec`]): the built-in set covers provider API
//!   keys and tokens (OpenAI, Anthropic, Stripe, AWS, GitHub, GitLab, Slack, Plaid, Google and
//!   about 200 more, derived from gitleaks), JWTs, private keys and generic `key = ...`
//!   assignments with an entropy floor.
//!
//! Overlapping findings are resolved by confidence, then length. Findings below the
//! redactor's minimum confidence (0.5 by default) and allow-listed values are dropped.
//!
//! ```
//! use xspense::redact::Redactor;
//! let r = Redactor::new();
//! let out = r.redact("card 4111 1111 1111 1111, mail ana@example.com, SQ *BLUE BOTTLE 0042");
//! assert_eq!(out.text, "card [CARD], mail [EMAIL], SQ *BLUE BOTTLE 0042");
//! assert_eq!(out.findings.len(), 2);
//! ```

mod json;
mod kind;
mod offsets;
mod operator;
mod pattern;
mod scan;
mod spec;
pub mod validate;

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use regex::Regex;
use serde::{Deserialize, Serialize};

pub use json::{JsonFinding, RedactedJson};
pub use kind::PiiKind;
pub use offsets::{reindex_findings, OffsetUnit, TextOffsets};
pub use operator::{Operator, TokenVault};
pub use pattern::{builtin_secret_detectors, AllowSpec, DetectorSpec};
pub use spec::RedactorSpec;
pub use validate::Validator;

use crate::error::{Error, Result};
use scan::Raw;

/// One piece of sensitive data found in a text. Offsets count UTF-8 bytes in Rust; the
/// bindings give them in their language's unit (UTF-16 units in JavaScript, Kotlin and Swift,
/// characters in Python; see [`reindex_findings`]).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Finding {
    /// What it is.
    pub kind: PiiKind,
    /// Offset where it starts in the input.
    pub start: usize,
    /// Offset just past its end.
    pub end: usize,
    /// How sure the detector is, 0 to 1.
    pub confidence: f64,
    /// Which detector found it (`card`, `phone`, `stripe-access-token`, ...).
    pub detector: String,
}

/// A redacted text and what was replaced in it (spans refer to the input).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Redacted {
    /// The text with every finding replaced.
    pub text: String,
    /// The findings, in order of position.
    pub findings: Vec<Finding>,
}

/// Configures a [`Redactor`].
#[derive(Debug, Clone)]
pub struct RedactorBuilder {
    operator: Operator,
    min_confidence: f64,
    hash_key: Option<Vec<u8>>,
    disabled: HashSet<PiiKind>,
    builtin_secrets: bool,
    detectors: Vec<DetectorSpec>,
    allow_values: HashSet<String>,
    allow_patterns: Vec<String>,
}

impl Default for RedactorBuilder {
    fn default() -> Self {
        RedactorBuilder {
            operator: Operator::Placeholder,
            min_confidence: 0.5,
            hash_key: None,
            disabled: HashSet::new(),
            builtin_secrets: true,
            detectors: Vec::new(),
            allow_values: HashSet::new(),
            allow_patterns: Vec::new(),
        }
    }
}

/// Phone numbers that belong to businesses rather than people: North American toll-free
/// numbers, which card descriptors print after the merchant name.
const DESCRIPTOR_ALLOW: &[&str] =
    &[r"^(?:\+?1[ .-]?)?\(?8(?:00|33|44|55|66|77|88)\)?[ .-]?\d{3}[ .-]?\d{4}$"];

impl RedactorBuilder {
    /// How findings are replaced (default [`Operator::Placeholder`]).
    pub fn operator(mut self, op: Operator) -> Self {
        self.operator = op;
        self
    }

    /// Findings below this confidence are ignored (default 0.5).
    pub fn min_confidence(mut self, c: f64) -> Self {
        self.min_confidence = c;
        self
    }

    /// The secret key of [`Operator::Hash`] pseudonyms (required for that operator).
    pub fn hash_key(mut self, key: impl AsRef<[u8]>) -> Self {
        self.hash_key = Some(key.as_ref().to_vec());
        self
    }

    /// Stops looking for one kind.
    pub fn disable(mut self, kind: PiiKind) -> Self {
        self.disabled.insert(kind);
        self
    }

    /// Leaves out the built-in secret detectors (keys, tokens, JWTs, private keys).
    pub fn without_builtin_secrets(mut self) -> Self {
        self.builtin_secrets = false;
        self
    }

    /// Adds a data-defined detector.
    pub fn detector(mut self, spec: DetectorSpec) -> Self {
        self.detectors.push(spec);
        self
    }

    /// Never redacts this exact value.
    pub fn allow_value(mut self, value: impl Into<String>) -> Self {
        self.allow_values.insert(value.into());
        self
    }

    /// Never redacts a finding whose whole text matches this regex.
    pub fn allow_pattern(mut self, regex: impl Into<String>) -> Self {
        self.allow_patterns.push(regex.into());
        self
    }

    /// Settings for bank transaction descriptors: keeps the merchant's business phone
    /// numbers (toll-free) that card networks print in descriptors. Store numbers, amounts and
    /// dates are never findings in the first place.
    pub fn for_descriptors(mut self) -> Self {
        self.allow_patterns
            .extend(DESCRIPTOR_ALLOW.iter().map(|s| s.to_string()));
        self
    }

    /// Checks the settings and compiles the detectors.
    pub fn build(self) -> Result<Redactor> {
        if !(0.0..=1.0).contains(&self.min_confidence) {
            return Err(Error::invalid(format!(
                "min_confidence {} is outside 0..=1",
                self.min_confidence
            )));
        }
        if self.operator == Operator::Hash && self.hash_key.as_ref().is_none_or(Vec::is_empty) {
            return Err(Error::invalid(
                "the hash operator needs a non-empty hash_key (keep it secret: it is what makes \
                 pseudonyms irreversible)",
            ));
        }
        let mut specs = if self.builtin_secrets {
            builtin_secret_detectors()
        } else {
            Vec::new()
        };
        specs.extend(self.detectors);
        specs.retain(|s| !self.disabled.contains(&s.kind));
        let patterns = pattern::PatternSet::new(specs, self.builtin_secrets)?;
        let allow_patterns = self
            .allow_patterns
            .iter()
            .map(|p| {
                Regex::new(p)
                    .map_err(|e| Error::invalid(format!("invalid allow pattern {p:?}: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        let on = |k: PiiKind| !self.disabled.contains(&k);
        Ok(Redactor {
            enabled: scan::Enabled {
                card: on(PiiKind::CreditCard),
                iban: on(PiiKind::Iban),
                ssn: on(PiiKind::UsSsn),
                aba: on(PiiKind::AbaRouting),
                email: on(PiiKind::Email),
                phone: on(PiiKind::Phone),
                ip: on(PiiKind::IpAddress),
            },
            operator: self.operator,
            min_confidence: self.min_confidence,
            hash_key: self.hash_key.unwrap_or_default(),
            patterns,
            allow_values: self.allow_values,
            allow_patterns,
        })
    }
}

/// Finds and replaces sensitive data. Build once and share: it is `Send + Sync`, and
/// detectors compile on first use.
#[derive(Debug)]
pub struct Redactor {
    enabled: scan::Enabled,
    operator: Operator,
    min_confidence: f64,
    hash_key: Vec<u8>,
    patterns: pattern::PatternSet,
    allow_values: HashSet<String>,
    allow_patterns: Vec<Regex>,
}

impl Default for Redactor {
    fn default() -> Self {
        Redactor::new()
    }
}

impl Redactor {
    /// All built-in detectors, placeholders, minimum confidence 0.5.
    pub fn new() -> Redactor {
        RedactorBuilder::default()
            .build()
            .expect("the default redactor settings are valid")
    }

    /// Starts a configuration.
    pub fn builder() -> RedactorBuilder {
        RedactorBuilder::default()
    }

    /// The configured operator.
    pub fn operator(&self) -> Operator {
        self.operator
    }

    /// Ids of the pattern detectors in use.
    pub fn detector_ids(&self) -> Vec<String> {
        self.patterns.ids().map(str::to_string).collect()
    }

    /// Compiles every detector regex now instead of on first use; returns the ids and
    /// patterns that do not compile (they never match).
    pub fn warm_up(&self) -> Vec<(String, String)> {
        self.patterns.compile_all()
    }

    /// The findings in `text`, in order, without overlaps.
    pub fn find(&self, text: &str) -> Vec<Finding> {
        let mut raw = Vec::new();
        scan::scan(text, self.enabled, &mut raw);
        self.patterns.scan(text, &mut raw);
        self.resolve(text, raw)
    }

    fn resolve(&self, text: &str, mut raw: Vec<Raw>) -> Vec<Finding> {
        raw.retain(|r| {
            r.confidence >= self.min_confidence
                && r.start < r.end
                && r.end <= text.len()
                && text.is_char_boundary(r.start)
                && text.is_char_boundary(r.end)
                && !self.allowed(&text[r.start..r.end])
        });
        if raw.is_empty() {
            return Vec::new();
        }
        // Secrets first (a `user:password` secret outranks the email inside it), then highest
        // confidence, then longest; keep what does not overlap a kept finding.
        let rank = |k: &PiiKind| match k {
            PiiKind::PrivateKey => 3,
            PiiKind::ApiKey | PiiKind::Jwt | PiiKind::Secret | PiiKind::Custom(_) => 2,
            _ => 1,
        };
        raw.sort_by(|a, b| {
            rank(&b.kind)
                .cmp(&rank(&a.kind))
                .then(b.confidence.total_cmp(&a.confidence))
                .then((b.end - b.start).cmp(&(a.end - a.start)))
                .then(a.start.cmp(&b.start))
        });
        // kept spans by start; they never overlap, so only the neighbours of a new span can
        // collide with it (O(log n) per candidate, for texts with many findings)
        let mut kept: BTreeMap<usize, Raw> = BTreeMap::new();
        for r in raw {
            let before = kept
                .range(..r.end)
                .next_back()
                .is_some_and(|(_, k)| k.end > r.start);
            if !before {
                kept.insert(r.start, r);
            }
        }
        kept.into_values()
            .map(|r| Finding {
                kind: r.kind,
                start: r.start,
                end: r.end,
                confidence: (r.confidence * 100.0).round() / 100.0,
                detector: match r.detector {
                    Cow::Borrowed(s) => s.to_string(),
                    Cow::Owned(s) => s,
                },
            })
            .collect()
    }

    fn allowed(&self, value: &str) -> bool {
        self.allow_values.contains(value) || self.allow_patterns.iter().any(|p| p.is_match(value))
    }

    /// Redacts `text` with the configured operator. With [`Operator::Token`] the tokens come
    /// from a fresh vault; use [`Redactor::redact_with`] to keep one across texts and restore.
    pub fn redact(&self, text: &str) -> Redacted {
        let mut vault = TokenVault::new();
        self.redact_with(text, &mut vault)
    }

    /// Redacts `text`, issuing tokens from `vault` when the operator is [`Operator::Token`].
    pub fn redact_with(&self, text: &str, vault: &mut TokenVault) -> Redacted {
        let findings = self.find(text);
        let text = self.apply(text, &findings, vault);
        Redacted { text, findings }
    }

    /// The replacement of one finding's text.
    pub(crate) fn replacement(
        &self,
        kind: &PiiKind,
        value: &str,
        vault: &mut TokenVault,
    ) -> String {
        match self.operator {
            Operator::Placeholder => format!("[{}]", kind.label()),
            Operator::Mask => operator::mask(value),
            Operator::Hash => operator::pseudonym(&self.hash_key, kind, value),
            Operator::Remove => String::new(),
            Operator::Token => vault.token(kind, value),
        }
    }

    fn apply(&self, text: &str, findings: &[Finding], vault: &mut TokenVault) -> String {
        if findings.is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for f in findings {
            out.push_str(&text[at..f.start]);
            out.push_str(&self.replacement(&f.kind, &text[f.start..f.end], vault));
            at = f.end;
        }
        out.push_str(&text[at..]);
        out
    }
}

#[cfg(test)]
mod tests;
