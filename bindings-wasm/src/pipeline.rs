//! `Engine`: categorize, resolve, feedback, explain, stats, rules, rule suggestions, change
//! events and snapshots. Records are the core's JSON shapes (snake_case keys).

use wasm_bindgen::prelude::*;
use xspense::llm::LlmRequest;
use xspense::model::{
    history_from_inputs, transactions_from_inputs, LabelledInput, TransactionInput,
};
use xspense::rules::{MiningOptions, Rule};
use xspense::store::Change;
use xspense::EngineConfig;

use crate::convert::{from_js, from_js_or_default, to_js};
use crate::errors::IntoJs;
use crate::model::read_transaction;

/// The categorization engine: every tenant's rules, memory and statistics, in this page.
#[wasm_bindgen]
pub struct Engine {
    inner: xspense::Engine,
}

#[wasm_bindgen]
impl Engine {
    /// An engine; `config` holds stage switches and thresholds (unknown keys are refused).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_param_type = "EngineConfig | undefined")] config: JsValue,
    ) -> Result<Engine, JsValue> {
        let config: EngineConfig = from_js_or_default(config, "engine config")?;
        Ok(Engine {
            inner: xspense::Engine::with_config(config).js()?,
        })
    }

    /// The configuration in force.
    #[wasm_bindgen(unchecked_return_type = "Required<EngineConfig>")]
    pub fn config(&self) -> Result<JsValue, JsValue> {
        to_js(self.inner.config())
    }

    /// A `Categorization` (`decision: "categorized"`), or an `LlmRequest`
    /// (`decision: "needs_llm"`) when no stage is confident.
    #[wasm_bindgen(unchecked_return_type = "Decision")]
    pub fn categorize(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "TransactionInput")] transaction: JsValue,
    ) -> Result<JsValue, JsValue> {
        let t = read_transaction(transaction)?;
        to_js(&self.inner.categorize(&t).js()?)
    }

    /// Many transactions in one call (converted once); ids default to their positions.
    #[wasm_bindgen(js_name = categorizeBatch, unchecked_return_type = "Decision[]")]
    pub fn categorize_batch(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "TransactionInput[]")] transactions: JsValue,
    ) -> Result<JsValue, JsValue> {
        let inputs: Vec<TransactionInput> = from_js(transactions, "transactions")?;
        let txs = transactions_from_inputs(inputs).js()?;
        to_js(&self.inner.categorize_batch(&txs).js()?)
    }

    /// Checks the model's answer to `request` and learns it; `invalid_answer` if it is bad.
    #[wasm_bindgen(unchecked_return_type = "Categorization")]
    pub fn resolve(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "LlmRequest")] request: JsValue,
        answer: &str,
    ) -> Result<JsValue, JsValue> {
        let r: LlmRequest = from_js(request, "request")?;
        to_js(&self.inner.resolve(&r, answer).js()?)
    }

    /// Learns a correction (or a confirmation): this transaction belongs in `category`.
    pub fn feedback(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "TransactionInput")] transaction: JsValue,
        category: &str,
    ) -> Result<(), JsValue> {
        let t = read_transaction(transaction)?;
        self.inner.feedback(&t, category).js()
    }

    /// What `categorize` would answer, without counting it or asking the model.
    #[wasm_bindgen(unchecked_return_type = "Categorization")]
    pub fn explain(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TransactionInput")] transaction: JsValue,
    ) -> Result<JsValue, JsValue> {
        let t = read_transaction(transaction)?;
        to_js(&self.inner.explain(&t).js()?)
    }

    /// Forgets what was learned for a merchant key; whether anything was known.
    #[wasm_bindgen(js_name = forgetMerchant)]
    pub fn forget_merchant(&mut self, tenant: &str, key: &str) -> Result<bool, JsValue> {
        self.inner.forget_merchant(tenant, key).js()
    }

    /// A tenant's counters.
    #[wasm_bindgen(unchecked_return_type = "Stats")]
    pub fn stats(&self, tenant: &str) -> Result<JsValue, JsValue> {
        to_js(&self.inner.stats(tenant))
    }

    /// What the normalizer makes of a descriptor.
    #[wasm_bindgen(unchecked_return_type = "Normalized")]
    pub fn normalize(&self, descriptor: &str) -> Result<JsValue, JsValue> {
        to_js(&self.inner.normalize(descriptor))
    }

    /// From now on the engine's sentence-embedding model is one the page runs itself (a
    /// transformers.js pipeline, a remote service) and whose vectors, of length `dim`, it
    /// supplies: `semanticTexts` lists what the next calls need, `supplySemanticVectors` takes
    /// the vectors. Replaces any model the engine had.
    #[wasm_bindgen(js_name = useSuppliedVectors)]
    pub fn use_supplied_vectors(&mut self, dim: usize) -> Result<(), JsValue> {
        self.inner.use_supplied_vectors(dim).js()
    }

    /// The texts the model has no vector for yet that calls about `transactions` would embed,
    /// each once: the merchant base (about nine thousand texts, until it is built), then the
    /// transactions' merchant keys and their tenants' merchants learned without a vector.
    /// Empty without supplied vectors.
    #[wasm_bindgen(js_name = semanticTexts)]
    pub fn semantic_texts(
        &self,
        #[wasm_bindgen(unchecked_param_type = "TransactionInput[]")] transactions: JsValue,
    ) -> Result<Vec<String>, JsValue> {
        let inputs: Vec<TransactionInput> = from_js(transactions, "transactions")?;
        let txs = transactions_from_inputs(inputs).js()?;
        Ok(self.inner.semantic_texts(&txs))
    }

    /// Takes the vectors of `texts` (`vectors[i]` is `texts[i]`'s: a `Float32Array` or an
    /// array of `dim` finite numbers, not all zero); returns how many texts were new. A wrong
    /// count, length or number is an `invalid_input` error naming the vector, and nothing is
    /// stored.
    #[wasm_bindgen(js_name = supplySemanticVectors)]
    pub fn supply_semantic_vectors(
        &mut self,
        texts: Vec<String>,
        #[wasm_bindgen(unchecked_param_type = "Array<Float32Array | number[]>")]
        vectors: js_sys::Array,
    ) -> Result<usize, JsValue> {
        let vectors: Vec<Vec<f32>> = vectors.iter().map(read_vector).collect();
        self.inner.supply_semantic_vectors(&texts, &vectors).js()
    }

    /// Builds the merchant base in the model's vectors now; its number of entries (0 without
    /// a model, or while supplied vectors lack some of it).
    #[wasm_bindgen(js_name = warmSemantic)]
    pub fn warm_semantic(&self) -> usize {
        self.inner.warm_semantic()
    }

    /// Tenants the engine holds state for.
    pub fn tenants(&self) -> Vec<String> {
        self.inner.tenants()
    }

    /// A tenant's categories (built-in tree plus its own).
    #[wasm_bindgen(unchecked_return_type = "Category[]")]
    pub fn taxonomy(&self, tenant: &str) -> Result<JsValue, JsValue> {
        let cats: Vec<xspense::Category> = self.inner.taxonomy(tenant).iter().cloned().collect();
        to_js(&cats)
    }

    /// Adds a tenant category; `false` if an identical one exists.
    #[wasm_bindgen(js_name = addCategory)]
    pub fn add_category(
        &mut self,
        tenant: &str,
        id: &str,
        name: &str,
        parent: Option<String>,
    ) -> Result<bool, JsValue> {
        self.inner
            .add_category(tenant, id, name, parent.as_deref())
            .js()
    }

    /// Adds rules from rule text or rule objects; returns their ids. On error nothing is added.
    #[wasm_bindgen(js_name = addRules)]
    pub fn add_rules(
        &mut self,
        tenant: &str,
        #[wasm_bindgen(unchecked_param_type = "string | Rule[]")] rules: JsValue,
    ) -> Result<Vec<String>, JsValue> {
        if let Some(text) = rules.as_string() {
            return self.inner.add_rules(tenant, &text).js();
        }
        let list: Vec<Rule> = from_js(rules, "rules")?;
        self.inner.add_rule_list(tenant, list).js()
    }

    /// Removes one rule; `not_found` if it does not exist.
    #[wasm_bindgen(js_name = removeRule)]
    pub fn remove_rule(&mut self, tenant: &str, id: &str) -> Result<(), JsValue> {
        self.inner.remove_rule(tenant, id).js()
    }

    /// A tenant's rules as rule objects.
    #[wasm_bindgen(unchecked_return_type = "Rule[]")]
    pub fn rules(&self, tenant: &str) -> Result<JsValue, JsValue> {
        to_js(&self.inner.rules(tenant))
    }

    /// Parses rule text without adding it; a `parse_error` names the line and column.
    #[wasm_bindgen(js_name = checkRules, unchecked_return_type = "Rule[]")]
    pub fn check_rules(text: &str) -> Result<JsValue, JsValue> {
        to_js(&xspense::rules::parse_rules(text, "rule").js()?)
    }

    /// A rule object in the rule language (parsing it gives the same rule back).
    #[wasm_bindgen(js_name = ruleText)]
    pub fn rule_text(
        #[wasm_bindgen(unchecked_param_type = "Rule")] rule: JsValue,
    ) -> Result<String, JsValue> {
        let r: Rule = from_js(rule, "rule")?;
        Ok(r.to_string())
    }

    /// Rules mined from confirmed history (`[{transaction, category}]`), each with its
    /// backtest. Adds nothing: accept one with `addRules(tenant, [s.rule])`.
    #[wasm_bindgen(js_name = suggestRules, unchecked_return_type = "RuleSuggestion[]")]
    pub fn suggest_rules(
        &self,
        tenant: &str,
        #[wasm_bindgen(unchecked_param_type = "LabelledInput[]")] history: JsValue,
        #[wasm_bindgen(unchecked_param_type = "MiningOptions | undefined")] options: JsValue,
    ) -> Result<JsValue, JsValue> {
        let rows: Vec<LabelledInput> = from_js(history, "history")?;
        let history = history_from_inputs(rows).js()?;
        let options: MiningOptions = from_js_or_default(options, "mining options")?;
        to_js(&self.inner.suggest_rules(tenant, &history, &options).js()?)
    }

    /// The change events since the last call, oldest first, for the host to persist.
    #[wasm_bindgen(js_name = drainChanges, unchecked_return_type = "Change[]")]
    pub fn drain_changes(&mut self) -> Result<JsValue, JsValue> {
        to_js(&self.inner.drain_changes())
    }

    /// Replays persisted change events (all are checked before any is applied).
    #[wasm_bindgen(js_name = applyChanges)]
    pub fn apply_changes(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "Change[]")] changes: JsValue,
    ) -> Result<(), JsValue> {
        let list: Vec<Change> = from_js(changes, "changes")?;
        self.inner.apply_changes(&list).js()
    }

    /// A checksummed snapshot of one tenant or all.
    #[wasm_bindgen(js_name = exportSnapshot)]
    pub fn export_snapshot(&self, tenant: Option<String>) -> Result<String, JsValue> {
        self.inner.export_snapshot(tenant.as_deref()).js()
    }

    /// Loads a snapshot (checked whole first); returns the tenants it replaced.
    #[wasm_bindgen(js_name = importSnapshot)]
    pub fn import_snapshot(&mut self, snapshot: &str) -> Result<Vec<String>, JsValue> {
        self.inner.import_snapshot(snapshot).js()
    }
}

/// A vector given as a typed array or an array of numbers (narrowed to 32 bits, as the core
/// keeps them); anything else reads as no numbers, which the core refuses by its length.
fn read_vector(v: JsValue) -> Vec<f32> {
    if let Some(typed) = v.dyn_ref::<js_sys::Float32Array>() {
        return typed.to_vec();
    }
    match v.dyn_ref::<js_sys::Array>() {
        Some(numbers) => numbers
            .iter()
            .map(|x| x.as_f64().map_or(f32::NAN, |x| x as f32))
            .collect(),
        None => Vec::new(),
    }
}
