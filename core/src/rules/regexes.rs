//! Rule regexes, run only where the literal pass found one of their literals.
//!
//! The field matcher's literal pass reports where each regex's literals occur (see
//! [`super::literals`]). A regex whose every match starts with one of its literals is then run
//! anchored at those places, which reads only the bytes of a would-be match; any other regex is
//! run once over the text.
//!
//! On ASCII text (what folding leaves of most bank text) a regex runs in its byte-oriented
//! *folded ASCII form*, which cuts every class down to the ASCII characters that folded text
//! can hold (no capital letters). On folded ASCII text it matches exactly where the regex does,
//! since every character of such a match is one of those; and without capitals a
//! case-insensitive regex's automaton has about half the byte classes. With the `rule-dfa`
//! feature (native builds) that form is compiled on first use into a small dense DFA of the
//! regex's own, which starts after the fixed bytes the literal pass already matched (see
//! [`super::regex_dfa`]). Without it, or when that DFA would be too large, the regexes of a
//! field run as the patterns of a few multi-pattern regexes, each pattern searched on its own
//! (`Anchored::Pattern`), so that thousands of rule regexes share a handful of lazy DFAs and
//! caches instead of each having a `Regex` with its own. On other text each regex runs on its
//! own, compiled on first use.

use std::sync::OnceLock;

use regex::{Regex, RegexBuilder};
use regex_automata::{meta, Anchored, Input, PatternID};
use regex_syntax::hir::{
    Class, ClassBytes, ClassBytesRange, ClassUnicode, ClassUnicodeRange, Hir, HirKind, Look,
    Repetition,
};

use crate::error::{Error, Result};

/// Most patterns in one multi-pattern regex; bounds its automaton and cache.
const CHUNK: usize = 256;

/// A case-insensitive regex compiled the first time a transaction needs it, so compiling a
/// rule set costs only a parse per regex. It runs on folded text in its lowered,
/// case-sensitive form when there is one (see [`super::literals::lowered_pattern`]).
#[derive(Debug, Clone)]
pub(super) struct LazyRegex {
    pattern: String,
    compiled: OnceLock<Option<Regex>>,
}

impl LazyRegex {
    /// Parses (cheap, and catches every syntax error now rather than at match time) without
    /// compiling; returns the parsed form for literal extraction.
    pub(super) fn new(pattern: &str) -> Result<(Self, Hir)> {
        let hir = super::literals::parse(pattern)
            .map_err(|e| Error::invalid(format!("invalid regex {pattern:?}: {e}")))?;
        let lazy = LazyRegex {
            pattern: pattern.to_string(),
            compiled: OnceLock::new(),
        };
        Ok((lazy, hir))
    }

    /// Whether the regex matches anywhere in folded `text`.
    pub(super) fn is_match(&self, text: &str) -> bool {
        self.compiled
            .get_or_init(|| {
                let lowered = super::literals::lowered_pattern(&self.pattern)
                    .and_then(|p| RegexBuilder::new(&p).build().ok());
                lowered.or_else(|| {
                    RegexBuilder::new(&self.pattern)
                        .case_insensitive(true)
                        .build()
                        .ok()
                })
            })
            .as_ref()
            .is_some_and(|r| r.is_match(text))
    }
}

/// One regex behind a literal trigger.
#[derive(Debug, Clone)]
struct Entry {
    /// The atom it makes true.
    atom: u32,
    /// Whether every match starts with one of its literals (run anchored at each hit).
    anchored: bool,
    /// The regex on its own, for non-ASCII text.
    unicode: LazyRegex,
    /// Chunk and pattern number of its ASCII form.
    ascii: (u32, u32),
    /// Its ASCII form as a DFA of its own, tried before the shared one.
    #[cfg(feature = "rule-dfa")]
    dfa: super::regex_dfa::RegexDfa,
}

/// Patterns compiled together into one multi-pattern regex on first use.
#[derive(Debug, Clone)]
struct Chunk {
    patterns: Vec<Hir>,
    compiled: OnceLock<Option<meta::Regex>>,
}

impl Chunk {
    fn regex(&self) -> Option<&meta::Regex> {
        self.compiled
            .get_or_init(|| {
                meta::Builder::new()
                    .build_many_from_hir(&self.patterns)
                    .ok()
            })
            .as_ref()
    }
}

/// The regexes of one field that have a literal trigger.
#[derive(Debug, Clone, Default)]
pub(super) struct TriggeredRegexes {
    entries: Vec<Entry>,
    chunks: Vec<Chunk>,
    /// Memory the regexes' own DFAs may still take.
    #[cfg(feature = "rule-dfa")]
    budget: super::regex_dfa::DfaBudget,
}

