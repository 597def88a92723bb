//! Stage thresholds and learning parameters.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Engine configuration. `EngineConfig::default()` is what the `xspense` tool uses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct EngineConfig {
    /// Confidence given to a category set by a rule.
    pub rule_confidence: f64,
    /// An alias verdict at or above this confidence decides; below it is only a best guess.
    pub alias_min_confidence: f64,
    /// Factor earlier alias votes are multiplied by before a new vote lands (0 < decay <= 1).
    pub alias_decay: f64,
    /// When no stage decides: `true` returns an LLM request, `false` the best guess (or
    /// `uncategorized`) with source `default`.
    pub llm_fallback: bool,
    /// Most few-shot examples put in an LLM request.
    pub llm_examples: usize,
    /// Vote among similar merchants the tenant filed before when a merchant key is new.
    pub similarity: bool,
    /// Neighbours consulted in a similarity vote.
    pub similarity_k: usize,
    /// Neighbours less similar than this (cosine) do not vote.
    pub similarity_min_similarity: f32,
    /// A similarity or classifier answer at or above this confidence decides; below it is a
    /// best guess.
    pub similarity_min_confidence: f64,
    /// Feedback examples the online classifier needs before it answers.
    pub classifier_min_examples: u32,
    /// Consult the built-in knowledge base of well-known merchants when the tenant's rules and
    /// memory know nothing (cold start).
    pub knowledge: bool,
    /// Confidence of a knowledge-base answer for a recognized brand (descriptor-table answers
    /// get 0.1 less).
    pub knowledge_confidence: f64,
    /// Use the transaction's merchant category code when nothing else knows.
    pub mcc: bool,
    /// Confidence of an MCC answer.
    pub mcc_confidence: f64,
}

impl Default for EngineConfig {
    fn default() -> Self {
        EngineConfig {
            rule_confidence: 0.99,
            alias_min_confidence: 0.5,
            alias_decay: 0.8,
            llm_fallback: true,
            llm_examples: 8,
            similarity: true,
            similarity_k: 10,
            similarity_min_similarity: 0.5,
            similarity_min_confidence: 0.6,
            classifier_min_examples: 10,
            knowledge: true,
            knowledge_confidence: 0.8,
            mcc: true,
            mcc_confidence: 0.65,
        }
    }
}

impl EngineConfig {
    /// Checks every value is in range.
    pub fn validate(&self) -> Result<()> {
        let unit = |name: &str, v: f64| {
            if (0.0..=1.0).contains(&v) {
                Ok(())
            } else {
                Err(Error::invalid(format!(
                    "{name} must be within 0..1, got {v}"
                )))
            }
        };
        unit("rule_confidence", self.rule_confidence)?;
        unit("alias_min_confidence", self.alias_min_confidence)?;
        unit("knowledge_confidence", self.knowledge_confidence)?;
        unit("similarity_min_confidence", self.similarity_min_confidence)?;
        unit(
            "similarity_min_similarity",
            f64::from(self.similarity_min_similarity),
        )?;
        if self.similarity_k == 0 || self.similarity_k > 100 {
            return Err(Error::invalid("similarity_k must be 1 to 100"));
        }
        unit("mcc_confidence", self.mcc_confidence)?;
        if !(self.alias_decay > 0.0 && self.alias_decay <= 1.0) {
            return Err(Error::invalid(format!(
                "alias_decay must be within (0, 1], got {}",
                self.alias_decay
            )));
        }
        if self.llm_examples > 100 {
            return Err(Error::invalid("llm_examples must be at most 100"));
        }
        Ok(())
    }
}
