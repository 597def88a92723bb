//! One tenant's state: taxonomy, rules, aliases, counters.

use crate::error::{Error, Result};
use crate::knowledge::{Kind, KnowledgeBase, Vocabulary};
use crate::memory::{
    features, key_features, log_amount, AliasEntry, AliasMemory, Calibration, Embedders, LabelMap,
    OnlineClassifier, SimilarityMemory,
};
use crate::model::{Taxonomy, Transaction};
use crate::normalize::{AliasKey, Normalized};
use crate::rules::{Rule, RuleSet};
use crate::store::snapshot::TenantSnapshot;

use super::policy::RELEARN_MAX_REPEATS;
use super::stats::Stats;

#[derive(Debug, Clone)]
pub(crate) struct TenantState {
    pub taxonomy: Taxonomy,
    /// Rules in the order they were added.
    pub rules: Vec<Rule>,
    pub ruleset: RuleSet,
    pub aliases: AliasMemory,
    /// Vectors of the alias keys, kept in step with `aliases`.
    pub similar: SimilarityMemory,
    /// Built-in category -> the tenant's label for it, learned from feedback on merchants the
    /// knowledge base knows (or their merchant category codes).
    pub labels: LabelMap,
    /// The same for the categories of the vocabulary's bank phrases, learned from feedback on
    /// transactions with one. Kept apart from `labels`, since a phrase may name only how money
    /// moved (`TRANSFER TO` a friend, filed as dinner), which must not blur how the tenant names
    /// the known merchants' categories. Derived; starts afresh on import (descriptors are not
    /// stored).
    pub phrase_labels: LabelMap,
    /// Online linear classifier over descriptor n-grams, trained by feedback.
    pub classifier: OnlineClassifier,
    /// How often the guesses for new merchants were right (derived; starts afresh on import).
    pub calibration: Calibration,
    pub stats: Stats,
}

impl TenantState {
    /// An empty tenant whose similarity memory holds the vectors of `embedders`.
    pub fn new(embedders: &Embedders) -> Self {
        TenantState {
            taxonomy: Taxonomy::builtin(),
            rules: Vec::new(),
            ruleset: RuleSet::default(),
            aliases: AliasMemory::default(),
            similar: SimilarityMemory::new(embedders),
            labels: LabelMap::default(),
            phrase_labels: LabelMap::default(),
            classifier: OnlineClassifier::default(),
            calibration: Calibration::default(),
            stats: Stats::default(),
        }
    }

    /// Learns from feedback that `tx`, normalized to `keys`, belongs in `category`: the
    /// classifier, alias memory (the detail key too when it says more than the merchant key),
    /// similarity memory and the label map. Returns the alias entries learned, by key.
    pub fn learn(
        &mut self,
        tx: &Transaction,
        keys: Normalized,
        category: &str,
        decay: f64,
        embedders: &Embedders,
    ) -> Vec<(String, AliasEntry)> {
        let Normalized { key, detail, .. } = keys;
        let x = log_amount(tx.amount.minor);
        self.classifier
            .learn(&features(tx, key.as_str(), detail.as_str()), category);
        let mut learned = Vec::with_capacity(2);
        // the whole descriptor too, when it says more than the merchant key
        if detail.words() != key.as_str() {
            let d = self
                .aliases
                .learn(detail.as_str(), category, tx.date, decay, Some(x))
                .clone();
            learned.push((detail.into_string(), d));
        }
        let entry = self
            .aliases
            .learn(key.as_str(), category, tx.date, decay, Some(x))
            .clone();
        self.similar.upsert(embedders, key.as_str());
        self.learn_label(key.as_str(), tx, category);
        self.stats.feedback += 1;
        learned.push((key.into_string(), entry));
        learned
    }

    /// How this tenant names what the built-in tables would have said of transaction `tx` with
    /// merchant `key`: the known merchant (or its merchant category code) in `labels`, a bank
    /// phrase of the vocabulary (as its stage reads one) in `phrase_labels`.
    fn learn_label(&mut self, key: &str, tx: &Transaction, category: &str) {
        self.labels.note(category);
        self.phrase_labels.note(category);
        let kb = KnowledgeBase::builtin();
        let known = kb.merchant(key);
        if let Some(m) = known {
            self.labels.learn(m.category, category, 1.0);
        } else if let Some(c) = tx.mcc.and_then(|code| kb.mcc(code)) {
            self.labels.learn(c, category, 1.0);
        }
        let phrase = Vocabulary::builtin()
            .best(&tx.descriptor, tx.direction, Kind::BankPhrase)
            .filter(|m| known.is_none() || !m.yields_to_known_merchant());
        if let Some(m) = phrase {
            self.phrase_labels.learn(m.entry.category, category, 1.0);
        }
    }

