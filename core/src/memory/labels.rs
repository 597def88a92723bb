//! How a tenant names the built-in categories: when the knowledge base or the MCC map says
//! `food.coffee` and the tenant files such merchants under its own `Coffee & snacks`, the
//! cold-start answer is given in the tenant's words.

use std::collections::{BTreeMap, HashMap, HashSet};

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
    /// Records that a merchant the tables file under `builtin` was labelled `label`.
    pub fn learn(&mut self, builtin: &str, label: &str, weight: f64) {
        *self
            .votes
            .entry(builtin.to_string())
            .or_default()
            .entry(label.to_string())
            .or_insert(0.0) += weight;
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
