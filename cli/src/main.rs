//! `xspense`: categorize bank CSV exports, evaluate accuracy, check rule files, redact text.
//!
//! Runs the engine on its embedded defaults: in-memory stores, the built-in taxonomy and tables,
//! no network (the LLM fallback is off; undecided rows keep their best guess or `uncategorized`).

mod bank_csv;
mod eval;
mod output;
mod redact;
mod rules_check;
mod stdio;
mod suggest;
mod tasks_demo;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use xspense::{Currency, Decision, Engine, EngineConfig};

use bank_csv::{AmountSign, ReadOptions};
use stdio::{note, CliError};

#[derive(Parser)]
#[command(
    name = "xspense",
    version,
    about = "Expense categorization engine: categorize, evaluate, check rules, redact PII"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Args, Clone)]
struct InputArgs {
    /// Currency of amounts when the file has no currency column.
    #[arg(long, default_value = "USD")]
    currency: String,
    /// How the sign of a single amount column maps to money in/out.
    #[arg(long, value_enum, default_value = "debit-negative")]
    amount_sign: AmountSign,
    /// Tenant the transactions belong to.
    #[arg(long, default_value = "default")]
    tenant: String,
}

#[derive(Subcommand)]
enum Command {
    /// Categorize every row of a bank CSV export and write it back with the results.
    Categorize {
        /// The CSV export.
        file: PathBuf,
        /// Rule file (one rule per line) to load before categorizing.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Directory holding the engine state between runs (created if missing).
        #[arg(long)]
        state: Option<PathBuf>,
        /// Where to write the categorized CSV (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
        #[command(flatten)]
        input: InputArgs,
    },
    /// Prequential evaluation: in date order, predict each row, then learn its true label.
    Eval {
        /// The labelled CSV export.
        file: PathBuf,
        /// The column holding the true category.
        #[arg(long)]
        label: String,
        /// Rule file to load first; categories it names that the taxonomy lacks are created.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
        /// Also write every prediction as CSV, in evaluation order (date, description, label,
        /// predicted category, source, confidence, band), for error analysis.
        #[arg(long)]
        predictions: Option<PathBuf>,
        /// Stages to switch off, comma-separated, to measure what each contributes (e.g.
        /// `--without knowledge,mcc` for a merchant base that knows none of the export).
        #[arg(long, value_enum, value_delimiter = ',')]
        without: Vec<eval::Stage>,
        #[command(flatten)]
        input: InputArgs,
    },
    /// Replace card numbers, IBANs, SSNs, emails, phones, IPs, API keys and other secrets in a
    /// text file, streaming line by line.
    Redact {
        /// The file to read; `-` or nothing reads standard input.
        file: Option<PathBuf>,
        /// How findings are replaced. `hash` reads its key from XSPENSE_REDACT_KEY.
        #[arg(long, default_value = "placeholder", value_parser = ["placeholder", "mask", "hash", "remove", "token"])]
        mode: String,
        /// Treat each line as a JSON document (JSON Lines): strings are scanned and values under
        /// names such as `password` or `card_number` are replaced whole.
        #[arg(long)]
        json: bool,
        /// Write here (atomically) instead of standard output.
        #[arg(long)]
        out: Option<PathBuf>,
        /// Ignore findings below this confidence.
        #[arg(long, default_value_t = 0.5)]
        min_confidence: f64,
        /// Print counts by kind to standard error when done.
        #[arg(long)]
        report: bool,
    },
    /// Rule files.
    Rules {
        #[command(subcommand)]
        command: RulesCommand,
    },
    /// Background-worker coordination.
    Tasks {
        #[command(subcommand)]
        command: TasksCommand,
    },
}

#[derive(Subcommand)]
enum TasksCommand {
    /// Simulate workers on the task engine: leases, retries, dead letters, signed envelopes,
    /// idempotency keys and a verified audit log, on virtual time.
    Demo {
        /// Categorization jobs to run (each adds an insights follow-up), 1 to 1,000,000;
        /// memory grows by about 7 KB per job.
        #[arg(long, default_value_t = 2_000)]
        tasks: usize,
        /// Worker threads, 1 to 64.
        #[arg(long, default_value_t = 4)]
        workers: usize,
        /// Share of attempts that fail.
        #[arg(long, default_value_t = 0.15)]
        fail_rate: f64,
        /// Share of attempts whose worker crashes and abandons the lease.
        #[arg(long, default_value_t = 0.05)]
        crash_rate: f64,
        /// Seed of the simulation.
        #[arg(long, default_value_t = 7)]
        seed: u64,
    },
}

