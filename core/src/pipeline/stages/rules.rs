//! Rules: the tenant's own rules come first, and a rule that sets a category decides.

use super::{Answer, StageOutcome};
use crate::model::{Source, TraceStep};
use crate::pipeline::context::Context;
use crate::pipeline::narrate;

pub(super) fn stage(ctx: &Context<'_>, trace: &mut Vec<TraceStep>) -> StageOutcome {
    let rules = &ctx.rules;
    let confidence = ctx.lookup.config.rule_confidence;
    if rules.matched.is_empty() {
        trace.push(narrate::no_rule());
    } else {
        let set = rules.category.map(|(c, _)| (c, confidence));
        trace.push(narrate::rules_matched(&rules.matched_ids(), set));
    }
    match rules.category {
        Some((category, rule)) => StageOutcome::Decided(Answer {
            category: category.to_string(),
            confidence,
            source: Source::Rule,
            reason: narrate::rule_reason(rule),
        }),
        None => StageOutcome::Nothing,
    }
}
