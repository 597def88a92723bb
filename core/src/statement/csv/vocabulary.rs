//! Header vocabulary in the languages banks export in, matched after folding (case, accents,
//! punctuation; a currency in brackets taken off first), and the value vocabularies:
//! debit/credit indicators, pending markers, balance and summary lines.

/// What a column holds, as the reader uses it (finer than the public `ColumnRole`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Role {
    Date,
    BookingDate,
    ValueDate,
    /// A signed amount; the rank orders several (`Net` over `Amount` over `Gross`).
    Amount(Rank),
    Debit,
    Credit,
    Fee,
    Currency,
    Counterparty,
    Payer,
    Recipient,
    Description,
    Memo,
    /// Booking text: the narrative when the export has no counterparty or description
    /// column (Commerzbank, comdirect, CaixaBank), else only the type (Sparkasse, BBVA).
    BookingText,
    Type,
    Category,
    Status,
    Indicator,
    Id,
    Balance,
    /// The merchant category code.
    Mcc,
    /// Card member or card number: the export is a card's.
    CardHolder,
    /// PayPal's `Balance Impact` (`Memo` rows move no money).
    Impact,
    Ignore,
}

/// Which of several signed amount columns is the money that moved.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Rank {
    Gross,
    Plain,
    Net,
}

use Rank::*;
use Role::*;

