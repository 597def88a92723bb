//! The engine, transactions and categorization results.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use xspense::model::{AmountInput, LabelledInput, TransactionInput};
use xspense::pipeline::EngineHost;
use xspense::store::Change;
use xspense::{Band, Direction, EngineConfig, Rule, Source};

use crate::errors::{call, Result, XspenseError};

fn invalid(message: impl Into<String>) -> XspenseError {
    XspenseError::InvalidInput {
        detail: message.into(),
    }
}

fn json_err(what: &str, e: serde_json::Error) -> XspenseError {
    invalid(format!("{what}: {e}"))
}

/// A bank transaction. `amount` is a decimal string in major units (`"4.75"`): its magnitude,
/// the sign being `direction`; `date` is `YYYY-MM-DD`. The core reads it as a
/// `TransactionInput`, so amounts, currencies, dates and MCCs follow the core's rules.
#[derive(uniffi::Record, Clone)]
pub struct Transaction {
    pub id: String,
    pub tenant: String,
    pub descriptor: String,
    pub amount: String,
    /// ISO 4217 code; the core's default when absent.
    #[uniffi(default = None)]
    pub currency: Option<String>,
    pub direction: TxDirection,
    pub date: String,
    #[uniffi(default = None)]
    pub merchant: Option<String>,
    #[uniffi(default = None)]
    pub account: Option<String>,
    #[uniffi(default = None)]
    pub mcc: Option<u16>,
    /// The bank's or app's own category (`Groceries`, `Eating out`), as the statement printed it.
    #[uniffi(default = None)]
    pub bank_category: Option<String>,
}

/// Money out or money in.
#[derive(uniffi::Enum, Clone, Copy)]
pub enum TxDirection {
    Debit,
    Credit,
}

impl From<TxDirection> for Direction {
    fn from(d: TxDirection) -> Self {
        match d {
            TxDirection::Debit => Direction::Debit,
            TxDirection::Credit => Direction::Credit,
        }
    }
}

/// The record as the core's input: the magnitude as amount text, the direction by name.
fn to_input(t: Transaction) -> TransactionInput {
    TransactionInput {
        id: Some(t.id),
        tenant: Some(t.tenant),
        descriptor: t.descriptor,
        amount: Some(AmountInput::Text(t.amount)),
        amount_minor: None,
        currency: t.currency,
        direction: Some(Direction::from(t.direction).as_str().to_string()),
        date: t.date,
        merchant: t.merchant,
        account: t.account,
        mcc: t.mcc.map(u32::from),
        bank_category: t.bank_category,
    }
}

fn to_core(t: Transaction) -> Result<xspense::Transaction> {
    // the record always has an id, so the default id is never used
    call(|| to_input(t).into_transaction("0"))
}

fn from_core(t: xspense::Transaction) -> Transaction {
    Transaction {
        amount: t.amount.decimal(),
        currency: Some(t.amount.currency.as_str().to_string()),
        direction: match t.direction {
            Direction::Debit => TxDirection::Debit,
            Direction::Credit => TxDirection::Credit,
        },
        date: t.date.to_string(),
        id: t.id,
        tenant: t.tenant,
        descriptor: t.descriptor,
        merchant: t.merchant,
        account: t.account,
        mcc: t.mcc,
        bank_category: t.bank_category,
    }
}

/// Reads and checks a transaction written as JSON by a host (the core's `TransactionInput`:
/// a signed `amount` as text or number, or `amount_minor`; optional `id` (default `"0"`),
/// `tenant`, `currency`, `direction`, `merchant`, `account`, `mcc`; unknown keys refused), as
/// the engine would, without categorizing it.
#[uniffi::export]
pub fn parse_transaction_json(input_json: String) -> Result<Transaction> {
    let value: serde_json::Value =
        serde_json::from_str(&input_json).map_err(|e| json_err("transaction", e))?;
    let tx = call(|| TransactionInput::from_json(value)?.into_transaction("0"))?;
    Ok(from_core(tx))
}

/// One step of the explanation: which stage said what.
#[derive(uniffi::Record, Clone)]
pub struct TraceStep {
    pub stage: String,
    pub detail: String,
    pub category: Option<String>,
    pub confidence: Option<f64>,
}

