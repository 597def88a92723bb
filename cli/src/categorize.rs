//! `xspense categorize`: every transaction of an export, streamed from the reader through the
//! engine to the output in batches, so memory does not grow with the number of rows.
//!
//! `--out` is written to a temporary file and replaced only once every step succeeded, so a
//! cell the reader cannot read leaves it as it was. The order at the end is: the output is
//! written and synced to its temporary file, then the state is saved (one transaction of its
//! store, see [`crate::state_store`]), then the temporary file is renamed over `--out`. A failure
//! before the save changes neither; a failed save leaves `--out` as it was. Standard output
//! cannot be taken back: there a first pass over a clone of the reader reads every row
//! without keeping any, and only then are rows categorized and written.

use std::collections::BTreeMap;
use std::io::{BufWriter, Write};
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use xspense::statement::{Report, StatementReader, StatementTransaction};
use xspense::{Categorization, Decision, Engine, EngineConfig, Transaction};

use crate::input::{in_file, read_bytes, to_transaction, warn, InputArgs};
use crate::llm_fallback::{LlmArgs, LlmFallback};
use crate::pending_file::PendingFile;
use crate::results::{input_columns, OutputFormat, Row, RowWriter};
use crate::semantic::EmbedderArgs;
use crate::state_store::State;
use crate::stdio::{note, CliError, Stdout};
use crate::{progress, CliResult};

/// Transactions categorized together.
const BATCH_ROWS: usize = 1024;

/// Size of the buffer in front of standard output.
const STDOUT_BUFFER_BYTES: usize = 64 * 1024;

pub struct Options<'a> {
    pub file: &'a Path,
    pub rules: Option<&'a Path>,
    pub state: Option<&'a Path>,
    pub out: Option<&'a Path>,
    pub format: OutputFormat,
    pub input: &'a InputArgs,
    pub llm: &'a LlmArgs,
    /// The sentence-embedding model, if any.
    pub embedder: &'a EmbedderArgs,
}

/// Counts for the summary.
#[derive(Default)]
struct Tally {
    total: usize,
    by_source: BTreeMap<String, usize>,
    by_category: BTreeMap<String, usize>,
}

impl Tally {
    fn add(&mut self, c: &Categorization) {
        self.total += 1;
        *self
            .by_source
            .entry(c.source.as_str().to_string())
            .or_default() += 1;
        *self.by_category.entry(c.category.clone()).or_default() += 1;
    }
}

pub fn run(o: &Options<'_>) -> CliResult<()> {
    // an unusable `--state` (a malformed URL) is refused before the input is read
    o.state.map(crate::state_store::check).transpose()?;
    // so is an unusable `--llm` URL, key or setting
    let mut fallback = LlmFallback::from_args(o.llm)?;
    let bytes = read_bytes(o.file)?;
    let hints = o.input.hints.hints()?;
    let reader = StatementReader::new(&bytes, &hints).map_err(|e| in_file(o.file, e))?;
    let expected = match o.out {
        Some(_) => None,
        None => Some(check_every_row(o.file, reader.clone(), &o.input.tenant)?),
    };
    // read once: a save that redoes the run's change uses the same rules
    let rules = o
        .rules
        .map(|p| Ok::<_, CliError>((p, crate::rules_check::read_text(p)?)));
    let rules = rules.transpose()?;
    let rules = rules.as_ref().map(|(p, text)| (*p, text.as_str()));
    let state = o.state.map(State::open).transpose()?;
    let (mut engine, seq) = build_engine(o, rules, state.as_ref())?;
    let changes = engine.drain_changes();
    let mut out = o.out.map(PendingFile::create).transpose()?;
    let mut stdout;
    let sink: &mut dyn Write = match &mut out {
        Some(pending) => pending.writer(),
        None => {
            stdout = BufWriter::with_capacity(STDOUT_BUFFER_BYTES, std::io::stdout().lock());
            &mut stdout
        }
    };
    let (tally, closed, report) =
        stream(o, reader, &mut engine, sink, expected, fallback.as_mut())?;
    // what the model's answers taught, kept with `--state`
    let learned = engine.drain_changes();
    if let Some(f) = &fallback {
        f.print_summary();
    }
    note!(
        "{}: {}",
        o.file.display(),
        crate::inspect::one_line(&report)
    );
    warn(o.file, &report);
    if report.transactions == 0 {
        note!("{}: warning: no transactions found", o.file.display());
    }
    if let Some(pending) = &mut out {
        pending.sync()?;
    }
    if let Some(state) = &state {
        let tenant = &o.input.tenant;
        let mut all = changes;
        all.extend(learned.iter().cloned());
        state.save(tenant, seq, all, |state| {
            let (mut fresh, seq) = build_engine(o, rules, Some(state))?;
            let mut redone = fresh.drain_changes();
            redone.extend(learned.iter().cloned());
            Ok((seq, redone))
        })?;
    }
    // every step succeeded: replace the output
    if let Some(pending) = out {
        pending.commit()?;
    }
    if closed {
        return Err(CliError::OutputClosed);
    }
    print_summary(&tally, o.out.is_some())
}

/// Reads every row and makes its transaction, keeping none: the number of transactions, or
/// the first error.
fn check_every_row(file: &Path, mut reader: StatementReader<'_>, tenant: &str) -> CliResult<usize> {
    for st in &mut reader {
        let st = st.map_err(|e| in_file(file, e))?;
        to_transaction(&st, tenant).map_err(|e| in_file(file, e))?;
    }
    Ok(reader.report().transactions)
}

