//! The built-in detectors for numbers and addresses: payment cards, IBANs, SSNs, routing
//! numbers, phone numbers, IPv4/IPv6 and emails.
//!
//! One pass jumps from one digit or `@` to the next (clean prose costs a table lookup per
//! byte), reads the surrounding number cluster (digit groups joined by single spaces, dashes,
//! dots and parentheses) or address, and classifies it by shape before any checksum runs.

use std::borrow::Cow;

use super::kind::PiiKind;
use super::validate;

/// A candidate finding before context, allow-lists and overlap resolution.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Raw {
    pub kind: PiiKind,
    pub start: usize,
    pub end: usize,
    pub confidence: f64,
    pub detector: Cow<'static, str>,
}

/// Bytes that start a candidate: ASCII digits and `@`.
static INTERESTING: [bool; 256] = {
    let mut t = [false; 256];
    let mut c = b'0';
    while c <= b'9' {
        t[c as usize] = true;
        c += 1;
    }
    t[b'@' as usize] = true;
    t
};

fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b >= 0x80
}

fn is_hex_or_colon(b: u8) -> bool {
    b.is_ascii_hexdigit() || b == b':'
}

/// Which built-in kinds to look for.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Enabled {
    pub card: bool,
    pub iban: bool,
    pub ssn: bool,
    pub aba: bool,
    pub email: bool,
    pub phone: bool,
    pub ip: bool,
}

impl Enabled {
    fn any_number(&self) -> bool {
        self.card || self.iban || self.ssn || self.aba || self.phone || self.ip
    }
}

/// Appends every built-in candidate in `text` to `out`.
pub(crate) fn scan(text: &str, on: Enabled, out: &mut Vec<Raw>) {
    let b = text.as_bytes();
    let n = b.len();
    let mut i = 0;
    while i < n {
        while i < n && !INTERESTING[b[i] as usize] {
            i += 1;
        }
        if i >= n {
            break;
        }
        if b[i] == b'@' {
            if on.email {
                if let Some((s, e)) = email_at(b, i) {
                    out.push(Raw {
                        kind: PiiKind::Email,
                        start: s,
                        end: e,
                        confidence: 0.9,
                        detector: Cow::Borrowed("email"),
                    });
                    i = e;
                    continue;
                }
            }
            i += 1;
            continue;
        }
        i = if on.any_number() {
            number_at(text, i, on, out)
        } else {
            end_of_word(b, i)
        };
    }
}

fn end_of_word(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && is_word(b[i]) {
        i += 1;
    }
    i
}

/// Handles the digit at `i`; returns where scanning resumes (always past `i`).
fn number_at(text: &str, i: usize, on: Enabled, out: &mut Vec<Raw>) -> usize {
    let b = text.as_bytes();
    let mut ws = i;
    while ws > 0 && is_word(b[ws - 1]) {
        ws -= 1;
    }
    if on.ip {
        if let Some((s, e)) = ipv6_at(text, i) {
            out.push(Raw {
                kind: PiiKind::IpAddress,
                start: s,
                end: e,
                confidence: 0.85,
                detector: Cow::Borrowed("ipv6"),
            });
            return e;
        }
    }
    if on.iban && i - ws == 2 && b[ws].is_ascii_alphabetic() && b[ws + 1].is_ascii_alphabetic() {
        if let Some(e) = iban_at(b, ws) {
            out.push(Raw {
                kind: PiiKind::Iban,
                start: ws,
                end: e,
                confidence: 0.95,
                detector: Cow::Borrowed("iban"),
            });
            return e;
        }
    }
    if ws < i {
        // digits inside a word such as `abc123` or a hex id
        return end_of_word(b, i).max(i + 1);
    }
    if on.card {
        if let Some(raw) = separated_card_at(b, i) {
            let end = raw.end;
            out.push(raw);
            return end;
        }
    }
    let c = Cluster::read(b, i);
    if c.end < b.len() && is_word(b[c.end]) && !c.extension_follows(b) {
        return end_of_word(b, c.end).max(i + 1);
    }
    if let Some(raw) = classify(text, &c, on) {
        let end = raw.end;
        out.push(raw);
        return end.max(i + 1);
    }
    c.end.max(i + 1)
}

/// Most digits and groups a cluster records; longer runs are never one of the kinds.
const MAX_DIGITS: usize = 24;
const MAX_GROUPS: usize = 12;

/// Digit groups joined by single separators (space, `-`, `.`, `/`), with an optional leading
/// `+` and parentheses.
#[derive(Debug)]
struct Cluster {
    start: usize,
    end: usize,
    digits_buf: [u8; MAX_DIGITS],
    n_digits_kept: usize,
    groups_buf: [usize; MAX_GROUPS],
    n_groups: usize,
    /// separator before each group after the first (`)` for a closing parenthesis)
    seps_buf: [u8; MAX_GROUPS],
    total_digits: usize,
    plus: bool,
    paren: bool,
}

