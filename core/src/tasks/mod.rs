//! Task-state logic for background workers: enqueue with idempotency keys, claim with leases,
//! heartbeats, completion, retries with exponential backoff and jitter, dead letters and
//! cancellation, behind a [`TaskStore`] so a host can keep tasks in its own database.
//!
//! ```
//! use serde_json::json;
//! use xspense::tasks::{InMemoryTaskStore, NewTask, RetryPolicy, TaskStatus, TaskStore};
//!
//! let store = InMemoryTaskStore::new();
//! let t0 = 1_000_000;
//! let e = store.enqueue(NewTask::new("alice", "categorizer", "categorize", json!({})).max_attempts(2), t0).unwrap();
//! let job = store.claim("categorizer", "w1", 30_000, t0).unwrap().unwrap();
//! assert_eq!(job.id, e.task.id);
//! // w1 stops heart-beating; after the lease another worker takes over ...
//! let again = store.claim("categorizer", "w2", 30_000, t0 + 31_000).unwrap().unwrap();
//! assert_eq!(again.attempts, 2);
//! // ... and the late completion by w1 is refused.
//! let late = store.complete("alice", &job.id, "w1", json!("done"), t0 + 32_000).unwrap_err();
//! assert_eq!(late.code().as_str(), "lease_lost");
//! // w2 fails on the last attempt: the task becomes a dead letter.
//! let s = store.fail("alice", &job.id, "w2", "model timeout", &RetryPolicy::default(), t0 + 33_000).unwrap();
//! assert_eq!(s, TaskStatus::Dead);
//! ```

pub mod agents;
mod model;
mod store;

pub use agents::{
    Agent, AgentRegistry, AgentStatus, InMemoryAgentRegistry, NewAgent, Reaped, Serving,
    REGISTRY_METHODS,
};
pub use model::{NewTask, RetryPolicy, Task, TaskStatus};
pub use store::{
    is_lease_of, lease_owner, Enqueued, InMemoryTaskStore, QueueCounts, QueueStats, Released,
    TaskStore, SLOT_SEPARATOR, STORE_METHODS,
};

#[cfg(test)]
mod agent_tests;
#[cfg(test)]
mod tests;
