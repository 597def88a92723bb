//! Rate limiting (GCRA, keyed by tenant and route, behind a [`LimitStore`]) and a size guard
//! for payloads.
//!
//! ```
//! use xspense::limits::{InMemoryLimitStore, Quota, RateLimiter};
//! // 10 requests per second, bursts of up to 5
//! let limiter = RateLimiter::new(Quota::per_second(10, 5).unwrap(), InMemoryLimitStore::new());
//! let now = 1_700_000_000_000;
//! let answers: Vec<bool> = (0..6).map(|_| limiter.check("alice", "/categorize", now).unwrap().allowed).collect();
//! assert_eq!(answers, [true, true, true, true, true, false]);
//! let d = limiter.check("alice", "/categorize", now).unwrap();
//! assert_eq!(d.retry_after_ms, 100);
//! assert!(limiter.check("bob", "/categorize", now).unwrap().allowed, "tenants have separate budgets");
//! ```

mod gcra;
mod guard;

pub use gcra::{Decision, InMemoryLimitStore, LimitStore, Quota, RateLimiter};
pub use guard::PayloadGuard;
