//! Reading an export through the core's statement reader: the flags that override detection,
//! the file's bytes, and the engine's transaction for each statement row.

use std::path::Path;

use xspense::statement::{
    AmountSign, ColumnHint, ColumnRef, ColumnRole, DateOrder, DecimalMark, Hints, StatementReader,
    StatementTransaction,
};
use xspense::{Currency, Transaction};

use crate::CliResult;

/// Overrides of what the reader detects. Every flag left out is detected from the file.
#[derive(clap::Args, Clone, Default)]
pub struct HintArgs {
    /// Order of day, month and year in numeric dates, for a file whose dates do not say it.
    #[arg(long, value_name = "dmy|mdy|ymd")]
    pub date_order: Option<DateOrder>,
    /// Decimal mark of the amounts: `.` or `,`.
    #[arg(long, value_name = ".|,")]
    pub decimal: Option<DecimalMark>,
    /// The file's encoding, a label such as `windows-1252` or `iso-8859-1`.
    #[arg(long)]
    pub encoding: Option<String>,
    /// How a single signed amount column maps to money out.
    #[arg(long, value_name = "debit-negative|debit-positive")]
    pub amount_sign: Option<AmountSign>,
    /// Currency of the amounts when the file does not name one.
    #[arg(long)]
    pub currency: Option<String>,
    /// Column roles by header text or 1-based number, e.g. `date=Buchungstag,amount=4`.
    #[arg(long, value_name = "ROLE=COLUMN,...")]
    pub columns: Option<String>,
}

impl HintArgs {
    /// The reader's hints.
    pub fn hints(&self) -> CliResult<Hints> {
        let currency = self
            .currency
            .as_deref()
            .map(Currency::new)
            .transpose()
            .map_err(|e| format!("--currency: {e}"))?;
        let columns = match &self.columns {
            Some(spec) => ColumnHint::parse_list(spec).map_err(|e| e.to_string())?,
            None => Vec::new(),
        };
        Ok(Hints {
            date_order: self.date_order,
            decimal: self.decimal,
            encoding: self.encoding.clone(),
            amount_sign: self.amount_sign,
            currency,
            columns,
        })
    }
}

/// The reading flags and the tenant, shared by the commands that read an export.
#[derive(clap::Args, Clone)]
pub struct InputArgs {
    #[command(flatten)]
    pub hints: HintArgs,
    /// Tenant the transactions belong to.
    #[arg(long, default_value = "default")]
    pub tenant: String,
}

/// The file's bytes.
pub fn read_bytes(file: &Path) -> CliResult<Vec<u8>> {
    std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()).into())
}

/// `e` prefixed with the file's name.
pub fn in_file(file: &Path, e: impl std::fmt::Display) -> crate::CliError {
    format!("{}: {e}", file.display()).into()
}

/// The engine's transaction for a statement row. Its id is `row-<line>`: unique in the file
/// whatever ids the bank prints.
pub fn to_transaction(st: &StatementTransaction, tenant: &str) -> xspense::Result<Transaction> {
    st.to_transaction(tenant, &format!("row-{}", st.row))
        .map_err(|e| match e {
            xspense::Error::InvalidInput(m) if !m.starts_with("row ") => {
                xspense::Error::InvalidInput(format!("row {}: {m}", st.row))
            }
            other => other,
        })
}

/// A transaction with the category a person gave it.
pub struct LabelledRow {
    pub tx: Transaction,
    pub label: String,
}

/// Every row of a labelled CSV export. The label column is read as `ignore`, so the engine
/// never sees it; an empty label is an error naming the row.
pub fn read_labelled(file: &Path, input: &InputArgs, label: &str) -> CliResult<Vec<LabelledRow>> {
    let bytes = read_bytes(file)?;
    let mut hints = input.hints.hints()?;
    let label_ref = ColumnRef::Name(label.to_string());
    hints.columns.push(ColumnHint {
        column: label_ref.clone(),
        role: ColumnRole::Ignore,
    });
    let missing = format!("{label_ref:?}: no such column");
    let mut reader = StatementReader::new(&bytes, &hints).map_err(|e| {
        if e.to_string().contains(&missing) {
            in_file(
                file,
                format!("column {label:?}: label column not found in the header"),
            )
        } else {
            in_file(file, e)
        }
    })?;
    let position = reader.column_position(label).ok_or_else(|| {
        in_file(
            file,
            format!("column {label:?}: label column not found in the header"),
        )
    })?;
    let mut rows = Vec::new();
    while let Some(st) = reader.next() {
        let st = st.map_err(|e| in_file(file, e))?;
        let cell = reader
            .record()
            .and_then(|cells| cells.get(position))
            .map(|c| c.trim())
            .unwrap_or("");
        if cell.is_empty() {
            return Err(in_file(
                file,
                format!("row {}, column {label:?}: label is empty", st.row),
            ));
        }
        rows.push(LabelledRow {
            tx: to_transaction(&st, &input.tenant).map_err(|e| in_file(file, e))?,
            label: cell.to_string(),
        });
    }
    warn(file, reader.report());
    Ok(rows)
}

/// The report's warnings, to standard error.
pub fn warn(file: &Path, report: &xspense::statement::Report) {
    for w in &report.warnings {
        crate::stdio::note!("{}: warning: {w}", file.display());
    }
}
