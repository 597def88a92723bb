//! The core's `EngineStateStore` behaviour on any store: loads, optimistic appends, reading
//! on by sequence, compaction, tenants kept apart, and [`xspense::store::SharedEngine`]s on
//! threads losing no vote. Each store's tests call [`engine_state_behaves`] with a function
//! that opens a new handle on one database (a process's connection); every check uses
//! tenants of its own, so one database serves them all.

use std::sync::Arc;

use serde_json::json;
use xspense::store::{Appended, EngineStateStore, SharedEngine};
use xspense::{Engine, Transaction};

const TESCO: &str = "merchant contains \"tesco\" => food.groceries\n";
const UBER: &str = "merchant contains \"uber\" => transport.taxi\n";
/// Feedback votes per thread in [`threads_lose_no_vote`].
const THREAD_VOTES: usize = 60;
const THREADS: usize = 2;

/// Opens a new handle on the store under test.
pub type Open<'a> = &'a dyn Fn() -> Arc<dyn EngineStateStore>;

/// A card transaction of `tenant` at `descriptor` for `minor` cents.
pub fn transaction(tenant: &str, descriptor: &str, minor: i64) -> Transaction {
    serde_json::from_value(json!({
        "id": "tx1", "tenant": tenant, "descriptor": descriptor,
        "amount": {"minor": minor, "currency": "USD"}, "direction": "debit",
        "date": "2026-11-02"
    }))
    .expect("a valid transaction")
}

/// The engine changes `rules` adds to `tenant`.
fn rule_changes(tenant: &str, rules: &str) -> Vec<xspense::store::Change> {
    let mut e = Engine::new();
    e.add_rules(tenant, rules).unwrap();
    e.drain_changes()
}

/// Runs every check.
pub fn engine_state_behaves(open: Open<'_>) {
    an_unknown_tenant_is_empty_and_appends_follow_the_sequence(&*open());
    a_stale_append_writes_nothing(&*open());
    changes_after_reads_on_and_says_when_it_cannot(&*open());
    compaction_keeps_the_state_and_the_sequence(&*open());
    tenants_are_kept_apart(&*open());
    threads_lose_no_vote(open);
}

/// Load of an unknown tenant; two appends; the load holds both in order.
pub fn an_unknown_tenant_is_empty_and_appends_follow_the_sequence(store: &dyn EngineStateStore) {
    let t = "conf-seq";
    let empty = store.load(t).unwrap();
    assert_eq!((empty.seq, empty.snapshot_seq), (0, 0));
    assert!(empty.snapshot.is_none() && empty.changes.is_empty());
    let first = rule_changes(t, TESCO);
    assert_eq!(store.append(t, 0, &first).unwrap(), Appended::At(1));
    let second = rule_changes(t, &format!("{TESCO}{UBER}"))[1..].to_vec();
    assert_eq!(store.append(t, 1, &second).unwrap(), Appended::At(2));
    let load = store.load(t).unwrap();
    assert_eq!(load.seq, 2);
    assert_eq!(load.changes, [first, second].concat());
    let mut e = Engine::new();
    load.apply_to(&mut e).unwrap();
    assert_eq!(e.rules(t).len(), 2);
}

/// An append after an old sequence is refused whole and reports the latest.
pub fn a_stale_append_writes_nothing(store: &dyn EngineStateStore) {
    let t = "conf-stale";
    let changes = rule_changes(t, &format!("{TESCO}{UBER}"));
    assert_eq!(store.append(t, 0, &changes[..1]).unwrap(), Appended::At(1));
    assert_eq!(
        store.append(t, 0, &changes[1..]).unwrap(),
        Appended::Stale { actual: 1 }
    );
    assert_eq!(
        store.append(t, 5, &changes[1..]).unwrap(),
        Appended::Stale { actual: 1 }
    );
    assert_eq!(store.load(t).unwrap().changes, changes[..1]);
}

/// `changes_after` gives the changes after a sequence, none at the head, and `None` before a
/// snapshot or beyond the head.
pub fn changes_after_reads_on_and_says_when_it_cannot(store: &dyn EngineStateStore) {
    let t = "conf-after";
    let changes = rule_changes(t, &format!("{TESCO}{UBER}"));
    assert_eq!(store.changes_after(t, 0).unwrap(), Some(Vec::new()));
    assert_eq!(store.changes_after(t, 1).unwrap(), None);
    assert_eq!(store.append(t, 0, &changes).unwrap(), Appended::At(2));
    assert_eq!(store.changes_after(t, 0).unwrap(), Some(changes.clone()));
    assert_eq!(
        store.changes_after(t, 1).unwrap(),
        Some(changes[1..].to_vec())
    );
    assert_eq!(store.changes_after(t, 2).unwrap(), Some(Vec::new()));
    assert_eq!(store.changes_after(t, 3).unwrap(), None);
    store
        .compact(t, 1, &{
            let mut at1 = Engine::new();
            at1.apply_changes(&changes[..1]).unwrap();
            at1.export_snapshot(Some(t)).unwrap()
        })
        .unwrap();
    assert_eq!(store.changes_after(t, 0).unwrap(), None);
    assert_eq!(
        store.changes_after(t, 1).unwrap(),
        Some(changes[1..].to_vec())
    );
    let load = store.load(t).unwrap();
    assert_eq!((load.snapshot_seq, load.seq, load.changes.len()), (1, 2, 1));
}

