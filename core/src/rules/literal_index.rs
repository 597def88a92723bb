//! Every occurrence of many literal strings in a text: the first pass of rule matching.
//!
//! A rule set holds thousands of literals (merchant names, the literals of its regexes) and
//! bank texts are short, so matching is mostly rejecting the text positions where no literal
//! starts. Literals of four bytes or more are keyed on their first four bytes. At each position
//! of the text a hash of the next four bytes is looked up in a bit filter of at most 16 KB,
//! which rejects almost every position while touching nothing else; the rest look the key up in
//! an open-addressed table and compare each candidate's following eight bytes as one word
//! before comparing any longer tail. Literals shorter than four bytes, rare in rules, go to an
//! Aho-Corasick automaton.
//!
//! It finds what an overlapping Aho-Corasick search finds (every occurrence of every literal),
//! in another order. It replaced exactly that search, whose automaton for the 8,500 merchant
//! names of the 10,000-rule bench is about 1 MB that the rest of matching kept evicting from
//! cache; see the README's performance section for the figures.

use aho_corasick::AhoCorasick;

use crate::error::{Error, Result};

/// Key of an empty table slot: four 0xFF bytes, which never occur in UTF-8 text.
const EMPTY: u32 = u32::MAX;

/// Literals shorter than this many bytes go to the Aho-Corasick automaton.
const KEY_LEN: usize = 4;

/// Largest key filter, in bits (16 KB).
const MAX_FILTER_BITS: u32 = 17;

/// Positions of a text whose keys are hashed before any is looked up.
const BLOCK: usize = 64;

/// A slot of the open-addressed key table.
#[derive(Debug, Clone, Copy)]
struct Slot {
    /// First four bytes of its literals, little-endian; [`EMPTY`] if the slot is free.
    key: u32,
    /// Its literals: `candidates[start..end]`.
    start: u32,
    end: u32,
}

/// A literal of at least [`KEY_LEN`] bytes, stored in the table's candidate list for its key.
#[derive(Debug, Clone, Copy)]
struct Candidate {
    /// The up to eight bytes after the key, little-endian, zero beyond the literal.
    tail: u64,
    /// Length in bytes.
    len: u32,
    /// Offset of the literal in the arena.
    offset: u32,
}

/// Literals compiled for finding every occurrence of each in a text.
#[derive(Debug, Clone, Default)]
pub(super) struct LiteralIndex {
    /// One bit per hash of a key; a clear bit means no literal has a key with that hash.
    filter: Vec<u64>,
    filter_mask: usize,
    /// Open-addressed table of keys, at most half full.
    slots: Vec<Slot>,
    slot_shift: u32,
    candidates: Vec<Candidate>,
    /// Literal number of each candidate.
    candidate_ids: Vec<u32>,
    /// The bytes of every long literal.
    arena: Vec<u8>,
    /// Literals shorter than [`KEY_LEN`] and their numbers.
    short: Option<(AhoCorasick, Vec<u32>)>,
}

