//! One transaction as the statement printed it, and its conversion to the engine's record.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::{Currency, Direction, Money, Transaction};

/// A transaction read from a statement. The amount is signed: negative is money leaving the
/// account holder, positive money arriving (on a card too, whatever sign the file printed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct StatementTransaction {
    /// 1-based line of the file where the row starts (CSV, QIF), or the 1-based number of the
    /// record (OFX `STMTTRN`, CAMT `Ntry`).
    pub row: usize,
    /// The date the transaction happened (else booked, else its value date).
    pub date: NaiveDate,
    /// Signed amount in minor units of `currency` (`-1250` is 12.50 out).
    pub amount_minor: i64,
    /// The amount's currency.
    pub currency: Currency,
    /// The counterparty, else the narrative; white space folded.
    pub description: String,
    /// Purpose, reference or memo text beside the description.
    pub memo: Option<String>,
    /// The bank's or app's own category.
    pub bank_category: Option<String>,
    /// Not yet booked.
    pub pending: bool,
    /// The bank's transaction id (OFX `FITID`, CAMT `AcctSvcrRef`/`NtryRef`, a CSV id column).
    pub id: Option<String>,
    /// The card network's merchant category code (ISO 18245), from a CSV `MCC` column.
    #[serde(default)]
    pub mcc: Option<u16>,
}

impl StatementTransaction {
    /// The signed amount as decimal text in major units (`"-12.50"`, `"-500"` for JPY).
    ///
    /// ```
    /// # use xspense::statement::StatementTransaction;
    /// # use xspense::Currency;
    /// # let t = StatementTransaction { row: 2, date: chrono::NaiveDate::from_ymd_opt(2024, 1, 15).unwrap(),
    /// #   amount_minor: -1250, currency: Currency::new("EUR").unwrap(), description: "REWE".into(),
    /// #   memo: None, bank_category: None, pending: false, id: None, mcc: None };
    /// assert_eq!(t.amount_text(), "-12.50");
    /// ```
    pub fn amount_text(&self) -> String {
        let magnitude = Money {
            minor: self.amount_minor.unsigned_abs() as i64,
            currency: self.currency,
        };
        let sign = if self.amount_minor < 0 { "-" } else { "" };
        format!("{sign}{}", magnitude.decimal())
    }

    /// Money in or out.
    pub fn direction(&self) -> Direction {
        if self.amount_minor < 0 {
            Direction::Debit
        } else {
            Direction::Credit
        }
    }

    /// The engine's [`Transaction`] for `tenant` with id `id` (the caller's policy: the
    /// bank's [`StatementTransaction::id`], the row number, a hash...). The description becomes
    /// the descriptor; the amount's sign becomes the direction; the bank's category and the
    /// merchant category code are carried.
    ///
    /// ```
    /// # use xspense::statement::StatementTransaction;
    /// # use xspense::{Currency, Direction};
    /// let t = StatementTransaction { row: 2, date: chrono::NaiveDate::from_ymd_opt(2024, 1, 15).unwrap(),
    ///   amount_minor: -1250, currency: Currency::new("GBP").unwrap(), description: "TESCO".into(),
    ///   memo: None, bank_category: Some("Groceries".into()), pending: false, id: None,
    ///   mcc: Some(5411) };
    /// let tx = t.to_transaction("default", "row-2").unwrap();
    /// assert_eq!((tx.amount.minor, tx.direction), (1250, Direction::Debit));
    /// assert_eq!((tx.bank_category.as_deref(), tx.mcc), (Some("Groceries"), Some(5411)));
    /// ```
    pub fn to_transaction(&self, tenant: &str, id: &str) -> Result<Transaction> {
        let magnitude = self
            .amount_minor
            .checked_abs()
            .ok_or_else(|| Error::invalid(format!("row {}: amount out of range", self.row)))?;
        let tx = Transaction {
            id: id.to_string(),
            tenant: tenant.to_string(),
            descriptor: self.description.clone(),
            merchant: None,
            amount: Money::new(magnitude, self.currency)?,
            direction: self.direction(),
            date: self.date,
            account: None,
            mcc: self.mcc,
            bank_category: self.bank_category.clone(),
        };
        tx.validate()?;
        Ok(tx)
    }
}
