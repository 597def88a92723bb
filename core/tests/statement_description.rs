//! Every transaction gets a description: from a payee column named in one word, or, when no
//! header names a text column, from the column whose values are text (with a warning).

use xspense::statement::{read_statement, ColumnRole, Hints};

#[test]
fn a_payee_column_named_in_one_word_is_the_description() {
    let cases = [
        "Datum;Empfänger;Betrag (EUR)\n15.01.2024;REWE Markt GmbH;-12,50\n16.01.2024;Stadtwerke Kiel;-80,00\n",
        "Date;Destinataire;Montant\n15/01/2024;CARREFOUR CITY;-12,50\n16/01/2024;SNCF;-80,00\n",
        "Datum;Ontvanger;Bedrag\n15-01-2024;Albert Heijn 1234;-12,50\n16-01-2024;NS Groep;-80,00\n",
    ];
    for csv in cases {
        let statement = read_statement(csv.as_bytes(), &Hints::default()).unwrap();
        assert_eq!(
            statement.report.columns[1].role,
            Some(ColumnRole::Counterparty),
            "{csv}"
        );
        let first = &statement.transactions[0];
        assert!(!first.description.is_empty(), "{csv}");
        assert!(
            statement.report.warnings.is_empty(),
            "{csv}: {:?}",
            statement.report.warnings
        );
    }
}

#[test]
fn without_a_named_text_column_the_text_values_are_the_description_and_a_warning_says_so() {
    let csv = "Datum;Wer;Ref;Betrag\n15.01.2024;REWE Markt GmbH;12;-12,50\n16.01.2024;Stadtwerke Kiel;13;-80,00\n";
    let statement = read_statement(csv.as_bytes(), &Hints::default()).unwrap();
    let descriptions: Vec<&str> = statement
        .transactions
        .iter()
        .map(|t| t.description.as_str())
        .collect();
    assert_eq!(descriptions, ["REWE Markt GmbH", "Stadtwerke Kiel"]);
    assert_eq!(
        statement.report.columns[1].role,
        Some(ColumnRole::Description)
    );
    assert!(
        statement
            .report
            .warnings
            .iter()
            .any(|w| w.contains("\"Wer\"") && w.contains("--columns description=")),
        "{:?}",
        statement.report.warnings
    );
}
