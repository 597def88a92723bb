//! PostgreSQL stores of xspense, for many machines on one database: the core's traits over
//! the synchronous `postgres` client (pure Rust, no libpq).
//!
//! - [`PgTaskStore`]: the core's [`xspense::tasks::TaskStore`] (claims with `FOR UPDATE SKIP
//!   LOCKED`, leases, retries, dead letters, idempotency keys), plus
//!   [`PgTaskStore::claim_many`] and the LISTEN/NOTIFY wake-up [`PgTaskStore::wait_for_task`];
//! - [`PgLimitStore`]: the core's [`xspense::limits::LimitStore`], and the whole GCRA decision
//!   in one statement ([`PgLimitStore::check`]);
//! - [`PgAgentRegistry`]: the core's [`xspense::tasks::AgentRegistry`]: worker processes
//!   and their heartbeats, cluster-wide; reaping a dead one releases its task leases at once;
//! - [`PgAuditLog`]: the hash-chained audit log, append-only (a trigger and the grants refuse
//!   changes), one chain per tenant;
//! - [`PgEngineState`]: the core's [`xspense::store::EngineStateStore`] (each tenant's engine
//!   change log and snapshot, optimistic appends), with the LISTEN/NOTIFY wake-up
//!   [`PgEngineState::listen`] for processes that follow a tenant.
//!
//! The schema is created by [`migrate`] (versions in `schema_migrations`); the stores check it
//! when they connect and refuse a newer one ([`Error::SchemaTooNew`]). Every table has
//! row-level security keyed on the transaction's `xspense.tenant` setting, forced on the
//! owner, and the stores run each transaction as the non-owner role `xspense_app` (one
//! tenant) or `xspense_worker` (queue-wide task operations).

mod agents;
mod audit;
mod error;
mod limits;
pub mod migrations;
mod pool;
mod state;
mod tasks;

pub use agents::PgAgentRegistry;
pub use audit::PgAuditLog;
pub use error::{Error, Result};
pub use limits::PgLimitStore;
pub use migrations::{migrate, LATEST};
pub use pool::DEFAULT_MAX_IDLE;
pub use state::{PgEngineState, StateListener, STATE_CHANNEL};
pub use tasks::{PgTaskStore, CHANNEL};
pub use xspense::audit::NewAuditEntry;
