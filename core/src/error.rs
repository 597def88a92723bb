//! The one public error type of xspense, with stable machine-readable codes.
//!
//! Every fallible operation in the crate returns [`Result<T>`]. Bindings map
//! [`ErrorCode`] to native error types (a Python exception per code, a JS
//! `Error` with a `code` property, Kotlin/Swift error enums); the code strings
//! returned by [`ErrorCode::as_str`] are part of the public API and never change.

use std::fmt;

/// Result alias used throughout the crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Stable, machine-readable category of an [`Error`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// An argument was malformed or out of range.
    InvalidInput,
    /// Rule text or JSON could not be parsed.
    ParseError,
    /// A referenced item (tenant, rule, category, request) does not exist.
    NotFound,
    /// The operation conflicts with existing state (duplicate id, ...).
    Conflict,
    /// An LLM answer was rejected: malformed JSON, unknown category, bad confidence.
    InvalidAnswer,
    /// A snapshot failed its checksum, version or format check.
    CorruptSnapshot,
    /// A state machine refused a transition.
    InvalidTransition,
    /// A rate limit was exceeded.
    RateLimited,
    /// A bug inside xspense; reported instead of panicking across an FFI boundary.
    Internal,
    /// A worker acted on a task whose lease it no longer holds (expired or taken over).
    LeaseLost,
    /// A payload is larger or deeper than allowed.
    PayloadTooLarge,
    /// A signed token or signature is not well formed.
    TokenMalformed,
    /// A signature does not verify (wrong key or altered content).
    TokenBadSignature,
    /// A token is meant for another audience.
    TokenWrongAudience,
    /// A token comes from an issuer that is not trusted.
    TokenWrongIssuer,
    /// A token or signature is past its expiry (or its timestamp is too old).
    TokenExpired,
    /// A token is not valid yet.
    TokenNotYetValid,
    /// A token was seen before.
    TokenReplayed,
    /// An audit log failed verification.
    Tampered,
}

impl ErrorCode {
    /// The stable string form of the code, e.g. `"invalid_input"`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidInput => "invalid_input",
            ErrorCode::ParseError => "parse_error",
            ErrorCode::NotFound => "not_found",
            ErrorCode::Conflict => "conflict",
            ErrorCode::InvalidAnswer => "invalid_answer",
            ErrorCode::CorruptSnapshot => "corrupt_snapshot",
            ErrorCode::InvalidTransition => "invalid_transition",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::Internal => "internal",
            ErrorCode::LeaseLost => "lease_lost",
            ErrorCode::PayloadTooLarge => "payload_too_large",
            ErrorCode::TokenMalformed => "token_malformed",
            ErrorCode::TokenBadSignature => "token_bad_signature",
            ErrorCode::TokenWrongAudience => "token_wrong_audience",
            ErrorCode::TokenWrongIssuer => "token_wrong_issuer",
            ErrorCode::TokenExpired => "token_expired",
            ErrorCode::TokenNotYetValid => "token_not_yet_valid",
            ErrorCode::TokenReplayed => "token_replayed",
            ErrorCode::Tampered => "tampered",
        }
    }

    /// Every code, in declaration order (for bindings that generate one native error per code).
    pub const ALL: [ErrorCode; 19] = [
        ErrorCode::InvalidInput,
        ErrorCode::ParseError,
        ErrorCode::NotFound,
        ErrorCode::Conflict,
        ErrorCode::InvalidAnswer,
        ErrorCode::CorruptSnapshot,
        ErrorCode::InvalidTransition,
        ErrorCode::RateLimited,
        ErrorCode::Internal,
        ErrorCode::LeaseLost,
        ErrorCode::PayloadTooLarge,
        ErrorCode::TokenMalformed,
        ErrorCode::TokenBadSignature,
        ErrorCode::TokenWrongAudience,
        ErrorCode::TokenWrongIssuer,
        ErrorCode::TokenExpired,
        ErrorCode::TokenNotYetValid,
        ErrorCode::TokenReplayed,
        ErrorCode::Tampered,
    ];
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in a piece of rule text a parse error happened (1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Position {
    /// 1-based line number.
    pub line: usize,
    /// 1-based column, counted in characters.
    pub column: usize,
}

impl fmt::Display for Position {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, column {}", self.line, self.column)
    }
}

