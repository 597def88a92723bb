//! A CSV export's merchant category code column reaches the engine's transaction.

use xspense::statement::{read_statement, ColumnRole, Hints};

#[test]
fn an_mcc_column_is_read_and_carried_to_the_transaction() {
    let csv = "Date,Description,Amount,MCC\n01/31/2024,WHOLEFDS MKT 10234,-54.10,5411\n02/01/2024,REFUND,12.00,\n";
    let statement = read_statement(csv.as_bytes(), &Hints::default()).unwrap();
    assert_eq!(statement.report.columns[3].role, Some(ColumnRole::Mcc));
    assert_eq!(statement.transactions[0].mcc, Some(5411));
    assert_eq!(statement.transactions[1].mcc, None);
    let tx = statement.transactions[0]
        .to_transaction("default", "row-2")
        .unwrap();
    assert_eq!(tx.mcc, Some(5411));
}

#[test]
fn a_cell_that_is_no_merchant_category_code_names_row_and_column() {
    for bad in ["54111", "54a1", "-541"] {
        let csv = format!(
            "Date,Description,Amount,MCC\n01/31/2024,A,-1.00,5411\n02/01/2024,B,-2.00,{bad}\n"
        );
        let err = read_statement(csv.as_bytes(), &Hints::default()).unwrap_err();
        let message = err.to_string();
        assert!(
            message.contains("row 3, column \"MCC\"") && message.contains("merchant category code"),
            "{bad}: {message}"
        );
    }
}
