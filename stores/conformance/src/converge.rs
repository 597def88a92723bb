//! The convergence test: two engine processes on one tenant of one store, each casting its
//! feedback votes at the same time through a [`SharedEngine`]. Both must end with the state
//! the rule of `xspense::store::state` gives, and no vote may be lost.
//!
//! What "the state the rule gives" is, honestly: a vote decays the merchant's earlier votes
//! (x0.8) before it lands, so when two processes vote different categories for one merchant,
//! the result depends on the order the votes were committed in. The test therefore has
//!
//! - *agreeing* merchants, voted the same category at the same amount by both processes: the
//!   order does not matter, and each alias entry must equal exactly what one engine gets from
//!   all the votes (both processes' together);
//! - one *disputed* merchant, voted one category by process 0 and another (at another amount)
//!   by process 1: the log is read back in commit order, each vote's category recognised
//!   from the entry it recorded (the category whose amount count grew), and the check is
//!   that the recorded supports run 1, 2, 3, ... (every vote landed on the state holding all
//!   earlier ones: none lost, none applied twice), that each process's votes are all there,
//!   and that one engine replaying the votes in that order gets exactly the stored entry.
//!
//! Each store builds a small worker binary calling [`worker_main`]; its test calls
//! [`two_processes_converge`] (feature `checks`).
//!
//! Usage of the worker: `converge_worker TARGET WORKER VOTES DIR`, where WORKER is 0 or 1 and
//! DIR a folder shared with the other worker (each notes there that it is done).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::json;
use xspense::memory::AliasEntry;
use xspense::store::{snapshot, EngineStateStore, SharedEngine};
use xspense::{Engine, Transaction};

/// The tenant both processes vote on.
pub const TENANT: &str = "converge";
/// Merchants both processes vote the same category for, at the same amount.
pub const AGREEING: [(&str, &str, i64); 3] = [
    ("BLUE BOTTLE", "food.coffee", 475),
    ("SHELL OIL 42", "transport.fuel", 4_000),
    ("UBER TRIP", "transport.taxi", 1_800),
];
/// The merchant the processes disagree on: process `w` votes `DISPUTED_VOTES[w]`.
pub const DISPUTED: &str = "CORNER CAFE";
/// (category, amount) of each process's votes for [`DISPUTED`].
pub const DISPUTED_VOTES: [(&str, i64); 2] = [("food.coffee", 450), ("food.restaurants", 2_500)];
/// How long a worker waits for the other to finish its votes.
const DONE_DEADLINE: Duration = Duration::from_secs(240);
const DONE_POLL: Duration = Duration::from_millis(10);

/// Vote `i` of process `worker`: descriptor, category, amount in cents.
pub fn vote(worker: usize, i: usize) -> (&'static str, &'static str, i64) {
    let slot = i % (AGREEING.len() + 1);
    match AGREEING.get(slot) {
        Some(&(merchant, category, minor)) => (merchant, category, minor),
        None => {
            let (category, minor) = DISPUTED_VOTES[worker % DISPUTED_VOTES.len()];
            (DISPUTED, category, minor)
        }
    }
}

/// A transaction of the test tenant.
pub fn transaction(descriptor: &str, minor: i64) -> Transaction {
    serde_json::from_value(json!({
        "id": "tx1", "tenant": TENANT, "descriptor": descriptor,
        "amount": {"minor": minor, "currency": "USD"}, "direction": "debit",
        "date": "2026-11-02"
    }))
    .expect("a valid transaction")
}

/// The alias entries of `tenant` in `engine`.
pub fn aliases(engine: &Engine, tenant: &str) -> Result<BTreeMap<String, AliasEntry>, String> {
    let text = engine
        .export_snapshot(Some(tenant))
        .map_err(|e| e.to_string())?;
    let mut payload = snapshot::decode(&text).map_err(|e| e.to_string())?;
    Ok(payload
        .tenants
        .remove(tenant)
        .map(|t| t.aliases)
        .unwrap_or_default())
}

fn done_file(dir: &Path, worker: usize) -> std::path::PathBuf {
    dir.join(format!("converge-{worker}.done"))
}

