//! The crate's error type, and how it maps onto the core's [`xspense::Error`] where a core
//! trait (`TaskStore`, `LimitStore`) demands that.

use std::path::PathBuf;

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong in a SQLite store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// SQLite refused or failed a statement (including a lock not obtained within the busy
    /// timeout).
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The database was written by a newer build: its schema version is beyond the migrations
    /// this build knows. Nothing was changed.
    #[error(
        "the database has schema version {found}, newer than version {known} that this build \
         of xspense-sqlite knows; open it with a newer build"
    )]
    SchemaTooNew {
        /// `PRAGMA user_version` of the file.
        found: i64,
        /// The latest version this build migrates to.
        known: i64,
    },
    /// An append named a sequence number that is no longer the tenant's latest: another
    /// writer appended first. Reload and retry.
    #[error("tenant {tenant:?}: expected change sequence {expected}, but the log is at {actual}")]
    SequenceConflict {
        /// Tenant.
        tenant: String,
        /// The sequence the caller read.
        expected: u64,
        /// The sequence in the database.
        actual: u64,
    },
    /// A core rule refused the operation (invalid input, corrupt snapshot, tampered log, ...).
    #[error(transparent)]
    Core(#[from] xspense::Error),
    /// A file could not be read.
    #[error("cannot read {path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// A stored row does not hold what this build wrote (edited by hand, or a bug).
    #[error("corrupt row: {0}")]
    Corrupt(String),
}

impl From<Error> for xspense::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Core(e) => e,
            Error::SequenceConflict { .. } => xspense::Error::Conflict(e.to_string()),
            Error::Sqlite(_)
            | Error::SchemaTooNew { .. }
            | Error::Io { .. }
            | Error::Corrupt(_) => xspense::Error::Internal(e.to_string()),
        }
    }
}

/// Converts a stored integer to the type a record holds, or reports a corrupt row.
pub(crate) fn narrow<T: TryFrom<i64>>(what: &str, v: i64) -> Result<T> {
    T::try_from(v).map_err(|_| Error::Corrupt(format!("{what} {v} is out of range")))
}
