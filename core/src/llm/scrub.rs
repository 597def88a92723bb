//! A minimal scrubber for LLM prompts: emails, long digit runs (card, account and phone
//! numbers) and URLs with query strings are replaced by placeholders. The full redaction module
//! will take its place.

use std::sync::OnceLock;

use regex::Regex;

fn patterns() -> &'static [(Regex, &'static str)] {
    static P: OnceLock<Vec<(Regex, &'static str)>> = OnceLock::new();
    P.get_or_init(|| {
        vec![
            (
                Regex::new(r"(?i)[a-z0-9._%+\-]+@[a-z0-9.\-]+\.[a-z]{2,}").expect("email"),
                "[EMAIL]",
            ),
            (Regex::new(r"(?i)https?://\S+\?\S*").expect("url"), "[URL]"),
            // 6+ digits, possibly grouped by spaces or dashes: cards, accounts, phones.
            (
                Regex::new(r"\+?\d(?:[\s\-]?\d){5,}").expect("digits"),
                "[NUMBER]",
            ),
        ]
    })
}

/// Replaces emails, URLs with query strings and digit runs of six or more with placeholders.
///
/// ```
/// assert_eq!(
///     xspense::llm::scrub("PAYPAL *JOHN john@x.com 4111 1111 1111 1111 #42"),
///     "PAYPAL *JOHN [EMAIL] [NUMBER] #42"
/// );
/// ```
pub fn scrub(text: &str) -> String {
    let mut s = text.to_string();
    for (re, rep) in patterns() {
        s = re.replace_all(&s, *rep).into_owned();
    }
    s
}
