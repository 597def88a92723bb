//! The sentence-embedding model's two stages, with a model of a few concepts: each word it
//! knows stands for one concept (`dental`, `dentists` and `orthodontists` for dentistry); a
//! text's vector is its concepts' sum beside a faint hashed spelling of the text (so texts of
//! no concept are not all alike), normalized. The stages cannot tell it from a real model.

use std::sync::Arc;

use super::*;
use crate::memory::{Embedder, HashingEmbedder};
use crate::model::{Currency, Direction, Money, Source, Transaction};

/// Word -> concept (its dimension).
const CONCEPTS: [(&str, usize); 8] = [
    ("dental", 0),
    ("dentistry", 0),
    ("dentists", 0),
    ("orthodontists", 0),
    ("smile", 0),
    ("bakery", 1),
    ("boulangerie", 1),
    ("patisserie", 1),
];
const CONCEPT_DIMS: usize = 2;
/// The weight of the hashed spelling beside the concepts.
const SPELLING_WEIGHT: f32 = 0.3;

#[derive(Debug)]
struct ConceptModel;

impl Embedder for ConceptModel {
    fn dim(&self) -> usize {
        CONCEPT_DIMS + HashingEmbedder::default().dim()
    }

    fn embed(&self, text: &str, out: &mut [f32]) {
        let (concepts, spelling) = out.split_at_mut(CONCEPT_DIMS);
        concepts.fill(0.0);
        for word in text.to_lowercase().split(|c: char| !c.is_alphanumeric()) {
            if let Some((_, d)) = CONCEPTS.iter().find(|(w, _)| *w == word) {
                concepts[*d] += 1.0;
            }
        }
        HashingEmbedder::default().embed(text, spelling);
        spelling.iter_mut().for_each(|x| *x *= SPELLING_WEIGHT);
        let norm = out.iter().map(|x| x * x).sum::<f32>().sqrt();
        out.iter_mut().for_each(|x| *x /= norm);
    }
}

fn tx(tenant: &str, id: &str, desc: &str) -> Transaction {
    Transaction {
        id: id.into(),
        tenant: tenant.into(),
        descriptor: desc.into(),
        merchant: None,
        amount: Money::new(4_500, Currency::new("USD").unwrap()).unwrap(),
        direction: Direction::Debit,
        date: chrono::NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(),
        account: None,
        mcc: None,
        bank_category: None,
    }
}

fn with_model() -> Engine {
    Engine::new()
        .with_semantic_embedder(Arc::new(ConceptModel))
        .unwrap()
}

fn explain(e: &Engine, t: &Transaction) -> crate::Categorization {
    e.explain(t).unwrap()
}

fn semantic_steps(c: &crate::Categorization) -> Vec<&str> {
    c.trace
        .iter()
        .filter(|s| s.stage == "semantic")
        .map(|s| s.detail.as_str())
        .collect()
}

#[test]
fn a_merchant_no_table_names_is_answered_by_the_nearest_trade() {
    let e = with_model();
    assert!(e.warm_semantic() > 0);
    let c = explain(&e, &tx("a", "1", "SUNRISE SMILE STUDIO 4411 FRESNO CA"));
    assert_eq!(c.category, "medical.dental", "{:#?}", c.trace);
    assert_eq!(c.source, Source::Knowledge);
    let steps = semantic_steps(&c);
    assert!(
        steps
            .iter()
            .any(|d| d.contains("Dentists and orthodontists")),
        "{steps:?}"
    );
    assert!(c.reason.contains("reads like"), "{}", c.reason);
    // without the model the same transaction is not known
    let plain = Engine::new().explain(&tx("a", "1", "SUNRISE SMILE STUDIO 4411 FRESNO CA"));
    assert_ne!(plain.unwrap().category, "medical.dental");
}

#[test]
fn the_tenants_own_merchants_the_model_finds_close_win_over_the_merchant_base() {
    let mut e = with_model();
    e.add_category("a", "teeth", "Teeth", None).unwrap();
    for (i, d) in ["BRIGHT SMILE DENTISTRY", "MAIN ST DENTISTRY"]
        .iter()
        .enumerate()
    {
        e.feedback(&tx("a", &format!("f{i}"), d), "teeth").unwrap();
    }
    let c = explain(&e, &tx("a", "2", "SUNRISE DENTAL CLINIC"));
    assert_eq!(c.category, "teeth", "{:#?}", c.trace);
    assert_eq!(c.source, Source::Similarity);
    assert!(semantic_steps(&c)[0].contains("bright smile dentistry"));
    // another tenant's merchants never vote
    let other = explain(&e, &tx("b", "3", "SUNRISE DENTAL CLINIC"));
    assert_ne!(other.category, "teeth");
}

