//! `xspense worker`, `xspense agents` and `xspense db` end to end, on SQLite files: the
//! built-in intents, dead letters, the registry, a graceful stop on SIGTERM, and the kill test
//! driving real `xspense worker` processes.

use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use serde_json::json;
use xspense::clock::{Clock, SystemClock};
use xspense::tasks::{NewTask, TaskStatus, TaskStore};
use xspense_sqlite::SqliteTaskStore;
use xspense_store_conformance::processes::{self, Scale, Workload};

fn xspense(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xspense"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn url(path: &Path) -> String {
    format!("sqlite:{}", path.display())
}

#[test]
fn db_migrate_prints_the_version_and_refuses_a_newer_schema() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("x.db");
    let u = url(&db);
    let o = xspense(&["db", "status", &u]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("schema version 0, needs migrating"),
        "{}",
        text(&o.stdout)
    );
    let o = xspense(&["db", "migrate", &u]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert_eq!(text(&o.stdout), format!("{u}: schema version 2\n"));
    let o = xspense(&["db", "status", &u]);
    assert!(text(&o.stdout).contains("schema version 2, up to date"));
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "user_version", 99)
        .unwrap();
    for cmd in ["migrate", "status"] {
        let o = xspense(&["db", cmd, &u]);
        assert_eq!(o.status.code(), Some(2));
        let err = text(&o.stderr);
        assert!(
            err.contains("schema version 99 is newer than version 2"),
            "{err}"
        );
    }
}

#[test]
fn db_messages_never_show_a_password() {
    // nothing listens on port 9: the connection fails, the message names the URL masked
    let o = xspense(&["db", "migrate", "postgres://app:s3cr3t@127.0.0.1:9/x"]);
    assert_eq!(o.status.code(), Some(2));
    let err = text(&o.stderr);
    assert!(
        !err.contains("s3cr3t") && err.contains("app:***@127.0.0.1:9/x"),
        "{err}"
    );
}

fn tx(id: &str, descriptor: &str) -> serde_json::Value {
    json!({"id": id, "tenant": "ana", "descriptor": descriptor,
           "amount": {"minor": 475, "currency": "USD"}, "direction": "debit",
           "date": "2026-11-02"})
}

#[test]
fn worker_runs_the_built_in_intents_and_dead_letters_unknown_ones() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let store = SqliteTaskStore::open(&db).unwrap();
    let now = SystemClock.now_ms();
    let enqueue = |intent: &str, payload| {
        store
            .enqueue(
                NewTask::new("ana", "q", intent, payload).max_attempts(2),
                now,
            )
            .unwrap()
            .task
            .id
    };
    let one = enqueue("categorize", tx("t1", "NETFLIX.COM"));
    let many = enqueue(
        "categorize",
        json!([tx("a", "UBER TRIP"), tx("b", "SHELL OIL 123")]),
    );
    let redact = enqueue("redact", json!("card 4111 1111 1111 1111, bob@example.com"));
    let unknown = enqueue("summarize", json!({}));
    let o = xspense(&[
        "worker",
        "--store",
        &url(&db),
        "--queue",
        "q",
        "--concurrency",
        "2",
        "--id",
        "w1",
        "--heartbeat",
        "1",
        "--exit-when-idle",
    ]);
    let err = text(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains("3 completed") && err.contains("1 dead"),
        "{err}"
    );
    let get = |id: &str| store.get("ana", id).unwrap();
    assert_eq!(get(&one).result.unwrap()["categorizations"][0]["id"], "t1");
    let t = get(&many);
    assert_eq!(
        t.result.unwrap()["categorizations"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let r = get(&redact).result.unwrap().to_string();
    assert!(!r.contains("4111") && !r.contains("bob@example.com"), "{r}");
    let t = get(&unknown);
    assert_eq!((t.status, t.attempts), (TaskStatus::Dead, 2));
    assert!(t.error.unwrap().contains("unknown intent \"summarize\""));
    // deregistered on exit: listed with --all only
    let live = xspense(&["agents", "--store", &url(&db)]);
    assert_eq!(
        text(&live.stdout).lines().count(),
        1,
        "{}",
        text(&live.stdout)
    );
    let all = xspense(&["agents", "--store", &url(&db), "--all", "--json"]);
    let agent: serde_json::Value = serde_json::from_str(text(&all.stdout).trim()).unwrap();
    assert_eq!(
        (agent["id"].as_str(), agent["status"].as_str()),
        (Some("w1"), Some("gone"))
    );
    assert_eq!(
        agent["intents"],
        json!(["categorize", "feedback", "redact"])
    );
}

#[test]
fn feedback_is_kept_in_the_store_and_categorize_reads_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let store = SqliteTaskStore::open(&db).unwrap();
    let now = SystemClock.now_ms();
    let learn =
        json!({"transaction": tx("t1", "ZORBLAX GADGETS 991"), "category": "shopping.electronics"});
    // the feedback runs first (higher priority, one thread)
    store
        .enqueue(NewTask::new("ana", "q", "feedback", learn).priority(1), now)
        .unwrap();
    let asked = store
        .enqueue(
            NewTask::new("ana", "q", "categorize", tx("t2", "ZORBLAX GADGETS 991")),
            now,
        )
        .unwrap()
        .task
        .id;
    let o = xspense(&[
        "worker",
        "--store",
        &url(&db),
        "--queue",
        "q",
        "--concurrency",
        "1",
        "--exit-when-idle",
    ]);
    assert!(o.status.success(), "{}", text(&o.stderr));
    let result = store.get("ana", &asked).unwrap().result.unwrap();
    let c = &result["categorizations"][0]["categorization"];
    assert_eq!(c["category"], "shopping.electronics", "{result}");
}

