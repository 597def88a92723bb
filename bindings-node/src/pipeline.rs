//! The engine: categorize, resolve, feedback, explain, stats, rules, rule suggestions, change
//! events and snapshots. Records are the core's JSON shapes (snake_case keys).

use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{AsyncTask, Either, Float32Array, Unknown};
use napi::{Env, Task};
use napi_derive::napi;
use xspense::llm::LlmRequest;
use xspense::model::{
    history_from_inputs, transactions_from_inputs, LabelledInput, TransactionInput,
};
use xspense::pipeline::EngineHost;
use xspense::rules::{MiningOptions, Rule};
use xspense::store::Change;
use xspense::EngineConfig;

use crate::convert::{encode, from_js, from_js_or_default, to_js, Json};
use crate::errors::{guard, rejection, IntoJs, JsError};
use crate::model::read_transaction;

/// A plain engine, or one whose tenants live in a store (`Engine.open`).
type Shared = Arc<Mutex<EngineHost>>;

/// `f` on the engine host, a panic inside the core becoming an `internal` error.
fn with_core<T>(
    engine: &Shared,
    f: impl FnOnce(&mut EngineHost) -> xspense::Result<T>,
) -> xspense::Result<T> {
    let mut e = engine.lock().unwrap_or_else(|p| p.into_inner());
    guard(|| f(&mut e))
}

/// `f` for `tenant` (on a store: read on first, changes appended, re-run when another
/// process appended first).
fn with<T>(
    engine: &Shared,
    tenant: &str,
    f: impl FnMut(&mut xspense::Engine) -> xspense::Result<T>,
) -> Result<T, JsError> {
    with_core(engine, |h| h.run(tenant, f)).js()
}

/// Reads the engine (what no tenant's state decides).
fn read<T>(
    engine: &Shared,
    f: impl FnOnce(&xspense::Engine) -> xspense::Result<T>,
) -> Result<T, JsError> {
    with_core(engine, |h| f(h.engine())).js()
}

/// A batch read from its JS array; absent ids become the positions (`"0"`, `"1"`, ...).
fn read_batch(env: &Env, transactions: Unknown) -> Result<Vec<xspense::Transaction>, JsError> {
    let inputs: Vec<TransactionInput> = from_js(env, transactions, "transactions")?;
    guard(|| transactions_from_inputs(inputs)).js()
}

/// A vector given as a `Float32Array` or an array of numbers (narrowed to 32 bits, as the
/// core keeps them).
fn read_vector(v: &Either<Float32Array, Vec<f64>>) -> Vec<f32> {
    match v {
        Either::A(typed) => typed.to_vec(),
        Either::B(numbers) => numbers.iter().map(|&x| x as f32).collect(),
    }
}

/// Categorizes a batch on the libuv thread pool; the decisions are serialized there too.
pub struct BatchTask {
    engine: Shared,
    txs: Vec<xspense::Transaction>,
}

impl Task for BatchTask {
    type Output = xspense::Result<Json>;
    type JsValue = Json;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let txs = std::mem::take(&mut self.txs);
        Ok(with_core(&self.engine, move |h| h.categorize_batch(&txs)).and_then(|d| encode(&d)))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Json> {
        output.map_err(|e| rejection(env, e))
    }
}

/// Mines rule suggestions on the libuv thread pool.
pub struct SuggestTask {
    engine: Shared,
    tenant: String,
    history: Vec<xspense::rules::Labelled>,
    options: MiningOptions,
}

impl Task for SuggestTask {
    type Output = xspense::Result<Json>;
    type JsValue = Json;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let history = std::mem::take(&mut self.history);
        let (tenant, options) = (&self.tenant, &self.options);
        Ok(with_core(&self.engine, move |h| {
            h.run(tenant, |e| e.suggest_rules(tenant, &history, options))
        })
        .and_then(|s| encode(&s)))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Json> {
        output.map_err(|e| rejection(env, e))
    }
}

/// Exports or imports a snapshot on the libuv thread pool.
pub struct SnapshotTask {
    engine: Shared,
    tenant: Option<String>,
    import: Option<String>,
}

impl Task for SnapshotTask {
    type Output = xspense::Result<Either<String, Vec<String>>>;
    type JsValue = Either<String, Vec<String>>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(match self.import.take() {
            Some(text) => with_core(&self.engine, move |h| {
                h.local_mut("importSnapshot")?.import_snapshot(&text)
            })
            .map(Either::B),
            None => {
                let tenant = self.tenant.clone();
                with_core(&self.engine, move |h| h.export_snapshot(tenant.as_deref()))
                    .map(Either::A)
            }
        })
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        output.map_err(|e| rejection(env, e))
    }
}

