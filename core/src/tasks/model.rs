//! What a task is and how it may change.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::clock::Millis;
use crate::error::{Error, Result};

/// Where a task is in its life.
///
/// ```text
/// pending ──claim──▶ claimed ──complete──▶ completed
///    ▲                  │ fail (attempts left) / lease expiry
///    └──── backoff ─────┤
///                       └─ fail or lease expiry with no attempts left ──▶ dead
/// pending | claimed ──cancel──▶ cancelled
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum TaskStatus {
    /// Waiting until `run_at`, then claimable.
    Pending,
    /// Held by `lease_owner` until `lease_expires_at`.
    Claimed,
    /// Done; `result` holds the outcome.
    Completed,
    /// Failed on its last allowed attempt (a dead letter); `error` says why.
    Dead,
    /// Withdrawn before it completed.
    Cancelled,
}

impl TaskStatus {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            TaskStatus::Pending => "pending",
            TaskStatus::Claimed => "claimed",
            TaskStatus::Completed => "completed",
            TaskStatus::Dead => "dead",
            TaskStatus::Cancelled => "cancelled",
        }
    }

    /// Whether no transition leaves this status.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            TaskStatus::Completed | TaskStatus::Dead | TaskStatus::Cancelled
        )
    }

    /// Every status.
    pub const ALL: [TaskStatus; 5] = [
        TaskStatus::Pending,
        TaskStatus::Claimed,
        TaskStatus::Completed,
        TaskStatus::Dead,
        TaskStatus::Cancelled,
    ];
}

/// A unit of work for a background worker.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Task {
    /// Unique id, assigned by the store.
    pub id: String,
    /// Tenant the work is for; only calls naming this tenant see the task.
    pub tenant: String,
    /// The queue (the worker kind) that runs it, e.g. `categorizer`.
    pub queue: String,
    /// Who asked for it (a worker name, `api`, ...).
    pub from: String,
    /// What to do, e.g. `categorize_batch`.
    pub intent: String,
    /// Input of the work.
    pub payload: Value,
    /// Shared by every task descending from one request.
    pub correlation_id: String,
    /// The caller's key that makes enqueueing idempotent.
    pub idempotency_key: Option<String>,
    /// Higher runs first among due tasks.
    pub priority: i32,
    /// Not claimable before this time.
    pub run_at: Millis,
    /// Claims so far.
    pub attempts: u32,
    /// Claims allowed before a failure makes the task dead.
    pub max_attempts: u32,
    /// Where the task is.
    pub status: TaskStatus,
    /// The worker holding the lease while claimed.
    pub lease_owner: Option<String>,
    /// When the lease ends unless renewed by a heartbeat.
    pub lease_expires_at: Option<Millis>,
    /// Outcome of a completed task.
    pub result: Option<Value>,
    /// Summary of the last failure.
    pub error: Option<String>,
    /// When it was enqueued.
    pub created_at: Millis,
    /// When it last changed.
    pub updated_at: Millis,
    /// When it reached a final status.
    pub finished_at: Option<Millis>,
}

/// A task to enqueue.
///
/// ```
/// use xspense::tasks::NewTask;
/// let t = NewTask::new("alice", "categorizer", "categorize_batch", serde_json::json!({"ids": [1, 2]}))
///     .idempotency_key("import-2026-11-22")
///     .priority(5);
/// assert_eq!(t.max_attempts, 5);
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct NewTask {
    /// Tenant.
    pub tenant: String,
    /// Queue (worker kind).
    pub queue: String,
    /// Requester.
    pub from: String,
    /// What to do.
    pub intent: String,
    /// Input.
    pub payload: Value,
    /// Correlation id; a new one (the task id) when absent.
    pub correlation_id: Option<String>,
    /// Idempotency key.
    pub idempotency_key: Option<String>,
    /// Priority (default 0).
    pub priority: i32,
    /// Earliest run time (default: now).
    pub run_at: Option<Millis>,
    /// Claims allowed (default 5).
    pub max_attempts: u32,
}

