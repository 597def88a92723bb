//! The built-in vocabulary: words and bank phrases that say what a payment is (`SALARY`,
//! `ATM WITHDRAWAL`, `Miete`, `pizzeria`, `apotek`), in English, German, French, Dutch, Spanish,
//! Italian, Portuguese, Danish, Norwegian, Swedish, Polish, Czech and Hungarian.
//!
//! The table is `data/vocabulary.tsv` (format in `docs/vocabulary.md`): a phrase, its
//! languages, the category it implies, a weight in `(0, 1]`, its kind (a bank's own phrase, or a
//! word in a merchant's name) and the direction it holds for. Phrases are matched on whole words
//! of the folded text (case, accents and punctuation do not matter; `pub` never matches inside
//! `publix`), all of them in one Aho-Corasick pass.
//!
//! ```
//! use xspense::knowledge::{Kind, Vocabulary};
//! use xspense::Direction;
//! let v = Vocabulary::builtin();
//! let m = v.best("ATM WITHDRAWAL 3628 MAIN ST", Direction::Debit, Kind::BankPhrase).unwrap();
//! assert_eq!((m.entry.phrase, m.entry.category), ("atm withdrawal", "transfer.atm"));
//! let m = v.best("Pizzeria Da Michele", Direction::Debit, Kind::MerchantWord).unwrap();
//! assert_eq!((m.entry.phrase, m.entry.language), ("pizzeria", "*"));
//! assert!(v.best("PUBLIX SUPER MARKETS", Direction::Debit, Kind::MerchantWord)
//!     .is_none_or(|m| m.entry.phrase != "pub"));
//! ```

use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, MatchKind};

use crate::model::Direction;
use crate::normalize::fold;

/// What a vocabulary entry is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A bank's own wording for the kind of transaction (`DIRECT DEPOSIT`, `Lastschrift` is
    /// not one: it names how, not what): strong evidence, whoever the counterparty is.
    BankPhrase,
    /// A word in a merchant's name (`pizza`, `apotheke`): weaker, since a name can say anything.
    MerchantWord,
}

impl Kind {
    /// The stable name, as the table writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::BankPhrase => "bank_phrase",
            Kind::MerchantWord => "merchant_word",
        }
    }

    fn parse(s: &str) -> Option<Kind> {
        match s {
            "bank_phrase" => Some(Kind::BankPhrase),
            "merchant_word" => Some(Kind::MerchantWord),
            _ => None,
        }
    }
}

/// One row of the vocabulary table.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    /// The phrase as the table writes it (`nómina`).
    pub phrase: &'static str,
    /// Its languages, comma-separated ISO 639-1 codes (`*` for a word every language uses).
    pub language: &'static str,
    /// The built-in category it implies.
    pub category: &'static str,
    /// How surely it implies it, in `(0, 1]`; scales the stage's confidence for its kind.
    pub weight: f64,
    /// A bank phrase or a merchant word.
    pub kind: Kind,
    /// The only direction it holds for (`SALARY` is money in), or `None` for either.
    pub direction: Option<Direction>,
}

impl Entry {
    /// Whether the entry holds for a transaction in this direction.
    pub fn holds_for(&self, direction: Direction) -> bool {
        self.direction.is_none_or(|d| d == direction)
    }
}

/// An entry found in a text: where, in [`words_of`] that text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct WordMatch<'a> {
    /// The entry found.
    pub entry: &'a Entry,
    /// Where its word text starts in the text's, padding space included (bytes).
    pub start: usize,
    /// Where it ends, padding space included (bytes).
    pub end: usize,
}

