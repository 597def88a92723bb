//! The [`Engine`]: categorize, resolve LLM answers, learn from feedback, explain, report stats.
//!
//! A transaction flows through: normalize -> rules -> learned aliases -> similar merchants and
//! the online classifier (at the confidence such guesses earned for the tenant) -> built-in
//! knowledge of well-known merchants -> merchant category code -> (LLM request | best guess or
//! `uncategorized`). The first stage confident enough decides; a less confident answer is kept
//! as the best guess (the first one made), shown meanwhile or returned when no stage decides.
//! The stages after the aliases run only for a merchant alias memory knows nothing about, and
//! [`EngineConfig`] switches each of them off (`similarity`, `knowledge`, `mcc`). Every call is
//! scoped by the transaction's tenant; tenants share nothing but the immutable built-in tables.
//!
//! - `engine`: the [`Engine`] value and the calls that categorize, explain and learn;
//! - `decide`: one transaction through the stages, and what stands when none decides;
//! - `stages`: one function per stage, listed once in the order they run;
//! - `context`: what the stages know about the transaction;
//! - `narrate`: every trace step and reason, in words;
//! - `policy`: the scoring constants that are not [`EngineConfig`] settings;
//! - `llm_request`: the request for the host's model, and what its answer becomes;
//! - `admin`: categories, rules and rule suggestions;
//! - `persist`: change events and snapshots;
//! - `tenant`, `stats`, `config`: one tenant's state, its counters, the settings.

mod admin;
mod config;
mod context;
mod decide;
mod engine;
mod hosted;
mod llm_request;
mod narrate;
mod persist;
mod policy;
mod semantic;
mod stages;
mod stats;
mod tenant;

pub use config::EngineConfig;
pub use engine::{Decision, Engine};
pub use hosted::EngineHost;
pub use stats::Stats;

#[cfg(test)]
mod semantic_tests;
#[cfg(test)]
mod tests;
