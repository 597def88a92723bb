//! `redact_json` on arbitrary JSON: no panic, every finding's path resolves to a string or
//! number of the input and its span lies inside that string.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use xspense::redact::Redactor;

fuzz_target!(|data: &[u8]| {
    static R: OnceLock<Redactor> = OnceLock::new();
    let r = R.get_or_init(Redactor::new);
    let Ok(doc) = serde_json::from_slice::<Value>(data) else {
        return;
    };
    let out = r.redact_json(&doc);
    for f in &out.findings {
        match doc.pointer(&f.path) {
            Some(Value::String(s)) => {
                assert!(f.finding.end <= s.len() && f.finding.start < f.finding.end)
            }
            Some(Value::Number(_)) => {}
            other => panic!("finding path {} points at {other:?}", f.path),
        }
    }
});
