//! [`SqliteLimitStore`]: the GCRA state (one theoretical arrival time per key) of the core's
//! [`xspense::limits::RateLimiter`], shared by every process on the file.
//!
//! The limiter's keys are `tenant NUL route`; the tenant part is kept in its own column so
//! every row is keyed by tenant. Each decision reads, decides and writes in one
//! `BEGIN IMMEDIATE` transaction, so concurrent processes never both spend the last token.

use std::path::Path;

use rusqlite::{params, OptionalExtension};
use xspense::clock::Millis;
use xspense::limits::LimitStore;

use crate::connection::{self, Options, Shared};
use crate::error::Result;

/// Separates the tenant from the route in the limiter's keys.
const KEY_SEPARATOR: char = '\0';

/// Rate-limit state in a SQLite database.
#[derive(Debug)]
pub struct SqliteLimitStore {
    db: Shared,
}

/// `(tenant, rest)` of a limiter key; a key without a separator belongs to the tenant `""`.
fn split(key: &str) -> (&str, &str) {
    key.split_once(KEY_SEPARATOR).unwrap_or(("", key))
}

impl SqliteLimitStore {
    /// Opens (creating and migrating if needed) the database at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteLimitStore> {
        SqliteLimitStore::open_with(path, Options::default())
    }

    /// Opens the database at `path` with explicit options.
    pub fn open_with(path: impl AsRef<Path>, options: Options) -> Result<SqliteLimitStore> {
        Ok(SqliteLimitStore {
            db: Shared::new(connection::open(path.as_ref(), options)?),
        })
    }

    /// A store in a private in-memory database.
    pub fn in_memory() -> Result<SqliteLimitStore> {
        Ok(SqliteLimitStore {
            db: Shared::new(connection::open_in_memory()?),
        })
    }

    /// Drops keys whose time is in the past (they behave exactly like absent keys); returns
    /// how many.
    pub fn purge(&self, now: Millis) -> Result<usize> {
        self.db.write(|tx| {
            Ok(tx
                .prepare_cached("DELETE FROM rate_limits WHERE tat <= ?1")?
                .execute(params![now])?)
        })
    }

    fn update_tx(
        &self,
        key: &str,
        f: &mut dyn FnMut(Option<Millis>) -> Option<Millis>,
    ) -> Result<()> {
        let (tenant, rest) = split(key);
        self.db.write(|tx| {
            let stored: Option<Millis> = tx
                .prepare_cached("SELECT tat FROM rate_limits WHERE tenant = ?1 AND key = ?2")?
                .query_row(params![tenant, rest], |r| r.get(0))
                .optional()?;
            if let Some(tat) = f(stored) {
                tx.prepare_cached(
                    "INSERT INTO rate_limits (tenant, key, tat) VALUES (?1, ?2, ?3)
                     ON CONFLICT (tenant, key) DO UPDATE SET tat = excluded.tat",
                )?
                .execute(params![tenant, rest, tat])?;
            }
            Ok(())
        })
    }
}

impl LimitStore for SqliteLimitStore {
    fn update(
        &self,
        key: &str,
        f: &mut dyn FnMut(Option<Millis>) -> Option<Millis>,
    ) -> xspense::Result<()> {
        Ok(self.update_tx(key, f)?)
    }
}
