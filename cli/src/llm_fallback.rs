//! `categorize --llm`: the rows no stage was confident about are asked of an OpenAI-compatible
//! chat-completions server, one request per batch of unknown merchants.
//!
//! Per block of rows the engine categorizes, the `NeedsLlm` requests are grouped by merchant
//! key; each merchant not met before in the run is asked once, `--llm-batch` merchants per
//! request (the core's `llm::batch_request`, whose prompt holds only text the core scrubbed),
//! and every row of an answered merchant is resolved with the answer, so the engine learns it
//! (and with `--state`, keeps it: a later run does not ask again).
//!
//! Nothing the server does loses a row or fails the command: an HTTP error, a timeout, an
//! answer that is not JSON, an unknown category or a merchant the answer leaves out is a
//! warning on standard error, and the row keeps the best guess the engine had (or
//! `uncategorized`), exactly as without `--llm`. Once `--llm-max-calls` requests were made, the
//! merchants left are not asked. A summary line on standard error counts calls, retries,
//! failures, merchants and tokens.

use std::collections::HashMap;
use std::time::Duration;

use xspense::llm::{batch_request, parse_batch_answer, BatchOutcome, MerchantAnswer};
use xspense::{Categorization, Decision, Engine, LlmRequest, Transaction};
use xspense_llm::{ApiKey, AuthHeader, ChatClient, ClientConfig, Endpoint, RetryPolicy};

use crate::stdio::{note, CliError};
use crate::CliResult;

/// The environment variable the API key is read from unless `--llm-key-env` names another.
pub const DEFAULT_KEY_ENV: &str = "XSPENSE_LLM_API_KEY";

/// Longest `--llm-timeout`, in seconds.
const MAX_TIMEOUT_SECS: f64 = 3600.0;

/// Longest wait between two attempts (a `Retry-After` above it is cut to it).
const MAX_RETRY_WAIT: Duration = Duration::from_secs(60);

/// The `--llm*` flags of `categorize`.
#[derive(clap::Args, Debug, Clone)]
pub struct LlmArgs {
    /// Ask an OpenAI-compatible chat-completions server about the merchants no stage knows: its
    /// base URL (`http://127.0.0.1:11434/v1`, `https://api.openai.com/v1`) or its full
    /// `.../chat/completions` URL.
    #[arg(
        long,
        value_name = "URL",
        requires = "llm_model",
        help_heading = "Language model"
    )]
    pub llm: Option<String>,
    /// The model name sent with each request.
    #[arg(
        long,
        value_name = "NAME",
        requires = "llm",
        help_heading = "Language model"
    )]
    pub llm_model: Option<String>,
    /// The environment variable holding the API key; unset or empty sends no key (local
    /// servers).
    #[arg(long, value_name = "VAR", default_value = DEFAULT_KEY_ENV, requires = "llm", help_heading = "Language model")]
    pub llm_key_env: String,
    /// Send the key in this header instead of `Authorization: Bearer KEY` (`api-key` for
    /// Azure OpenAI).
    #[arg(
        long,
        value_name = "HEADER",
        requires = "llm",
        help_heading = "Language model"
    )]
    pub llm_key_header: Option<String>,
    /// Merchants per request, 1 to 100.
    #[arg(long, value_name = "N", default_value_t = 25, value_parser = clap::value_parser!(u16).range(1..=100), requires = "llm", help_heading = "Language model")]
    pub llm_batch: u16,
    /// Time for one attempt, from connecting to the end of the answer, in seconds
    /// (fractions allowed).
    #[arg(long, value_name = "SECS", default_value = "60", value_parser = parse_timeout, requires = "llm", help_heading = "Language model")]
    pub llm_timeout: Duration,
    /// Attempts after the first on HTTP 429, 5xx, a timeout or a broken connection.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 3,
        requires = "llm",
        help_heading = "Language model"
    )]
    pub llm_retries: u32,
    /// Wait before the first retry, in milliseconds; it doubles with each retry (a server's
    /// `Retry-After` in seconds is waited instead), up to 60 s.
    #[arg(
        long,
        value_name = "MS",
        default_value_t = 500,
        requires = "llm",
        help_heading = "Language model"
    )]
    pub llm_backoff_ms: u64,
    /// Most requests in one run (retries not counted); the merchants left stay as they are.
    #[arg(
        long,
        value_name = "N",
        default_value_t = 100,
        requires = "llm",
        help_heading = "Language model"
    )]
    pub llm_max_calls: u64,
}

impl LlmArgs {
    /// Whether `--llm` was given.
    pub fn enabled(&self) -> bool {
        self.llm.is_some()
    }
}

