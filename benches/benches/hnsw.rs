//! HNSW against exact search at 100,000 merchant vectors of dimension 256: recall@10 and
//! queries per second on one core (`cargo bench -p xspense-benches --features hnsw --bench hnsw`).

use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use xspense::memory::{Embedder, FlatIndex, HashingEmbedder, HnswIndex, HnswParams};
use xspense_benches::{merchants, Lcg};

fn bench(c: &mut Criterion) {
    let e = HashingEmbedder::default();
    let names = merchants(100_000, 33);
    let mut flat = FlatIndex::new(e.dim());
    let mut h = HnswIndex::new(e.dim(), names.len(), HnswParams::default()).unwrap();
    let vectors: Vec<Vec<f32>> = names.iter().map(|n| e.vector(n)).collect();
    for (n, v) in names.iter().zip(&vectors) {
        flat.upsert(n, v).unwrap();
    }
    let items: Vec<(&str, &[f32])> = names
        .iter()
        .map(String::as_str)
        .zip(vectors.iter().map(Vec::as_slice))
        .collect();
    let t0 = Instant::now();
    h.upsert_batch(&items).unwrap();
    eprintln!(
        "hnsw: built 100,000 vectors in {:.1} s ({:?}, upsert_batch on {} threads)",
        t0.elapsed().as_secs_f64(),
        h.params(),
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    let mut rng = Lcg(9);
    let queries: Vec<Vec<f32>> = (0..500)
        .map(|_| {
            let n = &names[rng.below(names.len() as u64) as usize];
            e.vector(&format!("{n} store"))
        })
        .collect();
    let exact: Vec<Vec<String>> = queries
        .iter()
        .map(|q| flat.search(q, 10, None).into_iter().map(|x| x.0).collect())
        .collect();
    // Recall and speed as the search list grows (the graph stays the same).
    let default_ef = h.params().ef_search;
    for ef in [10, 16, 24, 32, 48, 64, 96, 128] {
        h.set_ef_search(ef).unwrap();
        let mut hits = 0;
        let t = Instant::now();
        for _ in 0..3 {
            hits = 0;
            for (q, exact) in queries.iter().zip(&exact) {
                hits += h
                    .search(q, 10, None)
                    .iter()
                    .filter(|(k, _)| exact.contains(k))
                    .count();
            }
        }
        let per_query = t.elapsed().as_secs_f64() / (3 * queries.len()) as f64;
        eprintln!(
            "hnsw: ef_search {ef:3}: recall@10 {:.3}, {:.0} queries/s",
            hits as f64 / (queries.len() * 10) as f64,
            1.0 / per_query
        );
    }
    h.set_ef_search(default_ef).unwrap();
    let mut g = c.benchmark_group("hnsw_100k");
    g.throughput(Throughput::Elements(1));
    let mut i = 0;
    g.bench_function("search_k10", |b| {
        b.iter(|| {
            i = (i + 1) % queries.len();
            h.search(&queries[i], 10, None).len()
        })
    });
    g.sample_size(10);
    g.bench_function("exact_search_k10", |b| {
        b.iter(|| {
            i = (i + 1) % queries.len();
            flat.search(&queries[i], 10, None).len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
