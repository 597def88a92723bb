//! Cold start from the built-in knowledge base of well-known merchants.

use super::{cold_start, Answer, StageOutcome};
use crate::knowledge::{KnowledgeBase, Origin};
use crate::model::{Source, TraceStep};
use crate::pipeline::context::Context;
use crate::pipeline::narrate;
use crate::pipeline::policy::SOLYANKA_DISCOUNT;

pub(super) fn stage(ctx: &Context<'_>, trace: &mut Vec<TraceStep>) -> StageOutcome {
    let l = &ctx.lookup;
    if !l.config.knowledge {
        return StageOutcome::Nothing;
    }
    let key = &l.keys.key;
    let known = KnowledgeBase::builtin()
        .merchant(key.as_str())
        .filter(|k| l.tenant.taxonomy.contains(k.category));
    let Some(k) = known else {
        trace.push(narrate::unknown_merchant(key));
        return StageOutcome::Nothing;
    };
    let confidence = match k.origin {
        Origin::Brand => l.config.knowledge_confidence,
        Origin::Solyanka => (l.config.knowledge_confidence - SOLYANKA_DISCOUNT).max(0.0),
    };
    let Some((category, confidence)) =
        cold_start::in_tenant_words(l.tenant, k.category, confidence)
    else {
        trace.push(narrate::known_merchant_unnamed(key, k));
        return StageOutcome::Nothing;
    };
    trace.push(narrate::known_merchant(key, k, confidence));
    let reason = narrate::knowledge_reason(&ctx.merchant, k.category, &category);
    cold_start::settle(Answer {
        category,
        confidence,
        source: Source::Knowledge,
        reason,
    })
}
