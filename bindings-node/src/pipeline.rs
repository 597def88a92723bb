//! The engine, transactions and categorization results.

use std::sync::{Arc, Mutex};

use chrono::NaiveDate;
use napi::bindgen_prelude::{AsyncTask, Either};
use napi::{Env, Task};
use napi_derive::napi;
use serde_json::Value;
use xspense::llm::{AllowedCategory as CoreAllowed, LlmExample as CoreExample};
use xspense::model::{Currency, Direction, Money};
use xspense::store::Change;
use xspense::{Band, Decision as CoreDecision, EngineConfig, Rule, Source};

use crate::convert::{from_record, record};
use crate::errors::{guard, invalid, rejection, IntoJs, JsError};

/// A bank transaction. `amount` is a decimal string or a number (negative means a debit), or
/// give `amountMinor` in minor units. `tenant` defaults to `"default"`; `id` to the position in
/// a batch (`"0"` for one transaction).
#[napi(object)]
#[derive(Clone)]
pub struct Transaction {
    pub id: Option<String>,
    pub tenant: Option<String>,
    pub descriptor: String,
    pub amount: Option<Either<String, f64>>,
    pub amount_minor: Option<i64>,
    /// ISO 4217 code; `"USD"` when absent.
    pub currency: Option<String>,
    #[napi(ts_type = "'debit' | 'credit'")]
    pub direction: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub merchant: Option<String>,
    pub account: Option<String>,
    pub mcc: Option<u32>,
}

/// The core transaction for a JS one.
pub fn to_core(tx: Transaction, default_id: &str) -> Result<xspense::Transaction, JsError> {
    let currency = Currency::new(tx.currency.as_deref().unwrap_or("USD")).js()?;
    let (minor, negative) = match (tx.amount, tx.amount_minor) {
        (Some(_), Some(_)) => return Err(invalid("give amount or amountMinor, not both")),
        (Some(Either::A(s)), None) => Money::parse_signed(&s, currency).js()?,
        (Some(Either::B(f)), None) => {
            if !f.is_finite() {
                return Err(invalid(format!("amount {f} is not a finite number")));
            }
            // the shortest decimal that round-trips, so 4.75 stays 4.75
            Money::parse_signed(&format!("{f}"), currency).js()?
        }
        (None, Some(m)) => (m.abs(), m < 0),
        (None, None) => return Err(invalid("a transaction needs an amount")),
    };
    let direction = match tx.direction.as_deref() {
        None => Direction::Debit,
        Some(_) if negative => {
            return Err(invalid(
                "a negative amount already says debit; drop the sign or the direction",
            ))
        }
        Some(text) => text.parse::<Direction>().js()?,
    };
    let date = NaiveDate::parse_from_str(tx.date.trim(), "%Y-%m-%d")
        .map_err(|_| invalid(format!("date {:?} is not YYYY-MM-DD", tx.date)))?;
    let mcc = tx
        .mcc
        .map(|m| u16::try_from(m).map_err(|_| invalid("mcc must be an integer from 0 to 9999")))
        .transpose()?;
    Ok(xspense::Transaction {
        id: tx.id.unwrap_or_else(|| default_id.to_string()),
        tenant: tx.tenant.unwrap_or_else(|| "default".into()),
        descriptor: tx.descriptor,
        merchant: tx.merchant,
        amount: Money { minor, currency },
        direction,
        date,
        account: tx.account,
        mcc,
    })
}

/// One step of the explanation: which stage said what.
#[napi(object)]
pub struct TraceStep {
    pub stage: String,
    pub detail: String,
    pub category: Option<String>,
    pub confidence: Option<f64>,
}

/// The engine's answer for one transaction.
#[napi(object)]
pub struct Categorization {
    /// Always `"categorized"` (tells it apart from an `LlmRequest`).
    #[napi(ts_type = "'categorized'")]
    pub decision: String,
    pub transaction_id: String,
    pub category: String,
    pub confidence: f64,
    #[napi(ts_type = "Band")]
    pub band: String,
    #[napi(ts_type = "Source")]
    pub source: String,
    pub reason: String,
    pub merchant_key: String,
    pub merchant: String,
    pub tags: Vec<String>,
    pub trace: Vec<TraceStep>,
}