impl WordMatch<'_> {
    fn contains(&self, other: &WordMatch<'_>) -> bool {
        self.start <= other.start
            && other.end <= self.end
            && (self.end - self.start) > (other.end - other.start)
    }

    /// Whether the matched phrase is more than one word (`atm withdrawal`).
    pub fn is_phrase(&self) -> bool {
        words_of(self.entry.phrase).trim().contains(' ')
    }

    /// Whether a bank phrase gives way to a merchant the knowledge base knows: a single word
    /// (`INTEREST`, `RENT`, `HMRC`) may be part of the merchant's name, unless it holds only for
    /// money in (`DIVIDEND` from Vanguard is a dividend, whatever Vanguard is known for).
    pub fn yields_to_known_merchant(&self) -> bool {
        !self.is_phrase() && self.entry.direction != Some(Direction::Credit)
    }

    /// Whether the phrase only says that money moved (`TRANSFER TO`, `BONIFICO A FAVORE DI`,
    /// `Swish`): what the payee's name says it was for (a known merchant, a word such as
    /// `Zahnarztpraxis`) is the better answer.
    pub fn only_moves_money(&self) -> bool {
        matches!(self.entry.category, "transfer.out" | "transfer.in")
    }
}

/// The vocabulary table behind one automaton.
#[derive(Debug, Default)]
pub struct Vocabulary {
    entries: Vec<Entry>,
    /// Pattern `i` is the word text of `entries[pattern_entry[i]]`.
    pattern_entry: Vec<usize>,
    automaton: Option<AhoCorasick>,
}

/// The text phrases are matched in: folded (case, accents), every run of characters that are
/// not letters one space, with a space before and after, so a whole word is ` word `.
///
/// ```
/// assert_eq!(xspense::knowledge::words_of("CAFÉ-BAR #12, Köln"), " cafe bar koln ");
/// ```
pub fn words_of(text: &str) -> String {
    let folded = fold(text);
    let mut out = String::with_capacity(folded.len() + 2);
    out.push(' ');
    for c in folded.chars() {
        if c.is_alphabetic() {
            out.push(c);
        } else if !out.ends_with(' ') {
            out.push(' ');
        }
    }
    if !out.ends_with(' ') {
        out.push(' ');
    }
    out
}

