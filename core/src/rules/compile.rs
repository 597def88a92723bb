//! A tenant's rules compiled into one matcher.
//!
//! Matching one transaction costs one Aho-Corasick pass over the descriptor and one over the
//! merchant (all literal conditions at once), one `RegexSet` pass per field that has regex
//! conditions, and then a full evaluation of only those rules that a text hit can make true
//! (plus the few rules with no text condition at all, which are always evaluated).
//!
//! Order is deterministic: rules are ranked by priority (higher first), then by the order they
//! were added. Among matching rules, the first that sets a category decides the category, the
//! first that renames decides the merchant name, and tags of all matching rules accumulate.

use std::cmp::Ordering;
use std::collections::HashMap;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::{RegexSet, RegexSetBuilder};

use super::ast::{Condition, Expr, Field, Op, Rule, Scalar};
use crate::error::{Error, Result};
use crate::model::Transaction;

/// The text of a transaction prepared for matching (folded once, matched against many rules).
#[derive(Debug, Clone)]
pub struct RuleInput<'a> {
    /// The transaction.
    pub tx: &'a Transaction,
    /// Folded descriptor.
    pub descriptor: &'a str,
    /// Folded merchant name.
    pub merchant: &'a str,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LitKind {
    Contains,
    Equals,
    StartsWith,
    EndsWith,
}

#[derive(Debug, Clone)]
enum CExpr {
    All(Vec<CExpr>),
    Any(Vec<CExpr>),
    Not(Box<CExpr>),
    /// A text condition answered by the automaton or regex pass.
    Atom(u32),
    /// Any other condition, evaluated directly.
    Check(Condition),
}

/// Per-field text matcher: literals through Aho-Corasick, regexes through a `RegexSet`.
#[derive(Debug, Clone, Default)]
struct FieldMatcher {
    ac: Option<AhoCorasick>,
    /// automaton pattern id -> (atom, kind)
    pattern_atoms: Vec<Vec<(u32, LitKind)>>,
    /// Regexes in sets of at most [`REGEX_CHUNK`], so a tenant with thousands of regex rules
    /// stays within the regex engine's size limits.
    regexes: Vec<RegexSet>,
    regex_atoms: Vec<u32>,
}

/// Most regexes compiled into one `RegexSet`.
const REGEX_CHUNK: usize = 32;

#[derive(Default)]
struct FieldBuilder {
    needles: Vec<String>,
    needle_ids: HashMap<String, usize>,
    pattern_atoms: Vec<Vec<(u32, LitKind)>>,
    regexes: Vec<String>,
    regex_atoms: Vec<u32>,
}

impl FieldBuilder {
    fn literal(&mut self, needle: &str, kind: LitKind, atom: u32) {
        let id = *self
            .needle_ids
            .entry(needle.to_string())
            .or_insert_with(|| {
                self.needles.push(needle.to_string());
                self.pattern_atoms.push(Vec::new());
                self.needles.len() - 1
            });
        self.pattern_atoms[id].push((atom, kind));
    }

