//! Property tests of the statement reader: every supported amount style and date style reads
//! back exactly when the column's values decide it, and no input makes the reader panic.

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use xspense::statement::{read_statement, Hints};
use xspense::Currency;

/// The amount styles banks print, each writing `minor` cents (`negative` for money out).
const STYLES: &[&str] = &[
    "1,234.56",
    "1.234,56",
    "1 234,56 nbsp",
    "1 234,56 thin",
    "1 234,56 narrow",
    "1'234.56",
    "(12.50)",
    "12.50-",
    "-$12.50",
    "€5,00",
    "12.50 CR/DR",
    "+50.00",
    "12,50-",
];

fn grouped(whole: u64, sep: &str) -> String {
    let digits = whole.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push_str(sep);
        }
        out.push(c);
    }
    out
}

fn written(style: &str, minor: u64, negative: bool) -> String {
    let (whole, cents) = (minor / 100, minor % 100);
    let num = |group: &str, mark: char| format!("{}{mark}{cents:02}", grouped(whole, group));
    let minus = if negative { "-" } else { "" };
    match style {
        "1,234.56" => format!("{minus}{}", num(",", '.')),
        "1.234,56" => format!("{minus}{}", num(".", ',')),
        "1 234,56 nbsp" => format!("{minus}{}", num("\u{a0}", ',')),
        "1 234,56 thin" => format!("{minus}{}", num("\u{2009}", ',')),
        "1 234,56 narrow" => format!("{minus}{}", num("\u{202f}", ',')),
        "1'234.56" => format!("{minus}{}", num("'", '.')),
        "(12.50)" if negative => format!("({})", num(",", '.')),
        "(12.50)" => num(",", '.'),
        "12.50-" => format!("{}{minus}", num(",", '.')),
        "12,50-" => format!("{}{minus}", num(".", ',')),
        "-$12.50" => format!("{minus}${}", num(",", '.')),
        "€5,00" => format!("{minus}€{}", num(".", ',')),
        "12.50 CR/DR" => format!("{} {}", num(",", '.'), if negative { "DR" } else { "CR" }),
        "+50.00" => format!("{}{}", if negative { "-" } else { "+" }, num(",", '.')),
        _ => unreachable!("{style}"),
    }
}

fn csv(rows: &[(String, String)]) -> String {
    let mut out = String::from("Date;Description;Amount\n");
    for (i, (date, amount)) in rows.iter().enumerate() {
        out.push_str(&format!("{date};\"PAYEE {i}\";\"{amount}\"\n"));
    }
    out
}

fn euro() -> Hints {
    Hints {
        currency: Some(Currency::new("EUR").unwrap()),
        ..Hints::default()
    }
}

proptest! {
    #[test]
    fn every_amount_style_reads_back_exactly(
        style in proptest::sample::select(STYLES),
        amounts in proptest::collection::vec((0u64..100_000_000_000, any::<bool>()), 1..12),
    ) {
        let rows: Vec<(String, String)> = amounts
            .iter()
            .map(|(m, neg)| ("2024-01-15".to_string(), written(style, *m, *neg)))
            .collect();
        let text = csv(&rows);
        let got = read_statement(text.as_bytes(), &euro()).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        prop_assert_eq!(got.transactions.len(), amounts.len());
        for (t, (m, neg)) in got.transactions.iter().zip(&amounts) {
            let want = if *neg { -(*m as i64) } else { *m as i64 };
            prop_assert_eq!(t.amount_minor, want, "{} in style {}", written(style, *m, *neg), style);
        }
    }
}

/// Date styles: a chrono format and whether it names the order itself.
const DATE_STYLES: &[&str] = &[
    "%d/%m/%Y",
    "%m/%d/%Y",
    "%d.%m.%Y",
    "%d.%m.%y",
    "%m/%d/%y",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y%m%d",
    "%d %b %Y",
    "%b %d, %Y",
    "%d-%b-%Y",
    "%d %B %Y",
    "%Y.%m.%d.",
    "%d-%m-%Y",
    "%Y-%m-%dT%H:%M:%SZ",
    "%Y-%m-%d %H:%M:%S",
];

proptest! {
    #[test]
    fn every_date_style_reads_back_exactly(
        style in proptest::sample::select(DATE_STYLES),
        days in proptest::collection::vec(0i64..24_000, 1..12),
    ) {
        let base = NaiveDate::from_ymd_opt(2001, 1, 1).unwrap();
        // the 31st decides the order of a numeric column
        let mut dates = vec![NaiveDate::from_ymd_opt(2024, 1, 31).unwrap()];
        dates.extend(days.iter().map(|d| base + chrono::Duration::days(*d)));
        let rows: Vec<(String, String)> = dates
            .iter()
            .map(|d| (d.and_hms_opt(8, 30, 0).unwrap().format(style).to_string(), "-1,00".to_string()))
            .collect();
        let text = csv(&rows);
        let got = read_statement(text.as_bytes(), &euro()).map_err(|e| TestCaseError::fail(format!("{e}\n{text}")))?;
        for (t, d) in got.transactions.iter().zip(&dates) {
            prop_assert_eq!(t.date, *d, "{} in style {}", d.format(style), style);
            prop_assert!(t.date.year() >= 2000);
        }
    }

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
        let _ = read_statement(&bytes, &Hints::default());
    }

    #[test]
    fn random_delimited_text_never_panics(
        text in "[a-zA-Z0-9 ,;|\t\"'.:/()$€£+\\-\n\r]{0,600}",
    ) {
        let _ = read_statement(text.as_bytes(), &Hints::default());
        let with_header = format!("Date,Description,Amount\n{text}");
        let _ = read_statement(with_header.as_bytes(), &Hints::default());
    }
}
