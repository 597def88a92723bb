//! Redaction throughput on one core: log-like text (mostly clean lines, one in ten with PII
//! or a secret), and the same text without any PII.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use xspense::redact::Redactor;
use xspense_benches::log_text;

fn bench(c: &mut Criterion) {
    let r = Redactor::new();
    r.warm_up();
    let logs = log_text(40_000, 5);
    let findings = r.find(&logs).len();
    eprintln!(
        "redact: {:.1} MB of log text, {} lines, {findings} findings",
        logs.len() as f64 / 1e6,
        logs.lines().count()
    );
    let clean: String = logs
        .lines()
        .filter(|l| r.find(l).is_empty())
        .map(|l| format!("{l}\n"))
        .collect();
    let mut g = c.benchmark_group("redact");
    g.sample_size(10);
    g.throughput(Throughput::Bytes(logs.len() as u64));
    g.bench_function("log_text_placeholder", |b| {
        b.iter(|| r.redact(&logs).text.len())
    });
    g.throughput(Throughput::Bytes(clean.len() as u64));
    g.bench_function("clean_log_text", |b| b.iter(|| r.redact(&clean).text.len()));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
