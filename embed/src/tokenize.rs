//! Text to token ids, as sentence-transformers does it for this model: the model's own
//! tokenizer.json (lower-casing BERT normalizer, BERT pre-tokenizer, WordPiece), `[CLS]` and
//! `[SEP]` added, truncated to [`MAX_TOKENS`] tokens, no padding (batches pad themselves).

use std::path::Path;

use tokenizers::{Tokenizer, TruncationParams};

use crate::model_files::{self, TOKENIZER_FILE};
use crate::EmbedError;

/// Longest token sequence, special tokens included (sentence-transformers' `max_seq_length`
/// for all-MiniLM-L6-v2; its tokenizer.json says 128, which sentence-transformers overrides).
pub const MAX_TOKENS: usize = 256;

/// Longest input read, in bytes (cut at a character boundary). 256 tokens of ordinary text
/// fit in far less; the cap bounds the tokenizer's work on pathological input.
pub const MAX_INPUT_BYTES: usize = 32 * 1024;

/// The model's tokenizer, set up for embedding.
#[derive(Debug, Clone)]
pub struct TextTokenizer {
    inner: Tokenizer,
}

impl TextTokenizer {
    /// Reads `dir/tokenizer.json`; its own truncation and padding are replaced.
    pub fn load(dir: &Path) -> Result<TextTokenizer, EmbedError> {
        let mut inner = model_files::tokenizer(dir)?;
        inner.with_padding(None);
        let truncation = TruncationParams {
            max_length: MAX_TOKENS,
            ..TruncationParams::default()
        };
        inner
            .with_truncation(Some(truncation))
            .map_err(|e| EmbedError::malformed(dir.join(TOKENIZER_FILE), e))?;
        Ok(TextTokenizer { inner })
    }

    /// The token ids of `text` (at most [`MAX_TOKENS`], `[CLS]` first, `[SEP]` last).
    pub fn try_encode(&self, text: &str) -> Result<Vec<u32>, EmbedError> {
        let encoding = self
            .inner
            .encode(capped(text), true)
            .map_err(|e| EmbedError::Tokenize(e.to_string()))?;
        Ok(encoding.get_ids().to_vec())
    }

    /// The token ids of `text`, never failing: when the tokenizer rejects the text, it is
    /// retried without control characters, then with letters, digits and spaces only, then
    /// as the empty text (`[CLS] [SEP]`, which the tokenizer always accepts).
    pub fn encode(&self, text: &str) -> Vec<u32> {
        use std::borrow::Cow;
        use std::iter::{once, once_with};
        let without_controls = || text.chars().filter(|c| !c.is_control()).collect();
        let plain = || {
            let keep = |c: &char| c.is_alphanumeric() || *c == ' ';
            text.chars().filter(keep).collect()
        };
        once(Cow::Borrowed(text))
            .chain(once_with(|| Cow::Owned(without_controls())))
            .chain(once_with(|| Cow::Owned(plain())))
            .chain(once(Cow::Borrowed("")))
            .find_map(|t| self.try_encode(&t).ok())
            // the empty text is checked at load time (SentenceEmbedder::load), so this is
            // not reached
            .unwrap_or_default()
    }
}

/// `text` cut to at most [`MAX_INPUT_BYTES`] bytes at a character boundary.
fn capped(text: &str) -> &str {
    if text.len() <= MAX_INPUT_BYTES {
        return text;
    }
    let mut end = MAX_INPUT_BYTES;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capped_cuts_at_a_char_boundary() {
        let text = "é".repeat(MAX_INPUT_BYTES);
        let cut = capped(&text);
        assert!(cut.len() <= MAX_INPUT_BYTES);
        assert!(cut.chars().all(|c| c == 'é'));
        assert_eq!(capped("short"), "short");
    }
}
