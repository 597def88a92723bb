//! [`AuditBackend`]: one audit-log API over the in-process [`AuditLog`] (one chain for every
//! tenant) or a shared [`AuditStore`] (one chain per tenant), so the bindings' `AuditLog`
//! classes offer the same methods on both and only convert and call.

use std::sync::{Arc, Mutex, MutexGuard};

use super::{verify, AuditAction, AuditEntry, AuditLog, AuditStore, NewAuditEntry};
use crate::clock::Millis;
use crate::error::{Error, Result};

/// An audit log in process memory or in a store.
///
/// ```
/// use std::sync::Arc;
/// use xspense::audit::{AuditAction, AuditBackend, AuditLog};
///
/// let log = AuditBackend::memory(AuditLog::new());
/// log.append(1_000, "alice", "api", AuditAction::Other, "x", None, None).unwrap();
/// assert_eq!(log.verify(None).unwrap(), 1);
/// assert_eq!(log.entries(Some("alice")).unwrap().len(), 1);
/// assert_eq!(log.entries(Some("bob")).unwrap().len(), 0);
/// ```
pub enum AuditBackend {
    /// The in-process log: one chain holding every tenant's entries.
    Memory(Box<Mutex<AuditLog>>),
    /// A shared store (SQLite, PostgreSQL): one chain per tenant.
    Store(Arc<dyn AuditStore>),
}

impl std::fmt::Debug for AuditBackend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AuditBackend::Memory(_) => f.write_str("AuditBackend::Memory"),
            AuditBackend::Store(_) => f.write_str("AuditBackend::Store"),
        }
    }
}

fn tenant_required(what: &str) -> Error {
    Error::InvalidInput(format!(
        "an audit log in a store keeps one chain per tenant: {what} needs a tenant"
    ))
}

impl AuditBackend {
    /// Over an in-process log.
    pub fn memory(log: AuditLog) -> AuditBackend {
        AuditBackend::Memory(Box::new(Mutex::new(log)))
    }

    /// Over a shared store.
    pub fn store(store: Arc<dyn AuditStore>) -> AuditBackend {
        AuditBackend::Store(store)
    }

    fn lock(log: &Mutex<AuditLog>) -> MutexGuard<'_, AuditLog> {
        log.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Appends one entry to `tenant`'s chain (the one chain, in memory) and returns it as
    /// stored (values redacted when the log redacts).
    #[allow(clippy::too_many_arguments)]
    pub fn append(
        &self,
        at: Millis,
        tenant: &str,
        actor: &str,
        action: AuditAction,
        subject: &str,
        old: Option<serde_json::Value>,
        new: Option<serde_json::Value>,
    ) -> Result<AuditEntry> {
        match self {
            AuditBackend::Memory(log) => Self::lock(log)
                .append(at, tenant, actor, action, subject, old, new)
                .cloned(),
            AuditBackend::Store(store) => store.append(
                tenant,
                NewAuditEntry {
                    at,
                    actor: actor.to_string(),
                    action,
                    subject: subject.to_string(),
                    old,
                    new,
                },
            ),
        }
    }

    /// The entries of `tenant`, oldest first; without a tenant every entry of the in-memory
    /// log (a store refuses that with `invalid_input`: it has one chain per tenant).
    pub fn entries(&self, tenant: Option<&str>) -> Result<Vec<AuditEntry>> {
        match (self, tenant) {
            (AuditBackend::Memory(log), None) => Ok(Self::lock(log).entries().to_vec()),
            (AuditBackend::Memory(log), Some(t)) => {
                Ok(Self::lock(log).for_tenant(t).cloned().collect())
            }
            (AuditBackend::Store(store), Some(t)) => store.entries(t),
            (AuditBackend::Store(_), None) => Err(tenant_required("listing entries")),
        }
    }

    /// Verifies the chain (a `tampered` error names the first bad entry) and returns how many
    /// entries it checked. In memory the one chain is verified whole, and with a tenant the
    /// count is that tenant's entries; a store verifies `tenant`'s chain and needs a tenant.
    pub fn verify(&self, tenant: Option<&str>) -> Result<usize> {
        match (self, tenant) {
            (AuditBackend::Memory(log), t) => {
                let log = Self::lock(log);
                verify(log.entries())?;
                Ok(match t {
                    None => log.entries().len(),
                    Some(t) => log.for_tenant(t).count(),
                })
            }
            (AuditBackend::Store(store), Some(t)) => store.verify(t),
            (AuditBackend::Store(_), None) => Err(tenant_required("verifying")),
        }
    }

    /// How many entries the in-memory log holds (a store refuses with `invalid_input`: count
    /// one tenant's with [`AuditBackend::entries`]).
    pub fn len(&self) -> Result<usize> {
        match self {
            AuditBackend::Memory(log) => Ok(Self::lock(log).entries().len()),
            AuditBackend::Store(_) => Err(tenant_required("counting entries")),
        }
    }

    /// Whether the in-memory log is empty (a store refuses, as [`AuditBackend::len`]).
    pub fn is_empty(&self) -> Result<bool> {
        self.len().map(|n| n == 0)
    }

    /// Whether this log is kept in a store.
    pub fn is_store(&self) -> bool {
        matches!(self, AuditBackend::Store(_))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A store with one chain per tenant, in memory, as the SQLite and PostgreSQL stores keep.
    #[derive(Default)]
    struct PerTenant(Mutex<HashMap<String, AuditLog>>);

    impl AuditStore for PerTenant {
        fn append(&self, tenant: &str, e: NewAuditEntry) -> Result<AuditEntry> {
            let mut m = self.0.lock().unwrap();
            m.entry(tenant.to_string())
                .or_default()
                .append(e.at, tenant, &e.actor, e.action, &e.subject, e.old, e.new)
                .cloned()
        }
        fn entries(&self, tenant: &str) -> Result<Vec<AuditEntry>> {
            let m = self.0.lock().unwrap();
            Ok(m.get(tenant)
                .map(|l| l.entries().to_vec())
                .unwrap_or_default())
        }
        fn verify(&self, tenant: &str) -> Result<usize> {
            let e = self.entries(tenant)?;
            verify(&e)?;
            Ok(e.len())
        }
    }

    #[test]
    fn a_store_needs_a_tenant_and_memory_does_not() {
        for log in [
            AuditBackend::memory(AuditLog::new()),
            AuditBackend::store(Arc::new(PerTenant::default())),
        ] {
            for t in ["a", "b", "a"] {
                log.append(1, t, "api", AuditAction::Other, "s", None, None)
                    .unwrap();
            }
            assert_eq!(log.entries(Some("a")).unwrap().len(), 2);
            assert_eq!(log.verify(Some("a")).unwrap(), 2);
            assert_eq!(log.verify(Some("b")).unwrap(), 1);
            if log.is_store() {
                for e in [
                    log.entries(None).unwrap_err(),
                    log.verify(None).unwrap_err(),
                    log.len().unwrap_err(),
                ] {
                    assert_eq!(e.code().as_str(), "invalid_input");
                    assert!(e.to_string().contains("needs a tenant"), "{e}");
                }
                assert_eq!(log.entries(Some("b")).unwrap()[0].seq, 0);
            } else {
                assert_eq!(log.entries(None).unwrap().len(), 3);
                assert_eq!((log.verify(None).unwrap(), log.len().unwrap()), (3, 3));
                assert_eq!(log.entries(Some("b")).unwrap()[0].seq, 1);
            }
        }
    }
}
