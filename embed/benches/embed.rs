//! Cost of the sentence-embedding model per text (feature `model-tests`, model at
//! `$XSPENSE_EMBEDDER_MODEL`): one short card descriptor, one descriptor of over 100
//! characters, and 64 merchant names at once (the cold-start path).

use std::hint::black_box;
use std::path::PathBuf;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use xspense::memory::Embedder;
use xspense_embed::SentenceEmbedder;

const SHORT: &str = "STARBUCKS 00123 SEATTLE WA";
const LONG: &str = "POS PURCHASE 12/04 CARD 4821 AMZN MKTP US*2K4RT5XY3 AMZN.COM/BILL WA \
                    REF 7730012345 ORDER 113-4567890-1234567 ELECTRONICS";

/// 64 merchant names of varied length.
fn names() -> Vec<String> {
    let stems = [
        "Shell Oil",
        "Walgreens",
        "Delta Air Lines",
        "Whole Foods Market",
        "Uber Trip",
        "Blue Bottle Coffee",
        "Netflix.com",
        "Home Depot",
    ];
    (0..64)
        .map(|i| {
            format!(
                "{} #{} {}",
                stems[i % stems.len()],
                1000 + i * 37,
                "STORE ".repeat(i % 4)
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let dir = std::env::var_os("XSPENSE_EMBEDDER_MODEL")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            panic!("XSPENSE_EMBEDDER_MODEL is not set: run scripts/install-embedder-model.sh")
        });
    let model = SentenceEmbedder::load(&dir).unwrap_or_else(|e| panic!("{e}"));
    let mut out = vec![0.0; model.dim()];
    let names = names();
    let refs: Vec<&str> = names.iter().map(String::as_str).collect();

    let mut g = c.benchmark_group("embed");
    g.throughput(Throughput::Elements(1));
    g.bench_function("short_descriptor", |b| {
        b.iter(|| model.embed(black_box(SHORT), &mut out))
    });
    g.bench_function("long_descriptor", |b| {
        b.iter(|| model.embed(black_box(LONG), &mut out))
    });
    g.throughput(Throughput::Elements(refs.len() as u64));
    g.bench_function("batch_64_names", |b| {
        b.iter(|| model.embed_batch(black_box(&refs)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
