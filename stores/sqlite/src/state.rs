//! [`SqliteEngineState`]: each tenant's engine state as a change log (numbered from 1 per
//! tenant) on top of its latest snapshot.
//!
//! A host loads a tenant ([`SqliteEngineState::load`]), applies it to an
//! [`xspense::Engine`] ([`TenantLoad::apply_to`]), works, and appends what
//! [`xspense::Engine::drain_changes`] returns with the sequence it loaded
//! ([`SqliteEngineState::append`]). If another process appended first, the append is refused
//! with [`Error::SequenceConflict`] and nothing is written (optimistic concurrency); the host
//! reloads and retries. [`SqliteEngineState::compact`] replaces the changes up to a sequence
//! by a snapshot.

use std::collections::BTreeMap;
use std::path::Path;

use rusqlite::{params, OptionalExtension, Transaction};
use xspense::store::snapshot::{self, SnapshotPayload};
use xspense::store::state::{
    check_changes_tenant, check_one_tenant_snapshot, Appended, EngineStateStore, TenantLoad,
};
use xspense::store::Change;

use crate::connection::{self, Options, Shared};
use crate::error::{narrow, Error, Result};

/// Engine state in a SQLite database.
#[derive(Debug)]
pub struct SqliteEngineState {
    db: Shared,
}

/// The latest sequence of `tenant`: its last change, or its snapshot's when every change was
/// compacted away.
fn head(tx: &Transaction<'_>, tenant: &str) -> Result<u64> {
    let seq: i64 = tx
        .prepare_cached(
            "SELECT MAX(
                 COALESCE((SELECT MAX(seq) FROM engine_changes WHERE tenant = ?1), 0),
                 COALESCE((SELECT seq FROM engine_snapshots WHERE tenant = ?1), 0))",
        )?
        .query_row(params![tenant], |r| r.get(0))?;
    narrow("change sequence", seq)
}

/// Whether `tenant` has a snapshot or changes.
fn has_state(tx: &Transaction<'_>, tenant: &str) -> Result<bool> {
    Ok(tx
        .prepare_cached(
            "SELECT EXISTS (SELECT 1 FROM engine_snapshots WHERE tenant = ?1)
                 OR EXISTS (SELECT 1 FROM engine_changes WHERE tenant = ?1)",
        )?
        .query_row(params![tenant], |r| r.get(0))?)
}

fn seq_param(seq: u64) -> Result<i64> {
    i64::try_from(seq).map_err(|_| Error::Corrupt(format!("change sequence {seq} is out of range")))
}

