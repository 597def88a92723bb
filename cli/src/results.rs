//! Writing categorized rows as CSV or JSON Lines, one row at a time.
//!
//! CSV of a CSV input: the input's columns as it printed them, then the appended columns
//! `date`, `amount`, `currency` (normalized: ISO date, signed decimal, negative is money out)
//! and `category`, `confidence`, `band`, `source`, `merchant`, `reason`. When any appended
//! name is already an input column (ignoring case and surrounding spaces), every appended
//! column is prefixed `xspense_`; a prefixed name still taken gets `_2`, `_3`...
//! CSV of any other input, and JSON Lines: the normalized fields of [`NORMALIZED_FIELDS`]
//! then the result fields.

use std::collections::HashSet;
use std::io::Write;

use serde::Serialize;
use xspense::statement::{Report, StatementTransaction};
use xspense::Categorization;

use crate::stdio::write_error;
use crate::CliResult;

/// What `--format` selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    /// CSV with a header row.
    #[default]
    Csv,
    /// One JSON object per transaction and line.
    Jsonl,
}

/// The normalized fields written for every transaction (JSON Lines, CSV of a non-CSV input).
pub const NORMALIZED_FIELDS: [&str; 8] = [
    "row",
    "date",
    "amount",
    "currency",
    "description",
    "memo",
    "bank_category",
    "pending",
];

/// Normalized columns appended to a CSV input's own columns.
const APPENDED_NORMALIZED: [&str; 3] = ["date", "amount", "currency"];

/// The result fields, after the normalized ones.
const RESULT_FIELDS: [&str; 6] = [
    "category",
    "confidence",
    "band",
    "source",
    "merchant",
    "reason",
];

/// Prefix of appended columns when one of their names is an input column.
const COLLISION_PREFIX: &str = "xspense_";

/// First number given to a prefixed name that is still taken.
const FIRST_SUFFIX: usize = 2;

/// Decimals of the confidence in CSV.
const CONFIDENCE_DECIMALS: usize = 3;

fn key(name: &str) -> String {
    name.trim().to_lowercase()
}

/// The names of the appended columns for an input with columns `input` (see the module).
pub fn appended_names(input: &[String]) -> Vec<String> {
    let taken: HashSet<String> = input.iter().map(|n| key(n)).collect();
    let wanted = APPENDED_NORMALIZED.iter().chain(RESULT_FIELDS.iter());
    let clash = wanted.clone().any(|n| taken.contains(*n));
    wanted
        .map(|n| {
            if !clash {
                return n.to_string();
            }
            let mut name = format!("{COLLISION_PREFIX}{n}");
            let mut suffix = FIRST_SUFFIX;
            while taken.contains(&key(&name)) {
                name = format!("{COLLISION_PREFIX}{n}_{suffix}");
                suffix += 1;
            }
            name
        })
        .collect()
}

/// The input's own columns when it is a CSV file: header text, or `column N` without one.
pub fn input_columns(report: &Report) -> Option<Vec<String>> {
    (report.format == xspense::statement::Format::Csv).then(|| {
        report
            .columns
            .iter()
            .map(|c| {
                c.name
                    .clone()
                    .unwrap_or_else(|| format!("column {}", c.index))
            })
            .collect()
    })
}

/// One categorized transaction with the cells it was read from (CSV inputs).
pub struct Row<'a> {
    pub statement: &'a StatementTransaction,
    pub record: Option<&'a [String]>,
    pub result: &'a Categorization,
}

#[derive(Serialize)]
struct JsonRow<'a> {
    row: usize,
    date: String,
    amount: String,
    currency: &'a str,
    description: &'a str,
    memo: Option<&'a str>,
    bank_category: Option<&'a str>,
    pending: bool,
    category: &'a str,
    confidence: f64,
    band: &'a str,
    source: &'a str,
    merchant: &'a str,
    reason: &'a str,
}

impl<'a> From<&Row<'a>> for JsonRow<'a> {
    fn from(r: &Row<'a>) -> Self {
        let (st, c) = (r.statement, r.result);
        JsonRow {
            row: st.row,
            date: st.date.to_string(),
            amount: st.amount_text(),
            currency: st.currency.as_str(),
            description: &st.description,
            memo: st.memo.as_deref(),
            bank_category: st.bank_category.as_deref(),
            pending: st.pending,
            category: &c.category,
            confidence: c.confidence,
            band: c.band.as_str(),
            source: c.source.as_str(),
            merchant: &c.merchant,
            reason: &c.reason,
        }
    }
}