impl Cluster {
    fn read(b: &[u8], i: usize) -> Cluster {
        let n = b.len();
        let mut c = Cluster {
            start: i,
            end: i,
            digits_buf: [0; MAX_DIGITS],
            n_digits_kept: 0,
            groups_buf: [0; MAX_GROUPS],
            n_groups: 0,
            seps_buf: [0; MAX_GROUPS],
            total_digits: 0,
            plus: false,
            paren: false,
        };
        let mut open = false;
        if i >= 1 && b[i - 1] == b'(' {
            c.start = i - 1;
            open = true;
            c.paren = true;
        }
        if c.start >= 1 && b[c.start - 1] == b'+' {
            c.start -= 1;
            c.plus = true;
            // a country code in parentheses: `(+57) 604 184 73 21`
            if !open && c.start >= 1 && b[c.start - 1] == b'(' {
                c.start -= 1;
                open = true;
                c.paren = true;
            }
        }
        let mut j = i;
        loop {
            let g0 = j;
            while j < n && b[j].is_ascii_digit() {
                if c.n_digits_kept < MAX_DIGITS {
                    c.digits_buf[c.n_digits_kept] = b[j];
                    c.n_digits_kept += 1;
                }
                j += 1;
            }
            c.total_digits += j - g0;
            if c.n_groups < MAX_GROUPS {
                c.groups_buf[c.n_groups] = j - g0;
                c.n_groups += 1;
            }
            let mut k = j;
            let mut sep = 0u8;
            if open && k < n && b[k] == b')' {
                k += 1;
                open = false;
                c.paren = true;
                sep = b')';
            }
            if b.get(k) == Some(&b' ') && b.get(k + 1) == Some(&b'/') && b.get(k + 2) == Some(&b' ')
            {
                // `089 / 123 456 78`
                sep = b'/';
                k += 3;
            } else if k < n && matches!(b[k], b' ' | b'-' | b'.' | b'/') {
                sep = b[k];
                k += 1;
                // an area code closed by a slash and a space: `09/ 023 76 74`
                if sep == b'/' && k < n && b[k] == b' ' {
                    k += 1;
                }
            }
            if !open && k < n && b[k] == b'(' && k + 1 < n && b[k + 1].is_ascii_digit() {
                open = true;
                c.paren = true;
                if sep == 0 {
                    sep = b'(';
                }
                k += 1;
            }
            if sep != 0 && k < n && b[k].is_ascii_digit() {
                if c.n_groups < MAX_GROUPS {
                    c.seps_buf[c.n_groups - 1] = sep;
                }
                j = k;
                continue;
            }
            // a closing parenthesis right after the last group belongs to the cluster
            if open && j < n && b[j] == b')' {
                j += 1;
            }
            break;
        }
        c.end = j;
        c
    }

    /// The digits (all of them when there are at most [`MAX_DIGITS`]).
    fn digits(&self) -> &str {
        std::str::from_utf8(&self.digits_buf[..self.n_digits_kept]).unwrap_or_default()
    }

    fn groups(&self) -> &[usize] {
        &self.groups_buf[..self.n_groups]
    }

    fn seps(&self) -> &[u8] {
        &self.seps_buf[..self.n_groups.saturating_sub(1)]
    }

    fn n_digits(&self) -> usize {
        self.total_digits
    }

    fn same_sep(&self, allowed: &[u8]) -> Option<u8> {
        let seps = self.seps();
        let first = *seps.first()?;
        (allowed.contains(&first) && seps.iter().all(|&s| s == first)).then_some(first)
    }

    fn extension_follows(&self, b: &[u8]) -> bool {
        extension_end(b, self.end).is_some()
    }
}

/// End of a phone extension (`x123`, ` x 123`, `ext. 123`) starting at `i`.
fn extension_end(b: &[u8], i: usize) -> Option<usize> {
    let mut k = i;
    if k < b.len() && b[k] == b' ' {
        k += 1;
    }
    let rest = &b[k.min(b.len())..];
    let skip = if rest.len() >= 4 && rest[..4].eq_ignore_ascii_case(b"ext.") {
        4
    } else if rest.len() >= 3 && rest[..3].eq_ignore_ascii_case(b"ext") {
        3
    } else if !rest.is_empty() && (rest[0] == b'x' || rest[0] == b'X') {
        1
    } else {
        return None;
    };
    k += skip;
    if k < b.len() && b[k] == b' ' {
        k += 1;
    }
    let d0 = k;
    while k < b.len() && b[k].is_ascii_digit() && k - d0 < 6 {
        k += 1;
    }
    let ok = k > d0 && (k >= b.len() || !is_word(b[k]));
    ok.then_some(k)
}

fn classify(text: &str, c: &Cluster, on: Enabled) -> Option<Raw> {
    let b = text.as_bytes();
    let nd = c.n_digits();
    let raw = |kind, confidence, detector: &'static str| Raw {
        kind,
        start: c.start,
        end: c.end,
        confidence,
        detector: Cow::Borrowed(detector),
    };
    let plain = c.groups().len() == 1 && !c.plus && !c.paren;
    // IPv4: four dotted groups of at most three digits, each at most 255.
    if c.groups().len() == 4 && c.same_sep(b".").is_some() && !c.plus && !c.paren {
        let ok = c.groups().iter().all(|&g| (1..=3).contains(&g)) && {
            let mut at = 0;
            c.groups().iter().all(|&g| {
                let v: u32 = c.digits()[at..at + g].parse().unwrap_or(999);
                at += g;
                v <= 255
            })
        };
        let chained = c.end < b.len() && b[c.end] == b'.' && next_is_digit(b, c.end + 1);
        // loopback and unspecified addresses say nothing about a person
        let special = (c.digits().starts_with("127") && c.groups()[0] == 3) || c.digits() == "0000";
        if ok && on.ip && !chained && !special {
            return Some(raw(PiiKind::IpAddress, 0.85, "ipv4"));
        }
        // dotted quads that are not addresses (versions, OIDs, 256.1.1.1) are not phones either
        return None;
    }
    if is_date(c) {
        return None;
    }
    // Payment cards: 12-19 digits, ungrouped or in groups of 3-6 with one separator.
    if on.card && (12..=19).contains(&nd) && !c.plus && !c.paren {
        let shape_ok = plain
            || (c.same_sep(b" -").is_some() && c.groups().iter().all(|&g| (3..=6).contains(&g)));
        if shape_ok && validate::luhn(c.digits()) && validate::card_network_known(c.digits()) {
            let base = if plain {
                CARD_PLAIN_CONFIDENCE
            } else {
                CARD_GROUPED_CONFIDENCE
            };
            return Some(raw(
                PiiKind::CreditCard,
                card_confidence(b, c.start, base),
                "card",
            ));
        }
    }
    if nd == 9 && !c.plus && !c.paren {
        // SSN printed as 3-2-4
        if c.groups() == [3, 2, 4] && c.same_sep(b"- ").is_some() {
            if on.ssn && validate::ssn(c.digits()) {
                let base = if c.seps()[0] == b'-' { 0.85 } else { 0.7 };
                let conf = base + 0.15 * f64::from(u8::from(context(b, c.start, SSN_WORDS)));
                return Some(raw(PiiKind::UsSsn, conf.min(1.0), "ssn"));
            }
            return None;
        }
        // Routing number printed as 4-4-1
        if c.groups() == [4, 4, 1] && c.same_sep(b"-").is_some() {
            if on.aba && validate::aba_routing(c.digits()) {
                let conf = 0.6 + 0.3 * f64::from(u8::from(context(b, c.start, ABA_WORDS)));
                return Some(raw(PiiKind::AbaRouting, conf, "aba_routing"));
            }
            return None;
        }
        if plain {
            // Nine bare digits are only sensitive with a word that says so nearby: a routing
            // number, an SSN or a phone number, whichever its words make likeliest.
            let id = if on.aba && validate::aba_routing(c.digits()) {
                let conf = 0.4 + 0.5 * f64::from(u8::from(context(b, c.start, ABA_WORDS)));
                Some(raw(PiiKind::AbaRouting, conf, "aba_routing"))
            } else if on.ssn && validate::ssn(c.digits()) {
                let conf = 0.3 + 0.55 * f64::from(u8::from(context(b, c.start, SSN_WORDS)));
                Some(raw(PiiKind::UsSsn, conf, "ssn"))
            } else {
                None
            };
            let phone = if on.phone { phone(text, c) } else { None };
            return match (id, phone) {
                (Some(id), Some(phone)) if phone.confidence > id.confidence => Some(phone),
                (Some(id), _) => Some(id),
                (None, phone) => phone,
            };
        }
    }
    if on.phone {
        return phone(text, c);
    }
    None
}

