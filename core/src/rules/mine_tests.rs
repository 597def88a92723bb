use super::*;
use crate::model::{Currency, Money};
use crate::normalize::fold;
use crate::{Engine, ErrorCode};
use proptest::prelude::*;

fn row(i: usize, desc: &str, dir: Direction, category: &str) -> Labelled {
    Labelled {
        transaction: Transaction {
            id: format!("t{i}"),
            tenant: "a".into(),
            descriptor: desc.into(),
            merchant: None,
            amount: Money::new(1234, Currency::new("USD").unwrap()).unwrap(),
            direction: dir,
            date: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            account: None,
            mcc: None,
            bank_category: None,
        },
        category: category.into(),
    }
}

fn history(rows: &[(&str, &str)]) -> Vec<Labelled> {
    rows.iter()
        .enumerate()
        .map(|(i, (d, c))| row(i, d, Direction::Debit, c))
        .collect()
}

fn texts(s: &[RuleSuggestion]) -> Vec<&str> {
    s.iter().map(|s| s.text.as_str()).collect()
}

#[test]
fn repeated_merchant_becomes_a_rule_with_its_backtest() {
    let h = history(&[
        ("SQ *BLUE BOTTLE 0042 OAKLAND CA", "food.coffee"),
        ("SQ *BLUE BOTTLE 0043 SAN FRANCISCO CA", "food.coffee"),
        ("BLUE BOTTLE COFFEE 0044", "food.coffee"),
        ("SAFEWAY #1234 OAKLAND CA", "food.groceries"),
    ]);
    let s = Engine::new()
        .suggest_rules("a", &h, &MiningOptions::default())
        .unwrap();
    assert_eq!(
        texts(&s),
        [r#"rule suggested-blue-bottle: merchant contains "blue bottle" => food.coffee"#]
    );
    let b = &s[0];
    assert_eq!(
        (b.support, b.matched, b.new_rows, b.merchants),
        (3, 3, 3, 1)
    );
    assert_eq!((b.precision, b.coverage, b.conflicts), (1.0, 1.0, 0));
    // the text and the rule are the same thing
    let parsed = crate::rules::parse_rule(&b.text, "x", 1).unwrap();
    assert_eq!(parsed, b.rule);
}

#[test]
fn a_word_shared_by_several_merchants_generalizes() {
    let h = history(&[
        ("CITY OF OAKLAND PARKING METER", "transport.parking"),
        ("SFMTA PARKING GARAGE", "transport.parking"),
        ("ABM PARKING 123", "transport.parking"),
        ("NETFLIX.COM", "entertainment.streaming"),
    ]);
    let s = Engine::new()
        .suggest_rules("a", &h, &MiningOptions::default())
        .unwrap();
    assert_eq!(s.len(), 1, "{:?}", texts(&s));
    assert_eq!(s[0].rule.id, "suggested-parking");
    assert_eq!((s[0].support, s[0].merchants), (3, 3));
}

#[test]
fn conflicts_are_counted_and_imprecise_candidates_dropped() {
    let h = history(&[
        ("UBER *TRIP HELP.UBER.COM CA", "transport.taxi"),
        ("UBER *TRIP HELP.UBER.COM CA", "transport.taxi"),
        ("UBER *TRIP HELP.UBER.COM CA", "transport.taxi"),
        ("UBER *TRIP HELP.UBER.COM CA", "transport.taxi"),
        ("UBER *EATS PENDING", "food.delivery"),
        ("UBER *EATS PENDING", "food.delivery"),
        ("UBER *EATS PENDING", "food.delivery"),
    ]);
    let e = Engine::new();
    let s = e.suggest_rules("a", &h, &MiningOptions::default()).unwrap();
    // "uber" matches the Uber Eats rows too (precision 4/7): only "uber eats" is proposed
    assert_eq!(
        texts(&s),
        [r#"rule suggested-uber-eats: merchant contains "uber eats" => food.delivery"#]
    );
    let loose = MiningOptions {
        min_precision: 0.5,
        max_examples: 2,
        ..MiningOptions::default()
    };
    let s = e.suggest_rules("a", &h, &loose).unwrap();
    let uber = s.iter().find(|s| s.rule.id == "suggested-uber").unwrap();
    assert_eq!((uber.support, uber.matched, uber.conflicts), (4, 7, 3));
    assert_eq!(uber.category, "transport.taxi");
    assert_eq!(uber.conflict_examples.len(), 2);
    assert_eq!(uber.conflict_examples[0].category, "food.delivery");
    assert_eq!(
        s[0].rule.id, "suggested-uber",
        "it saves more rows, so it comes first"
    );
}

#[test]
fn direction_narrows_a_merchant_used_both_ways() {
    let mut h = Vec::new();
    for i in 0..3 {
        h.push(row(i, "PAYPAL TRANSFER", Direction::Credit, "income.other"));
        h.push(row(
            i + 10,
            "PAYPAL TRANSFER",
            Direction::Debit,
            "shopping.online",
        ));
    }
    let s = Engine::new()
        .suggest_rules("a", &h, &MiningOptions::default())
        .unwrap();
    assert_eq!(
        texts(&s),
        [
            r#"rule suggested-paypal-credit: merchant contains "paypal" and direction = credit => income.other"#,
            r#"rule suggested-paypal-debit: merchant contains "paypal" and direction = debit => shopping.online"#,
        ]
    );
    assert!(s.iter().all(|s| s.precision == 1.0 && s.support == 3));
}

#[test]
fn existing_rules_are_not_suggested_again_and_conflicting_ones_are_named() {
    let h = history(&[
        ("NETFLIX.COM", "entertainment.streaming"),
        ("NETFLIX.COM", "entertainment.streaming"),
        ("NETFLIX.COM", "entertainment.streaming"),
        ("SPOTIFY USA", "entertainment.streaming"),
        ("SPOTIFY USA", "entertainment.streaming"),
        ("SPOTIFY USA", "entertainment.streaming"),
    ]);
    let mut e = Engine::new();
    e.add_rules(
        "a",
        "rule nf: merchant = netflix => entertainment.streaming\n\
         rule sp: merchant contains spotify => shopping.online",
    )
    .unwrap();
    let s = e.suggest_rules("a", &h, &MiningOptions::default()).unwrap();
    assert_eq!(s.len(), 1, "{:?}", texts(&s));
    assert_eq!(s[0].rule.id, "suggested-spotify");
    assert_eq!(s[0].conflicting_rules, ["sp"]);
    assert_eq!(s[0].new_rows, 3);
    // an id already taken gets a number
    e.add_rules("a", "rule suggested-spotify: merchant = x => food.coffee")
        .unwrap();
    let s = e.suggest_rules("a", &h, &MiningOptions::default()).unwrap();
    assert_eq!(s[0].rule.id, "suggested-spotify-2");
}

#[test]
fn a_weaker_candidate_covering_the_same_rows_is_left_out() {
    let h = history(&[
        ("ABM PARKING 123", "transport.parking"),
        ("ABM PARKING 124", "transport.parking"),
        ("ABM PARKING 125", "transport.parking"),
        ("SFMTA PARKING GARAGE", "transport.parking"),
    ]);
    let s = Engine::new()
        .suggest_rules("a", &h, &MiningOptions::default())
        .unwrap();
    // "parking" covers all four rows, so "abm parking" (three of them) adds nothing
    assert_eq!(texts(&s).len(), 1);
    assert_eq!(s[0].rule.id, "suggested-parking");
}

#[test]
fn bad_input_is_a_typed_error() {
    let e = Engine::new();
    let mut h = history(&[("NETFLIX.COM", "entertainment.streaming")]);
    h[0].transaction.tenant = "b".into();
    let err = e
        .suggest_rules("a", &h, &MiningOptions::default())
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidInput);
    assert!(err.to_string().contains("another tenant"), "{err}");

    let h = history(&[("NETFLIX.COM", "no.such")]);
    let err = e
        .suggest_rules("a", &h, &MiningOptions::default())
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);

    for bad in [
        MiningOptions {
            min_support: 0,
            ..MiningOptions::default()
        },
        MiningOptions {
            min_precision: 1.5,
            ..MiningOptions::default()
        },
        MiningOptions {
            min_precision: f64::NAN,
            ..MiningOptions::default()
        },
        MiningOptions {
            max_suggestions: 0,
            ..MiningOptions::default()
        },
    ] {
        let err = e.suggest_rules("a", &[], &bad).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidInput);
    }
    assert!(e
        .suggest_rules("a", &[], &MiningOptions::default())
        .unwrap()
        .is_empty());
}

