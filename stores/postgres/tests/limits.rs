//! The GCRA limiter on PostgreSQL: the core's answers through the `LimitStore` trait and
//! through the one-statement `check`, and one budget shared across connections.

mod common;

use common::TestDb;
use xspense::limits::{InMemoryLimitStore, Quota, RateLimiter};
use xspense_postgres::PgLimitStore;

#[test]
fn sustained_rate_and_burst() {
    let db = TestDb::new();
    let l = RateLimiter::new(
        Quota::per_second(10, 3).unwrap(),
        PgLimitStore::connect(&db.url).unwrap(),
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
    assert_eq!(
        l.enforce("a", "r", now + 150).unwrap_err().code().as_str(),
        "rate_limited"
    );
}

#[test]
fn keys_are_separate_and_purged() {
    let db = TestDb::new();
    let l = RateLimiter::new(
        Quota::per_minute(1, 1).unwrap(),
        PgLimitStore::connect(&db.url).unwrap(),
    );
    let long = "x".repeat(1_000);
    assert!(l.check(&long, "r", 0).unwrap().allowed);
    assert!(!l.check(&long, "r", 0).unwrap().allowed);
    assert!(l.check("a", "r", 0).unwrap().allowed);
    assert!(l.check("a", "s", 0).unwrap().allowed);
    assert!(l.check("ar", "", 0).unwrap().allowed);
    assert!(!l.check("a", "r", 0).unwrap().allowed);
    assert!(l.check("b", "r", 0).unwrap().allowed);
    assert_eq!(l.store().purge(120_000).unwrap(), 5);
    assert!(l.check("a", "r", 120_000).unwrap().allowed);
}

/// The server-side decision answers exactly as the core's limiter, request after request.
#[test]
fn one_statement_check_answers_like_the_core() {
    let db = TestDb::new();
    let pg = PgLimitStore::connect(&db.url).unwrap();
    for quota in [
        Quota::per_second(10, 3).unwrap(),
        Quota::per_minute(7, 2).unwrap(),
        Quota::new(3, 1_000, 5).unwrap(),
    ] {
        let core = RateLimiter::new(quota, InMemoryLimitStore::new());
        let route = format!("r{}", quota.period_ms + i64::from(quota.burst));
        let mut now = 5_000_000;
        let mut step: i64 = 7;
        for i in 0..200u32 {
            let n = 1 + i % quota.burst;
            let expected = core.check_n("a", &route, n, now).unwrap();
            let got = pg.check(&quota, "a", &route, n, now).unwrap();
            assert_eq!(got, expected, "request {i} at {now}");
            // an irregular clock: bursts, pauses, and now and then a step back
            step = (step * 37 + 11) % 97;
            now += match step % 5 {
                0 => 0,
                1 => -3,
                _ => step * 3,
            };
        }
    }
    assert!(pg
        .check(&Quota::per_second(1, 1).unwrap(), "a", "r", 2, 0)
        .is_err());
}

/// Several connections (as several machines would) spend one budget: exactly `burst`
/// requests get through at one instant, whoever asks, through either entry point.
#[test]
fn connections_share_the_budget() {
    const BURST: u32 = 20;
    const THREADS: usize = 4;
    const TRIES: usize = 15;
    let db = TestDb::new();
    let quota = Quota::per_minute(1, BURST).unwrap();
    for one_statement in [false, true] {
        let route = if one_statement { "one" } else { "trait" };
        let handles: Vec<_> = (0..THREADS)
            .map(|_| {
                let limiter = RateLimiter::new(quota, PgLimitStore::connect(&db.url).unwrap());
                std::thread::spawn(move || {
                    (0..TRIES)
                        .filter(|_| {
                            if one_statement {
                                limiter
                                    .store()
                                    .check(&quota, "a", route, 1, 0)
                                    .unwrap()
                                    .allowed
                            } else {
                                limiter.check("a", route, 0).unwrap().allowed
                            }
                        })
                        .count()
                })
            })
            .collect();
        let allowed: usize = handles.into_iter().map(|h| h.join().unwrap()).sum();
        assert_eq!(allowed, BURST as usize, "{route}");
    }
}
