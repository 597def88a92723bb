//! What a fresh engine (no rules, no feedback, no model) makes of labelled descriptors: coverage
//! (the share not left `uncategorized`) and accuracy, overall and by taxonomy family of the
//! label, and which stage answered. Nothing is learned between rows.
//!
//! Usage: `cargo run --release -p xspense-benches --bin cold_start_eval [-- FILE...]`, each FILE
//! either a TSV of `descriptor, direction, category` (`#` comments) or a CSV with `Description`,
//! `Amount` (negative is money out) and `Category` columns. Without FILE: the hand-written
//! `core/tests/fixtures/cold_start/descriptors.tsv` and `benches/streams/eu_builtin.csv`.
//! Prints JSON on standard output and a table on standard error; `--misses` also lists every
//! row answered wrongly (descriptor, label, answer, source) on standard error.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use serde_json::{json, Value};
use xspense::model::TransactionInput;
use xspense::{Decision, Engine, EngineConfig, Transaction};

/// One labelled row.
struct Row {
    tx: Transaction,
    label: String,
}

#[derive(Default)]
struct Tally {
    n: usize,
    covered: usize,
    correct: usize,
}

impl Tally {
    fn add(&mut self, covered: bool, correct: bool) {
        self.n += 1;
        self.covered += usize::from(covered);
        self.correct += usize::from(correct);
    }

    fn to_json(&self) -> Value {
        let share = |k: usize| k as f64 / self.n.max(1) as f64;
        json!({
            "n": self.n,
            "coverage": share(self.covered),
            "accuracy": share(self.correct),
            "accuracy_of_covered": self.correct as f64 / self.covered.max(1) as f64,
        })
    }
}

fn transaction(i: usize, descriptor: &str, amount: &str, direction: Option<&str>) -> Transaction {
    let mut v = json!({
        "id": i.to_string(),
        "descriptor": descriptor,
        "amount": amount,
        "date": "2026-12-07",
    });
    if let Some(d) = direction {
        v["direction"] = json!(d);
    }
    TransactionInput::from_json(v)
        .and_then(|t| t.into_transaction("0"))
        .unwrap_or_else(|e| panic!("row {i} ({descriptor:?}): {e}"))
}

fn read_tsv(text: &str) -> Vec<Row> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .enumerate()
        .map(|(i, l)| {
            let cols: Vec<&str> = l.split('\t').collect();
            let [descriptor, direction, label] = cols[..] else {
                panic!("row {i}: want descriptor, direction, category: {l:?}");
            };
            Row {
                tx: transaction(i, descriptor, "10.00", Some(direction)),
                label: label.to_string(),
            }
        })
        .collect()
}

fn read_csv(path: &Path) -> Vec<Row> {
    let mut r = csv::Reader::from_path(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let headers = r.headers().expect("a header row").clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("{}: no {name} column", path.display()))
    };
    let (d, a, c) = (col("Description"), col("Amount"), col("Category"));
    r.records()
        .enumerate()
        .map(|(i, rec)| {
            let rec = rec.expect("a CSV record");
            Row {
                tx: transaction(i, &rec[d], &rec[a], None),
                label: rec[c].to_string(),
            }
        })
        .collect()
}

fn measure(path: &Path, misses: bool) -> Value {
    let rows = if path.extension().is_some_and(|e| e == "tsv") {
        read_tsv(&std::fs::read_to_string(path).expect("readable file"))
    } else {
        read_csv(path)
    };
    let mut engine = Engine::with_config(EngineConfig {
        llm_fallback: false,
        ..Default::default()
    })
    .expect("default config");
    // the built-in tables load once, before the clock starts (as `xspense eval` does)
    let _ = xspense::knowledge::KnowledgeBase::builtin();
    let mut all = Tally::default();
    let mut by_family: BTreeMap<String, Tally> = BTreeMap::new();
    let mut by_source: BTreeMap<String, Tally> = BTreeMap::new();
    let started = Instant::now();
    let mut answers = Vec::with_capacity(rows.len());
    for row in &rows {
        let c = match engine.categorize(&row.tx).expect("a valid transaction") {
            Decision::Categorized(c) => c,
            Decision::NeedsLlm(_) => unreachable!("the fallback is off"),
        };
        answers.push(c);
    }
    let us_per_tx = started.elapsed().as_secs_f64() * 1e6 / rows.len().max(1) as f64;
    let vocabulary_us_per_tx = vocabulary_cost(&rows);
    for (row, c) in rows.iter().zip(&answers) {
        let covered = c.category != xspense::model::UNCATEGORIZED;
        let correct = c.category == row.label;
        if misses && !correct {
            eprintln!(
                "miss: {:?} ({}) label {} answer {} ({})",
                row.tx.descriptor,
                row.tx.direction.as_str(),
                row.label,
                c.category,
                c.source.as_str()
            );
        }
        all.add(covered, correct);
        let family = row.label.split('.').next().unwrap_or(&row.label);
        by_family
            .entry(family.to_string())
            .or_default()
            .add(covered, correct);
        by_source
            .entry(c.source.as_str().to_string())
            .or_default()
            .add(covered, correct);
    }
    let mut v = all.to_json();
    v["us_per_tx"] = json!(us_per_tx);
    v["vocabulary_us_per_tx"] = json!(vocabulary_us_per_tx);
    v["by_family"] = json!(by_family
        .iter()
        .map(|(k, t)| (k.clone(), t.to_json()))
        .collect::<BTreeMap<_, _>>());
    v["by_source"] = json!(by_source
        .iter()
        .map(|(k, t)| (k.clone(), t.to_json()))
        .collect::<BTreeMap<_, _>>());
    v
}

