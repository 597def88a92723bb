//! `categorize --llm` against a chat-completions server on 127.0.0.1: batching, learning,
//! redaction, retries, timeouts, bad answers, the call cap and the summary line.

#[path = "../../llm/tests/support/mock_server.rs"]
mod mock_server;

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

use mock_server::{answer_all, batch_ids, MockServer, Received, Reply};

const KEY: &str = "sk-cli-test-key-0123456789";
const KEY_ENV: &str = "XSPENSE_TEST_LLM_KEY";

/// Two rows a built-in table knows, and four unknown merchants (one of them twice) whose
/// descriptors hold a card number, an email and an IBAN.
const STATEMENT: &str = "Date,Description,Amount
11/13/2026,SQ *BLUE BOTTLE 0042 OAKLAND CA,-4.75
11/14/2026,QWXZ TRADING CARD 4111 1111 1111 1111,-19.99
11/15/2026,VORPAL SUPPLIES john.doe@example.com,-42.00
11/16/2026,ZENTRIX GMBH DE89370400440532013000,-120.00
11/17/2026,QWXZ TRADING CARD 4111 1111 1111 1111,-7.50
11/18/2026,FLOOBLE WIDGETS,-3.20
11/19/2026,PAYROLL ACME CORP DIRECT DEP,3250.00
";

/// Rows of [`STATEMENT`].
const ROWS: usize = 7;
/// Distinct unknown merchants of [`STATEMENT`].
const UNKNOWN_MERCHANTS: usize = 4;

/// Personal data of [`STATEMENT`] that must never reach the server, in any spelling.
/// Compared in lower case: a merchant name made from `john.doe@example.com` is `John.doe
/// Example`.
const PII: [&str; 8] = [
    "4111 1111 1111 1111",
    "4111111111111111",
    "john",
    "doe",
    "example",
    "de89370400440532013000",
    "de89 3704",
    "0532013000",
];

const CATEGORY: &str = "shopping.online";

/// The variables a proxy is read from, removed for the command.
const PROXY_VARIABLES: [&str; 6] = [
    "HTTP_PROXY",
    "http_proxy",
    "HTTPS_PROXY",
    "https_proxy",
    "ALL_PROXY",
    "all_proxy",
];

struct Run {
    output: Output,
    rows: Vec<serde_json::Value>,
}

impl Run {
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.output.stderr).into_owned()
    }

    /// The `llm: ...` summary line.
    fn summary(&self) -> String {
        self.stderr()
            .lines()
            .find(|l| l.starts_with("llm: ") && l.contains(" calls, "))
            .unwrap_or_else(|| panic!("no summary in {}", self.stderr()))
            .to_string()
    }

    fn sources(&self) -> Vec<&str> {
        self.rows
            .iter()
            .map(|r| r["source"].as_str().unwrap())
            .collect()
    }

    fn by_description(&self, needle: &str) -> Vec<&serde_json::Value> {
        self.rows
            .iter()
            .filter(|r| r["description"].as_str().unwrap().contains(needle))
            .collect()
    }

    /// Every row of the statement is in the output, in order, and the command succeeded.
    fn assert_every_row(&self) {
        assert!(self.output.status.success(), "{}", self.stderr());
        assert_eq!(self.rows.len(), ROWS, "{}", self.stderr());
        let numbers: Vec<u64> = self
            .rows
            .iter()
            .map(|r| r["row"].as_u64().unwrap())
            .collect();
        assert_eq!(numbers, (2..2 + ROWS as u64).collect::<Vec<_>>());
    }
}

fn statement(dir: &Path) -> String {
    write_statement(dir, STATEMENT)
}

fn write_statement(dir: &Path, text: &str) -> String {
    let p = dir.join("statement.csv");
    std::fs::write(&p, text).unwrap();
    p.to_string_lossy().into_owned()
}

