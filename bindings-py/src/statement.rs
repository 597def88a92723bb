//! Statements (core module `statement`): `read_statement`.
//!
//! The core is sans-IO, so a path is read here (with the GIL released); the bytes and the
//! hints (a dict in the core's `Hints` shape, read by `Hints::from_json`) go to the core's
//! `read_statement`, and the `Statement` comes back as a dict in its serde shape.

use std::path::PathBuf;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyByteArray, PyBytes, PyString};
use xspense::statement::{self, Hints};

use crate::convert::{from_py, ser};
use crate::errors::{guard, invalid, IntoPy};

/// The statement's bytes: `bytes` or `bytearray` as they are, a `str` or `os.PathLike` path
/// read from disk (an `OSError` when it cannot be).
fn statement_bytes(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Vec<u8>> {
    if let Ok(b) = data.cast::<PyBytes>() {
        return Ok(b.as_bytes().to_vec());
    }
    if let Ok(b) = data.cast::<PyByteArray>() {
        return Ok(b.to_vec());
    }
    if let Ok(s) = data.cast::<PyString>() {
        // a str is a path; an export's text passed by mistake is refused without echoing it
        if s.to_cow()?.contains('\n') {
            return Err(invalid(
                "data: a str is a file path; pass the export's contents as bytes (text.encode())",
            ));
        }
    }
    let path: PathBuf = data.extract().map_err(|_| {
        PyTypeError::new_err(format!(
            "data must be bytes or a path (str or os.PathLike), not {}",
            data.get_type()
                .name()
                .map(|n| n.to_string())
                .unwrap_or_default()
        ))
    })?;
    py.detach(|| std::fs::read(&path)).map_err(PyErr::from)
}

/// Reads a bank or card statement (CSV, OFX/QFX, QIF, CAMT.053/.052) from bytes or a file
/// path; `hints` overrides what the file leaves undecided (the core's `Hints`: `date_order`,
/// `decimal`, `encoding`, `amount_sign`, `currency`, `columns`). Returns the `Statement` dict:
/// the transactions and the report of what was detected and how.
#[pyfunction]
#[pyo3(signature = (data, hints=None))]
pub fn read_statement<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyAny>,
    hints: Option<&Bound<'py, PyAny>>,
) -> PyResult<Bound<'py, PyAny>> {
    let hints = match hints {
        Some(h) => {
            let value = from_py(h)?;
            guard(|| Hints::from_json(value)).py()?
        }
        None => Hints::default(),
    };
    let bytes = statement_bytes(py, data)?;
    let read = py
        .detach(|| guard(|| statement::read_statement(&bytes, &hints)))
        .py()?;
    ser(py, &read)
}
