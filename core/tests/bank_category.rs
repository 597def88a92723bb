//! The bank category stage (`Transaction::bank_category`) on a fresh engine: every row of
//! `fixtures/bank_categories/cases.tsv` (source vocabulary, the bank's text, the category
//! expected, the vocabulary of the table row the trace names), the table itself, its place
//! below the tenant's rules and memory and beside the knowledge base, a tenant's own label
//! set, the knowledge switch, and transactions without a bank category.

use serde_json::json;
use xspense::knowledge::{bank_category_key, BankCategories};
use xspense::{Band, Categorization, Decision, Engine, EngineConfig, Source, Transaction};

fn tx(tenant: &str, descriptor: &str, bank_category: Option<&str>) -> Transaction {
    let input = xspense::model::TransactionInput::from_json(json!({
        "tenant": tenant,
        "descriptor": descriptor,
        "amount": "42.00",
        "direction": "debit",
        "date": "2026-12-07",
    }))
    .unwrap();
    let mut t = input.into_transaction("1").unwrap();
    t.bank_category = bank_category.map(str::to_string);
    t
}

fn engine(config: EngineConfig) -> Engine {
    Engine::with_config(EngineConfig {
        llm_fallback: false,
        ..config
    })
    .unwrap()
}

fn categorize(e: &mut Engine, t: &Transaction) -> Categorization {
    match e.categorize(t).unwrap() {
        Decision::Categorized(c) => c,
        Decision::NeedsLlm(_) => unreachable!("the fallback is off"),
    }
}

fn bank_step(c: &Categorization) -> Option<&xspense::TraceStep> {
    c.trace.iter().find(|s| s.stage == "bank_category")
}

/// A descriptor no rule, memory, vocabulary word, knowledge-base entry or MCC knows.
const NOBODY: &str = "ZQX 4471 KLV";

