//! Signed agent envelopes (compact HS256 JWTs) and webhook signatures.

use napi::bindgen_prelude::{Buffer, Either};
use napi_derive::napi;
use serde_json::Value;
use xspense::envelope::{self, Envelope, Signer as CoreSigner, Verifier as CoreVerifier};

use crate::convert::{bytes, from_record, now_or, record};
use crate::errors::{guard, IntoJs, JsError};

/// Options of `Signer.sign`.
#[napi(object)]
pub struct SignOptions {
    /// How long the token is valid (default 60,000 ms).
    pub ttl_ms: Option<i64>,
    /// ms since the epoch (default: now).
    pub now: Option<i64>,
}

/// Signs envelopes as one issuer with an HMAC key of at least 32 bytes.
#[napi]
pub struct Signer {
    inner: CoreSigner,
}

#[napi]
impl Signer {
    #[napi(constructor)]
    pub fn new(key: Either<String, Buffer>, issuer: String) -> Result<Self, JsError> {
        Ok(Signer {
            inner: CoreSigner::new(bytes(&key), issuer).js()?,
        })
    }

    /// A compact token carrying `message` for `audience`; `jti` must be unique per token.
    #[napi]
    pub fn sign(
        &self,
        #[napi(ts_arg_type = "Envelope")] message: Value,
        audience: String,
        jti: String,
        options: Option<SignOptions>,
    ) -> Result<String, JsError> {
        let msg: Envelope = from_record(message, "envelope")?;
        let (ttl, now) = options.map_or((None, None), |o| (o.ttl_ms, o.now));
        guard(|| {
            self.inner
                .sign(&msg, &audience, &jti, now_or(now), ttl.unwrap_or(60_000))
        })
        .js()
    }
}

/// Options of `Verifier`.
#[napi(object)]
pub struct VerifierOptions {
    /// Clock tolerance (default 30,000 ms).
    pub leeway_ms: Option<i64>,
    /// Token ids remembered against replay (default 100,000).
    pub replay_capacity: Option<u32>,
}

/// Verifies envelopes for one audience: signature (any key, for rotation), issuer, audience,
/// time, replay.
#[napi]
pub struct Verifier {
    inner: CoreVerifier,
}

#[napi]
impl Verifier {
    #[napi(constructor)]
    pub fn new(
        keys: Vec<Either<String, Buffer>>,
        issuers: Vec<String>,
        audience: String,
        options: Option<VerifierOptions>,
    ) -> Result<Self, JsError> {
        let keys: Vec<&[u8]> = keys.iter().map(bytes).collect();
        let issuers: Vec<&str> = issuers.iter().map(String::as_str).collect();
        let mut v = CoreVerifier::new(&keys, &issuers, &audience).js()?;
        if let Some(o) = options {
            if let Some(l) = o.leeway_ms {
                v = v.leeway_ms(l);
            }
            if let Some(n) = o.replay_capacity {
                v = v.replay_capacity(n as usize);
            }
        }
        Ok(Verifier { inner: v })
    }

    /// The token's claims, or an error whose `code` says why (`token_expired`, ...).
    #[napi(ts_return_type = "Claims")]
    pub fn verify(&self, token: String, now: Option<i64>) -> Result<Value, JsError> {
        let claims = guard(|| self.inner.verify(&token, now_or(now))).js()?;
        record(&claims)
    }
}

/// A `t=...,v1=...` signature header for a webhook body.
#[napi]
pub fn sign_webhook(
    secret: Either<String, Buffer>,
    body: Either<String, Buffer>,
    now: Option<i64>,
) -> Result<String, JsError> {
    guard(|| envelope::sign_webhook(bytes(&secret), now_or(now), bytes(&body))).js()
}

/// Checks a webhook signature header; throws with a `token_*` code when it does not verify.
#[napi]
pub fn verify_webhook(
    secret: Either<String, Buffer>,
    header: String,
    body: Either<String, Buffer>,
    tolerance_ms: Option<i64>,
    now: Option<i64>,
) -> Result<(), JsError> {
    guard(|| {
        envelope::verify_webhook(
            bytes(&secret),
            &header,
            bytes(&body),
            now_or(now),
            tolerance_ms.unwrap_or(300_000),
        )
    })
    .js()
}
