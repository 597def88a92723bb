//! The audit-log checks both stores share: what a chain written by the stores' test reads back
//! as (each store writes it with its own `NewAuditEntry` and reopens its log first).

use xspense::audit::{verify, AuditEntry};

/// After five entries for `alice` (subjects `tx-0`..`tx-4`, a card number in `new.note`) and
/// one for `bob`: `entries` (a tenant's chain as the store reads it) holds them in order, the
/// core's verifier and the store's (`verified`: how many entries it checked) accept alice's
/// chain, values were redacted before they were stored, and each tenant's chain holds only
/// its entries and starts at 0.
pub fn the_chain_reads_back_and_verifies_with_the_core(
    entries: &dyn Fn(&str) -> Vec<AuditEntry>,
    verified: &dyn Fn(&str) -> usize,
) {
    let alice = entries("alice");
    assert_eq!(alice.len(), 5);
    verify(&alice).unwrap();
    assert_eq!(verified("alice"), 5);
    assert!(
        alice[0].new.as_ref().unwrap()["note"]
            .as_str()
            .unwrap()
            .contains("[CARD]"),
        "values are redacted before they are stored"
    );
    // a tenant's chain holds only its entries and starts at 0
    let bob = entries("bob");
    assert_eq!(
        (bob.len(), bob[0].seq, bob[0].tenant.as_str()),
        (1, 0, "bob")
    );
    assert!(entries("carol").is_empty());
}
