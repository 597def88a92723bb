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