fn hash(key: u32) -> u64 {
    u64::from(key).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Up to eight bytes as a little-endian word, zero-padded.
fn word(bytes: &[u8]) -> u64 {
    let mut w = [0u8; 8];
    let n = bytes.len().min(8);
    w[..n].copy_from_slice(&bytes[..n]);
    u64::from_le_bytes(w)
}

/// Mask of the tail bytes that a literal of `len` bytes has.
fn tail_mask(len: usize) -> u64 {
    match len - KEY_LEN {
        n if n >= 8 => u64::MAX,
        n => (1u64 << (8 * n)) - 1,
    }
}

impl LiteralIndex {
    /// Compiles `literals`, which are numbered by their place in the slice. Each must be
    /// non-empty; duplicates are allowed (each is reported). The literals of one key are
    /// reported in ascending number, so numbering literals in sorted order makes whatever the
    /// caller keeps per literal adjacent for literals that share a key.
    pub(super) fn new(literals: &[String]) -> Result<Self> {
        if let Some(i) = literals.iter().position(|l| l.is_empty()) {
            return Err(Error::Internal(format!("rule literal {i} is empty")));
        }
        let too_many = || Error::Internal("more than 4 GB of rule literals".into());
        let mut short_lits = Vec::new();
        let mut short_ids = Vec::new();
        let mut long: Vec<(u32, u32)> = Vec::new(); // (key, literal number)
        for (i, l) in literals.iter().enumerate() {
            let id = u32::try_from(i).map_err(|_| too_many())?;
            match l.as_bytes() {
                [a, b, c, d, ..] => long.push((u32::from_le_bytes([*a, *b, *c, *d]), id)),
                _ => {
                    short_lits.push(l.as_str());
                    short_ids.push(id);
                }
            }
        }
        let short = if short_lits.is_empty() {
            None
        } else {
            let ac = AhoCorasick::new(&short_lits)
                .map_err(|e| Error::Internal(format!("rule automaton: {e}")))?;
            Some((ac, short_ids))
        };
        long.sort_unstable();
        let n_keys = long.chunk_by(|a, b| a.0 == b.0).count();
        if n_keys == 0 {
            return Ok(LiteralIndex {
                short,
                ..LiteralIndex::default()
            });
        }
        // Table at most half full; filter about 16 bits per key, within bounds.
        let slots = (n_keys * 2).next_power_of_two();
        let filter_bits = (n_keys * 16)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(10, MAX_FILTER_BITS);
        let mut index = LiteralIndex {
            filter: vec![0; 1 << (filter_bits - 6)],
            filter_mask: (1 << filter_bits) - 1,
            slots: vec![
                Slot {
                    key: EMPTY,
                    start: 0,
                    end: 0
                };
                slots
            ],
            slot_shift: 64 - slots.trailing_zeros(),
            candidates: Vec::with_capacity(long.len()),
            candidate_ids: Vec::with_capacity(long.len()),
            arena: Vec::new(),
            short,
        };
        for group in long.chunk_by(|a, b| a.0 == b.0) {
            let key = group[0].0;
            let h = hash(key);
            let bit = index.filter_bit(h);
            index.filter[bit >> 6] |= 1 << (bit & 63);
            let mut slot = index.slot(h);
            while index.slots[slot].key != EMPTY {
                slot = (slot + 1) & (slots - 1);
            }
            let start = u32::try_from(index.candidates.len()).map_err(|_| too_many())?;
            for &(_, id) in group {
                let bytes = literals[id as usize].as_bytes();
                index.candidates.push(Candidate {
                    tail: word(&bytes[KEY_LEN..]),
                    len: u32::try_from(bytes.len()).map_err(|_| too_many())?,
                    offset: u32::try_from(index.arena.len()).map_err(|_| too_many())?,
                });
                index.candidate_ids.push(id);
                index.arena.extend_from_slice(bytes);
            }
            let end = u32::try_from(index.candidates.len()).map_err(|_| too_many())?;
            index.slots[slot] = Slot { key, start, end };
        }
        Ok(index)
    }

    fn filter_bit(&self, h: u64) -> usize {
        (h >> 32) as usize & self.filter_mask
    }

    fn slot(&self, h: u64) -> usize {
        (h >> self.slot_shift) as usize
    }

    /// Calls `f(literal, start, end)` for every occurrence of every literal in `text`,
    /// overlapping ones included, in no particular order.
    pub(super) fn for_each_match(&self, text: &str, mut f: impl FnMut(u32, usize, usize)) {
        if let Some((ac, ids)) = &self.short {
            for m in ac.find_overlapping_iter(text) {
                f(ids[m.pattern().as_usize()], m.start(), m.end());
            }
        }
        let bytes = text.as_bytes();
        if self.slots.is_empty() || bytes.len() < KEY_LEN {
            return;
        }
        // Two passes over blocks of positions: a tight one that keeps the positions whose key
        // passes the filter (most positions do not), then the table lookups for those. Kept
        // apart, the first pass holds everything it needs in registers.
        let mut key = u32::from_le_bytes([0, bytes[0], bytes[1], bytes[2]]);
        let mut passed = [0u32; BLOCK];
        for (block, chunk) in bytes[KEY_LEN - 1..].chunks(BLOCK).enumerate() {
            let base = block * BLOCK;
            let mut n = 0;
            for (i, &b) in chunk.iter().enumerate() {
                key = (key >> 8) | (u32::from(b) << 24);
                let bit = self.filter_bit(hash(key));
                passed[n % BLOCK] = i as u32;
                // Within bounds (the mask is the filter's size); `get` spares a panic path.
                let word = self.filter.get(bit >> 6).copied().unwrap_or(0);
                n += ((word >> (bit & 63)) & 1) as usize;
            }
            for &i in &passed[..n] {
                let start = base + i as usize;
                let key = u32::from_le_bytes([
                    bytes[start],
                    bytes[start + 1],
                    bytes[start + 2],
                    bytes[start + 3],
                ]);
                self.verify(key, hash(key), bytes, start, &mut f);
            }
        }
    }

    /// Reports the literals with `key` that occur at `start`.
    fn verify(
        &self,
        key: u32,
        h: u64,
        bytes: &[u8],
        start: usize,
        f: &mut impl FnMut(u32, usize, usize),
    ) {
        let mask = self.slots.len() - 1;
        let mut slot = self.slot(h);
        let (from, to) = loop {
            match self.slots[slot] {
                s if s.key == key => break (s.start, s.end),
                s if s.key == EMPTY => return,
                _ => slot = (slot + 1) & mask,
            }
        };
        let rest = &bytes[start..];
        let tail = word(&rest[KEY_LEN..]);
        for c in from..to {
            let cand = self.candidates[c as usize];
            let len = cand.len as usize;
            if len > rest.len() || tail & tail_mask(len) != cand.tail {
                continue;
            }
            // Keys and tails matched the first twelve bytes; compare the rest.
            let offset = cand.offset as usize;
            if len > KEY_LEN + 8
                && rest[KEY_LEN + 8..len] != self.arena[offset + KEY_LEN + 8..offset + len]
            {
                continue;
            }
            f(self.candidate_ids[c as usize], start, start + len);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasickBuilder, MatchKind};
    use proptest::prelude::*;

    fn found(index: &LiteralIndex, text: &str) -> Vec<(u32, usize, usize)> {
        let mut out = Vec::new();
        index.for_each_match(text, |id, s, e| out.push((id, s, e)));
        out.sort_unstable();
        out
    }

    fn expected(literals: &[String], text: &str) -> Vec<(u32, usize, usize)> {
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::Standard)
            .build(literals)
            .unwrap();
        let mut out: Vec<_> = ac
            .find_overlapping_iter(text)
            .map(|m| (m.pattern().as_u32(), m.start(), m.end()))
            .collect();
        out.sort_unstable();
        out
    }

    fn agrees_with_aho_corasick(literals: &[String], text: &str) -> Result<(), TestCaseError> {
        let index = LiteralIndex::new(literals).unwrap();
        prop_assert_eq!(found(&index, text), expected(literals, text));
        Ok(())
    }

    fn strings(xs: &[&str]) -> Vec<String> {
        xs.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn finds_overlapping_short_long_and_shared_key_literals() {
        let lits = strings(&[
            "star",
            "starbucks",
            "starbucks coffee company",
            "bucks",
            "bp",
            "s",
            "starbucks coffee",
        ]);
        let index = LiteralIndex::new(&lits).unwrap();
        let text = "sq *starbucks coffee company";
        assert_eq!(
            found(&index, text),
            vec![
                (0, 4, 8),
                (1, 4, 13),
                (2, 4, 28),
                (3, 8, 13),
                (5, 0, 1),
                (5, 4, 5),
                (5, 12, 13),
                (6, 4, 20),
            ]
        );
        assert_eq!(found(&index, text), expected(&lits, text));
        // A literal longer than what is left of the text is not reported.
        assert_eq!(
            found(&index, "xx starbucks coff"),
            vec![(0, 3, 7), (1, 3, 12), (3, 7, 12), (5, 3, 4), (5, 11, 12)]
        );
    }

    #[test]
    fn empty_index_and_short_texts_find_nothing() {
        let index = LiteralIndex::new(&[]).unwrap();
        assert!(found(&index, "anything").is_empty());
        let index = LiteralIndex::new(&strings(&["tesco"])).unwrap();
        assert!(found(&index, "").is_empty());
        assert!(found(&index, "tes").is_empty());
        assert_eq!(found(&index, "tesco"), vec![(0, 0, 5)]);
    }

    #[test]
    fn an_empty_literal_is_refused() {
        assert!(LiteralIndex::new(&strings(&["ok", ""])).is_err());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]
        /// Same occurrences as an overlapping Aho-Corasick search, on a small alphabet (so that
        /// literals share keys and overlap) with multi-byte characters and literals of every
        /// length around the key and tail boundaries.
        #[test]
        fn finds_what_aho_corasick_finds(
            literals in prop::collection::vec("[ab é]{1,18}", 1..40),
            text in "[ab é]{0,60}",
        ) {
            agrees_with_aho_corasick(&literals, &text)?;
        }

        /// The same on two letters, where long literals often agree with the text on their
        /// first twelve bytes (key and tail word) and differ after.
        #[test]
        fn finds_what_aho_corasick_finds_in_long_near_misses(
            literals in prop::collection::vec("[ab]{1,16}", 1..60),
            text in "[ab]{0,80}",
        ) {
            agrees_with_aho_corasick(&literals, &text)?;
        }
    }
}