/// Folded header text, its role, and the languages it belongs to (space separated).
pub(crate) const HEADERS: &[(&str, Role, &str)] = &[
    // merchant category code
    ("mcc", Mcc, "en"),
    ("merchant category code", Mcc, "en"),
    // transaction date (or the only date)
    ("date", Date, "en"),
    ("transaction date", Date, "en"),
    ("trans date", Date, "en"),
    ("txn date", Date, "en"),
    ("datetime", Date, "en"),
    ("time", Date, "en"),
    ("started date", Date, "en"),
    ("date operation", Date, "fr"),
    ("date de l operation", Date, "fr"),
    ("dateop", Date, "fr"),
    ("datum", Date, "de nl sv cs"),
    ("buchungstag", Date, "de"),
    ("buchung", Date, "de"),
    ("abschlussdatum", Date, "de"),
    ("transaktionsdatum", Date, "de"),
    ("fecha", Date, "es"),
    ("fecha operacion", Date, "es"),
    ("data", Date, "it pt"),
    ("data operazione", Date, "it"),
    ("data mov", Date, "pt"),
    ("data movimento", Date, "pt"),
    ("dato", Date, "da no"),
    ("transaktionsdag", Date, "sv"),
    ("data operacji", Date, "pl"),
    ("data transakcji", Date, "pl"),
    // booking or posting date
    ("posting date", BookingDate, "en"),
    ("posted date", BookingDate, "en"),
    ("post date", BookingDate, "en"),
    ("booking date", BookingDate, "en"),
    ("completed date", BookingDate, "en"),
    ("clearing date", BookingDate, "en"),
    ("processed on", BookingDate, "en"),
    ("settled date", BookingDate, "en"),
    ("buchungsdatum", BookingDate, "de"),
    ("data registrazione", BookingDate, "it"),
    ("data contabile", BookingDate, "it"),
    ("data lancamento", BookingDate, "pt"),
    ("bokforingsdag", BookingDate, "sv"),
    ("bokforingsdatum", BookingDate, "sv"),
    ("data ksiegowania", BookingDate, "pl"),
    ("konyveles datuma", BookingDate, "hu"),
    ("boekdatum", BookingDate, "nl"),
    ("date de comptabilisation", BookingDate, "fr"),
    // value date
    ("value date", ValueDate, "en"),
    ("value dt", ValueDate, "en"),
    ("valuta", ValueDate, "de"),
    ("valutadatum", ValueDate, "de"),
    ("wertstellung", ValueDate, "de"),
    ("wertstellungsdatum", ValueDate, "de"),
    ("wertstellung valuta", ValueDate, "de"),
    ("wert", ValueDate, "de"),
    ("valutadag", ValueDate, "sv"),
    ("f valor", ValueDate, "es"),
    ("fecha valor", ValueDate, "es"),
    ("data valuta", ValueDate, "it"),
    ("data valor", ValueDate, "pt"),
    ("rentedato", ValueDate, "da no"),
    ("rentedatum", ValueDate, "nl"),
    ("date de valeur", ValueDate, "fr"),
    ("date valeur", ValueDate, "fr"),
    ("dateval", ValueDate, "fr"),
    ("data waluty", ValueDate, "pl"),
    ("erteknap", ValueDate, "hu"),
    ("interest date", ValueDate, "en"),
    ("valutadatum", ValueDate, "de"),
    // signed amounts
    ("amount", Amount(Plain), "en"),
    ("transaction amount", Amount(Plain), "en"),
    ("amount total", Amount(Plain), "en"),
    ("net amount", Amount(Net), "en"),
    ("net", Amount(Net), "en"),
    ("total", Amount(Net), "en"),
    ("gross", Amount(Gross), "en"),
    ("betrag", Amount(Plain), "de"),
    ("umsatz", Amount(Plain), "de"),
    ("bedrag", Amount(Plain), "nl"),
    ("montant", Amount(Plain), "fr"),
    ("montant operation", Amount(Plain), "fr"),
    ("montant de l operation", Amount(Plain), "fr"),
    ("importe", Amount(Plain), "es"),
    ("importo", Amount(Plain), "it"),
    ("montante", Amount(Plain), "pt"),
    ("valor", Amount(Plain), "pt"),
    ("belob", Amount(Plain), "da"),
    ("belop", Amount(Plain), "no"),
    ("belopp", Amount(Plain), "sv"),
    ("kwota", Amount(Plain), "pl"),
    ("objem", Amount(Plain), "cs"),
    ("castka", Amount(Plain), "cs"),
    ("osszeg", Amount(Plain), "hu"),
    // money out, money in
    ("debit", Debit, "en fr"),
    ("debit amount", Debit, "en"),
    ("debits", Debit, "en"),
    ("withdrawal", Debit, "en"),
    ("withdrawals", Debit, "en"),
    ("withdrawal amount", Debit, "en"),
    ("withdrawal amt", Debit, "en"),
    ("paid out", Debit, "en"),
    ("money out", Debit, "en"),
    ("amount debit", Debit, "en"),
    ("soll", Debit, "de"),
    ("lastschrift", Debit, "de"),
    ("belastung", Debit, "de"),
    ("debito", Debit, "pt es it"),
    ("cargo", Debit, "es"),
    ("uscite", Debit, "it"),
    ("ut fra konto", Debit, "no"),
    ("ut", Debit, "no sv"),
    ("credit", Credit, "en fr"),
    ("credit amount", Credit, "en"),
    ("credits", Credit, "en"),
    ("deposit", Credit, "en"),
    ("deposits", Credit, "en"),
    ("deposit amount", Credit, "en"),
    ("deposit amt", Credit, "en"),
    ("paid in", Credit, "en"),
    ("money in", Credit, "en"),
    ("amount credit", Credit, "en"),
    ("haben", Credit, "de"),
    ("gutschrift", Credit, "de"),
    ("credito", Credit, "pt es it"),
    ("abono", Credit, "es"),
    ("entrate", Credit, "it"),
    ("inn pa konto", Credit, "no"),
    ("inn", Credit, "no"),
    ("fee", Fee, "en"),
    ("fees", Fee, "en"),
    // currency of the row
    ("currency", Currency, "en"),
    ("currency code", Currency, "en"),
    ("wahrung", Currency, "de"),
    ("waehrung", Currency, "de"),
    ("munt", Currency, "nl"),
    ("devise", Currency, "fr"),
    ("divisa", Currency, "es"),
    ("valuta", Currency, "it sv"),
    ("moeda", Currency, "pt"),
    ("waluta", Currency, "pl"),
    ("mena", Currency, "cs"),
    ("devizanem", Currency, "hu"),
    // the other party
    ("payee", Counterparty, "en"),
    ("name", Counterparty, "en"),
    ("counter party", Counterparty, "en"),
    ("counterparty", Counterparty, "en"),
    ("merchant", Counterparty, "en"),
    ("merchant name", Counterparty, "en"),
    ("partner name", Counterparty, "en"),
    ("name of sender receiver", Counterparty, "en"),
    ("op name", Counterparty, "en"),
    ("beneficiary", Counterparty, "en"),
    ("begunstigter auftraggeber", Counterparty, "de"),
    ("auftraggeber begunstigter", Counterparty, "de"),
    ("beguenstigter zahlungspflichtiger", Counterparty, "de"),
    ("auftraggeber empfanger", Counterparty, "de"),
    ("empfanger zahlungspflichtiger", Counterparty, "de"),
    ("beschreibung 1", Counterparty, "de"),
    ("naam omschrijving", Counterparty, "nl"),
    ("naam tegenpartij", Counterparty, "nl"),
    ("tegenpartij", Counterparty, "nl"),
    ("beneficiario", Counterparty, "es it pt"),
    ("nazev protiuctu", Counterparty, "cs"),
    ("partner neve", Counterparty, "hu"),
    ("nadawca odbiorca", Counterparty, "pl"),
    ("empfanger", Counterparty, "de"),
    ("zahlungsempfanger", Counterparty, "de"),
    ("auftraggeber", Counterparty, "de"),
    ("beneficiaire", Counterparty, "fr"),
    ("destinataire", Counterparty, "fr"),
    ("ontvanger", Counterparty, "nl"),
    ("destinatario", Counterparty, "es it pt"),
    ("modtager", Counterparty, "da"),
    ("mottaker", Counterparty, "no"),
    ("mottagare", Counterparty, "sv"),
    ("kontrahent", Counterparty, "pl"),
    ("odbiorca", Counterparty, "pl"),
    ("prijemce", Counterparty, "cs"),
    ("protistrana", Counterparty, "cs"),
    ("kedvezmenyezett", Counterparty, "hu"),
    ("from", Payer, "en"),
    ("zahlungspflichtige r", Payer, "de"),
    ("to", Recipient, "en"),
    ("zahlungsempfanger in", Recipient, "de"),
    // the account holder's own name column in the VR layout
    ("auftraggeber zahlungsempfanger", Ignore, "de"),
    // narrative
    ("description", Description, "en"),
    ("transaction description", Description, "en"),
    ("narrative", Description, "en"),
    ("narration", Description, "en"),
    ("transaction details", Description, "en"),
    ("transaction remarks", Description, "en"),
    ("transaction ref", Description, "en"),
    ("memo description", Description, "en"),
    ("libelle", Description, "fr"),
    ("libelle operation", Description, "fr"),
    ("label", Description, "fr"),
    ("concepto", Description, "es"),
    ("operazione", Description, "it"),
    ("descrizione", Description, "it"),
    ("descricao", Description, "pt"),
    ("tekst", Description, "da no"),
    ("forklaring", Description, "da no"),
    ("beskrivning", Description, "sv"),
    ("text mottagare", Description, "sv"),
    ("avisierungstext", Description, "de"),
    ("opis transakcji", Description, "pl"),
    ("uzivatelska identifikace", Description, "cs"),
    // purpose, reference, memo
    ("memo", Memo, "en"),
    ("reference", Memo, "en"),
    ("payment reference", Memo, "en"),
    ("note", Memo, "en"),
    ("notes", Memo, "en"),
    ("extended details", Memo, "en"),
    ("original description", Memo, "en"),
    ("sub description", Memo, "en"),
    ("item title", Memo, "en"),
    ("verwendungszweck", Memo, "de"),
    ("vorgang verwendungszweck", Memo, "de"),
    ("beschreibung 3", Memo, "de"),
    ("mededelingen", Memo, "nl"),
    ("omschrijving", Memo, "nl"),
    ("detail de l ecriture", Memo, "fr"),
    ("observaciones", Memo, "es"),
    ("mas datos", Memo, "es"),
    ("dettagli", Memo, "it"),
    ("referens", Memo, "sv"),
    ("tytul", Memo, "pl"),
    ("zprava pro prijemce", Memo, "cs"),
    ("kozlemeny", Memo, "hu"),
    // booking text, type
    ("buchungstext", BookingText, "de"),
    ("movimiento", BookingText, "es"),
    ("type", Type, "en"),
    ("transaction type", Type, "en"),
    ("tran type", Type, "en"),
    ("type of transaction", Type, "en"),
    ("details", Type, "en"),
    ("subcategory", Type, "en"),
    ("source code payment type", Type, "en"),
    ("umsatzart", Type, "de"),
    ("vorgang", Type, "de"),
    ("umsatztyp", Type, "de"),
    ("beschreibung 2", Type, "de"),
    ("mutatiesoort", Type, "nl"),
    ("code", Type, "nl"),
    ("tipo", Type, "es it pt"),
    ("typ", Type, "pl cs"),
    ("typ transakcji", Type, "pl"),
    ("opis operacji", Type, "pl"),
    ("tipus", Type, "hu"),
    // bank category
    ("category", Category, "en"),
    ("spending category", Category, "en"),
    ("kategorie", Category, "de"),
    ("categorie", Category, "fr nl"),
    ("categorie operation", Category, "fr"),
    ("categoria", Category, "es it pt"),
    ("kategori", Category, "da no sv"),
    // status, indicator, id, balance
    ("status", Status, "en"),
    ("state", Status, "en"),
    ("info", Status, "de"),
    ("contabilizzazione", Status, "it"),
    ("af bij", Indicator, "nl"),
    ("dr cr", Indicator, "en"),
    ("cr dr", Indicator, "en"),
    ("debit credit", Indicator, "en"),
    ("credit debit", Indicator, "en"),
    ("soll haben", Indicator, "de"),
    ("s h", Indicator, "de"),
    ("transaction id", Id, "en"),
    ("id", Id, "en"),
    ("reference number", Id, "en"),
    ("unique id", Id, "en"),
    ("transaktions nr", Id, "de"),
    ("id pohybu", Id, "cs"),
    ("balance", Balance, "en"),
    ("running bal", Balance, "en"),
    ("running balance", Balance, "en"),
    ("closing balance", Balance, "en"),
    ("saldo", Balance, ""),
    ("kontostand", Balance, "de"),
    ("saldo na mutatie", Balance, "nl"),
    ("saldo na trn", Balance, "nl"),
    ("saldo po operacji", Balance, "pl"),
    ("saldo po transakcji", Balance, "pl"),
    ("disponible", Balance, "es"),
    ("solde", Balance, "fr"),
    ("saldo contabilistico", Balance, "pt"),
    ("saldo disponivel", Balance, "pt"),
    ("bokfort saldo", Balance, "sv"),
    ("beginning balance", Balance, "en"),
    ("ending balance", Balance, "en"),
    ("accountbalance", Balance, "fr"),
    // card exports
    ("card member", CardHolder, "en"),
    ("card no", CardHolder, "en"),
    ("card number", CardHolder, "en"),
    ("purchased by", CardHolder, "en"),
    ("cardholder", CardHolder, "en"),
    ("card holder", CardHolder, "en"),
    ("balance impact", Impact, "en"),
];

