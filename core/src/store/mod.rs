//! Persistence belongs to the host: the engine emits [`Change`] events a host can append
//! anywhere and replay with [`crate::Engine::apply_changes`], and exports/imports versioned,
//! checksummed [`snapshot`]s. [`EngineStateStore`] is the trait a shared store of those
//! change logs implements ([`state`] has the rule for concurrent writers), and [`SharedEngine`]
//! an engine over one, following that rule.

mod changes;
pub mod shared;
pub mod snapshot;
pub mod state;

pub use changes::Change;
pub use shared::{RunReport, SharedEngine};
pub use snapshot::{SNAPSHOT_FORMAT, SNAPSHOT_VERSION};
pub use state::{Appended, EngineStateStore, InMemoryEngineState, TenantLoad};
