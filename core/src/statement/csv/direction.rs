//! Money out versus money in: one signed column, money-out and money-in columns, an
//! indicator column, or a card export printing purchases positive (recognised from the
//! layout, a card-member or card-number column, or a negative "payment, thank you" row).
//! Without a header, which amount column is the amount, the balance, the money out or the
//! money in is read from a running balance.

use super::columns::Stats;
use super::layouts::Layout;
use super::plan::{Money, Plan};
use super::split::Record;
use super::vocabulary::Role;
use crate::statement::amounts;
use crate::statement::hints::{AmountSign, DecimalMark, Hints};
use crate::statement::report::{Decided, DecidedBy, SignConvention};

/// Share of consecutive rows whose balances must agree with the amounts.
const BALANCE_AGREEMENT: f64 = 0.8;

/// Whether the amount cells of the rows mentioning a card payment are all negative (`None`
/// when there is no such row).
fn payments_negative(plan: &Plan, payments: &[Record]) -> Option<bool> {
    let cols = match &plan.money {
        Money::Signed { cols, .. } => cols,
        Money::Split { .. } => return None,
    };
    let signs: Vec<bool> = payments
        .iter()
        .filter_map(|r| cols.iter().map(|c| r.get(*c)).find(|v| !v.is_empty()))
        .filter_map(amounts::clean)
        .map(|c| c.negative)
        .collect();
    (!signs.is_empty()).then(|| signs.iter().all(|n| *n))
}

/// Decides the sign convention and sets `plan.flip` and `plan.indicator`.
pub(crate) fn decide(
    plan: &mut Plan,
    stats: &[Stats],
    payments: &[Record],
    hints: &Hints,
    layout: Option<&Layout>,
    warnings: &mut Vec<String>,
) -> Decided<SignConvention> {
    let cols = match &plan.money {
        Money::Split { .. } => {
            plan.indicator = None;
            return Decided::new(
                SignConvention::DebitCreditColumns,
                DecidedBy::File,
                "money-out and money-in columns",
            );
        }
        Money::Signed { cols, .. } => cols.clone(),
    };
    let count = |f: fn(&Stats) -> usize| {
        cols.iter()
            .filter_map(|c| stats.get(*c))
            .map(f)
            .sum::<usize>()
    };
    let (negatives, values) = (count(|s| s.negatives), count(|s| s.amounts));
    if negatives == 0 && hints.amount_sign.is_none() {
        if let Some((c, _)) = plan.indicator {
            let detail = format!(
                "unsigned amounts with the indicator column {:?}",
                plan.names[c]
            );
            return Decided::new(SignConvention::IndicatorColumn, DecidedBy::Values, detail);
        }
    }
    plan.indicator = None;
    let card_column = plan.roles.contains(&Some(Role::CardHolder));
    let decision = flip(
        hints,
        payments_negative(plan, payments),
        layout,
        card_column,
        negatives * 2 < values,
    );
    if let Some((flip, by, detail)) = decision {
        plan.flip = flip;
        let convention = if flip {
            SignConvention::CardPositivePurchases
        } else {
            SignConvention::SignedColumn
        };
        return Decided::new(convention, by, detail);
    }
    if negatives == 0 && values > 0 {
        warnings.push("no amount is negative: every row is read as money in; if purchases are printed positive, pass the amount sign hint (--amount-sign debit-positive)".into());
    }
    Decided::new(
        SignConvention::SignedColumn,
        DecidedBy::Values,
        "one signed amount column, negative is money out",
    )
}

/// Whether to flip the signs, and why; `None` when nothing says the export is a card's.
fn flip(
    hints: &Hints,
    payments_negative: Option<bool>,
    layout: Option<&Layout>,
    card_column: bool,
    mostly_positive: bool,
) -> Option<(bool, DecidedBy, String)> {
    match hints.amount_sign {
        Some(AmountSign::DebitPositive) => {
            return Some((true, DecidedBy::Hint, "the amount sign hint".into()))
        }
        Some(AmountSign::DebitNegative) => {
            return Some((false, DecidedBy::Hint, "the amount sign hint".into()))
        }
        None => {}
    }
    match payments_negative {
        Some(true) => {
            return Some((
                true,
                DecidedBy::Values,
                "a negative \"payment, thank you\" row: purchases are printed positive".into(),
            ))
        }
        Some(false) => {
            return Some((
                false,
                DecidedBy::Values,
                "a positive \"payment, thank you\" row".into(),
            ))
        }
        None => {}
    }
    if let Some(l) = layout.filter(|l| l.card) {
        return Some((
            mostly_positive,
            DecidedBy::Layout,
            format!("the {} card layout", l.name),
        ));
    }
    card_column.then(|| {
        (
            mostly_positive,
            DecidedBy::Layout,
            "a card-member or card-number column".into(),
        )
    })
}

