//! Migrations: applied once, recorded in `schema_migrations`, checked at connect.

mod common;

use common::TestDb;
use xspense_postgres::{migrate, Error, PgAuditLog, PgLimitStore, PgTaskStore, LATEST};

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
