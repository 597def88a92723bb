//! What each column's values look like, gathered in one pass over every row: how many read
//! as dates (and in which orders), as amounts (and what their marks say), as currency codes,
//! as debit/credit indicators. Roles and per-column decisions are made from these.

use super::split::{Record, Splitter};
use super::vocabulary::{CARD_PAYMENT_WORDS, INDICATORS, PENDING_DATES};
use crate::model::Currency;
use crate::statement::amounts::{self, MarkEvidence};
use crate::statement::currency;
use crate::statement::dates::{self, DateValue};
use crate::statement::hints::{DateOrder, DecimalMark};
use crate::statement::text::fold;

/// Rows kept whole for the checks that need consecutive values (running balances).
pub(crate) const KEPT_ROWS: usize = 200;
/// Rows with a card-payment phrase kept for the sign check.
const KEPT_PAYMENTS: usize = 50;
/// Longest value looked up in the indicator and code vocabularies.
const SHORT_VALUE: usize = 24;
/// Longest code in a type-code column (`POS`, `GIRO`, `DEBIT`).
const CODE_LEN: usize = 5;

/// What one column's values look like.
#[derive(Debug, Clone, Default)]
pub(crate) struct Stats {
    pub non_empty: usize,
    pub dates: usize,
    pub numeric_dates: usize,
    pub dmy: usize,
    pub mdy: usize,
    pub pending_words: usize,
    pub amounts: usize,
    pub negatives: usize,
    pub signed: usize,
    pub marked: usize,
    pub dot: usize,
    pub comma: usize,
    pub three_dot: usize,
    pub three_comma: usize,
    pub malformed: usize,
    pub symbol: Option<Currency>,
    pub codes: usize,
    pub first_code: Option<Currency>,
    pub indicator: [usize; INDICATORS.len()],
    pub short_codes: usize,
    pub letters: usize,
    pub total_len: usize,
    pub stars: usize,
    pub max_whole_digits: usize,
    pub first_value: Option<String>,
    pub varies: bool,
}

impl Stats {
    /// Share of non-empty values that `n` is.
    pub(crate) fn share(&self, n: usize) -> f64 {
        if self.non_empty == 0 {
            0.0
        } else {
            n as f64 / self.non_empty as f64
        }
    }

    /// Most values are dates (or pending markers).
    pub(crate) fn is_dates(&self) -> bool {
        self.dates > 0 && self.share(self.dates + self.pending_words) >= 0.8
    }

    /// Most values are amounts.
    pub(crate) fn is_amounts(&self) -> bool {
        self.amounts > 0 && self.share(self.amounts) >= 0.8
    }

    /// Every value is a currency code.
    pub(crate) fn is_codes(&self) -> bool {
        self.codes > 0 && self.codes == self.non_empty
    }

    /// Every value is a short upper-case code (`POS`, `DEBIT`): a type column.
    pub(crate) fn is_type_codes(&self) -> bool {
        self.non_empty >= 3 && self.short_codes == self.non_empty
    }

    /// The indicator pair all values belong to.
    pub(crate) fn indicator_pair(&self) -> Option<usize> {
        (self.non_empty > 0)
            .then(|| self.indicator.iter().position(|n| *n == self.non_empty))
            .flatten()
    }

    /// The orders every numeric date fits.
    pub(crate) fn orders(&self) -> (bool, bool) {
        (
            self.dmy == self.numeric_dates,
            self.mdy == self.numeric_dates,
        )
    }

    /// What the marks of all values say: (dot, comma) decimal evidence and "three digits"
    /// evidence.
    pub(crate) fn evidence(&self) -> (usize, usize, usize, usize) {
        (self.dot, self.comma, self.three_dot, self.three_comma)
    }

    /// Average length of the values.
    pub(crate) fn average_len(&self) -> usize {
        self.total_len.checked_div(self.non_empty).unwrap_or(0)
    }

    fn add(&mut self, value: &str) {
        if value.is_empty() {
            return;
        }
        self.non_empty += 1;
        self.total_len += value.len();
        match &self.first_value {
            None => self.first_value = Some(value.to_string()),
            Some(f) if f != value => self.varies = true,
            _ => {}
        }
        if value == "*" {
            self.stars += 1;
        }
        if value.chars().any(char::is_alphabetic) {
            self.letters += 1;
        }
        let numeric = value.len() <= SHORT_VALUE * 2 && value.bytes().any(|b| b.is_ascii_digit());
        if numeric {
            self.add_date(value);
            self.add_amount(value);
        }
        if value.len() <= SHORT_VALUE {
            self.add_short(value);
        }
    }

