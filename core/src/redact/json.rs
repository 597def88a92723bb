//! Redacting JSON documents: every string and the text of every number is scanned, and values
//! under sensitive key names (`password`, `api_key`, `card_number`, `ssn`, ...) are replaced
//! whole. A number with a finding becomes a string holding the replacement; other numbers stay
//! numbers.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Finding, PiiKind, Redactor, TokenVault};

/// A finding inside a JSON document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct JsonFinding {
    /// JSON Pointer (RFC 6901) of the string or number that held it.
    pub path: String,
    /// The finding; its span refers to that string (or to the number's text).
    #[serde(flatten)]
    pub finding: Finding,
}

/// A redacted JSON document and what was replaced in it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RedactedJson {
    /// The document with every finding replaced.
    pub value: Value,
    /// The findings, in document order.
    pub findings: Vec<JsonFinding>,
}

/// The kind of data a key name announces, if it announces one.
pub(crate) fn sensitive_key(key: &str) -> Option<PiiKind> {
    let k: String = key
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect::<String>()
        .to_ascii_lowercase();
    let ends = |s: &str| k.ends_with(s);
    Some(
        if ends("password") || ends("passwd") || ends("passphrase") || k == "pwd" {
            PiiKind::Secret
        } else if ends("privatekey") {
            PiiKind::PrivateKey
        } else if ends("apikey") || ends("accesskey") || ends("accesskeyid") {
            PiiKind::ApiKey
        } else if ends("secret")
            || ends("secretkey")
            || ends("token")
            || k == "authorization"
            || k == "proxyauthorization"
            || k == "cookie"
            || k == "setcookie"
            || ends("sessionid")
            || k == "cvv"
            || k == "cvc"
            || k == "cvv2"
            || k == "pin"
            || ends("accountnumber")
        {
            PiiKind::Secret
        } else if ends("ssn") || ends("socialsecuritynumber") {
            PiiKind::UsSsn
        } else if ends("cardnumber") || k == "pan" || ends("ccnumber") || ends("creditcard") {
            PiiKind::CreditCard
        } else if ends("iban") {
            PiiKind::Iban
        } else if ends("routingnumber") {
            PiiKind::AbaRouting
        } else {
            return None;
        },
    )
}

fn pointer_escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}

impl Redactor {
    /// Redacts a JSON document with the configured operator (tokens from a fresh vault).
    ///
    /// ```
    /// use serde_json::json;
    /// let r = xspense::redact::Redactor::new();
    /// let out = r.redact_json(&json!({
    ///     "user": {"email": "ana@example.com", "password": "hunter2"},
    ///     "note": "card 4111-1111-1111-1111",
    ///     "max_tokens": 200
    /// }));
    /// assert_eq!(out.value, json!({
    ///     "user": {"email": "[EMAIL]", "password": "[SECRET]"},
    ///     "note": "card [CARD]",
    ///     "max_tokens": 200
    /// }));
    /// assert_eq!(out.findings[0].path, "/note");
    /// ```
    pub fn redact_json(&self, value: &Value) -> RedactedJson {
        let mut vault = TokenVault::new();
        self.redact_json_with(value, &mut vault)
    }

    /// Redacts a JSON document, issuing tokens from `vault` for [`super::Operator::Token`].
    pub fn redact_json_with(&self, value: &Value, vault: &mut TokenVault) -> RedactedJson {
        let mut findings = Vec::new();
        let mut path = String::new();
        let value = self.walk(value, None, &mut path, vault, &mut findings);
        RedactedJson { value, findings }
    }

    /// Replaces a whole value found under a sensitive key name.
    fn replace_whole(
        &self,
        kind: &PiiKind,
        value: &str,
        path: &str,
        vault: &mut TokenVault,
        out: &mut Vec<JsonFinding>,
    ) -> String {
        out.push(JsonFinding {
            path: path.to_string(),
            finding: Finding {
                kind: kind.clone(),
                start: 0,
                end: value.len(),
                confidence: 0.9,
                detector: "json_key".into(),
            },
        });
        self.replacement(kind, value, vault)
    }

