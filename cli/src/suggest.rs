//! `xspense rules suggest`: mine rules from a labelled export, each with its backtest.

use std::path::Path;

use xspense::rules::{Labelled, MiningOptions, RuleSuggestion};
use xspense::{Engine, EngineConfig};

use crate::input::{read_labelled, InputArgs};
use crate::stdio::Stdout;
use crate::{load_rules_with_labels, CliResult};

/// What to mine from and how strict to be.
pub struct Options<'a> {
    pub file: &'a Path,
    pub label: &'a str,
    pub rules: Option<&'a Path>,
    pub json: bool,
    pub mining: MiningOptions,
    pub input: &'a InputArgs,
}

/// A tenant of a fresh engine, whose categories are the built-in taxonomy.
const BUILTIN_CHECK_TENANT: &str = "builtin";

/// Prints the suggestions as a rule file (each rule after a comment with its figures), or as a
/// JSON array with `--json`.
pub fn run(o: &Options<'_>) -> CliResult<()> {
    o.mining.validate().map_err(|e| e.to_string())?;
    let rows = read_labelled(o.file, o.input, o.label)?;
    let mut engine = Engine::with_config(EngineConfig {
        llm_fallback: false,
        ..Default::default()
    })
    .map_err(|e| e.to_string())?;
    load_rules_with_labels(&mut engine, &o.input.tenant, o.rules)?;
    let mut history = Vec::with_capacity(rows.len());
    for row in rows {
        let label = row.label;
        if !engine.has_category(&o.input.tenant, &label) {
            engine
                .add_category(&o.input.tenant, &label, &label, None)
                .map_err(|e| format!("label {label:?}: {e}"))?;
        }
        history.push(Labelled {
            transaction: row.tx,
            category: label,
        });
    }
    let suggestions = engine
        .suggest_rules(&o.input.tenant, &history, &o.mining)
        .map_err(|e| e.to_string())?;
    let mut out = Stdout::lock();
    if o.json {
        let text = serde_json::to_string_pretty(&suggestions).map_err(|e| e.to_string())?;
        return writeln!(out, "{text}");
    }
    writeln!(
        out,
        "# {} suggestion(s) mined from {} labelled row(s) of {}",
        suggestions.len(),
        history.len(),
        o.file.display()
    )?;
    writeln!(out, "# Review each one; {}.", how_it_loads(&suggestions))?;
    for s in &suggestions {
        writeln!(out)?;
        writeln!(
            out,
            "# support {}, precision {:.2}, coverage {:.2} of {}, saves {} row(s), {} merchant(s), {} conflict(s){}",
            s.support,
            s.precision,
            s.coverage,
            s.category,
            s.new_rows,
            s.merchants,
            s.conflicts,
            if s.conflicting_rules.is_empty() {
                String::new()
            } else {
                format!("; rules that take precedence: {}", s.conflicting_rules.join(", "))
            }
        )?;
        for c in &s.conflict_examples {
            writeln!(
                out,
                "#   conflicts with {:?} ({})",
                c.descriptor, c.category
            )?;
        }
        writeln!(out, "{}", s.text)?;
    }
    Ok(())
}

/// Which commands load the printed file: `categorize --rules` only takes categories of the
/// built-in taxonomy, `eval --rules` and `rules suggest --rules` create the others.
fn how_it_loads(suggestions: &[RuleSuggestion]) -> &'static str {
    let builtin = Engine::new();
    if suggestions
        .iter()
        .all(|s| builtin.has_category(BUILTIN_CHECK_TENANT, &s.category))
    {
        "this file loads with `xspense categorize --rules FILE`"
    } else {
        "its categories are not all in the built-in taxonomy: `xspense eval --rules FILE` creates \
         them, `categorize --rules` refuses them (`xspense rules check --new-categories FILE` \
         checks it)"
    }
}
