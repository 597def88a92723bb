//! Reading the CSV exports banks and card issuers produce.
//!
//! Detects the delimiter (`,` `;` tab), the header's date / description / amount columns (or
//! separate debit and credit columns), and the date format (the first of the common formats that
//! parses every row, so `03/04/2026` is read consistently). Every error names the row (1-based,
//! counting the header as row 1) and the column.

use std::fmt;
use std::path::Path;

use chrono::NaiveDate;
use xspense::{Currency, Direction, Money, Transaction};

/// How a signed amount column maps to direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum AmountSign {
    /// Negative amounts are money out (most bank accounts).
    DebitNegative,
    /// Positive amounts are money out (many credit-card exports).
    DebitPositive,
}

/// A CSV problem with its location.
#[derive(Debug)]
pub struct CsvError {
    pub row: Option<usize>,
    pub column: Option<String>,
    pub message: String,
}

impl fmt::Display for CsvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.row, &self.column) {
            (Some(r), Some(c)) => write!(f, "row {r}, column {c:?}: {}", self.message),
            (Some(r), None) => write!(f, "row {r}: {}", self.message),
            (None, Some(c)) => write!(f, "column {c:?}: {}", self.message),
            (None, None) => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for CsvError {}

fn err(row: Option<usize>, column: Option<&str>, message: impl Into<String>) -> CsvError {
    CsvError {
        row,
        column: column.map(str::to_string),
        message: message.into(),
    }
}

/// One parsed row: the transaction, the untouched original cells, and (for `eval`) the label
/// kept apart from the transaction so the engine cannot see it.
pub struct Row {
    pub tx: Transaction,
    pub cells: Vec<String>,
    pub label: Option<String>,
}

/// A parsed export.
pub struct BankCsv {
    pub headers: Vec<String>,
    pub rows: Vec<Row>,
    pub columns: DetectedColumns,
}

/// Which columns were used.
#[derive(Debug, Clone)]
pub struct DetectedColumns {
    pub date: String,
    pub description: String,
    pub amount: AmountColumns,
    pub date_format: &'static str,
}

impl DetectedColumns {
    /// One line for the user: which columns and date format were used.
    pub fn describe(&self) -> String {
        let amount = match &self.amount {
            AmountColumns::Signed(a) => format!("amount={a:?}"),
            AmountColumns::DebitCredit { debit, credit } => {
                format!("debit={debit:?} credit={credit:?}")
            }
        };
        format!(
            "columns: date={:?} ({}) description={:?} {amount}",
            self.date, self.date_format, self.description
        )
    }
}

/// Where the amount comes from.
#[derive(Debug, Clone)]
pub enum AmountColumns {
    Signed(String),
    DebitCredit { debit: String, credit: String },
}

const DATE_NAMES: &[&str] = &[
    "date",
    "transaction date",
    "trans date",
    "posting date",
    "posted date",
    "booking date",
    "value date",
    "buchungstag",
    "datum",
    "fecha",
    "data",
    "started date",
    "completed date",
];
const DESC_NAMES: &[&str] = &[
    "description",
    "descriptor",
    "transaction description",
    "details",
    "payee",
    "merchant",
    "name",
    "narrative",
    "memo",
    "reference",
    "verwendungszweck",
    "beschreibung",
    "concepto",
    "libelle",
    "text",
];
const AMOUNT_NAMES: &[&str] = &[
    "amount",
    "value",
    "betrag",
    "importe",
    "montant",
    "amount (usd)",
    "amount (gbp)",
    "amount (eur)",
];
const DEBIT_NAMES: &[&str] = &[
    "debit",
    "debit amount",
    "withdrawal",
    "withdrawals",
    "money out",
    "paid out",
    "out",
];
const CREDIT_NAMES: &[&str] = &[
    "credit",
    "credit amount",
    "deposit",
    "deposits",
    "money in",
    "paid in",
    "in",
];
const DATE_FORMATS: &[&str] = &[
    "%Y-%m-%d",
    "%m/%d/%Y",
    "%d/%m/%Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
    "%m/%d/%y",
    "%d/%m/%y",
    "%d-%m-%Y",
    "%d %b %Y",
    "%b %d, %Y",
    "%Y%m%d",
];

fn find(headers: &[String], names: &[&str]) -> Option<usize> {
    let norm: Vec<String> = headers.iter().map(|h| h.trim().to_lowercase()).collect();
    names.iter().find_map(|n| norm.iter().position(|h| h == n))
}

/// Options for reading.
pub struct ReadOptions<'a> {
    pub tenant: &'a str,
    pub currency: Currency,
    pub sign: AmountSign,
    pub label: Option<&'a str>,
}