/// The error type of every xspense operation.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Error {
    /// An argument was malformed or out of range.
    #[error("invalid input: {0}")]
    InvalidInput(String),
    /// Rule text could not be parsed.
    #[error("parse error at {position}: {message}")]
    Parse {
        /// Where the error is.
        position: Position,
        /// What is wrong there.
        message: String,
    },
    /// A referenced item does not exist.
    #[error("{kind} not found: {id}")]
    NotFound {
        /// What kind of thing was looked up ("rule", "category", ...).
        kind: &'static str,
        /// The identifier that was not found.
        id: String,
    },
    /// The operation conflicts with existing state.
    #[error("conflict: {0}")]
    Conflict(String),
    /// An LLM answer was rejected; nothing was learned.
    #[error("invalid LLM answer: {0}")]
    InvalidAnswer(String),
    /// A snapshot was refused.
    #[error("corrupt snapshot: {0}")]
    CorruptSnapshot(String),
    /// A state machine refused a transition.
    #[error("invalid transition: {0}")]
    InvalidTransition(String),
    /// A rate limit was exceeded.
    #[error("rate limited: {0}")]
    RateLimited(String),
    /// A bug inside xspense.
    #[error("internal error: {0}")]
    Internal(String),
    /// A worker no longer holds the lease of the task it acted on.
    #[error("lease lost: {0}")]
    LeaseLost(String),
    /// A payload is larger or deeper than allowed.
    #[error("payload too large: {0}")]
    PayloadTooLarge(String),
    /// A token or signature was refused; `code` says why (one of the `token_*` codes).
    #[error("{code}: {message}")]
    Token {
        /// Why: [`ErrorCode::TokenMalformed`], [`ErrorCode::TokenBadSignature`], ...
        code: ErrorCode,
        /// Details safe to log (never the key or the token).
        message: String,
    },
    /// An audit log failed verification at entry `seq`.
    #[error("audit log tampered at entry {seq}: {problem}")]
    Tampered {
        /// Sequence number of the first entry that does not verify.
        seq: u64,
        /// `altered`, `removed` or `reordered`, with details.
        problem: String,
    },
}

/// Runs `f`, turning a panic inside it into [`Error::Internal`]: what a binding calls around
/// every core call so that no panic crosses an FFI boundary.
///
/// ```
/// use xspense::error::catch_panic;
/// let e = catch_panic(|| -> xspense::Result<()> { panic!("boom") }).unwrap_err();
/// assert_eq!(e.code().as_str(), "internal");
/// assert!(e.to_string().contains("boom"));
/// ```
pub fn catch_panic<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    match std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            Err(Error::Internal(format!("panic inside xspense: {what}")))
        }
    }
}

impl Error {
    /// The stable code of this error.
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::InvalidInput(_) => ErrorCode::InvalidInput,
            Error::Parse { .. } => ErrorCode::ParseError,
            Error::NotFound { .. } => ErrorCode::NotFound,
            Error::Conflict(_) => ErrorCode::Conflict,
            Error::InvalidAnswer(_) => ErrorCode::InvalidAnswer,
            Error::CorruptSnapshot(_) => ErrorCode::CorruptSnapshot,
            Error::InvalidTransition(_) => ErrorCode::InvalidTransition,
            Error::RateLimited(_) => ErrorCode::RateLimited,
            Error::Internal(_) => ErrorCode::Internal,
            Error::LeaseLost(_) => ErrorCode::LeaseLost,
            Error::PayloadTooLarge(_) => ErrorCode::PayloadTooLarge,
            Error::Token { code, .. } => *code,
            Error::Tampered { .. } => ErrorCode::Tampered,
        }
    }

    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        Error::InvalidInput(msg.into())
    }

    pub(crate) fn not_found(kind: &'static str, id: impl Into<String>) -> Self {
        Error::NotFound {
            kind,
            id: id.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_stable_strings() {
        let names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            names,
            [
                "invalid_input",
                "parse_error",
                "not_found",
                "conflict",
                "invalid_answer",
                "corrupt_snapshot",
                "invalid_transition",
                "rate_limited",
                "internal",
                "lease_lost",
                "payload_too_large",
                "token_malformed",
                "token_bad_signature",
                "token_wrong_audience",
                "token_wrong_issuer",
                "token_expired",
                "token_not_yet_valid",
                "token_replayed",
                "tampered"
            ]
        );
        for c in ErrorCode::ALL {
            let json = serde_json::to_string(&c).unwrap();
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
    }

    #[test]
    fn parse_error_message_names_line_and_column() {
        let e = Error::Parse {
            position: Position { line: 3, column: 7 },
            message: "expected `=>`".into(),
        };
        assert_eq!(e.code(), ErrorCode::ParseError);
        assert_eq!(
            e.to_string(),
            "parse error at line 3, column 7: expected `=>`"
        );
    }
}