impl From<xspense::Categorization> for Categorization {
    fn from(c: xspense::Categorization) -> Self {
        Categorization {
            decision: "categorized".into(),
            transaction_id: c.transaction_id,
            category: c.category,
            confidence: c.confidence,
            band: c.band.as_str().into(),
            source: c.source.as_str().into(),
            reason: c.reason,
            merchant_key: c.merchant_key,
            merchant: c.merchant,
            tags: c.tags,
            trace: c
                .trace
                .into_iter()
                .map(|s| TraceStep {
                    stage: s.stage,
                    detail: s.detail,
                    category: s.category,
                    confidence: s.confidence,
                })
                .collect(),
        }
    }
}

fn source_of(s: &str) -> Result<Source, JsError> {
    Source::ALL
        .into_iter()
        .find(|x| x.as_str() == s)
        .ok_or_else(|| invalid(format!("unknown source {s:?}")))
}

impl TryFrom<Categorization> for xspense::Categorization {
    type Error = JsError;
    fn try_from(c: Categorization) -> Result<Self, JsError> {
        Ok(xspense::Categorization {
            transaction_id: c.transaction_id,
            category: c.category,
            confidence: c.confidence,
            band: Band::of(c.confidence),
            source: source_of(&c.source)?,
            reason: c.reason,
            merchant_key: c.merchant_key,
            merchant: c.merchant,
            tags: c.tags,
            trace: c
                .trace
                .into_iter()
                .map(|s| xspense::TraceStep {
                    stage: s.stage,
                    detail: s.detail,
                    category: s.category,
                    confidence: s.confidence,
                })
                .collect(),
        })
    }
}

/// A category the model may answer with.
#[napi(object)]
pub struct AllowedCategory {
    pub id: String,
    pub name: String,
}

/// A few-shot example from the tenant's memory.
#[napi(object)]
pub struct LlmExample {
    pub merchant: String,
    pub category: String,
}

/// What to ask the host's language model; hand its answer text to `Engine.resolve`.
#[napi(object)]
pub struct LlmRequest {
    /// Always `"needs_llm"`.
    #[napi(ts_type = "'needs_llm'")]
    pub decision: String,
    pub tenant: String,
    pub transaction_id: String,
    pub merchant_key: String,
    pub merchant: String,
    pub date: String,
    /// The system message: the task and the answer format.
    pub system: String,
    /// The user message; personal data has been redacted from it.
    pub prompt: String,
    pub allowed_categories: Vec<AllowedCategory>,
    pub examples: Vec<LlmExample>,
    #[napi(ts_type = "JsonObject")]
    pub answer_schema: Value,
    /// What to show while the model is asked.
    pub best_guess: Option<Categorization>,
}

impl From<xspense::LlmRequest> for LlmRequest {
    fn from(r: xspense::LlmRequest) -> Self {
        LlmRequest {
            decision: "needs_llm".into(),
            tenant: r.tenant,
            transaction_id: r.transaction_id,
            merchant_key: r.merchant_key,
            merchant: r.merchant,
            date: r.date.to_string(),
            system: r.system,
            prompt: r.prompt,
            allowed_categories: r
                .allowed_categories
                .into_iter()
                .map(|a| AllowedCategory {
                    id: a.id,
                    name: a.name,
                })
                .collect(),
            examples: r
                .examples
                .into_iter()
                .map(|e| LlmExample {
                    merchant: e.merchant,
                    category: e.category,
                })
                .collect(),
            answer_schema: r.answer_schema,
            best_guess: r.best_guess.map(Into::into),
        }
    }
}

