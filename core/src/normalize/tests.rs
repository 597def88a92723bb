use super::*;

fn key(s: &str) -> String {
    Normalizer::builtin().normalize(s).key.into_string()
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

#[test]
fn detail_keys_do_not_carry_dates_or_currency_clauses() {
    let n = Normalizer::builtin();
    let a = n.normalize("PINGO DOCE SA 4050 PORTO ON 22 FEB CLP");
    let b = n.normalize("PINGO DOCE SA 4050 PORTO ON 09 SEP CLP");
    assert_eq!(a.detail, b.detail);
    let fx = n.normalize(
        "CARD PAYMENT TO PINGO DOCE SA 4050 PORTO,12.71 GBP, RATE 1.00/GBP ON 04-10-2025",
    );
    assert_eq!(fx.key, "pingo doce");
    assert!(
        !fx.detail.as_str().contains("gbp") && !fx.detail.as_str().contains("rate"),
        "{}",
        fx.detail
    );
}

#[test]
fn person_to_person_payments_key_on_the_payee() {
    assert_eq!(
        key("ZELLE PAYMENT TO SARA MOORE JPM431364686"),
        "sara moore"
    );
    assert_eq!(key("VENMO *SARA MOORE 07/08"), "sara moore");
    // no payee named: the app is all there is
    assert_eq!(key("VENMO *PAYMENT 855-812-4430 NY"), "venmo");
}

#[test]
fn normalized_serializes_its_keys_as_strings() {
    let n = Normalizer::builtin().normalize("POS AMAZON.ES AMAZON.ES LUXEMBOURG 02/20 #5183");
    let json = serde_json::to_value(&n).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "key": n.key.as_str(),
            "display": n.display,
            "brand": n.brand,
            "detail": "≈amazon.es amazon.es luxembourg",
        })
    );
    assert_eq!(json["key"], "amazon");
    let back: Normalized = serde_json::from_value(json).unwrap();
    assert_eq!(back, n);
    // without a detail key, as hosts may send it
    let old: Normalized =
        serde_json::from_str(r#"{"key":"amazon","display":"Amazon","brand":true}"#).unwrap();
    assert_eq!((old.key.as_str(), old.detail.as_str()), ("amazon", ""));
}

#[test]
fn card_code_heads_and_sign_based_tails_are_not_the_merchant() {
    for d in [
        "C4 CARD 1234 JOES PIZZA BROOKLYN : Mobile Purchase Sign Based 12/03",
        "JOES PIZZA BROOKLYN NY : Mobile Purchase Sign Based On 12/03",
        "C5 DEBIT CARD JOES PIZZA",
        "Card purchase C4 JOES PIZZA",
        "JOES PIZZA",
    ] {
        assert_eq!(key(d), "joes pizza", "{d}");
    }
    // a colon that is part of a name stays
    assert!(
        key("RE:PUBLIC BAR").contains("public"),
        "{}",
        key("RE:PUBLIC BAR")
    );
}

#[test]
fn a_name_glued_to_a_code_keys_on_the_name() {
    assert_eq!(key("NYCTAXI5K88 BROOKLYN"), "nyctaxi");
    assert_eq!(key("NYCTAXI7G12 NEW YORK"), "nyctaxi");
    // short letter runs are codes, not names
    assert_ne!(key("AB12345 JOES PIZZA"), "ab");
}

#[test]
fn money_to_and_from_one_person_are_two_merchants() {
    let sent = key("Zelle payment to John Smith 12345");
    let received = key("Zelle payment from John Smith 12345");
    assert_eq!(sent, "john smith");
    assert_eq!(received, "from john smith");
    assert_eq!(key("CASH APP*JANE DOE*SENT"), "jane doe");
    assert_eq!(key("CASH APP*JANE DOE*RECEIVED"), "from jane doe");
    assert_eq!(key("Venmo payment from Jane Doe"), "from jane doe");
}

#[test]
fn ach_electronic_heads_keep_payees_apart() {
    let a = key("ACH Electronic Debit - PGANDE WEB ONLINE");
    let b = key("ACH Electronic Credit - GUSTO PAY 123456");
    let c = key("ACH Electronic Debit - CAPITAL ONE MOBILE PMT");
    assert!(a != b && b != c && a != c, "{a} {b} {c}");
    for k in [&a, &b, &c] {
        assert!(!k.contains("electronic"), "{k}");
    }
}

#[test]
fn an_email_address_is_never_part_of_a_key() {
    let n = Normalizer::builtin();
    let m = n.normalize("PAYPAL *VORPAL SUPPLIES john.doe@example.com");
    assert_eq!(m.key, "vorpal supplies");
    assert!(!m.display.to_lowercase().contains("doe"), "{}", m.display);
    assert!(!n
        .detail_key("VORPAL jane.roe+shop@mail.example.org")
        .as_str()
        .contains("roe"));
}
