//! [`PgEngineState`]: the core's [`EngineStateStore`] in PostgreSQL: each tenant's engine
//! change log (numbered from 1 per tenant) on top of its latest snapshot, shared by engine
//! processes on many machines.
//!
//! An append checks the tenant's latest sequence and inserts its changes in one statement;
//! two appends after the same sequence race for the same `(tenant, seq)` keys, and the one
//! that loses (the check fails, or the keys are taken when the winner commits) inserts
//! nothing: its transaction is rolled back and it is [`Appended::Stale`]. Statements are
//! prepared once per pooled connection. Every append
//! notifies [`STATE_CHANNEL`] with the tenant at commit: [`PgEngineState::listen`] gives a
//! connection that hears them, so a follower reads on when told instead of polling.
//!
//! Every transaction runs as `xspense_app` for the one tenant it concerns: row-level
//! security keeps it to that tenant's rows.

use std::collections::BTreeSet;
use std::time::Duration;

use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, Transaction};
use xspense::store::state::{
    check_changes_tenant, check_one_tenant_snapshot, Appended, EngineStateStore, TenantLoad,
};
use xspense::store::Change;

use crate::error::{narrow, Error, Result};
use crate::pool::{Pool, Prepared, Scope};

/// The channel every append notifies, with the tenant as payload.
pub const STATE_CHANNEL: &str = "xspense_engine_changes";

const LISTEN_STATE: &str = "LISTEN xspense_engine_changes";
const UNLISTEN_STATE: &str = "UNLISTEN xspense_engine_changes";

/// The latest sequence of tenant $1: its last change, or its snapshot's.
const HEAD: &str = "SELECT greatest(
        coalesce((SELECT max(seq) FROM engine_changes WHERE tenant = $1), 0),
        coalesce((SELECT seq FROM engine_snapshots WHERE tenant = $1), 0))";

/// Inserts the changes $3 of tenant $1 as $2 + 1, $2 + 2, ... if $2 is the tenant's latest
/// sequence; inserts nothing otherwise. A concurrent append of the same sequences that
/// commits first leaves those rows out (the caller rolls back what it inserted).
const APPEND: &str = "INSERT INTO engine_changes (tenant, seq, change)
    SELECT $1, $2 + u.ord, u.c::json
    FROM unnest($3::text[]) WITH ORDINALITY AS u(c, ord)
    WHERE (SELECT greatest(
        coalesce((SELECT max(seq) FROM engine_changes WHERE tenant = $1), 0),
        coalesce((SELECT seq FROM engine_snapshots WHERE tenant = $1), 0))) = $2
    ON CONFLICT (tenant, seq) DO NOTHING";

/// Row kinds of [`READ`], in the order it returns them.
const KIND_SNAPSHOT: i32 = 0;
const KIND_HEAD: i32 = 1;
const KIND_CHANGE: i32 = 2;

/// Tenant $1's snapshot (if `$3`), its latest change's sequence and its changes after
/// sequence $2 (after the snapshot's when $2 is null), in one statement: one consistent
/// view even while another transaction compacts.
const READ: &str = "WITH snap AS (SELECT seq, snapshot FROM engine_snapshots WHERE tenant = $1)
    SELECT 0, seq, CASE WHEN $3 THEN snapshot END FROM snap
    UNION ALL
    SELECT 1, max(seq), NULL FROM engine_changes WHERE tenant = $1
    UNION ALL
    (SELECT 2, seq, change::text FROM engine_changes
     WHERE tenant = $1 AND seq > coalesce($2, (SELECT seq FROM snap), 0)
     ORDER BY seq)
    ORDER BY 1, 2";

const SNAPSHOT_AT: &str = "SELECT seq FROM engine_snapshots WHERE tenant = $1";
const PUT_SNAPSHOT: &str = "INSERT INTO engine_snapshots (tenant, seq, snapshot)
    VALUES ($1, $2, $3)
    ON CONFLICT (tenant) DO UPDATE SET seq = excluded.seq, snapshot = excluded.snapshot
    WHERE engine_snapshots.seq <= excluded.seq";
const DROP_COMPACTED: &str = "DELETE FROM engine_changes WHERE tenant = $1 AND seq <= $2";

/// What one [`READ`] found.
struct Read {
    snapshot: Option<(u64, Option<String>)>,
    last_change: Option<u64>,
    /// `(seq, change)` in order.
    changes: Vec<(u64, Change)>,
}

impl Read {
    fn snapshot_seq(&self) -> u64 {
        self.snapshot.as_ref().map_or(0, |(seq, _)| *seq)
    }

    fn head(&self) -> u64 {
        self.snapshot_seq().max(self.last_change.unwrap_or(0))
    }
}

fn seq_param(seq: u64) -> Result<i64> {
    i64::try_from(seq).map_err(|_| Error::Corrupt(format!("change sequence {seq} is out of range")))
}