/// Confidence of a card number printed as one run of digits.
const CARD_PLAIN_CONFIDENCE: f64 = 0.85;
/// Confidence of a card number printed in digit groups.
const CARD_GROUPED_CONFIDENCE: f64 = 0.9;
/// Added when a word such as `card` or `visa` comes before the number.
const CARD_CONTEXT_BOOST: f64 = 0.1;

fn card_confidence(b: &[u8], start: usize, base: f64) -> f64 {
    let boost = if context(b, start, CARD_WORDS) {
        CARD_CONTEXT_BOOST
    } else {
        0.0
    };
    (base + boost).min(1.0)
}

/// Whether `b` joins a card number's groups but no other number the scanner reads
/// (`4111.1111.1111.1111`, `4111_1111_1111_1111`, tab-separated groups).
fn is_card_only_separator(b: u8) -> bool {
    matches!(b, b'.' | b'_' | b'\t')
}
/// Digits in each group of a card number printed in groups of four.
const CARD_GROUP: usize = 4;
/// Most groups of a card number: four of four digits and the rest of a 19-digit number.
const MAX_CARD_GROUPS: usize = 5;
/// American Express (4-6-5) and Diners Club (4-6-4) groupings.
const CARD_WIDE_GROUPINGS: &[&[usize]] = &[&[4, 6, 5], &[4, 6, 4]];

/// A card number whose groups are joined by a [card-only separator](is_card_only_separator),
/// starting at the
/// digit `i`: groups of four (the last may be shorter) or the Amex and Diners groupings, with
/// the Luhn and issuer checks. A longer chain of such groups (a version or an OID) is not one.
fn separated_card_at(b: &[u8], i: usize) -> Option<Raw> {
    let sep = *b.get(i + CARD_GROUP)?;
    if !is_card_only_separator(sep) || !b[i..i + CARD_GROUP].iter().all(u8::is_ascii_digit) {
        return None;
    }
    if i >= 2 && b[i - 1] == sep && b[i - 2].is_ascii_digit() {
        return None;
    }
    let mut digits = [0u8; MAX_DIGITS];
    let mut n_digits = 0;
    let mut groups = [0usize; MAX_CARD_GROUPS + 1];
    let mut n_groups = 0;
    let mut j = i;
    loop {
        let g0 = j;
        while j < b.len() && b[j].is_ascii_digit() && n_digits < MAX_DIGITS {
            digits[n_digits] = b[j];
            n_digits += 1;
            j += 1;
        }
        groups[n_groups] = j - g0;
        n_groups += 1;
        let more = j + 1 < b.len() && b[j] == sep && b[j + 1].is_ascii_digit();
        if !more || n_groups > MAX_CARD_GROUPS {
            break;
        }
        j += 1;
    }
    let groups = &groups[..n_groups];
    let followed = j < b.len() && (is_word(b[j]) || (b[j] == sep && next_is_digit(b, j + 1)));
    if followed || !card_grouping(groups) {
        return None;
    }
    let digits = std::str::from_utf8(&digits[..n_digits]).ok()?;
    if !(validate::luhn(digits) && validate::card_network_known(digits)) {
        return None;
    }
    Some(Raw {
        kind: PiiKind::CreditCard,
        start: i,
        end: j,
        confidence: card_confidence(b, i, CARD_GROUPED_CONFIDENCE),
        detector: Cow::Borrowed("card"),
    })
}

/// Whether digit groups are printed the way card numbers are: fours (the last group of a
/// 13-19 digit number may be shorter) or an Amex/Diners grouping.
fn card_grouping(groups: &[usize]) -> bool {
    let total: usize = groups.iter().sum();
    let Some((last, head)) = groups.split_last() else {
        return false;
    };
    let fours = head.len() >= 3
        && head.iter().all(|&g| g == CARD_GROUP)
        && (1..=CARD_GROUP).contains(last)
        && (13..=19).contains(&total);
    fours || CARD_WIDE_GROUPINGS.contains(&groups)
}

fn next_is_digit(b: &[u8], i: usize) -> bool {
    i < b.len() && b[i].is_ascii_digit()
}

/// Dates such as 2026-11-22, 22.11.2026 or 11/22/26 printed with dashes, dots or spaces.
fn is_date(c: &Cluster) -> bool {
    if c.groups().len() < 3
        || c.seps().len() < 2
        || c.seps()[0] != c.seps()[1]
        || c.seps()[0] == b')'
    {
        return false;
    }
    let num = |k: usize| -> u32 {
        let at: usize = c.groups()[..k].iter().sum();
        c.digits()
            .get(at..at + c.groups()[k])
            .and_then(|s| s.parse().ok())
            .unwrap_or(0)
    };
    let (g0, g1, g2) = (c.groups()[0], c.groups()[1], c.groups()[2]);
    let month = |m: u32| (1..=12).contains(&m);
    let day = |d: u32| (1..=31).contains(&d);
    let year = |y: u32| (1900..=2099).contains(&y);
    if (g0, g1, g2) == (4, 2, 2) {
        return year(num(0)) && month(num(1)) && day(num(2));
    }
    if (g0, g1) == (2, 2) && (g2 == 4 || (g2 == 2 && c.groups().len() == 3)) {
        let y_ok = g2 == 2 || year(num(2));
        return y_ok && ((day(num(0)) && month(num(1))) || (month(num(0)) && day(num(1))));
    }
    false
}