/// How sure the engine is.
#[derive(uniffi::Enum, Clone, Copy)]
pub enum ConfidenceBand {
    Low,
    Medium,
    High,
    VeryHigh,
}

/// Which stage decided.
#[derive(uniffi::Enum, Clone, Copy)]
pub enum DecisionSource {
    Rule,
    Alias,
    Similarity,
    Classifier,
    Knowledge,
    Mcc,
    Llm,
    Default,
}

/// The engine's answer for one transaction.
#[derive(uniffi::Record, Clone)]
pub struct Categorization {
    pub transaction_id: String,
    pub category: String,
    pub confidence: f64,
    pub band: ConfidenceBand,
    pub source: DecisionSource,
    pub reason: String,
    pub merchant_key: String,
    pub merchant: String,
    pub tags: Vec<String>,
    pub trace: Vec<TraceStep>,
}

impl From<xspense::Categorization> for Categorization {
    fn from(c: xspense::Categorization) -> Self {
        Categorization {
            transaction_id: c.transaction_id,
            category: c.category,
            confidence: c.confidence,
            band: match c.band {
                Band::Low => ConfidenceBand::Low,
                Band::Medium => ConfidenceBand::Medium,
                Band::High => ConfidenceBand::High,
                Band::VeryHigh => ConfidenceBand::VeryHigh,
            },
            source: match c.source {
                Source::Rule => DecisionSource::Rule,
                Source::Alias => DecisionSource::Alias,
                Source::Similarity => DecisionSource::Similarity,
                Source::Classifier => DecisionSource::Classifier,
                Source::Knowledge => DecisionSource::Knowledge,
                Source::Mcc => DecisionSource::Mcc,
                Source::Llm => DecisionSource::Llm,
                Source::Default => DecisionSource::Default,
            },
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

/// What to ask the host's language model. `json` is the whole request as the core serializes
/// it: keep it (a database row, a work queue) and hand it to `Engine.resolve` with the answer.
#[derive(uniffi::Record, Clone)]
pub struct LlmRequest {
    pub tenant: String,
    pub transaction_id: String,
    pub merchant: String,
    /// The system message: the task and the answer format.
    pub system: String,
    /// The user message; personal data has been redacted from it.
    pub prompt: String,
    pub allowed_category_ids: Vec<String>,
    /// The JSON schema of the expected answer.
    pub answer_schema_json: String,
    /// What to show while the model is asked.
    pub best_guess: Option<Categorization>,
    pub json: String,
}

fn request(r: xspense::LlmRequest) -> Result<LlmRequest> {
    Ok(LlmRequest {
        json: serde_json::to_string(&r).map_err(|e| json_err("request", e))?,
        tenant: r.tenant,
        transaction_id: r.transaction_id,
        merchant: r.merchant,
        system: r.system,
        prompt: r.prompt,
        allowed_category_ids: r.allowed_categories.into_iter().map(|a| a.id).collect(),
        answer_schema_json: r.answer_schema.to_string(),
        best_guess: r.best_guess.map(Into::into),
    })
}

/// An answer, or a request for the host's model.
#[derive(uniffi::Enum, Clone)]
pub enum Decision {
    Categorized { categorization: Categorization },
    NeedsLlm { request: LlmRequest },
}

fn decision(d: xspense::Decision) -> Result<Decision> {
    Ok(match d {
        xspense::Decision::Categorized(c) => Decision::Categorized {
            categorization: c.into(),
        },
        xspense::Decision::NeedsLlm(r) => Decision::NeedsLlm {
            request: request(r)?,
        },
    })
}

/// The host's language-model client, for `Engine.categorizeWith` (blocking: call it off the UI
/// thread).
#[uniffi::export(with_foreign)]
pub trait LlmClient: Send + Sync {
    /// Sends `request` (its `system` and `prompt`) to a model and returns the answer text.
    fn complete(&self, request: LlmRequest) -> Result<String>;
}

struct ForeignClassifier(Arc<dyn LlmClient>);

impl xspense::LlmClassifier for ForeignClassifier {
    fn complete(&self, r: &xspense::LlmRequest) -> xspense::Result<String> {
        let req = request(r.clone()).map_err(XspenseError::into_core)?;
        self.0.complete(req).map_err(XspenseError::into_core)
    }
}

/// A tenant's counters.
#[derive(uniffi::Record)]
pub struct Stats {
    pub total: u64,
    pub by_source: HashMap<String, u64>,
    pub by_band: HashMap<String, u64>,
    pub llm_requests: u64,
    pub llm_share: f64,
    pub mean_confidence: f64,
    pub feedback: u64,
}

/// One category of a tenant's taxonomy.
#[derive(uniffi::Record)]
pub struct Category {
    pub id: String,
    pub name: String,
    pub parent: Option<String>,
    pub builtin: bool,
}

/// What the normalizer makes of a descriptor.
#[derive(uniffi::Record)]
pub struct Normalized {
    pub key: String,
    pub display: String,
    pub brand: bool,
}

/// One confirmed history row for `Engine.suggestRules`.
#[derive(uniffi::Record, Clone)]
pub struct LabelledTransaction {
    pub transaction: Transaction,
    /// The category a person confirmed.
    pub category: String,
}

/// Thresholds for `Engine.suggestRules`; an absent one takes the core's default.
#[derive(uniffi::Record, Clone)]
pub struct MiningOptions {
    /// Fewest history rows a suggestion must categorize correctly.
    #[uniffi(default = None)]
    pub min_support: Option<u32>,
    /// Lowest share of its matches a suggestion must categorize correctly, in (0, 1].
    #[uniffi(default = None)]
    pub min_precision: Option<f64>,
    /// Most suggestions returned.
    #[uniffi(default = None)]
    pub max_suggestions: Option<u32>,
    /// Most conflicting rows listed per suggestion.
    #[uniffi(default = None)]
    pub max_examples: Option<u32>,
}

impl From<MiningOptions> for xspense::rules::MiningOptions {
    fn from(o: MiningOptions) -> Self {
        let mut core = xspense::rules::MiningOptions::default();
        if let Some(v) = o.min_support {
            core.min_support = v;
        }
        if let Some(v) = o.min_precision {
            core.min_precision = v;
        }
        if let Some(v) = o.max_suggestions {
            core.max_suggestions = v as usize;
        }
        if let Some(v) = o.max_examples {
            core.max_examples = v as usize;
        }
        core
    }
}

/// A history row a suggestion matches that was confirmed as another category.
#[derive(uniffi::Record, Clone)]
pub struct ConflictingRow {
    pub transaction_id: String,
    pub descriptor: String,
    pub category: String,
}

/// A proposed rule and its backtest over the history it was mined from. Accept it with
/// `addRules(tenant, text)` or `addRulesJson(tenant, "[" + ruleJson + "]")`.
#[derive(uniffi::Record, Clone)]
pub struct RuleSuggestion {
    /// The rule as a JSON object.
    pub rule_json: String,
    /// The rule as rule text.
    pub text: String,
    pub category: String,
    /// History rows it matches that carry `category`.
    pub support: u32,
    /// History rows it matches.
    pub matched: u32,
    /// `support / matched`.
    pub precision: f64,
    /// Its share of the history's `category` rows.
    pub coverage: f64,
    /// Supporting rows no existing rule already puts in `category`.
    pub new_rows: u32,
    /// Distinct merchants among the supporting rows.
    pub merchants: u32,
    /// Matched rows confirmed as another category.
    pub conflicts: u32,
    pub conflict_examples: Vec<ConflictingRow>,
    /// Existing rules that set another category on some of the same rows and take precedence.
    pub conflicting_rules: Vec<String>,
}

fn suggestion(s: xspense::rules::RuleSuggestion) -> Result<RuleSuggestion> {
    Ok(RuleSuggestion {
        rule_json: serde_json::to_string(&s.rule).map_err(|e| json_err("rule", e))?,
        text: s.text,
        category: s.category,
        support: s.support,
        matched: s.matched,
        precision: s.precision,
        coverage: s.coverage,
        new_rows: s.new_rows,
        merchants: s.merchants,
        conflicts: s.conflicts,
        conflict_examples: s
            .conflict_examples
            .into_iter()
            .map(|c| ConflictingRow {
                transaction_id: c.transaction_id,
                descriptor: c.descriptor,
                category: c.category,
            })
            .collect(),
        conflicting_rules: s.conflicting_rules,
    })
}

/// The categorization engine: every tenant's rules, memory and statistics. Thread-safe; calls
/// block, so make them off the UI thread.
#[derive(uniffi::Object)]
pub struct Engine {
    /// A plain engine, or one whose tenants live in a SQLite store (`Engine.open`).
    inner: Mutex<EngineHost>,
    /// The store URL, if opened by URL.
    location: Option<String>,
}

impl Engine {
    /// `f` on the engine host.
    fn host<T>(&self, f: impl FnOnce(&mut EngineHost) -> xspense::Result<T>) -> Result<T> {
        let mut h = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        call(|| f(&mut h))
    }

    /// `f` for `tenant` (on a store: read on first, changes appended, re-run when another
    /// process appended first).
    fn with<T>(
        &self,
        tenant: &str,
        f: impl FnMut(&mut xspense::Engine) -> xspense::Result<T>,
    ) -> Result<T> {
        self.host(|h| h.run(tenant, f))
    }

    /// Reads the engine (what no tenant's state decides).
    fn read<T>(&self, f: impl FnOnce(&xspense::Engine) -> xspense::Result<T>) -> Result<T> {
        self.host(|h| f(h.engine()))
    }

    fn local(engine: xspense::Engine) -> Arc<Self> {
        Arc::new(Engine {
            inner: Mutex::new(EngineHost::local(engine)),
            location: None,
        })
    }
}

#[uniffi::export]
impl Engine {
    /// An engine with the default configuration.
    #[uniffi::constructor]
    pub fn new() -> Arc<Self> {
        Engine::local(xspense::Engine::new())
    }

    /// An engine whose tenants' state is kept in the SQLite store at `url` (`sqlite:PATH` or a
    /// file path), with a configuration given as JSON or null for the default: each tenant is
    /// loaded on first use, read on to other processes' changes before every call, and what a
    /// call changes (feedback, rules, categories, resolved answers) is appended at once.
    #[uniffi::constructor(default(config_json = None))]
    pub fn open(url: String, config_json: Option<String>) -> Result<Arc<Self>> {
        let config: EngineConfig = match config_json {
            Some(text) => serde_json::from_str(&text).map_err(|e| json_err("engine config", e))?,
            None => EngineConfig::default(),
        };
        let (engine, store, location) = call(|| {
            let engine = xspense::Engine::with_config(config)?;
            let at = xspense_stores::StoreUrl::parse(&url)?;
            Ok((engine, xspense_stores::open_state(&at)?, at.to_string()))
        })?;
        Ok(Arc::new(Engine {
            inner: Mutex::new(EngineHost::shared(engine, store)),
            location: Some(location),
        }))
    }

    /// The store URL of an engine opened on a store, else null.
    pub fn location(&self) -> Option<String> {
        self.location.clone()
    }

    /// An engine with a configuration given as JSON (`{"llm_fallback": false, ...}`).
    #[uniffi::constructor]
    pub fn with_config_json(config_json: String) -> Result<Arc<Self>> {
        let config: EngineConfig =
            serde_json::from_str(&config_json).map_err(|e| json_err("engine config", e))?;
        Ok(Engine::local(call(|| {
            xspense::Engine::with_config(config)
        })?))
    }

    /// Categorizes one transaction.
    pub fn categorize(&self, transaction: Transaction) -> Result<Decision> {
        let tx = to_core(transaction)?;
        decision(self.with(&tx.tenant, |e| e.categorize(&tx))?)
    }

    /// Categorizes many transactions in one call (one crossing of the FFI).
    pub fn categorize_batch(&self, transactions: Vec<Transaction>) -> Result<Vec<Decision>> {
        let inputs = transactions.into_iter().map(to_input).collect();
        let txs = call(|| xspense::model::transactions_from_inputs(inputs))?;
        self.host(|h| h.categorize_batch(&txs))?
            .into_iter()
            .map(decision)
            .collect()
    }

    /// Categorizes one transaction, asking `client` when the engine needs the model.
    pub fn categorize_with(
        &self,
        transaction: Transaction,
        client: Arc<dyn LlmClient>,
    ) -> Result<Categorization> {
        let tx = to_core(transaction)?;
        let c = ForeignClassifier(client);
        self.with(&tx.tenant, |e| e.categorize_with(&tx, &c))
            .map(Into::into)
    }

    /// Checks the model's answer text for `request` and learns from it.
    pub fn resolve(&self, request: LlmRequest, answer: String) -> Result<Categorization> {
        let req: xspense::LlmRequest =
            serde_json::from_str(&request.json).map_err(|e| json_err("request json", e))?;
        self.with(&req.tenant, |e| e.resolve(&req, &answer))
            .map(Into::into)
    }

    /// From now on the engine's sentence-embedding model is one the app runs itself (Core ML,
    /// TensorFlow Lite, a remote service) and whose vectors, of length `dim`, it supplies:
    /// `semantic_texts` lists what the next calls need, `supply_semantic_vectors` takes the
    /// vectors. Replaces any model the engine had.
    pub fn use_supplied_vectors(&self, dim: u32) -> Result<()> {
        self.host(|h| h.use_supplied_vectors(dim as usize))
    }

    /// The texts the model has no vector for yet that calls about `transactions` would embed,
    /// each once: the merchant base (about nine thousand texts, until it is built), then the
    /// transactions' merchant keys and their tenants' merchants learned without a vector.
    /// Empty without supplied vectors.
    pub fn semantic_texts(&self, transactions: Vec<Transaction>) -> Result<Vec<String>> {
        let inputs = transactions.into_iter().map(to_input).collect();
        let txs = call(|| xspense::model::transactions_from_inputs(inputs))?;
        self.host(|h| Ok(h.semantic_texts(&txs)))
    }

    /// Takes the vectors of `texts` (`vectors[i]` is `texts[i]`'s: `dim` finite numbers, not
    /// all zero); returns how many texts were new. A wrong count, length or number is an
    /// `InvalidInput` error naming the vector, and nothing is stored.
    pub fn supply_semantic_vectors(
        &self,
        texts: Vec<String>,
        vectors: Vec<Vec<f32>>,
    ) -> Result<u32> {
        let new = self.host(|h| h.supply_semantic_vectors(&texts, &vectors))?;
        Ok(new as u32)
    }

    /// Builds the merchant base in the model's vectors now; its number of entries (0 without
    /// a model, or while supplied vectors lack some of it).
    pub fn warm_semantic(&self) -> Result<u32> {
        self.read(|e| Ok(e.warm_semantic() as u32))
    }

    /// Learns a correction: `transaction` belongs in `category`.
    pub fn feedback(&self, transaction: Transaction, category: String) -> Result<()> {
        let tx = to_core(transaction)?;
        self.with(&tx.tenant, |e| e.feedback(&tx, &category))
    }

    /// What the engine would answer and why, without counting or learning.
    pub fn explain(&self, transaction: Transaction) -> Result<Categorization> {
        let tx = to_core(transaction)?;
        self.with(&tx.tenant, |e| e.explain(&tx)).map(Into::into)
    }

    /// Forgets what was learned for a merchant key.
    pub fn forget_merchant(&self, tenant: String, key: String) -> Result<bool> {
        self.with(&tenant, |e| e.forget_merchant(&tenant, &key))
    }

    /// A tenant's counters.
    pub fn stats(&self, tenant: String) -> Result<Stats> {
        let s = self.with(&tenant, |e| Ok(e.stats(&tenant)))?;
        Ok(Stats {
            total: s.total,
            by_source: s
                .by_source
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), *v))
                .collect(),
            by_band: s
                .by_band
                .iter()
                .map(|(k, v)| (k.as_str().to_string(), *v))
                .collect(),
            llm_requests: s.llm_requests,
            llm_share: s.llm_share,
            mean_confidence: s.mean_confidence,
            feedback: s.feedback,
        })
    }

