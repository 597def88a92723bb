//! The request for the host's language model: the transaction, the tenant's categories and
//! few-shot examples from what the tenant filed before.

use super::engine::Engine;
use super::narrate;
use super::tenant::TenantState;
use crate::llm::{self, AllowedCategory, LlmExample, LlmRequest};
use crate::model::{Categorization, TraceStep, Transaction, UNCATEGORIZED};
use crate::normalize::Normalized;

impl Engine {
    /// The request for the host's model when no stage was confident; the best guess (what to
    /// show meanwhile) carries the full trace.
    pub(super) fn build_request(
        &self,
        t: &TenantState,
        tx: &Transaction,
        best_guess: Option<Categorization>,
        mut trace: Vec<TraceStep>,
        normalized: Normalized,
        merchant: String,
    ) -> LlmRequest {
        let allowed: Vec<AllowedCategory> = t
            .taxonomy
            .iter()
            .filter(|c| (c.id != UNCATEGORIZED && c.parent.is_some()) || !c.builtin)
            .map(|c| AllowedCategory {
                id: c.id.clone(),
                name: c.name.clone(),
            })
            .collect();
        let examples = self.examples(t, &normalized.key);
        let descriptor = llm::scrub(&tx.descriptor);
        let mut prompt = format!(
            "Transaction:\n- descriptor: {descriptor:?}\n- merchant: {:?}\n- amount: {} ({})\n- date: {}\n",
            llm::scrub(&merchant),
            tx.amount,
            tx.direction.as_str(),
            tx.date.format("%Y-%m-%d"),
        );
        if let Some(mcc) = tx.mcc {
            prompt.push_str(&format!("- merchant category code: {mcc:04}\n"));
        }
        prompt.push_str("\nAllowed categories (answer with the id):\n");
        for c in &allowed {
            prompt.push_str(&format!("- {}: {}\n", c.id, c.name));
        }
        if !examples.is_empty() {
            prompt.push_str("\nHow this user filed similar merchants:\n");
            for e in &examples {
                prompt.push_str(&format!("- {:?} -> {}\n", e.merchant, e.category));
            }
        }
        trace.push(narrate::asking_llm());
        let mut best_guess = best_guess;
        if let Some(g) = &mut best_guess {
            g.trace = trace.clone();
        }
        LlmRequest {
            tenant: tx.tenant.clone(),
            transaction_id: tx.id.clone(),
            merchant_key: normalized.key,
            merchant,
            date: tx.date,
            system: "You categorize bank transactions for a budgeting app. Pick exactly one of \
                     the allowed category ids. Answer with a single JSON object \
                     {\"category\": <id>, \"confidence\": <number 0..1>, \"reason\": <short text>} \
                     and nothing else."
                .into(),
            prompt,
            answer_schema: llm::answer_schema(&allowed),
            allowed_categories: allowed,
            examples,
            best_guess,
        }
    }

    /// Few-shot examples: learned merchants sharing the most words with the key, then the
    /// best-supported ones.
    fn examples(&self, t: &TenantState, key: &str) -> Vec<LlmExample> {
        let words: Vec<&str> = key.split(' ').collect();
        let mut scored: Vec<(usize, u32, &String, String)> = t
            .aliases
            .entries()
            .into_iter()
            // detail keys (`≈...`) repeat their merchant key in descriptor form
            .filter(|(k, _)| !k.starts_with('≈'))
            .filter_map(|(k, e)| {
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
            .take(self.config.llm_examples)
            .map(|(_, _, k, c)| LlmExample {
                merchant: llm::scrub(k),
                category: c,
            })
            .collect()
    }
}
