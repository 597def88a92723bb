//! What a fresh engine (no rules, no feedback, no model) makes of labelled descriptors: coverage
//! (the share not left `uncategorized`) and accuracy, overall and by taxonomy family of the
//! label, and which stage answered. Nothing is learned between rows.
//!
//! Usage: `cargo run --release -p xspense-benches --bin cold_start_eval [-- FILE...]`, each FILE
//! either a TSV of `descriptor, direction, category` (`#` comments) or a CSV with `Description`,
//! `Amount` (negative is money out) and `Category` columns. Without FILE: the hand-written
//! `core/tests/fixtures/cold_start/{descriptors,brands}.tsv` and every synthetic stream in
//! `benches/streams/*.csv` (each a fresh engine), with the streams' rows pooled as `streams`.
//! Prints JSON on standard output and a table on standard error; `--misses` also lists every
//! row answered wrongly (descriptor, label, answer, source) on standard error.
//! `--embedder PATH` (a build with the feature `semantic`) gives every engine the
//! sentence-embedding model in PATH (`scripts/install-embedder-model.sh`); the merchant base
//! is embedded once, before the first file, and shared.
//!
//! Besides exact accuracy, `family_accuracy` counts an answer right when its category's family
//! (`food` of `food.coffee`) is the label's: a built-in label's own family, or for a user label
//! (`Groceries`) the families `benches/streams/label_families.tsv` lists for it. A row whose
//! user label has no entry there counts wrong. `uncategorized` is always wrong.

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
    family_right: usize,
}

/// How a row was answered.
#[derive(Clone, Copy)]
struct Outcome {
    covered: bool,
    correct: bool,
    family_right: bool,
}

impl Tally {
    fn add(&mut self, o: Outcome) {
        self.n += 1;
        self.covered += usize::from(o.covered);
        self.correct += usize::from(o.correct);
        self.family_right += usize::from(o.family_right);
    }

