//! Signed agent envelopes (compact HS256 JWTs) and webhook signatures.

use napi::bindgen_prelude::{Buffer, Either, Unknown};
use napi::Env;
use napi_derive::napi;
use serde::Deserialize;
use xspense::envelope::{self, Envelope, Signer as CoreSigner, Verifier as CoreVerifier};

use crate::convert::{bytes, from_js, from_js_or_default, now_or, to_js, Json};
use crate::errors::{guard, IntoJs, JsError};

/// Options of `Signer.sign`.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct SignOptions {
    /// How long the token is valid (default 60,000 ms).
    #[napi(js_name = "ttl_ms")]
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
        env: Env,
        #[napi(ts_arg_type = "Envelope")] message: Unknown,
        audience: String,
        jti: String,
        #[napi(ts_arg_type = "SignOptions")] options: Option<Unknown>,
    ) -> Result<String, JsError> {
        let msg: Envelope = from_js(&env, message, "envelope")?;
        let o: SignOptions = from_js_or_default(&env, options, "sign options")?;
        guard(|| {
            self.inner.sign(
                &msg,
                &audience,
                &jti,
                now_or(o.now),
                o.ttl_ms.unwrap_or(60_000),
            )
        })
        .js()
    }
}

/// Options of `Verifier`; what is left out takes the core's defaults.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct VerifierOptions {
    /// Clock tolerance (ms).
    #[napi(js_name = "leeway_ms")]
    pub leeway_ms: Option<i64>,
    /// Token ids remembered against replay.
    #[napi(js_name = "replay_capacity")]
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
        env: Env,
        keys: Vec<Either<String, Buffer>>,
        issuers: Vec<String>,
        audience: String,
        #[napi(ts_arg_type = "VerifierOptions")] options: Option<Unknown>,
    ) -> Result<Self, JsError> {
        let o: VerifierOptions = from_js_or_default(&env, options, "verifier options")?;
        let keys: Vec<&[u8]> = keys.iter().map(bytes).collect();
        let issuers: Vec<&str> = issuers.iter().map(String::as_str).collect();
        let mut v = CoreVerifier::new(&keys, &issuers, &audience).js()?;
        if let Some(l) = o.leeway_ms {
            v = v.leeway_ms(l);
        }
        if let Some(n) = o.replay_capacity {
            v = v.replay_capacity(n as usize);
        }
        Ok(Verifier { inner: v })
    }

    /// The token's claims, or an error whose `code` says why (`token_expired`, ...).
    #[napi(ts_return_type = "Claims")]
    pub fn verify(&self, token: String, now: Option<i64>) -> Result<Json, JsError> {
        to_js(&guard(|| self.inner.verify(&token, now_or(now))).js()?)
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
