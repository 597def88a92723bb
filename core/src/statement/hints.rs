//! What a caller may tell the reader: overrides only. Everything left out is detected.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::Currency;

/// The order of day, month and year in numeric dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum DateOrder {
    /// Day first (`31/01/2024`).
    Dmy,
    /// Month first (`01/31/2024`).
    Mdy,
    /// Year first (`2024-01-31`).
    Ymd,
}

impl DateOrder {
    /// `dmy`, `mdy` or `ymd`.
    pub fn as_str(self) -> &'static str {
        match self {
            DateOrder::Dmy => "dmy",
            DateOrder::Mdy => "mdy",
            DateOrder::Ymd => "ymd",
        }
    }
}

/// The character that separates the whole units from the fraction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub enum DecimalMark {
    /// `1,234.56`
    #[serde(rename = ".")]
    Dot,
    /// `1.234,56`
    #[serde(rename = ",")]
    Comma,
}

impl DecimalMark {
    /// The mark as a character.
    pub fn as_char(self) -> char {
        match self {
            DecimalMark::Dot => '.',
            DecimalMark::Comma => ',',
        }
    }
}

/// How a single signed amount column maps to money in and out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "kebab-case")]
pub enum AmountSign {
    /// Negative amounts are money out (bank accounts, most card exports).
    DebitNegative,
    /// Positive amounts are money out (card exports that print purchases positive).
    DebitPositive,
}

/// What a column holds. Used in [`Hints::columns`] to override detection and in the report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ColumnRole {
    /// The date the transaction happened (or the only date).
    Date,
    /// The booking or posting date.
    BookingDate,
    /// The value date.
    ValueDate,
    /// One signed amount.
    Amount,
    /// Money out, unsigned (or printed negative).
    Debit,
    /// Money in, unsigned.
    Credit,
    /// A fee taken on top of the amount.
    Fee,
    /// The currency of the row's amount.
    Currency,
    /// The other party: payee, merchant, counterparty.
    Counterparty,
    /// The other party when money comes in (the payer); the account holder otherwise.
    Payer,
    /// The other party when money goes out (the recipient); the account holder otherwise.
    Recipient,
    /// The narrative or transaction details.
    Description,
    /// Purpose, reference or memo text.
    Memo,
    /// The bank's own category.
    Category,
    /// Booking status (pending, booked).
    Status,
    /// Debit/credit indicator (`DR`/`CR`, `S`/`H`, `Af`/`Bij`).
    Indicator,
    /// The bank's transaction id.
    Id,
    /// A running balance (never read as the amount).
    Balance,
    /// The kind of transaction (`Card payment`, `Lastschrift`).
    Type,
    /// Not read.
    Ignore,
}

/// A column named by its header text (matched loosely) or its 1-based position.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum ColumnRef {
    /// 1-based column number.
    Index(usize),
    /// Header text, matched ignoring case, accents and punctuation.
    Name(String),
}

/// One column override.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct ColumnHint {
    /// Which column.
    pub column: ColumnRef,
    /// What it holds.
    pub role: ColumnRole,
}

/// Overrides for [`crate::statement::read_statement`]; every field left out is detected from
/// the file. JSON keys are snake_case and unknown keys are refused.
///
/// ```
/// use xspense::statement::{DateOrder, Hints};
/// let hints: Hints = serde_json::from_str(r#"{"date_order": "dmy", "currency": "GBP"}"#).unwrap();
/// assert_eq!(hints.date_order, Some(DateOrder::Dmy));
/// assert!(serde_json::from_str::<Hints>(r#"{"dateOrder": "dmy"}"#).is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct Hints {
    /// Day, month and year order of numeric dates (`--date-order`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_order: Option<DateOrder>,
    /// The decimal mark of every amount column (`--decimal`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decimal: Option<DecimalMark>,
    /// The file's encoding, a WHATWG label such as `windows-1252` (`--encoding`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
    /// How a signed amount column maps to money out (`--amount-sign`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_sign: Option<AmountSign>,
    /// The statement's currency when the file does not say it (`--currency`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub currency: Option<Currency>,
    /// Column roles by header name or position (`--columns date=...,amount=...`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub columns: Vec<ColumnHint>,
}

impl Hints {
    /// Hints from their JSON value as a host writes it (the bindings' one way in): `null` is
    /// no hints; an unknown key or a bad value is `invalid_input` naming its field.
    ///
    /// ```
    /// use xspense::statement::{DecimalMark, Hints};
    /// let hints = Hints::from_json(serde_json::json!({"decimal": ","})).unwrap();
    /// assert_eq!(hints.decimal, Some(DecimalMark::Comma));
    /// assert_eq!(Hints::from_json(serde_json::Value::Null).unwrap(), Hints::default());
    /// let err = Hints::from_json(serde_json::json!({"date_order": "ydm"})).unwrap_err();
    /// assert_eq!(err.code().as_str(), "invalid_input");
    /// assert!(err.to_string().contains("hints: date_order"));
    /// ```
    pub fn from_json(value: serde_json::Value) -> Result<Hints> {
        if value.is_null() {
            return Ok(Hints::default());
        }
        serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            let inner = e.into_inner();
            if path == "." {
                Error::invalid(format!("hints: {inner}"))
            } else {
                Error::invalid(format!("hints: {path}: {inner}"))
            }
        })
    }

    /// [`Hints::from_json`] from JSON text (an empty text is no hints).
    pub fn from_json_str(text: &str) -> Result<Hints> {
        if text.trim().is_empty() {
            return Ok(Hints::default());
        }
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| Error::invalid(format!("hints: not JSON: {e}")))?;
        Hints::from_json(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn hints_from_json_read_the_core_shape_and_name_what_is_wrong() {
        let h = Hints::from_json(json!({"date_order": "mdy", "currency": "gbp",
            "amount_sign": "debit-positive", "columns": [{"column": 2, "role": "amount"},
            {"column": "Payee", "role": "counterparty"}]}))
        .unwrap();
        assert_eq!(h.date_order, Some(DateOrder::Mdy));
        assert_eq!(h.currency.unwrap().as_str(), "GBP");
        assert_eq!(h.amount_sign, Some(AmountSign::DebitPositive));
        assert_eq!(h.columns[0].column, ColumnRef::Index(2));
        assert_eq!(h.columns[1].column, ColumnRef::Name("Payee".into()));
        assert_eq!(Hints::from_json_str("").unwrap(), Hints::default());
        assert_eq!(Hints::from_json_str("null").unwrap(), Hints::default());
        assert_eq!(Hints::from_json_str("{}").unwrap(), Hints::default());
        for (bad, needle) in [
            (r#"{"dateOrder": "dmy"}"#, "dateOrder"),
            (r#"{"currency": "EURO"}"#, "currency"),
            (
                r#"{"columns": [{"column": 1, "role": "amount", "x": 1}]}"#,
                "columns[0]",
            ),
            (r#"[1]"#, "hints"),
            ("{", "not JSON"),
        ] {
            let e = Hints::from_json_str(bad).unwrap_err();
            assert_eq!(e.code().as_str(), "invalid_input", "{bad}");
            assert!(e.to_string().contains(needle), "{bad}: {e}");
        }
    }
}
