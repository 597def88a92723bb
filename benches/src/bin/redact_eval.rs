//! Measures `xspense::redact` on the licensed PII corpora: recall per entity type on Presidio's
//! synthetic dataset, flags on Presidio's negative recognizer cases, and gitleaks' true- and
//! false-positive rule samples.
//!
//! Usage: `cargo run --release -p xspense-benches --bin redact_eval -- ../shared/data/pii [--json] [--show N]`

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

use serde_json::{json, Value};
use xspense::redact::{Finding, PiiKind, Redactor};

const TYPES: &[&str] = &[
    "CREDIT_CARD",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "IBAN_CODE",
    "US_SSN",
    "IP_ADDRESS",
];

fn covered(text: &str, start: usize, end: usize, findings: &[Finding]) -> bool {
    // every non-space byte of the gold span lies inside some finding
    text.as_bytes()[start..end]
        .iter()
        .enumerate()
        .filter(|(_, b)| !b.is_ascii_whitespace())
        .all(|(i, _)| {
            let p = start + i;
            findings.iter().any(|f| f.start <= p && p < f.end)
        })
}

/// Presidio-research offsets count Unicode scalar values; converts them to byte offsets.
fn byte_offset(text: &str, chars: usize) -> usize {
    text.char_indices()
        .nth(chars)
        .map_or(text.len(), |(b, _)| b)
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dir = Path::new(
        args.get(1)
            .map(String::as_str)
            .unwrap_or("../shared/data/pii"),
    );
    let as_json = args.iter().any(|a| a == "--json");
    let show: usize = args
        .iter()
        .position(|a| a == "--show")
        .and_then(|i| args.get(i + 1))
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let r = Redactor::new();
    r.warm_up();

    // 1. recall on the synthetic dataset
    let synth: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(dir.join("presidio-research/synth_dataset_v2.json"))
            .expect("read synth_dataset_v2.json"),
    )
    .expect("parse synth dataset");
    let mut hit: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    let mut misses: Vec<String> = Vec::new();
    let mut bytes = 0usize;
    let t0 = Instant::now();
    for doc in &synth {
        let text = doc["full_text"].as_str().unwrap_or_default();
        bytes += text.len();
        let findings = r.find(text);
        for s in doc["spans"].as_array().into_iter().flatten() {
            let ty = s["entity_type"].as_str().unwrap_or_default();
            let Some(ty) = TYPES.iter().find(|t| **t == ty) else {
                continue;
            };
            let a = byte_offset(text, s["start_position"].as_u64().unwrap_or(0) as usize);
            let b = byte_offset(text, s["end_position"].as_u64().unwrap_or(0) as usize);
            let e = hit.entry(ty).or_default();
            e.1 += 1;
            if covered(text, a, b, &findings) {
                e.0 += 1;
            } else {
                misses.push(format!("{ty}: {:?} in {:?}", &text[a..b], text));
            }
        }
    }
    let secs = t0.elapsed().as_secs_f64();

    // 2. Presidio negative recognizer cases
    let cases = std::fs::read_to_string(dir.join("presidio-tests/recognizer_cases.jsonl"))
        .expect("read recognizer_cases.jsonl");
    let mut negatives = 0;
    let mut neg_flagged: Vec<String> = Vec::new();
    for line in cases.lines() {
        let c: Value = serde_json::from_str(line).expect("case json");
        if c["expected_len"].as_u64() != Some(0) {
            continue;
        }
        negatives += 1;
        let text = c["text"].as_str().unwrap_or_default();
        let f = r.find(text);
        if !f.is_empty() {
            neg_flagged.push(format!(
                "{:?} -> {:?} ({})",
                text,
                f[0].kind.as_str(),
                c["file"]
            ));
        }
    }

    // 3. gitleaks samples
    let samples = std::fs::read_to_string(dir.join("gitleaks/rule_samples.jsonl"))
        .expect("read rule_samples.jsonl");
    let ids: std::collections::HashSet<String> = r.detector_ids().into_iter().collect();
    let (mut tp_n, mut tp_hit, mut fp_n) = (0, 0, 0);
    let mut fp_secret: Vec<String> = Vec::new();
    let mut fp_any: Vec<String> = Vec::new();
    let mut tp_missed: Vec<String> = Vec::new();
    let secret_kind = |k: &PiiKind| {
        matches!(
            k,
            PiiKind::ApiKey | PiiKind::Jwt | PiiKind::PrivateKey | PiiKind::Secret
        )
    };
    for line in samples.lines() {
        let s: Value = serde_json::from_str(line).expect("sample json");
        let id = s["rule_id"].as_str().unwrap_or_default();
        let text = s["text"].as_str().unwrap_or_default();
        let f = r.find(text);
        if s["kind"] == "tp" {
            if !ids.contains(id) {
                continue;
            }
            tp_n += 1;
            if f.iter().any(|x| secret_kind(&x.kind)) {
                tp_hit += 1;
            } else {
                tp_missed.push(format!(
                    "{id}: {:?}",
                    text.chars().take(120).collect::<String>()
                ));
            }
        } else {
            fp_n += 1;
            let short = || {
                format!(
                    "{id}: {:?} -> {:?}",
                    text.chars().take(100).collect::<String>(),
                    f.iter()
                        .map(|x| (x.detector.as_str(), &text[x.start..x.end]))
                        .collect::<Vec<_>>()
                )
            };
            if f.iter().any(|x| secret_kind(&x.kind)) {
                fp_secret.push(short());
            }
            if !f.is_empty() {
                fp_any.push(short());
            }
        }
    }

    let recall: BTreeMap<&str, Value> = hit
        .iter()
        .map(|(k, (h, n))| {
            (
                *k,
                json!({"recall": *h as f64 / *n as f64, "covered": h, "n": n}),
            )
        })
        .collect();
    let report = json!({
        "synth_recall": recall,
        "synth_mb_per_s": bytes as f64 / 1e6 / secs,
        "presidio_negatives": {"n": negatives, "flagged": neg_flagged.len(), "rate": neg_flagged.len() as f64 / negatives as f64},
        "gitleaks_tp": {"n": tp_n, "detected": tp_hit, "rate": tp_hit as f64 / tp_n as f64},
        "gitleaks_fp": {"n": fp_n, "flagged_by_secret_detectors": fp_secret.len(), "flagged_by_any": fp_any.len(),
            "rate_secret": fp_secret.len() as f64 / fp_n as f64, "rate_any": fp_any.len() as f64 / fp_n as f64},
    });
    if as_json {
        println!("{}", serde_json::to_string_pretty(&report).unwrap());
    } else {
        println!("{}", serde_json::to_string_pretty(&report).unwrap());
        for (title, list) in [
            ("synthetic misses", &misses),
            ("flagged presidio negatives", &neg_flagged),
            ("missed gitleaks tp", &tp_missed),
            ("gitleaks fp flagged", &fp_any),
        ] {
            println!("\n## {title} ({})", list.len());
            for m in list.iter().take(show) {
                println!("  {m}");
            }
        }
    }
}
