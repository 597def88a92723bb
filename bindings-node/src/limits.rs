//! Rate limiting (GCRA) and payload guards.

use std::sync::Arc;

use napi::bindgen_prelude::{Buffer, Either, Unknown};
use napi::Env;
use napi_derive::napi;
use serde::Deserialize;
use xspense::limits::{
    InMemoryLimitStore, LimitStore, PayloadGuard as CoreGuard, Quota, RateLimiter as CoreLimiter,
};

use crate::convert::{bytes, from_js_or_default, now_or, to_js, Json};
use crate::errors::{guard, IntoJs, JsError};

/// Options of `RateLimiter.check`.
#[napi(object, object_from_js = false, object_to_js = false)]
#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct CheckOptions {
    /// How many requests this is (default 1).
    pub n: Option<u32>,
    /// ms since the epoch (default: now).
    pub now: Option<i64>,
}

/// A per-tenant, per-route rate limiter: `count` requests per `periodMs`, bursts of `burst`.
#[napi]
pub struct RateLimiter {
    inner: CoreLimiter<Arc<dyn LimitStore>>,
    /// The store URL (password masked), if opened by URL.
    location: Option<String>,
}

#[napi]
impl RateLimiter {
    #[napi(constructor)]
    pub fn new(count: u32, period_ms: i64, burst: Option<u32>) -> Result<Self, JsError> {
        let quota = Quota::new(count, period_ms, burst.unwrap_or(count)).js()?;
        Ok(RateLimiter {
            inner: CoreLimiter::new(quota, Arc::new(InMemoryLimitStore::new())),
            location: None,
        })
    }

    /// A limiter whose state is kept in the store at `url` (`sqlite:PATH`, a file path, or
    /// `postgres://...`), shared by every limiter opened on it.
    #[napi(factory)]
    pub fn open(
        url: String,
        count: u32,
        period_ms: i64,
        burst: Option<u32>,
    ) -> Result<Self, JsError> {
        let quota = Quota::new(count, period_ms, burst.unwrap_or(count)).js()?;
        let at = xspense_stores::StoreUrl::parse(&url).js()?;
        Ok(RateLimiter {
            inner: CoreLimiter::new(quota, xspense_stores::open_limits(&at).js()?),
            location: Some(at.to_string()),
        })
    }

    /// The store URL of a limiter opened by URL (any password masked), else `null`.
    #[napi(getter)]
    pub fn location(&self) -> Option<String> {
        self.location.clone()
    }

    /// Counts the request(s) if they fit; says when to retry if not.
    #[napi(ts_return_type = "RateDecision")]
    pub fn check(
        &self,
        env: Env,
        tenant: String,
        route: String,
        #[napi(ts_arg_type = "CheckOptions")] options: Option<Unknown>,
    ) -> Result<Json, JsError> {
        let o: CheckOptions = from_js_or_default(&env, options, "check options")?;
        let d = guard(|| {
            self.inner
                .check_n(&tenant, &route, o.n.unwrap_or(1), now_or(o.now))
        })
        .js()?;
        to_js(&d)
    }

    /// Like `check`, but throws `code: "rate_limited"` when refused.
    #[napi(ts_return_type = "RateDecision")]
    pub fn enforce(
        &self,
        tenant: String,
        route: String,
        now: Option<i64>,
    ) -> Result<Json, JsError> {
        to_js(&guard(|| self.inner.enforce(&tenant, &route, now_or(now))).js()?)
    }
}

/// Refuses payloads over a size or JSON nesting depth before anything parses them.
#[napi]
pub struct PayloadGuard {
    inner: CoreGuard,
}

#[napi]
impl PayloadGuard {
    #[napi(constructor)]
    pub fn new(max_bytes: Option<u32>, max_depth: Option<u32>) -> Self {
        PayloadGuard {
            inner: CoreGuard::new(
                max_bytes.unwrap_or(1 << 20) as usize,
                max_depth.unwrap_or(64) as usize,
            ),
        }
    }
    /// Throws `payload_too_large` if over the size limit.
    #[napi]
    pub fn check_size(&self, payload: Either<String, Buffer>) -> Result<(), JsError> {
        self.inner.check_size(bytes(&payload)).js()
    }
    /// Throws `payload_too_large` if too large or nested too deep.
    #[napi]
    pub fn check_json(&self, payload: Either<String, Buffer>) -> Result<(), JsError> {
        self.inner.check_json(bytes(&payload)).js()
    }
}
