//! The result of categorizing one transaction: category, confidence, source, reason and trace.

use serde::{Deserialize, Serialize};

/// Which stage of the pipeline decided a category.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A tenant rule.
    Rule,
    /// The tenant's learned merchant aliases.
    Alias,
    /// Similar merchants the tenant confirmed before.
    Similarity,
    /// The tenant's online classifier over descriptor words.
    Classifier,
    /// The built-in knowledge base of well-known merchants (cold start).
    Knowledge,
    /// The card network's merchant category code.
    Mcc,
    /// The host's language model.
    Llm,
    /// Nothing knew; the engine's default.
    Default,
}

impl Source {
    /// The stable lowercase name, e.g. `"alias"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Rule => "rule",
            Source::Alias => "alias",
            Source::Similarity => "similarity",
            Source::Classifier => "classifier",
            Source::Knowledge => "knowledge",
            Source::Mcc => "mcc",
            Source::Llm => "llm",
            Source::Default => "default",
        }
    }

    /// Every source in pipeline order.
    pub const ALL: [Source; 8] = [
        Source::Rule,
        Source::Alias,
        Source::Similarity,
        Source::Classifier,
        Source::Knowledge,
        Source::Mcc,
        Source::Llm,
        Source::Default,
    ];
}

/// Coarse confidence bucket for display and filtering.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Band {
    /// confidence < 0.6
    Low,
    /// 0.6 <= confidence < 0.85
    Medium,
    /// 0.85 <= confidence < 0.95
    High,
    /// confidence >= 0.95
    VeryHigh,
}

impl Band {
    /// The band a confidence value falls in.
    ///
    /// ```
    /// use xspense::Band;
    /// assert_eq!(Band::of(0.9), Band::High);
    /// assert_eq!(Band::of(0.2), Band::Low);
    /// ```
    pub fn of(confidence: f64) -> Band {
        if confidence >= 0.95 {
            Band::VeryHigh
        } else if confidence >= 0.85 {
            Band::High
        } else if confidence >= 0.6 {
            Band::Medium
        } else {
            Band::Low
        }
    }

    /// The stable lowercase name, e.g. `"very_high"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Band::Low => "low",
            Band::Medium => "medium",
            Band::High => "high",
            Band::VeryHigh => "very_high",
        }
    }
}

/// One line of the explanation of a decision: what a stage saw and concluded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TraceStep {
    /// The stage: `normalize`, `rules`, `alias`, `similarity`, `classifier`, `calibration`,
    /// `vocabulary` (a bank phrase or a merchant word), `knowledge`, `mcc`, `semantic` (the
    /// host's sentence-embedding model), `llm` or `default`.
    pub stage: String,
    /// What the stage concluded, in words.
    pub detail: String,
    /// The category the stage proposed, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The stage's confidence in that category, if it proposed one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
}

/// The engine's answer for one transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Categorization {
    /// Id of the transaction this answers.
    pub transaction_id: String,
    /// The chosen category id.
    pub category: String,
    /// Confidence in 0..=1.
    pub confidence: f64,
    /// The confidence band.
    pub band: Band,
    /// Which stage decided.
    pub source: Source,
    /// One sentence a person can read: why this category.
    pub reason: String,
    /// Normalized merchant key (what aliases and similarity are keyed by).
    pub merchant_key: String,
    /// Merchant display name (after any rule rename).
    pub merchant: String,
    /// Tags added by rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Every stage consulted, in order.
    pub trace: Vec<TraceStep>,
}
