//! The engine and its transaction and result types.

use std::sync::{Arc, Mutex};

use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList, PyString};
use xspense::llm::LlmClassifier;
use xspense::pipeline::EngineHost;
use xspense::rules::MiningOptions;
use xspense::store::Change;
use xspense::{Categorization, Decision, Engine, EngineConfig, LlmRequest, Rule};

use crate::convert::{de, ser, to_py};
use crate::embedder::PyEmbedder;
use crate::errors::{from_py_err, guard, invalid, IntoPy};
use crate::model::{batch_from_py, history_from_py, tx_from_py};

/// One step of the explanation trace.
#[pyclass(frozen, module = "xspense", name = "TraceStep")]
pub struct PyTraceStep {
    inner: xspense::TraceStep,
}

#[pymethods]
impl PyTraceStep {
    #[getter]
    fn stage(&self) -> &str {
        &self.inner.stage
    }
    #[getter]
    fn detail(&self) -> &str {
        &self.inner.detail
    }
    #[getter]
    fn category(&self) -> Option<&str> {
        self.inner.category.as_deref()
    }
    #[getter]
    fn confidence(&self) -> Option<f64> {
        self.inner.confidence
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ser(py, &self.inner)
    }
    fn __repr__(&self) -> String {
        let category = match &self.inner.category {
            Some(c) => format!("{c:?}"),
            None => "None".into(),
        };
        let confidence = match self.inner.confidence {
            Some(c) => format!("{c:.3}"),
            None => "None".into(),
        };
        format!(
            "TraceStep(stage={:?}, detail={:?}, category={category}, confidence={confidence})",
            self.inner.stage, self.inner.detail
        )
    }
}

/// What the engine decided for one transaction.
#[pyclass(frozen, module = "xspense", name = "Categorization")]
pub struct PyCategorization {
    pub inner: Categorization,
}

#[pymethods]
impl PyCategorization {
    #[getter]
    fn transaction_id(&self) -> &str {
        &self.inner.transaction_id
    }
    #[getter]
    fn category(&self) -> &str {
        &self.inner.category
    }
    #[getter]
    fn confidence(&self) -> f64 {
        self.inner.confidence
    }
    #[getter]
    fn band(&self) -> &'static str {
        self.inner.band.as_str()
    }
    #[getter]
    fn source(&self) -> &'static str {
        self.inner.source.as_str()
    }
    #[getter]
    fn reason(&self) -> &str {
        &self.inner.reason
    }
    #[getter]
    fn merchant_key(&self) -> &str {
        &self.inner.merchant_key
    }
    #[getter]
    fn merchant(&self) -> &str {
        &self.inner.merchant
    }
    #[getter]
    fn tags(&self) -> Vec<String> {
        self.inner.tags.clone()
    }
    #[getter]
    fn trace(&self) -> Vec<PyTraceStep> {
        self.inner
            .trace
            .iter()
            .map(|s| PyTraceStep { inner: s.clone() })
            .collect()
    }
    /// Always `False`: this is an answer, not a request to the language model.
    #[getter]
    fn needs_llm(&self) -> bool {
        false
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ser(py, &self.inner)
    }
    fn __repr__(&self) -> String {
        format!(
            "Categorization(transaction_id={:?}, category={:?}, confidence={:.3}, band='{}', source='{}', merchant={:?})",
            self.inner.transaction_id,
            self.inner.category,
            self.inner.confidence,
            self.band(),
            self.source(),
            self.inner.merchant
        )
    }
}

/// A request for the host's language model: no stage was confident enough.
#[pyclass(frozen, module = "xspense", name = "LlmRequest")]
pub struct PyLlmRequest {
    pub inner: LlmRequest,
}

