//! How long a feedback vote on one engine takes to be visible on another engine sharing the
//! tenant: the loop of each store's `visibility` bench.
//!
//! A writer [`SharedEngine`] votes, one vote at a time, each after a pause of random length
//! (so votes land at every phase of a follower's poll interval). A follower [`SharedEngine`]
//! on its own store handle (its own connection, as another process has) knows nothing of the
//! writer: it loops waiting for a wake-up (a LISTEN notification, or a poll interval passing),
//! reads on ([`SharedEngine::refresh`]) and notes when each vote appeared; the writer votes
//! again once the follower has seen its vote. Two times per vote: *feedback* (the writer's
//! call: read on, vote, append) and *visible* (from the end of that call until the follower's
//! engine holds the vote; 0 when the follower read it before the call returned).

use std::sync::mpsc;
use std::sync::Arc;
use std::time::{Duration, Instant};

use xspense::store::{EngineStateStore, SharedEngine};
use xspense::Engine;

use crate::converge::{aliases, transaction};

const TENANT: &str = crate::converge::TENANT;
const MERCHANT: &str = "BLUE BOTTLE";
const CATEGORY: &str = "food.coffee";
/// How long the follower waits for the vote before giving up.
const DEADLINE: Duration = Duration::from_secs(10);

/// Percentiles of a set of durations.
#[derive(Debug, Clone, Copy)]
pub struct Summary {
    /// Median.
    pub p50: Duration,
    /// 90th percentile.
    pub p90: Duration,
    /// 99th percentile.
    pub p99: Duration,
    /// Largest.
    pub max: Duration,
}

impl Summary {
    fn of(mut samples: Vec<Duration>) -> Summary {
        samples.sort();
        let at = |q: f64| {
            let i = ((samples.len() as f64 - 1.0) * q).round() as usize;
            samples.get(i).copied().unwrap_or_default()
        };
        Summary {
            p50: at(0.5),
            p90: at(0.9),
            p99: at(0.99),
            max: samples.last().copied().unwrap_or_default(),
        }
    }
}

impl std::fmt::Display for Summary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let ms = |d: Duration| d.as_secs_f64() * 1e3;
        write!(
            f,
            "p50 {:.2} ms, p90 {:.2} ms, p99 {:.2} ms, max {:.2} ms",
            ms(self.p50),
            ms(self.p90),
            ms(self.p99),
            ms(self.max)
        )
    }
}

/// The two times measured.
#[derive(Debug, Clone, Copy)]
pub struct Visibility {
    /// The writer's feedback call.
    pub feedback: Summary,
    /// From the end of the writer's call until the follower holds the vote.
    pub visible: Summary,
}

/// How many votes the follower's engine holds.
fn votes_seen(engine: &Engine) -> u32 {
    let key = engine.normalize(MERCHANT).key.to_string();
    aliases(engine, TENANT)
        .ok()
        .and_then(|a| a.get(&key).map(|e| e.support))
        .unwrap_or(0)
}

/// The longest pause before a vote.
const MAX_PAUSE_US: u64 = 20_000;

/// xorshift64: the pauses, without a dependency.
fn next(state: &mut u64) -> u64 {
    *state ^= *state << 13;
    *state ^= *state >> 7;
    *state ^= *state << 17;
    *state
}

/// Runs `votes` votes through `writer` and measures when `follower` sees each, the follower
/// calling `wake` (which returns once it is worth reading on) between reads. The tenant
/// must be empty.
pub fn measure(
    writer: Arc<dyn EngineStateStore>,
    follower: Arc<dyn EngineStateStore>,
    mut wake: impl FnMut() + Send + 'static,
    votes: u32,
) -> Visibility {
    let (to_writer, seen) = mpsc::channel::<(u32, Instant)>();
    let follow = std::thread::spawn(move || {
        let mut engine = SharedEngine::new(Engine::new(), follower);
        engine.refresh(TENANT).unwrap();
        let started = Instant::now();
        let mut last = 0;
        while last < votes {
            wake();
            engine.refresh(TENANT).unwrap();
            let now = Instant::now();
            let seen_n = votes_seen(engine.engine());
            for n in last + 1..=seen_n {
                to_writer.send((n, now)).unwrap();
            }
            last = last.max(seen_n);
            assert!(
                started.elapsed() < DEADLINE * votes,
                "the follower saw {last} of {votes} votes"
            );
        }
    });
    let mut engine = SharedEngine::new(Engine::new(), writer);
    let tx = transaction(MERCHANT, 475);
    let mut rng = 0x9e37_79b9_7f4a_7c15_u64;
    let (mut feedback, mut visible) = (Vec::new(), Vec::new());
    for n in 1..=votes {
        std::thread::sleep(Duration::from_micros(next(&mut rng) % MAX_PAUSE_US));
        let start = Instant::now();
        engine.feedback(&tx, CATEGORY).unwrap();
        let done = Instant::now();
        feedback.push(done - start);
        let (seen_n, at) = seen
            .recv_timeout(DEADLINE)
            .expect("the follower sees the vote");
        assert_eq!(seen_n, n, "votes are seen in order");
        visible.push(at.saturating_duration_since(done));
    }
    follow.join().unwrap();
    Visibility {
        feedback: Summary::of(feedback),
        visible: Summary::of(visible),
    }
}
