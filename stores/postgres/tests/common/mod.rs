//! Test databases: each test creates its own database (a unique name) on the server at
//! `$XSPENSE_TEST_DATABASE_URL`, migrates it, and drops it when done. Without that variable
//! the tests fail, naming the script that starts a throwaway server.

#![allow(dead_code)] // each test file uses a part

use std::sync::atomic::{AtomicUsize, Ordering};

use postgres::{Client, NoTls};

/// The variable naming the test server.
pub const URL_VAR: &str = "XSPENSE_TEST_DATABASE_URL";

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// The server's URL (a role that may create databases and roles).
pub fn server_url() -> String {
    std::env::var(URL_VAR).unwrap_or_else(|_| {
        panic!(
            "{URL_VAR} is not set: these tests need a PostgreSQL server. Run \
             scripts/test-postgres.sh, which starts a throwaway one (or set {URL_VAR} to \
             postgresql://USER@HOST:PORT/postgres, a role that may create databases and roles)"
        )
    })
}

/// `url` with its database name replaced by `db`.
pub fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, format!("?{q}")),
        None => (url, String::new()),
    };
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    format!("{}/{db}{query}", &base[..host_end])
}

/// A migrated database of its own, dropped with this value.
pub struct TestDb {
    pub name: String,
    pub url: String,
}

impl TestDb {
    /// A new, empty database (not migrated).
    pub fn empty() -> TestDb {
        let server = server_url();
        let name = format!(
            "xspense_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos())
        );
        let mut admin = Client::connect(&server, NoTls).expect("connect to the test server");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create a test database");
        let url = with_database(&server, &name);
        TestDb { name, url }
    }

    /// A new database migrated to the latest schema.
    pub fn new() -> TestDb {
        let db = TestDb::empty();
        xspense_postgres::migrate(&db.url).expect("migrate");
        db
    }

    /// A connection as the owner (superuser in the test cluster: bypasses row-level security).
    pub fn owner(&self) -> Client {
        Client::connect(&self.url, NoTls).expect("connect as owner")
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = Client::connect(&server_url(), NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}
