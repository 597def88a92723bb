//! The merchant table keeps the normalizer and the knowledge base in step.

use std::collections::{HashMap, HashSet};

use super::*;
use crate::model::Taxonomy;
use crate::normalize::{fold, Normalizer};

/// Markets a row may name (ISO 3166-1 alpha-2, upper case), or `*` for everywhere.
const MARKETS: &[&str] = &[
    "*", "US", "CA", "MX", "BR", "GB", "IE", "DE", "AT", "CH", "FR", "BE", "LU", "NL", "ES", "PT",
    "IT", "SE", "NO", "DK", "FI", "IS", "PL", "CZ", "SK", "HU", "RO", "BG", "HR", "SI", "GR", "EE",
    "LV", "LT", "AU", "NZ", "IN", "SG", "MY", "TH", "ID", "PH", "VN", "HK", "JP", "KR", "CN", "TW",
    "AE", "SA", "TR", "ZA", "IL", "GE", "ME", "RS", "UA",
];

/// Ordinary words that are also brand names: as a spelling they may only be a whole name
/// (`=` or match `whole`), never a start or anywhere match.
const ORDINARY_WORDS: &[&str] = &[
    "target",
    "next",
    "shell",
    "three",
    "sky",
    "orange",
    "gap",
    "boots",
    "ee",
    "o2",
    "sunrise",
    "red lion",
    "subway",
    "national",
    "enterprise",
    "frontier",
    "progressive",
    "delta",
    "united",
    "spirit",
    "discover",
    "citizens",
    "chase",
    "sonic",
    "max",
    "notion",
    "slack",
    "bolt",
    "grab",
    "zoom",
    "steam",
    "wish",
    "coop",
    "co-op",
    "total",
    "ross",
    "express",
    "giant",
    "dollar",
    "mobile",
    "energy",
    "water",
    "power",
    "post",
    "home",
    "pizza",
    "burger",
    "coffee",
    "market",
    "super",
    "fresh",
    "city",
    "star",
    "sun",
    "sport",
    "office",
    "depot",
    "time",
    "lime",
    "bird",
    "virgin",
];

fn table() -> &'static MerchantTable {
    builtin()
}

#[test]
fn the_table_reads() {
    assert!(parse(BUILTIN).is_ok());
    assert!(
        table().merchants.len() > 3_000,
        "{}",
        table().merchants.len()
    );
}

#[test]
fn no_key_twice() {
    let mut seen = HashSet::new();
    for m in &table().merchants {
        assert!(seen.insert(m.key), "key {:?} twice", m.key);
    }
}

#[test]
fn no_spelling_names_two_merchants() {
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for s in &table().spellings {
        let key = table().merchants[s.merchant].key;
        if let Some(other) = seen.insert(s.text, key) {
            panic!("spelling {:?} names {other:?} and {key:?}", s.text);
        }
    }
}

#[test]
fn every_category_is_a_builtin_one() {
    let t = Taxonomy::builtin();
    for m in &table().merchants {
        assert!(t.contains(m.category), "{}: {}", m.key, m.category);
    }
}

#[test]
fn every_market_is_known() {
    for m in &table().merchants {
        assert!(!m.markets.is_empty(), "{}", m.key);
        for market in &m.markets {
            assert!(MARKETS.contains(market), "{}: market {market:?}", m.key);
        }
    }
}

#[test]
fn keys_and_spellings_are_in_normalized_form() {
    let clean = |s: &str| {
        s == fold(s)
            && s == s.trim()
            && !s.contains("  ")
            && !s.contains('\t')
            && !s.contains('*')
            && s.chars().any(char::is_alphanumeric)
    };
    for m in &table().merchants {
        assert!(clean(m.key), "key {:?}", m.key);
    }
    for s in &table().spellings {
        assert!(clean(s.text), "spelling {:?}", s.text);
        assert!(
            !s.text.starts_with([START_PREFIX, WHOLE_PREFIX]),
            "doubled prefix {:?}",
            s.text
        );
    }
}

#[test]
fn every_spelling_normalizes_to_its_merchant() {
    let n = Normalizer::builtin();
    let mut wrong = Vec::new();
    for s in &table().spellings {
        let m = &table().merchants[s.merchant];
        let got = n.normalize(s.text);
        if got.key != m.key || !got.brand {
            wrong.push(format!("{:?} -> {:?} (want {:?})", s.text, got.key, m.key));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} spellings:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn ordinary_words_are_only_whole_names() {
    for s in &table().spellings {
        if ORDINARY_WORDS.contains(&s.text) {
            assert_eq!(
                s.placement,
                Placement::Whole,
                "{:?} is an ordinary word: only a whole name may be it",
                s.text
            );
        }
    }
}

#[test]
fn a_bad_row_is_refused_with_its_line() {
    let err = parse("# c\nacme\tAcme\tshopping.other\tany\tUS\n").unwrap_err();
    assert!(err.starts_with("line 2"), "{err}");
    let err = parse("acme\tAcme\tshopping.other\tsometimes\tUS\t\n").unwrap_err();
    assert!(err.contains("unknown match"), "{err}");
}

#[test]
fn placements_read_from_the_prefixes() {
    let t = parse("acme\tAcme\tshopping.other\tnone\tUS,CA\t^acm|=ac|acme co\n").unwrap();
    let got: Vec<(&str, Placement)> = t.spellings.iter().map(|s| (s.text, s.placement)).collect();
    assert_eq!(
        got,
        [
            ("acm", Placement::Start),
            ("ac", Placement::Whole),
            ("acme co", Placement::Anywhere)
        ]
    );
    assert_eq!(t.merchants[0].markets, ["US", "CA"]);
}
