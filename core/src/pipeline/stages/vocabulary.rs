//! Cold start from the built-in vocabulary of bank phrases and category words
//! ([`Vocabulary`]): two stages over one table.
//!
//! - [`bank_phrases`] runs before the knowledge base: a bank's own phrase (`DIRECT DEPOSIT`,
//!   `ATM WITHDRAWAL`, `PAYMENT THANK YOU`, `Miete`) says what the transaction is, whoever the
//!   counterparty is, so it beats the merchant's usual category; except that a single word
//!   (`INTEREST`, `RENT`) yields to a merchant the knowledge base knows, whose name it may be
//!   part of, unless it holds only for money in (`DIVIDEND`); and a phrase that only says money
//!   moved (`TRANSFER TO`, `Überweisung`) yields to a known merchant or a category word in the
//!   payee's name (`Zahnarztpraxis`).
//! - [`merchant_words`] runs last, after the knowledge base and the MCC: a word in the
//!   merchant's name (`pizza`, `apotheke`) is only a hint, and what is known about the merchant
//!   itself beats it. Its answer is never more than a best guess (`MERCHANT_WORD_CONFIDENCE`
//!   is below the deciding threshold): the host's model is still asked, and the guess stands
//!   when it is not.
//!
//! Both speak through the knowledge switch (`EngineConfig::knowledge`) and answer with source
//! `knowledge`; the trace step (`vocabulary`) names the phrase and its language. A tenant with
//! its own label set gets the answer in its labels (bank phrases by how it filed transactions
//! with bank phrases, `TenantState::phrase_labels`; merchant words by how it filed known
//! merchants, like the knowledge stage) or no answer at all.

use super::{cold_start, Answer, StageOutcome};
use crate::knowledge::{Kind, KnowledgeBase, Vocabulary, WordMatch};
use crate::memory::LabelMap;
use crate::model::{Source, TraceStep};
use crate::pipeline::context::Context;
use crate::pipeline::narrate;
use crate::pipeline::policy::{BANK_PHRASE_CONFIDENCE, MERCHANT_WORD_CONFIDENCE};

/// A bank phrase anywhere in the descriptor.
pub(super) fn bank_phrases(ctx: &Context<'_>, trace: &mut Vec<TraceStep>) -> StageOutcome {
    let l = &ctx.lookup;
    if !l.config.knowledge {
        return StageOutcome::Nothing;
    }
    let Some(m) = Vocabulary::builtin().best(&l.tx.descriptor, l.tx.direction, Kind::BankPhrase)
    else {
        return StageOutcome::Nothing;
    };
    let known = || {
        KnowledgeBase::builtin()
            .merchant(l.keys.key.as_str())
            .is_some()
    };
    if (m.yields_to_known_merchant() || m.only_moves_money()) && known() {
        trace.push(narrate::phrase_yields(&m, &l.keys.key));
        return StageOutcome::Nothing;
    }
    if m.only_moves_money() {
        let vocabulary = Vocabulary::builtin();
        if let Some(word) = vocabulary.best(l.keys.key.as_str(), l.tx.direction, Kind::MerchantWord)
        {
            trace.push(narrate::phrase_yields_to_word(&m, &word));
            return StageOutcome::Nothing;
        }
    }
    answer(
        ctx,
        trace,
        &m,
        &l.tenant.phrase_labels,
        BANK_PHRASE_CONFIDENCE,
    )
}

/// A category word in the merchant key.
pub(super) fn merchant_words(ctx: &Context<'_>, trace: &mut Vec<TraceStep>) -> StageOutcome {
    let l = &ctx.lookup;
    if !l.config.knowledge {
        return StageOutcome::Nothing;
    }
    let Some(m) =
        Vocabulary::builtin().best(l.keys.key.as_str(), l.tx.direction, Kind::MerchantWord)
    else {
        return StageOutcome::Nothing;
    };
    answer(ctx, trace, &m, &l.tenant.labels, MERCHANT_WORD_CONFIDENCE)
}

/// The entry's category in the tenant's words (by the habits in `labels`: how it named bank
/// phrases' categories, or known merchants' for a word in a name), or nothing when the tenant
/// files under its own labels and has not shown how it names this one.
fn answer(
    ctx: &Context<'_>,
    trace: &mut Vec<TraceStep>,
    m: &WordMatch<'_>,
    labels: &LabelMap,
    kind_confidence: f64,
) -> StageOutcome {
    let l = &ctx.lookup;
    let builtin = m.entry.category;
    if !l.tenant.taxonomy.contains(builtin) {
        return StageOutcome::Nothing;
    }
    let translated =
        cold_start::translate(l.tenant, labels, builtin, kind_confidence * m.entry.weight);
    let Some((category, confidence)) = translated else {
        trace.push(narrate::vocabulary_unnamed(m));
        return StageOutcome::Nothing;
    };
    trace.push(narrate::vocabulary_match(m, &category, confidence));
    let reason = narrate::vocabulary_reason(&ctx.merchant, m, &category);
    cold_start::settle(Answer {
        category,
        confidence,
        source: Source::Knowledge,
        reason,
    })
}
