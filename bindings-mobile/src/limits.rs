//! Rate limiting (GCRA).

use std::sync::Arc;

use xspense::clock::{Clock, SystemClock};
use xspense::limits::{InMemoryLimitStore, Quota, RateLimiter as CoreLimiter};

use crate::errors::{call, Result};

/// The answer to one rate-limit check.
#[derive(uniffi::Record)]
pub struct RateDecision {
    pub allowed: bool,
    pub remaining: u32,
    pub retry_after_ms: i64,
    pub reset_after_ms: i64,
}

/// `count` requests per `period_ms` per tenant and route, bursts of `burst`.
#[derive(uniffi::Object)]
pub struct RateLimiter {
    inner: CoreLimiter<InMemoryLimitStore>,
}

#[uniffi::export]
impl RateLimiter {
    #[uniffi::constructor]
    pub fn new(count: u32, period_ms: i64, burst: u32) -> Result<Arc<Self>> {
        let quota = call(|| Quota::new(count, period_ms, burst))?;
        Ok(Arc::new(RateLimiter {
            inner: CoreLimiter::new(quota, InMemoryLimitStore::new()),
        }))
    }

    /// Counts one request if it fits; says when to retry if not.
    pub fn check(&self, tenant: String, route: String, now: Option<i64>) -> Result<RateDecision> {
        let now = now.unwrap_or_else(|| SystemClock.now_ms());
        let d = call(|| self.inner.check(&tenant, &route, now))?;
        Ok(RateDecision {
            allowed: d.allowed,
            remaining: d.remaining,
            retry_after_ms: d.retry_after_ms,
            reset_after_ms: d.reset_after_ms,
        })
    }
}
