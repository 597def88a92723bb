//! Redaction: `Redactor`, `TokenVault` and their results.

use std::sync::Mutex;

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyList};
use xspense::redact::{reindex_findings, OffsetUnit, Redacted, Redactor, RedactorSpec, TokenVault};

use crate::convert::{bytes_of, from_py, to_py};
use crate::errors::{guard, invalid, IntoPy};

/// One piece of sensitive data found in a text; `start`/`end` index the Python string.
#[pyclass(frozen, module = "xspense", name = "Finding")]
pub struct PyFinding {
    #[pyo3(get)]
    kind: String,
    #[pyo3(get)]
    start: usize,
    #[pyo3(get)]
    end: usize,
    #[pyo3(get)]
    confidence: f64,
    #[pyo3(get)]
    detector: String,
}

#[pymethods]
impl PyFinding {
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("kind", &self.kind)?;
        d.set_item("start", self.start)?;
        d.set_item("end", self.end)?;
        d.set_item("confidence", self.confidence)?;
        d.set_item("detector", &self.detector)?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "Finding(kind='{}', start={}, end={}, confidence={:.2}, detector='{}')",
            self.kind, self.start, self.end, self.confidence, self.detector
        )
    }
}

fn findings(text: &str, mut found: Vec<xspense::redact::Finding>) -> Vec<PyFinding> {
    reindex_findings(text, &mut found, OffsetUnit::Char);
    found
        .into_iter()
        .map(|f| PyFinding {
            kind: f.kind.as_str().to_string(),
            start: f.start,
            end: f.end,
            confidence: f.confidence,
            detector: f.detector,
        })
        .collect()
}

/// A redacted text and what was replaced in it (spans refer to the input).
#[pyclass(frozen, module = "xspense", name = "Redacted")]
pub struct PyRedacted {
    #[pyo3(get)]
    text: String,
    findings: Vec<Py<PyFinding>>,
}

#[pymethods]
impl PyRedacted {
    #[getter]
    fn findings<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        PyList::new(py, self.findings.iter().map(|f| f.clone_ref(py)))
    }
    fn __str__(&self) -> &str {
        &self.text
    }
    fn __repr__(&self) -> String {
        format!(
            "Redacted(text={:?}, findings={})",
            self.text,
            self.findings.len()
        )
    }
}

/// A redacted JSON document and what was replaced in it.
#[pyclass(frozen, module = "xspense", name = "RedactedJson")]
pub struct PyRedactedJson {
    value: Py<PyAny>,
    findings: Py<PyList>,
}

#[pymethods]
impl PyRedactedJson {
    #[getter]
    fn value(&self, py: Python<'_>) -> Py<PyAny> {
        self.value.clone_ref(py)
    }
    #[getter]
    fn findings(&self, py: Python<'_>) -> Py<PyList> {
        self.findings.clone_ref(py)
    }
}

/// Remembers the values behind `<KIND_n>` tokens so a reply can be restored.
#[pyclass(frozen, module = "xspense", name = "TokenVault")]
pub struct PyTokenVault {
    inner: Mutex<TokenVault>,
}

impl PyTokenVault {
    fn lock(&self) -> std::sync::MutexGuard<'_, TokenVault> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[pymethods]
impl PyTokenVault {
    #[new]
    fn new() -> Self {
        PyTokenVault {
            inner: Mutex::new(TokenVault::new()),
        }
    }
    /// `text` with every token this vault issued replaced by its original value.
    fn restore(&self, py: Python<'_>, text: &str) -> String {
        py.detach(|| self.lock().restore(text))
    }
    /// The value behind one token, or `None`.
    fn value_of(&self, token: &str) -> Option<String> {
        self.lock().value_of(token).map(str::to_string)
    }
    fn __len__(&self) -> usize {
        self.lock().len()
    }
    fn __repr__(&self) -> String {
        format!("TokenVault(tokens={})", self.lock().len())
    }
}

/// Finds and replaces card numbers, IBANs, SSNs, emails, phones, IPs, API keys and secrets.
#[pyclass(frozen, module = "xspense", name = "Redactor")]
pub struct PyRedactor {
    inner: Redactor,
}

impl PyRedactor {
    fn run(&self, py: Python<'_>, text: &str, vault: Option<&PyTokenVault>) -> PyResult<Redacted> {
        py.detach(|| {
            guard(|| {
                Ok(match vault {
                    Some(v) => self.inner.redact_with(text, &mut v.lock()),
                    None => self.inner.redact(text),
                })
            })
        })
        .py()
    }
}

#[pymethods]
impl PyRedactor {
    /// Keyword arguments are the core's `RedactorSpec` fields; an absent one (or `None`) takes
    /// the core's default. `hash_key` may be `bytes` as well as `str`.
    #[new]
    #[pyo3(signature = (*, operator=None, min_confidence=None, hash_key=None, disable=None, builtin_secrets=None, detectors=None, allow_values=None, allow_patterns=None, for_descriptors=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        operator: Option<&Bound<'_, PyAny>>,
        min_confidence: Option<&Bound<'_, PyAny>>,
        hash_key: Option<&Bound<'_, PyAny>>,
        disable: Option<&Bound<'_, PyAny>>,
        builtin_secrets: Option<&Bound<'_, PyAny>>,
        detectors: Option<&Bound<'_, PyAny>>,
        allow_values: Option<&Bound<'_, PyAny>>,
        allow_patterns: Option<&Bound<'_, PyAny>>,
        for_descriptors: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<Self> {
        let mut spec = serde_json::Map::new();
        for (key, value) in [
            ("operator", operator),
            ("min_confidence", min_confidence),
            ("disable", disable),
            ("builtin_secrets", builtin_secrets),
            ("detectors", detectors),
            ("allow_values", allow_values),
            ("allow_patterns", allow_patterns),
            ("for_descriptors", for_descriptors),
        ] {
            if let Some(v) = value {
                spec.insert(key.into(), from_py(v)?);
            }
        }
        // a text key is part of the spec; a binary one goes to the builder the spec makes
        let binary_key = match hash_key {
            Some(k) if k.is_instance_of::<PyBytes>() => Some(bytes_of(k, "hash_key")?),
            Some(k) => {
                spec.insert("hash_key".into(), from_py(k)?);
                None
            }
            None => None,
        };
        let spec: RedactorSpec = serde_json::from_value(serde_json::Value::Object(spec))
            .map_err(|e| invalid(format!("redactor options: {e}")))?;
        let inner = guard(|| {
            let mut b = spec.builder()?;
            if let Some(k) = binary_key {
                b = b.hash_key(k);
            }
            b.build()
        })
        .py()?;
        Ok(PyRedactor { inner })
    }

