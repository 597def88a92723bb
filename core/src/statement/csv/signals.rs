//! The statement's currency and the signals that decide a date order the values leave open.

use super::columns::Stats;
use super::dates::Signal;
use super::layouts::Layout;
use super::plan::Plan;
use super::vocabulary::LANGUAGE_CURRENCY;
use crate::model::Currency;
use crate::statement::currency;
use crate::statement::hints::{DateOrder, DecimalMark, Hints};
use crate::statement::report::{Decided, DecidedBy};

/// What the file says around its table.
pub(crate) struct Surroundings<'a> {
    /// The lines before the header, as printed.
    pub preamble: &'a str,
    pub layout: Option<&'static Layout>,
    pub language: Option<&'static str>,
    pub delimiter: char,
}

/// Currencies (as ISO codes) the date order follows when the values leave it open: month
/// first is written in the United States only.
fn order_of(cur: Currency) -> Option<DateOrder> {
    match cur.as_str() {
        "USD" => Some(DateOrder::Mdy),
        "CAD" => None,
        _ => Some(DateOrder::Dmy),
    }
}

/// A currency code or symbol in the preamble, if exactly one currency appears.
fn in_preamble(text: &str) -> Option<Currency> {
    let mut found: Option<Currency> = None;
    let words = text.split(|c: char| !c.is_alphanumeric() && !"$€£¥₹".contains(c));
    for w in words.filter(|w| !w.is_empty()) {
        let upper_code = w.len() == 3 && w.bytes().all(|b| b.is_ascii_uppercase());
        let cur = if upper_code { currency::code(w) } else { None };
        let cur = cur.or_else(|| symbol_in(w));
        match (cur, found) {
            (Some(c), Some(f)) if c != f => return None,
            (Some(c), _) => found = Some(c),
            _ => {}
        }
    }
    found
}

/// A symbol at the start or end of a word (`S$6,576.85` splits into `S$6`).
fn symbol_in(word: &str) -> Option<Currency> {
    currency::SYMBOLS
        .iter()
        .filter(|(s, _)| *s != "$" && *s != "Ft")
        .find(|(s, _)| word.starts_with(s) || word.ends_with(s))
        .and_then(|(_, c)| Currency::new(c).ok())
}

/// The currency the caller, the file or its layout states (not guessed from the date order).
pub(crate) fn stated_currency(
    hints: &Hints,
    plan: &Plan,
    stats: &[Stats],
    around: &Surroundings<'_>,
) -> Option<Decided<Currency>> {
    if let Some(c) = hints.currency {
        return Some(Decided::new(c, DecidedBy::Hint, "the currency hint"));
    }
    let money = plan.money.columns();
    if let Some((c, cur)) = money.iter().find_map(|c| {
        plan.col_currency
            .get(*c)
            .copied()
            .flatten()
            .map(|cur| (*c, cur))
    }) {
        return Some(Decided::new(
            cur,
            DecidedBy::File,
            format!("the header {:?}", plan.names[c]),
        ));
    }
    if let Some(cur) = plan
        .currency_col
        .and_then(|c| stats.get(c))
        .and_then(|s| s.first_code)
    {
        return Some(Decided::new(cur, DecidedBy::File, "the currency column"));
    }
    if let Some(cur) = money
        .iter()
        .find_map(|c| stats.get(*c).and_then(|s| s.symbol))
        .filter(|c| c.as_str() != "USD")
    {
        return Some(Decided::new(
            cur,
            DecidedBy::File,
            "the symbol beside the amounts",
        ));
    }
    if let Some(cur) = in_preamble(around.preamble) {
        return Some(Decided::new(
            cur,
            DecidedBy::File,
            "the lines before the header",
        ));
    }
    if let Some(cur) = around
        .layout
        .and_then(|l| l.currency)
        .and_then(|c| Currency::new(c).ok())
    {
        let name = around.layout.map(|l| l.name).unwrap_or_default();
        return Some(Decided::new(
            cur,
            DecidedBy::Layout,
            format!("the {name} layout"),
        ));
    }
    if let Some(cur) = money
        .iter()
        .find_map(|c| stats.get(*c).and_then(|s| s.symbol))
    {
        return Some(Decided::new(
            cur,
            DecidedBy::File,
            "the \"$\" beside the amounts",
        ));
    }
    let lang = around.language?;
    let (_, code) = LANGUAGE_CURRENCY.iter().find(|(l, _)| *l == lang)?;
    let cur = Currency::new(code).ok()?;
    Some(Decided::new(
        cur,
        DecidedBy::Language,
        format!("the header is in {lang}"),
    ))
}

/// Signals for a date order the values leave open, strongest first.
pub(crate) fn order_signals(
    currency: Option<&Decided<Currency>>,
    around: &Surroundings<'_>,
    comma: bool,
) -> Vec<Signal> {
    let mut out = Vec::new();
    if let Some(l) = around.layout {
        if let Some(o) = l.date_order {
            out.push((o, DecidedBy::Layout, format!("the {} layout", l.name)));
        }
    }
    if let Some(c) = currency.filter(|c| c.by != DecidedBy::Default) {
        if let Some(o) = order_of(c.value) {
            out.push((
                o,
                DecidedBy::Currency,
                format!("the currency {} ({})", c.value, c.detail),
            ));
        }
    }
    if let Some(lang) = around.language.filter(|l| *l != "en") {
        out.push((
            DateOrder::Dmy,
            DecidedBy::Language,
            format!("the header is in {lang}"),
        ));
    }
    if around.delimiter == ';' && comma {
        out.push((
            DateOrder::Dmy,
            DecidedBy::Delimiter,
            "\";\" with decimal commas".into(),
        ));
    }
    out
}

/// The currency when nothing states it: month-first dates the values decide are American,
/// else the default (with a warning).
pub(crate) fn fallback_currency(order: Option<&Decided<DateOrder>>) -> Decided<Currency> {
    let usd = Currency::new("USD").expect("USD is a currency code");
    match order {
        Some(o) if o.value == DateOrder::Mdy && o.by == DecidedBy::Values => Decided::new(
            usd,
            DecidedBy::Values,
            "month-first dates (the United States)",
        ),
        _ => Decided::new(
            usd,
            DecidedBy::Default,
            "nothing in the file names a currency",
        ),
    }
}

/// Whether a decided mark is the comma.
pub(crate) fn is_comma(mark: Option<&Decided<DecimalMark>>) -> bool {
    mark.is_some_and(|m| m.value == DecimalMark::Comma)
}
