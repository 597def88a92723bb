//! JS values to core types and back, through serde: plain objects, no classes.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::errors::invalid;

/// A core value as a plain JS object (maps become objects, 64-bit integers numbers).
pub fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    let s = serde_wasm_bindgen::Serializer::json_compatible();
    v.serialize(&s)
        .map_err(|e| crate::errors::to_js(xspense::Error::Internal(e.to_string())))
}

/// A JS value as a core type; a shape error (including an unknown key) is `invalid_input`
/// naming `what`. The value goes through `serde_json::Value` so that every key is seen:
/// serde-wasm-bindgen reads only the keys a struct declares.
pub fn from_js<T: DeserializeOwned>(v: JsValue, what: &str) -> Result<T, JsValue> {
    let json: serde_json::Value =
        serde_wasm_bindgen::from_value(v).map_err(|e| invalid(format!("{what}: {e}")))?;
    serde_json::from_value(json).map_err(|e| invalid(format!("{what}: {e}")))
}

/// `from_js`, or `T::default()` for `undefined`/`null`.
pub fn from_js_or_default<T: DeserializeOwned + Default>(
    v: JsValue,
    what: &str,
) -> Result<T, JsValue> {
    if v.is_undefined() || v.is_null() {
        Ok(T::default())
    } else {
        from_js(v, what)
    }
}
