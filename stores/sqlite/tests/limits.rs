//! The GCRA limiter on SQLite: the core's answers, shared state across connections.

use std::sync::Arc;

use xspense::limits::{Quota, RateLimiter};
use xspense_sqlite::SqliteLimitStore;

#[test]
fn sustained_rate_and_burst() {
    let l = RateLimiter::new(
        Quota::per_second(10, 3).unwrap(),
        SqliteLimitStore::in_memory().unwrap(),
    );
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
fn keys_are_separate_and_purged() {
    let l = RateLimiter::new(
        Quota::per_minute(1, 1).unwrap(),
        SqliteLimitStore::in_memory().unwrap(),
    );
    let long = "x".repeat(1_000);
    assert!(l.check(&long, "r", 0).unwrap().allowed);
    assert!(!l.check(&long, "r", 0).unwrap().allowed);
    assert!(l.check("a", "r", 0).unwrap().allowed);
    assert!(l.check("a", "s", 0).unwrap().allowed);
    assert!(l.check("ar", "", 0).unwrap().allowed);
    assert!(
        !l.check("a", "r", 0).unwrap().allowed,
        "tenant a's budget is spent"
    );
    assert!(
        l.check("b", "r", 0).unwrap().allowed,
        "tenant b has its own"
    );
    assert_eq!(l.store().purge(120_000).unwrap(), 5);
    assert!(l.check("a", "r", 120_000).unwrap().allowed);
}

/// Several connections (as several processes would) on one file spend one budget: exactly
/// `burst` requests get through at one instant, whoever asks.
#[test]
fn connections_on_one_file_share_the_budget() {
    const BURST: u32 = 20;
    const THREADS: usize = 4;
    const TRIES: usize = 15;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("limits.db");
    let quota = Quota::per_minute(1, BURST).unwrap();
    let limiters: Vec<_> = (0..THREADS)
        .map(|_| {
            Arc::new(RateLimiter::new(
                quota,
                SqliteLimitStore::open(&path).unwrap(),
            ))
        })
        .collect();
    let handles: Vec<_> = limiters
        .into_iter()
        .map(|l| {
            std::thread::spawn(move || {
                (0..TRIES)
                    .filter(|_| l.check("a", "r", 0).unwrap().allowed)
                    .count()
            })
        })
        .collect();
    let allowed: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
    assert_eq!(allowed, BURST as usize);
}