    /// What the normalizer makes of a descriptor.
    pub fn normalize(&self, descriptor: String) -> Result<Normalized> {
        let n = self.read(|e| Ok(e.normalize(&descriptor)))?;
        Ok(Normalized {
            key: n.key.into_string(),
            display: n.display,
            brand: n.brand,
        })
    }

    /// A tenant's categories.
    pub fn taxonomy(&self, tenant: String) -> Result<Vec<Category>> {
        let t = self.with(&tenant, |e| Ok(e.taxonomy(&tenant)))?;
        Ok(t.iter()
            .map(|c| Category {
                id: c.id.clone(),
                name: c.name.clone(),
                parent: c.parent.clone(),
                builtin: c.builtin,
            })
            .collect())
    }

    /// Adds a category of the tenant's own.
    pub fn add_category(
        &self,
        tenant: String,
        id: String,
        name: String,
        parent: Option<String>,
    ) -> Result<bool> {
        self.with(&tenant, |e| {
            e.add_category(&tenant, &id, &name, parent.as_deref())
        })
    }

    /// Adds rules written in the rule language; returns their ids.
    pub fn add_rules(&self, tenant: String, text: String) -> Result<Vec<String>> {
        self.with(&tenant, |e| e.add_rules(&tenant, &text))
    }

