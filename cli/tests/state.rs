//! `xspense categorize --state`: the SQLite state database, concurrent runs on it, the
//! import of the old `state.json` layout, and the URLs it takes (PostgreSQL itself: in
//! `state_postgres.rs`).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

use xspense::rules::Rule;
use xspense::Engine;
use xspense_sqlite::SqliteEngineState;

/// Rounds of the concurrent tests (each starts two processes at once).
const ROUNDS: usize = 12;

const BANK: &str = "Date,Description,Amount
2026-01-03,SQ *BLUE BOTTLE 0042 OAKLAND CA,-4.75
2026-01-04,TESCO STORES 3297 LONDON GB,-45.10
2026-01-05,PAYROLL ACME INC,2500.00
2026-01-16,DEBIT CARD PURCHASE TESCO STORES 1111,-12.00
2026-01-18,UBER TRIP HELP.UBER.COM,-23.40
";

/// [`BANK`] repeated to `rows` rows: long enough that two runs started together both load
/// the state before either saves, so one save meets a sequence conflict.
fn long_bank(rows: usize) -> String {
    let mut s = String::from("Date,Description,Amount\n");
    for line in BANK.lines().skip(1).cycle().take(rows) {
        s.push_str(line);
        s.push('\n');
    }
    s
}

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_xspense"))
}

fn xspense(args: &[&str]) -> Output {
    bin().args(args).output().expect("binary runs")
}

fn spawn(args: &[&str]) -> Child {
    bin()
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs")
}

fn finish(child: Child) {
    let o = child.wait_with_output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

fn write(dir: &Path, name: &str, body: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p.to_string_lossy().into_owned()
}

/// The categories the rules of `tenant` in the database `db` assign, in rule order.
fn stored_rule_categories(db: &Path, tenant: &str) -> Vec<String> {
    let store = SqliteEngineState::open(db).unwrap();
    let mut engine = Engine::new();
    store.load(tenant).unwrap().apply_to(&mut engine).unwrap();
    engine
        .rules(tenant)
        .iter()
        .map(|r: &Rule| r.then.category.clone().unwrap_or_default())
        .collect()
}

fn path(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn two_runs_at_once_for_two_tenants_both_keep_their_rules() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "bank.csv", BANK);
    let ra = write(
        dir.path(),
        "a.txt",
        "merchant contains \"tesco\" => food.groceries\n",
    );
    let rb = write(
        dir.path(),
        "b.txt",
        "merchant contains \"uber\" => transport.taxi\n",
    );
    for round in 0..ROUNDS {
        let state = dir.path().join(format!("state{round}"));
        let a = spawn(&[
            "categorize",
            &csv,
            "--rules",
            &ra,
            "--tenant",
            "alice",
            "--state",
            path(&state),
        ]);
        let b = spawn(&[
            "categorize",
            &csv,
            "--rules",
            &rb,
            "--tenant",
            "bob",
            "--state",
            path(&state),
        ]);
        finish(a);
        finish(b);
        let db = state.join("state.sqlite");
        assert_eq!(
            stored_rule_categories(&db, "alice"),
            ["food.groceries"],
            "round {round}"
        );
        assert_eq!(
            stored_rule_categories(&db, "bob"),
            ["transport.taxi"],
            "round {round}"
        );
    }
}

#[test]
fn a_run_without_rules_does_not_undo_a_concurrent_run_that_sets_them() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "bank.csv", BANK);
    let old = write(
        dir.path(),
        "old.txt",
        "merchant contains \"tesco\" => food.other\n",
    );
    let new = write(
        dir.path(),
        "new.txt",
        "merchant contains \"tesco\" => food.groceries\nmerchant contains \"uber\" => transport.taxi\n",
    );
    for round in 0..ROUNDS {
        let db = dir.path().join(format!("s{round}.sqlite"));
        let url = format!("sqlite:{}", path(&db));
        let o = xspense(&["categorize", &csv, "--rules", &old, "--state", &url]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let setter = spawn(&["categorize", &csv, "--rules", &new, "--state", &url]);
        let reader = spawn(&["categorize", &csv, "--state", &url]);
        finish(setter);
        finish(reader);
        assert_eq!(
            stored_rule_categories(&db, "default"),
            ["food.groceries", "transport.taxi"],
            "round {round}"
        );
    }
}

