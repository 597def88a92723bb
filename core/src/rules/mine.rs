//! Rule mining: readable rules proposed from a tenant's confirmed history, each backtested.
//!
//! Candidates are `merchant contains "<merchant key>"` for every merchant in the history and
//! `merchant contains "<word>"` for words shared by two or more merchants (`parking`,
//! `pharmacy`). All candidates are compiled into one [`RuleSet`] and run over the history once;
//! each then gets the category most of its matches carry, and is narrowed to one direction when
//! that is what makes it precise. A candidate is proposed when its support and precision reach
//! the thresholds in [`MiningOptions`], it categorizes at least one row the existing rules do not
//! already put in that category, and an earlier (stronger) suggestion does not already cover all
//! its rows. Nothing is added to the tenant: a person accepts a suggestion by adding its rule.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use serde::{Deserialize, Serialize};

use super::ast::{Actions, Condition, Expr, Field, Op, Rule, Scalar};
use super::compile::{RuleInput, RuleSet};
use crate::error::{Error, Result};
use crate::model::{Direction, Transaction};

/// One transaction of the history with the category a person confirmed for it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Labelled {
    /// The transaction.
    pub transaction: Transaction,
    /// The confirmed category id.
    pub category: String,
}

/// Thresholds for [`Engine::suggest_rules`](crate::Engine::suggest_rules).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(default, deny_unknown_fields)]
pub struct MiningOptions {
    /// Fewest history rows a suggestion must categorize correctly. Default 3.
    pub min_support: u32,
    /// Lowest share of its matches a suggestion must categorize correctly, in (0, 1]. Default 0.9.
    pub min_precision: f64,
    /// Most suggestions returned. Default 20.
    pub max_suggestions: usize,
    /// Most conflicting rows listed per suggestion (all are counted). Default 3.
    pub max_examples: usize,
}

impl Default for MiningOptions {
    fn default() -> Self {
        MiningOptions {
            min_support: 3,
            min_precision: 0.9,
            max_suggestions: 20,
            max_examples: 3,
        }
    }
}

impl MiningOptions {
    /// Checks the thresholds; an `invalid_input` error names the bad one.
    pub fn validate(&self) -> Result<()> {
        if self.min_support == 0 {
            return Err(Error::invalid("min_support must be at least 1"));
        }
        if !(self.min_precision > 0.0 && self.min_precision <= 1.0) {
            return Err(Error::invalid(format!(
                "min_precision must be in (0, 1], got {}",
                self.min_precision
            )));
        }
        if self.max_suggestions == 0 {
            return Err(Error::invalid("max_suggestions must be at least 1"));
        }
        Ok(())
    }
}

/// A history row a suggestion matches whose confirmed category is another one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct ConflictingRow {
    /// The transaction's id.
    pub transaction_id: String,
    /// Its raw descriptor.
    pub descriptor: String,
    /// The category it was confirmed as.
    pub category: String,
}

/// A proposed rule with its backtest over the history it was mined from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct RuleSuggestion {
    /// The rule, ready for [`Engine::add_rule_list`](crate::Engine::add_rule_list).
    pub rule: Rule,
    /// The same rule as text, ready for [`Engine::add_rules`](crate::Engine::add_rules).
    pub text: String,
    /// The category the rule sets.
    pub category: String,
    /// History rows the rule matches that were confirmed as `category`.
    pub support: u32,
    /// History rows the rule matches.
    pub matched: u32,
    /// `support / matched`.
    pub precision: f64,
    /// Share of the history's `category` rows the rule matches.
    pub coverage: f64,
    /// Supporting rows no existing rule already puts in `category`: the work the rule saves.
    pub new_rows: u32,
    /// Distinct merchant keys among the supporting rows.
    pub merchants: u32,
    /// Matched rows confirmed as another category (`matched - support`).
    pub conflicts: u32,
    /// Up to `max_examples` of those rows.
    pub conflict_examples: Vec<ConflictingRow>,
    /// Existing rules that match some of the same rows, set another category and take
    /// precedence, so the suggestion would not change those rows.
    pub conflicting_rules: Vec<String>,
}

