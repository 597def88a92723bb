//! Statements (core module `statement`): `readStatement`.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use xspense::statement::{self, Hints};

use crate::convert::{from_js, to_js};
use crate::errors::{invalid, IntoJs};

/// Reads a bank or card statement (CSV, OFX/QFX, QIF, CAMT.053/.052) from its bytes (a
/// `Uint8Array`, such as a dropped file's `arrayBuffer()`). `hints` overrides what the file
/// leaves undecided: the core's `Hints` (`date_order`, `decimal`, `encoding`, `amount_sign`,
/// `currency`, `columns`; unknown keys refused). Returns the transactions and the report of
/// what was detected and how, or throws `invalid_input` naming the row, column and hint.
#[wasm_bindgen(js_name = readStatement, unchecked_return_type = "Statement")]
pub fn read_statement(
    #[wasm_bindgen(unchecked_param_type = "Uint8Array")] data: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Hints | null | undefined")] hints: JsValue,
) -> Result<JsValue, JsValue> {
    let bytes = data
        .dyn_ref::<js_sys::Uint8Array>()
        .ok_or_else(|| invalid("data: expected a Uint8Array"))?
        .to_vec();
    let hints = if hints.is_undefined() || hints.is_null() {
        Hints::default()
    } else {
        Hints::from_json(from_js(hints, "hints")?).js()?
    };
    to_js(&statement::read_statement(&bytes, &hints).js()?)
}