#[test]
fn without_a_model_no_semantic_stage_runs_and_nothing_near_adds_only_a_trace_step() {
    let plain = Engine::new();
    let c = explain(&plain, &tx("a", "1", "ZQXV WKPT 0042"));
    assert!(semantic_steps(&c).is_empty());
    let e = with_model();
    let c = explain(&e, &tx("a", "1", "ZQXV WKPT 0042"));
    assert_eq!(
        c.category,
        plain
            .explain(&tx("a", "1", "ZQXV WKPT 0042"))
            .unwrap()
            .category
    );
    assert!(semantic_steps(&c)
        .iter()
        .any(|d| d.contains("no known merchant or trade close enough")));
}

#[test]
fn a_model_given_later_embeds_the_merchants_tenants_already_filed() {
    let mut e = Engine::new();
    e.feedback(&tx("a", "f", "LA BOULANGERIE DU COIN"), "food.groceries")
        .unwrap();
    let e = e.with_semantic_embedder(Arc::new(ConceptModel)).unwrap();
    let c = explain(&e, &tx("a", "2", "PATISSERIE MAISON"));
    assert_eq!(c.category, "food.groceries", "{:#?}", c.trace);
    assert!(semantic_steps(&c)[0].contains("boulangerie"));
}

#[test]
fn a_saved_merchant_base_is_taken_by_an_engine_with_the_same_model_only() {
    let saved = with_model().save_semantic_base().unwrap();
    let e = with_model();
    assert!(e.load_semantic_base(&saved));
    assert!(!e.load_semantic_base(&saved), "already built");
    let c = explain(&e, &tx("a", "1", "SUNRISE SMILE STUDIO 4411 FRESNO CA"));
    assert_eq!(c.category, "medical.dental");
    assert!(Engine::new().save_semantic_base().is_none());
    assert!(!Engine::new().load_semantic_base(&saved));
    let hashing_only = Engine::new()
        .with_semantic_embedder(Arc::new(HashingEmbedder::default()))
        .unwrap();
    assert!(!hashing_only.load_semantic_base(&saved), "another model");
}

/// What a host does for an engine with supplied vectors: embeds what the engine lists for
/// `txs` with its own model (here the concept model) and supplies it.
fn supply_for(e: &mut Engine, txs: &[Transaction]) -> usize {
    let texts = e.semantic_texts(txs);
    let vectors: Vec<Vec<f32>> = texts.iter().map(|t| ConceptModel.vector(t)).collect();
    e.supply_semantic_vectors(&texts, &vectors).unwrap();
    texts.len()
}

fn with_supplied() -> Engine {
    Engine::new()
        .with_supplied_vectors(ConceptModel.dim())
        .unwrap()
}

#[test]
fn supplied_vectors_decide_as_the_model_itself_does() {
    let t = tx("a", "1", "SUNRISE SMILE STUDIO 4411 FRESNO CA");
    let mut e = with_supplied();
    // before the vectors come, the semantic stages pass the merchant over
    let before = explain(&e, &t);
    assert!(semantic_steps(&before).is_empty(), "{:#?}", before.trace);
    assert_eq!(e.warm_semantic(), 0);
    let listed = supply_for(&mut e, std::slice::from_ref(&t));
    assert!(listed > 1000, "the merchant base comes first: {listed}");
    assert!(e.semantic_texts(std::slice::from_ref(&t)).is_empty());
    let supplied = explain(&e, &t);
    let direct = explain(&with_model(), &t);
    assert_eq!(supplied.category, "medical.dental");
    // the same decision, step by step (confidences to float rounding: supplied vectors are
    // normalized once more)
    let steps = |c: &crate::Categorization| -> Vec<(String, String)> {
        c.trace
            .iter()
            .map(|s| (s.stage.clone(), s.detail.clone()))
            .collect()
    };
    assert_eq!(
        (&supplied.category, supplied.source, steps(&supplied)),
        (&direct.category, direct.source, steps(&direct))
    );
    assert!((supplied.confidence - direct.confidence).abs() < 1e-6);
    // the base is built once: the next transaction lists only its own merchant
    let next = tx("a", "2", "PATISSERIE MAISON");
    assert_eq!(
        e.semantic_texts(&[next]),
        vec!["patisserie maison".to_string()]
    );
    // and a saved base loads into an engine that has the probe's vector
    let saved = e.save_semantic_base().unwrap();
    let mut other = with_supplied();
    let probe = other.semantic_texts(&[]).remove(0);
    other
        .supply_semantic_vectors(std::slice::from_ref(&probe), &[ConceptModel.vector(&probe)])
        .unwrap();
    assert!(other.load_semantic_base(&saved));
    assert_eq!(
        other.semantic_texts(&[t]),
        vec!["sunrise smile studio".to_string()]
    );
}

