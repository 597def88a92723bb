//! One prompt for several merchants, and the reading of its answer.
//!
//! A host that meets many unknown merchants (a statement of a few hundred rows) asks its model
//! once per batch rather than once per row: [`batch_request`] folds the [`LlmRequest`]s of
//! several merchants into one prompt (the transactions as the core already scrubbed them, the
//! allowed categories once, the tenant's examples once) with a JSON answer schema, and
//! [`parse_batch_answer`] splits the model's answer into one [`BatchOutcome`] per merchant.
//! An answered merchant is then resolved with [`crate::Engine::resolve`] and
//! [`LlmAnswer::answer_text`], for every row of that merchant, so it is learned.
//!
//! Only text the core scrubbed goes into the prompt: each request's transaction section (its
//! descriptor went through [`crate::llm::scrub`]), the tenant's category ids and names, and the
//! examples (scrubbed too). The merchant keys never leave: merchants are numbered. Two parts
//! are derived from a descriptor before it was scrubbed, and there an email's local part can
//! survive without the `@` that made it recognisable (`john.doe@example.com` becomes the
//! merchant `Vorpal Supplies John.doe Example`), so the batch is stricter than one request: a
//! merchant line keeps only the words its scrubbed descriptor has, and an example goes out
//! only if its merchant is plain words (letters, short numbers, `&`, `'`, `-`).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{
    answer_schema, is_plain_name, json_object, scrub_merchant, validate_answer, AllowedCategory,
    LlmAnswer, LlmExample,
};
use crate::error::{Error, Result};
use crate::LlmRequest;

/// Most merchants one batch may hold (the prompt and the answer grow with each).
pub const MAX_BATCH_MERCHANTS: usize = 100;

/// Most examples one batch prompt carries (the requests' examples, merged).
const MAX_BATCH_EXAMPLES: usize = 20;

/// Longest batch answer text accepted, in bytes.
const MAX_BATCH_ANSWER_BYTES: usize = 512 * 1024;

/// Where a request's prompt leaves the transaction for the allowed categories (the line the
/// pipeline writes; a prompt without it is taken whole).
const ALLOWED_HEADING: &str = "\nAllowed categories (answer with the id):\n";

/// The first line of a request's prompt, left out of the batch's sections.
const TRANSACTION_HEADING: &str = "Transaction:\n";

/// The line of a transaction section naming the scrubbed descriptor.
const DESCRIPTOR_LINE: &str = "- descriptor: ";

/// The line of a transaction section naming the merchant.
const MERCHANT_LINE: &str = "- merchant: ";

/// The instructions sent with every batch.
const BATCH_SYSTEM: &str = "You categorize bank transactions for a budgeting app. For each \
                            numbered transaction pick exactly one of the allowed category ids. \
                            Answer with a single JSON object {\"answers\": [{\"id\": <the \
                            transaction's id>, \"category\": <id>, \"confidence\": <number \
                            0..1>, \"reason\": <short text>}]} holding one entry per \
                            transaction, and nothing else.";

/// One merchant of a batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchMerchant {
    /// The merchant's number in the prompt (`"1"`, `"2"`...), which the answer names.
    pub id: String,
    /// The merchant key its answer is learned under (never sent).
    pub merchant_key: String,
}

/// One prompt asking about several merchants of one tenant.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BatchRequest {
    /// Tenant the merchants belong to.
    pub tenant: String,
    /// System message: the task and the answer format.
    pub system: String,
    /// User message: the numbered transactions, the categories and the examples.
    pub prompt: String,
    /// JSON schema of the expected answer.
    pub answer_schema: serde_json::Value,
    /// The categories every answer may use.
    pub allowed_categories: Vec<AllowedCategory>,
    /// The merchants, in prompt order.
    pub merchants: Vec<BatchMerchant>,
}

/// What a batch answer said about one merchant.
#[derive(Debug, Clone, PartialEq)]
pub enum BatchOutcome {
    /// A valid answer: resolve the merchant's requests with [`LlmAnswer::answer_text`].
    Answered(LlmAnswer),
    /// An entry that fails validation (an unknown category, a confidence outside 0..1...),
    /// with the reason.
    Rejected(String),
    /// The answer has no entry for the merchant.
    Missing,
}

/// The outcome for one merchant of a batch.
#[derive(Debug, Clone, PartialEq)]
pub struct MerchantAnswer {
    /// The merchant key, as in [`BatchMerchant::merchant_key`].
    pub merchant_key: String,
    /// What the answer said about it.
    pub outcome: BatchOutcome,
}

