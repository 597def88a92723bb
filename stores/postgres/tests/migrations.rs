//! Migrations: applied once, recorded in `schema_migrations`, checked at connect.

mod common;

use common::TestDb;
use xspense_postgres::{
    migrate, Error, PgAuditLog, PgEngineState, PgLimitStore, PgTaskStore, LATEST,
};

#[test]
fn migrating_twice_changes_nothing_and_concurrent_migrations_apply_once() {
    let db = TestDb::empty();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let url = db.url.clone();
            std::thread::spawn(move || migrate(&url).unwrap())
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), LATEST);
    }
    assert_eq!(migrate(&db.url).unwrap(), LATEST);
    let n: i64 = db
        .owner()
        .query_one("SELECT count(*) FROM schema_migrations", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, LATEST);
}

#[test]
fn an_unmigrated_database_is_refused_with_a_typed_error() {
    let db = TestDb::empty();
    let e = PgTaskStore::connect(&db.url).unwrap_err();
    assert!(
        matches!(e, Error::SchemaTooOld { found: 0, known } if known == LATEST),
        "{e}"
    );
    assert!(e.to_string().contains("migrate"), "{e}");
}

#[test]
fn a_schema_from_a_newer_build_is_refused_and_left_alone() {
    let db = TestDb::new();
    db.owner()
        .execute(
            "INSERT INTO schema_migrations (version) VALUES ($1)",
            &[&(LATEST + 1)],
        )
        .unwrap();
    let newer = |e: Error| matches!(e, Error::SchemaTooNew { found, known } if found == LATEST + 1 && known == LATEST);
    assert!(newer(PgTaskStore::connect(&db.url).unwrap_err()));
    assert!(newer(PgLimitStore::connect(&db.url).unwrap_err()));
    assert!(newer(PgAuditLog::connect(&db.url).unwrap_err()));
    assert!(newer(migrate(&db.url).unwrap_err()));
    let core: xspense::Error = PgTaskStore::connect(&db.url).unwrap_err().into();
    assert_eq!(core.code(), xspense::ErrorCode::Internal);
}

/// The migrations before engine state (version 2), applied by hand as an older build did.
const BEFORE_ENGINE_STATE: [&str; 2] = [
    include_str!("../migrations/0001_schema.sql"),
    include_str!("../migrations/0002_audit_verify.sql"),
];

/// The migrations before the task functions (version 4).
const BEFORE_TASK_FUNCTIONS: [&str; 4] = [
    include_str!("../migrations/0001_schema.sql"),
    include_str!("../migrations/0002_audit_verify.sql"),
    include_str!("../migrations/0003_engine_state.sql"),
    include_str!("../migrations/0004_agents.sql"),
];

/// A database with `migrations` applied by hand, as an older build left it; its owner.
fn database_of_an_older_build(migrations: &[&str]) -> (TestDb, postgres::Client) {
    let db = TestDb::empty();
    let mut owner = db.owner();
    owner
        .batch_execute(
            "CREATE TABLE schema_migrations (
                 version    bigint      PRIMARY KEY,
                 applied_at timestamptz NOT NULL DEFAULT now())",
        )
        .unwrap();
    for (i, sql) in migrations.iter().enumerate() {
        owner.batch_execute(sql).unwrap();
        owner
            .execute(
                "INSERT INTO schema_migrations (version) VALUES ($1)",
                &[&(i as i64 + 1)],
            )
            .unwrap();
    }
    (db, owner)
}

#[test]
fn a_database_of_the_previous_version_gains_engine_state_and_keeps_its_rows() {
    let (db, mut owner) = database_of_an_older_build(&BEFORE_ENGINE_STATE);
    owner
        .batch_execute("INSERT INTO rate_limits (tenant, key, tat) VALUES ('alice', 'r', 42)")
        .unwrap();
    let absent: bool = owner
        .query_one("SELECT to_regclass('engine_changes') IS NULL", &[])
        .unwrap()
        .get(0);
    assert!(absent, "version 2 has no engine state");
    assert_eq!(migrate(&db.url).unwrap(), LATEST);
    let tat: i64 = owner
        .query_one("SELECT tat FROM rate_limits WHERE tenant = 'alice'", &[])
        .unwrap()
        .get(0);
    assert_eq!(tat, 42);
    engine_state_works(&db.url);
}

#[test]
fn an_empty_database_gains_engine_state() {
    let db = TestDb::empty();
    assert_eq!(migrate(&db.url).unwrap(), LATEST);
    engine_state_works(&db.url);
}

/// An append, a load and the notification on the engine-state tables.
fn engine_state_works(url: &str) {
    use xspense::store::Appended;
    let state = PgEngineState::connect(url).unwrap();
    let mut listener = state.listen().unwrap();
    let mut engine = xspense::Engine::new();
    engine
        .add_rules("alice", "merchant contains \"tesco\" => food.groceries\n")
        .unwrap();
    let changes = engine.drain_changes();
    assert_eq!(state.append("alice", 0, &changes).unwrap(), Appended::At(1));
    assert_eq!(state.load("alice").unwrap().changes, changes);
    let heard = listener.wait(std::time::Duration::from_secs(5)).unwrap();
    assert!(heard.contains("alice"));
}

#[test]
fn a_task_claimed_before_the_task_functions_is_completed_after_them() {
    use xspense::tasks::{TaskStatus, TaskStore};
    let (db, mut owner) = database_of_an_older_build(&BEFORE_TASK_FUNCTIONS);
    // in flight when the older build stopped: claimed by w1 until far ahead, one pending
    owner
        .batch_execute(
            "INSERT INTO tasks (tenant, queue, sender, intent, payload, priority, run_at,
                 attempts, max_attempts, status, lease_owner, lease_expires_at, created_at,
                 updated_at)
             VALUES ('alice', 'q', 'app', 'categorize', '{}', 0, 1, 1, 3, 'claimed', 'w1',
                     9000000000000, 1, 1),
                    ('alice', 'q', 'app', 'categorize', '{}', 0, 1, 0, 3, 'pending', NULL,
                     NULL, 1, 1)",
        )
        .unwrap();
    assert_eq!(migrate(&db.url).unwrap(), LATEST);
    let store = PgTaskStore::connect(&db.url).unwrap();
    let next = store.claim("q", "w2", 60_000, 10).unwrap().unwrap();
    assert_eq!(next.id, "task_000000000001");
    store
        .complete(
            "alice",
            "task_000000000000",
            "w1",
            serde_json::json!("ok"),
            20,
        )
        .unwrap();
    let done = store.get("alice", "task_000000000000").unwrap();
    assert_eq!(done.status, TaskStatus::Completed);
    assert_eq!(store.stats(30).unwrap().completed_total, 1);
}
