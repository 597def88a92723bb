//! [`EngineHost`]: the engine a binding holds, either a plain [`Engine`] (state in process
//! memory; the host persists change events and snapshots itself) or a [`SharedEngine`] whose
//! tenants live in an [`EngineStateStore`] (loaded on first use, read on to other processes'
//! changes before every call, each mutating call appended). The bindings' `Engine` classes
//! call through it, so their methods behave the same on both and stay convert-and-call.
//!
//! ```
//! use std::sync::Arc;
//! use xspense::pipeline::EngineHost;
//! use xspense::store::InMemoryEngineState;
//! use xspense::Engine;
//!
//! let store = Arc::new(InMemoryEngineState::new());
//! let mut one = EngineHost::shared(Engine::new(), store.clone());
//! let mut two = EngineHost::shared(Engine::new(), store);
//! let rule = "merchant contains \"tesco\" => food.groceries\n";
//! one.run("alice", |e| e.add_rules("alice", rule)).unwrap();
//! // the other engine reads the tenant on before its call
//! assert_eq!(two.run("alice", |e| Ok(e.rules("alice").len())).unwrap(), 1);
//! // an engine on a store keeps no changes for the host: the store has them
//! assert!(one.drain_changes().is_empty());
//! ```

use std::sync::Arc;

use crate::error::{Error, Result};
use crate::model::Transaction;
use crate::pipeline::{Decision, Engine};
use crate::store::{Change, EngineStateStore, SharedEngine};

/// A plain engine, or one over a shared engine-state store.
#[derive(Debug)]
pub enum EngineHost {
    /// State in process memory.
    Local(Engine),
    /// State in an [`EngineStateStore`].
    Shared(SharedEngine),
}

fn kept_in_store(what: &str) -> Error {
    Error::InvalidInput(format!(
        "an engine opened on a store keeps its state there: {what} is for an in-memory engine"
    ))
}

impl EngineHost {
    /// A plain engine.
    pub fn local(engine: Engine) -> EngineHost {
        EngineHost::Local(engine)
    }

    /// `engine` (its configuration) over `store`: each tenant's state is the stored one.
    pub fn shared(engine: Engine, store: Arc<dyn EngineStateStore>) -> EngineHost {
        EngineHost::Shared(SharedEngine::new(engine, store))
    }

    /// Whether the state is kept in a store.
    pub fn is_shared(&self) -> bool {
        matches!(self, EngineHost::Shared(_))
    }

    /// The engine, read-only (on a store: as of each tenant's last call).
    pub fn engine(&self) -> &Engine {
        match self {
            EngineHost::Local(e) => e,
            EngineHost::Shared(s) => s.engine(),
        }
    }

    /// Runs `op` for `tenant`. A plain engine runs it once. On a store the tenant is loaded or
    /// read on to its latest state first, and what `op` changed is appended; when another
    /// process appended first, `op` runs again on the newer state (so it may run more than
    /// once, and must act on the engine alone).
    pub fn run<T>(
        &mut self,
        tenant: &str,
        mut op: impl FnMut(&mut Engine) -> Result<T>,
    ) -> Result<T> {
        match self {
            EngineHost::Local(e) => op(e),
            EngineHost::Shared(s) => s.run(tenant, op),
        }
    }

    /// Categorizes a batch ([`Engine::categorize_batch`]: every transaction is checked first,
    /// an invalid one named). On a store each tenant of the batch is read on once, and the
    /// decisions come back in the batch's order.
    pub fn categorize_batch(&mut self, txs: &[Transaction]) -> Result<Vec<Decision>> {
        let shared = match self {
            EngineHost::Local(e) => return e.categorize_batch(txs),
            EngineHost::Shared(s) => s,
        };
        for (i, tx) in txs.iter().enumerate() {
            tx.validate()
                .map_err(|e| Error::invalid(format!("transaction #{i} in batch: {e}")))?;
        }
        let mut tenants: Vec<&str> = Vec::new();
        for tx in txs {
            if !tenants.contains(&tx.tenant.as_str()) {
                tenants.push(&tx.tenant);
            }
        }
        let mut out: Vec<Option<Decision>> = (0..txs.len()).map(|_| None).collect();
        for tenant in tenants {
            let mine: Vec<usize> = (0..txs.len())
                .filter(|&i| txs[i].tenant == tenant)
                .collect();
            let decisions = shared.run(tenant, |e| {
                let batch: Vec<Transaction> = mine.iter().map(|&i| txs[i].clone()).collect();
                e.categorize_batch(&batch)
            })?;
            for (i, d) in mine.into_iter().zip(decisions) {
                out[i] = Some(d);
            }
        }
        out.into_iter()
            .map(|d| d.ok_or_else(|| Error::Internal("batch decision missing".into())))
            .collect()
    }

    /// [`Engine::use_supplied_vectors`]: the engine's model becomes vectors the host supplies.
    pub fn use_supplied_vectors(&mut self, dim: usize) -> Result<()> {
        self.engine_mut().use_supplied_vectors(dim)
    }

    /// [`Engine::semantic_texts`] (on a store: for the tenants as of their last call).
    pub fn semantic_texts(&self, txs: &[Transaction]) -> Vec<String> {
        self.engine().semantic_texts(txs)
    }

    /// [`Engine::supply_semantic_vectors`]. Vectors are no tenant's state: on a store nothing
    /// is appended, and every process supplies its own.
    pub fn supply_semantic_vectors(
        &mut self,
        texts: &[String],
        vectors: &[Vec<f32>],
    ) -> Result<usize> {
        self.engine_mut().supply_semantic_vectors(texts, vectors)
    }