    /// Brings the derived memories (similarity, classifier, label map) up to date with one
    /// replayed alias entry, as `reindex` would for it.
    pub fn note_alias(&mut self, embedders: &Embedders, key: &str) {
        // detail keys only refine the alias lookup
        let AliasKey::Merchant(key) = AliasKey::parse(key) else {
            return;
        };
        self.similar.upsert(embedders, key);
        if let Some(v) = self.aliases.lookup(key) {
            self.classifier.learn(&key_features(key), &v.category);
            self.labels.note(&v.category);
            self.phrase_labels.note(&v.category);
            if let Some(m) = KnowledgeBase::builtin().merchant(key) {
                self.labels.learn(m.category, &v.category, 1.0);
            }
        }
    }

    /// Rebuilds the similarity memory and the label map from the alias entries (after an
    /// import). Label votes that came from MCCs are not in the aliases and start afresh.
    pub fn reindex(&mut self, embedders: &Embedders) {
        self.similar = SimilarityMemory::new(embedders);
        self.labels = LabelMap::default();
        self.phrase_labels = LabelMap::default();
        self.classifier = OnlineClassifier::default();
        self.calibration = Calibration::default();
        let kb = KnowledgeBase::builtin();
        let verdicts: Vec<(String, Option<(String, u32)>)> = self
            .aliases
            .entries()
            .into_iter()
            .map(|(k, _)| {
                (
                    k.clone(),
                    self.aliases.lookup(k).map(|v| (v.category, v.support)),
                )
            })
            .collect();
        let mut merchants = Vec::with_capacity(verdicts.len());
        for (k, verdict) in verdicts {
            let AliasKey::Merchant(k) = AliasKey::parse(&k) else {
                continue; // detail keys only refine the alias lookup
            };
            merchants.push(k.to_string());
            if let Some((label, support)) = &verdict {
                self.phrase_labels.note(label);
                // the classifier relearns from the merchant names (the raw descriptors and
                // amounts are not stored)
                let x = key_features(k);
                for _ in 0..(*support).min(RELEARN_MAX_REPEATS) {
                    self.classifier.learn(&x, label);
                }
            }
            if let (Some(m), Some((label, support))) = (kb.merchant(k), verdict) {
                self.labels.learn(m.category, &label, f64::from(support));
            }
        }
        let merchants: Vec<&str> = merchants.iter().map(String::as_str).collect();
        self.similar.upsert_all(embedders, &merchants);
    }

    /// Checks that every rule's category exists, then compiles; on error nothing changes.
    pub fn set_rules(&mut self, rules: Vec<Rule>) -> Result<()> {
        for r in &rules {
            if let Some(c) = &r.then.category {
                if !self.taxonomy.contains(c) {
                    return Err(Error::not_found(
                        "category",
                        format!("{c} (in rule {:?})", r.id),
                    ));
                }
            }
        }
        let ruleset = RuleSet::new(rules.clone())?;
        self.rules = rules;
        self.ruleset = ruleset;
        Ok(())
    }

    pub fn to_snapshot(&self) -> TenantSnapshot {
        TenantSnapshot {
            categories: self.taxonomy.custom().cloned().collect(),
            rules: self.rules.clone(),
            aliases: self
                .aliases
                .entries()
                .into_iter()
                .map(|(k, e)| (k.clone(), e.clone()))
                .collect(),
        }
    }

    pub fn from_snapshot(s: TenantSnapshot, embedders: &Embedders) -> Result<Self> {
        let mut t = TenantState::new(embedders);
        // Parents may come after children in id order; add until no progress.
        let mut pending = s.categories;
        while !pending.is_empty() {
            let before = pending.len();
            let mut rest = Vec::new();
            for c in pending {
                let parent_ok = c.parent.as_deref().is_none_or(|p| t.taxonomy.contains(p));
                if parent_ok {
                    t.taxonomy.add(&c.id, &c.name, c.parent.as_deref())?;
                } else {
                    rest.push(c);
                }
            }
            if rest.len() == before {
                return Err(Error::CorruptSnapshot(format!(
                    "category {:?} has a missing parent",
                    rest[0].id
                )));
            }
            pending = rest;
        }
        t.set_rules(s.rules)?;
        for (k, e) in s.aliases {
            for c in e.votes.keys() {
                if !t.taxonomy.contains(c) {
                    return Err(Error::CorruptSnapshot(format!(
                        "alias {k:?} votes for unknown category {c:?}"
                    )));
                }
            }
            t.aliases.put(&k, e);
        }
        t.reindex(embedders);
        Ok(t)
    }
}
