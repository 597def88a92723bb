//! Engine state: change logs, optimistic appends, compaction and the CLI state file.

use xspense::store::Change;
use xspense::{Engine, ErrorCode};
use xspense_sqlite::{Error, SqliteEngineState};

/// An engine with some state for `tenant`, and the changes that made it.
fn worked(tenant: &str) -> (Engine, Vec<Change>) {
    let mut e = Engine::new();
    e.add_category(tenant, "fun.coffee", "Coffee fun", None)
        .unwrap();
    e.add_rules(tenant, r#"merchant contains "blue bottle" => fun.coffee"#)
        .unwrap();
    let changes = e.drain_changes();
    assert!(!changes.is_empty());
    (e, changes)
}

fn loaded(db: &SqliteEngineState, tenant: &str) -> Engine {
    let mut e = Engine::new();
    db.load(tenant).unwrap().apply_to(&mut e).unwrap();
    e
}

#[test]
fn changes_append_load_and_replay_into_the_same_state() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let (engine, changes) = worked("alice");
    {
        let db = SqliteEngineState::open(&path).unwrap();
        assert_eq!(db.load("alice").unwrap().seq, 0);
        assert_eq!(
            db.append("alice", 0, &changes).unwrap(),
            changes.len() as u64
        );
    }
    let db = SqliteEngineState::open(&path).unwrap();
    let load = db.load("alice").unwrap();
    assert_eq!(
        (load.seq, load.changes.len()),
        (changes.len() as u64, changes.len())
    );
    assert_eq!(
        loaded(&db, "alice").export_snapshot(Some("alice")).unwrap(),
        engine.export_snapshot(Some("alice")).unwrap()
    );
}

#[test]
fn a_stale_sequence_is_refused_and_nothing_is_written() {
    let db = SqliteEngineState::in_memory().unwrap();
    let (_, changes) = worked("alice");
    let (first, second) = changes.split_at(1);
    assert_eq!(db.append("alice", 0, first).unwrap(), 1);
    // another writer read sequence 0 too
    let e = db.append("alice", 0, second).unwrap_err();
    assert!(
        matches!(
            e,
            Error::SequenceConflict {
                expected: 0,
                actual: 1,
                ..
            }
        ),
        "{e}"
    );
    assert_eq!(xspense::Error::from(e).code(), ErrorCode::Conflict);
    assert_eq!(db.load("alice").unwrap().changes, first);
    assert_eq!(db.append("alice", 1, second).unwrap(), changes.len() as u64);
    // a change of another tenant is refused
    let (_, bobs) = worked("bob");
    let e = db.append("alice", changes.len() as u64, &bobs).unwrap_err();
    assert!(
        matches!(e, Error::Core(xspense::Error::InvalidInput(_))),
        "{e}"
    );
}

#[test]
fn compaction_replaces_changes_by_a_snapshot() {
    let db = SqliteEngineState::in_memory().unwrap();
    let (engine, changes) = worked("alice");
    let n = changes.len() as u64;
    db.append("alice", 0, &changes).unwrap();
    let snap = engine.export_snapshot(Some("alice")).unwrap();
    db.compact("alice", n, &snap).unwrap();
    let load = db.load("alice").unwrap();
    assert_eq!((load.seq, load.snapshot_seq, load.changes.len()), (n, n, 0));
    // appends go on after the snapshot
    let mut e = loaded(&db, "alice");
    e.add_category("alice", "fun.tea", "Tea", None).unwrap();
    let more = e.drain_changes();
    assert_eq!(db.append("alice", n, &more).unwrap(), n + 1);
    assert_eq!(
        loaded(&db, "alice").export_snapshot(Some("alice")).unwrap(),
        e.export_snapshot(Some("alice")).unwrap()
    );
    // refused: a snapshot of another tenant, of several, beyond the head, or older
    let (bob, _) = worked("bob");
    let both = {
        let mut x = Engine::new();
        x.import_snapshot(&bob.export_snapshot(None).unwrap())
            .unwrap();
        x.import_snapshot(&snap).unwrap();
        x.export_snapshot(None).unwrap()
    };
    for (seq, text) in [
        (n, bob.export_snapshot(Some("bob")).unwrap()),
        (n, both),
        (n + 5, snap.clone()),
        (n - 1, snap.clone()),
    ] {
        assert!(db.compact("alice", seq, &text).is_err(), "at {seq}");
    }
    assert!(db.compact("alice", n, "{}").is_err(), "not a snapshot");
}

#[test]
fn a_cli_state_file_migrates_into_the_database() {
    let dir = tempfile::tempdir().unwrap();
    // what `xspense categorize --state DIR` writes: a snapshot of every tenant
    let mut cli = Engine::new();
    for t in ["alice", "bob"] {
        cli.add_category(t, "fun.coffee", "Coffee fun", None)
            .unwrap();
    }
    cli.add_rules("alice", r#"merchant contains "blue bottle" => fun.coffee"#)
        .unwrap();
    let file = dir.path().join("state.json");
    std::fs::write(&file, cli.export_snapshot(None).unwrap()).unwrap();

    let db = SqliteEngineState::open(dir.path().join("x.db")).unwrap();
    assert_eq!(db.migrate_state_file(&file).unwrap(), ["alice", "bob"]);
    for t in ["alice", "bob"] {
        assert_eq!(
            loaded(&db, t).export_snapshot(Some(t)).unwrap(),
            cli.export_snapshot(Some(t)).unwrap()
        );
    }
    // a second import would overwrite state: refused, nothing written
    let e = db.migrate_state_file(&file).unwrap_err();
    assert_eq!(xspense::Error::from(e).code(), ErrorCode::Conflict);
    // a missing or corrupt file is a typed error
    assert!(matches!(
        db.migrate_state_file(dir.path().join("nope.json")),
        Err(Error::Io { .. })
    ));
    let e = db.import_state_json("{\"format\": \"x\"}").unwrap_err();
    assert_eq!(xspense::Error::from(e).code(), ErrorCode::CorruptSnapshot);
}

/// The engine-state checks every store passes, here on one database file with a handle per
/// caller (as processes have), and on the core's in-memory store for reference.
#[test]
fn the_shared_engine_state_checks_pass() {
    use std::sync::Arc;
    use xspense::store::{EngineStateStore, InMemoryEngineState};
    use xspense_store_conformance::state;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    state::engine_state_behaves(&|| -> Arc<dyn EngineStateStore> {
        Arc::new(SqliteEngineState::open(&path).unwrap())
    });
    let memory: Arc<dyn EngineStateStore> = Arc::new(InMemoryEngineState::new());
    state::engine_state_behaves(&|| memory.clone());
}
