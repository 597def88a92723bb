//! [`SqliteAuditLog`]: the core's hash-chained audit log in a table, one chain per tenant.
//!
//! Rows are only ever inserted: triggers abort any `UPDATE` or `DELETE` on the table, and an
//! entry is appended in a `BEGIN IMMEDIATE` transaction that reads the tenant's last hash, so
//! concurrent writers extend the chain one after the other and never fork it. A tenant's
//! entries read back verify with [`xspense::audit::verify`].

use std::path::Path;

use rusqlite::{params, OptionalExtension, Row};
use serde_json::Value;
use xspense::audit::{AuditEntry, AuditStore, NewAuditEntry, GENESIS};
use xspense::redact::Redactor;

use crate::connection::{self, Options, Shared};
use crate::error::{narrow, Error, Result};

/// Audit entries in a SQLite database.
#[derive(Debug)]
pub struct SqliteAuditLog {
    db: Shared,
    redactor: Option<Redactor>,
}

fn json_text(v: &Option<Value>) -> Result<Option<String>> {
    v.as_ref()
        .map(serde_json::to_string)
        .transpose()
        .map_err(|e| Error::Corrupt(format!("unencodable JSON: {e}")))
}

fn json_of(text: Option<String>) -> Result<Option<Value>> {
    text.map(|t| serde_json::from_str(&t))
        .transpose()
        .map_err(|e| Error::Corrupt(format!("audit value: {e}")))
}

fn read_entry(tenant: &str, row: &Row<'_>) -> Result<AuditEntry> {
    let action: String = row.get(2)?;
    Ok(AuditEntry {
        seq: narrow("audit seq", row.get(0)?)?,
        at: row.get(1)?,
        tenant: tenant.to_string(),
        actor: row.get(3)?,
        action: action.parse()?,
        subject: row.get(4)?,
        old: json_of(row.get(5)?)?,
        new: json_of(row.get(6)?)?,
        prev_hash: row.get(7)?,
        hash: row.get(8)?,
    })
}

impl SqliteAuditLog {
    /// Opens the database at `path`; values are redacted with the default [`Redactor`].
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteAuditLog> {
        SqliteAuditLog::open_with(path, Options::default(), Some(Redactor::new()))
    }

    /// Opens the database at `path` with explicit options and redactor (`None`: values are
    /// stored as given).
    pub fn open_with(
        path: impl AsRef<Path>,
        options: Options,
        redactor: Option<Redactor>,
    ) -> Result<SqliteAuditLog> {
        Ok(SqliteAuditLog {
            db: Shared::new(connection::open(path.as_ref(), options)?),
            redactor,
        })
    }

    /// A log in a private in-memory database.
    pub fn in_memory(redactor: Option<Redactor>) -> Result<SqliteAuditLog> {
        Ok(SqliteAuditLog {
            db: Shared::new(connection::open_in_memory()?),
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
        self.db.write(|tx| {
            let last: Option<(i64, String)> = tx
                .prepare_cached(
                    "SELECT seq, hash FROM audit_log WHERE tenant = ?1
                     ORDER BY seq DESC LIMIT 1",
                )?
                .query_row(params![tenant], |r| Ok((r.get(0)?, r.get(1)?)))
                .optional()?;
            let (seq, prev_hash) = match last {
                Some((seq, hash)) => (narrow::<u64>("audit seq", seq)? + 1, hash),
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
            tx.prepare_cached(
                "INSERT INTO audit_log
                     (tenant, seq, at, actor, action, subject, old, new, prev_hash, hash)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
            )?
            .execute(params![
                tenant,
                i64::try_from(seq)
                    .map_err(|_| Error::Corrupt(format!("audit seq {seq} is out of range")))?,
                e.at,
                e.actor,
                e.action.as_str(),
                e.subject,
                json_text(&e.old)?,
                json_text(&e.new)?,
                e.prev_hash,
                e.hash
            ])?;
            Ok(e)
        })
    }

    /// Every entry of `tenant`, oldest first.
    pub fn entries(&self, tenant: &str) -> Result<Vec<AuditEntry>> {
        self.db.read(|tx| {
            let mut stmt = tx.prepare_cached(
                "SELECT seq, at, action, actor, subject, old, new, prev_hash, hash
                 FROM audit_log WHERE tenant = ?1 ORDER BY seq",
            )?;
            let mut rows = stmt.query(params![tenant])?;
            let mut out = Vec::new();
            while let Some(row) = rows.next()? {
                out.push(read_entry(tenant, row)?);
            }
            Ok(out)
        })
    }

    /// Reads `tenant`'s chain back and checks it with the core's verifier; the error
    /// ([`xspense::Error::Tampered`]) names the first entry that fails.
    pub fn verify(&self, tenant: &str) -> Result<usize> {
        let entries = self.entries(tenant)?;
        xspense::audit::verify(&entries)?;
        Ok(entries.len())
    }
}

/// The core's trait over the inherent methods.
impl AuditStore for SqliteAuditLog {
    fn append(&self, tenant: &str, entry: NewAuditEntry) -> xspense::Result<AuditEntry> {
        Ok(SqliteAuditLog::append(self, tenant, entry)?)
    }

    fn entries(&self, tenant: &str) -> xspense::Result<Vec<AuditEntry>> {
        Ok(SqliteAuditLog::entries(self, tenant)?)
    }

    fn verify(&self, tenant: &str) -> xspense::Result<usize> {
        Ok(SqliteAuditLog::verify(self, tenant)?)
    }
}
