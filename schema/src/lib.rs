//! The one schema of xspense's records, and the declarations generated from it.
//!
//! The core's serde types are the source: with its feature `schema` they implement
//! `schemars::JsonSchema`. [`roots::schema`] collects every record the bindings exchange into
//! one JSON Schema; [`typescript`] and [`python`] turn that schema into the TypeScript
//! declarations both JavaScript packages include and the `TypedDict`s of the Python package;
//! [`errors_doc`] writes the one list of error codes.
//! [`outputs`] lists the generated files; `xspense-schema write` writes them and
//! `xspense-schema check` (also run as a test) fails when a committed file differs.

pub mod errors_doc;
pub mod python;
pub mod roots;
pub mod typescript;

use std::path::{Path, PathBuf};

pub use roots::schema;

/// One generated file: its path from the repository root and its content.
pub struct Output {
    /// Path relative to the repository root.
    pub path: &'static str,
    /// The generated text.
    pub text: String,
}

/// Every generated file.
pub fn outputs() -> Vec<Output> {
    let schema = schema();
    vec![
        Output {
            path: "schema/records.schema.json",
            text: format!(
                "{}\n",
                serde_json::to_string_pretty(&schema).expect("a JSON value serializes")
            ),
        },
        Output {
            path: "schema/records.d.ts",
            text: typescript::declarations(&schema),
        },
        Output {
            path: "bindings-py/python/xspense/records.py",
            text: python::typed_dicts(&schema),
        },
        Output {
            path: "docs/errors.md",
            text: errors_doc::page(&schema),
        },
    ]
}

/// The repository root (the parent of this crate's folder).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the schema crate sits in the repository root")
        .to_path_buf()
}

/// The generated files whose committed copy differs (or is missing).
pub fn stale(root: &Path) -> Vec<&'static str> {
    outputs()
        .into_iter()
        .filter(|o| std::fs::read_to_string(root.join(o.path)).ok().as_deref() != Some(&o.text))
        .map(|o| o.path)
        .collect()
}

/// A definition name from a `$ref` (`#/$defs/Name` -> `Name`).
pub(crate) fn ref_name(reference: &str) -> &str {
    reference.rsplit('/').next().unwrap_or(reference)
}

/// A doc comment as plain text for another language: Rust code examples are dropped and
/// intra-doc links (`` [`Engine::resolve`] ``) become code spans.
pub(crate) fn doc_text(doc: &str) -> String {
    let mut out = Vec::new();
    let mut in_code = false;
    for line in doc.lines() {
        if line.trim_start().starts_with("```") {
            in_code = !in_code;
            continue;
        }
        if !in_code {
            out.push(unlink(line));
        }
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    out.join("\n")
}

/// `` [`a`](b) `` and `` [`a`] `` become `` `a` ``.
fn unlink(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find("[`") {
        let Some(end) = rest[start..].find("`]").map(|e| start + e) else {
            break;
        };
        out.push_str(&rest[..start]);
        out.push('`');
        out.push_str(&rest[start + 2..end]);
        out.push('`');
        rest = &rest[end + 2..];
        if rest.starts_with('(') {
            if let Some(close) = rest.find(')') {
                rest = &rest[close + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}
