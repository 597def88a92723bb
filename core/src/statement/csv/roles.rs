//! The role of every column: from the header's vocabulary checked against the values, or,
//! without a header, from the values alone. Hints override both.

use super::columns::Stats;
use super::header::HeaderCell;
use super::layouts::Layout;
use super::vocabulary::{Rank, Role};
use crate::statement::hints::{ColumnRef, ColumnRole, Hints};
use crate::statement::text::fold;

/// Whether a column's values fit `role`.
fn fits(role: Role, s: &Stats) -> bool {
    let empty = s.non_empty == 0;
    match role {
        Role::Date | Role::BookingDate | Role::ValueDate => empty || s.is_dates(),
        Role::Amount(_) | Role::Debit | Role::Credit | Role::Fee => empty || s.is_amounts(),
        Role::Currency => empty || s.is_codes(),
        Role::Indicator => s.indicator_pair().is_some(),
        _ => true,
    }
}

/// Text roles whose values are all short codes are a type column (DBS's `Reference`).
fn demote(role: Role, s: &Stats) -> Role {
    match role {
        Role::Memo | Role::Category | Role::Counterparty | Role::Description
            if s.is_type_codes() =>
        {
            Role::Type
        }
        r => r,
    }
}

fn is_text(role: Role) -> bool {
    matches!(role, Role::Description | Role::Memo | Role::Counterparty)
}

/// Roles from a header row.
pub(crate) fn from_header(
    cells: &[HeaderCell],
    stats: &[Stats],
    layout: Option<&Layout>,
) -> Vec<Option<Role>> {
    let mut roles: Vec<Option<Role>> = Vec::with_capacity(stats.len());
    let empty = Stats::default();
    for i in 0..stats.len().max(cells.len()) {
        let s = stats.get(i).unwrap_or(&empty);
        let cell = cells.get(i);
        let overridden = cell.and_then(|c| {
            layout.and_then(|l| l.roles.iter().find(|(k, _)| *k == c.key).map(|(_, r)| *r))
        });
        let candidates: Vec<Role> = match (overridden, cell) {
            (Some(r), _) => vec![r],
            (None, Some(c)) => c.roles.iter().map(|(r, _)| *r).collect(),
            (None, None) => Vec::new(),
        };
        let named = cell.is_some_and(|c| !c.raw.is_empty());
        let role = match candidates.into_iter().find(|r| fits(*r, s)) {
            Some(r) => Some(demote(r, s)),
            None if !named => unnamed(s, roles.last().copied().flatten()),
            None => None,
        };
        roles.push(role);
    }
    roles
}

/// An unnamed column: an indicator by its values, or more of the text column before it.
fn unnamed(s: &Stats, before: Option<Role>) -> Option<Role> {
    if s.indicator_pair().is_some() {
        return Some(Role::Indicator);
    }
    match before {
        Some(r) if is_text(r) && s.letters > 0 => Some(r),
        _ => None,
    }
}

/// Amount-like values that are not an account or id number (integers that never vary or run
/// long).
fn money_like(s: &Stats) -> bool {
    s.is_amounts() && (s.marked > 0 || s.signed > 0) && s.varies
}

/// The kind of a column without a header, one letter each (see `layouts::Layout::shape`):
/// `D` dates, `P` amounts always signed, `A` amounts, `C` currency codes, `*` stars,
/// `E` empty, `T` text, `N` other numbers.
pub(crate) fn kind(s: &Stats) -> char {
    if s.non_empty == 0 {
        'E'
    } else if s.stars == s.non_empty {
        '*'
    } else if s.is_dates() {
        'D'
    } else if s.is_codes() {
        'C'
    } else if money_like(s) && s.signed == s.non_empty {
        'P'
    } else if money_like(s) {
        'A'
    } else if s.letters * 2 >= s.non_empty {
        'T'
    } else {
        'N'
    }
}

/// Roles of a header-less table from its column kinds; amount columns are sorted out later
/// (`direction::headerless_money`), so they come back as `Amount`.
pub(crate) fn headerless(stats: &[Stats]) -> Vec<Option<Role>> {
    let kinds: Vec<char> = stats.iter().map(kind).collect();
    let mut roles: Vec<Option<Role>> = vec![None; stats.len()];
    let mut dated = false;
    for (i, k) in kinds.iter().enumerate() {
        roles[i] = match k {
            'D' if !dated => {
                dated = true;
                Some(Role::Date)
            }
            'D' => Some(Role::ValueDate),
            'C' => Some(Role::Currency),
            'A' | 'P' => Some(Role::Amount(Rank::Plain)),
            _ => None,
        };
    }
    let text = (0..stats.len())
        .filter(|i| kinds[*i] == 'T')
        .max_by_key(|i| stats[*i].average_len());
    if let Some(t) = text {
        roles[t] = Some(Role::Description);
    }
    roles
}