/// Builds one prompt for the merchants of `requests`: one entry per distinct merchant key (the
/// first request of a merchant stands for it), in the order met.
///
/// Refuses (`invalid_input`) an empty list, more than [`MAX_BATCH_MERCHANTS`] merchants, and
/// requests of different tenants or with different allowed categories.
///
/// ```
/// use xspense::llm::{batch_request, parse_batch_answer, BatchOutcome};
/// use xspense::{Decision, Engine, Transaction};
///
/// let mut engine = Engine::new();
/// let tx: Transaction = serde_json::from_value(serde_json::json!({
///     "id": "t1", "tenant": "ana", "descriptor": "ZQX HOLDINGS card 4111 1111 1111 1111",
///     "amount": {"minor": 1250, "currency": "EUR"}, "direction": "debit", "date": "2026-11-02"
/// })).unwrap();
/// let Decision::NeedsLlm(request) = engine.categorize(&tx).unwrap() else { unreachable!() };
/// let batch = batch_request(&[&request]).unwrap();
/// assert!(batch.prompt.contains("[CARD]") && !batch.prompt.contains("4111"));
///
/// let answer = r#"{"answers": [{"id": "1", "category": "shopping.online", "confidence": 0.7}]}"#;
/// let answers = parse_batch_answer(answer, &batch).unwrap();
/// let BatchOutcome::Answered(a) = &answers[0].outcome else { unreachable!() };
/// let c = engine.resolve(&request, &a.answer_text()).unwrap();
/// assert_eq!((c.category.as_str(), c.source.as_str()), ("shopping.online", "llm"));
/// ```
pub fn batch_request(requests: &[&LlmRequest]) -> Result<BatchRequest> {
    let first = requests
        .first()
        .ok_or_else(|| Error::invalid("a batch needs at least one request"))?;
    let mut representatives: Vec<&LlmRequest> = Vec::new();
    for r in requests {
        check_same_batch(first, r)?;
        if !representatives
            .iter()
            .any(|k| k.merchant_key == r.merchant_key)
        {
            representatives.push(r);
        }
    }
    if representatives.len() > MAX_BATCH_MERCHANTS {
        return Err(Error::invalid(format!(
            "a batch holds at most {MAX_BATCH_MERCHANTS} merchants, not {}",
            representatives.len()
        )));
    }
    let merchants: Vec<BatchMerchant> = representatives
        .iter()
        .enumerate()
        .map(|(i, r)| BatchMerchant {
            id: (i + 1).to_string(),
            merchant_key: r.merchant_key.clone(),
        })
        .collect();
    let prompt = batch_prompt(&representatives, &merchants, &first.allowed_categories);
    Ok(BatchRequest {
        tenant: first.tenant.clone(),
        system: BATCH_SYSTEM.to_string(),
        prompt,
        answer_schema: batch_answer_schema(&merchants, &first.allowed_categories),
        allowed_categories: first.allowed_categories.clone(),
        merchants,
    })
}

/// Requests of one batch share the tenant and the allowed categories.
fn check_same_batch(first: &LlmRequest, r: &LlmRequest) -> Result<()> {
    if r.tenant != first.tenant {
        return Err(Error::invalid(format!(
            "a batch is for one tenant: {:?} and {:?}",
            first.tenant, r.tenant
        )));
    }
    if r.allowed_categories != first.allowed_categories {
        return Err(Error::invalid(
            "the requests of a batch must allow the same categories",
        ));
    }
    Ok(())
}

/// The transaction part of a request's prompt, without its heading.
fn transaction_section(prompt: &str) -> &str {
    let section = prompt
        .split_once(ALLOWED_HEADING)
        .map_or(prompt, |(before, _)| before);
    section
        .strip_prefix(TRANSACTION_HEADING)
        .unwrap_or(section)
        .trim_end()
}

