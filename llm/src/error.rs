//! What can go wrong talking to a server. No message carries the API key: the client removes
//! it from any text a server sends back before it becomes an error.

use std::time::Duration;

/// A failed call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LlmError {
    /// The server URL is unusable (the URL itself is not repeated).
    #[error("invalid LLM server URL: {0}")]
    InvalidUrl(String),
    /// The API key cannot be sent in an HTTP header.
    #[error("invalid API key: {0}")]
    InvalidKey(&'static str),
    /// The configuration cannot be used (a zero timeout...).
    #[error("invalid LLM client setting: {0}")]
    InvalidConfig(String),
    /// No complete answer within the timeout.
    #[error("the LLM server did not answer within {0:?}")]
    Timeout(Duration),
    /// The server could not be reached, or the connection broke.
    #[error("cannot reach the LLM server: {0}")]
    Transport(String),
    /// The server answered with an HTTP error status.
    #[error("the LLM server answered HTTP {status}: {message}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The server's message (its `error.message`, or the start of its body).
        message: String,
    },
    /// The server's answer is not a chat completion (not JSON, no message content...).
    #[error("the LLM server's answer is not a chat completion: {0}")]
    MalformedResponse(String),
}

impl LlmError {
    /// Whether trying again may help: 429, 5xx, timeouts and broken connections.
    pub fn is_retryable(&self) -> bool {
        match self {
            LlmError::Status { status, .. } => is_retryable_status(*status),
            LlmError::Timeout(_) | LlmError::Transport(_) => true,
            _ => false,
        }
    }
}

/// Too many requests, or a server-side failure.
fn is_retryable_status(status: u16) -> bool {
    status == 429 || (500..600).contains(&status)
}
