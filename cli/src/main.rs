//! `xspense`: categorize bank and card exports (CSV, OFX, QFX, QIF, CAMT), inspect what was
//! detected in one, evaluate accuracy, check rule files, redact text.
//!
//! Runs the engine on its embedded defaults: in-memory stores, the built-in taxonomy and tables,
//! no network unless `categorize --llm URL` names a chat-completions server for the merchants no
//! stage knows (without it, undecided rows keep their best guess or `uncategorized`).

mod agents;
mod categorize;
mod db;
mod eval;
mod input;
mod inspect;
mod intents;
mod llm_fallback;
mod pending_file;
mod redact;
mod results;
mod rules_check;
mod semantic;
mod state_store;
mod stdio;
mod suggest;
mod tasks_demo;
mod worker;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use xspense::Engine;

use input::{HintArgs, InputArgs};
use results::OutputFormat;
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

#[derive(Subcommand)]
enum Command {
    /// Categorize every transaction of an export (CSV, OFX, QFX, QIF, CAMT.053/.052) and write
    /// it with the results.
    Categorize {
        /// The export.
        file: PathBuf,
        /// Rule file (one rule per line) to load before categorizing.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Engine state kept between runs (rules, learned merchants, categories) in SQLite: a
        /// database file, a `sqlite:PATH` URL, or a directory (created if missing) holding
        /// `state.sqlite`; or in PostgreSQL: a `postgres://USER@HOST:PORT/DB` URL (migrated).
        /// A directory's old `state.json` is imported on first use and renamed
        /// `state.json.migrated`. Concurrent runs on one database all keep their changes.
        #[arg(long, value_name = "FILE|DIR|sqlite:PATH|postgres://...")]
        state: Option<PathBuf>,
        /// Where to write the results (default: standard output). Replaced only when
        /// everything succeeded; an existing file keeps its permissions.
        #[arg(long)]
        out: Option<PathBuf>,
        /// `csv`: a CSV input's own columns plus normalized and result columns; `jsonl`: one
        /// JSON object per transaction.
        #[arg(long, value_enum, default_value = "csv")]
        format: OutputFormat,
        #[command(flatten)]
        input: InputArgs,
        #[command(flatten)]
        llm: llm_fallback::LlmArgs,
        #[command(flatten)]
        embedder: semantic::EmbedderArgs,
    },
    /// Print what was detected in an export (format, encoding, columns, number style, date
    /// order, sign convention, currency, skipped rows) without categorizing.
    Inspect {
        /// The export.
        file: PathBuf,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        hints: HintArgs,
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
        #[command(flatten)]
        embedder: semantic::EmbedderArgs,
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
    /// Run worker threads on task queues of a store (built-in intents: categorize, redact),
    /// registered as an agent until SIGINT/SIGTERM.
    Worker {
        /// The store: `sqlite:PATH` or `postgres://USER@HOST:PORT/DB` (migrated).
        #[arg(long, value_name = "URL")]
        store: String,
        /// A queue to claim from; repeat for several.
        #[arg(long = "queue", value_name = "Q", required = true)]
        queues: Vec<String>,
        /// Worker threads.
        #[arg(long, default_value_t = 4)]
        concurrency: usize,
        /// The agent id (default: HOST-PID); unique among running workers, without `#`.
        #[arg(long, value_name = "NAME")]
        id: Option<String>,
        /// Lease per claimed task, in seconds: longer than any task runs.
        #[arg(long = "lease", value_name = "SECS", default_value_t = 60)]
        lease_secs: u64,
        /// Heartbeat interval, in seconds; an agent silent for three intervals is reaped and
        /// its tasks released.
        #[arg(long = "heartbeat", value_name = "SECS", default_value_t = 60)]
        heartbeat_secs: u64,
        /// Exit once the queues have no pending or claimed task.
        #[arg(long)]
        exit_when_idle: bool,
    },
    /// List the agents (worker processes) registered on a store.
    Agents {
        /// The store: `sqlite:PATH` or `postgres://...`.
        #[arg(long, value_name = "URL")]
        store: String,
        /// Only agents claiming from this queue.
        #[arg(long, value_name = "Q")]
        queue: Option<String>,
        /// Gone agents too (deregistered or reaped).
        #[arg(long)]
        all: bool,
        /// One JSON object per agent instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// A store's database schema.
    Db {
        #[command(subcommand)]
        command: DbCommand,
    },
}

#[derive(Subcommand)]
enum DbCommand {
    /// Create or upgrade the schema of a database and print its version; a database of a
    /// newer xspense is refused.
    Migrate {
        /// `sqlite:PATH` or `postgres://USER@HOST:PORT/DB` (a role that may create tables and,
        /// on a new cluster, roles).
        url: String,
    },
    /// Print the schema version of a database, changing nothing.
    Status {
        /// `sqlite:PATH` or `postgres://...`.
        url: String,
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
            format,
            input,
            llm,
            embedder,
        } => categorize::run(&categorize::Options {
            file: &file,
            rules: rules.as_deref(),
            state: state.as_deref(),
            out: out.as_deref(),
            format,
            input: &input,
            llm: &llm,
            embedder: &embedder,
        }),
        Command::Inspect { file, json, hints } => inspect::run(&file, &hints, json),
        Command::Eval {
            file,
            label,
            rules,
            json,
            predictions,
            without,
            input,
            embedder,
        } => eval::run(&eval::Options {
            file: &file,
            label: &label,
            rules: rules.as_deref(),
            json,
            predictions: predictions.as_deref(),
            without: &without,
            input: &input,
            embedder: &embedder,
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
        Command::Worker {
            store,
            queues,
            concurrency,
            id,
            lease_secs,
            heartbeat_secs,
            exit_when_idle,
        } => worker::run(&worker::Options {
            store: &store,
            queues: &queues,
            concurrency,
            id: id.as_deref(),
            lease_secs,
            heartbeat_secs,
            exit_when_idle,
        }),
        Command::Agents {
            store,
            queue,
            all,
            json,
        } => agents::run(&agents::Options {
            store: &store,
            queue: queue.as_deref(),
            all,
            json,
        }),
        Command::Db {
            command: DbCommand::Migrate { url },
        } => db::migrate(&url),
        Command::Db {
            command: DbCommand::Status { url },
        } => db::status(&url),
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

/// Loads a rule file into `engine` for `tenant`, for labelled files with their own label set:
/// a category a rule names that the taxonomy lacks is created first (as `eval` and `rules
/// suggest` create labels).
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
