//! What the reader detected, how it decided, and what it skipped.

use serde::{Deserialize, Serialize};

use super::hints::{ColumnRole, DateOrder, DecimalMark};
use crate::model::Currency;

/// The statement format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum Format {
    /// Delimited text (`,` `;` tab `|`).
    #[serde(rename = "csv")]
    Csv,
    /// OFX 1.x (SGML) or 2.x (XML).
    #[serde(rename = "ofx")]
    Ofx,
    /// Quicken's OFX variant.
    #[serde(rename = "qfx")]
    Qfx,
    /// Quicken Interchange Format.
    #[serde(rename = "qif")]
    Qif,
    /// ISO 20022 bank-to-customer statement.
    #[serde(rename = "camt.053")]
    Camt053,
    /// ISO 20022 bank-to-customer account report (intraday).
    #[serde(rename = "camt.052")]
    Camt052,
}

/// What settled a decision.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DecidedBy {
    /// The caller's hint.
    Hint,
    /// The values themselves (a day above 12, a mark followed by two digits...).
    Values,
    /// What the file states (a currency column, a currency in a header or beside amounts).
    File,
    /// A recognised bank layout.
    Layout,
    /// The statement's currency.
    Currency,
    /// The language of the header.
    Language,
    /// A `;` delimiter with decimal commas.
    Delimiter,
    /// The format's own rule (OFX, QIF, CAMT).
    Format,
    /// Nothing in the file: a default, with a warning.
    Default,
}

/// A decided value and how it was decided.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[cfg_attr(feature = "schema", schemars(rename = "Decided{T}"))]
pub struct Decided<T> {
    /// The value.
    pub value: T,
    /// What settled it.
    pub by: DecidedBy,
    /// In words: which values or which signal.
    pub detail: String,
}

impl<T> Decided<T> {
    pub(crate) fn new(value: T, by: DecidedBy, detail: impl Into<String>) -> Self {
        Decided {
            value,
            by,
            detail: detail.into(),
        }
    }
}

/// How money out is told from money in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SignConvention {
    /// One signed amount: negative is money out.
    SignedColumn,
    /// One signed amount printed from the card issuer's side: positive purchases, flipped.
    CardPositivePurchases,
    /// Separate money-out and money-in columns.
    DebitCreditColumns,
    /// An unsigned amount with a debit/credit indicator column.
    IndicatorColumn,
    /// The format says it (OFX `TRNAMT`, QIF `T`, CAMT `CdtDbtInd`).
    Format,
}

/// One column of a CSV file and what the reader made of it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ColumnReport {
    /// 1-based position.
    pub index: usize,
    /// The header text (`None` without a header row).
    pub name: Option<String>,
    /// The role it was read as (`None`: not read).
    pub role: Option<ColumnRole>,
    /// The decimal mark decided for an amount column.
    pub decimal: Option<DecimalMark>,
    /// The date order decided for a date column.
    pub date_order: Option<DateOrder>,
    /// A currency its header names (`Betrag (EUR)`).
    pub currency: Option<Currency>,
}

/// Why a row was not read as a transaction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// An empty line.
    Blank,
    /// An opening or closing balance, a total or another summary line.
    Balance,
    /// A line with neither a date nor an amount (a note, a legend, a disclaimer).
    NoTransaction,
    /// A row the bank marks as moving no money (PayPal's `Memo` rows).
    NoMoneyMoved,
    /// The header printed again.
    RepeatedHeader,
}

/// A row that was skipped.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct SkippedRow {
    /// 1-based line (or record) number.
    pub row: usize,
    /// Why.
    pub reason: SkipReason,
}

/// Everything the reader detected. Complete once every transaction was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Report {
    /// The statement format.
    pub format: Format,
    /// The encoding the bytes were read in (`utf-8`, `utf-8-bom`, `utf-16le-bom`, `windows-1252`...).
    pub encoding: Decided<String>,
    /// The CSV delimiter.
    pub delimiter: Option<String>,
    /// The 1-based line of the header row; `None` for a file without one.
    pub header_row: Option<usize>,
    /// Every column of a CSV file.
    pub columns: Vec<ColumnReport>,
    /// A recognised bank layout.
    pub layout: Option<String>,
    /// The language of the header (`de`, `fr`...).
    pub language: Option<String>,
    /// The order of numeric dates (`None` when every date names its month or is year first).
    pub date_order: Option<Decided<DateOrder>>,
    /// The decimal mark of the amounts (`None` when no amount has a fraction or grouping).
    pub decimal: Option<Decided<DecimalMark>>,
    /// How money out is told from money in.
    pub sign: Decided<SignConvention>,
    /// The statement's currency (rows may carry their own).
    pub currency: Decided<Currency>,
    /// The number of transactions read so far.
    pub transactions: usize,
    /// The rows skipped, with why.
    pub skipped: Vec<SkippedRow>,
    /// Things the caller should check (an assumed currency, a guessed column orientation).
    pub warnings: Vec<String>,
}

impl Report {
    /// The report of a format that says its own structure (OFX, QIF, CAMT).
    pub(crate) fn of_format(
        format: Format,
        encoding: Decided<String>,
        currency: Decided<Currency>,
    ) -> Report {
        Report {
            format,
            encoding,
            delimiter: None,
            header_row: None,
            columns: Vec::new(),
            layout: None,
            language: None,
            date_order: None,
            decimal: None,
            sign: Decided::new(
                SignConvention::Format,
                DecidedBy::Format,
                "the format states the sign",
            ),
            currency,
            transactions: 0,
            skipped: Vec::new(),
            warnings: Vec::new(),
        }
    }
}