/// The engine of the run (asking for the model only with `--llm`): the tenant's stored state
/// (with the sequence it is at, 0 without `--state`), then the run's own change: rules from
/// `--rules` replace the tenant's stored ones. The change is recorded (for [`Engine::drain_changes`]) only if the rules differ, so
/// re-runs with the same file append nothing.
fn build_engine(
    o: &Options<'_>,
    rules: Option<(&Path, &str)>,
    state: Option<&State>,
) -> CliResult<(Engine, u64)> {
    let tenant = &o.input.tenant;
    let mut engine = Engine::with_config(EngineConfig {
        llm_fallback: o.llm.enabled(),
        ..Default::default()
    })
    .map_err(|e| e.to_string())?;
    engine = o.embedder.apply(engine)?;
    let seq = match state {
        Some(state) => state.load_into(&mut engine, tenant)?,
        None => 0,
    };
    // loading is not a change of this run
    engine.drain_changes();
    if let Some((path, text)) = rules {
        let before = engine.rules(tenant);
        for r in &before {
            engine
                .remove_rule(tenant, &r.id)
                .map_err(|e| e.to_string())?;
        }
        engine
            .add_rules(tenant, text)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        if engine.rules(tenant) == before {
            engine.drain_changes();
        }
    }
    Ok((engine, seq))
}

/// A batch of statement rows with their cells (CSV output of a CSV input) and transactions.
#[derive(Default)]
struct Batch {
    rows: Vec<(StatementTransaction, Option<Vec<String>>)>,
    txs: Vec<Transaction>,
}

/// Reads up to [`BATCH_ROWS`] transactions.
fn next_batch(
    reader: &mut StatementReader<'_>,
    keep_cells: bool,
    tenant: &str,
) -> xspense::Result<Batch> {
    let mut batch = Batch::default();
    while batch.txs.len() < BATCH_ROWS {
        let Some(st) = reader.next().transpose()? else {
            break;
        };
        batch.txs.push(to_transaction(&st, tenant)?);
        let cells = keep_cells
            .then(|| reader.record().map(<[String]>::to_vec))
            .flatten();
        batch.rows.push((st, cells));
    }
    Ok(batch)
}

fn decided(d: Decision) -> CliResult<Categorization> {
    match d {
        Decision::Categorized(c) => Ok(c),
        Decision::NeedsLlm(r) => r.best_guess.ok_or_else(|| {
            "internal: LLM request without a guess while the fallback is off".into()
        }),
    }
}

/// Categorizes and writes every transaction; the counts, whether standard output was closed
/// early (the rest is still categorized, so the saved state is that of a full run), and the
/// reader's complete report.
fn stream(
    o: &Options<'_>,
    mut reader: StatementReader<'_>,
    engine: &mut Engine,
    sink: &mut dyn Write,
    expected: Option<usize>,
    mut fallback: Option<&mut LlmFallback>,
) -> CliResult<(Tally, bool, Report)> {
    let fail = |e: xspense::Error| in_file(o.file, e);
    let input = input_columns(reader.report());
    let keep_cells = o.format == OutputFormat::Csv && input.is_some();
    let mut closed = false;
    let mut writer = match RowWriter::new(o.format, sink, input) {
        Ok(w) => Some(w),
        Err(CliError::OutputClosed) => {
            closed = true;
            None
        }
        Err(e) => return Err(e),
    };
    let pb = match expected {
        Some(n) => progress(n),
        None => spinner(),
    };
    let mut tally = Tally::default();
    loop {
        let batch = next_batch(&mut reader, keep_cells, &o.input.tenant).map_err(fail)?;
        if batch.txs.is_empty() {
            break;
        }
        let decisions = engine
            .categorize_batch(&batch.txs)
            .map_err(|e| e.to_string())?;
        let results = match fallback.as_deref_mut() {
            Some(f) => f.settle(engine, &batch.txs, decisions)?,
            None => decisions
                .into_iter()
                .map(decided)
                .collect::<CliResult<_>>()?,
        };
        for ((st, cells), result) in batch.rows.iter().zip(results) {
            tally.add(&result);
            let Some(w) = writer.as_mut() else { continue };
            let row = Row {
                statement: st,
                record: cells.as_deref(),
                result: &result,
            };
            match w.write(&row) {
                Ok(()) => {}
                Err(CliError::OutputClosed) => {
                    closed = true;
                    writer = None;
                }
                Err(e) => return Err(e),
            }
        }
        pb.inc(batch.txs.len() as u64);
    }
    pb.finish_and_clear();
    if let Some(w) = writer {
        match w.finish() {
            Ok(_) => {}
            Err(CliError::OutputClosed) => closed = true,
            Err(e) => return Err(e),
        }
    }
    Ok((tally, closed, reader.into_report()))
}

/// Progress without a known end: rows so far and their rate.
fn spinner() -> ProgressBar {
    let pb = ProgressBar::new_spinner();
    pb.set_style(
        ProgressStyle::with_template("{spinner} {pos} rows {per_sec}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb
}

/// Counts by source and by category, to standard error (or standard output with `--out`).
fn print_summary(tally: &Tally, to_stdout: bool) -> CliResult<()> {
    let mut s = format!("{} transactions\nby source:\n", tally.total);
    for (k, v) in &tally.by_source {
        s.push_str(&format!("  {k:<12} {v:>7}\n"));
    }
    s.push_str("by category:\n");
    let mut cats: Vec<_> = tally.by_category.iter().collect();
    cats.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
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