/// Pairs of indicator values (folded): money out, money in.
pub(crate) const INDICATORS: &[(&[&str], &[&str])] = &[
    (&["debit", "debito"], &["credit", "credito"]),
    (&["dr", "d"], &["cr", "c"]),
    (&["s"], &["h"]),
    (&["af"], &["bij"]),
    (&["ausgang"], &["eingang"]),
    (&["soll"], &["haben"]),
];

/// Status values (folded) that mark a row pending.
pub(crate) const PENDING: &[&str] = &[
    "pending",
    "vorgemerkt",
    "umsatz vorgemerkt",
    "non contabilizzato",
    "venter",
    "blokada",
    "offen",
    "in behandeling",
    "pendiente",
    "en attente",
    "in attesa",
    "pendente",
    "reserviert",
    "authorised",
    "authorized",
    "unposted",
    "not yet posted",
];

/// Date cells (folded) that stand for "not booked yet".
pub(crate) const PENDING_DATES: &[&str] =
    &["pending", "offen", "vorgemerkt", "en attente", "pendiente"];

/// Impact values (folded) of rows that move no money.
pub(crate) const NO_MONEY: &[&str] = &["memo"];

/// Folded starts of balance, total and summary cells.
pub(crate) const BALANCE_LINES: &[&str] = &[
    "opening balance",
    "closing balance",
    "beginning balance",
    "ending balance",
    "balance brought forward",
    "balance carried forward",
    "brought forward",
    "carried forward",
    "anfangssaldo",
    "endsaldo",
    "kontostand",
    "alter kontostand",
    "neuer kontostand",
    "saldo inicial",
    "saldo final",
    "saldo anterior",
    "saldo iniziale",
    "saldo finale",
    "saldo contabilistico",
    "saldo disponivel",
    "saldo koncowe",
    "saldo poczatkowe",
    "solde initial",
    "solde final",
    "beginsaldo",
    "eindsaldo",
    "ingaende saldo",
    "utgaende saldo",
    "total",
    "totals",
    "summe",
    "gesamt",
    "disclaimer",
    "legends used",
];

