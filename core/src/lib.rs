//! # xspense
//!
//! An embeddable, deterministic, sans-IO engine for expense intelligence: it turns raw bank and
//! card transactions into categorized, explainable records, learns from a tenant's corrections and
//! asks the host's language model only when nothing else knows.
//!
//! ```
//! use xspense::{Engine, Decision, Transaction};
//! let mut engine = Engine::new();
//! engine.add_rules("alice", r#"merchant contains "blue bottle" => food.coffee"#).unwrap();
//! let tx: Transaction = serde_json::from_value(serde_json::json!({
//!     "id": "t1", "tenant": "alice", "descriptor": "SQ *BLUE BOTTLE 0042 OAKLAND CA",
//!     "amount": {"minor": 475, "currency": "USD"}, "direction": "debit", "date": "2026-11-02"
//! })).unwrap();
//! match engine.categorize(&tx).unwrap() {
//!     Decision::Categorized(c) => assert_eq!(c.category, "food.coffee"),
//!     Decision::NeedsLlm(_) => unreachable!(),
//! }
//! ```
#![forbid(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "workers")]
pub mod audit;
#[cfg(feature = "workers")]
pub mod clock;
#[cfg(feature = "workers")]
pub mod envelope;
pub mod error;
pub mod knowledge;
#[cfg(feature = "workers")]
pub mod limits;
pub mod llm;
pub mod memory;
pub mod model;
pub mod normalize;
pub mod pipeline;
pub mod redact;
pub mod rules;
pub mod statement;
pub mod store;
#[cfg(feature = "workers")]
pub mod tasks;

pub use error::{Error, ErrorCode, Position, Result};
pub use llm::{LlmAnswer, LlmClassifier, LlmRequest};
pub use model::{
    Band, Categorization, Category, Currency, Direction, Money, Source, Taxonomy, TraceStep,
    Transaction,
};
pub use pipeline::{Decision, Engine, EngineConfig, Stats};
pub use rules::{Rule, RuleSet};

/// The README's Rust examples, compiled and run as doc tests.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;