/// Fewest and most digits of a phone number (E.164 allows 15).
const PHONE_DIGITS: std::ops::RangeInclusive<usize> = 7..=15;
/// Longest digit group of a national number; after `+` or an area code in parentheses the
/// subscriber number may be printed in one run (`+91 1129275436`).
const MAX_PHONE_GROUP: usize = 8;
const MAX_PHONE_GROUP_AFTER_CODE: usize = 12;
/// Fewest digits of a number with a slash after its area code (`05/662 6689`), and of its
/// subscriber part after the slash (a year range such as `2024/2025` has four).
const MIN_SLASHED_PHONE_DIGITS: usize = 8;
const MIN_DIGITS_AFTER_SLASH: usize = 6;
/// Confidences of the [`PhoneShape`]s before context words.
const PHONE_INTERNATIONAL: f64 = 0.75;
const PHONE_DISTINCT_SHAPE: f64 = 0.7;
const PHONE_GROUPED: f64 = 0.45;
const PHONE_SLASHED: f64 = 0.3;
const PHONE_BARE_LONG: f64 = 0.3;
const PHONE_ODD: f64 = 0.25;

/// What a number's shape says about it being a phone number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PhoneShape {
    /// `+` and at least eight digits
    International,
    /// a shape only phone numbers have: area code in parentheses, North American, UK trunk
    Distinct,
    /// other digit groups, which other numbers share (`824 753 557`)
    Grouped,
    /// an area code closed by a slash (`05/662 6689`)
    Slashed,
    /// a bare run of ten or more digits
    BareLong,
    /// a bare run of seven to nine digits, or groups with an odd one-digit group; only right
    /// next to a phone word
    Odd,
}

impl PhoneShape {
    fn confidence(self) -> f64 {
        match self {
            PhoneShape::International => PHONE_INTERNATIONAL,
            PhoneShape::Distinct => PHONE_DISTINCT_SHAPE,
            PhoneShape::Grouped => PHONE_GROUPED,
            PhoneShape::Slashed => PHONE_SLASHED,
            PhoneShape::BareLong => PHONE_BARE_LONG,
            PhoneShape::Odd => PHONE_ODD,
        }
    }

    /// Whether a phone word counts only right next to the number: in a descriptor such as
    /// `Sky Mobile Ltd ref 4471 2002` the word names the merchant, not the number.
    fn needs_word_next_to(self) -> bool {
        matches!(
            self,
            PhoneShape::Grouped | PhoneShape::Slashed | PhoneShape::Odd
        )
    }
}

/// Added for a phone word nearby, taken off for a money, order or account word before, or a
/// street name after (a house number).
const PHONE_CONTEXT_BOOST: f64 = 0.3;
const PHONE_CONTEXT_PENALTY: f64 = 0.3;
/// Fewest digits of an international number.
const MIN_INTERNATIONAL_DIGITS: usize = 8;
/// Fewest digits of a bare run that is a phone number without a phone word right next to it.
const MIN_BARE_PHONE_DIGITS: usize = 10;

/// Phone numbers: international (`+44 20 7946 0958`, `(+57) 604 184 73 21`), with an area
/// code in parentheses (`(555) 555-0100`), North American (`415-555-0132`), or other national
/// digit groups with a trunk `0` or `8` (`07700 900 123`, `01.84.17.61.18`, `0 4744 8418`,
/// `8 178 487 38 87`, `06-76/854 0620`). A bare run of ten or more digits needs a word such as
/// `phone`, `call` or `fax` nearby; shapes that other numbers share (`824 753 557`, a bare run
/// of seven to nine digits) need one right next to them (`Desk: 45491623`, `1853692 office`,
/// `call me on 51 516 33 75`).
fn phone(text: &str, c: &Cluster) -> Option<Raw> {
    let b = text.as_bytes();
    let nd = c.n_digits();
    if !PHONE_DIGITS.contains(&nd) || iban_like_before(b, c.start) {
        return None;
    }
    let end = extension_end(b, c.end).unwrap_or(c.end);
    let shape = if c.groups().len() == 1 {
        bare_phone_shape(b, c, end)?
    } else {
        grouped_phone_shape(b, c)?
    };
    let mut conf = shape.confidence();
    let phone_word = if shape.needs_word_next_to() {
        phone_word_next_to(b, c.start, end)
    } else {
        context(b, c.start, PHONE_WORDS) || context_after(b, end, PHONE_WORDS)
    };
    if phone_word {
        conf += PHONE_CONTEXT_BOOST;
    }
    if context(b, c.start, NOT_PHONE_WORDS) {
        conf -= PHONE_CONTEXT_PENALTY;
    }
    if !c.plus && !c.paren && context_after(b, end, STREET_WORDS) {
        conf -= PHONE_CONTEXT_PENALTY;
    }
    Some(Raw {
        kind: PiiKind::Phone,
        start: c.start,
        end,
        confidence: conf.clamp(0.0, 1.0),
        detector: Cow::Borrowed("phone"),
    })
}

/// The shape of one run of digits, if it can be a phone number.
fn bare_phone_shape(b: &[u8], c: &Cluster, end: usize) -> Option<PhoneShape> {
    let nd = c.n_digits();
    if c.plus && nd >= MIN_INTERNATIONAL_DIGITS {
        Some(PhoneShape::International)
    } else if nd >= MIN_BARE_PHONE_DIGITS {
        Some(PhoneShape::BareLong)
    } else if !c.plus && !c.paren && phone_word_next_to(b, c.start, end) {
        Some(PhoneShape::Odd)
    } else {
        None
    }
}