/// The categorization engine: every tenant's rules, memory and statistics.
#[napi]
pub struct Engine {
    inner: Shared,
    /// The store URL (password masked), if opened by URL.
    location: Option<String>,
}

#[napi]
impl Engine {
    /// An engine; `config` sets stage switches and thresholds (unknown keys are refused).
    #[napi(constructor)]
    pub fn new(
        env: Env,
        #[napi(ts_arg_type = "EngineConfig")] config: Option<Unknown>,
    ) -> Result<Self, JsError> {
        let config: EngineConfig = from_js_or_default(&env, config, "engine config")?;
        let engine = guard(|| xspense::Engine::with_config(config)).js()?;
        Ok(Engine {
            inner: Arc::new(Mutex::new(EngineHost::local(engine))),
            location: None,
        })
    }

    /// An engine whose tenants' state is kept in the store at `url` (`sqlite:PATH` or a file
    /// path; `postgres://...` where the store has engine state): each tenant is loaded on first
    /// use, read on to other processes' changes before every call, and what a call changes
    /// (feedback, rules, categories, resolved answers) is appended at once.
    #[napi(factory)]
    pub fn open(
        env: Env,
        url: String,
        #[napi(ts_arg_type = "EngineConfig")] config: Option<Unknown>,
    ) -> Result<Self, JsError> {
        let config: EngineConfig = from_js_or_default(&env, config, "engine config")?;
        let engine = guard(|| xspense::Engine::with_config(config)).js()?;
        let at = xspense_stores::StoreUrl::parse(&url).js()?;
        let store = xspense_stores::open_state(&at).js()?;
        Ok(Engine {
            inner: Arc::new(Mutex::new(EngineHost::shared(engine, store))),
            location: Some(at.to_string()),
        })
    }

    /// The store URL of an engine opened on a store (any password masked), else `null`.
    #[napi(getter)]
    pub fn location(&self) -> Option<String> {
        self.location.clone()
    }

    /// The configuration in force.
    #[napi(getter, ts_return_type = "Required<EngineConfig>")]
    pub fn config(&self) -> Result<Json, JsError> {
        to_js(&read(&self.inner, |e| Ok(e.config().clone()))?)
    }

    /// Categorizes one transaction: a `Categorization` (`decision: "categorized"`), or an
    /// `LlmRequest` (`decision: "needs_llm"`) when no stage is confident enough.
    #[napi(ts_return_type = "Decision")]
    pub fn categorize(
        &self,
        env: Env,
        #[napi(ts_arg_type = "TransactionInput")] transaction: Unknown,
    ) -> Result<Json, JsError> {
        let tx = read_transaction(&env, transaction)?;
        to_js(&with(&self.inner, &tx.tenant, |e| e.categorize(&tx))?)
    }

    /// Categorizes many transactions off the main thread (one conversion per batch); ids
    /// default to the positions in the batch. Bad input throws before anything runs.
    #[napi(ts_return_type = "Promise<Decision[]>")]
    pub fn categorize_batch(
        &self,
        env: Env,
        #[napi(ts_arg_type = "TransactionInput[]")] transactions: Unknown,
    ) -> Result<AsyncTask<BatchTask>, JsError> {
        Ok(AsyncTask::new(BatchTask {
            engine: self.inner.clone(),
            txs: read_batch(&env, transactions)?,
        }))
    }

    /// `categorizeBatch` on the calling thread (for scripts and small batches).
    #[napi(ts_return_type = "Decision[]")]
    pub fn categorize_batch_sync(
        &self,
        env: Env,
        #[napi(ts_arg_type = "TransactionInput[]")] transactions: Unknown,
    ) -> Result<Json, JsError> {
        let txs = read_batch(&env, transactions)?;
        to_js(&with_core(&self.inner, |h| h.categorize_batch(&txs)).js()?)
    }

    /// Checks the model's answer text and learns from it; `invalid_answer` if it is bad.
    #[napi(ts_return_type = "Categorization")]
    pub fn resolve(
        &self,
        env: Env,
        #[napi(ts_arg_type = "LlmRequest")] request: Unknown,
        answer: String,
    ) -> Result<Json, JsError> {
        let request: LlmRequest = from_js(&env, request, "request")?;
        to_js(&with(&self.inner, &request.tenant, |e| {
            e.resolve(&request, &answer)
        })?)
    }

