//! The built-in table of banks' and aggregators' own categories (`Transaction::bank_category`):
//! the category text a statement export writes (Monzo `eating_out`, Chase `Bills & Utilities`,
//! Amex `Merchandise & Supplies-Groceries`, Plaid `Food and Drink > Restaurants` or
//! `FOOD_AND_DRINK_GROCERIES`), with the built-in category it maps to.
//!
//! The table is `data/bank_categories.tsv` (format in `docs/bank-categories.md`): the source
//! vocabulary, the text as the bank writes it, and a category id, or `-` for a category that
//! names no category (Monzo `general`). Texts are matched loosely ([`bank_category_key`]: case,
//! accents, punctuation, `&`/`and` and the separators `>`, `-`, `_`, `/`, `:` and `|` do not
//! matter), and a hierarchical value most-specific first: `Food and Drink > Restaurants >
//! Sushi` falls back to `Food and Drink > Restaurants`, then `Food and Drink`; an all-caps
//! `FOOD_AND_DRINK_VENDING` (`_` separates levels too) falls back word by word.
//!
//! ```
//! use xspense::knowledge::BankCategories;
//! let t = BankCategories::builtin();
//! let m = t.lookup("Merchandise & Supplies-Groceries").unwrap();
//! assert_eq!((m.entry.source, m.entry.category), ("amex", Some("food.groceries")));
//! let m = t.lookup("Food and Drink > Restaurants > Sushi").unwrap();
//! assert_eq!(m.entry.text, "Food and Drink > Restaurants");
//! assert_eq!(t.lookup("EATING OUT").unwrap().entry.category, Some("food"));
//! assert!(t.lookup("Quantum Flux").is_none());
//! ```

use std::collections::HashMap;
use std::sync::OnceLock;

use crate::normalize::fold;

/// One row of the bank category table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankCategory {
    /// The source vocabulary (`monzo`, `chase`, `plaid_pfc`).
    pub source: &'static str,
    /// The text as the bank writes it.
    pub text: &'static str,
    /// The built-in category it maps to, or `None` when it names no category (`general`).
    pub category: Option<&'static str>,
}

/// A bank category found for a transaction's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BankCategoryMatch<'a> {
    /// The row matched.
    pub entry: &'a BankCategory,
    /// Whether it matched the whole text (`false`: a less specific level of it).
    pub exact: bool,
}

/// The bank category table, by [`bank_category_key`].
#[derive(Debug, Default)]
pub struct BankCategories {
    entries: Vec<BankCategory>,
    by_key: HashMap<String, usize>,
}

/// The levels of a bank category text, each as folded words (letters and digits, one space
/// apart, `&` and `+` as `and`): `Food & Drink > Restaurants` is `["food and drink", "restaurants"]`.
fn levels(text: &str) -> Vec<String> {
    let folded = fold(text).replace(['&', '+'], " and ");
    folded
        .split(['>', '-', '_', '/', ':', '|'])
        .map(|level| {
            level
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect::<Vec<_>>()
                .join(" ")
        })
        .filter(|l| !l.is_empty())
        .collect()
}

/// The key a bank category text is matched by: its [levels](levels) joined by spaces.
///
/// ```
/// use xspense::knowledge::bank_category_key;
/// assert_eq!(bank_category_key("Bills & Utilities"), "bills and utilities");
/// assert_eq!(bank_category_key("FOOD_AND_DRINK_GROCERIES"), "food and drink groceries");
/// assert_eq!(bank_category_key("Supermärkte/Lebensmittel"), "supermarkte lebensmittel");
/// ```
pub fn bank_category_key(text: &str) -> String {
    levels(text).join(" ")
}

impl BankCategories {
    /// The built-in table, loaded on first use.
    pub fn builtin() -> &'static BankCategories {
        static TABLE: OnceLock<BankCategories> = OnceLock::new();
        TABLE.get_or_init(|| BankCategories::from_table(include_str!("data/bank_categories.tsv")))
    }

    /// A table in the `bank_categories.tsv` format; rows that do not parse are skipped, and of
    /// two rows with the same key the first is kept (the table's own test forbids conflicts).
    pub fn from_table(table: &'static str) -> BankCategories {
        let mut t = BankCategories::default();
        for line in table
            .lines()
            .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        {
            let cols: Vec<&'static str> = line.split('\t').collect();
            let [source, text, category] = cols[..] else {
                continue;
            };
            let key = bank_category_key(text);
            if key.is_empty() {
                continue;
            }
            let category = (category != "-").then_some(category);
            t.entries.push(BankCategory {
                source,
                text,
                category,
            });
            t.by_key.entry(key).or_insert(t.entries.len() - 1);
        }
        t
    }

    /// Every row, in table order.
    pub fn entries(&self) -> &[BankCategory] {
        &self.entries
    }

    /// The row for a bank category text, most specific first: the whole text, then each
    /// shorter run of its levels (`_` separates levels too, so Plaid's
    /// `FOOD_AND_DRINK_VENDING` shortens word by word to `FOOD_AND_DRINK`).
    pub fn lookup(&self, text: &str) -> Option<BankCategoryMatch<'_>> {
        let levels = levels(text);
        let candidates: Vec<String> = (1..=levels.len())
            .rev()
            .map(|n| levels[..n].join(" "))
            .collect();
        candidates.iter().enumerate().find_map(|(i, key)| {
            let &at = self.by_key.get(key)?;
            Some(BankCategoryMatch {
                entry: &self.entries[at],
                exact: i == 0,
            })
        })
    }
}
