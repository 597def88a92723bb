//! Statements (core module `statement`): `readStatement`. The result is typed records; the
//! core's enum values (format, role, what decided, sign convention, skip reason) cross as their
//! names in the core's JSON (`"csv"`, `"values"`, `"signed_column"`), so nothing is restated.

use serde::Serialize;
use xspense::statement::{self, Hints};

use crate::errors::{call, Result};

/// A transaction read from a statement. `amount` is the signed decimal text in major units
/// (`"-12.50"` is 12.50 out), `amount_minor` the same in minor units; `date` is `YYYY-MM-DD`.
#[derive(uniffi::Record, Clone)]
pub struct StatementTransaction {
    /// 1-based line where the row starts (CSV, QIF), or the record number (OFX, CAMT).
    pub row: u64,
    pub date: String,
    pub amount: String,
    pub amount_minor: i64,
    pub currency: String,
    pub description: String,
    pub memo: Option<String>,
    pub bank_category: Option<String>,
    pub pending: bool,
    pub id: Option<String>,
    /// The merchant category code, from a CSV `MCC` column.
    pub mcc: Option<u16>,
}

/// A decided value (the core's name for it), what settled it (`hint`, `values`, `file`,
/// `layout`, `currency`, `language`, `delimiter`, `format`, `default`) and in words.
#[derive(uniffi::Record, Clone)]
pub struct Decided {
    pub value: String,
    pub by: String,
    pub detail: String,
}

/// One column of a CSV file and what the reader made of it (`role` by its core name).
#[derive(uniffi::Record, Clone)]
pub struct StatementColumn {
    pub index: u64,
    pub name: Option<String>,
    pub role: Option<String>,
    pub decimal: Option<String>,
    pub date_order: Option<String>,
    pub currency: Option<String>,
}

/// A row that was not read as a transaction, and why (`blank`, `balance`, ...).
#[derive(uniffi::Record, Clone)]
pub struct SkippedRow {
    pub row: u64,
    pub reason: String,
}

/// What the reader detected and how it decided (the core's `Report`).
#[derive(uniffi::Record, Clone)]
pub struct StatementReport {
    /// `csv`, `ofx`, `qfx`, `qif`, `camt.053`, `camt.052`.
    pub format: String,
    pub encoding: Decided,
    pub delimiter: Option<String>,
    pub header_row: Option<u64>,
    pub columns: Vec<StatementColumn>,
    pub layout: Option<String>,
    pub language: Option<String>,
    pub date_order: Option<Decided>,
    pub decimal: Option<Decided>,
    pub sign: Decided,
    pub currency: Decided,
    pub transactions: u64,
    pub skipped: Vec<SkippedRow>,
    pub warnings: Vec<String>,
}

/// Every transaction of a statement and the report of how it was read.
#[derive(uniffi::Record, Clone)]
pub struct Statement {
    pub transactions: Vec<StatementTransaction>,
    pub report: StatementReport,
}

/// The core's JSON name of a value (an enum's serde name, a currency code, a decimal mark).
fn name<T: Serialize>(v: &T) -> String {
    match serde_json::to_value(v) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => String::new(),
    }
}

fn decided<T: Serialize>(d: &statement::Decided<T>) -> Decided {
    Decided {
        value: name(&d.value),
        by: name(&d.by),
        detail: d.detail.clone(),
    }
}

fn from_core(s: statement::Statement) -> Statement {
    let r = s.report;
    Statement {
        transactions: s
            .transactions
            .into_iter()
            .map(|t| StatementTransaction {
                row: t.row as u64,
                date: t.date.to_string(),
                amount: t.amount_text(),
                amount_minor: t.amount_minor,
                currency: t.currency.as_str().to_string(),
                description: t.description,
                memo: t.memo,
                bank_category: t.bank_category,
                pending: t.pending,
                id: t.id,
                mcc: t.mcc,
            })
            .collect(),
        report: StatementReport {
            format: name(&r.format),
            encoding: decided(&r.encoding),
            delimiter: r.delimiter,
            header_row: r.header_row.map(|h| h as u64),
            columns: r
                .columns
                .iter()
                .map(|c| StatementColumn {
                    index: c.index as u64,
                    name: c.name.clone(),
                    role: c.role.as_ref().map(name),
                    decimal: c.decimal.as_ref().map(name),
                    date_order: c.date_order.as_ref().map(name),
                    currency: c.currency.as_ref().map(name),
                })
                .collect(),
            layout: r.layout,
            language: r.language,
            date_order: r.date_order.as_ref().map(decided),
            decimal: r.decimal.as_ref().map(decided),
            sign: decided(&r.sign),
            currency: decided(&r.currency),
            transactions: r.transactions as u64,
            skipped: r
                .skipped
                .iter()
                .map(|k| SkippedRow {
                    row: k.row as u64,
                    reason: name(&k.reason),
                })
                .collect(),
            warnings: r.warnings,
        },
    }
}

/// Reads a bank or card statement (CSV, OFX/QFX, QIF, CAMT.053/.052) from its bytes (the app
/// reads the file). `hints_json` overrides what the file leaves undecided: the core's `Hints`
/// JSON (`date_order`, `decimal`, `encoding`, `amount_sign`, `currency`, `columns`; unknown
/// keys refused), or `null` for none. Throws `InvalidInput` naming the row, column and hint.
#[uniffi::export(default(hints_json = None))]
pub fn read_statement(data: Vec<u8>, hints_json: Option<String>) -> Result<Statement> {
    call(|| {
        let hints = match hints_json.as_deref() {
            Some(text) => Hints::from_json_str(text)?,
            None => Hints::default(),
        };
        statement::read_statement(&data, &hints).map(from_core)
    })
}
