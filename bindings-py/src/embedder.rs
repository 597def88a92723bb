//! A sentence-embedding model written in Python (see `xspense.EmbedderProtocol`) as the core's
//! `Embedder`, for `Engine(embedder=...)`.
//!
//! The trait's methods cannot fail, so a failure of the model (an exception, or vectors of the
//! wrong number, length or with NaN) gives zero vectors (close to nothing) and is kept; the
//! engine call during which it happened then raises it (see `PyEngine::host`).

use std::sync::Mutex;

use pyo3::prelude::*;
use xspense::memory::Embedder;
use xspense::Error;

use crate::errors::{from_py_err, invalid};

/// What the model failed with, in words used by every message.
const CONTEXT: &str = "embedder method embed()";

pub struct PyEmbedder {
    obj: Py<PyAny>,
    dim: usize,
    /// The first failure since it was last taken.
    failure: Mutex<Option<Error>>,
}

impl std::fmt::Debug for PyEmbedder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PyEmbedder")
            .field("dim", &self.dim)
            .finish_non_exhaustive()
    }
}

impl PyEmbedder {
    /// The model `obj`, whose `dim` must be a positive int.
    pub fn new(obj: &Bound<'_, PyAny>) -> PyResult<PyEmbedder> {
        let dim = obj
            .getattr("dim")
            .and_then(|d| d.extract::<usize>())
            .ok()
            .filter(|d| *d > 0)
            .ok_or_else(|| invalid("embedder.dim must be a positive int"))?;
        Ok(PyEmbedder {
            obj: obj.clone().unbind(),
            dim,
            failure: Mutex::new(None),
        })
    }

    /// The first failure since the last call, if any (and forgets it).
    pub fn take_failure(&self) -> Option<Error> {
        self.failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take()
    }

    fn call(&self, texts: &[&str]) -> xspense::Result<Vec<Vec<f32>>> {
        Python::attach(|py| {
            let out = self
                .obj
                .bind(py)
                .call_method1("embed", (texts.to_vec(),))
                .map_err(|e| from_py_err(py, &e, CONTEXT))?;
            let vectors: Vec<Vec<f32>> = out.extract().map_err(|e| from_py_err(py, &e, CONTEXT))?;
            check(&vectors, texts.len(), self.dim)?;
            Ok(vectors)
        })
    }
}

/// Refuses an answer that is not one finite vector of `dim` numbers per text.
fn check(vectors: &[Vec<f32>], texts: usize, dim: usize) -> xspense::Result<()> {
    let wrong = |what: String| Err(Error::Internal(format!("{CONTEXT} returned {what}")));
    if vectors.len() != texts {
        return wrong(format!("{} vectors for {texts} texts", vectors.len()));
    }
    if let Some(v) = vectors.iter().find(|v| v.len() != dim) {
        return wrong(format!("a vector of {} numbers, not dim = {dim}", v.len()));
    }
    if vectors.iter().flatten().any(|x| !x.is_finite()) {
        return wrong("NaN or infinity".into());
    }
    Ok(())
}

impl Embedder for PyEmbedder {
    fn dim(&self) -> usize {
        self.dim
    }

    fn embed(&self, text: &str, out: &mut [f32]) {
        let v = self.vectors(&[text]).pop().unwrap_or_default();
        out.fill(0.0);
        out.iter_mut().zip(v).for_each(|(o, x)| *o = x);
    }

    fn vectors(&self, texts: &[&str]) -> Vec<Vec<f32>> {
        self.call(texts).unwrap_or_else(|e| {
            self.failure
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get_or_insert(e);
            vec![vec![0.0; self.dim]; texts.len()]
        })
    }
}
