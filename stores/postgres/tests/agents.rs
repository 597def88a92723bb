//! The agent registry on PostgreSQL: the shared checks of
//! `xspense_store_conformance::agents`, and what a tenant's transaction may see of it.

mod common;

use std::sync::Arc;

use common::TestDb;
use xspense::tasks::{AgentRegistry, NewAgent};
use xspense_postgres::{PgAgentRegistry, PgTaskStore};
use xspense_store_conformance::agents;

#[test]
fn the_postgres_registry_passes_the_agent_checks() {
    let dbs = std::sync::Mutex::new(Vec::new());
    agents::all(|| {
        let db = TestDb::new();
        let pair = (
            Arc::new(PgTaskStore::connect(&db.url).unwrap()),
            Arc::new(PgAgentRegistry::connect(&db.url).unwrap()),
        );
        dbs.lock().unwrap().push(db);
        pair
    });
}

#[test]
fn a_tenants_role_sees_no_agent() {
    let db = TestDb::new();
    let r = PgAgentRegistry::connect(&db.url).unwrap();
    r.register(NewAgent::new("w1", ["q"]), 1).unwrap();
    let mut owner = db.owner();
    let mut tx = owner.transaction().unwrap();
    tx.batch_execute("SET LOCAL ROLE xspense_app").unwrap();
    let e = tx.query("SELECT id FROM agents", &[]).unwrap_err();
    assert_eq!(
        e.code(),
        Some(&postgres::error::SqlState::INSUFFICIENT_PRIVILEGE),
        "{e:?}"
    );
}
