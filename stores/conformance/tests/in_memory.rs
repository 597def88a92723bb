//! The agent checks on the in-memory pair, the reference the stores are held to.

use std::sync::Arc;

use xspense::tasks::{InMemoryAgentRegistry, InMemoryTaskStore};
use xspense_store_conformance::agents;

#[test]
fn the_in_memory_registry_passes_the_agent_checks() {
    agents::all(|| {
        let tasks = Arc::new(InMemoryTaskStore::new());
        let registry = Arc::new(InMemoryAgentRegistry::new(tasks.clone()));
        (tasks, registry)
    });
}
