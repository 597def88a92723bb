//! Finding a well-known merchant in a cleaned descriptor, from the spellings of the merchant
//! table (`knowledge/data/merchants.tsv`). Built once and shared by every normalizer.
//!
//! Three lookups, none a scan of the table:
//! - at the start: the cleaned text's prefixes that end at a word boundary, longest first,
//!   looked up in a hash map (a spelling of any placement but `whole`);
//! - anywhere: an Aho-Corasick automaton over the long spellings (placement `any`, at least
//!   [`BRAND_ANYWHERE_MIN_LEN`] bytes), a match counting only between word boundaries;
//! - whole name: the key the normalizer is left with, looked up in a hash map of every
//!   spelling (the only lookup `whole` spellings take part in).

use std::collections::HashMap;
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::knowledge::merchants::{self, Merchant, MerchantTable, Placement};

/// Brand spellings at least this long also count when they do not start the text.
pub(crate) const BRAND_ANYWHERE_MIN_LEN: usize = 7;

/// The brand spellings, indexed.
#[derive(Debug)]
pub(crate) struct BrandIndex {
    table: &'static MerchantTable,
    /// spelling -> merchant, for spellings that count at the start
    start: HashMap<&'static str, usize>,
    /// every spelling -> merchant, for the whole cleaned name
    whole: HashMap<&'static str, usize>,
    /// the long `any` spellings, and the merchant of each pattern
    anywhere: AhoCorasick,
    anywhere_merchant: Vec<usize>,
    /// the longest start spelling, in bytes
    longest_start: usize,
}

impl BrandIndex {
    /// The index of the built-in merchant table.
    pub(crate) fn builtin() -> &'static BrandIndex {
        static INDEX: OnceLock<BrandIndex> = OnceLock::new();
        INDEX.get_or_init(|| BrandIndex::new(merchants::builtin()))
    }

    fn new(table: &'static MerchantTable) -> BrandIndex {
        let mut start = HashMap::new();
        let mut whole = HashMap::new();
        let mut long = Vec::new();
        for s in &table.spellings {
            whole.entry(s.text).or_insert(s.merchant);
            if s.placement != Placement::Whole {
                start.entry(s.text).or_insert(s.merchant);
            }
            if s.placement == Placement::Anywhere && s.text.len() >= BRAND_ANYWHERE_MIN_LEN {
                long.push((s.text, s.merchant));
            }
        }
        let anywhere = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(long.iter().map(|(t, _)| *t))
            .expect("brand spellings build an automaton");
        BrandIndex {
            table,
            longest_start: start.keys().map(|t| t.len()).max().unwrap_or(0),
            start,
            whole,
            anywhere,
            anywhere_merchant: long.into_iter().map(|(_, m)| m).collect(),
        }
    }

    /// The merchant a cleaned descriptor names, by a spelling at its start or a long one
    /// anywhere (the leftmost, then the longest).
    pub(crate) fn find(&self, s: &str) -> Option<&'static Merchant> {
        self.at_start(s).or_else(|| self.anywhere(s))
    }

    /// The merchant whose spelling is the whole of `name`.
    pub(crate) fn whole(&self, name: &str) -> Option<&'static Merchant> {
        self.whole.get(name).map(|&m| &self.table.merchants[m])
    }

    fn at_start(&self, s: &str) -> Option<&'static Merchant> {
        let limit = self.longest_start;
        // the text itself, then every prefix ending before a character that is not a letter or
        // digit, longest first (no allocation: most descriptors name no brand)
        let whole = (s.len() <= limit).then_some(s.len());
        let cut = s
            .char_indices()
            .map(|(i, _)| i)
            .find(|&i| i > limit)
            .unwrap_or(s.len());
        let ends = s[..cut]
            .char_indices()
            .rev()
            .filter(|(i, c)| *i > 0 && !c.is_alphanumeric())
            .map(|(i, _)| i);
        whole
            .into_iter()
            .chain(ends)
            .find_map(|end| self.start.get(&s[..end]))
            .map(|&m| &self.table.merchants[m])
    }

    fn anywhere(&self, s: &str) -> Option<&'static Merchant> {
        self.anywhere
            .find_overlapping_iter(s)
            .filter(|m| is_boundary(s, m.start(), true) && is_boundary(s, m.end(), false))
            .min_by_key(|m| (m.start(), usize::MAX - m.end()))
            .map(|m| &self.table.merchants[self.anywhere_merchant[m.pattern().as_usize()]])
    }
}

/// Whether `at` is a word boundary of `s`: the character before it (`start`) or at it is not
/// a letter or digit, or there is none.
pub(crate) fn is_boundary(s: &str, at: usize, start: bool) -> bool {
    let c = if start {
        s[..at].chars().next_back()
    } else {
        s[at..].chars().next()
    };
    match c {
        None => true,
        Some(c) => !c.is_alphanumeric(),
    }
}
