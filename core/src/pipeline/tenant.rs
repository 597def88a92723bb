//! One tenant's state: taxonomy, rules, aliases, counters.

use crate::error::{Error, Result};
use crate::knowledge::{Kind, KnowledgeBase, Vocabulary};
use crate::memory::{
    features, key_features, log_amount, AliasEntry, AliasMemory, Calibration, Embedders,
    LabelHabit, LabelMap, LabelVotes, OnlineClassifier, SimilarityMemory,
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
    /// the known merchants' categories. Both maps' votes travel as change events and in
    /// snapshots.
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
    /// similarity memory and the label maps. Returns what the change events must carry.
    pub fn learn(
        &mut self,
        tx: &Transaction,
        keys: Normalized,
        category: &str,
        decay: f64,
        embedders: &Embedders,
    ) -> Learned {
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
        let label_votes = self.learn_label(key.as_str(), tx, category);
        self.stats.feedback += 1;
        learned.push((key.into_string(), entry));
        Learned {
            aliases: learned,
            label_votes,
        }
    }

    /// How this tenant names what the built-in tables would have said of transaction `tx` with
    /// merchant `key`: the known merchant (or its merchant category code) in `labels`, a bank
    /// phrase of the vocabulary (as its stage reads one) in `phrase_labels`. Returns the vote
    /// totals that changed.
    fn learn_label(&mut self, key: &str, tx: &Transaction, category: &str) -> Vec<LabelVotes> {
        self.labels.note(category);
        self.phrase_labels.note(category);
        let kb = KnowledgeBase::builtin();
        let known = kb.merchant(key);
        let mut changed = Vec::with_capacity(2);
        let builtin = known
            .map(|m| m.category)
            .or_else(|| tx.mcc.and_then(|code| kb.mcc(code)));
        if let Some(builtin) = builtin {
            let votes = self.labels.learn(builtin, category, 1.0);
            changed.push(label_votes(LabelHabit::Merchant, builtin, category, votes));
        }
        let phrase = Vocabulary::builtin()
            .best(&tx.descriptor, tx.direction, Kind::BankPhrase)
            .filter(|m| known.is_none() || !m.yields_to_known_merchant());
        if let Some(m) = phrase {
            let votes = self.phrase_labels.learn(m.entry.category, category, 1.0);
            changed.push(label_votes(
                LabelHabit::Phrase,
                m.entry.category,
                category,
                votes,
            ));
        }
        changed
    }

    /// Sets the vote total for naming `builtin` with `label` in one habit (a replayed change or
    /// an imported snapshot), after checking that it names a built-in category, one of the
    /// tenant's, and a positive weight.
    pub fn put_label_votes(
        &mut self,
        habit: LabelHabit,
        builtin: &str,
        label: &str,
        votes: f64,
    ) -> Result<()> {
        if !self.taxonomy.get(builtin).is_some_and(|c| c.builtin) {
            return Err(Error::not_found("built-in category", builtin));
        }
        self.taxonomy.require(label)?;
        if !(votes.is_finite() && votes > 0.0) {
            return Err(Error::invalid(format!(
                "label votes for {builtin:?} -> {label:?} must be a positive number, got {votes}"
            )));
        }
        let map = match habit {
            LabelHabit::Merchant => &mut self.labels,
            LabelHabit::Phrase => &mut self.phrase_labels,
        };
        map.set(builtin, label, votes);
        Ok(())
    }

    /// Every vote total of both habits, in a stable order.
    pub fn label_votes(&self) -> Vec<LabelVotes> {
        let of = |habit, map: &LabelMap| {
            map.totals()
                .into_iter()
                .map(move |(b, l, w)| label_votes(habit, b, l, w))
                .collect::<Vec<_>>()
        };
        let mut v = of(LabelHabit::Merchant, &self.labels);
        v.extend(of(LabelHabit::Phrase, &self.phrase_labels));
        v
    }

    /// Brings the derived memories (similarity, classifier, the categories in use) up to date
    /// with one replayed alias entry, as `reindex` would for it. (The label votes have their
    /// own change events.)
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
        }
    }

    /// Rebuilds the similarity memory, the classifier and the categories in use from the alias
    /// entries (after an import), and with `derive_label_votes` the label votes too, from the
    /// aliases of merchants the knowledge base knows (for a snapshot that does not carry them).
    pub fn reindex(&mut self, embedders: &Embedders, derive_label_votes: bool) {
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
                self.labels.note(label);
                self.phrase_labels.note(label);
                // the classifier relearns from the merchant names (the raw descriptors and
                // amounts are not stored)
                let x = key_features(k);
                for _ in 0..(*support).min(RELEARN_MAX_REPEATS) {
                    self.classifier.learn(&x, label);
                }
            }
            if let (true, Some(m), Some((label, support))) =
                (derive_label_votes, kb.merchant(k), verdict)
            {
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
            label_votes: Some(self.label_votes()),
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
        t.reindex(embedders, s.label_votes.is_none());
        if let Some(votes) = s.label_votes {
            for v in &votes {
                t.put_label_votes(v.habit, &v.builtin, &v.label, v.votes)
                    .map_err(|e| Error::CorruptSnapshot(format!("label votes: {e}")))?;
            }
        }
        Ok(t)
    }
}

/// What one feedback taught, for the change events.
pub(crate) struct Learned {
    /// The alias entries after the vote, by key.
    pub aliases: Vec<(String, AliasEntry)>,
    /// The label vote totals that changed.
    pub label_votes: Vec<LabelVotes>,
}

fn label_votes(habit: LabelHabit, builtin: &str, label: &str, votes: f64) -> LabelVotes {
    LabelVotes {
        habit,
        builtin: builtin.to_string(),
        label: label.to_string(),
        votes,
    }
}
