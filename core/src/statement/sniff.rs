//! Which format decoded text is in, from its first bytes.

use super::report::Format;

/// How far into the text the format's markers are looked for.
const SNIFF_WINDOW: usize = 4096;

/// The format of `text`; CSV when nothing else matches.
pub(crate) fn sniff(text: &str) -> Format {
    let head = text.trim_start_matches(['\u{feff}', ' ', '\t', '\r', '\n']);
    let window = &head[..floor_char_boundary(head, SNIFF_WINDOW)];
    let upper = window.to_ascii_uppercase();
    if upper.starts_with("!TYPE:") || upper.starts_with("!ACCOUNT") || upper.starts_with("!OPTION")
    {
        return Format::Qif;
    }
    if upper.starts_with("OFXHEADER") || upper.contains("<OFX>") || upper.contains("<?OFX") {
        return if upper.contains("INTU.BID") {
            Format::Qfx
        } else {
            Format::Ofx
        };
    }
    if window.contains("BkToCstmrAcctRpt") || window.contains("camt.052") {
        return Format::Camt052;
    }
    if window.contains("BkToCstmrStmt") || window.contains("camt.053") {
        return Format::Camt053;
    }
    Format::Csv
}

/// The largest char boundary of `s` at or below `at`.
pub(crate) fn floor_char_boundary(s: &str, at: usize) -> usize {
    let mut i = at.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}
