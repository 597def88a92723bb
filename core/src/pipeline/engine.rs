//! The engine: one value holding every tenant's state, with the operations hosts call.

use std::collections::HashMap;
use std::sync::{Arc, OnceLock};

use serde::{Deserialize, Serialize};

use super::config::EngineConfig;
use super::context::Lookup;
use super::decide::Outcome;
use super::llm_request;
use super::stages::guess;
use super::stats::Stats;
use super::tenant::TenantState;
use crate::error::{Error, Result};
use crate::llm::{self, LlmClassifier, LlmRequest};
use crate::memory::{Embedder, Embedders, MerchantBaseIndex, SuppliedVectors};
use crate::model::{transaction_check_id, Categorization, Source, Taxonomy, Transaction};
use crate::normalize::{AliasKey, Normalized, Normalizer};
use crate::store::Change;

/// What `categorize` decided for one transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "decision", rename_all = "snake_case")]
#[allow(clippy::large_enum_variant)]
pub enum Decision {
    /// A stage was confident enough.
    Categorized(Categorization),
    /// No stage was; ask the host's model, then call [`Engine::resolve`].
    NeedsLlm(LlmRequest),
}

impl Decision {
    /// The categorization, or the LLM request's best guess (what to show meanwhile).
    pub fn categorization(&self) -> Option<&Categorization> {
        match self {
            Decision::Categorized(c) => Some(c),
            Decision::NeedsLlm(r) => r.best_guess.as_ref(),
        }
    }
}

/// The categorization engine. Deterministic and sans-IO: no clock, network or threads inside.
///
/// See the crate docs for an example.
#[derive(Debug, Clone)]
pub struct Engine {
    pub(super) config: EngineConfig,
    pub(super) normalizer: Normalizer,
    /// The similarity embedder, and the host's sentence-embedding model if it gave one.
    pub(super) embedders: Embedders,
    /// The merchant base as the sentence-embedding model's vectors, built when first needed
    /// (and shared by the engine's clones: it depends on the model and the built-in tables
    /// only).
    pub(super) merchant_base: Arc<OnceLock<MerchantBaseIndex>>,
    /// The table of vectors the host supplies, when the model is one
    /// ([`Engine::with_supplied_vectors`]).
    pub(super) supplied: Option<Arc<SuppliedVectors>>,
    pub(super) tenants: HashMap<String, TenantState>,
    /// Change events recorded since the last [`Engine::drain_changes`].
    pub(super) changes: Vec<Change>,
    /// The text the last categorization normalized, with what it made of it: feedback on the
    /// same transaction, which usually follows, takes it instead of normalizing again.
    pub(super) last_normalized: Option<(String, Normalized)>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

impl Engine {
    /// An engine with the default configuration and built-in tables.
    pub fn new() -> Self {
        Engine {
            config: EngineConfig::default(),
            normalizer: Normalizer::builtin(),
            embedders: Embedders::default(),
            merchant_base: Arc::default(),
            supplied: None,
            tenants: HashMap::new(),
            changes: Vec::new(),
            last_normalized: None,
        }
    }

    /// An engine with a custom configuration (validated).
    pub fn with_config(config: EngineConfig) -> Result<Self> {
        config.validate()?;
        Ok(Engine {
            config,
            ..Engine::new()
        })
    }

    /// An engine whose similarity memory uses the host's embedder (a sentence-embedding model,
    /// ...) instead of the built-in hashing embedder.
    pub fn with_embedder(config: EngineConfig, embedder: Arc<dyn Embedder>) -> Result<Self> {
        let mut e = Engine::with_config(config)?;
        if embedder.dim() == 0 {
            return Err(Error::invalid("embedder dimension must be positive"));
        }
        e.embedders.similarity = embedder;
        Ok(e)
    }

    /// The configuration in force.
    pub fn config(&self) -> &EngineConfig {
        &self.config
    }

    /// Normalizes a descriptor the way the engine does before matching.
    pub fn normalize(&self, descriptor: &str) -> Normalized {
        self.normalizer.normalize(descriptor)
    }

    /// Normalizes what names a transaction's merchant: its merchant field, else its descriptor.
    pub(super) fn normalize_transaction(&self, tx: &Transaction) -> Normalized {
        self.normalizer.normalize(merchant_text(tx))
    }

    /// [`Engine::normalize_transaction`], taking the last categorization's result when it
    /// normalized the same text.
    fn normalize_transaction_again(&mut self, tx: &Transaction) -> Normalized {
        let text = merchant_text(tx);
        match self.last_normalized.take() {
            Some((last, keys)) if last == text => keys,
            _ => self.normalizer.normalize(text),
        }
    }

