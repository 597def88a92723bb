//! A guess for a merchant the tenant never filed: the vote of similar merchants it filed
//! before and its online classifier, at the confidence such guesses have earned for the tenant.

use super::{alias, Answer, StageOutcome};
use crate::memory::{features, Prediction, SimilarityVote};
use crate::model::{Source, TraceStep};
use crate::pipeline::context::{Context, Lookup};
use crate::pipeline::narrate;
use crate::pipeline::policy::{AGREEMENT_MAX_CONFIDENCE, DISAGREEMENT_RIVAL_WEIGHT};

/// What the similarity vote and the classifier say, and the guess they make together.
struct Guess {
    vote: Option<SimilarityVote>,
    prediction: Option<Prediction>,
    pick: Option<Pick>,
}

/// A guess before calibration.
pub(in crate::pipeline) struct Pick {
    pub category: String,
    /// The confidence the guessing stage claims.
    pub raw: f64,
    /// The stage that speaks: similarity or classifier.
    pub source: Source,
}

pub(super) fn stage(ctx: &Context<'_>, trace: &mut Vec<TraceStep>) -> StageOutcome {
    let l = &ctx.lookup;
    let Some(Guess {
        vote,
        prediction,
        pick,
    }) = guess(l)
    else {
        return StageOutcome::Nothing;
    };
    trace.push(match &vote {
        Some(v) => narrate::similarity_vote(v),
        None => narrate::no_similar_merchant(),
    });
    if let Some(p) = &prediction {
        trace.push(narrate::classifier_prediction(p));
    }
    let Some(pick) = pick else {
        return StageOutcome::Nothing;
    };
    let confidence = calibrate(l, &pick, trace);
    let reason = match (pick.source, &vote) {
        (Source::Similarity, Some(v)) => {
            narrate::similarity_reason(&ctx.merchant, &pick.category, v)
        }
        _ => narrate::classifier_reason(&pick.category),
    };
    let answer = Answer {
        category: pick.category,
        confidence,
        source: pick.source,
        reason,
    };
    StageOutcome::by_confidence(answer, l.config.similarity_min_confidence)
}

/// The confidence guesses like `pick` have earned for the tenant, with a trace step once it
/// has seen some.
fn calibrate(l: &Lookup<'_>, pick: &Pick, trace: &mut Vec<TraceStep>) -> f64 {
    let (confidence, seen) = l.tenant.calibration.calibrate(pick.source, pick.raw);
    if seen > 0 {
        trace.push(narrate::calibrated(
            &pick.category,
            pick.source,
            pick.raw,
            confidence,
            seen,
        ));
    }
    confidence
}

/// The guess this stage would make, before calibration, when it runs: for a merchant alias
/// memory knows nothing about. Feedback calibrates later guesses with its outcome.
pub(in crate::pipeline) fn for_calibration(l: &Lookup<'_>) -> Option<Pick> {
    if alias::verdict(l).is_some() {
        return None;
    }
    guess(l)?.pick
}

/// What the similarity vote and the classifier say, unless the similarity switch is off.
fn guess(l: &Lookup<'_>) -> Option<Guess> {
    if !l.config.similarity {
        return None;
    }
    let t = l.tenant;
    let vote = t
        .similar
        .vote(
            l.embedder,
            l.keys.key.as_str(),
            &t.aliases,
            l.config.similarity_k,
            l.config.similarity_min_similarity,
        )
        .filter(|v| t.taxonomy.contains(&v.category));
    let prediction = t
        .classifier
        .predict(
            &features(l.tx, l.keys.key.as_str(), l.keys.detail.as_str()),
            l.config.classifier_min_examples,
        )
        .filter(|p| t.taxonomy.contains(&p.label));
    let pick = pick(vote.as_ref(), prediction.as_ref());
    Some(Guess {
        vote,
        prediction,
        pick,
    })
}

/// Agreement makes both more believable; otherwise the more confident one speaks, doubted in
/// proportion to the other's confidence.
fn pick(vote: Option<&SimilarityVote>, prediction: Option<&Prediction>) -> Option<Pick> {
    let (category, raw, source) = match (vote, prediction) {
        (Some(v), Some(p)) if v.category == p.label => (
            v.category.clone(),
            (1.0 - (1.0 - v.confidence) * (1.0 - p.confidence)).min(AGREEMENT_MAX_CONFIDENCE),
            Source::Similarity,
        ),
        (Some(v), Some(p)) if p.confidence > v.confidence => (
            p.label.clone(),
            p.confidence * (1.0 - v.confidence * DISAGREEMENT_RIVAL_WEIGHT),
            Source::Classifier,
        ),
        (Some(v), Some(p)) => (
            v.category.clone(),
            v.confidence * (1.0 - p.confidence * DISAGREEMENT_RIVAL_WEIGHT),
            Source::Similarity,
        ),
        (Some(v), None) => (v.category.clone(), v.confidence, Source::Similarity),
        (None, Some(p)) => (p.label.clone(), p.confidence, Source::Classifier),
        (None, None) => return None,
    };
    Some(Pick {
        category,
        raw,
        source,
    })
}
