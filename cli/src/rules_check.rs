//! `xspense rules check`: whether a rule file loads, and if not, where it goes wrong.
//!
//! A file is checked as `xspense categorize --rules FILE` loads it: it must be UTF-8, parse,
//! name each rule once, and name only categories of the built-in taxonomy. `eval --rules` and
//! `rules suggest --rules` create the categories a file names that the taxonomy lacks; with
//! `--new-categories` the check accepts them too and lists them. Every error names the line and
//! column (exit status 2).

use std::collections::HashMap;
use std::path::Path;

use xspense::error::Position;
use xspense::rules::{parse_rules_with_spans, Rule, RuleSpan};
use xspense::Engine;

use crate::stdio::Stdout;
use crate::CliResult;

/// What `xspense rules check` was asked to do.
pub struct Options<'a> {
    pub file: &'a Path,
    /// Accept categories the built-in taxonomy lacks (as `eval --rules` creates them).
    pub new_categories: bool,
}

/// The tenant the rules are loaded into to check them.
const CHECK_TENANT: &str = "check";

/// Id prefix of unnamed rules while parsing (their ids are not shown).
const UNNAMED_PREFIX: &str = "line";

pub fn run(o: &Options<'_>) -> CliResult<()> {
    let name = o.file.display();
    let text = read_text(o.file)?;
    let rules =
        parse_rules_with_spans(&text, UNNAMED_PREFIX).map_err(|e| format!("{name}: {e}"))?;
    check_unique(&rules).map_err(|e| format!("{name}: {e}"))?;
    let mut engine = Engine::new();
    let created = check_categories(&mut engine, &rules, o.new_categories)
        .map_err(|e| format!("{name}: {e}"))?;
    // What is left (a regular expression too large to compile, ...) is found by loading.
    engine
        .add_rules(CHECK_TENANT, &text)
        .map_err(|e| format!("{name}: {e}"))?;
    let mut out = Stdout::lock();
    write!(out, "{name}: {} rule(s) OK", rules.len())?;
    if !created.is_empty() {
        write!(
            out,
            "; categories the built-in taxonomy lacks, which eval and rules suggest create: {}",
            created.join(", ")
        )?;
    }
    writeln!(out)
}

/// Reads a rule file as UTF-8; text that is not names the line and column of the first bad
/// byte.
pub fn read_text(path: &Path) -> CliResult<String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        format!("{}: {}", path.display(), not_utf8(e.as_bytes(), at)).into()
    })
}

/// The message for bytes that are valid UTF-8 up to `at` only.
fn not_utf8(bytes: &[u8], at: usize) -> String {
    let before = &bytes[..at];
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let position = Position {
        line: 1 + before.iter().filter(|&&b| b == b'\n').count(),
        // `before` is valid UTF-8, so this counts its characters
        column: 1 + String::from_utf8_lossy(&before[line_start..])
            .chars()
            .count(),
    };
    format!(
        "{position}: not valid UTF-8 (byte 0x{:02X} at offset {at}); save the file as UTF-8",
        bytes[at]
    )
}

/// The id the engine gives a rule: its name, or (unnamed) one derived from its text, so two
/// unnamed rules with the same text clash as two rules with the same name do.
fn identity(rule: &Rule, span: &RuleSpan) -> (bool, String) {
    if span.name.is_some() {
        return (true, rule.id.clone());
    }
    let mut anonymous = rule.clone();
    anonymous.id = String::new();
    (false, anonymous.to_string())
}

/// Refuses a rule whose id another rule already has, naming both lines.
fn check_unique(rules: &[(Rule, RuleSpan)]) -> Result<(), String> {
    let mut first_line: HashMap<(bool, String), usize> = HashMap::new();
    for (rule, span) in rules {
        let key = identity(rule, span);
        if let Some(first) = first_line.get(&key) {
            return Err(match span.name {
                Some(at) => format!(
                    "{at}: rule name {:?} is already used at line {first}",
                    rule.id
                ),
                None => format!(
                    "{}: the same rule as line {first} (an unnamed rule's id comes from its \
                     text, so the two would clash; remove one or name them)",
                    span.start
                ),
            });
        }
        first_line.insert(key, span.start.line);
    }
    Ok(())
}

/// Refuses a category the built-in taxonomy lacks, naming its line and column, or with
/// `create` adds it (as `eval --rules` does) and returns the ones added.
fn check_categories(
    engine: &mut Engine,
    rules: &[(Rule, RuleSpan)],
    create: bool,
) -> Result<Vec<String>, String> {
    let mut created = Vec::new();
    for (rule, span) in rules {
        let Some(category) = rule.then.category.as_deref() else {
            continue;
        };
        if engine.has_category(CHECK_TENANT, category) {
            continue;
        }
        let at = span.category.unwrap_or(span.start);
        if !create {
            return Err(format!(
                "{at}: unknown category {category:?}: the built-in taxonomy has no such \
                 category, so `categorize --rules` refuses it (`eval --rules` and `rules suggest \
                 --rules` create it; check such a file with --new-categories)"
            ));
        }
        engine
            .add_category(CHECK_TENANT, category, category, None)
            .map_err(|e| format!("{at}: category {category:?}: {e}"))?;
        created.push(category.to_string());
    }
    Ok(created)
}
