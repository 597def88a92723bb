//! Plain data types: money, transactions, categories and categorization results.

mod categorization;
mod input;
mod money;
mod taxonomy;
mod taxonomy_default;
mod transaction;

pub use categorization::{Band, Categorization, Source, TraceStep};
pub use input::{
    history_from_inputs, history_from_json, transactions_from_inputs, transactions_from_json,
    AmountInput, LabelledInput, TransactionInput,
};
pub use money::{Currency, Money};
pub use taxonomy::{Category, Taxonomy, UNCATEGORIZED};
pub use transaction::{Direction, Transaction};

pub(crate) use taxonomy::validate_category_id;
pub(crate) use transaction::check_id as transaction_check_id;