#[pymethods]
impl PyLlmRequest {
    #[getter]
    fn tenant(&self) -> &str {
        &self.inner.tenant
    }
    #[getter]
    fn transaction_id(&self) -> &str {
        &self.inner.transaction_id
    }
    #[getter]
    fn merchant_key(&self) -> &str {
        &self.inner.merchant_key
    }
    #[getter]
    fn merchant(&self) -> &str {
        &self.inner.merchant
    }
    #[getter]
    fn date(&self) -> String {
        self.inner.date.to_string()
    }
    #[getter]
    fn system(&self) -> &str {
        &self.inner.system
    }
    #[getter]
    fn prompt(&self) -> &str {
        &self.inner.prompt
    }
    #[getter]
    fn allowed_categories<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ser(py, &self.inner.allowed_categories)
    }
    #[getter]
    fn examples<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ser(py, &self.inner.examples)
    }
    #[getter]
    fn answer_schema<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        to_py(py, &self.inner.answer_schema)
    }
    #[getter]
    fn best_guess(&self) -> Option<PyCategorization> {
        self.inner
            .best_guess
            .clone()
            .map(|inner| PyCategorization { inner })
    }
    /// Always `True`: ask the model, then call `Engine.resolve`.
    #[getter]
    fn needs_llm(&self) -> bool {
        true
    }
    /// Chat messages ready for an OpenAI-style client: system, then user.
    fn messages<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let sys = PyDict::new(py);
        sys.set_item("role", "system")?;
        sys.set_item("content", &self.inner.system)?;
        let user = PyDict::new(py);
        user.set_item("role", "user")?;
        user.set_item("content", &self.inner.prompt)?;
        PyList::new(py, [sys, user])
    }
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        ser(py, &self.inner)
    }
    /// The request as JSON, to hand to another process that resolves it later.
    fn to_json(&self) -> PyResult<String> {
        serde_json::to_string(&self.inner).map_err(|e| invalid(e.to_string()))
    }
    /// A request read back from `to_json`.
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        serde_json::from_str(text)
            .map(|inner| PyLlmRequest { inner })
            .map_err(|e| invalid(format!("not an LLM request: {e}")))
    }
    fn __repr__(&self) -> String {
        format!(
            "LlmRequest(tenant={:?}, transaction_id={:?}, merchant={:?})",
            self.inner.tenant, self.inner.transaction_id, self.inner.merchant
        )
    }
}

fn decision_to_py(py: Python<'_>, d: Decision) -> PyResult<Py<PyAny>> {
    Ok(match d {
        Decision::Categorized(inner) => Py::new(py, PyCategorization { inner })?.into_any(),
        Decision::NeedsLlm(inner) => Py::new(py, PyLlmRequest { inner })?.into_any(),
    })
}

/// Calls a Python function as the core's blocking classifier.
struct PyClassifier<'a> {
    complete: &'a Py<PyAny>,
}

impl LlmClassifier for PyClassifier<'_> {
    fn complete(&self, request: &LlmRequest) -> xspense::Result<String> {
        Python::attach(|py| {
            let req = Py::new(
                py,
                PyLlmRequest {
                    inner: request.clone(),
                },
            )
            .map_err(|e| from_py_err(py, &e, "the classifier"))?;
            self.complete
                .call1(py, (req,))
                .and_then(|r| r.extract::<String>(py))
                .map_err(|e| from_py_err(py, &e, "the classifier"))
        })
    }
}

/// The categorization engine: every tenant's rules, memory and statistics.
#[pyclass(frozen, subclass, module = "xspense", name = "Engine")]
pub struct PyEngine {
    /// A plain engine, or one whose tenants live in a store (`Engine.open`).
    inner: Mutex<EngineHost>,
    /// The store URL (password masked), if opened by URL.
    location: Option<String>,
    /// The host's sentence-embedding model, if it gave one (`embedder=`).
    embedder: Option<Arc<PyEmbedder>>,
}

