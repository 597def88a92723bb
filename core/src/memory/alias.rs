//! Alias memory: merchant key -> category votes with support counts and recency.
//!
//! Every confirmation or correction is a vote. Before a new vote lands, the merchant's earlier
//! votes are multiplied by a decay factor (0.8 by default), so corrections move the answer over a
//! few votes while a single conflicting vote only lowers the confidence.
//!
//! Each vote also records the transaction's amount. When a merchant's votes are split between
//! categories that each have at least two votes of their own, the amount decides between them
//! (the same shop can be groceries at 60.00 and a snack at 4.75).

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Votes smaller than this are dropped.
const MIN_WEIGHT: f64 = 0.05;
/// A verdict's confidence is its share of the vote times `n / (n + SUPPORT_PRIOR)` for `n` votes
/// cast: one vote is not yet a habit.
const SUPPORT_PRIOR: f64 = 0.5;
/// Most confidence an alias verdict gets, however many votes agree.
const MAX_CONFIDENCE: f64 = 0.99;
/// A category takes part in the amount split only with at least this many amounts recorded…
const AMOUNT_MIN_COUNT: u32 = 2;
/// …and at least this much (decayed) vote left: one the tenant corrected away long ago does not.
const AMOUNT_MIN_WEIGHT: f64 = 0.25;
/// An amount this many standard deviations from every amount filed under the leading category
/// is new for the merchant…
const AMOUNT_NOVEL_Z: f64 = 3.0;
/// …once it has this many amounts: the verdict's confidence is multiplied by
/// `AMOUNT_NOVEL_DISCOUNT` (a first cheap visit to a shop always filed as a big shop).
const AMOUNT_NOVEL_MIN_COUNT: u32 = 3;
/// What is left of the confidence of an answer at a novel amount.
const AMOUNT_NOVEL_DISCOUNT: f64 = 0.75;
/// Prior variance of the log amount within one category (a spread of about x1.6)…
const AMOUNT_PRIOR_VAR: f64 = 0.25;
/// …with the weight of one vote.
const AMOUNT_PRIOR_WEIGHT: f64 = 1.0;

/// The (decayed) distribution of the log amounts filed under one category.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AmountStats {
    /// Number of amounts recorded.
    #[serde(default)]
    pub count: u32,
    /// Decayed number of amounts seen.
    pub weight: f64,
    /// Weighted mean of the natural log of the amount in minor units.
    pub mean: f64,
    /// Weighted sum of squared deviations from the mean.
    pub m2: f64,
}

impl AmountStats {
    fn add(&mut self, x: f64) {
        self.count = self.count.saturating_add(1);
        self.weight += 1.0;
        let delta = x - self.mean;
        self.mean += delta / self.weight;
        self.m2 += delta * (x - self.mean);
    }

    fn decay(&mut self, factor: f64) {
        self.weight *= factor;
        self.m2 *= factor;
    }

    /// The variance of the log amount, shrunk towards the prior.
    fn variance(&self) -> f64 {
        (self.m2 + AMOUNT_PRIOR_VAR) / (self.weight + AMOUNT_PRIOR_WEIGHT)
    }

    /// Likelihood of the log amount `x`.
    fn likelihood(&self, x: f64) -> f64 {
        let var = self.variance();
        (-(x - self.mean).powi(2) / (2.0 * var)).exp() / var.sqrt()
    }

    /// Whether `x` lies far outside the amounts seen.
    fn is_novel(&self, x: f64) -> bool {
        self.count >= AMOUNT_NOVEL_MIN_COUNT
            && (x - self.mean).abs() > AMOUNT_NOVEL_Z * self.variance().sqrt()
    }
}

/// The log amount alias memory works with: natural log of the minor units (at least 1).
pub fn log_amount(minor: i64) -> f64 {
    (minor.max(1) as f64).ln()
}

/// The learned votes for one merchant key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AliasEntry {
    /// Category id -> decayed vote weight.
    pub votes: BTreeMap<String, f64>,
    /// Number of votes ever cast for this key.
    pub support: u32,
    /// Date of the latest vote.
    pub last_seen: NaiveDate,
    /// Category id -> the amounts filed under it (empty in entries from before amounts were
    /// recorded).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub amounts: BTreeMap<String, AmountStats>,
}