    pub(super) fn tenant_mut(&mut self, tenant: &str) -> Result<&mut TenantState> {
        transaction_check_id("tenant", tenant)?;
        let embedders = &self.embedders;
        Ok(self
            .tenants
            .entry(tenant.to_string())
            .or_insert_with(|| TenantState::new(embedders)))
    }

    /// Runs `change` on the tenant's state. A tenant the engine does not hold yet is created
    /// only if `change` succeeds, so a refused call leaves no trace; `change` itself must
    /// leave the state as it was when it fails.
    pub(super) fn change_tenant<T>(
        &mut self,
        tenant: &str,
        change: impl FnOnce(&mut TenantState) -> Result<T>,
    ) -> Result<T> {
        transaction_check_id("tenant", tenant)?;
        if let Some(t) = self.tenants.get_mut(tenant) {
            return change(t);
        }
        let mut t = TenantState::new(&self.embedders);
        let out = change(&mut t)?;
        self.tenants.insert(tenant.to_string(), t);
        Ok(out)
    }

    /// The tenant's taxonomy (built-in tree plus its own categories).
    pub fn taxonomy(&self, tenant: &str) -> Taxonomy {
        self.tenants
            .get(tenant)
            .map(|t| t.taxonomy.clone())
            .unwrap_or_else(Taxonomy::builtin)
    }

    /// Whether the tenant may use this category (built-in or its own).
    pub fn has_category(&self, tenant: &str, id: &str) -> bool {
        match self.tenants.get(tenant) {
            Some(t) => t.taxonomy.contains(id),
            None => Taxonomy::builtin().contains(id),
        }
    }

    /// Tenants the engine holds state for, sorted.
    pub fn tenants(&self) -> Vec<String> {
        let mut v: Vec<String> = self.tenants.keys().cloned().collect();
        v.sort();
        v
    }

    /// Categorizes one transaction.
    pub fn categorize(&mut self, tx: &Transaction) -> Result<Decision> {
        tx.validate()?;
        self.tenant_mut(&tx.tenant)?;
        self.categorize_valid(tx)
    }

    fn categorize_valid(&mut self, tx: &Transaction) -> Result<Decision> {
        let keys = self.normalize_transaction_again(tx);
        let t = self
            .tenants
            .get(&tx.tenant)
            .ok_or_else(|| Error::Internal(format!("state of tenant {:?} missing", tx.tenant)))?;
        let decision = match self.decide(t, tx, &keys) {
            Outcome::Decided(c) => Decision::Categorized(c),
            Outcome::Undecided(u) if self.config.llm_fallback => {
                Decision::NeedsLlm(self.build_request(t, tx, u))
            }
            Outcome::Undecided(u) => Decision::Categorized(u.settle(tx)),
        };
        if let Some(t) = self.tenants.get_mut(&tx.tenant) {
            match &decision {
                Decision::Categorized(c) => t.stats.record_decision(c.source, c.confidence, true),
                Decision::NeedsLlm(_) => t.stats.record_llm_request(),
            }
        }
        self.last_normalized = Some((merchant_text(tx).to_owned(), keys));
        Ok(decision)
    }

    /// Categorizes a batch. Every transaction is validated first; if one is invalid the error
    /// names it and nothing is counted.
    pub fn categorize_batch(&mut self, txs: &[Transaction]) -> Result<Vec<Decision>> {
        for (i, tx) in txs.iter().enumerate() {
            tx.validate()
                .map_err(|e| Error::invalid(format!("transaction #{i} in batch: {e}")))?;
        }
        let mut out = Vec::with_capacity(txs.len());
        for tx in txs {
            self.tenant_mut(&tx.tenant)?;
            out.push(self.categorize_valid(tx)?);
        }
        Ok(out)
    }

    /// Categorizes with a blocking model client: asks it when no stage is confident.
    pub fn categorize_with(
        &mut self,
        tx: &Transaction,
        classifier: &dyn LlmClassifier,
    ) -> Result<Categorization> {
        match self.categorize(tx)? {
            Decision::Categorized(c) => Ok(c),
            Decision::NeedsLlm(req) => {
                let text = classifier.complete(&req)?;
                self.resolve(&req, &text)
            }
        }
    }

