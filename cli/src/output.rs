//! Writing results: the categorized CSV, the state file, the summary.

use std::collections::BTreeMap;
use std::path::Path;

use xspense::Categorization;

use crate::bank_csv::BankCsv;
use crate::stdio::{note, CliError, Stdout};
use crate::CliResult;

/// Writes `bytes` to `path` through a temporary file and a rename, so a crash never leaves a
/// half-written file.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> CliResult<()> {
    let tmp = path.with_extension("tmp-xspense");
    std::fs::write(&tmp, bytes).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
    std::fs::rename(&tmp, path)
        .map_err(|e| format!("cannot replace {}: {e}", path.display()).into())
}

/// Whether a write ended because standard output was closed early (then `Ok(true)`, so the
/// caller can finish what does not need it); other errors pass through.
pub fn closed_early(written: CliResult<()>) -> CliResult<bool> {
    match written {
        Ok(()) => Ok(false),
        Err(CliError::OutputClosed) => Ok(true),
        Err(e) => Err(e),
    }
}

/// The original columns plus category, confidence, band, source, merchant and reason.
pub fn write_categorized(
    data: &BankCsv,
    results: &[Categorization],
    out: Option<&Path>,
) -> CliResult<()> {
    let mut w = csv::Writer::from_writer(Vec::new());
    let mut header = data.headers.clone();
    header.extend(
        [
            "category",
            "confidence",
            "band",
            "source",
            "merchant",
            "reason",
        ]
        .map(String::from),
    );
    w.write_record(&header).map_err(|e| e.to_string())?;
    for (row, c) in data.rows.iter().zip(results) {
        let mut rec = row.cells.clone();
        rec.extend([
            c.category.clone(),
            format!("{:.3}", c.confidence),
            c.band.as_str().to_string(),
            c.source.as_str().to_string(),
            c.merchant.clone(),
            c.reason.clone(),
        ]);
        w.write_record(&rec).map_err(|e| e.to_string())?;
    }
    let bytes = w.into_inner().map_err(|e| e.to_string())?;
    match out {
        Some(path) => write_atomically(path, &bytes),
        None => {
            let mut stdout = Stdout::lock();
            stdout.write_all(&bytes)?;
            stdout.flush()
        }
    }
}

/// Counts by source and by category, to standard error (or standard output with `--out`).
pub fn print_summary(results: &[Categorization], to_stdout: bool) -> CliResult<()> {
    let mut by_source: BTreeMap<&str, usize> = BTreeMap::new();
    let mut by_cat: BTreeMap<&str, usize> = BTreeMap::new();
    for c in results {
        *by_source.entry(c.source.as_str()).or_default() += 1;
        *by_cat.entry(c.category.as_str()).or_default() += 1;
    }
    let mut s = format!("{} transactions\nby source:\n", results.len());
    for (k, v) in &by_source {
        s.push_str(&format!("  {k:<12} {v:>7}\n"));
    }
    s.push_str("by category:\n");
    let mut cats: Vec<_> = by_cat.into_iter().collect();
    cats.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    for (k, v) in cats {
        s.push_str(&format!("  {k:<28} {v:>7}\n"));
    }
    if to_stdout {
        let mut stdout = Stdout::lock();
        write!(stdout, "{s}")?;
        stdout.flush()
    } else {
        note!("{}", s.trim_end());
        Ok(())
    }
}
