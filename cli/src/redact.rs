//! `xspense redact`: stream a file (or standard input) line by line through the redactor.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::Path;

use xspense::redact::{Operator, Redactor, TokenVault};

use crate::pending_file::PendingFile;
use crate::stdio::{note, write_error};
use crate::CliResult;

/// Environment variable holding the key of `--mode hash` (never a command-line argument, which
/// other users of the machine can read).
pub const KEY_VAR: &str = "XSPENSE_REDACT_KEY";

/// Options of the redact command.
pub struct Options<'a> {
    pub input: Option<&'a Path>,
    pub out: Option<&'a Path>,
    pub mode: Operator,
    pub json: bool,
    pub min_confidence: f64,
    pub report: bool,
}

pub fn run(o: &Options<'_>) -> CliResult<()> {
    let mut b = Redactor::builder()
        .operator(o.mode)
        .min_confidence(o.min_confidence);
    if o.mode == Operator::Hash {
        let key = std::env::var(KEY_VAR).map_err(|_| {
            format!("--mode hash needs a secret key in the {KEY_VAR} environment variable")
        })?;
        b = b.hash_key(key);
    }
    let redactor = b.build().map_err(|e| e.to_string())?;
    let reader: Box<dyn BufRead> = match o.input {
        None => Box::new(BufReader::new(io::stdin().lock())),
        Some(p) if p.as_os_str() == "-" => Box::new(BufReader::new(io::stdin().lock())),
        Some(p) => Box::new(BufReader::new(
            File::open(p).map_err(|e| format!("cannot read {}: {e}", p.display()))?,
        )),
    };
    let name = o
        .input
        .filter(|p| p.as_os_str() != "-")
        .map_or_else(|| "<stdin>".to_string(), |p| p.display().to_string());
    // With --out the result goes to a temporary file renamed into place at the end, so a
    // failure half-way leaves no half-written output (and no temporary file).
    let mut pending = o.out.map(PendingFile::create).transpose()?;
    let sink: Box<dyn Write + '_> = match &mut pending {
        Some(p) => Box::new(p.writer()),
        None => Box::new(io::stdout().lock()),
    };
    let counts = stream(&redactor, reader, BufWriter::new(sink), &name, o)?;
    if let Some(p) = pending {
        p.commit()?;
    }
    report(&counts, o.report);
    Ok(())
}

fn report(counts: &BTreeMap<String, usize>, on: bool) {
    if !on {
        return;
    }
    let total: usize = counts.values().sum();
    note!("redacted {total} finding(s)");
    for (k, n) in counts {
        note!("  {k:<20} {n}");
    }
}

fn stream(
    r: &Redactor,
    mut reader: Box<dyn BufRead>,
    mut out: BufWriter<Box<dyn Write + '_>>,
    name: &str,
    o: &Options<'_>,
) -> CliResult<BTreeMap<String, usize>> {
    let mut vault = TokenVault::new();
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    loop {
        buf.clear();
        let n = reader
            .read_until(b'\n', &mut buf)
            .map_err(|e| format!("{name}: read failed: {e}"))?;
        if n == 0 {
            break;
        }
        line_no += 1;
        let line = std::str::from_utf8(&buf).map_err(|e| {
            format!(
                "{name}: line {line_no} is not UTF-8 (byte {})",
                e.valid_up_to()
            )
        })?;
        let (body, newline) = match line.strip_suffix('\n') {
            Some(b) => match b.strip_suffix('\r') {
                Some(b2) => (b2, "\r\n"),
                None => (b, "\n"),
            },
            None => (line, ""),
        };
        let text = if o.json {
            if body.trim().is_empty() {
                String::new()
            } else {
                let v: serde_json::Value = serde_json::from_str(body)
                    .map_err(|e| format!("{name}: line {line_no} is not JSON: {e}"))?;
                let red = r.redact_json_with(&v, &mut vault);
                for f in &red.findings {
                    *counts.entry(f.finding.kind.to_string()).or_default() += 1;
                }
                serde_json::to_string(&red.value).map_err(|e| e.to_string())?
            }
        } else {
            let red = r.redact_with(body, &mut vault);
            for f in &red.findings {
                *counts.entry(f.kind.to_string()).or_default() += 1;
            }
            red.text
        };
        out.write_all(text.as_bytes())
            .and_then(|_| out.write_all(newline.as_bytes()))
            .map_err(|e| write_error("write failed", &e))?;
    }
    out.flush().map_err(|e| write_error("write failed", &e))?;
    Ok(counts)
}
