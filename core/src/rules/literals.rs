//! Rule regexes prepared for folded text.
//!
//! Rule regexes are case-insensitive, and the text they see is folded (lowercase). Two things
//! follow. First, every regex has *required literals*: strings at least one of which occurs in
//! every match. The compiled rule matcher looks for them in its literal pass
//! ([`super::literal_index`]), so a regex is only run on text that contains one of them; they
//! are lowercase, and case-insensitive classes such as `[Kk]` count as the single letter `k`.
//! Second, on folded text a case-insensitive regex matches exactly when its *lowered* form
//! does: ASCII letters written in lowercase and everything else that depends on case kept
//! case-insensitive in a `(?i:...)` group. The lowered form runs several times faster, because case-insensitive literals turn
//! into large literal sets and larger automata.

use regex_syntax::ast::{self, Ast};
use regex_syntax::hir::{Class, Hir, HirKind};

/// Most strings in one required set; larger sets are treated as "no literal".
const MAX_SET: usize = 64;
/// Shortest useful literal; a one-letter trigger would fire on almost every text.
const MIN_LEN: usize = 2;
/// Longest exact repetition expanded into a literal (`a{3}` -> `aaa`).
const MAX_REPEAT: u32 = 16;

/// Parses `pattern` the way rule regexes are compiled (case-insensitive, Unicode).
pub(crate) fn parse(pattern: &str) -> Result<Hir, String> {
    regex_syntax::ParserBuilder::new()
        .case_insensitive(true)
        .build()
        .parse(pattern)
        .map_err(|e| e.to_string())
}

/// The required literals of a parsed regex, or `None` when a match need not contain any
/// useful literal (for example `\d{4}` or `a|.*`).
pub(crate) fn required_literals(hir: &Hir) -> Option<Vec<String>> {
    useful(analyze(hir).required?)
}

/// The *prefix literals* of a parsed regex: strings one of which every match starts with, or
/// `None` when there is no such useful set (`\d+abc`, `(ab)?cd`). A regex with prefix literals
/// can be run anchored at each place one of them occurs instead of over the whole text.
pub(crate) fn prefix_literals(hir: &Hir) -> Option<Vec<String>> {
    useful(analyze(hir).prefixes?)
}

/// The set sorted and deduplicated, if it is small enough and none of its strings is too short
/// to be a useful trigger.
fn useful(mut set: Vec<String>) -> Option<Vec<String>> {
    set.sort();
    set.dedup();
    let useful =
        !set.is_empty() && set.len() <= MAX_SET && set.iter().all(|s| s.chars().count() >= MIN_LEN);
    useful.then_some(set)
}

/// The case-sensitive pattern that matches folded text exactly when `pattern` compiled
/// case-insensitively does, or `None` when the pattern sets its own flags (then it is compiled
/// as written, case-insensitively).
pub(crate) fn lowered_pattern(pattern: &str) -> Option<String> {
    enum Edit {
        Replace(char),
        Wrap,
    }
    struct Collect(Vec<(usize, usize, Edit)>);
    impl ast::Visitor for Collect {
        type Output = Vec<(usize, usize, Edit)>;
        type Err = ();
        fn finish(self) -> Result<Self::Output, ()> {
            Ok(self.0)
        }
        fn visit_pre(&mut self, a: &Ast) -> Result<(), ()> {
            let span = a.span();
            let (start, end) = (span.start.offset, span.end.offset);
            match a {
                Ast::Flags(_) => return Err(()),
                Ast::Group(g) => {
                    if let ast::GroupKind::NonCapturing(flags) = &g.kind {
                        if !flags.items.is_empty() {
                            return Err(());
                        }
                    }
                }
                Ast::Literal(l) if l.c.is_ascii_uppercase() => {
                    self.0
                        .push((start, end, Edit::Replace(l.c.to_ascii_lowercase())));
                }
                Ast::Literal(l) if !l.c.is_ascii() && has_case(l.c) => {
                    self.0.push((start, end, Edit::Wrap));
                }
                Ast::ClassBracketed(_) | Ast::ClassUnicode(_) => {
                    self.0.push((start, end, Edit::Wrap));
                }
                _ => {}
            }
            Ok(())
        }
    }
    fn has_case(c: char) -> bool {
        c.to_lowercase().ne(std::iter::once(c)) || c.to_uppercase().ne(std::iter::once(c))
    }
    let parsed = ast::parse::Parser::new().parse(pattern).ok()?;
    let mut edits = ast::visit(&parsed, Collect(Vec::new())).ok()?;
    edits.sort_by_key(|e| e.0);
    let mut out = String::with_capacity(pattern.len() + 8 * edits.len());
    let mut at = 0;
    for (start, end, edit) in edits {
        out.push_str(&pattern[at..start]);
        match edit {
            Edit::Replace(c) => out.push(c),
            Edit::Wrap => {
                out.push_str("(?i:");
                out.push_str(&pattern[start..end]);
                out.push(')');
            }
        }
        at = end;
    }
    out.push_str(&pattern[at..]);
    Some(out)
}