/// What alias memory says about a merchant key.
#[derive(Debug, Clone, PartialEq)]
pub struct AliasVerdict {
    /// The leading category.
    pub category: String,
    /// Confidence in 0..1: the leading share of the vote, discounted for little support.
    pub confidence: f64,
    /// Share of the (decayed) vote the leading category holds.
    pub share: f64,
    /// Number of votes ever cast.
    pub support: u32,
    /// Date of the latest vote.
    pub last_seen: NaiveDate,
    /// Whether the amount chose between categories the merchant is filed under.
    pub by_amount: bool,
    /// Whether the amount is far from every amount filed under `category` (the confidence
    /// was lowered for it).
    pub novel_amount: bool,
}

/// Per-tenant alias memory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AliasMemory {
    entries: HashMap<String, AliasEntry>,
}

impl AliasEntry {
    /// The verdict for a transaction of log amount `x` (see [`log_amount`]); `None` ignores
    /// amounts.
    fn verdict(&self, x: Option<f64>) -> Option<AliasVerdict> {
        let mut v = self.verdict_by_amount(x)?;
        // an amount unlike any filed under the answer: still the answer, but not a sure one
        if let Some(x) = x {
            if self.amounts.get(&v.category).is_some_and(|a| a.is_novel(x)) {
                v.confidence *= AMOUNT_NOVEL_DISCOUNT;
                v.novel_amount = true;
            }
        }
        Some(v)
    }

    fn verdict_by_amount(&self, x: Option<f64>) -> Option<AliasVerdict> {
        let plain = self.plain_verdict()?;
        let Some(x) = x.filter(|_| self.votes.len() > 1) else {
            return Some(plain);
        };
        // the categories with enough votes of their own share their vote by how well the
        // amount fits each; the rest keep theirs
        let split: Vec<(&String, f64, f64)> = self
            .votes
            .iter()
            .filter_map(|(c, &w)| {
                let a = self.amounts.get(c)?;
                (a.count >= AMOUNT_MIN_COUNT && w >= AMOUNT_MIN_WEIGHT)
                    .then(|| (c, w, w * a.likelihood(x)))
            })
            .collect();
        if split.len() < 2 {
            return Some(plain);
        }
        let mass: f64 = split.iter().map(|(_, w, _)| w).sum();
        let fit: f64 = split.iter().map(|(_, _, l)| l).sum();
        if !(fit > 0.0 && fit.is_finite()) {
            return Some(plain);
        }
        let total: f64 = self.votes.values().sum();
        let mut best: Option<(&String, f64)> = None;
        for (c, &w) in &self.votes {
            let weight = match split.iter().find(|(s, _, _)| *s == c) {
                Some((_, _, l)) => mass * l / fit,
                None => w,
            };
            if best.is_none_or(|(_, bw)| weight > bw) {
                best = Some((c, weight));
            }
        }
        let (cat, w) = best?;
        Some(self.verdict_for(cat, w / total, true))
    }

    /// A verdict for `category` holding `share` of the vote; the confidence is the share,
    /// discounted for little support.
    fn verdict_for(&self, category: &str, share: f64, by_amount: bool) -> AliasVerdict {
        let n = f64::from(self.support);
        AliasVerdict {
            category: category.to_string(),
            confidence: (share * n / (n + SUPPORT_PRIOR)).min(MAX_CONFIDENCE),
            share,
            support: self.support,
            last_seen: self.last_seen,
            by_amount,
            novel_amount: false,
        }
    }

    fn plain_verdict(&self) -> Option<AliasVerdict> {
        let total: f64 = self.votes.values().sum();
        // Ties go to the alphabetically first category: BTreeMap order, strict comparison.
        let (cat, w) =
            self.votes
                .iter()
                .fold(None::<(&String, f64)>, |best, (c, &w)| match best {
                    Some((_, bw)) if bw >= w => best,
                    _ => Some((c, w)),
                })?;
        if total <= 0.0 {
            return None;
        }
        Some(self.verdict_for(cat, w / total, false))
    }
}

