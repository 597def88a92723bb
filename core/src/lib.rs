#![allow(missing_docs)]
pub mod error;
pub mod model;
pub mod normalize;
pub mod rules;
pub use error::{Error, ErrorCode, Position, Result};
pub use model::*;
