//! Similarity memory: the tenant's known merchant keys as vectors, and a k-nearest-neighbour
//! vote that suggests a category for a merchant the tenant has not taught yet.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::alias::AliasMemory;
use super::embed::{Embedder, Embedders};
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

/// Vectors of one tenant's known merchant keys: those of the similarity embedder, and those of
/// the host's sentence-embedding model when the engine has one.
#[derive(Debug, Clone)]
pub(crate) struct SimilarityMemory {
    index: FlatIndex,
    semantic: Option<FlatIndex>,
    buf: Vec<f32>,
}

impl SimilarityMemory {
    pub fn new(embedders: &Embedders) -> SimilarityMemory {
        let dim = embedders.similarity.dim();
        SimilarityMemory {
            index: FlatIndex::new(dim),
            semantic: embedders.semantic.as_ref().map(|e| FlatIndex::new(e.dim())),
            buf: vec![0.0; dim],
        }
    }

    /// Adds a merchant key (known keys are left as they are).
    pub fn upsert(&mut self, embedders: &Embedders, key: &str) {
        if key.is_empty() {
            return;
        }
        if !self.index.contains(key) {
            embedders.similarity.embed(key, &mut self.buf);
            // the embedder writes finite, normalized values; a bad host embedder is skipped
            let _ = self.index.upsert(key, &self.buf);
        }
        if let (Some(index), Some(model)) = (&mut self.semantic, &embedders.semantic) {
            if !index.contains(key) && model.can_embed(key) {
                let _ = index.upsert(key, &model.vector(key));
            }
        }
    }

    /// Adds many merchant keys to the semantic index at once (the model embeds them in
    /// batches); the similarity index as [`SimilarityMemory::upsert`] does.
    pub fn upsert_all(&mut self, embedders: &Embedders, keys: &[&str]) {
        let keys: Vec<&str> = keys.iter().copied().filter(|k| !k.is_empty()).collect();
        if let (Some(index), Some(model)) = (&mut self.semantic, &embedders.semantic) {
            let new: Vec<&str> = keys
                .iter()
                .copied()
                .filter(|k| !index.contains(k) && model.can_embed(k))
                .collect();
            for (key, v) in new.iter().zip(model.vectors(&new)) {
                let _ = index.upsert(key, &v);
            }
        }
        for key in keys {
            self.upsert(embedders, key);
        }
    }

    /// The same keys in the vectors of `embedders` (after the engine gained a model).
    pub fn rebuild(&mut self, embedders: &Embedders) {
        let mut keys: Vec<String> = self.index.keys().map(String::from).collect();
        keys.sort_unstable(); // the index's own order is its hash map's
        *self = SimilarityMemory::new(embedders);
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        self.upsert_all(embedders, &keys);
    }

    /// The merchant keys the similarity index holds and the sentence-embedding model's does
    /// not (the model could not embed them when they were learned), sorted.
    pub fn keys_without_semantic(&self) -> Vec<&str> {
        let Some(semantic) = &self.semantic else {
            return Vec::new();
        };
        let mut keys: Vec<&str> = self
            .index
            .keys()
            .filter(|k| !semantic.contains(k))
            .collect();
        keys.sort_unstable();
        keys
    }

    /// Embeds with the model the keys it could not embed before and now can.
    pub fn fill_semantic(&mut self, embedders: &Embedders) {
        let keys: Vec<String> = self
            .keys_without_semantic()
            .into_iter()
            .map(String::from)
            .collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        self.upsert_all(embedders, &keys);
    }

    pub fn remove(&mut self, key: &str) {
        self.index.remove(key);
        if let Some(index) = &mut self.semantic {
            index.remove(key);
        }
    }

    /// The k-NN vote for `key` among the tenant's other merchants with an alias verdict, by
    /// the similarity embedder's vectors.
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
        vote_among(&self.index, &q, key, aliases, k, min_similarity)
    }

    /// Whether the sentence-embedding model's index holds any merchant (a vote is possible).
    pub fn has_semantic(&self) -> bool {
        self.semantic.as_ref().is_some_and(|i| !i.is_empty())
    }

    /// The same vote by the sentence-embedding model's vectors, for `key` whose vector is
    /// `query`; `None` without a model.
    pub fn semantic_vote(
        &self,
        query: &[f32],
        key: &str,
        aliases: &AliasMemory,
        k: usize,
        min_similarity: f32,
    ) -> Option<SimilarityVote> {
        let index = self.semantic.as_ref()?;
        if index.is_empty() || key.is_empty() || query.len() != index.dim() {
            return None;
        }
        vote_among(index, query, key, aliases, k, min_similarity)
    }
}

/// The k-NN vote in `index` for `key` (left out of its own vote) whose vector is `query`:
/// each neighbour with an alias verdict votes for its category, weighted by its similarity
/// (to [`SIMILARITY_POWER`]) times the verdict's confidence.
fn vote_among(
    index: &FlatIndex,
    query: &[f32],
    key: &str,
    aliases: &AliasMemory,
    k: usize,
    min_similarity: f32,
) -> Option<SimilarityVote> {
    let mut neighbours = Vec::new();
    let mut weights: BTreeMap<String, (f64, f32)> = BTreeMap::new();
    for (nk, sim) in index.search(query, k, Some(key)) {
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