#[test]
fn fixture_table() {
    let table = include_str!("fixtures/bank_categories/cases.tsv");
    let mut e = engine(EngineConfig::default());
    let mut failures = Vec::new();
    let mut sources = std::collections::BTreeSet::new();
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let [source, text, category, row_source] = line.split('\t').collect::<Vec<_>>()[..] else {
            panic!("bad fixture row {line:?}");
        };
        sources.insert(source);
        let c = categorize(&mut e, &tx("default", NOBODY, Some(text)));
        let step = bank_step(&c).unwrap_or_else(|| panic!("{text:?}: no trace step"));
        assert!(
            step.detail.contains(&format!("{text:?}")),
            "{}",
            step.detail
        );
        let named = step.category.is_some().then(|| {
            BankCategories::builtin()
                .lookup(text)
                .map(|m| m.entry.source)
                .unwrap()
        });
        let want = (row_source != "-").then_some(row_source);
        if c.category != category || named != want {
            failures.push(format!(
                "{source} {text:?}: got {} via {named:?}, want {category} via {want:?}; {:?}",
                c.category, c.trace
            ));
        } else if want.is_some() {
            assert_eq!(c.source, Source::Knowledge, "{text}");
            assert!(step.detail.contains(category), "{}", step.detail);
        }
    }
    for v in [
        "monzo",
        "up",
        "chase",
        "amex",
        "mint",
        "revolut",
        "n26",
        "plaid_legacy",
        "plaid_pfc",
    ] {
        assert!(sources.contains(v), "no fixture rows for {v}");
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_table_maps_to_builtin_categories_without_conflicts() {
    let taxonomy = Engine::new().taxonomy("default");
    let mut seen = std::collections::HashMap::new();
    for row in BankCategories::builtin().entries() {
        if let Some(c) = row.category {
            assert!(taxonomy.contains(c), "{row:?}: unknown category");
        }
        let key = bank_category_key(row.text);
        if let Some(other) = seen.insert(key.clone(), row) {
            panic!("{key:?} twice: {other:?} and {row:?}");
        }
    }
    assert!(seen.len() >= 250, "{} rows", seen.len());
}

#[test]
fn a_detailed_category_decides_a_family_is_a_best_guess() {
    let mut e = Engine::new();
    assert!(matches!(
        e.categorize(&tx(
            "default",
            NOBODY,
            Some("Merchandise & Supplies-Groceries")
        ))
        .unwrap(),
        Decision::Categorized(_)
    ));
    let c = categorize(
        &mut engine(EngineConfig::default()),
        &tx("default", NOBODY, Some("Travel-Lodging")),
    );
    assert_eq!(
        (c.category.as_str(), c.band),
        ("travel.lodging", Band::Medium)
    );
    let Decision::NeedsLlm(r) = e
        .categorize(&tx("default", NOBODY, Some("Shopping")))
        .unwrap()
    else {
        panic!("a family decided")
    };
    assert_eq!(r.best_guess.unwrap().category, "shopping");
}

#[test]
fn a_rule_and_a_learned_merchant_beat_it_a_known_merchant_too() {
    let mut e = engine(EngineConfig::default());
    e.add_rules("default", "merchant contains \"zqx\" => food.coffee")
        .unwrap();
    let c = categorize(&mut e, &tx("default", NOBODY, Some("Travel-Airline")));
    assert_eq!(
        (c.category.as_str(), c.source),
        ("food.coffee", Source::Rule)
    );
    assert!(bank_step(&c).is_none(), "{:?}", c.trace);

    let mut e = engine(EngineConfig::default());
    for _ in 0..2 {
        e.feedback(&tx("default", "KLMNOP 88 STORE", None), "shopping.books")
            .unwrap();
    }
    let c = categorize(
        &mut e,
        &tx("default", "KLMNOP 88 STORE", Some("Travel-Airline")),
    );
    assert_eq!(c.category, "shopping.books", "{:?}", c.trace);
    assert_eq!(c.source, Source::Alias);

    // a well-known merchant: the knowledge base is more specific than the bank's family
    let c = categorize(
        &mut e,
        &tx(
            "default",
            "STARBUCKS STORE 12345 SEATTLE WA",
            Some("Food & Drink"),
        ),
    );
    assert_eq!(c.category, "food.coffee", "{:?}", c.trace);

    // the stage names the bank's category and the mapped one
    let c = categorize(&mut e, &tx("default", NOBODY, Some("Travel-Airline")));
    assert_eq!(c.category, "travel.flights");
    let step = bank_step(&c).unwrap();
    assert!(
        step.detail.contains("\"Travel-Airline\""),
        "{}",
        step.detail
    );
    assert!(step.detail.contains("travel.flights"), "{}", step.detail);
    assert!(c.reason.contains("Travel-Airline"), "{}", c.reason);
}

#[test]
fn an_unknown_bank_category_adds_a_trace_line_and_does_nothing() {
    let mut e = engine(EngineConfig::default());
    let with = categorize(&mut e, &tx("default", NOBODY, Some("Quantum Flux")));
    let without = categorize(&mut e, &tx("default", NOBODY, None));
    assert_eq!(with.category, without.category);
    assert_eq!(with.confidence, without.confidence);
    assert!(bank_step(&with)
        .unwrap()
        .detail
        .contains("not in the built-in table"));
    assert!(bank_step(&without).is_none());
}

#[test]
fn a_tenant_with_its_own_labels_gets_them_or_no_answer() {
    let mut e = engine(EngineConfig::default());
    for label in ["Eating out", "Coffee"] {
        e.add_category("t", label, label, None).unwrap();
    }
    e.feedback(&tx("t", "CORNER BISTRO", None), "Eating out")
        .unwrap();
    let c = categorize(&mut e, &tx("t", NOBODY, Some("FOOD_AND_DRINK_COFFEE")));
    assert_eq!(c.category, "uncategorized", "{:?}", c.trace);
    assert!(bank_step(&c).unwrap().detail.contains("not named yet"));
    // two known coffee chains filed under `Coffee`: the habit is learned
    e.feedback(&tx("t", "STARBUCKS STORE 12345 SEATTLE WA", None), "Coffee")
        .unwrap();
    e.feedback(&tx("t", "DUNKIN #3344 BOSTON MA", None), "Coffee")
        .unwrap();
    let c = categorize(&mut e, &tx("t", NOBODY, Some("FOOD_AND_DRINK_COFFEE")));
    assert_eq!(c.category, "Coffee", "{:?}", c.trace);
    assert!(bank_step(&c).unwrap().detail.contains("food.coffee"));
}

#[test]
fn the_knowledge_switch_turns_it_off() {
    let mut e = engine(EngineConfig {
        knowledge: false,
        ..EngineConfig::default()
    });
    let c = categorize(&mut e, &tx("default", NOBODY, Some("Travel-Airline")));
    assert_eq!(c.category, "uncategorized");
    assert!(bank_step(&c).is_none());
}

/// Without a bank category, categorizations are exactly what they were (the shared vectors
/// run in `vectors.rs` too): same category, confidence, source, reason and trace.
#[test]
fn without_a_bank_category_nothing_changes() {
    let descriptors = [
        "SQ *BLUE BOTTLE 0042 OAKLAND CA",
        "STARBUCKS STORE 12345 SEATTLE WA",
        "ATM WITHDRAWAL 3628 MAIN ST",
        "TRATTORIA DA LUIGI 55 MILANO",
        NOBODY,
    ];
    let mut e = engine(EngineConfig::default());
    for d in descriptors {
        let c = categorize(&mut e, &tx("default", d, None));
        assert!(bank_step(&c).is_none(), "{d}: {:?}", c.trace);
        let again = categorize(&mut e, &tx("default", d, Some("")));
        assert_eq!(
            serde_json::to_value(&c.trace).unwrap(),
            serde_json::to_value(&again.trace).unwrap()
        );
        assert_eq!(
            (c.category, c.confidence),
            (again.category, again.confidence)
        );
    }
}
