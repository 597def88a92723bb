//! A tenant's rules compiled into one matcher.
//!
//! Matching one transaction costs one literal pass over the descriptor and one over the
//! merchant (see [`super::literal_index`]). The pass looks for every literal condition and, for
//! each regex condition, the literals one of which every match of that regex must contain; only
//! regexes whose literal occurred are run (see [`super::regexes`]). Regexes without such a
//! literal (`\d{4}`) are checked on every text through `RegexSet`s. Then only the rules that a text hit can make
//! true are evaluated in full, plus the few rules with no text condition at all.
//!
//! Order is deterministic: rules are ranked by priority (higher first), then by the order they
//! were added. Among matching rules, the first that sets a category decides the category, the
//! first that renames decides the merchant name, and tags of all matching rules accumulate.

use std::cmp::Ordering;
use std::collections::HashMap;

use regex::{RegexSet, RegexSetBuilder};

use super::ast::{Condition, Expr, Field, Op, Rule, Scalar};
use super::decimal::Decimal;
use super::literal_index::LiteralIndex;
use super::regexes::{LazyRegex, TriggeredRegexes};
use crate::error::{Error, Result};
use crate::model::{Money, Transaction};

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

/// What a literal of the field's index stands for.
#[derive(Debug, Clone, Copy)]
enum Needle {
    /// A literal condition: the atom holds if the hit has the right position.
    Literal(u32, LitKind),
    /// A required literal of regex number `n`: the regex must now be run.
    Regex(u32),
}

#[derive(Debug, Clone)]
enum CExpr {
    All(Vec<CExpr>),
    Any(Vec<CExpr>),
    Not(Box<CExpr>),
    /// A text condition answered by the literal or regex pass.
    Atom(u32),
    /// A regex on the account, compiled on first use.
    AccountRegex(LazyRegex),
    /// An amount comparison (`op` is a comparison or `Between`; `Between` uses both bounds),
    /// kept inline: rules with an amount condition check it on every literal hit.
    Amount(Op, [Decimal; 2]),
    /// Any other condition, evaluated directly.
    Check(Condition),
}

/// Per-field text matcher. One literal pass finds every literal condition and every literal
/// of a regex (see [`super::literals`]); only regexes whose literal occurred are run (see
/// [`super::regexes`]). Regexes without a usable literal are checked on every text through
/// `RegexSet`s.
#[derive(Debug, Clone, Default)]
struct FieldMatcher {
    literals: LiteralIndex,
    /// literal number -> what it stands for
    needles: Lists<Needle>,
    /// regexes behind a literal prefilter
    triggered: TriggeredRegexes,
    /// regexes without a literal, in sets of at most [`REGEX_CHUNK`] to stay within the regex
    /// engine's size limits
    unfiltered: Vec<RegexSet>,
    unfiltered_atoms: Vec<u32>,
}

/// Most regexes compiled into one `RegexSet`.
const REGEX_CHUNK: usize = 32;

#[derive(Default)]
struct FieldBuilder {
    patterns: Vec<String>,
    pattern_ids: HashMap<String, usize>,
    needles: Vec<Vec<Needle>>,
    triggered: TriggeredRegexes,
    unfiltered: Vec<String>,
    unfiltered_atoms: Vec<u32>,
}

impl FieldBuilder {
    /// Adds a literal to look for. Rule input is folded (lowercase), so patterns are too; a
    /// condition built by hand with capitals still matches.
    fn needle(&mut self, pattern: &str, needle: Needle) {
        let pattern = pattern.to_lowercase();
        let id = *self.pattern_ids.entry(pattern.clone()).or_insert_with(|| {
            self.patterns.push(pattern);
            self.needles.push(Vec::new());
            self.patterns.len() - 1
        });
        self.needles[id].push(needle);
    }

    fn regex(&mut self, pattern: &str, atom: u32) -> Result<()> {
        let (lazy, hir) = LazyRegex::new(pattern)?;
        match self.triggered.add(lazy, &hir, atom) {
            Some((n, lits)) => {
                for l in &lits {
                    self.needle(l, Needle::Regex(n));
                }
            }
            None => {
                self.unfiltered.push(pattern.to_string());
                self.unfiltered_atoms.push(atom);
            }
        }
        Ok(())
    }

