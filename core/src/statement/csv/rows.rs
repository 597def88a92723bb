//! One row to one transaction, or a reason to skip it. Any cell that cannot be read stops the
//! import with an error naming the row and the column.

use super::plan::{Money, Plan};
use super::split::Record;
use super::vocabulary::{balance_cell, pending_date, INDICATORS, NO_MONEY, PENDING};
use crate::error::Result;
use crate::model::Currency;
use crate::statement::amounts;
use crate::statement::currency;
use crate::statement::dates;
use crate::statement::errors;
use crate::statement::report::SkipReason;
use crate::statement::text::{fold, non_empty};
use crate::statement::StatementTransaction;
use chrono::NaiveDate;

/// What a row is.
#[derive(Debug)]
pub(crate) enum Outcome {
    Skip(SkipReason, usize),
    Transaction(Box<StatementTransaction>),
}

fn joined(rec: &Record, cols: &[usize]) -> Option<String> {
    let parts: Vec<String> = cols.iter().filter_map(|c| non_empty(rec.get(*c))).collect();
    (!parts.is_empty()).then(|| parts.join(" "))
}

fn is_balance_line(rec: &Record) -> bool {
    rec.cells.iter().any(|c| balance_cell(c))
}

/// Why the row is not a transaction, if it is not.
fn skip(plan: &Plan, rec: &Record) -> Option<SkipReason> {
    if rec.is_blank() {
        return Some(SkipReason::Blank);
    }
    if plan
        .impact
        .is_some_and(|c| NO_MONEY.contains(&fold(rec.get(c)).as_str()))
    {
        return Some(SkipReason::NoMoneyMoved);
    }
    if plan.header.as_ref().is_some_and(|h| *h == rec.cells) {
        return Some(SkipReason::RepeatedHeader);
    }
    let has_money = plan.money_columns.iter().any(|c| !rec.get(*c).is_empty());
    let date_cell = rec.get(plan.dates[0]);
    let dated = dates::parse(date_cell)
        .and_then(|d| d.resolve(plan.order))
        .is_some();
    if is_balance_line(rec) && (!has_money || !dated || description(plan, rec, 0).0.is_empty()) {
        return Some(SkipReason::Balance);
    }
    let pending_word = pending_date(date_cell);
    if !has_money && !dated && !pending_word {
        return Some(SkipReason::NoTransaction);
    }
    None
}

/// Reads one row.
pub(crate) fn read(plan: &Plan, rec: &Record) -> Result<Outcome> {
    if let Some(reason) = skip(plan, rec) {
        return Ok(Outcome::Skip(reason, rec.line));
    }
    let (date, mut pending) = date(plan, rec)?;
    let (amount_minor, currency) = money(plan, rec)?;
    pending |= plan
        .status
        .iter()
        .any(|c| PENDING.contains(&fold(rec.get(*c)).as_str()));
    let (description, memo) = description(plan, rec, amount_minor);
    let id = plan
        .id
        .and_then(|c| non_empty(rec.get(c).trim_matches('\'')));
    Ok(Outcome::Transaction(Box::new(StatementTransaction {
        row: rec.line,
        date,
        amount_minor,
        currency,
        description,
        memo,
        bank_category: plan.category.and_then(|c| non_empty(rec.get(c))),
        pending,
        id,
        mcc: mcc(plan, rec)?,
    })))
}

/// Highest merchant category code (ISO 18245 codes have four digits).
const MAX_MCC: u16 = 9999;

/// The row's merchant category code: an empty cell is none, anything but a code is an error.
fn mcc(plan: &Plan, rec: &Record) -> Result<Option<u16>> {
    let Some(c) = plan.mcc else { return Ok(None) };
    let cell = rec.get(c).trim();
    if cell.is_empty() {
        return Ok(None);
    }
    match cell.parse::<u16>() {
        Ok(code) if code <= MAX_MCC && cell.bytes().all(|b| b.is_ascii_digit()) => Ok(Some(code)),
        _ => Err(errors::cell(
            rec.line,
            &plan.names[c],
            cell,
            "not a four-digit merchant category code (skip the column with --columns ignore=N)",
        )),
    }
}

/// The row's date and whether the date columns say it is not booked yet (`Pending` or
/// `offen` in a date, an empty transaction or booking date).
fn date(plan: &Plan, rec: &Record) -> Result<(NaiveDate, bool)> {
    let mut pending = false;
    let mut found = None;
    for &c in &plan.dates {
        let cell = rec.get(c);
        if cell.is_empty() || pending_date(cell) {
            pending |= c == plan.dates[0] || plan.bookings.contains(&c) || !cell.is_empty();
            continue;
        }
        if found.is_none() {
            let parsed = dates::parse(cell).and_then(|d| d.resolve(plan.order));
            let d = parsed.ok_or_else(|| {
                errors::cell(rec.line, &plan.names[c], cell, "cannot read the date")
            })?;
            found = Some(d);
        }
    }
    let d = found.ok_or_else(|| errors::row(rec.line, "no date in any date column"))?;
    Ok((d, pending))
}

