//! [`EngineStateStore`]: where a host keeps each tenant's engine state as a change log on top
//! of its latest snapshot, so that several engine processes can share one tenant.
//!
//! The rule for concurrent writers is optimistic append: a process loads a tenant at sequence
//! `seq` ([`EngineStateStore::load`]), works, and appends the changes
//! [`crate::Engine::drain_changes`] returned after `seq` ([`EngineStateStore::append`]). If
//! another process appended first, the append is refused whole ([`Appended::Stale`]); the
//! process reloads the tenant (which now holds the other side's changes), does its own
//! operation again on that state and appends again ([`save_with_retry`]). Operations are
//! re-done rather than their recorded changes replayed, because change events do not commute
//! (a feedback vote's [`Change::AliasLearned`] carries the alias's whole new state, and rule
//! order decides ties), while the operations do.
//!
//! ```
//! use xspense::store::state::{save_with_retry, EngineStateStore, InMemoryEngineState};
//! use xspense::Engine;
//!
//! let store = InMemoryEngineState::new();
//! let rule = "merchant contains \"tesco\" => food.groceries\n";
//! let mut engine = Engine::new();
//! let load = store.load("alice").unwrap();
//! load.apply_to(&mut engine).unwrap();
//! engine.drain_changes();
//! engine.add_rules("alice", rule).unwrap();
//! let seq = save_with_retry(&store, "alice", load.seq, engine.drain_changes(), 10, |latest| {
//!     let mut again = Engine::new();
//!     latest.apply_to(&mut again)?;
//!     again.drain_changes();
//!     again.add_rules("alice", rule)?;
//!     Ok(again.drain_changes())
//! })
//! .unwrap();
//! assert_eq!(seq, 1);
//! assert_eq!(store.load("alice").unwrap().changes.len(), 1);
//! ```

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::store::snapshot::{self, SnapshotPayload, TenantSnapshot};
use crate::store::Change;
use crate::Engine;

/// What is stored for one tenant.
#[derive(Debug, Clone, PartialEq)]
pub struct TenantLoad {
    /// The tenant.
    pub tenant: String,
    /// Its latest snapshot (a one-tenant snapshot document), if it was ever compacted or
    /// imported.
    pub snapshot: Option<String>,
    /// The sequence the snapshot holds changes up to (0 without a snapshot).
    pub snapshot_seq: u64,
    /// The changes after the snapshot, in order.
    pub changes: Vec<Change>,
    /// The tenant's latest sequence: what to pass to [`EngineStateStore::append`] next.
    pub seq: u64,
}

impl TenantLoad {
    /// A tenant with no stored state, at sequence 0.
    pub fn empty(tenant: &str) -> TenantLoad {
        TenantLoad {
            tenant: tenant.to_string(),
            snapshot: None,
            snapshot_seq: 0,
            changes: Vec::new(),
            seq: 0,
        }
    }

    /// The loaded changes after sequence `seq`, as [`EngineStateStore::changes_after`]
    /// answers: `None` when `seq` is before the snapshot or after the latest sequence.
    pub fn changes_after(&self, seq: u64) -> Option<Vec<Change>> {
        if seq < self.snapshot_seq || seq > self.seq {
            return None;
        }
        let skip = usize::try_from(seq - self.snapshot_seq).ok()?;
        self.changes.get(skip..).map(<[Change]>::to_vec)
    }

    /// Makes `engine`'s state of this tenant the stored one: the snapshot (or an empty state)
    /// replaces whatever the engine held for the tenant, then the changes are replayed.
    /// Other tenants in the engine are left alone.
    pub fn apply_to(&self, engine: &mut Engine) -> Result<()> {
        let base = match &self.snapshot {
            Some(text) => text.clone(),
            None => empty_snapshot(&self.tenant)?,
        };
        engine.import_snapshot(&base)?;
        engine.apply_changes(&self.changes)
    }
}

/// A snapshot document holding `tenant` with no state.
fn empty_snapshot(tenant: &str) -> Result<String> {
    let mut payload = SnapshotPayload::default();
    payload
        .tenants
        .insert(tenant.to_string(), TenantSnapshot::default());
    snapshot::encode(&payload)
}

/// The outcome of [`EngineStateStore::append`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Appended {
    /// The changes were appended; the tenant is now at this sequence.
    At(u64),
    /// Nothing was written: another writer appended since the caller's sequence was read,
    /// and the tenant is at `actual`. Reload and retry.
    Stale {
        /// The tenant's latest sequence in the store.
        actual: u64,
    },
}

/// A store of each tenant's engine change log and latest snapshot.
///
/// Implemented in memory by [`InMemoryEngineState`], and by the SQLite and PostgreSQL stores
/// beside the core. Every method concerns one tenant: a store never returns another tenant's
/// rows.
pub trait EngineStateStore: Send + Sync {
    /// The stored state of `tenant` (an unknown tenant has no snapshot, no changes and
    /// sequence 0).
    fn load(&self, tenant: &str) -> Result<TenantLoad>;

