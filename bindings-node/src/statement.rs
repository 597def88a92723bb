//! Statements (core module `statement`): `readStatement`.

use napi::bindgen_prelude::{FromNapiValue, Uint8Array, Unknown};
use napi::{Env, JsValue};
use napi_derive::napi;
use xspense::statement::{self, Hints};

use crate::convert::{from_js, to_js, Json};
use crate::errors::{guard, invalid, IntoJs, JsError};

/// Reads a bank or card statement (CSV, OFX/QFX, QIF, CAMT.053/.052) from its bytes (a
/// `Buffer` or `Uint8Array`; the host reads the file). `hints` overrides what the file leaves
/// undecided: the core's `Hints` (`date_order`, `decimal`, `encoding`, `amount_sign`,
/// `currency`, `columns`; unknown keys refused). Returns the transactions and the report of
/// what was detected and how, or throws `invalid_input` naming the row, column and hint.
#[napi(ts_return_type = "Statement")]
pub fn read_statement(
    env: Env,
    #[napi(ts_arg_type = "Uint8Array")] data: Unknown,
    #[napi(ts_arg_type = "Hints | null")] hints: Option<Unknown>,
) -> Result<Json, JsError> {
    // SAFETY: both handles belong to this call's environment; the conversion checks the type.
    let data = unsafe { Uint8Array::from_napi_value(env.raw(), data.raw()) }
        .map_err(|_| invalid("data: expected a Buffer or Uint8Array"))?;
    let hints = match hints {
        Some(h) => {
            let value: serde_json::Value = from_js(&env, h, "hints")?;
            guard(|| Hints::from_json(value)).js()?
        }
        None => Hints::default(),
    };
    let read = guard(|| statement::read_statement(&data, &hints)).js()?;
    to_js(&read)
}
