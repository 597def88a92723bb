//! Structured narrations: the payee inside the field-separated lines Indian banks print for
//! UPI, NEFT, IMPS and bill payments, where the name sits between reference numbers, bank
//! codes and payment addresses.
//!
//! Shapes (folded text):
//! - `upi-<payee>-<address>-<ifsc>-<reference>-<note>`
//! - `upi/dr/<reference>/<payee>/<bank>/<address>/<note>` (also `cr`)
//! - `upi/<reference>/<note>/<address>/<bank>`: the payee is the address's name (`irctc@sbi`)
//! - `neft cr-<ifsc>-<payee>-<note>-<reference>` (also `neft dr-`, `neft-`)
//! - `imps-<reference>-<payee>-<bank>-<account>-<note>`
//! - `bil/onl/<reference>/<biller>/<note>` (also `bil/bpay/`)
//!
//! And the labelled fields of Dutch SEPA lines: `... naam: <payee> omschrijving: ...` and
//! `/trtp/.../name/<payee>/...`.

/// The payee of a structured narration, or `None` when `folded` is not one.
pub(super) fn payee(folded: &str) -> Option<String> {
    let s = folded.trim();
    let found = if let Some(rest) = s.strip_prefix("upi-") {
        dashed_upi(rest)
    } else if let Some(rest) = s.strip_prefix("upi/") {
        slashed_upi(rest)
    } else if s.starts_with("neft") {
        neft(s)
    } else if let Some(rest) = s.strip_prefix("imps-") {
        imps(rest)
    } else if let Some(rest) = s
        .strip_prefix("bil/onl/")
        .or_else(|| s.strip_prefix("bil/bpay/"))
    {
        rest.split('/').nth(1).map(str::to_string)
    } else {
        labelled_name(s)
    };
    found
        .map(|p| p.trim().to_string())
        .filter(|p| names_someone(p))
}

/// The field after `naam: ` (up to the next label) or after `/name/` (up to the next `/`).
fn labelled_name(s: &str) -> Option<String> {
    if let Some((_, rest)) = s.split_once("/name/") {
        return rest.split('/').next().map(str::to_string);
    }
    let (_, rest) = s.split_once("naam: ")?;
    let end = NEXT_LABELS
        .iter()
        .filter_map(|l| rest.find(l))
        .min()
        .unwrap_or(rest.len());
    Some(rest[..end].to_string())
}

/// Labels that may follow the payee's name in a Dutch SEPA line.
const NEXT_LABELS: &[&str] = &[
    " omschrijving:",
    " iban:",
    " kenmerk:",
    " machtiging:",
    " betalingskenmerk",
    " incassant:",
];

/// `<payee>-<address>-...`: the first field.
fn dashed_upi(rest: &str) -> Option<String> {
    let first = rest.split('-').next()?;
    if first.contains('@') {
        return address_name(first);
    }
    Some(first.to_string())
}

/// `dr/<reference>/<payee>/...`, or `<reference>/<note>/<address>/...`.
fn slashed_upi(rest: &str) -> Option<String> {
    let fields: Vec<&str> = rest.split('/').collect();
    if matches!(fields.first(), Some(&"dr") | Some(&"cr")) {
        return fields.get(2).map(|f| f.to_string());
    }
    fields
        .iter()
        .find(|f| f.contains('@'))
        .and_then(|a| address_name(a))
}

/// `neft cr-<ifsc>-<payee>-...`: the first field after the head that is neither a bank code nor
/// a number.
fn neft(s: &str) -> Option<String> {
    s.split('-')
        .skip(1)
        .find(|f| !is_ifsc(f) && f.chars().any(char::is_alphabetic))
        .map(str::to_string)
}

/// `<reference>-<payee>-...`.
fn imps(rest: &str) -> Option<String> {
    let mut fields = rest.split('-');
    let reference = fields.next()?;
    if !reference.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    fields.next().map(str::to_string)
}

/// The name part of a payment address (`swiggy.stores@axb` -> `swiggy stores`), unless it is
/// a phone number or a code.
fn address_name(address: &str) -> Option<String> {
    let (name, _) = address.split_once('@')?;
    let words = name.replace(['.', '_'], " ");
    words
        .chars()
        .any(char::is_alphabetic)
        .then(|| words.trim().to_string())
}

/// An Indian Financial System Code: four letters, a zero, six letters or digits.
fn is_ifsc(field: &str) -> bool {
    let b = field.trim().as_bytes();
    b.len() == 11
        && b[..4].iter().all(u8::is_ascii_alphabetic)
        && b[4] == b'0'
        && b[5..].iter().all(u8::is_ascii_alphanumeric)
}

/// Whether a field holds a name: some letters, and not a masked account or card number.
fn names_someone(p: &str) -> bool {
    p.chars().filter(|c| c.is_alphabetic()).count() >= 2 && !p.contains("xxxx")
}

#[cfg(test)]
mod tests {
    use super::payee;

    #[test]
    fn the_payee_of_each_shape() {
        for (line, want) in [
            (
                "upi-swiggy-swiggy.stores@axb-utib0000100-412312345678-payment from phone",
                Some("swiggy"),
            ),
            (
                "upi-sai kirana stores-paytmqr2810050501011@paytm-pytm0123456-412311122233-upi",
                Some("sai kirana stores"),
            ),
            (
                "upi/412398765412/payment from ph/irctc@sbi/sbi",
                Some("irctc"),
            ),
            (
                "upi/dr/412345678901/big bazaar/hdfc/bigbazaar@hdfcbank/upi",
                Some("big bazaar"),
            ),
            ("upi/412398765412/payment/9845012345@ybl/ybl", None),
            (
                "neft cr-hdfc0000240-tata consultancy services ltd-salary apr24-n123241234567890",
                Some("tata consultancy services ltd"),
            ),
            (
                "imps-412312345678-anil kumar-sbin-xxxxxxx4521-maid salary mar",
                Some("anil kumar"),
            ),
            ("bil/onl/000987654321/airtel/mobile bill", Some("airtel")),
            ("upi is not a narration", None),
            (
                "sepa incasso algemeen doorlopend naam: vitens nv omschrijving: termijnbedrag",
                Some("vitens nv"),
            ),
            (
                "/trtp/sepa incasso algemeen doorlopend/csid/nl22zzz330473420000/name/abn amro hypotheken groep b.v./marf/hyp1",
                Some("abn amro hypotheken groep b.v."),
            ),
            ("imps transfer fee", None),
        ] {
            assert_eq!(payee(line).as_deref(), want, "{line}");
        }
    }
}