impl Vocabulary {
    /// The built-in table, loaded and compiled on first use.
    pub fn builtin() -> &'static Vocabulary {
        static VOCABULARY: OnceLock<Vocabulary> = OnceLock::new();
        VOCABULARY.get_or_init(|| Vocabulary::from_table(include_str!("data/vocabulary.tsv")))
    }

    /// A vocabulary from table text (tab-separated, `#` comments). Rows that do not read
    /// (see [`Vocabulary::parse_row`]) are left out.
    pub fn from_table(table: &'static str) -> Vocabulary {
        let entries: Vec<Entry> = table
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
            .filter_map(Vocabulary::parse_row)
            .collect();
        let mut patterns = Vec::with_capacity(entries.len());
        let mut pattern_entry = Vec::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            let words = words_of(e.phrase);
            if words.trim().is_empty() {
                continue;
            }
            patterns.push(words);
            pattern_entry.push(i);
        }
        // Standard semantics, so overlapping matches are all reported (`atm` inside
        // `atm withdrawal`, `fee` right after it) and the choice among them is ours.
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .build(&patterns)
            .ok();
        Vocabulary {
            entries,
            pattern_entry,
            automaton,
        }
    }

    /// One table row: phrase, languages, category, weight in `(0, 1]`, kind (`bank_phrase` or
    /// `merchant_word`), direction (`any`, `debit` or `credit`); `None` when a column is
    /// missing or does not read.
    pub fn parse_row(line: &'static str) -> Option<Entry> {
        let mut cols = line.split('\t').map(str::trim);
        let phrase = cols.next().filter(|p| !p.is_empty())?;
        let language = cols.next().filter(|l| !l.is_empty())?;
        let category = cols.next().filter(|c| !c.is_empty())?;
        let weight = cols
            .next()?
            .parse::<f64>()
            .ok()
            .filter(|w| *w > 0.0 && *w <= 1.0)?;
        let kind = Kind::parse(cols.next()?)?;
        let direction = match cols.next()? {
            "any" => None,
            d => Some(d.parse::<Direction>().ok()?),
        };
        if cols.next().is_some() {
            return None;
        }
        Some(Entry {
            phrase,
            language,
            category,
            weight,
            kind,
            direction,
        })
    }

    /// Every entry, in table order.
    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The entries found in `text` that hold for `direction`, without those inside a longer
    /// one found (`interest` inside `interest charged`, `rent` inside `rent a car`), in the
    /// order they end.
    pub fn matches(&self, text: &str, direction: Direction) -> Vec<WordMatch<'_>> {
        let Some(ac) = &self.automaton else {
            return Vec::new();
        };
        let words = words_of(text);
        let found: Vec<WordMatch<'_>> = ac
            .find_overlapping_iter(&words)
            .filter_map(|m| {
                let entry = self
                    .entries
                    .get(*self.pattern_entry.get(m.pattern().as_usize())?)?;
                entry.holds_for(direction).then_some(WordMatch {
                    entry,
                    start: m.start(),
                    end: m.end(),
                })
            })
            .collect();
        found
            .iter()
            .filter(|m| !found.iter().any(|o| o.contains(m)))
            .copied()
            .collect()
    }

    /// The surest entry of one kind found in `text` for `direction` (see
    /// [`Vocabulary::matches`]): the highest weight, then the longer phrase, then the one
    /// that comes first in the text, then in the table.
    pub fn best(&self, text: &str, direction: Direction, kind: Kind) -> Option<WordMatch<'_>> {
        let mut best: Option<WordMatch<'_>> = None;
        for m in self
            .matches(text, direction)
            .into_iter()
            .filter(|m| m.entry.kind == kind)
        {
            let better = match &best {
                None => true,
                Some(b) => {
                    let (ml, bl) = (m.end - m.start, b.end - b.start);
                    m.entry.weight > b.entry.weight
                        || (m.entry.weight == b.entry.weight
                            && (ml > bl || (ml == bl && m.start < b.start)))
                }
            };
            if better {
                best = Some(m);
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Taxonomy;

    #[test]
    fn every_row_reads_and_names_a_builtin_category() {
        let table = include_str!("data/vocabulary.tsv");
        let rows = table
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty());
        let t = Taxonomy::builtin();
        let mut n = 0;
        for row in rows {
            let e = Vocabulary::parse_row(row).unwrap_or_else(|| panic!("bad row {row:?}"));
            assert!(t.contains(e.category), "unknown category in {row:?}");
            assert!(!words_of(e.phrase).trim().is_empty(), "no words in {row:?}");
            n += 1;
        }
        assert!(n > 500, "{n} rows");
        assert_eq!(Vocabulary::builtin().entries().len(), n);
    }

    #[test]
    fn one_row_per_words_kind_and_direction() {
        let v = Vocabulary::builtin();
        let mut seen = std::collections::HashMap::new();
        let mut twice = Vec::new();
        for e in v.entries() {
            let key = (words_of(e.phrase), e.kind, e.direction);
            if let Some(prev) = seen.insert(key, e.phrase) {
                twice.push(format!("{prev:?} and {:?}", e.phrase));
            }
        }
        assert!(twice.is_empty(), "the same words: {}", twice.join(", "));
    }

    #[test]
    fn rows_that_do_not_read_are_refused() {
        for row in [
            "pizza\ten\tfood.restaurants\t1",
            "pizza\ten\tfood.restaurants\t0\tmerchant_word\tany",
            "pizza\ten\tfood.restaurants\t1.5\tmerchant_word\tany",
            "pizza\ten\tfood.restaurants\t1\tword\tany",
            "pizza\ten\tfood.restaurants\t1\tmerchant_word\tsideways",
            "pizza\ten\tfood.restaurants\t1\tmerchant_word\tany\textra",
            "\ten\tfood.restaurants\t1\tmerchant_word\tany",
        ] {
            assert_eq!(Vocabulary::parse_row(row), None, "{row:?}");
        }
    }

    #[test]
    fn words_of_any_text_is_padded_and_never_panics() {
        assert_eq!(words_of(""), " ");
        assert_eq!(words_of("   "), " ");
        assert_eq!(words_of("ÀTM—WITHDRAWAL"), " atm withdrawal ");
        assert_eq!(words_of("日本 ラーメン"), " 日本 ラーメン ");
        let v = Vocabulary::builtin();
        assert!(v.matches("", Direction::Debit).is_empty());
        assert!(v.matches("\u{0}\u{ffff}", Direction::Credit).is_empty());
    }
}
