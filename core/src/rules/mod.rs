//! Rules a person can read and write, compiled per tenant into one matcher.
//!
//! See [`parse`] for the text syntax and [`ast::expr_to_json`] for the JSON form; both describe
//! the same [`Rule`] values, and printing a rule (`to_string()`) gives text that parses back to it.

pub mod ast;
mod compile;
mod decimal;
mod literal_index;
mod literals;
mod mine;
pub mod parse;
#[cfg(feature = "rule-dfa")]
mod regex_dfa;
mod regexes;
#[cfg(feature = "schema")]
mod schema;

pub use ast::{Actions, Condition, Expr, Field, Op, Rule, Scalar};
pub use compile::{RuleInput, RuleSet};
pub use decimal::Decimal;
pub(crate) use mine::{suggest, MiningRow};
pub use mine::{ConflictingRow, Labelled, MiningOptions, RuleSuggestion};
pub use parse::{parse_rule, parse_rules, parse_rules_with_spans, RuleSpan};

/// What the matching rules of one transaction decided, borrowed from the [`RuleSet`].
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleOutcome<'a> {
    /// Category and the rule that set it.
    pub category: Option<(&'a str, &'a Rule)>,
    /// New merchant name and the rule that set it.
    pub rename: Option<(&'a str, &'a Rule)>,
    /// Tags from every matching rule, first occurrence first.
    pub tags: Vec<&'a str>,
    /// Every matching rule in precedence order.
    pub matched: Vec<&'a Rule>,
}

impl<'a> RuleOutcome<'a> {
    /// Ids of the matching rules in precedence order.
    pub fn matched_ids(&self) -> Vec<&'a str> {
        self.matched.iter().map(|r| r.id.as_str()).collect()
    }
}

impl RuleSet {
    /// Matches and combines the actions of every matching rule (see the module docs for order).
    pub fn apply<'a>(&'a self, input: &RuleInput<'_>) -> RuleOutcome<'a> {
        let mut out = RuleOutcome::default();
        self.for_each_match(input, |r| {
            if out.category.is_none() {
                if let Some(c) = &r.then.category {
                    out.category = Some((c.as_str(), r));
                }
            }
            if out.rename.is_none() {
                if let Some(n) = &r.then.rename {
                    out.rename = Some((n.as_str(), r));
                }
            }
            for t in &r.then.tags {
                if !out.tags.contains(&t.as_str()) {
                    out.tags.push(t.as_str());
                }
            }
            out.matched.push(r);
        });
        out
    }
}

#[cfg(test)]
mod tests;
