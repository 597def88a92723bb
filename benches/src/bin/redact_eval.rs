//! Prints the redaction figures on the committed corpora as JSON (the same measurement as
//! `core/tests/redact_corpus.rs`, in release mode so the throughput figure means something).
//!
//! Usage: `cargo run --release -p xspense-benches --bin redact_eval [-- FIXTURE_DIR]`

#[path = "../../../core/tests/common/redact_metrics.rs"]
mod redact_metrics;

use std::path::PathBuf;

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/redact")
        });
    let r = xspense::redact::Redactor::new();
    r.warm_up();
    let m = redact_metrics::measure(&r, &dir);
    println!("{}", serde_json::to_string_pretty(&m.to_json()).unwrap());
    for ty in redact_metrics::TYPES {
        eprintln!("{ty:<14} recall {:.3}", m.recall_of(ty));
    }
}
