//! Categorizes three card payments, each decided by a different stage of the engine: a rule
//! the tenant wrote, a correction the engine learned, and the built-in knowledge of well-known
//! merchants. Prints each answer with its source and reason, then the full trace of one.
//!
//! `cargo run -p xspense-examples --bin quickstart`

use chrono::NaiveDate;
use xspense::{Currency, Decision, Direction, Engine, Money, Source, Transaction};

const TENANT: &str = "ana";

/// A card payment of `amount` (major units, USD) by the tenant on 2 November 2026.
fn payment(id: &str, descriptor: &str, amount: &str) -> Transaction {
    Transaction {
        id: id.into(),
        tenant: TENANT.into(),
        descriptor: descriptor.into(),
        merchant: None,
        amount: Money::parse(amount, Currency::new("USD").unwrap()).unwrap(),
        direction: Direction::Debit,
        date: NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
        account: None,
        mcc: None,
        bank_category: None,
    }
}

fn main() -> Result<(), xspense::Error> {
    let mut engine = Engine::new();

    // 1. A rule the tenant wrote.
    engine.add_rules(TENANT, r#"merchant contains "tesco" => food.groceries"#)?;

    // 2. A correction: the tenant files a deli the engine has never seen as a restaurant.
    let earlier = payment("t0", "CORNER DELI 0042 OAKLAND CA", "12.40");
    engine.feedback(&earlier, "food.restaurants")?;

    let payments = [
        (
            payment("t1", "TESCO STORES 3297 LONDON GB", "45.10"),
            "food.groceries",
            Source::Rule,
        ),
        (
            payment("t2", "CORNER DELI 0077 OAKLAND CA", "9.80"),
            "food.restaurants",
            Source::Alias,
        ),
        // 3. Nothing the tenant taught knows this one; the built-in knowledge does.
        (
            payment("t3", "STARBUCKS STORE 10358 SEATTLE WA", "5.25"),
            "food.coffee",
            Source::Knowledge,
        ),
    ];

    for (tx, want_category, want_source) in &payments {
        let c = match engine.categorize(tx)? {
            Decision::Categorized(c) => c,
            Decision::NeedsLlm(req) => {
                panic!("{}: the engine asked a model: {}", tx.id, req.prompt)
            }
        };
        println!(
            "{:<36} {:<18} {:<10} {:.2}  {}",
            tx.descriptor,
            c.category,
            c.source.as_str(),
            c.confidence,
            c.reason
        );
        assert_eq!(&c.category, want_category, "{}", tx.descriptor);
        assert_eq!(&c.source, want_source, "{}", tx.descriptor);
    }

    // The trace lists every stage the engine consulted and what each concluded.
    let explained = engine.explain(&payments[1].0)?;
    println!("\nexplain {:?}:", payments[1].0.descriptor);
    for step in &explained.trace {
        println!("  {:<12} {}", step.stage, step.detail);
    }
    assert!(explained.trace.iter().any(|s| s.stage == "alias"));
    Ok(())
}
