//! The engine's sentence-embedding model: given as an [`Embedder`] the engine calls, or as
//! vectors the host computes itself and supplies ahead ([`Engine::with_supplied_vectors`]); the
//! merchant base in its vectors.

use std::collections::HashSet;
use std::sync::Arc;

use super::context::Semantic;
use super::engine::Engine;
use crate::error::{Error, Result};
use crate::memory::{Embedder, MerchantBaseIndex, RecentVectors, SuppliedVectors};
use crate::model::Transaction;

impl Engine {
    /// The engine with the host's sentence-embedding model (all-MiniLM-L6-v2 and the like,
    /// behind [`Embedder`]) asked about merchants nothing else knows well: the tenant's
    /// merchants it finds close may replace a weak guess of similarity memory and the
    /// classifier, and for a merchant no table names, the nearest known merchants and card
    /// code descriptions answer (the merchant base is embedded once, when first needed, and
    /// shared by the engine's clones; [`Engine::warm_semantic`] does it up front). Tenants the
    /// engine holds get their merchants embedded now.
    ///
    /// The model costs far more per merchant than the built-in tables: it runs only for a
    /// merchant the tenant's own memory did not settle, and the engine keeps the vectors of
    /// the last few thousand merchants it asked about (so a first sighting that is then
    /// learned, or an unknown merchant on many rows, costs one call).
    pub fn with_semantic_embedder(mut self, model: Arc<dyn Embedder>) -> Result<Self> {
        if model.dim() == 0 {
            return Err(Error::invalid("embedder dimension must be positive"));
        }
        self.set_semantic_model(Arc::new(RecentVectors::new(model)));
        Ok(self)
    }

    /// Embeds the merchant base with the engine's sentence-embedding model now, instead of
    /// when the first merchant that needs it comes; returns its number of entries (0 without
    /// a model, or while supplied vectors lack some of its texts).
    pub fn warm_semantic(&self) -> usize {
        self.semantic()
            .and_then(|s| s.merchant_base().map(MerchantBaseIndex::len))
            .unwrap_or(0)
    }

