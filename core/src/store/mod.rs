//! Persistence belongs to the host: the engine emits [`Change`] events a host can append
//! anywhere and replay with [`crate::Engine::apply_changes`], and exports/imports versioned,
//! checksummed [`snapshot`]s. [`EngineStateStore`] is the trait a shared store of those
//! change logs implements ([`state`] has the rule for concurrent writers).

mod changes;
pub mod snapshot;
pub mod state;

pub use changes::Change;
pub use snapshot::{SNAPSHOT_FORMAT, SNAPSHOT_VERSION};
pub use state::{Appended, EngineStateStore, InMemoryEngineState, TenantLoad};