    fn build(self) -> Result<FieldMatcher> {
        let ac = if self.needles.is_empty() {
            None
        } else {
            Some(
                AhoCorasickBuilder::new()
                    .match_kind(MatchKind::Standard)
                    .build(&self.needles)
                    .map_err(|e| Error::Internal(format!("rule automaton: {e}")))?,
            )
        };
        let regexes = self
            .regexes
            .chunks(REGEX_CHUNK)
            .map(|chunk| {
                RegexSetBuilder::new(chunk)
                    .case_insensitive(true)
                    .size_limit(16 << 20)
                    .build()
                    .map_err(|e| Error::invalid(format!("rule regexes do not compile: {e}")))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(FieldMatcher {
            ac,
            pattern_atoms: self.pattern_atoms,
            regexes,
            regex_atoms: self.regex_atoms,
        })
    }
}

impl FieldMatcher {
    fn hits(&self, text: &str, out: &mut Vec<u32>) {
        if let Some(ac) = &self.ac {
            for m in ac.find_overlapping_iter(text) {
                for &(atom, kind) in &self.pattern_atoms[m.pattern().as_usize()] {
                    let ok = match kind {
                        LitKind::Contains => true,
                        LitKind::Equals => m.start() == 0 && m.end() == text.len(),
                        LitKind::StartsWith => m.start() == 0,
                        LitKind::EndsWith => m.end() == text.len(),
                    };
                    if ok {
                        out.push(atom);
                    }
                }
            }
        }
        for (c, rs) in self.regexes.iter().enumerate() {
            for i in rs.matches(text).iter() {
                out.push(self.regex_atoms[c * REGEX_CHUNK + i]);
            }
        }
    }
}

/// A tenant's rules, compiled for one-pass matching.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    /// Rules in precedence order.
    rules: Vec<Rule>,
    compiled: Vec<CExpr>,
    descriptor: FieldMatcher,
    merchant: FieldMatcher,
    /// atom -> rules it can make true
    triggers: Vec<Vec<u32>>,
    /// rules with no text trigger, evaluated for every transaction
    always: Vec<u32>,
}

impl RuleSet {
    /// Compiles rules. The slice order is the tie-break for equal priorities. Duplicate ids are
    /// a `conflict` error.
    pub fn new(rules: Vec<Rule>) -> Result<Self> {
        let mut seen = HashMap::new();
        for r in &rules {
            r.validate()?;
            if seen.insert(r.id.clone(), ()).is_some() {
                return Err(Error::Conflict(format!("duplicate rule id {:?}", r.id)));
            }
        }
        let mut order: Vec<usize> = (0..rules.len()).collect();
        order.sort_by(|&a, &b| match rules[b].priority.cmp(&rules[a].priority) {
            Ordering::Equal => a.cmp(&b),
            o => o,
        });
        let rules: Vec<Rule> = order.into_iter().map(|i| rules[i].clone()).collect();

        let mut fields = [FieldBuilder::default(), FieldBuilder::default()];
        let mut n_atoms: u32 = 0;
        let mut compiled = Vec::with_capacity(rules.len());
        for r in &rules {
            compiled.push(compile_expr(&r.when, &mut fields, &mut n_atoms));
        }
        let mut triggers = vec![Vec::new(); n_atoms as usize];
        let mut always = Vec::new();
        for (i, c) in compiled.iter().enumerate() {
            match trigger_atoms(c) {
                Some(atoms) => {
                    for a in atoms {
                        triggers[a as usize].push(i as u32);
                    }
                }
                None => always.push(i as u32),
            }
        }
        for t in &mut triggers {
            t.dedup();
        }
        let [d, m] = fields;
        Ok(RuleSet {
            rules,
            compiled,
            descriptor: d.build()?,
            merchant: m.build()?,
            triggers,
            always,
        })
    }