/// A request's transaction section as it goes out: its merchant line keeps only the words its
/// scrubbed descriptor has (and goes when none is left).
fn outgoing_section(prompt: &str) -> String {
    let section = transaction_section(prompt);
    let descriptor = section
        .lines()
        .find_map(|l| l.strip_prefix(DESCRIPTOR_LINE))
        .unwrap_or_default();
    section
        .lines()
        .filter_map(|line| match line.strip_prefix(MERCHANT_LINE) {
            Some(name) => merchant_line(name, descriptor),
            None => Some(line.to_string()),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// The merchant line with the words of the (quoted) name that the descriptor has.
fn merchant_line(quoted: &str, descriptor: &str) -> Option<String> {
    let name = quoted.trim().trim_matches('"');
    scrub_merchant(name, descriptor).map(|kept| format!("{MERCHANT_LINE}\"{kept}\""))
}

/// The requests' examples with plain merchant names, each once, at most
/// [`MAX_BATCH_EXAMPLES`].
fn merged_examples<'a>(requests: &[&'a LlmRequest]) -> Vec<&'a LlmExample> {
    let mut out: Vec<&LlmExample> = Vec::new();
    let plain = requests
        .iter()
        .flat_map(|r| &r.examples)
        .filter(|e| is_plain_name(&e.merchant));
    for e in plain {
        if out.len() == MAX_BATCH_EXAMPLES {
            break;
        }
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out
}

/// The numbered transactions, the allowed categories and the examples.
fn batch_prompt(
    requests: &[&LlmRequest],
    merchants: &[BatchMerchant],
    allowed: &[AllowedCategory],
) -> String {
    let mut prompt = String::from("Transactions (answer once for each id):\n");
    for (r, m) in requests.iter().zip(merchants) {
        prompt.push_str(&format!(
            "\nid {}:\n{}\n",
            m.id,
            outgoing_section(&r.prompt)
        ));
    }
    prompt.push_str(ALLOWED_HEADING);
    for c in allowed {
        prompt.push_str(&format!("- {}: {}\n", c.id, c.name));
    }
    let examples = merged_examples(requests);
    if !examples.is_empty() {
        prompt.push_str("\nHow this user filed similar merchants:\n");
        for e in examples {
            prompt.push_str(&format!("- {:?} -> {}\n", e.merchant, e.category));
        }
    }
    prompt
}

/// The JSON schema of a batch answer: one entry per merchant id, each an answer of
/// [`answer_schema`] with its `id`.
fn batch_answer_schema(
    merchants: &[BatchMerchant],
    allowed: &[AllowedCategory],
) -> serde_json::Value {
    let mut entry = answer_schema(allowed);
    let ids: Vec<&str> = merchants.iter().map(|m| m.id.as_str()).collect();
    entry["properties"]["id"] = serde_json::json!({"type": "string", "enum": ids});
    entry["required"] = serde_json::json!(["id", "category", "confidence"]);
    serde_json::json!({
        "type": "object",
        "required": ["answers"],
        "additionalProperties": false,
        "properties": {
            "answers": {"type": "array", "items": entry, "maxItems": merchants.len()}
        }
    })
}

/// Splits a model's answer to `batch` into one outcome per merchant, in the batch's order.
///
/// The answer is a JSON object `{"answers": [...]}`, alone or wrapped in a code fence or prose.
/// A text that is not such an object is an `invalid_answer` error (every merchant is then
/// unanswered); within it, an entry that fails validation rejects only its merchant, a
/// merchant without an entry is [`BatchOutcome::Missing`], an entry naming no merchant of the
/// batch is ignored, and of two entries for one merchant the first counts. An `id` written as
/// a number (`1`) is read as its text.
pub fn parse_batch_answer(text: &str, batch: &BatchRequest) -> Result<Vec<MerchantAnswer>> {
    let v = json_object(text, MAX_BATCH_ANSWER_BYTES)?;
    let entries = v
        .get("answers")
        .and_then(|a| a.as_array())
        .ok_or_else(|| Error::InvalidAnswer("answer has no `answers` array".into()))?;
    let mut by_id: BTreeMap<String, BatchOutcome> = BTreeMap::new();
    for entry in entries {
        let Some(obj) = entry.as_object() else {
            continue;
        };
        let Some(id) = obj.get("id").and_then(entry_id) else {
            continue;
        };
        by_id
            .entry(id)
            .or_insert_with(|| match validate_answer(obj, &batch.allowed_categories) {
                Ok(a) => BatchOutcome::Answered(a),
                Err(e) => BatchOutcome::Rejected(e.to_string()),
            });
    }
    Ok(batch
        .merchants
        .iter()
        .map(|m| MerchantAnswer {
            merchant_key: m.merchant_key.clone(),
            outcome: by_id.remove(&m.id).unwrap_or(BatchOutcome::Missing),
        })
        .collect())
}

/// An entry's `id`: a string, or a whole number models sometimes write instead.
fn entry_id(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::String(s) => Some(s.trim().to_string()),
        serde_json::Value::Number(n) => n.as_u64().map(|n| n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Decision, Engine, Transaction};

    fn request(engine: &mut Engine, id: &str, tenant: &str, descriptor: &str) -> LlmRequest {
        let tx: Transaction = serde_json::from_value(serde_json::json!({
            "id": id, "tenant": tenant, "descriptor": descriptor,
            "amount": {"minor": 1999, "currency": "EUR"}, "direction": "debit",
            "date": "2026-11-02"
        }))
        .unwrap();
        match engine.categorize(&tx).unwrap() {
            Decision::NeedsLlm(r) => r,
            Decision::Categorized(c) => panic!("{descriptor} was decided: {c:?}"),
        }
    }

    const PII: [&str; 3] = [
        "QWXZ TRADING 4111 1111 1111 1111",
        "VORPAL SUPPLIES john.doe@example.com",
        "ZENTRIX GMBH DE89370400440532013000",
    ];

    fn three(engine: &mut Engine) -> Vec<LlmRequest> {
        PII.iter()
            .enumerate()
            .map(|(i, d)| request(engine, &format!("t{i}"), "ana", d))
            .collect()
    }

    #[test]
    fn prompt_numbers_merchants_and_keeps_out_personal_data() {
        let mut engine = Engine::new();
        let rs = three(&mut engine);
        let batch = batch_request(&rs.iter().collect::<Vec<_>>()).unwrap();
        assert_eq!(batch.merchants.len(), 3);
        assert_eq!(batch.merchants[2].id, "3");
        let lower = batch.prompt.to_lowercase();
        for needle in ["4111", "john", "doe", "example", "de89", "0532013000"] {
            assert!(!lower.contains(needle), "{needle} in {}", batch.prompt);
        }
        for placeholder in ["[CARD]", "[EMAIL]", "[IBAN]"] {
            assert!(batch.prompt.contains(placeholder), "{}", batch.prompt);
        }
        // the categories are listed once, the transactions' own headings are gone
        assert_eq!(batch.prompt.matches(ALLOWED_HEADING).count(), 1);
        assert!(!batch.prompt.contains(TRANSACTION_HEADING));
        assert!(batch.prompt.contains("id 2:\n- descriptor:"));
        for m in &batch.merchants {
            assert!(
                !batch.prompt.contains(&m.merchant_key),
                "{}",
                m.merchant_key
            );
        }
    }

    #[test]
    fn one_entry_per_merchant() {
        let mut engine = Engine::new();
        let a = request(&mut engine, "t1", "ana", "QWXZ TRADING");
        let b = request(&mut engine, "t2", "ana", "QWXZ TRADING");
        let batch = batch_request(&[&a, &b]).unwrap();
        assert_eq!(batch.merchants.len(), 1);
        assert_eq!(batch.prompt.matches("- descriptor:").count(), 1);
    }

    #[test]
    fn refuses_mixed_or_empty_batches() {
        let mut engine = Engine::new();
        let a = request(&mut engine, "t1", "ana", "QWXZ TRADING");
        let b = request(&mut engine, "t2", "bob", "VORPAL SUPPLIES");
        assert_eq!(
            batch_request(&[]).unwrap_err().code(),
            crate::ErrorCode::InvalidInput
        );
        assert_eq!(
            batch_request(&[&a, &b]).unwrap_err().code(),
            crate::ErrorCode::InvalidInput
        );
        let mut c = a.clone();
        c.merchant_key = "other".into();
        c.allowed_categories.pop();
        assert!(batch_request(&[&a, &c]).is_err());
    }

    #[test]
    fn refuses_too_many_merchants() {
        let mut engine = Engine::new();
        let a = request(&mut engine, "t1", "ana", "QWXZ TRADING");
        let many: Vec<LlmRequest> = (0..=MAX_BATCH_MERCHANTS)
            .map(|i| LlmRequest {
                merchant_key: format!("m{i}"),
                ..a.clone()
            })
            .collect();
        assert!(batch_request(&many.iter().collect::<Vec<_>>()).is_err());
        assert!(batch_request(&many[1..].iter().collect::<Vec<_>>()).is_ok());
    }

    #[test]
    fn schema_names_the_ids() {
        let mut engine = Engine::new();
        let rs = three(&mut engine);
        let batch = batch_request(&rs.iter().collect::<Vec<_>>()).unwrap();
        let items = &batch.answer_schema["properties"]["answers"]["items"];
        assert_eq!(
            items["properties"]["id"]["enum"],
            serde_json::json!(["1", "2", "3"])
        );
        assert!(items["properties"]["category"]["enum"]
            .as_array()
            .unwrap()
            .contains(&serde_json::json!("shopping.online")));
    }

    #[test]
    fn splits_an_answer_per_merchant() {
        let mut engine = Engine::new();
        let rs = three(&mut engine);
        let batch = batch_request(&rs.iter().collect::<Vec<_>>()).unwrap();
        let text = r#"```json
{"answers": [
  {"id": 1, "category": "shopping.online", "confidence": 0.8, "reason": "a shop"},
  {"id": "2", "category": "made.up", "confidence": 0.9},
  {"id": "1", "category": "travel", "confidence": 0.1},
  {"id": "9", "category": "shopping", "confidence": 0.5},
  "noise"
]}
```"#;
        let out = parse_batch_answer(text, &batch).unwrap();
        assert_eq!(out.len(), 3);
        assert_eq!(out[0].merchant_key, rs[0].merchant_key);
        let BatchOutcome::Answered(a) = &out[0].outcome else {
            panic!("{out:?}")
        };
        assert_eq!(
            (a.category.as_str(), a.reason.as_str()),
            ("shopping.online", "a shop")
        );
        assert!(matches!(&out[1].outcome, BatchOutcome::Rejected(r) if r.contains("made.up")));
        assert_eq!(out[2].outcome, BatchOutcome::Missing);
        // the answer resolves every row of its merchant
        let c = engine.resolve(&rs[0], &a.answer_text()).unwrap();
        assert_eq!(c.category, "shopping.online");
    }

    #[test]
    fn refuses_answers_without_an_answers_array() {
        let mut engine = Engine::new();
        let rs = three(&mut engine);
        let batch = batch_request(&rs.iter().collect::<Vec<_>>()).unwrap();
        for bad in [
            "",
            "no idea",
            "{not json}",
            r#"{"category": "shopping", "confidence": 0.5}"#,
            r#"{"answers": {"id": "1"}}"#,
        ] {
            let e = parse_batch_answer(bad, &batch).unwrap_err();
            assert_eq!(e.code(), crate::ErrorCode::InvalidAnswer, "{bad}");
        }
        let long = format!(
            r#"{{"answers": [], "pad": "{}"}}"#,
            "x".repeat(MAX_BATCH_ANSWER_BYTES)
        );
        assert!(parse_batch_answer(&long, &batch).is_err());
    }

    #[test]
    fn merchant_lines_keep_only_words_of_the_scrubbed_descriptor() {
        let section = "Transaction:\n- descriptor: \"VORPAL SUPPLIES [EMAIL]\"\n- merchant: \"Vorpal Supplies John.doe Example\"\n- amount: 1.00 EUR (debit)\n";
        assert_eq!(
            outgoing_section(section),
            "- descriptor: \"VORPAL SUPPLIES [EMAIL]\"\n- merchant: \"Vorpal Supplies\"\n- amount: 1.00 EUR (debit)"
        );
        let nothing_left = "- descriptor: \"[CARD]\"\n- merchant: \"Jane Roe\"\n- date: 2026-11-02";
        assert_eq!(
            outgoing_section(nothing_left),
            "- descriptor: \"[CARD]\"\n- date: 2026-11-02"
        );
    }

    #[test]
    fn examples_go_out_only_with_plain_names() {
        for plain in [
            "blue bottle",
            "7 eleven",
            "m&s",
            "trader joe's",
            "1800 flowers",
        ] {
            assert!(is_plain_name(plain), "{plain}");
        }
        for not_plain in [
            "vorpal supplies john.doe example",
            "[CARD] shop",
            "x@y",
            "acct 123456",
            "",
            " ",
        ] {
            assert!(!is_plain_name(not_plain), "{not_plain}");
        }
        let mut engine = Engine::new();
        let mut r = request(&mut engine, "t1", "ana", "QWXZ TRADING");
        r.examples = vec![
            LlmExample {
                merchant: "vorpal supplies john.doe example".into(),
                category: "shopping.online".into(),
            },
            LlmExample {
                merchant: "blue bottle".into(),
                category: "food.coffee".into(),
            },
        ];
        let batch = batch_request(&[&r]).unwrap();
        assert!(
            batch.prompt.contains("\"blue bottle\" -> food.coffee"),
            "{}",
            batch.prompt
        );
        assert!(!batch.prompt.contains("john"), "{}", batch.prompt);
    }

    #[test]
    fn a_prompt_without_the_heading_is_taken_whole() {
        assert_eq!(transaction_section("just text\n"), "just text");
        assert_eq!(
            transaction_section("Transaction:\n- descriptor: \"x\"\n\nAllowed categories (answer with the id):\n- a: A\n"),
            "- descriptor: \"x\""
        );
    }
}
