//! What `xspense worker` does with a task: the built-in intents on the core engine.
//!
//! - `categorize`: the payload is a transaction in the core's JSON input shape, a list of
//!   them, or `{"transactions": [...]}`; the result is `{"categorizations": [...]}`, one per
//!   transaction in order (`categorization` is `null` when the engine has no guess). Every
//!   transaction is categorized for the task's tenant, whatever tenant its JSON names, on the
//!   tenant's latest stored engine state (rules, learned merchants, categories).
//! - `feedback`: `{"transaction": {...}, "category": "..."}` teaches the tenant's engine that
//!   the transaction belongs in the category, and appends that to the stored state (other
//!   workers read it on before their next task); the result is `{"learned": true}`.
//! - `redact`: a JSON string payload is redacted as text (`{"text": ..., "findings": N}`),
//!   any other JSON document as JSON (`{"value": ..., "findings": N}`).
//!
//! Any other intent fails the task with an error naming the intents served, so it is retried
//! and then dead-lettered.
//!
//! Each worker thread keeps one [`Categorizer`]: a [`SharedEngine`] over the store's engine
//! state (each tenant loaded once, then read on before every task, appends retried on a
//! concurrent append).

use std::sync::Arc;

use serde_json::{json, Value};
use xspense::redact::Redactor;
use xspense::store::{EngineStateStore, SharedEngine};
use xspense::tasks::Task;
use xspense::{Decision, Engine, Transaction};

/// The intents the worker serves.
pub const INTENTS: [&str; 3] = ["categorize", "feedback", "redact"];

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

/// The engine of one worker thread, over the store's engine state.
pub struct Categorizer(Box<SharedEngine>);

impl Categorizer {
    /// A shared engine over `state`.
    pub fn new(state: Arc<dyn EngineStateStore>) -> Categorizer {
        Categorizer(Box::new(SharedEngine::new(Engine::new(), state)))
    }

    fn categorize(&mut self, tx: &Transaction) -> xspense::Result<Decision> {
        self.0.categorize(tx)
    }

    fn feedback(&mut self, tx: &Transaction, category: &str) -> Result<(), TaskError> {
        Ok(self.0.feedback(tx, category)?)
    }
}

/// Runs `task`; the value is its result.
pub fn run(task: &Task, engine: &mut Categorizer, redactor: &Redactor) -> Result<Value, TaskError> {
    match task.intent.as_str() {
        "categorize" => categorize(task, engine),
        "feedback" => feedback(task, engine),
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

/// A transaction of a payload, for the task's tenant.
fn transaction(task: &Task, item: Value, what: &str) -> Result<Transaction, TaskError> {
    let mut tx: Transaction =
        serde_json::from_value(item).map_err(|e| TaskError(format!("{what}: {e}")))?;
    tx.tenant = task.tenant.clone();
    Ok(tx)
}

fn categorize(task: &Task, engine: &mut Categorizer) -> Result<Value, TaskError> {
    let items = transactions(&task.payload)?;
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.into_iter().enumerate() {
        let what = format!("transaction {i}");
        let tx = transaction(task, item, &what)?;
        let decision = engine
            .categorize(&tx)
            .map_err(|e| TaskError(format!("{what}: {e}")))?;
        out.push(json!({
            "id": tx.id,
            "categorization": decision.categorization(),
            "needs_llm": matches!(decision, Decision::NeedsLlm(_)),
        }));
    }
    Ok(json!({ "categorizations": out }))
}

fn feedback(task: &Task, engine: &mut Categorizer) -> Result<Value, TaskError> {
    let usage =
        || TaskError("feedback takes {\"transaction\": {...}, \"category\": \"...\"}".into());
    let item = task.payload.get("transaction").cloned().ok_or_else(usage)?;
    let category = task
        .payload
        .get("category")
        .and_then(Value::as_str)
        .ok_or_else(usage)?;
    let tx = transaction(task, item, "transaction")?;
    engine.feedback(&tx, category)?;
    Ok(json!({ "learned": true }))
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
    use xspense::store::InMemoryEngineState;
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
        let mut e = Categorizer::new(Arc::new(InMemoryEngineState::new()));
        let one = run(&task("categorize", tx("t1", "STARBUCKS 123")), &mut e, &r).unwrap();
        assert_eq!(one["categorizations"].as_array().unwrap().len(), 1);
        assert_eq!(one["categorizations"][0]["id"], "t1");
        let many = json!({"transactions": [tx("a", "UBER TRIP"), tx("b", "NETFLIX.COM")]});
        let out = run(&task("categorize", many), &mut e, &r).unwrap();
        assert_eq!(out["categorizations"].as_array().unwrap().len(), 2);
        let bad = run(&task("categorize", json!([{"id": 1}])), &mut e, &r).unwrap_err();
        assert!(bad.0.starts_with("transaction 0:"), "{bad}");
    }

    #[test]
    fn redact_takes_text_or_json_and_unknown_intents_fail() {
        let r = Redactor::new();
        let mut e = Categorizer::new(Arc::new(InMemoryEngineState::new()));
        let text = run(&task("redact", json!("mail bob@example.com")), &mut e, &r).unwrap();
        assert!(!text["text"].as_str().unwrap().contains("bob@example.com"));
        assert_eq!(text["findings"], 1);
        let doc = run(&task("redact", json!({"password": "hunter2"})), &mut e, &r).unwrap();
        assert!(!doc.to_string().contains("hunter2"));
        let err = run(&task("summarize", json!({})), &mut e, &r).unwrap_err();
        assert!(err.0.contains("unknown intent \"summarize\""), "{err}");
    }

    #[test]
    fn feedback_is_stored_and_read_by_another_worker() {
        let r = Redactor::new();
        let state: Arc<dyn EngineStateStore> = Arc::new(InMemoryEngineState::new());
        let (mut one, mut two) = (Categorizer::new(state.clone()), Categorizer::new(state));
        let payload = json!({"transaction": tx("t1", "ZORBLAX GADGETS 991"), "category": "shopping.electronics"});
        let out = run(&task("feedback", payload), &mut one, &r).unwrap();
        assert_eq!(out, json!({"learned": true}));
        let got = run(
            &task("categorize", tx("t2", "ZORBLAX GADGETS 991")),
            &mut two,
            &r,
        )
        .unwrap();
        let c = &got["categorizations"][0]["categorization"];
        assert_eq!(c["category"], "shopping.electronics", "{got}");
        let unknown = run(
            &task(
                "feedback",
                json!({"transaction": tx("t", "X"), "category": "a.b"}),
            ),
            &mut one,
            &r,
        );
        assert!(unknown.unwrap_err().0.contains("a.b"));
        let bad = run(&task("feedback", json!({"category": "a.b"})), &mut one, &r).unwrap_err();
        assert!(bad.0.starts_with("feedback takes"), "{bad}");
    }
}
