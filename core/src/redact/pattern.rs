//! Detectors defined as data: a regex, the keywords that must occur nearby, an optional
//! entropy floor and validator, and allow-lists. The built-in secret detectors (provider API
//! keys, tokens, private keys, generic `key = ...` assignments) are derived from the gitleaks
//! rule set and shipped as `data/secrets.json`; hosts add their own with [`DetectorSpec`].
//!
//! A keyword automaton finds the lines worth looking at, so a detector's regex only runs near
//! one of its keywords, and each regex is compiled the first time it is needed.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::{Regex, RegexBuilder};
use serde::{Deserialize, Serialize};

use super::kind::PiiKind;
use super::scan::Raw;
use super::validate::{shannon_entropy, Validator};
use crate::error::{Error, Result};

/// A detector described as data.
///
/// ```
/// use xspense::redact::{DetectorSpec, Redactor};
/// let spec: DetectorSpec = serde_json::from_value(serde_json::json!({
///     "id": "employee-id",
///     "kind": "EMPLOYEE_ID",
///     "regex": r"\bEMP-(\d{6})\b",
///     "keywords": ["emp-"],
/// })).unwrap();
/// let r = Redactor::builder().detector(spec).build().unwrap();
/// assert_eq!(r.redact("badge EMP-004211 at gate").text, "badge EMP-[EMPLOYEE_ID] at gate");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct DetectorSpec {
    /// Stable name, reported as the finding's detector.
    pub id: String,
    /// What a match is.
    pub kind: PiiKind,
    /// The pattern (Rust `regex` syntax). The sensitive part is capture group `secret_group`,
    /// else the first group that matched, else the whole match.
    pub regex: String,
    /// Lower-case words one of which must occur within a few lines of a match; empty means
    /// the regex runs over all text (slow on large inputs).
    #[serde(default)]
    pub keywords: Vec<String>,
    /// Minimum Shannon entropy (bits per byte) of the sensitive part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entropy: Option<f64>,
    /// Which capture group is the sensitive part.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret_group: Option<usize>,
    /// A check the sensitive part must pass.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub validator: Option<Validator>,
    /// Confidence of a finding; defaults by kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f64>,
    /// Matches to ignore.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub allowlists: Vec<AllowSpec>,
}

/// Matches a detector ignores: by regex on the secret, the whole match or the line, or by a
/// stopword contained in the secret.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AllowSpec {
    /// What the regexes look at: `secret` (default), `match` or `line`.
    #[serde(default = "default_target")]
    pub target: String,
    /// Regexes that clear a match.
    #[serde(default)]
    pub regexes: Vec<String>,
    /// Lower-case strings that clear a secret containing them.
    #[serde(default)]
    pub stopwords: Vec<String>,
}

fn default_target() -> String {
    "secret".into()
}

#[derive(Deserialize)]
struct SecretData {
    global: GlobalAllow,
    rules: Vec<DetectorSpec>,
}

#[derive(Deserialize)]
struct GlobalAllow {
    regexes: Vec<String>,
    stopwords: Vec<String>,
}

/// The built-in secret detectors: the gitleaks-derived set (see `data/generate.py`) and
/// xspense's own (`data/extra_secrets.json`: passwords in URLs such as
/// `postgres://app:password@db`).
pub fn builtin_secret_detectors() -> Vec<DetectorSpec> {
    let mut all = builtin_data().rules.clone();
    all.extend(extra_data().iter().cloned());
    all
}

fn extra_data() -> &'static [DetectorSpec] {
    static DATA: OnceLock<Vec<DetectorSpec>> = OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str(include_str!("data/extra_secrets.json"))
            .expect("built-in extra_secrets.json is valid (checked by tests)")
    })
}

fn builtin_data() -> &'static SecretData {
    static DATA: OnceLock<SecretData> = OnceLock::new();
    DATA.get_or_init(|| {
        serde_json::from_str(include_str!("data/secrets.json"))
            .expect("built-in secrets.json is valid (checked by tests)")
    })
}

