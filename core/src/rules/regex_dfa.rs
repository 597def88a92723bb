//! One rule regex as a small dense DFA of its own, for folded ASCII text.
//!
//! Rule regexes run only where the literal pass found one of their literals, so a run is
//! short (the bytes of one would-be match) and each regex runs rarely: what a run costs is
//! mostly reading the automaton into cache. A dense DFA per regex, compiled on its first run,
//! keeps the states of one regex together in rows of a few byte classes (usually one cache
//! line each), where a shared multi-pattern lazy DFA spreads them over rows sized for the
//! byte classes of hundreds of regexes and looks each transition up in its cache.
//!
//! An anchored regex (one every match of which starts with one of its literals) that begins
//! with fixed bytes, such as `kalomi\s+\w+` or `\bstar(bucks)?\b`, is compiled without them:
//! the literal pass has already found those bytes where the run starts, so the DFA starts
//! after them. A leading `^` or word boundary becomes a check of the byte before.
//!
//! Each DFA's size is bounded, and so is the memory all the DFAs of one field of a rule set
//! take ([`DfaBudget`]), so that a tenant's rules cannot make matching hold unbounded memory;
//! a regex whose DFA would pass either reports that it has none, and its caller runs it another
//! way.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use regex_automata::dfa::{dense, Automaton, StartKind};
use regex_automata::nfa::thompson;
use regex_automata::{Anchored, Input};
use regex_syntax::hir::{Class, Hir, HirKind, Look};

/// Largest DFA kept, and the most memory determinizing one may use, in bytes.
const LIMIT: usize = 64 << 10;

/// Memory all the DFAs of one field of a rule set may take, in bytes: 16 MB, at least 256 DFAs
/// of the largest size and about 20,000 of the usual (under 1 KB for `kalomi\s+\w+ #\d{4}`).
const BUDGET: usize = 16 << 20;

/// What is left of the memory the DFAs of one field may take. A DFA that would not fit is not
/// kept, and its regex runs another way.
#[derive(Debug)]
pub(super) struct DfaBudget(AtomicUsize);

impl Default for DfaBudget {
    fn default() -> Self {
        DfaBudget(AtomicUsize::new(BUDGET))
    }
}

impl Clone for DfaBudget {
    /// A copy with what is left now: a cloned rule set holds copies of the DFAs built so far.
    fn clone(&self) -> Self {
        DfaBudget(AtomicUsize::new(self.0.load(Ordering::Relaxed)))
    }
}

impl DfaBudget {
    /// Takes `bytes` if that much is left.
    fn take(&self, bytes: usize) -> bool {
        self.0
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |left| {
                left.checked_sub(bytes)
            })
            .is_ok()
    }
}

/// What must hold of the text before the bytes a [`RegexDfa`] skips.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Before {
    /// Nothing.
    Any,
    /// The skipped bytes start the text (`^`).
    TextStart,
    /// The byte before is not an ASCII word byte (a word boundary before a word byte).
    NonWord,
}

/// A regex's folded ASCII form (see [`super::regexes`]) as a dense DFA, run anchored.
#[derive(Debug, Clone)]
pub(super) struct RegexDfa {
    /// Bytes skipped at the start of a run: fixed bytes the literal pass has matched.
    skip: usize,
    before: Before,
    /// What the DFA is compiled from: the ASCII form without its skipped start.
    source: Hir,
    /// Compiled on first use; `None` inside when it exceeds [`LIMIT`].
    dfa: OnceLock<Option<dense::DFA<Vec<u32>>>>,
}

