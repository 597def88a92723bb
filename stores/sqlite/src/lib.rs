//! The embedded default store of xspense: SQLite (bundled) behind the core's traits.
//!
//! One database file holds everything, every table keyed by tenant:
//!
//! - [`SqliteTaskStore`]: the core's [`xspense::tasks::TaskStore`] (claims, leases, retries,
//!   dead letters, idempotency keys), safe for several worker processes on one file;
//! - [`SqliteLimitStore`]: the core's [`xspense::limits::LimitStore`] (GCRA state per key);
//! - [`SqliteAuditLog`]: the hash-chained audit log, append-only, one chain per tenant;
//! - [`SqliteAgentRegistry`]: the core's [`xspense::tasks::AgentRegistry`] (worker
//!   processes, their heartbeats; reaping a dead one releases its task leases at once);
//! - [`SqliteEngineState`]: each tenant's engine change log and snapshots, and the import of
//!   a CLI `state.json`.
//!
//! Each opens its own connection in WAL mode with a busy timeout and migrates the schema at
//! open ([`migrations`]); a file from a newer build is refused with
//! [`Error::SchemaTooNew`].
//!
//! ```
//! use serde_json::json;
//! use xspense::tasks::{NewTask, TaskStore};
//! use xspense_sqlite::SqliteTaskStore;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let store = SqliteTaskStore::open(dir.path().join("xspense.db")).unwrap();
//! let t0 = 1_000_000;
//! let e = store.enqueue(NewTask::new("alice", "categorizer", "categorize", json!({})), t0).unwrap();
//! let job = store.claim("categorizer", "w1", 30_000, t0).unwrap().unwrap();
//! assert_eq!(job.id, e.task.id);
//! store.complete("alice", &job.id, "w1", json!("done"), t0 + 10).unwrap();
//! ```

mod agents;
mod audit;
mod connection;
mod error;
mod limits;
pub mod migrations;
mod state;
mod tasks;

pub use agents::SqliteAgentRegistry;
pub use audit::SqliteAuditLog;
pub use connection::{Durability, Options, DEFAULT_BUSY_TIMEOUT};
pub use error::{Error, Result};
pub use limits::SqliteLimitStore;
pub use state::SqliteEngineState;
pub use tasks::SqliteTaskStore;
pub use xspense::audit::NewAuditEntry;
pub use xspense::store::TenantLoad;