/// Notes that `worker` is done and waits until every worker is.
fn finish_together(dir: &Path, worker: usize) -> Result<(), String> {
    let mine = done_file(dir, worker);
    std::fs::write(&mine, b"done").map_err(|e| format!("{}: {e}", mine.display()))?;
    let started = Instant::now();
    while !(0..DISPUTED_VOTES.len()).all(|w| done_file(dir, w).exists()) {
        if started.elapsed() > DONE_DEADLINE {
            return Err("the other worker did not finish in time".into());
        }
        std::thread::sleep(DONE_POLL);
    }
    Ok(())
}

fn run(
    args: &[String],
    target: &str,
    open: impl FnOnce(&str) -> Result<Arc<dyn EngineStateStore>, String>,
) -> Result<(), String> {
    let [db, worker, votes, dir] = args else {
        return Err(format!("usage: converge_worker {target} WORKER VOTES DIR"));
    };
    let worker: usize = worker.parse().map_err(|e| format!("WORKER: {e}"))?;
    let votes: usize = votes.parse().map_err(|e| format!("VOTES: {e}"))?;
    let mut shared = SharedEngine::new(Engine::new(), open(db)?);
    let started = Instant::now();
    let mut runs = 0;
    for i in 0..votes {
        let (descriptor, category, minor) = vote(worker, i);
        let tx = transaction(descriptor, minor);
        let ((), report) = shared
            .run_counted(TENANT, |e| e.feedback(&tx, category))
            .map_err(|e| format!("vote {i}: {e}"))?;
        runs += report.runs;
    }
    let voting = started.elapsed();
    finish_together(Path::new(dir), worker)?;
    let seq = shared.refresh(TENANT).map_err(|e| e.to_string())?;
    let report = json!({
        "worker": worker,
        "votes": votes,
        "runs": runs,
        "voting_ms": voting.as_millis() as u64,
        "seq": seq,
        "aliases": aliases(shared.engine(), TENANT)?,
    });
    println!("{report}");
    Ok(())
}

