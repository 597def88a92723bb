//! Bank layouts recognised by their header (or, without one, by the shape of their columns):
//! what they leave unsaid (currency, date order, a card's sign convention, a column's role).

use super::vocabulary::Role;
use crate::statement::hints::DateOrder;

/// One recognised layout.
pub(crate) struct Layout {
    /// Who writes it.
    pub name: &'static str,
    /// Folded header cells that must all be present (empty for a header-less layout).
    pub header: &'static [&'static str],
    /// Column kinds of a header-less layout (see `columns::kinds`), else empty.
    pub shape: &'static str,
    /// Folded text the lines before the header must contain, if any.
    pub preamble: &'static str,
    /// The currency it is exported in.
    pub currency: Option<&'static str>,
    /// The order of its numeric dates.
    pub date_order: Option<DateOrder>,
    /// A card export printing purchases positive.
    pub card: bool,
    /// Roles that differ from the vocabulary: (folded header, role).
    pub roles: &'static [(&'static str, Role)],
}

const NONE: &[(&str, Role)] = &[];

macro_rules! layout {
    ($name:expr, header: $h:expr, currency: $c:expr, order: $o:expr) => {
        Layout {
            name: $name,
            header: $h,
            shape: "",
            preamble: "",
            currency: $c,
            date_order: $o,
            card: false,
            roles: NONE,
        }
    };
}

use DateOrder::*;

/// Every recognised layout.
pub(crate) const LAYOUTS: &[Layout] = &[
    Layout {
        name: "Wells Fargo",
        header: &[],
        shape: "DA*ET",
        preamble: "",
        currency: Some("USD"),
        date_order: Some(Mdy),
        card: false,
        roles: NONE,
    },
    Layout {
        name: "Commonwealth Bank",
        header: &[],
        shape: "DPTP",
        preamble: "",
        currency: Some("AUD"),
        date_order: Some(Dmy),
        card: false,
        roles: NONE,
    },
    layout!("Barclays", header: &["number", "date", "account", "amount", "subcategory", "memo"], currency: Some("GBP"), order: Some(Dmy)),
    layout!("UK bank (sort code)", header: &["sort code", "transaction date"], currency: Some("GBP"), order: Some(Dmy)),
    layout!("Westpac", header: &["bank account", "date", "narrative", "debit amount", "credit amount", "balance", "categories"], currency: Some("AUD"), order: Some(Dmy)),
    layout!("NAB", header: &["date", "amount", "account number", "transaction type", "transaction details", "balance", "merchant name", "processed on"], currency: Some("AUD"), order: Some(Dmy)),
    layout!("Capital One card", header: &["transaction date", "posted date", "card no", "description", "category", "debit", "credit"], currency: Some("USD"), order: Some(Mdy)),
    layout!("Chase checking", header: &["details", "posting date", "description", "amount", "type", "balance", "check or slip"], currency: Some("USD"), order: Some(Mdy)),
    layout!("Kiwibank", header: &["account number", "date", "memo description", "source code payment type", "op name", "amount"], currency: Some("NZD"), order: Some(Dmy)),
    layout!("ASB", header: &["date", "unique id", "tran type", "cheque number", "payee", "memo", "amount"], currency: Some("NZD"), order: None),
    layout!("Scotiabank", header: &["filter", "date", "description", "sub description", "status", "type of transaction", "amount", "balance"], currency: Some("CAD"), order: None),
    layout!("State Bank of India", header: &["txn date", "value date", "description", "ref no cheque no", "amount", "dr cr", "balance"], currency: Some("INR"), order: Some(Dmy)),
    layout!("HDFC Bank", header: &["date", "narration", "chq ref no", "value dt", "withdrawal amt", "deposit amt", "closing balance"], currency: Some("INR"), order: Some(Dmy)),
    layout!("Boursorama", header: &["dateop", "dateval", "label", "category", "amount"], currency: Some("EUR"), order: Some(Dmy)),
    Layout {
        name: "DBS card",
        header: &["transaction date", "posting date", "description", "amount"],
        shape: "",
        preamble: "card transaction details for",
        currency: Some("SGD"),
        date_order: Some(Dmy),
        card: false,
        roles: NONE,
    },
    Layout {
        name: "DBS/POSB",
        header: &[
            "transaction date",
            "reference",
            "debit amount",
            "credit amount",
            "transaction ref 1",
        ],
        shape: "",
        preamble: "",
        currency: Some("SGD"),
        date_order: Some(Dmy),
        card: false,
        roles: &[("reference", Role::Type)],
    },
    Layout {
        name: "American Express",
        header: &["date", "description", "card member", "amount", "reference"],
        shape: "",
        preamble: "",
        currency: Some("USD"),
        date_order: Some(Mdy),
        card: true,
        roles: &[("reference", Role::Id)],
    },
];

/// The first layout whose header cells are all in `header` (folded keys) and whose preamble
/// text, if it names one, is in `preamble` (folded).
pub(crate) fn by_header(header: &[String], preamble: &str) -> Option<&'static Layout> {
    LAYOUTS.iter().find(|l| {
        !l.header.is_empty()
            && l.header.iter().all(|h| header.iter().any(|k| k == h))
            && (l.preamble.is_empty() || preamble.contains(l.preamble))
    })
}

/// The header-less layout with these column kinds.
pub(crate) fn by_shape(kinds: &str) -> Option<&'static Layout> {
    LAYOUTS
        .iter()
        .find(|l| !l.shape.is_empty() && l.shape == kinds)
}
