//! The [`Engine`]: categorize, resolve LLM answers, learn from feedback, explain, report stats.
//!
//! A transaction flows through: normalize -> rules -> learned aliases -> (LLM request | default).
//! Every call is scoped by the transaction's tenant; tenants share nothing but the immutable
//! built-in tables.

mod admin;
mod config;
mod context;
mod decide;
mod engine;
mod llm_request;
mod narrate;
mod persist;
mod policy;
mod stages;
mod stats;
mod tenant;

pub use config::EngineConfig;
pub use engine::{Decision, Engine};
pub use stats::Stats;

#[cfg(test)]
mod tests;
