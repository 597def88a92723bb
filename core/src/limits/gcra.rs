//! The generic cell rate algorithm: one timestamp per key (the theoretical arrival time), no
//! counters, no background refill.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::clock::Millis;
use crate::error::{Error, Result};

/// A rate: `count` requests per `period_ms`, with bursts of up to `burst` at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Quota {
    /// Requests per period.
    pub count: u32,
    /// The period.
    pub period_ms: Millis,
    /// Requests allowed back to back.
    pub burst: u32,
}

impl Quota {
    /// `count` per second with bursts of `burst`.
    pub fn per_second(count: u32, burst: u32) -> Result<Quota> {
        Quota::new(count, 1_000, burst)
    }

    /// `count` per minute with bursts of `burst`.
    pub fn per_minute(count: u32, burst: u32) -> Result<Quota> {
        Quota::new(count, 60_000, burst)
    }

    /// Checks and builds a quota.
    pub fn new(count: u32, period_ms: Millis, burst: u32) -> Result<Quota> {
        if count == 0 || burst == 0 || period_ms <= 0 {
            return Err(Error::invalid(
                "a quota needs a positive count, period and burst",
            ));
        }
        if period_ms / i64::from(count) == 0 {
            return Err(Error::invalid(
                "a quota allows at most one request per millisecond",
            ));
        }
        Ok(Quota {
            count,
            period_ms,
            burst,
        })
    }

    /// Milliseconds between requests at the sustained rate.
    fn interval(&self) -> Millis {
        self.period_ms / i64::from(self.count)
    }
}

/// The answer to one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "RateDecision"))]
pub struct Decision {
    /// Whether the request may go ahead (it has been counted if so).
    pub allowed: bool,
    /// Requests that could still go ahead right now.
    pub remaining: u32,
    /// When refused, how long until a request would be allowed.
    pub retry_after_ms: Millis,
    /// How long until the full burst is available again.
    pub reset_after_ms: Millis,
}

/// Where theoretical arrival times live. `update` must be atomic per key: read the current
/// value, let the function decide, write what it returns (nothing for `None`). In Redis this
/// is one Lua script; in SQL an `UPDATE ... RETURNING` with the same arithmetic.
pub trait LimitStore: Send + Sync {
    /// Applies `f` to the stored time of `key` atomically.
    fn update(&self, key: &str, f: &mut dyn FnMut(Option<Millis>) -> Option<Millis>) -> Result<()>;
}

/// A shared store (`Arc<dyn LimitStore>`, as `xspense-stores` opens one) is a store too, so
/// [`RateLimiter`] can run over a store chosen at run time.
impl<S: LimitStore + ?Sized> LimitStore for std::sync::Arc<S> {
    fn update(&self, key: &str, f: &mut dyn FnMut(Option<Millis>) -> Option<Millis>) -> Result<()> {
        (**self).update(key, f)
    }
}

/// A [`LimitStore`] in a hash map behind a lock.
#[derive(Debug, Default)]
pub struct InMemoryLimitStore {
    map: Mutex<HashMap<Box<str>, Millis>>,
}

impl InMemoryLimitStore {
    /// An empty store.
    pub fn new() -> InMemoryLimitStore {
        InMemoryLimitStore::default()
    }

    /// Drops keys whose time is in the past (they behave exactly like absent keys); returns
    /// how many.
    pub fn purge(&self, now: Millis) -> usize {
        let Ok(mut m) = self.map.lock() else {
            return 0;
        };
        let before = m.len();
        m.retain(|_, tat| *tat > now);
        before - m.len()
    }
}

impl LimitStore for InMemoryLimitStore {
    fn update(&self, key: &str, f: &mut dyn FnMut(Option<Millis>) -> Option<Millis>) -> Result<()> {
        let mut m = self
            .map
            .lock()
            .map_err(|_| Error::Internal("limit store lock poisoned".into()))?;
        match m.get_mut(key) {
            Some(v) => {
                if let Some(n) = f(Some(*v)) {
                    *v = n;
                }
            }
            None => {
                if let Some(n) = f(None) {
                    m.insert(key.into(), n);
                }
            }
        }
        Ok(())
    }
}

/// Answers "may this tenant call this route now?".
#[derive(Debug)]
pub struct RateLimiter<S: LimitStore> {
    quota: Quota,
    store: S,
}

/// Longest tenant + route key kept on the stack.
const KEY_BUF: usize = 256;

