//! How each row is read: which columns give the date, the money, the text, and what was
//! decided for them.

use super::columns::Stats;
use super::vocabulary::{Rank, Role};
use crate::error::{Error, Result};
use crate::model::Currency;
use crate::statement::hints::{DateOrder, DecimalMark};

/// Where the money of a row is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Money {
    /// One signed amount (several columns when each names another currency); a fee column is
    /// taken off when the amount is not already net.
    Signed {
        cols: Vec<usize>,
        fee: Option<usize>,
    },
    /// Money out and money in.
    Split {
        debit: Vec<usize>,
        credit: Vec<usize>,
    },
}

impl Money {
    /// Every column the money is read from.
    pub(crate) fn columns(&self) -> Vec<usize> {
        match self {
            Money::Signed { cols, fee } => cols.iter().copied().chain(*fee).collect(),
            Money::Split { debit, credit } => debit.iter().chain(credit).copied().collect(),
        }
    }
}

/// The columns of each text role.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct TextColumns {
    pub counterparty: Vec<usize>,
    pub payer: Vec<usize>,
    pub recipient: Vec<usize>,
    pub narrative: Vec<usize>,
    pub memo: Vec<usize>,
    pub booking_text: Vec<usize>,
    pub kind: Vec<usize>,
}

/// Everything needed to read a row.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    /// Column names for messages (the header text, or `column 3`).
    pub names: Vec<String>,
    /// The header's cells, to spot a repeated header.
    pub header: Option<Vec<String>>,
    pub roles: Vec<Option<Role>>,
    /// The currency each column's header names.
    pub col_currency: Vec<Option<Currency>>,
    /// Date columns, the one to use first.
    pub dates: Vec<usize>,
    /// Booking-date columns (empty on a row: not booked yet).
    pub bookings: Vec<usize>,
    pub order: Option<DateOrder>,
    pub money: Money,
    /// `money.columns()`, kept for every row.
    pub money_columns: Vec<usize>,
    pub marks: Vec<Option<DecimalMark>>,
    /// Indicator column and its pair in `vocabulary::INDICATORS`.
    pub indicator: Option<(usize, usize)>,
    /// Signs are flipped (a card printing purchases positive).
    pub flip: bool,
    pub currency_col: Option<usize>,
    pub currency: Currency,
    pub text: TextColumns,
    pub category: Option<usize>,
    /// The merchant category code column.
    pub mcc: Option<usize>,
    pub status: Vec<usize>,
    pub id: Option<usize>,
    pub impact: Option<usize>,
}

fn with(roles: &[Option<Role>], pick: impl Fn(Role) -> bool) -> Vec<usize> {
    (0..roles.len())
        .filter(|i| roles[*i].is_some_and(&pick))
        .collect()
}

/// The date columns, by tier (transaction, booking, value date).
fn date_columns(roles: &[Option<Role>]) -> Vec<usize> {
    [Role::Date, Role::BookingDate, Role::ValueDate]
        .iter()
        .flat_map(|t| with(roles, |r| r == *t))
        .collect()
}

/// The money columns: the best-ranked signed amounts that hold values, else debit/credit.
fn money(roles: &[Option<Role>], stats: &[Stats]) -> Option<Money> {
    let filled = |i: &usize| stats.get(*i).is_some_and(|s| s.non_empty > 0);
    let signed: Vec<(usize, Rank)> = (0..roles.len())
        .filter(filled)
        .filter_map(|i| match roles[i] {
            Some(Role::Amount(rank)) => Some((i, rank)),
            _ => None,
        })
        .collect();
    if let Some(best) = signed.iter().map(|(_, r)| *r).max() {
        let cols = signed
            .iter()
            .filter(|(_, r)| *r == best)
            .map(|(i, _)| *i)
            .collect();
        let fee = (best != Rank::Net)
            .then(|| with(roles, |r| r == Role::Fee).into_iter().find(filled))
            .flatten();
        return Some(Money::Signed { cols, fee });
    }
    let debit = with(roles, |r| r == Role::Debit);
    let credit = with(roles, |r| r == Role::Credit);
    (!debit.is_empty() || !credit.is_empty()).then_some(Money::Split { debit, credit })
}

/// The currency column nearest after the first money column, else the first.
fn currency_column(roles: &[Option<Role>], money: &Money) -> Option<usize> {
    let cols = with(roles, |r| r == Role::Currency);
    let first_money = money.columns().into_iter().min().unwrap_or(0);
    cols.iter()
        .copied()
        .find(|c| *c > first_money)
        .or(cols.first().copied())
}

/// The indicator column: named so, or a type or status column whose values are all one
/// debit/credit pair.
fn indicator(roles: &[Option<Role>], stats: &[Stats]) -> Option<(usize, usize)> {
    let pair = |i: usize| stats.get(i).and_then(Stats::indicator_pair).map(|p| (i, p));
    with(roles, |r| r == Role::Indicator)
        .into_iter()
        .chain(with(roles, |r| matches!(r, Role::Type | Role::Status)))
        .find_map(pair)
}

/// A plan without the decisions (order, marks, sign, currency), which come next.
pub(crate) fn assemble(
    roles: Vec<Option<Role>>,
    stats: &[Stats],
    names: Vec<String>,
    col_currency: Vec<Option<Currency>>,
    currency: Currency,
) -> Result<Plan> {
    let dates = date_columns(&roles);
    if dates.is_empty() {
        return Err(Error::invalid(
            "no date column found: name it with the columns hint (--columns date=NAME)",
        ));
    }
    let money = money(&roles, stats).ok_or_else(|| {
        Error::invalid(
            "no amount column found: name it with the columns hint (--columns amount=NAME)",
        )
    })?;
    let text = TextColumns {
        counterparty: with(&roles, |r| r == Role::Counterparty),
        payer: with(&roles, |r| r == Role::Payer),
        recipient: with(&roles, |r| r == Role::Recipient),
        narrative: with(&roles, |r| r == Role::Description),
        memo: with(&roles, |r| r == Role::Memo),
        booking_text: with(&roles, |r| r == Role::BookingText),
        kind: with(&roles, |r| r == Role::Type),
    };
    Ok(Plan {
        names,
        header: None,
        bookings: with(&roles, |r| r == Role::BookingDate),
        currency_col: currency_column(&roles, &money),
        indicator: indicator(&roles, stats),
        category: with(&roles, |r| r == Role::Category).first().copied(),
        mcc: with(&roles, |r| r == Role::Mcc).first().copied(),
        status: with(&roles, |r| r == Role::Status),
        id: with(&roles, |r| r == Role::Id).first().copied(),
        impact: with(&roles, |r| r == Role::Impact).first().copied(),
        marks: vec![None; roles.len()],
        money_columns: money.columns(),
        dates,
        order: None,
        money,
        flip: false,
        currency,
        text,
        col_currency,
        roles,
    })
}
