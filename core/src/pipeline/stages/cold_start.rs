//! What the built-in tables' answers become for a tenant (the knowledge and MCC stages): a
//! built-in category in the tenant's own words, and a decision only when confident.

use super::{Answer, StageOutcome};
use crate::memory::{LabelMap, Translation};
use crate::pipeline::policy::{
    FAMILY_DISCOUNT, HABIT_MIN_SHARE, HABIT_MIN_SUPPORT, WEAK_COLD_START,
};
use crate::pipeline::tenant::TenantState;

/// A confident cold-start answer decides; a weak one is a guess.
pub(super) fn settle(answer: Answer) -> StageOutcome {
    StageOutcome::by_confidence(answer, WEAK_COLD_START)
}

/// A built-in category in the tenant's own words, when feedback showed a clear habit
/// (most of at least two votes) for the category or else for its family; the confidence
/// shrinks with the habit's share. `None` for a tenant with its own label set that has not
/// shown how it names this category: a built-in id it never uses would only be wrong.
pub(super) fn in_tenant_words(
    t: &TenantState,
    builtin: &str,
    confidence: f64,
) -> Option<(String, f64)> {
    translate(t, &t.labels, builtin, confidence)
}

/// A built-in category in the tenant's own words by the habits in `labels` (see
/// [`in_tenant_words`]), or `None` when the tenant files under its own labels and has not shown
/// how it names this category.
pub(super) fn translate(
    t: &TenantState,
    labels: &LabelMap,
    builtin: &str,
    confidence: f64,
) -> Option<(String, f64)> {
    let usable = |tr: &Translation| {
        tr.share >= HABIT_MIN_SHARE
            && tr.support >= HABIT_MIN_SUPPORT
            && t.taxonomy.contains(&tr.label)
    };
    if let Some(tr) = labels.translate(builtin).filter(usable) {
        return Some((tr.label, confidence * tr.share));
    }
    // `transport.fuel` not named yet, but the tenant files its siblings under its own
    // `Transport` (a built-in sibling like `transport.taxi` would be a different category)
    let own = |tr: &Translation| t.taxonomy.get(&tr.label).is_some_and(|c| !c.builtin);
    if let Some(f) = labels
        .translate_family(builtin)
        .filter(|f| usable(f) && own(f))
    {
        return Some((f.label, confidence * f.share * FAMILY_DISCOUNT));
    }
    // a tenant with its own label set has not shown how it names this category
    let speaks_own = t
        .labels
        .speaks_own_labels(|l| t.taxonomy.get(l).is_some_and(|c| c.builtin));
    (!speaks_own).then(|| (builtin.to_string(), confidence))
}