    fn add_date(&mut self, value: &str) {
        match dates::parse(value) {
            Some(DateValue::Exact(_)) => self.dates += 1,
            Some(v @ DateValue::Numeric(..)) => {
                let (d, m) = (v.fits(DateOrder::Dmy), v.fits(DateOrder::Mdy));
                if d || m {
                    self.dates += 1;
                    self.numeric_dates += 1;
                    self.dmy += d as usize;
                    self.mdy += m as usize;
                }
            }
            None => {}
        }
    }

    fn add_amount(&mut self, value: &str) {
        let Some(c) = amounts::clean(value) else {
            return;
        };
        self.amounts += 1;
        self.negatives += c.negative as usize;
        self.signed += c.signed as usize;
        if self.symbol.is_none() {
            self.symbol = c.currency;
        }
        let whole = c.core.split(['.', ',']).next().unwrap_or("");
        self.max_whole_digits = self.max_whole_digits.max(whole.len());
        match amounts::evidence(&c.core) {
            MarkEvidence::None => {}
            MarkEvidence::Decimal(m) => self.count_mark(m, false),
            MarkEvidence::Three(m) => self.count_mark(m, true),
            MarkEvidence::Malformed => self.malformed += 1,
        }
    }

    fn count_mark(&mut self, m: DecimalMark, three: bool) {
        self.marked += 1;
        match (m, three) {
            (DecimalMark::Dot, false) => self.dot += 1,
            (DecimalMark::Comma, false) => self.comma += 1,
            (DecimalMark::Dot, true) => self.three_dot += 1,
            (DecimalMark::Comma, true) => self.three_comma += 1,
        }
    }

    fn add_short(&mut self, value: &str) {
        if let Some(c) = currency::code(value) {
            self.codes += 1;
            self.first_code.get_or_insert(c);
        }
        let code_like = value.len() <= CODE_LEN
            && value
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "/_-".contains(c))
            && value.chars().any(|c| c.is_ascii_uppercase());
        self.short_codes += code_like as usize;
        if !value.starts_with(char::is_alphabetic) {
            return;
        }
        let folded = fold(value);
        if PENDING_DATES.contains(&folded.as_str()) {
            self.pending_words += 1;
        }
        for (i, (out, inn)) in INDICATORS.iter().enumerate() {
            if out.contains(&folded.as_str()) || inn.contains(&folded.as_str()) {
                self.indicator[i] += 1;
            }
        }
        let code_like = value.len() <= CODE_LEN
            && value
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || "/_-".contains(c))
            && value.chars().any(|c| c.is_ascii_uppercase());
        self.short_codes += code_like as usize;
    }
}

/// What one pass over the table found.
#[derive(Debug, Clone, Default)]
pub(crate) struct Scan {
    pub stats: Vec<Stats>,
    /// The first rows, whole.
    pub rows: Vec<Record>,
    /// Rows mentioning a card payment ("payment, thank you").
    pub payments: Vec<Record>,
    /// Non-blank rows.
    pub count: usize,
}

fn mentions_card_payment(record: &Record) -> bool {
    let (a, b) = CARD_PAYMENT_WORDS;
    record.cells.iter().any(|c| {
        let lower = c.to_ascii_lowercase();
        lower.contains(a) && lower.contains(b)
    })
}

/// Gathers the statistics of every column from `splitter` to the end; balance and summary
/// lines are left out so that their cells do not count against a column.
pub(crate) fn scan(splitter: Splitter<'_>, width: usize) -> Scan {
    let mut scan = Scan {
        stats: vec![Stats::default(); width],
        ..Scan::default()
    };
    for record in splitter {
        if record.is_blank()
            || record
                .cells
                .iter()
                .any(|c| super::vocabulary::balance_cell(c))
        {
            continue;
        }
        scan.count += 1;
        if record.cells.len() > scan.stats.len() {
            scan.stats.resize(record.cells.len(), Stats::default());
        }
        for (i, cell) in record.cells.iter().enumerate() {
            scan.stats[i].add(cell);
        }
        if scan.payments.len() < KEPT_PAYMENTS && mentions_card_payment(&record) {
            scan.payments.push(record.clone());
        }
        if scan.rows.len() < KEPT_ROWS {
            scan.rows.push(record);
        }
    }
    scan
}