/// `xspense categorize STATEMENT --format jsonl --llm URL` with fast retry settings and the
/// given extra flags, with the key in [`KEY_ENV`].
fn categorize(server: &MockServer, dir: &Path, extra: &[&str]) -> Run {
    categorize_with_key(server, dir, extra, Some(KEY))
}

/// [`categorize`] with this key in [`KEY_ENV`], or none.
fn categorize_with_key(server: &MockServer, dir: &Path, extra: &[&str], key: Option<&str>) -> Run {
    let file = statement(dir);
    run_xspense(server, &file, extra, key)
}

fn run_xspense(server: &MockServer, file: &str, extra: &[&str], key: Option<&str>) -> Run {
    let url = server.url();
    let mut args = vec![
        "categorize",
        file,
        "--format",
        "jsonl",
        "--llm",
        &url,
        "--llm-model",
        "test-model",
        "--llm-key-env",
        KEY_ENV,
        "--llm-timeout",
        "0.2",
        "--llm-backoff-ms",
        "10",
    ];
    args.extend_from_slice(extra);
    let mut command = Command::new(env!("CARGO_BIN_EXE_xspense"));
    command.args(&args);
    // loopback only: no proxy from the environment
    for proxy in PROXY_VARIABLES {
        command.env_remove(proxy);
    }
    match key {
        Some(key) => command.env(KEY_ENV, key),
        None => command.env_remove(KEY_ENV),
    };
    let output = command.output().expect("binary runs");
    let rows = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    Run { output, rows }
}

/// Answers every merchant of each request with [`CATEGORY`].
fn answering(_: usize, r: &Received) -> Reply {
    Reply::content(answer_all(&r.prompt(), CATEGORY))
}

fn assert_no_pii(received: &[Received]) {
    assert!(!received.is_empty());
    for r in received {
        let body = r.body.to_lowercase();
        for needle in PII {
            assert!(
                !body.contains(needle),
                "{needle} reached the server: {}",
                r.body
            );
        }
    }
}

#[test]
fn asks_each_unknown_merchant_once_in_batches_and_learns_it() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("state.db").to_string_lossy().into_owned();
    let server = MockServer::start(answering);
    let run = categorize(
        &server,
        dir.path(),
        &["--llm-batch", "2", "--state", &state],
    );
    run.assert_every_row();
    let received = server.received();
    assert_eq!(received.len(), UNKNOWN_MERCHANTS / 2, "{}", run.stderr());
    let asked: usize = received.iter().map(|r| batch_ids(&r.prompt()).len()).sum();
    assert_eq!(asked, UNKNOWN_MERCHANTS);
    assert_no_pii(&received);
    for r in &received {
        assert_eq!(
            r.header("authorization"),
            Some(format!("Bearer {KEY}").as_str())
        );
        assert_eq!(r.json()["model"], "test-model");
    }
    // both QWXZ rows took the one answer
    for row in run.by_description("QWXZ") {
        assert_eq!(
            (row["category"].as_str(), row["source"].as_str()),
            (Some(CATEGORY), Some("llm"))
        );
    }
    assert_eq!(run.sources().iter().filter(|s| **s == "llm").count(), 5);
    assert_eq!(
        run.summary(),
        "llm: 2 calls, 0 retries, 0 failed; merchants: 4 asked, 4 answered, 0 rejected, 0 unanswered, 0 not asked; tokens: 200 prompt, 20 completion"
    );
    assert!(!run.stderr().contains(KEY));

    // the next run knows them: nothing is asked
    let again = categorize(&server, dir.path(), &["--state", &state]);
    again.assert_every_row();
    assert_eq!(
        server.received().len(),
        received.len(),
        "{}",
        again.stderr()
    );
    assert!(
        again.summary().starts_with("llm: 0 calls"),
        "{}",
        again.summary()
    );
    for row in again.by_description("QWXZ") {
        assert_eq!(row["category"].as_str(), Some(CATEGORY));
    }

    // a new merchant is asked with the learned ones as examples, still without personal data
    let file = write_statement(
        dir.path(),
        &format!("{STATEMENT}11/20/2026,GLIMMERNOB LTD,-9.99\n"),
    );
    let third = run_xspense(&server, &file, &["--state", &state], Some(KEY));
    assert!(third.output.status.success(), "{}", third.stderr());
    assert_eq!(third.rows.len(), ROWS + 1);
    let received = server.received();
    assert_eq!(received.len(), UNKNOWN_MERCHANTS / 2 + 1);
    let last = received.last().unwrap();
    assert_eq!(batch_ids(&last.prompt()), ["1"]);
    assert!(
        last.prompt()
            .contains("How this user filed similar merchants"),
        "{}",
        last.prompt()
    );
    assert_no_pii(&received);
}

