//! The merchant base in the vectors of the host's sentence-embedding model: every merchant the
//! knowledge base names (its normalized key) and every merchant category code's business
//! description (`Dentists and Orthodontists`), each with its built-in category. A merchant no
//! table names is answered by its nearest entries, which is how a model that knows words tells
//! that `sunrise dental clinic` is a dentist without a table listing it.

use std::collections::{BTreeMap, HashMap};

use super::embed::Embedder;
use super::vector::FlatIndex;
use crate::knowledge::KnowledgeBase;

/// A neighbour's vote weighs its similarity to this power: close entries count far more.
const SIMILARITY_POWER: i32 = 2;

/// Texts embedded per call to the model while the index is built.
const BUILD_BATCH: usize = 256;

/// Where an entry of the merchant base comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BaseOrigin {
    /// A known merchant's key.
    Merchant,
    /// A merchant category code's description.
    MccDescription,
}

/// One entry near the merchant being categorized.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BaseNeighbour {
    pub text: String,
    pub category: &'static str,
    pub origin: BaseOrigin,
    pub similarity: f32,
}

/// The nearest entries' vote.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct BaseVote {
    /// The winning built-in category.
    pub category: &'static str,
    /// The winner's share of the weighted vote times the similarity of its closest entry.
    pub confidence: f64,
    /// The entries that voted, nearest first.
    pub neighbours: Vec<BaseNeighbour>,
}

/// The merchant base's texts and their vectors.
#[derive(Debug)]
pub(crate) struct MerchantBaseIndex {
    index: FlatIndex,
    entries: HashMap<String, (&'static str, BaseOrigin)>,
}

impl MerchantBaseIndex {
    /// Embeds the built-in merchant base with `model` (thousands of texts: seconds with a
    /// small sentence model on one core).
    pub fn build(model: &dyn Embedder) -> MerchantBaseIndex {
        let kb = KnowledgeBase::builtin();
        let mut texts: Vec<(&str, &'static str, BaseOrigin)> = kb
            .merchant_entries()
            .map(|(key, m)| (key, m.category, BaseOrigin::Merchant))
            .chain(
                kb.mcc_descriptions()
                    .map(|(d, c)| (d, c, BaseOrigin::MccDescription)),
            )
            .collect();
        // one order whatever the tables' hash order: the index is the same on every build
        texts.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
        texts.dedup_by(|a, b| a.0 == b.0);
        let mut index = FlatIndex::new(model.dim());
        let mut entries = HashMap::with_capacity(texts.len());
        for chunk in texts.chunks(BUILD_BATCH) {
            let batch: Vec<&str> = chunk.iter().map(|t| t.0).collect();
            for ((text, category, origin), v) in chunk.iter().zip(model.vectors(&batch)) {
                // a vector the model got wrong (NaN, wrong length) leaves its entry out
                if index.upsert(text, &v).is_ok() {
                    entries.insert(text.to_string(), (*category, *origin));
                }
            }
        }
        MerchantBaseIndex { index, entries }
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The vote of the `k` entries nearest to `query` at or above `min_similarity`; `None`
    /// when none is that close, or `query` is not of the model's length.
    pub fn vote(&self, query: &[f32], k: usize, min_similarity: f32) -> Option<BaseVote> {
        let mut neighbours = Vec::new();
        let mut weights: BTreeMap<&'static str, (f64, f32)> = BTreeMap::new();
        for (text, similarity) in self.index.search(query, k, None) {
            if similarity < min_similarity {
                break;
            }
            let Some(&(category, origin)) = self.entries.get(&text) else {
                continue;
            };
            let w = weights.entry(category).or_insert((0.0, 0.0));
            w.0 += f64::from(similarity).powi(SIMILARITY_POWER);
            w.1 = w.1.max(similarity);
            neighbours.push(BaseNeighbour {
                text,
                category,
                origin,
                similarity,
            });
        }
        let total: f64 = weights.values().map(|w| w.0).sum();
        // the heaviest category; on a tie the first in id order
        let (category, (weight, best)) = weights
            .into_iter()
            .fold(None::<(&'static str, (f64, f32))>, |top, (c, w)| match top {
                Some((_, tw)) if tw.0 >= w.0 => top,
                _ => Some((c, w)),
            })?;
        (total > 0.0).then(|| BaseVote {
            category,
            confidence: (weight / total * f64::from(best)).clamp(0.0, 1.0),
            neighbours,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::memory::HashingEmbedder;

    #[test]
    fn the_base_holds_known_merchants_and_code_descriptions_and_votes_for_the_nearest() {
        let model = HashingEmbedder::default();
        let base = MerchantBaseIndex::build(&model);
        let kb = KnowledgeBase::builtin();
        assert!(base.len() > kb.merchant_count(), "merchants and MCC descriptions");
        // a known merchant's own key is its own nearest entry
        let vote = base.vote(&model.vector("starbucks"), 5, 0.9).unwrap();
        assert_eq!(vote.category, "food.coffee");
        assert_eq!(vote.neighbours[0].text, "starbucks");
        assert_eq!(vote.neighbours[0].origin, BaseOrigin::Merchant);
        // nothing that close to noise
        assert!(base.vote(&model.vector("zqxv wkpt"), 5, 0.9).is_none());
        // a vector of another length finds nothing
        assert!(base.vote(&[1.0, 0.0], 5, 0.0).is_none());
    }
}
