//! Every trace step and reason the pipeline writes, by stage: what a stage concluded, in the
//! words hosts show to people.

use crate::knowledge::{BankCategoryMatch, Kind, KnownMerchant, WordMatch};
use crate::memory::{
    AliasVerdict, BaseNeighbour, BaseOrigin, BaseVote, Prediction, SimilarityVote,
};
use crate::model::{Source, TraceStep, UNCATEGORIZED};
use crate::normalize::{MerchantKey, Normalized};
use crate::rules::Rule;

/// Neighbours of a similarity vote the trace names.
const NEIGHBOURS_SHOWN: usize = 5;

/// A share in 0..=1 as a whole percentage, printed as `format!("{:.0}", share * 100.0)` would
/// print it (ties to even) without the slow path that float formatting with a precision takes
/// for many values: an alias hit formats two of these.
pub(super) fn percent(share: f64) -> i64 {
    (share * 100.0).round_ties_even() as i64
}

fn step(
    stage: &str,
    detail: String,
    category: Option<String>,
    confidence: Option<f64>,
) -> TraceStep {
    TraceStep {
        stage: stage.to_string(),
        detail,
        category,
        confidence,
    }
}

// ---------- normalize ----------

/// The merchant key the descriptor normalized to.
pub(super) fn normalized(n: &Normalized) -> TraceStep {
    let brand = if n.brand { " (known brand)" } else { "" };
    step(
        "normalize",
        format!("merchant key {:?}{brand}", n.key.as_str()),
        None,
        None,
    )
}

// ---------- rules ----------

/// No rule matched.
pub(super) fn no_rule() -> TraceStep {
    step("rules", "no rule matched".into(), None, None)
}

/// The rules that matched, and the category and confidence they set, if one set a category.
pub(super) fn rules_matched(ids: &[&str], set: Option<(&str, f64)>) -> TraceStep {
    step(
        "rules",
        format!("matched {}", ids.join(", ")),
        set.map(|(c, _)| c.to_string()),
        set.map(|(_, confidence)| confidence),
    )
}

/// Why a rule's category was chosen.
pub(super) fn rule_reason(rule: &Rule) -> String {
    format!("rule {:?} matched: {}", rule.id, rule.when)
}

// ---------- alias ----------

/// What alias memory learned about the merchant key.
pub(super) fn alias_verdict(key: &MerchantKey, v: &AliasVerdict) -> TraceStep {
    let key = key.as_str();
    let amount = match (v.by_amount, v.novel_amount) {
        (_, true) => ", but never at an amount like this",
        (true, false) => " at this amount",
        _ => "",
    };
    step(
        "alias",
        format!(
            "{key:?} learned {} time(s); {} holds {}% of the vote{amount}",
            v.support,
            v.category,
            percent(v.share),
        ),
        Some(v.category.clone()),
        Some(v.confidence),
    )
}

/// Alias memory knows nothing of the merchant key.
pub(super) fn nothing_learned(key: &MerchantKey) -> TraceStep {
    let key = key.as_str();
    step("alias", format!("nothing learned for {key:?}"), None, None)
}

/// Why the category alias memory holds was chosen.
pub(super) fn alias_reason(merchant: &str, v: &AliasVerdict) -> String {
    format!(
        "{merchant} was filed under {} before ({} time(s), {}% of the vote)",
        v.category,
        v.support,
        percent(v.share)
    )
}

// ---------- similarity and classifier ----------

/// The first neighbours of a vote: `key (category, similarity)`, comma-separated.
fn neighbour_list(v: &SimilarityVote) -> String {
    v.neighbours
        .iter()
        .take(NEIGHBOURS_SHOWN)
        .map(|n| format!("{} ({}, {:.2})", n.key, n.category, n.similarity))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The nearest neighbour of a vote that voted for `category` (`merchants` when none did).
fn neighbour_for<'v>(v: &'v SimilarityVote, category: &str) -> &'v str {
    v.neighbours
        .iter()
        .find(|n| n.category == category)
        .map_or("merchants", |n| n.key.as_str())
}

/// The vote of the similar merchants the tenant filed before.
pub(super) fn similarity_vote(v: &SimilarityVote) -> TraceStep {
    let list = neighbour_list(v);
    step(
        "similarity",
        format!(
            "neighbours: {list}; {}% of the weighted vote",
            percent(v.share)
        ),
        Some(v.category.clone()),
        Some(v.confidence),
    )
}

