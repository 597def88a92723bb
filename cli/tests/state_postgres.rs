//! `xspense categorize --state postgres://...`: the engine state in a PostgreSQL database
//! (feature `server-tests`, run by scripts/test-postgres.sh, which starts a throwaway server
//! and names it in `$XSPENSE_TEST_DATABASE_URL`).

use std::process::{Command, Output};

use postgres::{Client, NoTls};
use xspense::Engine;

const URL_VAR: &str = "XSPENSE_TEST_DATABASE_URL";

const BANK: &str = "Date,Description,Amount
2026-01-04,TESCO STORES 3297 LONDON GB,-45.10
2026-01-18,UBER TRIP HELP.UBER.COM,-23.40
";

/// A migrated database of its own on the test server, dropped with this value.
struct TestDb {
    server: String,
    name: String,
    url: String,
}

impl TestDb {
    fn new() -> TestDb {
        let server = std::env::var(URL_VAR).unwrap_or_else(|_| {
            panic!("{URL_VAR} is not set: run scripts/test-postgres.sh, which starts a server")
        });
        let name = format!("xspense_cli_test_{}", std::process::id());
        let mut admin = Client::connect(&server, NoTls).expect("connect to the test server");
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .expect("drop a leftover test database");
        admin
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .expect("create a test database");
        let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
        let url = format!("{base}/{name}");
        xspense_stores::migrate(&url).expect("migrate");
        TestDb { server, name, url }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut admin) = Client::connect(&self.server, NoTls) {
            let _ = admin.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

fn xspense(args: &[&str]) -> Output {
    let o = Command::new(env!("CARGO_BIN_EXE_xspense"))
        .args(args)
        .output()
        .expect("binary runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    o
}

#[test]
fn rules_saved_in_postgres_are_used_by_the_next_run_and_runs_at_once_keep_both_tenants() {
    let db = TestDb::new();
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("bank.csv");
    std::fs::write(&csv, BANK).unwrap();
    let rules = dir.path().join("rules.txt");
    std::fs::write(&rules, "merchant contains \"uber\" => food.other\n").unwrap();
    let csv = csv.to_str().unwrap();
    let rules = rules.to_str().unwrap();
    xspense(&[
        "categorize",
        csv,
        "--rules",
        rules,
        "--tenant",
        "alice",
        "--state",
        &db.url,
    ]);
    // the next run has no --rules: the stored rule still decides
    let o = xspense(&["categorize", csv, "--tenant", "alice", "--state", &db.url]);
    let out = String::from_utf8_lossy(&o.stdout);
    let uber = out.lines().find(|l| l.contains("UBER")).unwrap();
    assert!(uber.contains("food.other"), "{out}");
    // another tenant at the same time, through two processes
    let runs: Vec<_> = ["bob", "carol"]
        .into_iter()
        .map(|tenant| {
            Command::new(env!("CARGO_BIN_EXE_xspense"))
                .args(["categorize", csv, "--rules", rules, "--tenant", tenant])
                .args(["--state", &db.url])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("binary runs")
        })
        .collect();
    for run in runs {
        let o = run.wait_with_output().unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let store = xspense_stores::Stores::open(&db.url).unwrap();
    for tenant in ["alice", "bob", "carol"] {
        let mut engine = Engine::new();
        store
            .state
            .load(tenant)
            .unwrap()
            .apply_to(&mut engine)
            .unwrap();
        assert_eq!(engine.rules(tenant).len(), 1, "{tenant}");
    }
}
