//! Transactions (core module `model`): the `Transaction` class, `parse_transaction`, and the one
//! conversion every transaction a Python caller hands over goes through.
//!
//! A dict becomes the core's JSON value after three Python conveniences: a `datetime.date` or
//! `datetime.datetime` date becomes its ISO `YYYY-MM-DD` text, an `int` or `decimal.Decimal`
//! amount its exact decimal text (a `float` stays a JSON number, which the core reads by its
//! shortest decimal form), and a `Transaction` object becomes the input that gives it back. The
//! core's `TransactionInput` then reads and checks it, so unknown keys, bad amounts, dates and
//! MCCs are refused with the core's messages.

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{
    PyBool, PyDate, PyDateTime, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple, PyType,
};
use serde_json::{Map, Value};
use xspense::model::TransactionInput;
use xspense::rules::Labelled;

use crate::convert::{from_py, ser};
use crate::errors::{invalid, IntoPy};

static DECIMAL: PyOnceLock<Py<PyType>> = PyOnceLock::new();

/// A date as the core reads it: `datetime.datetime` gives its date, `datetime.date` its ISO text.
fn date_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    let date = if obj.is_instance_of::<PyString>() {
        return from_py(obj);
    } else if obj.cast::<PyDateTime>().is_ok() {
        obj.call_method0("date")?
    } else if obj.cast::<PyDate>().is_ok() {
        obj.clone()
    } else {
        return from_py(obj);
    };
    Ok(Value::String(date.call_method0("isoformat")?.extract()?))
}

/// An amount as the core reads it: `int` and `decimal.Decimal` as their exact decimal text.
fn amount_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<PyFloat>() {
        return from_py(obj);
    }
    if obj.is_instance_of::<PyBool>() {
        return Err(PyTypeError::new_err(
            "amount must be a number or a decimal string, not a bool",
        ));
    }
    let exact = obj.is_instance_of::<PyInt>()
        || obj.is_instance(DECIMAL.import(obj.py(), "decimal", "Decimal")?)?;
    if exact {
        // format(x, "f"): no exponent, every digit kept
        let text: String = obj.call_method1("__format__", ("f",))?.extract()?;
        return Ok(Value::String(text));
    }
    from_py(obj)
}

/// A transaction dict as the core's JSON value (see the module doc).
fn dict_value(d: &Bound<'_, PyDict>) -> PyResult<Value> {
    let mut m = Map::with_capacity(d.len());
    for (k, v) in d.iter() {
        let key = k
            .cast::<PyString>()
            .map_err(|_| invalid("dict keys must be strings"))?
            .to_cow()?
            .into_owned();
        let value = match key.as_str() {
            "date" => date_value(&v)?,
            "amount" => amount_value(&v)?,
            _ => from_py(&v)?,
        };
        m.insert(key, value);
    }
    Ok(Value::Object(m))
}

/// A `Transaction` object as the core's JSON value of the `TransactionInput` that gives it back.
fn object_value(tx: &xspense::Transaction) -> PyResult<Value> {
    serde_json::to_value(TransactionInput::from(tx.clone())).map_err(|e| invalid(e.to_string()))
}

/// A `Transaction` object or a dict as the core's JSON value of a `TransactionInput`.
pub fn tx_value(obj: &Bound<'_, PyAny>) -> PyResult<Value> {
    if let Ok(t) = obj.cast::<PyTransaction>() {
        return object_value(&t.get().inner);
    }
    if let Ok(d) = obj.cast::<PyDict>() {
        return dict_value(d);
    }
    Err(PyTypeError::new_err(format!(
        "expected a Transaction or a dict, got {}",
        obj.get_type().name()?
    )))
}

/// One transaction from a `Transaction` object (its core transaction) or a dict (read by the
/// core with `default_id` for an absent id).
pub fn tx_from_py(obj: &Bound<'_, PyAny>, default_id: &str) -> PyResult<xspense::Transaction> {
    if let Ok(t) = obj.cast::<PyTransaction>() {
        return Ok(t.get().inner.clone());
    }
    let value = tx_value(obj)?;
    TransactionInput::from_json(value)
        .and_then(|t| t.into_transaction(default_id))
        .py()
}

/// A batch as the core takes it.
pub enum Batch {
    /// Only `Transaction` objects: their core transactions, checked when they were made.
    Objects(Vec<xspense::Transaction>),
    /// Dicts among them: every item as JSON, for `xspense::model::transactions_from_json`
    /// (which names a bad item by its position).
    Json(Vec<Value>),
}

impl Batch {
    /// The core transactions (call without the GIL).
    pub fn into_transactions(self) -> xspense::Result<Vec<xspense::Transaction>> {
        match self {
            Batch::Objects(txs) => Ok(txs),
            Batch::Json(values) => xspense::model::transactions_from_json(values),
        }
    }
}

/// The items of a batch: `Transaction` objects and dicts.
pub fn batch_from_py(transactions: &Bound<'_, PyAny>) -> PyResult<Batch> {
    let mut objects = Vec::new();
    let mut values: Option<Vec<Value>> = None;
    for item in transactions.try_iter()? {
        let item = item?;
        match (&mut values, item.cast::<PyTransaction>()) {
            (None, Ok(t)) => objects.push(t.get().inner.clone()),
            (None, Err(_)) => {
                let mut v = objects
                    .iter()
                    .map(object_value)
                    .collect::<PyResult<Vec<_>>>()?;
                v.push(tx_value(&item)?);
                values = Some(v);
            }
            (Some(v), _) => v.push(tx_value(&item)?),
        }
    }
    Ok(match values {
        Some(v) => Batch::Json(v),
        None => Batch::Objects(objects),
    })
}

