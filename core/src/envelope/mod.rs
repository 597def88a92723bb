//! Signed messages between agents: [`Envelope`]s (task, result, event) carried as HS256 JSON
//! Web Tokens with issuer, audience, expiry, not-before, clock tolerance and replay protection,
//! and HMAC-SHA256 webhook signatures.
//!
//! ```
//! use serde_json::json;
//! use xspense::envelope::{Envelope, Resources, Signer, TaskMessage, Verifier};
//!
//! let key = b"0123456789abcdef0123456789abcdef";
//! let signer = Signer::new(key, "scheduler").unwrap();
//! let verifier = Verifier::new(&[key], &["scheduler"], "categorizer").unwrap();
//! let msg = Envelope::Task(TaskMessage {
//!     task_id: "t-42".into(),
//!     action: "categorize_batch".into(),
//!     payload: json!({"tenant": "alice"}),
//!     reply_to: Some("https://scheduler.internal/results".into()),
//!     trace_id: "tr-1".into(),
//!     requested_by: "scheduler".into(),
//!     resources: Resources { priority: 1, timeout_ms: 60_000, retry: 3 },
//! });
//! let now = 1_700_000_000_000;
//! let token = signer.sign(&msg, "categorizer", "t-42#1", now, 60_000).unwrap();
//! assert_eq!(verifier.verify(&token, now + 1_000).unwrap().msg, msg);
//! let again = verifier.verify(&token, now + 2_000).unwrap_err();
//! assert_eq!(again.code().as_str(), "token_replayed");
//! ```

mod jwt;
mod message;
mod webhook;

pub use jwt::{Claims, Signer, Verifier, MIN_KEY_BYTES};
pub use message::{
    Envelope, ErrorBody, EventMessage, Resources, ResultMessage, ResultStatus, TaskMessage,
};
pub use webhook::{sign_webhook, verify_webhook};

#[cfg(test)]
mod tests;
