//! Normalization against the committed descriptor fixtures (tests/fixtures/normalize).

use xspense::normalize::Normalizer;

struct Outcome {
    total: usize,
    misses: Vec<String>,
}

fn run(file: &str) -> Outcome {
    let path = format!(
        "{}/tests/fixtures/normalize/{file}",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).expect("fixture exists");
    let n = Normalizer::builtin();
    let mut out = Outcome {
        total: 0,
        misses: Vec::new(),
    };
    for line in text.lines() {
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let cols: Vec<&str> = line.split('\t').collect();
        assert!(cols.len() >= 2, "bad fixture line {line:?}");
        out.total += 1;
        let got = n.normalize(cols[0]).key;
        if got != cols[1] {
            out.misses.push(format!(
                "{:?}: expected {:?}, got {:?}",
                cols[0], cols[1], got
            ));
        }
    }
    out
}

fn check(file: &str, min_accuracy: f64, min_rows: usize) {
    let o = run(file);
    assert!(o.total >= min_rows, "{file}: only {} rows", o.total);
    let acc = 1.0 - o.misses.len() as f64 / o.total as f64;
    eprintln!(
        "{file}: {}/{} keys exact ({:.1}%)",
        o.total - o.misses.len(),
        o.total,
        acc * 100.0
    );
    for m in &o.misses {
        eprintln!("  miss {m}");
    }
    assert!(
        acc >= min_accuracy,
        "{file}: key accuracy {acc:.3} below {min_accuracy}"
    );
}

#[test]
fn generated_bank_shapes() {
    check("descriptors.tsv", 0.98, 300);
}

#[test]
fn handwritten_real_shapes() {
    check("handwritten.tsv", 0.95, 120);
}