    fn to_json(&self) -> Value {
        let share = |k: usize| k as f64 / self.n.max(1) as f64;
        json!({
            "n": self.n,
            "coverage": share(self.covered),
            "accuracy": share(self.correct),
            "accuracy_of_covered": self.correct as f64 / self.covered.max(1) as f64,
            "family_accuracy": share(self.family_right),
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

/// User label -> the families it is counted right in (`None`: any family).
type Families = BTreeMap<String, Option<Vec<String>>>;

/// Reads `label_families.tsv` (see the module docs).
fn read_families(path: &Path) -> Families {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let (label, families) = l
                .split_once('\t')
                .unwrap_or_else(|| panic!("{}: want label<TAB>families: {l:?}", path.display()));
            let families = (families != "*")
                .then(|| families.split(',').map(|f| f.trim().to_string()).collect());
            (label.to_string(), families)
        })
        .collect()
}

/// The family of a built-in category id (`food` of `food.coffee`, `income` of `income`).
fn family_of(category: &str) -> &str {
    category.split('.').next().unwrap_or(category)
}

/// Whether `answer` is in the family `label` is counted right in.
fn in_label_family(label: &str, answer: &str, families: &Families) -> bool {
    if answer == xspense::model::UNCATEGORIZED {
        return false;
    }
    match families.get(label) {
        Some(None) => true,
        Some(Some(list)) => list.iter().any(|f| f == family_of(answer)),
        None => family_of(label) == family_of(answer),
    }
}

fn measure(path: &Path, misses: bool, families: &Families, template: &Engine) -> Value {
    let rows = if path.extension().is_some_and(|e| e == "tsv") {
        read_tsv(&std::fs::read_to_string(path).expect("readable file"))
    } else {
        read_csv(path)
    };
    let mut engine = template.clone();
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
        let outcome = Outcome {
            covered,
            correct,
            family_right: in_label_family(&row.label, &c.category, families),
        };
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
        all.add(outcome);
        by_family
            .entry(family_of(&row.label).to_string())
            .or_default()
            .add(outcome);
        by_source
            .entry(c.source.as_str().to_string())
            .or_default()
            .add(outcome);
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
        "{name}: {} rows, coverage {:.1}%, right family {:.1}%, accuracy {:.1}% ({:.1}% of covered), {:.1} us/tx ({:.2} in the vocabulary's scans)",
        v["n"],
        pct(&v["coverage"]),
        pct(&v["family_accuracy"]),
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
    let embedder = args
        .iter()
        .position(|a| a == "--embedder")
        .map(|i| args.get(i + 1).cloned().expect("--embedder PATH"));
    let template = engine(embedder.as_deref());
    let mut files: Vec<PathBuf> = args
        .iter()
        .enumerate()
        .filter(|(i, a)| {
            *a != "--misses" && *a != "--embedder" && (*i == 0 || args[i - 1] != "--embedder")
        })
        .map(|(_, a)| PathBuf::from(a))
        .collect();
    let defaults = files.is_empty();
    if defaults {
        files = vec![
            root.join("core/tests/fixtures/cold_start/descriptors.tsv"),
            root.join("core/tests/fixtures/cold_start/brands.tsv"),
        ];
        files.extend(streams(&root.join("benches/streams")));
    }
    let families = read_families(&root.join("benches/streams/label_families.tsv"));
    let mut out = serde_json::Map::new();
    out.insert("startup".into(), startup);
    for f in &files {
        let name = f
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let v = measure(f, misses, &families, &template);
        report(&name, &v);
        out.insert(name, v);
    }
    if defaults {
        let pooled = pool(
            out.iter()
                .filter(|(k, _)| k.ends_with(".csv"))
                .map(|(_, v)| v),
        );
        report("streams (pooled)", &pooled);
        out.insert("streams".into(), pooled);
    }
    println!(
        "{}",
        serde_json::to_string_pretty(&Value::Object(out)).unwrap_or_default()
    );
}

/// The CSV streams in `dir`, by name.
fn streams(dir: &Path) -> Vec<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .collect();
    found.sort();
    found
}

/// The overall figures of several reports' rows taken together.
fn pool<'a>(reports: impl Iterator<Item = &'a Value>) -> Value {
    let mut t = Tally::default();
    let (mut us, mut vocabulary_us) = (0.0, 0.0);
    for v in reports {
        let n = v["n"].as_u64().unwrap_or(0) as usize;
        let count = |k: &str| (v[k].as_f64().unwrap_or(0.0) * n as f64).round() as usize;
        t.n += n;
        t.covered += count("coverage");
        t.correct += count("accuracy");
        t.family_right += count("family_accuracy");
        us += v["us_per_tx"].as_f64().unwrap_or(0.0) * n as f64;
        vocabulary_us += v["vocabulary_us_per_tx"].as_f64().unwrap_or(0.0) * n as f64;
    }
    let mut v = t.to_json();
    v["us_per_tx"] = json!(us / t.n.max(1) as f64);
    v["vocabulary_us_per_tx"] = json!(vocabulary_us / t.n.max(1) as f64);
    v
}

/// A fresh engine without the model's fallback, with the sentence-embedding model in `path`
/// (its merchant base embedded now) when one is given.
fn engine(embedder: Option<&str>) -> Engine {
    let engine = Engine::with_config(EngineConfig {
        llm_fallback: false,
        ..Default::default()
    })
    .expect("default config");
    let Some(path) = embedder else {
        return engine;
    };
    let engine = engine
        .with_semantic_embedder(model(path))
        .expect("a model with dimensions");
    let started = Instant::now();
    let n = engine.warm_semantic();
    eprintln!(
        "merchant base: {n} entries embedded in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    engine
}

#[cfg(feature = "semantic")]
fn model(path: &str) -> std::sync::Arc<dyn xspense::memory::Embedder> {
    let model = xspense_embed::SentenceEmbedder::load(Path::new(path))
        .unwrap_or_else(|e| panic!("--embedder {path}: {e}"));
    std::sync::Arc::new(model)
}

#[cfg(not(feature = "semantic"))]
fn model(path: &str) -> std::sync::Arc<dyn xspense::memory::Embedder> {
    panic!("--embedder {path}: build with `--features semantic`")
}