#[test]
fn waits_out_a_429_then_answers() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(|n, r| match n {
        0 => Reply::status(429, Some("1")),
        _ => answering(n, r),
    });
    let start = std::time::Instant::now();
    let run = categorize(&server, dir.path(), &[]);
    run.assert_every_row();
    assert!(start.elapsed() >= Duration::from_millis(950));
    assert_eq!(server.received().len(), 2);
    assert!(
        run.summary()
            .starts_with("llm: 1 calls, 1 retries, 0 failed; merchants: 4 asked, 4 answered"),
        "{}",
        run.summary()
    );
}

#[test]
fn retries_a_500() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(|n, r| match n {
        0 => Reply::status(500, None),
        _ => answering(n, r),
    });
    let run = categorize(&server, dir.path(), &[]);
    run.assert_every_row();
    assert!(
        run.summary()
            .starts_with("llm: 1 calls, 1 retries, 0 failed"),
        "{}",
        run.summary()
    );
    assert_eq!(run.sources().iter().filter(|s| **s == "llm").count(), 5);
}

#[test]
fn a_timeout_keeps_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(|n, r| {
        Reply::Sleep(Duration::from_millis(1500), Box::new(answering(n, r)))
    });
    let run = categorize(&server, dir.path(), &["--llm-retries", "1"]);
    run.assert_every_row();
    assert!(
        run.stderr()
            .contains("warning: llm: the LLM server did not answer within 200ms"),
        "{}",
        run.stderr()
    );
    assert!(!run.sources().contains(&"llm"));
    assert_eq!(run.by_description("QWXZ")[0]["category"], "uncategorized");
    assert_eq!(
        run.summary(),
        "llm: 1 calls, 1 retries, 1 failed; merchants: 4 asked, 0 answered, 0 rejected, 0 unanswered, 0 not asked; tokens: 0 prompt, 0 completion"
    );
}

#[test]
fn a_malformed_body_keeps_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(|_, _| Reply::RawOk("{\"choices\": [oops".into()));
    let run = categorize(&server, dir.path(), &[]);
    run.assert_every_row();
    assert!(
        run.stderr().contains("is not a chat completion"),
        "{}",
        run.stderr()
    );
    assert!(!run.sources().contains(&"llm"));
    assert!(
        run.summary()
            .starts_with("llm: 1 calls, 0 retries, 1 failed"),
        "{}",
        run.summary()
    );
}

#[test]
fn an_answer_that_is_not_json_keeps_every_row() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(|_, _| Reply::content("I think these are shops."));
    let run = categorize(&server, dir.path(), &[]);
    run.assert_every_row();
    assert!(
        run.stderr().contains("the answer cannot be read"),
        "{}",
        run.stderr()
    );
    assert!(!run.sources().contains(&"llm"));
}

#[test]
fn an_unknown_category_is_rejected_for_its_merchant_only() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(|_, r| {
        let answer = answer_all(&r.prompt(), CATEGORY).replacen(CATEGORY, "made.up", 1);
        Reply::content(answer)
    });
    let run = categorize(&server, dir.path(), &[]);
    run.assert_every_row();
    assert!(
        run.stderr()
            .contains("\"made.up\" is not one of the allowed categories"),
        "{}",
        run.stderr()
    );
    // the first merchant asked (QWXZ, two rows) keeps its guess; the three others are answered
    assert!(run
        .by_description("QWXZ")
        .iter()
        .all(|r| r["source"] != "llm"));
    assert_eq!(run.sources().iter().filter(|s| **s == "llm").count(), 3);
    assert!(
        run.summary()
            .contains("merchants: 4 asked, 3 answered, 1 rejected, 0 unanswered"),
        "{}",
        run.summary()
    );
}

