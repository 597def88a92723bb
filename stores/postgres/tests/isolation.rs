//! Tenant isolation by row-level security, proven in raw SQL: a transaction for tenant A
//! reads and writes none of B's rows, whatever its queries ask for.

mod common;

use common::TestDb;
use postgres::Client;
use serde_json::json;
use xspense::audit::AuditAction;
use xspense::limits::{Quota, RateLimiter};
use xspense::store::Appended;
use xspense::tasks::{NewTask, TaskStore};
use xspense::Engine;
use xspense_postgres::{NewAuditEntry, PgAuditLog, PgEngineState, PgLimitStore, PgTaskStore};

/// Every table of the schema, each with a column to update.
const TABLES: [(&str, &str); 6] = [
    ("tasks", "sender"),
    ("task_counters", "queue"),
    ("rate_limits", "key"),
    ("audit_log", "actor"),
    ("engine_changes", "change"),
    ("engine_snapshots", "snapshot"),
];
/// Tables the application role may not update at all.
const APPEND_ONLY: [&str; 2] = ["audit_log", "engine_changes"];

/// Rows for alice and bob in every table, through the stores.
fn fill(url: &str) {
    let tasks = PgTaskStore::connect(url).unwrap();
    let limits = RateLimiter::new(
        Quota::per_second(1, 1).unwrap(),
        PgLimitStore::connect(url).unwrap(),
    );
    let audit = PgAuditLog::connect(url).unwrap();
    let state = PgEngineState::connect(url).unwrap();
    for tenant in ["alice", "bob"] {
        let mut engine = Engine::new();
        engine
            .add_rules(tenant, "merchant contains \"tesco\" => food.groceries\n")
            .unwrap();
        let changes = engine.drain_changes();
        assert_eq!(state.append(tenant, 0, &changes).unwrap(), Appended::At(1));
        let snapshot = engine.export_snapshot(Some(tenant)).unwrap();
        state.compact(tenant, 1, &snapshot).unwrap();
        assert_eq!(
            state.append(tenant, 1, &changes[..0]).unwrap(),
            Appended::At(1)
        );
        engine
            .add_rules(tenant, "merchant contains \"uber\" => transport.taxi\n")
            .unwrap();
        let more = engine.drain_changes();
        assert_eq!(state.append(tenant, 1, &more).unwrap(), Appended::At(2));
        tasks
            .enqueue(NewTask::new(tenant, "q", "work", json!({})), 0)
            .unwrap();
        let t = tasks.claim("q", "w", 1_000, 0).unwrap().unwrap();
        tasks.complete(&t.tenant, &t.id, "w", json!(1), 1).unwrap();
        limits.check(tenant, "r", 0).unwrap();
        audit
            .append(
                tenant,
                NewAuditEntry {
                    at: 0,
                    actor: "user:1".into(),
                    action: AuditAction::Correction,
                    subject: "tx".into(),
                    old: None,
                    new: None,
                },
            )
            .unwrap();
    }
}

/// Runs `sql` in a transaction as the application role for `tenant` (None: no tenant set);
/// the rows it returns, or the error text.
fn as_tenant(c: &mut Client, tenant: Option<&str>, sql: &str) -> Result<Vec<String>, String> {
    let mut tx = c.transaction().unwrap();
    tx.batch_execute("SET LOCAL ROLE xspense_app").unwrap();
    if let Some(t) = tenant {
        tx.execute("SELECT set_config('xspense.tenant', $1, true)", &[&t])
            .unwrap();
    }
    let out = tx
        .simple_query(sql)
        .map_err(|e| format!("{e:?}"))
        .map(|msgs| {
            msgs.into_iter()
                .filter_map(|m| match m {
                    postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
                    postgres::SimpleQueryMessage::CommandComplete(n) => Some(format!("#{n}")),
                    _ => None,
                })
                .collect()
        });
    tx.rollback().unwrap();
    out
}

