//! The committed schema and declarations are what the core's types generate.

#[test]
fn committed_declarations_are_up_to_date() {
    let stale = xspense_schema::stale(&xspense_schema::repo_root());
    assert!(
        stale.is_empty(),
        "out of date: {stale:?}; run `cargo run -p xspense-schema -- write` and commit the result"
    );
}

#[test]
fn every_record_the_bindings_exchange_is_defined() {
    let schema = xspense_schema::schema();
    let defs = schema["$defs"].as_object().unwrap();
    for name in [
        "TransactionInput",
        "Decision",
        "Categorization",
        "LlmRequest",
        "EngineConfig",
        "Stats",
        "Rule",
        "MiningOptions",
        "RuleSuggestion",
        "Change",
        "RedactorSpec",
        "ErrorCode",
        // named by the JavaScript packages' signatures (index.d.ts, the wasm .d.ts)
        "Transaction",
        "LabelledInput",
        "Normalized",
        "Category",
        "Finding",
        "JsonFinding",
        "Redacted",
        "RedactedJson",
        "Task",
        "NewTask",
        "TaskStatus",
        "Enqueued",
        "QueueStats",
        "RetryPolicy",
        "Envelope",
        "Claims",
        "RateDecision",
        "AuditEntry",
        "AuditAction",
    ] {
        assert!(defs.contains_key(name), "{name} missing from the schema");
    }
}

#[test]
fn transaction_input_refuses_unknown_keys_and_needs_its_core_fields() {
    let schema = xspense_schema::schema();
    let t = &schema["$defs"]["TransactionInput"];
    assert_eq!(t["additionalProperties"], false);
    let required: Vec<&str> = t["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(required, ["descriptor", "date"]);
}

#[test]
fn doc_text_drops_rust_examples_and_links() {
    let ts = xspense_schema::typescript::declarations(&xspense_schema::schema());
    assert!(
        !ts.contains("```"),
        "a Rust code block leaked into the declarations"
    );
    assert!(
        !ts.contains("[`"),
        "an intra-doc link leaked into the declarations"
    );
}