    fn build(mut self) -> Result<FieldMatcher> {
        // Number literals in sorted order: literals that share their first bytes (a key of the
        // literal index) are then looked up together, and their needles sit side by side.
        let mut order: Vec<usize> = (0..self.patterns.len()).collect();
        order.sort_unstable_by(|&a, &b| self.patterns[a].cmp(&self.patterns[b]));
        let patterns: Vec<String> = order
            .iter()
            .map(|&i| std::mem::take(&mut self.patterns[i]))
            .collect();
        let needles: Vec<Vec<Needle>> = order
            .iter()
            .map(|&i| std::mem::take(&mut self.needles[i]))
            .collect();
        let literals = LiteralIndex::new(&patterns)?;
        let unfiltered = self
            .unfiltered
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
            literals,
            needles: Lists::new(needles),
            triggered: self.triggered,
            unfiltered,
            unfiltered_atoms: self.unfiltered_atoms,
        })
    }
}

impl FieldMatcher {
    /// Pushes the atoms that hold for `text`; `scratch` is working space.
    fn hits(&self, text: &str, out: &mut Vec<u32>, scratch: &mut Vec<(u32, usize)>) {
        scratch.clear();
        self.literals.for_each_match(text, |literal, start, end| {
            for needle in self.needles.get(literal) {
                match *needle {
                    Needle::Literal(atom, kind) => {
                        let ok = match kind {
                            LitKind::Contains => true,
                            LitKind::Equals => start == 0 && end == text.len(),
                            LitKind::StartsWith => start == 0,
                            LitKind::EndsWith => end == text.len(),
                        };
                        if ok {
                            out.push(atom);
                        }
                    }
                    Needle::Regex(n) => scratch.push((n, start)),
                }
            }
        });
        if !scratch.is_empty() {
            scratch.sort_unstable();
            scratch.dedup();
            self.triggered.run(text, scratch, out);
        }
        for (c, rs) in self.unfiltered.iter().enumerate() {
            for i in rs.matches(text).iter() {
                out.push(self.unfiltered_atoms[c * REGEX_CHUNK + i]);
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
    triggers: Lists<u32>,
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
            compiled.push(compile_expr(&r.when, &mut fields, &mut n_atoms)?);
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
            triggers: Lists::new(triggers),
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
        let mut out = Vec::new();
        self.for_each_match(input, |r| out.push(r));
        out
    }

    /// Calls `f` with each matching rule in precedence order.
    pub(super) fn for_each_match<'a>(&'a self, input: &RuleInput<'_>, mut f: impl FnMut(&'a Rule)) {
        if self.rules.is_empty() {
            return;
        }
        // Buffers reused across calls on this thread; taken out (not borrowed) so that a
        // nested call, should `f` ever make one, gets fresh ones instead of a panic.
        let mut s = SCRATCH.with(|c| c.take());
        s.hits.clear();
        self.descriptor
            .hits(input.descriptor, &mut s.hits, &mut s.regex_hits);
        self.merchant
            .hits(input.merchant, &mut s.hits, &mut s.regex_hits);
        s.hits.sort_unstable();
        s.hits.dedup();
        s.candidates.clear();
        s.candidates.extend_from_slice(&self.always);
        for &a in &s.hits {
            s.candidates.extend_from_slice(self.triggers.get(a));
        }
        s.candidates.sort_unstable();
        s.candidates.dedup();
        for &i in &s.candidates {
            if eval(&self.compiled[i as usize], &s.hits, input) {
                f(&self.rules[i as usize]);
            }
        }
        SCRATCH.with(|c| c.set(s));
    }
}

/// Lists numbered from 0, stored in one allocation: matching looks up a few per transaction,
/// and a `Vec` of `Vec`s would cost a cache miss per list.
#[derive(Debug, Clone)]
struct Lists<T> {
    /// List `i` is `items[starts[i]..starts[i + 1]]`.
    starts: Vec<u32>,
    items: Vec<T>,
}

impl<T> Default for Lists<T> {
    fn default() -> Self {
        Lists {
            starts: vec![0],
            items: Vec::new(),
        }
    }
}

impl<T> Lists<T> {
    fn new(lists: Vec<Vec<T>>) -> Self {
        let mut out = Lists {
            starts: Vec::with_capacity(lists.len() + 1),
            items: Vec::with_capacity(lists.iter().map(Vec::len).sum()),
        };
        out.starts.push(0);
        for list in lists {
            out.items.extend(list);
            // Rule sets are far below 4 billion atoms and needles (rule count is bounded by
            // memory long before), so the offset fits.
            out.starts.push(out.items.len() as u32);
        }
        out
    }

    fn get(&self, i: u32) -> &[T] {
        let i = i as usize;
        &self.items[self.starts[i] as usize..self.starts[i + 1] as usize]
    }
}

