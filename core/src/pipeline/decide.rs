//! One transaction through the pipeline: normalize, run the [stages](super::stages) in order
//! until one decides, and what stands when none does.

use super::context::{Context, Lookup};
use super::engine::Engine;
use super::narrate;
use super::stages::{Answer, StageOutcome, STAGES};
use super::tenant::TenantState;
use crate::model::{Band, Categorization, Source, TraceStep, Transaction, UNCATEGORIZED};
use crate::normalize::{MerchantKey, Normalized};

/// What the stages made of a transaction.
pub(super) enum Outcome {
    /// A stage decided.
    Decided(Categorization),
    /// No stage did.
    Undecided(Undecided),
}

/// What the stages leave when none decided: the fallback (the host's model, or the best
/// guess) takes it from here.
pub(super) struct Undecided {
    /// The first guess a stage made, with the trace as it stood then.
    pub best_guess: Option<Categorization>,
    /// Every stage's steps.
    pub trace: Vec<TraceStep>,
    pub merchant_key: MerchantKey,
    /// The merchant's display name (a rule's rename, else the normalized one).
    pub merchant: String,
}

impl Engine {
    /// Runs the stages over one transaction of tenant `t`, normalized to `keys`.
    pub(super) fn decide(&self, t: &TenantState, tx: &Transaction, keys: &Normalized) -> Outcome {
        let ctx = Context::new(Lookup::new(self, t, tx, keys));
        let mut trace = Vec::with_capacity(4);
        trace.push(narrate::normalized(keys));
        let mut best_guess = None;
        for stage in STAGES {
            match stage(&ctx, &mut trace) {
                StageOutcome::Decided(a) => return Outcome::Decided(ctx.categorization(a, trace)),
                StageOutcome::Guess(a) => {
                    best_guess.get_or_insert_with(|| ctx.categorization(a, trace.clone()));
                }
                StageOutcome::Overrule(a) => {
                    if best_guess.as_ref().is_none_or(|g| overruled(g, &a)) {
                        best_guess = Some(ctx.categorization(a, trace.clone()));
                    }
                }
                StageOutcome::FinalGuess(a) => {
                    best_guess.get_or_insert_with(|| ctx.categorization(a, trace.clone()));
                    break;
                }
                StageOutcome::Nothing => {}
            }
        }
        Outcome::Undecided(Undecided {
            best_guess,
            trace,
            merchant_key: keys.key.clone(),
            merchant: ctx.merchant,
        })
    }
}

impl Undecided {
    /// What stands when the host's model is not asked: the best guess, else `uncategorized`.
    pub fn settle(self, tx: &Transaction) -> Categorization {
        if let Some(mut g) = self.best_guess {
            g.trace.push(narrate::kept_guess());
            return g;
        }
        let mut trace = self.trace;
        trace.push(narrate::nothing_known());
        Categorization {
            transaction_id: tx.id.clone(),
            category: UNCATEGORIZED.into(),
            confidence: 0.0,
            band: Band::Low,
            source: Source::Default,
            reason: narrate::default_reason(&self.merchant),
            merchant_key: self.merchant_key.into_string(),
            merchant: self.merchant,
            tags: Vec::new(),
            trace,
        }
    }
}

/// Whether `answer` replaces the best guess so far: a weaker guess of similarity memory or the
/// classifier, never one of the curated tables (a word in the name, the bank's category).
fn overruled(guess: &Categorization, answer: &Answer) -> bool {
    matches!(guess.source, Source::Similarity | Source::Classifier)
        && guess.confidence < answer.confidence
}