/// The shape of digit groups, if they can be a phone number.
fn grouped_phone_shape(b: &[u8], c: &Cluster) -> Option<PhoneShape> {
    let groups = c.groups();
    let nd = c.n_digits();
    let first_digit = c.digits().as_bytes()[0];
    // every group has at least two digits, except a country code after `+` and a one-digit
    // area code after it, a leading `1` (North America), a trunk `0`, a Russian trunk `8`
    // before ten digits, or a trunk `(0)`
    let slash_after = |k: usize| c.seps().get(k) == Some(&b'/');
    let short_ok = |k: usize| {
        (k == 0 && (c.plus || first_digit == b'1' || first_digit == b'0'))
            || (k == 0 && first_digit == b'8' && nd == 11)
            || (k == 1 && (c.plus || slash_after(k)))
            || c.paren
    };
    let short_groups = groups
        .iter()
        .enumerate()
        .filter(|&(k, &g)| g < 2 && !short_ok(k))
        .count();
    // one odd one-digit group between spaces (`963 0 747`) only right next to a phone word
    let inner_ok = short_groups == 0;
    let spaced = c.seps().iter().all(|&s| s == b' ');
    if short_groups == 1 && groups.len() >= 3 && spaced && phone_word_next_to(b, c.start, c.end) {
        return Some(PhoneShape::Odd);
    }
    let longest = if c.plus || c.paren {
        MAX_PHONE_GROUP_AFTER_CODE
    } else {
        MAX_PHONE_GROUP
    };
    if !inner_ok || groups.iter().any(|&g| g > longest) {
        return None;
    }
    let dots_only = c.seps().iter().all(|&s| s == b'.');
    if dots_only && groups.len() == 2 {
        return None; // a decimal number
    }
    let slashes = c.seps().iter().filter(|&&s| s == b'/').count();
    if slashes > 0 && !slashed_area_code(c) {
        return None; // fractions, dates, invoice numbers
    }
    if groups.len() == 2 && !c.plus && !c.paren {
        let (a, z) = (groups[0], groups[1]);
        if !((2..=6).contains(&a) && z >= 4) {
            return None;
        }
    }
    // thousands groups are amounts when dotted without a country code (12.345.678) or next
    // to money words (1 234 567 EUR)
    let thousands = (1..=3).contains(&groups[0]) && groups[1..].iter().all(|&g| g == 3);
    let dotted_amount = dots_only && !c.plus && !c.paren;
    if thousands && (dotted_amount || context(b, c.start, MONEY_WORDS)) {
        return None;
    }
    Some(if c.plus && nd >= MIN_INTERNATIONAL_DIGITS {
        PhoneShape::International
    } else if slashes > 0 {
        PhoneShape::Slashed
    } else if c.paren || nanp(c) || uk(c) {
        PhoneShape::Distinct
    } else {
        PhoneShape::Grouped
    })
}

/// One slash, right after an area code of two to five digits (one to five after a trunk
/// group), with at least [`MIN_SLASHED_PHONE_DIGITS`] digits in all and
/// [`MIN_DIGITS_AFTER_SLASH`] after the slash: `05/662 6689`,
/// `06-76/854 0620`, `0662/96596536`, `(06)05/227-3933`.
fn slashed_area_code(c: &Cluster) -> bool {
    let seps = c.seps();
    let Some(at) = seps.iter().position(|&s| s == b'/') else {
        return false;
    };
    let once = seps.iter().filter(|&&s| s == b'/').count() == 1;
    // after a trunk group the area code may have one digit (`06-7/269 8829`)
    let shortest = if at == 0 { 2 } else { 1 };
    let after: usize = c.groups()[at + 1..].iter().sum();
    once && at <= 1
        && (shortest..=5).contains(&c.groups()[at])
        && c.n_digits() >= MIN_SLASHED_PHONE_DIGITS
        && after >= MIN_DIGITS_AFTER_SLASH
}

/// A North American number: 3-3-4 digits (after an optional leading 1) with an area code
/// and exchange that start with 2-9.
fn nanp(c: &Cluster) -> bool {
    let (groups, digits) = if c.groups().first() == Some(&1) && c.digits().starts_with('1') {
        (&c.groups()[1..], &c.digits()[1..])
    } else {
        (c.groups(), c.digits())
    };
    groups == [3, 3, 4] && digits.as_bytes()[0] >= b'2' && digits.as_bytes()[3] >= b'2'
}

/// A UK number with its trunk 0: `07700 900123`, `07700 900 123`, `020 7946 0958`,
/// `0161 496 0000`.
fn uk(c: &Cluster) -> bool {
    let nd = c.n_digits();
    c.digits().starts_with('0')
        && !c.digits().starts_with("00")
        && (10..=11).contains(&nd)
        && matches!(
            c.groups(),
            [5, 6] | [5, 3, 3] | [3, 4, 4] | [4, 3, 4] | [4, 6] | [4, 3, 3]
        )
}

/// Whether the cluster continues an IBAN-like run (`DE89 3704 ...`): the tokens before it are
/// groups of four letters and digits back to a country-and-check-digits head.
fn iban_like_before(b: &[u8], start: usize) -> bool {
    let mut at = start;
    for _ in 0..8 {
        if at < 5 || !matches!(b[at - 1], b' ' | b'-') {
            return false;
        }
        let token = &b[at - 5..at - 1];
        if !token.iter().all(u8::is_ascii_alphanumeric) || (at >= 6 && is_word(b[at - 6])) {
            return false;
        }
        if token[0].is_ascii_alphabetic()
            && token[1].is_ascii_alphabetic()
            && token[2].is_ascii_digit()
            && token[3].is_ascii_digit()
        {
            return true;
        }
        at -= 5;
    }
    false
}