impl RegexDfa {
    /// Prepares `ascii` (a regex's ASCII form; it must match from where a run starts). For an
    /// anchored regex, `prefixes` are its prefix literals, one of which the literal pass has
    /// found where each run starts; the fixed bytes they all begin with are skipped.
    pub(super) fn new(ascii: &Hir, prefixes: Option<&[String]>) -> Self {
        let plain = || RegexDfa {
            skip: 0,
            before: Before::Any,
            source: ascii.clone(),
            dfa: OnceLock::new(),
        };
        let Some(prefixes) = prefixes else {
            return plain();
        };
        let items: Vec<Hir> = match ascii.kind() {
            HirKind::Concat(xs) => xs.clone(),
            _ => vec![ascii.clone()],
        };
        let mut before = Before::Any;
        let mut at = 0;
        if let Some(HirKind::Look(look)) = items.first().map(Hir::kind) {
            before = match look {
                Look::Start => Before::TextStart,
                Look::WordAscii | Look::WordStartAscii | Look::WordStartHalfAscii => {
                    Before::NonWord
                }
                _ => return plain(),
            };
            at = 1;
        }
        // Whole leading items of fixed bytes, as long as every prefix literal covers them.
        let shortest = prefixes.iter().map(String::len).min().unwrap_or(0);
        let mut fixed = Vec::new();
        while let Some(bytes) = items.get(at).and_then(fixed_bytes) {
            if fixed.len() + bytes.len() > shortest {
                break;
            }
            fixed.extend_from_slice(&bytes);
            at += 1;
        }
        let covered = prefixes.iter().all(|p| p.as_bytes().starts_with(&fixed));
        // A word boundary is only a check of the byte before when the byte after is a word
        // byte.
        let boundary_ok =
            before != Before::NonWord || fixed.first().is_some_and(|&b| is_word_byte(b));
        if fixed.is_empty() || !covered || !boundary_ok {
            return plain();
        }
        RegexDfa {
            skip: fixed.len(),
            before,
            source: Hir::concat(items[at..].to_vec()),
            dfa: OnceLock::new(),
        }
    }

    /// Whether the regex matches folded ASCII `text` starting at byte `at` (where the literal
    /// pass found one of its prefix literals, if it was prepared with them), or `None` when
    /// its DFA would exceed the size limit or what is left of `budget` (which its first run
    /// takes from), or the search gave up.
    pub(super) fn is_match_at(&self, text: &str, at: usize, budget: &DfaBudget) -> Option<bool> {
        let dfa = self
            .dfa
            .get_or_init(|| build(&self.source).filter(|d| budget.take(d.memory_usage())))
            .as_ref()?;
        let holds = match self.before {
            Before::Any => true,
            Before::TextStart => at == 0,
            Before::NonWord => at == 0 || !is_word_byte(text.as_bytes()[at - 1]),
        };
        if !holds {
            return Some(false);
        }
        let input = Input::new(text)
            .range(at + self.skip..)
            .anchored(Anchored::Yes)
            .earliest(true);
        // A dense DFA only gives up on quit bytes, which ASCII forms (ASCII word boundaries)
        // never configure; should it, the caller runs the regex another way.
        dfa.try_search_fwd(&input).ok().map(|m| m.is_some())
    }
}

/// The DFA of `hir`, or `None` when it exceeds [`LIMIT`].
fn build(hir: &Hir) -> Option<dense::DFA<Vec<u32>>> {
    let nfa = thompson::Compiler::new().build_from_hir(hir).ok()?;
    dense::Builder::new()
        .configure(
            dense::Config::new()
                .start_kind(StartKind::Anchored)
                .determinize_size_limit(Some(LIMIT))
                .dfa_size_limit(Some(LIMIT)),
        )
        .build_from_nfa(&nfa)
        .ok()
}

