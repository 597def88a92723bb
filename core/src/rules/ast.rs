//! Rules as data: conditions, boolean expressions, actions; their text form and JSON form.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::decimal::Decimal;
use crate::error::{Error, Result};
use crate::model::Direction;

/// What a condition looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The raw descriptor, case- and accent-insensitive.
    Descriptor,
    /// The merchant name (host-supplied, or normalized from the descriptor), case-insensitive.
    Merchant,
    /// The account the transaction was booked on, case-insensitive.
    Account,
    /// The ISO currency code.
    Currency,
    /// The amount's magnitude in major units of its currency.
    Amount,
    /// Money in (`credit`) or out (`debit`).
    Direction,
    /// The merchant category code.
    Mcc,
    /// The transaction date.
    Date,
}

impl Field {
    pub(crate) fn parse(s: &str) -> Option<Field> {
        Some(match s {
            "descriptor" | "description" => Field::Descriptor,
            "merchant" => Field::Merchant,
            "account" => Field::Account,
            "currency" => Field::Currency,
            "amount" => Field::Amount,
            "direction" => Field::Direction,
            "mcc" => Field::Mcc,
            "date" => Field::Date,
            _ => return None,
        })
    }

    /// The field's name in rule text and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Field::Descriptor => "descriptor",
            Field::Merchant => "merchant",
            Field::Account => "account",
            Field::Currency => "currency",
            Field::Amount => "amount",
            Field::Direction => "direction",
            Field::Mcc => "mcc",
            Field::Date => "date",
        }
    }
}

/// How a condition compares.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Op {
    /// Text contains the value.
    Contains,
    /// Equal (text: whole text equals; numbers and dates: equal).
    Equals,
    /// Not equal (numbers, dates, MCC).
    NotEquals,
    /// Text starts with the value.
    StartsWith,
    /// Text ends with the value.
    EndsWith,
    /// Text matches a regular expression (case-insensitive).
    Matches,
    /// Equal to one of a list.
    OneOf,
    /// Less than.
    Lt,
    /// Less than or equal.
    Le,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Ge,
    /// Within an inclusive range.
    Between,
}

impl Op {
    pub(crate) fn parse(s: &str) -> Option<Op> {
        Some(match s {
            "contains" => Op::Contains,
            "equals" | "eq" | "=" | "==" | "is" => Op::Equals,
            "not_equals" | "ne" | "!=" => Op::NotEquals,
            "starts_with" => Op::StartsWith,
            "ends_with" => Op::EndsWith,
            "matches" | "regex" => Op::Matches,
            "one_of" | "in" => Op::OneOf,
            "lt" | "<" => Op::Lt,
            "le" | "<=" => Op::Le,
            "gt" | ">" => Op::Gt,
            "ge" | ">=" => Op::Ge,
            "between" => Op::Between,
            _ => return None,
        })
    }

    /// The operator's name in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Contains => "contains",
            Op::Equals => "equals",
            Op::NotEquals => "not_equals",
            Op::StartsWith => "starts_with",
            Op::EndsWith => "ends_with",
            Op::Matches => "matches",
            Op::OneOf => "one_of",
            Op::Lt => "lt",
            Op::Le => "le",
            Op::Gt => "gt",
            Op::Ge => "ge",
            Op::Between => "between",
        }
    }

    fn symbol(self) -> &'static str {
        match self {
            Op::Contains => "contains",
            Op::Equals => "=",
            Op::NotEquals => "!=",
            Op::StartsWith => "starts_with",
            Op::EndsWith => "ends_with",
            Op::Matches => "matches",
            Op::OneOf => "in",
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Between => "between",
        }
    }
}

/// A value a condition compares with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scalar {
    /// Text (stored case- and accent-folded for text fields).
    Text(String),
    /// An exact decimal (amounts).
    Number(Decimal),
    /// A merchant category code.
    Code(u16),
    /// A calendar date.
    Date(NaiveDate),
    /// Debit or credit.
    Direction(Direction),
}

