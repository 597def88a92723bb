//! `xspense rules suggest`: mine rules from a labelled export, each with its backtest.

use std::path::Path;

use xspense::rules::{Labelled, MiningOptions};
use xspense::{Engine, EngineConfig};

use crate::{load_rules_with_labels, read_input, CliResult, InputArgs};

/// What to mine from and how strict to be.
pub struct Options<'a> {
    pub file: &'a Path,
    pub label: &'a str,
    pub rules: Option<&'a Path>,
    pub json: bool,
    pub mining: MiningOptions,
    pub input: &'a InputArgs,
}

/// Prints the suggestions as a rule file (each rule after a comment with its figures), or as a
/// JSON array with `--json`.
pub fn run(o: &Options<'_>) -> CliResult<()> {
    o.mining.validate().map_err(|e| e.to_string())?;
    let data = read_input(o.file, o.input, Some(o.label))?;
    let mut engine = Engine::with_config(EngineConfig {
        llm_fallback: false,
        ..Default::default()
    })
    .map_err(|e| e.to_string())?;
    load_rules_with_labels(&mut engine, &o.input.tenant, o.rules)?;
    let mut history = Vec::with_capacity(data.rows.len());
    for row in &data.rows {
        let label = row.label.clone().ok_or("internal: row without label")?;
        if !engine.has_category(&o.input.tenant, &label) {
            engine
                .add_category(&o.input.tenant, &label, &label, None)
                .map_err(|e| format!("label {label:?}: {e}"))?;
        }
        history.push(Labelled {
            transaction: row.tx.clone(),
            category: label,
        });
    }
    let suggestions = engine
        .suggest_rules(&o.input.tenant, &history, &o.mining)
        .map_err(|e| e.to_string())?;
    if o.json {
        let text = serde_json::to_string_pretty(&suggestions).map_err(|e| e.to_string())?;
        println!("{text}");
        return Ok(());
    }
    println!(
        "# {} suggestion(s) mined from {} labelled row(s) of {}",
        suggestions.len(),
        history.len(),
        o.file.display()
    );
    println!("# Review each one; this file loads with `xspense categorize --rules FILE`.");
    for s in &suggestions {
        println!();
        println!(
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
        );
        for c in &s.conflict_examples {
            println!("#   conflicts with {:?} ({})", c.descriptor, c.category);
        }
        println!("{}", s.text);
    }
    Ok(())
}
