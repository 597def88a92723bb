//! Exact flat search over merchant vectors: 5,000 vectors of dimension 256 from the built-in
//! hashing embedder, one query at a time (k = 10).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use xspense::memory::{Embedder, FlatIndex, HashingEmbedder};
use xspense_benches::{merchants, Lcg};

fn bench(c: &mut Criterion) {
    let e = HashingEmbedder::default();
    let names = merchants(5_000, 21);
    let mut ix = FlatIndex::new(e.dim());
    let mut v = vec![0.0; e.dim()];
    for n in &names {
        e.embed(n, &mut v);
        ix.upsert(n, &v).unwrap();
    }
    let mut rng = Lcg(5);
    let queries: Vec<Vec<f32>> = (0..256)
        .map(|_| {
            let n = &names[rng.below(names.len() as u64) as usize];
            let mut q = vec![0.0; e.dim()];
            e.embed(&format!("{n} store"), &mut q);
            q
        })
        .collect();
    let mut g = c.benchmark_group("similarity");
    g.throughput(Throughput::Elements(1));
    let mut i = 0;
    g.bench_function("flat_search_5k_x_256_k10", |b| {
        b.iter(|| {
            i = (i + 1) % queries.len();
            ix.search(&queries[i], 10, None).len()
        })
    });
    g.bench_function("embed_one", |b| {
        b.iter(|| e.embed("blue bottle coffee oakland", &mut v))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