/// A regex compiled on first use.
#[derive(Debug)]
struct Lazy {
    pattern: String,
    compiled: OnceLock<Option<Regex>>,
}

impl Lazy {
    fn new(pattern: &str) -> Result<Lazy> {
        regex_syntax::ParserBuilder::new()
            .build()
            .parse(pattern)
            .map_err(|e| Error::invalid(format!("invalid detector regex {pattern:?}: {e}")))?;
        Ok(Lazy {
            pattern: pattern.to_string(),
            compiled: OnceLock::new(),
        })
    }

    fn get(&self) -> Option<&Regex> {
        self.compiled
            .get_or_init(|| {
                RegexBuilder::new(&self.pattern)
                    .size_limit(32 << 20)
                    .build()
                    .ok()
            })
            .as_ref()
    }
}

#[derive(Debug)]
enum Target {
    Secret,
    Match,
    Line,
}

#[derive(Debug)]
struct Allow {
    target: Target,
    regexes: Vec<Lazy>,
    stopwords: Vec<String>,
    /// all stopwords in one automaton, built on first use
    stop_matcher: OnceLock<Option<AhoCorasick>>,
}

impl Allow {
    fn new(spec: &AllowSpec) -> Result<Allow> {
        let target = match spec.target.as_str() {
            "secret" | "" => Target::Secret,
            "match" => Target::Match,
            "line" => Target::Line,
            other => {
                return Err(Error::invalid(format!(
                    "allow-list target {other:?} must be secret, match or line"
                )))
            }
        };
        Ok(Allow {
            target,
            regexes: spec
                .regexes
                .iter()
                .map(|r| Lazy::new(r))
                .collect::<Result<_>>()?,
            stopwords: spec.stopwords.iter().map(|s| s.to_lowercase()).collect(),
            stop_matcher: OnceLock::new(),
        })
    }

    fn clears(&self, secret: &str, whole: &str, line: &str) -> bool {
        let subject = match self.target {
            Target::Secret => secret,
            Target::Match => whole,
            Target::Line => line,
        };
        if self
            .regexes
            .iter()
            .any(|r| r.get().is_some_and(|re| re.is_match(subject)))
        {
            return true;
        }
        if self.stopwords.is_empty() {
            return false;
        }
        let matcher = self.stop_matcher.get_or_init(|| {
            AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .build(&self.stopwords)
                .ok()
        });
        match matcher {
            Some(ac) if secret.is_ascii() => ac.is_match(secret),
            _ => {
                let lower = secret.to_lowercase();
                self.stopwords.iter().any(|w| lower.contains(w.as_str()))
            }
        }
    }
}

#[derive(Debug)]
struct Compiled {
    id: String,
    kind: PiiKind,
    regex: Lazy,
    entropy: Option<f64>,
    secret_group: Option<usize>,
    validator: Option<Validator>,
    confidence: f64,
    allow: Vec<Allow>,
    /// the regex can span many lines (private key blocks)
    multiline: bool,
    generic: bool,
}

/// All pattern detectors of a redactor, behind one keyword automaton.
#[derive(Debug)]
pub(crate) struct PatternSet {
    detectors: Vec<Compiled>,
    keywords: Option<AhoCorasick>,
    keyword_detectors: Vec<Vec<usize>>,
    unkeyed: Vec<usize>,
    global: Vec<Allow>,
}

fn default_confidence(kind: &PiiKind) -> f64 {
    match kind {
        PiiKind::PrivateKey => 0.99,
        PiiKind::Jwt => 0.95,
        PiiKind::ApiKey => 0.9,
        PiiKind::Secret => 0.75,
        _ => 0.8,
    }
}

/// Lines before and after a keyword that a detector's regex may see.
const LINES_AFTER: usize = 5;
/// How far a multi-line detector may reach past its keyword.
const MULTILINE_REACH: usize = 64 * 1024;