impl TryFrom<LlmRequest> for xspense::LlmRequest {
    type Error = JsError;
    fn try_from(r: LlmRequest) -> Result<Self, JsError> {
        Ok(xspense::LlmRequest {
            tenant: r.tenant,
            transaction_id: r.transaction_id,
            merchant_key: r.merchant_key,
            merchant: r.merchant,
            date: NaiveDate::parse_from_str(&r.date, "%Y-%m-%d")
                .map_err(|_| invalid(format!("request date {:?} is not YYYY-MM-DD", r.date)))?,
            system: r.system,
            prompt: r.prompt,
            allowed_categories: r
                .allowed_categories
                .into_iter()
                .map(|a| CoreAllowed {
                    id: a.id,
                    name: a.name,
                })
                .collect(),
            examples: r
                .examples
                .into_iter()
                .map(|e| CoreExample {
                    merchant: e.merchant,
                    category: e.category,
                })
                .collect(),
            answer_schema: r.answer_schema,
            best_guess: r.best_guess.map(TryInto::try_into).transpose()?,
        })
    }
}

/// `Categorization | LlmRequest`, told apart by `decision`.
pub type Decision = Either<Categorization, LlmRequest>;

fn decision(d: CoreDecision) -> Decision {
    match d {
        CoreDecision::Categorized(c) => Either::A(c.into()),
        CoreDecision::NeedsLlm(r) => Either::B(r.into()),
    }
}

type Shared = Arc<Mutex<xspense::Engine>>;

fn with<T>(
    engine: &Shared,
    f: impl FnOnce(&mut xspense::Engine) -> xspense::Result<T>,
) -> Result<T, JsError> {
    with_core(engine, f).js()
}

fn batch_to_core(txs: Vec<Transaction>) -> Result<Vec<xspense::Transaction>, JsError> {
    txs.into_iter()
        .enumerate()
        .map(|(i, t)| {
            to_core(t, &i.to_string())
                .map_err(|e| invalid(format!("transaction #{i} in batch: {}", e.reason)))
        })
        .collect()
}

/// Categorizes a batch on the libuv thread pool.
pub struct BatchTask {
    engine: Shared,
    txs: Vec<xspense::Transaction>,
}

fn with_core<T>(
    engine: &Shared,
    f: impl FnOnce(&mut xspense::Engine) -> xspense::Result<T>,
) -> xspense::Result<T> {
    let mut e = engine.lock().unwrap_or_else(|p| p.into_inner());
    guard(|| f(&mut e))
}

impl Task for BatchTask {
    type Output = xspense::Result<Vec<CoreDecision>>;
    type JsValue = Vec<Decision>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let txs = std::mem::take(&mut self.txs);
        Ok(with_core(&self.engine, move |e| e.categorize_batch(&txs)))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        match output {
            Ok(d) => Ok(d.into_iter().map(decision).collect()),
            Err(e) => Err(rejection(env, e)),
        }
    }
}

/// One confirmed history row for `Engine.suggestRules`.
#[napi(object)]
pub struct LabelledTransaction {
    pub transaction: Transaction,
    /// The category a person confirmed.
    pub category: String,
}

/// Mines rule suggestions on the libuv thread pool.
pub struct SuggestTask {
    engine: Shared,
    tenant: String,
    history: Vec<xspense::rules::Labelled>,
    options: xspense::rules::MiningOptions,
}

impl Task for SuggestTask {
    type Output = xspense::Result<Vec<xspense::rules::RuleSuggestion>>;
    type JsValue = Vec<Value>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let history = std::mem::take(&mut self.history);
        let (tenant, options) = (&self.tenant, &self.options);
        Ok(with_core(&self.engine, move |e| {
            e.suggest_rules(tenant, &history, options)
        }))
    }

    fn resolve(&mut self, env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        match output {
            Ok(s) => s
                .iter()
                .map(record)
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| rejection(env, xspense::Error::Internal(e.reason))),
            Err(e) => Err(rejection(env, e)),
        }
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
            Some(text) => with_core(&self.engine, move |e| e.import_snapshot(&text)).map(Either::B),
            None => {
                let tenant = self.tenant.clone();
                with_core(&self.engine, move |e| e.export_snapshot(tenant.as_deref()))
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
}

