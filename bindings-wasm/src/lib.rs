//! xspense in the browser and in Node through WebAssembly (wasm-bindgen): plain JS objects in
//! and out, errors as JS `Error`s with the core's `code`. This crate only converts and calls.
//!
//! Features: `redact` (the `Redactor` and `TokenVault` classes; on by default) and
//! `unicode-all` (Unicode categories and scripts in rule regexes; off, it costs about 80 KB).
//! The engine scrubs its LLM prompts whatever the features. The worker-side modules (tasks,
//! envelopes, limits, audit) are not exposed in the browser.

mod convert;
mod errors;
mod pipeline;
#[cfg(feature = "redact")]
mod redact;

pub use errors::error_codes;
pub use pipeline::Engine;
#[cfg(feature = "redact")]
pub use redact::{Redactor, TokenVault};

/// The package version.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}
