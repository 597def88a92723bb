//! Redaction metrics on the committed corpora (`tests/fixtures/redact`): recall per entity type
//! and false positives on presidio-research's synthetic dataset and on its templates filled in
//! many locales, flags on Presidio's negative cases and on the hand-written negatives, and
//! gitleaks' rule samples. Shared by `tests/redact_corpus.rs` and the `redact_eval` benchmark binary.

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

/// A labelled document: its text and the byte spans of the target types.
#[derive(Debug, Clone)]
pub struct Doc {
    pub text: String,
    pub spans: Vec<(String, usize, usize)>,
    /// where it came from (a Faker locale), for the reports
    pub label: String,
}

/// Recall and false positives on one labelled corpus.
#[derive(Debug, Default)]
pub struct Labelled {
    pub docs: usize,
    /// type -> (covered, total)
    pub recall: BTreeMap<String, (usize, usize)>,
    pub bytes: usize,
    pub seconds: f64,
    pub misses: Vec<String>,
    /// findings that overlap no labelled span
    pub false_positives: Vec<String>,
}

/// Everything measured, plus examples of each kind of miss.
#[derive(Debug, Default)]
pub struct Metrics {
    /// presidio-research's synthetic dataset (`synth.jsonl`)
    pub synth: Labelled,
    /// the templates filled by Faker in many locales (`generated.jsonl`)
    pub generated: Labelled,
    pub negatives: usize,
    pub negatives_flagged: Vec<String>,
    /// hand-written lines with no sensitive data (`negatives.txt`)
    pub written_negatives: usize,
    pub written_negatives_flagged: Vec<String>,
    pub tp_total: usize,
    pub tp_missed: Vec<String>,
    pub fp_total: usize,
    /// flagged by the detector of the rule the sample was written against
    pub fp_same_rule: Vec<String>,
    /// flagged by any secret detector
    pub fp_secret: Vec<String>,
    /// flagged by anything (emails and IPs included)
    pub fp_any: Vec<String>,
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

/// The documents of a committed JSON Lines fixture (`{"text", "spans", "locale"?}`, byte
/// offsets).
pub fn load_jsonl(path: &Path) -> Vec<Doc> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    lines(path.parent().unwrap_or(Path::new(".")), name)
        .iter()
        .map(|d| Doc {
            text: d["text"].as_str().unwrap_or_default().to_string(),
            spans: d["spans"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| {
                    (
                        s["type"].as_str().unwrap_or_default().to_string(),
                        s["start"].as_u64().unwrap_or(0) as usize,
                        s["end"].as_u64().unwrap_or(0) as usize,
                    )
                })
                .collect(),
            label: d["locale"].as_str().unwrap_or_default().to_string(),
        })
        .collect()
}

/// The documents of presidio-research's own dataset file (`synth_dataset_v2.json`: a JSON
/// array with character offsets), every one of them, with the spans of the target types.
#[allow(dead_code, reason = "used by the redact_eval binary, not by the test")]
pub fn load_presidio_research(path: &Path) -> Vec<Doc> {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let docs: Vec<Value> = serde_json::from_str(&text).expect("a JSON array of documents");
    docs.iter()
        .map(|d| {
            let text = d["full_text"].as_str().unwrap_or_default().to_string();
            let byte = |chars: u64| {
                text.char_indices()
                    .nth(chars as usize)
                    .map_or(text.len(), |(b, _)| b)
            };
            let spans = d["spans"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|s| {
                    let ty = s["entity_type"].as_str()?;
                    TYPES.contains(&ty).then(|| {
                        (
                            ty.to_string(),
                            byte(s["start_position"].as_u64().unwrap_or(0)),
                            byte(s["end_position"].as_u64().unwrap_or(0)),
                        )
                    })
                })
                .collect();
            Doc {
                text,
                spans,
                label: String::new(),
            }
        })
        .collect()
}

/// Recall per type on `docs` and the findings outside every labelled span.
pub fn measure_labelled(r: &Redactor, docs: &[Doc]) -> Labelled {
    let mut m = Labelled {
        docs: docs.len(),
        ..Labelled::default()
    };
    let t0 = Instant::now();
    let found: Vec<Vec<Finding>> = docs.iter().map(|d| r.find(&d.text)).collect();
    m.seconds = t0.elapsed().as_secs_f64();
    for (d, findings) in docs.iter().zip(&found) {
        let text = d.text.as_str();
        m.bytes += text.len();
        for (ty, a, b) in &d.spans {
            let e = m.recall.entry(ty.clone()).or_default();
            e.1 += 1;
            if covered(text, *a, *b, findings) {
                e.0 += 1;
            } else {
                m.misses.push(format!(
                    "{ty} {:?} in {:?} {}",
                    &text[*a..*b],
                    short(text),
                    d.label
                ));
            }
        }
        for f in findings {
            if !d.spans.iter().any(|(_, a, b)| f.start < *b && *a < f.end) {
                m.false_positives.push(format!(
                    "{} {:?} in {:?} {}",
                    f.kind,
                    &text[f.start..f.end],
                    short(text),
                    d.label
                ));
            }
        }
    }
    m
}

/// Lines of the hand-written negative fixture: one text per line, `\t` and `\n` escaped,
/// lines starting with `#` are comments.
pub fn load_negative_lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| l.replace("\\t", "\t").replace("\\n", "\n"))
        .collect()
}

/// Measures `r` on the fixtures in `dir`.
pub fn measure(r: &Redactor, dir: &Path) -> Metrics {
    let mut m = Metrics {
        synth: measure_labelled(r, &load_jsonl(&dir.join("synth.jsonl"))),
        generated: measure_labelled(r, &load_jsonl(&dir.join("generated.jsonl"))),
        ..Metrics::default()
    };
    for line in load_negative_lines(&dir.join("negatives.txt")) {
        m.written_negatives += 1;
        let f = r.find(&line);
        if !f.is_empty() {
            m.written_negatives_flagged.push(format!(
                "{:?} -> {:?}",
                line,
                f.iter()
                    .map(|x| format!("{}:{}", x.kind, &line[x.start..x.end]))
                    .collect::<Vec<_>>()
            ));
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

impl Labelled {
    /// Recall of one type.
    pub fn recall_of(&self, ty: &str) -> f64 {
        let (h, n) = self.recall.get(ty).copied().unwrap_or((0, 0));
        h as f64 / n.max(1) as f64
    }

    fn recall_json(&self) -> BTreeMap<String, Value> {
        let rate = |a: usize, b: usize| a as f64 / b.max(1) as f64;
        self.recall
            .iter()
            .map(|(k, (h, n))| {
                (
                    k.clone(),
                    json!({"recall": rate(*h, *n), "covered": h, "n": n}),
                )
            })
            .collect()
    }

    /// The figures as JSON.
    pub fn to_json(&self) -> Value {
        json!({
            "documents": self.docs,
            "recall": self.recall_json(),
            "false_positives": self.false_positives.len(),
            "mb_per_s": self.bytes as f64 / 1e6 / self.seconds.max(1e-9),
        })
    }
}

impl Metrics {
    /// The figures as JSON.
    pub fn to_json(&self) -> Value {
        let rate = |a: usize, b: usize| a as f64 / b.max(1) as f64;
        json!({
            "synth_recall": self.synth.recall_json(),
            "synth_mb_per_s": self.synth.bytes as f64 / 1e6 / self.synth.seconds.max(1e-9),
            "synth_false_positives": self.synth.false_positives.len(),
            "generated": self.generated.to_json(),
            "written_negatives": {"n": self.written_negatives, "flagged": self.written_negatives_flagged.len()},
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