impl fmt::Display for Scalar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Text(s) => write_quoted(f, s),
            Scalar::Number(d) => write!(f, "{d}"),
            Scalar::Code(c) => write!(f, "{c}"),
            Scalar::Date(d) => write!(f, "{}", d.format("%Y-%m-%d")),
            Scalar::Direction(d) => f.write_str(d.as_str()),
        }
    }
}

impl Scalar {
    fn to_json(&self) -> serde_json::Value {
        match self {
            Scalar::Text(s) => serde_json::Value::String(s.clone()),
            Scalar::Number(d) => serde_json::Value::String(d.to_string()),
            Scalar::Code(c) => serde_json::Value::from(*c),
            Scalar::Date(d) => serde_json::Value::String(d.format("%Y-%m-%d").to_string()),
            Scalar::Direction(d) => serde_json::Value::String(d.as_str().to_string()),
        }
    }
}

/// One test on one field of a transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The field looked at.
    pub field: Field,
    /// The comparison.
    pub op: Op,
    /// One value, or several for `one_of`, or two (low, high) for `between`.
    pub values: Vec<Scalar>,
}

impl Condition {
    /// Builds a condition, checking that the operator fits the field and the values fit both.
    /// Text values are folded (lowercase, no accents), so matching is case-insensitive.
    pub fn new(field: Field, op: Op, values: Vec<Scalar>) -> Result<Self> {
        let allowed: &[Op] = match field {
            Field::Descriptor | Field::Merchant | Field::Account => &[
                Op::Contains,
                Op::Equals,
                Op::StartsWith,
                Op::EndsWith,
                Op::Matches,
                Op::OneOf,
            ],
            Field::Currency => &[Op::Equals, Op::OneOf],
            Field::Direction => &[Op::Equals],
            Field::Amount | Field::Date => &[
                Op::Equals,
                Op::NotEquals,
                Op::Lt,
                Op::Le,
                Op::Gt,
                Op::Ge,
                Op::Between,
            ],
            Field::Mcc => &[
                Op::Equals,
                Op::NotEquals,
                Op::Lt,
                Op::Le,
                Op::Gt,
                Op::Ge,
                Op::Between,
                Op::OneOf,
            ],
        };
        if !allowed.contains(&op) {
            return Err(Error::invalid(format!(
                "operator `{}` does not apply to field `{}`",
                op.as_str(),
                field.as_str()
            )));
        }
        let arity_ok = match op {
            Op::OneOf => !values.is_empty(),
            Op::Between => values.len() == 2,
            _ => values.len() == 1,
        };
        if !arity_ok {
            return Err(Error::invalid(format!(
                "`{}` on `{}` needs {}",
                op.as_str(),
                field.as_str(),
                match op {
                    Op::OneOf => "a non-empty list",
                    Op::Between => "exactly two values",
                    _ => "exactly one value",
                }
            )));
        }
        let mut out = Vec::with_capacity(values.len());
        for v in values {
            out.push(coerce(field, op, v)?);
        }
        if op == Op::Between {
            let ordered = match (&out[0], &out[1]) {
                (Scalar::Number(a), Scalar::Number(b)) => a.cmp_decimal(b).is_le(),
                (Scalar::Code(a), Scalar::Code(b)) => a <= b,
                (Scalar::Date(a), Scalar::Date(b)) => a <= b,
                _ => true,
            };
            if !ordered {
                return Err(Error::invalid(format!(
                    "`between` on `{}` needs the low value first",
                    field.as_str()
                )));
            }
        }
        Ok(Condition {
            field,
            op,
            values: out,
        })
    }
}

