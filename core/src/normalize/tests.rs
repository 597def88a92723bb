use super::*;

fn key(s: &str) -> String {
    Normalizer::builtin().normalize(s).key
}

#[test]
fn strips_processor_prefixes_and_tails() {
    assert_eq!(key("SQ *BLUE BOTTLE 0042 OAKLAND CA"), "blue bottle");
    assert_eq!(key("TST* JOE'S PIZZA 123 BROOKLYN NY"), "joe's pizza");
    assert_eq!(key("PAYPAL *NETFLIX.COM 4029357733 CA"), "netflix");
}

#[test]
fn brands_win_over_branches() {
    let n = Normalizer::builtin();
    let a = n.normalize("STARBUCKS STORE 12345 SEATTLE WA");
    let b = n.normalize("Starbucks Dxb Mal 3c DUBAI");
    assert_eq!(a.key, b.key);
    assert!(a.brand);
    assert_eq!(a.display, "Starbucks");
}

#[test]
fn never_empty() {
    for s in ["", "   ", "1234 5678", "****", "POS", "#1234"] {
        assert!(!key(s).is_empty(), "{s:?}");
    }
}

#[test]
fn keeps_leading_numbers_that_are_names() {
    assert_eq!(key("99 RANCH MARKET 1234 SAN JOSE CA"), "99 ranch market");
}

#[test]
fn display_is_title_case_for_unknown_merchants() {
    let n = Normalizer::builtin().normalize("DEBIT CARD PURCHASE TARTINE BAKERY SAN FRANCISCO CA");
    assert_eq!(n.display, "Tartine Bakery");
    assert!(!n.brand);
}