#[napi]
impl Engine {
    /// An engine; `config` sets stage switches and thresholds (unknown keys are refused).
    #[napi(constructor)]
    pub fn new(
        #[napi(ts_arg_type = "EngineConfig")] config: Option<Value>,
    ) -> Result<Self, JsError> {
        let config: EngineConfig = match config {
            Some(c) => from_record(c, "engine config")?,
            None => EngineConfig::default(),
        };
        Ok(Engine {
            inner: Arc::new(Mutex::new(xspense::Engine::with_config(config).js()?)),
        })
    }

    /// The configuration in force.
    #[napi(getter, ts_return_type = "Required<EngineConfig>")]
    pub fn config(&self) -> Result<Value, JsError> {
        let c = with(&self.inner, |e| Ok(e.config().clone()))?;
        record(&c)
    }

    /// Categorizes one transaction: a `Categorization`, or an `LlmRequest` when no stage is
    /// confident enough.
    #[napi(ts_return_type = "Categorization | LlmRequest")]
    pub fn categorize(&self, transaction: Transaction) -> Result<Decision, JsError> {
        let tx = to_core(transaction, "0")?;
        with(&self.inner, |e| e.categorize(&tx)).map(decision)
    }

    /// Categorizes many transactions off the main thread (one conversion per batch).
    #[napi(ts_return_type = "Promise<Array<Categorization | LlmRequest>>")]
    pub fn categorize_batch(
        &self,
        transactions: Vec<Transaction>,
    ) -> Result<AsyncTask<BatchTask>, JsError> {
        let txs = batch_to_core(transactions)?;
        Ok(AsyncTask::new(BatchTask {
            engine: self.inner.clone(),
            txs,
        }))
    }

    /// `categorizeBatch` on the calling thread (for scripts and small batches).
    #[napi(ts_return_type = "Array<Categorization | LlmRequest>")]
    pub fn categorize_batch_sync(
        &self,
        transactions: Vec<Transaction>,
    ) -> Result<Vec<Decision>, JsError> {
        let txs = batch_to_core(transactions)?;
        let out = with(&self.inner, |e| e.categorize_batch(&txs))?;
        Ok(out.into_iter().map(decision).collect())
    }

    /// Checks the model's answer text and learns from it; `invalid_answer` if it is bad.
    #[napi]
    pub fn resolve(&self, request: LlmRequest, answer: String) -> Result<Categorization, JsError> {
        let req: xspense::LlmRequest = request.try_into()?;
        with(&self.inner, |e| e.resolve(&req, &answer)).map(Into::into)
    }

    /// Learns a correction: `transaction` belongs in `category`.
    #[napi]
    pub fn feedback(&self, transaction: Transaction, category: String) -> Result<(), JsError> {
        let tx = to_core(transaction, "0")?;
        with(&self.inner, |e| e.feedback(&tx, &category))
    }

    /// What the engine would answer and why, without counting or learning.
    #[napi]
    pub fn explain(&self, transaction: Transaction) -> Result<Categorization, JsError> {
        let tx = to_core(transaction, "0")?;
        with(&self.inner, |e| e.explain(&tx)).map(Into::into)
    }

    /// Forgets what was learned for a merchant key; `true` if there was something.
    #[napi]
    pub fn forget_merchant(&self, tenant: String, key: String) -> Result<bool, JsError> {
        with(&self.inner, |e| e.forget_merchant(&tenant, &key))
    }

    /// A tenant's counters.
    #[napi(ts_return_type = "Stats")]
    pub fn stats(&self, tenant: String) -> Result<Value, JsError> {
        let s = with(&self.inner, |e| Ok(e.stats(&tenant)))?;
        record(&s)
    }

    /// What the normalizer makes of a descriptor.
    #[napi(ts_return_type = "Normalized")]
    pub fn normalize(&self, descriptor: String) -> Result<Value, JsError> {
        let n = with(&self.inner, |e| Ok(e.normalize(&descriptor)))?;
        record(&n)
    }

    /// Tenants with state.
    #[napi]
    pub fn tenants(&self) -> Result<Vec<String>, JsError> {
        with(&self.inner, |e| Ok(e.tenants()))
    }

