//! Generates a 500,000-row bank export and reads it through the streaming statement reader,
//! printing the time and the peak memory the reading added.
//!
//! ```sh
//! cargo run --release -p xspense-benches --bin statement_stream -- generate 500000 /tmp/export.csv
//! cargo run --release -p xspense-benches --bin statement_stream -- read /tmp/export.csv
//! ```
//!
//! The export is a German-style `;` file (Windows-1252 bytes, decimal commas, `dd.mm.yyyy`
//! dates, a preamble, payee and purpose columns, a closing balance line), so every per-column
//! decision and the legacy decoding run. Peak memory is the process's high-water mark
//! (`VmHWM`), read before and after: the difference is what reading added on top of the
//! export's own bytes.

use std::time::Instant;

use xspense::statement::{Hints, StatementReader};
use xspense_benches::Lcg;

const PAYEES: &[&str] = &[
    "REWE Markt GmbH",
    "Stadtwerke München GmbH",
    "Bäckerei Müller",
    "Deutsche Bahn AG",
    "Spotify AB",
    "Hausverwaltung Weber & Co. KG",
    "ARAL Station 2301",
    "Amazon EU S.à r.l.",
];
const PURPOSES: &[&str] = &[
    "Kartenzahlung girocard",
    "Abschlag Strom Vertragskonto 2004711235",
    "Miete Wohnung 7",
    "Lohn/Gehalt PersNr 4711",
    "P1A2B3C4D5 Spotify Premium",
    "Fahrkarte ICE Berlin-München",
];

/// `n` cents written `1.234,56` with its sign.
fn german(cents: i64) -> String {
    let (sign, v) = if cents < 0 {
        ("-", -cents)
    } else {
        ("", cents)
    };
    let whole = (v / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push('.');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{:02}", v % 100)
}

/// The export, in Windows-1252.
fn export(rows: usize) -> Vec<u8> {
    let mut rng = Lcg(7);
    let mut text = String::with_capacity(rows * 120);
    text.push_str("Umsätze Girokonto;Zeitraum: 01.01.2024 - 31.12.2024\r\n\r\n");
    text.push_str("Buchungstag;Wert;Umsatzart;Begünstigter / Auftraggeber;Verwendungszweck;IBAN;Betrag;Währung\r\n");
    let start = chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap();
    for i in 0..rows {
        let date = (start + chrono::Duration::days((i / 200) as i64)).format("%d.%m.%Y");
        let cents = rng.below(250_000) as i64 - 200_000;
        let payee = PAYEES[rng.below(PAYEES.len() as u64) as usize];
        let purpose = PURPOSES[rng.below(PURPOSES.len() as u64) as usize];
        text.push_str(&format!(
            "{date};{date};Lastschrift;{payee};{purpose} {i};DE41701500000000123456;{};EUR\r\n",
            german(cents)
        ));
    }
    text.push_str("Kontostand;31.12.2024;;;;;1.234,56;EUR\r\n");
    let (bytes, _, _) = encoding_rs_free::encode(&text);
    bytes
}

mod encoding_rs_free {
    //! Windows-1252 for the few non-ASCII letters the generator writes.
    pub fn encode(text: &str) -> (Vec<u8>, (), ()) {
        let bytes = text
            .chars()
            .map(|c| match c {
                'ä' => 0xE4,
                'ü' => 0xFC,
                'à' => 0xE0,
                c if c.is_ascii() => c as u8,
                _ => b'?',
            })
            .collect();
        (bytes, (), ())
    }
}

/// The process's peak resident memory in KiB (Linux), 0 elsewhere.
fn peak_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmHWM:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["generate", rows, out] => {
            let rows: usize = rows.parse().expect("a row count");
            std::fs::write(out, export(rows)).expect("write the export");
        }
        ["read", path] => read(&std::fs::read(path).expect("read the export")),
        _ => eprintln!("usage: statement_stream generate ROWS OUT.csv | read FILE"),
    }
}

fn read(bytes: &[u8]) {
    let before = peak_kib();
    let started = Instant::now();
    let mut reader = StatementReader::new(bytes, &Hints::default()).expect("detect");
    let detected = started.elapsed();
    let (mut count, mut total) = (0usize, 0i64);
    for tx in &mut reader {
        let tx = tx.expect("row");
        count += 1;
        total += tx.amount_minor;
    }
    let elapsed = started.elapsed();
    let after = peak_kib();
    let report = reader.report();
    println!(
        "export {:.1} MB ({})",
        bytes.len() as f64 / 1e6,
        report.encoding.value
    );
    println!(
        "transactions {count}, skipped {}, sum {total} minor units",
        report.skipped.len()
    );
    println!(
        "detection {:.2} s, total {:.2} s, {:.0} rows/s",
        detected.as_secs_f64(),
        elapsed.as_secs_f64(),
        count as f64 / elapsed.as_secs_f64()
    );
    let mib = |k: u64| k as f64 / 1024.0;
    println!("peak memory {:.0} MiB with the bytes loaded, {:.0} MiB after reading: reading added {:.0} MiB", mib(before), mib(after), mib(after - before));
}
