//! What a tenant taught the engine: learned merchant aliases.

mod alias;

pub use alias::{AliasEntry, AliasMemory, AliasVerdict};
