//! Cold start from the transaction's merchant category code.

use super::{cold_start, Answer, StageOutcome};
use crate::knowledge::KnowledgeBase;
use crate::model::{Source, TraceStep};
use crate::pipeline::context::Context;
use crate::pipeline::narrate;

pub(super) fn stage(ctx: &Context<'_>, trace: &mut Vec<TraceStep>) -> StageOutcome {
    let l = &ctx.lookup;
    let Some(code) = l.tx.mcc.filter(|_| l.config.mcc) else {
        return StageOutcome::Nothing;
    };
    let kb = KnowledgeBase::builtin();
    let Some(builtin) = kb.mcc(code).filter(|c| l.tenant.taxonomy.contains(c)) else {
        trace.push(narrate::mcc_unknown(code));
        return StageOutcome::Nothing;
    };
    let description = kb.mcc_description(code).unwrap_or("");
    let Some((category, confidence)) =
        cold_start::in_tenant_words(l.tenant, builtin, l.config.mcc_confidence)
    else {
        trace.push(narrate::mcc_unnamed(code, description, builtin));
        return StageOutcome::Nothing;
    };
    trace.push(narrate::mcc_category(
        code,
        description,
        builtin,
        &category,
        confidence,
    ));
    let reason = narrate::mcc_reason(&ctx.merchant, code, description);
    cold_start::settle(Answer {
        category,
        confidence,
        source: Source::Mcc,
        reason,
    })
}