impl<S: LimitStore> RateLimiter<S> {
    /// A limiter applying `quota` to every (tenant, route).
    pub fn new(quota: Quota, store: S) -> RateLimiter<S> {
        RateLimiter { quota, store }
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Counts one request of `tenant` on `route` at `now` if the quota allows it.
    pub fn check(&self, tenant: &str, route: &str, now: Millis) -> Result<Decision> {
        self.check_n(tenant, route, 1, now)
    }

    /// Counts `n` requests at once (all or none).
    pub fn check_n(&self, tenant: &str, route: &str, n: u32, now: Millis) -> Result<Decision> {
        if n == 0 || n > self.quota.burst {
            return Err(Error::invalid(format!(
                "a check counts 1 to {} requests",
                self.quota.burst
            )));
        }
        let mut buf = [0u8; KEY_BUF];
        let owned;
        let key: &str = if tenant.len() + route.len() < KEY_BUF {
            let len = tenant.len() + 1 + route.len();
            buf[..tenant.len()].copy_from_slice(tenant.as_bytes());
            buf[tenant.len()] = 0;
            buf[tenant.len() + 1..len].copy_from_slice(route.as_bytes());
            std::str::from_utf8(&buf[..len]).map_err(|e| Error::Internal(e.to_string()))?
        } else {
            owned = format!("{tenant}\0{route}");
            &owned
        };
        let t = self.quota.interval();
        let tau = t * i64::from(self.quota.burst);
        let cost = t * i64::from(n);
        let mut decision = Decision {
            allowed: false,
            remaining: 0,
            retry_after_ms: 0,
            reset_after_ms: 0,
        };
        self.store.update(key, &mut |stored| {
            let tat = stored.unwrap_or(now).max(now);
            let new_tat = tat + cost;
            let allow_at = new_tat - tau;
            if now < allow_at {
                decision.allowed = false;
                decision.retry_after_ms = allow_at - now;
                decision.reset_after_ms = tat - now;
                decision.remaining = ((tau - (tat - now)) / t).max(0) as u32;
                None
            } else {
                decision.allowed = true;
                decision.retry_after_ms = 0;
                decision.reset_after_ms = new_tat - now;
                decision.remaining = ((tau - (new_tat - now)) / t).max(0) as u32;
                Some(new_tat)
            }
        })?;
        Ok(decision)
    }

    /// Like [`RateLimiter::check`], but a refusal is the `rate_limited` error.
    pub fn enforce(&self, tenant: &str, route: &str, now: Millis) -> Result<Decision> {
        let d = self.check(tenant, route, now)?;
        if d.allowed {
            Ok(d)
        } else {
            Err(Error::RateLimited(format!(
                "{route} for {tenant}: retry after {} ms",
                d.retry_after_ms
            )))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sustained_rate_and_burst() {
        let l = RateLimiter::new(Quota::per_second(10, 3).unwrap(), InMemoryLimitStore::new());
        let now = 1_000_000;
        let first: Vec<u32> = (0..3)
            .map(|_| l.check("a", "r", now).unwrap().remaining)
            .collect();
        assert_eq!(first, [2, 1, 0]);
        let no = l.check("a", "r", now).unwrap();
        assert!(!no.allowed);
        assert_eq!((no.retry_after_ms, no.reset_after_ms), (100, 300));
        assert!(l.check("a", "r", now + 100).unwrap().allowed);
        assert!(!l.check("a", "r", now + 150).unwrap().allowed);
        // over a long stretch exactly the sustained rate gets through
        let mut allowed = 0;
        for ms in (now + 1_000..now + 11_000).step_by(10) {
            allowed += u32::from(l.check("b", "r", ms).unwrap().allowed);
        }
        assert_eq!(allowed, 3 + 99, "burst, then one per 100 ms");
        assert_eq!(
            l.enforce("a", "r", now + 150).unwrap_err().code().as_str(),
            "rate_limited"
        );
    }

    #[test]
    fn keys_are_separate_and_long_keys_work() {
        let l = RateLimiter::new(Quota::per_minute(1, 1).unwrap(), InMemoryLimitStore::new());
        let long = "x".repeat(1_000);
        assert!(l.check(&long, "r", 0).unwrap().allowed);
        assert!(!l.check(&long, "r", 0).unwrap().allowed);
        assert!(l.check("a", "r", 0).unwrap().allowed);
        assert!(l.check("a", "s", 0).unwrap().allowed);
        // keys are `tenant NUL route`: ("ar", "") and ("a", "r") are different keys
        assert!(l.check("ar", "", 0).unwrap().allowed);
        assert_eq!(l.store().purge(120_000), 4);
        assert!(Quota::new(0, 1_000, 1).is_err() && Quota::new(5_000, 1_000, 1).is_err());
        assert!(l.check_n("a", "r", 2, 0).is_err());
    }
}
