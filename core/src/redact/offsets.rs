//! Byte offsets into UTF-8 text as the offsets other languages index strings by: UTF-16 units
//! (JavaScript, Java, Kotlin, Swift's `utf16` view) or characters (Python).

use super::{Finding, JsonFinding, Redacted, RedactedJson};

/// The unit a host language indexes strings in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OffsetUnit {
    /// UTF-16 code units (JavaScript, Java, Kotlin).
    Utf16,
    /// Unicode scalar values (Python).
    Char,
}

/// Converts ascending byte offsets into `text` to offsets in a host language's unit.
///
/// ```
/// use xspense::redact::TextOffsets;
/// let text = "café 😀 4111";
/// let b = text.find('4').unwrap();
/// assert_eq!(TextOffsets::utf16(text).at(b), 8); // é is 1 unit, 😀 is 2
/// assert_eq!(TextOffsets::chars(text).at(b), 7); // é and 😀 are 1 character each
/// ```
#[derive(Debug, Clone)]
pub struct TextOffsets<'a> {
    text: &'a str,
    unit: OffsetUnit,
    ascii: bool,
    byte: usize,
    units: usize,
}

impl<'a> TextOffsets<'a> {
    /// A converter for `text` counting in `unit`.
    pub fn new(text: &'a str, unit: OffsetUnit) -> Self {
        TextOffsets {
            text,
            unit,
            ascii: text.is_ascii(),
            byte: 0,
            units: 0,
        }
    }

    /// A converter counting UTF-16 code units.
    pub fn utf16(text: &'a str) -> Self {
        Self::new(text, OffsetUnit::Utf16)
    }

    /// A converter counting characters.
    pub fn chars(text: &'a str) -> Self {
        Self::new(text, OffsetUnit::Char)
    }

    /// The offset of byte offset `b`; cheapest with ascending `b`.
    pub fn at(&mut self, b: usize) -> usize {
        if self.ascii {
            return b;
        }
        if b < self.byte {
            self.byte = 0;
            self.units = 0;
        }
        let end = b.min(self.text.len());
        self.units += self
            .text
            .get(self.byte..end)
            .map_or(0, |s| match self.unit {
                OffsetUnit::Utf16 => s.encode_utf16().count(),
                OffsetUnit::Char => s.chars().count(),
            });
        self.byte = end;
        self.units
    }
}

/// Turns the byte offsets of findings in `text` into `unit` offsets, the form a binding hands
/// to its language.
pub fn reindex_findings(text: &str, findings: &mut [Finding], unit: OffsetUnit) {
    let mut at = TextOffsets::new(text, unit);
    for f in findings {
        f.start = at.at(f.start);
        f.end = at.at(f.end);
    }
}

impl Redacted {
    /// The same result with its findings' offsets into the input `text` in `unit`.
    ///
    /// ```
    /// use xspense::redact::{OffsetUnit, Redactor};
    /// let text = "café: ana@example.com";
    /// let out = Redactor::new().redact(text).in_offsets(text, OffsetUnit::Utf16);
    /// assert_eq!((out.findings[0].start, out.findings[0].end), (6, 21));
    /// ```
    pub fn in_offsets(mut self, text: &str, unit: OffsetUnit) -> Redacted {
        reindex_findings(text, &mut self.findings, unit);
        self
    }
}

impl RedactedJson {
    /// The same result with each finding's offsets into the string at its path of the input
    /// `value` in `unit` (a finding in a number keeps its offsets: number text is ASCII).
    pub fn in_offsets(mut self, value: &serde_json::Value, unit: OffsetUnit) -> RedactedJson {
        for JsonFinding { path, finding } in &mut self.findings {
            if let Some(s) = value.pointer(path).and_then(serde_json::Value::as_str) {
                reindex_findings(s, std::slice::from_mut(finding), unit);
            }
        }
        self
    }
}
