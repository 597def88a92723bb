//! [`PgAuditLog`]: the core's hash-chained audit log in a table, one chain per tenant.
//!
//! Rows are only ever inserted: a trigger refuses `UPDATE`, `DELETE` and `TRUNCATE`, and the
//! role the stores run as (`xspense_app`) holds no such grant. An append takes a transaction
//! lock on its tenant's chain (`pg_advisory_xact_lock`), reads the last hash and inserts, so
//! concurrent writers on any machine extend the chain one after the other and never fork it.
//! A tenant's entries read back verify with [`xspense::audit::verify`]; the server can check
//! the same chain itself ([`PgAuditLog::verify_in_sql`], the SQL function `audit_verify`).

use postgres::types::Json;
use postgres::Row;
use serde_json::Value;
use xspense::audit::{AuditEntry, AuditStore, NewAuditEntry, GENESIS};
use xspense::redact::Redactor;

use crate::error::{narrow, Error, Result};
use crate::pool::{Pool, Scope};

/// The first key of the chain locks (the second is the tenant's hash): any fixed number.
const CHAIN_LOCK_CLASS: i32 = 0x7873_6175; // "xsau"

const LOCK_CHAIN: &str = "SELECT pg_advisory_xact_lock($1, hashtext($2))";
const LAST: &str = "SELECT seq, hash FROM audit_log WHERE tenant = $1 ORDER BY seq DESC LIMIT 1";
const INSERT: &str = "INSERT INTO audit_log
        (tenant, seq, at, actor, action, subject, old, new, prev_hash, hash)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)";
const VERIFY_IN_SQL: &str = "SELECT seq, problem FROM audit_verify($1)";
const ENTRIES: &str = "SELECT seq, at, action, actor, subject, old, new, prev_hash, hash
    FROM audit_log WHERE tenant = $1 ORDER BY seq";

/// Audit entries in a PostgreSQL database.
#[derive(Debug)]
pub struct PgAuditLog {
    pool: Pool,
    redactor: Option<Redactor>,
}

fn read_entry(tenant: &str, row: &Row) -> Result<AuditEntry> {
    let action: String = row.try_get(2)?;
    let old: Option<Json<Value>> = row.try_get(5)?;
    let new: Option<Json<Value>> = row.try_get(6)?;
    Ok(AuditEntry {
        seq: narrow("audit seq", row.try_get(0)?)?,
        at: row.try_get(1)?,
        tenant: tenant.to_string(),
        actor: row.try_get(3)?,
        action: action.parse()?,
        subject: row.try_get(4)?,
        old: old.map(|v| v.0),
        new: new.map(|v| v.0),
        prev_hash: row.try_get(7)?,
        hash: row.try_get(8)?,
    })
}

impl PgAuditLog {
    /// Connects to the migrated database at `url`; values are redacted with the default
    /// [`Redactor`].
    pub fn connect(url: &str) -> Result<PgAuditLog> {
        PgAuditLog::connect_with(url, Some(Redactor::new()))
    }

    /// Connects with an explicit redactor (`None`: values are stored as given).
    pub fn connect_with(url: &str, redactor: Option<Redactor>) -> Result<PgAuditLog> {
        Ok(PgAuditLog {
            pool: Pool::connect(url)?,
            redactor,
        })
    }

    /// Appends an entry to `tenant`'s chain and returns it as stored.
    pub fn append(&self, tenant: &str, entry: NewAuditEntry) -> Result<AuditEntry> {
        if tenant.is_empty() || entry.actor.is_empty() {
            return Err(xspense::Error::InvalidInput(
                "audit entries need a tenant and an actor".into(),
            )
            .into());
        }
        let clean = |v: Option<Value>| match (&self.redactor, v) {
            (Some(r), Some(v)) => Some(r.redact_json(&v).value),
            (_, v) => v,
        };
        let (old, new) = (clean(entry.old), clean(entry.new));
        self.pool.run(Scope::Tenant(tenant), |tx| {
            tx.execute(LOCK_CHAIN, &[&CHAIN_LOCK_CLASS, &tenant])?;
            let (seq, prev_hash) = match tx.query_opt(LAST, &[&tenant])? {
                Some(row) => (
                    narrow::<u64>("audit seq", row.try_get(0)?)? + 1,
                    row.try_get(1)?,
                ),
                None => (0, GENESIS.to_string()),
            };
            let mut e = AuditEntry {
                seq,
                at: entry.at,
                tenant: tenant.to_string(),
                actor: entry.actor,
                action: entry.action,
                subject: entry.subject,
                old,
                new,
                prev_hash,
                hash: String::new(),
            };
            e.hash = e.content_hash();
            let stored_seq = i64::try_from(seq)
                .map_err(|_| Error::Corrupt(format!("audit seq {seq} is out of range")))?;
            tx.execute(
                INSERT,
                &[
                    &tenant,
                    &stored_seq,
                    &e.at,
                    &e.actor,
                    &e.action.as_str(),
                    &e.subject,
                    &e.old.as_ref().map(Json),
                    &e.new.as_ref().map(Json),
                    &e.prev_hash,
                    &e.hash,
                ],
            )?;
            Ok(e)
        })
    }

    /// Every entry of `tenant`, oldest first.
    pub fn entries(&self, tenant: &str) -> Result<Vec<AuditEntry>> {
        self.pool.run(Scope::Tenant(tenant), |tx| {
            tx.query(ENTRIES, &[&tenant])?
                .iter()
                .map(|row| read_entry(tenant, row))
                .collect()
        })
    }

    /// Reads `tenant`'s chain back and checks it with the core's verifier; the error
    /// ([`xspense::Error::Tampered`]) names the first entry that fails.
    pub fn verify(&self, tenant: &str) -> Result<usize> {
        let entries = self.entries(tenant)?;
        xspense::audit::verify(&entries)?;
        Ok(entries.len())
    }

    /// Checks `tenant`'s chain on the server, with the core's hash computed in SQL (no rows
    /// leave the database): `None` when it holds, else the first failing entry and what is
    /// wrong with it (`out of place`, `altered` or `unlinked`), as [`PgAuditLog::verify`]
    /// would name it.
    pub fn verify_in_sql(&self, tenant: &str) -> Result<Option<(u64, String)>> {
        self.pool.run(Scope::Tenant(tenant), |tx| {
            match tx.query_opt(VERIFY_IN_SQL, &[&tenant])? {
                Some(row) => Ok(Some((
                    narrow("audit seq", row.try_get(0)?)?,
                    row.try_get(1)?,
                ))),
                None => Ok(None),
            }
        })
    }
}

/// The core's trait over the inherent methods.
impl AuditStore for PgAuditLog {
    fn append(&self, tenant: &str, entry: NewAuditEntry) -> xspense::Result<AuditEntry> {
        Ok(PgAuditLog::append(self, tenant, entry)?)
    }

    fn entries(&self, tenant: &str) -> xspense::Result<Vec<AuditEntry>> {
        Ok(PgAuditLog::entries(self, tenant)?)
    }

    fn verify(&self, tenant: &str) -> xspense::Result<usize> {
        Ok(PgAuditLog::verify(self, tenant)?)
    }
}
