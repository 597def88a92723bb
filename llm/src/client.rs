//! The blocking chat-completions client: one call is one POST, retried on 429, 5xx, timeouts
//! and broken connections.

use std::fmt;
use std::sync::Mutex;
use std::time::Duration;

use ureq::http::{HeaderName, HeaderValue};
use ureq::Agent;

use crate::backoff::{parse_retry_after, RetryPolicy};
use crate::endpoint::Endpoint;
use crate::error::LlmError;
use crate::wire::{error_message, read_completion, request_body, Usage};

/// Default time for one attempt, from connecting to the end of the answer.
const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
/// Default largest answer body read, in bytes.
const DEFAULT_MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;
/// What replaces the API key in any text a server sends back.
const KEY_PLACEHOLDER: &str = "[API KEY]";
/// The `User-Agent` of every request.
const USER_AGENT: &str = concat!("xspense-llm/", env!("CARGO_PKG_VERSION"));

/// An API key. Its `Debug` form hides it; no error message contains it.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    /// Wraps a key (read from an environment variable, a secret store...).
    pub fn new(key: impl Into<String>) -> ApiKey {
        ApiKey(key.into())
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(..)")
    }
}

/// How the key is sent.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AuthHeader {
    /// `Authorization: Bearer KEY` (OpenAI, vLLM, llama.cpp, most servers).
    #[default]
    Bearer,
    /// `NAME: KEY`, e.g. `api-key` for Azure OpenAI.
    Named(String),
}

/// Where and how to call.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// The chat-completions URL.
    pub endpoint: Endpoint,
    /// The model name sent with every request.
    pub model: String,
    /// The key; `None` sends no key (local servers).
    pub api_key: Option<ApiKey>,
    /// The header the key goes in.
    pub auth_header: AuthHeader,
    /// Time for one attempt, from connecting to the end of the answer.
    pub timeout: Duration,
    /// Retries on 429, 5xx, timeouts and broken connections.
    pub retry: RetryPolicy,
    /// Largest answer body read, in bytes.
    pub max_response_bytes: u64,
    /// Whether to go through the proxy that `HTTPS_PROXY`, `HTTP_PROXY` or `ALL_PROXY` name
    /// (minding `NO_PROXY`); off, requests go straight to the server.
    pub proxy_from_env: bool,
}

impl ClientConfig {
    /// The defaults: no key, a 60 s timeout, [`RetryPolicy::default`], answers up to 4 MiB, the
    /// environment's proxy.
    pub fn new(endpoint: Endpoint, model: impl Into<String>) -> ClientConfig {
        ClientConfig {
            endpoint,
            model: model.into(),
            api_key: None,
            auth_header: AuthHeader::Bearer,
            timeout: DEFAULT_TIMEOUT,
            retry: RetryPolicy::default(),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            proxy_from_env: true,
        }
    }
}

/// A model's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// The first choice's message content.
    pub content: String,
    /// Tokens used, when the server reported them.
    pub usage: Option<Usage>,
    /// Attempts it took after the first.
    pub retries: u32,
}

/// Counts over the client's life.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CallStats {
    /// Calls made ([`ChatClient::complete`]), each of one or more attempts.
    pub calls: u64,
    /// Attempts after the first, over all calls.
    pub retries: u64,
    /// Calls that failed after their last attempt.
    pub failures: u64,
    /// Prompt tokens the server reported.
    pub prompt_tokens: u64,
    /// Completion tokens the server reported.
    pub completion_tokens: u64,
}

/// A failed attempt and the wait the server asked for.
struct Failure {
    error: LlmError,
    retry_after: Option<Duration>,
}

/// A blocking client for one server and model.
pub struct ChatClient {
    agent: Agent,
    config: ClientConfig,
    stats: Mutex<CallStats>,
}

