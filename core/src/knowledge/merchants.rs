//! The merchant table, `data/merchants.tsv`: the one list of well-known merchants. The
//! normalizer's brand spellings ([`crate::normalize`]) and the knowledge base's brand categories
//! ([`super::KnowledgeBase`]) both come from it, so they cannot drift apart. The format is
//! documented in the file's header and in `docs/merchants.md`.
//!
//! The table is parsed once, on first use (`include_str!` and a `OnceLock`: the core does no
//! I/O, so the wasm build carries it the same way).

use std::sync::OnceLock;

/// The built-in table's text.
const BUILTIN: &str = include_str!("data/merchants.tsv");

/// Separates the spellings of one merchant.
const SPELLING_SEPARATOR: char = '|';
/// Separates the markets of one merchant.
const MARKET_SEPARATOR: char = ',';
/// Before a spelling: it counts only at the start of the cleaned descriptor.
const START_PREFIX: char = '^';
/// Before a spelling: it counts only as the merchant's whole cleaned name.
const WHOLE_PREFIX: char = '=';
/// The columns of a row, in order.
const COLUMNS: usize = 6;

/// Where a spelling may stand in a cleaned descriptor to name its merchant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Placement {
    /// At the start, or anywhere (between word boundaries) when it is long enough
    /// (`BRAND_ANYWHERE_MIN_LEN` in the normalizer).
    Anywhere,
    /// Only at the start.
    Start,
    /// Only as the whole name the normalizer is left with (after store numbers and places are
    /// gone): for ordinary words (`target`, `next`, `shell`) and very short names (`ee`).
    Whole,
}

/// One well-known merchant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Merchant {
    /// The merchant key the normalizer gives it.
    pub key: &'static str,
    /// Its display name.
    pub display: &'static str,
    /// Its default category (a built-in taxonomy id).
    pub category: &'static str,
    /// ISO 3166 codes of the markets it trades in, `*` for everywhere.
    pub markets: Vec<&'static str>,
}

/// One spelling of a merchant, as the cleaned descriptor shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Spelling {
    /// The text (lowercase, folded).
    pub text: &'static str,
    /// Where it counts.
    pub placement: Placement,
    /// Index of its merchant in [`MerchantTable::merchants`].
    pub merchant: usize,
}

/// The parsed merchant table.
#[derive(Debug, Default)]
pub(crate) struct MerchantTable {
    pub merchants: Vec<Merchant>,
    pub spellings: Vec<Spelling>,
}

/// The built-in table, parsed on first use.
pub(crate) fn builtin() -> &'static MerchantTable {
    static TABLE: OnceLock<MerchantTable> = OnceLock::new();
    TABLE.get_or_init(|| parse(BUILTIN).expect("data/merchants.tsv reads (see its test)"))
}

/// Parses a table in the `merchants.tsv` format; the error names the first bad line.
pub(crate) fn parse(text: &'static str) -> Result<MerchantTable, String> {
    let mut table = MerchantTable::default();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        parse_row(line, &mut table).map_err(|e| format!("line {}: {e}: {line:?}", n + 1))?;
    }
    Ok(table)
}

fn parse_row(line: &'static str, table: &mut MerchantTable) -> Result<(), String> {
    let cols: Vec<&'static str> = line.split('\t').collect();
    let [key, display, category, placement, markets, spellings] = cols[..] else {
        return Err(format!("want {COLUMNS} tab-separated columns"));
    };
    if key.is_empty() || display.is_empty() || category.is_empty() {
        return Err("empty key, display or category".into());
    }
    let merchant = table.merchants.len();
    table.merchants.push(Merchant {
        key,
        display,
        category,
        markets: markets.split(MARKET_SEPARATOR).map(str::trim).collect(),
    });
    if let Some(placement) = key_placement(placement)? {
        table.spellings.push(Spelling {
            text: key,
            placement,
            merchant,
        });
    }
    for raw in spellings
        .split(SPELLING_SEPARATOR)
        .filter(|s| !s.is_empty())
    {
        table.spellings.push(spelling(raw, merchant));
    }
    Ok(())
}

/// The `match` column: how the key itself counts as a spelling (`none`: it does not).
fn key_placement(column: &str) -> Result<Option<Placement>, String> {
    Ok(Some(match column {
        "any" => Placement::Anywhere,
        "start" => Placement::Start,
        "whole" => Placement::Whole,
        "none" => return Ok(None),
        other => return Err(format!("unknown match {other:?}")),
    }))
}

fn spelling(raw: &'static str, merchant: usize) -> Spelling {
    let (text, placement) = if let Some(t) = raw.strip_prefix(START_PREFIX) {
        (t, Placement::Start)
    } else if let Some(t) = raw.strip_prefix(WHOLE_PREFIX) {
        (t, Placement::Whole)
    } else {
        (raw, Placement::Anywhere)
    };
    Spelling {
        text,
        placement,
        merchant,
    }
}

#[cfg(test)]
mod tests;