/// The currency of a money column on this row: its header's, the row's currency column, or
/// the statement's.
fn currency_of(plan: &Plan, rec: &Record, col: usize) -> Currency {
    plan.col_currency
        .get(col)
        .copied()
        .flatten()
        .or_else(|| plan.currency_col.and_then(|c| currency::code(rec.get(c))))
        .unwrap_or(plan.currency)
}

/// A cell's signed amount in minor units.
fn amount(plan: &Plan, rec: &Record, col: usize, cur: Currency) -> Result<i64> {
    let cell = rec.get(col);
    let bad = |what: &str| errors::cell(rec.line, &plan.names[col], cell, what);
    let cleaned = amounts::clean(cell).ok_or_else(|| bad("cannot read the amount"))?;
    let mark = plan.marks.get(col).copied().flatten();
    let v = amounts::minor_units(&cleaned.core, mark, cur.exponent())
        .map_err(|why| bad(&format!("the amount {why} for {cur}:")))?;
    Ok(if cleaned.negative { -v } else { v })
}

/// The row's signed amount and its currency.
fn money(plan: &Plan, rec: &Record) -> Result<(i64, Currency)> {
    match &plan.money {
        Money::Signed { cols, fee } => {
            let col = cols
                .iter()
                .copied()
                .find(|c| !rec.get(*c).is_empty())
                .unwrap_or(cols[0]);
            let cur = currency_of(plan, rec, col);
            let mut v = amount(plan, rec, col, cur)?;
            if let Some(f) = fee.filter(|f| !rec.get(*f).is_empty()) {
                v -= amount(plan, rec, f, cur)?.abs();
            }
            if let Some((c, pair)) = plan.indicator {
                v = indicated(plan, rec, c, pair, v)?;
            }
            Ok((if plan.flip { -v } else { v }, cur))
        }
        Money::Split { debit, credit } => {
            let filled = debit
                .iter()
                .chain(credit)
                .copied()
                .find(|c| !rec.get(*c).is_empty());
            let cur = currency_of(
                plan,
                rec,
                filled.unwrap_or(debit.first().or(credit.first()).copied().unwrap_or(0)),
            );
            let mut v = 0i64;
            for &c in debit.iter().filter(|c| !rec.get(**c).is_empty()) {
                v -= amount(plan, rec, c, cur)?.abs();
            }
            for &c in credit.iter().filter(|c| !rec.get(**c).is_empty()) {
                v += amount(plan, rec, c, cur)?.abs();
            }
            Ok((v, cur))
        }
    }
}

/// The amount signed by the indicator column.
fn indicated(plan: &Plan, rec: &Record, col: usize, pair: usize, v: i64) -> Result<i64> {
    let cell = rec.get(col);
    let f = fold(cell);
    let (out, inn) = INDICATORS[pair];
    if out.contains(&f.as_str()) {
        Ok(-v.abs())
    } else if inn.contains(&f.as_str()) {
        Ok(v.abs())
    } else {
        Err(errors::cell(
            rec.line,
            &plan.names[col],
            cell,
            "is not a debit/credit indicator:",
        ))
    }
}

/// The description and memo: the counterparty (the recipient of money out, the payer of
/// money in) with the purpose or narrative as memo; else the narrative with the purpose;
/// else the purpose, the booking text or the type, with no memo.
fn description(plan: &Plan, rec: &Record, amount: i64) -> (String, Option<String>) {
    let t = &plan.text;
    let party_columns =
        !t.counterparty.is_empty() || !t.payer.is_empty() || !t.recipient.is_empty();
    let side = if amount < 0 { &t.recipient } else { &t.payer };
    let party = joined(rec, &t.counterparty).or_else(|| joined(rec, side));
    let promoted = !party_columns && t.narrative.is_empty();
    let narrative = if promoted {
        joined(rec, &t.booking_text)
    } else {
        joined(rec, &t.narrative)
    };
    let memo = joined(rec, &t.memo);
    if let Some(p) = party {
        return (p, memo.or(narrative));
    }
    if !party_columns {
        if let Some(n) = narrative.clone() {
            return (n, memo);
        }
    }
    let booking = if promoted {
        None
    } else {
        joined(rec, &t.booking_text)
    };
    let text = narrative
        .or(memo)
        .or(booking)
        .or_else(|| joined(rec, &t.kind));
    (text.unwrap_or_default(), None)
}
