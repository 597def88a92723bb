//! Finding the header row and reading each header cell: its folded key, the currency it
//! names, and the roles the vocabulary gives it.

use super::split::Record;
use super::vocabulary::{self, Role};
use crate::model::Currency;
use crate::statement::currency;
use crate::statement::text::fold;

/// Records before the header that are looked at.
pub(crate) const MAX_PREAMBLE: usize = 60;

/// One header cell.
#[derive(Debug, Clone)]
pub(crate) struct HeaderCell {
    /// As printed, trimmed.
    pub raw: String,
    /// Folded, without the currency.
    pub key: String,
    /// The currency the header names (`Betrag (EUR)`, `Umsatz in EUR`, `CAD$`).
    pub currency: Option<Currency>,
    /// Roles the vocabulary gives it, with their languages.
    pub roles: Vec<(Role, &'static str)>,
}

/// Takes a bracketed currency off `s` (`Betrag (€)`, `Withdrawal Amount (INR )`).
fn bracketed(s: &str) -> Option<(String, Currency)> {
    let open = s.find(['(', '['])?;
    let close = s.rfind([')', ']'])?;
    if close <= open {
        return None;
    }
    let cur = currency::in_header(&s[open + 1..close])?;
    Some((format!("{} {}", &s[..open], &s[close + 1..]), cur))
}

/// The folded key of a header cell and the currency it names.
pub(crate) fn key(raw: &str) -> (String, Option<Currency>) {
    let raw = raw.trim();
    if let Some((rest, cur)) = bracketed(raw) {
        return (fold(&rest), Some(cur));
    }
    if raw.ends_with('$') {
        if let Some(cur) = currency::in_header(raw) {
            return ("amount".into(), Some(cur));
        }
    }
    let folded = fold(raw);
    if let Some((head, last)) = folded.rsplit_once(' ') {
        if let Some(cur) = currency::in_header(last) {
            let head = head.strip_suffix(" in").unwrap_or(head);
            return (head.to_string(), Some(cur));
        }
    }
    (folded, None)
}

/// Reads a record as header cells.
pub(crate) fn cells(record: &Record) -> Vec<HeaderCell> {
    record
        .cells
        .iter()
        .map(|raw| {
            let (key, currency) = key(raw);
            let roles = vocabulary::roles(&key);
            HeaderCell {
                raw: raw.clone(),
                key,
                currency,
                roles,
            }
        })
        .collect()
}

fn has(cells: &[HeaderCell], pick: impl Fn(Role) -> bool) -> bool {
    cells.iter().any(|c| c.roles.iter().any(|(r, _)| pick(*r)))
}

/// Whether these cells are a header: a date column and a money column among them.
pub(crate) fn is_header(cells: &[HeaderCell]) -> bool {
    let date = has(cells, |r| {
        matches!(r, Role::Date | Role::BookingDate | Role::ValueDate)
    });
    let money = has(cells, |r| {
        matches!(r, Role::Amount(_) | Role::Debit | Role::Credit)
    });
    date && money
}

/// The language most header cells are in, if one leads.
pub(crate) fn language(cells: &[HeaderCell]) -> Option<&'static str> {
    let mut counts: Vec<(&'static str, usize)> = Vec::new();
    for cell in cells {
        let mut langs: Vec<&'static str> = cell
            .roles
            .iter()
            .flat_map(|(_, l)| l.split_whitespace())
            .collect();
        langs.sort_unstable();
        langs.dedup();
        for l in langs {
            match counts.iter_mut().find(|(k, _)| *k == l) {
                Some((_, n)) => *n += 1,
                None => counts.push((l, 1)),
            }
        }
    }
    counts.sort_by_key(|c| std::cmp::Reverse(c.1));
    match counts.as_slice() {
        [(l, a), (_, b), ..] if a > b => Some(l),
        [(l, _)] => Some(l),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_take_the_currency_off() {
        assert_eq!(key("Betrag (€)").0, "betrag");
        assert_eq!(key("Betrag (€)").1.unwrap().as_str(), "EUR");
        assert_eq!(key("Umsatz in EUR").0, "umsatz");
        assert_eq!(key("Gutschrift in CHF").1.unwrap().as_str(), "CHF");
        assert_eq!(key("Débit euros").0, "debit");
        assert_eq!(key("CAD$").0, "amount");
        assert_eq!(key("Withdrawal Amount (INR )").0, "withdrawal amount");
        assert_eq!(key("Amount (total)").0, "amount total");
        assert_eq!(key("Montant(FRANCS)").1.unwrap().as_str(), "FRF");
    }
}
