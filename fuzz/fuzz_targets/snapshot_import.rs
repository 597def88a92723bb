//! `Engine::import_snapshot` on arbitrary text, and on arbitrary payloads wrapped with a valid
//! checksum (so the fuzzer gets past it): no panic; a sealed payload decodes to itself; a
//! refusal is `corrupt_snapshot` and changes nothing; an accepted snapshot gives a state that
//! exports, imports again to the same state and categorizes.
#![no_main]

mod common;

use libfuzzer_sys::fuzz_target;
use xspense::store::snapshot::{self, SnapshotPayload};
use xspense::ErrorCode;

fn import(text: &str) {
    let mut engine = common::engine();
    // an existing tenant that a refused import must leave as it was
    engine
        .add_rules("keep", r#"merchant contains "blue bottle" => food.coffee"#)
        .unwrap();
    let before = common::state(&engine);
    match engine.import_snapshot(text) {
        Err(e) => {
            common::expect_code(&e, &[ErrorCode::CorruptSnapshot], "import_snapshot");
            assert_eq!(
                common::state(&engine),
                before,
                "a refused import changed state"
            );
        }
        Ok(tenants) => {
            let exported = common::state(&engine);
            let mut again = common::engine();
            let back = again
                .import_snapshot(&exported)
                .unwrap_or_else(|e| panic!("an exported snapshot does not import: {e}"));
            assert_eq!(common::state(&again), exported, "snapshot round trip");
            let mut expected = engine.tenants();
            expected.sort();
            assert_eq!(back, expected);
            for t in tenants.iter().take(4) {
                for d in ["SQ *BLUE BOTTLE 0042 OAKLAND CA", "AMAZON MKTPLACE PMTS", t] {
                    common::categorize_ok(&mut engine, &common::transaction(t, d, 475));
                }
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    import(text);
    // the same bytes as a payload, sealed with its checksum: it decodes to itself exactly
    if let Ok(payload) = serde_json::from_str::<SnapshotPayload>(text) {
        let sealed = snapshot::encode(&payload).expect("a parsed payload encodes");
        let decoded = snapshot::decode(&sealed)
            .unwrap_or_else(|e| panic!("an encoded payload does not decode: {e}: {sealed}"));
        assert_eq!(decoded, payload, "encode/decode round trip");
        import(&sealed);
    }
});
