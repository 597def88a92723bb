//! The one place where core errors become Python exceptions.
//!
//! `XspenseError` is the base; each stable core code has one subclass whose class attribute
//! `code` is that code, so `except xspense.NotFoundError` and `err.code == "not_found"` both work.
//! The message is the core's message. Panics inside the core become `InternalError`.

use pyo3::create_exception;
use pyo3::exceptions::PyException;
use pyo3::prelude::*;
use pyo3::types::PyType;
use xspense::error::{Error, ErrorCode};

create_exception!(
    xspense,
    XspenseError,
    PyException,
    "Base class of every xspense error; `code` holds the stable error code."
);
create_exception!(
    xspense,
    InvalidInputError,
    XspenseError,
    "An argument was malformed or out of range."
);
create_exception!(
    xspense,
    ParseError,
    XspenseError,
    "Rule text or JSON could not be parsed; `line` and `column` say where."
);
create_exception!(
    xspense,
    NotFoundError,
    XspenseError,
    "A referenced tenant, rule, category, task or request does not exist."
);
create_exception!(
    xspense,
    ConflictError,
    XspenseError,
    "The operation conflicts with existing state."
);
create_exception!(
    xspense,
    InvalidAnswerError,
    XspenseError,
    "A language-model answer was rejected; nothing was learned."
);
create_exception!(
    xspense,
    CorruptSnapshotError,
    XspenseError,
    "A snapshot failed its checksum, version or format check."
);
create_exception!(
    xspense,
    InvalidTransitionError,
    XspenseError,
    "A state machine refused a transition."
);
create_exception!(
    xspense,
    RateLimitedError,
    XspenseError,
    "A rate limit was exceeded."
);
create_exception!(
    xspense,
    InternalError,
    XspenseError,
    "A bug inside xspense (or a host callback that failed)."
);
create_exception!(
    xspense,
    LeaseLostError,
    XspenseError,
    "A worker acted on a task whose lease it no longer holds."
);
create_exception!(
    xspense,
    PayloadTooLargeError,
    XspenseError,
    "A payload is larger or deeper than allowed."
);
create_exception!(
    xspense,
    TokenMalformedError,
    XspenseError,
    "A signed token or signature is not well formed."
);
create_exception!(
    xspense,
    TokenBadSignatureError,
    XspenseError,
    "A signature does not verify."
);
create_exception!(
    xspense,
    TokenWrongAudienceError,
    XspenseError,
    "A token is meant for another audience."
);
create_exception!(
    xspense,
    TokenWrongIssuerError,
    XspenseError,
    "A token comes from an issuer that is not trusted."
);
create_exception!(
    xspense,
    TokenExpiredError,
    XspenseError,
    "A token or signature is past its expiry."
);
create_exception!(
    xspense,
    TokenNotYetValidError,
    XspenseError,
    "A token is not valid yet."
);
create_exception!(
    xspense,
    TokenReplayedError,
    XspenseError,
    "A token was seen before."
);
create_exception!(
    xspense,
    TamperedError,
    XspenseError,
    "An audit log failed verification; `seq` is the first bad entry."
);

