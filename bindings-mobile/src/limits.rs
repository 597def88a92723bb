//! Rate limiting (GCRA).

use std::sync::Arc;

use xspense::clock::{Clock, SystemClock};
use xspense::limits::{InMemoryLimitStore, LimitStore, Quota, RateLimiter as CoreLimiter};

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
    inner: CoreLimiter<Arc<dyn LimitStore>>,
    /// The store URL, if opened by URL.
    location: Option<String>,
}

#[uniffi::export]
impl RateLimiter {
    #[uniffi::constructor]
    pub fn new(count: u32, period_ms: i64, burst: u32) -> Result<Arc<Self>> {
        let quota = call(|| Quota::new(count, period_ms, burst))?;
        Ok(Arc::new(RateLimiter {
            inner: CoreLimiter::new(quota, Arc::new(InMemoryLimitStore::new())),
            location: None,
        }))
    }

    /// A limiter whose state is kept in the SQLite store at `url` (`sqlite:PATH` or a file
    /// path), shared by every limiter opened on it.
    #[uniffi::constructor]
    pub fn open(url: String, count: u32, period_ms: i64, burst: u32) -> Result<Arc<Self>> {
        let (quota, store, location) = call(|| {
            let quota = Quota::new(count, period_ms, burst)?;
            let at = xspense_stores::StoreUrl::parse(&url)?;
            Ok((quota, xspense_stores::open_limits(&at)?, at.to_string()))
        })?;
        Ok(Arc::new(RateLimiter {
            inner: CoreLimiter::new(quota, store),
            location: Some(location),
        }))
    }

    /// The store URL of a limiter opened by URL, else null.
    pub fn location(&self) -> Option<String> {
        self.location.clone()
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
