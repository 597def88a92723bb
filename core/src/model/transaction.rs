//! The transaction record the engine categorizes.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::Money;
use crate::error::{Error, Result};

/// Whether money left the account (debit, a purchase) or arrived (credit, a refund or income).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// Money out.
    Debit,
    /// Money in.
    Credit,
}

impl Direction {
    /// `"debit"` or `"credit"`.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Debit => "debit",
            Direction::Credit => "credit",
        }
    }
}

impl std::str::FromStr for Direction {
    type Err = Error;
    /// Parses `debit` or `credit`.
    ///
    /// ```
    /// use xspense::Direction;
    /// assert_eq!("credit".parse::<Direction>().unwrap(), Direction::Credit);
    /// assert_eq!("refund".parse::<Direction>().unwrap_err().code().as_str(), "invalid_input");
    /// ```
    fn from_str(s: &str) -> Result<Direction> {
        match s {
            "debit" => Ok(Direction::Debit),
            "credit" => Ok(Direction::Credit),
            other => Err(Error::invalid(format!(
                "direction must be \"debit\" or \"credit\", got {other:?}"
            ))),
        }
    }
}

/// One bank or card transaction, as the host hands it to the engine.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Transaction {
    /// The host's identifier for this transaction.
    pub id: String,
    /// The tenant (user or organisation) this transaction belongs to.
    pub tenant: String,
    /// The raw descriptor text as the bank printed it.
    pub descriptor: String,
    /// A merchant name the bank or aggregator already resolved, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merchant: Option<String>,
    /// Magnitude of the amount.
    pub amount: Money,
    /// Money in or out.
    pub direction: Direction,
    /// Booking or transaction date.
    pub date: NaiveDate,
    /// The account it was booked on, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// ISO 18245 merchant category code, if the card network supplied one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mcc: Option<u16>,
    /// The bank's or app's own category for the transaction (`Groceries`, `Eating out`), as
    /// the statement printed it. The bank-category stage maps the common banks' and
    /// aggregators' vocabularies to the taxonomy (`docs/bank-categories.md`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bank_category: Option<String>,
}

/// Longest descriptor accepted, in bytes.
pub(crate) const MAX_DESCRIPTOR_BYTES: usize = 1024;
/// Longest identifier (tenant, transaction id, account) accepted, in bytes.
pub(crate) const MAX_ID_BYTES: usize = 256;

impl Transaction {
    /// Checks the invariants the engine relies on; returns a typed error naming the field.
    pub fn validate(&self) -> Result<()> {
        check_id("tenant", &self.tenant)?;
        check_id("id", &self.id)?;
        if self.descriptor.trim().is_empty() && self.merchant.as_deref().unwrap_or("").is_empty() {
            return Err(Error::invalid(format!(
                "transaction {:?}: descriptor must not be empty",
                self.id
            )));
        }
        if self.descriptor.len() > MAX_DESCRIPTOR_BYTES {
            return Err(Error::invalid(format!(
                "transaction {:?}: descriptor is longer than {MAX_DESCRIPTOR_BYTES} bytes",
                self.id
            )));
        }
        if self.amount.minor < 0 {
            return Err(Error::invalid(format!(
                "transaction {:?}: amount must not be negative; use direction",
                self.id
            )));
        }
        if let Some(a) = &self.account {
            if a.len() > MAX_ID_BYTES {
                return Err(Error::invalid(format!(
                    "transaction {:?}: account is longer than {MAX_ID_BYTES} bytes",
                    self.id
                )));
            }
        }
        if let Some(mcc) = self.mcc {
            if mcc > 9999 {
                return Err(Error::invalid(format!(
                    "transaction {:?}: MCC {mcc} is not a four-digit code",
                    self.id
                )));
            }
        }
        Ok(())
    }
}

pub(crate) fn check_id(what: &str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(format!("{what} must not be empty")));
    }
    if value.len() > MAX_ID_BYTES {
        return Err(Error::invalid(format!(
            "{what} is longer than {MAX_ID_BYTES} bytes"
        )));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(format!(
            "{what} must not contain control characters"
        )));
    }
    Ok(())
}
