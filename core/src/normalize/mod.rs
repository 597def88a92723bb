//! Raw bank descriptor -> merchant key and display name.
//!
//! `"SQ *BLUE BOTTLE 0042 OAKLAND CA"` becomes key `blue bottle`, display `Blue Bottle Coffee`.
//! The key is what learned aliases and similarity memory are indexed by, so every branch, payment
//! path and date of the same merchant should land on one key. The steps, in order:
//!
//! 1. fold case and diacritics (`Café` -> `cafe`); in a structured narration (`UPI-<payee>-...`,
//!    `NEFT CR-<bank code>-<payee>-...`, [`narration`](self)) keep only the payee;
//! 2. strip bank and wallet phrases at the start (`POS`, `DEBIT CARD PURCHASE`, `CARD PAYMENT TO`)
//!    and an ACH line's fields after the company (`PGANDE DES:WEB ONLINE ID:...`);
//! 3. remove e-mail addresses, dates (`ON 12 MAR` too), times, phone numbers, card suffixes (`#7458`, `XXXX1234`),
//!    reference codes and currency clauses (`18.26 GBP, RATE 1.00/GBP`);
//! 4. reduce web addresses to their name (`www.netflix.com` -> `netflix`);
//! 5. drop payment-processor heads before a `*` (`SQ *`, `TST*`, `PAYPAL *`) and reference tails after it;
//! 6. a payment to a person (`ZELLE PAYMENT TO`, `VENMO *`, `CASH APP*`) keys on the payee;
//! 7. if a well-known brand starts the text (or a long spelling of one stands anywhere in it),
//!    the brand is the merchant;
//! 8. otherwise drop noise words, store numbers and codes, then place tails from the end
//!    (country, state, city, and words printed in capitals after a mixed-case name), and a
//!    word said twice in a row; if what is left is a brand's spelling, the brand is the
//!    merchant (the only way an ordinary-word spelling such as `target` or `next` counts).
//!
//! All of it is driven by the tables in [`tables`](self) so new prefixes and places are data;
//! the brands come from the merchant table, `knowledge/data/merchants.tsv` (see
//! `docs/merchants.md`).

mod brands;
mod fold;
mod keys;
mod narration;
mod tables;

use regex::Regex;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;

use crate::knowledge::merchants::Merchant;
use brands::BrandIndex;
pub use fold::fold;
pub use keys::{AliasKey, DetailKey, MerchantKey};

/// The detail key of folded text already stripped of bank phrases and noise: its words,
/// without digits and punctuation (dots kept).
fn detail_of(stripped: &str) -> DetailKey {
    let words = stripped
        .split(|c: char| !(c.is_alphabetic() || c == '.'))
        .map(|w| w.trim_matches('.'))
        .filter(|w| !w.is_empty());
    DetailKey::from_words(words, stripped.len())
}

/// What normalization made of a descriptor.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Normalized {
    /// Lowercase, folded merchant key (`blue bottle`).
    pub key: MerchantKey,
    /// Human-readable merchant name (`Blue Bottle Coffee`).
    pub display: String,
    /// Whether the key came from the built-in brand table.
    pub brand: bool,
    /// The finer whole-descriptor key (see [`Normalizer::detail_key`]).
    #[serde(default)]
    pub detail: DetailKey,
}

/// The table-driven descriptor normalizer. Build once, share freely (it is immutable).
///
/// ```
/// use xspense::normalize::Normalizer;
/// let n = Normalizer::builtin();
/// let m = n.normalize("SQ *BLUE BOTTLE 0042 OAKLAND CA");
/// assert_eq!(m.key, "blue bottle");
/// assert_eq!(n.normalize("DEBIT CARD PURCHASE JOE'S PIZZA #7458 BROOKLYN NY 12/24").key, "joe's pizza");
/// ```
#[derive(Debug, Clone)]
pub struct Normalizer {
    leading: Regex,
    trailing: Regex,
    trailing_fields: Regex,
    noise: Regex,
    web: Regex,
    star: Regex,
    p2p: Regex,
    processors: HashSet<&'static str>,
    noise_words: HashSet<&'static str>,
    countries: HashSet<&'static str>,
    regions: HashSet<&'static str>,
    cities: HashSet<&'static str>,
    brands: &'static BrandIndex,
}

/// ISO codes of the currencies whose amounts banks print inside a descriptor.
const CURRENCIES: &str =
    "gbp|eur|usd|chf|sek|nok|dkk|pln|czk|huf|ron|aud|nzd|cad|jpy|cny|hkd|sgd|myr|thb|idr|vnd|php|inr|aed|try|brl|mxn|zar|krw";