/// Repetitions of the vocabulary's scans over the rows when timing them alone.
const VOCABULARY_REPEATS: usize = 100;

/// What the two vocabulary stages' scans cost a transaction (microseconds): the bank-phrase
/// scan of the descriptor and the merchant-word scan of the merchant key, timed alone over
/// every row [`VOCABULARY_REPEATS`] times, so the figure does not drown in the pipeline's.
fn vocabulary_cost(rows: &[Row]) -> f64 {
    use xspense::knowledge::{Kind, Vocabulary};
    let v = Vocabulary::builtin();
    let n = xspense::normalize::Normalizer::builtin();
    let keys: Vec<String> = rows
        .iter()
        .map(|r| n.normalize(&r.tx.descriptor).key.into_string())
        .collect();
    let started = Instant::now();
    let mut found = 0usize;
    for _ in 0..VOCABULARY_REPEATS {
        for (row, key) in rows.iter().zip(&keys) {
            let d = row.tx.direction;
            found += usize::from(v.best(&row.tx.descriptor, d, Kind::BankPhrase).is_some());
            found += usize::from(v.best(key, d, Kind::MerchantWord).is_some());
        }
    }
    std::hint::black_box(found);
    started.elapsed().as_secs_f64() * 1e6 / (rows.len() * VOCABULARY_REPEATS).max(1) as f64
}

fn report(name: &str, v: &Value) {
    let pct = |x: &Value| x.as_f64().unwrap_or(0.0) * 100.0;
    eprintln!(
        "{name}: {} rows, coverage {:.1}%, accuracy {:.1}% ({:.1}% of covered), {:.1} us/tx ({:.2} in the vocabulary's scans)",
        v["n"],
        pct(&v["coverage"]),
        pct(&v["accuracy"]),
        pct(&v["accuracy_of_covered"]),
        v["us_per_tx"].as_f64().unwrap_or(0.0),
        v["vocabulary_us_per_tx"].as_f64().unwrap_or(0.0)
    );
    if let Some(families) = v["by_family"].as_object() {
        for (f, t) in families {
            eprintln!(
                "  {f:<15} n {:>4}  coverage {:>5.1}%  accuracy {:>5.1}%",
                t["n"],
                pct(&t["coverage"]),
                pct(&t["accuracy"])
            );
        }
    }
}

/// Milliseconds the built-in tables take on first use (first call in the process): the
/// normalizer (its patterns and the brand index), then the knowledge base (the vocabulary, the
/// bank categories and the merchant keys of the solyanka descriptors).
fn startup() -> Value {
    let t = Instant::now();
    let _ = xspense::normalize::Normalizer::builtin();
    let normalizer = t.elapsed().as_secs_f64() * 1e3;
    let t = Instant::now();
    let _ = xspense::knowledge::KnowledgeBase::builtin();
    let knowledge = t.elapsed().as_secs_f64() * 1e3;
    eprintln!("startup: normalizer {normalizer:.1} ms, knowledge base {knowledge:.1} ms");
    json!({"normalizer_ms": normalizer, "knowledge_base_ms": knowledge})
}

fn main() {
    let startup = startup();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let misses = args.iter().any(|a| a == "--misses");
    let mut files: Vec<PathBuf> = args
        .iter()
        .filter(|a| *a != "--misses")
        .map(PathBuf::from)
        .collect();
    if files.is_empty() {
        files = vec![
            root.join("core/tests/fixtures/cold_start/descriptors.tsv"),
            root.join("benches/streams/eu_builtin.csv"),
        ];
    }
    let mut out = serde_json::Map::new();
    out.insert("startup".into(), startup);
    for f in &files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let v = measure(f, misses);
        report(&name, &v);
        out.insert(name, v);
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&Value::Object(out)).unwrap_or_default()
    );
}
