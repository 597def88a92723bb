//! Alias memory: merchant key -> category votes with support counts and recency.
//!
//! Every confirmation or correction is a vote. Before a new vote lands, the merchant's earlier
//! votes are multiplied by a decay factor (0.8 by default), so corrections move the answer over a
//! few votes while a single conflicting vote only lowers the confidence.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// Votes smaller than this are dropped.
const MIN_WEIGHT: f64 = 0.05;

/// The learned votes for one merchant key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AliasEntry {
    /// Category id -> decayed vote weight.
    pub votes: BTreeMap<String, f64>,
    /// Number of votes ever cast for this key.
    pub support: u32,
    /// Date of the latest vote.
    pub last_seen: NaiveDate,
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
}

/// Per-tenant alias memory.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AliasMemory {
    entries: HashMap<String, AliasEntry>,
}

impl AliasEntry {
    fn verdict(&self) -> Option<AliasVerdict> {
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
        let share = w / total;
        let n = self.support as f64;
        let confidence = (share * n / (n + 0.5)).min(0.99);
        Some(AliasVerdict {
            category: cat.clone(),
            confidence,
            share,
            support: self.support,
            last_seen: self.last_seen,
        })
    }
}

impl AliasMemory {
    /// The verdict for a key, if anything was learned for it.
    pub fn lookup(&self, key: &str) -> Option<AliasVerdict> {
        self.entries.get(key).and_then(AliasEntry::verdict)
    }

    /// Records one vote and returns the updated entry.
    pub fn learn(&mut self, key: &str, category: &str, date: NaiveDate, decay: f64) -> &AliasEntry {
        let e = self
            .entries
            .entry(key.to_string())
            .or_insert_with(|| AliasEntry {
                votes: BTreeMap::new(),
                support: 0,
                last_seen: date,
            });
        for w in e.votes.values_mut() {
            *w *= decay;
        }
        *e.votes.entry(category.to_string()).or_insert(0.0) += 1.0;
        e.votes.retain(|_, w| *w >= MIN_WEIGHT);
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
            m.learn("tesco", "food.groceries", d(), 0.8);
        }
        let before = m.lookup("tesco").unwrap();
        m.learn("tesco", "food.restaurants", d(), 0.8);
        let after = m.lookup("tesco").unwrap();
        assert_eq!(after.category, "food.groceries");
        assert!(after.confidence < before.confidence);
    }

    #[test]
    fn repeated_corrections_move_the_answer() {
        let mut m = AliasMemory::default();
        for _ in 0..5 {
            m.learn("tesco", "food.groceries", d(), 0.8);
        }
        for _ in 0..3 {
            m.learn("tesco", "food.restaurants", d(), 0.8);
        }
        assert_eq!(m.lookup("tesco").unwrap().category, "food.restaurants");
    }

    #[test]
    fn confidence_grows_with_support() {
        let mut m = AliasMemory::default();
        let mut last = 0.0;
        for _ in 0..10 {
            m.learn("k", "a", d(), 0.8);
            let c = m.lookup("k").unwrap().confidence;
            assert!(c > last);
            last = c;
        }
        assert!(last > 0.95 && last <= 0.99);
        assert!(m.forget("k"));
        assert!(m.lookup("k").is_none());
    }
}
