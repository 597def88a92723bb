//! The vocabulary stages on a fresh engine (no rules, no feedback): every row of
//! `fixtures/vocabulary/cases.tsv` (descriptor, direction, expected category, the vocabulary
//! phrase the trace must name, or `-` when the vocabulary must not answer), then the tenant's
//! own label set and the knowledge switch.

use serde_json::json;
use xspense::{Categorization, Decision, Engine, EngineConfig, Source, Transaction};

fn tx(tenant: &str, descriptor: &str, direction: &str) -> Transaction {
    let input = xspense::model::TransactionInput::from_json(json!({
        "tenant": tenant,
        "descriptor": descriptor,
        "amount": "42.00",
        "direction": direction,
        "date": "2026-12-07",
    }))
    .unwrap();
    input.into_transaction("1").unwrap()
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

/// The phrase the `vocabulary` trace step that answered names (`bank phrase "atm withdrawal"
/// (en) means ...`).
fn vocabulary_phrase(c: &Categorization) -> Option<String> {
    let step = c
        .trace
        .iter()
        .find(|s| s.stage == "vocabulary" && s.category.is_some())?;
    let (_, rest) = step.detail.split_once('"')?;
    let (phrase, _) = rest.split_once('"')?;
    Some(phrase.to_string())
}

#[test]
fn fixture_table() {
    let table = include_str!("fixtures/vocabulary/cases.tsv");
    let mut e = engine(EngineConfig::default());
    let mut failures = Vec::new();
    let mut n = 0;
    for line in table
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        let cols: Vec<&str> = line.split('\t').collect();
        let [descriptor, direction, category, phrase] = cols[..] else {
            panic!("bad fixture row {line:?}");
        };
        n += 1;
        let c = categorize(&mut e, &tx("default", descriptor, direction));
        let got_phrase = vocabulary_phrase(&c);
        let want_phrase = (phrase != "-").then(|| phrase.to_string());
        if c.category != category || got_phrase != want_phrase {
            failures.push(format!(
                "{descriptor:?} ({direction}): got {} via {:?}, want {category} via {want_phrase:?}; trace {:?}",
                c.category, got_phrase, c.trace
            ));
        }
        if want_phrase.is_some() && c.category == category {
            assert_eq!(c.source, Source::Knowledge, "{descriptor}");
            let step = c.trace.iter().find(|s| s.stage == "vocabulary").unwrap();
            assert!(
                step.detail.contains(" ("),
                "language named: {}",
                step.detail
            );
        }
    }
    assert!(n >= 60, "{n} rows");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_bank_phrase_is_surer_than_a_word_in_a_name() {
    let mut e = engine(EngineConfig::default());
    let phrase = categorize(
        &mut e,
        &tx("default", "ATM WITHDRAWAL 3628 MAIN ST", "debit"),
    );
    let word = categorize(&mut e, &tx("default", "SUNSET GRILL", "debit"));
    assert!(phrase.confidence > word.confidence);
    assert_ne!(phrase.band, word.band);
}

#[test]
fn a_word_in_a_name_is_only_the_best_guess_for_the_model() {
    let mut e = Engine::new();
    let Decision::NeedsLlm(r) = e
        .categorize(&tx("default", "TRATTORIA DA LUIGI 55 MILANO", "debit"))
        .unwrap()
    else {
        panic!("a merchant word decided")
    };
    let guess = r.best_guess.expect("the word's category as the best guess");
    assert_eq!(guess.category, "food.restaurants");
    assert_eq!(vocabulary_phrase(&guess).as_deref(), Some("trattoria"));
    // a bank phrase decides
    assert!(matches!(
        e.categorize(&tx("default", "Gehalt November ACME GmbH", "credit"))
            .unwrap(),
        Decision::Categorized(_)
    ));
}

#[test]
fn the_knowledge_switch_turns_the_vocabulary_off() {
    let mut e = engine(EngineConfig {
        knowledge: false,
        ..EngineConfig::default()
    });
    let c = categorize(
        &mut e,
        &tx("default", "ATM WITHDRAWAL 3628 MAIN ST", "debit"),
    );
    assert_eq!(c.category, "uncategorized");
    assert!(c.trace.iter().all(|s| s.stage != "vocabulary"));
}

#[test]
fn a_tenant_with_its_own_labels_gets_them_or_no_answer() {
    let mut e = engine(EngineConfig::default());
    for label in ["Income", "Cash", "Eating out"] {
        e.add_category("t", label, label, None).unwrap();
    }
    // once the tenant files under its own labels, and before it showed how it names
    // salaries, the vocabulary does not answer
    e.feedback(&tx("t", "CORNER BISTRO", "debit"), "Eating out")
        .unwrap();
    let first = categorize(&mut e, &tx("t", "PAYROLL NORTHWIND LTD", "credit"));
    assert_eq!(first.category, "uncategorized", "{:?}", first.trace);
    assert!(first
        .trace
        .iter()
        .any(|s| s.stage == "vocabulary" && s.detail.contains("not named yet")));
    // two salaries from other employers filed under `Income`: the habit is learned
    e.feedback(&tx("t", "SALARY ACME WIDGETS", "credit"), "Income")
        .unwrap();
    e.feedback(&tx("t", "DIRECT DEPOSIT GLOBEX", "credit"), "Income")
        .unwrap();
    let c = categorize(&mut e, &tx("t", "PAYROLL INITECH", "credit"));
    assert_eq!(c.category, "Income", "{:?}", c.trace);
    assert_eq!(vocabulary_phrase(&c).as_deref(), Some("payroll"));
}