    /// The host's sentence-embedding model and the merchant base in its vectors, if it gave
    /// one.
    pub(super) fn semantic(&self) -> Option<Semantic<'_>> {
        Some(Semantic {
            model: self.embedders.semantic.as_deref()?,
            merchant_base: &self.merchant_base,
        })
    }

    /// The merchant base in the model's vectors as bytes to keep (a file, a cache) and give
    /// to [`Engine::load_semantic_base`] in a later process instead of embedding it again;
    /// embeds it first if no call did. `None` without a model, or while supplied vectors lack
    /// some of its texts.
    pub fn save_semantic_base(&self) -> Option<Vec<u8>> {
        let semantic = self.semantic()?;
        Some(semantic.merchant_base()?.to_bytes(semantic.model))
    }

    /// Takes a merchant base saved by [`Engine::save_semantic_base`]; `true` when taken.
    /// Bytes saved with another model or other built-in tables, or damaged, are ignored
    /// (`false`), as they are once the base is built, or without a model: the engine then
    /// embeds the base itself when it needs it. With supplied vectors, supply the vector of the
    /// first text [`Engine::semantic_texts`] lists (the text standing for the model in the
    /// saved bytes) before loading.
    pub fn load_semantic_base(&self, bytes: &[u8]) -> bool {
        let Some(model) = self.embedders.semantic.as_deref() else {
            return false;
        };
        match MerchantBaseIndex::from_bytes(bytes, model) {
            Some(base) => self.merchant_base.set(base).is_ok(),
            None => false,
        }
    }

    /// The engine with a sentence-embedding model the host runs itself and whose vectors it
    /// supplies ahead of the calls that need them, for a model the engine cannot call (a
    /// JavaScript function, an async or remote model): the host asks
    /// [`Engine::semantic_texts`] which texts the next calls need, embeds them, and gives the
    /// vectors (of length `dim`) to [`Engine::supply_semantic_vectors`]. A text without a
    /// vector is passed over: the semantic stages then answer nothing for it. The stages are
    /// those of [`Engine::with_semantic_embedder`].
    ///
    /// ```
    /// use xspense::{model::TransactionInput, Engine};
    /// let mut engine = Engine::new().with_supplied_vectors(3)?;
    /// let tx = TransactionInput::from_json(serde_json::json!({"tenant": "acme",
    ///     "descriptor": "SUNRISE DENTAL CLINIC", "amount": "-120.00", "date": "2026-11-02"}))?
    ///     .into_transaction("t1")?;
    /// let texts = engine.semantic_texts(std::slice::from_ref(&tx));
    /// // the model's probe and the merchant base (once), then the transaction's merchant
    /// assert_eq!(texts.last().map(String::as_str), Some("sunrise dental clinic"));
    /// let vectors: Vec<Vec<f32>> = texts.iter().map(|t| vec![t.len() as f32, 1.0, 0.5]).collect();
    /// engine.supply_semantic_vectors(&texts, &vectors)?;
    /// assert!(engine.semantic_texts(&[tx]).is_empty());
    /// # Ok::<(), xspense::Error>(())
    /// ```
    pub fn with_supplied_vectors(mut self, dim: usize) -> Result<Self> {
        self.use_supplied_vectors(dim)?;
        Ok(self)
    }

    /// [`Engine::with_supplied_vectors`] on an engine in place (for a host holding it behind a
    /// lock); replaces any model the engine had.
    pub fn use_supplied_vectors(&mut self, dim: usize) -> Result<()> {
        let table = Arc::new(SuppliedVectors::new(dim)?);
        self.set_semantic_model(table.clone());
        self.supplied = Some(table);
        Ok(())
    }

    /// Makes `model` the engine's sentence-embedding model (its dimension checked by the
    /// caller): a new merchant base, the tenants' merchants embedded again.
    fn set_semantic_model(&mut self, model: Arc<dyn Embedder>) {
        self.embedders.semantic = Some(model);
        self.merchant_base = Arc::default();
        self.supplied = None;
        for t in self.tenants.values_mut() {
            t.similar.rebuild(&self.embedders);
        }
    }

    /// The texts the engine's model has no vector for yet that calls about `txs` would embed,
    /// in order and each once: while the merchant base is not built, the model's probe and
    /// the base's texts (about nine thousand, once per engine); each transaction's merchant
    /// key; the merchants its tenant learned without a vector. Empty without a model, and
    /// always for a model the engine calls itself.
    pub fn semantic_texts(&self, txs: &[Transaction]) -> Vec<String> {
        let Some(semantic) = self.semantic() else {
            return Vec::new();
        };
        let model = semantic.model;
        let mut wanted: Vec<&str> = Vec::new();
        if self.merchant_base.get().is_none() {
            wanted.extend(MerchantBaseIndex::texts());
        }
        let keys: Vec<_> = txs
            .iter()
            .map(|tx| self.normalize_transaction(tx))
            .collect();
        wanted.extend(keys.iter().map(|k| k.key.as_str()));
        for tx in txs {
            if let Some(t) = self.tenants.get(&tx.tenant) {
                wanted.extend(t.similar.keys_without_semantic());
            }
        }
        let mut seen = HashSet::new();
        wanted
            .into_iter()
            .filter(|t| !t.is_empty() && !model.can_embed(t) && seen.insert(*t))
            .map(String::from)
            .collect()
    }

    /// Gives an engine built with [`Engine::with_supplied_vectors`] the vectors of `texts`
    /// (`vectors[i]` is `texts[i]`'s, of the engine's length, finite, not all zero); the
    /// tenants' merchants learned without a vector get theirs. Returns how many texts were
    /// new. A wrong count, length or value is an `invalid_input` error naming the vector, and
    /// nothing is stored; so is an engine whose model is not supplied vectors.
    pub fn supply_semantic_vectors(
        &mut self,
        texts: &[String],
        vectors: &[Vec<f32>],
    ) -> Result<usize> {
        let table = self.supplied.as_ref().ok_or_else(|| {
            Error::invalid(
                "this engine's model is not supplied vectors: build it with_supplied_vectors",
            )
        })?;
        let new = table.supply(texts, vectors)?;
        for t in self.tenants.values_mut() {
            t.similar.fill_semantic(&self.embedders);
        }
        Ok(new)
    }
}
