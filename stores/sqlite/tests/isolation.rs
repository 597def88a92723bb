//! Tenant A cannot see tenant B's rows through any API of the crate.

use serde_json::json;
use xspense::audit::AuditAction;
use xspense::limits::{Quota, RateLimiter};
use xspense::tasks::{NewTask, TaskStore};
use xspense::{Engine, ErrorCode};
use xspense_sqlite::{
    NewAuditEntry, Options, SqliteAuditLog, SqliteEngineState, SqliteLimitStore, SqliteTaskStore,
};

#[test]
fn tenant_a_cannot_see_tenant_b_in_one_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    let now = 1_000_000;

    let tasks = SqliteTaskStore::open(&path).unwrap();
    let b_task = tasks
        .enqueue(
            NewTask::new("b", "q", "work", json!({"secret": 1})).idempotency_key("k"),
            now,
        )
        .unwrap()
        .task;
    assert_eq!(
        tasks.get("a", &b_task.id).unwrap_err().code(),
        ErrorCode::NotFound
    );
    let a = tasks
        .enqueue(
            NewTask::new("a", "q", "work", json!({})).idempotency_key("k"),
            now,
        )
        .unwrap();
    assert!(a.created, "a's key does not find b's task");
    assert_ne!(a.task.payload, b_task.payload);

    let audit = SqliteAuditLog::open_with(&path, Options::default(), None).unwrap();
    audit
        .append(
            "b",
            NewAuditEntry {
                at: now,
                actor: "api".into(),
                action: AuditAction::Other,
                subject: "b-secret".into(),
                old: None,
                new: None,
            },
        )
        .unwrap();
    assert!(audit.entries("a").unwrap().is_empty());
    assert_eq!(audit.verify("a").unwrap(), 0);

    let state = SqliteEngineState::open(&path).unwrap();
    let mut e = Engine::new();
    e.add_category("b", "fun.coffee", "Coffee", None).unwrap();
    state.append("b", 0, &e.drain_changes()).unwrap();
    let load = state.load("a").unwrap();
    assert!(load.changes.is_empty() && load.snapshot.is_none() && load.seq == 0);
    let mut fresh = Engine::new();
    load.apply_to(&mut fresh).unwrap();
    assert!(!fresh.has_category("a", "fun.coffee"));
    assert!(!fresh.tenants().contains(&"b".to_string()));

    let limiter = RateLimiter::new(
        Quota::per_minute(1, 1).unwrap(),
        SqliteLimitStore::open(&path).unwrap(),
    );
    assert!(limiter.check("b", "r", now).unwrap().allowed);
    assert!(!limiter.check("b", "r", now).unwrap().allowed);
    assert!(
        limiter.check("a", "r", now).unwrap().allowed,
        "b's spending is not a's"
    );
}
