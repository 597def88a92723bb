//! Opens xspense's stores by URL, so a host (the command line, a binding, a worker) names its
//! database once and gets the core's traits:
//!
//! | URL | store |
//! |---|---|
//! | `sqlite:PATH`, `sqlite://PATH`, or a plain file path | [`xspense_sqlite`]: one file, created and migrated on open |
//! | `postgres://...`, `postgresql://...` | [`xspense_postgres`] (feature `postgres`, on by default): migrated beforehand with [`migrate`] |
//!
//! ```
//! use serde_json::json;
//! use xspense::tasks::NewTask;
//! use xspense_stores::Stores;
//!
//! let dir = tempfile::tempdir().unwrap();
//! let url = format!("sqlite:{}", dir.path().join("x.db").display());
//! let stores = Stores::open(&url).unwrap();
//! let t0 = 1_000_000;
//! stores.tasks.enqueue(NewTask::new("alice", "categorizer", "categorize", json!({})), t0).unwrap();
//! assert!(stores.tasks.claim("categorizer", "w1", 30_000, t0).unwrap().is_some());
//! assert_eq!(stores.state.load("alice").unwrap().seq, 0);
//! // the worker processes on its queues
//! stores.agents.register(xspense::tasks::NewAgent::new("w1", ["categorizer"]), t0).unwrap();
//! assert_eq!(stores.agents.live(&xspense::tasks::Serving::Any).unwrap().len(), 1);
//! ```

mod error;
mod location;

use std::sync::Arc;

use xspense::audit::AuditStore;
use xspense::limits::LimitStore;
use xspense::redact::Redactor;
use xspense::store::EngineStateStore;
use xspense::tasks::{AgentRegistry, TaskStore};

pub use error::{Error, Result};
pub use location::{masked, StoreUrl};

/// Every store of one database, behind the core's traits.
#[derive(Clone)]
pub struct Stores {
    /// Where they are (the URL with any password masked, for messages).
    pub location: String,
    /// Tasks for background workers.
    pub tasks: Arc<dyn TaskStore>,
    /// GCRA rate-limit state.
    pub limits: Arc<dyn LimitStore>,
    /// The hash-chained audit log, one chain per tenant; values are redacted with the
    /// default redactor before they are stored.
    pub audit: Arc<dyn AuditStore>,
    /// Each tenant's engine change log and snapshots.
    pub state: Arc<dyn EngineStateStore>,
    /// The worker processes on the task queues, and their heartbeats.
    pub agents: Arc<dyn AgentRegistry>,
}

impl std::fmt::Debug for Stores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Stores")
            .field("location", &self.location)
            .finish_non_exhaustive()
    }
}

impl Stores {
    /// Opens every store of the database `url` names.
    pub fn open(url: &str) -> Result<Stores> {
        let at = StoreUrl::parse(url)?;
        Ok(Stores {
            location: at.to_string(),
            tasks: open_tasks(&at)?,
            limits: open_limits(&at)?,
            audit: open_audit(&at)?,
            state: open_state(&at)?,
            agents: open_agents(&at)?,
        })
    }
}

/// The task store at `at`.
pub fn open_tasks(at: &StoreUrl) -> Result<Arc<dyn TaskStore>> {
    Ok(match at {
        StoreUrl::Sqlite(path) => Arc::new(xspense_sqlite::SqliteTaskStore::open(path)?),
        #[cfg(feature = "postgres")]
        StoreUrl::Postgres(url) => Arc::new(xspense_postgres::PgTaskStore::connect(url)?),
    })
}

/// The agent registry at `at` (in the database of the tasks whose leases it releases).
pub fn open_agents(at: &StoreUrl) -> Result<Arc<dyn AgentRegistry>> {
    Ok(match at {
        StoreUrl::Sqlite(path) => Arc::new(xspense_sqlite::SqliteAgentRegistry::open(path)?),
        #[cfg(feature = "postgres")]
        StoreUrl::Postgres(url) => Arc::new(xspense_postgres::PgAgentRegistry::connect(url)?),
    })
}

/// The limit store at `at`.
pub fn open_limits(at: &StoreUrl) -> Result<Arc<dyn LimitStore>> {
    Ok(match at {
        StoreUrl::Sqlite(path) => Arc::new(xspense_sqlite::SqliteLimitStore::open(path)?),
        #[cfg(feature = "postgres")]
        StoreUrl::Postgres(url) => Arc::new(xspense_postgres::PgLimitStore::connect(url)?),
    })
}

/// The audit log at `at`, redacting values with the default redactor.
pub fn open_audit(at: &StoreUrl) -> Result<Arc<dyn AuditStore>> {
    let redactor = Some(Redactor::default());
    Ok(match at {
        StoreUrl::Sqlite(path) => Arc::new(xspense_sqlite::SqliteAuditLog::open_with(
            path,
            xspense_sqlite::Options::default(),
            redactor,
        )?),
        #[cfg(feature = "postgres")]
        StoreUrl::Postgres(url) => {
            Arc::new(xspense_postgres::PgAuditLog::connect_with(url, redactor)?)
        }
    })
}

/// The engine state store at `at`.
pub fn open_state(at: &StoreUrl) -> Result<Arc<dyn EngineStateStore>> {
    Ok(match at {
        StoreUrl::Sqlite(path) => Arc::new(xspense_sqlite::SqliteEngineState::open(path)?),
        #[cfg(feature = "postgres")]
        StoreUrl::Postgres(url) => Arc::new(xspense_postgres::PgEngineState::connect(url)?),
    })
}

/// The schema version of a database and the one this build migrates to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaVersion {
    /// The database's version (0: never migrated, or no file yet).
    pub found: i64,
    /// The version this build migrates to.
    pub latest: i64,
}

/// The schema version of the database `url` names, changing nothing (a SQLite file that does
/// not exist is not created).
pub fn schema_version(url: &str) -> Result<SchemaVersion> {
    Ok(match StoreUrl::parse(url)? {
        StoreUrl::Sqlite(path) => SchemaVersion {
            found: xspense_sqlite::migrations::file_version(&path)?,
            latest: xspense_sqlite::migrations::LATEST,
        },
        #[cfg(feature = "postgres")]
        StoreUrl::Postgres(url) => SchemaVersion {
            found: xspense_postgres::migrations::database_version(&url)?,
            latest: xspense_postgres::LATEST,
        },
    })
}

/// Creates or upgrades the schema of the database `url` names; returns the schema version it
/// is at. SQLite files also migrate themselves when opened.
pub fn migrate(url: &str) -> Result<i64> {
    match StoreUrl::parse(url)? {
        StoreUrl::Sqlite(path) => Ok(xspense_sqlite::migrations::migrate_file(&path)?),
        #[cfg(feature = "postgres")]
        StoreUrl::Postgres(url) => Ok(xspense_postgres::migrate(&url)?),
    }
}
