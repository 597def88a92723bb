//! The model's behaviour, against the files at `$XSPENSE_EMBEDDER_MODEL` (feature
//! `model-tests`). Without that variable every test that needs the model fails, naming the
//! install script.

use std::path::PathBuf;
use std::sync::OnceLock;

use xspense::memory::Embedder;
use xspense_embed::SentenceEmbedder;

/// The variable naming the model folder.
const MODEL_VAR: &str = "XSPENSE_EMBEDDER_MODEL";

fn model() -> &'static SentenceEmbedder {
    static MODEL: OnceLock<SentenceEmbedder> = OnceLock::new();
    MODEL.get_or_init(|| {
        let dir = std::env::var_os(MODEL_VAR)
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                panic!(
                "{MODEL_VAR} is not set: these tests need the all-MiniLM-L6-v2 model files. Run \
                 `export {MODEL_VAR}=$(scripts/install-embedder-model.sh)`, which installs them \
                 and prints their folder"
            )
            });
        SentenceEmbedder::load(&dir).unwrap_or_else(|e| panic!("{e}"))
    })
}

fn cos(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

fn norm(v: &[f32]) -> f32 {
    cos(v, v).sqrt()
}

#[test]
fn has_384_dimensions() {
    assert_eq!(model().dim(), 384);
    assert_eq!(model().vector("coffee").len(), 384);
}

#[test]
fn vectors_are_unit_length() {
    for text in [
        "coffee",
        "AMZN Mktp US*2K4RT5 Amzn.com/bill WA",
        "Übernachtung Köln",
    ] {
        let n = norm(&model().vector(text));
        assert!((n - 1.0).abs() < 1e-5, "{text:?} has norm {n}");
    }
}

#[test]
fn is_deterministic() {
    let text = "STARBUCKS STORE 00123 SEATTLE WA";
    assert_eq!(model().vector(text), model().vector(text));
    assert_eq!(
        model().embed_batch(&[text, "x"]),
        model().embed_batch(&[text, "x"])
    );
}

/// sentence-transformers' published similarity matrix for these sentences under
/// all-MiniLM-L6-v2 (its README's quick start, printed to four decimals): reproducing it means
/// the tokenizer, encoder, pooling and normalization all match upstream.
#[test]
fn reproduces_the_published_similarity_matrix() {
    let e = model().embed_batch(&[
        "The weather is lovely today.",
        "It's so sunny outside!",
        "He drove to the stadium.",
    ]);
    let expected = [
        [1.0, 0.6660, 0.1046],
        [0.6660, 1.0, 0.1411],
        [0.1046, 0.1411, 1.0],
    ];
    for (i, row) in expected.iter().enumerate() {
        for (j, want) in row.iter().enumerate() {
            let got = cos(&e[i], &e[j]);
            assert!(
                (got - want).abs() < 1e-3,
                "similarity[{i}][{j}] = {got:.4}, published {want:.4}"
            );
        }
    }
}

/// (anchor, closer, farther): the anchor must be closer to the second text than to the third.
const TRIPLES: [(&str, &str, &str); 5] = [
    ("coffee shop", "cafe espresso bar", "petrol station fuel"),
    ("groceries", "supermarket", "airline tickets"),
    ("airline", "flights", "pharmacy"),
    ("pharmacy", "drugstore", "supermarket"),
    ("petrol station", "gas station fuel", "coffee shop"),
];

#[test]
fn similar_merchants_are_closer() {
    for (anchor, near, far) in TRIPLES {
        let [a, n, f] = [anchor, near, far].map(|t| model().vector(t));
        let (close, distant) = (cos(&a, &n), cos(&a, &f));
        assert!(
            close > distant,
            "cos({anchor:?}, {near:?}) = {close:.3} should exceed cos({anchor:?}, {far:?}) = {distant:.3}"
        );
    }
}

#[test]
fn batch_and_single_agree() {
    let texts = [
        "Shell Oil 5741",
        "WALGREENS #1234 CHICAGO IL",
        "Delta Air Lines 0062345678901 ATLANTA",
        "a",
        "",
        "Uber *Trip HELP.UBER.COM CA: a rather longer descriptor with many more tokens in it",
    ];
    let batch = model().embed_batch(&texts);
    assert_eq!(batch.len(), texts.len());
    for (text, b) in texts.iter().zip(&batch) {
        let single = model().vector(text);
        let worst = single
            .iter()
            .zip(b)
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max);
        assert!(worst < 1e-5, "{text:?}: batch and single differ by {worst}");
    }
}

