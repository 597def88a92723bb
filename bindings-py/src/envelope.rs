//! Signed agent envelopes (compact HS256 JWTs) and webhook signatures.

use pyo3::prelude::*;
use xspense::clock::Millis;
use xspense::envelope::{self, Envelope, Signer, Verifier};

use crate::convert::{bytes_of, de, now_or, ser};
use crate::errors::{guard, IntoPy};

/// Signs envelopes as one issuer with an HMAC key of at least 32 bytes.
#[pyclass(frozen, module = "xspense", name = "Signer")]
pub struct PySigner {
    inner: Signer,
}

#[pymethods]
impl PySigner {
    #[new]
    fn new(key: &Bound<'_, PyAny>, issuer: &str) -> PyResult<Self> {
        let key = bytes_of(key, "key")?;
        Ok(PySigner {
            inner: Signer::new(key, issuer).py()?,
        })
    }

    /// A compact token carrying `message` (an envelope dict: `{"type": "task", ...}`) for
    /// `audience`, valid for `ttl_ms` from `now`; `jti` must be unique per token.
    #[pyo3(signature = (message, audience, jti, *, ttl_ms=60_000, now=None))]
    fn sign(
        &self,
        message: &Bound<'_, PyAny>,
        audience: &str,
        jti: &str,
        ttl_ms: Millis,
        now: Option<Millis>,
    ) -> PyResult<String> {
        let msg: Envelope = de(message, "envelope")?;
        guard(|| self.inner.sign(&msg, audience, jti, now_or(now), ttl_ms)).py()
    }
}

/// Verifies envelopes for one audience: signature (any of the keys, for rotation), issuer,
/// audience, expiry with leeway, and replay.
#[pyclass(frozen, module = "xspense", name = "Verifier")]
pub struct PyVerifier {
    inner: Verifier,
}

#[pymethods]
impl PyVerifier {
    #[new]
    #[pyo3(signature = (keys, issuers, audience, *, leeway_ms=30_000, replay_capacity=100_000))]
    fn new(
        keys: Vec<Bound<'_, PyAny>>,
        issuers: Vec<String>,
        audience: &str,
        leeway_ms: Millis,
        replay_capacity: usize,
    ) -> PyResult<Self> {
        let keys = keys
            .iter()
            .map(|k| bytes_of(k, "key"))
            .collect::<PyResult<Vec<_>>>()?;
        let issuers: Vec<&str> = issuers.iter().map(String::as_str).collect();
        let inner = Verifier::new(&keys, &issuers, audience)
            .py()?
            .leeway_ms(leeway_ms)
            .replay_capacity(replay_capacity);
        Ok(PyVerifier { inner })
    }

    /// The token's claims (`iss`, `aud`, `exp`, `nbf`, `iat`, `jti`, `msg`), or a `Token*Error`.
    #[pyo3(signature = (token, *, now=None))]
    fn verify<'py>(
        &self,
        py: Python<'py>,
        token: &str,
        now: Option<Millis>,
    ) -> PyResult<Bound<'py, PyAny>> {
        let claims = guard(|| self.inner.verify(token, now_or(now))).py()?;
        ser(py, &claims)
    }
}

/// A `t=...,v1=...` signature header for a webhook body.
#[pyfunction]
#[pyo3(signature = (secret, body, *, now=None))]
pub fn sign_webhook(
    secret: &Bound<'_, PyAny>,
    body: &Bound<'_, PyAny>,
    now: Option<Millis>,
) -> PyResult<String> {
    let (secret, body) = (bytes_of(secret, "secret")?, bytes_of(body, "body")?);
    guard(|| envelope::sign_webhook(&secret, now_or(now), &body)).py()
}

/// Checks a webhook signature header; raises a `Token*Error` when it does not verify.
#[pyfunction]
#[pyo3(signature = (secret, header, body, *, tolerance_ms=300_000, now=None))]
pub fn verify_webhook(
    secret: &Bound<'_, PyAny>,
    header: &str,
    body: &Bound<'_, PyAny>,
    tolerance_ms: Millis,
    now: Option<Millis>,
) -> PyResult<()> {
    let (secret, body) = (bytes_of(secret, "secret")?, bytes_of(body, "body")?);
    guard(|| envelope::verify_webhook(&secret, header, &body, now_or(now), tolerance_ms)).py()
}