impl PyEngine {
    /// Runs `f` on the engine host without holding the GIL; a panic becomes `InternalError`,
    /// and a failure of the host's embedding model during the call is raised.
    fn host<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&mut EngineHost) -> xspense::Result<T> + Send,
    ) -> PyResult<T> {
        let out = py.detach(|| {
            let mut host = self.inner.lock().unwrap_or_else(|p| p.into_inner());
            guard(|| f(&mut host))
        });
        self.embedder_failure().unwrap_or(out).py()
    }

    /// The failure of the host's embedding model since the last call, as an error to raise.
    fn embedder_failure<T>(&self) -> Option<xspense::Result<T>> {
        let failure = self.embedder.as_ref()?.take_failure()?;
        Some(Err(failure))
    }

    /// Runs `f` for `tenant` (on a store: read on first, changes appended, re-run when
    /// another process appended first).
    fn run<T: Send>(
        &self,
        py: Python<'_>,
        tenant: &str,
        f: impl FnMut(&mut Engine) -> xspense::Result<T> + Send,
    ) -> PyResult<T> {
        self.host(py, |h| h.run(tenant, f))
    }

    /// Reads the engine (what no tenant's state decides).
    fn read<T: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&Engine) -> xspense::Result<T> + Send,
    ) -> PyResult<T> {
        self.host(py, |h| f(h.engine()))
    }

    /// Like `run`, but keeps the GIL (for calls that call back into Python).
    fn run_attached<T>(
        &self,
        tenant: &str,
        f: impl FnMut(&mut Engine) -> xspense::Result<T>,
    ) -> PyResult<T> {
        let mut host = self.inner.lock().unwrap_or_else(|p| p.into_inner());
        let out = guard(|| host.run(tenant, f));
        self.embedder_failure().unwrap_or(out).py()
    }
}

fn engine_config(config: Option<&Bound<'_, PyAny>>) -> PyResult<EngineConfig> {
    match config {
        Some(c) => de(c, "engine config"),
        None => Ok(EngineConfig::default()),
    }
}

#[pymethods]
impl PyEngine {
    /// An engine in memory, or with `store` (a URL) its tenants' state kept in that store
    /// (see `open`).
    #[new]
    #[pyo3(signature = (config=None, *, store=None, embedder=None))]
    fn new(
        py: Python<'_>,
        config: Option<&Bound<'_, PyAny>>,
        store: Option<&str>,
        embedder: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut engine = Engine::with_config(engine_config(config)?).py()?;
        let embedder = embedder.map(PyEmbedder::new).transpose()?.map(Arc::new);
        if let Some(model) = &embedder {
            engine = engine.with_semantic_embedder(model.clone()).py()?;
        }
        let Some(url) = store else {
            return Ok(PyEngine {
                inner: Mutex::new(EngineHost::local(engine)),
                location: None,
                embedder,
            });
        };
        let (store, location) = py
            .detach(|| {
                let at = xspense_stores::StoreUrl::parse(url)?;
                Ok::<_, xspense_stores::Error>((xspense_stores::open_state(&at)?, at.to_string()))
            })
            .py()?;
        Ok(PyEngine {
            inner: Mutex::new(EngineHost::shared(engine, store)),
            location: Some(location),
            embedder,
        })
    }