/// A history row prepared for mining: folded texts as the rule matcher sees them.
#[derive(Debug, Clone)]
pub(crate) struct MiningRow<'a> {
    pub tx: &'a Transaction,
    pub category: &'a str,
    /// Normalized merchant key.
    pub key: String,
    /// Folded merchant name (what `merchant` conditions see).
    pub merchant: String,
    /// Folded descriptor.
    pub descriptor: String,
}

/// Words that name no merchant or kind of business.
const GENERIC: &[&str] = &[
    "and",
    "the",
    "inc",
    "llc",
    "ltd",
    "corp",
    "company",
    "limited",
    "gmbh",
    "store",
    "stores",
    "shop",
    "online",
    "www",
    "com",
    "net",
    "org",
    "payment",
    "purchase",
    "card",
    "debit",
    "credit",
    "pos",
    "pending",
    "services",
    "service",
    "intl",
    "international",
];

/// Shortest word proposed on its own.
const MIN_WORD: usize = 4;

/// Label counts of one candidate, split by direction.
#[derive(Default)]
struct Tally {
    /// (direction, category) -> rows
    labels: HashMap<(Direction, String), u32>,
    rows: Vec<usize>,
}

/// Mines suggestions from prepared rows; `existing` is the tenant's current rule set.
pub(crate) fn suggest(
    rows: &[MiningRow<'_>],
    existing: &RuleSet,
    existing_ids: &BTreeSet<String>,
    options: &MiningOptions,
) -> Result<Vec<RuleSuggestion>> {
    options.validate()?;
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let patterns = candidate_patterns(rows);
    let candidates: Vec<Rule> = patterns
        .iter()
        .enumerate()
        .map(|(i, p)| {
            Ok(Rule {
                id: format!("c{i}"),
                priority: 0,
                when: Expr::Cond(Condition::new(
                    Field::Merchant,
                    Op::Contains,
                    vec![Scalar::Text(p.clone())],
                )?),
                then: Actions {
                    category: Some("x".into()),
                    ..Actions::default()
                },
            })
        })
        .collect::<Result<_>>()?;
    let set = RuleSet::new(candidates)?;
    let index: HashMap<String, usize> = (0..patterns.len()).map(|i| (format!("c{i}"), i)).collect();

    // One pass: which candidates match each row, and what the existing rules decide for it.
    let mut tallies: Vec<Tally> = (0..patterns.len()).map(|_| Tally::default()).collect();
    let mut decided: Vec<Option<(&str, &Rule)>> = Vec::with_capacity(rows.len());
    let mut per_category: HashMap<&str, u32> = HashMap::new();
    for (ri, row) in rows.iter().enumerate() {
        let input = RuleInput {
            tx: row.tx,
            descriptor: &row.descriptor,
            merchant: &row.merchant,
        };
        for r in set.matching(&input) {
            if let Some(&ci) = index.get(r.id.as_str()) {
                let t = &mut tallies[ci];
                *t.labels
                    .entry((row.tx.direction, row.category.to_string()))
                    .or_insert(0) += 1;
                t.rows.push(ri);
            }
        }
        decided.push(existing.apply(&input).category);
        *per_category.entry(row.category).or_insert(0) += 1;
    }

    let mut scored = Vec::new();
    for (ci, tally) in tallies.iter().enumerate() {
        scored.extend(score(
            &patterns[ci],
            tally,
            rows,
            &decided,
            &per_category,
            options,
        ));
    }
    // Strongest first: most rows saved, then more precise, then the more specific pattern.
    scored.sort_by(|a, b| {
        b.new_rows
            .cmp(&a.new_rows)
            .then(b.precision.total_cmp(&a.precision))
            .then(b.pattern.len().cmp(&a.pattern.len()))
            .then(a.pattern.cmp(&b.pattern))
    });

    let mut covered: BTreeSet<(usize, String)> = BTreeSet::new();
    let mut used_ids = existing_ids.clone();
    let mut out = Vec::new();
    for s in scored {
        if out.len() >= options.max_suggestions {
            break;
        }
        let fresh = s
            .support_rows
            .iter()
            .filter(|&&r| !covered.contains(&(r, s.category.clone())))
            .count();
        if fresh == 0 {
            continue;
        }
        let id = unique_id(&s.pattern, s.direction, &used_ids);
        let mut conds = vec![Expr::Cond(Condition::new(
            Field::Merchant,
            Op::Contains,
            vec![Scalar::Text(s.pattern.clone())],
        )?)];
        if let Some(d) = s.direction {
            conds.push(Expr::Cond(Condition::new(
                Field::Direction,
                Op::Equals,
                vec![Scalar::Direction(d)],
            )?));
        }
        let when = if conds.len() == 1 {
            conds.pop().expect("one condition")
        } else {
            Expr::All(conds)
        };
        let rule = Rule {
            id: id.clone(),
            priority: 0,
            when,
            then: Actions {
                category: Some(s.category.clone()),
                ..Actions::default()
            },
        };
        rule.validate()?;
        for &r in &s.support_rows {
            covered.insert((r, s.category.clone()));
        }
        used_ids.insert(id);
        let conflict_examples = s
            .conflict_rows
            .iter()
            .take(options.max_examples)
            .map(|&r| ConflictingRow {
                transaction_id: rows[r].tx.id.clone(),
                descriptor: rows[r].tx.descriptor.clone(),
                category: rows[r].category.to_string(),
            })
            .collect();
        out.push(RuleSuggestion {
            text: rule.to_string(),
            rule,
            category: s.category,
            support: s.support,
            matched: s.matched,
            precision: s.precision,
            coverage: s.coverage,
            new_rows: s.new_rows,
            merchants: s.merchants,
            conflicts: s.matched - s.support,
            conflict_examples,
            conflicting_rules: s.conflicting_rules,
        });
    }
    Ok(out)
}

/// The merchant keys of the history, and the words two or more of them share.
fn candidate_patterns(rows: &[MiningRow<'_>]) -> Vec<String> {
    let mut keys: BTreeSet<&str> = BTreeSet::new();
    for r in rows {
        // A key the matcher cannot see in the merchant text would never match; skip it.
        if !r.key.trim().is_empty() && r.merchant.contains(r.key.as_str()) {
            keys.insert(r.key.as_str());
        }
    }
    let mut word_keys: BTreeMap<&str, u32> = BTreeMap::new();
    for k in &keys {
        let words: BTreeSet<&str> = k
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| {
                w.chars().count() >= MIN_WORD
                    && !GENERIC.contains(w)
                    && w.chars().any(char::is_alphabetic)
            })
            .collect();
        for w in words {
            *word_keys.entry(w).or_insert(0) += 1;
        }
    }
    let mut out: BTreeSet<String> = keys.iter().map(|k| k.to_string()).collect();
    for (w, n) in word_keys {
        if n >= 2 {
            out.insert(w.to_string());
        }
    }
    out.into_iter().collect()
}

struct Scored {
    pattern: String,
    direction: Option<Direction>,
    category: String,
    support: u32,
    matched: u32,
    precision: f64,
    coverage: f64,
    new_rows: u32,
    merchants: u32,
    support_rows: Vec<usize>,
    conflict_rows: Vec<usize>,
    conflicting_rules: Vec<String>,
}

/// A rule choice: direction filter, category, support, matched rows.
type Choice<'a> = (Option<Direction>, &'a str, u32, u32);

