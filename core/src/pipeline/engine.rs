//! The engine: one value holding every tenant's state, with the operations hosts call.

use std::collections::HashMap;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::config::EngineConfig;
use super::narrate;
use super::policy::{
    AGREEMENT_MAX_CONFIDENCE, DISAGREEMENT_RIVAL_WEIGHT, FAMILY_DISCOUNT, HABIT_MIN_SHARE,
    HABIT_MIN_SUPPORT, SOLYANKA_DISCOUNT, UNNAMED_BUILTIN_MAX_CONFIDENCE, WEAK_COLD_START,
};
use super::stats::Stats;
use super::tenant::TenantState;
use crate::error::{Error, Result};
use crate::knowledge::{KnowledgeBase, Origin};
use crate::llm::{self, LlmClassifier, LlmRequest};
use crate::memory::{
    features, log_amount, AliasVerdict, Embedder, HashingEmbedder, Prediction, SimilarityVote,
    Translation,
};
use crate::model::{
    transaction_check_id, Band, Categorization, Source, Taxonomy, TraceStep, Transaction,
    UNCATEGORIZED,
};
use crate::normalize::{fold, Normalized, Normalizer};
use crate::rules::RuleInput;
use crate::store::Change;

/// What `categorize` decided for one transaction.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
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
    pub(super) embedder: Arc<dyn Embedder>,
    pub(super) tenants: HashMap<String, TenantState>,
    /// Change events recorded since the last [`Engine::drain_changes`].
    pub(super) changes: Vec<Change>,
}

impl Default for Engine {
    fn default() -> Self {
        Self::new()
    }
}

/// A confident cold-start answer decides; a weak one becomes the best guess if there is none.
fn settle_cold_start(
    c: Categorization,
    best_guess: &mut Option<Categorization>,
) -> Option<Categorization> {
    if c.confidence >= WEAK_COLD_START {
        return Some(c);
    }
    if best_guess.is_none() {
        *best_guess = Some(c);
    }
    None
}

/// What the tenant's memory guesses about a merchant it never filed.
struct Guess {
    vote: Option<SimilarityVote>,
    clf: Option<Prediction>,
    /// category, uncalibrated confidence, and the stage that speaks
    pick: Option<(String, f64, Source)>,
}

enum Outcome {
    Decided(Categorization),
    Undecided {
        best_guess: Option<Categorization>,
        trace: Vec<TraceStep>,
        normalized: Normalized,
        merchant: String,
    },
}

