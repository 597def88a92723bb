//! Reading the three files of a model folder, each error naming the file at fault.

use std::path::{Path, PathBuf};

use candle_core::{DType, Device};
use candle_nn::VarBuilder;
use candle_transformers::models::bert::{BertModel, Config};
use tokenizers::Tokenizer;

use crate::EmbedError;

/// The model's architecture (BERT hyper-parameters).
pub const CONFIG_FILE: &str = "config.json";
/// The weights, fp32.
pub const WEIGHTS_FILE: &str = "model.safetensors";
/// The tokenizer (normalizer, pre-tokenizer, WordPiece vocabulary, special tokens).
pub const TOKENIZER_FILE: &str = "tokenizer.json";

/// `dir/name`, or [`EmbedError::Missing`] when it is not a file.
fn existing(dir: &Path, name: &str) -> Result<PathBuf, EmbedError> {
    let path = dir.join(name);
    if path.is_file() {
        Ok(path)
    } else {
        Err(EmbedError::Missing { path })
    }
}

fn read(path: &Path) -> Result<Vec<u8>, EmbedError> {
    std::fs::read(path).map_err(|e| EmbedError::malformed(path.to_path_buf(), e))
}

/// The BERT configuration in `dir/config.json`.
pub fn config(dir: &Path) -> Result<Config, EmbedError> {
    let path = existing(dir, CONFIG_FILE)?;
    let config: Config = serde_json::from_slice(&read(&path)?)
        .map_err(|e| EmbedError::malformed(path.clone(), e))?;
    if config.hidden_size == 0 || config.num_attention_heads == 0 {
        return Err(EmbedError::malformed(
            path,
            "hidden_size and num_attention_heads must be > 0",
        ));
    }
    Ok(config)
}

/// The tokenizer in `dir/tokenizer.json`, as read (its own truncation and padding included).
pub fn tokenizer(dir: &Path) -> Result<Tokenizer, EmbedError> {
    let path = existing(dir, TOKENIZER_FILE)?;
    Tokenizer::from_bytes(read(&path)?).map_err(|e| EmbedError::malformed(path, e))
}

/// The model with the weights of `dir/model.safetensors` (read into memory: no `unsafe` mmap).
pub fn model(dir: &Path, config: &Config, device: &Device) -> Result<BertModel, EmbedError> {
    let path = existing(dir, WEIGHTS_FILE)?;
    let weights = VarBuilder::from_buffered_safetensors(read(&path)?, DType::F32, device)
        .map_err(|e| EmbedError::malformed(path.clone(), e))?;
    BertModel::load(weights, config).map_err(|e| EmbedError::malformed(path, e))
}
