//! Money as integer minor units plus an ISO 4217 currency; never floats.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// An ISO 4217 alphabetic currency code, such as `USD` or `EUR`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency([u8; 3]);

impl Currency {
    /// Parses a three-letter code; lowercase input is accepted and upper-cased.
    pub fn new(code: &str) -> Result<Self> {
        let b = code.trim().as_bytes();
        if b.len() != 3 || !b.iter().all(|c| c.is_ascii_alphabetic()) {
            return Err(Error::invalid(format!(
                "currency must be a three-letter ISO 4217 code, got {code:?}"
            )));
        }
        Ok(Currency([
            b[0].to_ascii_uppercase(),
            b[1].to_ascii_uppercase(),
            b[2].to_ascii_uppercase(),
        ]))
    }

    /// The code as a string slice.
    pub fn as_str(&self) -> &str {
        // The constructor only admits ASCII letters.
        std::str::from_utf8(&self.0).unwrap_or("XXX")
    }

    /// Number of decimal digits of the minor unit (2 for USD, 0 for JPY, 3 for KWD).
    pub fn exponent(&self) -> u32 {
        match &self.0 {
            b"BIF" | b"CLP" | b"DJF" | b"GNF" | b"ISK" | b"JPY" | b"KMF" | b"KRW" | b"PYG"
            | b"RWF" | b"UGX" | b"UYI" | b"VND" | b"VUV" | b"XAF" | b"XOF" | b"XPF" => 0,
            b"BHD" | b"IQD" | b"JOD" | b"KWD" | b"LYD" | b"OMR" | b"TND" => 3,
            _ => 2,
        }
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        Currency::new(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(feature = "schema")]
impl schemars::JsonSchema for Currency {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Currency".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "An ISO 4217 currency code (`USD`); lowercase letters are read as uppercase.",
            "type": "string",
            "pattern": "^[A-Za-z]{3}$"
        })
    }
}

/// A non-negative amount of money in minor units (cents) of a currency.
///
/// The sign of a transaction lives in [`crate::Direction`], not here.
///
/// ```
/// use xspense::{Currency, Money};
/// let m = Money::parse("12.30", Currency::new("USD").unwrap()).unwrap();
/// assert_eq!(m.minor, 1230);
/// assert_eq!(m.to_string(), "12.30 USD");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct Money {
    /// Amount in minor units; never negative.
    pub minor: i64,
    /// The currency.
    pub currency: Currency,
}

impl Money {
    /// Builds a money value, refusing negative amounts.
    pub fn new(minor: i64, currency: Currency) -> Result<Self> {
        if minor < 0 {
            return Err(Error::invalid(format!(
                "amount must not be negative (got {minor} minor units); use Direction for the sign"
            )));
        }
        Ok(Money { minor, currency })
    }

    /// Parses a decimal string such as `"1234.5"`, `"-12.30"` or `"1,234.50"` exactly.
    ///
    /// The sign is dropped (see [`Money::parse_signed`] to keep it). More fractional digits than the
    /// currency has are an error unless they are zeros.
    pub fn parse(text: &str, currency: Currency) -> Result<Self> {
        let (minor, _) = Self::parse_signed(text, currency)?;
        Money::new(minor.unsigned_abs() as i64, currency)
    }

