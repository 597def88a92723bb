//! Conversions between JavaScript values and the core's types.
//!
//! Records and option objects cross as JSON text in the core's serde shape (snake_case keys),
//! the same shape the wasm package, the Python dicts, the shared test vectors and persisted
//! change events use: `from_js` reads a JS value with `JSON.stringify` and serde_json, and
//! [`Json`] hands a core value back through serde_json and `JSON.parse`. That is one crossing
//! per value whatever its size, every key is seen (so unknown keys are refused where the core
//! type refuses them), and values follow JSON's rules in both packages alike (a key set to
//! `undefined` is left out, `NaN` is `null`). Byte offsets become UTF-16 offsets, as JS indexes
//! strings.

use napi::bindgen_prelude::{
    Buffer, Either, FromNapiValue, Function, FunctionRef, JsObjectValue, ToNapiValue, TypeName,
    Unknown,
};
use napi::{sys, Env, JsValue, ValueType, JSON};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use crate::errors::{invalid, JsError};

/// A JS value handle passed through as it is (the argument of `JSON.stringify`, the result
/// of `JSON.parse`).
struct Raw(sys::napi_value);

impl ToNapiValue for Raw {
    unsafe fn to_napi_value(_: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        Ok(val.0)
    }
}

impl FromNapiValue for Raw {
    unsafe fn from_napi_value(_: sys::napi_env, val: sys::napi_value) -> napi::Result<Self> {
        Ok(Raw(val))
    }
}

/// `JSON.stringify` and `JSON.parse` of one JS environment, looked up on its first conversion
/// and kept in the environment's instance data (this addon uses the slot for nothing else).
struct JsonFunctions {
    stringify: FunctionRef<Raw, String>,
    parse: FunctionRef<String, Raw>,
}

fn json_functions(env: &Env) -> napi::Result<&'static JsonFunctions> {
    if let Some(f) = env.get_instance_data::<JsonFunctions>()? {
        return Ok(f);
    }
    let json: JSON = env.get_global()?.get_named_property_unchecked("JSON")?;
    let stringify: Function<Raw, String> = json.get_named_property_unchecked("stringify")?;
    let parse: Function<String, Raw> = json.get_named_property_unchecked("parse")?;
    let functions = JsonFunctions {
        stringify: stringify.create_ref()?,
        parse: parse.create_ref()?,
    };
    env.set_instance_data(functions, (), |_| {})?;
    match env.get_instance_data::<JsonFunctions>()? {
        Some(f) => Ok(f),
        None => Err(napi::Error::from_reason("JSON functions not kept")),
    }
}

/// The JSON text of a JS value (`JSON.stringify`); a value JSON cannot carry (`undefined`, a
/// function, a `BigInt`, a cycle) is `invalid_input` naming `what`.
pub fn json_text(env: &Env, value: Unknown, what: &str) -> Result<String, JsError> {
    let stringify = json_functions(env)
        .and_then(|f| f.stringify.borrow_back(env))
        .map_err(|e| internal(e.reason))?;
    stringify
        .call(Raw(value.raw()))
        .map_err(|_| invalid(format!("{what}: not representable as JSON")))
}

/// A core value read from a JS value; a shape error (an unknown key, a wrong type) is
/// `invalid_input` naming `what`.
pub fn from_js<T: DeserializeOwned>(env: &Env, value: Unknown, what: &str) -> Result<T, JsError> {
    parse(&json_text(env, value, what)?, what)
}

/// `from_js`, or `T::default()` when the argument was left out (`undefined` or `null`).
pub fn from_js_or_default<T: DeserializeOwned + Default>(
    env: &Env,
    value: Option<Unknown>,
    what: &str,
) -> Result<T, JsError> {
    match value {
        Some(v) => from_js(env, v, what),
        None => Ok(T::default()),
    }
}

/// A core value read from JSON text (see [`json_text`]).
pub fn parse<T: DeserializeOwned>(text: &str, what: &str) -> Result<T, JsError> {
    serde_json::from_str(text).map_err(|e| invalid(format!("{what}: {e}")))
}

/// A core value on its way to JavaScript as its JSON text; it becomes a plain JS object
/// (`JSON.parse`) when returned. Serializing happens where it is built, so an async task can
/// do it off the main thread.
pub struct Json(String);

/// The JSON text of a core value, ready to return to JavaScript.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<Json, JsError> {
    encode(value).map_err(crate::errors::to_js)
}

/// [`to_js`] with the core's error, for an async task's `compute`.
pub fn encode<T: Serialize + ?Sized>(value: &T) -> xspense::Result<Json> {
    serde_json::to_string(value)
        .map(Json)
        .map_err(|e| xspense::Error::Internal(e.to_string()))
}

impl TypeName for Json {
    fn type_name() -> &'static str {
        "JSON"
    }

    fn value_type() -> ValueType {
        ValueType::Unknown
    }
}

impl ToNapiValue for Json {
    unsafe fn to_napi_value(env: sys::napi_env, val: Self) -> napi::Result<sys::napi_value> {
        let env = Env::from_raw(env);
        let parse = json_functions(&env)?.parse.borrow_back(&env)?;
        Ok(parse.call(val.0)?.0)
    }
}

fn internal(message: String) -> JsError {
    crate::errors::to_js(xspense::Error::Internal(message))
}

/// JS has one number type, so every number read as a `serde_json::Value` straight from a JS
/// object (a host task store's answers) arrives as a float; whole ones become integers again
/// so that integer fields (times, counts) read back.
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

/// A core value as a `serde_json::Value`, to hand to a host task store's methods.
pub fn record<T: Serialize>(v: &T) -> Result<Value, JsError> {
    serde_json::to_value(v).map_err(|e| internal(e.to_string()))
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

/// Whether a JS value is a `Buffer` (binary keys, which JSON cannot carry).
pub fn is_buffer(value: &Unknown) -> bool {
    value.is_buffer().unwrap_or(false)
}