/// Brings a value into the form the field needs (folds text, parses numbers, dates, codes).
fn coerce(field: Field, op: Op, v: Scalar) -> Result<Scalar> {
    let text_of = |v: &Scalar| match v {
        Scalar::Text(s) => s.clone(),
        other => other.to_string(),
    };
    Ok(match field {
        Field::Descriptor | Field::Merchant | Field::Account => {
            let s = text_of(&v);
            if op == Op::Matches {
                regex::RegexBuilder::new(&s)
                    .case_insensitive(true)
                    .size_limit(1 << 20)
                    .build()
                    .map_err(|e| Error::invalid(format!("invalid regex {s:?}: {e}")))?;
                Scalar::Text(s)
            } else {
                let folded = crate::normalize::fold(&s);
                if folded.is_empty() {
                    return Err(Error::invalid(format!(
                        "`{}` on `{}` needs non-empty text",
                        op.as_str(),
                        field.as_str()
                    )));
                }
                Scalar::Text(folded)
            }
        }
        Field::Currency => Scalar::Text(
            crate::model::Currency::new(&text_of(&v))?
                .as_str()
                .to_string(),
        ),
        Field::Amount => match v {
            Scalar::Number(d) => Scalar::Number(d),
            other => Scalar::Number(Decimal::parse(&text_of(&other))?),
        },
        Field::Mcc => match v {
            Scalar::Code(c) => Scalar::Code(c),
            other => {
                let t = text_of(&other);
                let c: u16 = t
                    .parse()
                    .ok()
                    .filter(|c| *c <= 9999)
                    .ok_or_else(|| Error::invalid(format!("MCC must be 0-9999, got {t:?}")))?;
                Scalar::Code(c)
            }
        },
        Field::Date => {
            match v {
                Scalar::Date(d) => Scalar::Date(d),
                other => {
                    let t = text_of(&other);
                    Scalar::Date(NaiveDate::parse_from_str(&t, "%Y-%m-%d").map_err(|_| {
                        Error::invalid(format!("date must be YYYY-MM-DD, got {t:?}"))
                    })?)
                }
            }
        }
        Field::Direction => match text_of(&v).as_str() {
            "debit" | "out" => Scalar::Direction(Direction::Debit),
            "credit" | "in" => Scalar::Direction(Direction::Credit),
            t => {
                return Err(Error::invalid(format!(
                    "direction is `debit` or `credit`, got {t:?}"
                )))
            }
        },
    })
}

/// A boolean combination of conditions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expr {
    /// Every child holds.
    All(Vec<Expr>),
    /// At least one child holds.
    Any(Vec<Expr>),
    /// The child does not hold.
    Not(Box<Expr>),
    /// A single condition.
    Cond(Condition),
}

/// What a matching rule does.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Actions {
    /// Category to assign.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// Merchant display name to use instead.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rename: Option<String>,
    /// Tags to add.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

/// One rule: when `when` holds, apply `then`. Higher `priority` wins; ties go to the earlier rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Identifier, unique within a tenant.
    pub id: String,
    /// Precedence: higher first. Default 0.
    pub priority: i32,
    /// The condition.
    pub when: Expr,
    /// The actions.
    pub then: Actions,
}

impl Rule {
    /// Checks the rule as a whole: non-empty id, at least one action, sane names.
    pub fn validate(&self) -> Result<()> {
        crate::model::transaction_check_id("rule id", &self.id)?;
        if self.then.category.is_none() && self.then.rename.is_none() && self.then.tags.is_empty() {
            return Err(Error::invalid(format!("rule {:?} has no action", self.id)));
        }
        if let Some(c) = &self.then.category {
            crate::model::validate_category_id(c)?;
        }
        if let Some(r) = &self.then.rename {
            if r.trim().is_empty() {
                return Err(Error::invalid(format!(
                    "rule {:?}: rename needs a non-empty name",
                    self.id
                )));
            }
        }
        if self.then.tags.iter().any(|t| t.trim().is_empty()) {
            return Err(Error::invalid(format!(
                "rule {:?}: tags must not be empty",
                self.id
            )));
        }
        Ok(())
    }
}

// ---------- text form ----------

