//! Checksums and structural rules that turn a pattern match into a finding.

use base64::Engine as _;

/// Whether the digits pass the Luhn (mod 10) check used by payment cards.
///
/// ```
/// assert!(xspense::redact::validate::luhn("4111111111111111"));
/// assert!(!xspense::redact::validate::luhn("4111111111111112"));
/// ```
pub fn luhn(digits: &str) -> bool {
    let mut sum = 0u32;
    let mut double = false;
    for b in digits.bytes().rev() {
        if !b.is_ascii_digit() {
            return false;
        }
        let mut d = u32::from(b - b'0');
        if double {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
        double = !double;
    }
    !digits.is_empty() && sum % 10 == 0
}

/// Whether a card number's issuer prefix (IIN) and length belong to a known card network:
/// Visa, Mastercard (51-55, 2221-2720), American Express, Discover, Diners Club, JCB (35, and
/// the 15-digit 1800 and 2131), UnionPay (62 and 8100-8171), Mir (2200-2204), PROSTIR (9804),
/// Maestro and the other 5x/6x debit ranges.
pub fn card_network_known(digits: &str) -> bool {
    let n = digits.len();
    let prefix = |k: usize| {
        digits
            .get(..k)
            .and_then(|p| p.parse::<u32>().ok())
            .unwrap_or(0)
    };
    match digits.as_bytes().first() {
        Some(b'4') => (13..=19).contains(&n),
        Some(b'5') => {
            let p2 = prefix(2);
            if (51..=55).contains(&p2) {
                n == 16
            } else {
                // Maestro and domestic debit (50, 56-59)
                (12..=19).contains(&n)
            }
        }
        Some(b'2') => {
            let p4 = prefix(4);
            ((2221..=2720).contains(&p4) && n == 16)
                || (p4 == 2131 && n == 15)
                || ((2200..=2204).contains(&p4) && (16..=19).contains(&n))
        }
        Some(b'8') => (8100..=8171).contains(&prefix(4)) && (16..=19).contains(&n),
        Some(b'9') => prefix(4) == 9804 && n == 16,
        Some(b'3') => {
            let p2 = prefix(2);
            match p2 {
                34 | 37 => n == 15,
                35 => (15..=19).contains(&n),
                30 | 36 | 38 | 39 => (14..=19).contains(&n),
                _ => false,
            }
        }
        Some(b'6') => (12..=19).contains(&n),
        Some(b'1') => prefix(4) == 1800 && n == 15,
        _ => false,
    }
}

/// IBAN length by country (the SWIFT IBAN registry).
const IBAN_LENGTHS: &[(&str, usize)] = &[
    ("AD", 24),
    ("AE", 23),
    ("AL", 28),
    ("AT", 20),
    ("AZ", 28),
    ("BA", 20),
    ("BE", 16),
    ("BG", 22),
    ("BH", 22),
    ("BI", 27),
    ("BR", 29),
    ("BY", 28),
    ("CH", 21),
    ("CR", 22),
    ("CY", 28),
    ("CZ", 24),
    ("DE", 22),
    ("DJ", 27),
    ("DK", 18),
    ("DO", 28),
    ("EE", 20),
    ("EG", 29),
    ("ES", 24),
    ("FI", 18),
    ("FK", 18),
    ("FO", 18),
    ("FR", 27),
    ("GB", 22),
    ("GE", 22),
    ("GI", 23),
    ("GL", 18),
    ("GR", 27),
    ("GT", 28),
    ("HR", 21),
    ("HU", 28),
    ("IE", 22),
    ("IL", 23),
    ("IQ", 23),
    ("IS", 26),
    ("IT", 27),
    ("JO", 30),
    ("KW", 30),
    ("KZ", 20),
    ("LB", 28),
    ("LC", 32),
    ("LI", 21),
    ("LT", 20),
    ("LU", 20),
    ("LV", 21),
    ("LY", 25),
    ("MC", 27),
    ("MD", 24),
    ("ME", 22),
    ("MK", 19),
    ("MN", 20),
    ("MR", 27),
    ("MT", 31),
    ("MU", 30),
    ("NI", 28),
    ("NL", 18),
    ("NO", 15),
    ("OM", 23),
    ("PK", 24),
    ("PL", 28),
    ("PS", 29),
    ("PT", 25),
    ("QA", 29),
    ("RO", 24),
    ("RS", 22),
    ("RU", 33),
    ("SA", 24),
    ("SC", 31),
    ("SD", 18),
    ("SE", 24),
    ("SI", 19),
    ("SK", 24),
    ("SM", 27),
    ("SO", 23),
    ("ST", 25),
    ("SV", 28),
    ("TL", 23),
    ("TN", 24),
    ("TR", 26),
    ("UA", 29),
    ("VA", 22),
    ("VG", 24),
    ("XK", 20),
    ("YE", 30),
];

/// The IBAN length of a country code (upper case), if the country uses IBANs.
pub fn iban_length(country: &str) -> Option<usize> {
    IBAN_LENGTHS
        .binary_search_by(|(c, _)| (*c).cmp(country))
        .ok()
        .map(|i| IBAN_LENGTHS[i].1)
}

/// Whether a compact IBAN (no spaces; either case) has its country's length and passes the
/// ISO 7064 mod-97 check.
///
/// ```
/// assert!(xspense::redact::validate::iban("GB82WEST12345698765432"));
/// assert!(!xspense::redact::validate::iban("GB82WEST12345698765433"));
/// ```
pub fn iban(compact: &str) -> bool {
    let upper = compact.to_ascii_uppercase();
    let b = upper.as_bytes();
    if b.len() < 15 || !b.iter().all(u8::is_ascii_alphanumeric) {
        return false;
    }
    let head_ok = b[0].is_ascii_uppercase()
        && b[1].is_ascii_uppercase()
        && b[2].is_ascii_digit()
        && b[3].is_ascii_digit();
    if !head_ok {
        return false;
    }
    if iban_length(&upper[..2]) != Some(b.len()) {
        return false;
    }
    let mut rem = 0u32;
    for &c in b[4..].iter().chain(&b[..4]) {
        if c.is_ascii_digit() {
            rem = (rem * 10 + u32::from(c - b'0')) % 97;
        } else {
            rem = (rem * 100 + u32::from(c - b'A' + 10)) % 97;
        }
    }
    rem == 1
}

/// Whether nine digits can be a US Social Security number: area not 000, 666 or 900-999,
/// group not 00, serial not 0000, and not one of the numbers published as examples.
pub fn ssn(digits: &str) -> bool {
    if digits.len() != 9 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let area: u32 = digits[..3].parse().unwrap_or(0);
    let group: u32 = digits[3..5].parse().unwrap_or(0);
    let serial: u32 = digits[5..].parse().unwrap_or(0);
    let all_same = digits.bytes().all(|b| b == digits.as_bytes()[0]);
    area != 0
        && area != 666
        && area < 900
        && group != 0
        && serial != 0
        && !all_same
        && !matches!(digits, "123456789" | "078051120" | "219099999")
}

/// Whether nine digits are an ABA routing number: a Federal Reserve prefix (00-12, 21-32,
/// 61-72, 80) and the 3-7-1 weighted checksum.
///
/// ```
/// assert!(xspense::redact::validate::aba_routing("121000358"));
/// assert!(!xspense::redact::validate::aba_routing("421042111"));
/// ```
pub fn aba_routing(digits: &str) -> bool {
    let b = digits.as_bytes();
    if b.len() != 9 || !b.iter().all(u8::is_ascii_digit) {
        return false;
    }
    let d = |i: usize| u32::from(b[i] - b'0');
    let prefix = d(0) * 10 + d(1);
    let prefix_ok =
        prefix <= 12 || (21..=32).contains(&prefix) || (61..=72).contains(&prefix) || prefix == 80;
    let sum = 3 * (d(0) + d(3) + d(6)) + 7 * (d(1) + d(4) + d(7)) + d(2) + d(5) + d(8);
    prefix_ok && sum % 10 == 0 && !b.iter().all(|&x| x == b[0])
}

/// Whether text is a JSON Web Token: dot-separated base64url segments whose first decodes to
/// a JSON object (its text starts with `{`; tokens cut short still count).
pub fn jwt(token: &str) -> bool {
    let Some(header) = token.split('.').next() else {
        return false;
    };
    let engine = base64::engine::GeneralPurpose::new(
        &base64::alphabet::URL_SAFE,
        base64::engine::GeneralPurposeConfig::new()
            .with_decode_allow_trailing_bits(true)
            .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent),
    );
    let header = header.trim_end_matches('=');
    // one base64 character left over carries no whole byte; a header cut there still decodes
    let usable = if header.len() % 4 == 1 {
        &header[..header.len() - 1]
    } else {
        header
    };
    match engine.decode(usable) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes);
            let t = text.trim_start();
            t.starts_with("{\"") || t.starts_with("{ \"")
        }
        Err(_) => false,
    }
}

