//! Redaction metrics on the committed corpora (`tests/fixtures/redact`): recall per entity type
//! on Presidio's synthetic dataset, flags on Presidio's negative cases, and gitleaks' rule
//! samples. Shared by `tests/redact_corpus.rs` and the `redact_eval` benchmark binary.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::time::Instant;

use serde_json::{json, Value};
use xspense::redact::{Finding, PiiKind, Redactor};

/// The entity types with a recall target.
pub const TYPES: &[&str] = &[
    "CREDIT_CARD",
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "IBAN_CODE",
    "US_SSN",
    "IP_ADDRESS",
];

/// Everything measured, plus examples of each kind of miss.
#[derive(Debug, Default)]
pub struct Metrics {
    /// type -> (covered, total)
    pub recall: BTreeMap<String, (usize, usize)>,
    pub synth_bytes: usize,
    pub synth_seconds: f64,
    pub negatives: usize,
    pub negatives_flagged: Vec<String>,
    pub tp_total: usize,
    pub tp_missed: Vec<String>,
    pub fp_total: usize,
    /// flagged by the detector of the rule the sample was written against
    pub fp_same_rule: Vec<String>,
    /// flagged by any secret detector
    pub fp_secret: Vec<String>,
    /// flagged by anything (emails and IPs included)
    pub fp_any: Vec<String>,
    pub synth_misses: Vec<String>,
}

fn covered(text: &str, start: usize, end: usize, findings: &[Finding]) -> bool {
    text.as_bytes()[start..end]
        .iter()
        .enumerate()
        .filter(|(_, b)| !b.is_ascii_whitespace())
        .all(|(i, _)| {
            findings
                .iter()
                .any(|f| f.start <= start + i && start + i < f.end)
        })
}

fn is_secret(k: &PiiKind) -> bool {
    matches!(
        k,
        PiiKind::ApiKey | PiiKind::Jwt | PiiKind::PrivateKey | PiiKind::Secret
    )
}

fn lines(dir: &Path, name: &str) -> Vec<Value> {
    let text = std::fs::read_to_string(dir.join(name))
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.join(name).display()));
    text.lines()
        .map(|l| serde_json::from_str(l).expect("fixture line is JSON"))
        .collect()
}

fn short(text: &str) -> String {
    text.chars().take(110).collect()
}

/// Measures `r` on the fixtures in `dir`.
pub fn measure(r: &Redactor, dir: &Path) -> Metrics {
    let mut m = Metrics::default();
    let synth = lines(dir, "synth.jsonl");
    let t0 = Instant::now();
    let found: Vec<Vec<Finding>> = synth
        .iter()
        .map(|d| r.find(d["text"].as_str().unwrap_or_default()))
        .collect();
    m.synth_seconds = t0.elapsed().as_secs_f64();
    for (d, findings) in synth.iter().zip(&found) {
        let text = d["text"].as_str().unwrap_or_default();
        m.synth_bytes += text.len();
        for s in d["spans"].as_array().into_iter().flatten() {
            let ty = s["type"].as_str().unwrap_or_default().to_string();
            let (a, b) = (
                s["start"].as_u64().unwrap_or(0) as usize,
                s["end"].as_u64().unwrap_or(0) as usize,
            );
            let e = m.recall.entry(ty.clone()).or_default();
            e.1 += 1;
            if covered(text, a, b, findings) {
                e.0 += 1;
            } else {
                m.synth_misses
                    .push(format!("{ty} {:?} in {:?}", &text[a..b], short(text)));
            }
        }
    }
    for c in lines(dir, "presidio_negatives.jsonl") {
        m.negatives += 1;
        let text = c["text"].as_str().unwrap_or_default();
        if let Some(f) = r.find(text).first() {
            m.negatives_flagged
                .push(format!("{:?} -> {} ({})", text, f.kind, c["file"]));
        }
    }
    let ids: HashSet<String> = r.detector_ids().into_iter().collect();
    for s in lines(dir, "gitleaks_samples.jsonl") {
        let id = s["rule_id"].as_str().unwrap_or_default();
        let text = s["text"].as_str().unwrap_or_default();
        let f = r.find(text);
        let what = || {
            format!(
                "{id}: {:?} -> {:?}",
                short(text),
                f.iter()
                    .map(|x| format!("{}:{}", x.detector, short(&text[x.start..x.end])))
                    .collect::<Vec<_>>()
            )
        };
        if s["kind"] == "tp" {
            if !ids.contains(id) {
                continue; // a rule that only applies to file paths
            }
            m.tp_total += 1;
            if !f.iter().any(|x| is_secret(&x.kind)) {
                m.tp_missed.push(what());
            }
        } else {
            m.fp_total += 1;
            if f.iter().any(|x| x.detector == id) {
                m.fp_same_rule.push(what());
            }
            if f.iter().any(|x| is_secret(&x.kind)) {
                m.fp_secret.push(what());
            }
            if !f.is_empty() {
                m.fp_any.push(what());
            }
        }
    }
    m
}

impl Metrics {
    /// Recall of one type.
    pub fn recall_of(&self, ty: &str) -> f64 {
        let (h, n) = self.recall.get(ty).copied().unwrap_or((0, 0));
        h as f64 / n.max(1) as f64
    }

    /// The figures as JSON.
    pub fn to_json(&self) -> Value {
        let rate = |a: usize, b: usize| a as f64 / b.max(1) as f64;
        json!({
            "synth_recall": self.recall.iter().map(|(k, (h, n))| (k.clone(), json!({"recall": rate(*h, *n), "covered": h, "n": n}))).collect::<BTreeMap<_, _>>(),
            "synth_mb_per_s": self.synth_bytes as f64 / 1e6 / self.synth_seconds.max(1e-9),
            "presidio_negatives": {"n": self.negatives, "flagged": self.negatives_flagged.len(), "rate": rate(self.negatives_flagged.len(), self.negatives)},
            "gitleaks_tp": {"n": self.tp_total, "detected": self.tp_total - self.tp_missed.len(), "rate": rate(self.tp_total - self.tp_missed.len(), self.tp_total)},
            "gitleaks_fp": {
                "n": self.fp_total,
                "flagged_by_same_rule": self.fp_same_rule.len(),
                "flagged_by_any_secret_detector": self.fp_secret.len(),
                "flagged_by_anything": self.fp_any.len(),
                "rate_same_rule": rate(self.fp_same_rule.len(), self.fp_total),
                "rate_any_secret_detector": rate(self.fp_secret.len(), self.fp_total),
                "rate_anything": rate(self.fp_any.len(), self.fp_total),
            },
        })
    }
}