fn read(
    tx: &mut Transaction<'_>,
    prepared: &mut Prepared,
    tenant: &str,
    after: Option<u64>,
    snapshot: bool,
) -> Result<Read> {
    let after = after.map(seq_param).transpose()?;
    let mut out = Read {
        snapshot: None,
        last_change: None,
        changes: Vec::new(),
    };
    let statement = prepared.get(tx, READ)?;
    for row in tx.query(&statement, &[&tenant, &after, &snapshot])? {
        let kind: i32 = row.get(0);
        let seq: Option<i64> = row.get(1);
        let seq = seq
            .map(|s| narrow::<u64>("change sequence", s))
            .transpose()?;
        match (kind, seq) {
            (KIND_SNAPSHOT, Some(seq)) => out.snapshot = Some((seq, row.get(2))),
            (KIND_HEAD, last) => out.last_change = last,
            (KIND_CHANGE, Some(seq)) => {
                let text: String = row.get(2);
                let change = serde_json::from_str(&text)
                    .map_err(|e| Error::Corrupt(format!("change {seq}: {e}")))?;
                out.changes.push((seq, change));
            }
            (kind, seq) => {
                return Err(Error::Corrupt(format!(
                    "engine state row of kind {kind} at {seq:?}"
                )))
            }
        }
    }
    Ok(out)
}

/// The latest sequence of `tenant`, as the transaction sees it.
fn head(tx: &mut Transaction<'_>, prepared: &mut Prepared, tenant: &str) -> Result<u64> {
    let statement = prepared.get(tx, HEAD)?;
    narrow(
        "change sequence",
        tx.query_one(&statement, &[&tenant])?.get(0),
    )
}

/// The changes of `read` checked to follow `seq` without a gap.
fn contiguous(tenant: &str, seq: u64, changes: Vec<(u64, Change)>) -> Result<Vec<Change>> {
    let mut at = seq;
    let mut out = Vec::with_capacity(changes.len());
    for (s, change) in changes {
        if s != at + 1 {
            return Err(Error::Corrupt(format!(
                "tenant {tenant:?}: change {} is missing",
                at + 1
            )));
        }
        out.push(change);
        at = s;
    }
    Ok(out)
}

/// Engine state in a PostgreSQL database.
#[derive(Debug)]
pub struct PgEngineState {
    pool: Pool,
}

impl PgEngineState {
    /// Connects to `url` (`postgresql://user@host:port/db`, migrated by
    /// [`crate::migrate`]).
    pub fn connect(url: &str) -> Result<PgEngineState> {
        Ok(PgEngineState {
            pool: Pool::connect(url)?,
        })
    }

    /// The stored state of `tenant` (an unknown tenant has no snapshot, no changes and
    /// sequence 0).
    pub fn load(&self, tenant: &str) -> Result<TenantLoad> {
        let found = self.pool.run_prepared(Scope::Tenant(tenant), |tx, p| {
            read(tx, p, tenant, None, true)
        })?;
        let snapshot_seq = found.snapshot_seq();
        let head = found.head();
        let snapshot = found.snapshot.and_then(|(_, text)| text);
        let changes = contiguous(tenant, snapshot_seq, found.changes)?;
        Ok(TenantLoad {
            tenant: tenant.to_string(),
            snapshot,
            snapshot_seq,
            seq: head.max(snapshot_seq + changes.len() as u64),
            changes,
        })
    }

    /// The changes of `tenant` after sequence `seq`, in order; `None` when they were
    /// compacted away or the tenant is not as far as `seq` (reload the tenant whole).
    pub fn changes_after(&self, tenant: &str, seq: u64) -> Result<Option<Vec<Change>>> {
        let found = self.pool.run_prepared(Scope::Tenant(tenant), |tx, p| {
            read(tx, p, tenant, Some(seq), false)
        })?;
        if found.snapshot_seq() > seq || found.head() < seq {
            return Ok(None);
        }
        Ok(Some(contiguous(tenant, seq, found.changes)?))
    }

    /// The latest sequence of `tenant`.
    pub fn head(&self, tenant: &str) -> Result<u64> {
        self.pool
            .run_prepared(Scope::Tenant(tenant), |tx, p| head(tx, p, tenant))
    }

    /// Appends `changes` (all of `tenant`) after sequence `expected`, which must be the
    /// tenant's latest: [`Appended::Stale`] (nothing written) when another writer appended
    /// since `expected` was read.
    pub fn append(&self, tenant: &str, expected: u64, changes: &[Change]) -> Result<Appended> {
        check_changes_tenant(tenant, changes)?;
        if changes.is_empty() {
            return self.append_nothing(tenant, expected);
        }
        let texts = changes
            .iter()
            .map(serde_json::to_string)
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(|e| Error::Corrupt(format!("unencodable change: {e}")))?;
        let after = seq_param(expected)?;
        let appended = self.pool.run_prepared(Scope::Tenant(tenant), |tx, p| {
            let append = p.get(tx, APPEND)?;
            let n = tx.execute(&append, &[&tenant, &after, &texts])?;
            if n == texts.len() as u64 {
                return Ok(expected + n);
            }
            // another writer got there first: roll back whatever was inserted
            Err(Error::SequenceConflict {
                tenant: tenant.to_string(),
                expected,
                actual: head(tx, p, tenant)?,
            })
        });
        match appended {
            Ok(at) => Ok(Appended::At(at)),
            Err(Error::SequenceConflict { actual, .. }) => Ok(Appended::Stale { actual }),
            // a unique violation should not come (ON CONFLICT), but would mean the same
            Err(Error::Postgres(e)) if e.code() == Some(&SqlState::UNIQUE_VIOLATION) => {
                Ok(Appended::Stale {
                    actual: self.head(tenant)?,
                })
            }
            Err(e) => Err(e),
        }
    }