/// The worker's `main`: reads the arguments, opens the store with `open` (given TARGET, named
/// `target` in the usage line), votes, waits for the other worker, reads on and prints a
/// JSON line: its runs (votes plus re-runs after a stale append), sequence and alias state.
pub fn worker_main(
    target: &str,
    open: impl FnOnce(&str) -> Result<Arc<dyn EngineStateStore>, String>,
) -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args, target, open) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("converge_worker: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(feature = "checks")]
pub use harness::two_processes_converge;

#[cfg(feature = "checks")]
mod harness {
    use std::collections::BTreeMap;
    use std::ffi::OsStr;
    use std::path::Path;
    use std::process::{Command, Stdio};
    use std::time::Instant;

    use xspense::memory::AliasEntry;
    use xspense::store::{Change, EngineStateStore};
    use xspense::Engine;

    use super::{aliases, transaction, vote, AGREEING, DISPUTED, DISPUTED_VOTES, TENANT};

    /// Runs two `worker` processes (a converge worker binary, given `target`: what its store
    /// opens) casting `votes` feedback votes each on one tenant of `store` (empty) at the
    /// same time, and checks both converged to the state the rule gives with no vote lost
    /// (see the module docs). Returns the total runs (votes plus re-runs).
    pub fn two_processes_converge(
        store: &dyn EngineStateStore,
        worker: &Path,
        target: &OsStr,
        dir: &Path,
        votes: usize,
    ) -> usize {
        let started = Instant::now();
        let children: Vec<_> = (0..DISPUTED_VOTES.len())
            .map(|w| {
                Command::new(worker)
                    .arg(target)
                    .arg(w.to_string())
                    .arg(votes.to_string())
                    .arg(dir)
                    .stdout(Stdio::piped())
                    .spawn()
                    .expect("start a converge worker")
            })
            .collect();
        let reports: Vec<serde_json::Value> = children
            .into_iter()
            .map(|c| {
                let out = c.wait_with_output().unwrap();
                assert!(out.status.success(), "a worker failed: {}", out.status);
                serde_json::from_slice(&out.stdout).expect("a worker's JSON report")
            })
            .collect();
        let elapsed = started.elapsed();

        let load = store.load(TENANT).unwrap();
        let mut stored = Engine::new();
        load.apply_to(&mut stored).unwrap();
        let stored_aliases = aliases(&stored, TENANT).unwrap();
        let stored_json = serde_json::to_value(&stored_aliases).unwrap();
        for r in &reports {
            assert_eq!(
                r["seq"].as_u64(),
                Some(load.seq),
                "a worker read on to the end"
            );
            assert_eq!(
                r["aliases"], stored_json,
                "both workers converged to the store"
            );
        }

        agreeing_merchants_hold_every_vote(&stored_aliases, votes);
        disputed_merchant_holds_every_vote_in_commit_order(&load.changes, &stored_aliases, votes);

        let runs: usize = reports
            .iter()
            .map(|r| r["runs"].as_u64().unwrap_or(0) as usize)
            .sum();
        eprintln!(
            "converge: 2 x {votes} votes in {elapsed:?}, {runs} runs ({} re-runs after a \
             stale append), {} changes; per worker: {}",
            runs - 2 * votes,
            load.seq,
            reports
                .iter()
                .map(|r| format!("{} ms", r["voting_ms"]))
                .collect::<Vec<_>>()
                .join(", ")
        );
        runs
    }

    /// Every alias key of `descriptor` (merchant and detail keys).
    fn keys_of(engine: &Engine, descriptor: &str) -> Vec<String> {
        let mut probe = engine.clone();
        probe
            .feedback(&transaction(descriptor, 100), "food.coffee")
            .unwrap();
        let mut keys: Vec<String> = probe
            .drain_changes()
            .into_iter()
            .filter_map(|c| match c {
                Change::AliasLearned { key, .. } => Some(key),
                _ => None,
            })
            .collect();
        keys.sort();
        keys
    }

    /// The agreeing merchants' entries equal one engine's after all the votes, in any order.
    fn agreeing_merchants_hold_every_vote(stored: &BTreeMap<String, AliasEntry>, votes: usize) {
        let mut alone = Engine::new();
        for w in 0..DISPUTED_VOTES.len() {
            for i in 0..votes {
                let (descriptor, category, minor) = vote(w, i);
                if descriptor != DISPUTED {
                    alone
                        .feedback(&transaction(descriptor, minor), category)
                        .unwrap();
                }
            }
        }
        let expected = aliases(&alone, TENANT).unwrap();
        for (descriptor, _, _) in AGREEING {
            for key in keys_of(&Engine::new(), descriptor) {
                assert_eq!(stored.get(&key), expected.get(&key), "alias {key:?}");
            }
        }
    }

    /// The category a vote recorded as `entry` was for: the one whose amount count grew.
    fn voted_category(before: Option<&AliasEntry>, entry: &AliasEntry) -> String {
        let count = |e: Option<&AliasEntry>, c: &str| {
            e.and_then(|e| e.amounts.get(c)).map_or(0, |a| a.count)
        };
        let grown: Vec<&String> = entry
            .amounts
            .keys()
            .filter(|c| count(Some(entry), c) > count(before, c))
            .collect();
        assert_eq!(grown.len(), 1, "one category per vote: {entry:?}");
        grown[0].clone()
    }

    /// The disputed merchant's recorded supports run 1, 2, 3, ...; each process's votes are
    /// all there; one engine replaying them in commit order gets the stored entries.
    fn disputed_merchant_holds_every_vote_in_commit_order(
        log: &[Change],
        stored: &BTreeMap<String, AliasEntry>,
        votes: usize,
    ) {
        let plain = Engine::new();
        let key = plain.normalize(DISPUTED).key.to_string();
        let mut before: Option<&AliasEntry> = None;
        let mut order = Vec::new();
        for change in log {
            let Change::AliasLearned { key: k, entry, .. } = change else {
                continue;
            };
            if *k != key {
                continue;
            }
            assert_eq!(
                entry.support as usize,
                order.len() + 1,
                "vote {} of {key:?} landed on the state of all earlier ones",
                order.len() + 1
            );
            order.push(voted_category(before, entry));
            before = Some(entry);
        }
        let per_worker = (0..votes).filter(|&i| vote(0, i).0 == DISPUTED).count();
        for (category, _) in DISPUTED_VOTES {
            let n = order.iter().filter(|c| *c == category).count();
            assert_eq!(n, per_worker, "every vote for {category} counted");
        }
        let mut alone = Engine::new();
        for category in &order {
            let minor = DISPUTED_VOTES
                .iter()
                .find(|(c, _)| c == category)
                .map_or(0, |(_, m)| *m);
            alone
                .feedback(&transaction(DISPUTED, minor), category)
                .unwrap();
        }
        let expected = aliases(&alone, TENANT).unwrap();
        for k in keys_of(&plain, DISPUTED) {
            assert_eq!(
                stored.get(&k),
                expected.get(&k),
                "alias {k:?} in commit order"
            );
        }
    }
}