/// What one sub-expression tells about its matches.
#[derive(Debug, Default)]
struct Info {
    /// The one string it matches (up to ASCII case), if it matches exactly one.
    exact: Option<String>,
    /// A set of strings at least one of which occurs in every match.
    required: Option<Vec<String>>,
    /// A set of strings every match starts with one of.
    prefixes: Option<Vec<String>>,
}

impl Info {
    fn exact(s: String) -> Info {
        let required = (!s.is_empty()).then(|| vec![s.clone()]);
        Info {
            prefixes: Some(vec![s.clone()]),
            exact: Some(s),
            required,
        }
    }
}

/// Ranks required sets: longer shortest string first, then fewer strings.
fn better(a: &[String], b: &[String]) -> bool {
    let min_len = |s: &[String]| s.iter().map(|x| x.chars().count()).min().unwrap_or(0);
    (min_len(a), std::cmp::Reverse(a.len())) > (min_len(b), std::cmp::Reverse(b.len()))
}

fn pick(best: &mut Option<Vec<String>>, candidate: Option<Vec<String>>) {
    if let Some(c) = candidate {
        if c.is_empty() || c.len() > MAX_SET {
            return;
        }
        if best.as_ref().is_none_or(|b| better(&c, b)) {
            *best = Some(c);
        }
    }
}

/// The single lowercase character a class matches up to case, if any.
fn single_char(class: &Class) -> Option<char> {
    let mut chars: Vec<char> = Vec::new();
    match class {
        Class::Unicode(c) => {
            for r in c.ranges() {
                if (r.end() as u32) - (r.start() as u32) > 4 {
                    return None;
                }
                chars.extend(r.start()..=r.end());
                if chars.len() > 4 {
                    return None;
                }
            }
        }
        Class::Bytes(c) => {
            for r in c.ranges() {
                if r.end() - r.start() > 4 || !r.end().is_ascii() {
                    return None;
                }
                chars.extend((r.start()..=r.end()).map(char::from));
                if chars.len() > 4 {
                    return None;
                }
            }
        }
    }
    // One character, or one ASCII letter with its case variants (including the Unicode
    // variants `ſ` and the Kelvin sign, which `fold` maps to `s` and `k`). Other multi-char
    // classes end the literal, because folded text may hold any of their members.
    if let [only] = chars[..] {
        let mut lower = only.to_lowercase();
        return match (lower.next(), lower.next()) {
            (Some(c), None) => Some(c),
            _ => None,
        };
    }
    let ascii = chars.iter().find(|c| c.is_ascii())?.to_ascii_lowercase();
    let same = |c: &char| match *c {
        '\u{17f}' => ascii == 's',
        '\u{212a}' => ascii == 'k',
        c => c.is_ascii() && c.to_ascii_lowercase() == ascii,
    };
    chars.iter().all(same).then_some(ascii)
}

