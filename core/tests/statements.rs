//! Reads every export in `tests/statements/<cc>/` and compares each transaction with its
//! `.expected.json` (format in `tests/statements/README.md`). A file whose expected `error` is
//! set is also read without its hints and must fail with that text. Prints one line per file.

use std::path::{Path, PathBuf};

use serde_json::Value;
use xspense::statement::{read_statement, Hints, Statement, StatementTransaction};

fn exports() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/statements");
    let mut files = Vec::new();
    for country in std::fs::read_dir(&root).unwrap().flatten() {
        if !country.path().is_dir() {
            continue;
        }
        for f in std::fs::read_dir(country.path()).unwrap().flatten() {
            let p = f.path();
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            if !name.ends_with(".expected.json") {
                files.push(p);
            }
        }
    }
    files.sort();
    files
}

fn expected_path(p: &Path) -> PathBuf {
    p.with_extension("expected.json")
}

fn as_json(t: &StatementTransaction) -> Value {
    serde_json::json!({
        "date": t.date.to_string(),
        "amount": t.amount_text(),
        "currency": t.currency.as_str(),
        "description": t.description,
        "memo": t.memo,
        "bank_category": t.bank_category,
        "pending": t.pending,
        "id": t.id,
    })
}

/// The differences between what was read and what is expected, one line each.
fn compare(got: &Statement, want: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let want_txs = want["transactions"].as_array().unwrap();
    if got.transactions.len() != want_txs.len() {
        problems.push(format!(
            "{} transactions, expected {}",
            got.transactions.len(),
            want_txs.len()
        ));
    }
    for (i, (g, w)) in got.transactions.iter().zip(want_txs).enumerate() {
        let g = as_json(g);
        for key in [
            "date",
            "amount",
            "currency",
            "description",
            "memo",
            "bank_category",
            "pending",
            "id",
        ] {
            if g[key] != w[key] {
                problems.push(format!(
                    "transaction {} {key}: got {} expected {}",
                    i + 1,
                    g[key],
                    w[key]
                ));
            }
        }
    }
    let skipped = got.report.skipped.len() as u64;
    if Some(skipped) != want["skipped"].as_u64() {
        problems.push(format!("skipped {skipped}, expected {}", want["skipped"]));
    }
    problems
}

fn check(path: &Path) -> Vec<String> {
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(expected_path(path)).unwrap()).unwrap();
    let bytes = std::fs::read(path).unwrap();
    let hints: Hints = serde_json::from_value(want["hints"].clone()).unwrap();
    let mut problems = match read_statement(&bytes, &hints) {
        Ok(got) => compare(&got, &want),
        Err(e) => vec![format!("error: {e}")],
    };
    if let Some(text) = want["error"]["contains"].as_str() {
        match read_statement(&bytes, &Hints::default()) {
            Ok(_) => problems.push(format!(
                "read without hints, expected an error containing {text:?}"
            )),
            Err(e) if !e.to_string().contains(text) => {
                problems.push(format!("error {e:?} lacks {text:?}"))
            }
            Err(_) => {}
        }
    }
    problems
}

#[test]
fn every_fixture_reads_as_expected() {
    let files = exports();
    assert!(files.len() >= 92, "{} fixtures", files.len());
    let mut failed = 0;
    for f in &files {
        let name = f
            .strip_prefix(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/statements"))
            .unwrap();
        let problems = check(f);
        if problems.is_empty() {
            println!("ok    {}", name.display());
        } else {
            failed += 1;
            println!("FAIL  {}", name.display());
            for p in problems.iter().take(6) {
                println!("        {p}");
            }
        }
    }
    println!("{} passed, {} failed", files.len() - failed, failed);
    assert_eq!(failed, 0, "{failed} fixtures failed");
}

/// `STATEMENT=de/ing.csv cargo test -p xspense --test statements show -- --ignored --nocapture`
/// prints the report (or the error) of one fixture.
#[test]
#[ignore = "a debugging aid"]
fn show() {
    let Ok(name) = std::env::var("STATEMENT") else {
        return;
    };
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/statements")
        .join(name);
    let bytes = std::fs::read(&path).unwrap();
    let want: Value =
        serde_json::from_str(&std::fs::read_to_string(expected_path(&path)).unwrap()).unwrap();
    let hints: Hints = serde_json::from_value(want["hints"].clone()).unwrap();
    match read_statement(&bytes, &hints) {
        Ok(s) => {
            println!("{}", serde_json::to_string_pretty(&s.report).unwrap());
            for t in &s.transactions {
                println!("{}", as_json(t));
            }
        }
        Err(e) => println!("error: {e}"),
    }
}
