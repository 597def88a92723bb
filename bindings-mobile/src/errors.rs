//! The one place where core errors become the foreign error enum: one variant per stable core
//! code, each carrying the core's message as `detail` (Kotlin: `XspenseException.NotFound`, Swift:
//! `XspenseError.NotFound`).

use xspense::{Error, ErrorCode};

/// Every error of xspense; the variant is the stable code, `detail` the core's message (the
/// field is not called `message`, which Kotlin exceptions already have).
#[derive(Debug, thiserror::Error, uniffi::Error)]
pub enum XspenseError {
    #[error("{detail}")]
    InvalidInput { detail: String },
    #[error("{detail}")]
    ParseError { detail: String },
    #[error("{detail}")]
    NotFound { detail: String },
    #[error("{detail}")]
    Conflict { detail: String },
    #[error("{detail}")]
    InvalidAnswer { detail: String },
    #[error("{detail}")]
    CorruptSnapshot { detail: String },
    #[error("{detail}")]
    InvalidTransition { detail: String },
    #[error("{detail}")]
    RateLimited { detail: String },
    #[error("{detail}")]
    Internal { detail: String },
    #[error("{detail}")]
    LeaseLost { detail: String },
    #[error("{detail}")]
    PayloadTooLarge { detail: String },
    #[error("{detail}")]
    TokenMalformed { detail: String },
    #[error("{detail}")]
    TokenBadSignature { detail: String },
    #[error("{detail}")]
    TokenWrongAudience { detail: String },
    #[error("{detail}")]
    TokenWrongIssuer { detail: String },
    #[error("{detail}")]
    TokenExpired { detail: String },
    #[error("{detail}")]
    TokenNotYetValid { detail: String },
    #[error("{detail}")]
    TokenReplayed { detail: String },
    #[error("{detail}")]
    Tampered { detail: String },
}

impl From<Error> for XspenseError {
    fn from(e: Error) -> Self {
        let message = e.to_string();
        match e.code() {
            ErrorCode::InvalidInput => XspenseError::InvalidInput { detail: message },
            ErrorCode::ParseError => XspenseError::ParseError { detail: message },
            ErrorCode::NotFound => XspenseError::NotFound { detail: message },
            ErrorCode::Conflict => XspenseError::Conflict { detail: message },
            ErrorCode::InvalidAnswer => XspenseError::InvalidAnswer { detail: message },
            ErrorCode::CorruptSnapshot => XspenseError::CorruptSnapshot { detail: message },
            ErrorCode::InvalidTransition => XspenseError::InvalidTransition { detail: message },
            ErrorCode::RateLimited => XspenseError::RateLimited { detail: message },
            ErrorCode::Internal => XspenseError::Internal { detail: message },
            ErrorCode::LeaseLost => XspenseError::LeaseLost { detail: message },
            ErrorCode::PayloadTooLarge => XspenseError::PayloadTooLarge { detail: message },
            ErrorCode::TokenMalformed => XspenseError::TokenMalformed { detail: message },
            ErrorCode::TokenBadSignature => XspenseError::TokenBadSignature { detail: message },
            ErrorCode::TokenWrongAudience => XspenseError::TokenWrongAudience { detail: message },
            ErrorCode::TokenWrongIssuer => XspenseError::TokenWrongIssuer { detail: message },
            ErrorCode::TokenExpired => XspenseError::TokenExpired { detail: message },
            ErrorCode::TokenNotYetValid => XspenseError::TokenNotYetValid { detail: message },
            ErrorCode::TokenReplayed => XspenseError::TokenReplayed { detail: message },
            ErrorCode::Tampered => XspenseError::Tampered { detail: message },
        }
    }
}

impl XspenseError {
    /// The core error this foreign error stands for (when a host callback raised one).
    pub fn into_core(self) -> Error {
        match self {
            XspenseError::InvalidInput { detail: message } => Error::InvalidInput(message),
            XspenseError::NotFound { detail: message } => Error::NotFound {
                kind: "task",
                id: message
                    .rsplit_once("not found: ")
                    .map_or(message.as_str(), |(_, id)| id)
                    .to_string(),
            },
            XspenseError::Conflict { detail: message } => Error::Conflict(message),
            XspenseError::InvalidAnswer { detail: message } => Error::InvalidAnswer(message),
            XspenseError::CorruptSnapshot { detail: message } => Error::CorruptSnapshot(message),
            XspenseError::InvalidTransition { detail: message } => {
                Error::InvalidTransition(message)
            }
            XspenseError::RateLimited { detail: message } => Error::RateLimited(message),
            XspenseError::LeaseLost { detail: message } => Error::LeaseLost(message),
            XspenseError::PayloadTooLarge { detail: message } => Error::PayloadTooLarge(message),
            XspenseError::TokenMalformed { detail: message } => {
                token(ErrorCode::TokenMalformed, message)
            }
            XspenseError::TokenBadSignature { detail: message } => {
                token(ErrorCode::TokenBadSignature, message)
            }
            XspenseError::TokenWrongAudience { detail: message } => {
                token(ErrorCode::TokenWrongAudience, message)
            }
            XspenseError::TokenWrongIssuer { detail: message } => {
                token(ErrorCode::TokenWrongIssuer, message)
            }
            XspenseError::TokenExpired { detail: message } => {
                token(ErrorCode::TokenExpired, message)
            }
            XspenseError::TokenNotYetValid { detail: message } => {
                token(ErrorCode::TokenNotYetValid, message)
            }
            XspenseError::TokenReplayed { detail: message } => {
                token(ErrorCode::TokenReplayed, message)
            }
            XspenseError::ParseError { detail: message }
            | XspenseError::Tampered { detail: message }
            | XspenseError::Internal { detail: message } => Error::Internal(message),
        }
    }
}

fn token(code: ErrorCode, message: String) -> Error {
    Error::Token { code, message }
}

/// A callback from the host failed in a way it did not describe (uniffi's unexpected error).
impl From<uniffi::UnexpectedUniFFICallbackError> for XspenseError {
    fn from(e: uniffi::UnexpectedUniFFICallbackError) -> Self {
        XspenseError::Internal {
            detail: format!("host callback failed: {}", e.reason),
        }
    }
}

/// `Result` of every exported call.
pub type Result<T, E = XspenseError> = std::result::Result<T, E>;

/// Runs a core call, turning a panic into `Internal` and the core error into the foreign one.
pub fn call<T>(f: impl FnOnce() -> xspense::Result<T>) -> Result<T> {
    xspense::error::catch_panic(f).map_err(Into::into)
}

/// Every stable error code, in the core's order.
#[uniffi::export]
pub fn error_codes() -> Vec<String> {
    ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_string())
        .collect()
}