fn delimiter(sample: &[u8]) -> u8 {
    let first_line = sample.split(|&b| b == b'\n').next().unwrap_or(sample);
    [b',', b';', b'\t']
        .into_iter()
        .max_by_key(|d| first_line.iter().filter(|b| *b == d).count())
        .unwrap_or(b',')
}

/// Reads and validates a whole export. Nothing is returned unless every row parses.
pub fn read(path: &Path, opts: &ReadOptions<'_>) -> Result<BankCsv, CsvError> {
    let bytes = std::fs::read(path)
        .map_err(|e| err(None, None, format!("cannot read {}: {e}", path.display())))?;
    parse(&bytes, opts)
}

/// Parses export bytes (see [`read`]).
pub fn parse(bytes: &[u8], opts: &ReadOptions<'_>) -> Result<BankCsv, CsvError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if let Err(e) = std::str::from_utf8(bytes) {
        let line = bytes[..e.valid_up_to()]
            .iter()
            .filter(|&&b| b == b'\n')
            .count()
            + 1;
        return Err(err(
            Some(line),
            None,
            "not valid UTF-8 (convert the file to UTF-8, e.g. with iconv -f latin1 -t utf-8)",
        ));
    }
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter(bytes))
        .flexible(false)
        .from_reader(bytes);
    let headers: Vec<String> = rdr
        .headers()
        .map_err(|e| err(Some(1), None, format!("cannot read the header: {e}")))?
        .iter()
        .map(str::to_string)
        .collect();
    if headers.iter().all(|h| h.trim().is_empty()) {
        return Err(err(Some(1), None, "the file has no header row"));
    }
    let date_i = find(&headers, DATE_NAMES).ok_or_else(|| {
        err(
            Some(1),
            None,
            format!("no date column (looked for {})", DATE_NAMES.join(", ")),
        )
    })?;
    let desc_i = find(&headers, DESC_NAMES).ok_or_else(|| {
        err(
            Some(1),
            None,
            format!(
                "no description column (looked for {})",
                DESC_NAMES.join(", ")
            ),
        )
    })?;
    let amount = match find(&headers, AMOUNT_NAMES) {
        Some(i) => (Some(i), None, None),
        None => match (find(&headers, DEBIT_NAMES), find(&headers, CREDIT_NAMES)) {
            (Some(d), Some(c)) => (None, Some(d), Some(c)),
            _ => {
                return Err(err(
                    Some(1),
                    None,
                    "no amount column, and no pair of debit and credit columns",
                ))
            }
        },
    };
    let currency_i = find(&headers, &["currency", "ccy", "wahrung", "moneda"]);
    let mcc_i = find(&headers, &["mcc", "merchant category code"]);
    let id_i = find(&headers, &["id", "transaction id", "reference number"]);
    let account_i = find(&headers, &["account", "account name", "account number"]);
    let label_i = match opts.label {
        Some(l) => Some(
            find(&headers, &[l.to_lowercase().as_str()])
                .ok_or_else(|| err(Some(1), Some(l), "label column not found in the header"))?,
        ),
        None => None,
    };

    let mut records = Vec::new();
    for (i, rec) in rdr.records().enumerate() {
        let row = i + 2;
        let rec = rec.map_err(|e| err(Some(row), None, format!("malformed CSV: {e}")))?;
        if rec.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        records.push((row, rec.iter().map(str::to_string).collect::<Vec<_>>()));
    }
    if records.is_empty() {
        return Err(err(None, None, "the file has a header but no rows"));
    }
    let date_format = DATE_FORMATS
        .iter()
        .copied()
        .find(|f| {
            records
                .iter()
                .all(|(_, c)| NaiveDate::parse_from_str(c[date_i].trim(), f).is_ok())
        })
        .ok_or_else(|| {
            // Name the first row that no format reads.
            let bad = records
                .iter()
                .find(|(_, c)| {
                    !DATE_FORMATS
                        .iter()
                        .any(|f| NaiveDate::parse_from_str(c[date_i].trim(), f).is_ok())
                })
                .or(records.first());
            let (row, cells) = bad
                .map(|(r, c)| (*r, c[date_i].clone()))
                .unwrap_or((2, String::new()));
            err(
                Some(row),
                Some(&headers[date_i]),
                format!("cannot read date {cells:?} (or dates use mixed formats)"),
            )
        })?;

    let mut rows = Vec::with_capacity(records.len());
    for (row, cells) in records {
        let col = |i: usize| headers[i].as_str();
        let date = NaiveDate::parse_from_str(cells[date_i].trim(), date_format)
            .map_err(|e| err(Some(row), Some(col(date_i)), e.to_string()))?;
        let currency = match currency_i
            .map(|i| cells[i].trim())
            .filter(|s| !s.is_empty())
        {
            Some(c) => Currency::new(c)
                .map_err(|e| err(Some(row), Some(col(currency_i.unwrap_or(0))), e.to_string()))?,
            None => opts.currency,
        };
        let parse_amount = |i: usize| -> Result<(i64, bool), CsvError> {
            let t = cells[i].trim();
            if t.is_empty() {
                return Ok((0, false));
            }
            Money::parse_signed(t, currency)
                .map_err(|e| err(Some(row), Some(col(i)), e.to_string()))
        };
        let (minor, direction) = match amount {
            (Some(i), _, _) => {
                if cells[i].trim().is_empty() {
                    return Err(err(Some(row), Some(col(i)), "amount is empty"));
                }
                let (m, neg) = parse_amount(i)?;
                let debit = match opts.sign {
                    AmountSign::DebitNegative => neg,
                    AmountSign::DebitPositive => !neg,
                };
                (
                    m,
                    if debit {
                        Direction::Debit
                    } else {
                        Direction::Credit
                    },
                )
            }
            (_, Some(d), Some(c)) => {
                let (dm, _) = parse_amount(d)?;
                let (cm, _) = parse_amount(c)?;
                match (dm > 0, cm > 0) {
                    (true, false) => (dm, Direction::Debit),
                    (false, true) => (cm, Direction::Credit),
                    (false, false) => (0, Direction::Debit),
                    (true, true) => {
                        return Err(err(Some(row), None, "both debit and credit are filled"))
                    }
                }
            }
            _ => unreachable!("amount columns were detected above"),
        };
        let mcc = match mcc_i.map(|i| cells[i].trim()).filter(|s| !s.is_empty()) {
            Some(m) => Some(
                m.parse::<u16>()
                    .ok()
                    .filter(|v| *v <= 9999)
                    .ok_or_else(|| {
                        err(
                            Some(row),
                            Some(col(mcc_i.unwrap_or(0))),
                            format!("MCC {m:?} is not a four-digit code"),
                        )
                    })?,
            ),
            None => None,
        };
        let descriptor = cells[desc_i].trim().to_string();
        if descriptor.is_empty() {
            return Err(err(Some(row), Some(col(desc_i)), "description is empty"));
        }
        let tx = Transaction {
            id: id_i
                .map(|i| cells[i].trim().to_string())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| format!("row-{row}")),
            tenant: opts.tenant.to_string(),
            descriptor,
            merchant: None,
            amount: Money::new(minor, currency).map_err(|e| err(Some(row), None, e.to_string()))?,
            direction,
            date,
            account: account_i
                .map(|i| cells[i].trim().to_string())
                .filter(|s| !s.is_empty()),
            mcc,
            bank_category: None,
        };
        tx.validate()
            .map_err(|e| err(Some(row), None, e.to_string()))?;
        let label = match label_i {
            Some(i) => {
                let l = cells[i].trim();
                if l.is_empty() {
                    return Err(err(Some(row), Some(col(i)), "label is empty"));
                }
                Some(l.to_string())
            }
            None => None,
        };
        rows.push(Row { tx, cells, label });
    }
    let columns = DetectedColumns {
        date: headers[date_i].clone(),
        description: headers[desc_i].clone(),
        amount: match amount {
            (Some(i), _, _) => AmountColumns::Signed(headers[i].clone()),
            (_, Some(d), Some(c)) => AmountColumns::DebitCredit {
                debit: headers[d].clone(),
                credit: headers[c].clone(),
            },
            _ => unreachable!("amount columns were detected above"),
        },
        date_format,
    };
    Ok(BankCsv {
        headers,
        rows,
        columns,
    })
}
