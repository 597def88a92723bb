//! The rule text syntax.
//!
//! One rule per line; blank lines and lines starting with `#` are ignored.
//!
//! ```text
//! rule    := ["rule" NAME ":"] expr "=>" action ("," action)* ["priority" INT]
//! expr    := and ("or" and)*
//! and     := unary ("and" unary)*
//! unary   := "not" unary | "(" expr ")" | cond
//! cond    := FIELD OP VALUE | FIELD "in" "[" VALUE ("," VALUE)* "]"
//!          | FIELD "between" VALUE "and" VALUE
//! action  := CATEGORY | "category" CATEGORY | "rename" STRING | "tag" WORD
//! FIELD   := descriptor | merchant | account | currency | amount | direction | mcc | date
//! OP      := contains | starts_with | ends_with | matches | equals | = | == | != | < | <= | > | >=
//! ```
//!
//! Example: `merchant contains "starbucks" and amount < 20 => food.coffee, tag "caffeine"`.
//! Text comparisons ignore case and accents; `matches` takes a regular expression.

use super::ast::{Actions, Condition, Expr, Field, Op, Rule, Scalar};
use crate::error::{Error, Position, Result};

const KEYWORDS: &[&str] = &[
    "rule",
    "and",
    "or",
    "not",
    "in",
    "between",
    "priority",
    "category",
    "rename",
    "tag",
    "contains",
    "starts_with",
    "ends_with",
    "matches",
    "equals",
    "is",
];

/// Whether a word is reserved in rule text (and so must be quoted as a name).
pub(crate) fn is_keyword(s: &str) -> bool {
    KEYWORDS.contains(&s)
}

/// Longest rule text accepted, in bytes.
pub const MAX_RULE_TEXT: usize = 4 << 20;
const MAX_NESTING: usize = 64;

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Num(String),
    Sym(&'static str),
}

#[derive(Debug, Clone)]
struct Token {
    tok: Tok,
    col: usize,
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Word(w) => format!("`{w}`"),
        Tok::Str(s) => format!("string {s:?}"),
        Tok::Num(n) => format!("number {n}"),
        Tok::Sym(s) => format!("`{s}`"),
    }
}

fn lex(line: &str, line_no: usize) -> Result<Vec<Token>> {
    let err = |col: usize, msg: String| Error::Parse {
        position: Position {
            line: line_no,
            column: col,
        },
        message: msg,
    };
    let chars: Vec<char> = line.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let col = i + 1;
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        if c == '#' {
            break;
        }
        if c == '"' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err(err(col, "unterminated string".into())),
                    Some('"') => {
                        i += 1;
                        break;
                    }
                    Some('\\') => {
                        // Known escapes are decoded; any other backslash is kept as written,
                        // so regexes read naturally (`matches "^caf.\s+de"`).
                        match chars.get(i + 1).copied() {
                            Some('"') => s.push('"'),
                            Some('\\') => s.push('\\'),
                            Some('n') => s.push('\n'),
                            Some('t') => s.push('\t'),
                            Some(other) => {
                                s.push('\\');
                                s.push(other);
                            }
                            None => return Err(err(col, "unterminated string".into())),
                        }
                        i += 2;
                    }
                    Some(&ch) => {
                        s.push(ch);
                        i += 1;
                    }
                }
            }
            out.push(Token {
                tok: Tok::Str(s),
                col,
            });
            continue;
        }
        let two: String = chars[i..(i + 2).min(chars.len())].iter().collect();
        let sym2 = ["=>", "<=", ">=", "==", "!="]
            .into_iter()
            .find(|s| *s == two);
        if let Some(s) = sym2 {
            out.push(Token {
                tok: Tok::Sym(s),
                col,
            });
            i += 2;
            continue;
        }
        let sym1 = match c {
            '(' => Some("("),
            ')' => Some(")"),
            '[' => Some("["),
            ']' => Some("]"),
            ',' => Some(","),
            ':' => Some(":"),
            '<' => Some("<"),
            '>' => Some(">"),
            '=' => Some("="),
            _ => None,
        };
        if let Some(s) = sym1 {
            out.push(Token {
                tok: Tok::Sym(s),
                col,
            });
            i += 1;
            continue;
        }
        if c.is_ascii_digit() || (c == '-' && chars.get(i + 1).is_some_and(|d| d.is_ascii_digit()))
        {
            let start = i;
            i += 1;
            while i < chars.len() && (chars[i].is_ascii_digit() || matches!(chars[i], '.' | '-')) {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Num(chars[start..i].iter().collect()),
                col,
            });
            continue;
        }
        if c.is_alphabetic() || c == '_' {
            let start = i;
            while i < chars.len()
                && (chars[i].is_alphanumeric() || matches!(chars[i], '_' | '.' | '-'))
            {
                i += 1;
            }
            out.push(Token {
                tok: Tok::Word(chars[start..i].iter().collect()),
                col,
            });
            continue;
        }
        return Err(err(col, format!("unexpected character {c:?}")));
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    line: usize,
    end_col: usize,
    depth: usize,
}

