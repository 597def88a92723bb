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
    /// The bank's or app's own category, as the statement printed it (not used to categorize).
    #[serde(default)]
    pub bank_category: Option<String>,
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
        read_json(value, "transaction")
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
            bank_category: self.bank_category,
        };
        tx.validate()?;
        Ok(tx)
    }
}

impl From<Transaction> for TransactionInput {
    /// The input that gives `tx` back through [`TransactionInput::into_transaction`]: its
    /// magnitude in minor units with its direction.
    ///
    /// ```
    /// use xspense::model::TransactionInput;
    /// let tx = TransactionInput::from_json(serde_json::json!(
    ///     {"descriptor": "REFUND", "amount": "12.50", "direction": "credit", "date": "2026-11-02"}))
    ///     .and_then(|t| t.into_transaction("9")).unwrap();
    /// assert_eq!(TransactionInput::from(tx.clone()).into_transaction("0").unwrap(), tx);
    /// ```
    fn from(tx: Transaction) -> Self {
        TransactionInput {
            id: Some(tx.id),
            tenant: Some(tx.tenant),
            descriptor: tx.descriptor,
            amount: None,
            amount_minor: Some(tx.amount.minor),
            currency: Some(tx.amount.currency.as_str().to_string()),
            direction: Some(tx.direction.as_str().to_string()),
            date: tx.date.format("%Y-%m-%d").to_string(),
            merchant: tx.merchant,
            account: tx.account,
            mcc: tx.mcc.map(u32::from),
            bank_category: tx.bank_category,
        }
    }
}

/// `e` as an `invalid_input` error about `what` (`transaction #2 in batch`, `history row 2`).
fn naming(what: std::fmt::Arguments<'_>, e: Error) -> Error {
    match e {
        Error::InvalidInput(message) => Error::invalid(format!("{what}: {message}")),
        other => Error::invalid(format!("{what}: {other}")),
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
                .map_err(|e| naming(format_args!("transaction #{i} in batch"), e))
        })
        .collect()
}

/// Transactions from a batch of JSON values as hosts wrote them: each is read by
/// [`TransactionInput::from_json`], then converted as by [`transactions_from_inputs`]. The first
/// bad one, unreadable or invalid, is an `invalid_input` error naming its position.
///
/// ```
/// use xspense::model::transactions_from_json;
/// let batch = vec![
///     serde_json::json!({"descriptor": "A", "amount": "-1.00", "date": "2026-11-02"}),
///     serde_json::json!({"descriptor": "B", "amout": "-1.00", "date": "2026-11-02"}),
/// ];
/// let err = transactions_from_json(batch).unwrap_err();
/// assert!(err.to_string().contains("transaction #1 in batch"));
/// assert!(err.to_string().contains("amout"));
/// ```
pub fn transactions_from_json(values: Vec<serde_json::Value>) -> Result<Vec<Transaction>> {
    values
        .into_iter()
        .enumerate()
        .map(|(i, v)| {
            TransactionInput::from_json(v)
                .and_then(|t| t.into_transaction(&i.to_string()))
                .map_err(|e| naming(format_args!("transaction #{i} in batch"), e))
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

fn labelled(i: usize, row: LabelledInput) -> Result<Labelled> {
    let transaction = row
        .transaction
        .into_transaction(&i.to_string())
        .map_err(|e| naming(format_args!("history row {i}"), e))?;
    Ok(Labelled {
        transaction,
        category: row.category,
    })
}

/// History rows from host-written ones; an absent transaction id becomes the row's position.
/// The first bad row is an `invalid_input` error naming it (`history row 3: ...`).
pub fn history_from_inputs(rows: Vec<LabelledInput>) -> Result<Vec<Labelled>> {
    rows.into_iter()
        .enumerate()
        .map(|(i, row)| labelled(i, row))
        .collect()
}

/// History rows from JSON values as hosts wrote them (`{"transaction": {...}, "category":
/// "..."}`), converted as by [`history_from_inputs`]. The first bad row, unreadable or invalid,
/// is an `invalid_input` error naming it.
///
/// ```
/// use xspense::model::history_from_json;
/// let rows = vec![serde_json::json!({"transaction": {"descriptor": "A", "amount": "-1.00",
///     "date": "2026-11-02"}})];
/// let err = history_from_json(rows).unwrap_err();
/// assert!(err.to_string().contains("history row 0"));
/// assert!(err.to_string().contains("category"));
/// ```
pub fn history_from_json(rows: Vec<serde_json::Value>) -> Result<Vec<Labelled>> {
    rows.into_iter()
        .enumerate()
        .map(|(i, v)| {
            let row: LabelledInput = read_json(v, &format!("history row {i}"))?;
            labelled(i, row)
        })
        .collect()
}

/// `T` from a JSON value; a mistake is an `invalid_input` error naming `what` and the path of
/// the field it is in (`transaction: mcc: invalid value: integer `-1`, expected u32`).
fn read_json<T: serde::de::DeserializeOwned>(value: serde_json::Value, what: &str) -> Result<T> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        if path == "." {
            Error::invalid(format!("{what}: {inner}"))
        } else {
            Error::invalid(format!("{what}: {path}: {inner}"))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_transaction_round_trips_through_its_input() {
        for v in [
            json!({"id": "a", "tenant": "t", "descriptor": "SQ *KALOMI", "amount": "-31.50",
                   "currency": "EUR", "date": "2026-04-02", "merchant": "Kalomi",
                   "account": "checking", "mcc": 5812}),
            json!({"descriptor": "PAYROLL", "amount": "2500", "direction": "credit",
                   "currency": "JPY", "date": "2026-11-30"}),
        ] {
            let tx = TransactionInput::from_json(v)
                .and_then(|t| t.into_transaction("7"))
                .unwrap();
            let back = TransactionInput::from(tx.clone());
            assert_eq!(back.clone().into_transaction("other").unwrap(), tx);
            // and through its JSON, as a binding hands it over
            let json = serde_json::to_value(&back).unwrap();
            let again = TransactionInput::from_json(json).unwrap();
            assert_eq!(again.into_transaction("other").unwrap(), tx);
        }
    }

    #[test]
    fn batch_and_history_errors_name_the_position_once() {
        let ok = json!({"descriptor": "A", "amount": "1.00", "date": "2026-11-02"});
        let txs = transactions_from_json(vec![ok.clone(), ok.clone()]).unwrap();
        assert_eq!((txs[0].id.as_str(), txs[1].id.as_str()), ("0", "1"));
        let e = transactions_from_json(vec![ok.clone(), json!({"descriptor": ""})]).unwrap_err();
        assert_eq!(e.code().as_str(), "invalid_input");
        assert!(e
            .to_string()
            .starts_with("invalid input: transaction #1 in batch: transaction: "));
        let e = transactions_from_json(vec![json!({"descriptor": "", "amount": "1",
            "date": "2026-11-02"})])
        .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid input: transaction #0 in batch: transaction \"0\": descriptor must not be empty"
        );
        let e = history_from_json(vec![
            json!({"transaction": ok, "category": "x"}),
            json!("a string"),
        ])
        .unwrap_err();
        assert!(
            e.to_string()
                .starts_with("invalid input: history row 1: invalid type"),
            "{e}"
        );
        let rows = history_from_json(vec![json!({"transaction": {"descriptor": "B",
            "amount": "-2.00", "date": "2026-11-02"}, "category": "food.coffee"})])
        .unwrap();
        assert_eq!(
            (rows[0].transaction.id.as_str(), rows[0].category.as_str()),
            ("0", "food.coffee")
        );
    }
}
