//! [`SharedEngine`]: an [`Engine`] whose tenants live in an [`EngineStateStore`] shared with
//! other engine processes.
//!
//! A tenant is loaded on first use (its snapshot, then the changes after it). Before every
//! operation the engine reads on: it applies the changes other processes appended after the
//! sequence it holds ([`EngineStateStore::changes_after`]). A mutating operation is a closure
//! over the engine; its changes are appended after the sequence the operation ran on. When
//! another process appended first ([`Appended::Stale`]), the tenant is put back as it was
//! before the operation, reads on to the latest sequence, and the operation runs again on
//! that state: the optimistic-append rule of [`crate::store::state`]. An operation that
//! learns nothing (a categorization) appends nothing.
//!
//! The type does no IO of its own and never waits: the store does the IO, and a host that
//! wants to be told of other processes' changes (PostgreSQL's LISTEN, a file watcher) calls
//! [`SharedEngine::refresh`] when told.
//!
//! ```
//! use std::sync::Arc;
//! use xspense::store::{InMemoryEngineState, SharedEngine};
//! use xspense::Engine;
//!
//! let store = Arc::new(InMemoryEngineState::new());
//! let mut one = SharedEngine::new(Engine::new(), store.clone());
//! let mut two = SharedEngine::new(Engine::new(), store);
//! one.add_rules("alice", "merchant contains \"tesco\" => food.groceries\n").unwrap();
//! // the other process reads on before its own operation
//! two.add_rules("alice", "merchant contains \"uber\" => transport.taxi\n").unwrap();
//! assert_eq!(two.engine().rules("alice").len(), 2);
//! assert_eq!(one.refresh("alice").unwrap(), 2);
//! assert_eq!(one.engine().rules("alice").len(), 2);
//! ```

use std::collections::HashMap;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::llm::LlmRequest;
use crate::model::{Categorization, Transaction};
use crate::pipeline::{Decision, Engine};
use crate::store::state::{Appended, EngineStateStore};

/// How many times an operation is run before a `conflict` error, by default: each run after
/// the first follows another process's append, so this many in a row means the tenant is
/// written faster than this process can read on.
pub const DEFAULT_MAX_ATTEMPTS: usize = 64;

/// An [`Engine`] over an [`EngineStateStore`] shared by several engine processes.
///
/// Every operation names one tenant and must touch that tenant alone (a change of another
/// tenant is refused by the store with an `invalid_input` error, and the operation undone).
pub struct SharedEngine {
    engine: Engine,
    store: Arc<dyn EngineStateStore>,
    /// The sequence each loaded tenant is at in `engine`.
    loaded: HashMap<String, u64>,
    max_attempts: usize,
}

impl std::fmt::Debug for SharedEngine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedEngine")
            .field("loaded", &self.loaded)
            .field("max_attempts", &self.max_attempts)
            .finish_non_exhaustive()
    }
}

/// What [`SharedEngine::run_counted`] reports besides the operation's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RunReport {
    /// The tenant's sequence after the operation (the sequence it ran on when it appended
    /// nothing).
    pub seq: u64,
    /// How many times the operation ran (1 without a concurrent append).
    pub runs: usize,
}