    /// The rules in precedence order.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// Number of rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The rules that match, in precedence order.
    pub fn matching(&self, input: &RuleInput<'_>) -> Vec<&Rule> {
        if self.rules.is_empty() {
            return Vec::new();
        }
        let mut hits = Vec::new();
        self.descriptor.hits(input.descriptor, &mut hits);
        self.merchant.hits(input.merchant, &mut hits);
        hits.sort_unstable();
        hits.dedup();
        let mut candidates: Vec<u32> = self.always.clone();
        for &a in &hits {
            candidates.extend_from_slice(&self.triggers[a as usize]);
        }
        candidates.sort_unstable();
        candidates.dedup();
        candidates
            .into_iter()
            .filter(|&i| eval(&self.compiled[i as usize], &hits, input))
            .map(|i| &self.rules[i as usize])
            .collect()
    }
}

fn field_slot(field: Field) -> Option<usize> {
    match field {
        Field::Descriptor => Some(0),
        Field::Merchant => Some(1),
        _ => None,
    }
}

fn compile_expr(e: &Expr, fields: &mut [FieldBuilder; 2], n_atoms: &mut u32) -> CExpr {
    match e {
        Expr::All(xs) => CExpr::All(
            xs.iter()
                .map(|x| compile_expr(x, fields, n_atoms))
                .collect(),
        ),
        Expr::Any(xs) => CExpr::Any(
            xs.iter()
                .map(|x| compile_expr(x, fields, n_atoms))
                .collect(),
        ),
        Expr::Not(x) => CExpr::Not(Box::new(compile_expr(x, fields, n_atoms))),
        Expr::Cond(c) => {
            let Some(slot) = field_slot(c.field) else {
                return CExpr::Check(c.clone());
            };
            let mut atom = |value: &str, op: Op| -> CExpr {
                let a = *n_atoms;
                *n_atoms += 1;
                let fb = &mut fields[slot];
                match op {
                    Op::Matches => {
                        fb.regexes.push(value.to_string());
                        fb.regex_atoms.push(a);
                    }
                    Op::Equals | Op::OneOf => fb.literal(value, LitKind::Equals, a),
                    Op::StartsWith => fb.literal(value, LitKind::StartsWith, a),
                    Op::EndsWith => fb.literal(value, LitKind::EndsWith, a),
                    _ => fb.literal(value, LitKind::Contains, a),
                }
                CExpr::Atom(a)
            };
            let texts: Vec<&str> = c
                .values
                .iter()
                .filter_map(|v| match v {
                    Scalar::Text(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            if c.op == Op::OneOf {
                CExpr::Any(texts.iter().map(|t| atom(t, c.op)).collect())
            } else {
                atom(texts.first().copied().unwrap_or(""), c.op)
            }
        }
    }
}

/// Atoms at least one of which must hit for the expression to hold; `None` if no such set.
fn trigger_atoms(e: &CExpr) -> Option<Vec<u32>> {
    match e {
        CExpr::Atom(a) => Some(vec![*a]),
        CExpr::Check(_) | CExpr::Not(_) => None,
        CExpr::All(xs) => xs.iter().filter_map(trigger_atoms).min_by_key(|v| v.len()),
        CExpr::Any(xs) => {
            let mut out = Vec::new();
            for x in xs {
                out.extend(trigger_atoms(x)?);
            }
            Some(out)
        }
    }
}

fn eval(e: &CExpr, hits: &[u32], input: &RuleInput<'_>) -> bool {
    match e {
        CExpr::All(xs) => xs.iter().all(|x| eval(x, hits, input)),
        CExpr::Any(xs) => xs.iter().any(|x| eval(x, hits, input)),
        CExpr::Not(x) => !eval(x, hits, input),
        CExpr::Atom(a) => hits.binary_search(a).is_ok(),
        CExpr::Check(c) => check(c, input),
    }
}

fn cmp_holds(op: Op, ord: Ordering) -> bool {
    match op {
        Op::Equals => ord == Ordering::Equal,
        Op::NotEquals => ord != Ordering::Equal,
        Op::Lt => ord == Ordering::Less,
        Op::Le => ord != Ordering::Greater,
        Op::Gt => ord == Ordering::Greater,
        Op::Ge => ord != Ordering::Less,
        _ => false,
    }
}

fn text_holds(op: Op, text: &str, values: &[Scalar]) -> bool {
    let v = |i: usize| match values.get(i) {
        Some(Scalar::Text(s)) => s.as_str(),
        _ => "",
    };
    match op {
        Op::Contains => text.contains(v(0)),
        Op::Equals => text == v(0),
        Op::StartsWith => text.starts_with(v(0)),
        Op::EndsWith => text.ends_with(v(0)),
        Op::OneOf => values
            .iter()
            .any(|x| matches!(x, Scalar::Text(s) if s == text)),
        Op::Matches => regex::RegexBuilder::new(v(0))
            .case_insensitive(true)
            .build()
            .is_ok_and(|r| r.is_match(text)),
        _ => false,
    }
}

fn check(c: &Condition, input: &RuleInput<'_>) -> bool {
    let tx = input.tx;
    match c.field {
        Field::Descriptor => text_holds(c.op, input.descriptor, &c.values),
        Field::Merchant => text_holds(c.op, input.merchant, &c.values),
        Field::Account => {
            let acc = crate::normalize::fold(tx.account.as_deref().unwrap_or(""));
            text_holds(c.op, &acc, &c.values)
        }
        Field::Currency => text_holds(
            if c.op == Op::OneOf {
                Op::OneOf
            } else {
                Op::Equals
            },
            tx.amount.currency.as_str(),
            &c.values,
        ),
        Field::Direction => {
            matches!(c.values.first(), Some(Scalar::Direction(d)) if *d == tx.direction)
        }
        Field::Amount => {
            let ord = |i: usize| match c.values.get(i) {
                Some(Scalar::Number(d)) => d.cmp_money(&tx.amount),
                _ => Ordering::Equal,
            };
            // cmp_money answers amount.cmp(threshold)
            if c.op == Op::Between {
                ord(0) != Ordering::Less && ord(1) != Ordering::Greater
            } else {
                cmp_holds(c.op, ord(0))
            }
        }
        Field::Mcc => {
            let Some(mcc) = tx.mcc else {
                return false;
            };
            let code = |i: usize| match c.values.get(i) {
                Some(Scalar::Code(x)) => *x,
                _ => 0,
            };
            match c.op {
                Op::OneOf => c
                    .values
                    .iter()
                    .any(|v| matches!(v, Scalar::Code(x) if *x == mcc)),
                Op::Between => mcc >= code(0) && mcc <= code(1),
                op => cmp_holds(op, mcc.cmp(&code(0))),
            }
        }
        Field::Date => {
            let date = |i: usize| match c.values.get(i) {
                Some(Scalar::Date(d)) => Some(*d),
                _ => None,
            };
            match (c.op, date(0), date(1)) {
                (Op::Between, Some(lo), Some(hi)) => tx.date >= lo && tx.date <= hi,
                (op, Some(d), _) => cmp_holds(op, tx.date.cmp(&d)),
                _ => false,
            }
        }
    }
}