    /// Redacts the text of a string or number at `path`, reporting its findings there;
    /// `None` when nothing was found.
    fn redact_text_at(
        &self,
        text: &str,
        path: &str,
        vault: &mut TokenVault,
        out: &mut Vec<JsonFinding>,
    ) -> Option<String> {
        let r = self.redact_with(text, vault);
        if r.findings.is_empty() {
            return None;
        }
        out.extend(r.findings.into_iter().map(|finding| JsonFinding {
            path: path.to_string(),
            finding,
        }));
        Some(r.text)
    }

    fn walk(
        &self,
        v: &Value,
        forced: Option<&PiiKind>,
        path: &mut String,
        vault: &mut TokenVault,
        out: &mut Vec<JsonFinding>,
    ) -> Value {
        match v {
            Value::Object(map) => {
                let mut m = serde_json::Map::with_capacity(map.len());
                for (k, child) in map {
                    let len = path.len();
                    path.push('/');
                    path.push_str(&pointer_escape(k));
                    let kind = sensitive_key(k);
                    let kind = kind.as_ref().or(forced);
                    m.insert(k.clone(), self.walk(child, kind, path, vault, out));
                    path.truncate(len);
                }
                Value::Object(m)
            }
            Value::Array(xs) => Value::Array(
                xs.iter()
                    .enumerate()
                    .map(|(i, x)| {
                        let len = path.len();
                        path.push('/');
                        path.push_str(&i.to_string());
                        let r = self.walk(x, forced, path, vault, out);
                        path.truncate(len);
                        r
                    })
                    .collect(),
            ),
            Value::String(s) => match forced {
                Some(kind) if !s.is_empty() && !self.allowed(s) => {
                    Value::String(self.replace_whole(kind, s, path, vault, out))
                }
                _ => Value::String(
                    self.redact_text_at(s, path, vault, out)
                        .unwrap_or_else(|| s.clone()),
                ),
            },
            Value::Number(n) => {
                let digits = n.to_string();
                match forced {
                    Some(kind) => {
                        Value::String(self.replace_whole(kind, &digits, path, vault, out))
                    }
                    // a placeholder cannot stay a number: a number with a finding becomes a
                    // string; amounts, counts and ids without one stay numbers
                    None => self
                        .redact_text_at(&digits, path, vault, out)
                        .map_or_else(|| v.clone(), Value::String),
                }
            }
            Value::Bool(_) | Value::Null => v.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{Operator, PiiKind, Redactor};

    #[test]
    fn card_numbers_stored_as_numbers_become_redacted_strings() {
        let r = Redactor::new();
        let out = r.redact_json(&json!({"card": 4111111111111111u64, "id": 5555555555554444u64}));
        assert_eq!(out.value, json!({"card": "[CARD]", "id": "[CARD]"}));
        let paths: Vec<(&str, &PiiKind, usize, usize)> = out
            .findings
            .iter()
            .map(|f| {
                (
                    f.path.as_str(),
                    &f.finding.kind,
                    f.finding.start,
                    f.finding.end,
                )
            })
            .collect();
        assert_eq!(
            paths,
            vec![
                ("/card", &PiiKind::CreditCard, 0, 16),
                ("/id", &PiiKind::CreditCard, 0, 16)
            ]
        );
    }

    #[test]
    fn numbers_in_arrays_follow_the_operator() {
        let r = Redactor::builder()
            .operator(Operator::Token)
            .build()
            .unwrap();
        let out = r.redact_json(&json!({"pans": [4111111111111111u64, 4111111111111111u64, 7]}));
        assert_eq!(out.value, json!({"pans": ["<CARD_1>", "<CARD_1>", 7]}));
        assert_eq!(out.findings[1].path, "/pans/1");
    }

    #[test]
    fn numbers_without_findings_stay_numbers() {
        let r = Redactor::new();
        let doc = json!({
            "amount": 1234.56,
            "minor": -123456,
            "count": 3,
            "order_id": 4111111111111112u64,
            "ts": 1764633600000u64,
            "ratio": 0.000001,
            "big": 18446744073709551615u64,
            "store": 42
        });
        let out = r.redact_json(&doc);
        assert_eq!(out.value, doc);
        assert!(out.findings.is_empty(), "{:?}", out.findings);
    }
}
