use super::*;
use crate::model::{Currency, Direction, Money, Transaction};
use crate::normalize::fold;
use proptest::prelude::*;

fn tx(desc: &str, amount: i64, mcc: Option<u16>) -> Transaction {
    Transaction {
        id: "t".into(),
        tenant: "a".into(),
        descriptor: desc.into(),
        merchant: None,
        amount: Money::new(amount, Currency::new("USD").unwrap()).unwrap(),
        direction: Direction::Debit,
        date: chrono::NaiveDate::from_ymd_opt(2026, 3, 15).unwrap(),
        account: Some("Checking".into()),
        mcc,
        bank_category: None,
    }
}

/// The outcome of `rules` on `t`; the rule set is leaked so the borrowed outcome can outlive
/// this helper (fine in a test process).
fn outcome(rules: &str, t: &Transaction, merchant: &str) -> RuleOutcome<'static> {
    let set: &'static RuleSet = Box::leak(Box::new(
        RuleSet::new(parse_rules(rules, "r").unwrap()).unwrap(),
    ));
    let d = fold(&t.descriptor);
    set.apply(&RuleInput {
        tx: t,
        descriptor: &d,
        merchant,
    })
}

#[test]
fn text_ops_are_case_and_accent_insensitive() {
    let t = tx("CAFÉ DE FLORE PARIS", 1200, None);
    let o = outcome(
        r#"descriptor contains "cafe de" => food.coffee
descriptor starts_with "flore" => food.restaurants
descriptor ends_with "paris" => tag paris
descriptor equals "cafe de flore paris" => tag exact
descriptor matches "^caf.\s+de" => tag re"#,
        &t,
        "cafe de flore",
    );
    let (category, rule) = o.category.unwrap();
    assert_eq!((category, rule.id.as_str()), ("food.coffee", "r1"));
    assert_eq!(o.matched_ids(), ["r1", "r3", "r4", "r5"]);
    assert_eq!(o.tags, ["paris", "exact", "re"]);
}

#[test]
fn numeric_mcc_date_direction_and_account() {
    let t = tx("SHELL OIL 123", 4575, Some(5541));
    let rules = r#"amount between 40 and 45.75 and mcc in [5541, 5542] => transport.fuel
amount > 45.75 => tag big
date between 2026-03-01 and 2026-03-31 and direction = debit => tag march
account = checking => tag checking
mcc != 5541 => tag other
date < 2026-03-15 => tag early"#;
    let o = outcome(rules, &t, "shell");
    assert_eq!(o.category.unwrap().0, "transport.fuel");
    assert_eq!(o.tags, ["march", "checking"]);
}

#[test]
fn priority_then_order_decides() {
    let t = tx("STARBUCKS 123", 500, None);
    let rules = r#"merchant contains "starbucks" => food.restaurants
rule special: merchant = starbucks and amount < 10 => food.coffee, rename "Starbucks Coffee" priority 5
merchant contains star => food.other, rename "Star""#;
    let o = outcome(rules, &t, "starbucks");
    let (category, rule) = o.category.unwrap();
    assert_eq!((category, rule.id.as_str()), ("food.coffee", "special"));
    assert_eq!(o.rename.unwrap().0, "Starbucks Coffee");
    assert_eq!(o.matched_ids(), ["special", "r1", "r3"]);
}

#[test]
fn not_and_or_combinations() {
    let t = tx("UBER *EATS", 2000, None);
    let rules = r#"merchant contains uber and not merchant contains eats => transport.taxi
(merchant contains eats or merchant contains doordash) and amount >= 20 => food.delivery"#;
    let o = outcome(rules, &t, "uber eats");
    assert_eq!(o.category.unwrap().0, "food.delivery");
    let o = outcome(rules, &tx("UBER TRIP", 2000, None), "uber");
    assert_eq!(o.category.unwrap().0, "transport.taxi");
}

