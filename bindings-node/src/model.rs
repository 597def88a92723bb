//! Transactions as hosts write them: `parseTransaction` and the one reading every call shares.

use napi::bindgen_prelude::Unknown;
use napi::Env;
use napi_derive::napi;
use xspense::model::TransactionInput;

use crate::convert::{from_js, to_js, Json};
use crate::errors::{guard, IntoJs, JsError};

/// A transaction read from its JS object as a host wrote it; an absent id becomes `"0"`.
pub fn read_transaction(env: &Env, value: Unknown) -> Result<xspense::Transaction, JsError> {
    let value: serde_json::Value = from_js(env, value, "transaction")?;
    guard(|| TransactionInput::from_json(value).and_then(|t| t.into_transaction("0"))).js()
}

/// The transaction the engine would see for `input` (the core's `Transaction` shape: amount in
/// minor units with its currency, a direction, defaults filled in), or the `invalid_input`
/// error `categorize` would throw. Lets a host check input before storing it.
#[napi(ts_return_type = "Transaction")]
pub fn parse_transaction(
    env: Env,
    #[napi(ts_arg_type = "TransactionInput")] input: Unknown,
) -> Result<Json, JsError> {
    to_js(&read_transaction(&env, input)?)
}