impl Parser {
    fn err_at(&self, col: usize, msg: impl Into<String>) -> Error {
        Error::Parse {
            position: Position {
                line: self.line,
                column: col,
            },
            message: msg.into(),
        }
    }

    fn err_here(&self, msg: impl Into<String>) -> Error {
        let col = self.toks.get(self.pos).map_or(self.end_col, |t| t.col);
        let found = self
            .toks
            .get(self.pos)
            .map_or("end of line".to_string(), |t| describe(&t.tok));
        self.err_at(col, format!("{}, found {found}", msg.into()))
    }

    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|t| &t.tok)
    }

    fn peek_word(&self, w: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(x)) if x == w)
    }

    fn eat_word(&mut self, w: &str) -> bool {
        if self.peek_word(w) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn eat_sym(&mut self, s: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Sym(x)) if *x == s) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect_sym(&mut self, s: &str) -> Result<()> {
        if self.eat_sym(s) {
            Ok(())
        } else {
            Err(self.err_here(format!("expected `{s}`")))
        }
    }

    fn name(&mut self, what: &str) -> Result<String> {
        match self.peek().cloned() {
            Some(Tok::Str(s)) => {
                self.pos += 1;
                Ok(s)
            }
            Some(Tok::Word(w)) if !is_keyword(&w) => {
                self.pos += 1;
                Ok(w)
            }
            _ => Err(self.err_here(format!("expected {what}"))),
        }
    }

    /// The column of the current token (the end of the line past the last one).
    fn here(&self) -> usize {
        self.toks.get(self.pos).map_or(self.end_col, |t| t.col)
    }

    fn position(&self, column: usize) -> Position {
        Position {
            line: self.line,
            column,
        }
    }

    fn rule(&mut self, default_id: String) -> Result<(Rule, RuleSpan)> {
        let mut id = default_id;
        let mut span = RuleSpan {
            start: self.position(self.here()),
            name: None,
            category: None,
        };
        if self.eat_word("rule") {
            span.name = Some(self.position(self.here()));
            id = self.name("a rule name")?;
            self.expect_sym(":")?;
        }
        let when = self.expr()?;
        self.expect_sym("=>")?;
        let mut then = Actions::default();
        loop {
            let col = self.toks.get(self.pos).map_or(self.end_col, |t| t.col);
            if self.eat_word("rename") {
                match self.peek().cloned() {
                    Some(Tok::Str(s)) => {
                        self.pos += 1;
                        if then.rename.replace(s).is_some() {
                            return Err(self.err_at(col, "a rule renames at most once"));
                        }
                    }
                    _ => return Err(self.err_here("expected a quoted name after `rename`")),
                }
            } else if self.eat_word("tag") {
                let t = self.name("a tag")?;
                then.tags.push(t);
            } else {
                self.eat_word("category");
                let at = self.position(self.here());
                let c = self.name("a category, `rename` or `tag`")?;
                span.category = Some(at);
                if then.category.replace(c).is_some() {
                    return Err(self.err_at(col, "a rule sets at most one category"));
                }
            }
            if !self.eat_sym(",") {
                break;
            }
        }
        let mut priority = 0;
        if self.eat_word("priority") {
            match self.peek().cloned() {
                Some(Tok::Num(n)) => {
                    priority = n.parse().map_err(|_| {
                        self.err_here("expected a whole number between -2147483648 and 2147483647")
                    })?;
                    self.pos += 1;
                }
                _ => return Err(self.err_here("expected a whole number after `priority`")),
            }
        }
        if self.pos < self.toks.len() {
            return Err(self.err_here("expected `,`, `priority` or the end of the rule"));
        }
        let rule = Rule {
            id,
            priority,
            when,
            then,
        };
        rule.validate().map_err(|e| self.err_at(1, e.to_string()))?;
        Ok((rule, span))
    }

    fn expr(&mut self) -> Result<Expr> {
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(self.err_here("expression nests too deeply"));
        }
        let mut xs = vec![self.and_expr()?];
        while self.eat_word("or") {
            xs.push(self.and_expr()?);
        }
        self.depth -= 1;
        Ok(if xs.len() == 1 {
            xs.pop().unwrap_or(Expr::Any(Vec::new()))
        } else {
            Expr::Any(xs)
        })
    }

    fn and_expr(&mut self) -> Result<Expr> {
        let mut xs = vec![self.unary()?];
        while self.eat_word("and") {
            xs.push(self.unary()?);
        }
        Ok(if xs.len() == 1 {
            xs.pop().unwrap_or(Expr::All(Vec::new()))
        } else {
            Expr::All(xs)
        })
    }

    fn unary(&mut self) -> Result<Expr> {
        if self.eat_word("not") {
            self.depth += 1;
            if self.depth > MAX_NESTING {
                return Err(self.err_here("expression nests too deeply"));
            }
            let e = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(e)));
        }
        if self.eat_sym("(") {
            let e = self.expr()?;
            self.expect_sym(")")?;
            return Ok(e);
        }
        self.cond()
    }

    fn value(&mut self) -> Result<Scalar> {
        match self.peek().cloned() {
            Some(Tok::Str(s)) => {
                self.pos += 1;
                Ok(Scalar::Text(s))
            }
            Some(Tok::Num(n)) => {
                self.pos += 1;
                Ok(Scalar::Text(n))
            }
            Some(Tok::Word(w)) if !is_keyword(&w) => {
                self.pos += 1;
                Ok(Scalar::Text(w))
            }
            _ => Err(self.err_here("expected a value")),
        }
    }

    fn cond(&mut self) -> Result<Expr> {
        let field = match self.peek() {
            Some(Tok::Word(w)) => Field::parse(w),
            _ => None,
        }
        .ok_or_else(|| {
            self.err_here(
                "expected a field (descriptor, merchant, account, currency, amount, direction, mcc, date)",
            )
        })?;
        self.pos += 1;
        let op_col = self.toks.get(self.pos).map_or(self.end_col, |t| t.col);
        let op = match self.peek().cloned() {
            Some(Tok::Word(w)) => Op::parse(&w).filter(|o| !matches!(o, Op::NotEquals)),
            Some(Tok::Sym(s)) => Op::parse(s),
            _ => None,
        }
        .ok_or_else(|| self.err_here("expected an operator"))?;
        self.pos += 1;
        let values = match op {
            Op::OneOf => {
                self.expect_sym("[")?;
                let mut vs = vec![self.value()?];
                while self.eat_sym(",") {
                    vs.push(self.value()?);
                }
                self.expect_sym("]")?;
                vs
            }
            Op::Between => {
                let lo = self.value()?;
                if !self.eat_word("and") {
                    return Err(self.err_here("expected `and` in `between`"));
                }
                vec![lo, self.value()?]
            }
            _ => vec![self.value()?],
        };
        Condition::new(field, op, values)
            .map(Expr::Cond)
            .map_err(|e| self.err_at(op_col, error_message(&e)))
    }
}