    /// Validates a model's answer to a request and learns from it. A bad answer (malformed,
    /// unknown category, confidence out of range) is an `invalid_answer` error and nothing is
    /// learned.
    pub fn resolve(&mut self, request: &LlmRequest, answer_text: &str) -> Result<Categorization> {
        transaction_check_id("tenant", &request.tenant)?;
        let answer = llm::parse_answer(answer_text, &request.allowed_categories)?;
        // checked before the tenant is created, so a refused answer leaves no trace
        if !self.has_category(&request.tenant, &answer.category) {
            return Err(Error::InvalidAnswer(format!(
                "category {:?} does not exist for this tenant",
                answer.category
            )));
        }
        let decay = self.config.alias_decay;
        let t = self.tenant_mut(&request.tenant)?;
        let entry = t
            .aliases
            .learn(
                &request.merchant_key,
                &answer.category,
                request.date,
                decay,
                None,
            )
            .clone();
        t.stats
            .record_decision(Source::Llm, answer.confidence, false);
        self.changes.push(Change::AliasLearned {
            tenant: request.tenant.clone(),
            key: request.merchant_key.clone(),
            entry,
        });
        Ok(llm_request::answered(request, answer))
    }

    /// Learns that `tx` belongs in `category` (a confirmation or a correction).
    pub fn feedback(&mut self, tx: &Transaction, category: &str) -> Result<()> {
        tx.validate()?;
        let keys = self.normalize_transaction_again(tx);
        // checked before the tenant is created, so a refused call leaves no trace
        if !self.has_category(&tx.tenant, category) {
            return Err(Error::not_found("category", category));
        }
        // what the tenant's memory would have guessed, if the merchant is new to it: the
        // outcome calibrates later guesses
        let guessed = self
            .tenants
            .get(&tx.tenant)
            .and_then(|t| guess::for_calibration(&Lookup::new(self, t, tx, &keys)));
        let decay = self.config.alias_decay;
        let embedders = self.embedders.clone();
        let t = self.tenant_mut(&tx.tenant)?;
        if let Some(g) = guessed {
            t.calibration
                .record(g.source, g.raw, g.category == category);
        }
        let learned = t.learn(tx, keys, category, decay, &embedders);
        for (key, entry) in learned.aliases {
            self.changes.push(Change::AliasLearned {
                tenant: tx.tenant.clone(),
                key,
                entry,
            });
        }
        for v in learned.label_votes {
            self.changes.push(Change::LabelVoted {
                tenant: tx.tenant.clone(),
                habit: v.habit,
                builtin: v.builtin,
                label: v.label,
                votes: v.votes,
            });
        }
        Ok(())
    }

    /// Forgets what was learned for a merchant key; returns whether anything was known.
    pub fn forget_merchant(&mut self, tenant: &str, key: &str) -> Result<bool> {
        transaction_check_id("tenant", tenant)?;
        // the detail keys (whole descriptors) of this merchant go too
        let mut gone: Vec<String> = match self.tenants.get(tenant) {
            Some(t) => t
                .aliases
                .entries()
                .into_iter()
                .filter_map(|(k, _)| match AliasKey::parse(k) {
                    AliasKey::Detail(words) => {
                        (self.normalizer.normalize(words).key.as_str() == key).then(|| k.clone())
                    }
                    AliasKey::Merchant(_) => None,
                })
                .collect(),
            None => Vec::new(),
        };
        let t = self.tenant_mut(tenant)?;
        if t.aliases.lookup(key).is_some() {
            gone.push(key.to_string());
        }
        for k in &gone {
            t.aliases.forget(k);
        }
        t.similar.remove(key);
        let known = !gone.is_empty();
        for k in gone {
            self.changes.push(Change::AliasForgotten {
                tenant: tenant.to_string(),
                key: k,
            });
        }
        Ok(known)
    }

    /// Explains what the engine would decide, without counting it: the categorization (or the
    /// best guess, or `uncategorized`) with the full trace.
    pub fn explain(&self, tx: &Transaction) -> Result<Categorization> {
        tx.validate()?;
        let empty;
        let t = match self.tenants.get(&tx.tenant) {
            Some(t) => t,
            None => {
                empty = TenantState::new(&self.embedders);
                &empty
            }
        };
        Ok(match self.decide(t, tx, &self.normalize_transaction(tx)) {
            Outcome::Decided(c) => c,
            Outcome::Undecided(u) => u.settle(tx),
        })
    }

    /// The tenant's counters.
    pub fn stats(&self, tenant: &str) -> Stats {
        self.tenants
            .get(tenant)
            .map(|t| t.stats.clone())
            .unwrap_or_default()
    }
}

/// What names a transaction's merchant: its merchant field, else its descriptor.
fn merchant_text(tx: &Transaction) -> &str {
    tx.merchant.as_deref().unwrap_or(&tx.descriptor)
}
