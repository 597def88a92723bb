//! The schema, as numbered migrations applied in order at open. The version applied is kept
//! in `PRAGMA user_version`; a file whose version is beyond [`LATEST`] comes from a newer
//! build and is refused before anything is changed.
//!
//! Every table but `agents` is keyed by tenant (the task and limit tables carry it in every
//! row), so no query of this crate's API reads another tenant's rows. Agents (worker
//! processes) serve every tenant's tasks, as the queues do, so their registry is not.

use rusqlite::{Connection, Transaction, TransactionBehavior};

use crate::error::{Error, Result};

/// Migration `i` brings the schema from version `i` to `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: tasks, task counters, rate limits, audit log, engine change log and snapshots.
    r#"
    CREATE TABLE tasks (
        seq              INTEGER PRIMARY KEY AUTOINCREMENT, -- the id is task_<seq as hex>
        tenant           TEXT    NOT NULL,
        queue            TEXT    NOT NULL,
        sender           TEXT    NOT NULL,                  -- Task::from
        intent           TEXT    NOT NULL,
        payload          TEXT    NOT NULL,                  -- JSON
        correlation_id   TEXT,                              -- NULL: the task's own id
        idempotency_key  TEXT,
        priority         INTEGER NOT NULL,
        run_at           INTEGER NOT NULL,
        attempts         INTEGER NOT NULL,
        max_attempts     INTEGER NOT NULL,
        status           TEXT    NOT NULL,
        lease_owner      TEXT,
        lease_expires_at INTEGER,
        result           TEXT,                              -- JSON
        error            TEXT,
        created_at       INTEGER NOT NULL,
        updated_at       INTEGER NOT NULL,
        finished_at      INTEGER
    );
    -- ids from task_000000000000, as the in-memory store gives them
    INSERT INTO sqlite_sequence (name, seq) VALUES ('tasks', -1);
    -- enqueue: one task per (tenant, idempotency key)
    CREATE UNIQUE INDEX tasks_idempotency ON tasks (tenant, idempotency_key)
        WHERE idempotency_key IS NOT NULL;
    -- claim: per queue and priority, the earliest run_at first (then enqueue order: rowid)
    CREATE INDEX tasks_pending ON tasks (queue, priority, run_at) WHERE status = 'pending';
    -- claim: expired leases of a queue
    CREATE INDEX tasks_leased ON tasks (queue, lease_expires_at) WHERE status = 'claimed';
    -- stats: counts per queue and status
    CREATE INDEX tasks_status ON tasks (queue, status);
    -- purge: final tasks by the time they finished
    CREATE INDEX tasks_finished ON tasks (finished_at) WHERE finished_at IS NOT NULL;

    -- completions and failures (lease expiries included) since the database was created
    CREATE TABLE task_counters (
        tenant    TEXT    NOT NULL,
        queue     TEXT    NOT NULL,
        completed INTEGER NOT NULL DEFAULT 0,
        failed    INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (tenant, queue)
    ) WITHOUT ROWID;

    -- GCRA: the theoretical arrival time per (tenant, key)
    CREATE TABLE rate_limits (
        tenant TEXT    NOT NULL,
        key    TEXT    NOT NULL,
        tat    INTEGER NOT NULL,
        PRIMARY KEY (tenant, key)
    ) WITHOUT ROWID;

    -- one hash chain per tenant; rows are never changed or removed
    CREATE TABLE audit_log (
        tenant    TEXT    NOT NULL,
        seq       INTEGER NOT NULL,
        at        INTEGER NOT NULL,
        actor     TEXT    NOT NULL,
        action    TEXT    NOT NULL,
        subject   TEXT    NOT NULL,
        old       TEXT,                                     -- JSON
        new       TEXT,                                     -- JSON
        prev_hash TEXT    NOT NULL,
        hash      TEXT    NOT NULL,
        PRIMARY KEY (tenant, seq)
    ) WITHOUT ROWID;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
        BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;

    -- engine state: each tenant's change events, numbered from 1 without gaps
    CREATE TABLE engine_changes (
        tenant TEXT    NOT NULL,
        seq    INTEGER NOT NULL,
        change TEXT    NOT NULL,                            -- JSON of xspense::store::Change
        PRIMARY KEY (tenant, seq)
    ) WITHOUT ROWID;
    -- the latest snapshot of a tenant, holding its changes up to `seq`
    CREATE TABLE engine_snapshots (
        tenant   TEXT    NOT NULL PRIMARY KEY,
        seq      INTEGER NOT NULL,
        snapshot TEXT    NOT NULL                           -- a one-tenant xspense snapshot
    ) WITHOUT ROWID;
    "#,
    // 2: the agent registry. Agents serve every tenant (as the task queues do): the table is
    // the one not keyed by tenant.
    r#"
    CREATE TABLE agents (
        id             TEXT    NOT NULL PRIMARY KEY,
        queues         TEXT    NOT NULL,                    -- JSON array of queue names
        intents        TEXT    NOT NULL,                    -- JSON array of intents
        version        TEXT    NOT NULL,
        host           TEXT    NOT NULL,
        started_at     INTEGER NOT NULL,
        last_heartbeat INTEGER NOT NULL,
        status         TEXT    NOT NULL,                    -- live | gone
        stopped_at     INTEGER
    ) WITHOUT ROWID;
    -- reap: live agents by their last heartbeat
    CREATE INDEX agents_live ON agents (last_heartbeat) WHERE status = 'live';
    "#,
];

/// The schema version this build migrates to.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// The schema version of an open database.
pub fn version(conn: &Connection) -> Result<i64> {
    Ok(conn.pragma_query_value(None, "user_version", |row| row.get(0))?)
}

/// Applies the missing migrations in one transaction (so two processes opening a new file at
/// once migrate it once), or refuses a file from a newer build.
pub(crate) fn migrate(conn: &Connection) -> Result<()> {
    let found = version(conn)?;
    if found > LATEST {
        return Err(Error::SchemaTooNew {
            found,
            known: LATEST,
        });
    }
    if found == LATEST {
        return Ok(());
    }
    let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
    // read again under the write lock: another process may have migrated meanwhile
    let found = version(&tx)?;
    if found > LATEST {
        return Err(Error::SchemaTooNew {
            found,
            known: LATEST,
        });
    }
    let start = usize::try_from(found)
        .map_err(|_| Error::Corrupt(format!("schema version {found} is negative")))?;
    for (i, sql) in MIGRATIONS.iter().enumerate().skip(start) {
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", i as i64 + 1)?;
    }
    Ok(tx.commit()?)
}

/// Opens (creating if needed) the database file at `path`, migrates it to [`LATEST`] and
/// returns the version it is at: what `xspense db migrate sqlite:PATH` runs. Opening any
/// store migrates the file the same way.
pub fn migrate_file(path: &std::path::Path) -> Result<i64> {
    let conn = crate::connection::open(path, crate::Options::default())?;
    version(&conn)
}

/// The schema version of the file at `path` without changing it (0 when it does not exist).
pub fn file_version(path: &std::path::Path) -> Result<i64> {
    if !path.exists() {
        return Ok(0);
    }
    let conn = Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    version(&conn)
}