    fn engine_mut(&mut self) -> &mut Engine {
        match self {
            EngineHost::Local(e) => e,
            EngineHost::Shared(s) => s.engine_mut(),
        }
    }

    /// The change events since the last call, for the host to persist; on a store none (they
    /// were appended there by each call).
    pub fn drain_changes(&mut self) -> Vec<Change> {
        match self {
            EngineHost::Local(e) => e.drain_changes(),
            EngineHost::Shared(_) => Vec::new(),
        }
    }

    /// The plain engine, for what only a host that persists by itself does (replaying change
    /// events, importing a snapshot); on a store an `invalid_input` error naming `what`.
    pub fn local_mut(&mut self, what: &str) -> Result<&mut Engine> {
        match self {
            EngineHost::Local(e) => Ok(e),
            EngineHost::Shared(_) => Err(kept_in_store(what)),
        }
    }

    /// A snapshot of `tenant` (read on first, on a store), or of every tenant the engine
    /// holds (on a store: the tenants used so far, as of their last call).
    pub fn export_snapshot(&mut self, tenant: Option<&str>) -> Result<String> {
        match (self, tenant) {
            (EngineHost::Local(e), t) => e.export_snapshot(t),
            (EngineHost::Shared(s), Some(t)) => {
                s.refresh(t)?;
                s.engine().export_snapshot(Some(t))
            }
            (EngineHost::Shared(s), None) => s.engine().export_snapshot(None),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::InMemoryEngineState;

    fn tx(tenant: &str, id: &str, descriptor: &str) -> Transaction {
        serde_json::from_value(serde_json::json!({
            "id": id, "tenant": tenant, "descriptor": descriptor,
            "amount": {"minor": 475, "currency": "USD"}, "direction": "debit",
            "date": "2026-11-02"
        }))
        .unwrap()
    }

    #[test]
    fn a_batch_on_a_store_reads_each_tenant_on_and_keeps_the_order() {
        let store = Arc::new(InMemoryEngineState::new());
        let mut writer = EngineHost::shared(Engine::new(), store.clone());
        let mut reader = EngineHost::shared(Engine::new(), store);
        // the reader has loaded both tenants before the writer's rules
        reader
            .categorize_batch(&[tx("a", "0", "X"), tx("b", "1", "Y")])
            .unwrap();
        writer
            .run("a", |e| {
                e.add_rules("a", "descriptor contains \"zork\" => food.coffee\n")
            })
            .unwrap();
        writer
            .run("b", |e| {
                e.add_rules("b", "descriptor contains \"zork\" => transport.taxi\n")
            })
            .unwrap();
        let got = reader
            .categorize_batch(&[
                tx("b", "0", "ZORK 1"),
                tx("a", "1", "ZORK 2"),
                tx("b", "2", "ZORK 3"),
            ])
            .unwrap();
        let cats: Vec<String> = got
            .into_iter()
            .map(|d| match d {
                Decision::Categorized(c) => c.category,
                Decision::NeedsLlm(r) => panic!("{r:?}"),
            })
            .collect();
        assert_eq!(cats, ["transport.taxi", "food.coffee", "transport.taxi"]);
        let bad = reader
            .categorize_batch(&[tx("a", "0", "ok"), tx("a", "", "no id")])
            .unwrap_err();
        assert!(bad.to_string().contains("#1"), "{bad}");
        assert_eq!(
            reader
                .local_mut("apply_changes")
                .unwrap_err()
                .code()
                .as_str(),
            "invalid_input"
        );
        assert!(reader.drain_changes().is_empty());
        let snap = reader.export_snapshot(Some("a")).unwrap();
        let mut plain = EngineHost::local(Engine::new());
        plain
            .local_mut("import")
            .unwrap()
            .import_snapshot(&snap)
            .unwrap();
        assert_eq!(plain.engine().rules("a").len(), 1);
    }

    #[test]
    fn supplied_vectors_on_a_store_fill_a_loaded_tenants_merchants_and_append_nothing() {
        let store = Arc::new(InMemoryEngineState::new());
        let mut writer = EngineHost::shared(Engine::new(), store.clone());
        writer
            .run("a", |e| {
                e.feedback(&tx("a", "f", "BRIGHT TOOTH DENTISTRY"), "medical.dental")
            })
            .unwrap();
        let mut host = EngineHost::shared(Engine::new(), store.clone());
        host.use_supplied_vectors(2).unwrap();
        let query = tx("a", "q", "ORTHO CARE PLUS");
        host.run("a", |e| e.categorize(&query)).unwrap();
        let texts = host.semantic_texts(std::slice::from_ref(&query));
        let wanted = ["ortho care plus", "bright tooth dentistry"];
        for w in wanted {
            assert!(
                texts.iter().any(|t| t == w),
                "{w}: {:?}",
                &texts[texts.len() - 3..]
            );
        }
        let wanted: Vec<String> = wanted.iter().map(|w| w.to_string()).collect();
        host.supply_semantic_vectors(&wanted, &[vec![1.0, 0.1], vec![1.0, 0.0]])
            .unwrap();
        assert!(host
            .semantic_texts(std::slice::from_ref(&query))
            .iter()
            .all(|t| !wanted.contains(t)));
        let d = host.run("a", |e| e.categorize(&query)).unwrap();
        let c = d.categorization().unwrap();
        assert_eq!(c.category, "medical.dental", "{:#?}", c.trace);
        assert!(c.trace.iter().any(|s| s.stage == "semantic"));
        assert_eq!(store.changes_after("a", 0).unwrap().unwrap().len(), 1);
    }
}