fn error_message(e: &Error) -> String {
    match e {
        Error::InvalidInput(m) => m.clone(),
        other => other.to_string(),
    }
}

/// Parses one rule from a single line of text. `default_id` names it when the text has no
/// `rule NAME:` prefix; `line` is used in error positions.
pub fn parse_rule(text: &str, default_id: &str, line: usize) -> Result<Rule> {
    parse_rule_with_span(text, default_id, line).map(|(rule, _)| rule)
}

/// Where a rule and its parts are in rule text (1-based lines and columns in characters), so a
/// checker can point at a rule that parses but cannot be loaded (an unknown category, a
/// repeated name).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleSpan {
    /// The rule's first token.
    pub start: Position,
    /// Its name after `rule`, when it has one (unnamed rules get an id from the caller).
    pub name: Option<Position>,
    /// Its category, when it sets one.
    pub category: Option<Position>,
}

fn parse_rule_with_span(text: &str, default_id: &str, line: usize) -> Result<(Rule, RuleSpan)> {
    let toks = lex(text, line)?;
    if toks.is_empty() {
        return Err(Error::Parse {
            position: Position { line, column: 1 },
            message: "empty rule".into(),
        });
    }
    let mut p = Parser {
        toks,
        pos: 0,
        line,
        end_col: text.chars().count() + 1,
        depth: 0,
    };
    p.rule(default_id.to_string())
}