    /// The operator's name.
    #[getter]
    fn operator(&self) -> &'static str {
        self.inner.operator().as_str()
    }

    /// The ids of the secret detectors in force.
    fn detector_ids(&self) -> Vec<String> {
        self.inner.detector_ids()
    }

    /// The findings in `text`, in order of position, without replacing anything.
    fn find(&self, py: Python<'_>, text: &str) -> PyResult<Vec<PyFinding>> {
        let found = py.detach(|| guard(|| Ok(self.inner.find(text)))).py()?;
        Ok(findings(text, found))
    }

    /// `text` with every finding replaced; with the `token` operator, pass a `vault` to
    /// restore the values later.
    #[pyo3(signature = (text, vault=None))]
    fn redact(
        &self,
        py: Python<'_>,
        text: &str,
        vault: Option<&Bound<'_, PyTokenVault>>,
    ) -> PyResult<PyRedacted> {
        let r = self.run(py, text, vault.map(|v| v.get()))?;
        let found = findings(text, r.findings)
            .into_iter()
            .map(|f| Py::new(py, f))
            .collect::<PyResult<Vec<_>>>()?;
        Ok(PyRedacted {
            text: r.text,
            findings: found,
        })
    }

    /// Redacts many texts in one call (the GIL is released for the whole batch).
    #[pyo3(signature = (texts, vault=None))]
    fn redact_batch(
        &self,
        py: Python<'_>,
        texts: Vec<String>,
        vault: Option<&Bound<'_, PyTokenVault>>,
    ) -> PyResult<Vec<String>> {
        let vault = vault.map(|v| v.get());
        py.detach(|| {
            guard(|| {
                Ok(texts
                    .iter()
                    .map(|t| match vault {
                        Some(v) => self.inner.redact_with(t, &mut v.lock()).text,
                        None => self.inner.redact(t).text,
                    })
                    .collect())
            })
        })
        .py()
    }

    /// A JSON-like value (dicts, lists, strings, numbers) with sensitive strings and values
    /// under sensitive keys (`password`, `card_number`, ...) replaced.
    #[pyo3(signature = (value, vault=None))]
    fn redact_json(
        &self,
        py: Python<'_>,
        value: &Bound<'_, PyAny>,
        vault: Option<&Bound<'_, PyTokenVault>>,
    ) -> PyResult<PyRedactedJson> {
        let v = from_py(value)?;
        let vault = vault.map(|v| v.get());
        let r = py
            .detach(|| {
                guard(|| {
                    Ok(match vault {
                        Some(t) => self.inner.redact_json_with(&v, &mut t.lock()),
                        None => self.inner.redact_json(&v),
                    })
                })
            })
            .py()?
            .in_offsets(&v, OffsetUnit::Char);
        let list = PyList::empty(py);
        for f in r.findings {
            let d = PyDict::new(py);
            d.set_item("path", &f.path)?;
            d.set_item("kind", f.finding.kind.as_str())?;
            d.set_item("start", f.finding.start)?;
            d.set_item("end", f.finding.end)?;
            d.set_item("confidence", f.finding.confidence)?;
            d.set_item("detector", &f.finding.detector)?;
            list.append(d)?;
        }
        Ok(PyRedactedJson {
            value: to_py(py, &r.value)?.unbind(),
            findings: list.unbind(),
        })
    }

    fn __repr__(&self) -> String {
        format!(
            "Redactor(operator='{}', detectors={})",
            self.inner.operator().as_str(),
            self.inner.detector_ids().len()
        )
    }
}
