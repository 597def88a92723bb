//! An OpenAI-compatible chat-completions client for xspense's language-model fallback.
//!
//! The core ([`xspense`](https://docs.rs/xspense)) is sans-IO: it builds the prompts (one per
//! batch of unknown merchants, `xspense::llm::batch_request`), scrubs personal data from them
//! and validates the answers. This crate only carries a prompt to a chat-completions server
//! (OpenAI, Azure OpenAI, Ollama, llama.cpp's server, vLLM...) and brings back the answer text,
//! with a timeout, retries with exponential backoff on 429 and 5xx (honouring `Retry-After` in
//! seconds) and counts of calls, retries, failures and tokens.
//!
//! ```no_run
//! use std::time::Duration;
//! use xspense_llm::{ApiKey, ChatClient, ClientConfig, Endpoint};
//!
//! let endpoint = Endpoint::parse("http://127.0.0.1:11434/v1").unwrap();
//! let mut config = ClientConfig::new(endpoint, "llama3.2");
//! config.api_key = std::env::var("XSPENSE_LLM_API_KEY").ok().map(ApiKey::new);
//! config.timeout = Duration::from_secs(30);
//! let client = ChatClient::new(config).unwrap();
//! let completion = client.complete("You categorize...", "Transactions: ...").unwrap();
//! println!("{} ({:?})", completion.content, completion.usage);
//! ```

mod backoff;
mod client;
mod endpoint;
mod error;
mod wire;

pub use backoff::RetryPolicy;
pub use client::{ApiKey, AuthHeader, CallStats, ChatClient, ClientConfig, Completion};
pub use endpoint::Endpoint;
pub use error::LlmError;
pub use wire::Usage;
