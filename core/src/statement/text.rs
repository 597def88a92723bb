//! Text helpers shared by every format: folding for loose matching, white space for output.

/// Latin letters with diacritics and their plain ASCII forms, for loose header matching.
const FOLDS: &[(&str, char)] = &[
    ("àáâãäåāąă", 'a'),
    ("çćčĉ", 'c'),
    ("ďđ", 'd'),
    ("èéêëēęěė", 'e'),
    ("ìíîïīį", 'i'),
    ("ł", 'l'),
    ("ñńňņ", 'n'),
    ("òóôõöøōő", 'o'),
    ("ŕř", 'r'),
    ("śšşș", 's'),
    ("ťţț", 't'),
    ("ùúûüūůűų", 'u'),
    ("ýÿ", 'y'),
    ("źżž", 'z'),
];

/// One lower-case character without its diacritic (`É` -> `e`); `ß`, `æ` and `œ` become two.
fn fold_char(c: char, out: &mut String) {
    for lower in c.to_lowercase() {
        match lower {
            'ß' => out.push_str("ss"),
            'æ' => out.push_str("ae"),
            'œ' => out.push_str("oe"),
            _ => match FOLDS.iter().find(|(set, _)| set.contains(lower)) {
                Some((_, plain)) => out.push(*plain),
                None => out.push(lower),
            },
        }
    }
}

/// Lower case, diacritics removed, every run of punctuation or white space one space, a space
/// between letters and digits (`Beschreibung1` -> `beschreibung 1`), trimmed.
pub(crate) fn fold(s: &str) -> String {
    let mut folded = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut folded);
    }
    let mut out = String::with_capacity(folded.len());
    let mut prev: Option<char> = None;
    for c in folded.chars() {
        let word = c.is_alphanumeric();
        let boundary = matches!(prev, Some(p) if p.is_alphanumeric()
            && word && (p.is_ascii_digit() != c.is_ascii_digit()));
        if !word {
            if !out.is_empty() && !out.ends_with(' ') {
                out.push(' ');
            }
        } else {
            if boundary {
                out.push(' ');
            }
            out.push(c);
        }
        prev = Some(c);
    }
    out.trim_end().to_string()
}

/// Trimmed, with every run of white space (line breaks, tabs, no-break spaces) one space.
pub(crate) fn squash(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for word in s.split(char::is_whitespace).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// `squash`, or `None` when nothing is left.
pub(crate) fn non_empty(s: &str) -> Option<String> {
    let t = squash(s);
    (!t.is_empty()).then_some(t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_headers_loosely() {
        assert_eq!(
            fold("Begünstigter / Auftraggeber"),
            "begunstigter auftraggeber"
        );
        assert_eq!(fold("#Data księgowania"), "data ksiegowania");
        assert_eq!(fold("Beschreibung1"), "beschreibung 1");
        assert_eq!(fold("Zahlungspflichtige*r"), "zahlungspflichtige r");
        assert_eq!(fold(" Data mov. "), "data mov");
        assert_eq!(squash(" a \n b\u{a0}\tc "), "a b c");
    }
}
