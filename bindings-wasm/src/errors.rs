//! The one place where core errors become JavaScript errors: an `Error` whose `code` is the
//! core's stable code and whose message is the core's message.

use wasm_bindgen::prelude::*;
use xspense::{Error, ErrorCode};

/// A JS `Error` with `code` set to the core error's code.
pub fn to_js(err: Error) -> JsValue {
    let e = js_sys::Error::new(&err.to_string());
    // Setting a property on a fresh Error object cannot fail.
    let _ = js_sys::Reflect::set(&e, &"code".into(), &err.code().as_str().into());
    e.into()
}

/// An `invalid_input` error with this message.
pub fn invalid(message: impl Into<String>) -> JsValue {
    to_js(Error::InvalidInput(message.into()))
}

/// Extension to write `.map_err(to_js)` as `.js()?`.
pub trait IntoJs<T> {
    /// The value, or the core error as a JS error.
    fn js(self) -> Result<T, JsValue>;
}

impl<T> IntoJs<T> for xspense::Result<T> {
    fn js(self) -> Result<T, JsValue> {
        self.map_err(to_js)
    }
}

/// Every stable error code, in the core's order.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    ErrorCode::ALL
        .iter()
        .map(|c| c.as_str().to_string())
        .collect()
}
