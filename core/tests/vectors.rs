//! Runs the shared JSON test vectors (tests/vectors) against the Rust API.

use serde_json::Value;
use xspense::{Currency, Decision, Direction, Engine, Money, Transaction};

fn load(name: &str) -> Vec<Value> {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn tx(id: usize, v: &Value) -> Transaction {
    let usd = Currency::new("USD").unwrap();
    Transaction {
        id: format!("t{id}"),
        tenant: "vectors".into(),
        descriptor: v["descriptor"].as_str().unwrap().into(),
        merchant: None,
        amount: Money::parse(v["amount"].as_str().unwrap_or("1.00"), usd).unwrap(),
        direction: if v["direction"] == "credit" {
            Direction::Credit
        } else {
            Direction::Debit
        },
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        account: None,
        mcc: v["mcc"].as_u64().map(|m| m as u16),
        bank_category: None,
    }
}

#[test]
fn categorize_vectors() {
    for case in load("categorize.json") {
        let name = case["name"].as_str().unwrap();
        let mut e = Engine::new();
        e.add_rules("vectors", case["rules"].as_str().unwrap())
            .unwrap();
        for (i, f) in case["feedback"].as_array().unwrap().iter().enumerate() {
            e.feedback(&tx(i, f), f["category"].as_str().unwrap())
                .unwrap();
        }
        let d = e.categorize(&tx(999, &case["transaction"])).unwrap();
        let exp = &case["expect"];
        match (&d, exp["decision"].as_str().unwrap()) {
            (Decision::Categorized(c), "categorized") => {
                assert_eq!(c.category, exp["category"].as_str().unwrap(), "{name}");
                assert_eq!(c.source.as_str(), exp["source"].as_str().unwrap(), "{name}");
                if let Some(k) = exp["merchant_key"].as_str() {
                    assert_eq!(c.merchant_key, k, "{name}");
                }
            }
            (Decision::NeedsLlm(r), "needs_llm") => {
                if let Some(k) = exp["merchant_key"].as_str() {
                    assert_eq!(r.merchant_key, k, "{name}");
                }
            }
            (d, want) => panic!("{name}: expected {want}, got {d:?}"),
        }
    }
}

#[test]
fn rule_error_vectors() {
    for case in load("rule_errors.json") {
        let mut e = Engine::new();
        let err = e
            .add_rules("vectors", case["rules"].as_str().unwrap())
            .unwrap_err();
        assert_eq!(
            err.code().as_str(),
            case["code"].as_str().unwrap(),
            "{case}"
        );
        if let (Some(line), xspense::Error::Parse { position, .. }) = (case["line"].as_u64(), &err)
        {
            assert_eq!(position.line as u64, line, "{case}");
            assert_eq!(
                position.column as u64,
                case["column"].as_u64().unwrap(),
                "{case}"
            );
        }
        assert!(e.rules("vectors").is_empty(), "nothing added on error");
    }
}

#[test]
fn llm_answer_vectors() {
    let mut e = Engine::new();
    let t = tx(
        1,
        &serde_json::json!({"descriptor": "ODD SHOP 42", "amount": "3.00"}),
    );
    let Decision::NeedsLlm(req) = e.categorize(&t).unwrap() else {
        panic!("expected an LLM request")
    };
    for case in load("llm_answers.json") {
        let mut fresh = e.clone();
        let got = fresh.resolve(&req, case["answer"].as_str().unwrap());
        if case["ok"].as_bool().unwrap() {
            assert_eq!(
                got.unwrap().category,
                case["category"].as_str().unwrap(),
                "{case}"
            );
        } else {
            assert_eq!(got.unwrap_err().code().as_str(), "invalid_answer", "{case}");
        }
    }
}

#[test]
fn redact_vectors() {
    use xspense::redact::{Operator, Redactor};
    for v in load("redact.json") {
        let name = v["name"].as_str().unwrap();
        let mode: Operator = v["mode"].as_str().unwrap().parse().unwrap();
        let r = Redactor::builder().operator(mode).build().unwrap();
        let out = r.redact(v["text"].as_str().unwrap());
        assert_eq!(out.text, v["expect"].as_str().unwrap(), "{name}");
        let kinds: Vec<String> = out.findings.iter().map(|f| f.kind.to_string()).collect();
        let want: Vec<String> = v["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap().to_string())
            .collect();
        assert_eq!(kinds, want, "{name}");
    }
}

#[test]
fn suggest_vectors() {
    use xspense::rules::{Labelled, MiningOptions};
    for case in load("suggest.json") {
        let name = case["name"].as_str().unwrap();
        let mut e = Engine::new();
        e.add_rules("vectors", case["rules"].as_str().unwrap())
            .unwrap();
        let history: Vec<Labelled> = case["history"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, h)| Labelled {
                transaction: tx(i, h),
                category: h["category"].as_str().unwrap().into(),
            })
            .collect();
        let options: MiningOptions = serde_json::from_value(case["options"].clone()).unwrap();
        let got = e.suggest_rules("vectors", &history, &options).unwrap();
        let want = case["expect"].as_array().unwrap();
        assert_eq!(got.len(), want.len(), "{name}: {got:#?}");
        for (g, w) in got.iter().zip(want) {
            assert_eq!(g.text, w["text"].as_str().unwrap(), "{name}");
            let figures = serde_json::to_value(g).unwrap();
            for key in [
                "category",
                "support",
                "matched",
                "precision",
                "coverage",
                "new_rows",
                "merchants",
                "conflicts",
                "conflicting_rules",
            ] {
                assert_eq!(figures[key], w[key], "{name}: {key}");
            }
        }
    }
}

#[test]
fn transaction_input_vectors() {
    use xspense::model::TransactionInput;
    for case in load("transaction_inputs.json") {
        let name = case["name"].as_str().unwrap();
        let parsed = TransactionInput::from_json(case["input"].clone())
            .and_then(|t| t.into_transaction("0"));
        match (&parsed, case.get("expect"), case.get("error")) {
            (Ok(tx), Some(expect), None) => {
                assert_eq!(&serde_json::to_value(tx).unwrap(), expect, "{name}");
            }
            (Err(e), None, Some(error)) => {
                assert_eq!(e.code().as_str(), error["code"], "{name}: {e}");
                let needle = error["contains"].as_str().unwrap();
                assert!(
                    e.to_string().contains(needle),
                    "{name}: {e:?} lacks {needle:?}"
                );
            }
            (got, _, _) => panic!("{name}: unexpected {got:?}"),
        }
    }
}

/// `statements.json`: exports (text, or base64 for bytes that are not UTF-8) read with their
/// hints give exactly these transactions and report fields, or this error.
#[test]
fn statement_vectors() {
    use base64::Engine as _;
    use xspense::statement::{read_statement, Hints};
    for case in load("statements.json") {
        let name = case["name"].as_str().unwrap();
        let bytes = match (case["text"].as_str(), case["base64"].as_str()) {
            (Some(t), _) => t.as_bytes().to_vec(),
            (None, Some(b)) => base64::engine::general_purpose::STANDARD.decode(b).unwrap(),
            _ => panic!("{name}: no text or base64"),
        };
        let hints: Hints = serde_json::from_value(case["hints"].clone()).unwrap();
        let got = read_statement(&bytes, &hints);
        if let Some(err) = case.get("error") {
            let e = got.expect_err(name);
            assert_eq!(e.code().as_str(), err["code"].as_str().unwrap(), "{name}");
            assert!(
                e.to_string().contains(err["contains"].as_str().unwrap()),
                "{name}: {e}"
            );
            if let Some(absent) = err["not_contains"].as_str() {
                assert!(!e.to_string().contains(absent), "{name}: {e}");
            }
            continue;
        }
        let got = got.unwrap_or_else(|e| panic!("{name}: {e}"));
        let want = &case["expect"];
        let txs: Vec<Value> = got
            .transactions
            .iter()
            .map(|t| {
                serde_json::json!({"row": t.row, "date": t.date.to_string(), "amount": t.amount_text(),
                    "currency": t.currency.as_str(), "description": t.description, "memo": t.memo,
                    "bank_category": t.bank_category, "pending": t.pending, "id": t.id, "mcc": t.mcc})
            })
            .collect();
        assert_eq!(Value::from(txs), want["transactions"], "{name}");
        let r = serde_json::to_value(&got.report).unwrap();
        let report = serde_json::json!({
            "format": r["format"], "encoding": r["encoding"]["value"], "delimiter": r["delimiter"],
            "header_row": r["header_row"], "date_order": r["date_order"]["value"],
            "date_order_by": r["date_order"]["by"], "decimal": r["decimal"]["value"],
            "sign": r["sign"]["value"], "currency": r["currency"]["value"], "skipped": r["skipped"],
        });
        assert_eq!(report, want["report"], "{name}");
    }
}

/// `semantic_supplied.json`: an engine with supplied vectors lists the texts it needs (the
/// tenant's merchants learned without a vector and the transaction's), decides without the
/// semantic stages before the vectors come, and by the tenant's closest merchant after.
#[test]
fn semantic_supplied_vectors() {
    fn semantic_step(d: &Decision) -> Option<String> {
        d.categorization()?
            .trace
            .iter()
            .find(|s| s.stage == "semantic")
            .map(|s| s.detail.clone())
    }
    for case in load("semantic_supplied.json") {
        let name = case["name"].as_str().unwrap();
        let dim = case["dim"].as_u64().unwrap() as usize;
        let mut e = Engine::new().with_supplied_vectors(dim).unwrap();
        for (i, f) in case["feedback"].as_array().unwrap().iter().enumerate() {
            e.feedback(&tx(i, f), f["category"].as_str().unwrap())
                .unwrap();
        }
        let t = tx(999, &case["transaction"]);
        let texts = e.semantic_texts(std::slice::from_ref(&t));
        for want in case["listed"].as_array().unwrap() {
            assert!(
                texts.iter().any(|t| t == want.as_str().unwrap()),
                "{name}: {want}"
            );
        }
        let before = e.categorize(&t).unwrap();
        assert_eq!(semantic_step(&before), None, "{name}");
        let decision = match before {
            Decision::Categorized(_) => "categorized",
            Decision::NeedsLlm(_) => "needs_llm",
        };
        assert_eq!(
            decision,
            case["expect_without_vectors"]["decision"].as_str().unwrap(),
            "{name}"
        );
        let table = case["vectors"].as_object().unwrap();
        let (known, vectors): (Vec<String>, Vec<Vec<f32>>) = texts
            .iter()
            .filter_map(|text| {
                let v = table.get(text)?.as_array()?;
                Some((
                    text.clone(),
                    v.iter().map(|x| x.as_f64().unwrap() as f32).collect(),
                ))
            })
            .unzip();
        assert_eq!(
            known.len(),
            table.len(),
            "{name}: every vector was asked for"
        );
        e.supply_semantic_vectors(&known, &vectors).unwrap();
        let after = e.categorize(&t).unwrap();
        let exp = &case["expect"];
        let c = after.categorization().unwrap();
        assert_eq!(
            c.category,
            exp["category"].as_str().unwrap(),
            "{name}: {c:#?}"
        );
        assert_eq!(c.source.as_str(), exp["source"].as_str().unwrap(), "{name}");
        let step = semantic_step(&after).unwrap_or_default();
        assert!(
            step.contains(exp["semantic_step"].as_str().unwrap()),
            "{name}: {step}"
        );
    }
}

/// `replay.json`: a tenant that taught the engine how it names a built-in category decides the
/// same in an engine that replayed its change events (through JSON, as a host stores them) and
/// in one that imported its snapshot.
#[test]
fn replay_vectors() {
    for case in load("replay.json") {
        let name = case["name"].as_str().unwrap();
        let mut e = Engine::new();
        for c in case["categories"].as_array().unwrap() {
            let (id, label) = (c["id"].as_str().unwrap(), c["name"].as_str().unwrap());
            e.add_category("vectors", id, label, None).unwrap();
        }
        for (i, f) in case["feedback"].as_array().unwrap().iter().enumerate() {
            e.feedback(&tx(i, f), f["category"].as_str().unwrap())
                .unwrap();
        }
        let changes = e.drain_changes();
        let stored = serde_json::to_string(&changes).unwrap();
        let exp = &case["expect"];
        let voted = changes
            .iter()
            .filter(|c| matches!(c, xspense::store::Change::LabelVoted { .. }))
            .count();
        assert_eq!(voted as u64, exp["label_voted"].as_u64().unwrap(), "{name}");
        let mut replayed = Engine::new();
        replayed
            .apply_changes(&serde_json::from_str::<Vec<_>>(&stored).unwrap())
            .unwrap();
        let mut imported = Engine::new();
        imported
            .import_snapshot(&e.export_snapshot(None).unwrap())
            .unwrap();
        let t = tx(999, &case["transaction"]);
        for (engine, how) in [
            (&mut e, "learned"),
            (&mut replayed, "replayed"),
            (&mut imported, "imported"),
        ] {
            let d = engine.categorize(&t).unwrap();
            let c = d.categorization().unwrap();
            assert_eq!(
                c.category,
                exp["category"].as_str().unwrap(),
                "{name}: {how}"
            );
            assert_eq!(
                c.source.as_str(),
                exp["source"].as_str().unwrap(),
                "{name}: {how}"
            );
        }
    }
}
