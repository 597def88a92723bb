//! Rules from their JSON form (one rule or a list): no panic; a rule that parses serializes to
//! JSON that parses back to the same rule, prints to rule text that parses back to the same
//! rule, and is added by `Engine::add_rule_list` or refused with a typed error that changes
//! nothing; an engine that took the rules categorizes.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use xspense::rules::{parse_rule, Expr, Scalar};
use xspense::{ErrorCode, Rule};

/// Text values of the rule's conditions, to build transactions the rule is about.
fn texts(e: &Expr, out: &mut Vec<String>) {
    match e {
        Expr::All(xs) | Expr::Any(xs) => xs.iter().for_each(|x| texts(x, out)),
        Expr::Not(x) => texts(x, out),
        Expr::Cond(c) => out.extend(c.values.iter().filter_map(|v| match v {
            Scalar::Text(s) => Some(s.clone()),
            _ => None,
        })),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let rules: Vec<Rule> = match value {
        Value::Array(_) => match serde_json::from_value(value) {
            Ok(r) => r,
            Err(_) => return,
        },
        other => match serde_json::from_value(other) {
            Ok(r) => vec![r],
            Err(_) => return,
        },
    };
    for r in &rules {
        r.validate().expect("a rule read from JSON validates");
        let json = serde_json::to_string(r).expect("a rule serializes");
        let back: Rule = serde_json::from_str(&json)
            .unwrap_or_else(|e| panic!("a rule's JSON does not parse back: {json}: {e}"));
        assert_eq!(&back, r, "JSON round trip: {json}");
        let printed = r.to_string();
        let parsed = parse_rule(&printed, "unused", 1)
            .unwrap_or_else(|e| panic!("a JSON rule's text does not parse: {printed}: {e}"));
        assert_eq!(&parsed, r, "text round trip: {printed}");
    }
    let mut engine = common::engine();
    let before = common::state(&engine);
    match engine.add_rule_list("t", rules.clone()) {
        Err(e) => {
            common::expect_code(
                &e,
                &[
                    ErrorCode::InvalidInput,
                    ErrorCode::NotFound,
                    ErrorCode::Conflict,
                ],
                "add_rule_list",
            );
            assert_eq!(
                common::state(&engine),
                before,
                "a refused rule list changed state"
            );
        }
        Ok(ids) => {
            assert_eq!(ids.len(), rules.len());
            assert_eq!(engine.rules("t"), rules);
            let mut words = Vec::new();
            for r in rules.iter().take(8) {
                texts(&r.when, &mut words);
            }
            words.truncate(8);
            words.push(String::new());
            for w in &words {
                common::categorize_ok(&mut engine, &common::transaction("t", w, 475));
            }
        }
    }
});
