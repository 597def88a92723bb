//! Cold start from the bank's own category (`Transaction::bank_category`: Monzo `groceries`,
//! Chase `Bills & Utilities`, Plaid `FOOD_AND_DRINK_COFFEE`) through the built-in table
//! ([`BankCategories`]).
//!
//! It runs after the knowledge base and before the MCC: a bank's category is good evidence for
//! the family, and often the detailed category, but it is mostly derived from the same card
//! network code and is coarser than what is known about a well-known merchant (`Chase`'s
//! `Food & Drink` for Starbucks; the knowledge base says `food.coffee`), and a bank phrase in
//! the descriptor (`ATM WITHDRAWAL`) says what the transaction is whatever the bank's category
//! app filed it under. It beats the MCC: the bank or aggregator chose the category with the
//! code in hand and more besides. A detailed category decides (`BANK_CATEGORY_CONFIDENCE`); a
//! family (`shopping`) is only a best guess (`BANK_CATEGORY_FAMILY_CONFIDENCE`), which the MCC
//! may make more specific.
//!
//! It speaks through the knowledge switch (`EngineConfig::knowledge`) and answers with source
//! `knowledge`; the trace step (`bank_category`) names the bank's text and the mapped category.
//! A tenant with its own label set gets the answer in its labels (by how it filed known
//! merchants, like the knowledge stage) or no answer at all.

use super::{cold_start, Answer, StageOutcome};
use crate::knowledge::BankCategories;
use crate::model::{Source, TraceStep};
use crate::pipeline::context::Context;
use crate::pipeline::narrate;
use crate::pipeline::policy::{BANK_CATEGORY_CONFIDENCE, BANK_CATEGORY_FAMILY_CONFIDENCE};

pub(super) fn stage(ctx: &Context<'_>, trace: &mut Vec<TraceStep>) -> StageOutcome {
    let l = &ctx.lookup;
    if !l.config.knowledge {
        return StageOutcome::Nothing;
    }
    let Some(text) =
        l.tx.bank_category
            .as_deref()
            .filter(|t| !t.trim().is_empty())
    else {
        return StageOutcome::Nothing;
    };
    let Some(m) = BankCategories::builtin().lookup(text) else {
        trace.push(narrate::bank_category_unknown(text));
        return StageOutcome::Nothing;
    };
    let Some(builtin) = m.entry.category.filter(|c| l.tenant.taxonomy.contains(c)) else {
        trace.push(narrate::bank_category_vague(text, &m));
        return StageOutcome::Nothing;
    };
    let confidence = if builtin.contains('.') {
        BANK_CATEGORY_CONFIDENCE
    } else {
        BANK_CATEGORY_FAMILY_CONFIDENCE
    };
    let Some((category, confidence)) =
        cold_start::translate(l.tenant, &l.tenant.labels, builtin, confidence)
    else {
        trace.push(narrate::bank_category_unnamed(text, &m, builtin));
        return StageOutcome::Nothing;
    };
    trace.push(narrate::bank_category_match(
        text, &m, builtin, &category, confidence,
    ));
    let reason = narrate::bank_category_reason(text, builtin, &category);
    cold_start::settle(Answer {
        category,
        confidence,
        source: Source::Knowledge,
        reason,
    })
}
