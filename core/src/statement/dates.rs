//! One date cell: numeric dates whose order a column decides, and dates that say it
//! themselves (year first, a month name, `20240115`). Two-digit years pivot at 70:
//! `00`-`69` are 2000-2069, `70`-`99` are 1970-1999.

use chrono::NaiveDate;

use super::hints::DateOrder;
use super::text::fold;

/// Two-digit years below this are 20yy, the others 19yy.
pub(crate) const YEAR_PIVOT: i32 = 70;
/// Years accepted in four digits.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2100;

/// Month names and abbreviations (folded) in the header languages, January first.
const MONTHS: [&[&str]; 12] = [
    &[
        "jan", "january", "januar", "janvier", "janv", "januari", "enero", "ene", "gennaio", "gen",
        "janeiro", "styczen", "stycznia", "sty", "leden", "ledna",
    ],
    &[
        "feb",
        "february",
        "februar",
        "fevrier",
        "fevr",
        "fev",
        "februari",
        "febrero",
        "febbraio",
        "fevereiro",
        "luty",
        "lutego",
        "lut",
        "unor",
        "unora",
        "febr",
    ],
    &[
        "mar", "march", "marz", "mars", "maart", "mrt", "marzo", "marco", "marts", "marzec",
        "marca", "brezen", "brezna", "marcius", "marc",
    ],
    &[
        "apr", "april", "avril", "avr", "abril", "abr", "aprile", "kwiecien", "kwietnia", "kwi",
        "duben", "dubna", "aprilis",
    ],
    &[
        "may", "mai", "mei", "mayo", "maggio", "mag", "maio", "maj", "maja", "kveten", "kvetna",
        "majus",
    ],
    &[
        "jun", "june", "juni", "juin", "junio", "giugno", "giu", "junho", "czerwiec", "czerwca",
        "cze", "cerven", "cervna", "junius",
    ],
    &[
        "jul", "july", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho", "lipiec",
        "lipca", "lip", "cervenec", "cervence", "julius",
    ],
    &[
        "aug",
        "august",
        "aout",
        "augustus",
        "agosto",
        "ago",
        "augusti",
        "sierpien",
        "sierpnia",
        "sie",
        "srpen",
        "srpna",
        "augusztus",
    ],
    &[
        "sep",
        "sept",
        "september",
        "septembre",
        "septiembre",
        "setiembre",
        "settembre",
        "set",
        "setembro",
        "wrzesien",
        "wrzesnia",
        "wrz",
        "zari",
        "szeptember",
        "szept",
    ],
    &[
        "oct",
        "october",
        "oktober",
        "okt",
        "octobre",
        "octubre",
        "ottobre",
        "ott",
        "outubro",
        "out",
        "pazdziernik",
        "pazdziernika",
        "paz",
        "rijen",
        "rijna",
    ],
    &[
        "nov",
        "november",
        "novembre",
        "noviembre",
        "novembro",
        "listopad",
        "listopada",
        "lis",
        "listopadu",
    ],
    &[
        "dec",
        "december",
        "dezember",
        "dez",
        "decembre",
        "diciembre",
        "dic",
        "dicembre",
        "dezembro",
        "desember",
        "des",
        "grudzien",
        "grudnia",
        "gru",
        "prosinec",
        "prosince",
    ],
];

/// A date cell read without knowing the column's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DateValue {
    /// The value says its date itself.
    Exact(NaiveDate),
    /// Three numbers whose order the column decides; the last is the year.
    Numeric(u32, u32, i32),
}

impl DateValue {
    /// The date under `order` (`None` for an impossible date such as 31/02).
    pub(crate) fn resolve(self, order: Option<DateOrder>) -> Option<NaiveDate> {
        match (self, order) {
            (DateValue::Exact(d), _) => Some(d),
            (DateValue::Numeric(..), None) => None,
            (DateValue::Numeric(a, b, y), Some(DateOrder::Dmy)) => NaiveDate::from_ymd_opt(y, b, a),
            (DateValue::Numeric(a, b, y), Some(DateOrder::Mdy)) => NaiveDate::from_ymd_opt(y, a, b),
            (DateValue::Numeric(a, b, y), Some(DateOrder::Ymd)) => {
                NaiveDate::from_ymd_opt(expand_year(a as i32, 2), b, (y % 100) as u32)
            }
        }
    }

    /// Whether the value is a real date under `order`.
    pub(crate) fn fits(self, order: DateOrder) -> bool {
        self.resolve(Some(order)).is_some()
    }
}

fn expand_year(y: i32, digits: usize) -> i32 {
    match digits {
        2 if y < YEAR_PIVOT => 2000 + y,
        2 => 1900 + y,
        _ => y,
    }
}

