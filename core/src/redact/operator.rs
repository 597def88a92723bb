//! What replaces a finding: a typed placeholder, a mask, a keyed pseudonym, nothing, or a
//! reversible token.

use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use super::kind::PiiKind;
use crate::error::{Error, Result};

/// How a finding is replaced.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Operator {
    /// `[CARD]`, `[EMAIL]`, ...
    #[default]
    Placeholder,
    /// Letters and digits become `*` except the last four: `**** **** **** 1111`.
    Mask,
    /// A stable pseudonym keyed by the redactor's secret: `[CARD:5f1c0e93a2d4]`. The same
    /// value (ignoring spaces, dashes and case where the format allows) always gives the same
    /// pseudonym under the same key, and nothing about the value can be read from it.
    Hash,
    /// The finding is deleted.
    Remove,
    /// A numbered token such as `<CARD_1>`; the same value (spelled the same way) gets the
    /// same token within one [`TokenVault`], and [`TokenVault::restore`] puts the values back
    /// exactly.
    Token,
}

impl Operator {
    /// The stable name (`placeholder`, `mask`, `hash`, `remove`, `token`).
    pub fn as_str(self) -> &'static str {
        match self {
            Operator::Placeholder => "placeholder",
            Operator::Mask => "mask",
            Operator::Hash => "hash",
            Operator::Remove => "remove",
            Operator::Token => "token",
        }
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Operator {
    type Err = Error;
    fn from_str(s: &str) -> Result<Operator> {
        Ok(match s {
            "placeholder" => Operator::Placeholder,
            "mask" => Operator::Mask,
            "hash" => Operator::Hash,
            "remove" => Operator::Remove,
            "token" => Operator::Token,
            other => {
                return Err(Error::invalid(format!(
                    "unknown redaction mode {other:?}: use placeholder, mask, hash, remove or token"
                )))
            }
        })
    }
}

/// The value a pseudonym or token stands for, with formatting removed so that the same card
/// or phone printed two ways is one value.
pub(crate) fn canonical(kind: &PiiKind, value: &str) -> String {
    match kind {
        PiiKind::CreditCard
        | PiiKind::Iban
        | PiiKind::UsSsn
        | PiiKind::AbaRouting
        | PiiKind::Phone => value
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '+')
            .collect::<String>()
            .to_ascii_uppercase(),
        PiiKind::Email | PiiKind::IpAddress => value.to_ascii_lowercase(),
        _ => value.to_string(),
    }
}

/// `value` with every letter and digit but the last four replaced by `*`.
pub(crate) fn mask(value: &str) -> String {
    let total = value.chars().filter(|c| c.is_alphanumeric()).count();
    let keep_from = total.saturating_sub(4);
    let mut seen = 0;
    value
        .chars()
        .map(|c| {
            if c.is_alphanumeric() {
                seen += 1;
                if seen > keep_from {
                    c
                } else {
                    '*'
                }
            } else {
                c
            }
        })
        .collect()
}

/// HMAC-SHA256 pseudonym of a value: the first 12 hex digits of the MAC.
pub(crate) fn pseudonym(key: &[u8], kind: &PiiKind, value: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC takes keys of any length");
    mac.update(kind.label().as_bytes());
    mac.update(&[0]);
    mac.update(canonical(kind, value).as_bytes());
    let digest = mac.finalize().into_bytes();
    format!("[{}:{}]", kind.label(), &hex::encode(digest)[..12])
}

/// Reversible tokens of one session: `<CARD_1>` <-> the card number it replaced.
///
/// ```
/// use xspense::redact::{Operator, Redactor, TokenVault};
/// let r = Redactor::builder().operator(Operator::Token).build().unwrap();
/// let mut vault = TokenVault::new();
/// let out = r.redact_with("mail ana@example.com, bo@example.org, ana@example.com", &mut vault);
/// assert_eq!(out.text, "mail <EMAIL_1>, <EMAIL_2>, <EMAIL_1>");
/// assert_eq!(vault.restore("Reply sent to <EMAIL_1>."), "Reply sent to ana@example.com.");
/// ```
#[derive(Debug, Clone, Default)]
pub struct TokenVault {
    by_value: HashMap<(PiiKind, String), String>,
    by_token: HashMap<String, String>,
    counters: HashMap<PiiKind, u32>,
}

impl TokenVault {
    /// An empty vault.
    pub fn new() -> TokenVault {
        TokenVault::default()
    }

    /// The token for a value, made on first sight. Values are compared as written, so that
    /// restoring gives back exactly the text that was redacted.
    pub(crate) fn token(&mut self, kind: &PiiKind, value: &str) -> String {
        let key = (kind.clone(), value.to_string());
        if let Some(t) = self.by_value.get(&key) {
            return t.clone();
        }
        let n = self.counters.entry(kind.clone()).or_insert(0);
        *n += 1;
        let token = format!("<{}_{}>", kind.label(), n);
        self.by_value.insert(key, token.clone());
        self.by_token.insert(token.clone(), value.to_string());
        token
    }

    /// Number of distinct values held.
    pub fn len(&self) -> usize {
        self.by_token.len()
    }

    /// Whether the vault holds no value.
    pub fn is_empty(&self) -> bool {
        self.by_token.is_empty()
    }

    /// The original value of a token such as `<CARD_1>`.
    pub fn value_of(&self, token: &str) -> Option<&str> {
        self.by_token.get(token).map(String::as_str)
    }

    /// Puts original values back in place of every token this vault issued; unknown tokens and
    /// other text stay as they are.
    pub fn restore(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('<') {
            out.push_str(&rest[..open]);
            let tail = &rest[open..];
            let close = tail[1..]
                .find(|c: char| !(c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_'))
                .map(|p| p + 1);
            match close {
                Some(c) if tail.as_bytes()[c] == b'>' => {
                    let token = &tail[..=c];
                    match self.by_token.get(token) {
                        Some(v) => out.push_str(v),
                        None => out.push_str(token),
                    }
                    rest = &tail[c + 1..];
                }
                _ => {
                    out.push('<');
                    rest = &tail[1..];
                }
            }
        }
        out.push_str(rest);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_the_last_four_and_the_layout() {
        assert_eq!(mask("4111 1111 1111 1234"), "**** **** **** 1234");
        assert_eq!(mask("abc"), "abc");
        assert_eq!(mask("ana@ex.com"), "***@*x.com");
    }

    #[test]
    fn pseudonyms_are_keyed_and_ignore_formatting() {
        let a = pseudonym(b"k1", &PiiKind::CreditCard, "4111 1111 1111 1111");
        let b = pseudonym(b"k1", &PiiKind::CreditCard, "4111-1111-1111-1111");
        let c = pseudonym(b"k2", &PiiKind::CreditCard, "4111111111111111");
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(
            a.starts_with("[CARD:") && a.len() == "[CARD:]".len() + 12,
            "{a}"
        );
    }

    #[test]
    fn restore_leaves_unknown_tokens_and_angle_brackets() {
        let mut v = TokenVault::new();
        let t = v.token(&PiiKind::Phone, "+1 555 0100");
        assert_eq!(t, "<PHONE_1>");
        assert_eq!(
            v.restore("a < b, <PHONE_1>, <PHONE_2>, <x>"),
            "a < b, +1 555 0100, <PHONE_2>, <x>"
        );
    }
}