/// Parses a rule file: one rule per line, `#` comments and blank lines skipped. Rules without a
/// name get `{prefix}{line}` as id. The first error stops parsing and names line and column.
///
/// ```
/// let rules = xspense::rules::parse_rules(
///     "# coffee\nmerchant contains \"starbucks\" and amount < 20 => food.coffee, tag caffeine\n",
///     "line",
/// ).unwrap();
/// assert_eq!(rules[0].id, "line2");
/// let err = xspense::rules::parse_rules("merchant contains => food.coffee", "r").unwrap_err();
/// assert_eq!(err.to_string(), "parse error at line 1, column 19: expected a value, found `=>`");
/// ```
pub fn parse_rules(text: &str, id_prefix: &str) -> Result<Vec<Rule>> {
    parse_rules_with_spans(text, id_prefix).map(|rules| rules.into_iter().map(|(r, _)| r).collect())
}

/// [`parse_rules`], with where each rule is in the text.
///
/// ```
/// let rules = xspense::rules::parse_rules_with_spans(
///     "# coffee\n  rule beans: merchant contains \"blue bottle\" => food.coffee\n",
///     "line",
/// ).unwrap();
/// let (rule, span) = &rules[0];
/// assert_eq!(rule.id, "beans");
/// assert_eq!((span.start.line, span.start.column), (2, 3));
/// assert_eq!(span.name.map(|p| p.column), Some(8));
/// assert_eq!(span.category.map(|p| p.to_string()), Some("line 2, column 50".into()));
/// ```
pub fn parse_rules_with_spans(text: &str, id_prefix: &str) -> Result<Vec<(Rule, RuleSpan)>> {
    if text.len() > MAX_RULE_TEXT {
        return Err(Error::invalid(format!(
            "rule text is larger than {MAX_RULE_TEXT} bytes"
        )));
    }
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let t = line.trim();
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        out.push(parse_rule_with_span(
            line,
            &format!("{id_prefix}{}", i + 1),
            i + 1,
        )?);
    }
    Ok(out)
}
