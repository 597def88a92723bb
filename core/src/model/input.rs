//! The loose transaction shape hosts hand over from JSON or JavaScript: a signed amount as text
//! or number, optional id, tenant, currency and direction.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::{Currency, Direction, Money, Transaction};
use crate::error::{Error, Result};
use crate::rules::Labelled;

/// An amount as text (`"-4.75"`, `"(12.00)"`, `"12,50"`) or as a number (`-4.75`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(untagged)]
pub enum AmountInput {
    /// A decimal string, sign allowed.
    Text(String),
    /// A finite number, sign allowed.
    Number(f64),
}

/// A transaction as a host writes it by hand. Turned into a [`Transaction`] by
/// [`TransactionInput::into_transaction`].
///
/// ```
/// use xspense::model::TransactionInput;
/// let t: TransactionInput = serde_json::from_str(
///     r#"{"descriptor": "SQ *BLUE BOTTLE", "amount": -4.75, "date": "2026-11-02"}"#).unwrap();
/// let tx = t.into_transaction("7").unwrap();
/// assert_eq!((tx.id.as_str(), tx.tenant.as_str(), tx.amount.minor), ("7", "default", 475));
/// assert_eq!(tx.direction, xspense::Direction::Debit);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct TransactionInput {
    /// The host's id; the caller's default (a batch position) when absent.
    #[serde(default)]
    pub id: Option<String>,
    /// The tenant; `"default"` when absent.
    #[serde(default)]
    pub tenant: Option<String>,
    /// The raw descriptor.
    pub descriptor: String,
    /// Signed amount in major units: negative is money out.
    #[serde(default)]
    pub amount: Option<AmountInput>,
    /// Signed amount in minor units, instead of `amount`.
    #[serde(default)]
    pub amount_minor: Option<i64>,
    /// ISO 4217 code; `"USD"` when absent.
    #[serde(default)]
    pub currency: Option<String>,
    /// `debit` or `credit`; only with an unsigned amount. Debit when absent and not negative.
    #[serde(default)]
    pub direction: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: String,
    /// A merchant name the bank already resolved.
    #[serde(default)]
    pub merchant: Option<String>,
    /// The account it was booked on.
    #[serde(default)]
    pub account: Option<String>,
    /// Merchant category code.
    #[serde(default)]
    pub mcc: Option<u32>,
}

impl TransactionInput {
    /// Reads a transaction from its JSON value as a host wrote it. A missing or mistyped field,
    /// or an unknown key, is an `invalid_input` error naming it.
    ///
    /// ```
    /// use xspense::model::TransactionInput;
    /// let err = TransactionInput::from_json(serde_json::json!(
    ///     {"descriptor": "X", "amout": "1.00", "date": "2026-11-02"})).unwrap_err();
    /// assert!(err.to_string().contains("amout"));
    /// ```
    pub fn from_json(value: serde_json::Value) -> Result<Self> {
        serde_json::from_value(value).map_err(|e| Error::invalid(format!("transaction: {e}")))
    }

    /// The transaction; `default_id` is used when `id` is absent. Bad fields are
    /// `invalid_input` errors naming the field.
    pub fn into_transaction(self, default_id: &str) -> Result<Transaction> {
        let currency = Currency::new(self.currency.as_deref().unwrap_or("USD"))?;
        let (minor, negative) = match (self.amount, self.amount_minor) {
            (Some(_), Some(_)) => {
                return Err(Error::invalid("give amount or amount_minor, not both"))
            }
            (Some(AmountInput::Text(s)), None) => Money::parse_signed(&s, currency)?,
            (Some(AmountInput::Number(f)), None) => {
                if !f.is_finite() {
                    return Err(Error::invalid(format!("amount {f} is not a finite number")));
                }
                // the shortest decimal that round-trips, so 4.75 stays 4.75
                Money::parse_signed(&format!("{f}"), currency)?
            }
            (None, Some(m)) => match m.checked_abs() {
                Some(abs) => (abs, m < 0),
                None => return Err(Error::invalid(format!("amount_minor {m} is out of range"))),
            },
            (None, None) => return Err(Error::invalid("a transaction needs an amount")),
        };
        let direction = match self.direction.as_deref() {
            None => Direction::Debit,
            Some(_) if negative => {
                return Err(Error::invalid(
                    "a negative amount already says debit; drop the sign or the direction",
                ))
            }
            Some(text) => text.parse::<Direction>()?,
        };
        let date = NaiveDate::parse_from_str(self.date.trim(), "%Y-%m-%d")
            .map_err(|_| Error::invalid(format!("date {:?} is not YYYY-MM-DD", self.date)))?;
        let mcc = self
            .mcc
            .map(|m| {
                u16::try_from(m)
                    .ok()
                    .filter(|&m| m <= 9999)
                    .ok_or_else(|| Error::invalid("mcc must be an integer from 0 to 9999"))
            })
            .transpose()?;
        let tx = Transaction {
            id: self.id.unwrap_or_else(|| default_id.to_string()),
            tenant: self.tenant.unwrap_or_else(|| "default".into()),
            descriptor: self.descriptor,
            merchant: self.merchant,
            amount: Money::new(minor, currency)?,
            direction,
            date,
            account: self.account,
            mcc,
        };
        tx.validate()?;
        Ok(tx)
    }
}

/// Transactions from a batch of host-written ones; an absent id becomes the position in the
/// batch (`"0"`, `"1"`, ...). The first bad one is an `invalid_input` error naming its position.
///
/// ```
/// use xspense::model::{transactions_from_inputs, TransactionInput};
/// let inputs: Vec<TransactionInput> = serde_json::from_str(
///     r#"[{"descriptor": "A", "amount": "-1.00", "date": "2026-11-02"},
///         {"descriptor": "B", "amount": "x", "date": "2026-11-02"}]"#).unwrap();
/// let err = transactions_from_inputs(inputs).unwrap_err();
/// assert!(err.to_string().contains("transaction #1 in batch"));
/// ```
pub fn transactions_from_inputs(inputs: Vec<TransactionInput>) -> Result<Vec<Transaction>> {
    inputs
        .into_iter()
        .enumerate()
        .map(|(i, t)| {
            t.into_transaction(&i.to_string())
                .map_err(|e| Error::invalid(format!("transaction #{i} in batch: {e}")))
        })
        .collect()
}

/// One confirmed history row as a host writes it, for rule mining: a loose transaction and the
/// category a person gave or accepted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(deny_unknown_fields)]
pub struct LabelledInput {
    /// The transaction.
    pub transaction: TransactionInput,
    /// The confirmed category id.
    pub category: String,
}

/// History rows from host-written ones; an absent transaction id becomes the row's position.
/// The first bad row is an `invalid_input` error naming it (`history row 3: ...`).
pub fn history_from_inputs(rows: Vec<LabelledInput>) -> Result<Vec<Labelled>> {
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| {
            let transaction = row
                .transaction
                .into_transaction(&i.to_string())
                .map_err(|e| Error::invalid(format!("history row {i}: {e}")))?;
            Ok(Labelled {
                transaction,
                category: row.category,
            })
        })
        .collect()
}