impl TriggeredRegexes {
    /// Adds a regex making `atom` true. Returns its number and the literals that must trigger
    /// it, or `None` (nothing added) when it has no useful literal and must run on every text.
    pub(super) fn add(
        &mut self,
        lazy: LazyRegex,
        hir: &Hir,
        atom: u32,
    ) -> Option<(u32, Vec<String>)> {
        let (anchored, literals) = match super::literals::prefix_literals(hir) {
            Some(p) => (true, p),
            None => (false, super::literals::required_literals(hir)?),
        };
        let ascii_hir = ascii_form(hir, anchored);
        #[cfg(feature = "rule-dfa")]
        let dfa = super::regex_dfa::RegexDfa::new(&ascii_hir, anchored.then_some(&literals[..]));
        let ascii = {
            if self.chunks.last().is_none_or(|c| c.patterns.len() >= CHUNK) {
                self.chunks.push(Chunk {
                    patterns: Vec::new(),
                    compiled: OnceLock::new(),
                });
            }
            let chunk = self.chunks.len() - 1;
            let patterns = &mut self.chunks[chunk].patterns;
            patterns.push(ascii_hir);
            (chunk as u32, (patterns.len() - 1) as u32)
        };
        let n = self.entries.len() as u32;
        self.entries.push(Entry {
            atom,
            anchored,
            unicode: lazy,
            ascii,
            #[cfg(feature = "rule-dfa")]
            dfa,
        });
        Some((n, literals))
    }

    /// Pushes the atoms of the regexes that match `text`. `hits` holds (regex number, byte
    /// offset where one of its literals starts), sorted.
    pub(super) fn run(&self, text: &str, hits: &[(u32, usize)], out: &mut Vec<u32>) {
        let ascii = text.is_ascii();
        let mut i = 0;
        while i < hits.len() {
            let n = hits[i].0;
            let end = i + hits[i..].iter().take_while(|h| h.0 == n).count();
            let entry = &self.entries[n as usize];
            let (chunk, pattern) = entry.ascii;
            // On ASCII text, the regex's own DFA when it has one within the size limit and the
            // field's budget.
            #[cfg(feature = "rule-dfa")]
            if ascii {
                let found = if entry.anchored {
                    hits[i..end]
                        .iter()
                        .map(|&(_, at)| entry.dfa.is_match_at(text, at, &self.budget))
                        .find(|m| *m != Some(false))
                        .unwrap_or(Some(false))
                } else {
                    entry.dfa.is_match_at(text, 0, &self.budget)
                };
                if let Some(matched) = found {
                    if matched {
                        out.push(entry.atom);
                    }
                    i = end;
                    continue;
                }
            }
            let compiled = if ascii {
                self.chunks[chunk as usize].regex().map(|re| (re, pattern))
            } else {
                None
            };
            let matched = match compiled {
                Some((re, p)) => {
                    let pid = PatternID::new_unchecked(p as usize);
                    let input = Input::new(text).anchored(Anchored::Pattern(pid));
                    if entry.anchored {
                        hits[i..end]
                            .iter()
                            .any(|&(_, at)| re.is_match(input.clone().range(at..)))
                    } else {
                        re.is_match(input)
                    }
                }
                None => entry.unicode.is_match(text),
            };
            if matched {
                out.push(entry.atom);
            }
            i = end;
        }
    }
}

/// The regex restricted to folded ASCII text: every class intersected with the ASCII
/// characters other than capital letters, every literal with another character a failure,
/// Unicode word boundaries made ASCII ones. On folded ASCII text it matches exactly where
/// `hir` does, because every character of such a match is one of those. Unanchored regexes get
/// a lazy `.*?` lead so that an anchored search finds a match anywhere.
pub(super) fn ascii_form(hir: &Hir, anchored: bool) -> Hir {
    let body = to_ascii(hir);
    if anchored {
        return body;
    }
    let any = folded_ascii();
    let lead = Hir::repetition(Repetition {
        min: 0,
        max: None,
        greedy: false,
        sub: Box::new(Hir::class(Class::Unicode(any))),
    });
    Hir::concat(vec![lead, body])
}

/// The characters folded ASCII text can hold: ASCII without `A`-`Z`.
fn folded_ascii() -> ClassUnicode {
    ClassUnicode::new([
        ClassUnicodeRange::new('\0', '@'),
        ClassUnicodeRange::new('[', '\x7f'),
    ])
}

fn to_ascii(hir: &Hir) -> Hir {
    match hir.kind() {
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(lit)
            if lit
                .0
                .iter()
                .all(|b| b.is_ascii() && !b.is_ascii_uppercase()) =>
        {
            hir.clone()
        }
        HirKind::Literal(_) => Hir::fail(),
        HirKind::Class(Class::Unicode(c)) => {
            let mut c = c.clone();
            c.intersect(&folded_ascii());
            Hir::class(Class::Unicode(c))
        }
        HirKind::Class(Class::Bytes(c)) => {
            let mut c = c.clone();
            c.intersect(&ClassBytes::new([
                ClassBytesRange::new(0, b'@'),
                ClassBytesRange::new(b'[', 0x7f),
            ]));
            Hir::class(Class::Bytes(c))
        }
        HirKind::Look(look) => Hir::look(match look {
            Look::WordUnicode => Look::WordAscii,
            Look::WordUnicodeNegate => Look::WordAsciiNegate,
            Look::WordStartUnicode => Look::WordStartAscii,
            Look::WordEndUnicode => Look::WordEndAscii,
            Look::WordStartHalfUnicode => Look::WordStartHalfAscii,
            Look::WordEndHalfUnicode => Look::WordEndHalfAscii,
            other => *other,
        }),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            min: r.min,
            max: r.max,
            greedy: r.greedy,
            sub: Box::new(to_ascii(&r.sub)),
        }),
        HirKind::Capture(c) => to_ascii(&c.sub),
        HirKind::Concat(xs) => Hir::concat(xs.iter().map(to_ascii).collect()),
        HirKind::Alternation(xs) => Hir::alternation(xs.iter().map(to_ascii).collect()),
    }
}