impl SharedEngine {
    /// Shares `engine` (its configuration and embedder; the state of each tenant is replaced
    /// by the stored one when the tenant is first used) over `store`. Changes the engine
    /// recorded before are dropped: they were never appended.
    pub fn new(mut engine: Engine, store: Arc<dyn EngineStateStore>) -> SharedEngine {
        engine.drain_changes();
        SharedEngine {
            engine,
            store,
            loaded: HashMap::new(),
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }

    /// Runs an operation at most `attempts` times (at least once) before giving up with a
    /// `conflict` error.
    pub fn with_max_attempts(mut self, attempts: usize) -> SharedEngine {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The engine, as of the last operation or refresh (read-only: changes go through
    /// [`SharedEngine::run`]).
    pub fn engine(&self) -> &Engine {
        &self.engine
    }

    /// The engine, to change what is no tenant's state (its model, supplied vectors): never a
    /// tenant's rules or memory, which go through [`SharedEngine::run`].
    pub(crate) fn engine_mut(&mut self) -> &mut Engine {
        &mut self.engine
    }

    /// The store.
    pub fn store(&self) -> &Arc<dyn EngineStateStore> {
        &self.store
    }

    /// The sequence `tenant` is at in the engine, if it was loaded.
    pub fn seq(&self, tenant: &str) -> Option<u64> {
        self.loaded.get(tenant).copied()
    }

    /// The engine, with every loaded tenant as of its last operation or refresh.
    pub fn into_engine(self) -> Engine {
        self.engine
    }

    /// Loads `tenant` if it was not, else applies the changes appended after the sequence
    /// the engine holds (reloading the tenant whole if the log was compacted past it).
    /// Returns the tenant's sequence.
    pub fn refresh(&mut self, tenant: &str) -> Result<u64> {
        let Some(&seq) = self.loaded.get(tenant) else {
            return self.reload(tenant);
        };
        match self.store.changes_after(tenant, seq)? {
            Some(changes) if changes.is_empty() => Ok(seq),
            Some(changes) => {
                self.engine.apply_changes(&changes)?;
                let at = seq + changes.len() as u64;
                self.loaded.insert(tenant.to_string(), at);
                Ok(at)
            }
            None => self.reload(tenant),
        }
    }

    /// Loads `tenant` whole from the store (snapshot and changes), replacing the engine's
    /// state of it. Returns the tenant's sequence.
    pub fn reload(&mut self, tenant: &str) -> Result<u64> {
        let load = self.store.load(tenant)?;
        load.apply_to(&mut self.engine)?;
        // replaying records nothing, but a snapshot import of a new tenant must not leak
        self.engine.drain_changes();
        self.loaded.insert(tenant.to_string(), load.seq);
        Ok(load.seq)
    }

    /// Runs `op` on the engine with `tenant` read on to its latest sequence and appends the
    /// changes it made; when another process appended first, undoes it, reads on and runs it
    /// again (so `op` may run several times and must only act on the engine). An error of
    /// `op` undoes what it did to the tenant and is returned.
    pub fn run<T>(&mut self, tenant: &str, op: impl FnMut(&mut Engine) -> Result<T>) -> Result<T> {
        self.run_counted(tenant, op).map(|(value, _)| value)
    }

    /// [`SharedEngine::run`], also reporting the sequence reached and how many runs it took.
    pub fn run_counted<T>(
        &mut self,
        tenant: &str,
        mut op: impl FnMut(&mut Engine) -> Result<T>,
    ) -> Result<(T, RunReport)> {
        let mut seq = self.refresh(tenant)?;
        for runs in 1..=self.max_attempts {
            let checkpoint = self.engine.checkpoint_tenant(tenant);
            let value = match op(&mut self.engine) {
                Ok(v) => v,
                Err(e) => {
                    self.engine.restore_tenant(checkpoint);
                    return Err(e);
                }
            };
            let changes = self.engine.drain_changes();
            if changes.is_empty() {
                return Ok((value, RunReport { seq, runs }));
            }
            match self.store.append(tenant, seq, &changes) {
                Ok(Appended::At(at)) => {
                    self.loaded.insert(tenant.to_string(), at);
                    return Ok((value, RunReport { seq: at, runs }));
                }
                Ok(Appended::Stale { .. }) => {
                    self.engine.restore_tenant(checkpoint);
                    seq = self.refresh(tenant)?;
                }
                Err(e) => {
                    self.engine.restore_tenant(checkpoint);
                    return Err(e);
                }
            }
        }
        Err(Error::Conflict(format!(
            "tenant {tenant:?}: gave up after {} concurrent appends",
            self.max_attempts
        )))
    }

    /// Categorizes `tx` on its tenant's latest state ([`Engine::categorize`]); nothing is
    /// appended. A categorization records no change, so unlike [`SharedEngine::run`] this
    /// takes no copy of the tenant to undo it.
    pub fn categorize(&mut self, tx: &Transaction) -> Result<Decision> {
        self.refresh(&tx.tenant)?;
        let decision = self.engine.categorize(tx)?;
        if !self.engine.drain_changes().is_empty() {
            return Err(Error::Internal(
                "a categorization recorded changes; they were dropped".into(),
            ));
        }
        Ok(decision)
    }

    /// Learns that `tx` belongs in `category` ([`Engine::feedback`]) and appends it.
    pub fn feedback(&mut self, tx: &Transaction, category: &str) -> Result<()> {
        self.run(&tx.tenant, |e| e.feedback(tx, category))
    }

    /// Learns a model's answer ([`Engine::resolve`]) and appends it.
    pub fn resolve(&mut self, request: &LlmRequest, answer_text: &str) -> Result<Categorization> {
        self.run(&request.tenant, |e| e.resolve(request, answer_text))
    }

    /// Adds rules ([`Engine::add_rules`]) and appends them.
    pub fn add_rules(&mut self, tenant: &str, text: &str) -> Result<Vec<String>> {
        self.run(tenant, |e| e.add_rules(tenant, text))
    }

    /// Removes a rule ([`Engine::remove_rule`]) and appends it.
    pub fn remove_rule(&mut self, tenant: &str, id: &str) -> Result<()> {
        self.run(tenant, |e| e.remove_rule(tenant, id))
    }

    /// Adds a category ([`Engine::add_category`]) and appends it; `false` if an identical
    /// one exists.
    pub fn add_category(
        &mut self,
        tenant: &str,
        id: &str,
        name: &str,
        parent: Option<&str>,
    ) -> Result<bool> {
        self.run(tenant, |e| e.add_category(tenant, id, name, parent))
    }

    /// Forgets a merchant ([`Engine::forget_merchant`]) and appends it.
    pub fn forget_merchant(&mut self, tenant: &str, key: &str) -> Result<bool> {
        self.run(tenant, |e| e.forget_merchant(tenant, key))
    }

    /// Reads on to `tenant`'s latest sequence and stores a snapshot of it there
    /// ([`EngineStateStore::compact`]). Returns the sequence of the snapshot.
    pub fn compact(&mut self, tenant: &str) -> Result<u64> {
        let seq = self.refresh(tenant)?;
        let snapshot = self.engine.export_snapshot(Some(tenant))?;
        self.store.compact(tenant, seq, &snapshot)?;
        Ok(seq)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::memory::AliasEntry;
    use crate::model::{Currency, Direction, Money};
    use crate::store::snapshot;
    use crate::store::{Change, InMemoryEngineState};

    const TENANT: &str = "t";
    const TESCO: &str = "merchant contains \"tesco\" => food.groceries\n";
    const UBER: &str = "merchant contains \"uber\" => transport.taxi\n";
    const MERCHANTS: [(&str, &str); 3] = [
        ("ACME DINER 12", "food.restaurants"),
        ("BLUE BOTTLE COFFEE", "food.coffee"),
        ("CITY FUEL STATION", "transport.fuel"),
    ];

    fn tx(descriptor: &str) -> Transaction {
        Transaction {
            id: "x1".into(),
            tenant: TENANT.into(),
            descriptor: descriptor.into(),
            merchant: None,
            amount: Money::new(1250, Currency::new("USD").unwrap()).unwrap(),
            direction: Direction::Debit,
            date: chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
            account: None,
            mcc: None,
            bank_category: None,
        }
    }

    fn shared(store: &Arc<InMemoryEngineState>) -> SharedEngine {
        SharedEngine::new(Engine::new(), store.clone())
    }

    fn aliases(engine: &Engine) -> BTreeMap<String, AliasEntry> {
        let text = engine.export_snapshot(Some(TENANT)).unwrap();
        let mut payload = snapshot::decode(&text).unwrap();
        payload.tenants.remove(TENANT).unwrap().aliases
    }

    /// A store that lets one append of another writer in before each of the first `races`
    /// appends it is asked for, as a concurrent process would.
    struct Racing {
        inner: Arc<InMemoryEngineState>,
        rival: std::sync::Mutex<SharedEngine>,
        races: std::sync::atomic::AtomicUsize,
    }

    impl EngineStateStore for Racing {
        fn load(&self, tenant: &str) -> Result<crate::store::TenantLoad> {
            self.inner.load(tenant)
        }

        fn append(&self, tenant: &str, expected: u64, changes: &[Change]) -> Result<Appended> {
            use std::sync::atomic::Ordering;
            if self.races.load(Ordering::SeqCst) > 0 {
                self.races.fetch_sub(1, Ordering::SeqCst);
                let mut rival = self.rival.lock().unwrap();
                rival.feedback(&tx(MERCHANTS[0].0), MERCHANTS[0].1)?;
            }
            self.inner.append(tenant, expected, changes)
        }

        fn compact(&self, tenant: &str, seq: u64, snapshot: &str) -> Result<()> {
            self.inner.compact(tenant, seq, snapshot)
        }
    }

    #[test]
    fn a_tenant_is_loaded_on_first_use_and_read_on_before_each_operation() {
        let store = Arc::new(InMemoryEngineState::new());
        let mut one = shared(&store);
        let mut two = shared(&store);
        one.add_rules(TENANT, TESCO).unwrap();
        assert_eq!(two.seq(TENANT), None);
        two.add_rules(TENANT, UBER).unwrap();
        assert_eq!(two.seq(TENANT), Some(2));
        assert_eq!(two.engine().rules(TENANT).len(), 2);
        assert_eq!(one.engine().rules(TENANT).len(), 1);
        assert_eq!(one.refresh(TENANT).unwrap(), 2);
        assert_eq!(one.engine().rules(TENANT).len(), 2);
    }

    #[test]
    fn a_stale_append_undoes_the_operation_and_runs_it_again_on_the_latest_state() {
        let store = Arc::new(InMemoryEngineState::new());
        let racing = Arc::new(Racing {
            inner: store.clone(),
            rival: std::sync::Mutex::new(shared(&store)),
            races: std::sync::atomic::AtomicUsize::new(2),
        });
        let mut mine = SharedEngine::new(Engine::new(), racing);
        let (merchant, category) = MERCHANTS[0];
        let ((), report) = mine
            .run_counted(TENANT, |e| e.feedback(&tx(merchant), category))
            .unwrap();
        // two rival votes got in first: the third run appended on top of them
        assert_eq!(report.runs, 3);
        let key = mine.engine().normalize(merchant).key.to_string();
        assert_eq!(aliases(mine.engine())[&key].support, 3);
        let mut fresh = shared(&store);
        fresh.refresh(TENANT).unwrap();
        assert_eq!(aliases(fresh.engine()), aliases(mine.engine()));
    }

    #[test]
    fn two_shared_engines_interleaving_feedback_lose_no_vote() {
        const VOTES: usize = 30;
        let store = Arc::new(InMemoryEngineState::new());
        let mut one = shared(&store);
        let mut two = shared(&store);
        let mut alone = Engine::new();
        for i in 0..VOTES {
            let (merchant, category) = MERCHANTS[i % MERCHANTS.len()];
            // each loads (or reads on) before its first vote, then the other appends in between
            one.refresh(TENANT).unwrap();
            two.refresh(TENANT).unwrap();
            one.feedback(&tx(merchant), category).unwrap();
            two.feedback(&tx(merchant), category).unwrap();
            alone.feedback(&tx(merchant), category).unwrap();
            alone.feedback(&tx(merchant), category).unwrap();
        }
        one.refresh(TENANT).unwrap();
        two.refresh(TENANT).unwrap();
        let expected = aliases(&alone);
        assert_eq!(aliases(one.engine()), expected);
        assert_eq!(aliases(two.engine()), expected);
        let per_merchant = (2 * VOTES / MERCHANTS.len()) as u32;
        for (merchant, _) in MERCHANTS {
            let key = alone.normalize(merchant).key.to_string();
            assert_eq!(expected[&key].support, per_merchant);
        }
    }

    #[test]
    fn two_engines_on_threads_lose_no_vote() {
        const VOTES: usize = 200;
        let store = Arc::new(InMemoryEngineState::new());
        let workers: Vec<_> = (0..2)
            .map(|_| {
                let store = store.clone();
                std::thread::spawn(move || {
                    let mut e = shared(&store);
                    for i in 0..VOTES {
                        let (merchant, category) = MERCHANTS[i % MERCHANTS.len()];
                        e.feedback(&tx(merchant), category).unwrap();
                    }
                })
            })
            .collect();
        for w in workers {
            w.join().unwrap();
        }
        let mut alone = Engine::new();
        for i in (0..VOTES).chain(0..VOTES) {
            let (merchant, category) = MERCHANTS[i % MERCHANTS.len()];
            alone.feedback(&tx(merchant), category).unwrap();
        }
        let mut reader = shared(&store);
        reader.refresh(TENANT).unwrap();
        assert_eq!(aliases(reader.engine()), aliases(&alone));
    }

    #[test]
    fn categorizing_appends_nothing_and_a_failed_operation_is_undone() {
        let store = Arc::new(InMemoryEngineState::new());
        let mut e = shared(&store);
        e.add_rules(TENANT, TESCO).unwrap();
        let decision = e.categorize(&tx("TESCO STORES 123")).unwrap();
        assert_eq!(
            decision.categorization().map(|c| c.category.as_str()),
            Some("food.groceries")
        );
        assert_eq!(store.load(TENANT).unwrap().seq, 1);
        // the first rule is added, the second refers to an unknown category: nothing sticks
        let err = e
            .run(TENANT, |eng| {
                eng.add_rules(TENANT, UBER)?;
                eng.add_rules(TENANT, "merchant contains \"x\" => no.such\n")
            })
            .unwrap_err();
        assert_eq!(err.code().as_str(), "not_found");
        assert_eq!(e.engine().rules(TENANT).len(), 1);
        assert_eq!(store.load(TENANT).unwrap().seq, 1);
        // a change of another tenant is refused by the store and undone
        let err = e
            .run(TENANT, |eng| eng.add_rules("other", UBER))
            .unwrap_err();
        assert_eq!(err.code().as_str(), "invalid_input");
        assert_eq!(store.load("other").unwrap().seq, 0);
    }

    #[test]
    fn a_compacted_log_is_reloaded_whole() {
        let store = Arc::new(InMemoryEngineState::new());
        let mut one = shared(&store);
        let mut two = shared(&store);
        one.add_rules(TENANT, TESCO).unwrap();
        two.refresh(TENANT).unwrap();
        one.add_rules(TENANT, UBER).unwrap();
        assert_eq!(one.compact(TENANT).unwrap(), 2);
        assert_eq!(store.changes_after(TENANT, 1).unwrap(), None);
        assert_eq!(store.changes_after(TENANT, 2).unwrap(), Some(Vec::new()));
        assert_eq!(two.refresh(TENANT).unwrap(), 2);
        assert_eq!(two.engine().rules(TENANT).len(), 2);
    }

    #[test]
    fn giving_up_after_the_attempts_is_a_conflict() {
        let store = Arc::new(InMemoryEngineState::new());
        let racing = Arc::new(Racing {
            inner: store.clone(),
            rival: std::sync::Mutex::new(shared(&store)),
            races: std::sync::atomic::AtomicUsize::new(10),
        });
        let mut e = SharedEngine::new(Engine::new(), racing).with_max_attempts(3);
        let err = e.add_rules(TENANT, TESCO).unwrap_err();
        assert_eq!(err.code().as_str(), "conflict");
        assert!(e.engine().rules(TENANT).is_empty());
    }
}
