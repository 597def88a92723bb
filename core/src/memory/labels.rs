//! How a tenant names the built-in categories: when the knowledge base or the MCC map says
//! `food.coffee` and the tenant files such merchants under its own `Coffee & snacks`, the
//! cold-start answer is given in the tenant's words.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde::{Deserialize, Serialize};

/// Which of a tenant's naming habits a vote belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum LabelHabit {
    /// How the tenant names the categories of merchants the knowledge base knows, or of their
    /// merchant category codes.
    Merchant,
    /// How the tenant names the categories of the vocabulary's bank phrases (`DIRECT DEPOSIT`,
    /// `Miete`).
    Phrase,
}

/// The votes, so far, for naming built-in category `builtin` with the tenant's `label`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LabelVotes {
    /// The habit the votes belong to.
    pub habit: LabelHabit,
    /// A built-in category id (`food.coffee`).
    pub builtin: String,
    /// The tenant's category (`Coffee & snacks`).
    pub label: String,
    /// Total weight of the votes (one per feedback; positive).
    pub votes: f64,
}

/// Votes from built-in categories to the tenant's labels.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LabelMap {
    votes: HashMap<String, BTreeMap<String, f64>>,
    /// every category the tenant has given in feedback
    used: HashSet<String>,
}

/// A translation and how sure it is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Translation {
    pub label: String,
    /// Share of the votes for this built-in category that went to `label`.
    pub share: f64,
    /// Number of votes.
    pub support: f64,
}

impl LabelMap {
    /// Records that a merchant the tables file under `builtin` was labelled `label`; returns
    /// the votes for that pair now.
    pub fn learn(&mut self, builtin: &str, label: &str, weight: f64) -> f64 {
        let votes = self
            .votes
            .entry(builtin.to_string())
            .or_default()
            .entry(label.to_string())
            .or_insert(0.0);
        *votes += weight;
        *votes
    }

    /// Sets the votes for naming `builtin` with `label` (a replayed or imported total).
    pub fn set(&mut self, builtin: &str, label: &str, votes: f64) {
        self.votes
            .entry(builtin.to_string())
            .or_default()
            .insert(label.to_string(), votes);
    }

    /// Every vote total, ordered by built-in category, then label.
    pub fn totals(&self) -> Vec<(&str, &str, f64)> {
        let mut v: Vec<(&str, &str, f64)> = self
            .votes
            .iter()
            .flat_map(|(b, ls)| ls.iter().map(move |(l, &w)| (b.as_str(), l.as_str(), w)))
            .collect();
        v.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        v
    }

    /// Notes a category the tenant used in feedback.
    pub fn note(&mut self, label: &str) {
        if !self.used.contains(label) {
            self.used.insert(label.to_string());
        }
    }

    /// Whether the tenant has used a category that is not a built-in one (its own label set).
    pub fn speaks_own_labels(&self, builtin: impl Fn(&str) -> bool) -> bool {
        self.used.iter().any(|l| !builtin(l))
    }

    /// The tenant's usual label for a built-in category.
    pub fn translate(&self, builtin: &str) -> Option<Translation> {
        leader(self.votes.get(builtin)?)
    }

    /// The tenant's usual label for the family of a built-in category (`transport` for
    /// `transport.fuel`): the votes of every category in it together. For a category the
    /// tenant has not named yet, when its siblings were.
    pub fn translate_family(&self, builtin: &str) -> Option<Translation> {
        let family = builtin.split('.').next().unwrap_or(builtin);
        let mut pooled: BTreeMap<&str, f64> = BTreeMap::new();
        for (b, v) in &self.votes {
            if b.split('.').next() == Some(family) {
                for (l, w) in v {
                    *pooled.entry(l).or_insert(0.0) += w;
                }
            }
        }
        leader(&pooled)
    }
}

/// The label with the most votes (ties to the first in order), with its share.
fn leader<K: AsRef<str> + Ord>(v: &BTreeMap<K, f64>) -> Option<Translation> {
    let total: f64 = v.values().sum();
    let (label, w) = v
        .iter()
        .fold(None::<(&K, f64)>, |best, (l, &w)| match best {
            Some((_, bw)) if bw >= w => best,
            _ => Some((l, w)),
        })?;
    (total > 0.0).then(|| Translation {
        label: label.as_ref().to_string(),
        share: w / total,
        support: total,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn majority_label_with_its_share() {
        let mut m = LabelMap::default();
        m.learn("food.coffee", "Coffee", 1.0);
        m.learn("food.coffee", "Coffee", 1.0);
        m.learn("food.coffee", "Eating out", 1.0);
        let t = m.translate("food.coffee").unwrap();
        assert_eq!(t.label, "Coffee");
        assert!((t.share - 2.0 / 3.0).abs() < 1e-9);
        assert!(m.translate("food.bars").is_none());
    }

    #[test]
    fn totals_set_back_give_the_same_map() {
        let mut m = LabelMap::default();
        assert_eq!(m.learn("food.coffee", "Coffee", 1.0), 1.0);
        assert_eq!(m.learn("food.coffee", "Coffee", 1.0), 2.0);
        m.learn("income.salary", "Pay", 1.0);
        let mut back = LabelMap::default();
        for (b, l, w) in m.totals() {
            back.set(b, l, w);
        }
        assert_eq!(back.votes, m.votes);
        assert_eq!(
            m.totals(),
            [
                ("food.coffee", "Coffee", 2.0),
                ("income.salary", "Pay", 1.0)
            ]
        );
    }

    #[test]
    fn an_unnamed_category_borrows_its_family_label() {
        let mut m = LabelMap::default();
        m.learn("transport.taxi", "Transport", 1.0);
        m.learn("transport.public", "Transport", 1.0);
        m.learn("transport.public", "Commute", 1.0);
        assert!(m.translate("transport.fuel").is_none());
        let t = m.translate_family("transport.fuel").unwrap();
        assert_eq!(t.label, "Transport");
        assert!((t.share - 2.0 / 3.0).abs() < 1e-9);
        assert!(m.translate_family("food.coffee").is_none());
    }
}
