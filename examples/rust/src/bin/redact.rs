//! Redacts a log line before it leaves the process, with reversible tokens: the card number,
//! email and phone number become `<CARD_1>`, `<EMAIL_1>`, `<PHONE_1>`; a reply that uses the
//! tokens (from a model, say) gets the original values back from the vault.
//!
//! `cargo run -p xspense-examples --bin redact`

use xspense::redact::{Operator, Redactor, TokenVault};

fn main() -> Result<(), xspense::Error> {
    let line =
        "refund failed: card 4111 1111 1111 1111, contact ana@example.com or +1 415 555 0132";

    let redactor = Redactor::builder().operator(Operator::Token).build()?;
    let mut vault = TokenVault::new();
    let out = redactor.redact_with(line, &mut vault);

    println!("original: {line}");
    println!("redacted: {}", out.text);
    for f in &out.findings {
        println!(
            "  {:<24} {:<8} confidence {:.2}",
            &line[f.start..f.end],
            f.detector,
            f.confidence
        );
    }
    assert_eq!(
        out.text,
        "refund failed: card <CARD_1>, contact <EMAIL_1> or <PHONE_1>"
    );

    // The redacted text can go to a log or a model; its reply comes back with the tokens.
    let reply = "Retried the refund to <CARD_1> and wrote to <EMAIL_1>.";
    let restored = vault.restore(reply);
    println!("reply:    {reply}");
    println!("restored: {restored}");
    assert_eq!(
        restored,
        "Retried the refund to 4111 1111 1111 1111 and wrote to ana@example.com."
    );
    Ok(())
}
