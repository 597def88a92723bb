//! What a cell or header says about its currency: ISO codes, symbols and currency words.

use crate::model::Currency;

/// ISO 4217 codes a statement is read in; a code outside this list in a header or a preamble
/// is not taken as a currency (too many three-letter words would be).
pub(crate) const KNOWN_CODES: &[&str] = &[
    "AED", "ARS", "AUD", "BGN", "BRL", "CAD", "CHF", "CLP", "CNY", "COP", "CZK", "DKK", "EGP",
    "EUR", "GBP", "HKD", "HUF", "IDR", "ILS", "INR", "ISK", "JPY", "KES", "KRW", "KWD", "MAD",
    "MXN", "MYR", "NGN", "NOK", "NZD", "PEN", "PHP", "PKR", "PLN", "QAR", "RON", "RSD", "RUB",
    "SAR", "SEK", "SGD", "THB", "TRY", "TWD", "UAH", "USD", "VND", "ZAR", "FRF", "DEM", "ESP",
    "ITL", "NLG", "BEF", "ATS", "PTE",
];

/// Symbols and words printed beside amounts or in headers, with the currency they name.
/// Longer symbols come first so that `S$` is seen before `$`.
pub(crate) const SYMBOLS: &[(&str, &str)] = &[
    ("CA$", "CAD"),
    ("NZ$", "NZD"),
    ("US$", "USD"),
    ("AU$", "AUD"),
    ("S$", "SGD"),
    ("A$", "AUD"),
    ("C$", "CAD"),
    ("R$", "BRL"),
    ("HK$", "HKD"),
    ("$", "USD"),
    ("€", "EUR"),
    ("£", "GBP"),
    ("¥", "JPY"),
    ("₹", "INR"),
    ("zł", "PLN"),
    ("Kč", "CZK"),
    ("Ft", "HUF"),
    ("₺", "TRY"),
];

/// Folded currency words used in headers (`Débit euros`, `Montant(FRANCS)`).
pub(crate) const WORDS: &[(&str, &str)] = &[
    ("euro", "EUR"),
    ("euros", "EUR"),
    ("francs", "FRF"),
    ("dollars", "USD"),
    ("pounds", "GBP"),
];

/// The currency an ISO code names, if it is one of [`KNOWN_CODES`] (any case).
pub(crate) fn code(text: &str) -> Option<Currency> {
    let t = text.trim();
    if t.len() == 3 && KNOWN_CODES.iter().any(|c| c.eq_ignore_ascii_case(t)) {
        Currency::new(t).ok()
    } else {
        None
    }
}

/// The currency a symbol names (`$`, `€`, `S$`), exactly.
pub(crate) fn symbol(text: &str) -> Option<Currency> {
    SYMBOLS
        .iter()
        .find(|(s, _)| *s == text.trim())
        .and_then(|(_, c)| Currency::new(c).ok())
}

/// The currency a header fragment names: a code, a symbol, a code with a dollar sign (`CAD$`)
/// or a currency word.
pub(crate) fn in_header(fragment: &str) -> Option<Currency> {
    let t = fragment.trim();
    if let Some(c) = code(t).or_else(|| symbol(t)) {
        return Some(c);
    }
    if let Some(c) = t.strip_suffix('$').and_then(code) {
        return Some(c);
    }
    let folded = crate::statement::text::fold(t);
    WORDS
        .iter()
        .find(|(w, _)| *w == folded)
        .and_then(|(_, c)| Currency::new(c).ok())
}
