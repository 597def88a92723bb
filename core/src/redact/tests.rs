use super::*;
use serde_json::json;

#[test]
fn builtin_secret_data_loads_and_every_regex_compiles() {
    let r = Redactor::new();
    assert!(r.detector_ids().len() > 200);
    assert_eq!(r.warm_up(), Vec::<(String, String)>::new());
}

#[test]
fn operators_replace_as_documented() {
    let text = "pay 4111 1111 1111 1111 now";
    let with = |op: Operator| {
        Redactor::builder()
            .operator(op)
            .hash_key("k")
            .build()
            .unwrap()
            .redact(text)
            .text
    };
    assert_eq!(with(Operator::Placeholder), "pay [CARD] now");
    assert_eq!(with(Operator::Mask), "pay **** **** **** 1111 now");
    assert_eq!(with(Operator::Remove), "pay  now");
    assert_eq!(with(Operator::Token), "pay <CARD_1> now");
    let h = with(Operator::Hash);
    assert!(h.starts_with("pay [CARD:") && h.ends_with("] now"), "{h}");
}

#[test]
fn hash_needs_a_key_and_confidence_must_be_a_probability() {
    let e = Redactor::builder()
        .operator(Operator::Hash)
        .build()
        .unwrap_err();
    assert_eq!(e.code().as_str(), "invalid_input");
    let e = Redactor::builder().min_confidence(1.5).build().unwrap_err();
    assert_eq!(e.code().as_str(), "invalid_input");
}

#[test]
fn provider_keys_and_tokens_are_found() {
    let r = Redactor::new();
    let cases = [
        ("STRIPE_KEY=sk_live_4eC39HqLyjWDarjtT1zdp7dc", "stripe-access-token"),
        ("aws_access_key_id = AKIAQWERTYUIOPASDFGH", "aws-access-token"),
        ("token: ghp_1aBcD2eFgH3iJkL4mNoP5qRsT6uVwX7yZ8a9", "github-pat"),
        (
            "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
            "jwt",
        ),
    ];
    for (text, detector) in cases {
        let f = r.find(text);
        assert!(f.iter().any(|x| x.detector == detector), "{text}: {f:?}");
    }
}

#[test]
fn allow_lists_keep_values() {
    let r = Redactor::builder()
        .allow_value("ana@example.com")
        .for_descriptors()
        .build()
        .unwrap();
    assert_eq!(
        r.redact("AMZN MKTP US 888-280-4331 WA ana@example.com bob@example.com")
            .text,
        "AMZN MKTP US 888-280-4331 WA ana@example.com [EMAIL]"
    );
}

#[test]
fn disabled_kinds_are_not_reported() {
    let r = Redactor::builder().disable(PiiKind::Email).build().unwrap();
    assert_eq!(r.redact("ana@example.com").text, "ana@example.com");
}

#[test]
fn custom_detector_errors_are_typed() {
    let bad = DetectorSpec {
        id: "x".into(),
        kind: PiiKind::parse("EMPLOYEE_ID").unwrap(),
        regex: "(unclosed".into(),
        keywords: vec![],
        entropy: None,
        secret_group: None,
        validator: None,
        confidence: None,
        allowlists: vec![],
    };
    let e = Redactor::builder().detector(bad).build().unwrap_err();
    assert_eq!(e.code().as_str(), "invalid_input");
    assert!(PiiKind::parse("lower").is_err());
}

#[test]
fn json_key_names_and_paths() {
    let r = Redactor::builder()
        .operator(Operator::Token)
        .build()
        .unwrap();
    let mut vault = TokenVault::new();
    let out = r.redact_json_with(
        &json!({"a/b": [{"ssn": 123456789, "x": "call +44 20 7946 0958"}], "token_type": "Bearer"}),
        &mut vault,
    );
    assert_eq!(
        out.value,
        json!({"a/b": [{"ssn": "<SSN_1>", "x": "call <PHONE_1>"}], "token_type": "Bearer"})
    );
    let paths: Vec<&str> = out.findings.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(paths, ["/a~1b/0/ssn", "/a~1b/0/x"]);
    assert_eq!(vault.value_of("<SSN_1>"), Some("123456789"));
}

