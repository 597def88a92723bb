//! Learned aliases: how the tenant filed this merchant before. A confident verdict decides; a
//! weak one is the final best guess.

use super::{Answer, StageOutcome};
use crate::memory::AliasVerdict;
use crate::model::{Source, TraceStep};
use crate::pipeline::context::{Context, Lookup};
use crate::pipeline::narrate;

pub(super) fn stage(ctx: &Context<'_>, trace: &mut Vec<TraceStep>) -> StageOutcome {
    let l = &ctx.lookup;
    let Some(v) = verdict(l) else {
        trace.push(narrate::nothing_learned(&l.keys.key));
        return StageOutcome::Nothing;
    };
    trace.push(narrate::alias_verdict(&l.keys.key, &v));
    let reason = narrate::alias_reason(&ctx.merchant, &v);
    let decided = v.confidence >= l.config.alias_min_confidence;
    let answer = Answer {
        category: v.category,
        confidence: v.confidence,
        source: Source::Alias,
        reason,
    };
    if decided {
        StageOutcome::Decided(answer)
    } else {
        StageOutcome::FinalGuess(answer)
    }
}

/// What alias memory says about the merchant at the transaction's amount: the detail key
/// (whole descriptor) wins when it is itself confident, since the tenant may file two
/// descriptors of one merchant differently; else the merchant key.
pub(super) fn verdict(l: &Lookup<'_>) -> Option<AliasVerdict> {
    let aliases = &l.tenant.aliases;
    match aliases.lookup_at(l.keys.detail.as_str(), l.amount) {
        Some(d) if d.confidence >= l.config.alias_min_confidence => Some(d),
        _ => aliases.lookup_at(l.keys.key.as_str(), l.amount),
    }
}