#[derive(Subcommand)]
enum RulesCommand {
    /// Check that a rule file loads: the first error (text that is not UTF-8, a parse error, a
    /// rule name used twice, a category the built-in taxonomy lacks) is reported with its line
    /// and column, and the exit status is 2.
    Check {
        /// The rule file.
        file: PathBuf,
        /// Accept categories the built-in taxonomy lacks, as `eval --rules` and `rules suggest
        /// --rules` do (they create them); `categorize --rules` refuses them.
        #[arg(long)]
        new_categories: bool,
    },
    /// Propose rules from a labelled export, each with its backtest (support, precision,
    /// coverage, conflicts), printed as a rule file to review.
    Suggest {
        /// The labelled CSV export.
        file: PathBuf,
        /// The column holding the confirmed category.
        #[arg(long)]
        label: String,
        /// Existing rule file: rows it already categorizes are not proposed again.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Fewest rows a rule must categorize correctly.
        #[arg(long, default_value_t = 3)]
        min_support: u32,
        /// Lowest share of its matches a rule must categorize correctly.
        #[arg(long, default_value_t = 0.9)]
        min_precision: f64,
        /// Most rules proposed.
        #[arg(long, default_value_t = 20)]
        max: usize,
        /// Print the suggestions as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        input: InputArgs,
    },
}

type CliResult<T> = Result<T, CliError>;

/// Exit status of a command that failed (bad input, a file that cannot be read or written).
const EXIT_FAILED: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Categorize {
            file,
            rules,
            state,
            out,
            input,
        } => categorize(
            &file,
            rules.as_deref(),
            state.as_deref(),
            out.as_deref(),
            &input,
        ),
        Command::Eval {
            file,
            label,
            rules,
            json,
            predictions,
            without,
            input,
        } => eval::run(&eval::Options {
            file: &file,
            label: &label,
            rules: rules.as_deref(),
            json,
            predictions: predictions.as_deref(),
            without: &without,
            input: &input,
        }),
        Command::Rules {
            command:
                RulesCommand::Check {
                    file,
                    new_categories,
                },
        } => rules_check::run(&rules_check::Options {
            file: &file,
            new_categories,
        }),
        Command::Rules {
            command:
                RulesCommand::Suggest {
                    file,
                    label,
                    rules,
                    min_support,
                    min_precision,
                    max,
                    json,
                    input,
                },
        } => suggest::run(&suggest::Options {
            file: &file,
            label: &label,
            rules: rules.as_deref(),
            json,
            mining: xspense::rules::MiningOptions {
                min_support,
                min_precision,
                max_suggestions: max,
                ..Default::default()
            },
            input: &input,
        }),
        Command::Tasks {
            command:
                TasksCommand::Demo {
                    tasks,
                    workers,
                    fail_rate,
                    crash_rate,
                    seed,
                },
        } => tasks_demo::run(&tasks_demo::Options {
            tasks,
            workers,
            fail_rate,
            crash_rate,
            seed,
        }),
        Command::Redact {
            file,
            mode,
            json,
            out,
            min_confidence,
            report,
        } => mode
            .parse()
            .map_err(|e: xspense::Error| CliError::Failed(e.to_string()))
            .and_then(|mode| {
                redact::run(&redact::Options {
                    input: file.as_deref(),
                    out: out.as_deref(),
                    mode,
                    json,
                    min_confidence,
                    report,
                })
            }),
    };
    match result {
        // a reader that stopped early (`| head`) got what it asked for
        Ok(()) | Err(CliError::OutputClosed) => ExitCode::SUCCESS,
        Err(CliError::Failed(e)) => {
            note!("error: {e}");
            ExitCode::from(EXIT_FAILED)
        }
    }
}