/// `--llm-timeout`: positive seconds, at most an hour.
fn parse_timeout(s: &str) -> Result<Duration, String> {
    let secs: f64 = s
        .trim()
        .parse()
        .map_err(|_| format!("{s:?} is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= MAX_TIMEOUT_SECS) {
        return Err(format!(
            "the timeout must be above 0 and at most {MAX_TIMEOUT_SECS} seconds"
        ));
    }
    Duration::try_from_secs_f64(secs).map_err(|e| e.to_string())
}

/// What the run learned about a merchant it asked.
enum Known {
    /// A valid answer, as the text `Engine::resolve` reads.
    Answer(String),
    /// Asked without a usable answer, or not asked because of `--llm-max-calls`.
    Unresolved,
}

/// Merchant counts for the summary.
#[derive(Default)]
struct MerchantTally {
    asked: u64,
    answered: u64,
    rejected: u64,
    unanswered: u64,
    not_asked: u64,
}

/// The fallback of one run: the client, what was learned per merchant, the counts.
pub struct LlmFallback {
    client: ChatClient,
    batch_size: usize,
    max_calls: u64,
    max_calls_noted: bool,
    known: HashMap<String, Known>,
    tally: MerchantTally,
}

impl LlmFallback {
    /// The fallback `--llm` asks for, or `None` without it. A bad URL, key or setting is an
    /// error (exit status 2) before anything is read.
    pub fn from_args(args: &LlmArgs) -> CliResult<Option<LlmFallback>> {
        let (Some(url), Some(model)) = (&args.llm, &args.llm_model) else {
            return Ok(None);
        };
        let endpoint = Endpoint::parse(url).map_err(|e| format!("--llm: {e}"))?;
        let mut config = ClientConfig::new(endpoint, model.as_str());
        config.api_key = api_key(&args.llm_key_env)?;
        if config.api_key.is_some() && config.endpoint.is_plain_remote() {
            note!("warning: llm: the API key is sent unencrypted (http://) to another machine; use https://");
        }
        if let Some(header) = &args.llm_key_header {
            config.auth_header = AuthHeader::Named(header.clone());
        }
        config.timeout = args.llm_timeout;
        config.retry = RetryPolicy {
            max_retries: args.llm_retries,
            base_delay: Duration::from_millis(args.llm_backoff_ms),
            max_delay: MAX_RETRY_WAIT,
        };
        let client = ChatClient::new(config).map_err(|e| match e {
            xspense_llm::LlmError::InvalidKey(why) => {
                CliError::Failed(format!("the API key in ${}: {why}", args.llm_key_env))
            }
            e => CliError::Failed(format!("--llm: {e}")),
        })?;
        Ok(Some(LlmFallback {
            client,
            batch_size: usize::from(args.llm_batch),
            max_calls: args.llm_max_calls,
            max_calls_noted: false,
            known: HashMap::new(),
            tally: MerchantTally::default(),
        }))
    }

    /// The categorization of each row of a block: decided rows as they are, the others
    /// resolved with their merchant's answer or settled as without `--llm`.
    pub fn settle(
        &mut self,
        engine: &mut Engine,
        txs: &[Transaction],
        decisions: Vec<Decision>,
    ) -> CliResult<Vec<Categorization>> {
        let new = self.new_merchants(&decisions);
        self.ask(&new);
        decisions
            .into_iter()
            .zip(txs)
            .map(|(d, tx)| match d {
                Decision::Categorized(c) => Ok(c),
                Decision::NeedsLlm(r) => self.settle_one(engine, tx, &r),
            })
            .collect()
    }

    /// The summary line: calls, retries, failures, merchants, tokens.
    pub fn print_summary(&self) {
        let s = self.client.stats();
        let t = &self.tally;
        note!(
            "llm: {} calls, {} retries, {} failed; merchants: {} asked, {} answered, {} rejected, {} unanswered, {} not asked; tokens: {} prompt, {} completion",
            s.calls,
            s.retries,
            s.failures,
            t.asked,
            t.answered,
            t.rejected,
            t.unanswered,
            t.not_asked,
            s.prompt_tokens,
            s.completion_tokens
        );
    }

    /// The first request of each merchant of the block the run has not asked about yet.
    fn new_merchants<'d>(&self, decisions: &'d [Decision]) -> Vec<&'d LlmRequest> {
        let mut new: Vec<&LlmRequest> = Vec::new();
        for d in decisions {
            let Decision::NeedsLlm(r) = d else { continue };
            let seen = self.known.contains_key(&r.merchant_key)
                || new.iter().any(|n| n.merchant_key == r.merchant_key);
            if !seen {
                new.push(r);
            }
        }
        new
    }

    /// Asks about `requests`, a batch at a time, until `--llm-max-calls`.
    fn ask(&mut self, requests: &[&LlmRequest]) {
        for chunk in requests.chunks(self.batch_size) {
            if self.client.stats().calls >= self.max_calls {
                self.skip(chunk);
            } else {
                self.ask_batch(chunk);
            }
        }
    }

    /// Marks merchants not asked because `--llm-max-calls` was reached.
    fn skip(&mut self, chunk: &[&LlmRequest]) {
        if !self.max_calls_noted {
            note!(
                "llm: --llm-max-calls {} reached: the merchants left are not asked and keep their best guess or stay uncategorized",
                self.max_calls
            );
            self.max_calls_noted = true;
        }
        self.tally.not_asked += chunk.len() as u64;
        self.mark_unresolved(chunk);
    }

    /// One request for `chunk`, and what its answer says about each merchant.
    fn ask_batch(&mut self, chunk: &[&LlmRequest]) {
        let batch = match batch_request(chunk) {
            Ok(b) => b,
            Err(e) => {
                note!("warning: llm: cannot build a request: {e}");
                return self.mark_unresolved(chunk);
            }
        };
        self.tally.asked += chunk.len() as u64;
        let answers = self
            .client
            .complete(&batch.system, &batch.prompt)
            .map_err(|e| e.to_string())
            .and_then(|c| {
                parse_batch_answer(&c.content, &batch)
                    .map_err(|e| format!("the answer cannot be read: {e}"))
            });
        match answers {
            Ok(answers) => self.record(answers),
            Err(e) => {
                note!(
                    "warning: llm: {e}; {} merchants keep their best guess or stay uncategorized",
                    chunk.len()
                );
                self.mark_unresolved(chunk);
            }
        }
    }

    /// Keeps each merchant's outcome; warns about the rejected and the missing ones.
    fn record(&mut self, answers: Vec<MerchantAnswer>) {
        let mut missing = 0;
        for a in answers {
            let known = match a.outcome {
                BatchOutcome::Answered(answer) => {
                    self.tally.answered += 1;
                    Known::Answer(answer.answer_text())
                }
                BatchOutcome::Rejected(why) => {
                    self.tally.rejected += 1;
                    note!("warning: llm: an answer was rejected: {why}");
                    Known::Unresolved
                }
                BatchOutcome::Missing => {
                    missing += 1;
                    Known::Unresolved
                }
            };
            self.known.insert(a.merchant_key, known);
        }
        if missing > 0 {
            self.tally.unanswered += missing;
            note!("warning: llm: the answer left out {missing} merchants; they keep their best guess or stay uncategorized");
        }
    }

    fn mark_unresolved(&mut self, chunk: &[&LlmRequest]) {
        for r in chunk {
            self.known.insert(r.merchant_key.clone(), Known::Unresolved);
        }
    }

    /// A row the engine asked about: resolved with its merchant's answer (and learned), or
    /// what the engine says without a model.
    fn settle_one(
        &self,
        engine: &mut Engine,
        tx: &Transaction,
        request: &LlmRequest,
    ) -> CliResult<Categorization> {
        if let Some(Known::Answer(text)) = self.known.get(&request.merchant_key) {
            match engine.resolve(request, text) {
                Ok(c) => return Ok(c),
                Err(e) => note!("warning: llm: an answer was not used: {e}"),
            }
        }
        engine
            .explain(tx)
            .map_err(|e| CliError::Failed(e.to_string()))
    }
}

/// The key in `var`: none when unset or empty; refused when not UTF-8 (never printed).
fn api_key(var: &str) -> CliResult<Option<ApiKey>> {
    match std::env::var(var) {
        Ok(key) if key.is_empty() => Ok(None),
        Ok(key) => Ok(Some(ApiKey::new(key))),
        Err(std::env::VarError::NotPresent) => Ok(None),
        Err(std::env::VarError::NotUnicode(_)) => {
            Err(format!("the API key in ${var} is not valid UTF-8").into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timeouts_are_positive_seconds() {
        assert_eq!(parse_timeout("0.2").unwrap(), Duration::from_millis(200));
        assert_eq!(parse_timeout("30").unwrap(), Duration::from_secs(30));
        for bad in ["0", "-1", "NaN", "inf", "x", "7200"] {
            assert!(parse_timeout(bad).is_err(), "{bad}");
        }
    }
}