/// A regex whose own DFA would be too large still matches, through the shared automaton.
#[test]
fn a_regex_too_large_for_its_own_dfa_still_matches() {
    let rules = r#"descriptor matches "zq[ab]*a[ab]{20}" => tag long"#;
    let hit = format!("ZQA{}", "B".repeat(20));
    assert_eq!(outcome(rules, &tx(&hit, 100, None), "x").tags, ["long"]);
    let miss = format!("ZQB{}", "B".repeat(20));
    assert!(outcome(rules, &tx(&miss, 100, None), "x").tags.is_empty());
}

#[test]
fn rules_without_text_conditions_still_match() {
    let o = outcome("amount > 1000 => tag large", &tx("X", 100_001, None), "x");
    assert_eq!(o.tags, ["large"]);
}

#[test]
fn parse_errors_point_at_line_and_column() {
    let cases = [
        ("merchant contains \"x\" => ", 1, 26, "expected a category"),
        (
            "\n\nmerchant likes \"x\" => a",
            3,
            10,
            "expected an operator",
        ),
        ("amount < abc => a", 1, 8, "not a decimal number"),
        ("merchant contains \"x => a", 1, 19, "unterminated string"),
        ("descriptor matches \"(\" => a", 1, 12, "invalid regex"),
        ("mcc between 5000 and 4000 => a", 1, 5, "low value first"),
        ("amount contains \"x\" => a", 1, 8, "does not apply"),
        ("merchant = x => a priority high", 1, 28, "whole number"),
        ("merchant = x => a b", 1, 19, "expected `,`"),
        ("(merchant = x => a", 1, 15, "expected `)`"),
        ("merchant = x =>", 1, 16, "expected a category"),
        ("merchant = x => rename \"\"", 1, 1, "non-empty name"),
        ("merchant = x", 1, 13, "expected `=>`"),
        ("rule : merchant = x => a", 1, 6, "expected a rule name"),
        ("merchant = x => a, a", 1, 20, "at most one category"),
        ("direction = sideways => a", 1, 11, "debit"),
        ("date > 2026-13-01 => a", 1, 6, "YYYY-MM-DD"),
        ("merchant $ x => a", 1, 10, "unexpected character"),
    ];
    for (text, line, col, msg) in cases {
        let e = parse_rules(text, "r").unwrap_err();
        match &e {
            crate::Error::Parse { position, message } => {
                assert_eq!(
                    (position.line, position.column),
                    (line, col),
                    "{text:?}: {e}"
                );
                assert!(message.contains(msg), "{text:?}: {message}");
            }
            other => panic!("{text:?}: expected a parse error, got {other:?}"),
        }
    }
}

#[test]
fn json_form_matches_text_form() {
    let text = r#"rule coffee: merchant contains "starbucks" and (amount < 20 or mcc in [5814]) => food.coffee, tag "caffeine" priority 3"#;
    let r = parse_rule(text, "x", 1).unwrap();
    let json = serde_json::to_value(&r).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "id": "coffee", "priority": 3,
            "when": {"all": [
                {"field": "merchant", "op": "contains", "value": "starbucks"},
                {"any": [
                    {"field": "amount", "op": "lt", "value": "20"},
                    {"field": "mcc", "op": "one_of", "value": [5814]}
                ]}
            ]},
            "then": {"category": "food.coffee", "tags": ["caffeine"]}
        })
    );
    let back: Rule = serde_json::from_value(json).unwrap();
    assert_eq!(back, r);
    assert_eq!(back.to_string(), text);
}

#[test]
fn a_json_group_of_one_reads_as_its_element() {
    // found by the fuzz target rules_json: {"any": [c]} printed as `c`, which parses to c
    let r: Rule = serde_json::from_value(serde_json::json!({"id": "rides",
        "when": {"any": [{"all": [{"field": "merchant", "op": "equals", "value": "lyft"}]}]},
        "then": {"category": "transport.taxi"}}))
    .unwrap();
    assert_eq!(
        r,
        parse_rule("rule rides: merchant = lyft => transport.taxi", "x", 1).unwrap()
    );
    assert_eq!(parse_rule(&r.to_string(), "x", 1).unwrap(), r);
}

