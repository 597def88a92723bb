//! Persistence belongs to the host: the engine emits [`Change`] events a host can append
//! anywhere and replay with [`crate::Engine::apply_changes`], and exports/imports versioned,
//! checksummed [`snapshot`]s.

mod changes;
pub mod snapshot;

pub use changes::Change;
pub use snapshot::{SNAPSHOT_FORMAT, SNAPSHOT_VERSION};
