//! Bytes to text: byte order marks, UTF-8, UTF-16 without a mark, and legacy single-byte
//! encodings guessed by `chardetng` (Windows-1252, ISO-8859-15, Windows-1250, ...).

use std::borrow::Cow;

use encoding_rs::{Encoding, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};

use super::report::{Decided, DecidedBy};
use crate::error::{Error, Result};

/// The ISO-8859-15 euro sign's byte; in Windows-1252 the same byte is the rare `¤`.
const LATIN9_EURO: u8 = 0xA4;
/// Bytes sampled to tell UTF-16 without a byte order mark by its zero bytes.
const UTF16_SAMPLE: usize = 4096;

/// The decoded text and the name of its encoding.
pub(crate) struct Decoded<'a> {
    pub text: Cow<'a, str>,
    pub encoding: Decided<String>,
}

/// Decodes `bytes`, honouring `label` (a WHATWG encoding label) when given.
pub(crate) fn decode<'a>(bytes: &'a [u8], label: Option<&str>) -> Result<Decoded<'a>> {
    if let Some(label) = label {
        let enc = Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| Error::invalid(format!("unknown encoding {label:?} (--encoding)")))?;
        let name = enc.name().to_ascii_lowercase();
        return Ok(done(
            bytes,
            enc,
            Decided::new(name, DecidedBy::Hint, "the encoding hint"),
        ));
    }
    if let Some((enc, _)) = Encoding::for_bom(bytes) {
        let name = format!("{}-bom", enc.name().to_ascii_lowercase());
        return Ok(done(
            bytes,
            enc,
            Decided::new(name, DecidedBy::File, "byte order mark"),
        ));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        let by = Decided::new("utf-8".to_string(), DecidedBy::Values, "valid UTF-8");
        return Ok(Decoded {
            text: Cow::Borrowed(text),
            encoding: by,
        });
    }
    if let Some(enc) = utf16_without_bom(bytes) {
        let name = enc.name().to_ascii_lowercase();
        return Ok(done(
            bytes,
            enc,
            Decided::new(name, DecidedBy::Values, "zero bytes of UTF-16"),
        ));
    }
    if let Some(enc) = ofx_charset(bytes) {
        let name = enc.name().to_ascii_lowercase();
        return Ok(done(
            bytes,
            enc,
            Decided::new(name, DecidedBy::File, "the OFX CHARSET header"),
        ));
    }
    let enc = guess_legacy(bytes);
    let name = enc.name().to_ascii_lowercase();
    let by = Decided::new(name, DecidedBy::Values, "not UTF-8; guessed from the bytes");
    Ok(done(bytes, enc, by))
}

/// Bytes of an OFX 1.x header looked at for its `CHARSET`.
const OFX_HEADER: usize = 512;

/// The encoding an OFX 1.x header declares (`CHARSET:1252`).
fn ofx_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(OFX_HEADER)];
    let end = head
        .iter()
        .position(|b| !b.is_ascii())
        .unwrap_or(head.len());
    let text = std::str::from_utf8(&head[..end]).ok()?;
    if !text.trim_start().starts_with("OFXHEADER") {
        return None;
    }
    let value = text
        .lines()
        .find_map(|l| l.trim().strip_prefix("CHARSET:"))?
        .trim();
    match value {
        "1252" | "ISO-8859-1" | "8859-1" => Some(WINDOWS_1252),
        "NONE" | "" => None,
        other => Encoding::for_label(other.as_bytes()),
    }
}

/// The euro and pound signs of single-byte Western encodings next to digits (a pound sign
/// before digits, a euro sign before or after them): their bytes read as letters in Central
/// European encodings, so a detector seeing few other letters may pick those.
fn western_currency(bytes: &[u8]) -> Option<&'static Encoding> {
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let after_digit =
        |i: usize| i >= 1 && (digit(i - 1) || (i >= 2 && bytes[i - 1] == b' ' && digit(i - 2)));
    let mut found = None;
    for (i, b) in bytes.iter().enumerate() {
        match *b {
            0xA3 if digit(i + 1) => found = found.or(Some(WINDOWS_1252)),
            0x80 if after_digit(i) || digit(i + 1) => found = found.or(Some(WINDOWS_1252)),
            LATIN9_EURO if after_digit(i) || digit(i + 1) => return Some(encoding_rs::ISO_8859_15),
            _ => {}
        }
    }
    found
}

/// Decodes into a string grown as needed (a single `decode` call reserves three bytes per
/// input byte, which for a large export is most of the memory reading takes).
fn done<'a>(bytes: &'a [u8], enc: &'static Encoding, by: Decided<String>) -> Decoded<'a> {
    let mut decoder = enc.new_decoder_with_bom_removal();
    let mut out = String::with_capacity(bytes.len() + bytes.len() / GROWTH + MIN_GROWTH);
    let mut pos = 0;
    loop {
        let (result, read, _) = decoder.decode_to_string(&bytes[pos..], &mut out, true);
        pos += read;
        match result {
            encoding_rs::CoderResult::InputEmpty => break,
            encoding_rs::CoderResult::OutputFull => out.reserve(bytes.len() / GROWTH + MIN_GROWTH),
        }
    }
    Decoded {
        text: Cow::Owned(out),
        encoding: by,
    }
}

/// The decoded text grows by an eighth of the input at a time.
const GROWTH: usize = 8;
/// And by at least this many bytes.
const MIN_GROWTH: usize = 64;
/// Bytes the encoding detector reads (enough text for its letter statistics).
const DETECTOR_SAMPLE: usize = 1 << 20;

/// UTF-16 text without a byte order mark: most even (BE) or odd (LE) bytes are zero.
fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let sample = &bytes[..bytes.len().min(UTF16_SAMPLE)];
    if sample.len() < 4 {
        return None;
    }
    let zeros_at = |parity: usize| {
        sample
            .iter()
            .skip(parity)
            .step_by(2)
            .filter(|b| **b == 0)
            .count()
    };
    let half = sample.len() / 2;
    if zeros_at(1) * 10 > half * 9 {
        Some(UTF_16LE)
    } else if zeros_at(0) * 10 > half * 9 {
        Some(UTF_16BE)
    } else {
        None
    }
}

/// The single-byte encoding `chardetng` finds most likely; Windows-1252 text using byte A4 is
/// read as ISO-8859-15, whose A4 is the euro sign that exports print.
fn guess_legacy(bytes: &[u8]) -> &'static Encoding {
    let mut detector = chardetng::EncodingDetector::new();
    let sample = &bytes[..bytes.len().min(DETECTOR_SAMPLE)];
    detector.feed(sample, true);
    let enc = detector.guess(None, false);
    if enc == UTF_8 {
        return WINDOWS_1252;
    }
    if enc != WINDOWS_1252 {
        if let Some(western) = western_currency(bytes) {
            return western;
        }
    }
    if enc == WINDOWS_1252 && bytes.contains(&LATIN9_EURO) {
        return encoding_rs::ISO_8859_15;
    }
    enc
}