#[test]
fn two_runs_at_once_replacing_one_tenants_rules_leave_one_whole_rule_set() {
    // `--rules` replaces the tenant's rules: of two runs at once, the later save wins whole
    // (never a mix, never a log that fails to load), whichever order they commit in
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "bank.csv", &long_bank(3_000));
    let ra = write(
        dir.path(),
        "a.txt",
        "merchant contains \"tesco\" => food.groceries\nmerchant contains \"bottle\" => food.coffee\n",
    );
    let rb = write(
        dir.path(),
        "b.txt",
        "merchant contains \"uber\" => transport.taxi\n",
    );
    let seed = write(
        dir.path(),
        "seed.txt",
        "merchant contains \"payroll\" => income.salary\n",
    );
    for round in 0..ROUNDS {
        let db = dir.path().join(format!("s{round}.db"));
        let s = path(&db);
        let o = xspense(&["categorize", &csv, "--rules", &seed, "--state", s]);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let a = spawn(&["categorize", &csv, "--rules", &ra, "--state", s]);
        let b = spawn(&["categorize", &csv, "--rules", &rb, "--state", s]);
        finish(a);
        finish(b);
        let rules = stored_rule_categories(&db, "default");
        assert!(
            rules == ["food.groceries", "food.coffee"] || rules == ["transport.taxi"],
            "round {round}: {rules:?}"
        );
    }
}

/// A `--state DIR` of the old layout: `DIR/state.json`, a snapshot of every tenant, as the
/// command wrote it (`export_snapshot(None)`).
fn old_state_dir(dir: &Path, name: &str, rules: &str) -> PathBuf {
    let state = dir.join(name);
    std::fs::create_dir_all(&state).unwrap();
    let mut engine = Engine::new();
    engine.add_rules("default", rules).unwrap();
    engine
        .add_rules("other", "merchant contains \"uber\" => transport.taxi\n")
        .unwrap();
    std::fs::write(
        state.join("state.json"),
        engine.export_snapshot(None).unwrap(),
    )
    .unwrap();
    state
}

#[test]
fn an_old_state_json_directory_is_imported_and_categorizes_as_before() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "bank.csv", BANK);
    let rules_text = "merchant contains \"tesco\" => food.other\n";
    let rules = write(dir.path(), "rules.txt", rules_text);
    // what the rules give without any state
    let expected = dir.path().join("expected.csv");
    let o = xspense(&[
        "categorize",
        &csv,
        "--rules",
        &rules,
        "--out",
        path(&expected),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let expected = std::fs::read_to_string(expected).unwrap();
    assert!(expected.contains(",food.other,"), "{expected}");

    let state = old_state_dir(dir.path(), "state", rules_text);
    let out = dir.path().join("out.csv");
    let o = xspense(&[
        "categorize",
        &csv,
        "--state",
        path(&state),
        "--out",
        path(&out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("state.json.migrated"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);
    assert!(!state.join("state.json").exists());
    assert!(state.join("state.json.migrated").exists());
    let db = state.join("state.sqlite");
    assert_eq!(stored_rule_categories(&db, "default"), ["food.other"]);
    // every tenant of the file was imported
    assert_eq!(stored_rule_categories(&db, "other"), ["transport.taxi"]);

    // the next run reads the database only
    std::fs::remove_file(&out).unwrap();
    let o = xspense(&[
        "categorize",
        &csv,
        "--state",
        path(&state),
        "--out",
        path(&out),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(!String::from_utf8_lossy(&o.stderr).contains("migrated"));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), expected);
}

#[test]
fn two_runs_at_once_on_an_old_state_json_directory_import_it_once() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "bank.csv", BANK);
    let rules_text = "merchant contains \"tesco\" => food.other\n";
    for round in 0..ROUNDS {
        let state = old_state_dir(dir.path(), &format!("state{round}"), rules_text);
        let a = spawn(&["categorize", &csv, "--state", path(&state)]);
        let b = spawn(&["categorize", &csv, "--state", path(&state)]);
        finish(a);
        finish(b);
        let db = state.join("state.sqlite");
        assert_eq!(
            stored_rule_categories(&db, "default"),
            ["food.other"],
            "round {round}"
        );
        assert!(state.join("state.json.migrated").exists());
    }
}

#[test]
fn an_unreachable_postgres_state_fails_without_the_password_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "bank.csv", BANK);
    let out = dir.path().join("out.csv");
    // port 1 on the loopback: nothing listens there
    let url = "postgres://xspense:hunter2@127.0.0.1:1/xspense";
    let o = bin()
        .args(["categorize", &csv, "--state", url, "--out", path(&out)])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("127.0.0.1"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    // a malformed URL is refused before the input is read: the input does not exist
    let missing = dir.path().join("missing.csv");
    let o = bin()
        .args(["categorize", path(&missing), "--state", "postgres:x"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("not a PostgreSQL URL"), "{err}");
    let mut left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(left, ["bank.csv"]);
}
