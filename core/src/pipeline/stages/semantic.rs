//! The host's sentence-embedding model, asked about a merchant nothing before it knew well:
//! first the merchants the tenant filed that the model finds close (its vote may overrule the
//! weak guess of similarity memory and the classifier), then, last of all, for a merchant no
//! table or word of its name placed, the nearest entries of the merchant base. Neither runs without a model
//! ([`crate::Engine::with_semantic_embedder`]).

use super::{cold_start, Answer, StageOutcome};
use crate::memory::{BaseNeighbour, BaseVote};
use crate::model::{Source, TraceStep};
use crate::pipeline::context::Context;
use crate::pipeline::narrate;
use crate::pipeline::policy::{
    SEMANTIC_BASE_MIN_SIMILARITY, SEMANTIC_BASE_OVERRULE_MIN_SIMILARITY, SEMANTIC_MIN_SIMILARITY,
    SEMANTIC_OVERRULE_MIN_CONFIDENCE,
};

/// The tenant's merchants nearest in the model's vectors.
pub(super) fn tenant_neighbours(ctx: &Context<'_>, trace: &mut Vec<TraceStep>) -> StageOutcome {
    let l = &ctx.lookup;
    let t = l.tenant;
    // nothing to vote (no model, or no merchant filed yet): the key is not embedded
    if !l.config.similarity || !t.similar.has_semantic() {
        return StageOutcome::Nothing;
    }
    let Some((_, query)) = ctx.semantic_query() else {
        return StageOutcome::Nothing;
    };
    let vote = t
        .similar
        .semantic_vote(
            query,
            l.keys.key.as_str(),
            &t.aliases,
            l.config.similarity_k,
            SEMANTIC_MIN_SIMILARITY,
        )
        .filter(|v| t.taxonomy.contains(&v.category));
    let Some(v) = vote else {
        trace.push(narrate::no_semantic_neighbour());
        return StageOutcome::Nothing;
    };
    trace.push(narrate::semantic_vote(&v));
    let answer = Answer {
        reason: narrate::semantic_reason(&ctx.merchant, &v.category, &v),
        category: v.category,
        confidence: v.confidence,
        source: Source::Similarity,
    };
    if answer.confidence >= l.config.similarity_min_confidence {
        StageOutcome::Decided(answer)
    } else if answer.confidence >= SEMANTIC_OVERRULE_MIN_CONFIDENCE {
        StageOutcome::Overrule(answer)
    } else {
        StageOutcome::Guess(answer)
    }
}

/// The merchant base's entries nearest in the model's vectors, in the tenant's words.
pub(super) fn known_neighbours(ctx: &Context<'_>, trace: &mut Vec<TraceStep>) -> StageOutcome {
    let l = &ctx.lookup;
    if !l.config.knowledge {
        return StageOutcome::Nothing;
    }
    let Some((semantic, query)) = ctx.semantic_query() else {
        return StageOutcome::Nothing;
    };
    let Some(base) = semantic.merchant_base() else {
        return StageOutcome::Nothing;
    };
    let Some((v, close)) = base_vote(&base.nearest(query, l.config.similarity_k)) else {
        trace.push(narrate::no_semantic_base_neighbour());
        return StageOutcome::Nothing;
    };
    let confidence = l.config.knowledge_confidence * v.confidence;
    let Some((category, confidence)) =
        cold_start::in_tenant_words(l.tenant, v.category, confidence)
    else {
        trace.push(narrate::semantic_base_unnamed(&v));
        return StageOutcome::Nothing;
    };
    trace.push(narrate::semantic_base_vote(&v, confidence));
    let reason = narrate::semantic_base_reason(&ctx.merchant, &v, &category);
    let answer = Answer {
        category,
        confidence,
        source: Source::Knowledge,
        reason,
    };
    // never decided: a guess that the tables' own guesses before it keep precedence over
    if close && answer.confidence >= SEMANTIC_OVERRULE_MIN_CONFIDENCE {
        StageOutcome::Overrule(answer)
    } else {
        StageOutcome::Guess(answer)
    }
}

/// The vote of the merchant-base entries `nearest` the merchant: of the close ones when any
/// is close (`true`: it may stand against the guesses of the stages before), else of all that
/// are near enough to say anything (`false`: it counts only where nothing else guessed).
fn base_vote(nearest: &[BaseNeighbour]) -> Option<(BaseVote, bool)> {
    BaseVote::among(nearest, SEMANTIC_BASE_OVERRULE_MIN_SIMILARITY)
        .map(|v| (v, true))
        .or_else(|| BaseVote::among(nearest, SEMANTIC_BASE_MIN_SIMILARITY).map(|v| (v, false)))
}
