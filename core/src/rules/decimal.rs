//! Exact decimal numbers for amount thresholds in rules (`amount < 19.99`).

use std::cmp::Ordering;
use std::fmt;

use crate::error::{Error, Result};
use crate::model::Money;

/// A decimal number `mantissa / 10^scale`, compared exactly against [`Money`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Decimal {
    mantissa: i128,
    scale: u32,
}

/// Most fractional digits a rule threshold may have.
const MAX_SCALE: u32 = 6;

impl Decimal {
    /// Parses `"20"`, `"19.99"` or `"-5.5"`.
    pub fn parse(text: &str) -> Result<Self> {
        let bad = || Error::invalid(format!("not a decimal number: {text:?}"));
        let t = text.trim();
        let (neg, body) = match t.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, t),
        };
        let (int, frac) = body.split_once('.').unwrap_or((body, ""));
        if int.is_empty() || !int.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        if !frac.bytes().all(|b| b.is_ascii_digit()) || (body.contains('.') && frac.is_empty()) {
            return Err(bad());
        }
        let frac = frac.trim_end_matches('0');
        if frac.len() as u32 > MAX_SCALE || int.len() > 24 {
            return Err(Error::invalid(format!(
                "number {text:?} is too long or too precise"
            )));
        }
        let digits = format!("{int}{frac}");
        let m: i128 = digits.parse().map_err(|_| bad())?;
        Ok(Decimal {
            mantissa: if neg { -m } else { m },
            scale: frac.len() as u32,
        })
    }

    /// Compares a money amount (magnitude, in its currency's major units) with this number.
    pub fn cmp_money(&self, money: &Money) -> Ordering {
        let exp = money.currency.exponent();
        let lhs = money.minor as i128 * 10i128.pow(self.scale);
        let rhs = self.mantissa * 10i128.pow(exp);
        lhs.cmp(&rhs)
    }

    /// Compares two decimals.
    pub fn cmp_decimal(&self, other: &Decimal) -> Ordering {
        let s = self.scale.max(other.scale);
        (self.mantissa * 10i128.pow(s - self.scale))
            .cmp(&(other.mantissa * 10i128.pow(s - other.scale)))
    }
}

impl fmt::Display for Decimal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.mantissa);
        }
        let div = 10i128.pow(self.scale);
        let sign = if self.mantissa < 0 { "-" } else { "" };
        let a = self.mantissa.abs();
        write!(
            f,
            "{sign}{}.{:0w$}",
            a / div,
            a % div,
            w = self.scale as usize
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Currency;

    #[test]
    fn compares_exactly_with_money() {
        let usd = Currency::new("USD").unwrap();
        let d = Decimal::parse("19.99").unwrap();
        assert_eq!(
            d.cmp_money(&Money::new(1999, usd).unwrap()),
            Ordering::Equal
        );
        assert_eq!(
            d.cmp_money(&Money::new(2000, usd).unwrap()),
            Ordering::Greater
        );
        let jpy = Currency::new("JPY").unwrap();
        assert_eq!(
            Decimal::parse("1000")
                .unwrap()
                .cmp_money(&Money::new(999, jpy).unwrap()),
            Ordering::Less
        );
        assert_eq!(Decimal::parse("20.50").unwrap().to_string(), "20.5");
        assert!(Decimal::parse("1.").is_err());
        assert!(Decimal::parse("x").is_err());
        assert!(Decimal::parse("1.0000001").is_err());
    }
}