/// With no text column named by the header, the unread column whose values are text (the
/// longest on average) is read as the description, so no transaction comes back without one.
/// Returns that column.
pub(crate) fn fallback_description(roles: &mut [Option<Role>], stats: &[Stats]) -> Option<usize> {
    let named_text = roles.iter().flatten().any(|r| {
        matches!(
            r,
            Role::Counterparty
                | Role::Payer
                | Role::Recipient
                | Role::Description
                | Role::Memo
                | Role::BookingText
        )
    });
    if named_text {
        return None;
    }
    let column = (0..roles.len().min(stats.len()))
        .filter(|&i| roles[i].is_none() && kind(&stats[i]) == 'T')
        .max_by_key(|&i| stats[i].average_len())?;
    roles[column] = Some(Role::Description);
    Some(column)
}

fn internal(role: ColumnRole) -> Role {
    match role {
        ColumnRole::Date => Role::Date,
        ColumnRole::BookingDate => Role::BookingDate,
        ColumnRole::ValueDate => Role::ValueDate,
        ColumnRole::Amount => Role::Amount(Rank::Net),
        ColumnRole::Debit => Role::Debit,
        ColumnRole::Credit => Role::Credit,
        ColumnRole::Fee => Role::Fee,
        ColumnRole::Currency => Role::Currency,
        ColumnRole::Counterparty => Role::Counterparty,
        ColumnRole::Payer => Role::Payer,
        ColumnRole::Recipient => Role::Recipient,
        ColumnRole::Description => Role::Description,
        ColumnRole::Memo => Role::Memo,
        ColumnRole::Category => Role::Category,
        ColumnRole::Status => Role::Status,
        ColumnRole::Indicator => Role::Indicator,
        ColumnRole::Id => Role::Id,
        ColumnRole::Balance => Role::Balance,
        ColumnRole::Type => Role::Type,
        ColumnRole::Mcc => Role::Mcc,
        ColumnRole::Ignore => Role::Ignore,
    }
}

/// The public role a reader role is reported as.
pub(crate) fn public(role: Role) -> ColumnRole {
    match role {
        Role::Date => ColumnRole::Date,
        Role::BookingDate => ColumnRole::BookingDate,
        Role::ValueDate => ColumnRole::ValueDate,
        Role::Amount(_) => ColumnRole::Amount,
        Role::Debit => ColumnRole::Debit,
        Role::Credit => ColumnRole::Credit,
        Role::Fee => ColumnRole::Fee,
        Role::Currency => ColumnRole::Currency,
        Role::Counterparty => ColumnRole::Counterparty,
        Role::Payer => ColumnRole::Payer,
        Role::Recipient => ColumnRole::Recipient,
        Role::Description | Role::BookingText => ColumnRole::Description,
        Role::Memo => ColumnRole::Memo,
        Role::Type => ColumnRole::Type,
        Role::Mcc => ColumnRole::Mcc,
        Role::Category => ColumnRole::Category,
        Role::Status | Role::Impact => ColumnRole::Status,
        Role::Indicator => ColumnRole::Indicator,
        Role::Id => ColumnRole::Id,
        Role::Balance => ColumnRole::Balance,
        Role::CardHolder | Role::Ignore => ColumnRole::Ignore,
    }
}

/// Applies the caller's column hints; a hint naming no column is an error.
pub(crate) fn apply_hints(
    roles: &mut Vec<Option<Role>>,
    header: Option<&[HeaderCell]>,
    hints: &Hints,
) -> crate::Result<()> {
    for hint in &hints.columns {
        let index = match &hint.column {
            ColumnRef::Index(n) if *n >= 1 => Some(n - 1),
            ColumnRef::Index(_) => None,
            ColumnRef::Name(name) => {
                let want = fold(name);
                header.and_then(|h| h.iter().position(|c| fold(&c.raw) == want || c.key == want))
            }
        };
        let Some(i) = index else {
            return Err(crate::Error::InvalidInput(format!(
                "column hint {:?}: no such column (--columns)",
                hint.column
            )));
        };
        if roles.len() <= i {
            roles.resize(i + 1, None);
        }
        // the hinted role replaces whatever column had it
        let role = internal(hint.role);
        for r in roles.iter_mut() {
            if *r == Some(role) && role != Role::Ignore {
                *r = None;
            }
        }
        roles[i] = Some(role);
    }
    Ok(())
}