impl AliasMemory {
    /// The verdict for a key, if anything was learned for it, whatever the amount.
    pub fn lookup(&self, key: &str) -> Option<AliasVerdict> {
        self.entries.get(key).and_then(|e| e.verdict(None))
    }

    /// The verdict for a key and a transaction of log amount `x` (see [`log_amount`]).
    pub fn lookup_at(&self, key: &str, x: f64) -> Option<AliasVerdict> {
        self.entries.get(key).and_then(|e| e.verdict(Some(x)))
    }

    /// Records one vote, of a transaction of log amount `x` if given, and returns the updated
    /// entry.
    pub fn learn(
        &mut self,
        key: &str,
        category: &str,
        date: NaiveDate,
        decay: f64,
        x: Option<f64>,
    ) -> &AliasEntry {
        let e = self
            .entries
            .entry(key.to_string())
            .or_insert_with(|| AliasEntry {
                votes: BTreeMap::new(),
                support: 0,
                last_seen: date,
                amounts: BTreeMap::new(),
            });
        for w in e.votes.values_mut() {
            *w *= decay;
        }
        for a in e.amounts.values_mut() {
            a.decay(decay);
        }
        *e.votes.entry(category.to_string()).or_insert(0.0) += 1.0;
        if let Some(x) = x {
            e.amounts
                .entry(category.to_string())
                .or_insert(AmountStats {
                    count: 0,
                    weight: 0.0,
                    mean: 0.0,
                    m2: 0.0,
                })
                .add(x);
        }
        e.votes.retain(|_, w| *w >= MIN_WEIGHT);
        let votes = &e.votes;
        e.amounts.retain(|c, _| votes.contains_key(c));
        e.support = e.support.saturating_add(1);
        if date > e.last_seen {
            e.last_seen = date;
        }
        e
    }

    /// Replaces an entry wholesale (replaying a change event or importing a snapshot).
    pub fn put(&mut self, key: &str, entry: AliasEntry) {
        self.entries.insert(key.to_string(), entry);
    }

    /// Forgets a key; returns whether it was known.
    pub fn forget(&mut self, key: &str) -> bool {
        self.entries.remove(key).is_some()
    }