/// Per-thread buffers for [`RuleSet::for_each_match`].
#[derive(Default)]
struct Scratch {
    /// atoms that hold
    hits: Vec<u32>,
    /// (regex, offset of its literal) found by the literal pass
    regex_hits: Vec<(u32, usize)>,
    /// rules to evaluate
    candidates: Vec<u32>,
}

thread_local! {
    static SCRATCH: std::cell::Cell<Scratch> = std::cell::Cell::new(Scratch::default());
}

fn field_slot(field: Field) -> Option<usize> {
    match field {
        Field::Descriptor => Some(0),
        Field::Merchant => Some(1),
        _ => None,
    }
}

fn compile_expr(e: &Expr, fields: &mut [FieldBuilder; 2], n_atoms: &mut u32) -> Result<CExpr> {
    Ok(match e {
        Expr::All(xs) => CExpr::All(
            xs.iter()
                .map(|x| compile_expr(x, fields, n_atoms))
                .collect::<Result<_>>()?,
        ),
        Expr::Any(xs) => CExpr::Any(
            xs.iter()
                .map(|x| compile_expr(x, fields, n_atoms))
                .collect::<Result<_>>()?,
        ),
        Expr::Not(x) => CExpr::Not(Box::new(compile_expr(x, fields, n_atoms)?)),
        Expr::Cond(c) => {
            let texts: Vec<&str> = c
                .values
                .iter()
                .filter_map(|v| match v {
                    Scalar::Text(s) => Some(s.as_str()),
                    _ => None,
                })
                .collect();
            let first = texts.first().copied().unwrap_or("");
            let Some(slot) = field_slot(c.field) else {
                if c.field == Field::Account && c.op == Op::Matches {
                    return Ok(CExpr::AccountRegex(LazyRegex::new(first)?.0));
                }
                if let (Field::Amount, Some(Scalar::Number(lo))) = (c.field, c.values.first()) {
                    let hi = match c.values.get(1) {
                        Some(Scalar::Number(hi)) => *hi,
                        _ => *lo,
                    };
                    return Ok(CExpr::Amount(c.op, [*lo, hi]));
                }
                return Ok(CExpr::Check(c.clone()));
            };
            let mut atom = |value: &str, op: Op| -> Result<CExpr> {
                if value.is_empty() && op != Op::Matches {
                    return Err(Error::invalid(format!(
                        "`{}` on `{}` needs non-empty text",
                        op.as_str(),
                        c.field.as_str()
                    )));
                }
                let a = *n_atoms;
                *n_atoms += 1;
                let fb = &mut fields[slot];
                match op {
                    Op::Matches => fb.regex(value, a)?,
                    Op::Equals | Op::OneOf => fb.needle(value, Needle::Literal(a, LitKind::Equals)),
                    Op::StartsWith => fb.needle(value, Needle::Literal(a, LitKind::StartsWith)),
                    Op::EndsWith => fb.needle(value, Needle::Literal(a, LitKind::EndsWith)),
                    _ => fb.needle(value, Needle::Literal(a, LitKind::Contains)),
                }
                Ok(CExpr::Atom(a))
            };
            if c.op == Op::OneOf {
                CExpr::Any(texts.iter().map(|t| atom(t, c.op)).collect::<Result<_>>()?)
            } else {
                atom(first, c.op)?
            }
        }
    })
}

/// Atoms at least one of which must hit for the expression to hold; `None` if no such set.
fn trigger_atoms(e: &CExpr) -> Option<Vec<u32>> {
    match e {
        CExpr::Atom(a) => Some(vec![*a]),
        CExpr::Check(_) | CExpr::AccountRegex(_) | CExpr::Amount(..) | CExpr::Not(_) => None,
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
        CExpr::AccountRegex(re) => re.is_match(&crate::normalize::fold(
            input.tx.account.as_deref().unwrap_or(""),
        )),
        CExpr::Amount(op, bounds) => amount_holds(*op, bounds, &input.tx.amount),
        CExpr::Check(c) => check(c, input),
    }
}

/// Whether `amount` satisfies `amount <op> bounds[0]`, or lies within both bounds for
/// `Between`.
fn amount_holds(op: Op, bounds: &[Decimal; 2], amount: &Money) -> bool {
    // cmp_money answers amount.cmp(threshold)
    if op == Op::Between {
        bounds[0].cmp_money(amount) != Ordering::Less
            && bounds[1].cmp_money(amount) != Ordering::Greater
    } else {
        cmp_holds(op, bounds[0].cmp_money(amount))
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
        // Regexes never get here: they are compiled into the field matchers.
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
        // Amount conditions compile to `CExpr::Amount`; one without a number never holds.
        Field::Amount => false,
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
