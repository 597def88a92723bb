//! The sans-IO language-model fallback.
//!
//! When no stage is confident, [`crate::Engine::categorize`] returns an [`LlmRequest`]: a prompt
//! with personal data replaced by [`crate::redact`] placeholders, the allowed categories, few-shot examples from the tenant's
//! memory and a JSON schema for the answer. The host sends it with whatever client it has and
//! passes the answer text to [`crate::Engine::resolve`], which validates it ([`parse_answer`])
//! and learns from it so the same merchant does not need the model again.

mod batch;
mod scrub;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::Categorization;

pub use batch::{
    batch_request, parse_batch_answer, BatchMerchant, BatchOutcome, BatchRequest, MerchantAnswer,
    MAX_BATCH_MERCHANTS,
};
pub use scrub::{is_plain_name, prompt_redactor, scrub, scrub_merchant};

/// One few-shot example taken from the tenant's memory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LlmExample {
    /// A merchant the tenant confirmed before.
    pub merchant: String,
    /// The category it was confirmed as.
    pub category: String,
}

/// A category the model may answer with.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AllowedCategory {
    /// Category id to answer with.
    pub id: String,
    /// Its human-readable name.
    pub name: String,
}

/// Everything a host needs to ask its language model about one transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LlmRequest {
    /// Tenant the transaction belongs to.
    pub tenant: String,
    /// The transaction id.
    pub transaction_id: String,
    /// Normalized merchant key the answer will be learned under.
    pub merchant_key: String,
    /// Merchant display name.
    pub merchant: String,
    /// Transaction date (the learned alias is dated with it).
    pub date: chrono::NaiveDate,
    /// System message: the task and the answer format.
    pub system: String,
    /// User message: the scrubbed transaction, categories and examples.
    pub prompt: String,
    /// The categories the answer may use.
    pub allowed_categories: Vec<AllowedCategory>,
    /// Few-shot examples from the tenant's memory.
    pub examples: Vec<LlmExample>,
    /// JSON schema of the expected answer.
    pub answer_schema: serde_json::Value,
    /// The best guess the engine had, if any (what to show while the model is asked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub best_guess: Option<Categorization>,
}

/// A validated answer from the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct LlmAnswer {
    /// One of the allowed category ids.
    pub category: String,
    /// The model's confidence in 0..=1.
    pub confidence: f64,
    /// Why, in the model's words.
    #[serde(default)]
    pub reason: String,
}

impl LlmAnswer {
    /// The answer as the JSON text [`parse_answer`] and [`crate::Engine::resolve`] read, e.g.
    /// to resolve each merchant of a batch answer ([`parse_batch_answer`]).
    ///
    /// ```
    /// use xspense::llm::{parse_answer, AllowedCategory, LlmAnswer};
    /// let a = LlmAnswer { category: "food.coffee".into(), confidence: 0.9, reason: "cafe".into() };
    /// let allowed = [AllowedCategory { id: "food.coffee".into(), name: "Coffee".into() }];
    /// assert_eq!(parse_answer(&a.answer_text(), &allowed).unwrap(), a);
    /// ```
    pub fn answer_text(&self) -> String {
        serde_json::json!({
            "category": self.category,
            "confidence": self.confidence,
            "reason": self.reason,
        })
        .to_string()
    }
}

/// A host-supplied blocking classifier, for hosts that can block on their model call.
pub trait LlmClassifier {
    /// Sends the request to a model and returns the raw answer text.
    fn complete(&self, request: &LlmRequest) -> Result<String>;
}

/// Longest answer text accepted, in bytes.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

/// The JSON schema every answer must follow.
pub fn answer_schema(allowed: &[AllowedCategory]) -> serde_json::Value {
    serde_json::json!({
        "type": "object",
        "required": ["category", "confidence"],
        "additionalProperties": false,
        "properties": {
            "category": {"type": "string", "enum": allowed.iter().map(|c| c.id.as_str()).collect::<Vec<_>>()},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "reason": {"type": "string", "maxLength": 500}
        }
    })
}

