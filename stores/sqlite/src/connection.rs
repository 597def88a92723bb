//! Opening a database file: pragmas for several processes on one file, then migrations.

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::Connection;

use crate::error::Result;
use crate::migrations;

/// How long a writer waits for another process's write lock before giving up.
pub const DEFAULT_BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// Pause between attempts to put a new file in WAL mode while another process opens it.
const WAL_SWITCH_RETRY: Duration = Duration::from_millis(5);

/// When a commit reaches the disk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Durability {
    /// Every commit is synced (`PRAGMA synchronous = FULL`): nothing committed is lost, even
    /// on power loss.
    #[default]
    Full,
    /// The log is synced at checkpoints (`synchronous = NORMAL`): a crashed or killed process
    /// loses nothing; a power loss may lose the last commits (never corrupts the file).
    Normal,
}

impl Durability {
    fn pragma(self) -> &'static str {
        match self {
            Durability::Full => "FULL",
            Durability::Normal => "NORMAL",
        }
    }
}

/// How to open a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// How long to wait for a lock held by another connection.
    pub busy_timeout: Duration,
    /// When commits are synced.
    pub durability: Durability,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            busy_timeout: DEFAULT_BUSY_TIMEOUT,
            durability: Durability::default(),
        }
    }
}

/// Opens (creating if needed) the database at `path` in WAL mode with a busy timeout, and
/// migrates its schema to the latest version this build knows. A database from a newer build
/// is refused with [`crate::Error::SchemaTooNew`].
pub fn open(path: &Path, options: Options) -> Result<Connection> {
    let conn = Connection::open(path)?;
    configure(&conn, options)?;
    Ok(conn)
}

/// A private database in memory (for tests and one-process hosts).
pub fn open_in_memory() -> Result<Connection> {
    let conn = Connection::open_in_memory()?;
    configure(&conn, Options::default())?;
    Ok(conn)
}

fn configure(conn: &Connection, options: Options) -> Result<()> {
    conn.busy_timeout(options.busy_timeout)?;
    // WAL: readers never block the writer and the writer never blocks readers; one writer at
    // a time, which `BEGIN IMMEDIATE` takes up front (no lock upgrade deadlocks).
    let mode = switch_to_wal(conn, options.busy_timeout)?;
    // an in-memory database keeps its `memory` journal; a file must be in WAL
    if mode != "wal" && mode != "memory" {
        return Err(crate::Error::Corrupt(format!(
            "the database stays in journal mode {mode:?}, WAL is needed"
        )));
    }
    conn.pragma_update(None, "synchronous", options.durability.pragma())?;
    conn.pragma_update(None, "foreign_keys", "ON")?;
    migrations::migrate(conn)
}

/// Puts the file in WAL mode; returns the journal mode it is in. On a new file that another
/// process is opening at the same moment, SQLite answers `SQLITE_BUSY` at once, without
/// waiting in the busy handler, so the switch is retried here until the busy timeout.
fn switch_to_wal(conn: &Connection, busy_timeout: Duration) -> Result<String> {
    let start = Instant::now();
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0)) {
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && start.elapsed() < busy_timeout =>
            {
                std::thread::sleep(WAL_SWITCH_RETRY);
            }
            other => return Ok(other?),
        }
    }
}

/// One connection shared by the threads of a process: each call takes it for one
/// transaction. (Several processes each open their own; SQLite serializes their writers.)
#[derive(Debug)]
pub(crate) struct Shared(std::sync::Mutex<Connection>);

impl Shared {
    pub(crate) fn new(conn: Connection) -> Shared {
        Shared(std::sync::Mutex::new(conn))
    }

    /// Runs `f` in a `BEGIN IMMEDIATE` transaction: the write lock is taken up front, so two
    /// writers never both read and then race to write. Rolled back if `f` fails.
    pub(crate) fn write<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        self.run(rusqlite::TransactionBehavior::Immediate, f)
    }

    /// Runs `f` in a read transaction (one consistent view of the database).
    pub(crate) fn read<T>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        self.run(rusqlite::TransactionBehavior::Deferred, f)
    }

    fn run<T>(
        &self,
        behavior: rusqlite::TransactionBehavior,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T>,
    ) -> Result<T> {
        let mut conn = self.0.lock().map_err(|_| {
            xspense::Error::Internal("sqlite connection lock poisoned by a panicking thread".into())
        })?;
        let tx = conn.transaction_with_behavior(behavior)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    }
}