    /// Adds rules given as a JSON array of rule objects; returns their ids.
    pub fn add_rules_json(&self, tenant: String, rules_json: String) -> Result<Vec<String>> {
        let rules: Vec<Rule> =
            serde_json::from_str(&rules_json).map_err(|e| json_err("rules", e))?;
        self.with(&tenant, |e| e.add_rule_list(&tenant, rules.clone()))
    }

    /// Removes one rule.
    pub fn remove_rule(&self, tenant: String, id: String) -> Result<()> {
        self.with(&tenant, |e| e.remove_rule(&tenant, &id))
    }

    /// A tenant's rules as a JSON array.
    pub fn rules_json(&self, tenant: String) -> Result<String> {
        let r = self.with(&tenant, |e| Ok(e.rules(&tenant)))?;
        serde_json::to_string(&r).map_err(|e| json_err("rules", e))
    }

    /// Proposes rules from confirmed history, each with its backtest. Adds nothing.
    pub fn suggest_rules(
        &self,
        tenant: String,
        history: Vec<LabelledTransaction>,
        options: MiningOptions,
    ) -> Result<Vec<RuleSuggestion>> {
        let rows = history
            .into_iter()
            .map(|h| LabelledInput {
                transaction: to_input(h.transaction),
                category: h.category,
            })
            .collect();
        let history = call(|| xspense::model::history_from_inputs(rows))?;
        let options = xspense::rules::MiningOptions::from(options);
        self.with(&tenant, |e| e.suggest_rules(&tenant, &history, &options))?
            .into_iter()
            .map(suggestion)
            .collect()
    }