#[test]
fn bad_json_rules_are_refused() {
    for bad in [
        serde_json::json!({"id": "a", "when": {"field": "merchant", "op": "nope", "value": "x"}, "then": {"category": "a"}}),
        serde_json::json!({"id": "a", "when": {"all": []}, "then": {"category": "a"}}),
        serde_json::json!({"id": "a", "when": {"field": "merchant", "op": "contains", "value": "x"}, "then": {}}),
        serde_json::json!({"id": "", "when": {"field": "merchant", "op": "contains", "value": "x"}, "then": {"tags": ["t"]}}),
        serde_json::json!({"id": "a", "when": {"field": "amount", "op": "between", "value": 3}, "then": {"category": "a"}}),
    ] {
        assert!(
            serde_json::from_value::<Rule>(bad.clone()).is_err(),
            "{bad}"
        );
    }
}

#[test]
fn duplicate_ids_conflict() {
    let rules = parse_rules("rule a: merchant = x => b\nrule a: merchant = y => c", "r").unwrap();
    assert_eq!(
        RuleSet::new(rules).unwrap_err().code(),
        crate::ErrorCode::Conflict
    );
}

#[test]
fn spans_point_at_each_rule_its_name_and_its_category() {
    let text = "# header\nmerchant = x => tag t\n\n\trule \"café\": merchant = y => category \"food.coffee\", tag z\n";
    let rules = parse_rules_with_spans(text, "line").unwrap();
    let at = |p: Option<crate::error::Position>| p.map(|p| (p.line, p.column));
    assert_eq!(rules.len(), 2);
    let (first, span) = &rules[0];
    assert_eq!(first.id, "line2");
    assert_eq!(
        (
            (span.start.line, span.start.column),
            span.name,
            span.category
        ),
        ((2, 1), None, None)
    );
    let (second, span) = &rules[1];
    assert_eq!(second.id, "café");
    assert_eq!((span.start.line, span.start.column), (4, 2));
    assert_eq!(at(span.name), Some((4, 7)), "the quoted name");
    assert_eq!(
        at(span.category),
        Some((4, 40)),
        "the category after the keyword"
    );
    assert_eq!(
        parse_rules(text, "line").unwrap(),
        vec![first.clone(), second.clone()]
    );
}

// ---------- property tests: print -> parse round trip ----------

fn text_value() -> impl Strategy<Value = String> {
    // Folded text: what a text condition stores after construction.
    "[a-z0-9 '&\"\\\\.*-]{1,12}".prop_filter("non-blank", |s| !s.trim().is_empty())
}

fn condition() -> impl Strategy<Value = Condition> {
    let text_field = prop_oneof![
        Just(Field::Descriptor),
        Just(Field::Merchant),
        Just(Field::Account)
    ];
    let text_op = prop_oneof![
        Just(Op::Contains),
        Just(Op::Equals),
        Just(Op::StartsWith),
        Just(Op::EndsWith)
    ];
    let cmp = prop_oneof![
        Just(Op::Equals),
        Just(Op::NotEquals),
        Just(Op::Lt),
        Just(Op::Le),
        Just(Op::Gt),
        Just(Op::Ge)
    ];
    prop_oneof![
        (text_field.clone(), text_op, text_value()).prop_map(|(f, o, v)| Condition::new(
            f,
            o,
            vec![Scalar::Text(v)]
        )
        .unwrap()),
        (text_field, prop::collection::vec(text_value(), 1..4)).prop_map(|(f, vs)| {
            Condition::new(f, Op::OneOf, vs.into_iter().map(Scalar::Text).collect()).unwrap()
        }),
        (cmp.clone(), 0i64..1_000_000, 0u32..3).prop_map(|(o, m, s)| {
            let d = Decimal::parse(&format!("{}", m as f64 / 10f64.powi(s as i32))).unwrap();
            Condition::new(Field::Amount, o, vec![Scalar::Number(d)]).unwrap()
        }),
        (0u16..9999, 0u16..9999).prop_map(|(a, b)| {
            let (lo, hi) = (a.min(b), a.max(b));
            Condition::new(
                Field::Mcc,
                Op::Between,
                vec![Scalar::Code(lo), Scalar::Code(hi)],
            )
            .unwrap()
        }),
        (cmp, 0i64..20000).prop_map(|(o, days)| {
            let d =
                chrono::NaiveDate::from_ymd_opt(2000, 1, 1).unwrap() + chrono::Duration::days(days);
            Condition::new(Field::Date, o, vec![Scalar::Date(d)]).unwrap()
        }),
        prop_oneof![Just("debit"), Just("credit")].prop_map(|d| {
            Condition::new(Field::Direction, Op::Equals, vec![Scalar::Text(d.into())]).unwrap()
        }),
        prop_oneof![Just("USD"), Just("EUR")].prop_map(|c| {
            Condition::new(Field::Currency, Op::Equals, vec![Scalar::Text(c.into())]).unwrap()
        }),
    ]
}