const CARD_WORDS: &[&str] = &[
    "card",
    "visa",
    "mastercard",
    "amex",
    "pan",
    "cc",
    "credit",
    "debit",
];
const SSN_WORDS: &[&str] = &[
    "ssn",
    "social security",
    "social sec",
    "ss#",
    "ss #",
    "tax id",
    "taxpayer",
];
const ABA_WORDS: &[&str] = &["routing", "aba", "rtn", "transit", "bank"];
const PHONE_WORDS: &[&str] = &[
    "phone",
    "telephone",
    "telefon",
    "telefono",
    "tel",
    "call",
    "mobile",
    "cell",
    "fax",
    "sms",
    "text me",
    "whatsapp",
    "contact",
    "desk",
    "office",
    "landline",
    "message",
    "answering",
    "reach me",
    "dial",
    "ring",
];
const MONEY_WORDS: &[&str] = &[
    "$", "€", "£", "usd", "eur", "gbp", "amount", "total", "balance", "price",
];
/// Phone words that may stand right before or after a bare run of digits.
const PHONE_WORDS_NEXT_TO: &[&str] = &[
    "phone",
    "telephone",
    "telefon",
    "telefono",
    "tel",
    "call",
    "mobile",
    "mob",
    "cell",
    "fax",
    "sms",
    "text",
    "whatsapp",
    "contact",
    "desk",
    "office",
    "landline",
    "message",
    "answering",
    "reach",
    "dial",
    "hotline",
];
/// Words that may stand between a phone word and the number (`call me on`, `my registered`).
const PHONE_FILLER_WORDS: &[&str] = &[
    "at",
    "on",
    "to",
    "me",
    "my",
    "us",
    "our",
    "is",
    "no",
    "nr",
    "number",
    "registered",
    "the",
    "via",
    "or",
    "and",
    "your",
    "his",
    "her",
    "their",
    "work",
    "home",
    "private",
    "direct",
    "main",
    "business",
    "personal",
    "new",
    "please",
    "under",
];
/// Most words looked at before a bare run of digits for a phone word.
const WORDS_BEFORE_BARE_PHONE: usize = 5;
/// Bytes looked at after a bare run of digits for a phone word (`1853692 office`,
/// `48529276-Office`).
const BYTES_AFTER_BARE_PHONE: usize = 3;
/// Words after a number that make it a house number (`17031 2202 Rissik St`).
const STREET_WORDS: &[&str] = &[
    "st", "street", "rd", "road", "ave", "avenue", "blvd", "lane", "ln", "drive", "dr", "way",
    "strasse", "rue", "via", "calle", "apt", "suite",
];
const NOT_PHONE_WORDS: &[&str] = &[
    "amount", "total", "balance", "price", "order", "invoice", "tracking", "card", "account", "$",
    "€", "£", "version", "build",
];

/// Whether a phone word stands right before `start` (only filler words such as `me on`
/// between) or right after `end`.
fn phone_word_next_to(b: &[u8], start: usize, end: usize) -> bool {
    let after = &b[end..];
    let skip = after
        .iter()
        .take(BYTES_AFTER_BARE_PHONE)
        .take_while(|&&c| !c.is_ascii_alphanumeric() && c != b'\n')
        .count();
    let rest = &after[skip..];
    let word_after = &rest[..rest.iter().take_while(|c| c.is_ascii_alphabetic()).count()];
    if is_one_of(word_after, PHONE_WORDS_NEXT_TO) {
        return true;
    }
    let mut at = start;
    for _ in 0..WORDS_BEFORE_BARE_PHONE {
        while at > 0 && !b[at - 1].is_ascii_alphanumeric() && b[at - 1] != b'\n' {
            at -= 1;
        }
        if at > 0 && b[at - 1] == b'\n' {
            // a label on the line before: `Phone:\n51 516 33 75`
            while at > 0 && b[at - 1].is_ascii_whitespace() {
                at -= 1;
            }
            return at > 0 && b[at - 1] == b':' && label_before(b, at - 1);
        }
        let w_end = at;
        while at > 0 && b[at - 1].is_ascii_alphabetic() {
            at -= 1;
        }
        if at == w_end || (at > 0 && b[at - 1].is_ascii_digit()) {
            return false; // a number or the start of the text
        }
        let word = &b[at..w_end];
        if is_one_of(word, PHONE_WORDS_NEXT_TO) {
            return true;
        }
        if !is_one_of(word, PHONE_FILLER_WORDS) {
            return false;
        }
    }
    false
}

/// Whether the word before the colon at `colon` is a phone word.
fn label_before(b: &[u8], colon: usize) -> bool {
    let mut at = colon;
    while at > 0 && b[at - 1].is_ascii_alphabetic() {
        at -= 1;
    }
    is_one_of(&b[at..colon], PHONE_WORDS_NEXT_TO)
}

/// Whether `word` is one of the lower-case `words` or the plural of one, in any case.
fn is_one_of(word: &[u8], words: &[&str]) -> bool {
    let singular = word
        .strip_suffix(b"s")
        .or_else(|| word.strip_suffix(b"S"))
        .unwrap_or(word);
    words.iter().any(|w| {
        w.as_bytes().eq_ignore_ascii_case(word) || w.as_bytes().eq_ignore_ascii_case(singular)
    })
}

/// Whether one of `words` occurs (case-insensitively, as a word or its plural) in the 40
/// bytes before `start`.
fn context(b: &[u8], start: usize, words: &[&str]) -> bool {
    has_word(&b[start.saturating_sub(40)..start], words)
}

/// Whether one of `words` occurs in the 16 bytes after `end`, on the same line (a word on the
/// next line labels what follows it).
fn context_after(b: &[u8], end: usize, words: &[&str]) -> bool {
    let window = &b[end..(end + 16).min(b.len())];
    let line = window.split(|&c| c == b'\n').next().unwrap_or_default();
    has_word(line, words)
}

fn has_word(window: &[u8], words: &[&str]) -> bool {
    let window = window.to_ascii_lowercase();
    let letter = |i: usize| window.get(i).is_some_and(u8::is_ascii_alphabetic);
    words.iter().any(|w| {
        let w = w.as_bytes();
        let alpha = w.iter().all(u8::is_ascii_alphabetic);
        window.windows(w.len()).enumerate().any(|(i, x)| {
            if x != w {
                return false;
            }
            if !alpha {
                return true;
            }
            let end = i + w.len();
            let before_ok = i == 0 || !letter(i - 1);
            let after_ok = !letter(end) || (window[end] == b's' && !letter(end + 1));
            before_ok && after_ok
        })
    })
}