impl Engine {
    /// An engine with the default configuration and built-in tables.
    pub fn new() -> Self {
        Engine {
            config: EngineConfig::default(),
            normalizer: Normalizer::builtin(),
            embedder: Arc::new(HashingEmbedder::default()),
            tenants: HashMap::new(),
            changes: Vec::new(),
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
        e.embedder = embedder;
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

    pub(super) fn tenant_mut(&mut self, tenant: &str) -> Result<&mut TenantState> {
        transaction_check_id("tenant", tenant)?;
        let dim = self.embedder.dim();
        Ok(self
            .tenants
            .entry(tenant.to_string())
            .or_insert_with(|| TenantState::new(dim)))
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

    // ---------- categorize ----------

    fn decide(&self, t: &TenantState, tx: &Transaction) -> Outcome {
        let mut trace = Vec::with_capacity(4);
        let normalized = self
            .normalizer
            .normalize(tx.merchant.as_deref().unwrap_or(&tx.descriptor));
        trace.push(narrate::normalized(&normalized));
        let merchant_folded = fold(tx.merchant.as_deref().unwrap_or(&normalized.display));
        let descriptor_folded = fold(&tx.descriptor);
        let ro = t.ruleset.apply(&RuleInput {
            tx,
            descriptor: &descriptor_folded,
            merchant: &merchant_folded,
        });
        let merchant = ro
            .rename
            .map(|(n, _)| n.to_string())
            .unwrap_or_else(|| normalized.display.clone());
        let tags: Vec<String> = ro.tags.iter().map(|t| t.to_string()).collect();
        let make = |category: String,
                    confidence: f64,
                    source: Source,
                    reason: String,
                    trace: Vec<TraceStep>| Categorization {
            transaction_id: tx.id.clone(),
            category,
            confidence,
            band: Band::of(confidence),
            source,
            reason,
            merchant_key: normalized.key.clone(),
            merchant: merchant.clone(),
            tags: tags.clone(),
            trace,
        };
        if ro.matched.is_empty() {
            trace.push(narrate::no_rule());
        } else {
            trace.push(narrate::rules_matched(
                &ro.matched_ids(),
                ro.category.map(|(c, _)| (c, self.config.rule_confidence)),
            ));
        }
        if let Some((cat, rule)) = ro.category {
            return Outcome::Decided(make(
                cat.to_string(),
                self.config.rule_confidence,
                Source::Rule,
                narrate::rule_reason(rule),
                trace,
            ));
        }
        let mut best_guess = None;
        let alias_verdict = self.alias_verdict(
            t,
            &normalized.key,
            &normalized.detail,
            log_amount(tx.amount.minor),
        );
        let alias_known = alias_verdict.is_some();
        match alias_verdict {
            Some(v) => {
                trace.push(narrate::alias_verdict(&normalized.key, &v));
                let reason = narrate::alias_reason(&merchant, &v);
                if v.confidence >= self.config.alias_min_confidence {
                    return Outcome::Decided(make(
                        v.category,
                        v.confidence,
                        Source::Alias,
                        reason,
                        trace,
                    ));
                }
                best_guess = Some(make(
                    v.category,
                    v.confidence,
                    Source::Alias,
                    reason,
                    trace.clone(),
                ));
            }
            None => trace.push(narrate::nothing_learned(&normalized.key)),
        }
        // Similar merchants the tenant filed before, and the tenant's online classifier, when
        // this merchant key itself is new.
        if !alias_known && self.config.similarity {
            let Guess { vote, clf, pick } = self.guess(t, tx, &normalized.key, &normalized.detail);
            trace.push(match &vote {
                Some(v) => narrate::similarity_vote(v),
                None => narrate::no_similar_merchant(),
            });
            if let Some(p) = &clf {
                trace.push(narrate::classifier_prediction(p));
            }
            // the confidence such guesses have earned for this tenant
            let pick = pick.map(|(category, raw, source)| {
                let (confidence, seen) = t.calibration.calibrate(source, raw);
                if seen > 0 {
                    trace.push(narrate::calibrated(
                        &category, source, raw, confidence, seen,
                    ));
                }
                (category, confidence, source)
            });
            if let Some((category, confidence, source)) = pick {
                let reason = match (source, &vote) {
                    (Source::Similarity, Some(v)) => {
                        narrate::similarity_reason(&merchant, &category, v)
                    }
                    _ => narrate::classifier_reason(&category),
                };
                if confidence >= self.config.similarity_min_confidence {
                    return Outcome::Decided(make(category, confidence, source, reason, trace));
                }
                best_guess = Some(make(category, confidence, source, reason, trace.clone()));
            }
        }
        // Cold start: built-in knowledge, only where the tenant's own memory is silent about
        // this merchant key.
        if !alias_known {
            let kb = KnowledgeBase::builtin();
            if self.config.knowledge {
                match kb.merchant(&normalized.key) {
                    Some(k) if t.taxonomy.contains(k.category) => {
                        let confidence = match k.origin {
                            Origin::Brand => self.config.knowledge_confidence,
                            Origin::Solyanka => {
                                (self.config.knowledge_confidence - SOLYANKA_DISCOUNT).max(0.0)
                            }
                        };
                        let (category, confidence) =
                            self.in_tenant_words(t, k.category, confidence);
                        trace.push(narrate::known_merchant(&normalized.key, k, confidence));
                        let reason = narrate::knowledge_reason(&merchant, k.category, &category);
                        let c = make(
                            category,
                            confidence,
                            Source::Knowledge,
                            reason,
                            trace.clone(),
                        );
                        if let Some(c) = settle_cold_start(c, &mut best_guess) {
                            return Outcome::Decided(c);
                        }
                    }
                    _ => trace.push(narrate::unknown_merchant(&normalized.key)),
                }
            }
            if self.config.mcc {
                if let Some(code) = tx.mcc {
                    match kb.mcc(code) {
                        Some(builtin) if t.taxonomy.contains(builtin) => {
                            let desc = kb.mcc_description(code).unwrap_or("");
                            let (category, confidence) =
                                self.in_tenant_words(t, builtin, self.config.mcc_confidence);
                            trace.push(narrate::mcc_category(
                                code, desc, builtin, &category, confidence,
                            ));
                            let reason = narrate::mcc_reason(&merchant, code, desc);
                            let c = make(category, confidence, Source::Mcc, reason, trace.clone());
                            if let Some(c) = settle_cold_start(c, &mut best_guess) {
                                return Outcome::Decided(c);
                            }
                        }
                        _ => trace.push(narrate::mcc_unknown(code)),
                    }
                }
            }
        }
        Outcome::Undecided {
            best_guess,
            trace,
            normalized,
            merchant,
        }
    }

    /// What alias memory says about a merchant at log amount `x`: the detail key (whole
    /// descriptor) wins when it is itself confident, since the tenant may file two
    /// descriptors of one merchant differently; else the merchant key.
    fn alias_verdict(
        &self,
        t: &TenantState,
        key: &str,
        detail: &str,
        x: f64,
    ) -> Option<AliasVerdict> {
        match t.aliases.lookup_at(detail, x) {
            Some(d) if d.confidence >= self.config.alias_min_confidence => Some(d),
            _ => t.aliases.lookup_at(key, x),
        }
    }

    /// What the similarity vote and the classifier say about a merchant the tenant never
    /// filed, and the guess they make together (uncalibrated).
    fn guess(&self, t: &TenantState, tx: &Transaction, key: &str, detail: &str) -> Guess {
        let vote = t
            .similar
            .vote(
                &*self.embedder,
                key,
                &t.aliases,
                self.config.similarity_k,
                self.config.similarity_min_similarity,
            )
            .filter(|v| t.taxonomy.contains(&v.category));
        let clf = t
            .classifier
            .predict(
                &features(tx, key, detail),
                self.config.classifier_min_examples,
            )
            .filter(|p| t.taxonomy.contains(&p.label));
        // agreement makes both more believable; otherwise the more confident one speaks
        let pick = match (&vote, &clf) {
            (Some(v), Some(p)) if v.category == p.label => Some((
                v.category.clone(),
                (1.0 - (1.0 - v.confidence) * (1.0 - p.confidence)).min(AGREEMENT_MAX_CONFIDENCE),
                Source::Similarity,
            )),
            (Some(v), Some(p)) if p.confidence > v.confidence => Some((
                p.label.clone(),
                p.confidence * (1.0 - v.confidence * DISAGREEMENT_RIVAL_WEIGHT),
                Source::Classifier,
            )),
            (Some(v), Some(p)) => Some((
                v.category.clone(),
                v.confidence * (1.0 - p.confidence * DISAGREEMENT_RIVAL_WEIGHT),
                Source::Similarity,
            )),
            (Some(v), None) => Some((v.category.clone(), v.confidence, Source::Similarity)),
            (None, Some(p)) => Some((p.label.clone(), p.confidence, Source::Classifier)),
            (None, None) => None,
        };
        Guess { vote, clf, pick }
    }

    /// A built-in category in the tenant's own words, when feedback showed a clear habit
    /// (most of at least two votes) for the category or else for its family; the confidence
    /// shrinks with the habit's share.
    fn in_tenant_words(&self, t: &TenantState, builtin: &str, confidence: f64) -> (String, f64) {
        let usable = |tr: &Translation| {
            tr.share >= HABIT_MIN_SHARE
                && tr.support >= HABIT_MIN_SUPPORT
                && t.taxonomy.contains(&tr.label)
        };
        if let Some(tr) = t.labels.translate(builtin).filter(usable) {
            return (tr.label, confidence * tr.share);
        }
        // `transport.fuel` not named yet, but the tenant files its siblings under its own
        // `Transport` (a built-in sibling like `transport.taxi` would be a different category)
        let own = |tr: &Translation| t.taxonomy.get(&tr.label).is_some_and(|c| !c.builtin);
        if let Some(f) = t
            .labels
            .translate_family(builtin)
            .filter(|f| usable(f) && own(f))
        {
            return (f.label, confidence * f.share * FAMILY_DISCOUNT);
        }
        // a tenant with its own label set has not shown how it names this category: the
        // built-in id is only a weak guess
        if t.labels
            .speaks_own_labels(|l| t.taxonomy.get(l).is_some_and(|c| c.builtin))
        {
            (
                builtin.to_string(),
                confidence.min(UNNAMED_BUILTIN_MAX_CONFIDENCE),
            )
        } else {
            (builtin.to_string(), confidence)
        }
    }

    fn default_categorization(
        &self,
        tx: &Transaction,
        best_guess: Option<Categorization>,
        mut trace: Vec<TraceStep>,
        normalized: &Normalized,
        merchant: String,
    ) -> Categorization {
        if let Some(mut g) = best_guess {
            g.trace.push(narrate::kept_guess());
            return g;
        }
        trace.push(narrate::nothing_known());
        Categorization {
            transaction_id: tx.id.clone(),
            category: UNCATEGORIZED.into(),
            confidence: 0.0,
            band: Band::Low,
            source: Source::Default,
            reason: narrate::default_reason(&merchant),
            merchant_key: normalized.key.clone(),
            merchant,
            tags: Vec::new(),
            trace,
        }
    }

    /// Categorizes one transaction.
    pub fn categorize(&mut self, tx: &Transaction) -> Result<Decision> {
        tx.validate()?;
        self.tenant_mut(&tx.tenant)?;
        self.categorize_valid(tx)
    }

    fn categorize_valid(&mut self, tx: &Transaction) -> Result<Decision> {
        let t = self
            .tenants
            .get(&tx.tenant)
            .ok_or_else(|| Error::Internal(format!("state of tenant {:?} missing", tx.tenant)))?;
        let decision = match self.decide(t, tx) {
            Outcome::Decided(c) => Decision::Categorized(c),
            Outcome::Undecided {
                best_guess,
                trace,
                normalized,
                merchant,
            } => {
                if self.config.llm_fallback {
                    Decision::NeedsLlm(
                        self.build_request(t, tx, best_guess, trace, normalized, merchant),
                    )
                } else {
                    Decision::Categorized(self.default_categorization(
                        tx,
                        best_guess,
                        trace,
                        &normalized,
                        merchant,
                    ))
                }
            }
        };
        if let Some(t) = self.tenants.get_mut(&tx.tenant) {
            match &decision {
                Decision::Categorized(c) => t.stats.record_decision(c.source, c.confidence, true),
                Decision::NeedsLlm(_) => t.stats.record_llm_request(),
            }
        }
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
        let decay = self.config.alias_decay;
        let t = self.tenant_mut(&request.tenant)?;
        if !t.taxonomy.contains(&answer.category) {
            return Err(Error::InvalidAnswer(format!(
                "category {:?} does not exist for this tenant",
                answer.category
            )));
        }
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
        let mut trace = request
            .best_guess
            .as_ref()
            .map(|g| g.trace.clone())
            .unwrap_or_default();
        trace.push(narrate::llm_answered(&answer.category, answer.confidence));
        Ok(Categorization {
            transaction_id: request.transaction_id.clone(),
            category: answer.category,
            confidence: answer.confidence,
            band: Band::of(answer.confidence),
            source: Source::Llm,
            reason: narrate::llm_reason(&answer.reason),
            merchant_key: request.merchant_key.clone(),
            merchant: request.merchant.clone(),
            tags: request
                .best_guess
                .as_ref()
                .map(|g| g.tags.clone())
                .unwrap_or_default(),
            trace,
        })
    }

    /// Learns that `tx` belongs in `category` (a confirmation or a correction).
    pub fn feedback(&mut self, tx: &Transaction, category: &str) -> Result<()> {
        tx.validate()?;
        let text = tx.merchant.as_deref().unwrap_or(&tx.descriptor);
        let Normalized { key, detail, .. } = self.normalizer.normalize(text);
        let decay = self.config.alias_decay;
        let x = log_amount(tx.amount.minor);
        let embedder = self.embedder.clone();
        // checked before the tenant is created, so a refused call leaves no trace
        if !self.has_category(&tx.tenant, category) {
            return Err(Error::not_found("category", category));
        }
        // what the tenant's memory would have guessed, if the merchant is new to it: the
        // outcome calibrates later guesses
        let guessed = match self.tenants.get(&tx.tenant) {
            Some(t)
                if self.config.similarity && self.alias_verdict(t, &key, &detail, x).is_none() =>
            {
                self.guess(t, tx, &key, &detail).pick
            }
            _ => None,
        };
        let t = self.tenant_mut(&tx.tenant)?;
        if let Some((guess, raw, source)) = guessed {
            t.calibration.record(source, raw, guess == category);
        }
        t.classifier.learn(&features(tx, &key, &detail), category);
        let mut learned = Vec::with_capacity(2);
        // the whole descriptor too, when it says more than the merchant key
        if detail != format!("≈{key}") {
            let d = t
                .aliases
                .learn(&detail, category, tx.date, decay, Some(x))
                .clone();
            learned.push((detail, d));
        }
        let entry = t
            .aliases
            .learn(&key, category, tx.date, decay, Some(x))
            .clone();
        t.similar.upsert(&*embedder, &key);
        // how this tenant names what the built-in tables would have said
        t.labels.note(category);
        let kb = KnowledgeBase::builtin();
        if let Some(m) = kb.merchant(&key) {
            t.labels.learn(m.category, category, 1.0);
        } else if let Some(c) = tx.mcc.and_then(|code| kb.mcc(code)) {
            t.labels.learn(c, category, 1.0);
        }
        t.stats.feedback += 1;
        learned.push((key, entry));
        for (key, entry) in learned {
            self.changes.push(Change::AliasLearned {
                tenant: tx.tenant.clone(),
                key,
                entry,
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
                .filter_map(|(k, _)| {
                    let text = k.strip_prefix('≈')?;
                    (self.normalizer.normalize(text).key == key).then(|| k.clone())
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
                empty = TenantState::new(self.embedder.dim());
                &empty
            }
        };
        Ok(match self.decide(t, tx) {
            Outcome::Decided(c) => c,
            Outcome::Undecided {
                best_guess,
                trace,
                normalized,
                merchant,
            } => self.default_categorization(tx, best_guess, trace, &normalized, merchant),
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
