//! Signed agent envelopes (compact HS256 JWTs).

use std::sync::Arc;

use xspense::clock::{Clock, SystemClock};
use xspense::envelope::{Envelope, Signer as CoreSigner, Verifier as CoreVerifier};

use crate::errors::{call, Result, XspenseError};

fn now_or(now: Option<i64>) -> i64 {
    now.unwrap_or_else(|| SystemClock.now_ms())
}

/// Signs envelopes as one issuer with an HMAC key of at least 32 bytes.
#[derive(uniffi::Object)]
pub struct Signer {
    inner: CoreSigner,
}

#[uniffi::export]
impl Signer {
    #[uniffi::constructor]
    pub fn new(key: Vec<u8>, issuer: String) -> Result<Arc<Self>> {
        Ok(Arc::new(Signer {
            inner: call(|| CoreSigner::new(&key, issuer))?,
        }))
    }

    /// A token carrying `message_json` (an envelope: `{"type": "task", ...}`) for `audience`.
    pub fn sign(
        &self,
        message_json: String,
        audience: String,
        jti: String,
        ttl_ms: i64,
        now: Option<i64>,
    ) -> Result<String> {
        let msg: Envelope =
            serde_json::from_str(&message_json).map_err(|e| XspenseError::InvalidInput {
                detail: format!("envelope: {e}"),
            })?;
        call(|| self.inner.sign(&msg, &audience, &jti, now_or(now), ttl_ms))
    }
}

/// Verifies envelopes for one audience: signature (any key, for rotation), issuer, audience,
/// time, replay.
#[derive(uniffi::Object)]
pub struct Verifier {
    inner: CoreVerifier,
}

#[uniffi::export]
impl Verifier {
    #[uniffi::constructor]
    pub fn new(keys: Vec<Vec<u8>>, issuers: Vec<String>, audience: String) -> Result<Arc<Self>> {
        let issuers: Vec<&str> = issuers.iter().map(String::as_str).collect();
        Ok(Arc::new(Verifier {
            inner: call(|| CoreVerifier::new(&keys, &issuers, &audience))?,
        }))
    }

    /// The claims as JSON, or a `Token*` error saying why not.
    pub fn verify(&self, token: String, now: Option<i64>) -> Result<String> {
        let claims = call(|| self.inner.verify(&token, now_or(now)))?;
        serde_json::to_string(&claims).map_err(|e| XspenseError::Internal {
            detail: e.to_string(),
        })
    }
}
