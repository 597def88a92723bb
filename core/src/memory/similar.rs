//! Similarity memory: the tenant's known merchant keys as vectors, and a k-nearest-neighbour
//! vote that suggests a category for a merchant the tenant has not taught yet.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::alias::AliasMemory;
use super::embed::Embedder;
use super::vector::FlatIndex;

/// A neighbour's vote weighs its similarity to this power times its alias confidence: close
/// neighbours count far more than loose ones.
const SIMILARITY_POWER: i32 = 2;
/// Most confidence a similarity vote gets.
const MAX_CONFIDENCE: f64 = 0.95;

/// One neighbour that took part in a vote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Neighbour {
    /// Its merchant key.
    pub key: String,
    /// The category the tenant filed it under.
    pub category: String,
    /// Cosine similarity to the merchant being categorized.
    pub similarity: f32,
}

/// The outcome of a k-NN vote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SimilarityVote {
    /// The winning category.
    pub category: String,
    /// Confidence in 0..1: the winner's share of the weighted vote times the similarity of its
    /// closest supporter.
    pub confidence: f64,
    /// The winner's share of the weighted vote.
    pub share: f64,
    /// The neighbours that voted, most similar first.
    pub neighbours: Vec<Neighbour>,
}

/// Vectors of one tenant's known merchant keys.
#[derive(Debug, Clone)]
pub(crate) struct SimilarityMemory {
    index: FlatIndex,
    buf: Vec<f32>,
}

impl SimilarityMemory {
    pub fn new(dim: usize) -> SimilarityMemory {
        SimilarityMemory {
            index: FlatIndex::new(dim),
            buf: vec![0.0; dim],
        }
    }

    /// Adds or refreshes a merchant key.
    pub fn upsert(&mut self, embedder: &dyn Embedder, key: &str) {
        if key.is_empty() || self.index.contains(key) {
            return;
        }
        embedder.embed(key, &mut self.buf);
        // the embedder writes finite, normalized values; a bad host embedder is skipped
        let _ = self.index.upsert(key, &self.buf);
    }

    pub fn remove(&mut self, key: &str) {
        self.index.remove(key);
    }

    /// The k-NN vote for `key` among the tenant's other merchants with an alias verdict.
    pub fn vote(
        &self,
        embedder: &dyn Embedder,
        key: &str,
        aliases: &AliasMemory,
        k: usize,
        min_similarity: f32,
    ) -> Option<SimilarityVote> {
        if self.index.is_empty() || key.is_empty() {
            return None;
        }
        let mut q = vec![0.0; self.index.dim()];
        embedder.embed(key, &mut q);
        let mut neighbours = Vec::new();
        let mut weights: BTreeMap<String, (f64, f32)> = BTreeMap::new();
        for (nk, sim) in self.index.search(&q, k, Some(key)) {
            if sim < min_similarity {
                break;
            }
            let Some(v) = aliases.lookup(&nk) else {
                continue;
            };
            let w = f64::from(sim).powi(SIMILARITY_POWER) * v.confidence;
            let e = weights.entry(v.category.clone()).or_insert((0.0, 0.0));
            e.0 += w;
            e.1 = e.1.max(sim);
            neighbours.push(Neighbour {
                key: nk,
                category: v.category,
                similarity: sim,
            });
        }
        let total: f64 = weights.values().map(|w| w.0).sum();
        let (category, (w, best_sim)) =
            weights
                .into_iter()
                .fold(None::<(String, (f64, f32))>, |best, (c, w)| match best {
                    Some((_, bw)) if bw.0 >= w.0 => best,
                    _ => Some((c, w)),
                })?;
        if total <= 0.0 {
            return None;
        }
        let share = w / total;
        Some(SimilarityVote {
            category,
            confidence: (share * f64::from(best_sim)).clamp(0.0, MAX_CONFIDENCE),
            share,
            neighbours,
        })
    }
}