/// Longest multi-word place name in the tail tables, in words.
const MAX_PLACE_WORDS: usize = 3;
/// Letters a name glued to a code (`NYCTAXI5K88`) needs before the code to be kept.
const GLUED_NAME_MIN_LETTERS: usize = 4;
/// What a person-to-person key starts with when the money came in.
const P2P_INCOMING_PREFIX: &str = "from";
/// Where an ACH line's fields start after the company's name (`PGANDE DES:WEB ONLINE`).
const ACH_FIELDS: &str = " des:";

/// The patterns [`Normalizer::strip_noise`] removes, tried together (first listed wins at a
/// position).
fn noise_patterns() -> Vec<String> {
    // an amount with an ISO currency code before or after it (`18.26 gbp`, `eur 5,00`)
    let currency_amount =
        format!(r"\b(?:\d+(?:[.,]\d+)*\s?(?:{CURRENCIES})|(?:{CURRENCIES})\s?\d+(?:[.,]\d+)*)\b");
    vec![
        // e-mail addresses are personal data, never a merchant's name
        r"[a-z0-9._%+\-]+@[a-z0-9\-]+(?:\.[a-z0-9\-]+)+",
        // "on 12/03" and "on 12 mar" style booking dates (UK)
        r"\bon \d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?\b",
        r"\bon \d{1,2}[ \-](?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*(?:[ \-]\d{2,4})?\b",
        // a foreign-currency clause: "18.26 gbp, rate 1.00/gbp"
        r"\b(?:exchange )?rate\s*\d+(?:[.,]\d+)?(?:\s*/\s*[a-z]{3})?\b",
        &currency_amount,
        // dates
        r"\b\d{4}-\d{2}-\d{2}\b",
        r"\b\d{1,2}[/.\-]\d{1,2}(?:[/.\-]\d{2,4})?\b",
        r"\b\d{1,2}(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\d{0,4}\b",
        // times
        r"\b\d{1,2}:\d{2}(?::\d{2})?\s?(?:am|pm)?\b",
        // phone numbers
        r"\+\d{1,3}[\s.\-]?(?:\(?\d{1,4}\)?[\s.\-]?){2,4}\d{2,4}\b",
        r"\(?\b\d{3}\)?[\s.\-]\d{3}[\s.\-]\d{4}\b",
        r"\b1?8[024-8]{2}\d{7}\b",
        r"\b0\d{2,4} \d{3,4} \d{3,4}\b",
        // card suffixes and masked numbers
        r"\b(?:card|crd)\s*(?:ending|no\.?|number|nr)?\s*(?:in\s*)?[x*]*\s?\d{4}\b",
        r"[x*]{2,}\s?\d{2,6}\b",
        r"\.{2,}\d{4}\b",
        r"#\s?[a-z]?\d[\w\-]*",
        // labelled references
        r"\b(?:ref|reference|auth|trace|conf|seq|txn|invoice|inv|ppd id|web id|ccd id|id|tel|ph|store|terminal|term|trx|folgenr)\b\s*[.:#]?\s*[a-z0-9\-]*\d[a-z0-9\-]*",
    ]
    .into_iter()
    .map(str::to_string)
    .collect()
}

impl Default for Normalizer {
    fn default() -> Self {
        Self::builtin()
    }
}

impl Normalizer {
    /// The normalizer with the built-in tables.
    pub fn builtin() -> Self {
        let leading = format!(
            r"^(?:{})(?:\b|$)[\s:*#\-]*",
            tables::LEADING_PHRASES.join("|")
        );
        // ASCII classes (`(?-u)`): `\b`, `\d`, `\s` and `\w` in their Unicode forms multiply the
        // states the lazy DFA builds for text it has not seen, which made first sightings of long
        // descriptors cost about seven times a warm search. Letters outside ASCII count as
        // non-word characters here, so a date glued to a Cyrillic word is still a date.
        let noise = format!("(?-u:{})", noise_patterns().join("|"));
        Normalizer {
            leading: Regex::new(&leading).expect("leading phrase table compiles"),
            trailing: Regex::new(&format!(
                r"\s:\s*(?:{})\b.*$",
                tables::TRAILING_PHRASES.join("|")
            ))
            .expect("trailing phrase table compiles"),
            trailing_fields: Regex::new(&format!(
                r"(?-u:\s(?:{})\b)",
                tables::TRAILING_FIELDS.join("|")
            ))
            .expect("trailing field table compiles"),
            noise: Regex::new(&noise).expect("noise patterns compile"),
            web: Regex::new(
                r"\b(?:https?://)?(?:www\.|help\.|pay\.|billing\.|m\.)?([a-z0-9\-]+)\.(?:com?\.[a-z]{2}|com|net|org|io|co|de|fr|es|it|nl|ge|lv|ph|ae|uk|app|tv|ai|me|eu|us|ca|au|shop|store)\b(?:/\S*)?",
            )
            .expect("web pattern compiles"),
            star: Regex::new(r"^([a-z0-9 .&'\-]{1,14}?)\s*\*+\s*").expect("star pattern compiles"),
            p2p: Regex::new(tables::P2P_HEAD).expect("p2p pattern compiles"),
            processors: tables::PROCESSORS.iter().copied().collect(),
            noise_words: tables::NOISE_WORDS.iter().copied().collect(),
            countries: tables::COUNTRY_TAILS.iter().copied().collect(),
            regions: tables::REGION_TAILS.iter().copied().collect(),
            cities: tables::CITY_TAILS.iter().copied().collect(),
            brands: BrandIndex::builtin(),
        }
    }

