//! `xspense inspect`: what the reader detected in an export, without categorizing.

use std::path::Path;

use serde::Serialize;
use xspense::statement::{ColumnReport, Decided, Report, StatementReader};

use crate::input::{in_file, read_bytes, HintArgs};
use crate::stdio::Stdout;
use crate::CliResult;

/// The name a value has in JSON (`signed_column`, `camt.053`, `,`).
fn name<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        Ok(other) => other.to_string(),
        Err(_) => "?".to_string(),
    }
}

/// `value (by what: detail)`.
fn decided<T: Serialize>(d: &Decided<T>) -> String {
    format!("{} (by {}: {})", name(&d.value), name(&d.by), d.detail)
}

/// The detection in one line, for `categorize`'s standard error.
pub fn one_line(r: &Report) -> String {
    let mut parts = vec![name(&r.format), format!("encoding {}", r.encoding.value)];
    if let Some(row) = r.header_row {
        parts.push(format!("header row {row}"));
    }
    if let Some(order) = &r.date_order {
        parts.push(format!(
            "dates {} ({})",
            name(&order.value),
            name(&order.by)
        ));
    }
    if let Some(mark) = &r.decimal {
        parts.push(format!(
            "decimal {:?} ({})",
            name(&mark.value),
            name(&mark.by)
        ));
    }
    parts.push(format!("sign {}", name(&r.sign.value)));
    parts.push(format!(
        "currency {} ({})",
        r.currency.value.as_str(),
        name(&r.currency.by)
    ));
    parts.push(format!(
        "{} transactions, {} rows skipped",
        r.transactions,
        r.skipped.len()
    ));
    parts.join(", ")
}

/// A column's header as printed: quoted, or `(no header)`.
fn header_text(c: &ColumnReport) -> String {
    c.name
        .as_deref()
        .map(|n| format!("{n:?}"))
        .unwrap_or_else(|| "(no header)".into())
}

/// One line per column, the roles aligned after the longest header (`width` characters).
fn column_line(c: &ColumnReport, width: usize) -> String {
    let header = header_text(c);
    let role = c.role.map(|r| r.as_str()).unwrap_or("not read");
    let mut line = format!("  {:>3}  {header:<width$} {role}", c.index);
    if let Some(order) = c.date_order {
        line.push_str(&format!(", dates {}", order.as_str()));
    }
    if let Some(mark) = c.decimal {
        line.push_str(&format!(", decimal {:?}", mark.as_char()));
    }
    if let Some(currency) = c.currency {
        line.push_str(&format!(", currency {}", currency.as_str()));
    }
    line
}

/// The report as text for people.
pub fn text(r: &Report) -> String {
    let mut lines = vec![
        format!("format       {}", name(&r.format)),
        format!("encoding     {}", decided(&r.encoding)),
    ];
    if let Some(d) = &r.delimiter {
        lines.push(format!("delimiter    {d:?}"));
    }
    if r.format == xspense::statement::Format::Csv {
        lines.push(match r.header_row {
            Some(row) => format!("header row   {row}"),
            None => "header row   none".to_string(),
        });
    }
    if let Some(layout) = &r.layout {
        lines.push(format!("layout       {layout}"));
    }
    if let Some(language) = &r.language {
        lines.push(format!("language     {language}"));
    }
    if !r.columns.is_empty() {
        lines.push("columns".to_string());
        let width = r
            .columns
            .iter()
            .map(|c| header_text(c).chars().count())
            .max()
            .unwrap_or(0);
        lines.extend(r.columns.iter().map(|c| column_line(c, width)));
    }
    let or_none = |d: Option<String>| d.unwrap_or_else(|| "not needed".to_string());
    lines.push(format!(
        "numbers      {}",
        or_none(
            r.decimal
                .as_ref()
                .map(|d| format!("decimal mark {}", decided(d)))
        )
    ));
    lines.push(format!(
        "date order   {}",
        or_none(r.date_order.as_ref().map(decided))
    ));
    lines.push(format!("sign         {}", decided(&r.sign)));
    lines.push(format!("currency     {}", decided(&r.currency)));
    lines.push(format!("transactions {}", r.transactions));
    lines.push(format!("skipped      {}", r.skipped.len()));
    lines.extend(
        r.skipped
            .iter()
            .map(|s| format!("  row {}: {}", s.row, name(&s.reason))),
    );
    lines.extend(r.warnings.iter().map(|w| format!("warning: {w}")));
    lines.join("\n")
}

/// Reads every row of `file` (keeping none) and prints the report.
pub fn run(file: &Path, hints: &HintArgs, json: bool) -> CliResult<()> {
    let bytes = read_bytes(file)?;
    let hints = hints.hints()?;
    let mut reader = StatementReader::new(&bytes, &hints).map_err(|e| in_file(file, e))?;
    for st in &mut reader {
        st.map_err(|e| in_file(file, e))?;
    }
    let report = reader.into_report();
    let text = if json {
        serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
    } else {
        text(&report)
    };
    let mut out = Stdout::lock();
    writeln!(out, "{text}")?;
    out.flush()
}
