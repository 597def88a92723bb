//! A database of its own for each benchmark run, on the server `scripts/test-postgres.sh`
//! names (`XSPENSE_TEST_DATABASE_URL`); included by every bench of this crate.

use postgres::{Client, NoTls};

/// The server the benches run against.
pub fn server() -> String {
    std::env::var("XSPENSE_TEST_DATABASE_URL")
        .expect("XSPENSE_TEST_DATABASE_URL: see scripts/test-postgres.sh")
}

/// Creates and migrates database `name` on `server`; returns its URL.
pub fn create(server: &str, name: &str) -> String {
    let mut admin = Client::connect(server, NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let url = match server.rfind('/') {
        Some(i) => format!("{}/{name}", &server[..i]),
        None => panic!("a URL ends with /DATABASE"),
    };
    xspense_postgres::migrate(&url).unwrap();
    url
}

/// Drops database `name` on `server`, disconnecting whoever is still on it.
pub fn drop(server: &str, name: &str) {
    let mut admin = Client::connect(server, NoTls).unwrap();
    admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .unwrap();
}