fn analyze(h: &Hir) -> Info {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => Info::exact(String::new()),
        HirKind::Literal(lit) => match std::str::from_utf8(&lit.0) {
            Ok(s) => Info::exact(s.to_lowercase()),
            Err(_) => Info::default(),
        },
        HirKind::Class(c) => match single_char(c) {
            Some(ch) => Info::exact(ch.to_string()),
            None => Info::default(),
        },
        HirKind::Capture(c) => analyze(&c.sub),
        HirKind::Repetition(r) => {
            let sub = analyze(&r.sub);
            if r.max == Some(r.min) && r.min <= MAX_REPEAT {
                if let Some(e) = &sub.exact {
                    return Info::exact(e.repeat(r.min as usize));
                }
            }
            if r.min >= 1 {
                Info {
                    exact: None,
                    required: sub.required,
                    prefixes: sub.prefixes,
                }
            } else {
                Info::default()
            }
        }
        HirKind::Concat(xs) => {
            let mut best = None;
            let mut run = String::new();
            let mut all_exact = true;
            let mut prefixes = None;
            for x in xs {
                let info = analyze(x);
                match info.exact {
                    Some(e) => run.push_str(&e),
                    None => {
                        if all_exact {
                            // Every match starts with the exact run so far, then with one of
                            // the first inexact part's prefixes when it has any.
                            prefixes = match info.prefixes {
                                Some(ps) => Some(ps.iter().map(|p| format!("{run}{p}")).collect()),
                                None => Some(vec![run.clone()]),
                            };
                        }
                        all_exact = false;
                        if !run.is_empty() {
                            pick(&mut best, Some(vec![std::mem::take(&mut run)]));
                        }
                        pick(&mut best, info.required);
                    }
                }
            }
            if all_exact {
                return Info::exact(run);
            }
            if !run.is_empty() {
                pick(&mut best, Some(vec![run]));
            }
            Info {
                exact: None,
                required: best,
                prefixes,
            }
        }
        HirKind::Alternation(xs) => {
            let mut required = Some(Vec::new());
            let mut prefixes = Some(Vec::new());
            for x in xs {
                let info = analyze(x);
                required = union(required, info.required);
                prefixes = union(prefixes, info.prefixes);
            }
            Info {
                exact: None,
                required,
                prefixes,
            }
        }
    }
}

/// The union of two string sets, or `None` if either is unknown or the union is too large.
fn union(all: Option<Vec<String>>, more: Option<Vec<String>>) -> Option<Vec<String>> {
    match (all, more) {
        (Some(mut all), Some(more)) if all.len() + more.len() <= MAX_SET => {
            all.extend(more);
            Some(all)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{parse, prefix_literals, required_literals};

    fn lits(p: &str) -> Option<Vec<String>> {
        required_literals(&parse(p).unwrap())
    }

    fn prefixes(p: &str) -> Option<Vec<String>> {
        prefix_literals(&parse(p).unwrap())
    }

    fn set(xs: &[&str]) -> Option<Vec<String>> {
        Some(xs.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn picks_the_longest_exact_run() {
        assert_eq!(lits(r"kalomi\s+\w+ #\d{4}"), set(&["kalomi"]));
        assert_eq!(lits(r"^Uber\s*\*?\s*trips"), set(&["trips"]));
        assert_eq!(lits(r"\bstar(bucks)?\b"), set(&["star"]));
        assert_eq!(lits(r"(?:ab){3}x"), set(&["abababx"]));
        assert_eq!(
            lits(r"CAFÉ\s+\d"),
            set(&["caf"]),
            "non-ASCII case pairs end a literal"
        );
    }

    #[test]
    fn alternations_give_sets() {
        assert_eq!(
            lits(r"netflix|hulu|disney\+"),
            set(&["disney+", "hulu", "netflix"])
        );
        assert_eq!(lits(r"(shell|esso) \d+"), set(&["esso", "shell"]));
    }

    #[test]
    fn no_literal_when_a_match_can_avoid_them() {
        assert_eq!(lits(r"\d{4}"), None);
        assert_eq!(lits(r"abc|.*"), None);
        assert_eq!(lits(r"(abc)?\d"), None);
        assert_eq!(lits(r"a\d"), None, "one-letter literals are not useful");
        assert_eq!(lits(r"[a-z]+"), None);
    }

    #[test]
    fn prefixes_are_what_every_match_starts_with() {
        assert_eq!(prefixes(r"kalomi\s+\w+ #\d{4}"), set(&["kalomi"]));
        assert_eq!(prefixes(r"^Uber\s*\*?\s*trips"), set(&["uber"]));
        assert_eq!(prefixes(r"\bstar(bucks)?\b"), set(&["star"]));
        assert_eq!(prefixes(r"(shell|esso) \d+"), set(&["esso", "shell"]));
        assert_eq!(prefixes(r"(?:ab)+x"), set(&["ab"]));
        assert_eq!(prefixes(r"ab(cd|ef)\d"), set(&["abcd", "abef"]));
        assert_eq!(prefixes(r"\d+ starbucks"), None);
        assert_eq!(prefixes(r"(ab)?cd"), None);
        assert_eq!(prefixes(r"ab|\d"), None);
        assert_eq!(prefixes(r"a\d"), None, "one-letter prefixes are not useful");
    }

    #[test]
    fn syntax_errors_are_reported() {
        assert!(parse("(unclosed").is_err());
    }
}
