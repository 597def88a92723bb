//! `xspense eval`: prequential evaluation, the way the product is used.
//!
//! Rows are taken in date order (file order breaks ties). For each row the engine predicts
//! from what it learned before; only then is the true label read and fed back. The label lives
//! outside the transaction handed to the engine, so it cannot leak into the prediction.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use serde::Serialize;
use xspense::{Band, Decision, Engine, EngineConfig};

use crate::input::{read_labelled, InputArgs};
use crate::pending_file::write_atomically;
use crate::semantic::EmbedderArgs;
use crate::stdio::Stdout;
use crate::{load_rules_with_labels, progress, CliResult};

#[derive(Debug, Default, Serialize)]
struct SourceReport {
    n: usize,
    correct: usize,
    accuracy: f64,
    share: f64,
}

#[derive(Debug, Serialize)]
struct Report {
    n: usize,
    accuracy: f64,
    second_half_accuracy: f64,
    /// Share of predictions in the high or very-high band.
    coverage: f64,
    /// Accuracy of those predictions; `None` (JSON `null`) when there are none, since it is
    /// then undefined.
    precision: Option<f64>,
    by_source: BTreeMap<String, SourceReport>,
    labels: usize,
    /// Time spent categorizing and learning, per transaction.
    us_per_tx: f64,
    /// One-time set-up before the first transaction, not in `us_per_tx`: building the engine
    /// and loading the built-in tables (and with `--embedder`, loading the model and embedding
    /// the merchant base).
    setup_ms: f64,
}

/// A stage `xspense eval --without` can switch off.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Stage {
    /// The k-NN vote over similar merchants and the online classifier.
    Similarity,
    /// The built-in merchant knowledge base.
    Knowledge,
    /// The merchant-category-code map.
    Mcc,
}

/// What `xspense eval` was asked to do.
pub struct Options<'a> {
    pub file: &'a Path,
    pub label: &'a str,
    pub rules: Option<&'a Path>,
    pub json: bool,
    /// Where to write every prediction as CSV.
    pub predictions: Option<&'a Path>,
    /// Stages switched off.
    pub without: &'a [Stage],
    pub input: &'a InputArgs,
    /// The sentence-embedding model, if any.
    pub embedder: &'a EmbedderArgs,
}

