//! 10,000 rules (70% literal, 15% regex, 15% literal + amount): compile time and matching
//! throughput on one core. Also rule mining over a 10,000-row confirmed history.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use xspense::normalize::{fold, Normalizer};
use xspense::rules::{parse_rules, Labelled, MiningOptions, RuleInput, RuleSet};
use xspense::Engine;
use xspense_benches::{merchants, tx, Lcg};

const CATEGORIES: &[&str] = &[
    "food.coffee",
    "food.groceries",
    "shopping.other",
    "transport.fuel",
    "services.other",
];

fn rule_text(names: &[String]) -> String {
    let mut rng = Lcg(7);
    let mut text = String::new();
    for (i, m) in names.iter().enumerate() {
        let cat = CATEGORIES[i % CATEGORIES.len()];
        let first = m.split(' ').next().unwrap_or(m);
        let line = match rng.below(100) {
            0..=69 => format!("merchant contains \"{m}\" => {cat}\n"),
            70..=84 => format!("descriptor matches \"{first}\\\\s+\\\\w+ #\\\\d{{4}}\" => {cat}\n"),
            _ => format!(
                "merchant contains \"{first}\" and amount between {} and {} => {cat}\n",
                rng.below(50),
                50 + rng.below(150)
            ),
        };
        text.push_str(&line);
    }
    text
}

fn bench(c: &mut Criterion) {
    let names = merchants(10_000, 1);
    let rules = parse_rules(&rule_text(&names), "r").expect("bench rules parse");
    let mut g = c.benchmark_group("rules_10k");
    g.sample_size(10);
    g.bench_function("compile", |b| {
        b.iter_batched(
            || rules.clone(),
            |r| RuleSet::new(r).unwrap(),
            BatchSize::LargeInput,
        )
    });
    let set = RuleSet::new(rules.clone()).unwrap();
    // Half the transactions hit a rule merchant, half are unknown merchants.
    let unknown = merchants(20_000, 99);
    let mut rng = Lcg(3);
    let n = Normalizer::builtin();
    let inputs: Vec<_> = (0..10_000)
        .map(|i| {
            let m = if i % 2 == 0 {
                &names[rng.below(names.len() as u64) as usize]
            } else {
                &unknown[i]
            };
            let t = tx(i, m, &mut rng);
            let d = fold(&t.descriptor);
            let merchant = fold(&n.normalize(&t.descriptor).display);
            (t, d, merchant)
        })
        .collect();
    let matched: Vec<usize> = inputs
        .iter()
        .map(|(t, d, m)| {
            set.apply(&RuleInput {
                tx: t,
                descriptor: d,
                merchant: m,
            })
            .matched
            .len()
        })
        .collect();
    eprintln!(
        "rules_10k: {} of {} transactions match at least one rule, {:.2} rules per transaction",
        matched.iter().filter(|&&n| n > 0).count(),
        inputs.len(),
        matched.iter().sum::<usize>() as f64 / inputs.len() as f64
    );
    g.throughput(Throughput::Elements(inputs.len() as u64));
    g.sample_size(20);
    g.bench_function("match_10k_tx", |b| {
        b.iter(|| {
            let mut matched = 0usize;
            for (t, d, m) in &inputs {
                matched += set
                    .apply(&RuleInput {
                        tx: t,
                        descriptor: d,
                        merchant: m,
                    })
                    .matched
                    .len();
            }
            matched
        })
    });
    g.finish();
}

/// 10,000 confirmed rows over 1,000 merchants (each filed under one category, one row in fifty
/// mislabelled): the time `suggest_rules` takes to mine and backtest.
fn mining(c: &mut Criterion) {
    let names = merchants(1_000, 5);
    let mut rng = Lcg(11);
    let history: Vec<Labelled> = (0..10_000)
        .map(|i| {
            let m = rng.below(names.len() as u64) as usize;
            let label = if rng.below(50) == 0 { m + 1 } else { m };
            Labelled {
                transaction: tx(i, &names[m], &mut rng),
                category: CATEGORIES[label % CATEGORIES.len()].into(),
            }
        })
        .collect();
    let engine = Engine::new();
    let opts = MiningOptions {
        max_suggestions: 1_000,
        ..MiningOptions::default()
    };
    let found = engine.suggest_rules("bench", &history, &opts).unwrap();
    eprintln!("suggest_10k: {} suggestions", found.len());
    let mut g = c.benchmark_group("suggest");
    g.sample_size(10);
    g.throughput(Throughput::Elements(history.len() as u64));
    g.bench_function("history_10k", |b| {
        b.iter(|| {
            engine
                .suggest_rules("bench", &history, &opts)
                .unwrap()
                .len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench, mining);
criterion_main!(benches);
