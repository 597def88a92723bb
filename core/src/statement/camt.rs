//! ISO 20022 CAMT.053 (statement) and CAMT.052 (account report). Each `Ntry` is one
//! transaction: its booking date (else value date), its amount signed by `CdtDbtInd`
//! (`DBIT` is money out), the other party (the creditor of a debit, the debtor of a credit;
//! `AddtlNtryInf` when there is none or a batch names several), the unstructured remittance
//! information joined as memo, `AcctSvcrRef` (else `NtryRef`) as id, `PDNG` as pending.

use chrono::NaiveDate;
use quick_xml::events::Event;
use quick_xml::Reader;

use super::amounts;
use super::errors;
use super::hints::{DecimalMark, Hints};
use super::report::{Decided, DecidedBy, Format, Report};
use super::text::non_empty;
use super::StatementTransaction;
use crate::error::{Error, Result};
use crate::model::Currency;

/// What one entry holds.
#[derive(Default, Debug)]
struct Entry {
    amount: String,
    currency: Option<String>,
    debit: bool,
    status: String,
    booked: Option<String>,
    value: Option<String>,
    servicer_ref: Option<String>,
    entry_ref: Option<String>,
    info: Option<String>,
    debtors: Vec<String>,
    creditors: Vec<String>,
    remittance: Vec<String>,
}

impl Entry {
    /// Stores the text of the element at `path` (names below `Ntry`).
    fn set(&mut self, path: &[String], text: String) {
        let p: Vec<&str> = path.iter().map(String::as_str).collect();
        match p.as_slice() {
            ["Amt"] => self.amount = text,
            ["CdtDbtInd"] => self.debit = text == "DBIT",
            ["Sts"] | ["Sts", "Cd"] => self.status = text,
            ["BookgDt", _] => self.booked = Some(text),
            ["ValDt", _] => self.value = Some(text),
            ["AcctSvcrRef"] => self.servicer_ref = Some(text),
            ["NtryRef"] => self.entry_ref = Some(text),
            ["AddtlNtryInf"] => self.info = Some(text),
            ["NtryDtls", "TxDtls", "RltdPties", "Dbtr", .., "Nm"] => self.debtors.push(text),
            ["NtryDtls", "TxDtls", "RltdPties", "Cdtr", .., "Nm"] => self.creditors.push(text),
            ["NtryDtls", "TxDtls", "RmtInf", "Ustrd"] => self.remittance.push(text),
            _ => {}
        }
    }
}

fn local(name: &[u8]) -> String {
    let s = String::from_utf8_lossy(name);
    s.rsplit(':').next().unwrap_or("").to_string()
}

/// Every entry and the account's currency.
fn entries(text: &str) -> Result<(Vec<Entry>, Option<String>)> {
    let mut reader = Reader::from_str(text);
    let mut path: Vec<String> = Vec::new();
    let mut entries = Vec::new();
    let mut current: Option<Entry> = None;
    let mut account_ccy = None;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| Error::invalid(format!("CAMT file is not well-formed XML: {e}")))?;
        match event {
            Event::Start(e) => {
                let name = local(e.name().as_ref());
                if name == "Ntry" {
                    current = Some(Entry::default());
                }
                if name == "Amt" && path.last().is_some_and(|p| p == "Ntry") {
                    if let Some(entry) = current.as_mut() {
                        let ccy = e.try_get_attribute("Ccy").ok().flatten();
                        entry.currency = ccy.map(|a| String::from_utf8_lossy(&a.value).to_string());
                    }
                }
                path.push(name);
            }
            Event::End(_) if path.pop().as_deref() == Some("Ntry") => {
                entries.extend(current.take())
            }
            Event::Text(t) => {
                let text = t.unescape().map(|c| c.to_string()).unwrap_or_default();
                if text.trim().is_empty() {
                    continue;
                }
                let ntry = path.iter().rposition(|p| p == "Ntry");
                match (ntry, current.as_mut()) {
                    (Some(i), Some(entry)) => entry.set(&path[i + 1..], text.trim().to_string()),
                    _ if path.ends_with(&["Acct".to_string(), "Ccy".to_string()]) => {
                        account_ccy = Some(text.trim().to_string())
                    }
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    Ok((entries, account_ccy))
}

fn date(text: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(text.get(..10)?, "%Y-%m-%d").ok()
}

/// The other party, when the entry names exactly one.
fn party(e: &Entry) -> Option<String> {
    let names = if e.debit { &e.creditors } else { &e.debtors };
    let mut unique: Vec<&String> = names.iter().collect();
    unique.dedup();
    match unique.as_slice() {
        [one] => non_empty(one),
        _ => None,
    }
}

fn transaction(n: usize, e: &Entry, account: Currency) -> Result<StatementTransaction> {
    let cur = e
        .currency
        .as_deref()
        .and_then(|c| Currency::new(c).ok())
        .unwrap_or(account);
    let when = e.booked.as_deref().or(e.value.as_deref()).unwrap_or("");
    let date =
        date(when).ok_or_else(|| errors::cell(n, "BookgDt", when, "cannot read the date"))?;
    let cleaned = amounts::clean(&e.amount)
        .ok_or_else(|| errors::cell(n, "Amt", &e.amount, "cannot read the amount"))?;
    let minor = amounts::minor_units(&cleaned.core, Some(DecimalMark::Dot), cur.exponent())
        .map_err(|why| {
            errors::cell(n, "Amt", &e.amount, &format!("the amount {why} for {cur}:"))
        })?;
    let memo = non_empty(&e.remittance.join(" "));
    let info = e.info.as_deref().and_then(non_empty);
    let (description, memo) = match (party(e), info) {
        (Some(p), _) => (p, memo),
        (None, Some(i)) => (i, memo),
        (None, None) => (memo.unwrap_or_default(), None),
    };
    Ok(StatementTransaction {
        row: n,
        date,
        amount_minor: if e.debit { -minor } else { minor },
        currency: cur,
        description,
        memo,
        bank_category: None,
        mcc: None,
        pending: e.status == "PDNG",
        id: e
            .servicer_ref
            .as_deref()
            .or(e.entry_ref.as_deref())
            .and_then(non_empty),
    })
}

/// Reads a CAMT.053 or CAMT.052 file.
pub(crate) fn read(
    text: &str,
    format: Format,
    hints: &Hints,
    encoding: Decided<String>,
) -> Result<(Vec<StatementTransaction>, Report)> {
    let (entries, account) = entries(text)?;
    let currency = match (
        account.as_deref().and_then(|c| Currency::new(c).ok()),
        hints.currency,
    ) {
        (Some(c), _) => Decided::new(c, DecidedBy::File, "the account's Ccy"),
        (None, Some(c)) => Decided::new(c, DecidedBy::Hint, "the currency hint"),
        (None, None) => {
            let first = entries
                .iter()
                .find_map(|e| e.currency.as_deref().and_then(|c| Currency::new(c).ok()));
            Decided::new(
                first.unwrap_or(Currency::new("EUR")?),
                DecidedBy::File,
                "the first entry's amount",
            )
        }
    };
    let txs = entries
        .iter()
        .enumerate()
        .map(|(i, e)| transaction(i + 1, e, currency.value))
        .collect::<Result<Vec<_>>>()?;
    let mut report = Report::of_format(format, encoding, currency);
    report.decimal = Some(Decided::new(
        DecimalMark::Dot,
        DecidedBy::Format,
        "ISO 20022 amounts",
    ));
    Ok((txs, report))
}