    /// Parses a decimal string and returns the magnitude in minor units and whether it was negative.
    ///
    /// Accepts a leading `-` or `+`, surrounding parentheses for negatives (`(12.00)`), a
    /// currency symbol (`$`, `£`, `€`, `¥`), and either mark as the decimal mark: `1,234.50`
    /// and `1.234,50` are both 1234.50, `12,50` is 12.50. Grouping must come in threes.
    /// One mark followed by exactly three digits (`1.000`, `1,234`) could group thousands or
    /// mark decimals; that is an `invalid_input` error naming the ambiguity, never a guess.
    ///
    /// ```
    /// use xspense::{Currency, Money};
    /// let eur = Currency::new("EUR").unwrap();
    /// assert_eq!(Money::parse_signed("-1.000,00", eur).unwrap(), (100000, true));
    /// assert!(Money::parse_signed("1.000", eur).unwrap_err().to_string().contains("ambiguous"));
    /// ```
    pub fn parse_signed(text: &str, currency: Currency) -> Result<(i64, bool)> {
        let bad = || Error::invalid(format!("not a decimal amount: {text:?}"));
        let mut s = text.trim();
        let mut negative = false;
        if s.starts_with('(') && s.ends_with(')') && s.len() > 2 {
            negative = true;
            s = s[1..s.len() - 1].trim();
        }
        if let Some(rest) = s.strip_prefix('-') {
            negative = !negative;
            s = rest.trim_start();
        } else if let Some(rest) = s.strip_prefix('+') {
            s = rest.trim_start();
        }
        // Currency symbols some exports put in front.
        for sym in ["$", "£", "€", "¥"] {
            if let Some(rest) = s.strip_prefix(sym) {
                s = rest.trim_start();
            }
        }
        if s.is_empty() {
            return Err(bad());
        }
        let normalized = match decimal_mark(s) {
            MarkReading::Decimal(mark) => ungroup(s, mark).ok_or_else(bad)?,
            MarkReading::Whole => ungroup(s, None).ok_or_else(bad)?,
            MarkReading::Ambiguous(mark) => {
                return Err(Error::invalid(format!(
                    "amount {text:?} is ambiguous: {mark:?} followed by three digits may separate \
                     thousands or decimals; write the amount without grouping (1234 or 1.234) \
                     or with both marks (1,234.00), or give amount_minor"
                )))
            }
            MarkReading::Malformed => return Err(bad()),
        };
        let (int_part, frac_part) = match normalized.split_once('.') {
            Some((i, f)) => (i, f),
            None => (normalized.as_str(), ""),
        };
        if int_part.is_empty() && frac_part.is_empty() {
            return Err(bad());
        }
        if !int_part.bytes().all(|b| b.is_ascii_digit())
            || !frac_part.bytes().all(|b| b.is_ascii_digit())
        {
            return Err(bad());
        }
        let exp = currency.exponent() as usize;
        let frac_trimmed = frac_part.trim_end_matches('0');
        if frac_trimmed.len() > exp {
            return Err(Error::invalid(format!(
                "amount {text:?} has more than {exp} decimal places for {currency}"
            )));
        }
        let mut digits = String::with_capacity(int_part.len() + exp);
        digits.push_str(if int_part.is_empty() { "0" } else { int_part });
        digits.push_str(frac_trimmed);
        for _ in frac_trimmed.len()..exp {
            digits.push('0');
        }
        let minor: i64 = digits
            .parse()
            .map_err(|_| Error::invalid(format!("amount {text:?} is too large")))?;
        Ok((minor, negative && minor != 0))
    }
}

/// How the marks in an amount's digits read.
#[derive(Debug, PartialEq)]
enum MarkReading {
    /// This mark (or none) is the decimal mark; any other mark groups thousands.
    Decimal(Option<char>),
    /// Every mark groups thousands; there is no fraction.
    Whole,
    /// One mark followed by exactly three digits: thousands or decimals, the text cannot say.
    Ambiguous(char),
    /// Marks that fit no reading (`1.2,3`, `12,34,5`).
    Malformed,
}

/// Digits a thousands group holds.
const GROUP_DIGITS: usize = 3;

/// Which mark of `s` (unsigned, without symbol) is the decimal mark.
fn decimal_mark(s: &str) -> MarkReading {
    let marks: Vec<(usize, char)> = s
        .char_indices()
        .filter(|(_, c)| *c == '.' || *c == ',')
        .collect();
    let Some(&(last_at, last)) = marks.last() else {
        return MarkReading::Decimal(None);
    };
    let kinds_before = marks[..marks.len() - 1]
        .iter()
        .filter(|(_, c)| *c == last)
        .count();
    let other_after_first_last = marks
        .iter()
        .skip_while(|(_, c)| *c != last)
        .any(|(_, c)| *c != last);
    if other_after_first_last {
        return MarkReading::Malformed;
    }
    let mixed = marks.iter().any(|(_, c)| *c != last);
    if mixed {
        // `1,234.50` / `1.234,50`: the last mark, once, is the decimal mark
        return if kinds_before == 0 {
            MarkReading::Decimal(Some(last))
        } else {
            MarkReading::Malformed
        };
    }
    if marks.len() > 1 {
        return MarkReading::Whole; // `1.234.567`
    }
    let int_digits = &s[..last_at];
    let frac_len = s[last_at + 1..].chars().count();
    let could_group = frac_len == GROUP_DIGITS
        && (1..=GROUP_DIGITS).contains(&int_digits.trim().len())
        && !int_digits.trim().starts_with('0');
    if could_group {
        MarkReading::Ambiguous(last)
    } else {
        MarkReading::Decimal(Some(last))
    }
}

/// `s` with its grouping removed and `decimal` (if any) turned into `.`; `None` when a group
/// is not three digits. Spaces group thousands too (`1 234,50`).
fn ungroup(s: &str, decimal: Option<char>) -> Option<String> {
    let (int_part, frac) = match decimal {
        Some(mark) => {
            let at = s.rfind(mark)?;
            (&s[..at], Some(&s[at + mark.len_utf8()..]))
        }
        None => (s, None),
    };
    let groups: Vec<&str> = int_part.split(['.', ',', ' ']).collect();
    if groups.len() > 1 {
        let first_ok = (1..=GROUP_DIGITS).contains(&groups[0].len());
        let rest_ok = groups[1..].iter().all(|g| g.len() == GROUP_DIGITS);
        if !(first_ok && rest_ok) {
            return None;
        }
    }
    let mut out: String = groups.concat();
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    Some(out)
}