fn result_cells(c: &Categorization) -> [String; 6] {
    [
        c.category.clone(),
        format!("{:.*}", CONFIDENCE_DECIMALS, c.confidence),
        c.band.as_str().to_string(),
        c.source.as_str().to_string(),
        c.merchant.clone(),
        c.reason.clone(),
    ]
}

/// Writes rows in one format to `W`.
pub enum RowWriter<W: Write> {
    /// CSV; `Some(width)` keeps that many input cells in front of the appended columns.
    Csv {
        writer: Box<csv::Writer<W>>,
        input_width: Option<usize>,
    },
    /// JSON Lines.
    Jsonl(W),
}

fn csv_error(e: csv::Error) -> crate::CliError {
    match e.into_kind() {
        csv::ErrorKind::Io(io) => write_error("cannot write the output", &io),
        other => format!("cannot write the output: {other:?}").into(),
    }
}

impl<W: Write> RowWriter<W> {
    /// A writer that has written the CSV header when there is one. `input` holds the input's
    /// own column names for a CSV input.
    pub fn new(format: OutputFormat, sink: W, input: Option<Vec<String>>) -> CliResult<Self> {
        match format {
            OutputFormat::Jsonl => Ok(RowWriter::Jsonl(sink)),
            OutputFormat::Csv => {
                let mut writer = csv::Writer::from_writer(sink);
                let header: Vec<String> = match &input {
                    Some(names) => names.iter().cloned().chain(appended_names(names)).collect(),
                    None => NORMALIZED_FIELDS
                        .iter()
                        .chain(RESULT_FIELDS.iter())
                        .map(|s| s.to_string())
                        .collect(),
                };
                writer.write_record(&header).map_err(csv_error)?;
                Ok(RowWriter::Csv {
                    writer: Box::new(writer),
                    input_width: input.map(|names| names.len()),
                })
            }
        }
    }

    /// Writes one row.
    pub fn write(&mut self, row: &Row<'_>) -> CliResult<()> {
        match self {
            RowWriter::Jsonl(sink) => {
                serde_json::to_writer(&mut *sink, &JsonRow::from(row))
                    .map_err(|e| format!("cannot write the output: {e}"))?;
                sink.write_all(b"\n")
                    .map_err(|e| write_error("cannot write the output", &e))
            }
            RowWriter::Csv {
                writer,
                input_width,
            } => {
                let record = csv_record(row, *input_width);
                writer.write_record(&record).map_err(csv_error)
            }
        }
    }

    /// Flushes and returns the sink.
    pub fn finish(self) -> CliResult<W> {
        match self {
            RowWriter::Jsonl(mut sink) => {
                sink.flush()
                    .map_err(|e| write_error("cannot write the output", &e))?;
                Ok(sink)
            }
            RowWriter::Csv { writer, .. } => writer
                .into_inner()
                .map_err(|e| write_error("cannot write the output", e.error())),
        }
    }
}

fn csv_record(row: &Row<'_>, input_width: Option<usize>) -> Vec<String> {
    let st = row.statement;
    let mut cells: Vec<String> = match input_width {
        Some(width) => {
            let mut cells: Vec<String> = row.record.unwrap_or_default().to_vec();
            // a short row is padded; a longer one is never cut (the writer refuses it)
            if cells.len() < width {
                cells.resize(width, String::new());
            }
            cells.extend([
                st.date.to_string(),
                st.amount_text(),
                st.currency.as_str().to_string(),
            ]);
            cells
        }
        None => vec![
            st.row.to_string(),
            st.date.to_string(),
            st.amount_text(),
            st.currency.as_str().to_string(),
            st.description.clone(),
            st.memo.clone().unwrap_or_default(),
            st.bank_category.clone().unwrap_or_default(),
            st.pending.to_string(),
        ],
    };
    cells.extend(result_cells(row.result));
    cells
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(input: &[&str]) -> Vec<String> {
        appended_names(&input.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn appended_names_are_plain_without_a_clash() {
        assert_eq!(
            names(&["Buchungstag", "Betrag"])[..3],
            ["date", "amount", "currency"]
        );
    }

    #[test]
    fn a_clash_prefixes_every_appended_name_and_numbers_one_still_taken() {
        let got = names(&["Date", "Category ", "xspense_category"]);
        assert_eq!(got[0], "xspense_date");
        assert_eq!(got[3], "xspense_category_2");
        assert_eq!(got[4], "xspense_confidence");
    }
}
