//! The full pipeline (normalize -> rules -> aliases) on alias hits, one core; normalizing and
//! cold-categorizing real descriptor shapes (the solyanka descriptors the knowledge base
//! ships), where the brand table and the knowledge base do the work; and normalizing those
//! descriptors lengthened to 100+ characters, on first sight and warm.

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use xspense::normalize::Normalizer;
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
    bench_real_descriptors(c);
    bench_long_descriptors(c);
}

/// The committed solyanka descriptors (MIT; see `core/src/knowledge/data/generate.py`).
const REAL_DESCRIPTORS: &str = include_str!("../../core/src/knowledge/data/solyanka.tsv");

/// Normalizing and cold-categorizing ~2,700 real descriptor shapes from 36 countries, per
/// descriptor: a fresh engine, so every answer comes from the brand table, the knowledge base,
/// the vocabulary or nothing.
fn bench_real_descriptors(c: &mut Criterion) {
    let descriptors: Vec<&str> = REAL_DESCRIPTORS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').next())
        .collect();
    let mut engine = Engine::new();
    let mut rng = Lcg(7);
    let batch: Vec<_> = descriptors
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let mut t = tx(i, "x", &mut rng);
            t.descriptor = d.to_string();
            t
        })
        .collect();
    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Elements(descriptors.len() as u64));
    g.sample_size(20);
    g.bench_function("normalize_real_descriptors", |b| {
        b.iter(|| {
            descriptors
                .iter()
                .map(|d| engine.normalize(d).key.as_str().len())
                .sum::<usize>()
        })
    });
    g.bench_function("categorize_cold_real_descriptors", |b| {
        b.iter(|| engine.categorize_batch(&batch).unwrap().len())
    });
    g.finish();
}

/// A descriptor lengthened the way long bank lines are (the shapes of
/// `benches/long_descriptors.py`): a card-purchase head with its date, then card masks,
/// sequence numbers, references and a `: Mobile Purchase Sign Based` clause, to at least
/// [`LONG_MIN_CHARS`] characters.
fn lengthen(descriptor: &str, rng: &mut Lcg) -> String {
    let mut pick = |n: u64| rng.below(n);
    let md = format!("{:02}/{:02}", 1 + pick(12), 1 + pick(28));
    let card = format!("{:04}", pick(10_000));
    let seq = format!("{:08}", pick(100_000_000));
    let reference: String = (0..12)
        .map(|_| LONG_REF_ALPHABET[pick(LONG_REF_ALPHABET.len() as u64) as usize] as char)
        .collect();
    let heads = [
        format!("PURCHASE AUTHORIZED ON {md}"),
        format!("DEBIT CARD PURCHASE {md}"),
        format!("POS PURCHASE {md}"),
    ];
    let tails = [
        format!("CARD {card} SEQ #{seq} REF {reference}"),
        format!("S{seq}{seq} CARD {card}"),
        format!("REF {reference} TRACE {seq} : Mobile Purchase Sign Based On {md}"),
    ];
    let mut text = format!("{} {descriptor}", heads[pick(3) as usize]);
    while text.chars().count() < LONG_MIN_CHARS {
        text = format!("{text} {}", tails[pick(3) as usize]);
    }
    text
}

/// The length the long-descriptor benchmarks reach.
const LONG_MIN_CHARS: usize = 100;
/// Letters and digits of a bank reference.
const LONG_REF_ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";

/// Normalizing the real descriptors lengthened to 100+ characters: on first sight (a fresh
/// normalizer for each pass: the regexes' lazy DFAs start empty, as for the first export an
/// engine reads) and warm (the same normalizer again).
fn bench_long_descriptors(c: &mut Criterion) {
    let mut rng = Lcg(11);
    let long: Vec<String> = REAL_DESCRIPTORS
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split('\t').next())
        .map(|d| lengthen(d, &mut rng))
        .collect();
    let template = Normalizer::builtin();
    let pass = |n: &Normalizer| {
        long.iter()
            .map(|d| n.normalize(d).key.as_str().len())
            .sum::<usize>()
    };
    let mut g = c.benchmark_group("pipeline");
    g.throughput(Throughput::Elements(long.len() as u64));
    g.sample_size(20);
    g.bench_function("normalize_long_first_sight", |b| {
        // a clone has its own regex caches, empty
        b.iter_batched(|| template.clone(), |n| pass(&n), BatchSize::LargeInput)
    });
    g.bench_function("normalize_long_warm", |b| b.iter(|| pass(&template)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