    /// A tenant's categories.
    #[napi(ts_return_type = "Category[]")]
    pub fn taxonomy(&self, tenant: String) -> Result<Value, JsError> {
        let cats: Vec<xspense::Category> = with(&self.inner, |e| {
            Ok(e.taxonomy(&tenant).iter().cloned().collect())
        })?;
        record(&cats)
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
        with(&self.inner, |e| {
            e.add_category(&tenant, &id, &name, parent.as_deref())
        })
    }

    /// Adds rules from rule text or rule objects; returns their ids.
    #[napi]
    pub fn add_rules(
        &self,
        tenant: String,
        #[napi(ts_arg_type = "string | Rule[]")] rules: Value,
    ) -> Result<Vec<String>, JsError> {
        match rules {
            Value::String(text) => with(&self.inner, |e| e.add_rules(&tenant, &text)),
            v => {
                let list: Vec<Rule> = from_record(v, "rules")?;
                with(&self.inner, |e| e.add_rule_list(&tenant, list))
            }
        }
    }

    /// Removes one rule; `not_found` if it does not exist.
    #[napi]
    pub fn remove_rule(&self, tenant: String, id: String) -> Result<(), JsError> {
        with(&self.inner, |e| e.remove_rule(&tenant, &id))
    }

    /// A tenant's rules as rule objects.
    #[napi(ts_return_type = "Rule[]")]
    pub fn rules(&self, tenant: String) -> Result<Value, JsError> {
        let r = with(&self.inner, |e| Ok(e.rules(&tenant)))?;
        record(&r)
    }

    /// Parses rule text without adding it; a `parse_error` names the line and column.
    #[napi(ts_return_type = "Rule[]")]
    pub fn check_rules(text: String) -> Result<Value, JsError> {
        let rules = guard(|| xspense::rules::parse_rules(&text, "rule")).js()?;
        record(&rules)
    }

    /// Proposes rules from confirmed history, each with its backtest (support, precision,
    /// coverage, rows saved, conflicts), off the main thread. Adds nothing: accept one with
    /// `addRules(tenant, [s.rule])`. `options` uses the core's names (`min_support`, ...).
    #[napi(ts_return_type = "Promise<RuleSuggestion[]>")]
    pub fn suggest_rules(
        &self,
        tenant: String,
        history: Vec<LabelledTransaction>,
        #[napi(ts_arg_type = "MiningOptions")] options: Option<Value>,
    ) -> Result<AsyncTask<SuggestTask>, JsError> {
        let history = history
            .into_iter()
            .enumerate()
            .map(|(i, h)| {
                let transaction = to_core(h.transaction, &i.to_string())
                    .map_err(|e| invalid(format!("history row {i}: {}", e.reason)))?;
                Ok(xspense::rules::Labelled {
                    transaction,
                    category: h.category,
                })
            })
            .collect::<Result<Vec<_>, JsError>>()?;
        let options = match options {
            Some(v) => from_record(v, "mining options")?,
            None => xspense::rules::MiningOptions::default(),
        };
        Ok(AsyncTask::new(SuggestTask {
            engine: self.inner.clone(),
            tenant,
            history,
            options,
        }))
    }

    /// The change events since the last call, oldest first, for the host to persist.
    #[napi(ts_return_type = "Change[]")]
    pub fn drain_changes(&self) -> Result<Value, JsError> {
        let c = with(&self.inner, |e| Ok(e.drain_changes()))?;
        record(&c)
    }

    /// Replays persisted change events (all are checked before any is applied).
    #[napi]
    pub fn apply_changes(
        &self,
        #[napi(ts_arg_type = "Change[]")] changes: Value,
    ) -> Result<(), JsError> {
        let list: Vec<Change> = from_record(changes, "changes")?;
        with(&self.inner, |e| e.apply_changes(&list))
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

    /// Loads a snapshot off the main thread; resolves to the tenants it held.
    #[napi(ts_return_type = "Promise<string[]>")]
    pub fn import_snapshot(&self, snapshot: String) -> AsyncTask<SnapshotTask> {
        AsyncTask::new(SnapshotTask {
            engine: self.inner.clone(),
            tenant: None,
            import: Some(snapshot),
        })
    }
}