    /// Number of keys learned.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether nothing was learned.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// All entries, sorted by key (deterministic order for snapshots and prompts).
    pub fn entries(&self) -> Vec<(&String, &AliasEntry)> {
        let mut v: Vec<_> = self.entries.iter().collect();
        v.sort_by(|a, b| a.0.cmp(b.0));
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 1, 1).unwrap()
    }

    #[test]
    fn one_conflicting_vote_lowers_confidence_without_flipping() {
        let mut m = AliasMemory::default();
        for _ in 0..5 {
            m.learn("tesco", "food.groceries", d(), 0.8, None);
        }
        let before = m.lookup("tesco").unwrap();
        m.learn("tesco", "food.restaurants", d(), 0.8, None);
        let after = m.lookup("tesco").unwrap();
        assert_eq!(after.category, "food.groceries");
        assert!(after.confidence < before.confidence);
    }

    #[test]
    fn repeated_corrections_move_the_answer() {
        let mut m = AliasMemory::default();
        for _ in 0..5 {
            m.learn("tesco", "food.groceries", d(), 0.8, None);
        }
        for _ in 0..3 {
            m.learn("tesco", "food.restaurants", d(), 0.8, None);
        }
        assert_eq!(m.lookup("tesco").unwrap().category, "food.restaurants");
    }

    #[test]
    fn the_amount_splits_a_merchant_filed_two_ways() {
        let mut m = AliasMemory::default();
        for i in 0..12 {
            let (cat, amount) = if i % 2 == 0 {
                ("food.groceries", 6_000 + i * 100)
            } else {
                ("food.coffee", 450 + i * 10)
            };
            m.learn("kwik mart", cat, d(), 0.8, Some(log_amount(amount)));
        }
        let big = m.lookup_at("kwik mart", log_amount(5_800)).unwrap();
        assert_eq!(
            (big.category.as_str(), big.by_amount),
            ("food.groceries", true)
        );
        assert!(big.share > 0.9, "{big:?}");
        let small = m.lookup_at("kwik mart", log_amount(475)).unwrap();
        assert_eq!(small.category, "food.coffee");
        // without an amount the split is a coin toss, and says so
        assert!(m.lookup("kwik mart").unwrap().share < 0.6);
    }

    #[test]
    fn one_stray_vote_does_not_split_a_merchant() {
        let mut m = AliasMemory::default();
        for _ in 0..8 {
            m.learn("tesco", "food.groceries", d(), 0.8, Some(log_amount(3_000)));
        }
        m.learn("tesco", "fun", d(), 0.8, Some(log_amount(900)));
        let v = m.lookup_at("tesco", log_amount(900)).unwrap();
        assert_eq!(
            (v.category.as_str(), v.by_amount),
            ("food.groceries", false)
        );
    }

    #[test]
    fn an_amount_never_seen_at_a_merchant_lowers_the_confidence() {
        let mut m = AliasMemory::default();
        for i in 0..6 {
            m.learn(
                "costco",
                "food.groceries",
                d(),
                0.8,
                Some(log_amount(15_000 + i * 500)),
            );
        }
        let usual = m.lookup_at("costco", log_amount(16_000)).unwrap();
        let odd = m.lookup_at("costco", log_amount(250)).unwrap();
        assert_eq!(odd.category, "food.groceries");
        assert!(!usual.novel_amount && odd.novel_amount);
        assert!((odd.confidence - usual.confidence * AMOUNT_NOVEL_DISCOUNT).abs() < 1e-12);
    }

    proptest::proptest! {
        /// Whatever votes and amounts a merchant received, every verdict names a category it
        /// was filed under, with a share and confidence in range, and the amount split only
        /// happens between categories with two or more amounts.
        #[test]
        fn verdicts_stay_in_range_for_any_history(
            votes in proptest::collection::vec((0usize..4, 1i64..10_000_000), 1..40),
            query in 0i64..100_000_000,
        ) {
            let cats = ["a", "b", "c", "d"];
            let mut m = AliasMemory::default();
            for (c, amount) in &votes {
                m.learn("k", cats[*c], d(), 0.8, Some(log_amount(*amount)));
            }
            let e = &m.entries["k"];
            for v in [m.lookup("k").unwrap(), m.lookup_at("k", log_amount(query)).unwrap()] {
                proptest::prop_assert!(e.votes.contains_key(&v.category));
                proptest::prop_assert!((0.0..=1.0 + 1e-9).contains(&v.share), "{v:?}");
                proptest::prop_assert!((0.0..=0.99).contains(&v.confidence), "{v:?}");
                if v.by_amount {
                    let split = e.amounts.values().filter(|a| a.count >= AMOUNT_MIN_COUNT).count();
                    proptest::prop_assert!(split >= 2);
                }
            }
        }
    }

    #[test]
    fn entries_without_amounts_still_load_and_vote() {
        let e: AliasEntry = serde_json::from_str(
            r#"{"votes":{"a":2.0,"b":1.9},"support":4,"last_seen":"2026-01-01"}"#,
        )
        .unwrap();
        assert!(e.amounts.is_empty());
        let mut m = AliasMemory::default();
        m.put("k", e);
        assert_eq!(m.lookup_at("k", log_amount(100)).unwrap().category, "a");
    }

    #[test]
    fn confidence_grows_with_support() {
        let mut m = AliasMemory::default();
        let mut last = 0.0;
        for _ in 0..10 {
            m.learn("k", "a", d(), 0.8, None);
            let c = m.lookup("k").unwrap().confidence;
            assert!(c > last);
            last = c;
        }
        assert!(last > 0.95 && last <= 0.99);
        assert!(m.forget("k"));
        assert!(m.lookup("k").is_none());
    }
}
