//! Redaction quality on the committed corpora derived from Presidio, presidio-research and
//! gitleaks (see `tests/fixtures/redact/extract.py`). Run with `-- --nocapture` to see the
//! figures and every miss.

#[path = "common/redact_metrics.rs"]
mod redact_metrics;

use std::path::Path;

use xspense::redact::Redactor;

#[test]
fn recall_and_false_positive_targets_hold() {
    let r = Redactor::new();
    let m = redact_metrics::measure(
        &r,
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/redact"),
    );
    println!("{}", serde_json::to_string_pretty(&m.to_json()).unwrap());
    for (title, list) in [
        ("synthetic misses", &m.synth_misses),
        ("Presidio negatives flagged", &m.negatives_flagged),
        ("gitleaks true positives missed", &m.tp_missed),
        ("gitleaks false-positive samples flagged", &m.fp_any),
    ] {
        println!("{title} ({}):", list.len());
        for x in list {
            println!("  {x}");
        }
    }
    for ty in redact_metrics::TYPES {
        assert!(
            m.recall_of(ty) >= 0.99,
            "{ty} recall {:.3}",
            m.recall_of(ty)
        );
    }
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
