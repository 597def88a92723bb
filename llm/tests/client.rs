//! The client against a loopback chat-completions server: retries, timeouts, malformed
//! answers, keys.

mod support;

use std::time::{Duration, Instant};

use support::mock_server::{MockServer, Reply};
use xspense_llm::{ApiKey, AuthHeader, ChatClient, ClientConfig, Endpoint, LlmError, RetryPolicy};

const KEY: &str = "sk-test-0123456789abcdef";
const TIMEOUT: Duration = Duration::from_millis(200);

fn client(server: &MockServer, retries: u32) -> ChatClient {
    let mut config = ClientConfig::new(Endpoint::parse(&server.url()).unwrap(), "test-model");
    config.timeout = TIMEOUT;
    config.retry = RetryPolicy {
        max_retries: retries,
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_secs(2),
    };
    config.api_key = Some(ApiKey::new(KEY));
    config.proxy_from_env = false;
    ChatClient::new(config).unwrap()
}

#[test]
fn answers_with_content_and_usage() {
    let server = MockServer::start(|_, _| Reply::content("{\"answers\": []}"));
    let c = client(&server, 2);
    let got = c.complete("sys", "user text").unwrap();
    assert_eq!(got.content, "{\"answers\": []}");
    assert_eq!(got.retries, 0);
    let stats = c.stats();
    assert_eq!((stats.calls, stats.retries, stats.failures), (1, 0, 0));
    assert_eq!((stats.prompt_tokens, stats.completion_tokens), (100, 10));
    let received = server.received();
    assert_eq!(received.len(), 1);
    let r = &received[0];
    assert_eq!(r.request_line, "POST /v1/chat/completions HTTP/1.1");
    assert_eq!(
        r.header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert_eq!(r.json()["model"], "test-model");
    assert_eq!(r.json()["messages"][0]["content"], "sys");
    assert_eq!(r.prompt(), "user text");
}

#[test]
fn no_key_sends_no_authorization() {
    let server = MockServer::start(|_, _| Reply::content("{}"));
    let mut config = ClientConfig::new(Endpoint::parse(&server.url()).unwrap(), "m");
    config.proxy_from_env = false;
    config.timeout = TIMEOUT;
    ChatClient::new(config).unwrap().complete("s", "u").unwrap();
    assert_eq!(server.received()[0].header("authorization"), None);
}

#[test]
fn a_named_key_header_for_azure() {
    let server = MockServer::start(|_, _| Reply::content("{}"));
    let mut config = ClientConfig::new(Endpoint::parse(&server.url()).unwrap(), "m");
    config.proxy_from_env = false;
    config.api_key = Some(ApiKey::new(KEY));
    config.auth_header = AuthHeader::Named("api-key".into());
    ChatClient::new(config).unwrap().complete("s", "u").unwrap();
    let r = &server.received()[0];
    assert_eq!(r.header("api-key"), Some(KEY));
    assert_eq!(r.header("authorization"), None);
}

#[test]
fn waits_as_retry_after_asks_then_succeeds() {
    let server = MockServer::start(|n, _| match n {
        0 => Reply::status(429, Some("1")),
        _ => Reply::content("{}"),
    });
    let c = client(&server, 3);
    let start = Instant::now();
    let got = c.complete("s", "u").unwrap();
    assert!(
        start.elapsed() >= Duration::from_millis(950),
        "{:?}",
        start.elapsed()
    );
    assert_eq!(got.retries, 1);
    let stats = c.stats();
    assert_eq!((stats.calls, stats.retries, stats.failures), (1, 1, 0));
    assert_eq!(server.received().len(), 2);
}

#[test]
fn retries_a_server_error() {
    let server = MockServer::start(|n, _| match n {
        0 => Reply::status(500, None),
        _ => Reply::content("{}"),
    });
    let c = client(&server, 3);
    let start = Instant::now();
    assert_eq!(c.complete("s", "u").unwrap().retries, 1);
    // the doubling wait (10 ms), not a second
    assert!(start.elapsed() < Duration::from_millis(900));
}

#[test]
fn gives_up_after_the_last_retry() {
    let server = MockServer::start(|_, _| Reply::status(503, None));
    let c = client(&server, 2);
    let e = c.complete("s", "u").unwrap_err();
    assert!(matches!(e, LlmError::Status { status: 503, .. }), "{e}");
    assert_eq!(server.received().len(), 3);
    let stats = c.stats();
    assert_eq!((stats.calls, stats.retries, stats.failures), (1, 2, 1));
}

#[test]
fn times_out() {
    let server = MockServer::start(|_, _| {
        Reply::Sleep(Duration::from_millis(1500), Box::new(Reply::content("{}")))
    });
    let c = client(&server, 1);
    let start = Instant::now();
    let e = c.complete("s", "u").unwrap_err();
    assert_eq!(e, LlmError::Timeout(TIMEOUT));
    assert!(
        start.elapsed() < Duration::from_millis(1200),
        "{:?}",
        start.elapsed()
    );
    let stats = c.stats();
    assert_eq!((stats.retries, stats.failures), (1, 1));
}

#[test]
fn a_malformed_body_is_not_retried() {
    let server = MockServer::start(|_, _| Reply::RawOk("<html>oops</html>".into()));
    let c = client(&server, 3);
    let e = c.complete("s", "u").unwrap_err();
    assert!(matches!(e, LlmError::MalformedResponse(_)), "{e}");
    assert_eq!(server.received().len(), 1);
    assert_eq!(c.stats().failures, 1);
}

#[test]
fn an_error_never_echoes_the_key() {
    let server = MockServer::start(|_, r| Reply::Status {
        status: 401,
        retry_after: None,
        body: format!(
            "{{\"error\": {{\"message\": \"Incorrect API key provided: {}\"}}}}",
            r.header("authorization").unwrap_or_default()
        ),
    });
    let c = client(&server, 3);
    let e = c.complete("s", "u").unwrap_err();
    assert!(matches!(e, LlmError::Status { status: 401, .. }), "{e}");
    assert!(!e.to_string().contains(KEY), "{e}");
    assert!(!format!("{e:?}").contains(KEY));
    assert!(e.to_string().contains("[API KEY]"), "{e}");
    // 401 is not retried
    assert_eq!(server.received().len(), 1);
}

#[test]
fn a_closed_port_is_a_transport_error() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut config = ClientConfig::new(
        Endpoint::parse(&format!("http://127.0.0.1:{port}/v1")).unwrap(),
        "m",
    );
    config.timeout = TIMEOUT;
    config.retry.max_retries = 0;
    config.proxy_from_env = false;
    let e = ChatClient::new(config)
        .unwrap()
        .complete("s", "u")
        .unwrap_err();
    assert!(
        matches!(e, LlmError::Transport(_) | LlmError::Timeout(_)),
        "{e}"
    );
}
