//! What `xspense worker` does with a task: the built-in intents on the core engine.
//!
//! - `categorize`: the payload is a transaction in the core's JSON input shape, a list of
//!   them, or `{"transactions": [...]}`; the result is `{"categorizations": [...]}`, one per
//!   transaction in order (`null` when the engine has no guess). Every transaction is
//!   categorized for the task's tenant, whatever tenant its JSON names, with the tenant's
//!   stored engine state (rules, learned merchants, categories).
//! - `redact`: a JSON string payload is redacted as text (`{"text": ..., "findings": N}`),
//!   any other JSON document as JSON (`{"value": ..., "findings": N}`).
//!
//! Any other intent fails the task with an error naming the intents served, so it is retried
//! and then dead-lettered.

use serde_json::{json, Value};
use xspense::redact::Redactor;
use xspense::store::EngineStateStore;
use xspense::tasks::Task;
use xspense::{Engine, Transaction};

/// The intents the worker serves.
pub const INTENTS: [&str; 2] = ["categorize", "redact"];

/// Most transactions one `categorize` task may carry.
pub const MAX_BATCH: usize = 10_000;

/// Why a task failed (its error text).
#[derive(Debug)]
pub struct TaskError(pub String);

impl std::fmt::Display for TaskError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<xspense::Error> for TaskError {
    fn from(e: xspense::Error) -> Self {
        TaskError(e.to_string())
    }
}

/// Runs `task`; the value is its result.
pub fn run(
    task: &Task,
    state: Option<&dyn EngineStateStore>,
    redactor: &Redactor,
) -> Result<Value, TaskError> {
    match task.intent.as_str() {
        "categorize" => categorize(task, state),
        "redact" => Ok(redact(&task.payload, redactor)),
        other => Err(TaskError(format!(
            "unknown intent {other:?}: this worker serves {}",
            INTENTS.join(", ")
        ))),
    }
}

/// The transactions of a `categorize` payload.
fn transactions(payload: &Value) -> Result<Vec<Value>, TaskError> {
    let list = match payload {
        Value::Array(items) => items.clone(),
        Value::Object(o) => match o.get("transactions") {
            Some(Value::Array(items)) => items.clone(),
            Some(_) => return Err(TaskError("\"transactions\" must be a list".into())),
            None => vec![payload.clone()],
        },
        _ => {
            return Err(TaskError(
                "categorize takes a transaction, a list of them or {\"transactions\": [...]}"
                    .into(),
            ))
        }
    };
    if list.len() > MAX_BATCH {
        return Err(TaskError(format!(
            "{} transactions in one task; at most {MAX_BATCH}",
            list.len()
        )));
    }
    Ok(list)
}

/// The engine with the tenant's stored state.
fn engine_for(tenant: &str, state: Option<&dyn EngineStateStore>) -> Result<Engine, TaskError> {
    let mut engine = Engine::new();
    if let Some(store) = state {
        store.load(tenant)?.apply_to(&mut engine)?;
        engine.drain_changes();
    }
    Ok(engine)
}

fn categorize(task: &Task, state: Option<&dyn EngineStateStore>) -> Result<Value, TaskError> {
    let items = transactions(&task.payload)?;
    let mut engine = engine_for(&task.tenant, state)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let mut tx: Transaction =
            serde_json::from_value(item).map_err(|e| TaskError(format!("transaction {i}: {e}")))?;
        tx.tenant = task.tenant.clone();
        let decision = engine
            .categorize(&tx)
            .map_err(|e| TaskError(format!("transaction {i}: {e}")))?;
        out.push(json!({
            "id": tx.id,
            "categorization": decision.categorization(),
            "needs_llm": matches!(decision, xspense::Decision::NeedsLlm(_)),
        }));
    }
    Ok(json!({ "categorizations": out }))
}

fn redact(payload: &Value, redactor: &Redactor) -> Value {
    match payload {
        Value::String(text) => {
            let r = redactor.redact(text);
            json!({ "text": r.text, "findings": r.findings.len() })
        }
        other => {
            let r = redactor.redact_json(other);
            json!({ "value": r.value, "findings": r.findings.len() })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use xspense::tasks::{InMemoryTaskStore, NewTask, TaskStore};

    fn task(intent: &str, payload: Value) -> Task {
        let s = InMemoryTaskStore::new();
        s.enqueue(NewTask::new("ana", "q", intent, payload), 0)
            .unwrap()
            .task
    }

    fn tx(id: &str, descriptor: &str) -> Value {
        json!({"id": id, "tenant": "someone-else", "descriptor": descriptor,
               "amount": {"minor": 475, "currency": "USD"}, "direction": "debit",
               "date": "2026-11-02"})
    }

    #[test]
    fn categorize_takes_one_or_many_transactions() {
        let r = Redactor::new();
        let one = run(&task("categorize", tx("t1", "STARBUCKS 123")), None, &r).unwrap();
        assert_eq!(one["categorizations"].as_array().unwrap().len(), 1);
        assert_eq!(one["categorizations"][0]["id"], "t1");
        let many = json!({"transactions": [tx("a", "UBER TRIP"), tx("b", "NETFLIX.COM")]});
        let out = run(&task("categorize", many), None, &r).unwrap();
        assert_eq!(out["categorizations"].as_array().unwrap().len(), 2);
        let bad = run(&task("categorize", json!([{"id": 1}])), None, &r).unwrap_err();
        assert!(bad.0.starts_with("transaction 0:"), "{bad}");
    }

    #[test]
    fn redact_takes_text_or_json_and_unknown_intents_fail() {
        let r = Redactor::new();
        let text = run(&task("redact", json!("mail bob@example.com")), None, &r).unwrap();
        assert!(!text["text"].as_str().unwrap().contains("bob@example.com"));
        assert_eq!(text["findings"], 1);
        let doc = run(&task("redact", json!({"password": "hunter2"})), None, &r).unwrap();
        assert!(!doc.to_string().contains("hunter2"));
        let e = run(&task("summarize", json!({})), None, &r).unwrap_err();
        assert!(e.0.contains("unknown intent \"summarize\""), "{e}");
    }
}