/// No similar merchant voted.
pub(super) fn no_similar_merchant() -> TraceStep {
    step(
        "similarity",
        "no similar merchant filed before".into(),
        None,
        None,
    )
}

/// What the online classifier predicts from the descriptor's words.
pub(super) fn classifier_prediction(p: &Prediction) -> TraceStep {
    step(
        "classifier",
        format!(
            "descriptor words point to {} (margin {:.2})",
            p.label, p.margin
        ),
        Some(p.label.clone()),
        Some(p.confidence),
    )
}

/// The confidence guesses like this one have earned for the tenant (`seen` outcomes).
pub(super) fn calibrated(
    category: &str,
    source: Source,
    raw: f64,
    confidence: f64,
    seen: u32,
) -> TraceStep {
    step(
        "calibration",
        format!(
            "{} guesses claiming {}% were right {}% of the time here ({seen} seen)",
            source.as_str(),
            percent(raw),
            percent(confidence)
        ),
        Some(category.to_string()),
        Some(confidence),
    )
}

/// Why a similarity vote's category was chosen: the first neighbour filed under it, if any.
pub(super) fn similarity_reason(merchant: &str, category: &str, v: &SimilarityVote) -> String {
    format!(
        "{merchant} looks like {} you filed under {category}",
        neighbour_for(v, category)
    )
}

/// Why the classifier's category was chosen.
pub(super) fn classifier_reason(category: &str) -> String {
    format!("the words in this descriptor usually mean {category} for you")
}

// ---------- knowledge ----------

/// The merchant key is in the built-in knowledge base (confidence as translated for the tenant).
pub(super) fn known_merchant(key: &MerchantKey, k: &KnownMerchant, confidence: f64) -> TraceStep {
    let key = key.as_str();
    step(
        "knowledge",
        format!("{key:?} is a known merchant ({} table)", k.origin.as_str()),
        Some(k.category.to_string()),
        Some(confidence),
    )
}

/// A known merchant's category is one the tenant, who files under its own labels, has not
/// shown how it names.
pub(super) fn known_merchant_unnamed(key: &MerchantKey, k: &KnownMerchant) -> TraceStep {
    step(
        "knowledge",
        format!(
            "{:?} is a known merchant ({} table) in {}, which you have not named yet",
            key.as_str(),
            k.origin.as_str(),
            k.category
        ),
        None,
        None,
    )
}

/// The merchant key is not in the built-in knowledge base.
pub(super) fn unknown_merchant(key: &MerchantKey) -> TraceStep {
    let key = key.as_str();
    step(
        "knowledge",
        format!("{key:?} is not in the built-in knowledge base"),
        None,
        None,
    )
}

/// Why the knowledge base's category (`builtin`, as the tenant names it: `category`) was chosen.
pub(super) fn knowledge_reason(merchant: &str, builtin: &str, category: &str) -> String {
    if category == builtin {
        format!("{merchant} is a well-known merchant usually filed under {category}")
    } else {
        format!("{merchant} is a well-known {builtin} merchant, which you file under {category}")
    }
}

// ---------- semantic ----------

/// The sentence-embedding model's vote among the tenant's merchants.
pub(super) fn semantic_vote(v: &SimilarityVote) -> TraceStep {
    let list = neighbour_list(v);
    step(
        "semantic",
        format!(
            "the embedding model's nearest merchants you filed: {list}; {}% of the weighted vote",
            percent(v.share)
        ),
        Some(v.category.clone()),
        Some(v.confidence),
    )
}

/// None of the tenant's merchants is close in the model's vectors.
pub(super) fn no_semantic_neighbour() -> TraceStep {
    step(
        "semantic",
        "the embedding model finds no merchant you filed close enough".into(),
        None,
        None,
    )
}

/// Why the model's vote among the tenant's merchants was chosen.
pub(super) fn semantic_reason(merchant: &str, category: &str, v: &SimilarityVote) -> String {
    format!(
        "{merchant} means much the same as {} you filed under {category}",
        neighbour_for(v, category)
    )
}

/// How the trace names a merchant-base entry: `merchant "aspen dental"` or `card code
/// description "Dentists and Orthodontists"`.
fn base_entry(n: &BaseNeighbour) -> String {
    match n.origin {
        BaseOrigin::Merchant => format!("merchant {:?}", n.text),
        BaseOrigin::MccDescription => format!("card code description {:?}", n.text),
    }
}