impl SqliteEngineState {
    /// Opens (creating and migrating if needed) the database at `path`.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteEngineState> {
        SqliteEngineState::open_with(path, Options::default())
    }

    /// Opens the database at `path` with explicit options.
    pub fn open_with(path: impl AsRef<Path>, options: Options) -> Result<SqliteEngineState> {
        Ok(SqliteEngineState {
            db: Shared::new(connection::open(path.as_ref(), options)?),
        })
    }

    /// State in a private in-memory database.
    pub fn in_memory() -> Result<SqliteEngineState> {
        Ok(SqliteEngineState {
            db: Shared::new(connection::open_in_memory()?),
        })
    }

    /// The stored state of `tenant` (an unknown tenant has no snapshot, no changes and
    /// sequence 0).
    pub fn load(&self, tenant: &str) -> Result<TenantLoad> {
        self.db.read(|tx| {
            let snap: Option<(i64, String)> = tx
                .prepare_cached("SELECT seq, snapshot FROM engine_snapshots WHERE tenant = ?1")?
                .query_row(params![tenant], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let (snapshot_seq, snapshot) = match snap {
                Some((seq, text)) => (narrow::<u64>("snapshot sequence", seq)?, Some(text)),
                None => (0, None),
            };
            let mut stmt = tx.prepare_cached(
                "SELECT seq, change FROM engine_changes WHERE tenant = ?1 AND seq > ?2
                 ORDER BY seq",
            )?;
            let mut rows = stmt.query(params![tenant, seq_param(snapshot_seq)?])?;
            let mut changes = Vec::new();
            let mut seq = snapshot_seq;
            while let Some(row) = rows.next()? {
                let at: u64 = narrow("change sequence", row.get(0)?)?;
                if at != seq + 1 {
                    return Err(Error::Corrupt(format!(
                        "tenant {tenant:?}: change {} is missing",
                        seq + 1
                    )));
                }
                let text: String = row.get(1)?;
                changes.push(
                    serde_json::from_str(&text)
                        .map_err(|e| Error::Corrupt(format!("change {at}: {e}")))?,
                );
                seq = at;
            }
            Ok(TenantLoad {
                tenant: tenant.to_string(),
                snapshot,
                snapshot_seq,
                changes,
                seq,
            })
        })
    }

    /// The changes of `tenant` after sequence `seq`, in order; `None` when they were
    /// compacted away or the tenant is not as far as `seq` (reload the tenant whole).
    pub fn changes_after(&self, tenant: &str, seq: u64) -> Result<Option<Vec<Change>>> {
        self.db.read(|tx| {
            let snapshot_seq: Option<i64> = tx
                .prepare_cached("SELECT seq FROM engine_snapshots WHERE tenant = ?1")?
                .query_row(params![tenant], |r| r.get(0))
                .optional()?;
            if let Some(at) = snapshot_seq {
                if narrow::<u64>("snapshot sequence", at)? > seq {
                    return Ok(None);
                }
            }
            let mut stmt = tx.prepare_cached(
                "SELECT seq, change FROM engine_changes WHERE tenant = ?1 AND seq > ?2
                 ORDER BY seq",
            )?;
            let mut rows = stmt.query(params![tenant, seq_param(seq)?])?;
            let mut changes = Vec::new();
            let mut at_seq = seq;
            while let Some(row) = rows.next()? {
                let at: u64 = narrow("change sequence", row.get(0)?)?;
                if at != at_seq + 1 {
                    // a gap right after `seq` means the changes after it were compacted
                    return if changes.is_empty() {
                        Ok(None)
                    } else {
                        Err(Error::Corrupt(format!(
                            "tenant {tenant:?}: change {} is missing",
                            at_seq + 1
                        )))
                    };
                }
                let text: String = row.get(1)?;
                changes.push(
                    serde_json::from_str(&text)
                        .map_err(|e| Error::Corrupt(format!("change {at}: {e}")))?,
                );
                at_seq = at;
            }
            if changes.is_empty() && head(tx, tenant)? < seq {
                return Ok(None);
            }
            Ok(Some(changes))
        })
    }

    /// Appends `changes` (all of `tenant`) after sequence `expected`, which must be the
    /// tenant's latest; returns the new latest sequence. Refused whole with
    /// [`Error::SequenceConflict`] when another writer appended since `expected` was read.
    pub fn append(&self, tenant: &str, expected: u64, changes: &[Change]) -> Result<u64> {
        check_changes_tenant(tenant, changes)?;
        let texts = changes
            .iter()
            .map(serde_json::to_string)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::Corrupt(format!("unencodable change: {e}")))?;
        self.db.write(|tx| {
            let actual = head(tx, tenant)?;
            if actual != expected {
                return Err(Error::SequenceConflict {
                    tenant: tenant.to_string(),
                    expected,
                    actual,
                });
            }
            let mut insert = tx.prepare_cached(
                "INSERT INTO engine_changes (tenant, seq, change) VALUES (?1, ?2, ?3)",
            )?;
            let mut seq = expected;
            for text in &texts {
                seq += 1;
                insert.execute(params![tenant, seq_param(seq)?, text])?;
            }
            Ok(seq)
        })
    }

    /// Stores `snapshot` (a one-tenant snapshot of `tenant`, e.g. from
    /// `engine.export_snapshot(Some(tenant))` after applying the state loaded at `seq`) as
    /// holding every change up to `seq`, and deletes those changes.
    pub fn compact(&self, tenant: &str, seq: u64, snapshot: &str) -> Result<()> {
        check_one_tenant_snapshot(tenant, snapshot)?;
        self.db.write(|tx| {
            let latest = head(tx, tenant)?;
            if seq > latest {
                return Err(Error::Core(xspense::Error::InvalidInput(format!(
                    "tenant {tenant:?} is at sequence {latest}, cannot snapshot at {seq}"
                ))));
            }
            let current: Option<i64> = tx
                .prepare_cached("SELECT seq FROM engine_snapshots WHERE tenant = ?1")?
                .query_row(params![tenant], |r| r.get(0))
                .optional()?;
            if let Some(current) = current {
                if narrow::<u64>("snapshot sequence", current)? > seq {
                    return Err(Error::Core(xspense::Error::Conflict(format!(
                        "tenant {tenant:?} already has a snapshot at sequence {current}, after {seq}"
                    ))));
                }
            }
            tx.prepare_cached(
                "INSERT INTO engine_snapshots (tenant, seq, snapshot) VALUES (?1, ?2, ?3)
                 ON CONFLICT (tenant) DO UPDATE SET seq = excluded.seq, snapshot = excluded.snapshot",
            )?
            .execute(params![tenant, seq_param(seq)?, snapshot])?;
            tx.prepare_cached("DELETE FROM engine_changes WHERE tenant = ?1 AND seq <= ?2")?
                .execute(params![tenant, seq_param(seq)?])?;
            Ok(())
        })
    }

    /// Imports the text of a CLI state file (`--state DIR` keeps `DIR/state.json`, a snapshot
    /// of every tenant): each tenant becomes a snapshot at sequence 0. Refused whole (nothing
    /// written) if the snapshot is corrupt or a tenant in it already has state here. Returns
    /// the tenants imported.
    pub fn import_state_json(&self, text: &str) -> Result<Vec<String>> {
        let payload = snapshot::decode(text)?;
        let mut one_tenant: BTreeMap<String, String> = BTreeMap::new();
        for (tenant, state) in payload.tenants {
            let mut single = SnapshotPayload::default();
            single.tenants.insert(tenant.clone(), state);
            one_tenant.insert(tenant, snapshot::encode(&single)?);
        }
        self.db.write(|tx| {
            for (tenant, text) in &one_tenant {
                if has_state(tx, tenant)? {
                    return Err(Error::Core(xspense::Error::Conflict(format!(
                        "tenant {tenant:?} already has state in the database"
                    ))));
                }
                tx.prepare_cached(
                    "INSERT INTO engine_snapshots (tenant, seq, snapshot) VALUES (?1, 0, ?2)",
                )?
                .execute(params![tenant, text])?;
            }
            Ok(one_tenant.keys().cloned().collect())
        })
    }

    /// [`SqliteEngineState::import_state_json`] of the file at `path` (e.g.
    /// `DIR/state.json` of the CLI's `--state DIR`).
    pub fn migrate_state_file(&self, path: impl AsRef<Path>) -> Result<Vec<String>> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| Error::Io {
            path: path.to_path_buf(),
            source,
        })?;
        self.import_state_json(&text)
    }
}

/// The core's trait over the inherent methods: a sequence conflict is [`Appended::Stale`],
/// other errors map as [`Error`]'s conversion says.
impl EngineStateStore for SqliteEngineState {
    fn load(&self, tenant: &str) -> xspense::Result<TenantLoad> {
        Ok(SqliteEngineState::load(self, tenant)?)
    }

    fn append(&self, tenant: &str, expected: u64, changes: &[Change]) -> xspense::Result<Appended> {
        match SqliteEngineState::append(self, tenant, expected, changes) {
            Ok(at) => Ok(Appended::At(at)),
            Err(Error::SequenceConflict { actual, .. }) => Ok(Appended::Stale { actual }),
            Err(e) => Err(e.into()),
        }
    }

    fn compact(&self, tenant: &str, seq: u64, snapshot: &str) -> xspense::Result<()> {
        Ok(SqliteEngineState::compact(self, tenant, seq, snapshot)?)
    }

    fn changes_after(&self, tenant: &str, seq: u64) -> xspense::Result<Option<Vec<Change>>> {
        Ok(SqliteEngineState::changes_after(self, tenant, seq)?)
    }
}