#[test]
fn a_tenant_category_is_usable_and_another_tenants_is_not() {
    let mut e = Engine::new();
    e.add_category("a", "pets", "Pets", None).unwrap();
    let h = history(&[
        ("PETCO 1234", "pets"),
        ("PETCO 1235", "pets"),
        ("PETCO 1236", "pets"),
    ]);
    assert_eq!(
        e.suggest_rules("a", &h, &MiningOptions::default())
            .unwrap()
            .len(),
        1
    );
    let mut hb = h.clone();
    for r in &mut hb {
        r.transaction.tenant = "b".into();
    }
    let err = e
        .suggest_rules("b", &hb, &MiningOptions::default())
        .unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
}

const POOL: &[&str] = &[
    "SQ *BLUE BOTTLE 0042 OAKLAND CA",
    "BLUE BOTTLE COFFEE",
    "UBER *TRIP",
    "UBER *EATS PENDING",
    "ABM PARKING 123",
    "SFMTA PARKING GARAGE",
    "NETFLIX.COM",
    "PAYPAL TRANSFER",
    "SAFEWAY #1234",
    "JOE'S PIZZA BROOKLYN",
    "JOE'S PARKING LOT",
];
const LABELS: &[&str] = &[
    "food.coffee",
    "transport.taxi",
    "transport.parking",
    "shopping.online",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Each suggestion's figures are what its own rule gives when run over the history, and the
    /// thresholds hold.
    #[test]
    fn figures_match_a_replay_of_the_rule(
        picks in proptest::collection::vec((0..POOL.len(), 0..LABELS.len(), any::<bool>()), 0..40),
        min_support in 1u32..4,
    ) {
        let h: Vec<Labelled> = picks
            .iter()
            .enumerate()
            .map(|(i, &(d, l, credit))| {
                let dir = if credit { Direction::Credit } else { Direction::Debit };
                row(i, POOL[d], dir, LABELS[l])
            })
            .collect();
        let opts = MiningOptions { min_support, min_precision: 0.6, ..MiningOptions::default() };
        let e = Engine::new();
        let s = e.suggest_rules("a", &h, &opts).unwrap();
        prop_assert_eq!(&s, &e.suggest_rules("a", &h, &opts).unwrap());
        for sug in &s {
            let set = RuleSet::new(vec![sug.rule.clone()]).unwrap();
            let (mut matched, mut support) = (0, 0);
            for r in &h {
                let tx = &r.transaction;
                let n = e.normalize(&tx.descriptor);
                let (d, m) = (fold(&tx.descriptor), fold(&n.display));
                if !set.matching(&RuleInput { tx, descriptor: &d, merchant: &m }).is_empty() {
                    matched += 1;
                    support += u32::from(r.category == sug.category);
                }
            }
            prop_assert_eq!((sug.matched, sug.support), (matched, support), "{}", sug.text);
            prop_assert!(sug.support >= min_support);
            prop_assert!(sug.precision >= 0.6);
            prop_assert_eq!(sug.conflicts, matched - support);
            prop_assert_eq!(sug.rule.then.category.as_deref(), Some(sug.category.as_str()));
        }
    }
}