#[test]
fn spans_are_char_boundaries_in_unicode_text() {
    let r = Redactor::new();
    let text = "Zahlung für Café → ana@example.com, Tel. +49 30 901820";
    for f in r.find(text) {
        assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
    }
    assert_eq!(
        r.redact(text).text,
        "Zahlung für Café → [EMAIL], Tel. [PHONE]"
    );
}

mod properties {
    use super::super::*;
    use proptest::prelude::*;
    use serde_json::Value;

    /// Text mixing PII-shaped pieces, separators, digits and arbitrary Unicode.
    fn text() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("4111 1111 1111 1111".to_string()),
            Just("ana@example.com".to_string()),
            Just("+44 20 7946 0958".to_string()),
            Just("DE89 3704 0044 0532 0130 00".to_string()),
            Just("588-46-6702".to_string()),
            Just("10.1.2.3".to_string()),
            Just("fe80::1ff:fe23:4567:890a".to_string()),
            Just("api_key=sk_live_4eC39HqLyjWDarjtT1zdp7dc".to_string()),
            "[0-9 ()+.-]{1,24}",
            "[a-zA-Z@:._=-]{1,16}",
            "\\PC{0,12}",
        ];
        prop::collection::vec(piece, 0..8).prop_map(|v| v.join(" "))
    }

    fn shared(op: Operator) -> &'static Redactor {
        static P: std::sync::OnceLock<[Redactor; 3]> = std::sync::OnceLock::new();
        let all = P.get_or_init(|| {
            [Operator::Placeholder, Operator::Remove, Operator::Token]
                .map(|o| Redactor::builder().operator(o).build().unwrap())
        });
        match op {
            Operator::Remove => &all[1],
            Operator::Token => &all[2],
            _ => &all[0],
        }
    }

    fn check_findings(text: &str, f: &[Finding]) -> Result<(), TestCaseError> {
        for w in f.windows(2) {
            prop_assert!(w[0].end <= w[1].start, "overlap or disorder: {:?}", w);
        }
        for x in f {
            prop_assert!(x.start < x.end && x.end <= text.len());
            prop_assert!(text.is_char_boundary(x.start) && text.is_char_boundary(x.end));
            prop_assert!((0.0..=1.0).contains(&x.confidence));
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(256))]

        /// Findings are in order, inside the input and on character boundaries; the output is
        /// exactly the input with each span swapped for its replacement.
        #[test]
        fn redaction_is_exact(t in text()) {
            let out = shared(Operator::Placeholder).redact(&t);
            check_findings(&t, &out.findings)?;
            let removed: usize = out.findings.iter().map(|f| f.end - f.start).sum();
            let added: usize = out.findings.iter().map(|f| f.kind.label().len() + 2).sum();
            prop_assert_eq!(out.text.len(), t.len() - removed + added);
            let gone = shared(Operator::Remove).redact(&t);
            prop_assert_eq!(gone.text.len(), t.len() - removed);
        }

        /// Tokens restore to the original text.
        #[test]
        fn tokens_round_trip(t in text().prop_filter("no literal tokens", |s| !s.contains('<'))) {
            let mut vault = TokenVault::new();
            let out = shared(Operator::Token).redact_with(&t, &mut vault);
            prop_assert_eq!(vault.restore(&out.text), t);
        }

        /// Every JSON finding points at a string or number of the input document.
        #[test]
        fn json_findings_point_into_the_document(
            keys in prop::collection::vec("(password|note|ssn|card_number|x|a/b|t~k)", 1..5),
            vals in prop::collection::vec(text(), 1..5),
        ) {
            let mut map = serde_json::Map::new();
            for (k, v) in keys.iter().zip(&vals) {
                map.insert(k.clone(), Value::String(v.clone()));
            }
            let doc = Value::Object(map);
            let out = shared(Operator::Placeholder).redact_json(&doc);
            for f in &out.findings {
                let at = doc.pointer(&f.path);
                prop_assert!(matches!(at, Some(Value::String(_)) | Some(Value::Number(_))), "{}", f.path);
                if let Some(Value::String(s)) = at {
                    prop_assert!(f.finding.end <= s.len());
                }
            }
        }
    }
}
