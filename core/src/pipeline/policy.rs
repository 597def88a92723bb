//! The pipeline's scoring policy: the thresholds, caps and discounts that are not
//! [`EngineConfig`](super::EngineConfig) settings.

/// Most confidence a guess for a new merchant gets when the similarity vote and the classifier
/// agree: agreement makes both more believable (`1 - (1 - a)(1 - b)`), never certain.
pub(super) const AGREEMENT_MAX_CONFIDENCE: f64 = 0.97;

/// When the similarity vote and the classifier disagree, the more confident one speaks, its
/// confidence lowered by this share of the other's.
pub(super) const DISAGREEMENT_RIVAL_WEIGHT: f64 = 0.5;

/// Cold-start answers below this confidence (a built-in category the tenant has not shown how it
/// names) are only best guesses.
pub(super) const WEAK_COLD_START: f64 = 0.5;

/// How much less confident a knowledge-base answer from the solyanka descriptor table is than
/// one for a recognized brand (`knowledge_confidence`).
pub(super) const SOLYANKA_DISCOUNT: f64 = 0.1;

/// A tenant's label for a built-in category counts as its habit from this share of the votes…
pub(super) const HABIT_MIN_SHARE: f64 = 0.5;
/// …and this many votes.
pub(super) const HABIT_MIN_SUPPORT: f64 = 2.0;

/// Share of a cold-start answer's confidence kept when it is named after the category's family
/// (`transport`) rather than the category itself (`transport.fuel`).
pub(super) const FAMILY_DISCOUNT: f64 = 0.9;

/// Most times the classifier relearns one stored merchant when memory is rebuilt from alias
/// entries (once per vote the merchant received, up to this).
pub(super) const RELEARN_MAX_REPEATS: u32 = 3;

/// Confidence of a bank phrase from the vocabulary (`ATM WITHDRAWAL`, `Gehalt`) at weight 1: the
/// bank's own words for what the transaction is, so high, though below a tenant's rule.
pub(super) const BANK_PHRASE_CONFIDENCE: f64 = 0.85;

/// Confidence of a word in the merchant's name from the vocabulary (`pizza`, `apotheke`) at
/// weight 1: a name can say anything (`Pizza Hut Express Parking`), so it stays below
/// [`WEAK_COLD_START`]: only a best guess (low band), which the host's model is still asked to
/// confirm, and which stands when the model is not asked.
pub(super) const MERCHANT_WORD_CONFIDENCE: f64 = 0.45;

/// Confidence of the bank's own category (`Transaction::bank_category`) when it maps to a
/// detailed category (`Merchandise & Supplies-Groceries`: `food.groceries`): the bank or
/// aggregator filed the transaction itself, usually from the merchant's code and name, so it
/// decides, though below a bank phrase and a known merchant.
pub(super) const BANK_CATEGORY_CONFIDENCE: f64 = 0.75;

/// Confidence of the bank's own category when it maps only to a family (`Shopping`:
/// `shopping`): right about the family but not the category, so below [`WEAK_COLD_START`]: a
/// best guess, which the MCC or the host's model may still make more specific.
pub(super) const BANK_CATEGORY_FAMILY_CONFIDENCE: f64 = 0.45;

// The four semantic thresholds were chosen on five of the prequential streams (`*_hard`,
// all-MiniLM-L6-v2) and checked on the other five and on the cold-start run; the figures are
// in docs/semantic-embedder.md.

/// Least cosine similarity, in the host's sentence-embedding model, of a merchant the tenant
/// filed for it to vote about a new one. Sentence models put unrelated short names at 0.1 to
/// 0.4 and names of one trade from about 0.4 to 0.5.
pub(super) const SEMANTIC_MIN_SIMILARITY: f32 = 0.4;

/// Least confidence of a semantic answer (the tenant's merchants' vote, or close merchant-base
/// entries) to replace a weaker guess of similarity memory or the classifier as the best
/// guess.
pub(super) const SEMANTIC_OVERRULE_MIN_CONFIDENCE: f64 = 0.3;

/// Least cosine similarity of a merchant-base entry (a known merchant, a merchant category
/// code's description) to answer for a merchant no table names, where nothing else guessed.
pub(super) const SEMANTIC_BASE_MIN_SIMILARITY: f32 = 0.5;

/// Least cosine similarity of the merchant-base entries whose vote may replace a weaker guess
/// of similarity memory or the classifier (only those entries vote then: the wider vote of
/// [`SEMANTIC_BASE_MIN_SIMILARITY`] dilutes the close ones).
pub(super) const SEMANTIC_BASE_OVERRULE_MIN_SIMILARITY: f32 = 0.7;