/// The Python class of one code (exhaustive, so a new core code fails to compile here).
fn class_of(py: Python<'_>, code: ErrorCode) -> Bound<'_, PyType> {
    match code {
        ErrorCode::InvalidInput => py.get_type::<InvalidInputError>(),
        ErrorCode::ParseError => py.get_type::<ParseError>(),
        ErrorCode::NotFound => py.get_type::<NotFoundError>(),
        ErrorCode::Conflict => py.get_type::<ConflictError>(),
        ErrorCode::InvalidAnswer => py.get_type::<InvalidAnswerError>(),
        ErrorCode::CorruptSnapshot => py.get_type::<CorruptSnapshotError>(),
        ErrorCode::InvalidTransition => py.get_type::<InvalidTransitionError>(),
        ErrorCode::RateLimited => py.get_type::<RateLimitedError>(),
        ErrorCode::Internal => py.get_type::<InternalError>(),
        ErrorCode::LeaseLost => py.get_type::<LeaseLostError>(),
        ErrorCode::PayloadTooLarge => py.get_type::<PayloadTooLargeError>(),
        ErrorCode::TokenMalformed => py.get_type::<TokenMalformedError>(),
        ErrorCode::TokenBadSignature => py.get_type::<TokenBadSignatureError>(),
        ErrorCode::TokenWrongAudience => py.get_type::<TokenWrongAudienceError>(),
        ErrorCode::TokenWrongIssuer => py.get_type::<TokenWrongIssuerError>(),
        ErrorCode::TokenExpired => py.get_type::<TokenExpiredError>(),
        ErrorCode::TokenNotYetValid => py.get_type::<TokenNotYetValidError>(),
        ErrorCode::TokenReplayed => py.get_type::<TokenReplayedError>(),
        ErrorCode::Tampered => py.get_type::<TamperedError>(),
    }
}

/// Turns a core error into the matching Python exception (with `line`/`column` for parse
/// errors and `seq` for a tampered audit log).
pub fn to_py_err(err: Error) -> PyErr {
    Python::attach(|py| {
        let cls = class_of(py, err.code());
        let message = err.to_string();
        match cls.call1((message.clone(),)) {
            Ok(exc) => {
                let extra = match &err {
                    Error::Parse { position, .. } => exc
                        .setattr("line", position.line)
                        .and_then(|_| exc.setattr("column", position.column)),
                    Error::Tampered { seq, .. } => exc.setattr("seq", *seq),
                    _ => Ok(()),
                };
                match extra {
                    Ok(()) => PyErr::from_value(exc),
                    Err(e) => e,
                }
            }
            Err(e) => e,
        }
    })
}

/// Extension to write `.map_err(to_py_err)` as `.py()?`.
pub trait IntoPy<T> {
    /// The value, or the core error as a Python exception.
    fn py(self) -> PyResult<T>;
}

impl<T> IntoPy<T> for Result<T, Error> {
    fn py(self) -> PyResult<T> {
        self.map_err(to_py_err)
    }
}

/// A store opened by URL failed: mapped through the core's codes (its messages show a URL only
/// with the password masked).
impl<T> IntoPy<T> for Result<T, xspense_stores::Error> {
    fn py(self) -> PyResult<T> {
        self.map_err(|e| to_py_err(e.into()))
    }
}

/// An `InvalidInputError` with this message (for input the binding rejects while converting).
pub fn invalid(message: impl Into<String>) -> PyErr {
    to_py_err(Error::InvalidInput(message.into()))
}

/// Reads a core error back from a Python exception raised by host code (a task store):
/// an xspense exception keeps its code, anything else becomes `internal`.
pub fn from_py_err(py: Python<'_>, err: &PyErr, context: &str) -> Error {
    let value = err.value(py);
    let message = value.str().map(|s| s.to_string()).unwrap_or_default();
    if err.is_instance_of::<XspenseError>(py) {
        if let Ok(code) = value.getattr("code").and_then(|c| c.extract::<String>()) {
            if let Some(c) = ErrorCode::ALL.iter().find(|c| c.as_str() == code) {
                return rebuild(*c, message);
            }
        }
    }
    let kind = value
        .get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "exception".into());
    Error::Internal(format!("{context} raised {kind}: {message}"))
}

fn rebuild(code: ErrorCode, message: String) -> Error {
    match code {
        ErrorCode::InvalidInput => Error::InvalidInput(message),
        ErrorCode::NotFound => Error::NotFound {
            kind: "task",
            id: message
                .rsplit_once("not found: ")
                .map_or(message.as_str(), |(_, id)| id)
                .to_string(),
        },
        ErrorCode::Conflict => Error::Conflict(message),
        ErrorCode::InvalidAnswer => Error::InvalidAnswer(message),
        ErrorCode::CorruptSnapshot => Error::CorruptSnapshot(message),
        ErrorCode::InvalidTransition => Error::InvalidTransition(message),
        ErrorCode::RateLimited => Error::RateLimited(message),
        ErrorCode::LeaseLost => Error::LeaseLost(message),
        ErrorCode::PayloadTooLarge => Error::PayloadTooLarge(message),
        ErrorCode::TokenMalformed
        | ErrorCode::TokenBadSignature
        | ErrorCode::TokenWrongAudience
        | ErrorCode::TokenWrongIssuer
        | ErrorCode::TokenExpired
        | ErrorCode::TokenNotYetValid
        | ErrorCode::TokenReplayed => Error::Token { code, message },
        ErrorCode::ParseError | ErrorCode::Tampered | ErrorCode::Internal => {
            Error::Internal(message)
        }
    }
}

/// Registers the exception classes on the module, each with its `code` class attribute.
pub fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let base = py.get_type::<XspenseError>();
    base.setattr("code", "xspense_error")?;
    m.add("XspenseError", &base)?;
    for code in ErrorCode::ALL {
        let cls = class_of(py, code);
        cls.setattr("code", code.as_str())?;
        m.add(cls.name()?.to_string(), cls)?;
    }
    Ok(())
}

pub use xspense::error::catch_panic as guard;
