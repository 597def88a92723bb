//! Reading bank and card statements: CSV exports in the layouts banks write, OFX 1.x/2.x,
//! QFX, QIF and ISO 20022 CAMT.053/.052, from bytes, without configuration.
//!
//! Bytes are decoded (byte order mark, UTF-8, else the legacy encoding `chardetng` finds),
//! the format is sniffed, and for CSV the delimiter, the header row (or its absence), the role
//! of each column, the decimal mark and date order of each column (from all its values, then
//! from signals) and the sign convention are decided once; rows are then read one at a time.
//! Whatever cannot be decided, and any cell that cannot be read, is an `invalid_input` error
//! naming the row, the column and the hint that settles it; nothing is guessed silently.
//! [`Report`] says what was detected and how.
//!
//! ```
//! use xspense::statement::{read_statement, Hints};
//! let csv = "Date;Payee;Amount (EUR)\n15.01.2024;REWE Markt;-12,50\n16.01.2024;ACME GmbH;1.250,00\n";
//! let statement = read_statement(csv.as_bytes(), &Hints::default()).unwrap();
//! let t = &statement.transactions[0];
//! assert_eq!((t.date.to_string(), t.amount_text(), t.description.as_str()), ("2024-01-15".into(), "-12.50".into(), "REWE Markt"));
//! assert_eq!(statement.transactions[1].amount_minor, 125000);
//! assert_eq!(statement.report.currency.value.as_str(), "EUR");
//! ```
//!
//! A large export is read row by row with [`StatementReader`], which never holds the rows:
//!
//! ```
//! use xspense::statement::{Hints, StatementReader};
//! let csv = b"Date,Description,Amount\n01/31/2024,COFFEE,-4.50\n";
//! let mut reader = StatementReader::new(csv, &Hints::default()).unwrap();
//! let mut total = 0;
//! for tx in &mut reader {
//!     total += tx.unwrap().amount_minor;
//! }
//! assert_eq!(total, -450);
//! assert_eq!(reader.report().transactions, 1);
//! ```

mod amounts;
mod camt;
mod csv;
mod currency;
mod dates;
mod decode;
mod errors;
mod hints;
mod ofx;
mod qif;
mod report;
mod sniff;
mod text;
mod transaction;

pub use hints::{AmountSign, ColumnHint, ColumnRef, ColumnRole, DateOrder, DecimalMark, Hints};
pub use report::{
    ColumnReport, Decided, DecidedBy, Format, Report, SignConvention, SkipReason, SkippedRow,
};
pub use transaction::StatementTransaction;

use serde::{Deserialize, Serialize};

use crate::error::Result;

/// Every transaction of a statement and the report of how it was read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Statement {
    /// The transactions in file order.
    pub transactions: Vec<StatementTransaction>,
    /// What was detected, decided and skipped.
    pub report: Report,
}

/// Reads a whole statement. See [`StatementReader`] to read row by row.
///
/// # Errors
/// `invalid_input` naming the row and column of a cell that cannot be read, or the hint that
/// settles what the file leaves undecided (`--date-order`, `--decimal`, `--columns`).
pub fn read_statement(bytes: &[u8], hints: &Hints) -> Result<Statement> {
    let mut reader = StatementReader::new(bytes, hints)?;
    let transactions = reader.by_ref().collect::<Result<Vec<_>>>()?;
    Ok(Statement {
        transactions,
        report: reader.into_report(),
    })
}

#[derive(Clone)]
enum Source<'a> {
    Csv(Box<csv::CsvReader<'a>>),
    Parsed(std::vec::IntoIter<StatementTransaction>),
}

/// Reads a statement one transaction at a time. Detection happens in [`StatementReader::new`];
/// each call of `next` reads rows until the next transaction, recording skipped rows in the
/// report. After an error the reader yields nothing more.
///
/// A clone reads the same rows from the same point without detecting again: read a clone
/// through once to check every row before acting on any (a clone of a legacy-encoded file
/// copies its decoded text).
///
/// ```
/// use xspense::statement::{Hints, StatementReader};
/// let csv = b"Date,Description,Amount\n01/31/2024,COFFEE,-4.50\n02/01/2024,TEA,-3.00\n";
/// let reader = StatementReader::new(csv, &Hints::default()).unwrap();
/// assert!(reader.clone().all(|t| t.is_ok()));
/// assert_eq!(reader.map(|t| t.unwrap().amount_minor).sum::<i64>(), -750);
/// ```
#[derive(Clone)]
pub struct StatementReader<'a> {
    source: Source<'a>,
    report: Report,
    failed: bool,
}