    /// A finer key than [`Normalized::key`]: the whole descriptor folded, without bank phrases,
    /// dates, references, digits and punctuation (dots kept); see [`DetailKey`] for its stored
    /// form. Two descriptors the normalizer maps to one merchant (`AMAZON.DE ...` and
    /// `AMAZON.ES ...` both to `amazon`) keep different detail keys, so memory can tell them
    /// apart when the tenant does.
    ///
    /// ```
    /// let n = xspense::normalize::Normalizer::builtin();
    /// assert_eq!(n.detail_key("POS AMAZON.DE AMAZON.DE LUXEMBOURG 02/20 #5183"), "≈amazon.de amazon.de luxembourg");
    /// ```
    pub fn detail_key(&self, descriptor: &str) -> DetailKey {
        let folded = fold(descriptor);
        let text = narration::payee(&folded).unwrap_or(folded);
        detail_of(&self.strip_noise(self.strip_ends(text.trim())))
    }

    /// [`Self::strip_leading`], then what a bank prints after the merchant: an ACH line's
    /// fields, a field from [`tables::TRAILING_FIELDS`] and what follows it, a trailing
    /// ` : Mobile Purchase ...` clause.
    fn strip_ends(&self, text: &str) -> String {
        let mut s = self.strip_leading(text);
        // an ACH line (`DEPT EDUCATION DES:STUDENT LN ID:... INDN:... CO ID:... PPD`) names the
        // company before its fields
        let fields = s
            .find(ACH_FIELDS)
            .or_else(|| self.trailing_fields.find(&s).map(|m| m.start()));
        if let Some(at) = fields {
            if s[..at].chars().any(char::is_alphabetic) {
                s.truncate(at);
            }
        }
        if s.contains(" :") {
            self.trailing.replace(&s, "").into_owned()
        } else {
            s
        }
    }

    /// Removes e-mail addresses, dates, times, phone numbers, card suffixes, references and
    /// currency clauses.
    fn strip_noise(&self, s: String) -> String {
        if s.bytes().any(|b| b.is_ascii_digit() || b == b'@') {
            self.noise.replace_all(&s, " ").into_owned()
        } else {
            s
        }
    }

    /// Normalizes one descriptor. Never fails: text that reduces to nothing keys on its folded form.
    pub fn normalize(&self, descriptor: &str) -> Normalized {
        let folded = fold(descriptor);
        let payee = narration::payee(&folded);
        let caps_tail = match payee {
            Some(_) => None,
            None => capitalized_tail(descriptor),
        };
        let text = payee.as_deref().unwrap_or(&folded);
        let mut s = self.strip_noise(self.strip_ends(text.trim()));
        let detail = detail_of(&s);
        if s.contains('.') {
            s = self.web.replace_all(&s, "$1").into_owned();
        }
        s = self.strip_leading(s.trim());
        if s.contains('*') {
            s = self.strip_star(&s);
        }
        let mut s = s.trim();
        // `ITCH.IO - GAME STORE`, `SWEETGREEN - NOMAD`: what follows a spaced dash is a branch.
        if let Some((head, _)) = s.split_once(" - ") {
            if head.chars().any(char::is_alphabetic) {
                s = head.trim();
            }
        }
        // a payment to a person is filed by who was paid, not by the app that paid
        if let Some(payee) = self.p2p_payee(s) {
            return Normalized {
                display: title_case(&payee),
                key: MerchantKey::new(payee),
                brand: false,
                detail,
            };
        }
        if let Some(brand) = self.brands.find(s) {
            return brand_normalized(brand, detail);
        }
        let tokens = self.tokens(s, caps_tail.as_deref());
        let key = if tokens.is_empty() {
            fallback_key(&folded)
        } else {
            tokens.join(" ")
        };
        if let Some(brand) = self.brands.whole(&key) {
            return brand_normalized(brand, detail);
        }
        Normalized {
            display: title_case(&key),
            key: MerchantKey::new(key),
            brand: false,
            detail,
        }
    }