/// Confirmed history as the core's rows: `(transaction, category)` pairs or dicts with
/// `transaction` and `category`, read by `xspense::model::history_from_json`.
pub fn history_from_py(history: &Bound<'_, PyAny>) -> PyResult<Vec<Labelled>> {
    let mut rows = Vec::new();
    for (i, item) in history.try_iter()?.enumerate() {
        let item = item?;
        let row = if let Ok(d) = item.cast::<PyDict>() {
            let mut m = Map::with_capacity(d.len());
            for (k, v) in d.iter() {
                let key = k
                    .cast::<PyString>()
                    .map_err(|_| invalid("dict keys must be strings"))?
                    .to_cow()?
                    .into_owned();
                let value = if key == "transaction" {
                    tx_value(&v)?
                } else {
                    from_py(&v)?
                };
                m.insert(key, value);
            }
            Value::Object(m)
        } else if (item.is_instance_of::<PyTuple>() || item.is_instance_of::<PyList>())
            && item.len()? == 2
        {
            let mut m = Map::with_capacity(2);
            m.insert("transaction".into(), tx_value(&item.get_item(0)?)?);
            m.insert("category".into(), from_py(&item.get_item(1)?)?);
            Value::Object(m)
        } else {
            return Err(invalid(format!(
                "history row {i}: expected a (transaction, category) pair or a dict"
            )));
        };
        rows.push(row);
    }
    xspense::model::history_from_json(rows).py()
}

/// A bank transaction to categorize or to learn from.
#[pyclass(frozen, module = "xspense", name = "Transaction")]
#[derive(Clone)]
pub struct PyTransaction {
    pub inner: xspense::Transaction,
}

#[pymethods]
impl PyTransaction {
    /// Read by the core as the dict of the given fields; an absent one takes the core's
    /// default (the id's is `"0"`).
    #[new]
    #[pyo3(signature = (descriptor, amount=None, *, date, tenant=None, id=None, direction=None, currency=None, merchant=None, account=None, mcc=None, amount_minor=None, bank_category=None))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        descriptor: &str,
        amount: Option<Bound<'_, PyAny>>,
        date: Bound<'_, PyAny>,
        tenant: Option<&str>,
        id: Option<&str>,
        direction: Option<&str>,
        currency: Option<&str>,
        merchant: Option<&str>,
        account: Option<&str>,
        mcc: Option<Bound<'_, PyAny>>,
        amount_minor: Option<Bound<'_, PyAny>>,
        bank_category: Option<&str>,
    ) -> PyResult<Self> {
        let d = PyDict::new(py);
        d.set_item("descriptor", descriptor)?;
        d.set_item("date", date)?;
        for (key, value) in [
            ("tenant", tenant),
            ("id", id),
            ("direction", direction),
            ("currency", currency),
            ("merchant", merchant),
            ("account", account),
            ("bank_category", bank_category),
        ] {
            if let Some(v) = value {
                d.set_item(key, v)?;
            }
        }
        for (key, value) in [
            ("amount", amount),
            ("mcc", mcc),
            ("amount_minor", amount_minor),
        ] {
            if let Some(v) = value {
                d.set_item(key, v)?;
            }
        }
        Ok(PyTransaction {
            inner: tx_from_py(d.as_any(), "0")?,
        })
    }

    #[getter]
    fn id(&self) -> &str {
        &self.inner.id
    }
    #[getter]
    fn tenant(&self) -> &str {
        &self.inner.tenant
    }
    #[getter]
    fn descriptor(&self) -> &str {
        &self.inner.descriptor
    }
    #[getter]
    fn merchant(&self) -> Option<&str> {
        self.inner.merchant.as_deref()
    }
    #[getter]
    fn amount(&self) -> String {
        self.inner.amount.decimal()
    }
    #[getter]
    fn amount_minor(&self) -> i64 {
        self.inner.amount.minor
    }
    #[getter]
    fn currency(&self) -> &str {
        self.inner.amount.currency.as_str()
    }
    #[getter]
    fn direction(&self) -> &'static str {
        self.inner.direction.as_str()
    }
    #[getter]
    fn date(&self) -> String {
        self.inner.date.to_string()
    }
    #[getter]
    fn account(&self) -> Option<&str> {
        self.inner.account.as_deref()
    }
    #[getter]
    fn mcc(&self) -> Option<u16> {
        self.inner.mcc
    }
    #[getter]
    fn bank_category(&self) -> Option<&str> {
        self.inner.bank_category.as_deref()
    }
    /// The transaction as a dict (`amount` as a decimal string).
    fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        let d = ser(py, &self.inner)?;
        d.set_item("amount", self.amount())?;
        d.set_item("currency", self.currency())?;
        Ok(d)
    }
    fn __repr__(&self) -> String {
        format!(
            "Transaction(id={:?}, tenant={:?}, descriptor={:?}, amount='{}', currency='{}', direction='{}', date='{}')",
            self.inner.id,
            self.inner.tenant,
            self.inner.descriptor,
            self.inner.amount.decimal(),
            self.currency(),
            self.direction(),
            self.inner.date
        )
    }
    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyTransaction>()
            .is_ok_and(|o| o.get().inner == self.inner)
    }
}

/// Reads and checks a transaction as the engine would, without categorizing it; returns it in
/// the core's JSON shape (`amount` as `{minor, currency}`, the sign as `direction`).
#[pyfunction]
pub fn parse_transaction<'py>(
    py: Python<'py>,
    transaction: &Bound<'py, PyAny>,
) -> PyResult<Bound<'py, PyAny>> {
    let tx = tx_from_py(transaction, "0")?;
    ser(py, &tx)
}