    /// Appends `changes` (all of `tenant`) after sequence `expected`, which must be the
    /// tenant's latest. Refused whole with [`Appended::Stale`] when another writer appended
    /// since `expected` was read; an `invalid_input` error when a change belongs to another
    /// tenant.
    fn append(&self, tenant: &str, expected: u64, changes: &[Change]) -> Result<Appended>;

    /// Stores `snapshot` (a one-tenant snapshot of `tenant`, e.g. from
    /// `engine.export_snapshot(Some(tenant))` after applying the state loaded at `seq`) as
    /// holding every change up to `seq`, and deletes those changes.
    fn compact(&self, tenant: &str, seq: u64, snapshot: &str) -> Result<()>;

    /// The changes of `tenant` after sequence `seq`, in order (change `seq + 1` first; empty
    /// when `seq` is the latest). `None` when the log cannot say: it was compacted past `seq`,
    /// or the tenant is not as far as `seq` (its state was removed); the caller then reloads
    /// the whole tenant with [`EngineStateStore::load`].
    ///
    /// The default reads the whole tenant with [`EngineStateStore::load`]; stores override it
    /// with a query of the changes after `seq` alone.
    fn changes_after(&self, tenant: &str, seq: u64) -> Result<Option<Vec<Change>>> {
        Ok(self.load(tenant)?.changes_after(seq))
    }
}

/// Checks, before anything is written, that every change belongs to `tenant`.
pub fn check_changes_tenant(tenant: &str, changes: &[Change]) -> Result<()> {
    match changes.iter().find(|c| c.tenant() != tenant) {
        Some(other) => Err(Error::InvalidInput(format!(
            "a change of tenant {:?} cannot be appended to tenant {tenant:?}",
            other.tenant()
        ))),
        None => Ok(()),
    }
}

/// Checks that `text` is a valid snapshot of `tenant` alone.
pub fn check_one_tenant_snapshot(tenant: &str, text: &str) -> Result<()> {
    let payload = snapshot::decode(text)?;
    if payload.tenants.len() != 1 || !payload.tenants.contains_key(tenant) {
        let held: Vec<&String> = payload.tenants.keys().collect();
        return Err(Error::InvalidInput(format!(
            "a snapshot of tenant {tenant:?} must hold that tenant alone, it holds {held:?}"
        )));
    }
    Ok(())
}

/// Appends `changes` of `tenant` after `seq`; while another writer got there first, reloads
/// the tenant, asks `redo` for the changes of the same operation done again on the latest
/// state, and appends those. Gives up with a `conflict` error after `max_attempts` appends.
/// Returns the sequence the tenant is at after the append (`seq` itself when there was
/// nothing to append).
pub fn save_with_retry(
    store: &dyn EngineStateStore,
    tenant: &str,
    mut seq: u64,
    mut changes: Vec<Change>,
    max_attempts: usize,
    mut redo: impl FnMut(&TenantLoad) -> Result<Vec<Change>>,
) -> Result<u64> {
    for _ in 0..max_attempts {
        if changes.is_empty() {
            return Ok(seq);
        }
        match store.append(tenant, seq, &changes)? {
            Appended::At(at) => return Ok(at),
            Appended::Stale { .. } => {
                let latest = store.load(tenant)?;
                seq = latest.seq;
                changes = redo(&latest)?;
            }
        }
    }
    Err(Error::Conflict(format!(
        "tenant {tenant:?}: gave up after {max_attempts} concurrent saves"
    )))
}

/// One tenant's log in memory.
#[derive(Debug, Default)]
struct TenantLog {
    snapshot: Option<String>,
    snapshot_seq: u64,
    changes: Vec<Change>,
}

impl TenantLog {
    fn head(&self) -> u64 {
        self.snapshot_seq + self.changes.len() as u64
    }
}

/// [`EngineStateStore`] in process memory: for tests, and for hosts that persist snapshots
/// themselves.
#[derive(Debug, Default)]
pub struct InMemoryEngineState {
    tenants: Mutex<HashMap<String, TenantLog>>,
}

impl InMemoryEngineState {
    /// An empty store.
    pub fn new() -> InMemoryEngineState {
        InMemoryEngineState::default()
    }

    fn lock(&self) -> Result<std::sync::MutexGuard<'_, HashMap<String, TenantLog>>> {
        self.tenants
            .lock()
            .map_err(|_| Error::Internal("engine state lock poisoned".into()))
    }
}

impl EngineStateStore for InMemoryEngineState {
    fn load(&self, tenant: &str) -> Result<TenantLoad> {
        let tenants = self.lock()?;
        Ok(match tenants.get(tenant) {
            Some(log) => TenantLoad {
                tenant: tenant.to_string(),
                snapshot: log.snapshot.clone(),
                snapshot_seq: log.snapshot_seq,
                changes: log.changes.clone(),
                seq: log.head(),
            },
            None => TenantLoad::empty(tenant),
        })
    }