pub(crate) fn read_input(
    file: &Path,
    input: &InputArgs,
    label: Option<&str>,
) -> CliResult<bank_csv::BankCsv> {
    let currency = Currency::new(&input.currency).map_err(|e| format!("--currency: {e}"))?;
    bank_csv::read(
        file,
        &ReadOptions {
            tenant: &input.tenant,
            currency,
            sign: input.amount_sign,
            label,
        },
    )
    .map_err(|e| format!("{}: {e}", file.display()).into())
}

pub(crate) fn load_rules(engine: &mut Engine, tenant: &str, rules: Option<&Path>) -> CliResult<()> {
    if let Some(path) = rules {
        let text = rules_check::read_text(path)?;
        engine
            .add_rules(tenant, &text)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

/// Like [`load_rules`], for labelled files with their own label set: a category a rule names
/// that the taxonomy lacks is created first (as `eval` and `rules suggest` create labels).
pub(crate) fn load_rules_with_labels(
    engine: &mut Engine,
    tenant: &str,
    rules: Option<&Path>,
) -> CliResult<()> {
    if let Some(path) = rules {
        let text = rules_check::read_text(path)?;
        let parsed = xspense::rules::parse_rules(&text, "line")
            .map_err(|e| format!("{}: {e}", path.display()))?;
        for c in parsed.iter().filter_map(|r| r.then.category.as_deref()) {
            if !engine.has_category(tenant, c) {
                engine
                    .add_category(tenant, c, c, None)
                    .map_err(|e| format!("{}: category {c:?}: {e}", path.display()))?;
            }
        }
        engine
            .add_rules(tenant, &text)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}

pub(crate) fn progress(len: usize) -> ProgressBar {
    let pb = ProgressBar::new(len as u64);
    pb.set_style(
        ProgressStyle::with_template("{spinner} {pos}/{len} rows [{bar:30}] {per_sec} eta {eta}")
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    if len < 2_000 {
        pb.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    pb
}

const STATE_FILE: &str = "state.json";

fn categorize(
    file: &Path,
    rules: Option<&Path>,
    state: Option<&Path>,
    out: Option<&Path>,
    input: &InputArgs,
) -> CliResult<()> {
    let data = read_input(file, input, None)?;
    note!("{}", data.columns.describe());
    let mut engine = Engine::with_config(EngineConfig {
        llm_fallback: false,
        ..Default::default()
    })
    .map_err(|e| e.to_string())?;
    if let Some(dir) = state {
        let path = dir.join(STATE_FILE);
        if path.exists() {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
            engine
                .import_snapshot(&text)
                .map_err(|e| format!("{}: {e}", path.display()))?;
        }
    }
    if let Some(path) = rules {
        // Rules from the file replace the stored ones of the tenant, so re-runs do not duplicate.
        for r in engine.rules(&input.tenant) {
            engine
                .remove_rule(&input.tenant, &r.id)
                .map_err(|e| e.to_string())?;
        }
        load_rules(&mut engine, &input.tenant, Some(path))?;
    }
    let pb = progress(data.rows.len());
    let txs: Vec<_> = data.rows.iter().map(|r| r.tx.clone()).collect();
    let mut results = Vec::with_capacity(txs.len());
    for chunk in txs.chunks(1024) {
        let decisions = engine.categorize_batch(chunk).map_err(|e| e.to_string())?;
        for d in decisions {
            results.push(match d {
                Decision::Categorized(c) => c,
                Decision::NeedsLlm(r) => r
                    .best_guess
                    .ok_or("internal: LLM request without a guess while the fallback is off")?,
            });
        }
        pb.inc(chunk.len() as u64);
    }
    pb.finish_and_clear();
    // A reader that stops early does not undo the run: the state is still saved.
    let closed = output::closed_early(output::write_categorized(&data, &results, out))?;
    if let Some(dir) = state {
        std::fs::create_dir_all(dir)
            .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let snap = engine.export_snapshot(None).map_err(|e| e.to_string())?;
        output::write_atomically(&dir.join(STATE_FILE), snap.as_bytes())?;
    }
    if closed {
        return Err(CliError::OutputClosed);
    }
    output::print_summary(&results, out.is_some())
}
