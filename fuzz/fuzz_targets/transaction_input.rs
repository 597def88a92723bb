//! Transactions as hosts write them: `model::TransactionInput::from_json` and
//! `into_transaction` on any JSON value, `model::transactions_from_json` on any JSON list. No
//! panic; every refusal is `invalid_input`; an accepted transaction validates, comes back the
//! same through `TransactionInput::from` and its JSON, and categorizes; a batch is accepted
//! exactly when each of its items is, with ids defaulting to positions.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use xspense::model::{transactions_from_json, TransactionInput};
use xspense::{ErrorCode, Transaction};

fn one(value: Value, default_id: &str) -> Result<Transaction, xspense::Error> {
    TransactionInput::from_json(value).and_then(|t| t.into_transaction(default_id))
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    if let Value::Array(items) = &value {
        let singles: Vec<_> = items
            .iter()
            .enumerate()
            .map(|(i, v)| one(v.clone(), &i.to_string()))
            .collect();
        match transactions_from_json(items.clone()) {
            Ok(txs) => {
                assert_eq!(txs.len(), items.len());
                for (tx, single) in txs.iter().zip(&singles) {
                    assert_eq!(Some(tx), single.as_ref().ok(), "batch and single differ");
                }
            }
            Err(e) => {
                common::expect_code(&e, &[ErrorCode::InvalidInput], "transactions_from_json");
                let first = singles.iter().position(Result::is_err);
                let first = first.expect("a refused batch has a refused item");
                assert!(
                    e.to_string()
                        .contains(&format!("transaction #{first} in batch")),
                    "{e}"
                );
            }
        }
        return;
    }
    match one(value, "0") {
        Err(e) => common::expect_code(&e, &[ErrorCode::InvalidInput], "transaction input"),
        Ok(tx) => {
            tx.validate().expect("an accepted transaction validates");
            let input = TransactionInput::from(tx.clone());
            assert_eq!(input.clone().into_transaction("other").unwrap(), tx);
            let json = serde_json::to_value(&input).expect("an input serializes");
            assert_eq!(one(json, "other").unwrap(), tx, "JSON round trip");
            let mut engine = common::engine();
            common::categorize_ok(&mut engine, &tx);
        }
    }
});