impl NewTask {
    /// A task with default priority, attempts and timing.
    pub fn new(
        tenant: impl Into<String>,
        queue: impl Into<String>,
        intent: impl Into<String>,
        payload: Value,
    ) -> NewTask {
        NewTask {
            tenant: tenant.into(),
            queue: queue.into(),
            from: "api".into(),
            intent: intent.into(),
            payload,
            correlation_id: None,
            idempotency_key: None,
            priority: 0,
            run_at: None,
            max_attempts: 5,
        }
    }

    /// Sets who asks.
    pub fn from(mut self, from: impl Into<String>) -> Self {
        self.from = from.into();
        self
    }

    /// Sets the idempotency key.
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.idempotency_key = Some(key.into());
        self
    }

    /// Sets the priority.
    pub fn priority(mut self, p: i32) -> Self {
        self.priority = p;
        self
    }

    /// Delays the task.
    pub fn run_at(mut self, t: Millis) -> Self {
        self.run_at = Some(t);
        self
    }

    /// Sets the number of claims allowed.
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = n;
        self
    }

    /// Joins an existing correlation.
    pub fn correlation_id(mut self, id: impl Into<String>) -> Self {
        self.correlation_id = Some(id.into());
        self
    }

    /// A downstream task of `parent`: same tenant and correlation id, requested by the
    /// parent's queue.
    pub fn downstream_of(
        parent: &Task,
        queue: impl Into<String>,
        intent: impl Into<String>,
        payload: Value,
    ) -> NewTask {
        NewTask::new(parent.tenant.clone(), queue, intent, payload)
            .from(parent.queue.clone())
            .correlation_id(parent.correlation_id.clone())
    }

    /// Checks names and limits.
    pub fn validate(&self) -> Result<()> {
        for (what, v) in [
            ("tenant", &self.tenant),
            ("queue", &self.queue),
            ("intent", &self.intent),
            ("from", &self.from),
        ] {
            if v.trim().is_empty() || v.len() > 200 {
                return Err(Error::invalid(format!(
                    "task {what} must be 1 to 200 characters"
                )));
            }
        }
        if self.max_attempts == 0 || self.max_attempts > 1000 {
            return Err(Error::invalid("max_attempts must be between 1 and 1000"));
        }
        if let Some(k) = &self.idempotency_key {
            if k.is_empty() || k.len() > 200 {
                return Err(Error::invalid(
                    "idempotency_key must be 1 to 200 characters",
                ));
            }
        }
        Ok(())
    }
}

/// Exponential backoff with jitter between attempts.
///
/// The delay before attempt `n + 1` is `base_ms * factor^(n-1)`, capped at `max_ms`, then
/// scaled by a jitter factor in `[1 - jitter, 1]` drawn deterministically from the task id and
/// attempt number (so replays and tests see the same delays).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RetryPolicy {
    /// First delay.
    pub base_ms: Millis,
    /// Growth per attempt.
    pub factor: f64,
    /// Longest delay.
    pub max_ms: Millis,
    /// Fraction of the delay that is randomized away (0 = none, 1 = full jitter).
    pub jitter: f64,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            base_ms: 1_000,
            factor: 2.0,
            max_ms: 10 * 60 * 1_000,
            jitter: 0.5,
        }
    }
}

impl RetryPolicy {
    /// Checks the numbers.
    pub fn validate(&self) -> Result<()> {
        if self.base_ms < 0 || self.max_ms < self.base_ms {
            return Err(Error::invalid("retry needs 0 <= base_ms <= max_ms"));
        }
        if !(self.factor >= 1.0 && self.factor.is_finite()) {
            return Err(Error::invalid("retry factor must be a finite number >= 1"));
        }
        if !(0.0..=1.0).contains(&self.jitter) {
            return Err(Error::invalid("retry jitter must be within 0..=1"));
        }
        Ok(())
    }

    /// The delay after failed attempt number `attempt` (1-based) of task `id`.
    pub fn delay(&self, id: &str, attempt: u32) -> Millis {
        let exp = self.factor.powi(attempt.saturating_sub(1).min(64) as i32);
        let raw = (self.base_ms as f64 * exp).min(self.max_ms as f64);
        // FNV-1a of (id, attempt) as a uniform fraction
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in id.bytes().chain(attempt.to_le_bytes()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let u = (h >> 11) as f64 / (1u64 << 53) as f64;
        (raw * (1.0 - self.jitter * u)).round() as Millis
    }
}
