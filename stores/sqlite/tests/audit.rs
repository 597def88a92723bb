//! The audit log table: the core's chain, append-only, one chain per tenant.

use rusqlite::Connection;
use serde_json::json;
use xspense::audit::AuditAction;
use xspense::{Error as CoreError, ErrorCode};
use xspense_sqlite::{Error, NewAuditEntry, Options, SqliteAuditLog};
use xspense_store_conformance::audit;

fn entry(at: i64, subject: &str) -> NewAuditEntry {
    NewAuditEntry {
        at,
        actor: "user:7".into(),
        action: AuditAction::Correction,
        subject: subject.into(),
        old: Some(json!({"category": "shopping.other"})),
        new: Some(json!({"category": "food.coffee", "note": "card 4111 1111 1111 1111"})),
    }
}

#[test]
fn the_chain_reads_back_and_verifies_with_the_core() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    {
        let log = SqliteAuditLog::open(&path).unwrap();
        for i in 0..5 {
            let e = log.append("alice", entry(i, &format!("tx-{i}"))).unwrap();
            assert_eq!(e.seq, i as u64);
        }
        log.append("bob", entry(9, "tx-b")).unwrap();
    }
    let log = SqliteAuditLog::open(&path).unwrap();
    audit::the_chain_reads_back_and_verifies_with_the_core(
        &|tenant| log.entries(tenant).unwrap(),
        &|tenant| log.verify(tenant).unwrap(),
    );
    let bad = log.append("", entry(1, "x")).unwrap_err();
    assert!(matches!(bad, Error::Core(CoreError::InvalidInput(_))));
}

#[test]
fn rows_cannot_be_changed_or_removed_and_tampering_is_found() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    let log = SqliteAuditLog::open_with(&path, Options::default(), None).unwrap();
    for i in 0..3 {
        log.append("alice", entry(i, "tx")).unwrap();
    }
    let raw = Connection::open(&path).unwrap();
    for sql in [
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 2",
    ] {
        let e = raw.execute(sql, []).unwrap_err();
        assert!(e.to_string().contains("append-only"), "{sql}: {e}");
    }
    // someone who drops the trigger can alter a row; the verifier names it
    raw.execute_batch(
        "DROP TRIGGER audit_log_no_update;
         UPDATE audit_log SET actor = 'mallory' WHERE tenant = 'alice' AND seq = 1;",
    )
    .unwrap();
    let e: CoreError = log.verify("alice").unwrap_err().into();
    assert_eq!(e.code(), ErrorCode::Tampered);
    assert!(matches!(e, CoreError::Tampered { seq: 1, .. }), "{e}");
}

#[test]
fn concurrent_writers_extend_one_chain() {
    const WRITERS: usize = 4;
    const EACH: usize = 25;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("audit.db");
    let handles: Vec<_> = (0..WRITERS)
        .map(|w| {
            let log = SqliteAuditLog::open_with(&path, Options::default(), None).unwrap();
            std::thread::spawn(move || {
                for i in 0..EACH {
                    log.append("alice", entry(i as i64, &format!("w{w}-{i}")))
                        .unwrap();
                }
            })
        })
        .collect();
    for h in handles {
        h.join().unwrap();
    }
    let log = SqliteAuditLog::open_with(&path, Options::default(), None).unwrap();
    assert_eq!(log.verify("alice").unwrap(), WRITERS * EACH);
}