/// The amounts of the kept rows in column `c`, in minor units of a two-decimal currency.
fn values(rows: &[Record], c: usize, mark: Option<DecimalMark>) -> Vec<Option<i64>> {
    rows.iter()
        .map(|r| {
            let cleaned = amounts::clean(r.get(c))?;
            let v = amounts::minor_units(&cleaned.core, mark, 2).ok()?;
            Some(if cleaned.negative { -v } else { v })
        })
        .collect()
}

/// Whether `balance` runs with `amount` (in file order, oldest or newest first, the balance
/// on the row or the one before it).
fn runs(balance: &[Option<i64>], amount: &[Option<i64>]) -> bool {
    let pairs = balance.len().saturating_sub(1);
    if pairs < 2 {
        return false;
    }
    let variants: [fn(i64, i64, i64) -> bool; 4] = [
        |d, _a0, a1| d == a1,
        |d, a0, _a1| d == a0,
        |d, a0, _a1| d == -a0,
        |d, _a0, a1| d == -a1,
    ];
    variants.iter().any(|agree| {
        let hits = (0..pairs)
            .filter(
                |&i| match (balance[i], balance[i + 1], amount[i], amount[i + 1]) {
                    (Some(b0), Some(b1), Some(a0), Some(a1)) => agree(b1 - b0, a0, a1),
                    _ => false,
                },
            )
            .count();
        hits as f64 >= pairs as f64 * BALANCE_AGREEMENT
    })
}

/// Without a header: the running balance columns, then one amount, or a money-out and a
/// money-in column (each row fills one), oriented by the balance.
pub(crate) fn headerless_money(
    roles: &mut [Option<Role>],
    stats: &[Stats],
    rows: &[Record],
    marks: &[Option<DecimalMark>],
    warnings: &mut Vec<String>,
) {
    let cols: Vec<usize> = (0..roles.len())
        .filter(|c| matches!(roles[*c], Some(Role::Amount(_))))
        .collect();
    let vals: Vec<Vec<Option<i64>>> = cols.iter().map(|c| values(rows, *c, marks[*c])).collect();
    let mut balances = Vec::new();
    for (i, &b) in cols.iter().enumerate() {
        let single = (0..cols.len())
            .filter(|j| *j != i)
            .any(|j| runs(&vals[i], &vals[j]));
        let pair = pair_runs(&vals, i);
        if single || pair.is_some() {
            balances.push(b);
        }
    }
    for b in &balances {
        roles[*b] = Some(Role::Balance);
    }
    let rest: Vec<usize> = cols
        .iter()
        .copied()
        .filter(|c| !balances.contains(c))
        .collect();
    if let [d, c] = rest[..] {
        let complementary = rows
            .iter()
            .all(|r| r.get(d).is_empty() || r.get(c).is_empty());
        let unsigned = stats[d].negatives == 0 && stats[c].negatives == 0;
        if complementary && unsigned {
            let flipped = balances
                .iter()
                .any(|b| orientation(&vals, &cols, *b, d, c) == Some(false));
            let (debit, credit) = if flipped { (c, d) } else { (d, c) };
            if balances.is_empty() {
                warnings.push(format!("no header and no balance: column {} is read as money out and column {} as money in", debit + 1, credit + 1));
            }
            roles[debit] = Some(Role::Debit);
            roles[credit] = Some(Role::Credit);
        }
    }
}

/// For a balance column, whether two other amount columns run with it as credit minus debit.
fn pair_runs(vals: &[Vec<Option<i64>>], b: usize) -> Option<()> {
    for d in 0..vals.len() {
        for c in 0..vals.len() {
            if d == b || c == b || d == c {
                continue;
            }
            let net: Vec<Option<i64>> = vals[d]
                .iter()
                .zip(&vals[c])
                .map(|(x, y)| Some(y.unwrap_or(0) - x.unwrap_or(0)))
                .collect();
            if runs(&vals[b], &net) {
                return Some(());
            }
        }
    }
    None
}

/// `Some(true)` when the balance runs with `c - d` (d is money out), `Some(false)` with
/// `d - c`.
fn orientation(
    vals: &[Vec<Option<i64>>],
    cols: &[usize],
    b: usize,
    d: usize,
    c: usize,
) -> Option<bool> {
    let at = |col: usize| cols.iter().position(|x| *x == col);
    let (bi, di, ci) = (at(b)?, at(d)?, at(c)?);
    let net = |sign: i64| -> Vec<Option<i64>> {
        vals[di]
            .iter()
            .zip(&vals[ci])
            .map(|(x, y)| Some(sign * (y.unwrap_or(0) - x.unwrap_or(0))))
            .collect()
    };
    if runs(&vals[bi], &net(1)) {
        Some(true)
    } else if runs(&vals[bi], &net(-1)) {
        Some(false)
    } else {
        None
    }
}
