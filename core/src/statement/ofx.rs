//! OFX 1.x (SGML: leaf tags need not be closed, the body may be one line), OFX 2.x (XML)
//! and QFX. `DTPOSTED` is the date (its date part, no zone conversion), `TRNAMT` the signed
//! amount, `NAME` (or the `PAYEE` aggregate's name) the description, `MEMO` the memo,
//! `FITID` the id, `CURDEF` the currency.

use std::collections::HashMap;

use chrono::NaiveDate;

use super::amounts;
use super::errors;
use super::hints::{DecimalMark, Hints};
use super::report::{Decided, DecidedBy, Format, Report};
use super::text::non_empty;
use super::StatementTransaction;
use crate::error::{Error, Result};
use crate::model::Currency;

/// A tag and the text after it, up to the next tag.
struct Tag<'a> {
    name: String,
    closing: bool,
    text: &'a str,
}

fn tags(body: &str) -> impl Iterator<Item = Tag<'_>> {
    body.split('<').skip(1).filter_map(|piece| {
        let (inside, text) = piece.split_once('>')?;
        let inside = inside.trim();
        let (closing, name) = match inside.strip_prefix('/') {
            Some(n) => (true, n),
            None => (false, inside),
        };
        if name.starts_with(['?', '!']) {
            return None;
        }
        Some(Tag {
            name: name.to_ascii_uppercase(),
            closing,
            text: text.trim(),
        })
    })
}

/// Decodes the entities OFX uses.
fn unescape(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        rest = &rest[at..];
        let entity = rest.find(';').map(|end| (&rest[1..end], end));
        let decoded = entity.and_then(|(name, end)| {
            let c = match name {
                "amp" => Some('&'),
                "lt" => Some('<'),
                "gt" => Some('>'),
                "quot" => Some('"'),
                "apos" => Some('\''),
                n => n
                    .strip_prefix('#')
                    .and_then(|d| d.parse::<u32>().ok())
                    .and_then(char::from_u32),
            };
            c.map(|c| (c, end))
        });
        match decoded {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// The leaf values of each `STMTTRN`, and the statement's `CURDEF`.
fn records(text: &str) -> (Vec<HashMap<String, String>>, Option<String>) {
    let mut out = Vec::new();
    let mut current: Option<HashMap<String, String>> = None;
    let mut curdef = None;
    for tag in tags(text) {
        match (tag.name.as_str(), tag.closing) {
            ("STMTTRN", false) => current = Some(HashMap::new()),
            ("STMTTRN", true) => out.extend(current.take()),
            ("CURDEF", false) if curdef.is_none() => curdef = Some(tag.text.to_string()),
            (name, false) if !tag.text.is_empty() => {
                if let Some(rec) = current.as_mut() {
                    rec.entry(name.to_string())
                        .or_insert_with(|| unescape(tag.text));
                }
            }
            _ => {}
        }
    }
    (out, curdef)
}

/// The decimal mark of all `TRNAMT` values (some banks write commas).
fn mark(recs: &[HashMap<String, String>]) -> DecimalMark {
    let comma = recs
        .iter()
        .filter_map(|r| r.get("TRNAMT").and_then(|v| amounts::clean(v)))
        .any(|c| amounts::evidence(&c.core) == amounts::MarkEvidence::Decimal(DecimalMark::Comma));
    if comma {
        DecimalMark::Comma
    } else {
        DecimalMark::Dot
    }
}

fn transaction(
    n: usize,
    rec: &HashMap<String, String>,
    cur: Currency,
    mark: DecimalMark,
) -> Result<StatementTransaction> {
    let get = |k: &str| rec.get(k).map(String::as_str).unwrap_or("");
    let posted = get("DTPOSTED");
    let date = posted
        .get(..8)
        .and_then(|d| NaiveDate::parse_from_str(d, "%Y%m%d").ok())
        .ok_or_else(|| errors::cell(n, "DTPOSTED", posted, "cannot read the date"))?;
    let amt = get("TRNAMT");
    let cleaned = amounts::clean(amt)
        .ok_or_else(|| errors::cell(n, "TRNAMT", amt, "cannot read the amount"))?;
    let minor = amounts::minor_units(&cleaned.core, Some(mark), cur.exponent())
        .map_err(|why| errors::cell(n, "TRNAMT", amt, &format!("the amount {why} for {cur}:")))?;
    let name = non_empty(get("NAME")).or_else(|| non_empty(get("PAYEE")));
    let memo = non_empty(get("MEMO"));
    let (description, memo) = match name {
        Some(n) => (n, memo),
        None => (memo.unwrap_or_default(), None),
    };
    Ok(StatementTransaction {
        row: n,
        date,
        amount_minor: if cleaned.negative { -minor } else { minor },
        currency: cur,
        description,
        memo,
        bank_category: None,
        pending: false,
        id: non_empty(get("FITID")),
        mcc: None,
    })
}

/// Reads an OFX or QFX file.
pub(crate) fn read(
    text: &str,
    format: Format,
    hints: &Hints,
    encoding: Decided<String>,
) -> Result<(Vec<StatementTransaction>, Report)> {
    let (recs, curdef) = records(text);
    if recs.is_empty() && !text.to_ascii_uppercase().contains("BANKTRANLIST") {
        return Err(Error::invalid(
            "OFX file without a statement (no BANKTRANLIST)",
        ));
    }
    let currency = match (
        curdef.as_deref().and_then(|c| Currency::new(c).ok()),
        hints.currency,
    ) {
        (Some(c), _) => Decided::new(c, DecidedBy::File, "CURDEF"),
        (None, Some(c)) => Decided::new(c, DecidedBy::Hint, "the currency hint"),
        (None, None) => Decided::new(Currency::new("USD")?, DecidedBy::Default, "no CURDEF"),
    };
    let mark = mark(&recs);
    let txs = recs
        .iter()
        .enumerate()
        .map(|(i, r)| transaction(i + 1, r, currency.value, mark))
        .collect::<Result<Vec<_>>>()?;
    let mut report = Report::of_format(format, encoding, currency);
    report.decimal = Some(Decided::new(mark, DecidedBy::Values, "the TRNAMT values"));
    if report.currency.by == DecidedBy::Default {
        report.warnings.push(
            "the file has no CURDEF: USD is assumed; pass the currency hint (--currency)".into(),
        );
    }
    Ok((txs, report))
}
