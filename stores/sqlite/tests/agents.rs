//! The agent registry on a SQLite file: the shared checks of
//! `xspense_store_conformance::agents`, beside the task store on the same file.

use std::sync::Arc;

use xspense_sqlite::{SqliteAgentRegistry, SqliteTaskStore};
use xspense_store_conformance::agents;

#[test]
fn the_sqlite_registry_passes_the_agent_checks() {
    let dir = tempfile::tempdir().unwrap();
    let n = std::sync::atomic::AtomicUsize::new(0);
    agents::all(|| {
        let db = dir.path().join(format!(
            "agents-{}.db",
            n.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        (
            Arc::new(SqliteTaskStore::open(&db).unwrap()),
            Arc::new(SqliteAgentRegistry::open(&db).unwrap()),
        )
    });
}

#[test]
fn a_database_of_version_1_gains_the_registry() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("v1.db");
    assert_eq!(xspense_sqlite::migrations::file_version(&db).unwrap(), 0);
    assert_eq!(xspense_sqlite::migrations::migrate_file(&db).unwrap(), 2);
    {
        // back to what version 1 left
        let conn = rusqlite::Connection::open(&db).unwrap();
        conn.execute_batch("DROP TABLE agents; PRAGMA user_version = 1;")
            .unwrap();
    }
    assert_eq!(xspense_sqlite::migrations::file_version(&db).unwrap(), 1);
    let r = SqliteAgentRegistry::open(&db).unwrap();
    assert!(xspense::tasks::AgentRegistry::list(&r).unwrap().is_empty());
    assert_eq!(xspense_sqlite::migrations::file_version(&db).unwrap(), 2);
}
