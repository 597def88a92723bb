//! The checks every xspense store passes, written once and run by each store's tests:
//!
//! - [`tasks`]: the core's `TaskStore` behaviour on any store, the differential property test
//!   (the same operations on the in-memory store and another give the same answers) and the
//!   stats property test (stats equal a full recount);
//! - [`agents`]: the core's `AgentRegistry` behaviour beside a task store (reaping releases
//!   leases as an expiry does);
//! - [`chaos`]: the loop of the `chaos_worker` binary each store builds for its kill test;
//! - [`audit`]: what an audit chain reads back as;
//! - [`processes`]: the kill test itself: worker processes killed (SIGKILL) and restarted, then
//!   every task must have ended completed exactly once, or dead;
//! - [`state`]: the core's `EngineStateStore` behaviour on any store;
//! - [`converge`]: two engine processes voting on one tenant at once converge with no vote
//!   lost (the loop of each store's `converge_worker` binary, and the test's harness);
//! - [`visibility`]: how long a vote on one engine takes to reach another (the stores'
//!   `visibility` benches).
//!
//! Stores depend on it as a dev-dependency (feature `checks`, on by default), and as a normal
//! dependency without default features for their `chaos_worker` and `converge_worker` binaries.

#[cfg(feature = "checks")]
pub mod agents;
#[cfg(feature = "checks")]
pub mod audit;
pub mod chaos;
pub mod converge;
#[cfg(feature = "checks")]
pub mod processes;
#[cfg(feature = "checks")]
pub mod state;
#[cfg(feature = "checks")]
pub mod tasks;
#[cfg(feature = "checks")]
pub mod visibility;
