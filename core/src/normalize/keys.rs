//! The keys memory files a merchant under: the merchant key every descriptor of one merchant
//! normalizes to, the finer detail key of one descriptor, and the two told apart in alias
//! memory, where both are stored.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Starts the stored form of a detail key, so detail keys and merchant keys share alias memory
/// (and snapshots and change events) without colliding.
const DETAIL_MARKER: char = '≈';

/// A merchant key: the lowercase, folded name every branch, payment path and date of one
/// merchant normalizes to (`blue bottle`). Serialized as that string.
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct MerchantKey(String);

impl MerchantKey {
    /// A merchant key as the normalizer wrote it.
    pub fn new(key: impl Into<String>) -> Self {
        MerchantKey(key.into())
    }

    /// The key.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The key, as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A detail key: the words of one whole descriptor without bank phrases, dates, references,
/// digits and punctuation (dots kept), e.g. `amazon.de amazon.de luxembourg`. Two descriptors
/// the normalizer maps to one merchant keep different detail keys. Stored and serialized as
/// `≈` and the words (`≈amazon.de amazon.de luxembourg`).
#[derive(Clone, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(transparent)]
pub struct DetailKey(String);

impl DetailKey {
    /// The detail key of these words, joined by single spaces; `capacity` is room for the
    /// words (the length of the text they come from will do).
    pub(crate) fn from_words<'a>(
        words: impl IntoIterator<Item = &'a str>,
        capacity: usize,
    ) -> Self {
        let mut stored = String::with_capacity(DETAIL_MARKER.len_utf8() + capacity);
        stored.push(DETAIL_MARKER);
        for (i, w) in words.into_iter().enumerate() {
            if i > 0 {
                stored.push(' ');
            }
            stored.push_str(w);
        }
        DetailKey(stored)
    }

    /// The stored form: the marker and the words.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The words, without the marker.
    pub fn words(&self) -> &str {
        self.0.strip_prefix(DETAIL_MARKER).unwrap_or(&self.0)
    }

    /// The stored form, as an owned string.
    pub fn into_string(self) -> String {
        self.0
    }
}

/// A key of alias memory in its stored form, told apart: a merchant key, or a detail key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AliasKey<'a> {
    /// A merchant key.
    Merchant(&'a str),
    /// A detail key's words (stored after the marker).
    Detail(&'a str),
}

impl<'a> AliasKey<'a> {
    /// Tells a stored alias key apart.
    ///
    /// ```
    /// use xspense::normalize::AliasKey;
    /// assert_eq!(AliasKey::parse("amazon"), AliasKey::Merchant("amazon"));
    /// assert_eq!(AliasKey::parse("≈amazon.es luxembourg"), AliasKey::Detail("amazon.es luxembourg"));
    /// ```
    pub fn parse(stored: &'a str) -> Self {
        match stored.strip_prefix(DETAIL_MARKER) {
            Some(words) => AliasKey::Detail(words),
            None => AliasKey::Merchant(stored),
        }
    }
}

macro_rules! string_like {
    ($key:ty) => {
        impl fmt::Debug for $key {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Debug::fmt(self.as_str(), f)
            }
        }

        impl fmt::Display for $key {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl AsRef<str> for $key {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl From<$key> for String {
            fn from(key: $key) -> String {
                key.into_string()
            }
        }

        impl PartialEq<str> for $key {
            fn eq(&self, other: &str) -> bool {
                self.as_str() == other
            }
        }

        impl PartialEq<&str> for $key {
            fn eq(&self, other: &&str) -> bool {
                self.as_str() == *other
            }
        }

        impl PartialEq<String> for $key {
            fn eq(&self, other: &String) -> bool {
                self.as_str() == other
            }
        }
    };
}

string_like!(MerchantKey);
string_like!(DetailKey);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_detail_key_is_stored_with_the_marker_and_told_apart_from_a_merchant_key() {
        let d = DetailKey::from_words(["amazon.es", "luxembourg"], 0);
        assert_eq!(d.as_str(), "≈amazon.es luxembourg");
        assert_eq!(d.words(), "amazon.es luxembourg");
        assert_eq!(AliasKey::parse(d.as_str()), AliasKey::Detail(d.words()));
        let m = MerchantKey::new("amazon");
        assert_eq!(AliasKey::parse(m.as_str()), AliasKey::Merchant("amazon"));
    }

    #[test]
    fn keys_serialize_as_their_stored_strings() {
        let d = DetailKey::from_words(["amazon.es"], 0);
        assert_eq!(serde_json::to_string(&d).unwrap(), "\"≈amazon.es\"");
        let back: DetailKey = serde_json::from_str("\"≈amazon.es\"").unwrap();
        assert_eq!(back, d);
        assert_eq!(
            serde_json::to_string(&MerchantKey::new("blue bottle")).unwrap(),
            "\"blue bottle\""
        );
        assert_eq!(
            format!("{:?}", MerchantKey::new("a\"b")),
            format!("{:?}", "a\"b")
        );
    }
}