pub(crate) fn write_quoted(f: &mut impl fmt::Write, s: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in s.chars() {
        match c {
            '"' => f.write_str("\\\"")?,
            '\\' => f.write_str("\\\\")?,
            '\n' => f.write_str("\\n")?,
            '\t' => f.write_str("\\t")?,
            c => f.write_char(c)?,
        }
    }
    f.write_char('"')
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {} ", self.field.as_str(), self.op.symbol())?;
        match self.op {
            Op::OneOf => {
                f.write_str("[")?;
                for (i, v) in self.values.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{v}")?;
                }
                f.write_str("]")
            }
            Op::Between => write!(f, "{} and {}", self.values[0], self.values[1]),
            _ => write!(f, "{}", self.values[0]),
        }
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Cond(c) => write!(f, "{c}"),
            Expr::Not(e) => match **e {
                Expr::Cond(_) | Expr::Not(_) => write!(f, "not {e}"),
                _ => write!(f, "not ({e})"),
            },
            Expr::All(xs) => {
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" and ")?;
                    }
                    match x {
                        Expr::Any(_) | Expr::All(_) => write!(f, "({x})")?,
                        _ => write!(f, "{x}")?,
                    }
                }
                Ok(())
            }
            Expr::Any(xs) => {
                for (i, x) in xs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" or ")?;
                    }
                    match x {
                        Expr::Any(_) => write!(f, "({x})")?,
                        _ => write!(f, "{x}")?,
                    }
                }
                Ok(())
            }
        }
    }
}

fn is_bare_word(s: &str) -> bool {
    !s.is_empty()
        && s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && !super::parse::is_keyword(s)
}

fn write_word(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    if is_bare_word(s) {
        f.write_str(s)
    } else {
        write_quoted(f, s)
    }
}

impl fmt::Display for Rule {
    /// The canonical text form; parsing it gives the same rule back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("rule ")?;
        write_word(f, &self.id)?;
        write!(f, ": {} =>", self.when)?;
        let mut first = true;
        let mut sep = |f: &mut fmt::Formatter<'_>| -> fmt::Result {
            let s = if first { " " } else { ", " };
            first = false;
            f.write_str(s)
        };
        if let Some(c) = &self.then.category {
            sep(f)?;
            write_word(f, c)?;
        }
        if let Some(r) = &self.then.rename {
            sep(f)?;
            f.write_str("rename ")?;
            write_quoted(f, r)?;
        }
        for t in &self.then.tags {
            sep(f)?;
            f.write_str("tag ")?;
            write_quoted(f, t)?;
        }
        if self.priority != 0 {
            write!(f, " priority {}", self.priority)?;
        }
        Ok(())
    }
}

// ---------- JSON form ----------

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct RuleJson {
    id: String,
    #[serde(default)]
    priority: i32,
    when: serde_json::Value,
    then: Actions,
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        RuleJson {
            id: self.id.clone(),
            priority: self.priority,
            when: expr_to_json(&self.when),
            then: self.then.clone(),
        }
        .serialize(s)
    }
}

impl<'de> Deserialize<'de> for Rule {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let raw = RuleJson::deserialize(d)?;
        let when = expr_from_json(&raw.when).map_err(serde::de::Error::custom)?;
        let rule = Rule {
            id: raw.id,
            priority: raw.priority,
            when,
            then: raw.then,
        };
        rule.validate().map_err(serde::de::Error::custom)?;
        Ok(rule)
    }
}

/// JSON form of an expression: `{"all": [...]}`, `{"any": [...]}`, `{"not": {...}}` or a
/// condition `{"field": "merchant", "op": "contains", "value": "starbucks"}` (`value` is a list
/// for `one_of` and `between`).
pub fn expr_to_json(e: &Expr) -> serde_json::Value {
    use serde_json::json;
    match e {
        Expr::All(xs) => json!({ "all": xs.iter().map(expr_to_json).collect::<Vec<_>>() }),
        Expr::Any(xs) => json!({ "any": xs.iter().map(expr_to_json).collect::<Vec<_>>() }),
        Expr::Not(x) => json!({ "not": expr_to_json(x) }),
        Expr::Cond(c) => {
            let value = match c.op {
                Op::OneOf | Op::Between => {
                    serde_json::Value::Array(c.values.iter().map(Scalar::to_json).collect())
                }
                _ => c.values[0].to_json(),
            };
            json!({ "field": c.field.as_str(), "op": c.op.as_str(), "value": value })
        }
    }
}

