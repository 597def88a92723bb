//! The audit log table: the core's chain, append-only (trigger and grants), one chain per
//! tenant, verified through the core's verifier.

mod common;

use common::TestDb;
use serde_json::json;
use xspense::audit::AuditAction;
use xspense::{Error as CoreError, ErrorCode};
use xspense_postgres::{Error, NewAuditEntry, PgAuditLog};
use xspense_store_conformance::audit;

fn entry(at: i64, subject: &str) -> NewAuditEntry {
    NewAuditEntry {
        at,
        actor: "user:7".into(),
        action: AuditAction::Correction,
        subject: subject.into(),
        old: Some(json!({"category": "shopping.other", "amount": 12.30})),
        new: Some(json!({"category": "food.coffee", "note": "card 4111 1111 1111 1111"})),
    }
}

#[test]
fn the_chain_reads_back_and_verifies_with_the_core() {
    let db = TestDb::new();
    {
        let log = PgAuditLog::connect(&db.url).unwrap();
        for i in 0..5 {
            let e = log.append("alice", entry(i, &format!("tx-{i}"))).unwrap();
            assert_eq!(e.seq, i as u64);
        }
        log.append("bob", entry(9, "tx-b")).unwrap();
    }
    let log = PgAuditLog::connect(&db.url).unwrap();
    audit::the_chain_reads_back_and_verifies_with_the_core(
        &|tenant| log.entries(tenant).unwrap(),
        &|tenant| log.verify(tenant).unwrap(),
    );
    assert_eq!(
        log.verify_in_sql("alice").unwrap(),
        None,
        "the server agrees"
    );
    let bad = log.append("", entry(1, "x")).unwrap_err();
    assert!(matches!(bad, Error::Core(CoreError::InvalidInput(_))));
}

#[test]
fn rows_cannot_be_changed_or_removed_and_tampering_is_found() {
    let db = TestDb::new();
    let log = PgAuditLog::connect_with(&db.url, None).unwrap();
    for i in 0..3 {
        log.append("alice", entry(i, "tx")).unwrap();
    }
    let mut owner = db.owner();
    // the owner (a superuser here) is stopped by the trigger
    for sql in [
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 2",
        "TRUNCATE audit_log",
    ] {
        let e = owner.batch_execute(sql).unwrap_err();
        assert!(format!("{e:?}").contains("append-only"), "{sql}: {e:?}");
    }
    // the application role holds no UPDATE or DELETE grant at all
    for sql in [
        "UPDATE audit_log SET actor = 'mallory' WHERE seq = 1",
        "DELETE FROM audit_log WHERE seq = 2",
    ] {
        let e = owner
            .batch_execute(&format!(
                "BEGIN; SET LOCAL ROLE xspense_app; SET LOCAL xspense.tenant = 'alice'; {sql}"
            ))
            .unwrap_err();
        owner.batch_execute("ROLLBACK").unwrap();
        assert!(
            format!("{e:?}").contains("permission denied"),
            "{sql}: {e:?}"
        );
    }
    // someone who drops the trigger can alter a row; the verifier names it
    owner
        .batch_execute(
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
             UPDATE audit_log SET actor = 'mallory' WHERE tenant = 'alice' AND seq = 1;",
        )
        .unwrap();
    let e: CoreError = log.verify("alice").unwrap_err().into();
    assert_eq!(e.code(), ErrorCode::Tampered);
    assert!(matches!(e, CoreError::Tampered { seq: 1, .. }), "{e}");
    assert_eq!(
        log.verify_in_sql("alice").unwrap(),
        Some((1, "altered".to_string()))
    );
}

/// The chain checked in SQL agrees with the core's verifier on every kind of value (text
/// with multi-byte characters, numbers, nested JSON, absent values), and names the same
/// entry when one is removed.
#[test]
fn the_server_computes_the_cores_hash() {
    let db = TestDb::new();
    let log = PgAuditLog::connect_with(&db.url, None).unwrap();
    let values = [
        None,
        Some(json!(null)),
        Some(json!("café ✓ 日本")),
        Some(json!({"a": [1, 2.5, -3e-7, {"b": true}], "z": "\"quoted\"\n"})),
        Some(json!(18_446_744_073_709_551_615u64)),
    ];
    for (i, v) in values.iter().enumerate() {
        log.append(
            "ünïcode tenant",
            NewAuditEntry {
                at: -1_000 + i as i64 * 1_000_000_007,
                actor: "user:ß".into(),
                action: AuditAction::Correction,
                subject: format!("tx-{i}"),
                old: v.clone(),
                new: values[(i + 1) % values.len()].clone(),
            },
        )
        .unwrap();
    }
    assert_eq!(log.verify("ünïcode tenant").unwrap(), values.len());
    assert_eq!(log.verify_in_sql("ünïcode tenant").unwrap(), None);
    db.owner()
        .batch_execute(
            "ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update;
             DELETE FROM audit_log WHERE seq = 2;",
        )
        .unwrap();
    let e: CoreError = log.verify("ünïcode tenant").unwrap_err().into();
    assert!(matches!(e, CoreError::Tampered { seq: 2, .. }), "{e}");
    assert_eq!(
        log.verify_in_sql("ünïcode tenant").unwrap(),
        Some((2, "out of place".to_string()))
    );
}

#[test]
fn concurrent_writers_extend_one_chain() {
    const WRITERS: usize = 4;
    const EACH: usize = 25;
    let db = TestDb::new();
    let handles: Vec<_> = (0..WRITERS)
        .map(|w| {
            let log = PgAuditLog::connect_with(&db.url, None).unwrap();
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
    let log = PgAuditLog::connect_with(&db.url, None).unwrap();
    assert_eq!(log.verify("alice").unwrap(), WRITERS * EACH);
}