/// Shannon entropy of the bytes of `s`, in bits per byte (the measure gitleaks uses).
pub fn shannon_entropy(s: &str) -> f64 {
    if s.is_empty() {
        return 0.0;
    }
    let mut counts = [0u32; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// The validators a data-defined detector can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum Validator {
    /// Luhn checksum and a known card network.
    Card,
    /// Country length and mod-97.
    Iban,
    /// SSN area, group and serial rules.
    Ssn,
    /// ABA prefix and checksum.
    AbaRouting,
    /// A JWT with a JSON header.
    Jwt,
}

impl Validator {
    /// Whether `value` passes; separators (spaces, dashes, dots) are ignored where the format
    /// allows them.
    pub fn check(self, value: &str) -> bool {
        let compact: String = value
            .chars()
            .filter(|c| !matches!(c, ' ' | '-' | '.'))
            .collect();
        match self {
            Validator::Card => luhn(&compact) && card_network_known(&compact),
            Validator::Iban => iban(&compact),
            Validator::Ssn => ssn(&compact),
            Validator::AbaRouting => aba_routing(&compact),
            Validator::Jwt => jwt(value),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iban_table_is_sorted_for_binary_search() {
        assert!(IBAN_LENGTHS.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(iban_length("DE"), Some(22));
        assert_eq!(iban_length("US"), None);
    }

    #[test]
    fn card_networks() {
        for good in [
            "4111111111111111",
            "5500005555555559",
            "378282246310005",
            "6011111111111117",
            "3530111333300000",
            "2221000000000009",
            "30569309025904",
        ] {
            assert!(luhn(good) && card_network_known(good), "{good}");
        }
        // Mir, UnionPay's 81 range, PROSTIR
        for good in ["2200000000000004", "8171999927660000", "9804000000000009"] {
            assert!(luhn(good) && card_network_known(good), "{good}");
        }
        // Luhn-valid but no network issues these 9, 7 and 8 prefixes
        assert!(luhn("9111111111111110") && !card_network_known("9111111111111110"));
        assert!(luhn("8200000000000001") && !card_network_known("8200000000000001"));
    }

    #[test]
    fn ssn_rules() {
        assert!(ssn("588466702"));
        for bad in [
            "000123456",
            "666123456",
            "912345678",
            "123004567",
            "123450000",
            "111111111",
            "123456789",
        ] {
            assert!(!ssn(bad), "{bad}");
        }
    }

    #[test]
    fn ibans_in_either_case() {
        assert!(iban("DE89370400440532013000"));
        assert!(iban("de89370400440532013000"));
        assert!(!iban("DE8937040044053201300"), "one digit short");
        assert!(!iban("XX89370400440532013000"), "unknown country");
    }

    #[test]
    fn jwt_needs_a_json_header() {
        let t = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
        assert!(jwt(t));
        // header text that is not JSON
        assert!(!jwt("bm90IGpzb24.eyJ4In0.abc"));
    }

    #[test]
    fn entropy_of_uniform_and_constant_text() {
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert!((shannon_entropy("abcd") - 2.0).abs() < 1e-9);
    }
}