    /// An engine whose tenants' state is kept in the store at `url` (`sqlite:PATH` or a file
    /// path; `postgres://...` where the store has engine state): each tenant is loaded on
    /// first use, read on to other processes' changes before every call, and what a call
    /// changes (feedback, rules, categories, resolved answers) is appended at once. Same as
    /// `cls(config, store=url)`, so a subclass gets an instance of itself.
    #[classmethod]
    #[pyo3(signature = (url, config=None))]
    fn open<'py>(
        cls: &Bound<'py, pyo3::types::PyType>,
        url: &str,
        config: Option<&Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let kwargs = PyDict::new(cls.py());
        kwargs.set_item("store", url)?;
        cls.call((config,), Some(&kwargs))
    }

    /// Embeds the merchant base with the host's embedding model now (else the first
    /// transaction that needs it does); its number of entries, 0 without a model.
    fn warm_semantic(&self, py: Python<'_>) -> PyResult<usize> {
        self.read(py, |e| Ok(e.warm_semantic()))
    }

    /// From now on the engine's sentence-embedding model is one the host runs itself (an
    /// async or remote model) and whose vectors, of length `dim`, it supplies:
    /// `semantic_texts` lists what the next calls need, `supply_semantic_vectors` takes the
    /// vectors. Replaces any model the engine had.
    fn use_supplied_vectors(&self, py: Python<'_>, dim: usize) -> PyResult<()> {
        self.host(py, |h| h.use_supplied_vectors(dim))
    }

    /// The texts the model has no vector for yet that calls about `transactions` would
    /// embed, each once: the merchant base (about nine thousand texts, until it is built),
    /// then the transactions' merchant keys and their tenants' merchants learned without a
    /// vector. Empty without supplied vectors.
    fn semantic_texts(
        &self,
        py: Python<'_>,
        transactions: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<String>> {
        let batch = batch_from_py(transactions)?;
        self.host(py, move |h| {
            Ok(h.semantic_texts(&batch.into_transactions()?))
        })
    }

    /// Takes the vectors of `texts` (`vectors[i]` is `texts[i]`'s: `dim` finite numbers, not
    /// all zero); returns how many texts were new. A wrong count, length or number raises
    /// `InvalidInputError` naming the vector, and nothing is stored.
    fn supply_semantic_vectors(
        &self,
        py: Python<'_>,
        texts: Vec<String>,
        vectors: Vec<Vec<f32>>,
    ) -> PyResult<usize> {
        self.host(py, move |h| h.supply_semantic_vectors(&texts, &vectors))
    }

    /// The store URL (any password masked) of an engine opened by URL, else `None`.
    #[getter]
    fn location(&self) -> Option<&str> {
        self.location.as_deref()
    }

    /// The configuration in force, as a dict.
    #[getter]
    fn config<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.read(py, |e| Ok(e.config().clone()))?;
        ser(py, &c)
    }

    fn categorize(&self, py: Python<'_>, transaction: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        let tx = tx_from_py(transaction, "0")?;
        let d = self.run(py, &tx.tenant, |e| e.categorize(&tx))?;
        decision_to_py(py, d)
    }

    fn categorize_batch<'py>(
        &self,
        py: Python<'py>,
        transactions: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyList>> {
        let batch = batch_from_py(transactions)?;
        let decisions = self.host(py, move |h| {
            let txs = batch.into_transactions()?;
            h.categorize_batch(&txs)
        })?;
        let items = decisions
            .into_iter()
            .map(|d| decision_to_py(py, d))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }

    /// Categorizes one transaction, calling `complete(request) -> str` when the engine needs
    /// the language model (a blocking client).
    fn categorize_with(
        &self,
        transaction: &Bound<'_, PyAny>,
        complete: Py<PyAny>,
    ) -> PyResult<PyCategorization> {
        let tx = tx_from_py(transaction, "0")?;
        let c = self.run_attached(&tx.tenant, |e| {
            e.categorize_with(
                &tx,
                &PyClassifier {
                    complete: &complete,
                },
            )
        })?;
        Ok(PyCategorization { inner: c })
    }

    fn resolve(
        &self,
        py: Python<'_>,
        request: &Bound<'_, PyLlmRequest>,
        answer: &str,
    ) -> PyResult<PyCategorization> {
        let req = request.get().inner.clone();
        let answer = answer.to_string();
        let c = self.run(py, &req.tenant, |e| e.resolve(&req, &answer))?;
        Ok(PyCategorization { inner: c })
    }

    fn feedback(
        &self,
        py: Python<'_>,
        transaction: &Bound<'_, PyAny>,
        category: &str,
    ) -> PyResult<()> {
        let tx = tx_from_py(transaction, "0")?;
        let category = category.to_string();
        self.run(py, &tx.tenant, |e| e.feedback(&tx, &category))
    }

    fn explain(
        &self,
        py: Python<'_>,
        transaction: &Bound<'_, PyAny>,
    ) -> PyResult<PyCategorization> {
        let tx = tx_from_py(transaction, "0")?;
        let c = self.run(py, &tx.tenant, |e| e.explain(&tx))?;
        Ok(PyCategorization { inner: c })
    }

    fn forget_merchant(&self, py: Python<'_>, tenant: &str, key: &str) -> PyResult<bool> {
        self.run(py, tenant, |e| e.forget_merchant(tenant, key))
    }

    fn stats<'py>(&self, py: Python<'py>, tenant: &str) -> PyResult<Bound<'py, PyAny>> {
        let s = self.run(py, tenant, |e| Ok(e.stats(tenant)))?;
        ser(py, &s)
    }

    fn normalize<'py>(&self, py: Python<'py>, descriptor: &str) -> PyResult<Bound<'py, PyAny>> {
        let n = self.read(py, |e| Ok(e.normalize(descriptor)))?;
        ser(py, &n)
    }

    fn tenants(&self, py: Python<'_>) -> PyResult<Vec<String>> {
        self.read(py, |e| Ok(e.tenants()))
    }

    fn taxonomy<'py>(&self, py: Python<'py>, tenant: &str) -> PyResult<Bound<'py, PyAny>> {
        let cats: Vec<xspense::Category> = self.run(py, tenant, |e| {
            Ok(e.taxonomy(tenant).iter().cloned().collect())
        })?;
        ser(py, &cats)
    }

    #[pyo3(signature = (tenant, id, name, parent=None))]
    fn add_category(
        &self,
        py: Python<'_>,
        tenant: &str,
        id: &str,
        name: &str,
        parent: Option<&str>,
    ) -> PyResult<bool> {
        self.run(py, tenant, |e| e.add_category(tenant, id, name, parent))
    }

    /// Adds rules from rule text or from a list of rule dicts; returns their ids.
    fn add_rules(
        &self,
        py: Python<'_>,
        tenant: &str,
        rules: &Bound<'_, PyAny>,
    ) -> PyResult<Vec<String>> {
        if let Ok(s) = rules.cast::<PyString>() {
            let text = s.to_cow()?.into_owned();
            return self.run(py, tenant, |e| e.add_rules(tenant, &text));
        }
        let list: Vec<Rule> = de(rules, "rules")?;
        self.run(py, tenant, |e| e.add_rule_list(tenant, list.clone()))
    }

    fn remove_rule(&self, py: Python<'_>, tenant: &str, id: &str) -> PyResult<()> {
        self.run(py, tenant, |e| e.remove_rule(tenant, id))
    }

    fn rules<'py>(&self, py: Python<'py>, tenant: &str) -> PyResult<Bound<'py, PyAny>> {
        let r = self.run(py, tenant, |e| Ok(e.rules(tenant)))?;
        ser(py, &r)
    }

    /// Parses rule text without adding it; returns the rules as dicts or raises `ParseError`.
    #[staticmethod]
    fn check_rules<'py>(py: Python<'py>, text: &str) -> PyResult<Bound<'py, PyAny>> {
        let rules = guard(|| xspense::rules::parse_rules(text, "rule")).py()?;
        ser(py, &rules)
    }

    /// Proposes rules from confirmed history: an iterable of `(transaction, category)` pairs
    /// (or dicts with `transaction` and `category`). `options` are the core's mining options
    /// (`min_support`, `min_precision`, `max_suggestions`, `max_examples`); an absent one takes
    /// the core's default. Each suggestion carries its backtest.
    #[pyo3(signature = (tenant, history, **options))]
    fn suggest_rules<'py>(
        &self,
        py: Python<'py>,
        tenant: &str,
        history: &Bound<'py, PyAny>,
        options: Option<&Bound<'py, PyDict>>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let rows = history_from_py(history)?;
        let options: MiningOptions = match options {
            Some(o) => de(o.as_any(), "mining options")?,
            None => MiningOptions::default(),
        };
        let s = self.run(py, tenant, |e| e.suggest_rules(tenant, &rows, &options))?;
        ser(py, &s)
    }

    /// The change events since the last call (oldest first), for the host to persist (none
    /// on an engine opened on a store: each call appended its own).
    fn drain_changes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let c = self.host(py, |h| Ok(h.drain_changes()))?;
        ser(py, &c)
    }

    /// Replays persisted change events (all are checked before any is applied); an engine
    /// opened on a store refuses (`InvalidInputError`).
    fn apply_changes(&self, py: Python<'_>, changes: &Bound<'_, PyAny>) -> PyResult<()> {
        let list: Vec<Change> = de(changes, "changes")?;
        self.host(py, |h| h.local_mut("apply_changes")?.apply_changes(&list))
    }

    #[pyo3(signature = (tenant=None))]
    fn export_snapshot(&self, py: Python<'_>, tenant: Option<&str>) -> PyResult<String> {
        self.host(py, |h| h.export_snapshot(tenant))
    }

    /// Imports a snapshot; an engine opened on a store refuses (`InvalidInputError`).
    fn import_snapshot(&self, py: Python<'_>, snapshot: &str) -> PyResult<Vec<String>> {
        self.host(py, |h| {
            h.local_mut("import_snapshot")?.import_snapshot(snapshot)
        })
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let n = self.read(py, |e| Ok(e.tenants().len()))?;
        Ok(match &self.location {
            Some(at) => format!("Engine(store={at}, tenants={n})"),
            None => format!("Engine(tenants={n})"),
        })
    }
}
