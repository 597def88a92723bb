//! Rules a person can read and write, compiled per tenant into one matcher.
//!
//! See [`parse`] for the text syntax and [`ast::expr_to_json`] for the JSON form; both describe
//! the same [`Rule`] values, and printing a rule (`to_string()`) gives text that parses back to it.

pub mod ast;
mod compile;
mod decimal;
pub mod parse;

pub use ast::{Actions, Condition, Expr, Field, Op, Rule, Scalar};
pub use compile::{RuleInput, RuleSet};
pub use decimal::Decimal;
pub use parse::{parse_rule, parse_rules};

/// What the matching rules of one transaction decided.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RuleOutcome {
    /// Category and the id of the rule that set it.
    pub category: Option<(String, String)>,
    /// New merchant name and the id of the rule that set it.
    pub rename: Option<(String, String)>,
    /// Tags from every matching rule, first occurrence first.
    pub tags: Vec<String>,
    /// Ids of every matching rule in precedence order.
    pub matched: Vec<String>,
}

impl RuleSet {
    /// Matches and combines the actions of every matching rule (see the module docs for order).
    pub fn apply(&self, input: &RuleInput<'_>) -> RuleOutcome {
        let mut out = RuleOutcome::default();
        for r in self.matching(input) {
            out.matched.push(r.id.clone());
            if out.category.is_none() {
                if let Some(c) = &r.then.category {
                    out.category = Some((c.clone(), r.id.clone()));
                }
            }
            if out.rename.is_none() {
                if let Some(n) = &r.then.rename {
                    out.rename = Some((n.clone(), r.id.clone()));
                }
            }
            for t in &r.then.tags {
                if !out.tags.contains(t) {
                    out.tags.push(t.clone());
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests;