pub fn run(o: &Options) -> CliResult<()> {
    let (file, label, input) = (o.file, o.label, o.input);
    let rows = read_labelled(file, input, label)?;
    let setup = Instant::now();
    let mut engine = Engine::with_config(EngineConfig {
        llm_fallback: false,
        similarity: !o.without.contains(&Stage::Similarity),
        knowledge: !o.without.contains(&Stage::Knowledge),
        mcc: !o.without.contains(&Stage::Mcc),
        ..Default::default()
    })
    .map_err(|e| e.to_string())?;
    engine = o.embedder.apply(engine)?;
    load_rules_with_labels(&mut engine, &input.tenant, o.rules)?;
    // the knowledge base is loaded on first use; a host pays that once, not per transaction
    let _ = xspense::knowledge::KnowledgeBase::builtin();
    let setup_ms = setup.elapsed().as_secs_f64() * 1e3;

    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| (rows[i].tx.date, i));
    let n = order.len();
    if n == 0 {
        // the reader refuses a file without rows; every share below divides by n
        return Err(format!("{}: no rows to evaluate", file.display()).into());
    }
    let pb = progress(n);
    let mut correct = 0usize;
    let mut second_half_correct = 0usize;
    let mut high = 0usize;
    let mut high_correct = 0usize;
    let mut by_source: BTreeMap<String, SourceReport> = BTreeMap::new();
    let mut labels = std::collections::BTreeSet::new();
    let mut busy = std::time::Duration::ZERO;
    let csv_error = |e: csv::Error| format!("cannot write predictions: {e}");
    let mut predictions = match o.predictions {
        Some(_) => {
            let mut w = csv::Writer::from_writer(Vec::new());
            w.write_record([
                "date",
                "description",
                "label",
                "predicted",
                "source",
                "confidence",
                "band",
            ])
            .map_err(csv_error)?;
            Some(w)
        }
        None => None,
    };
    for (pos, &i) in order.iter().enumerate() {
        let row = &rows[i];
        let started = Instant::now();
        let decision = engine.categorize(&row.tx).map_err(|e| e.to_string())?;
        let predicted = match decision {
            Decision::Categorized(c) => c,
            Decision::NeedsLlm(r) => r
                .best_guess
                .ok_or("internal: LLM request without a guess while the fallback is off")?,
        };
        busy += started.elapsed();
        // Only now is the label read.
        let truth = row.label.as_str();
        let started = Instant::now();
        if !engine.has_category(&row.tx.tenant, truth) {
            engine
                .add_category(&row.tx.tenant, truth, truth, None)
                .map_err(|e| format!("label {truth:?}: {e}"))?;
        }
        engine.feedback(&row.tx, truth).map_err(|e| e.to_string())?;
        busy += started.elapsed();
        labels.insert(truth.to_string());
        let ok = predicted.category == truth;
        if let Some(w) = predictions.as_mut() {
            w.write_record([
                &row.tx.date.to_string(),
                &row.tx.descriptor,
                truth,
                &predicted.category,
                predicted.source.as_str(),
                &format!("{:.3}", predicted.confidence),
                predicted.band.as_str(),
            ])
            .map_err(csv_error)?;
        }
        correct += ok as usize;
        if pos >= n / 2 {
            second_half_correct += ok as usize;
        }
        if predicted.band >= Band::High {
            high += 1;
            high_correct += ok as usize;
        }
        let s = by_source
            .entry(predicted.source.as_str().to_string())
            .or_default();
        s.n += 1;
        s.correct += ok as usize;
        pb.inc(1);
    }
    pb.finish_and_clear();
    if let (Some(path), Some(w)) = (o.predictions, predictions) {
        let bytes = w
            .into_inner()
            .map_err(|e| format!("cannot write predictions: {}", e.error()))?;
        write_atomically(path, &bytes)?;
    }
    for s in by_source.values_mut() {
        // every source listed made at least one prediction
        s.accuracy = ratio(s.correct, s.n).unwrap_or_default();
        s.share = ratio(s.n, n).unwrap_or_default();
    }
    // n > 0, and the second half holds n - n / 2 >= 1 rows
    let report = Report {
        n,
        accuracy: ratio(correct, n).unwrap_or_default(),
        second_half_accuracy: ratio(second_half_correct, n - n / 2).unwrap_or_default(),
        coverage: ratio(high, n).unwrap_or_default(),
        precision: ratio(high_correct, high),
        by_source,
        labels: labels.len(),
        us_per_tx: busy.as_secs_f64() * 1e6 / n as f64,
        setup_ms,
    };
    print_report(&report, o.json)
}

/// The report as one JSON object, or as a table.
fn print_report(report: &Report, json: bool) -> CliResult<()> {
    let mut out = Stdout::lock();
    if json {
        let text = serde_json::to_string(report).map_err(|e| e.to_string())?;
        return writeln!(out, "{text}");
    }
    writeln!(out, "transactions          {}", report.n)?;
    writeln!(out, "labels                {}", report.labels)?;
    writeln!(out, "accuracy              {:.4}", report.accuracy)?;
    writeln!(
        out,
        "second-half accuracy  {:.4}",
        report.second_half_accuracy
    )?;
    writeln!(out, "high-band coverage    {:.4}", report.coverage)?;
    match report.precision {
        Some(p) => writeln!(out, "high-band precision   {p:.4}")?,
        None => writeln!(
            out,
            "high-band precision   undefined (no prediction in the high band)"
        )?,
    }
    writeln!(out, "us per transaction    {:.2}", report.us_per_tx)?;
    writeln!(out, "set-up ms             {:.1}", report.setup_ms)?;
    writeln!(out, "by source:")?;
    for (k, s) in &report.by_source {
        writeln!(
            out,
            "  {k:<12} share {:.3}  accuracy {:.4}  (n={})",
            s.share, s.accuracy, s.n
        )?;
    }
    Ok(())
}

/// `a / b`, undefined when `b` is 0.
fn ratio(a: usize, b: usize) -> Option<f64> {
    (b > 0).then(|| a as f64 / b as f64)
}