    /// Learns a correction (or a confirmation): `transaction` belongs in `category`.
    #[napi]
    pub fn feedback(
        &self,
        env: Env,
        #[napi(ts_arg_type = "TransactionInput")] transaction: Unknown,
        category: String,
    ) -> Result<(), JsError> {
        let tx = read_transaction(&env, transaction)?;
        with(&self.inner, &tx.tenant, |e| e.feedback(&tx, &category))
    }

    /// What the engine would answer and why, without counting or learning.
    #[napi(ts_return_type = "Categorization")]
    pub fn explain(
        &self,
        env: Env,
        #[napi(ts_arg_type = "TransactionInput")] transaction: Unknown,
    ) -> Result<Json, JsError> {
        let tx = read_transaction(&env, transaction)?;
        to_js(&with(&self.inner, &tx.tenant, |e| e.explain(&tx))?)
    }

    /// Forgets what was learned for a merchant key; `true` if there was something.
    #[napi]
    pub fn forget_merchant(&self, tenant: String, key: String) -> Result<bool, JsError> {
        with(&self.inner, &tenant, |e| e.forget_merchant(&tenant, &key))
    }

    /// A tenant's counters.
    #[napi(ts_return_type = "Stats")]
    pub fn stats(&self, tenant: String) -> Result<Json, JsError> {
        to_js(&with(&self.inner, &tenant, |e| Ok(e.stats(&tenant)))?)
    }

    /// What the normalizer makes of a descriptor.
    #[napi(ts_return_type = "Normalized")]
    pub fn normalize(&self, descriptor: String) -> Result<Json, JsError> {
        to_js(&read(&self.inner, |e| Ok(e.normalize(&descriptor)))?)
    }

    /// From now on the engine's sentence-embedding model is one you run yourself (a
    /// transformers.js pipeline, a remote service) and whose vectors, of length `dim`, you
    /// supply: `semanticTexts` lists what the next calls need, `supplySemanticVectors` takes
    /// the vectors. Replaces any model the engine had.
    #[napi]
    pub fn use_supplied_vectors(&self, dim: u32) -> Result<(), JsError> {
        with_core(&self.inner, |h| h.use_supplied_vectors(dim as usize)).js()
    }

    /// The texts the model has no vector for yet that calls about `transactions` would embed,
    /// each once: the merchant base (about nine thousand texts, until it is built), then the
    /// transactions' merchant keys and their tenants' merchants learned without a vector.
    /// Empty without supplied vectors.
    #[napi]
    pub fn semantic_texts(
        &self,
        env: Env,
        #[napi(ts_arg_type = "TransactionInput[]")] transactions: Unknown,
    ) -> Result<Vec<String>, JsError> {
        let txs = read_batch(&env, transactions)?;
        with_core(&self.inner, |h| Ok(h.semantic_texts(&txs))).js()
    }

    /// Takes the vectors of `texts` (`vectors[i]` is `texts[i]`'s: `dim` finite numbers, not
    /// all zero); returns how many texts were new. A wrong count, length or number is an
    /// `invalid_input` error naming the vector, and nothing is stored.
    #[napi]
    pub fn supply_semantic_vectors(
        &self,
        texts: Vec<String>,
        vectors: Vec<Either<Float32Array, Vec<f64>>>,
    ) -> Result<u32, JsError> {
        let vectors: Vec<Vec<f32>> = vectors.iter().map(read_vector).collect();
        let new = with_core(&self.inner, |h| h.supply_semantic_vectors(&texts, &vectors)).js()?;
        Ok(new as u32)
    }

    /// Builds the merchant base in the model's vectors now; its number of entries (0 without
    /// a model, or while supplied vectors lack some of it).
    #[napi]
    pub fn warm_semantic(&self) -> Result<u32, JsError> {
        Ok(read(&self.inner, |e| Ok(e.warm_semantic()))? as u32)
    }

    /// Tenants with state.
    #[napi]
    pub fn tenants(&self) -> Result<Vec<String>, JsError> {
        read(&self.inner, |e| Ok(e.tenants()))
    }

    /// A tenant's categories (built-in tree plus its own).
    #[napi(ts_return_type = "Category[]")]
    pub fn taxonomy(&self, tenant: String) -> Result<Json, JsError> {
        let cats: Vec<xspense::Category> = with(&self.inner, &tenant, |e| {
            Ok(e.taxonomy(&tenant).iter().cloned().collect())
        })?;
        to_js(&cats)
    }

