//! Byte offsets into UTF-8 text as the offsets other languages index strings by: UTF-16 units
//! (JavaScript, Java, Kotlin, Swift's `utf16` view) or characters (Python).

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
