//! `xspense categorize` and `xspense inspect` on the core's statement fixtures, and the
//! safety of `--out`.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

fn xspense(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xspense"))
        .args(args)
        .output()
        .expect("binary runs")
}

fn fixture(name: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../core/tests/statements")
        .join(name);
    p.to_string_lossy().into_owned()
}

fn expected(name: &str) -> Value {
    let stem = name.rsplit_once('.').unwrap().0;
    let text = std::fs::read_to_string(fixture(&format!("{stem}.expected.json"))).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn jsonl(o: &Output) -> Vec<Value> {
    String::from_utf8(o.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// Every field of every transaction `categorize --format jsonl` prints equals the fixture's.
fn assert_reads_like_the_core(name: &str, flags: &[&str]) {
    let path = fixture(name);
    let mut args = vec!["categorize", path.as_str(), "--format", "jsonl"];
    args.extend_from_slice(flags);
    let o = xspense(&args);
    assert!(o.status.success(), "{name}: {}", stderr(&o));
    let rows = jsonl(&o);
    let want = expected(name)["transactions"].as_array().unwrap().clone();
    assert_eq!(rows.len(), want.len(), "{name}");
    for (got, want) in rows.iter().zip(&want) {
        for field in [
            "date",
            "amount",
            "currency",
            "description",
            "memo",
            "bank_category",
            "pending",
        ] {
            assert_eq!(got[field], want[field], "{name}: {field} of {got}");
        }
        assert!(got["category"].as_str().is_some_and(|c| !c.is_empty()));
    }
}

#[test]
fn categorize_reads_csv_with_and_without_header_ofx_qif_and_camt() {
    assert_reads_like_the_core("de/sparkasse.csv", &[]);
    assert_reads_like_the_core("us/wellsfargo-checking.csv", &[]);
    assert_reads_like_the_core("us/chase-card.csv", &[]);
    assert_reads_like_the_core("us/wellsfargo-checking-ofx2.ofx", &[]);
    assert_reads_like_the_core("us/bofa-checking-quicken.qif", &["--currency", "USD"]);
    assert_reads_like_the_core("de/sparkasse-camt053.xml", &[]);
}

#[test]
fn jsonl_objects_have_the_documented_fields_in_order() {
    let path = fixture("us/chase-card.csv");
    let o = xspense(&["categorize", &path, "--format", "jsonl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let line = text.lines().next().unwrap();
    let first: Value = serde_json::from_str(line).unwrap();
    let fields = [
        "row",
        "date",
        "amount",
        "currency",
        "description",
        "memo",
        "bank_category",
        "pending",
        "category",
        "confidence",
        "band",
        "source",
        "merchant",
        "reason",
    ];
    assert_eq!(first.as_object().unwrap().len(), fields.len());
    let at: Vec<usize> = fields
        .iter()
        .map(|f| line.find(&format!("\"{f}\":")).unwrap())
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{line}");
    assert_eq!(first["amount"], "-34.99");
    assert_eq!(first["bank_category"], "Shopping");
    assert!(first["row"].as_u64().is_some_and(|r| r >= 2));
    assert!(first["confidence"].as_f64().is_some());
}

#[test]
fn an_ambiguous_file_names_the_flag_writes_nothing_and_the_flag_settles_it() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    let path = fixture("au/anz-ambiguous.csv");
    let o = xspense(&["categorize", &path, "--out", out.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--date-order"), "{}", stderr(&o));
    assert!(!out.exists());
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);

    let o = xspense(&[
        "categorize",
        &path,
        "--format",
        "jsonl",
        "--date-order",
        "dmy",
        "--currency",
        "AUD",
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let rows = jsonl(&o);
    assert_eq!(
        (rows[0]["date"].as_str(), rows[0]["amount"].as_str()),
        (Some("2024-06-02"), Some("-52.75"))
    );
}

#[test]
fn a_bad_columns_spec_is_refused_naming_the_flag() {
    let path = fixture("us/chase-card.csv");
    let o = xspense(&["categorize", &path, "--columns", "amout=Amount"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--columns"), "{}", stderr(&o));
    assert!(o.stdout.is_empty());
}

#[test]
fn csv_output_of_a_non_csv_input_has_the_normalized_columns() {
    let path = fixture("us/wellsfargo-checking-ofx2.ofx");
    let o = xspense(&["categorize", &path]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next(),
        Some(
            "row,date,amount,currency,description,memo,bank_category,pending,\
             category,confidence,band,source,merchant,reason"
        )
    );
    assert!(lines.next().unwrap().starts_with(
        "1,2024-08-01,-1450.00,USD,ASPEN PROPERTY MGMT,WEB PMTS 080124 K3J7QZ,,false,"
    ));
}

#[test]
fn csv_output_of_a_headerless_csv_names_its_columns_by_number() {
    let path = fixture("us/wellsfargo-checking.csv");
    let o = xspense(&["categorize", &path]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    let header = text.lines().next().unwrap();
    assert!(
        header.starts_with(
            "column 1,column 2,column 3,column 4,column 5,date,amount,currency,category,"
        ),
        "{header}"
    );
}

#[test]
fn a_legacy_encoding_is_decoded() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("latin1.csv");
    std::fs::write(
        &p,
        b"Date,Description,Amount\n2026-01-01,CAF\xc9 NOIR,-1.00\n",
    )
    .unwrap();
    let o = xspense(&["categorize", p.to_str().unwrap(), "--format", "jsonl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(jsonl(&o)[0]["description"], "CAFÉ NOIR");
}

#[test]
fn inspect_prints_what_was_detected() {
    let path = fixture("de/sparkasse.csv");
    let o = xspense(&["inspect", &path]);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = String::from_utf8(o.stdout).unwrap();
    for want in [
        "format       csv",
        "encoding     windows-1252 (by values: not UTF-8",
        "delimiter    \";\"",
        "header row   1",
        "decimal mark ,",
        "date order   dmy",
        "currency     EUR",
        "transactions 9",
    ] {
        assert!(text.contains(want), "{want:?} in\n{text}");
    }
    assert!(text.contains("\"Buchungstag\""), "{text}");

    let o = xspense(&["inspect", &path, "--json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let report: Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(report["format"], "csv");
    assert_eq!(report["transactions"], 9);
    assert_eq!(report["currency"]["value"], "EUR");
    assert_eq!(report["delimiter"], ";");
    let roles: Vec<&str> = report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|c| c["role"].as_str())
        .collect();
    assert!(
        roles.contains(&"date") && roles.contains(&"amount"),
        "{roles:?}"
    );
}

#[test]
fn inspect_of_an_ambiguous_file_fails_naming_the_flag() {
    let o = xspense(&["inspect", &fixture("au/anz-ambiguous.csv")]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--date-order"));
    assert!(o.stdout.is_empty());
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    v.sort();
    v
}

#[cfg(unix)]
#[test]
fn out_keeps_the_permissions_of_the_file_it_replaces() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    std::fs::write(&out, "old").unwrap();
    std::fs::set_permissions(&out, std::fs::Permissions::from_mode(0o600)).unwrap();
    let o = xspense(&[
        "categorize",
        &fixture("us/chase-card.csv"),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    let meta = std::fs::metadata(&out).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    assert!(std::fs::read_to_string(&out)
        .unwrap()
        .starts_with("Transaction Date,"));
    assert_eq!(files_in(dir.path()), [out]);
}

#[cfg(unix)]
#[test]
fn out_through_a_symlink_writes_its_target_and_keeps_the_link() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real.csv");
    let link = dir.path().join("link.csv");
    std::fs::write(&real, "old").unwrap();
    std::os::unix::fs::symlink("real.csv", &link).unwrap();
    let o = xspense(&[
        "categorize",
        &fixture("us/chase-card.csv"),
        "--out",
        link.to_str().unwrap(),
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(std::fs::symlink_metadata(&link)
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::read_to_string(&real)
        .unwrap()
        .starts_with("Transaction Date,"));
    assert_eq!(files_in(dir.path()), [link, real]);
}

#[test]
fn a_failure_after_the_output_was_written_leaves_no_temporary_file_and_replaces_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.csv");
    std::fs::write(&out, "old").unwrap();
    // the state database refuses every change: saving the state fails after the output was
    // written to its temporary file
    let state = dir.path().join("state");
    std::fs::create_dir_all(&state).unwrap();
    let db = state.join("state.sqlite");
    drop(xspense_sqlite::SqliteEngineState::open(&db).unwrap());
    rusqlite::Connection::open(&db)
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON engine_changes
             BEGIN SELECT RAISE(ABORT, 'no changes today'); END",
        )
        .unwrap();
    let rules = dir.path().join("rules.txt");
    std::fs::write(&rules, "merchant contains \"tesco\" => food.other\n").unwrap();
    let o = xspense(&[
        "categorize",
        &fixture("us/chase-card.csv"),
        "--out",
        out.to_str().unwrap(),
        "--rules",
        rules.to_str().unwrap(),
        "--state",
        state.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("no changes today"), "{}", stderr(&o));
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
    assert_eq!(files_in(dir.path()), [out, rules, state.clone()]);
    let store = xspense_sqlite::SqliteEngineState::open(&db).unwrap();
    assert_eq!(store.load("default").unwrap().seq, 0);
}

/// An export whose row `bad` has a date no calendar has (every other row is fine).
fn export_with_a_bad_row(rows: usize, bad: usize) -> String {
    let mut s = String::from("Date,Description,Amount\n");
    for i in 0..rows {
        if i == bad {
            s.push_str("2026-02-30,BAD DAY,-1.00\n");
        } else {
            s.push_str(&format!("2026-01-{:02},SHOP {i},-{i}.50\n", 1 + i % 28));
        }
    }
    s
}

#[test]
fn a_bad_cell_far_into_the_file_writes_nothing_anywhere() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.csv");
    // past the first batches, so rows before it were already categorized
    std::fs::write(&input, export_with_a_bad_row(3_000, 2_500)).unwrap();
    let out = dir.path().join("out.csv");
    std::fs::write(&out, "old").unwrap();
    let o = xspense(&[
        "categorize",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("row 2502, column \"Date\""),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "old");
    assert_eq!(files_in(dir.path()), [input.clone(), out]);

    let o = xspense(&["categorize", input.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        o.stdout.is_empty(),
        "standard output got {} bytes",
        o.stdout.len()
    );
}

#[test]
fn an_mcc_column_reaches_the_engine() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("mcc.csv");
    std::fs::write(
        &p,
        "Date,Description,Amount,MCC\n2026-01-03,ZXQW TRADING 4411,-14.75,5411\n",
    )
    .unwrap();
    let o = xspense(&["categorize", p.to_str().unwrap(), "--format", "jsonl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let row = &jsonl(&o)[0];
    assert_eq!(
        (row["source"].as_str(), row["category"].as_str()),
        (Some("mcc"), Some("food.groceries"))
    );
}