#[test]
fn sigterm_stops_the_worker_gracefully() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("w.db");
    let u = url(&db);
    let mut child = Command::new(env!("CARGO_BIN_EXE_xspense"))
        .args(["worker", "--store", &u, "--queue", "q", "--id", "w9"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = Instant::now();
    loop {
        let o = xspense(&["agents", "--store", &u, "--queue", "q"]);
        if text(&o.stdout).contains("w9\tlive") {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "never registered"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // the shell's own `kill`: no procps needed
    Command::new("sh")
        .args(["-c", &format!("kill -TERM {}", child.id())])
        .status()
        .unwrap();
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    let o = xspense(&["agents", "--store", &u, "--all"]);
    assert!(text(&o.stdout).contains("w9\tgone"), "{}", text(&o.stdout));
}

/// Kills `xspense worker` processes at random, `scale` sized, on a fresh SQLite file.
fn kill_test(scale: Scale) {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("kill.db");
    let store = SqliteTaskStore::open(&db).unwrap();
    kill_test_on(&store, &url(&db), dir.path(), scale);
}

/// Kills `xspense worker` processes at random, `scale` sized, on the empty store at `u`.
fn kill_test_on(store: &dyn TaskStore, u: &str, dir: &Path, scale: Scale) {
    let command = |name: &str| {
        let mut c = Command::new(env!("CARGO_BIN_EXE_xspense"));
        c.args([
            "worker",
            "--store",
            u,
            "--queue",
            "chaos",
            "--concurrency",
            "2",
        ])
        .args(["--id", name, "--lease", "30", "--heartbeat", "1"])
        .stderr(Stdio::null());
        c
    };
    let workload = Workload::Intents { command: &command };
    // leases are 30 s: the killed workers' tasks come back when the others reap them (3 s)
    processes::killed_workers_lose_and_duplicate_nothing(store, &workload, dir, scale);
}

#[test]
fn killed_xspense_workers_lose_and_duplicate_nothing() {
    kill_test(Scale {
        tasks: 1_000,
        kill_every: Duration::from_secs(1),
        ..Scale::ci(4)
    });
}

#[test]
#[ignore = "the issue's scale (20,000 tasks, minutes)"]
fn killed_xspense_workers_lose_and_duplicate_nothing_at_full_scale() {
    kill_test(Scale::full(4));
}

/// The variable naming a PostgreSQL server for the test below (scripts/test-postgres.sh
/// sets it): a role that may create databases and roles.
const PG_SERVER_VAR: &str = "XSPENSE_TEST_DATABASE_URL";

/// `server` (a URL ending in `/DB`, no query) with its database replaced by `db`.
fn with_database(server: &str, db: &str) -> String {
    match server.rsplit_once('/') {
        Some((base, _)) if base.contains("://") && !base.ends_with('/') => format!("{base}/{db}"),
        _ => panic!("{PG_SERVER_VAR} must end in /DATABASE"),
    }
}

#[test]
#[ignore = "the issue's scale on PostgreSQL (minutes): scripts/kill-test.sh"]
fn killed_xspense_workers_on_postgres_lose_and_duplicate_nothing_at_full_scale() {
    let server = std::env::var(PG_SERVER_VAR).unwrap_or_else(|_| {
        panic!("{PG_SERVER_VAR} is not set: run scripts/kill-test.sh (a throwaway server)")
    });
    let name = format!("xspense_kill_{}", std::process::id());
    let mut admin = postgres::Client::connect(&server, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let u = with_database(&server, &name);
    xspense_stores::migrate(&u).unwrap();
    let store = xspense_stores::open_tasks(&xspense_stores::StoreUrl::parse(&u).unwrap()).unwrap();
    let dir = tempfile::tempdir().unwrap();
    kill_test_on(store.as_ref(), &u, dir.path(), Scale::full(8));
    drop(store);
    admin
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .unwrap();
}
