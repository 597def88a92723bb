//! One amount cell: its sign, currency marks and digits, and reading the digits once the
//! decimal mark is known. Which mark a column uses is decided from all its values
//! (`csv/numbers.rs`), never here cell by cell.

use super::currency;
use super::hints::DecimalMark;
use crate::model::Currency;

/// An amount cell without its sign and currency marks.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cleaned {
    /// Digits, `.` and `,`, with every other grouping mark (apostrophe, spaces) as `'`.
    pub core: String,
    /// A minus sign, parentheses, a trailing minus or a `DR` mark.
    pub negative: bool,
    /// A sign or `CR`/`DR` was printed.
    pub signed: bool,
    /// A currency code or symbol beside the digits.
    pub currency: Option<Currency>,
}

/// What one value says about the decimal mark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum MarkEvidence {
    /// No `.` or `,`.
    None,
    /// This mark can only be the decimal mark (`12,50`, `1.234,56`).
    Decimal(DecimalMark),
    /// One mark followed by exactly three digits (`1.000`): grouping or decimals.
    Three(DecimalMark),
    /// Marks that fit no reading (`1.2,3`).
    Malformed,
}

/// Markers that a credit card or Indian bank appends: `58.00 DR`, `1,200.00 CR`.
const DEBIT_MARKS: &[&str] = &["DR", "Dr", "dr", "D"];
const CREDIT_MARKS: &[&str] = &["CR", "Cr", "cr", "C"];

fn mark_of(c: char) -> Option<DecimalMark> {
    match c {
        '.' => Some(DecimalMark::Dot),
        ',' => Some(DecimalMark::Comma),
        _ => None,
    }
}

/// Takes one sign, parenthesis, currency or `CR`/`DR` marker off either end of `s`.
fn strip_one<'a>(s: &'a str, c: &mut Cleaned) -> Option<&'a str> {
    if s.len() > 2 && s.starts_with('(') && s.ends_with(')') {
        c.negative = !c.negative;
        c.signed = true;
        return Some(&s[1..s.len() - 1]);
    }
    if let Some(rest) = s.strip_prefix(['-', '−']) {
        c.negative = !c.negative;
        c.signed = true;
        return Some(rest);
    }
    if let Some(rest) = s.strip_prefix('+') {
        c.signed = true;
        return Some(rest);
    }
    if let Some(rest) = s.strip_suffix(['-', '−']) {
        c.negative = !c.negative;
        c.signed = true;
        return Some(rest);
    }
    if let Some(rest) = s.strip_suffix('+') {
        c.signed = true;
        return Some(rest);
    }
    strip_indicator(s, c).or_else(|| strip_currency(s, c))
}

fn strip_indicator<'a>(s: &'a str, c: &mut Cleaned) -> Option<&'a str> {
    for (marks, negative) in [(DEBIT_MARKS, true), (CREDIT_MARKS, false)] {
        for m in marks {
            let Some(rest) = s.strip_suffix(m) else {
                continue;
            };
            let spaced = rest.ends_with(char::is_whitespace);
            // a single-letter mark must stand apart from the digits (`12.50 D`)
            if (m.len() > 1 || spaced) && rest.trim_end().ends_with(|ch: char| ch.is_ascii_digit())
            {
                c.negative ^= negative;
                c.signed = true;
                return Some(rest);
            }
        }
    }
    None
}

fn strip_currency<'a>(s: &'a str, c: &mut Cleaned) -> Option<&'a str> {
    for (sym, code) in currency::SYMBOLS {
        let rest = s.strip_prefix(sym).or_else(|| s.strip_suffix(sym));
        if let Some(rest) = rest {
            c.currency = Currency::new(code).ok();
            return Some(rest);
        }
    }
    let letters = |t: &str| {
        t.len() >= 3 && t.is_char_boundary(3) && t[..3].bytes().all(|b| b.is_ascii_alphabetic())
    };
    if letters(s) {
        if let Some(cur) = currency::code(&s[..3]) {
            c.currency = Some(cur);
            return Some(&s[3..]);
        }
    }
    let n = s.len();
    if n >= 3 && s.is_char_boundary(n - 3) && letters(&s[n - 3..]) {
        if let Some(cur) = currency::code(&s[n - 3..]) {
            c.currency = Some(cur);
            return Some(&s[..n - 3]);
        }
    }
    None
}

/// The cell's digits, sign and currency; `None` when it is not an amount.
pub(crate) fn clean(text: &str) -> Option<Cleaned> {
    let mut c = Cleaned {
        core: String::new(),
        negative: false,
        signed: false,
        currency: None,
    };
    let mut s = text.trim();
    let mut signs = 0;
    while let Some(rest) = strip_one(s, &mut c) {
        signs += 1;
        s = rest.trim();
        if signs > 4 || s.is_empty() {
            return None;
        }
    }
    let ok = s.starts_with(|ch: char| ch.is_ascii_digit() || ch == '.' || ch == ',')
        && s.ends_with(|ch: char| ch.is_ascii_digit())
        && s.chars().all(|ch| {
            ch.is_ascii_digit() || matches!(ch, '.' | ',' | '\'' | '’') || ch.is_whitespace()
        });
    if !ok {
        return None;
    }
    c.core = s
        .chars()
        .map(|ch| {
            if ch.is_whitespace() || ch == '’' {
                '\''
            } else {
                ch
            }
        })
        .collect();
    Some(c)
}

