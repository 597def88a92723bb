//! Inputs that once made a fuzz target (`fuzz/fuzz_targets/`) fail, run without the fuzzer.
//! Each file in `fixtures/fuzz/<target>/` goes through the checks of that target that it broke
//! (its name says which); `fuzz/README.md` says how a crash becomes a file here.

use std::path::Path;

use serde_json::Value;
use xspense::rules::parse_rule;
use xspense::{Engine, ErrorCode, Rule};

/// The committed inputs of one target, sorted by name: (name, bytes).
fn inputs(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/fuzz")
        .join(target);
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            (name, std::fs::read(&path).unwrap())
        })
        .collect();
    out.sort();
    assert!(!out.is_empty(), "no inputs in {}", dir.display());
    out
}

fn json(name: &str, bytes: &[u8]) -> Value {
    serde_json::from_slice(bytes).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// `rules_json`: a rule read from JSON comes back through its JSON and its text form, and a
/// refused rule list leaves no trace.
#[test]
fn rules_json() {
    for (name, bytes) in inputs("rules_json") {
        let rules: Vec<Rule> = match json(&name, &bytes) {
            Value::Array(xs) => xs
                .into_iter()
                .filter_map(|x| serde_json::from_value(x).ok())
                .collect(),
            one => serde_json::from_value(one).into_iter().collect(),
        };
        for r in &rules {
            let json = serde_json::to_string(r).unwrap();
            assert_eq!(
                &serde_json::from_str::<Rule>(&json).unwrap(),
                r,
                "{name}: {json}"
            );
            let text = r.to_string();
            let back =
                parse_rule(&text, "unused", 1).unwrap_or_else(|e| panic!("{name}: {text}: {e}"));
            assert_eq!(&back, r, "{name}: {text}");
        }
        let mut engine = Engine::new();
        match engine.add_rule_list("t", rules.clone()) {
            Ok(_) => assert_eq!(engine.rules("t"), rules, "{name}"),
            Err(e) => {
                assert_ne!(e.code(), ErrorCode::Internal, "{name}: {e}");
                assert!(
                    engine.tenants().is_empty(),
                    "{name}: a refused list left a tenant"
                );
                assert!(engine.drain_changes().is_empty(), "{name}");
            }
        }
    }
}