/// An IPv6 address in the run of hex digits and colons around the digit at `i`.
fn ipv6_at(text: &str, i: usize) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut s = i;
    while s > 0 && is_hex_or_colon(b[s - 1]) {
        s -= 1;
    }
    let mut e = i;
    while e < b.len() && (is_hex_or_colon(b[e]) || b[e] == b'.') {
        e += 1;
    }
    while e > s && b[e - 1] == b'.' {
        e -= 1;
    }
    let run = &text[s..e];
    let colons = run.bytes().filter(|&c| c == b':').count();
    if colons < 2 {
        return None;
    }
    // A word character right before or after means an identifier, not an address.
    if (s > 0 && is_word(b[s - 1])) || (e < b.len() && is_word(b[e])) {
        return None;
    }
    let trimmed_end = if run.ends_with(':') && !run.ends_with("::") {
        e - 1
    } else {
        e
    };
    let candidate = &text[s..trimmed_end];
    let addr: std::net::Ipv6Addr = candidate.parse().ok()?;
    let hex_digits = candidate.bytes().filter(u8::is_ascii_hexdigit).count();
    let full = colons >= 7;
    let compressed = candidate.contains("::") && hex_digits >= 4;
    ((full || compressed) && !addr.is_unspecified()).then_some((s, trimmed_end))
}

/// An IBAN starting at `s` (two letters then two digits), compact or in groups of four
/// separated by single spaces. Returns its end.
fn iban_at(b: &[u8], s: usize) -> Option<usize> {
    if s > 0 && is_word(b[s - 1]) {
        return None;
    }
    let country = [b[s].to_ascii_uppercase(), b[s + 1].to_ascii_uppercase()];
    let len = validate::iban_length(std::str::from_utf8(&country).ok()?)?;
    let mut compact = String::with_capacity(len);
    let mut j = s;
    let mut end = s;
    while j < b.len() && compact.len() < len {
        let ch = b[j];
        if ch.is_ascii_alphanumeric() {
            compact.push(ch as char);
            j += 1;
            end = j;
        } else if (ch == b' ' || ch == b'-')
            && j + 1 < b.len()
            && b[j + 1].is_ascii_alphanumeric()
            && compact.len() % 4 == 0
        {
            j += 1;
        } else {
            break;
        }
    }
    if compact.len() != len || (end < b.len() && is_word(b[end])) {
        return None;
    }
    // printed IBANs are all upper or all lower case
    let upper = compact.bytes().any(|c| c.is_ascii_uppercase());
    let lower = compact.bytes().any(|c| c.is_ascii_lowercase());
    if upper && lower {
        return None;
    }
    validate::iban(&compact).then_some(end)
}