/// Validates a model's answer text against a request.
///
/// Accepts the JSON object alone or wrapped in a Markdown code fence or surrounding prose (models
/// do that); refuses malformed JSON, unknown categories and confidences outside 0..=1 with an
/// `invalid_answer` error.
///
/// ```
/// use xspense::llm::{parse_answer, AllowedCategory};
/// let allowed = [AllowedCategory { id: "food.coffee".into(), name: "Coffee".into() }];
/// let a = parse_answer("```json\n{\"category\":\"food.coffee\",\"confidence\":0.9}\n```", &allowed).unwrap();
/// assert_eq!(a.category, "food.coffee");
/// assert!(parse_answer("{\"category\":\"food.tea\",\"confidence\":0.9}", &allowed).is_err());
/// ```
pub fn parse_answer(text: &str, allowed: &[AllowedCategory]) -> Result<LlmAnswer> {
    let v = json_object(text, MAX_ANSWER_BYTES)?;
    let obj = v
        .as_object()
        .ok_or_else(|| Error::InvalidAnswer("answer is not a JSON object".into()))?;
    validate_answer(obj, allowed)
}

/// The JSON object in a model's answer text: alone, in a Markdown code fence or inside prose.
fn json_object(text: &str, max_bytes: usize) -> Result<serde_json::Value> {
    if text.len() > max_bytes {
        return Err(Error::InvalidAnswer(format!(
            "answer is longer than {max_bytes} bytes"
        )));
    }
    let start = text.find('{');
    let end = text.rfind('}');
    let body = match (start, end) {
        (Some(s), Some(e)) if s < e => &text[s..=e],
        _ => {
            return Err(Error::InvalidAnswer(
                "answer holds no JSON object".to_string(),
            ))
        }
    };
    serde_json::from_str(body)
        .map_err(|e| Error::InvalidAnswer(format!("answer is not valid JSON: {e}")))
}

/// Longest reason kept, in characters.
const MAX_REASON_CHARS: usize = 500;

/// Checks one answer object: an allowed `category`, a `confidence` in 0..=1, an optional
/// `reason` (cut to [`MAX_REASON_CHARS`]).
fn validate_answer(
    obj: &serde_json::Map<String, serde_json::Value>,
    allowed: &[AllowedCategory],
) -> Result<LlmAnswer> {
    let category = obj
        .get("category")
        .and_then(|c| c.as_str())
        .ok_or_else(|| Error::InvalidAnswer("answer has no string `category`".into()))?
        .trim()
        .to_string();
    if !allowed.iter().any(|a| a.id == category) {
        return Err(Error::InvalidAnswer(format!(
            "category {category:?} is not one of the allowed categories"
        )));
    }
    let confidence = match obj.get("confidence") {
        Some(c) => c
            .as_f64()
            .ok_or_else(|| Error::InvalidAnswer("`confidence` must be a number".into()))?,
        None => return Err(Error::InvalidAnswer("answer has no `confidence`".into())),
    };
    if !(0.0..=1.0).contains(&confidence) || !confidence.is_finite() {
        return Err(Error::InvalidAnswer(format!(
            "confidence {confidence} is outside 0..1"
        )));
    }
    let reason = obj
        .get("reason")
        .and_then(|r| r.as_str())
        .unwrap_or("")
        .chars()
        .take(MAX_REASON_CHARS)
        .collect();
    Ok(LlmAnswer {
        category,
        confidence,
        reason,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed() -> Vec<AllowedCategory> {
        vec![AllowedCategory {
            id: "food.coffee".into(),
            name: "Coffee".into(),
        }]
    }

    #[test]
    fn rejects_bad_answers_with_invalid_answer() {
        for bad in [
            "",
            "I think it is coffee",
            "{not json}",
            "[1,2]",
            r#"{"category": 3, "confidence": 0.5}"#,
            r#"{"category": "food.tea", "confidence": 0.5}"#,
            r#"{"category": "food.coffee"}"#,
            r#"{"category": "food.coffee", "confidence": 1.5}"#,
            r#"{"category": "food.coffee", "confidence": -0.1}"#,
            r#"{"category": "food.coffee", "confidence": "high"}"#,
        ] {
            let e = parse_answer(bad, &allowed()).unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InvalidAnswer, "{bad}");
        }
    }

    #[test]
    fn accepts_wrapped_answers() {
        let a = parse_answer(
            "Sure! {\"category\": \"food.coffee\", \"confidence\": 0.8, \"reason\": \"cafe\"} Hope that helps.",
            &allowed(),
        )
        .unwrap();
        assert_eq!(a.reason, "cafe");
        assert_eq!(a.confidence, 0.8);
    }
}
