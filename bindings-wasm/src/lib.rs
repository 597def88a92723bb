//! xspense in the browser and in Node through WebAssembly (wasm-bindgen): plain JS objects in
//! and out in the core's JSON shapes (snake_case keys), errors as JS `Error`s with the core's
//! `code`. This crate only converts and calls. The record types of the generated `.d.ts` are
//! `schema/records.d.ts`, generated from the core's serde types and included below.
//!
//! Features: `redact` (the `Redactor` and `TokenVault` classes; on by default) and
//! `unicode-all` (Unicode categories and scripts in rule regexes; off, it costs about 80 KB).
//! The engine scrubs its LLM prompts whatever the features. The worker-side modules (tasks,
//! envelopes, limits, audit) are not exposed in the browser.

mod convert;
mod errors;
mod model;
mod pipeline;
#[cfg(feature = "redact")]
mod redact;
mod statement;

pub use errors::error_codes;
pub use model::parse_transaction;
pub use pipeline::Engine;
pub use statement::read_statement;

/// The record types (`TransactionInput`, `Decision`, `Rule`, ...) every signature names.
#[wasm_bindgen::prelude::wasm_bindgen(typescript_custom_section)]
const RECORDS: &'static str = include_str!("../../schema/records.d.ts");
#[cfg(feature = "redact")]
pub use redact::{Redactor, TokenVault};

/// The package version.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