/// Card payments that card exports print: a negative one means purchases are positive.
pub(crate) const CARD_PAYMENT_WORDS: (&str, &str) = ("payment", "thank you");

/// The header's language decides the currency when nothing else does.
pub(crate) const LANGUAGE_CURRENCY: &[(&str, &str)] = &[
    ("da", "DKK"),
    ("no", "NOK"),
    ("sv", "SEK"),
    ("pl", "PLN"),
    ("cs", "CZK"),
    ("hu", "HUF"),
    ("de", "EUR"),
    ("nl", "EUR"),
    ("fr", "EUR"),
    ("es", "EUR"),
    ("it", "EUR"),
    ("pt", "EUR"),
];

/// The role of a folded header: exact first, then without a trailing column number
/// (`Omschrijving-1`, `Description 2`, `Transaction Ref1` join their role). Several roles
/// when the same word means different things (`Valuta`: a value date in German, a currency
/// in Italian); the values choose.
pub(crate) fn roles(key: &str) -> Vec<(Role, &'static str)> {
    let exact: Vec<_> = lookup(key);
    if !exact.is_empty() {
        return exact;
    }
    match key.rsplit_once(' ') {
        Some((base, n)) if n.bytes().all(|b| b.is_ascii_digit()) => lookup(base),
        _ => Vec::new(),
    }
}

fn lookup(key: &str) -> Vec<(Role, &'static str)> {
    HEADERS
        .iter()
        .filter(|(k, _, _)| *k == key)
        .map(|(_, r, l)| (*r, *l))
        .collect()
}

/// Characters of a cell looked at for a balance or summary phrase.
const BALANCE_HEAD: usize = 24;

/// Whether a cell starts like a balance or summary line (`Saldo contabilístico`,
/// `#Saldo końcowe`); only cells starting with a letter or `#` are folded.
pub(crate) fn balance_cell(cell: &str) -> bool {
    if !cell.starts_with(|c: char| c.is_alphabetic() || c == '#') {
        return false;
    }
    let head: String = cell.chars().take(BALANCE_HEAD).collect();
    let f = crate::statement::text::fold(&head);
    BALANCE_LINES
        .iter()
        .any(|b| f == *b || (f.starts_with(b) && f.as_bytes().get(b.len()) == Some(&b' ')))
}

/// Whether a cell is a pending marker of a date column (`Pending`, `offen`).
pub(crate) fn pending_date(cell: &str) -> bool {
    cell.starts_with(char::is_alphabetic)
        && PENDING_DATES.contains(&crate::statement::text::fold(cell).as_str())
}
