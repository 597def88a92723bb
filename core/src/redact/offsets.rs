//! Byte offsets into UTF-8 text as UTF-16 offsets, the unit JavaScript, Java and Kotlin strings
//! are indexed in.

/// Converts ascending byte offsets into `text` to UTF-16 offsets.
///
/// ```
/// use xspense::redact::Utf16Offsets;
/// let text = "café 4111";
/// let mut at = Utf16Offsets::new(text);
/// assert_eq!(at.at(text.find('4').unwrap()), 5); // é is 2 bytes but 1 UTF-16 unit
/// ```
#[derive(Debug, Clone)]
pub struct Utf16Offsets<'a> {
    text: &'a str,
    ascii: bool,
    byte: usize,
    units: usize,
}

impl<'a> Utf16Offsets<'a> {
    /// A converter for `text`.
    pub fn new(text: &'a str) -> Self {
        Utf16Offsets {
            text,
            ascii: text.is_ascii(),
            byte: 0,
            units: 0,
        }
    }

    /// The UTF-16 offset of byte offset `b`; cheapest with ascending `b`.
    pub fn at(&mut self, b: usize) -> u32 {
        if self.ascii {
            return b as u32;
        }
        if b < self.byte {
            self.byte = 0;
            self.units = 0;
        }
        let end = b.min(self.text.len());
        self.units += self
            .text
            .get(self.byte..end)
            .map_or(0, |s| s.encode_utf16().count());
        self.byte = end;
        self.units as u32
    }
}