/// A snapshot replaces the changes it holds; the sequence goes on; a snapshot beyond the
/// head or older than the stored one is refused.
pub fn compaction_keeps_the_state_and_the_sequence(store: &dyn EngineStateStore) {
    let t = "conf-compact";
    let changes = rule_changes(t, &format!("{TESCO}{UBER}"));
    assert_eq!(store.append(t, 0, &changes).unwrap(), Appended::At(2));
    let mut e = Engine::new();
    e.apply_changes(&changes).unwrap();
    let snap = e.export_snapshot(Some(t)).unwrap();
    let err = store.compact(t, 3, &snap).unwrap_err();
    assert_eq!(err.code().as_str(), "invalid_input");
    store.compact(t, 2, &snap).unwrap();
    let load = store.load(t).unwrap();
    assert_eq!((load.snapshot_seq, load.seq), (2, 2));
    assert!(load.changes.is_empty());
    assert_eq!(load.snapshot.as_deref(), Some(snap.as_str()));
    let err = store.compact(t, 1, &snap).unwrap_err();
    assert_eq!(err.code().as_str(), "conflict");
    // appends go on after the snapshot
    let more = rule_changes(t, "merchant contains \"shell\" => transport.fuel\n");
    assert_eq!(
        store.append(t, 1, &more).unwrap(),
        Appended::Stale { actual: 2 }
    );
    assert_eq!(store.append(t, 2, &more).unwrap(), Appended::At(3));
    let mut again = Engine::new();
    store.load(t).unwrap().apply_to(&mut again).unwrap();
    assert_eq!(again.rules(t).len(), 3);
}

/// Changes or a snapshot of another tenant are refused; one tenant's log is not another's.
pub fn tenants_are_kept_apart(store: &dyn EngineStateStore) {
    let (a, b) = ("conf-a", "conf-b");
    let changes = rule_changes(a, TESCO);
    assert_eq!(
        store.append(b, 0, &changes).unwrap_err().code().as_str(),
        "invalid_input"
    );
    assert_eq!(store.append(a, 0, &changes).unwrap(), Appended::At(1));
    assert_eq!(store.load(b).unwrap().seq, 0);
    assert_eq!(store.changes_after(b, 0).unwrap(), Some(Vec::new()));
    let mut e = Engine::new();
    e.apply_changes(&changes).unwrap();
    let snap = e.export_snapshot(Some(a)).unwrap();
    assert!(store.compact(b, 0, &snap).is_err());
    assert_eq!(store.load(b).unwrap().snapshot, None);
}

/// Two [`SharedEngine`]s, each on its own handle and thread, voting on one tenant at once:
/// the stored state is what one engine gets from all the votes.
pub fn threads_lose_no_vote(open: Open<'_>) {
    let t = "conf-threads";
    let merchants = [
        ("BLUE BOTTLE", "food.coffee"),
        ("SHELL OIL 42", "transport.fuel"),
    ];
    let workers: Vec<_> = (0..THREADS)
        .map(|_| {
            let store = open();
            std::thread::spawn(move || {
                let mut shared = SharedEngine::new(Engine::new(), store);
                for i in 0..THREAD_VOTES {
                    let (merchant, category) = merchants[i % merchants.len()];
                    shared
                        .feedback(&transaction(t, merchant, 1250), category)
                        .unwrap();
                }
            })
        })
        .collect();
    for w in workers {
        w.join().unwrap();
    }
    let mut alone = Engine::new();
    for i in 0..THREADS * THREAD_VOTES {
        let (merchant, category) = merchants[(i / THREADS) % merchants.len()];
        alone
            .feedback(&transaction(t, merchant, 1250), category)
            .unwrap();
    }
    let mut stored = Engine::new();
    open().load(t).unwrap().apply_to(&mut stored).unwrap();
    assert_eq!(
        stored.export_snapshot(Some(t)).unwrap(),
        alone.export_snapshot(Some(t)).unwrap()
    );
}