/// What the marks in `core` say about the decimal mark.
pub(crate) fn evidence(core: &str) -> MarkEvidence {
    let marks: Vec<(usize, DecimalMark)> = core
        .char_indices()
        .filter_map(|(i, ch)| mark_of(ch).map(|m| (i, m)))
        .collect();
    let Some(&(last_at, last)) = marks.last() else {
        return MarkEvidence::None;
    };
    let same = marks.iter().filter(|(_, m)| *m == last).count();
    if marks.iter().any(|(_, m)| *m != last) {
        let first_last = marks.iter().position(|(_, m)| *m == last).unwrap_or(0);
        return if same == 1 && first_last == marks.len() - 1 {
            MarkEvidence::Decimal(last)
        } else {
            MarkEvidence::Malformed
        };
    }
    if same > 1 {
        return MarkEvidence::Decimal(other(last));
    }
    let whole: String = core[..last_at]
        .chars()
        .filter(char::is_ascii_digit)
        .collect();
    let frac = core.len() - last_at - 1;
    if frac == 3
        && (1..=3).contains(&whole.len())
        && !whole.starts_with('0')
        && !core.contains('\'')
    {
        MarkEvidence::Three(last)
    } else {
        MarkEvidence::Decimal(last)
    }
}

/// The other mark.
pub(crate) fn other(m: DecimalMark) -> DecimalMark {
    match m {
        DecimalMark::Dot => DecimalMark::Comma,
        DecimalMark::Comma => DecimalMark::Dot,
    }
}

/// Whole-unit groups: the first of 1 to 3 digits, the last of 3, those between of 2 or 3
/// (Indian `1,12,500`).
fn groups_ok(groups: &[&str]) -> bool {
    if groups.len() == 1 {
        return true;
    }
    let (first, rest) = (groups[0], &groups[1..]);
    (1..=3).contains(&first.len())
        && rest.last().is_some_and(|g| g.len() == 3)
        && rest.iter().all(|g| g.len() == 2 || g.len() == 3)
}

/// `core` in minor units of a currency with `exponent` decimals, `mark` being the decimal
/// mark (`None`: the value has no mark). Errors say what is wrong.
pub(crate) fn minor_units(
    core: &str,
    mark: Option<DecimalMark>,
    exponent: u32,
) -> Result<i64, String> {
    let (whole, frac) = match mark.and_then(|m| core.rfind(m.as_char()).map(|at| (m, at))) {
        Some((m, at)) => (&core[..at], &core[at + m.as_char().len_utf8()..]),
        None => (core, ""),
    };
    let grouping =
        |ch: char| ch == '\'' || mark_of(ch).is_some_and(|m| Some(m) != mark || mark.is_none());
    let groups: Vec<&str> = whole.split(grouping).collect();
    let digits_only = |t: &str| t.bytes().all(|b| b.is_ascii_digit());
    if !groups.iter().all(|g| digits_only(g)) || !digits_only(frac) || !groups_ok(&groups) {
        return Err("is not an amount".into());
    }
    if mark.is_none() && groups.len() > 1 && !whole.contains('\'') {
        return Err("has a mark that is neither grouping nor decimal".into());
    }
    let whole: String = groups.concat();
    if whole.is_empty() && frac.is_empty() {
        return Err("is not an amount".into());
    }
    let frac = frac.trim_end_matches('0');
    if frac.len() > exponent as usize {
        return Err(format!("has more than {exponent} decimals"));
    }
    let mut digits = if whole.is_empty() {
        "0".to_string()
    } else {
        whole
    };
    digits.push_str(frac);
    for _ in frac.len()..exponent as usize {
        digits.push('0');
    }
    digits
        .parse::<i64>()
        .map_err(|_| "is too large".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_every_style() {
        let c = clean("- $1,200.00").unwrap();
        assert_eq!((c.core.as_str(), c.negative), ("1,200.00", true));
        let c = clean("45,20-").unwrap();
        assert_eq!((c.core.as_str(), c.negative), ("45,20", true));
        let c = clean("(12.50)").unwrap();
        assert!(c.negative);
        let c = clean("58.00 DR").unwrap();
        assert!(c.negative && c.signed);
        let c = clean("1,200.00 CR").unwrap();
        assert!(!c.negative && c.signed);
        let c = clean("-45,32€").unwrap();
        assert_eq!(c.currency.unwrap().as_str(), "EUR");
        let c = clean("-1\u{202f}180,00").unwrap();
        assert_eq!(c.core, "1'180,00");
        assert!(clean("Pending").is_none());
        assert!(clean("").is_none());
        assert_eq!(clean("3.120,55 €").unwrap().core, "3.120,55");
    }

    #[test]
    fn reads_with_the_decided_mark() {
        let dot = Some(DecimalMark::Dot);
        let comma = Some(DecimalMark::Comma);
        assert_eq!(minor_units("1,12,500.00", dot, 2), Ok(11250000));
        assert_eq!(minor_units("2.450", comma, 2), Ok(245000));
        assert_eq!(minor_units("23,4", comma, 2), Ok(2340));
        assert_eq!(minor_units("1'850.00", dot, 2), Ok(185000));
        assert_eq!(minor_units("5000", None, 0), Ok(5000));
        assert!(minor_units("12.345", dot, 2).is_err());
        assert!(minor_units("12,34.5", dot, 2).is_err());
    }
}
