//! The crate's error type, and how it maps onto the core's [`xspense::Error`] where a core
//! trait (`TaskStore`, `LimitStore`) demands that.

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong in a PostgreSQL store.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The server refused or failed a statement, or the connection failed.
    #[error("postgres: {0}")]
    Postgres(#[from] postgres::Error),
    /// The database was migrated by a newer build: its schema version is beyond the
    /// migrations this build knows. Nothing was changed.
    #[error(
        "the database has schema version {found}, newer than version {known} that this build \
         of xspense-postgres knows; use a newer build"
    )]
    SchemaTooNew {
        /// The highest version in `schema_migrations`.
        found: i64,
        /// The latest version this build migrates to.
        known: i64,
    },
    /// The database lacks migrations this build needs: run [`crate::migrate`] first.
    #[error(
        "the database has schema version {found}, older than version {known} that this build \
         needs; run xspense_postgres::migrate first"
    )]
    SchemaTooOld {
        /// The highest version in `schema_migrations` (0: never migrated).
        found: i64,
        /// The version this build needs.
        known: i64,
    },
    /// A core rule refused the operation (invalid input, lease lost, tampered log, ...).
    #[error(transparent)]
    Core(#[from] xspense::Error),
    /// A stored row does not hold what this build wrote (edited by hand, or a bug).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// An engine-state append after sequence `expected` found the tenant at `actual`: another
    /// writer appended first. Nothing was written.
    #[error("tenant {tenant:?} is at sequence {actual}, not {expected}: reload and retry")]
    SequenceConflict {
        /// The tenant.
        tenant: String,
        /// The sequence the append was made after.
        expected: u64,
        /// The tenant's latest sequence.
        actual: u64,
    },
}

impl From<Error> for xspense::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Core(e) => e,
            Error::SequenceConflict { .. } => xspense::Error::Conflict(e.to_string()),
            Error::Postgres(_)
            | Error::SchemaTooNew { .. }
            | Error::SchemaTooOld { .. }
            | Error::Corrupt(_) => xspense::Error::Internal(e.to_string()),
        }
    }
}

/// Converts a stored integer to the type a record holds, or reports a corrupt row.
pub(crate) fn narrow<T: TryFrom<i64>>(what: &str, v: i64) -> Result<T> {
    T::try_from(v).map_err(|_| Error::Corrupt(format!("{what} {v} is out of range")))
}

/// An input the stores refuse (the core's `invalid_input`).
pub(crate) fn invalid(msg: &str) -> Error {
    Error::Core(xspense::Error::InvalidInput(msg.into()))
}