    fn append_nothing(&self, tenant: &str, expected: u64) -> Result<Appended> {
        let actual = self.head(tenant)?;
        Ok(if actual == expected {
            Appended::At(actual)
        } else {
            Appended::Stale { actual }
        })
    }

    /// Stores `snapshot` (a one-tenant snapshot of `tenant` holding every change up to `seq`)
    /// and deletes those changes.
    pub fn compact(&self, tenant: &str, seq: u64, snapshot: &str) -> Result<()> {
        check_one_tenant_snapshot(tenant, snapshot)?;
        let at = seq_param(seq)?;
        self.pool.run(Scope::Tenant(tenant), |tx| {
            let latest: u64 = narrow("change sequence", tx.query_one(HEAD, &[&tenant])?.get(0))?;
            if seq > latest {
                return Err(Error::Core(xspense::Error::InvalidInput(format!(
                    "tenant {tenant:?} is at sequence {latest}, cannot snapshot at {seq}"
                ))));
            }
            if tx.execute(PUT_SNAPSHOT, &[&tenant, &at, &snapshot])? == 0 {
                let current: i64 = tx.query_one(SNAPSHOT_AT, &[&tenant])?.get(0);
                return Err(Error::Core(xspense::Error::Conflict(format!(
                    "tenant {tenant:?} already has a snapshot at sequence {current}, after {seq}"
                ))));
            }
            tx.execute(DROP_COMPACTED, &[&tenant, &at])?;
            Ok(())
        })
    }

    /// A connection listening on [`STATE_CHANNEL`]: it hears every append committed from now
    /// on, until dropped.
    pub fn listen(&self) -> Result<StateListener> {
        let mut client = self.pool.take()?;
        client.batch_execute(LISTEN_STATE)?;
        Ok(StateListener { client })
    }

    /// Waits up to `timeout` for an append of any tenant; `true` when one came. A follower
    /// calls it between reads instead of polling. An append committed just before the wait
    /// began is not seen: read on once more after a timeout, or keep a [`StateListener`].
    pub fn wait_for_change(&self, timeout: Duration) -> Result<bool> {
        let mut client = self.pool.take()?;
        let out = (|| {
            client.batch_execute(LISTEN_STATE)?;
            let came = client
                .notifications()
                .timeout_iter(timeout)
                .next()?
                .is_some();
            client.batch_execute(UNLISTEN_STATE)?;
            // drop what arrived meanwhile, so the next wait starts clean
            while client.notifications().iter().next()?.is_some() {}
            Ok(came)
        })();
        self.pool.give(client);
        out
    }
}

/// A connection that hears the tenants of engine-state appends ([`PgEngineState::listen`]).
pub struct StateListener {
    client: Client,
}

impl std::fmt::Debug for StateListener {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateListener").finish_non_exhaustive()
    }
}

impl StateListener {
    /// Waits up to `timeout` for appends; returns the tenants appended to since the last
    /// call (empty after a timeout), each once.
    pub fn wait(&mut self, timeout: Duration) -> Result<BTreeSet<String>> {
        let mut tenants = BTreeSet::new();
        if let Some(n) = self.client.notifications().timeout_iter(timeout).next()? {
            tenants.insert(n.payload().to_string());
        }
        // and whatever else already arrived
        let mut pending = self.client.notifications();
        let mut arrived = pending.iter();
        while let Some(n) = arrived.next()? {
            tenants.insert(n.payload().to_string());
        }
        Ok(tenants)
    }
}

/// The core's trait over the inherent methods; errors map as [`Error`]'s conversion says.
impl EngineStateStore for PgEngineState {
    fn load(&self, tenant: &str) -> xspense::Result<TenantLoad> {
        Ok(PgEngineState::load(self, tenant)?)
    }

    fn append(&self, tenant: &str, expected: u64, changes: &[Change]) -> xspense::Result<Appended> {
        Ok(PgEngineState::append(self, tenant, expected, changes)?)
    }

    fn compact(&self, tenant: &str, seq: u64, snapshot: &str) -> xspense::Result<()> {
        Ok(PgEngineState::compact(self, tenant, seq, snapshot)?)
    }

    fn changes_after(&self, tenant: &str, seq: u64) -> xspense::Result<Option<Vec<Change>>> {
        Ok(PgEngineState::changes_after(self, tenant, seq)?)
    }
}
