//! Mines rules from a short history of transactions whose category a person confirmed. Each
//! suggestion is printed as a rule file line after a comment with its backtest on that history
//! (support, precision); accepting one adds it to the tenant, after which it decides.
//!
//! `cargo run -p xspense-examples --bin suggest_rules`

use chrono::NaiveDate;
use xspense::rules::{Labelled, MiningOptions};
use xspense::{Currency, Decision, Direction, Engine, Money, Source, Transaction};

const TENANT: &str = "ana";

/// A card payment of `amount` (major units, EUR) on day `day` of November 2026, filed as
/// `category`.
fn confirmed(day: u32, descriptor: &str, amount: &str, category: &str) -> Labelled {
    Labelled {
        transaction: Transaction {
            id: format!("h{day}"),
            tenant: TENANT.into(),
            descriptor: descriptor.into(),
            merchant: None,
            amount: Money::parse(amount, Currency::new("EUR").unwrap()).unwrap(),
            direction: Direction::Debit,
            date: NaiveDate::from_ymd_opt(2026, 11, day).unwrap(),
            account: None,
            mcc: None,
            bank_category: None,
        },
        category: category.into(),
    }
}

fn main() -> Result<(), xspense::Error> {
    let history = vec![
        confirmed(
            1,
            "PARKHAUS ZENTRUM 0412 BERLIN",
            "6.00",
            "transport.parking",
        ),
        confirmed(3, "BAECKEREI SCHMIDT BERLIN", "3.20", "food.groceries"),
        confirmed(
            4,
            "PARKHAUS ZENTRUM 0412 BERLIN",
            "4.50",
            "transport.parking",
        ),
        confirmed(8, "BAECKEREI SCHMIDT BERLIN", "2.80", "food.groceries"),
        confirmed(
            9,
            "PARKHAUS ZENTRUM 0413 BERLIN",
            "7.50",
            "transport.parking",
        ),
        confirmed(12, "BAECKEREI SCHMIDT BERLIN", "4.10", "food.groceries"),
        confirmed(15, "CAFE LUNA 22 BERLIN", "3.90", "food.coffee"),
    ];

    let mut engine = Engine::new();
    let suggestions = engine.suggest_rules(TENANT, &history, &MiningOptions::default())?;
    for s in &suggestions {
        println!(
            "# support {}, precision {:.2}, {}% of the category's rows",
            s.support,
            s.precision,
            (s.coverage * 100.0).round()
        );
        println!("{}", s.text);
    }
    // Two merchants were confirmed three times each; the café only once, below min_support.
    let categories: Vec<&str> = suggestions.iter().map(|s| s.category.as_str()).collect();
    assert_eq!(categories.len(), 2, "{categories:?}");
    assert!(categories.contains(&"transport.parking"), "{categories:?}");
    assert!(categories.contains(&"food.groceries"), "{categories:?}");

    // Accept every suggestion; the rules then decide new payments at those merchants.
    let rules = suggestions.into_iter().map(|s| s.rule).collect();
    engine.add_rule_list(TENANT, rules)?;
    let next = confirmed(20, "PARKHAUS ZENTRUM 0412 BERLIN", "5.00", "").transaction;
    match engine.categorize(&next)? {
        Decision::Categorized(c) => {
            println!("\n{} -> {} ({})", next.descriptor, c.category, c.reason);
            assert_eq!(
                (c.category.as_str(), c.source),
                ("transport.parking", Source::Rule)
            );
        }
        Decision::NeedsLlm(_) => panic!("the accepted rule did not decide {}", next.descriptor),
    }
    Ok(())
}