fn month_number(word: &str) -> Option<u32> {
    let w = fold(word);
    MONTHS
        .iter()
        .position(|names| names.contains(&w.as_str()))
        .map(|i| i as u32 + 1)
}

#[derive(Debug, PartialEq)]
enum Token<'a> {
    Number(&'a str),
    Word(&'a str),
}

/// The first three digit or letter runs of `s`, stopping at a time (`:`).
fn tokens(s: &str) -> Vec<Token<'_>> {
    let mut out = Vec::with_capacity(3);
    let mut start: Option<(usize, bool)> = None;
    for (i, ch) in s.char_indices().chain(std::iter::once((s.len(), ' '))) {
        let kind = if ch.is_ascii_digit() {
            Some(true)
        } else if ch.is_alphabetic() {
            Some(false)
        } else {
            None
        };
        if let Some((st, digit)) = start {
            if kind != Some(digit) {
                let t = &s[st..i];
                out.push(if digit {
                    Token::Number(t)
                } else {
                    Token::Word(t)
                });
                start = None;
                if out.len() == 3 {
                    break;
                }
            }
        }
        if ch == ':' {
            break;
        }
        if start.is_none() {
            start = kind.map(|k| (i, k));
        }
    }
    out
}

fn number(t: &str) -> Option<u32> {
    t.parse().ok()
}

fn year(t: &str) -> Option<i32> {
    let y: i32 = t.parse().ok()?;
    match t.len() {
        2 => Some(expand_year(y, 2)),
        4 if YEARS.contains(&y) => Some(y),
        _ => None,
    }
}

/// Reads a date cell: `2024-01-15`, `15.01.24`, `1/ 5'24`, `20240115`, `15 Jan 2024`,
/// `Jan 15, 2024`, `2024-01-15T08:00:00Z`, `2024.01.15.`. `None` when it is not a date.
pub(crate) fn parse(text: &str) -> Option<DateValue> {
    let s = text.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        let d = NaiveDate::parse_from_str(s, "%Y%m%d").ok()?;
        return YEARS
            .contains(&chrono::Datelike::year(&d))
            .then_some(DateValue::Exact(d));
    }
    match tokens(s).as_slice() {
        [Token::Number(a), Token::Number(b), Token::Number(c)] => numeric(a, b, c),
        [Token::Number(d), Token::Word(m), Token::Number(y)] => {
            NaiveDate::from_ymd_opt(year(y)?, month_number(m)?, number(d)?).map(DateValue::Exact)
        }
        [Token::Word(m), Token::Number(d), Token::Number(y)] => {
            NaiveDate::from_ymd_opt(year(y)?, month_number(m)?, number(d)?).map(DateValue::Exact)
        }
        _ => None,
    }
}

fn numeric(a: &str, b: &str, c: &str) -> Option<DateValue> {
    if a.len() == 4 {
        let y = year(a)?;
        return NaiveDate::from_ymd_opt(y, number(b)?, number(c)?).map(DateValue::Exact);
    }
    if a.len() > 2 || b.len() > 2 || !(c.len() == 2 || c.len() == 4) {
        return None;
    }
    Some(DateValue::Numeric(number(a)?, number(b)?, year(c)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ymd(y: i32, m: u32, d: u32) -> Option<NaiveDate> {
        NaiveDate::from_ymd_opt(y, m, d)
    }

    #[test]
    fn reads_the_styles_banks_print() {
        let exact = |s: &str| parse(s).and_then(|v| v.resolve(None));
        assert_eq!(exact("2024-02-01T00:05:12Z"), ymd(2024, 2, 1));
        assert_eq!(exact("2024-03-01 06:01:10 EST"), ymd(2024, 3, 1));
        assert_eq!(exact("20240115"), ymd(2024, 1, 15));
        assert_eq!(exact("2024.03.15."), ymd(2024, 3, 15));
        assert_eq!(exact("15. März 2024"), ymd(2024, 3, 15));
        assert_eq!(exact("02 janv. 2020"), ymd(2020, 1, 2));
        assert_eq!(exact("30 Jun 26"), ymd(2026, 6, 30));
        assert_eq!(exact("Jan 02, 2020"), ymd(2020, 1, 2));
        assert_eq!(exact("01-Feb-2024"), ymd(2024, 2, 1));
        assert_eq!(exact("2024/07/01"), ymd(2024, 7, 1));
        let v = parse("1/ 5'24").unwrap();
        assert_eq!(v.resolve(Some(DateOrder::Mdy)), ymd(2024, 1, 5));
        let v = parse("15.03.24").unwrap();
        assert!(v.fits(DateOrder::Dmy) && !v.fits(DateOrder::Mdy));
        assert!(parse("Pending").is_none());
        assert!(parse("-4.50").is_none());
        assert!(parse("Beginning balance as of 03/01/2024").is_none());
    }
}
