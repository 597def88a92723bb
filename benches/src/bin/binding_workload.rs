//! Writes the workload the binding benches replay (the same merchants, transactions and log
//! text as the criterion `pipeline` and `redact` benches) and times it natively, so each
//! binding's overhead is measured against Rust on identical data.
//!
//! `cargo run --release -p xspense-benches --bin binding_workload -- OUT.json` also writes
//! `OUT.tsv` (the same transactions as tab-separated lines, for hosts without a JSON parser at
//! hand: `f` lines are feedback with their category, `b` lines the batch).

use std::time::Instant;

use serde_json::{json, Value};
use xspense::redact::Redactor;
use xspense::{Engine, Transaction};
use xspense_benches::{log_text, merchants, tx, Lcg};

fn tx_json(t: &Transaction) -> Value {
    json!({
        "id": t.id,
        "tenant": t.tenant,
        "descriptor": t.descriptor,
        "amount": t.amount.decimal(),
        "currency": t.amount.currency.as_str(),
        "direction": t.direction.as_str(),
        "date": t.date.to_string(),
    })
}

/// Best of `runs` wall-clock times of `f`, in seconds.
fn best_of(runs: usize, mut f: impl FnMut()) -> f64 {
    (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn main() {
    let out = std::env::args().nth(1).unwrap_or_else(|| {
        eprintln!("usage: binding_workload OUT.json");
        std::process::exit(2)
    });
    // the pipeline bench's workload: 2,000 merchants taught, 10,000 alias hits
    let names = merchants(2_000, 11);
    let mut engine = Engine::new();
    let mut rng = Lcg(5);
    let mut feedback = Vec::new();
    let mut taught = Vec::new();
    for (i, m) in names.iter().enumerate() {
        let t = tx(i, m, &mut rng);
        let category = if i % 2 == 0 {
            "food.groceries"
        } else {
            "shopping.other"
        };
        engine.feedback(&t, category).expect("feedback");
        feedback.push(json!({"transaction": tx_json(&t), "category": category}));
        taught.push((t, category));
    }
    let batch: Vec<Transaction> = (0..10_000)
        .map(|i| tx(i, &names[rng.below(names.len() as u64) as usize], &mut rng))
        .collect();
    let per_batch = best_of(15, || {
        engine.categorize_batch(&batch).expect("batch");
    });
    let chunks: Vec<&[Transaction]> = batch.chunks(1_000).collect();
    let per_1k = best_of(15, || {
        for c in &chunks {
            engine.categorize_batch(c).expect("batch");
        }
    });
    // the redact bench's log text
    let logs = log_text(40_000, 5);
    let r = Redactor::new();
    r.warm_up();
    let redact_s = best_of(5, || {
        r.redact(&logs);
    });
    let native = json!({
        "categorize_batch_10k_us_per_tx": per_batch * 1e6 / batch.len() as f64,
        "categorize_batches_of_1k_us_per_tx": per_1k * 1e6 / batch.len() as f64,
        "redact_mb_per_s": logs.len() as f64 / 1e6 / redact_s,
    });
    eprintln!("native: {native}");
    let doc = json!({
        "feedback": feedback,
        "batch": batch.iter().map(tx_json).collect::<Vec<_>>(),
        "log_text": logs,
        "native": native,
    });
    std::fs::write(&out, serde_json::to_string(&doc).expect("json")).expect("write workload");
    let mut tsv = String::new();
    let line = |kind: &str, t: &Transaction, category: &str| {
        format!(
            "{kind}\t{}\t{}\t{}\t{}\t{}\t{category}\n",
            t.id,
            t.descriptor.replace(['\t', '\n'], " "),
            t.amount.decimal(),
            t.direction.as_str(),
            t.date
        )
    };
    for (t, category) in &taught {
        tsv.push_str(&line("f", t, category));
    }
    for t in &batch {
        tsv.push_str(&line("b", t, ""));
    }
    let tsv_path = std::path::Path::new(&out).with_extension("tsv");
    std::fs::write(&tsv_path, tsv).expect("write workload tsv");
}
