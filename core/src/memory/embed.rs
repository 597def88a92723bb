//! Turning merchant text into vectors.

use std::sync::Arc;

/// Maps text to a fixed-length vector; similar merchants should get close vectors. Hosts can
/// plug in a real model (a sentence-embedding service, ...) by implementing this trait.
pub trait Embedder: Send + Sync + std::fmt::Debug {
    /// Length of every vector.
    fn dim(&self) -> usize;
    /// Writes the L2-normalized vector of `text` into `out` (of length [`Embedder::dim`]).
    fn embed(&self, text: &str, out: &mut [f32]);

    /// The vector of `text` in a new `Vec`.
    ///
    /// ```
    /// use xspense::memory::{Embedder, HashingEmbedder};
    /// let v = HashingEmbedder::default().vector("blue bottle coffee");
    /// assert_eq!(v.len(), 256);
    /// ```
    fn vector(&self, text: &str) -> Vec<f32> {
        let mut v = vec![0.0; self.dim()];
        self.embed(text, &mut v);
        v
    }

    /// The vectors of many texts, in order. A model that embeds a batch faster than its texts
    /// one by one overrides it; the engine calls it to embed the merchant base at once.
    fn vectors(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        texts.iter().map(|t| self.vector(t)).collect()
    }

    /// Whether the model has a vector for `text` now. A model that computes vectors when
    /// asked always has (the default); a table of vectors the host supplied ahead
    /// ([`crate::memory::SuppliedVectors`]) has only those, and the engine passes over the
    /// others instead of using a zero vector.
    fn can_embed(&self, _text: &str) -> bool {
        true
    }
}

/// Whether `v` is how a model says it failed on a text: all zeros (a host model that raised
/// answers with the zero vector, which is close to nothing). Such a vector is neither kept
/// for later nor taken into the merchant base.
pub(crate) fn is_failure(v: &[f32]) -> bool {
    v.iter().all(|x| *x == 0.0)
}

/// The engine's embedders: the one behind similarity memory (the built-in hashing embedder
/// unless the host gives its own), and the host's optional sentence-embedding model, asked
/// about merchants nothing else knows well (see [`crate::Engine::with_semantic_embedder`]).
#[derive(Debug, Clone)]
pub(crate) struct Embedders {
    pub similarity: Arc<dyn Embedder>,
    pub semantic: Option<Arc<dyn Embedder>>,
}

impl Default for Embedders {
    fn default() -> Self {
        Embedders {
            similarity: Arc::new(HashingEmbedder::default()),
            semantic: None,
        }
    }
}

/// The built-in embedder: character 3-, 4- and 5-grams (with word boundaries marked) and word
/// unigrams and bigrams, hashed with signs into `dim` buckets and L2-normalized. It needs no
/// model and gives the same vector everywhere.
///
/// ```
/// use xspense::memory::{Embedder, HashingEmbedder};
/// let e = HashingEmbedder::new(256).unwrap();
/// let v = |s: &str| { let mut v = vec![0.0; 256]; e.embed(s, &mut v); v };
/// let cos = |a: &[f32], b: &[f32]| a.iter().zip(b).map(|(x, y)| x * y).sum::<f32>();
/// assert!(cos(&v("blue bottle coffee"), &v("blue bottle")) > 0.7);
/// assert!(cos(&v("blue bottle coffee"), &v("shell oil")) < 0.2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HashingEmbedder {
    dim: usize,
}

impl HashingEmbedder {
    /// An embedder with `dim` dimensions (8 to 4096).
    pub fn new(dim: usize) -> crate::Result<HashingEmbedder> {
        if !(8..=4096).contains(&dim) {
            return Err(crate::Error::invalid(
                "embedding dimension must be 8 to 4096",
            ));
        }
        Ok(HashingEmbedder { dim })
    }
}

impl Default for HashingEmbedder {
    /// 256 dimensions.
    fn default() -> Self {
        HashingEmbedder { dim: 256 }
    }
}

fn fnv(bytes: impl Iterator<Item = u8>, seed: u64) -> u64 {
    let mut h = 0xcbf2_9ce4_8422_2325u64 ^ seed;
    for b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    // final avalanche so that low bits depend on every byte
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^ (h >> 33)
}

impl Embedder for HashingEmbedder {
    fn dim(&self) -> usize {
        self.dim
    }

    fn embed(&self, text: &str, out: &mut [f32]) {
        out.iter_mut().for_each(|x| *x = 0.0);
        let dim = self.dim as u64;
        let mut add = |h: u64, w: f32| {
            let sign = if h & (1 << 63) == 0 { 1.0 } else { -1.0 };
            out[((h >> 1) % dim) as usize] += sign * w;
        };
        let words: Vec<&str> = text.split_whitespace().collect();
        for (i, w) in words.iter().enumerate() {
            add(fnv(w.bytes(), 1), 1.0);
            if let Some(next) = words.get(i + 1) {
                add(fnv(w.bytes().chain([b' ']).chain(next.bytes()), 2), 0.7);
            }
            // character n-grams of " word " so prefixes and suffixes count
            let padded: Vec<u8> = [b' '].into_iter().chain(w.bytes()).chain([b' ']).collect();
            for n in 3..=5usize {
                if padded.len() < n {
                    continue;
                }
                for g in padded.windows(n) {
                    add(fnv(g.iter().copied(), 10 + n as u64), 0.5);
                }
            }
        }
        let norm = out.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm > 0.0 {
            out.iter_mut().for_each(|x| *x /= norm);
        }
    }
}
