//! The messages agents exchange: a task to run, the result of one, or an event.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};

/// What a task message asks for in resources.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Resources {
    /// Higher runs first.
    #[serde(default)]
    pub priority: i32,
    /// How long the receiver may take.
    pub timeout_ms: u64,
    /// How many times the receiver may retry.
    #[serde(default)]
    pub retry: u32,
}

/// A request to run a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct TaskMessage {
    /// The task's id (also its idempotency key on the receiving side).
    pub task_id: String,
    /// What to do, e.g. `categorize_batch`.
    pub action: String,
    /// Input.
    pub payload: Value,
    /// Where to send the result (a URL or queue name).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
    /// Trace shared by every message of one request.
    pub trace_id: String,
    /// The agent or user on whose behalf this runs.
    pub requested_by: String,
    /// Limits the receiver should respect.
    pub resources: Resources,
}

/// Where a task stands, as reported by its runner.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum ResultStatus {
    /// Received and queued.
    Accepted,
    /// Running.
    InProgress,
    /// Done; `result` holds the output.
    Succeeded,
    /// Given up; `error` says why.
    Failed,
}

/// An error carried by a failed result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ErrorBody {
    /// Stable machine-readable code.
    pub code: String,
    /// Text for people.
    pub message: String,
}

/// The state or outcome of a task.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ResultMessage {
    /// The task this is about.
    pub task_id: String,
    /// Where it stands.
    pub status: ResultStatus,
    /// Output when succeeded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<Value>,
    /// Why it failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorBody>,
    /// Trace of the request.
    pub trace_id: String,
}

/// Something that happened, for whoever listens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct EventMessage {
    /// Event name, e.g. `insights.ready`.
    pub event: String,
    /// Details.
    pub payload: Value,
    /// Trace of the request that caused it.
    pub trace_id: String,
}

/// A message between agents.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Envelope {
    /// Run this.
    Task(TaskMessage),
    /// Here is how it went.
    Result(ResultMessage),
    /// This happened.
    Event(EventMessage),
}

impl Envelope {
    /// Checks required fields and that a result's status matches its content.
    pub fn validate(&self) -> Result<()> {
        let need = |what: &str, v: &str| {
            if v.trim().is_empty() {
                Err(Error::invalid(format!(
                    "envelope field {what} must not be empty"
                )))
            } else {
                Ok(())
            }
        };
        match self {
            Envelope::Task(t) => {
                need("task_id", &t.task_id)?;
                need("action", &t.action)?;
                need("trace_id", &t.trace_id)?;
                need("requested_by", &t.requested_by)?;
                if t.resources.timeout_ms == 0 {
                    return Err(Error::invalid("resources.timeout_ms must be positive"));
                }
            }
            Envelope::Result(r) => {
                need("task_id", &r.task_id)?;
                need("trace_id", &r.trace_id)?;
                match (r.status, &r.error, &r.result) {
                    (ResultStatus::Failed, None, _) => {
                        return Err(Error::invalid("a failed result needs an error"))
                    }
                    (ResultStatus::Succeeded, Some(_), _)
                    | (ResultStatus::Accepted | ResultStatus::InProgress, Some(_), _) => {
                        return Err(Error::invalid("only a failed result carries an error"))
                    }
                    _ => {}
                }
            }
            Envelope::Event(e) => {
                need("event", &e.event)?;
                need("trace_id", &e.trace_id)?;
            }
        }
        Ok(())
    }

    /// The trace id of any message.
    pub fn trace_id(&self) -> &str {
        match self {
            Envelope::Task(t) => &t.trace_id,
            Envelope::Result(r) => &r.trace_id,
            Envelope::Event(e) => &e.trace_id,
        }
    }
}
