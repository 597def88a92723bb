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
    /// Accepts a leading `-` or `+`, surrounding parentheses for negatives (`(12.00)`),
    /// thousands separators `,` (when a `.` is the decimal point) and a decimal comma
    /// (`12,50`) when no `.` is present and exactly one comma is followed by 1-2 digits.
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
        let normalized: String = if s.contains('.') {
            s.chars().filter(|&c| c != ',' && c != ' ').collect()
        } else if s.matches(',').count() == 1 {
            let (int, frac) = s.split_once(',').ok_or_else(bad)?;
            if (1..=2).contains(&frac.len()) {
                format!("{int}.{frac}")
            } else {
                s.replace(',', "")
            }
        } else {
            s.replace(',', "")
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
            ("1.000", 100, false),
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
    fn zero_decimal_currencies() {
        let jpy = Currency::new("JPY").unwrap();
        assert_eq!(Money::parse("1200", jpy).unwrap().minor, 1200);
        assert!(Money::parse("1200.5", jpy).is_err());
        assert_eq!(Money::new(1200, jpy).unwrap().to_string(), "1200 JPY");
    }

    #[test]
    fn currency_validation() {
        assert!(Currency::new("US").is_err());
        assert!(Currency::new("U$D").is_err());
        assert_eq!(Currency::new(" eur ").unwrap().as_str(), "EUR");
        assert!(Money::new(-1, usd()).is_err());
    }
}