#[test]
fn a_merchant_learned_before_its_vector_came_gets_it_when_supplied() {
    let mut e = with_supplied();
    e.feedback(&tx("a", "f", "LA BOULANGERIE DU COIN"), "food.groceries")
        .unwrap();
    let next = tx("a", "2", "PATISSERIE MAISON");
    let listed = e.semantic_texts(std::slice::from_ref(&next));
    assert!(
        listed.contains(&"la boulangerie du coin".to_string()),
        "{listed:?}"
    );
    supply_for(&mut e, std::slice::from_ref(&next));
    let c = explain(&e, &next);
    assert_eq!(c.category, "food.groceries", "{:#?}", c.trace);
    assert!(semantic_steps(&c)[0].contains("boulangerie"));
}

#[test]
fn vectors_go_only_to_an_engine_built_to_take_them_and_a_model_lists_nothing() {
    let t = tx("a", "1", "SUNRISE DENTAL CLINIC");
    let mut e = with_model();
    assert!(e.semantic_texts(std::slice::from_ref(&t)).is_empty());
    let err = e
        .supply_semantic_vectors(&["x".to_string()], &[vec![1.0; ConceptModel.dim()]])
        .unwrap_err();
    assert_eq!(err.code().as_str(), "invalid_input");
    assert!(err.to_string().contains("with_supplied_vectors"), "{err}");
    assert!(Engine::new().semantic_texts(&[t]).is_empty());
    // a wrong vector stores nothing
    let mut e = with_supplied();
    let err = e
        .supply_semantic_vectors(&["x".to_string()], &[vec![1.0; 3]])
        .unwrap_err();
    assert!(
        err.to_string().contains("not the engine's dimension"),
        "{err}"
    );
}

/// A tenant that filed a dozen merchants of no trade the concept model knows: its classifier
/// guesses one of its categories for any new merchant.
fn habitual(mut e: Engine) -> Engine {
    let filed = [
        (
            "shopping.other",
            ["ZQXV TRADING", "WKPT SUPPLY", "QRST GOODS"],
        ),
        (
            "transport.taxi",
            ["GRZL CABS", "FNTX RIDES", "HWKS TAXI CO"],
        ),
        (
            "services.software",
            ["BLNK LABS", "MRKT SYSTEMS", "TRVX APPS"],
        ),
        (
            "home.furniture",
            ["KLMN INTERIORS", "PQRS LIVING", "VWXY HOME"],
        ),
    ];
    for (category, names) in filed {
        for d in names {
            e.feedback(&tx("a", d, d), category).unwrap();
        }
    }
    e
}

#[test]
fn close_known_merchants_overrule_a_weak_classifier_guess_but_never_a_tables_guess() {
    // the classifier's answers stay guesses (below the bar to decide), and the merchant
    // base's answers count at the model's full confidence
    let unsure = || {
        Engine::with_config(crate::EngineConfig {
            similarity_min_confidence: 0.95,
            knowledge_confidence: 1.0,
            ..Default::default()
        })
        .unwrap()
    };
    let e = habitual(
        unsure()
            .with_semantic_embedder(Arc::new(ConceptModel))
            .unwrap(),
    );
    let plain = habitual(unsure());
    let first_sighting = tx("a", "1", "SUNRISE DENTAL CLINIC");
    let guessed = explain(&plain, &first_sighting);
    assert_eq!(guessed.source, Source::Classifier, "{:#?}", guessed.trace);
    assert_ne!(
        guessed.category, "medical.dental",
        "without the model, a wrong guess"
    );
    let c = explain(&e, &first_sighting);
    assert_eq!(c.category, "medical.dental", "{:#?}", c.trace);
    assert_eq!(c.source, Source::Knowledge);
    // a word of the vocabulary in the name is a guess of the tables: it stands (a tenant with
    // no history, so no classifier guess comes first)
    let pub_name = tx("b", "2", "THE SMILE PUB");
    let c = explain(&e, &pub_name);
    assert_eq!(c.category, "food.bars", "{:#?}", c.trace);
}

/// The concept model, failing (zeros, as a host's model that raised) while `down`.
#[derive(Debug, Default)]
struct Flaky {
    down: std::sync::atomic::AtomicBool,
}

impl Embedder for Flaky {
    fn dim(&self) -> usize {
        ConceptModel.dim()
    }

    fn embed(&self, text: &str, out: &mut [f32]) {
        if self.down.load(std::sync::atomic::Ordering::Relaxed) {
            out.fill(0.0);
        } else {
            ConceptModel.embed(text, out);
        }
    }
}

#[test]
fn a_merchant_base_the_model_failed_on_is_embedded_again_by_a_later_call() {
    let model = Arc::new(Flaky::default());
    model.down.store(true, std::sync::atomic::Ordering::Relaxed);
    let e = Engine::new().with_semantic_embedder(model.clone()).unwrap();
    assert_eq!(e.warm_semantic(), 0);
    assert!(e.save_semantic_base().is_none());
    model
        .down
        .store(false, std::sync::atomic::Ordering::Relaxed);
    assert!(e.warm_semantic() > 1000);
    let c = explain(&e, &tx("a", "1", "SUNRISE SMILE STUDIO 4411 FRESNO CA"));
    assert_eq!(c.category, "medical.dental", "{:#?}", c.trace);
}
