//! `redact` on arbitrary text: no panic, findings ordered and inside the input on character
//! boundaries, output exactly as long as the replacements make it, tokens restore.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use xspense::redact::{Operator, Redactor, TokenVault};

fn redactors() -> &'static (Redactor, Redactor) {
    static R: OnceLock<(Redactor, Redactor)> = OnceLock::new();
    R.get_or_init(|| {
        (
            Redactor::new(),
            Redactor::builder()
                .operator(Operator::Token)
                .build()
                .unwrap(),
        )
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let (plain, token) = redactors();
    let out = plain.redact(text);
    let mut removed = 0;
    let mut added = 0;
    let mut last_end = 0;
    for f in &out.findings {
        assert!(f.start >= last_end, "findings overlap or are out of order");
        assert!(
            f.start < f.end && f.end <= text.len(),
            "finding outside the input"
        );
        assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
        last_end = f.end;
        removed += f.end - f.start;
        added += f.kind.label().len() + 2;
    }
    assert_eq!(
        out.text.len(),
        text.len() - removed + added,
        "output longer than needed"
    );
    if !text.contains('<') {
        let mut vault = TokenVault::new();
        let t = token.redact_with(text, &mut vault);
        assert_eq!(vault.restore(&t.text), text);
    }
});