/// The choice with the most support that meets the thresholds; ties go to the more precise, then
/// the first category by name, then the first direction by name.
fn pick<'a>(choices: &[Choice<'a>], options: &MiningOptions) -> Option<Choice<'a>> {
    let precision = |c: &Choice<'_>| f64::from(c.2) / f64::from(c.3);
    choices
        .iter()
        .filter(|c| c.2 >= options.min_support && precision(c) >= options.min_precision)
        .min_by(|a, b| {
            b.2.cmp(&a.2)
                .then(precision(b).total_cmp(&precision(a)))
                .then(a.1.cmp(b.1))
                .then(a.0.map(Direction::as_str).cmp(&b.0.map(Direction::as_str)))
        })
        .copied()
}

/// Picks a candidate's category (and direction, where needed) and backtests it; empty if it
/// misses a threshold or saves no row.
fn score(
    pattern: &str,
    tally: &Tally,
    rows: &[MiningRow<'_>],
    decided: &[Option<(&str, &Rule)>],
    per_category: &HashMap<&str, u32>,
    options: &MiningOptions,
) -> Vec<Scored> {
    let mut by_cat: BTreeMap<&str, u32> = BTreeMap::new();
    let mut by_dir: HashMap<Direction, u32> = HashMap::new();
    for ((d, c), n) in &tally.labels {
        *by_cat.entry(c.as_str()).or_insert(0) += n;
        *by_dir.entry(*d).or_insert(0) += n;
    }
    let all = tally.rows.len() as u32;
    let unnarrowed: Vec<Choice> = by_cat.iter().map(|(c, n)| (None, *c, *n, all)).collect();
    // Narrowed to a direction only when the unnarrowed rule is not good enough; then each
    // direction may give its own rule.
    let picked: Vec<Choice> = match pick(&unnarrowed, options) {
        Some(c) => vec![c],
        None => [Direction::Credit, Direction::Debit]
            .into_iter()
            .filter_map(|d| {
                let narrowed: Vec<Choice> = tally
                    .labels
                    .iter()
                    .filter(|((ld, _), _)| *ld == d)
                    .map(|((_, c), n)| (Some(d), c.as_str(), *n, by_dir[&d]))
                    .collect();
                pick(&narrowed, options)
            })
            .collect(),
    };
    picked
        .into_iter()
        .filter_map(|c| backtest(pattern, c, tally, rows, decided, per_category))
        .collect()
}

/// The figures of one choice for a candidate; `None` if it saves no row.
fn backtest(
    pattern: &str,
    (direction, category, support, matched): Choice<'_>,
    tally: &Tally,
    rows: &[MiningRow<'_>],
    decided: &[Option<(&str, &Rule)>],
    per_category: &HashMap<&str, u32>,
) -> Option<Scored> {
    let category = category.to_string();
    let in_scope = |r: usize| direction.is_none_or(|d| rows[r].tx.direction == d);
    let mut support_rows = Vec::new();
    let mut conflict_rows = Vec::new();
    let mut new_rows = 0;
    let mut keys = BTreeSet::new();
    let mut conflicting_rules = BTreeSet::new();
    for &r in tally.rows.iter().filter(|&&r| in_scope(r)) {
        if let Some((c, rule)) = decided[r] {
            if c != category && rule.priority >= 0 {
                conflicting_rules.insert(rule.id.clone());
            }
        }
        if rows[r].category == category {
            support_rows.push(r);
            keys.insert(rows[r].key.as_str());
            let already =
                matches!(decided[r], Some((c, rule)) if c == category && rule.priority >= 0);
            if !already {
                new_rows += 1;
            }
        } else {
            conflict_rows.push(r);
        }
    }
    if new_rows == 0 {
        return None;
    }
    Some(Scored {
        pattern: pattern.to_string(),
        direction,
        precision: f64::from(support) / f64::from(matched),
        coverage: f64::from(support) / f64::from(per_category[category.as_str()].max(1)),
        category,
        support,
        matched,
        new_rows,
        merchants: keys.len() as u32,
        support_rows,
        conflict_rows,
        conflicting_rules: conflicting_rules.into_iter().collect(),
    })
}

/// `suggested-<pattern slug>[-debit|-credit]`, numbered if the tenant already has that id.
fn unique_id(pattern: &str, direction: Option<Direction>, taken: &BTreeSet<String>) -> String {
    let mut slug = String::new();
    for c in pattern.chars() {
        if c.is_alphanumeric() {
            slug.push(c);
        } else if !slug.ends_with('-') {
            slug.push('-');
        }
    }
    let slug: String = slug.trim_matches('-').chars().take(48).collect();
    let mut base = format!("suggested-{slug}");
    if let Some(d) = direction {
        base.push('-');
        base.push_str(d.as_str());
    }
    let mut id = base.clone();
    let mut n = 2;
    while taken.contains(&id) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

#[cfg(test)]
#[path = "mine_tests.rs"]
mod tests;
