//! Redaction quality on the committed corpora derived from Presidio, presidio-research and
//! gitleaks (see `tests/fixtures/redact/extract.py` and `generate.py`), and on hand-written
//! negatives (`tests/fixtures/redact/negatives.txt`). Run with `-- --nocapture` to see the
//! figures and every miss.

#[path = "common/redact_metrics.rs"]
mod redact_metrics;

use std::path::Path;

use xspense::redact::Redactor;

/// Least recall on every entity type, on each labelled corpus.
const MIN_RECALL: f64 = 0.99;
/// Most findings outside the labelled spans of the generated corpus, per 1,000 documents.
const MAX_GENERATED_FALSE_POSITIVES_PER_1000: usize = 5;

#[test]
fn recall_and_false_positive_targets_hold() {
    let r = Redactor::new();
    let m = redact_metrics::measure(
        &r,
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/redact"),
    );
    println!("{}", serde_json::to_string_pretty(&m.to_json()).unwrap());
    for (title, list) in [
        ("synthetic misses", &m.synth.misses),
        ("synthetic false positives", &m.synth.false_positives),
        ("generated misses", &m.generated.misses),
        ("generated false positives", &m.generated.false_positives),
        (
            "hand-written negatives flagged",
            &m.written_negatives_flagged,
        ),
        ("Presidio negatives flagged", &m.negatives_flagged),
        ("gitleaks true positives missed", &m.tp_missed),
        ("gitleaks false-positive samples flagged", &m.fp_any),
    ] {
        println!("{title} ({}):", list.len());
        for x in list {
            println!("  {x}");
        }
    }
    for (corpus, labelled) in [("synth", &m.synth), ("generated", &m.generated)] {
        for ty in redact_metrics::TYPES {
            let recall = labelled.recall_of(ty);
            assert!(recall >= MIN_RECALL, "{corpus}: {ty} recall {recall:.3}");
        }
    }
    assert!(
        m.synth.false_positives.is_empty(),
        "{:?}",
        m.synth.false_positives
    );
    assert!(
        m.generated.false_positives.len() * 1000
            <= MAX_GENERATED_FALSE_POSITIVES_PER_1000 * m.generated.docs,
        "{} findings outside labelled spans in {} generated documents",
        m.generated.false_positives.len(),
        m.generated.docs
    );
    assert!(
        m.written_negatives >= 150,
        "{} hand-written negatives",
        m.written_negatives
    );
    assert!(
        m.written_negatives_flagged.is_empty(),
        "{:?}",
        m.written_negatives_flagged
    );
    assert!(
        m.negatives_flagged.len() * 100 <= m.negatives,
        "{} of {} Presidio negatives flagged",
        m.negatives_flagged.len(),
        m.negatives
    );
    assert!(
        (m.tp_total - m.tp_missed.len()) * 100 >= 95 * m.tp_total,
        "{} of {} gitleaks true positives missed",
        m.tp_missed.len(),
        m.tp_total
    );
    // Judged the way gitleaks judges its own samples: the rule a sample was written against
    // must not fire on it.
    assert!(
        m.fp_same_rule.len() * 100 <= m.fp_total,
        "{} gitleaks false-positive samples flagged by their own rule",
        m.fp_same_rule.len()
    );
}
