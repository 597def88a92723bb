//! The stages a transaction goes through, in the order they run. Each is a function over the
//! shared [`Context`] that adds its steps to the trace and says what it concluded; adding a
//! stage means writing its function and listing it in [`STAGES`].

mod alias;
mod bank_category;
mod cold_start;
pub(super) mod guess;
mod knowledge;
mod mcc;
mod rules;
mod semantic;
mod vocabulary;

use super::context::Context;
use crate::model::{Source, TraceStep};

/// A stage: reads the context, adds its steps to the trace, says what it concluded.
pub(super) type Stage = fn(&Context<'_>, &mut Vec<TraceStep>) -> StageOutcome;

/// The stages in the order they run, after normalization and before the fallback (the host's
/// model, or the best guess): the tenant's own (rules, memory, guesses from its merchants),
/// then the built-in tables from the strongest evidence to the weakest (a bank's phrase for the
/// transaction, the known merchant, the bank's own category, the card network's code, a word in
/// the merchant's name). With the host's sentence-embedding model, its two stages stand where
/// their evidence ranks: the tenant's merchants it finds close after the other guesses from the
/// tenant's merchants, and the merchant base's nearest entries last, where no table named the
/// merchant, its trade or a word of its name.
pub(super) const STAGES: [Stage; 10] = [
    rules::stage,
    alias::stage,
    guess::stage,
    semantic::tenant_neighbours,
    vocabulary::bank_phrases,
    knowledge::stage,
    bank_category::stage,
    mcc::stage,
    vocabulary::merchant_words,
    semantic::known_neighbours,
];

/// What a stage proposes.
pub(super) struct Answer {
    pub category: String,
    pub confidence: f64,
    pub source: Source,
    /// Why, in words (see [`narrate`](super::narrate)).
    pub reason: String,
}

/// What a stage concluded.
pub(super) enum StageOutcome {
    /// Confident: the answer is the decision and no later stage runs.
    Decided(Answer),
    /// Not confident: the answer is the best guess unless an earlier stage made one, and the
    /// later stages run.
    Guess(Answer),
    /// The tenant's memory knows this merchant but is not confident: the answer is the best
    /// guess and no later stage runs, since the later stages guess from other merchants and
    /// the built-in tables, which do not overrule what the tenant taught.
    FinalGuess(Answer),
    /// Not confident, but it may stand against the guesses of similarity memory and the
    /// classifier: the answer replaces such a best guess when it is the more confident, and
    /// the later stages run.
    Overrule(Answer),
    /// Nothing to propose.
    Nothing,
}

impl StageOutcome {
    /// Decided at or above `min_confidence`, else a guess.
    fn by_confidence(answer: Answer, min_confidence: f64) -> StageOutcome {
        if answer.confidence >= min_confidence {
            StageOutcome::Decided(answer)
        } else {
            StageOutcome::Guess(answer)
        }
    }
}
