//! What a finding is: the kinds of sensitive data the redactor knows.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A kind of sensitive data. The names follow Presidio's entity names where one exists, so
/// results compare directly.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(into = "String", try_from = "String")]
pub enum PiiKind {
    /// A payment card number (PAN).
    CreditCard,
    /// An International Bank Account Number.
    Iban,
    /// A US Social Security number.
    UsSsn,
    /// An ABA routing transit number.
    AbaRouting,
    /// An email address.
    Email,
    /// A telephone number.
    Phone,
    /// An IPv4 or IPv6 address.
    IpAddress,
    /// A JSON Web Token.
    Jwt,
    /// A provider API key or access token.
    ApiKey,
    /// A private key block (PEM and similar).
    PrivateKey,
    /// A password or other secret found by the name it is assigned to.
    Secret,
    /// A kind defined by a custom detector (upper-case letters, digits and `_`).
    Custom(String),
}

impl PiiKind {
    /// Every built-in kind.
    pub const BUILTIN: [PiiKind; 11] = [
        PiiKind::CreditCard,
        PiiKind::Iban,
        PiiKind::UsSsn,
        PiiKind::AbaRouting,
        PiiKind::Email,
        PiiKind::Phone,
        PiiKind::IpAddress,
        PiiKind::Jwt,
        PiiKind::ApiKey,
        PiiKind::PrivateKey,
        PiiKind::Secret,
    ];

    /// The stable name, such as `CREDIT_CARD`.
    pub fn as_str(&self) -> &str {
        match self {
            PiiKind::CreditCard => "CREDIT_CARD",
            PiiKind::Iban => "IBAN_CODE",
            PiiKind::UsSsn => "US_SSN",
            PiiKind::AbaRouting => "ABA_ROUTING_NUMBER",
            PiiKind::Email => "EMAIL_ADDRESS",
            PiiKind::Phone => "PHONE_NUMBER",
            PiiKind::IpAddress => "IP_ADDRESS",
            PiiKind::Jwt => "JWT",
            PiiKind::ApiKey => "API_KEY",
            PiiKind::PrivateKey => "PRIVATE_KEY",
            PiiKind::Secret => "SECRET",
            PiiKind::Custom(s) => s,
        }
    }

    /// The short label used in placeholders and tokens: `[CARD]`, `<CARD_1>`.
    pub fn label(&self) -> &str {
        match self {
            PiiKind::CreditCard => "CARD",
            PiiKind::Iban => "IBAN",
            PiiKind::UsSsn => "SSN",
            PiiKind::AbaRouting => "ROUTING",
            PiiKind::Email => "EMAIL",
            PiiKind::Phone => "PHONE",
            PiiKind::IpAddress => "IP",
            PiiKind::Jwt => "JWT",
            PiiKind::ApiKey => "API_KEY",
            PiiKind::PrivateKey => "PRIVATE_KEY",
            PiiKind::Secret => "SECRET",
            PiiKind::Custom(s) => s,
        }
    }

    /// Parses a stable name (`CREDIT_CARD`) or label (`CARD`); any other name of upper-case
    /// letters, digits and `_` is a custom kind.
    pub fn parse(name: &str) -> crate::Result<PiiKind> {
        for k in PiiKind::BUILTIN {
            if k.as_str() == name || k.label() == name {
                return Ok(k);
            }
        }
        let ok = !name.is_empty()
            && name.len() <= 40
            && name.starts_with(|c: char| c.is_ascii_uppercase())
            && name
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
        if ok {
            Ok(PiiKind::Custom(name.to_string()))
        } else {
            Err(crate::Error::invalid(format!(
                "kind {name:?} must be upper-case letters, digits and `_`, such as EMPLOYEE_ID"
            )))
        }
    }
}

impl fmt::Display for PiiKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<PiiKind> for String {
    fn from(k: PiiKind) -> String {
        k.as_str().to_string()
    }
}

impl TryFrom<String> for PiiKind {
    type Error = crate::Error;
    fn try_from(s: String) -> crate::Result<PiiKind> {
        PiiKind::parse(&s)
    }
}
