//! `Engine::apply_changes` on arbitrary JSON change lists, over an engine that already holds a
//! tenant with categories, rules and aliases. No panic; a refused list is `invalid_input` and
//! changes nothing; an accepted list is not recorded again, gives the same state applied one
//! change at a time, gives a state whose snapshot imports back to the same state, and every
//! tenant it touched categorizes.
#![no_main]

mod common;

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use xspense::store::Change;
use xspense::{Engine, ErrorCode};

fn base() -> Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| {
        let mut e = Engine::new();
        e.add_category("ana", "pets", "Pets", None).unwrap();
        e.add_category("ana", "pets.vet", "Vet", Some("pets"))
            .unwrap();
        e.add_rules(
            "ana",
            "rule vet: merchant contains \"vet\" => pets.vet\n\
             rule big: amount > 500 and direction = debit => tag \"big\" priority 2",
        )
        .unwrap();
        for (d, c) in [
            ("SQ *BLUE BOTTLE 0042 OAKLAND CA", "food.coffee"),
            ("PAWS ANIMAL HOSPITAL", "pets.vet"),
            ("PAWS ANIMAL HOSPITAL", "pets"),
        ] {
            e.feedback(&common::transaction("ana", d, 2500), c).unwrap();
        }
        e.drain_changes();
        e
    })
    .clone()
}

fuzz_target!(|data: &[u8]| {
    let Ok(value) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let changes: Vec<Change> = match value {
        Value::Array(_) => match serde_json::from_value(value) {
            Ok(c) => c,
            Err(_) => return,
        },
        other => match serde_json::from_value(other) {
            Ok(c) => vec![c],
            Err(_) => return,
        },
    };
    let mut engine = base();
    let before = common::state(&engine);
    match engine.apply_changes(&changes) {
        Err(e) => {
            common::expect_code(&e, &[ErrorCode::InvalidInput], "apply_changes");
            assert_eq!(
                common::state(&engine),
                before,
                "a refused change list changed state"
            );
        }
        Ok(()) => {
            assert!(
                engine.drain_changes().is_empty(),
                "replayed changes were recorded"
            );
            let after = common::state(&engine);
            let mut stepwise = base();
            for (i, c) in changes.iter().enumerate() {
                stepwise
                    .apply_changes(std::slice::from_ref(c))
                    .unwrap_or_else(|e| panic!("change #{i} refused alone: {e}"));
            }
            assert_eq!(common::state(&stepwise), after, "one at a time differs");
            let mut imported = Engine::new();
            imported
                .import_snapshot(&after)
                .unwrap_or_else(|e| panic!("the state's snapshot does not import: {e}"));
            assert_eq!(common::state(&imported), after, "snapshot round trip");
            let mut tenants: Vec<&str> = changes.iter().map(Change::tenant).collect();
            tenants.sort();
            tenants.dedup();
            for t in tenants.into_iter().take(4) {
                for d in ["PAWS ANIMAL HOSPITAL", "SQ *BLUE BOTTLE 0042 OAKLAND CA", t] {
                    common::categorize_ok(&mut engine, &common::transaction(t, d, 2500));
                }
            }
        }
    }
});