/// Parses the JSON form of an expression (see [`expr_to_json`]). A one-element `all` or `any`
/// reads as its element, the shape the text form gives it, so a rule read from JSON prints to
/// text that parses back to the same rule.
pub fn expr_from_json(v: &serde_json::Value) -> Result<Expr> {
    expr_from_json_depth(v, 0)
}

const MAX_DEPTH: usize = 64;

fn expr_from_json_depth(v: &serde_json::Value, depth: usize) -> Result<Expr> {
    if depth > MAX_DEPTH {
        return Err(Error::invalid("rule expression nests too deeply"));
    }
    let obj = v
        .as_object()
        .ok_or_else(|| Error::invalid("a rule expression must be a JSON object"))?;
    let list = |key: &str| -> Result<Vec<Expr>> {
        let arr = obj[key]
            .as_array()
            .ok_or_else(|| Error::invalid(format!("`{key}` takes a list")))?;
        if arr.is_empty() {
            return Err(Error::invalid(format!(
                "`{key}` needs at least one element"
            )));
        }
        arr.iter()
            .map(|x| expr_from_json_depth(x, depth + 1))
            .collect()
    };
    // a group of one is its element
    let group = |mut xs: Vec<Expr>, make: fn(Vec<Expr>) -> Expr| match xs.len() {
        1 => xs.pop().unwrap_or_else(|| make(Vec::new())),
        _ => make(xs),
    };
    if obj.len() == 1 {
        if obj.contains_key("all") {
            return Ok(group(list("all")?, Expr::All));
        }
        if obj.contains_key("any") {
            return Ok(group(list("any")?, Expr::Any));
        }
        if let Some(x) = obj.get("not") {
            return Ok(Expr::Not(Box::new(expr_from_json_depth(x, depth + 1)?)));
        }
    }
    let field_s = obj
        .get("field")
        .and_then(|x| x.as_str())
        .ok_or_else(|| Error::invalid("a condition needs a string `field`"))?;
    let op_s = obj
        .get("op")
        .and_then(|x| x.as_str())
        .ok_or_else(|| Error::invalid("a condition needs a string `op`"))?;
    if obj.len() != 3 || !obj.contains_key("value") {
        return Err(Error::invalid(
            "a condition has exactly the keys `field`, `op` and `value`",
        ));
    }
    let field = Field::parse(field_s)
        .ok_or_else(|| Error::invalid(format!("unknown field {field_s:?}")))?;
    let op = Op::parse(op_s).ok_or_else(|| Error::invalid(format!("unknown operator {op_s:?}")))?;
    let scalar = |x: &serde_json::Value| -> Result<Scalar> {
        match x {
            serde_json::Value::String(s) => Ok(Scalar::Text(s.clone())),
            serde_json::Value::Number(n) => Ok(Scalar::Text(n.to_string())),
            _ => Err(Error::invalid("condition values are strings or numbers")),
        }
    };
    let values = match (&obj["value"], op) {
        (serde_json::Value::Array(xs), Op::OneOf | Op::Between) => {
            xs.iter().map(scalar).collect::<Result<Vec<_>>>()?
        }
        (x, Op::OneOf | Op::Between) if !x.is_array() => {
            return Err(Error::invalid(format!(
                "`{}` takes a list value",
                op.as_str()
            )))
        }
        (x, _) => vec![scalar(x)?],
    };
    Ok(Expr::Cond(Condition::new(field, op, values)?))
}
