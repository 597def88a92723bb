//! Prints the redaction figures on the committed corpora as JSON (the same measurement as
//! `core/tests/redact_corpus.rs`, in release mode so the throughput figure means something),
//! or recall per type and false positives on presidio-research's whole dataset file.
//!
//! Usage:
//! - `cargo run --release -p xspense-benches --bin redact_eval [-- FIXTURE_DIR]`
//! - `cargo run --release -p xspense-benches --bin redact_eval -- --presidio-research FILE`
//!   with FILE presidio-research's `synth_dataset_v2.json` (character offsets), every
//!   document of it; `--misses` lists the misses and false positives.

#[path = "../../../core/tests/common/redact_metrics.rs"]
mod redact_metrics;

use std::path::PathBuf;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let r = xspense::redact::Redactor::new();
    r.warm_up();
    if let Some(at) = args.iter().position(|a| a == "--presidio-research") {
        let file = PathBuf::from(args.get(at + 1).expect("--presidio-research FILE"));
        let m =
            redact_metrics::measure_labelled(&r, &redact_metrics::load_presidio_research(&file));
        println!("{}", serde_json::to_string_pretty(&m.to_json()).unwrap());
        if args.iter().any(|a| a == "--misses") {
            for x in m.misses.iter().chain(&m.false_positives) {
                eprintln!("{x}");
            }
        }
        report(&m, "presidio-research");
        return;
    }
    let dir = args.first().map(PathBuf::from).unwrap_or_else(|| {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/tests/fixtures/redact")
    });
    let m = redact_metrics::measure(&r, &dir);
    println!("{}", serde_json::to_string_pretty(&m.to_json()).unwrap());
    report(&m.synth, "synth.jsonl");
    report(&m.generated, "generated.jsonl");
}

fn report(m: &redact_metrics::Labelled, name: &str) {
    eprintln!("{name}: {} documents", m.docs);
    for ty in redact_metrics::TYPES {
        let (covered, n) = m.recall.get(*ty).copied().unwrap_or_default();
        eprintln!("  {ty:<14} recall {:.3} ({covered}/{n})", m.recall_of(ty));
    }
    eprintln!(
        "  findings outside labelled spans: {}",
        m.false_positives.len()
    );
}
