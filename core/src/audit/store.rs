//! [`AuditStore`]: a shared audit log kept outside the process, one hash chain per tenant.

use serde_json::Value;

use super::{AuditAction, AuditEntry};
use crate::clock::Millis;
use crate::error::Result;

/// An entry to append (the store assigns its position and hashes).
#[derive(Debug, Clone, PartialEq)]
pub struct NewAuditEntry {
    /// When it happened.
    pub at: Millis,
    /// Who did it.
    pub actor: String,
    /// What kind of event.
    pub action: AuditAction,
    /// What it concerns.
    pub subject: String,
    /// Value before (redacted before it is stored).
    pub old: Option<Value>,
    /// Value after (redacted before it is stored).
    pub new: Option<Value>,
}

/// An append-only audit log with one hash chain per tenant, implemented by the SQLite and
/// PostgreSQL stores beside the core (the in-process [`super::AuditLog`] keeps one chain for
/// every tenant instead).
pub trait AuditStore: Send + Sync {
    /// Appends `entry` to `tenant`'s chain (its values redacted first, when the store has a
    /// redactor) and returns it as stored.
    fn append(&self, tenant: &str, entry: NewAuditEntry) -> Result<AuditEntry>;

    /// `tenant`'s entries, oldest first.
    fn entries(&self, tenant: &str) -> Result<Vec<AuditEntry>>;

    /// Reads `tenant`'s chain and checks it with [`super::verify`]; returns how many entries
    /// it holds.
    fn verify(&self, tenant: &str) -> Result<usize>;
}
