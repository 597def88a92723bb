//! The full pipeline (normalize -> rules -> aliases) on alias hits, one core.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use xspense::{Decision, Engine};
use xspense_benches::{merchants, tx, Lcg};

fn bench(c: &mut Criterion) {
    let names = merchants(2_000, 11);
    let mut engine = Engine::new();
    engine
        .add_rules("bench", "merchant contains \"rent\" => utilities.rent\ndescriptor starts_with \"atm\" => transfer.atm")
        .unwrap();
    let mut rng = Lcg(5);
    for (i, m) in names.iter().enumerate() {
        let t = tx(i, m, &mut rng);
        engine
            .feedback(
                &t,
                if i % 2 == 0 {
                    "food.groceries"
                } else {
                    "shopping.other"
                },
            )
            .unwrap();
    }
    let batch: Vec<_> = (0..10_000)
        .map(|i| tx(i, &names[rng.below(names.len() as u64) as usize], &mut rng))
        .collect();
    let alias_hits = engine
        .categorize_batch(&batch)
        .unwrap()
        .iter()
        .filter(|d| matches!(d, Decision::Categorized(c) if c.source == xspense::Source::Alias))
        .count();
    assert_eq!(
        alias_hits,
        batch.len(),
        "every bench transaction should be an alias hit"
    );
    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Elements(batch.len() as u64));
    g.sample_size(20);
    g.bench_function("categorize_batch_10k_alias_hits", |b| {
        b.iter(|| engine.categorize_batch(&batch).unwrap().len())
    });
    let one = batch[0].clone();
    g.throughput(Throughput::Elements(1));
    g.bench_function("normalize_one", |b| {
        b.iter(|| engine.normalize(&one.descriptor))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
