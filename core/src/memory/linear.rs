//! An online linear classifier per tenant: multiclass passive-aggressive (PA-I) over hashed
//! word and character n-grams of the descriptor (without bank phrases, dates and references),
//! plus amount and direction features. It learns
//! from each correction in microseconds and generalizes across merchants by the words they
//! share, which the per-merchant alias memory cannot.

use std::collections::HashMap;

use crate::model::{Direction, Transaction};
use crate::normalize::fold;

/// Aggressiveness bound of PA-I.
const C: f32 = 0.5;

/// Weight of a descriptor word.
const WORD_WEIGHT: f32 = 1.0;
/// Weight of two descriptor words in a row.
const WORD_PAIR_WEIGHT: f32 = 0.7;
/// Weight of a character n-gram of a descriptor word (padded with a space on either side)…
const CHAR_GRAM_WEIGHT: f32 = 0.4;
/// …of this many characters.
const CHAR_GRAM_LEN: usize = 4;
/// Weight of a merchant-key word.
const KEY_WORD_WEIGHT: f32 = 1.0;
/// Weight of the amount's order of magnitude (with the direction).
const AMOUNT_WEIGHT: f32 = 0.6;
/// Weight of the direction (debit or credit).
const DIRECTION_WEIGHT: f32 = 0.6;
/// Slope of the logistic map from a prediction's margin to its confidence: a margin of 1 (the
/// PA target) maps to about 0.88.
const CONFIDENCE_SLOPE: f64 = 2.0;

/// A prediction with its margin over the runner-up.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Prediction {
    pub label: String,
    pub margin: f32,
    pub confidence: f64,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct OnlineClassifier {
    labels: Vec<String>,
    label_ids: HashMap<String, usize>,
    /// feature hash -> weight per label
    weights: HashMap<u32, Vec<f32>>,
    pub trained: u32,
}

fn hash(bytes: impl Iterator<Item = u8>, seed: u32) -> u32 {
    let mut h: u32 = 0x811c_9dc5 ^ seed.wrapping_mul(0x9e37_79b9);
    for b in bytes {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    h ^ (h >> 15)
}

/// The features of a transaction: hashed n-grams of its detail key (the descriptor without
/// bank phrases, dates and references, which say nothing of the category) and merchant key,
/// with weights, plus amount and direction; L2-normalized.
pub(crate) fn features(tx: &Transaction, merchant_key: &str, detail: &str) -> Vec<(u32, f32)> {
    let mut f = text_features(detail, merchant_key);
    // amount on a log scale, and direction
    let minor = tx.amount.minor.max(1) as f64;
    let bucket = minor.log2().round() as u8;
    let credit = u8::from(matches!(tx.direction, Direction::Credit));
    f.push((hash([bucket, credit].into_iter(), 9), AMOUNT_WEIGHT));
    f.push((hash([credit].into_iter(), 10), DIRECTION_WEIGHT));
    normalize(&mut f);
    f
}

fn normalize(f: &mut [(u32, f32)]) {
    let norm = f.iter().map(|(_, v)| v * v).sum::<f32>().sqrt();
    if norm > 0.0 {
        f.iter_mut().for_each(|(_, v)| *v /= norm);
    }
}

/// Features of descriptor text alone (used to retrain from stored aliases).
pub(crate) fn key_features(merchant_key: &str) -> Vec<(u32, f32)> {
    let mut f = text_features(merchant_key, merchant_key);
    normalize(&mut f);
    f
}

fn text_features(descriptor: &str, merchant_key: &str) -> Vec<(u32, f32)> {
    let text = fold(descriptor);
    let mut f: Vec<(u32, f32)> = Vec::with_capacity(64);
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() > 1 && !w.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    for (i, w) in words.iter().enumerate() {
        f.push((hash(w.bytes(), 1), WORD_WEIGHT));
        if let Some(n) = words.get(i + 1) {
            f.push((
                hash(w.bytes().chain([b' ']).chain(n.bytes()), 2),
                WORD_PAIR_WEIGHT,
            ));
        }
        let padded: Vec<u8> = [b' '].into_iter().chain(w.bytes()).chain([b' ']).collect();
        for g in padded.windows(CHAR_GRAM_LEN) {
            f.push((hash(g.iter().copied(), 4), CHAR_GRAM_WEIGHT));
        }
    }
    for w in merchant_key.split(' ') {
        f.push((hash(w.bytes(), 7), KEY_WORD_WEIGHT));
    }
    f
}

impl OnlineClassifier {
    fn scores(&self, x: &[(u32, f32)]) -> Vec<f32> {
        let mut s = vec![0.0; self.labels.len()];
        for (h, v) in x {
            if let Some(w) = self.weights.get(h) {
                for (k, wk) in w.iter().enumerate() {
                    s[k] += wk * v;
                }
            }
        }
        s
    }

    /// The best label, if at least two labels and `min_examples` examples were seen.
    pub fn predict(&self, x: &[(u32, f32)], min_examples: u32) -> Option<Prediction> {
        if self.labels.len() < 2 || self.trained < min_examples {
            return None;
        }
        let s = self.scores(x);
        let (mut best, mut second) = (0usize, usize::MAX);
        for k in 1..s.len() {
            if s[k] > s[best] {
                second = best;
                best = k;
            } else if second == usize::MAX || s[k] > s[second] {
                second = k;
            }
        }
        let margin = s[best] - s[second];
        let confidence = 1.0 / (1.0 + (-CONFIDENCE_SLOPE * f64::from(margin)).exp());
        Some(Prediction {
            label: self.labels[best].clone(),
            margin,
            confidence,
        })
    }

    /// One PA-I step towards `label`.
    pub fn learn(&mut self, x: &[(u32, f32)], label: &str) {
        let y = match self.label_ids.get(label) {
            Some(&y) => y,
            None => {
                self.labels.push(label.to_string());
                self.label_ids
                    .insert(label.to_string(), self.labels.len() - 1);
                self.labels.len() - 1
            }
        };
        self.trained += 1;
        let n = self.labels.len();
        let s = self.scores(x);
        let rival = (0..n)
            .filter(|&k| k != y)
            .max_by(|&a, &b| s[a].total_cmp(&s[b]));
        let Some(r) = rival else {
            return;
        };
        let loss = (1.0 - (s[y] - s[r])).max(0.0);
        if loss == 0.0 {
            return;
        }
        let sq: f32 = x.iter().map(|(_, v)| v * v).sum();
        let tau = (loss / (2.0 * sq.max(1e-6))).min(C);
        for (h, v) in x {
            let w = self.weights.entry(*h).or_default();
            if w.len() < n {
                w.resize(n, 0.0);
            }
            w[y] += tau * v;
            w[r] -= tau * v;
        }
    }
}
