//! The mobile binding of xspense (uniffi): Kotlin and Swift, generated from this one cdylib.
//! It converts and calls; the behaviour lives in the core.

uniffi::setup_scaffolding!();

mod audit;
mod envelope;
mod errors;
mod limits;
mod pipeline;
mod redact;
mod statement;
mod tasks;

pub use audit::*;
pub use envelope::*;
pub use errors::*;
pub use limits::*;
pub use pipeline::*;
pub use redact::*;
pub use statement::*;
pub use tasks::*;