/// Expressions in the canonical shape the parser produces: no single-child All/Any and no
/// All directly inside All (or Any inside Any), since `a and (b and c)` prints as `a and b and c`.
fn expr() -> impl Strategy<Value = Expr> {
    let leaf = condition().prop_map(Expr::Cond);
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..4).prop_map(|xs| Expr::All(flatten(xs, true))),
            prop::collection::vec(inner.clone(), 2..4).prop_map(|xs| Expr::Any(flatten(xs, false))),
            inner.prop_map(|x| Expr::Not(Box::new(x))),
        ]
    })
}

fn flatten(xs: Vec<Expr>, all: bool) -> Vec<Expr> {
    let mut out = Vec::new();
    for x in xs {
        match x {
            Expr::All(ys) if all => out.extend(ys),
            Expr::Any(ys) if !all => out.extend(ys),
            other => out.push(other),
        }
    }
    out
}

fn rule() -> impl Strategy<Value = Rule> {
    (
        "[a-z][a-z0-9_]{0,8}|[A-Z ]{1,8}",
        -100i32..100,
        expr(),
        prop::option::of("[a-z]{1,6}(\\.[a-z_]{1,8})?|[A-Za-z ]{1,10}"),
        prop::option::of("[A-Za-z' ]{1,10}"),
        prop::collection::vec("[a-z]{1,6}", 0..3),
    )
        .prop_filter_map(
            "needs an action and sane names",
            |(id, p, when, c, r, tags)| {
                let rule = Rule {
                    id,
                    priority: p,
                    when,
                    then: Actions {
                        category: c.filter(|s| s.trim() == s && !s.is_empty()),
                        rename: r.filter(|s| !s.trim().is_empty()),
                        tags,
                    },
                };
                (rule.validate().is_ok() && rule.id.trim() == rule.id).then_some(rule)
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn print_then_parse_round_trips(r in rule()) {
        let text = r.to_string();
        let back = parse_rule(&text, "unused", 1).map_err(|e| TestCaseError::fail(format!("{text}: {e}")))?;
        prop_assert_eq!(&back, &r, "{}", text);
        let json = serde_json::to_string(&r).unwrap();
        let from_json: Rule = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(from_json, r);
    }

    #[test]
    fn parser_never_panics(s in "\\PC{0,80}") {
        let _ = parse_rules(&s, "r");
    }
}

/// Regex fragments mixing case, accents, classes, anchors and the Unicode case variants
/// (`ſ`, Kelvin sign) that fold turns into ASCII, each with raw strings that match it or
/// nearly do, so that generated texts often match.
const REGEX_ATOMS: &[(&str, &[&str])] = &[
    ("ab", &["AB", "ab", "aB", "a"]),
    ("Ka", &["ka", "\u{212a}A", "KA", "k"]),
    ("sS", &["ss", "ſS", "Ss", "s"]),
    ("é", &["é", "É", "e"]),
    ("É", &["é", "É", "E"]),
    ("ſ", &["s", "ſ", "S"]),
    ("\u{212a}", &["k", "K", "\u{212a}"]),
    ("#", &["#"]),
    (" ", &[" "]),
    ("\\d", &["1", "2", "a"]),
    ("\\w", &["a", "K", "_", " "]),
    ("\\s", &[" ", "a"]),
    (".", &["x", "1"]),
    ("[a-c]", &["B", "b", "d"]),
    ("[K-M]", &["k", "L", "m", "n"]),
    ("[^s]", &["S", "ſ", "t"]),
    ("\\p{Lu}", &["A", "a", "1"]),
    ("(?:ks|AB)", &["KS", "ab", "k"]),
    ("\\x4B", &["k", "K"]),
    ("\\b", &[""]),
    ("^", &[""]),
    ("$", &[""]),
];

fn regex_case() -> impl Strategy<Value = (String, String)> {
    let piece = (
        0..REGEX_ATOMS.len(),
        prop::sample::select(vec!["", "", "?", "*", "+", "{2}"]),
        0usize..4,
    )
        .prop_map(|(i, rep, w)| {
            let (atom, witnesses) = REGEX_ATOMS[i];
            let anchor = matches!(atom, "\\b" | "^" | "$");
            let pattern = if rep.is_empty() || anchor {
                atom.to_string()
            } else {
                format!("(?:{atom}){rep}")
            };
            let witness = witnesses[w % witnesses.len()];
            let times = if rep == "{2}" { 2 } else { 1 };
            (pattern, witness.repeat(times))
        });
    (
        prop::collection::vec(piece, 1..5),
        "[abkKsS #1]{0,3}",
        "[abkKsS #1]{0,3}",
    )
        .prop_map(|(pieces, before, after)| {
            let pattern: String = pieces.iter().map(|p| p.0.as_str()).collect();
            let middle: String = pieces.iter().map(|p| p.1.as_str()).collect();
            (pattern, format!("{before}{middle}{after}"))
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// The literal prefilter and the lowered, case-sensitive form never change what a regex
    /// rule matches: the compiled set agrees with the plain case-insensitive regex on folded text.
    #[test]
    fn regex_rules_match_like_the_plain_regex((pattern, raw) in regex_case()) {
        let text = fold(&raw);
        let plain = regex::RegexBuilder::new(&pattern).case_insensitive(true).build().unwrap();
        let rule = Rule {
            id: "re".into(),
            priority: 0,
            when: Expr::Cond(Condition::new(Field::Descriptor, Op::Matches, vec![Scalar::Text(pattern.clone())]).unwrap()),
            then: Actions { category: Some("shopping.other".into()), rename: None, tags: vec![] },
        };
        let set = RuleSet::new(vec![rule]).unwrap();
        let t = tx(&raw, 100, None);
        let got = !set.matching(&RuleInput { tx: &t, descriptor: &text, merchant: "" }).is_empty();
        prop_assert_eq!(got, plain.is_match(&text), "pattern {:?} on {:?}", pattern, text);
    }

}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Many regex rules in one set (run as patterns of one multi-pattern regex on ASCII text,
    /// each on its own otherwise) match exactly the rules whose plain regex matches.
    #[test]
    fn regex_rule_sets_match_like_each_plain_regex(cases in prop::collection::vec(regex_case(), 1..6), pick in 0usize..6) {
        let raw = cases[pick % cases.len()].1.clone();
        let text = fold(&raw);
        let rules: Vec<Rule> = cases.iter().enumerate().map(|(i, (pattern, _))| Rule {
            id: format!("re{i}"),
            priority: 0,
            when: Expr::Cond(Condition::new(Field::Descriptor, Op::Matches, vec![Scalar::Text(pattern.clone())]).unwrap()),
            then: Actions { category: Some("shopping.other".into()), rename: None, tags: vec![] },
        }).collect();
        let set = RuleSet::new(rules).unwrap();
        let t = tx(&raw, 100, None);
        let got: Vec<&str> = set.matching(&RuleInput { tx: &t, descriptor: &text, merchant: "" }).iter().map(|r| r.id.as_str()).collect();
        let want: Vec<String> = cases.iter().enumerate()
            .filter(|(_, (p, _))| regex::RegexBuilder::new(p).case_insensitive(true).build().unwrap().is_match(&text))
            .map(|(i, _)| format!("re{i}")).collect();
        prop_assert_eq!(got, want, "text {:?}", text);
    }
}