    /// The change events since the last call, each as one JSON document to persist (none on
    /// an engine opened on a store: each call appended its own).
    pub fn drain_changes(&self) -> Result<Vec<String>> {
        let changes = self.host(|h| Ok(h.drain_changes()))?;
        changes
            .iter()
            .map(|c| serde_json::to_string(c).map_err(|e| json_err("change", e)))
            .collect()
    }

    /// Replays persisted change events (all are checked before any is applied); an engine
    /// opened on a store refuses (`InvalidInput`).
    pub fn apply_changes(&self, changes: Vec<String>) -> Result<()> {
        let list = changes
            .iter()
            .enumerate()
            .map(|(i, c)| {
                serde_json::from_str::<Change>(c).map_err(|e| json_err(&format!("change #{i}"), e))
            })
            .collect::<Result<Vec<_>>>()?;
        self.host(|h| h.local_mut("applyChanges")?.apply_changes(&list))
    }

    /// A checksummed snapshot of one tenant or all.
    pub fn export_snapshot(&self, tenant: Option<String>) -> Result<String> {
        self.host(|h| h.export_snapshot(tenant.as_deref()))
    }

    /// Loads a snapshot; returns the tenants it held (an engine opened on a store refuses
    /// with `InvalidInput`).
    pub fn import_snapshot(&self, snapshot: String) -> Result<Vec<String>> {
        self.host(|h| h.local_mut("importSnapshot")?.import_snapshot(&snapshot))
    }
}

/// Parses rule text without adding it; returns the rules as a JSON array.
#[uniffi::export]
pub fn check_rules(text: String) -> Result<String> {
    let rules = call(|| xspense::rules::parse_rules(&text, "rule"))?;
    serde_json::to_string(&rules).map_err(|e| json_err("rules", e))
}