impl fmt::Debug for ChatClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatClient")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl ChatClient {
    /// A client; refuses an empty model name, a zero timeout and a key or header name that
    /// cannot be sent in HTTP.
    pub fn new(config: ClientConfig) -> Result<ChatClient, LlmError> {
        check_config(&config)?;
        let proxy = if config.proxy_from_env {
            ureq::Proxy::try_from_env()
        } else {
            None
        };
        let agent = Agent::config_builder()
            .proxy(proxy)
            .http_status_as_error(false)
            .max_redirects(0)
            .timeout_global(Some(config.timeout))
            .user_agent(USER_AGENT)
            .build()
            .new_agent();
        Ok(ChatClient {
            agent,
            config,
            stats: Mutex::new(CallStats::default()),
        })
    }

    /// Sends a system and a user message and returns the answer, retrying on 429, 5xx,
    /// timeouts and broken connections as [`ClientConfig::retry`] allows (waiting what a
    /// `Retry-After` in seconds asks, else the doubling wait).
    pub fn complete(&self, system: &str, user: &str) -> Result<Completion, LlmError> {
        self.count(|s| s.calls += 1);
        let body = request_body(&self.config.model, system, user);
        let mut retries = 0;
        loop {
            match self.attempt(&body) {
                Ok(mut completion) => {
                    completion.retries = retries;
                    self.count_usage(completion.usage);
                    return Ok(completion);
                }
                Err(f) if f.error.is_retryable() && retries < self.config.retry.max_retries => {
                    std::thread::sleep(self.config.retry.delay(retries, f.retry_after));
                    retries += 1;
                    self.count(|s| s.retries += 1);
                }
                Err(f) => {
                    self.count(|s| s.failures += 1);
                    return Err(f.error);
                }
            }
        }
    }

    /// The counts so far.
    pub fn stats(&self) -> CallStats {
        *self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    fn count(&self, f: impl FnOnce(&mut CallStats)) {
        f(&mut self.stats.lock().unwrap_or_else(|e| e.into_inner()));
    }

    fn count_usage(&self, usage: Option<Usage>) {
        if let Some(u) = usage {
            self.count(|s| {
                s.prompt_tokens = s.prompt_tokens.saturating_add(u.prompt_tokens);
                s.completion_tokens = s.completion_tokens.saturating_add(u.completion_tokens);
            });
        }
    }

    /// One POST and its answer.
    fn attempt(&self, body: &str) -> Result<Completion, Failure> {
        let mut request = self
            .agent
            .post(self.config.endpoint.as_str())
            .header("content-type", "application/json")
            .header("accept", "application/json");
        if let Some(ApiKey(key)) = &self.config.api_key {
            request = match &self.config.auth_header {
                AuthHeader::Bearer => request.header("authorization", format!("Bearer {key}")),
                AuthHeader::Named(name) => request.header(name.as_str(), key.as_str()),
            };
        }
        let mut response = request.send(body).map_err(|e| self.failed(e, None))?;
        let status = response.status().as_u16();
        let retry_after = response
            .headers()
            .get("retry-after")
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let text = response
            .body_mut()
            .with_config()
            .limit(self.config.max_response_bytes)
            .read_to_string()
            .map_err(|e| self.failed(e, retry_after))?;
        if !(200..300).contains(&status) {
            let message = self.without_key(error_message(&text));
            return Err(Failure {
                error: LlmError::Status { status, message },
                retry_after,
            });
        }
        let (content, usage) = read_completion(&text).map_err(|error| Failure {
            error,
            retry_after: None,
        })?;
        Ok(Completion {
            content,
            usage,
            retries: 0,
        })
    }

    /// A transport error as an attempt's failure.
    fn failed(&self, e: ureq::Error, retry_after: Option<Duration>) -> Failure {
        let error = match e {
            ureq::Error::Timeout(_) => LlmError::Timeout(self.config.timeout),
            ureq::Error::BodyExceedsLimit(n) => {
                LlmError::MalformedResponse(format!("the answer is longer than {n} bytes"))
            }
            other => LlmError::Transport(self.without_key(other.to_string())),
        };
        Failure { error, retry_after }
    }

    /// `text` with every occurrence of the key replaced.
    fn without_key(&self, text: String) -> String {
        match &self.config.api_key {
            Some(ApiKey(key)) if !key.is_empty() => text.replace(key.as_str(), KEY_PLACEHOLDER),
            _ => text,
        }
    }
}

/// Settings a client cannot work with.
fn check_config(config: &ClientConfig) -> Result<(), LlmError> {
    if config.model.trim().is_empty() {
        return Err(LlmError::InvalidConfig("the model name is empty".into()));
    }
    if config.timeout.is_zero() {
        return Err(LlmError::InvalidConfig("the timeout is zero".into()));
    }
    if let AuthHeader::Named(name) = &config.auth_header {
        HeaderName::from_bytes(name.as_bytes()).map_err(|_| {
            LlmError::InvalidConfig("the key header is not an HTTP header name".into())
        })?;
    }
    if let Some(ApiKey(key)) = &config.api_key {
        check_key(key)?;
    }
    Ok(())
}

/// A key goes into a header: printable ASCII without spaces.
fn check_key(key: &str) -> Result<(), LlmError> {
    if key.is_empty() {
        return Err(LlmError::InvalidKey("it is empty"));
    }
    if !key.bytes().all(|b| b.is_ascii_graphic()) || HeaderValue::from_str(key).is_err() {
        return Err(LlmError::InvalidKey(
            "it holds spaces, control characters or non-ASCII characters",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> ClientConfig {
        ClientConfig::new(Endpoint::parse("http://127.0.0.1:9/v1").unwrap(), "m")
    }

    #[test]
    fn refuses_unusable_settings() {
        let mut c = config();
        c.model = " ".into();
        assert!(matches!(
            ChatClient::new(c),
            Err(LlmError::InvalidConfig(_))
        ));
        let mut c = config();
        c.timeout = Duration::ZERO;
        assert!(ChatClient::new(c).is_err());
        let mut c = config();
        c.auth_header = AuthHeader::Named("bad header".into());
        assert!(ChatClient::new(c).is_err());
        for key in ["", "sk secret", "sk-\u{e9}", "sk-\n"] {
            let mut c = config();
            c.api_key = Some(ApiKey::new(key));
            let e = ChatClient::new(c).unwrap_err();
            assert!(matches!(e, LlmError::InvalidKey(_)), "{key:?}");
            if !key.is_empty() {
                assert!(!e.to_string().contains(key));
            }
        }
    }

    #[test]
    fn debug_hides_the_key() {
        let mut c = config();
        c.api_key = Some(ApiKey::new("sk-very-secret"));
        let client = ChatClient::new(c).unwrap();
        assert!(!format!("{client:?}").contains("sk-very-secret"));
        assert_eq!(
            client.without_key("echo sk-very-secret".into()),
            "echo [API KEY]"
        );
    }
}
