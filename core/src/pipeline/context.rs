//! What the stages know about the transaction being categorized: the tenant's memory they
//! consult, the keys the transaction is filed under, and what the tenant's rules made of it.

use super::config::EngineConfig;
use super::engine::Engine;
use super::stages::Answer;
use super::tenant::TenantState;
use std::cell::OnceCell;
use std::sync::OnceLock;

use crate::memory::{log_amount, Embedder, MerchantBaseIndex};
use crate::model::{Band, Categorization, TraceStep, Transaction};
use crate::normalize::{fold, Normalized};
use crate::rules::{RuleInput, RuleOutcome};

/// One transaction as the tenant's memory is asked about it, with the engine's settings and
/// embedder. Feedback asks the same questions the stages do.
#[derive(Clone, Copy)]
pub(super) struct Lookup<'a> {
    pub config: &'a EngineConfig,
    pub embedder: &'a dyn Embedder,
    /// The host's sentence-embedding model and the merchant base in its vectors, if it gave one.
    pub semantic: Option<Semantic<'a>>,
    pub tenant: &'a TenantState,
    pub tx: &'a Transaction,
    /// The merchant and detail keys, and the merchant's display name.
    pub keys: &'a Normalized,
    /// The amount as alias memory compares amounts (see [`log_amount`]).
    pub amount: f64,
}

impl<'a> Lookup<'a> {
    pub fn new(
        engine: &'a Engine,
        tenant: &'a TenantState,
        tx: &'a Transaction,
        keys: &'a Normalized,
    ) -> Self {
        Lookup {
            config: &engine.config,
            embedder: &*engine.embedders.similarity,
            semantic: engine.semantic(),
            tenant,
            tx,
            keys,
            amount: log_amount(tx.amount.minor),
        }
    }
}

/// The host's sentence-embedding model, and the merchant base in its vectors (built when a
/// stage first needs it).
#[derive(Clone, Copy)]
pub(super) struct Semantic<'a> {
    pub model: &'a dyn Embedder,
    pub merchant_base: &'a OnceLock<MerchantBaseIndex>,
}

impl Semantic<'_> {
    /// The merchant base, embedded now if no call did before; `None` while the model cannot
    /// embed all of it (a table of supplied vectors that lacks some, a model that failed).
    pub fn merchant_base(&self) -> Option<&MerchantBaseIndex> {
        if let Some(base) = self.merchant_base.get() {
            return Some(base);
        }
        if !MerchantBaseIndex::can_build(self.model) {
            return None;
        }
        // a model that failed on part of it leaves it unbuilt: the next call asks again
        let base = MerchantBaseIndex::build(self.model)?;
        Some(self.merchant_base.get_or_init(|| base))
    }
}

/// The texts rules match: the folded merchant name (the transaction's own, else the normalized
/// display name) and the folded descriptor.
pub(super) struct RuleTexts {
    pub merchant: String,
    pub descriptor: String,
}

impl RuleTexts {
    pub fn of(tx: &Transaction, keys: &Normalized) -> Self {
        RuleTexts {
            merchant: fold(tx.merchant.as_deref().unwrap_or(&keys.display)),
            descriptor: fold(&tx.descriptor),
        }
    }
}

/// What every stage knows: the lookup, and what the tenant's rules made of the transaction
/// (they may rename the merchant and tag the transaction whichever stage decides).
pub(super) struct Context<'a> {
    pub lookup: Lookup<'a>,
    /// What the tenant's rules say.
    pub rules: RuleOutcome<'a>,
    /// The merchant's display name: a rule's rename, else the normalized one.
    pub merchant: String,
    /// Tags from every matching rule.
    pub tags: Vec<String>,
    /// The merchant key in the sentence-embedding model's vectors, once a stage asked.
    semantic_query: OnceCell<Vec<f32>>,
}

impl<'a> Context<'a> {
    /// Applies the tenant's rules to the transaction.
    pub fn new(lookup: Lookup<'a>) -> Self {
        let texts = RuleTexts::of(lookup.tx, lookup.keys);
        let rules = lookup.tenant.ruleset.apply(&RuleInput {
            tx: lookup.tx,
            descriptor: &texts.descriptor,
            merchant: &texts.merchant,
        });
        let merchant = rules
            .rename
            .map(|(n, _)| n.to_string())
            .unwrap_or_else(|| lookup.keys.display.clone());
        let tags = rules.tags.iter().map(|t| t.to_string()).collect();
        Context {
            lookup,
            rules,
            merchant,
            tags,
            semantic_query: OnceCell::new(),
        }
    }

    /// The host's model and the merchant key's vector in it (embedded on the first call);
    /// `None` without a model or for an empty key.
    pub fn semantic_query(&self) -> Option<(Semantic<'a>, &[f32])> {
        let semantic = self.lookup.semantic?;
        let key = self.lookup.keys.key.as_str();
        if key.is_empty() || !semantic.model.can_embed(key) {
            return None;
        }
        let query = self
            .semantic_query
            .get_or_init(|| semantic.model.vector(key));
        Some((semantic, query))
    }

    /// A stage's answer as the categorization of this transaction, with the trace so far.
    pub fn categorization(&self, answer: Answer, trace: Vec<TraceStep>) -> Categorization {
        Categorization {
            transaction_id: self.lookup.tx.id.clone(),
            category: answer.category,
            confidence: answer.confidence,
            band: Band::of(answer.confidence),
            source: answer.source,
            reason: answer.reason,
            merchant_key: self.lookup.keys.key.as_str().to_owned(),
            merchant: self.merchant.clone(),
            tags: self.tags.clone(),
            trace,
        }
    }
}
