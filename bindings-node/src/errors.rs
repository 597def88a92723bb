//! The one place where core errors become JavaScript errors: an `Error` whose `code` is the
//! core's stable code (`"not_found"`, `"lease_lost"`, ...) and whose message is the core's.
//! Panics inside the core become `code: "internal"`.

use xspense::{Error, ErrorCode};

/// A JS-bound error: `err.code` is the core's code.
pub type JsError = napi::Error<String>;

/// Turns a core error into a JavaScript error with `code`.
pub fn to_js(err: Error) -> JsError {
    napi::Error::new(err.code().as_str().to_string(), err.to_string())
}

/// Extension to write `.map_err(to_js)` as `.js()?`.
pub trait IntoJs<T> {
    /// The value, or the core error as a JavaScript error.
    fn js(self) -> Result<T, JsError>;
}

impl<T> IntoJs<T> for Result<T, Error> {
    fn js(self) -> Result<T, JsError> {
        self.map_err(to_js)
    }
}

impl<T> IntoJs<T> for napi::Result<T> {
    fn js(self) -> Result<T, JsError> {
        self.map_err(|e| napi::Error::new(ErrorCode::Internal.as_str().to_string(), e.reason))
    }
}

/// A store opened by URL failed: mapped through the core's codes (its messages show a URL only
/// with the password masked).
impl<T> IntoJs<T> for Result<T, xspense_stores::Error> {
    fn js(self) -> Result<T, JsError> {
        self.map_err(|e| to_js(e.into()))
    }
}

/// An `invalid_input` error with this message.
pub fn invalid(message: impl Into<String>) -> JsError {
    to_js(Error::InvalidInput(message.into()))
}

pub use xspense::error::catch_panic as guard;

/// Every stable error code, in the core's order.
#[napi_derive::napi(js_name = "errorCodes")]
pub fn error_codes() -> Vec<&'static str> {
    ErrorCode::ALL.iter().map(|c| c.as_str()).collect()
}

/// A rejection value for a promise: a JS `Error` with `code`, carried in the `napi::Error` that
/// `Task::resolve` must return.
pub fn rejection(env: napi::Env, err: Error) -> napi::Error {
    let js = napi::JsError::from(to_js(err)).into_unknown(env);
    napi::Error::from(js)
}
