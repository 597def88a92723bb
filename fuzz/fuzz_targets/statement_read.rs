//! `read_statement` on arbitrary bytes, with and without hints: no panic; a statement read
//! whole equals the same statement read row by row, and its report counts its transactions.
#![no_main]

use libfuzzer_sys::fuzz_target;
use xspense::statement::{read_statement, DateOrder, DecimalMark, Hints, StatementReader};

fn hints(selector: u8) -> Hints {
    Hints {
        date_order: [None, Some(DateOrder::Dmy), Some(DateOrder::Mdy)][(selector % 3) as usize],
        decimal: [None, Some(DecimalMark::Comma)][(selector / 3 % 2) as usize],
        ..Hints::default()
    }
}

fuzz_target!(|data: &[u8]| {
    let (selector, bytes) = match data.split_first() {
        Some((s, rest)) => (*s, rest),
        None => (0, data),
    };
    let hints = hints(selector);
    let whole = read_statement(bytes, &hints);
    if let Ok(statement) = &whole {
        assert_eq!(statement.report.transactions, statement.transactions.len());
        assert!(statement.transactions.iter().all(|t| t.row >= 1));
        let streamed: Vec<_> = StatementReader::new(bytes, &hints)
            .expect("detection succeeded once")
            .collect::<Result<_, _>>()
            .expect("rows read once");
        assert_eq!(&streamed, &statement.transactions);
    }
});
