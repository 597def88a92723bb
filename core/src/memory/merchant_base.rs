//! The merchant base in the vectors of the host's sentence-embedding model: every merchant the
//! knowledge base names (its normalized key) and every merchant category code's business
//! description (`Dentists and Orthodontists`), each with its built-in category. A merchant no
//! table names is answered by its nearest entries, which is how a model that knows words tells
//! that `sunrise dental clinic` is a dentist without a table listing it.

use std::collections::{BTreeMap, HashMap};

use super::embed::{is_failure, Embedder};
use super::vector::FlatIndex;
use crate::knowledge::KnowledgeBase;

/// A neighbour's vote weighs its similarity to this power: close entries count far more.
const SIMILARITY_POWER: i32 = 2;

/// Texts embedded per call to the model while the index is built.
const BUILD_BATCH: usize = 256;

/// First bytes of a saved index ([`MerchantBaseIndex::to_bytes`]).
const SAVED_MAGIC: &[u8; 8] = b"XSMBASE1";

/// The text whose vector stands for the model in a saved index's fingerprint.
const MODEL_PROBE: &str = "coffee shop on main street";

/// An entry: its text, built-in category and origin.
type BaseEntry = (&'static str, &'static str, BaseOrigin);

/// The built-in merchant base's entries, in one order whatever the tables' hash order (so the
/// index, and a saved one, is the same on every build): the knowledge base's merchant keys and
/// the MCC table's descriptions, by text, a text listed twice kept once.
fn builtin_entries() -> Vec<BaseEntry> {
    let kb = KnowledgeBase::builtin();
    let mut entries: Vec<BaseEntry> = kb
        .merchant_entries()
        .map(|(key, m)| (key, m.category, BaseOrigin::Merchant))
        .chain(
            kb.mcc_descriptions()
                .map(|(d, c)| (d, c, BaseOrigin::MccDescription)),
        )
        .collect();
    entries.sort_unstable_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));
    entries.dedup_by(|a, b| a.0 == b.0);
    entries
}