impl<'a> StatementReader<'a> {
    /// Decodes `bytes`, detects the format and everything about the file, and is ready to read.
    ///
    /// # Errors
    /// `invalid_input` when the file cannot be read at all or a decision needs a hint.
    pub fn new(bytes: &'a [u8], hints: &Hints) -> Result<Self> {
        let decoded = decode::decode(bytes, hints.encoding.as_deref())?;
        let format = sniff::sniff(&decoded.text);
        let (source, report) = match format {
            Format::Csv => {
                let (reader, report) = csv::CsvReader::open(decoded.text, hints, decoded.encoding)?;
                (Source::Csv(Box::new(reader)), report)
            }
            Format::Ofx | Format::Qfx => {
                let (txs, report) = ofx::read(&decoded.text, format, hints, decoded.encoding)?;
                (Source::Parsed(txs.into_iter()), report)
            }
            Format::Qif => {
                let (txs, report) = qif::read(&decoded.text, hints, decoded.encoding)?;
                (Source::Parsed(txs.into_iter()), report)
            }
            Format::Camt053 | Format::Camt052 => {
                let (txs, report) = camt::read(&decoded.text, format, hints, decoded.encoding)?;
                (Source::Parsed(txs.into_iter()), report)
            }
        };
        Ok(StatementReader {
            source,
            report,
            failed: false,
        })
    }

    /// What was detected, with the rows skipped and the transactions read so far.
    pub fn report(&self) -> &Report {
        &self.report
    }

    /// The cells of a CSV file's header row as the file printed them (decoded, unquoted,
    /// trimmed); `None` for a CSV file without a header and for the other formats.
    pub fn header(&self) -> Option<&[String]> {
        match &self.source {
            Source::Csv(reader) => reader.header(),
            Source::Parsed(_) => None,
        }
    }

    /// The cells of the CSV record the transaction last returned by `next` was read from, as
    /// the file printed them (decoded, unquoted, trimmed; a short row has fewer cells than
    /// [`Report::columns`]). `None` before the first transaction and for the other formats.
    /// Only the last record is kept, so reading stays streaming.
    ///
    /// ```
    /// use xspense::statement::{Hints, StatementReader};
    /// let csv = b"Date,Description,Amount,Note\n01/31/2024,COFFEE,-4.50,\"mine, all mine\"\n";
    /// let mut reader = StatementReader::new(csv, &Hints::default()).unwrap();
    /// assert_eq!(reader.header().unwrap()[3], "Note");
    /// let tx = reader.next().unwrap().unwrap();
    /// assert_eq!(reader.record().unwrap(), ["01/31/2024", "COFFEE", "-4.50", "mine, all mine"]);
    /// assert_eq!(reader.column_position("note"), Some(3));
    /// ```
    pub fn record(&self) -> Option<&[String]> {
        match &self.source {
            Source::Csv(reader) => reader.record(),
            Source::Parsed(_) => None,
        }
    }

    /// The 0-based position of the header column named `name`, matched as `--columns`
    /// matches header text (ignoring case, accents and punctuation).
    pub fn column_position(&self, name: &str) -> Option<usize> {
        let want = text::fold(name);
        self.header()?.iter().position(|h| text::fold(h) == want)
    }

    /// The report, once reading is done.
    pub fn into_report(self) -> Report {
        self.report
    }
}

impl Iterator for StatementReader<'_> {
    type Item = Result<StatementTransaction>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.failed {
            return None;
        }
        let reader = match &mut self.source {
            Source::Parsed(it) => {
                let tx = it.next()?;
                self.report.transactions += 1;
                return Some(Ok(tx));
            }
            Source::Csv(reader) => reader,
        };
        loop {
            match reader.next_row()? {
                Ok(csv::Outcome::Skip(reason, row)) => {
                    self.report.skipped.push(SkippedRow { row, reason })
                }
                Ok(csv::Outcome::Transaction(tx)) => {
                    self.report.transactions += 1;
                    return Some(Ok(*tx));
                }
                Err(e) => {
                    self.failed = true;
                    return Some(Err(e));
                }
            }
        }
    }
}
