//! Persistence: change events out and back in, and whole-tenant snapshots.

use std::collections::{BTreeMap, BTreeSet};

use super::engine::Engine;
use super::tenant::TenantState;
use crate::error::{Error, Result};
use crate::memory::Embedders;
use crate::model::{transaction_check_id, Category};
use crate::store::snapshot::{self, SnapshotPayload};
use crate::store::Change;

impl Engine {
    /// Takes the change events recorded since the last call.
    pub fn drain_changes(&mut self) -> Vec<Change> {
        std::mem::take(&mut self.changes)
    }

    /// Replays change events (from [`Engine::drain_changes`], possibly of another process).
    /// All of them are checked on a copy first; if one fails, nothing changes. Replayed changes
    /// are not recorded again.
    pub fn apply_changes(&mut self, changes: &[Change]) -> Result<()> {
        let mut touched: BTreeMap<String, TenantState> = BTreeMap::new();
        let mut rules_changed = BTreeSet::new();
        for (i, ch) in changes.iter().enumerate() {
            let tenant = ch.tenant();
            transaction_check_id("tenant", tenant)?;
            if matches!(ch, Change::RuleAdded { .. } | Change::RuleRemoved { .. }) {
                rules_changed.insert(tenant.to_string());
            }
            if !touched.contains_key(tenant) {
                let current = self
                    .tenants
                    .get(tenant)
                    .cloned()
                    .unwrap_or_else(|| TenantState::new(&self.embedders));
                touched.insert(tenant.to_string(), current);
            }
            let t = touched
                .get_mut(tenant)
                .ok_or_else(|| Error::Internal("tenant copy missing".into()))?;
            apply_one(t, ch, &self.embedders)
                .map_err(|e| Error::invalid(format!("change #{i}: {e}")))?;
        }
        // rule changes are checked one by one above and compiled once per tenant here
        let mut compiled = Vec::with_capacity(touched.len());
        for (k, mut v) in touched {
            if rules_changed.contains(&k) {
                let rules = v.rules.clone();
                v.set_rules(rules)
                    .map_err(|e| Error::invalid(format!("rules of tenant {k:?}: {e}")))?;
            }
            compiled.push((k, v));
        }
        for (k, v) in compiled {
            self.tenants.insert(k, v);
        }
        Ok(())
    }

    /// Exports a snapshot of one tenant, or of all tenants with `None`.
    pub fn export_snapshot(&self, tenant: Option<&str>) -> Result<String> {
        let mut payload = SnapshotPayload::default();
        for (name, t) in &self.tenants {
            if tenant.is_none_or(|x| x == name) {
                payload.tenants.insert(name.clone(), t.to_snapshot());
            }
        }
        if let Some(x) = tenant {
            if !payload.tenants.contains_key(x) {
                return Err(Error::not_found("tenant", x));
            }
        }
        snapshot::encode(&payload)
    }

    /// Imports a snapshot: every tenant in it replaces that tenant's state (others are kept).
    /// A corrupt, foreign or inconsistent snapshot is refused and nothing changes. Returns the
    /// tenants imported.
    pub fn import_snapshot(&mut self, text: &str) -> Result<Vec<String>> {
        let payload = snapshot::decode(text)?;
        let mut built = Vec::with_capacity(payload.tenants.len());
        for (name, s) in payload.tenants {
            transaction_check_id("tenant", &name)
                .map_err(|e| Error::CorruptSnapshot(e.to_string()))?;
            let state = TenantState::from_snapshot(s, &self.embedders).map_err(|e| match e {
                Error::CorruptSnapshot(_) => e,
                other => Error::CorruptSnapshot(format!("tenant {name:?}: {other}")),
            })?;
            built.push((name, state));
        }
        let names = built.iter().map(|(n, _)| n.clone()).collect();
        for (name, state) in built {
            self.tenants.insert(name, state);
        }
        Ok(names)
    }
}

fn apply_one(t: &mut TenantState, ch: &Change, embedders: &Embedders) -> Result<()> {
    match ch {
        Change::CategoryAdded { category, .. } => {
            let Category {
                id, name, parent, ..
            } = category;
            t.taxonomy.add(id, name, parent.as_deref()).map(|_| ())
        }
        Change::RuleAdded { rule, .. } => {
            rule.validate()?;
            if let Some(c) = &rule.then.category {
                t.taxonomy.require(c)?;
            }
            if t.rules.iter().any(|r| r.id == rule.id) {
                return Err(Error::Conflict(format!("duplicate rule id {:?}", rule.id)));
            }
            t.rules.push(rule.clone());
            Ok(())
        }
        Change::RuleRemoved { id, .. } => {
            let n = t.rules.len();
            t.rules.retain(|r| &r.id != id);
            if t.rules.len() == n {
                return Err(Error::not_found("rule", id.clone()));
            }
            Ok(())
        }
        Change::AliasLearned { key, entry, .. } => {
            for c in entry.votes.keys() {
                t.taxonomy.require(c)?;
            }
            t.aliases.put(key, entry.clone());
            t.note_alias(embedders, key);
            Ok(())
        }
        Change::LabelVoted {
            habit,
            builtin,
            label,
            votes,
            ..
        } => t.put_label_votes(*habit, builtin, label, *votes),
        Change::AliasForgotten { key, .. } => {
            t.aliases.forget(key);
            t.similar.remove(key);
            Ok(())
        }
    }
}

/// A copy of one tenant's state (or of its absence), to put back with
/// [`Engine::restore_tenant`] when an operation must be undone (a refused append).
#[derive(Debug, Clone)]
pub(crate) struct TenantCheckpoint {
    tenant: String,
    state: Option<TenantState>,
}

impl Engine {
    /// Copies `tenant`'s state.
    pub(crate) fn checkpoint_tenant(&self, tenant: &str) -> TenantCheckpoint {
        TenantCheckpoint {
            tenant: tenant.to_string(),
            state: self.tenants.get(tenant).cloned(),
        }
    }

    /// Puts a tenant's state back as it was at `checkpoint` and drops the change events
    /// recorded since (they described the state being undone).
    pub(crate) fn restore_tenant(&mut self, checkpoint: TenantCheckpoint) {
        let TenantCheckpoint { tenant, state } = checkpoint;
        match state {
            Some(s) => {
                self.tenants.insert(tenant, s);
            }
            None => {
                self.tenants.remove(&tenant);
            }
        }
        self.changes.clear();
    }
}
