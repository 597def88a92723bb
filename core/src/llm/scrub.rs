//! Redaction of the text that goes into LLM prompts.

use std::sync::OnceLock;

use crate::redact::Redactor;

/// The redactor used for prompts: every built-in detector, placeholders, the descriptor
/// allow-list (merchants' toll-free numbers stay; store numbers and amounts are never
/// findings), and a low confidence floor (0.3): a model does not need a bare run of ten digits
/// to categorize a purchase, so those go too even without a word such as `phone` nearby.
pub fn prompt_redactor() -> &'static Redactor {
    static R: OnceLock<Redactor> = OnceLock::new();
    R.get_or_init(|| {
        Redactor::builder()
            .for_descriptors()
            .min_confidence(0.3)
            .build()
            .expect("the prompt redactor settings are valid")
    })
}

/// Replaces card numbers, IBANs, SSNs, emails, phones, IP addresses and secrets with typed
/// placeholders, keeping store numbers, amounts and dates.
///
/// ```
/// assert_eq!(
///     xspense::llm::scrub("PAYPAL *JOHN john@x.com 4111 1111 1111 1111 #42 12.50"),
///     "PAYPAL *JOHN [EMAIL] [CARD] #42 12.50"
/// );
/// assert_eq!(
///     xspense::llm::scrub("ZELLE TO J SMITH 4155550132 AMZN 888-280-4331"),
///     "ZELLE TO J SMITH [PHONE] AMZN 888-280-4331"
/// );
/// ```
pub fn scrub(text: &str) -> String {
    prompt_redactor().redact(text).text
}

/// Longest run of digits an example's merchant name may hold to go out in a prompt
/// (`7 eleven`, `1800 flowers`); longer runs may be parts of account or card numbers.
const MAX_PROMPT_DIGIT_RUN: usize = 4;

/// The runs of letters and digits of `text`, in lower case.
pub(crate) fn lowercase_words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// The words of a merchant name (derived from the raw descriptor) that the scrubbed
/// descriptor still has, or `None` when none is left: what a prompt may name the merchant.
/// A name built from an e-mail address or a card number keeps nothing of it.
///
/// ```
/// use xspense::llm::{scrub, scrub_merchant};
/// let d = scrub("PAYPAL *VORPAL SUPPLIES john.doe@example.com");
/// assert_eq!(scrub_merchant("Vorpal Supplies John.doe Example", &d).as_deref(), Some("Vorpal Supplies"));
/// ```
pub fn scrub_merchant(merchant: &str, scrubbed_descriptor: &str) -> Option<String> {
    let descriptor: std::collections::HashSet<String> =
        lowercase_words(scrubbed_descriptor).collect();
    let kept: Vec<&str> = merchant
        .split_whitespace()
        .filter(|w| lowercase_words(w).all(|part| descriptor.contains(&part)))
        .collect();
    (!kept.is_empty()).then(|| kept.join(" "))
}

/// Whether a learned merchant name may go out in a prompt as an example: plain words
/// (letters, digit runs of at most four, spaces, `&`, `'`, `-`; no dots, `@` or
/// placeholders).
pub fn is_plain_name(name: &str) -> bool {
    let mut digits = 0;
    for c in name.chars() {
        digits = if c.is_ascii_digit() { digits + 1 } else { 0 };
        let allowed = c.is_alphanumeric() || matches!(c, ' ' | '&' | '\'' | '-');
        if !allowed || digits > MAX_PROMPT_DIGIT_RUN {
            return false;
        }
    }
    !name.trim().is_empty()
}
