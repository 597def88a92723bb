//! Conversions between JavaScript values and the core's types.
//!
//! Records the core exchanges as JSON (rules, change events, tasks, stats, claims, audit
//! entries) cross in exactly that JSON shape, so a Node and a Python service can share them;
//! `record` and `from_record` do that. Byte offsets become UTF-16 offsets, as JS indexes strings.

use napi::bindgen_prelude::{Buffer, Either};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::errors::{invalid, JsError};

/// A core record as its JSON value.
pub fn record<T: Serialize>(v: &T) -> Result<Value, JsError> {
    serde_json::to_value(v)
        .map_err(|e| crate::errors::to_js(xspense::Error::Internal(e.to_string())))
}

/// A core record read from its JSON value; mistakes name `what`.
pub fn from_record<T: DeserializeOwned>(v: Value, what: &str) -> Result<T, JsError> {
    serde_json::from_value(integral(v)).map_err(|e| invalid(format!("{what}: {e}")))
}

/// JS has one number type, so every number arrives as a float; whole ones become integers
/// again so that integer fields (times, counts) read back.
pub fn integral(v: Value) -> Value {
    match v {
        Value::Number(n) => match n.as_f64() {
            Some(f) if n.is_f64() && f.fract() == 0.0 && f.abs() < 9.007_199_254_740_992e15 => {
                Value::from(f as i64)
            }
            _ => Value::Number(n),
        },
        Value::Array(a) => Value::Array(a.into_iter().map(integral).collect()),
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, integral(v))).collect()),
        other => other,
    }
}

/// The current time in ms when the caller gave none.
pub fn now_or(now: Option<i64>) -> i64 {
    use xspense::clock::Clock;
    now.unwrap_or_else(|| xspense::clock::SystemClock.now_ms())
}

/// The bytes of a `string` (UTF-8) or a `Buffer`.
pub fn bytes(v: &Either<String, Buffer>) -> &[u8] {
    match v {
        Either::A(s) => s.as_bytes(),
        Either::B(b) => b.as_ref(),
    }
}
