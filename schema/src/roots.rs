//! The records the bindings exchange, collected into one JSON Schema.

use schemars::generate::SchemaSettings;
use schemars::{JsonSchema, SchemaGenerator};
use serde_json::{json, Map, Value};

/// Adds `T` (and everything it refers to) to the generator's definitions.
fn add<T: JsonSchema>(generator: &mut SchemaGenerator) {
    generator.subschema_for::<T>();
}

/// The JSON Schema (draft 2020-12) whose `$defs` hold every record the bindings accept or
/// return, in the shape the core reads (`deserialize` contract): a key that may be left out is
/// not `required`.
pub fn schema() -> Value {
    let mut generator = SchemaSettings::draft2020_12()
        .for_deserialize()
        .into_generator();
    add_records(&mut generator);
    let defs: Map<String, Value> = generator.take_definitions(true).into_iter().collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.invalid/xspense/records.schema.json",
        "title": "xspense records",
        "description": "Every record xspense's bindings accept or return, in the core's JSON shape (keys in snake_case).",
        "$defs": defs,
    })
}

fn add_records(g: &mut SchemaGenerator) {
    use xspense::{llm, model, normalize, pipeline, redact, rules, statement, store};
    // categorization
    add::<model::TransactionInput>(g);
    add::<model::LabelledInput>(g);
    add::<model::Transaction>(g);
    add::<pipeline::Decision>(g);
    add::<model::Categorization>(g);
    add::<llm::LlmRequest>(g);
    add::<llm::LlmAnswer>(g);
    add::<pipeline::EngineConfig>(g);
    add::<pipeline::Stats>(g);
    add::<normalize::Normalized>(g);
    add::<model::Category>(g);
    // rules and learning
    add::<rules::Rule>(g);
    add::<rules::MiningOptions>(g);
    add::<rules::RuleSuggestion>(g);
    add::<store::Change>(g);
    // redaction
    add::<redact::RedactorSpec>(g);
    add::<redact::Redacted>(g);
    add::<redact::RedactedJson>(g);
    // statements
    add::<statement::Hints>(g);
    add::<statement::Statement>(g);
    add::<statement::StatementTransaction>(g);
    add::<statement::Report>(g);
    // errors
    add::<xspense::ErrorCode>(g);
    add::<xspense::Position>(g);
    add_workers(g);
}

fn add_workers(g: &mut SchemaGenerator) {
    use xspense::{audit, envelope, limits, tasks};
    add::<tasks::Task>(g);
    add::<tasks::NewTask>(g);
    add::<tasks::TaskStatus>(g);
    add::<tasks::RetryPolicy>(g);
    add::<tasks::Enqueued>(g);
    add::<tasks::QueueStats>(g);
    add::<envelope::Envelope>(g);
    add::<envelope::Claims>(g);
    add::<limits::Quota>(g);
    add::<limits::Decision>(g);
    add::<audit::AuditEntry>(g);
}