/// The merchant base's nearest entries.
pub(super) fn semantic_base_vote(v: &BaseVote, confidence: f64) -> TraceStep {
    let list = v
        .neighbours
        .iter()
        .take(NEIGHBOURS_SHOWN)
        .map(|n| format!("{} ({}, {:.2})", base_entry(n), n.category, n.similarity))
        .collect::<Vec<_>>()
        .join(", ");
    step(
        "semantic",
        format!("the embedding model's nearest known merchants and trades: {list}"),
        Some(v.category.to_string()),
        Some(confidence),
    )
}

/// No entry of the merchant base is close in the model's vectors.
pub(super) fn no_semantic_base_neighbour() -> TraceStep {
    step(
        "semantic",
        "the embedding model finds no known merchant or trade close enough".into(),
        None,
        None,
    )
}

/// The nearest entries' category is one the tenant, who files under its own labels, has not
/// shown how it names.
pub(super) fn semantic_base_unnamed(v: &BaseVote) -> TraceStep {
    step(
        "semantic",
        format!(
            "the nearest known merchants and trades are {}, which you have not named yet",
            v.category
        ),
        None,
        None,
    )
}

/// Why the merchant base's nearest entries' category was chosen.
pub(super) fn semantic_base_reason(merchant: &str, v: &BaseVote, category: &str) -> String {
    let like = v
        .neighbours
        .iter()
        .find(|n| n.category == v.category)
        .map_or_else(|| "known merchants".to_string(), base_entry);
    if category == v.category {
        format!("{merchant} reads like {like}, usually filed under {category}")
    } else {
        format!(
            "{merchant} reads like {like}, a {} merchant, which you file under {category}",
            v.category
        )
    }
}

// ---------- vocabulary ----------

/// How the trace and reasons name a vocabulary entry: `bank phrase "atm withdrawal" (en)`.
fn vocabulary_entry(m: &WordMatch<'_>) -> String {
    let what = match m.entry.kind {
        Kind::BankPhrase => "bank phrase",
        Kind::MerchantWord => "word",
    };
    format!("{what} {:?} ({})", m.entry.phrase, m.entry.language)
}

/// A vocabulary entry matched (its built-in category, as the tenant names it: `category`).
pub(super) fn vocabulary_match(m: &WordMatch<'_>, category: &str, confidence: f64) -> TraceStep {
    step(
        "vocabulary",
        format!("{} means {}", vocabulary_entry(m), m.entry.category),
        Some(category.to_string()),
        Some(confidence),
    )
}

/// A vocabulary entry matched, but the tenant files under its own labels and has not shown how
/// it names the entry's category.
pub(super) fn vocabulary_unnamed(m: &WordMatch<'_>) -> TraceStep {
    step(
        "vocabulary",
        format!(
            "{} means {}, which you have not named yet",
            vocabulary_entry(m),
            m.entry.category
        ),
        None,
        None,
    )
}

/// A single-word bank phrase left to the knowledge base, which knows the merchant.
pub(super) fn phrase_yields_to_word(m: &WordMatch<'_>, word: &WordMatch<'_>) -> TraceStep {
    step(
        "vocabulary",
        format!(
            "{} only says money moved; the payee's name has {}",
            vocabulary_entry(m),
            vocabulary_entry(word)
        ),
        None,
        None,
    )
}

pub(super) fn phrase_yields(m: &WordMatch<'_>, key: &MerchantKey) -> TraceStep {
    step(
        "vocabulary",
        format!(
            "{} yields to the known merchant {:?}",
            vocabulary_entry(m),
            key.as_str()
        ),
        None,
        None,
    )
}

/// Why a vocabulary entry's category (`m.entry.category`, as the tenant names it: `category`)
/// was chosen.
pub(super) fn vocabulary_reason(merchant: &str, m: &WordMatch<'_>, category: &str) -> String {
    let builtin = m.entry.category;
    let said = match m.entry.kind {
        Kind::BankPhrase => format!("the bank describes this as {:?}", m.entry.phrase),
        Kind::MerchantWord => format!("the name {merchant} says {:?}", m.entry.phrase),
    };
    if category == builtin {
        format!("{said}, which usually means {category}")
    } else {
        format!("{said}, which usually means {builtin}, filed by you under {category}")
    }
}

// ---------- bank category ----------

/// The bank's category text, and the row of the table it matched when less specific
/// (`"Food and Drink > Restaurants > Sushi" (as plaid_legacy "Food and Drink > Restaurants")`).
fn bank_category_said(text: &str, m: &BankCategoryMatch<'_>) -> String {
    if m.exact {
        format!("the bank's category {text:?} ({})", m.entry.source)
    } else {
        format!(
            "the bank's category {text:?} (as {} {:?})",
            m.entry.source, m.entry.text
        )
    }
}

