//! The crate's error type: a URL this crate cannot open, or the store's own error.

/// Result alias of this crate.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What can go wrong opening a store by URL.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The URL names no store this build knows (the message says which forms it takes).
    #[error("{0}")]
    Url(String),
    /// The store exists, but not what was asked of it in this build.
    #[error("{0}")]
    Unsupported(String),
    /// The SQLite store failed.
    #[error(transparent)]
    Sqlite(#[from] xspense_sqlite::Error),
    /// The PostgreSQL store failed.
    #[cfg(feature = "postgres")]
    #[error(transparent)]
    Postgres(#[from] xspense_postgres::Error),
}

impl From<Error> for xspense::Error {
    fn from(e: Error) -> Self {
        match e {
            Error::Url(m) => xspense::Error::InvalidInput(m),
            Error::Unsupported(m) => xspense::Error::InvalidInput(m),
            Error::Sqlite(e) => e.into(),
            #[cfg(feature = "postgres")]
            Error::Postgres(e) => e.into(),
        }
    }
}
