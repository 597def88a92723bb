//! The vectors a sentence-embedding model computed lately, so a merchant seen again (a
//! first sighting categorized, then learned; the same unknown merchant on many rows of an
//! export) costs the model once.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use super::embed::{is_failure, Embedder};

/// Texts kept per generation. Two generations are kept: when the newer fills up it becomes
/// the older and the older is dropped, so a text used within the last `2 ×` this many
/// embeddings is usually still there. At 384 dimensions a generation holds about 6 MiB.
pub(crate) const RECENT_VECTORS_PER_GENERATION: usize = 4096;

#[derive(Debug, Default)]
struct Generations {
    newer: HashMap<String, Arc<[f32]>>,
    older: HashMap<String, Arc<[f32]>>,
}

/// A model with a memory of the vectors it computed lately; everything else is the model's.
#[derive(Debug)]
pub(crate) struct RecentVectors {
    model: Arc<dyn Embedder>,
    recent: Mutex<Generations>,
    per_generation: usize,
}

impl RecentVectors {
    pub fn new(model: Arc<dyn Embedder>) -> RecentVectors {
        RecentVectors::with_capacity(model, RECENT_VECTORS_PER_GENERATION)
    }

    fn with_capacity(model: Arc<dyn Embedder>, per_generation: usize) -> RecentVectors {
        RecentVectors {
            model,
            recent: Mutex::default(),
            per_generation: per_generation.max(1),
        }
    }

    fn lookup(&self, text: &str) -> Option<Arc<[f32]>> {
        let mut g = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(v) = g.newer.get(text) {
            return Some(v.clone());
        }
        let v = g.older.remove(text)?;
        self.keep(&mut g, text, v.clone());
        Some(v)
    }

    fn keep(&self, g: &mut Generations, text: &str, v: Arc<[f32]>) {
        if g.newer.len() >= self.per_generation {
            g.older = std::mem::take(&mut g.newer);
        }
        g.newer.insert(text.to_string(), v);
    }

    /// Keeps a vector the model computed, unless it is a failure ([`is_failure`]): the next
    /// call should ask the model again.
    fn remember(&self, text: &str, v: &[f32]) {
        if is_failure(v) {
            return;
        }
        let mut g = self.recent.lock().unwrap_or_else(|p| p.into_inner());
        self.keep(&mut g, text, v.into());
    }
}

impl Embedder for RecentVectors {
    fn dim(&self) -> usize {
        self.model.dim()
    }

    fn embed(&self, text: &str, out: &mut [f32]) {
        if let Some(v) = self.lookup(text) {
            out.iter_mut().zip(v.iter()).for_each(|(o, x)| *o = *x);
            return;
        }
        self.model.embed(text, out);
        self.remember(text, out);
    }

    /// Batches (the merchant base, a tenant's merchants) go to the model whole: they would
    /// only push the recent texts out.
    fn vectors(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        self.model.vectors(texts)
    }

    fn can_embed(&self, text: &str) -> bool {
        self.model.can_embed(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// Counts its calls; fails (zeros) on texts starting with `!`.
    #[derive(Debug, Default)]
    struct Counting(AtomicUsize);

    impl Embedder for Counting {
        fn dim(&self) -> usize {
            2
        }
        fn embed(&self, text: &str, out: &mut [f32]) {
            self.0.fetch_add(1, Ordering::Relaxed);
            let x = if text.starts_with('!') { 0.0 } else { 1.0 };
            out.copy_from_slice(&[x, text.len() as f32 * x]);
        }
    }

    #[test]
    fn a_text_seen_lately_costs_the_model_once_and_a_failure_is_asked_again() {
        let model = Arc::new(Counting::default());
        let recent = RecentVectors::with_capacity(model.clone(), 2);
        assert_eq!(recent.vector("ab"), vec![1.0, 2.0]);
        assert_eq!(recent.vector("ab"), vec![1.0, 2.0]);
        assert_eq!(model.0.load(Ordering::Relaxed), 1);
        recent.vector("!x");
        recent.vector("!x");
        assert_eq!(model.0.load(Ordering::Relaxed), 3);
        // "ab" moves to the older generation, then comes back; "c" is pushed out by "d", "e"
        for t in ["c", "d", "ab", "e", "f"] {
            recent.vector(t);
        }
        let before = model.0.load(Ordering::Relaxed);
        recent.vector("ab");
        assert_eq!(model.0.load(Ordering::Relaxed), before, "kept");
        recent.vector("c");
        assert_eq!(model.0.load(Ordering::Relaxed), before + 1, "dropped");
    }
}