#[test]
fn a_batch_larger_than_one_chunk_keeps_its_order() {
    let texts: Vec<String> = (0..75)
        .map(|i| format!("merchant {} {}", i, "x".repeat(i % 7)))
        .collect();
    let refs: Vec<&str> = texts.iter().map(String::as_str).collect();
    let batch = model().embed_batch(&refs);
    for i in [0, 31, 32, 74] {
        let single = model().vector(refs[i]);
        assert!(cos(&single, &batch[i]) > 0.99999, "text {i} out of place");
    }
    assert!(model().embed_batch(&[]).is_empty());
}

#[test]
fn odd_input_does_not_panic() {
    let long = "Lorem ipsum dolor sit amet ".repeat(200)[..5000].to_owned();
    let huge = "x".repeat(1_000_000);
    let odd = [
        "",
        "   ",
        long.as_str(),
        huge.as_str(),
        "\u{0}\u{1}\u{7f}\u{200b}\u{feff}",
        "🍔🍟 café ☕ — Zürich 東京 مقهى",
        "\u{202e}reversed\u{202c}",
        "a\u{301}\u{301}\u{301}\u{301}",
    ];
    for text in odd {
        let v = model().vector(text);
        assert!(v.iter().all(|x| x.is_finite()), "{text:?}");
        assert!(
            (norm(&v) - 1.0).abs() < 1e-4,
            "{text:?} has norm {}",
            norm(&v)
        );
        assert!(model().try_embed(text).is_ok(), "{text:?}");
    }
    assert_eq!(model().embed_batch(&odd).len(), odd.len());
    assert_eq!(model().inference_failures(), 0);
}

#[test]
fn long_input_is_truncated_like_sentence_transformers() {
    // past 256 tokens, more text changes nothing
    let words = "fuel ".repeat(300);
    let more = format!("{words} groceries pharmacy airline");
    assert_eq!(model().vector(&words), model().vector(&more));
}

#[test]
fn embed_fills_an_output_slice() {
    let mut out = vec![7.0; 384];
    model().embed("Blue Bottle Coffee", &mut out);
    assert_eq!(out, model().vector("Blue Bottle Coffee"));
}

#[test]
fn missing_files_are_named_with_the_install_script() {
    let empty = std::env::temp_dir().join(format!("xspense-embed-empty-{}", std::process::id()));
    std::fs::create_dir_all(&empty).expect("temp folder");
    let err = SentenceEmbedder::load(&empty).expect_err("an empty folder is no model");
    let message = err.to_string();
    assert!(message.contains("config.json"), "{message}");
    assert!(
        message.contains("scripts/install-embedder-model.sh"),
        "{message}"
    );
    let _ = std::fs::remove_dir(&empty);
}

#[test]
fn a_malformed_file_is_named() {
    let Some(source) = std::env::var_os(MODEL_VAR).map(PathBuf::from) else {
        let _ = model(); // fails with the message naming the install script
        return;
    };
    let dir = std::env::temp_dir().join(format!("xspense-embed-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp folder");
    std::fs::copy(source.join("config.json"), dir.join("config.json")).expect("copy config");
    std::fs::copy(source.join("tokenizer.json"), dir.join("tokenizer.json"))
        .expect("copy tokenizer");
    std::fs::write(dir.join("model.safetensors"), b"not safetensors").expect("write weights");
    let message = SentenceEmbedder::load(&dir)
        .expect_err("bad weights")
        .to_string();
    assert!(
        message.contains("model.safetensors") && message.contains("malformed"),
        "{message}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
