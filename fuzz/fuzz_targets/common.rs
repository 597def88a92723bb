//! Helpers the fuzz targets share (not a target itself: `mod common;` in a target).
#![allow(dead_code)]

use std::sync::OnceLock;

use xspense::{Decision, Engine, Error, ErrorCode, Transaction};

/// Fails unless `e` is one of the codes the operation documents. `internal` is never allowed:
/// it is the code of a bug reported instead of a panic.
pub fn expect_code(e: &Error, allowed: &[ErrorCode], what: &str) {
    let code = e.code();
    assert!(
        code != ErrorCode::Internal && allowed.contains(&code),
        "{what}: unexpected error code {code}: {e}"
    );
}

/// A fresh engine with the default configuration (built once, cloned per input).
pub fn engine() -> Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(Engine::new).clone()
}

/// A transaction of `tenant` with this descriptor (cut to a valid length), for exercising the
/// state an input built.
pub fn transaction(tenant: &str, descriptor: &str, minor: i64) -> Transaction {
    let mut d: String = descriptor
        .chars()
        .filter(|c| !c.is_control())
        .take(200)
        .collect();
    if d.trim().is_empty() {
        d = "SQ *BLUE BOTTLE 0042 OAKLAND CA".into();
    }
    serde_json::from_value(serde_json::json!({
        "id": "fuzz", "tenant": tenant, "descriptor": d,
        "amount": {"minor": minor.rem_euclid(10_000_000), "currency": "USD"},
        "direction": "debit", "date": "2026-11-02", "mcc": 5814
    }))
    .expect("the fuzz transaction is valid")
}

/// Categorizes `tx`: a valid transaction always gets a decision, whatever state built the
/// tenant, and its confidence is a probability.
pub fn categorize_ok(engine: &mut Engine, tx: &Transaction) {
    let decision = engine
        .categorize(tx)
        .unwrap_or_else(|e| panic!("categorize failed on a valid transaction: {e}"));
    if let Some(c) = decision.categorization() {
        assert!(
            (0.0..=1.0).contains(&c.confidence),
            "confidence {} out of 0..1",
            c.confidence
        );
    }
    if let Decision::Categorized(c) = &decision {
        assert!(
            engine.has_category(&tx.tenant, &c.category),
            "category {:?} is not the tenant's",
            c.category
        );
    }
}

/// Every tenant's state as snapshot text (to compare states before and after a refused
/// operation, or two engines).
pub fn state(engine: &Engine) -> String {
    engine
        .export_snapshot(None)
        .unwrap_or_else(|e| panic!("export_snapshot failed: {e}"))
}