/// An email address around the `@` at `at`.
fn email_at(b: &[u8], at: usize) -> Option<(usize, usize)> {
    let local = |c: u8| c.is_ascii_alphanumeric() || b"._%+-'".contains(&c);
    let mut s = at;
    while s > 0 && local(b[s - 1]) && at - s < 64 {
        s -= 1;
    }
    while s < at && (b[s] == b'.' || b[s] == b'\'') {
        s += 1;
    }
    if s == at {
        return None;
    }
    // `scheme://user:password@host` is a URL with credentials, not an email address
    if s > 0 && b[s - 1] == b':' {
        return None;
    }
    let domain = |c: u8| c.is_ascii_alphanumeric() || c == b'-' || c == b'.';
    let mut e = at + 1;
    while e < b.len() && domain(b[e]) && e - at < 255 {
        e += 1;
    }
    while e > at + 1 && (b[e - 1] == b'.' || b[e - 1] == b'-') {
        e -= 1;
    }
    let dom = &b[at + 1..e];
    let labels: Vec<&[u8]> = dom.split(|&c| c == b'.').collect();
    if labels.len() < 2 || labels.iter().any(|l| l.is_empty()) {
        return None;
    }
    let tld = labels[labels.len() - 1];
    (tld.len() >= 2 && tld.iter().all(u8::is_ascii_alphabetic)).then_some((s, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: Enabled = Enabled {
        card: true,
        iban: true,
        ssn: true,
        aba: true,
        email: true,
        phone: true,
        ip: true,
    };

    fn found(text: &str) -> Vec<(String, &str)> {
        let mut out = Vec::new();
        scan(text, ALL, &mut out);
        out.into_iter()
            .filter(|r| r.confidence >= 0.5)
            .map(|r| (r.kind.as_str().to_string(), &text[r.start..r.end]))
            .collect()
    }

    #[test]
    fn finds_each_kind_with_its_exact_span() {
        let cases = [
            (
                "card 4111 1111 1111 1111 ok",
                "CREDIT_CARD",
                "4111 1111 1111 1111",
            ),
            ("pan=4111111111111111;", "CREDIT_CARD", "4111111111111111"),
            (
                "iban DE89 3704 0044 0532 0130 00.",
                "IBAN_CODE",
                "DE89 3704 0044 0532 0130 00",
            ),
            (
                "my iban is gb82west12345698765432",
                "IBAN_CODE",
                "gb82west12345698765432",
            ),
            ("SSN: 588-46-6702", "US_SSN", "588-46-6702"),
            (
                "routing number 121000358",
                "ABA_ROUTING_NUMBER",
                "121000358",
            ),
            (
                "mail ana.b+x@mail.example.co.uk!",
                "EMAIL_ADDRESS",
                "ana.b+x@mail.example.co.uk",
            ),
            ("call (579)888-3058 now", "PHONE_NUMBER", "(579)888-3058"),
            (
                "Desk: +1-903-140-4508x769\n",
                "PHONE_NUMBER",
                "+1-903-140-4508x769",
            ),
            (
                "+46 (0)8 928 571 38 fax",
                "PHONE_NUMBER",
                "+46 (0)8 928 571 38",
            ),
            (
                "call me on 01.84.17.61.18?",
                "PHONE_NUMBER",
                "01.84.17.61.18",
            ),
            ("Phone:\n51 516 33 75\n", "PHONE_NUMBER", "51 516 33 75"),
            ("416 60 039 office", "PHONE_NUMBER", "416 60 039"),
            ("reach me at 415-555-0132", "PHONE_NUMBER", "415-555-0132"),
            ("415.555.0132", "PHONE_NUMBER", "415.555.0132"),
            ("UK 07700 900 123", "PHONE_NUMBER", "07700 900 123"),
            ("from 172.61.42.192 blocked", "IP_ADDRESS", "172.61.42.192"),
            (
                "addr 6e40:4041:c617:e898:c11:40d2:c669:2eb4 x",
                "IP_ADDRESS",
                "6e40:4041:c617:e898:c11:40d2:c669:2eb4",
            ),
            (
                "ip fe80::1ff:fe23:4567:890a.",
                "IP_ADDRESS",
                "fe80::1ff:fe23:4567:890a",
            ),
        ];
        for (text, kind, span) in cases {
            assert_eq!(found(text), vec![(kind.to_string(), span)], "{text}");
        }
    }

    #[test]
    fn national_phone_numbers_next_to_phone_words_are_found() {
        for (text, span) in [
            // the cases
            ("078 6657 2626 office", "078 6657 2626"),
            ("Fax: 0910-5877671", "0910-5877671"),
            ("21 232 945 1338 mobile", "21 232 945 1338"),
            ("tel 032 385 68 19", "032 385 68 19"),
            // national trunk forms with a phone word before or after
            ("Tel. 030 12345678", "030 12345678"),
            ("Telefon: 089 / 123 456 78", "089 / 123 456 78"),
            ("mobile 0171 2345678", "0171 2345678"),
            ("call 079 123 45 67", "079 123 45 67"),
            ("fax 01 23 45 67 89", "01 23 45 67 89"),
            ("cell 347 123 4567 (Italy)", "347 123 4567"),
            ("tel 06 1234 5678 office", "06 1234 5678"),
            ("mobile 612 34 56 78", "612 34 56 78"),
            ("landline 020-1234567", "020-1234567"),
            ("mobile 098765 43210", "098765 43210"),
            ("call 0300-1234567", "0300-1234567"),
            ("office 042 35761234", "042 35761234"),
            ("mobile 139 1234 5678", "139 1234 5678"),
            ("tel 03-1234-5678", "03-1234-5678"),
            ("fax (11) 2345-6789", "(11) 2345-6789"),
            ("Phone: 0 4744 8418", "0 4744 8418"),
            ("call 8 495 123 45 67", "8 495 123 45 67"),
            ("Fax 06-76/854 0620", "06-76/854 0620"),
            ("office 05/662 6689", "05/662 6689"),
            ("Desk: 45491623", "45491623"),
            ("1853692 office", "1853692"),
            ("Can someone call me on 18549169?", "18549169"),
            ("message on my registered 910115106.", "910115106"),
            // international forms
            ("(+57) 604 184 73 21 fax", "(+57) 604 184 73 21"),
            ("Phone +91 1129275436", "+91 1129275436"),
            ("+33 2 53 82 39 40 office", "+33 2 53 82 39 40"),
            ("+49(0) 355753060", "+49(0) 355753060"),
            ("fax +20(4)4721127391", "+20(4)4721127391"),
        ] {
            let got = found(text);
            assert_eq!(got.len(), 1, "{text}: {got:?}");
            assert_eq!(got[0], ("PHONE_NUMBER".to_string(), span), "{text}");
        }
    }

    #[test]
    fn amounts_dates_and_reference_numbers_near_phone_words_stay() {
        for text in [
            "1 234,56 EUR",
            "total 12.345,67 EUR",
            "order 1234567890",
            "STORE #1234 call center",
            "Filiale 0042 Tel",
            "call scheduled 1/15/2026 at 10:30",
            "office hours 09:00-17:30, closed 24.12.2026",
            "invoice 2026/004512 phone support",
            "REF 12345678 SEPA",
            "contact ref 12345678",
            "office is at 17031 2202 Rissik St",
            "NL 66752-5546\nMobile: see below",
            "Fax 12/2026",
            "cell 2024/2025",
            "call 12.345.678",
            "phone bill 45,90 EUR",
            "mobile plan 2026-11-01 to 2026-11-30",
            "version 10.0.19045 call",
        ] {
            assert_eq!(found(text), vec![], "{text}");
        }
    }

    #[test]
    fn cards_with_dots_underscores_or_tabs_between_groups_are_found() {
        for (text, span) in [
            ("card 4111.1111.1111.1111 ok", "4111.1111.1111.1111"),
            ("pan=4111_1111_1111_1111;", "4111_1111_1111_1111"),
            (
                "card\t4111\t1111\t1111\t1111\tVISA",
                "4111\t1111\t1111\t1111",
            ),
            ("5555.5555.5555.4444.", "5555.5555.5555.4444"),
            ("amex 3782.822463.10005", "3782.822463.10005"),
            ("visa13 4222_2222_2222_2", "4222_2222_2222_2"),
            (
                "19 digits 6011.0009.9013.9424.009",
                "6011.0009.9013.9424.009",
            ),
        ] {
            let got = found(text);
            assert_eq!(got.len(), 1, "{text}: {got:?}");
            assert_eq!(got[0], ("CREDIT_CARD".to_string(), span), "{text}");
        }
    }

    #[test]
    fn dotted_and_underscored_numbers_that_are_not_cards_stay() {
        for text in [
            "4111.1111.1111.1112",
            "v4111.1111.1111.1111",
            "1.4111.1111.1111.1111",
            "4111.1111.1111.1111.1111",
            "4111.1111.1111.1111x",
            "4111.11111.1111.111",
            "4111.1111 1111_1111",
            "build 2026.1122.0001.0042",
            "release_4111_1111_1111_1111",
            "amount 4111.11 and 1111.1111",
            "12.345.678,90 EUR",
            "1234\t5678\t9012\t3456",
            "2026.11.22 10.0.0.1 1.2.3.4.5",
        ] {
            assert_eq!(found(text), vec![], "{text}");
        }
    }

    #[test]
    fn leaves_ordinary_numbers_alone() {
        for text in [
            "2026-11-22T05:05:51.123Z INFO done in 12 ms",
            "STARBUCKS STORE 12345 SEATTLE WA",
            "SQ *BLUE BOTTLE 0042 OAKLAND CA",
            "total 1 234 567 EUR",
            "pi is 3.14159265",
            "version v1.2.3.4 and 22.11.2026",
            "id 29f63271-dc2f-4734-8221-5b31b5169bac",
            "4111111111111112",
            "between 2024 and 300 people",
            "std::net::Ipv6Addr and 12:34:56",
            "order 123456789",
            "mac 00:1A:2B:3C:4D:5E",
            "me@localhost",
            "824 753 557",
            "1234-5678-9012",
            "401-023-2138",
            "AT61 1904 3002 3457 320",
            "accountant 51 516 33 75",
            "postgres://app:pw@db.internal:5432/x",
        ] {
            assert_eq!(found(text), vec![], "{text}");
        }
    }
}
