//! `--embedder PATH` with the real model (feature `model-tests`; the folder in
//! `$XSPENSE_EMBEDDER_MODEL`, installed by `scripts/install-embedder-model.sh`).

use std::path::Path;
use std::process::{Command, Output};

/// Merchants none of the built-in tables names, each with the family the model places it in
/// (checked without the model: nothing there).
const EXPORT: &str = "Date,Description,Amount
2026-11-01,RIVERSIDE CHIROPRACTIC CENTER,-60.00
2026-11-02,BRIGHT FUTURES TUTORING LLC,-200.00
";

fn model() -> String {
    std::env::var("XSPENSE_EMBEDDER_MODEL").unwrap_or_else(|_| {
        panic!(
            "XSPENSE_EMBEDDER_MODEL is not set: run `scripts/install-embedder-model.sh` and set \
             it to the folder it prints"
        )
    })
}

fn xspense(args: &[&str], cache: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_xspense"))
        .args(args)
        .env("XSPENSE_CACHE_DIR", cache)
        .output()
        .expect("run xspense")
}

/// Category of each row of a `--format jsonl` output.
fn categories(o: &Output) -> Vec<String> {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout)
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["category"].as_str().unwrap().to_string()
        })
        .collect()
}

/// One test, so the merchant base is embedded once (the later runs read it from the cache).
#[test]
fn the_model_places_merchants_no_table_names_and_its_base_is_cached() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("export.csv");
    std::fs::write(&csv, EXPORT).unwrap();
    let cache = dir.path().join("cache");
    let csv = csv.to_str().unwrap();
    let args = ["categorize", csv, "--currency", "USD", "--format", "jsonl"];
    let plain = categories(&xspense(&args, &cache));
    assert_eq!(plain, ["uncategorized", "uncategorized"]);

    let model = model();
    let mut with_model = args.to_vec();
    with_model.extend(["--embedder", &model]);
    let first = xspense(&with_model, &cache);
    let stderr = String::from_utf8_lossy(&first.stderr).to_string();
    assert!(stderr.contains("merchant base: embedded"), "{stderr}");
    assert!(stderr.contains("merchant base: saved to"), "{stderr}");
    let placed = categories(&first);
    assert!(placed[0].starts_with("medical."), "{placed:?}");
    assert!(placed[1].starts_with("services.education"), "{placed:?}");

    // the second run reads the base it saved, and answers the same
    let second = xspense(&with_model, &cache);
    let stderr = String::from_utf8_lossy(&second.stderr).to_string();
    assert!(stderr.contains("merchant base: read from"), "{stderr}");
    assert_eq!(categories(&second), placed);

    eval_reports_with_the_model(dir.path(), &cache, &model);
    a_missing_model_is_named(dir.path(), &cache);
}

fn eval_reports_with_the_model(dir: &Path, cache: &Path, model: &str) {
    let csv = dir.join("labelled.csv");
    std::fs::write(
        &csv,
        "Date,Description,Amount,Category\n\
         2026-11-01,RIVERSIDE CHIROPRACTIC CENTER,-60.00,medical.doctor\n\
         2026-11-02,BRIGHT FUTURES TUTORING LLC,-200.00,services.education\n",
    )
    .unwrap();
    let csv = csv.to_str().unwrap();
    let o = xspense(
        &[
            "eval",
            csv,
            "--label",
            "Category",
            "--currency",
            "USD",
            "--json",
            "--embedder",
            model,
        ],
        cache,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap();
    assert_eq!(v["n"], 2);
    // both first sightings placed by the merchant base's nearest entries
    assert_eq!(v["by_source"]["knowledge"]["n"], 2, "{v}");
    assert_eq!(v["by_source"]["knowledge"]["correct"], 2, "{v}");
}

fn a_missing_model_is_named(dir: &Path, cache: &Path) {
    let missing = dir.join("no-model");
    let o = xspense(
        &[
            "categorize",
            dir.join("labelled.csv").to_str().unwrap(),
            "--embedder",
            missing.to_str().unwrap(),
        ],
        cache,
    );
    assert!(!o.status.success());
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.contains("config.json"), "{stderr}");
    assert!(stderr.contains("install-embedder-model.sh"), "{stderr}");
}
