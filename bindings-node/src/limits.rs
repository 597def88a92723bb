//! Rate limiting (GCRA) and payload guards.

use napi::bindgen_prelude::{Buffer, Either};
use napi_derive::napi;
use xspense::limits::{
    InMemoryLimitStore, PayloadGuard as CoreGuard, Quota, RateLimiter as CoreLimiter,
};

use crate::convert::{bytes, now_or};
use crate::errors::{guard, IntoJs, JsError};

/// The answer to one rate-limit check.
#[napi(object)]
pub struct RateDecision {
    /// Whether the request may go ahead (it has been counted if so).
    pub allowed: bool,
    /// Requests that could still go ahead right now.
    pub remaining: u32,
    /// When refused, how long until a request would be allowed (ms).
    pub retry_after_ms: i64,
    /// How long until the full burst is available again (ms).
    pub reset_after_ms: i64,
}

fn decision(d: xspense::limits::Decision) -> RateDecision {
    RateDecision {
        allowed: d.allowed,
        remaining: d.remaining,
        retry_after_ms: d.retry_after_ms,
        reset_after_ms: d.reset_after_ms,
    }
}

/// Options of `RateLimiter.check`.
#[napi(object)]
pub struct CheckOptions {
    /// How many requests this is (default 1).
    pub n: Option<u32>,
    /// ms since the epoch (default: now).
    pub now: Option<i64>,
}

/// A per-tenant, per-route rate limiter: `count` requests per `periodMs`, bursts of `burst`.
#[napi]
pub struct RateLimiter {
    inner: CoreLimiter<InMemoryLimitStore>,
}

#[napi]
impl RateLimiter {
    #[napi(constructor)]
    pub fn new(count: u32, period_ms: i64, burst: Option<u32>) -> Result<Self, JsError> {
        let quota = Quota::new(count, period_ms, burst.unwrap_or(count)).js()?;
        Ok(RateLimiter {
            inner: CoreLimiter::new(quota, InMemoryLimitStore::new()),
        })
    }

    /// Counts the request(s) if they fit; says when to retry if not.
    #[napi]
    pub fn check(
        &self,
        tenant: String,
        route: String,
        options: Option<CheckOptions>,
    ) -> Result<RateDecision, JsError> {
        let (n, now) = options.map_or((None, None), |o| (o.n, o.now));
        guard(|| {
            self.inner
                .check_n(&tenant, &route, n.unwrap_or(1), now_or(now))
        })
        .js()
        .map(decision)
    }

    /// Like `check`, but throws `code: "rate_limited"` when refused.
    #[napi]
    pub fn enforce(
        &self,
        tenant: String,
        route: String,
        now: Option<i64>,
    ) -> Result<RateDecision, JsError> {
        guard(|| self.inner.enforce(&tenant, &route, now_or(now)))
            .js()
            .map(decision)
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
