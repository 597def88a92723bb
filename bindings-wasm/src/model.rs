//! Transactions as hosts write them: `parseTransaction` and the one reading every call shares.

use wasm_bindgen::prelude::*;
use xspense::model::TransactionInput;

use crate::convert::{from_js, to_js};
use crate::errors::IntoJs;

/// A transaction read from its JS object as a host wrote it; absent ids become `"0"`.
pub fn read_transaction(v: JsValue) -> Result<xspense::Transaction, JsValue> {
    let value: serde_json::Value = from_js(v, "transaction")?;
    TransactionInput::from_json(value)
        .and_then(|t| t.into_transaction("0"))
        .js()
}

/// The transaction the engine would see for `input` (the core's `Transaction` shape: amount in
/// minor units with its currency, a direction, defaults filled in), or the `invalid_input`
/// error `categorize` would throw. Lets a host check input before storing it.
#[wasm_bindgen(js_name = parseTransaction, unchecked_return_type = "Transaction")]
pub fn parse_transaction(
    #[wasm_bindgen(unchecked_param_type = "TransactionInput")] input: JsValue,
) -> Result<JsValue, JsValue> {
    to_js(&read_transaction(input)?)
}
