//! The host's language model: the request when no stage was confident (the transaction, the
//! tenant's categories, few-shot examples from what the tenant filed before), and the
//! categorization its answer becomes.

use super::decide::Undecided;
use super::engine::Engine;
use super::narrate;
use super::tenant::TenantState;
use crate::llm::{self, AllowedCategory, LlmAnswer, LlmExample, LlmRequest};
use crate::model::{Band, Categorization, Source, Transaction, UNCATEGORIZED};
use crate::normalize::{AliasKey, MerchantKey};

/// The instructions sent with every request.
const SYSTEM: &str = "You categorize bank transactions for a budgeting app. Pick exactly one of \
                      the allowed category ids. Answer with a single JSON object \
                      {\"category\": <id>, \"confidence\": <number 0..1>, \"reason\": <short text>} \
                      and nothing else.";

impl Engine {
    /// The request for the host's model when no stage was confident; the best guess (what to
    /// show meanwhile) carries the full trace.
    pub(super) fn build_request(
        &self,
        t: &TenantState,
        tx: &Transaction,
        undecided: Undecided,
    ) -> LlmRequest {
        let Undecided {
            mut best_guess,
            mut trace,
            merchant_key,
            merchant,
        } = undecided;
        let allowed = allowed_categories(t);
        let examples = self.examples(t, &merchant_key);
        let prompt = prompt(tx, &merchant, &allowed, &examples);
        trace.push(narrate::asking_llm());
        if let Some(g) = &mut best_guess {
            g.trace = trace.clone();
        }
        LlmRequest {
            tenant: tx.tenant.clone(),
            transaction_id: tx.id.clone(),
            merchant_key: merchant_key.into_string(),
            merchant,
            date: tx.date,
            system: SYSTEM.into(),
            prompt,
            answer_schema: llm::answer_schema(&allowed),
            allowed_categories: allowed,
            examples,
            best_guess,
        }
    }

    /// Few-shot examples: learned merchants sharing the most words with the key, then the
    /// best-supported ones.
    fn examples(&self, t: &TenantState, key: &MerchantKey) -> Vec<LlmExample> {
        let words: Vec<&str> = key.as_str().split(' ').collect();
        let mut scored: Vec<(usize, u32, &str, String)> = t
            .aliases
            .entries()
            .into_iter()
            .filter_map(|(k, e)| {
                // detail keys repeat their merchant key in descriptor form
                let AliasKey::Merchant(k) = AliasKey::parse(k) else {
                    return None;
                };
                let overlap = k.split(' ').filter(|w| words.contains(w)).count();
                let cat = e
                    .votes
                    .iter()
                    .max_by(|a, b| a.1.total_cmp(b.1))
                    .map(|(c, _)| c.clone())?;
                Some((overlap, e.support, k, cat))
            })
            .collect();
        scored.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)).then(a.2.cmp(b.2)));
        scored
            .into_iter()
            .map(|(_, _, k, c)| LlmExample {
                merchant: llm::scrub(k),
                category: c,
            })
            // a learned key can hold what a descriptor held (an e-mail's words): only plain
            // names go out
            .filter(|e| llm::is_plain_name(&e.merchant))
            .take(self.config.llm_examples)
            .collect()
    }
}

/// The categories the model may answer with: the tenant's own and the built-in leaves.
fn allowed_categories(t: &TenantState) -> Vec<AllowedCategory> {
    t.taxonomy
        .iter()
        .filter(|c| (c.id != UNCATEGORIZED && c.parent.is_some()) || !c.builtin)
        .map(|c| AllowedCategory {
            id: c.id.clone(),
            name: c.name.clone(),
        })
        .collect()
}

/// The transaction (scrubbed of personal data), the allowed categories and the examples.
fn prompt(
    tx: &Transaction,
    merchant: &str,
    allowed: &[AllowedCategory],
    examples: &[LlmExample],
) -> String {
    let descriptor = llm::scrub(&tx.descriptor);
    let mut prompt = format!("Transaction:\n- descriptor: {descriptor:?}\n");
    // the merchant name is derived from the raw descriptor: only the words the scrubbed one
    // still has go out
    if let Some(name) = llm::scrub_merchant(merchant, &descriptor) {
        prompt.push_str(&format!("- merchant: {name:?}\n"));
    }
    prompt.push_str(&format!(
        "- amount: {} ({})\n- date: {}\n",
        tx.amount,
        tx.direction.as_str(),
        tx.date.format("%Y-%m-%d"),
    ));
    if let Some(mcc) = tx.mcc {
        prompt.push_str(&format!("- merchant category code: {mcc:04}\n"));
    }
    prompt.push_str("\nAllowed categories (answer with the id):\n");
    for c in allowed {
        prompt.push_str(&format!("- {}: {}\n", c.id, c.name));
    }
    if !examples.is_empty() {
        prompt.push_str("\nHow this user filed similar merchants:\n");
        for e in examples {
            prompt.push_str(&format!("- {:?} -> {}\n", e.merchant, e.category));
        }
    }
    prompt
}

/// The categorization a (validated) answer to `request` becomes: the best guess's trace and
/// tags, and the model's step.
pub(super) fn answered(request: &LlmRequest, answer: LlmAnswer) -> Categorization {
    let guess = request.best_guess.as_ref();
    let mut trace = guess.map(|g| g.trace.clone()).unwrap_or_default();
    trace.push(narrate::llm_answered(&answer.category, answer.confidence));
    Categorization {
        transaction_id: request.transaction_id.clone(),
        category: answer.category,
        confidence: answer.confidence,
        band: Band::of(answer.confidence),
        source: Source::Llm,
        reason: narrate::llm_reason(&answer.reason),
        merchant_key: request.merchant_key.clone(),
        merchant: request.merchant.clone(),
        tags: guess.map(|g| g.tags.clone()).unwrap_or_default(),
        trace,
    }
}
