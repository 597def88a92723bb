//! Envelope token verification and webhook signature checks on arbitrary input: no panic, and
//! anything accepted must carry a message that validates.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use xspense::envelope::{verify_webhook, Verifier};

const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";

fuzz_target!(|data: &[u8]| {
    static V: OnceLock<Verifier> = OnceLock::new();
    let v = V.get_or_init(|| Verifier::new(&[KEY], &["fuzz"], "fuzz").unwrap());
    if let Ok(text) = std::str::from_utf8(data) {
        if let Ok(claims) = v.verify(text, 1_700_000_000_000) {
            claims.msg.validate().expect("accepted messages validate");
        }
        let (header, body) = text.split_once('\n').unwrap_or((text, ""));
        let _ = verify_webhook(KEY, header, body.as_bytes(), 1_700_000_000_000, 300_000);
    }
});
