//! QIF: records of one-letter fields ended by `^`. `D` is the date (Quicken's `1/ 5'24`,
//! `01/05/2024`, `05.01.2024`: the order is decided from all the file's dates, then from the
//! currency hint, else refused naming `--date-order`), `T` (or `U`) the signed amount, `P` the
//! description, `M` the memo. An opening-balance record is skipped. QIF names no currency.

use super::amounts::{self, MarkEvidence};
use super::dates::{self, DateValue};
use super::errors;
use super::hints::{DateOrder, DecimalMark, Hints};
use super::report::{Decided, DecidedBy, Format, Report, SkipReason, SkippedRow};
use super::text::{fold, non_empty};
use super::StatementTransaction;
use crate::error::{Error, Result};
use crate::model::Currency;

/// One record: its first line and its fields.
#[derive(Default)]
struct Record {
    line: usize,
    fields: Vec<(char, String)>,
}

impl Record {
    fn get(&self, code: char) -> Option<&str> {
        self.fields
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, v)| v.as_str())
    }
}

fn records(text: &str) -> Vec<Record> {
    let mut out = Vec::new();
    let mut cur = Record::default();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim_end_matches('\r');
        let Some(code) = line.chars().next() else {
            continue;
        };
        if code == '!' {
            continue;
        }
        if code == '^' {
            if !cur.fields.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        if cur.fields.is_empty() {
            cur.line = i + 1;
        }
        cur.fields
            .push((code, line[code.len_utf8()..].trim().to_string()));
    }
    if !cur.fields.is_empty() {
        out.push(cur);
    }
    out
}

/// The order of the file's numeric dates: the values, else the hint, else the currency hint.
fn order(recs: &[Record], hints: &Hints) -> Result<Option<Decided<DateOrder>>> {
    if let Some(h) = hints.date_order {
        return Ok(Some(Decided::new(
            h,
            DecidedBy::Hint,
            "the date order hint",
        )));
    }
    let numeric: Vec<DateValue> = recs
        .iter()
        .filter_map(|r| r.get('D').and_then(dates::parse))
        .filter(|v| matches!(v, DateValue::Numeric(..)))
        .collect();
    if numeric.is_empty() {
        return Ok(None);
    }
    let dmy = numeric.iter().all(|v| v.fits(DateOrder::Dmy));
    let mdy = numeric.iter().all(|v| v.fits(DateOrder::Mdy));
    match (dmy, mdy) {
        (true, false) => Ok(Some(Decided::new(DateOrder::Dmy, DecidedBy::Values, "a day above 12"))),
        (false, true) => Ok(Some(Decided::new(DateOrder::Mdy, DecidedBy::Values, "a day above 12"))),
        (false, false) => Err(Error::invalid("the QIF dates mix day-first and month-first; pass the date order hint (--date-order)")),
        (true, true) => match hints.currency {
            Some(c) if c.as_str() == "USD" => Ok(Some(Decided::new(DateOrder::Mdy, DecidedBy::Currency, "the currency USD"))),
            Some(c) if c.as_str() != "CAD" => Ok(Some(Decided::new(DateOrder::Dmy, DecidedBy::Currency, format!("the currency {c}")))),
            _ => Err(Error::invalid(
                "cannot tell day-first from month-first QIF dates: no day is above 12 and QIF names no bank or \
                 currency; pass the date order hint (--date-order dmy or --date-order mdy)",
            )),
        },
    }
}

/// The decimal mark of all `T` amounts.
fn mark(recs: &[Record]) -> Result<DecimalMark> {
    let ev: Vec<MarkEvidence> = recs
        .iter()
        .filter_map(|r| r.get('T').or(r.get('U')).and_then(amounts::clean))
        .map(|c| amounts::evidence(&c.core))
        .collect();
    let dot = ev.contains(&MarkEvidence::Decimal(DecimalMark::Dot));
    let comma = ev.contains(&MarkEvidence::Decimal(DecimalMark::Comma));
    match (dot, comma) {
        (true, true) => Err(Error::invalid(
            "the QIF amounts mix decimal marks; pass the decimal hint (--decimal)",
        )),
        (false, true) => Ok(DecimalMark::Comma),
        _ => Ok(DecimalMark::Dot),
    }
}

fn is_opening_balance(r: &Record) -> bool {
    r.get('P')
        .is_some_and(|p| fold(p).starts_with("opening balance"))
}

fn transaction(
    r: &Record,
    order: Option<DateOrder>,
    mark: DecimalMark,
    cur: Currency,
) -> Result<StatementTransaction> {
    let d = r.get('D').unwrap_or("");
    let date = dates::parse(d)
        .and_then(|v| v.resolve(order))
        .ok_or_else(|| errors::cell(r.line, "D", d, "cannot read the date"))?;
    let t = r.get('T').or(r.get('U')).unwrap_or("");
    let cleaned =
        amounts::clean(t).ok_or_else(|| errors::cell(r.line, "T", t, "cannot read the amount"))?;
    let minor = amounts::minor_units(&cleaned.core, Some(mark), cur.exponent())
        .map_err(|why| errors::cell(r.line, "T", t, &format!("the amount {why} for {cur}:")))?;
    let payee = r.get('P').and_then(non_empty);
    let memo = r.get('M').and_then(non_empty);
    let (description, memo) = match payee {
        Some(p) => (p, memo),
        None => (memo.unwrap_or_default(), None),
    };
    Ok(StatementTransaction {
        row: r.line,
        date,
        amount_minor: if cleaned.negative { -minor } else { minor },
        currency: cur,
        description,
        memo,
        bank_category: None,
        pending: false,
        id: None,
        mcc: None,
    })
}

/// Reads a QIF file.
pub(crate) fn read(
    text: &str,
    hints: &Hints,
    encoding: Decided<String>,
) -> Result<(Vec<StatementTransaction>, Report)> {
    let recs = records(text);
    let order = order(&recs, hints)?;
    let mark = match hints.decimal {
        Some(m) => m,
        None => mark(&recs)?,
    };
    let currency = match hints.currency {
        Some(c) => Decided::new(c, DecidedBy::Hint, "the currency hint"),
        None => Decided::new(
            Currency::new("USD")?,
            DecidedBy::Default,
            "QIF names no currency",
        ),
    };
    let mut report = Report::of_format(Format::Qif, encoding, currency);
    if report.currency.by == DecidedBy::Default {
        report.warnings.push(
            "QIF names no currency: USD is assumed; pass the currency hint (--currency)".into(),
        );
    }
    let mut txs = Vec::new();
    for r in &recs {
        if is_opening_balance(r) {
            report.skipped.push(SkippedRow {
                row: r.line,
                reason: SkipReason::Balance,
            });
            continue;
        }
        txs.push(transaction(
            r,
            order.as_ref().map(|o| o.value),
            mark,
            report.currency.value,
        )?);
    }
    report.date_order = order;
    report.decimal = Some(Decided::new(mark, DecidedBy::Values, "the T amounts"));
    Ok((txs, report))
}
