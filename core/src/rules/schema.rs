//! The JSON Schema of a rule's JSON form (feature `schema`). [`Rule`] reads and writes its JSON
//! through [`expr_to_json`](super::ast::expr_to_json) and
//! [`expr_from_json`](super::ast::expr_from_json); the types here describe that shape for the
//! schema only and are never serialized.

use std::borrow::Cow;

use schemars::{JsonSchema, Schema, SchemaGenerator};

use super::ast::{Actions, Field, Op, Rule};

/// A rule in its JSON form.
#[derive(JsonSchema)]
#[schemars(rename = "Rule", deny_unknown_fields)]
#[allow(dead_code)]
struct RuleJson {
    /// Identifier, unique within a tenant.
    id: String,
    /// Precedence: higher first. Default 0.
    #[serde(default)]
    priority: i32,
    /// The condition.
    when: RuleExpr,
    /// What the rule does when it holds.
    then: Actions,
}

/// A rule condition: `{"all": [...]}`, `{"any": [...]}`, `{"not": {...}}` or one comparison.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum RuleExpr {
    /// Every part holds.
    All {
        /// The parts (at least one).
        all: Vec<RuleExpr>,
    },
    /// Some part holds.
    Any {
        /// The parts (at least one).
        any: Vec<RuleExpr>,
    },
    /// The part does not hold.
    Not {
        /// The negated part.
        not: Box<RuleExpr>,
    },
    /// One comparison.
    Condition(RuleCondition),
}

/// One comparison: `{"field": "merchant", "op": "contains", "value": "starbucks"}`.
#[derive(JsonSchema)]
#[schemars(deny_unknown_fields)]
#[allow(dead_code)]
struct RuleCondition {
    /// What the condition looks at.
    field: Field,
    /// How it compares.
    op: Op,
    /// What it compares with: a list for `one_of` and `between`, else one value.
    value: RuleValue,
}

/// A condition's value: text, a number, or a list of them.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum RuleValue {
    /// Text (also dates, `YYYY-MM-DD`, and amounts written as text).
    Text(String),
    /// A number.
    Number(f64),
    /// The values of `one_of`, or the two bounds of `between`.
    List(Vec<RuleScalar>),
}

/// One element of a condition's list value.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum RuleScalar {
    /// Text.
    Text(String),
    /// A number.
    Number(f64),
}

impl JsonSchema for Rule {
    fn schema_name() -> Cow<'static, str> {
        RuleJson::schema_name()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        RuleJson::json_schema(generator)
    }
}