/// The bytes an item always matches, if it matches exactly one ASCII string.
fn fixed_bytes(item: &Hir) -> Option<Vec<u8>> {
    match item.kind() {
        HirKind::Literal(lit) if lit.0.is_ascii() => Some(lit.0.to_vec()),
        HirKind::Class(Class::Unicode(c)) => match c.ranges() {
            [r] if r.start() == r.end() && r.start().is_ascii() => Some(vec![r.start() as u8]),
            _ => None,
        },
        HirKind::Class(Class::Bytes(c)) => match c.ranges() {
            [r] if r.start() == r.end() && r.start().is_ascii() => Some(vec![r.start()]),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `b` is an ASCII word byte (`[0-9A-Za-z_]`).
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

#[cfg(test)]
mod tests {
    use super::{Before, DfaBudget, RegexDfa};
    use crate::rules::literals::{parse, prefix_literals};
    use crate::rules::regexes::ascii_form;
    use std::sync::atomic::AtomicUsize;

    /// The DFA the matcher prepares for `pattern`: anchored after its prefix literals when it
    /// has them.
    fn prepared(pattern: &str) -> RegexDfa {
        let hir = parse(pattern).unwrap();
        let prefixes = prefix_literals(&hir);
        RegexDfa::new(&ascii_form(&hir, prefixes.is_some()), prefixes.as_deref())
    }

    /// A run of `re` on `text` from `at`, with a whole budget.
    fn run(re: &RegexDfa, text: &str, at: usize) -> Option<bool> {
        re.is_match_at(text, at, &DfaBudget::default())
    }

    #[test]
    fn skips_the_fixed_start_the_literal_pass_found() {
        let re = prepared(r"Kalomi\s+\w+ #\d{4}");
        assert_eq!((re.skip, re.before), (6, Before::Any));
        let text = "pos kalomi tradun #1234 ca";
        assert_eq!(run(&re, text, 4), Some(true));
        assert_eq!(run(&re, "pos kalomira tradun #1234", 4), Some(false));
        assert_eq!(run(&re, "kalomi tradun #12", 0), Some(false));
    }

    #[test]
    fn a_leading_boundary_or_start_becomes_a_check_of_the_byte_before() {
        let re = prepared(r"\bstar(bucks)?\b");
        assert_eq!((re.skip, re.before), (4, Before::NonWord));
        assert_eq!(run(&re, "sq *starbucks", 4), Some(true));
        assert_eq!(run(&re, "star", 0), Some(true));
        assert_eq!(run(&re, "lodestar inn", 4), Some(false));
        assert_eq!(run(&re, "x starfish", 2), Some(false));

        let re = prepared(r"^uber\s*trip");
        assert_eq!((re.skip, re.before), (4, Before::TextStart));
        assert_eq!(run(&re, "uber trip", 0), Some(true));
        assert_eq!(run(&re, "an uber trip", 3), Some(false));
    }

    #[test]
    fn runs_from_the_start_without_a_fixed_prefix() {
        // Prefix literals from an alternation share no fixed item; no prefix literal at all
        // leaves the lazy `.*?` lead of the unanchored form.
        let re = prepared(r"(shell|esso) \d+");
        assert_eq!(re.skip, 0);
        assert_eq!(run(&re, "fuel esso 12", 5), Some(true));
        let re = prepared(r"\d{4} ca$");
        assert_eq!(re.skip, 0);
        assert_eq!(run(&re, "store #1234 ca", 0), Some(true));
        assert_eq!(run(&re, "store #1234 ca ", 0), Some(false));
    }

    #[test]
    fn a_regex_beyond_the_size_limit_has_no_dfa() {
        // Twenty positions back from the end: a DFA needs about a million states.
        let re = prepared(r"[ab]*a[ab]{20}");
        assert_eq!(run(&re, "ab", 0), None);
    }

    #[test]
    fn a_dfa_beyond_what_is_left_of_the_budget_is_not_kept() {
        let re = prepared(r"kalomi\s+\w+ #\d{4}");
        let nearly_spent = DfaBudget(AtomicUsize::new(100));
        assert_eq!(
            re.is_match_at("kalomi tradun #1234", 0, &nearly_spent),
            None
        );
        // what was refused is not taken
        assert!(nearly_spent.take(100));
        let budget = DfaBudget::default();
        let other = prepared(r"kalomi\s+\w+ #\d{4}");
        assert_eq!(
            other.is_match_at("kalomi tradun #1234", 0, &budget),
            Some(true)
        );
        let dfa_size = super::BUDGET - budget.0.load(std::sync::atomic::Ordering::Relaxed);
        assert!(dfa_size > 0 && dfa_size < 4096, "{dfa_size} bytes");
    }
}
