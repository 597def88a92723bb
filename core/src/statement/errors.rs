//! Errors that name a row and a column and never echo a card number or an IBAN.

use std::sync::OnceLock;

use crate::error::Error;
use crate::redact::Redactor;

/// Longest cell text quoted in an error message, in characters.
const MAX_QUOTED: usize = 60;

/// `cell` as it may appear in an error: card numbers, IBANs and other findings replaced by
/// placeholders, shortened.
pub(crate) fn quote(cell: &str) -> String {
    let redacted = redactor().redact(cell).text;
    let short: String = redacted.chars().take(MAX_QUOTED).collect();
    if short.len() < redacted.len() {
        format!("{short}...")
    } else {
        short
    }
}

/// The default redactor, built once: building one compiles its patterns, which costs far more
/// than reading a row.
fn redactor() -> &'static Redactor {
    static REDACTOR: OnceLock<Redactor> = OnceLock::new();
    REDACTOR.get_or_init(Redactor::new)
}

/// An `invalid_input` error for one cell: `row 12, column "Betrag": <what> "<cell>"`.
pub(crate) fn cell(row: usize, column: &str, cell: &str, what: &str) -> Error {
    Error::InvalidInput(format!(
        "row {row}, column {column:?}: {what} {:?}",
        quote(cell)
    ))
}

/// An `invalid_input` error for a row.
pub(crate) fn row(row: usize, what: &str) -> Error {
    Error::InvalidInput(format!("row {row}: {what}"))
}
