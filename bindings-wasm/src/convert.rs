//! JS values to core types and back, as JSON text: `JSON.stringify` -> serde_json -> core type,
//! and core type -> serde_json -> `JSON.parse`. One conversion path, plain objects out, every
//! key of the input seen (so unknown keys are refused), and one boundary crossing per value.

use serde::de::DeserializeOwned;
use serde::Serialize;
use wasm_bindgen::JsValue;

use crate::errors::invalid;

/// A core value as a plain JS object.
pub fn to_js<T: Serialize + ?Sized>(v: &T) -> Result<JsValue, JsValue> {
    let internal = |e: String| crate::errors::to_js(xspense::Error::Internal(e));
    let text = serde_json::to_string(v).map_err(|e| internal(e.to_string()))?;
    js_sys::JSON::parse(&text)
        .map_err(|_| internal("JSON.parse refused the engine's output".into()))
}

/// A JS value as a core type; a shape error (an unknown key, a wrong type, a value JSON cannot
/// carry) is `invalid_input` naming `what`.
pub fn from_js<T: DeserializeOwned>(v: JsValue, what: &str) -> Result<T, JsValue> {
    let text = js_sys::JSON::stringify(&v)
        .ok()
        .and_then(|s| s.as_string())
        .ok_or_else(|| invalid(format!("{what}: not representable as JSON")))?;
    serde_json::from_str(&text).map_err(|e| invalid(format!("{what}: {e}")))
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
