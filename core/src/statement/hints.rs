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
    /// The card network's merchant category code (ISO 18245, up to four digits).
    Mcc,
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

/// `what` is not one of `allowed`: an `invalid_input` error naming the flag that takes it.
fn not_one_of(flag: &str, what: &str, allowed: &[&str]) -> crate::Error {
    crate::Error::InvalidInput(format!(
        "{flag}: {what:?} is not one of {}",
        allowed.join(", ")
    ))
}

impl std::str::FromStr for DateOrder {
    type Err = crate::Error;
    /// `dmy`, `mdy` or `ymd`.
    fn from_str(s: &str) -> crate::Result<Self> {
        [DateOrder::Dmy, DateOrder::Mdy, DateOrder::Ymd]
            .into_iter()
            .find(|o| o.as_str() == s)
            .ok_or_else(|| not_one_of("--date-order", s, &["dmy", "mdy", "ymd"]))
    }
}

impl std::str::FromStr for DecimalMark {
    type Err = crate::Error;
    /// `.` (also `dot`) or `,` (also `comma`).
    fn from_str(s: &str) -> crate::Result<Self> {
        match s {
            "." | "dot" => Ok(DecimalMark::Dot),
            "," | "comma" => Ok(DecimalMark::Comma),
            _ => Err(not_one_of("--decimal", s, &[".", ",", "dot", "comma"])),
        }
    }
}

impl AmountSign {
    /// `debit-negative` or `debit-positive`.
    pub fn as_str(self) -> &'static str {
        match self {
            AmountSign::DebitNegative => "debit-negative",
            AmountSign::DebitPositive => "debit-positive",
        }
    }
}

impl std::str::FromStr for AmountSign {
    type Err = crate::Error;
    /// `debit-negative` or `debit-positive`.
    fn from_str(s: &str) -> crate::Result<Self> {
        [AmountSign::DebitNegative, AmountSign::DebitPositive]
            .into_iter()
            .find(|a| a.as_str() == s)
            .ok_or_else(|| not_one_of("--amount-sign", s, &["debit-negative", "debit-positive"]))
    }
}

impl ColumnRole {
    /// Every role, in the order of the enum.
    pub const ALL: [ColumnRole; 21] = [
        ColumnRole::Date,
        ColumnRole::BookingDate,
        ColumnRole::ValueDate,
        ColumnRole::Amount,
        ColumnRole::Debit,
        ColumnRole::Credit,
        ColumnRole::Fee,
        ColumnRole::Currency,
        ColumnRole::Counterparty,
        ColumnRole::Payer,
        ColumnRole::Recipient,
        ColumnRole::Description,
        ColumnRole::Memo,
        ColumnRole::Category,
        ColumnRole::Status,
        ColumnRole::Indicator,
        ColumnRole::Id,
        ColumnRole::Balance,
        ColumnRole::Type,
        ColumnRole::Mcc,
        ColumnRole::Ignore,
    ];

    /// The snake_case name, as in JSON (`booking_date`).
    pub fn as_str(self) -> &'static str {
        match self {
            ColumnRole::Date => "date",
            ColumnRole::BookingDate => "booking_date",
            ColumnRole::ValueDate => "value_date",
            ColumnRole::Amount => "amount",
            ColumnRole::Debit => "debit",
            ColumnRole::Credit => "credit",
            ColumnRole::Fee => "fee",
            ColumnRole::Currency => "currency",
            ColumnRole::Counterparty => "counterparty",
            ColumnRole::Payer => "payer",
            ColumnRole::Recipient => "recipient",
            ColumnRole::Description => "description",
            ColumnRole::Memo => "memo",
            ColumnRole::Category => "category",
            ColumnRole::Status => "status",
            ColumnRole::Indicator => "indicator",
            ColumnRole::Id => "id",
            ColumnRole::Balance => "balance",
            ColumnRole::Type => "type",
            ColumnRole::Mcc => "mcc",
            ColumnRole::Ignore => "ignore",
        }
    }
}

impl std::str::FromStr for ColumnRole {
    type Err = crate::Error;
    /// The snake_case name (`date`, `booking_date`, `amount`, ...).
    fn from_str(s: &str) -> crate::Result<Self> {
        ColumnRole::ALL
            .into_iter()
            .find(|r| r.as_str() == s)
            .ok_or_else(|| {
                let names: Vec<&str> = ColumnRole::ALL.iter().map(|r| r.as_str()).collect();
                not_one_of("--columns", s, &names)
            })
    }
}

impl ColumnHint {
    /// Column overrides from the `--columns` spec: `role=column` pairs separated by commas,
    /// where `column` is a 1-based number or header text (matched loosely; a header containing
    /// a comma or `=` cannot be named, use its number). A role may be given once per column.
    ///
    /// ```
    /// use xspense::statement::{ColumnHint, ColumnRef, ColumnRole};
    /// let hints = ColumnHint::parse_list("date=Buchungstag, amount=4").unwrap();
    /// assert_eq!(hints[0], ColumnHint { column: ColumnRef::Name("Buchungstag".into()), role: ColumnRole::Date });
    /// assert_eq!(hints[1], ColumnHint { column: ColumnRef::Index(4), role: ColumnRole::Amount });
    /// let err = ColumnHint::parse_list("amount=0").unwrap_err();
    /// assert!(err.to_string().contains("--columns"));
    /// assert!(ColumnHint::parse_list("amout=Betrag").unwrap_err().to_string().contains("amount"));
    /// ```
    ///
    /// # Errors
    /// `invalid_input` naming the entry: no `=`, an unknown role, an empty column or column 0.
    pub fn parse_list(spec: &str) -> crate::Result<Vec<ColumnHint>> {
        spec.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(ColumnHint::parse_entry)
            .collect()
    }

    fn parse_entry(entry: &str) -> crate::Result<ColumnHint> {
        let bad = |why: &str| crate::Error::InvalidInput(format!("--columns: {entry:?}: {why}"));
        let (role, column) = entry
            .split_once('=')
            .ok_or_else(|| bad("expected role=column, e.g. date=Buchungstag or amount=3"))?;
        let role: ColumnRole = role.trim().parse()?;
        let column = column.trim();
        let column = match column.parse::<usize>() {
            Ok(0) => return Err(bad("columns are numbered from 1")),
            Ok(n) => ColumnRef::Index(n),
            Err(_) if column.is_empty() => return Err(bad("no column after =")),
            Err(_) => ColumnRef::Name(column.to_string()),
        };
        Ok(ColumnHint { column, role })
    }
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
