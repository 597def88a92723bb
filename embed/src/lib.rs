//! A sentence-embedding model behind xspense's [`Embedder`] trait: an all-MiniLM-L6-v2-class
//! BERT run on the CPU with [candle](https://github.com/huggingface/candle), giving the same
//! 384-dimensional, unit-length vectors as sentence-transformers (mean pooling over the
//! attention mask, L2 normalization, inputs truncated at 256 tokens).
//!
//! The model is read from a folder holding `config.json`, `model.safetensors` and
//! `tokenizer.json`; nothing is downloaded at build or run time. Install it with
//! `scripts/install-embedder-model.sh [FOLDER]` (see docs/semantic-embedder.md).
//!
//! ```no_run
//! use std::path::Path;
//! use xspense::memory::Embedder;
//! use xspense_embed::SentenceEmbedder;
//!
//! # fn main() -> Result<(), xspense_embed::EmbedError> {
//! let model = SentenceEmbedder::load(Path::new("target/models/all-MiniLM-L6-v2"))?;
//! let coffee = model.vector("BLUE BOTTLE COFFEE SF");
//! assert_eq!(coffee.len(), model.dim());
//! // many texts at once (padded batches): much faster per text than one by one
//! let names = model.embed_batch(&["Shell Oil 5741", "Walgreens #1234", "Delta Air Lines"]);
//! assert_eq!(names.len(), 3);
//! # Ok(())
//! # }
//! ```
//!
//! [`Embedder::embed`] cannot return an error. Loading runs a probe forward pass, so a model
//! that loads runs; a text the tokenizer rejects is retried sanitised (see
//! [`SentenceEmbedder::embed_batch`]). Should the forward pass still fail, the text gets the
//! zero vector (which is close to nothing: no false match) and
//! [`SentenceEmbedder::inference_failures`] counts it; [`SentenceEmbedder::try_embed`] returns
//! the error instead.

mod error;
mod inference;
mod model_files;
mod tokenize;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use candle_core::Device;
use candle_transformers::models::bert::BertModel;
use xspense::memory::Embedder;

pub use error::{EmbedError, INSTALL_HINT};
pub use model_files::{CONFIG_FILE, TOKENIZER_FILE, WEIGHTS_FILE};
use tokenize::TextTokenizer;
pub use tokenize::{MAX_INPUT_BYTES, MAX_TOKENS};

/// Texts run through the model together in [`SentenceEmbedder::embed_batch`] (after sorting
/// by length, so that little padding is computed).
pub const BATCH_SIZE: usize = 32;

/// A BERT sentence-embedding model (all-MiniLM-L6-v2 class), loaded from a folder.
pub struct SentenceEmbedder {
    model: BertModel,
    tokenizer: TextTokenizer,
    dim: usize,
    dir: PathBuf,
    failures: AtomicU64,
}

impl std::fmt::Debug for SentenceEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SentenceEmbedder")
            .field("dir", &self.dir)
            .field("dim", &self.dim)
            .finish_non_exhaustive()
    }
}

impl SentenceEmbedder {
    /// Loads the model in `dir` (`config.json`, `model.safetensors`, `tokenizer.json`) and
    /// checks it with a probe forward pass. Errors name the file at fault and the install
    /// script.
    pub fn load(dir: &Path) -> Result<SentenceEmbedder, EmbedError> {
        let config = model_files::config(dir)?;
        let tokenizer = TextTokenizer::load(dir)?;
        let model = model_files::model(dir, &config, &Device::Cpu)?;
        let embedder = SentenceEmbedder {
            model,
            tokenizer,
            dim: config.hidden_size,
            dir: dir.to_path_buf(),
            failures: AtomicU64::new(0),
        };
        embedder.probe()?;
        Ok(embedder)
    }

    /// Runs the empty text and a short one through the model, so that a model which loads
    /// also runs.
    fn probe(&self) -> Result<(), EmbedError> {
        let unusable = |reason: String| EmbedError::Unusable {
            dir: self.dir.clone(),
            reason,
        };
        for text in ["", "probe"] {
            let v = self
                .try_embed(text)
                .map_err(|e| unusable(format!("probe {text:?}: {e}")))?;
            if v.len() != self.dim || v.iter().any(|x| !x.is_finite()) {
                return Err(unusable(format!("probe {text:?} gave a bad vector")));
            }
        }
        Ok(())
    }

    /// The folder the model was loaded from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// How many texts got the zero vector because the forward pass failed (see the crate
    /// documentation); 0 in practice.
    pub fn inference_failures(&self) -> u64 {
        self.failures.load(Ordering::Relaxed)
    }

    /// The unit-length vector of `text` (tokenizer errors are returned, not worked around).
    pub fn try_embed(&self, text: &str) -> Result<Vec<f32>, EmbedError> {
        let ids = self.tokenizer.try_encode(text)?;
        let mut vectors = inference::sentence_vectors(&self.model, &[&ids])
            .map_err(|e| EmbedError::Inference(e.to_string()))?;
        Ok(vectors.pop().unwrap_or_default())
    }

    /// The unit-length vectors of `texts`, in order, computed in padded batches of
    /// [`BATCH_SIZE`] texts of similar length. Never fails: texts the tokenizer rejects are
    /// retried sanitised (control characters dropped, then all but letters, digits and
    /// spaces), and a batch whose forward pass fails is retried text by text, a text that
    /// still fails getting the zero vector (counted by [`Self::inference_failures`]).
    pub fn embed_batch(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        let encoded: Vec<Vec<u32>> = texts.iter().map(|t| self.tokenizer.encode(t)).collect();
        let mut order: Vec<usize> = (0..texts.len()).collect();
        order.sort_by_key(|&i| encoded[i].len());
        let mut vectors = vec![Vec::new(); texts.len()];
        for chunk in order.chunks(BATCH_SIZE) {
            let sequences: Vec<&[u32]> = chunk.iter().map(|&i| encoded[i].as_slice()).collect();
            for (&i, v) in chunk.iter().zip(self.vectors_or_zeros(&sequences)) {
                vectors[i] = v;
            }
        }
        vectors
    }

    /// The vectors of `sequences` as one batch, else one by one, else zero vectors.
    fn vectors_or_zeros(&self, sequences: &[&[u32]]) -> Vec<Vec<f32>> {
        if let Ok(vectors) = inference::sentence_vectors(&self.model, sequences) {
            return vectors;
        }
        let single = |ids: &&[u32]| {
            let one = inference::sentence_vectors(&self.model, std::slice::from_ref(ids));
            one.ok().and_then(|mut v| v.pop()).unwrap_or_else(|| {
                self.failures.fetch_add(1, Ordering::Relaxed);
                vec![0.0; self.dim]
            })
        };
        sequences.iter().map(single).collect()
    }
}

impl Embedder for SentenceEmbedder {
    fn dim(&self) -> usize {
        self.dim
    }

    /// The unit-length vector of `text` (see [`SentenceEmbedder::embed_batch`] for how
    /// failures are handled). `out` shorter or longer than [`Embedder::dim`] gets the common
    /// prefix, the rest zeroed.
    fn embed(&self, text: &str, out: &mut [f32]) {
        let ids = self.tokenizer.encode(text);
        let vector = self
            .vectors_or_zeros(&[ids.as_slice()])
            .pop()
            .unwrap_or_default();
        out.fill(0.0);
        out.iter_mut().zip(vector).for_each(|(o, x)| *o = x);
    }

    /// [`SentenceEmbedder::embed_batch`]: the engine embeds the merchant base this way.
    fn vectors(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        self.embed_batch(texts)
    }
}