    /// Adds a category of the tenant's own; `false` if it exists with that name.
    #[napi]
    pub fn add_category(
        &self,
        tenant: String,
        id: String,
        name: String,
        parent: Option<String>,
    ) -> Result<bool, JsError> {
        with(&self.inner, &tenant, |e| {
            e.add_category(&tenant, &id, &name, parent.as_deref())
        })
    }

    /// Adds rules from rule text or rule objects; returns their ids. On error nothing is added.
    #[napi]
    pub fn add_rules(
        &self,
        env: Env,
        tenant: String,
        #[napi(ts_arg_type = "string | Rule[]")] rules: Either<String, Unknown>,
    ) -> Result<Vec<String>, JsError> {
        match rules {
            Either::A(text) => with(&self.inner, &tenant, |e| e.add_rules(&tenant, &text)),
            Either::B(v) => {
                let list: Vec<Rule> = from_js(&env, v, "rules")?;
                with(&self.inner, &tenant, |e| {
                    e.add_rule_list(&tenant, list.clone())
                })
            }
        }
    }

    /// Removes one rule; `not_found` if it does not exist.
    #[napi]
    pub fn remove_rule(&self, tenant: String, id: String) -> Result<(), JsError> {
        with(&self.inner, &tenant, |e| e.remove_rule(&tenant, &id))
    }

    /// A tenant's rules as rule objects.
    #[napi(ts_return_type = "Rule[]")]
    pub fn rules(&self, tenant: String) -> Result<Json, JsError> {
        to_js(&with(&self.inner, &tenant, |e| Ok(e.rules(&tenant)))?)
    }

    /// Parses rule text without adding it; a `parse_error` names the line and column.
    #[napi(ts_return_type = "Rule[]")]
    pub fn check_rules(text: String) -> Result<Json, JsError> {
        to_js(&guard(|| xspense::rules::parse_rules(&text, "rule")).js()?)
    }

    /// Proposes rules from confirmed history (`[{transaction, category}]`), each with its
    /// backtest (support, precision, coverage, rows saved, conflicts), off the main thread.
    /// Adds nothing: accept one with `addRules(tenant, [s.rule])`. Bad input throws before
    /// anything runs.
    #[napi(ts_return_type = "Promise<RuleSuggestion[]>")]
    pub fn suggest_rules(
        &self,
        env: Env,
        tenant: String,
        #[napi(ts_arg_type = "LabelledInput[]")] history: Unknown,
        #[napi(ts_arg_type = "MiningOptions")] options: Option<Unknown>,
    ) -> Result<AsyncTask<SuggestTask>, JsError> {
        let rows: Vec<LabelledInput> = from_js(&env, history, "history")?;
        let history = guard(|| history_from_inputs(rows)).js()?;
        let options: MiningOptions = from_js_or_default(&env, options, "mining options")?;
        Ok(AsyncTask::new(SuggestTask {
            engine: self.inner.clone(),
            tenant,
            history,
            options,
        }))
    }

    /// The change events since the last call, oldest first, for the host to persist (none on
    /// an engine opened on a store: each call appended its own).
    #[napi(ts_return_type = "Change[]")]
    pub fn drain_changes(&self) -> Result<Json, JsError> {
        to_js(&with_core(&self.inner, |h| Ok(h.drain_changes())).js()?)
    }

    /// Replays persisted change events (all are checked before any is applied); an engine
    /// opened on a store refuses (`invalid_input`).
    #[napi]
    pub fn apply_changes(
        &self,
        env: Env,
        #[napi(ts_arg_type = "Change[]")] changes: Unknown,
    ) -> Result<(), JsError> {
        let list: Vec<Change> = from_js(&env, changes, "changes")?;
        with_core(&self.inner, |h| {
            h.local_mut("applyChanges")?.apply_changes(&list)
        })
        .js()
    }

    /// A checksummed snapshot of one tenant or all, off the main thread.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn export_snapshot(&self, tenant: Option<String>) -> AsyncTask<SnapshotTask> {
        AsyncTask::new(SnapshotTask {
            engine: self.inner.clone(),
            tenant,
            import: None,
        })
    }

    /// Loads a snapshot off the main thread; resolves to the tenants it held (an engine opened
    /// on a store rejects with `invalid_input`).
    #[napi(ts_return_type = "Promise<string[]>")]
    pub fn import_snapshot(&self, snapshot: String) -> AsyncTask<SnapshotTask> {
        AsyncTask::new(SnapshotTask {
            engine: self.inner.clone(),
            tenant: None,
            import: Some(snapshot),
        })
    }
}