#[test]
fn a_merchant_missing_from_the_answer_stays_uncategorized() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(|_, r| {
        let mut v: serde_json::Value =
            serde_json::from_str(&answer_all(&r.prompt(), CATEGORY)).unwrap();
        v["answers"].as_array_mut().unwrap().remove(1);
        Reply::content(v.to_string())
    });
    let run = categorize(&server, dir.path(), &[]);
    run.assert_every_row();
    assert!(
        run.stderr().contains("the answer left out 1 merchants"),
        "{}",
        run.stderr()
    );
    let vorpal = run.by_description("VORPAL");
    assert_eq!(
        (vorpal[0]["category"].as_str(), vorpal[0]["source"].as_str()),
        (Some("uncategorized"), Some("default"))
    );
    assert!(
        run.summary()
            .contains("4 asked, 3 answered, 0 rejected, 1 unanswered"),
        "{}",
        run.summary()
    );
}

#[test]
fn stops_asking_at_max_calls() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(answering);
    let run = categorize(
        &server,
        dir.path(),
        &["--llm-batch", "1", "--llm-max-calls", "2"],
    );
    run.assert_every_row();
    assert_eq!(server.received().len(), 2);
    assert!(
        run.stderr().contains("--llm-max-calls 2 reached"),
        "{}",
        run.stderr()
    );
    assert!(run.summary().starts_with("llm: 2 calls, 0 retries, 0 failed; merchants: 2 asked, 2 answered, 0 rejected, 0 unanswered, 2 not asked"), "{}", run.summary());
    assert_eq!(
        run.by_description("FLOOBLE")[0]["category"],
        "uncategorized"
    );
}

#[test]
fn an_error_never_shows_the_key() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(|_, r| Reply::Status {
        status: 401,
        retry_after: None,
        body: format!(
            "{{\"error\": {{\"message\": \"bad key {}\"}}}}",
            r.header("authorization").unwrap_or_default()
        ),
    });
    let run = categorize(&server, dir.path(), &[]);
    run.assert_every_row();
    assert!(run.stderr().contains("HTTP 401"), "{}", run.stderr());
    assert!(!run.stderr().contains(KEY), "{}", run.stderr());
    assert!(run
        .summary()
        .starts_with("llm: 1 calls, 0 retries, 1 failed"));
}

#[test]
fn without_a_key_no_authorization_is_sent() {
    let dir = tempfile::tempdir().unwrap();
    let server = MockServer::start(answering);
    let run = categorize_with_key(&server, dir.path(), &[], None);
    run.assert_every_row();
    assert_eq!(server.received()[0].header("authorization"), None);
}

#[test]
fn a_bad_url_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = statement(dir.path());
    for url in [
        "ftp://127.0.0.1/v1",
        "127.0.0.1:8080",
        "http://user:pw@127.0.0.1/v1",
    ] {
        let o = Command::new(env!("CARGO_BIN_EXE_xspense"))
            .args(["categorize", &file, "--llm", url, "--llm-model", "m"])
            .output()
            .unwrap();
        assert_eq!(o.status.code(), Some(2), "{url}");
        assert!(o.stdout.is_empty());
        let stderr = String::from_utf8_lossy(&o.stderr);
        assert!(
            stderr.contains("error: --llm: invalid LLM server URL"),
            "{stderr}"
        );
        assert!(!stderr.contains("pw@"), "{stderr}");
    }
    // --llm needs --llm-model
    let o = Command::new(env!("CARGO_BIN_EXE_xspense"))
        .args(["categorize", &file, "--llm", "http://127.0.0.1:9/v1"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}
