//! The rule parser on arbitrary text: no panic, and a rule that parses prints to text that
//! parses back to the same rule.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(rules) = xspense::rules::parse_rules(text, "f") {
        for r in rules {
            let printed = r.to_string();
            let back = xspense::rules::parse_rule(&printed, "unused", 1)
                .unwrap_or_else(|e| panic!("printed rule does not parse: {printed}: {e}"));
            assert_eq!(back, r, "{printed}");
        }
    }
});