/// SHA-256 of the entries (texts and categories) and of `model`'s vector of [`MODEL_PROBE`]:
/// a saved index is used only with the tables and the model it was made with.
fn fingerprint(entries: &[BaseEntry], model: &dyn Embedder) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    for (text, category, _) in entries {
        h.update(text.as_bytes());
        h.update([0]);
        h.update(category.as_bytes());
        h.update([b'\n']);
    }
    h.update((model.dim() as u64).to_le_bytes());
    for x in model.vector(MODEL_PROBE) {
        h.update(x.to_le_bytes());
    }
    h.finalize().into()
}

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
    /// Every text the index is made of, the model's probe first: what a host that supplies
    /// its model's vectors ([`crate::memory::SuppliedVectors`]) embeds once.
    pub fn texts() -> Vec<&'static str> {
        std::iter::once(MODEL_PROBE)
            .chain(builtin_entries().into_iter().map(|e| e.0))
            .collect()
    }

    /// Whether `model` can embed every text of the index now (cheap when it cannot embed the
    /// probe, the first text asked).
    pub fn can_build(model: &dyn Embedder) -> bool {
        model.can_embed(MODEL_PROBE) && builtin_entries().iter().all(|e| model.can_embed(e.0))
    }

    /// Embeds the built-in merchant base with `model` (thousands of texts: seconds to a minute
    /// with a small sentence model on one core); `None` when the model failed on any entry (a
    /// vector of zeros, NaN or the wrong length), so that a later call asks it again rather
    /// than keep a base with holes.
    pub fn build(model: &dyn Embedder) -> Option<MerchantBaseIndex> {
        let entries = builtin_entries();
        let mut index = MerchantBaseIndex::empty(model.dim(), entries.len());
        for chunk in entries.chunks(BUILD_BATCH) {
            let batch: Vec<&str> = chunk.iter().map(|e| e.0).collect();
            for (entry, v) in chunk.iter().zip(model.vectors(&batch)) {
                if is_failure(&v) {
                    return None;
                }
                index.insert(*entry, &v);
            }
        }
        (index.len() == entries.len()).then_some(index)
    }

    fn empty(dim: usize, capacity: usize) -> MerchantBaseIndex {
        MerchantBaseIndex {
            index: FlatIndex::new(dim),
            entries: HashMap::with_capacity(capacity),
        }
    }

    /// Adds an entry with the model's vector; a vector the model got wrong (NaN, wrong
    /// length) leaves it out.
    fn insert(&mut self, (text, category, origin): BaseEntry, vector: &[f32]) {
        if self.index.upsert(text, vector).is_ok() {
            self.entries.insert(text.to_string(), (category, origin));
        }
    }

    /// Adds an entry with a vector saved from an index ([`MerchantBaseIndex::to_bytes`]).
    fn restore(&mut self, (text, category, origin): BaseEntry, vector: &[f32]) {
        if self.index.upsert_stored(text, vector).is_ok() {
            self.entries.insert(text.to_string(), (category, origin));
        }
    }

    /// The index as bytes a host can keep and give back to [`MerchantBaseIndex::from_bytes`]
    /// instead of embedding the base again: a header, the fingerprint of the built-in tables
    /// and of `model` (see [`fingerprint`]), then every entry's vector in the tables' order
    /// (little-endian `f32`s; an entry the model failed is all NaN).
    pub fn to_bytes(&self, model: &dyn Embedder) -> Vec<u8> {
        let entries = builtin_entries();
        let dim = self.index.dim();
        let mut out = Vec::with_capacity(SAVED_MAGIC.len() + 32 + entries.len() * dim * 4);
        out.extend_from_slice(SAVED_MAGIC);
        out.extend_from_slice(&fingerprint(&entries, model));
        for (text, ..) in &entries {
            let v = self
                .index
                .vector(text)
                .unwrap_or_else(|| vec![f32::NAN; dim]);
            v.iter()
                .for_each(|x| out.extend_from_slice(&x.to_le_bytes()));
        }
        out
    }

    /// The index saved by [`MerchantBaseIndex::to_bytes`], when it was saved for these
    /// built-in tables and this `model` (one probe text is embedded to tell); `None` when the
    /// bytes are for other tables, another model, or damaged.
    pub fn from_bytes(bytes: &[u8], model: &dyn Embedder) -> Option<MerchantBaseIndex> {
        let entries = builtin_entries();
        let dim = model.dim();
        let body = bytes.strip_prefix(SAVED_MAGIC.as_slice())?;
        let (saved_print, vectors) = body.split_at_checked(32)?;
        if vectors.len() != entries.len() * dim * 4 || saved_print != fingerprint(&entries, model) {
            return None;
        }
        let mut index = MerchantBaseIndex::empty(dim, entries.len());
        for (entry, raw) in entries.iter().zip(vectors.chunks_exact(dim * 4)) {
            let v: Vec<f32> = raw
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
                .collect();
            index.restore(*entry, &v);
        }
        Some(index)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The `k` entries nearest to `query`, nearest first (none when `query` is not of the
    /// model's length).
    pub fn nearest(&self, query: &[f32], k: usize) -> Vec<BaseNeighbour> {
        self.index
            .search(query, k, None)
            .into_iter()
            .filter_map(|(text, similarity)| {
                let &(category, origin) = self.entries.get(&text)?;
                Some(BaseNeighbour {
                    text,
                    category,
                    origin,
                    similarity,
                })
            })
            .collect()
    }
}

impl BaseVote {
    /// The vote of `nearest` (nearest first) at or above `min_similarity`, each weighing its
    /// similarity to [`SIMILARITY_POWER`]; `None` when none is that close.
    pub fn among(nearest: &[BaseNeighbour], min_similarity: f32) -> Option<BaseVote> {
        let neighbours: Vec<BaseNeighbour> = nearest
            .iter()
            .take_while(|n| n.similarity >= min_similarity)
            .cloned()
            .collect();
        let mut weights: BTreeMap<&'static str, (f64, f32)> = BTreeMap::new();
        for n in &neighbours {
            let w = weights.entry(n.category).or_insert((0.0, 0.0));
            w.0 += f64::from(n.similarity).powi(SIMILARITY_POWER);
            w.1 = w.1.max(n.similarity);
        }
        let total: f64 = weights.values().map(|w| w.0).sum();
        // the heaviest category; on a tie the first in id order
        let (category, (weight, best)) = weights.into_iter().fold(
            None::<(&'static str, (f64, f32))>,
            |top, (c, w)| match top {
                Some((_, tw)) if tw.0 >= w.0 => top,
                _ => Some((c, w)),
            },
        )?;
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
        let base = MerchantBaseIndex::build(&model).unwrap();
        let kb = KnowledgeBase::builtin();
        assert!(
            base.len() > kb.merchant_count(),
            "merchants and MCC descriptions"
        );
        // a known merchant's own key is its own nearest entry
        let vote = BaseVote::among(&base.nearest(&model.vector("starbucks"), 5), 0.9).unwrap();
        assert_eq!(vote.category, "food.coffee");
        assert_eq!(vote.neighbours[0].text, "starbucks");
        assert_eq!(vote.neighbours[0].origin, BaseOrigin::Merchant);
        // nothing that close to noise
        assert!(BaseVote::among(&base.nearest(&model.vector("zqxv wkpt"), 5), 0.9).is_none());
        // a vector of another length finds nothing
        assert!(base.nearest(&[1.0, 0.0], 5).is_empty());
    }

    #[test]
    fn a_saved_base_comes_back_only_for_the_model_it_was_made_with() {
        let model = HashingEmbedder::default();
        let base = MerchantBaseIndex::build(&model).unwrap();
        let bytes = base.to_bytes(&model);
        let back = MerchantBaseIndex::from_bytes(&bytes, &model).unwrap();
        assert_eq!(back.len(), base.len());
        let q = model.vector("starbucks reserve");
        assert_eq!(back.nearest(&q, 5), base.nearest(&q, 5));
        // another model (here: other dimensions), damaged or cut bytes: not taken
        let other = HashingEmbedder::new(128).unwrap();
        assert!(MerchantBaseIndex::from_bytes(&bytes, &other).is_none());
        let mut damaged = bytes.clone();
        damaged[10] ^= 1;
        assert!(MerchantBaseIndex::from_bytes(&damaged, &model).is_none());
        assert!(MerchantBaseIndex::from_bytes(&bytes[..bytes.len() - 4], &model).is_none());
        assert!(MerchantBaseIndex::from_bytes(b"", &model).is_none());
    }
}