#[test]
fn a_transaction_for_one_tenant_never_reaches_another_tenants_rows() {
    let db = TestDb::new();
    fill(&db.url);
    let mut c = db.owner();
    for (table, column) in TABLES {
        // the wrong tenant in the query: nothing comes back
        let sql = format!("SELECT count(*) FROM {table} WHERE tenant = 'bob'");
        assert_eq!(
            as_tenant(&mut c, Some("alice"), &sql).unwrap(),
            ["0", "#1"],
            "{sql}"
        );
        // no filter at all: only the transaction's tenant
        let sql = format!("SELECT DISTINCT tenant FROM {table}");
        assert_eq!(
            as_tenant(&mut c, Some("alice"), &sql).unwrap(),
            ["alice", "#1"],
            "{sql}"
        );
        // no tenant set: nothing
        let sql = format!("SELECT count(*) FROM {table}");
        assert_eq!(as_tenant(&mut c, None, &sql).unwrap(), ["0", "#1"], "{sql}");
        // another tenant's rows cannot be changed (append-only tables: not at all, no grant)
        let sql = format!("UPDATE {table} SET {column} = {column} WHERE tenant = 'bob'");
        let out = as_tenant(&mut c, Some("alice"), &sql);
        if APPEND_ONLY.contains(&table) {
            assert!(out.unwrap_err().contains("permission denied"), "{sql}");
        } else {
            assert_eq!(out.unwrap(), ["#0"], "{sql}");
        }
    }
    // nor written in another tenant's name
    for sql in [
        "INSERT INTO task_counters (tenant, queue) VALUES ('bob', 'x')",
        "INSERT INTO rate_limits (tenant, key, tat) VALUES ('bob', 'x', 0)",
        "INSERT INTO audit_log (tenant, seq, at, actor, action, subject, prev_hash, hash)
             VALUES ('bob', 9, 0, 'a', 'correction', 's', '', '')",
        "INSERT INTO tasks (tenant, queue, sender, intent, payload, priority, run_at, attempts,
             max_attempts, status, created_at, updated_at)
             VALUES ('bob', 'q', 's', 'i', '{}', 0, 0, 0, 1, 'pending', 0, 0)",
        "INSERT INTO engine_changes (tenant, seq, change) VALUES ('bob', 9, '{}')",
        "INSERT INTO engine_snapshots (tenant, seq, snapshot) VALUES ('bob', 9, 'x')",
    ] {
        let e = as_tenant(&mut c, Some("alice"), sql).unwrap_err();
        assert!(e.contains("row-level security"), "{sql}: {e}");
    }
    // compaction deletes changes: only the transaction's tenant's
    assert_eq!(
        as_tenant(
            &mut c,
            Some("alice"),
            "DELETE FROM engine_changes WHERE tenant = 'bob'"
        )
        .unwrap(),
        ["#0"]
    );
    // a setting changed inside the transaction does not outlive it on a pooled connection
    assert_eq!(
        as_tenant(
            &mut c,
            None,
            "SELECT coalesce(current_setting('xspense.tenant', true), '')"
        )
        .unwrap(),
        ["", "#1"]
    );
}

#[test]
fn security_is_forced_on_every_table_and_the_roles_own_nothing() {
    let db = TestDb::new();
    let mut c = db.owner();
    for (table, _) in TABLES {
        let row = c
            .query_one(
                "SELECT c.relrowsecurity, c.relforcerowsecurity, pg_get_userbyid(c.relowner)
                 FROM pg_class c WHERE c.oid = $1::text::regclass",
                &[&table],
            )
            .unwrap();
        let (on, forced, owner): (bool, bool, String) = (row.get(0), row.get(1), row.get(2));
        assert!(on && forced, "{table}");
        assert!(
            !owner.starts_with("xspense_"),
            "{table} is owned by {owner}"
        );
    }
    for role in ["xspense_app", "xspense_worker"] {
        let row = c
            .query_one(
                "SELECT rolsuper, rolbypassrls, rolcanlogin FROM pg_roles WHERE rolname = $1",
                &[&role],
            )
            .unwrap();
        let flags: (bool, bool, bool) = (row.get(0), row.get(1), row.get(2));
        assert_eq!(flags, (false, false, false), "{role}");
    }
}

/// The task functions take their role and tenant for their own transaction only: the
/// connection that called them is itself again afterwards, with no tenant set.
#[test]
fn the_task_functions_leave_no_role_or_tenant_behind() {
    let db = TestDb::new();
    let tasks = PgTaskStore::connect(&db.url).unwrap();
    let t = tasks
        .enqueue(NewTask::new("alice", "q", "work", json!({})), 0)
        .unwrap()
        .task;
    let mut owner = db.owner();
    let before: String = owner.query_one("SELECT current_user", &[]).unwrap().get(0);
    let claimed = owner
        .query("SELECT seq FROM xspense_claim('q', 'w', 1, 0, 1000)", &[])
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let seq: i64 = claimed[0].get(0);
    assert_eq!(seq_of(&t.id), seq);
    let completed: bool = owner
        .query_one("SELECT xspense_complete('alice', $1, 'w', '1', 1)", &[&seq])
        .unwrap()
        .get(0);
    assert!(completed);
    let after = owner
        .query_one(
            "SELECT current_user::text, coalesce(current_setting('xspense.tenant', true), '')",
            &[],
        )
        .unwrap();
    assert_eq!(after.get::<_, String>(0), before);
    assert_eq!(after.get::<_, String>(1), "");
    // and bob's call completes nothing of alice's, even with her task's number
    let again = tasks
        .enqueue(NewTask::new("alice", "q", "work", json!({})), 2)
        .unwrap()
        .task;
    tasks.claim("q", "w", 1_000, 2).unwrap().unwrap();
    let seq = seq_of(&again.id);
    let by_bob: bool = owner
        .query_one("SELECT xspense_complete('bob', $1, 'w', '1', 3)", &[&seq])
        .unwrap()
        .get(0);
    assert!(!by_bob);
    assert_eq!(
        tasks.get("alice", &again.id).unwrap().status,
        xspense::tasks::TaskStatus::Claimed
    );
}

/// The row key in a task id (`task_<seq in hex>`).
fn seq_of(id: &str) -> i64 {
    i64::from_str_radix(id.trim_start_matches("task_"), 16).unwrap()
}
