//! Schema versions: a new file is migrated at open, a newer one is refused.

use rusqlite::Connection;
use xspense_sqlite::migrations::{version, LATEST};
use xspense_sqlite::{Error, SqliteEngineState, SqliteTaskStore};

#[test]
fn open_migrates_once_and_refuses_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    SqliteTaskStore::open(&path).unwrap();
    SqliteEngineState::open(&path).unwrap();
    let raw = Connection::open(&path).unwrap();
    assert_eq!(version(&raw).unwrap(), LATEST);
    let mode: String = raw
        .pragma_query_value(None, "journal_mode", |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");

    raw.pragma_update(None, "user_version", LATEST + 1).unwrap();
    let e = SqliteTaskStore::open(&path).unwrap_err();
    assert!(
        matches!(e, Error::SchemaTooNew { found, known } if found == LATEST + 1 && known == LATEST),
        "{e}"
    );
    assert!(e.to_string().contains("newer"), "{e}");
}

#[test]
fn a_file_that_is_not_a_database_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("x.db");
    std::fs::write(
        &path,
        b"this is not a database, just text long enough to look like one",
    )
    .unwrap();
    assert!(matches!(
        SqliteTaskStore::open(&path),
        Err(Error::Sqlite(_))
    ));
}