/// The bank's category maps to `builtin`, named by the tenant `category`.
pub(super) fn bank_category_match(
    text: &str,
    m: &BankCategoryMatch<'_>,
    builtin: &str,
    category: &str,
    confidence: f64,
) -> TraceStep {
    step(
        "bank_category",
        format!("{} means {builtin}", bank_category_said(text, m)),
        Some(category.to_string()),
        Some(confidence),
    )
}

/// The bank's category is known but names no category (Monzo's `general`).
pub(super) fn bank_category_vague(text: &str, m: &BankCategoryMatch<'_>) -> TraceStep {
    step(
        "bank_category",
        format!("{} names no category", bank_category_said(text, m)),
        None,
        None,
    )
}

/// The bank's category is not in the built-in table.
pub(super) fn bank_category_unknown(text: &str) -> TraceStep {
    step(
        "bank_category",
        format!("the bank's category {text:?} is not in the built-in table"),
        None,
        None,
    )
}

/// The bank's category maps to a category the tenant has not shown how it names.
pub(super) fn bank_category_unnamed(
    text: &str,
    m: &BankCategoryMatch<'_>,
    builtin: &str,
) -> TraceStep {
    step(
        "bank_category",
        format!(
            "{} means {builtin}, which you have not named yet",
            bank_category_said(text, m)
        ),
        None,
        None,
    )
}

/// Why the bank's category (mapped to `builtin`, as the tenant names it: `category`) was chosen.
pub(super) fn bank_category_reason(text: &str, builtin: &str, category: &str) -> String {
    if category == builtin {
        format!("the bank filed this under {text:?}, which usually means {category}")
    } else {
        format!(
            "the bank filed this under {text:?}, which usually means {builtin}, filed by you under {category}"
        )
    }
}

// ---------- mcc ----------

/// The merchant category code's default category (`builtin`, as the tenant names it:
/// `category`).
pub(super) fn mcc_category(
    code: u16,
    description: &str,
    builtin: &str,
    category: &str,
    confidence: f64,
) -> TraceStep {
    step(
        "mcc",
        format!("MCC {code:04}: {description} ({builtin})"),
        Some(category.to_string()),
        Some(confidence),
    )
}

/// The merchant category code's category is one the tenant, who files under its own labels,
/// has not shown how it names.
pub(super) fn mcc_unnamed(code: u16, description: &str, builtin: &str) -> TraceStep {
    step(
        "mcc",
        format!("MCC {code:04}: {description} ({builtin}), which you have not named yet"),
        None,
        None,
    )
}

/// The merchant category code has no default category.
pub(super) fn mcc_unknown(code: u16) -> TraceStep {
    step(
        "mcc",
        format!("MCC {code:04} has no default category"),
        None,
        None,
    )
}

/// Why the merchant category code's category was chosen.
pub(super) fn mcc_reason(merchant: &str, code: u16, description: &str) -> String {
    format!("the card network files {merchant} under MCC {code:04} ({description})")
}

// ---------- default ----------

/// No stage was confident; the best guess stands.
pub(super) fn kept_guess() -> TraceStep {
    step(
        "default",
        "kept the low-confidence guess".into(),
        None,
        None,
    )
}

/// No stage knew anything; the transaction is uncategorized.
pub(super) fn nothing_known() -> TraceStep {
    step(
        "default",
        "no stage knew this merchant".into(),
        Some(UNCATEGORIZED.into()),
        Some(0.0),
    )
}

/// Why the transaction is uncategorized.
pub(super) fn default_reason(merchant: &str) -> String {
    format!("nothing is known about {merchant} yet")
}

// ---------- llm ----------

/// No stage was confident; the host's model is asked.
pub(super) fn asking_llm() -> TraceStep {
    step(
        "llm",
        "no stage was confident; asking the host's model".into(),
        None,
        None,
    )
}

/// The host's model answered.
pub(super) fn llm_answered(category: &str, confidence: f64) -> TraceStep {
    step(
        "llm",
        format!("model answered {category}"),
        Some(category.to_string()),
        Some(confidence),
    )
}

/// Why the model's category was chosen, in the model's words if it gave any.
pub(super) fn llm_reason(model_reason: &str) -> String {
    if model_reason.is_empty() {
        "the language model chose it".into()
    } else {
        format!("the language model said: {model_reason}")
    }
}