    fn strip_leading(&self, text: &str) -> String {
        let mut s = text.trim_start_matches(|c: char| !c.is_alphanumeric() && c != '(' && c != ')');
        for _ in 0..6 {
            match self.leading.find(s) {
                Some(m) if m.end() > 0 && m.end() < s.len() => {
                    s = s[m.end()..].trim_start();
                }
                _ => break,
            }
        }
        s.to_string()
    }

    fn strip_star(&self, text: &str) -> String {
        let mut s = text.to_string();
        // Processor heads, possibly stacked (`PAYPAL *SQ *...`).
        for _ in 0..3 {
            let Some(c) = self.star.captures(&s) else {
                break;
            };
            let head = c.get(1).map(|m| m.as_str().trim()).unwrap_or("");
            let end = c.get(0).map(|m| m.end()).unwrap_or(0);
            if self.processors.contains(head) && end < s.len() {
                s = s[end..].to_string();
            } else {
                break;
            }
        }
        // A reference after the star (`AMZN MKTP US*2A3B4C5D6`) is not part of the name.
        if let Some((head, tail)) = s.split_once('*') {
            let tail_word = tail.split_whitespace().next().unwrap_or("");
            let reference = tail_word.is_empty()
                || tail_word.bytes().any(|b| b.is_ascii_digit())
                || tail_word.len() <= 2;
            let head = head.trim();
            if reference && !head.is_empty() {
                let rest: Vec<&str> = tail.split_whitespace().skip(1).collect();
                s = format!("{head} {}", rest.join(" "));
            } else {
                s = format!("{head} {}", tail.trim());
            }
        }
        s.replace('*', " ")
    }