    fn append(&self, tenant: &str, expected: u64, changes: &[Change]) -> Result<Appended> {
        check_changes_tenant(tenant, changes)?;
        let mut tenants = self.lock()?;
        let log = tenants.entry(tenant.to_string()).or_default();
        let actual = log.head();
        if actual != expected {
            return Ok(Appended::Stale { actual });
        }
        log.changes.extend_from_slice(changes);
        Ok(Appended::At(log.head()))
    }

    fn compact(&self, tenant: &str, seq: u64, snapshot: &str) -> Result<()> {
        check_one_tenant_snapshot(tenant, snapshot)?;
        let mut tenants = self.lock()?;
        let log = tenants.entry(tenant.to_string()).or_default();
        let latest = log.head();
        if seq > latest {
            return Err(Error::InvalidInput(format!(
                "tenant {tenant:?} is at sequence {latest}, cannot snapshot at {seq}"
            )));
        }
        if log.snapshot.is_some() && log.snapshot_seq > seq {
            return Err(Error::Conflict(format!(
                "tenant {tenant:?} already has a snapshot at sequence {}, after {seq}",
                log.snapshot_seq
            )));
        }
        let dropped = usize::try_from(seq - log.snapshot_seq)
            .map_err(|_| Error::Internal(format!("sequence {seq} is out of range")))?;
        log.changes.drain(..dropped);
        log.snapshot = Some(snapshot.to_string());
        log.snapshot_seq = seq;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TESCO: &str = "merchant contains \"tesco\" => food.groceries\n";
    const UBER: &str = "merchant contains \"uber\" => transport.taxi\n";

    fn loaded(store: &dyn EngineStateStore, tenant: &str) -> (Engine, u64) {
        let mut engine = Engine::new();
        let load = store.load(tenant).unwrap();
        load.apply_to(&mut engine).unwrap();
        engine.drain_changes();
        (engine, load.seq)
    }

    fn rule_categories(engine: &Engine, tenant: &str) -> Vec<String> {
        engine
            .rules(tenant)
            .into_iter()
            .filter_map(|r| r.then.category)
            .collect()
    }

    #[test]
    fn a_stale_append_writes_nothing_and_the_retry_redoes_the_operation() {
        let store = InMemoryEngineState::new();
        let (mut mine, seq1) = loaded(&store, "t");
        let (mut theirs, seq2) = loaded(&store, "t");
        mine.add_rules("t", TESCO).unwrap();
        theirs.add_rules("t", UBER).unwrap();
        assert_eq!(
            store.append("t", seq2, &theirs.drain_changes()).unwrap(),
            Appended::At(1)
        );
        let changes = mine.drain_changes();
        assert_eq!(
            store.append("t", seq1, &changes).unwrap(),
            Appended::Stale { actual: 1 }
        );
        let mut redone = 0;
        let at = save_with_retry(&store, "t", seq1, changes, 5, |latest| {
            redone += 1;
            let mut e = Engine::new();
            latest.apply_to(&mut e)?;
            e.drain_changes();
            e.add_rules("t", TESCO)?;
            Ok(e.drain_changes())
        })
        .unwrap();
        assert_eq!((redone, at), (1, 2));
        let (e, seq) = loaded(&store, "t");
        assert_eq!(seq, 2);
        assert_eq!(
            rule_categories(&e, "t"),
            ["transport.taxi", "food.groceries"]
        );
        assert_eq!(
            save_with_retry(&store, "t", 0, Vec::new(), 5, |_| unreachable!()).unwrap(),
            0
        );
    }

    #[test]
    fn compaction_keeps_the_state_and_the_sequence() {
        let store = InMemoryEngineState::new();
        let (mut e, seq) = loaded(&store, "t");
        e.add_rules("t", TESCO).unwrap();
        e.add_rules("t", UBER).unwrap();
        let Appended::At(at) = store.append("t", seq, &e.drain_changes()).unwrap() else {
            panic!("fresh tenant must accept an append");
        };
        let snap = e.export_snapshot(Some("t")).unwrap();
        store.compact("t", at, &snap).unwrap();
        let load = store.load("t").unwrap();
        assert_eq!(
            (load.seq, load.snapshot_seq, load.changes.len()),
            (at, at, 0)
        );
        let (e2, _) = loaded(&store, "t");
        assert_eq!(rule_categories(&e2, "t"), rule_categories(&e, "t"));
        assert_eq!(
            store
                .compact("t", at + 1, &snap)
                .unwrap_err()
                .code()
                .as_str(),
            "invalid_input"
        );
    }

    #[test]
    fn another_tenants_changes_or_snapshot_are_refused() {
        let store = InMemoryEngineState::new();
        let (mut e, _) = loaded(&store, "a");
        e.add_rules("a", TESCO).unwrap();
        let changes = e.drain_changes();
        let err = store.append("b", 0, &changes).unwrap_err();
        assert_eq!(err.code().as_str(), "invalid_input");
        assert_eq!(store.load("b").unwrap().seq, 0);
        let snap = e.export_snapshot(Some("a")).unwrap();
        assert!(store.compact("b", 0, &snap).is_err());
    }
}