impl PatternSet {
    pub(crate) fn new(specs: Vec<DetectorSpec>, builtin_global: bool) -> Result<PatternSet> {
        let mut detectors = Vec::with_capacity(specs.len());
        let mut kw_index: HashMap<String, usize> = HashMap::new();
        let mut kw_list: Vec<String> = Vec::new();
        let mut keyword_detectors: Vec<Vec<usize>> = Vec::new();
        let mut unkeyed = Vec::new();
        let mut seen = HashMap::new();
        for spec in specs {
            if spec.id.trim().is_empty() {
                return Err(Error::invalid("detector id must not be empty"));
            }
            if seen.insert(spec.id.clone(), ()).is_some() {
                return Err(Error::Conflict(format!(
                    "duplicate detector id {:?}",
                    spec.id
                )));
            }
            if let Some(c) = spec.confidence {
                if !(0.0..=1.0).contains(&c) {
                    return Err(Error::invalid(format!(
                        "detector {:?}: confidence {c} is outside 0..=1",
                        spec.id
                    )));
                }
            }
            let i = detectors.len();
            for k in &spec.keywords {
                let k = k.to_lowercase();
                if k.is_empty() {
                    return Err(Error::invalid(format!(
                        "detector {:?} has an empty keyword",
                        spec.id
                    )));
                }
                let id = *kw_index.entry(k.clone()).or_insert_with(|| {
                    kw_list.push(k.clone());
                    keyword_detectors.push(Vec::new());
                    kw_list.len() - 1
                });
                keyword_detectors[id].push(i);
            }
            if spec.keywords.is_empty() {
                unkeyed.push(i);
            }
            let multiline = spec.regex.contains(r"[\s\S") || spec.regex.contains("(?s");
            detectors.push(Compiled {
                id: spec.id.clone(),
                confidence: spec
                    .confidence
                    .unwrap_or_else(|| default_confidence(&spec.kind)),
                regex: Lazy::new(&spec.regex)?,
                entropy: spec.entropy,
                secret_group: spec.secret_group,
                validator: spec.validator,
                allow: spec
                    .allowlists
                    .iter()
                    .map(Allow::new)
                    .collect::<Result<_>>()?,
                multiline,
                generic: spec.id.starts_with("generic"),
                kind: spec.kind,
            });
        }
        let keywords = if kw_list.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .ascii_case_insensitive(true)
                    .match_kind(MatchKind::Standard)
                    .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                    .build(&kw_list)
                    .map_err(|e| Error::Internal(format!("keyword automaton: {e}")))?,
            )
        };
        let global = if builtin_global {
            let g = &builtin_data().global;
            vec![Allow::new(&AllowSpec {
                target: "secret".into(),
                regexes: g.regexes.clone(),
                stopwords: g.stopwords.clone(),
            })?]
        } else {
            Vec::new()
        };
        Ok(PatternSet {
            detectors,
            keywords,
            keyword_detectors,
            unkeyed,
            global,
        })
    }

    /// Appends every pattern finding in `text`.
    pub(crate) fn scan(&self, text: &str, out: &mut Vec<Raw>) {
        // (detector, window start, window end)
        let mut windows: Vec<(usize, usize, usize)> = Vec::new();
        if let Some(ac) = &self.keywords {
            let b = text.as_bytes();
            let mut last: Option<(usize, usize)> = None;
            for m in ac.find_overlapping_iter(text) {
                let ls = memchr::memrchr(b'\n', &b[..m.start()]).map_or(0, |p| p + 1);
                let (ws, we) = match last {
                    Some((s, e)) if s == ls => (s, e),
                    _ => {
                        let mut we = m.end();
                        for _ in 0..=LINES_AFTER {
                            match memchr::memchr(b'\n', &b[we..]) {
                                Some(p) => we += p + 1,
                                None => {
                                    we = b.len();
                                    break;
                                }
                            }
                        }
                        (ls, we)
                    }
                };
                last = Some((ws, we));
                for &d in &self.keyword_detectors[m.pattern().as_usize()] {
                    let we = if self.detectors[d].multiline {
                        (ws + MULTILINE_REACH).min(b.len())
                    } else {
                        we
                    };
                    windows.push((d, ws, we));
                }
            }
        }
        for &d in &self.unkeyed {
            windows.push((d, 0, text.len()));
        }
        if windows.is_empty() {
            return;
        }
        windows.sort_unstable();
        // merge overlapping windows of the same detector
        let mut merged: Vec<(usize, usize, usize)> = Vec::with_capacity(windows.len());
        for w in windows {
            match merged.last_mut() {
                Some(last) if last.0 == w.0 && w.1 <= last.2 => last.2 = last.2.max(w.2),
                _ => merged.push(w),
            }
        }
        let start_len = out.len();
        for (d, ws, we) in merged {
            self.run(d, text, ws, we, out);
        }
        // windows of one detector never overlap, but one match may be found from two
        let found = &mut out[start_len..];
        found.sort_by(|a, b| (a.start, a.end, &a.detector).cmp(&(b.start, b.end, &b.detector)));
        let mut seen: Vec<Raw> = Vec::new();
        for r in out.drain(start_len..) {
            if seen
                .last()
                .is_none_or(|p| (p.start, p.end, &p.detector) != (r.start, r.end, &r.detector))
            {
                seen.push(r);
            }
        }
        out.extend(seen);
    }

    fn run(&self, d: usize, text: &str, ws: usize, we: usize, out: &mut Vec<Raw>) {
        let det = &self.detectors[d];
        let Some(re) = det.regex.get() else {
            return;
        };
        let window = &text[ws..we];
        for caps in re.captures_iter(window) {
            let Some(whole) = caps.get(0) else {
                continue;
            };
            let secret = match det.secret_group {
                Some(g) => caps.get(g),
                None => caps
                    .iter()
                    .skip(1)
                    .flatten()
                    .find(|m| !m.as_str().is_empty()),
            }
            .unwrap_or(whole);
            let s = secret.as_str();
            if s.is_empty() {
                continue;
            }
            if let Some(min) = det.entropy {
                if shannon_entropy(s) <= min {
                    continue;
                }
                if det.generic && !s.bytes().any(|b| b.is_ascii_digit()) {
                    continue;
                }
            }
            if let Some(v) = det.validator {
                if !v.check(s) {
                    continue;
                }
            }
            let (start, end) = (ws + secret.start(), ws + secret.end());
            let line = line_of(text, ws + whole.start(), ws + whole.end());
            if det
                .allow
                .iter()
                .chain(&self.global)
                .any(|a| a.clears(s, whole.as_str(), line))
            {
                continue;
            }
            out.push(Raw {
                kind: det.kind.clone(),
                start,
                end,
                confidence: det.confidence,
                detector: Cow::Owned(det.id.clone()),
            });
        }
    }

    /// Ids of the detectors, in order.
    pub(crate) fn ids(&self) -> impl Iterator<Item = &str> {
        self.detectors.iter().map(|d| d.id.as_str())
    }

    /// Compiles every regex now (tests and benchmarks that must not pay on first use).
    pub(crate) fn compile_all(&self) -> Vec<(String, String)> {
        let mut failed = Vec::new();
        for d in &self.detectors {
            if d.regex.get().is_none() {
                failed.push((d.id.to_string(), d.regex.pattern.clone()));
            }
            for a in d.allow.iter().chain(&self.global) {
                for r in &a.regexes {
                    if r.get().is_none() {
                        failed.push((d.id.to_string(), r.pattern.clone()));
                    }
                }
            }
        }
        failed
    }
}

/// The full lines that hold `text[start..end]`.
fn line_of(text: &str, start: usize, end: usize) -> &str {
    let b = text.as_bytes();
    let ls = memchr::memrchr(b'\n', &b[..start]).map_or(0, |p| p + 1);
    let le = memchr::memchr(b'\n', &b[end..]).map_or(b.len(), |p| end + p);
    &text[ls..le]
}