impl Money {
    /// The amount as a decimal string in major units, without the currency (`"4.75"`,
    /// `"1000"` for yen): the form bindings hand to languages without a money type.
    ///
    /// ```
    /// use xspense::{Currency, Money};
    /// let m = Money::parse("4.75", Currency::new("EUR").unwrap()).unwrap();
    /// assert_eq!(m.decimal(), "4.75");
    /// assert_eq!(m.to_string(), "4.75 EUR");
    /// ```
    pub fn decimal(&self) -> String {
        let exp = self.currency.exponent();
        if exp == 0 {
            return self.minor.to_string();
        }
        let div = 10i64.pow(exp);
        format!(
            "{}.{:0width$}",
            self.minor / div,
            self.minor % div,
            width = exp as usize
        )
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.decimal(), self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn usd() -> Currency {
        Currency::new("usd").unwrap()
    }

    #[test]
    fn parses_common_shapes_exactly() {
        let cases = [
            ("12.30", 1230, false),
            ("-12.3", 1230, true),
            ("(4.75)", 475, true),
            ("1,234.50", 123450, false),
            ("12,50", 1250, false),
            ("$7", 700, false),
            ("0.10", 10, false),
            (".5", 50, false),
            ("0.500", 50, false),
            ("-1.000,00", 100000, true),
            ("3.250,00", 325000, false),
            ("1.234.567,89", 123456789, false),
            ("1 234,56", 123456, false),
            ("1.234.567", 123456700, false),
            ("12,5", 1250, false),
        ];
        for (text, minor, neg) in cases {
            assert_eq!(
                Money::parse_signed(text, usd()).unwrap(),
                (minor, neg),
                "{text}"
            );
        }
    }

    #[test]
    fn refuses_garbage_and_excess_precision() {
        for bad in ["", "abc", "1.2.3", "12.345", "--1", "1e5", "12 34x"] {
            let err = Money::parse_signed(bad, usd()).unwrap_err();
            assert_eq!(err.code(), crate::ErrorCode::InvalidInput, "{bad}");
        }
    }

    #[test]
    fn one_mark_before_three_digits_is_ambiguous() {
        for text in ["1.000", "1,234", "-12.500", "(999,999)"] {
            let err = Money::parse_signed(text, usd()).unwrap_err();
            assert!(err.to_string().contains("ambiguous"), "{text}: {err}");
        }
    }

    #[test]
    fn grouping_must_come_in_threes() {
        for bad in ["1.2,3", "12,34.5", "1.234,5.6", "1,23,456.00", "12 34,5"] {
            let err = Money::parse_signed(bad, usd()).unwrap_err();
            assert!(
                err.to_string().contains("not a decimal amount"),
                "{bad}: {err}"
            );
        }
    }

    #[test]
    fn zero_decimal_currencies() {
        let jpy = Currency::new("JPY").unwrap();
        assert_eq!(Money::parse("1200", jpy).unwrap().minor, 1200);
        assert!(Money::parse("1200.5", jpy).is_err());
        assert_eq!(Money::new(1200, jpy).unwrap().to_string(), "1200 JPY");
    }

    /// `minor` cents written with `group` between thousands and `mark` before the cents.
    fn written(minor: i64, group: &str, mark: char) -> String {
        let whole = (minor / 100).to_string();
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push_str(group);
            }
            grouped.push(c);
        }
        format!("{grouped}{mark}{:02}", minor % 100)
    }

    proptest::proptest! {
        #[test]
        fn every_written_style_reads_back_exactly(minor in 0i64..1_000_000_000_000, negative: bool) {
            for (group, mark) in [("", '.'), (",", '.'), (".", ','), (" ", ','), ("", ',')] {
                let text = written(minor, group, mark);
                let text = if negative { format!("-{text}") } else { text };
                let parsed = Money::parse_signed(&text, usd()).unwrap();
                proptest::prop_assert_eq!(parsed, (minor, negative && minor != 0), "{}", text);
            }
        }
    }

    #[test]
    fn currency_validation() {
        assert!(Currency::new("US").is_err());
        assert!(Currency::new("U$D").is_err());
        assert_eq!(Currency::new(" eur ").unwrap().as_str(), "EUR");
        assert!(Money::new(-1, usd()).is_err());
    }
}