    /// The key of a person-to-person payment: its payee (`ZELLE PAYMENT TO JOHN SMITH ...`
    /// gives `john smith`), or `from` and the payer when the money came in (`ZELLE PAYMENT
    /// FROM JOHN SMITH`, `CASH APP*JOHN SMITH*RECEIVED` give `from john smith`), so money sent
    /// to and received from one person are two merchants.
    fn p2p_payee(&self, s: &str) -> Option<String> {
        // every app name starts with one of these; most descriptors are out at one byte
        if !matches!(s.as_bytes().first(), Some(b'z' | b'v' | b'c')) {
            return None;
        }
        let head = self.p2p.find(s)?;
        let mut incoming = head.as_str().contains("from") || head.as_str().contains("received");
        let mut words: Vec<&str> = s[head.end()..]
            .split(|c: char| c.is_whitespace() || matches!(c, '*' | ',' | ':'))
            .filter(|w| !w.is_empty())
            .take_while(|w| {
                w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '\'' | '-' | '.'))
            })
            .map(|w| w.trim_matches(|c: char| !c.is_alphabetic()))
            .filter(|w| {
                !w.is_empty()
                    && !self.noise_words.contains(w)
                    && !self.regions.contains(w)
                    && !self.countries.contains(w)
                    && !self.cities.contains(w)
            })
            .take(4)
            .collect();
        while let Some(last) = words.last() {
            if tables::P2P_INCOMING_TAILS.contains(last) {
                incoming = true;
            } else if !tables::P2P_OUTGOING_TAILS.contains(last) {
                break;
            }
            words.pop();
        }
        if words.is_empty() {
            return None;
        }
        let payee = words.join(" ");
        Some(if incoming {
            format!("{P2P_INCOMING_PREFIX} {payee}")
        } else {
            payee
        })
    }

    fn tokens(&self, s: &str, caps_tail: Option<&str>) -> Vec<String> {
        let raw: Vec<&str> = s
            .split(|c: char| !(c.is_alphanumeric() || matches!(c, '&' | '\'' | '-' | '.')))
            .map(|t| t.trim_matches(|c: char| matches!(c, '-' | '.' | '\'')))
            .filter(|t| t.chars().any(char::is_alphanumeric))
            .collect();
        let mut out: Vec<String> = Vec::with_capacity(raw.len());
        for (i, t) in raw.iter().enumerate() {
            if self.noise_words.contains(t) {
                continue;
            }
            let digits = t.bytes().filter(u8::is_ascii_digit).count();
            if digits > 0 {
                let all_digits = digits == t.len();
                let next_alpha = raw
                    .get(i + 1)
                    .is_some_and(|n| n.chars().all(|c| !c.is_ascii_digit()));
                let keep = if all_digits {
                    out.is_empty() && t.len() <= 3 && next_alpha
                } else {
                    digits < 2 && t.chars().count() < 6
                };
                if !keep {
                    if let Some(name) = self.name_before_code(t) {
                        out.push(name.to_string());
                    }
                    continue;
                }
            }
            out.push(t.to_string());
        }
        self.strip_place_tail(&mut out, caps_tail);
        // `REPLIT, INC., REPLIT.COM`: a name said twice is one name (after the place tail, so
        // `Hofbrau Berlin BERLIN` keeps its branch)
        out.dedup();
        out
    }

    /// The name glued to a code in one word (`NYCTAXI5K88` gives `nyctaxi`): at least
    /// [`GLUED_NAME_MIN_LETTERS`] letters, then a code with digits. Noise words are not names.
    fn name_before_code<'t>(&self, token: &'t str) -> Option<&'t str> {
        let letters = token
            .char_indices()
            .find(|(_, c)| !c.is_alphabetic())
            .map_or(token.len(), |(i, _)| i);
        let name = &token[..letters];
        let rest = &token[letters..];
        let glued = name.chars().count() >= GLUED_NAME_MIN_LETTERS
            && rest.starts_with(|c: char| c.is_ascii_digit());
        (glued && !self.noise_words.contains(name)).then_some(name)
    }

    /// Drops place words from the end, each kind at most once and in the order banks print them
    /// (`... CITY ST COUNTRY`): up to two country tokens, one region, one city; a lone capitalized
    /// word after a mixed-case name only when no listed city was found; then dangling stopwords
    /// and street addresses. At least one token always remains.
    fn strip_place_tail(&self, tokens: &mut Vec<String>, caps_tail: Option<&str>) {
        let pop_if = |tokens: &mut Vec<String>, n: usize, pred: &dyn Fn(&str) -> bool| -> bool {
            if tokens.len() <= n {
                return false;
            }
            let tail = tokens[tokens.len() - n..].join(" ");
            if pred(&tail) {
                tokens.truncate(tokens.len() - n);
                true
            } else {
                false
            }
        };
        let is_country = |t: &str| self.countries.contains(t);
        for _ in 0..2 {
            if !(pop_if(tokens, 2, &is_country) || pop_if(tokens, 1, &is_country)) {
                break;
            }
        }
        pop_if(tokens, 1, &|t| self.regions.contains(t));
        let city = (1..=MAX_PLACE_WORDS)
            .rev()
            .any(|n| pop_if(tokens, n, &|t| self.cities.contains(t)));
        if !city {
            if let Some(word) = caps_tail {
                pop_if(tokens, 1, &|t| t == word);
            }
        }
        while pop_if(tokens, 1, &|t| tables::TRAILING_STOPWORDS.contains(&t)) {}
        if tokens.len() > 3 && tables::STREET_SUFFIXES.contains(&tokens[tokens.len() - 1].as_str())
        {
            tokens.truncate(tokens.len() - 2);
        }
    }
}

/// The last word when it is written in capitals (3+ letters) right after a word with lowercase
/// letters: `Jumbo PODGORICA` gives `podgorica`. Banks that print a mixed-case name put the city
/// in capitals; in an all-capitals descriptor capitals say nothing.
fn capitalized_tail(descriptor: &str) -> Option<String> {
    let mut words = descriptor
        .split(|c: char| !c.is_alphabetic())
        .filter(|w| !w.is_empty())
        .rev();
    let last = words.next()?;
    let before = words.next()?;
    let caps = last.chars().count() >= 3 && last.chars().all(|c| !c.is_lowercase());
    if caps && before.chars().any(char::is_lowercase) {
        Some(fold(last))
    } else {
        None
    }
}

/// What normalization makes of a descriptor that names a well-known merchant.
fn brand_normalized(brand: &Merchant, detail: DetailKey) -> Normalized {
    Normalized {
        key: MerchantKey::new(brand.key),
        display: brand.display.to_string(),
        brand: true,
        detail,
    }
}

fn fallback_key(folded: &str) -> String {
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let letters: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .collect();
    let chosen = if letters.is_empty() { words } else { letters };
    if chosen.is_empty() {
        "unknown".to_string()
    } else {
        chosen.join(" ")
    }
}

fn title_case(key: &str) -> String {
    key.split(' ')
        .map(|w| {
            let mut c = w.chars();
            match c.next() {
                Some(f) => f.to_uppercase().chain(c).collect::<String>(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests;
