//! Deterministic synthetic data shared by the benchmarks.

use xspense::{Currency, Direction, Money, Transaction};

/// A tiny deterministic generator (64-bit LCG), so every run benchmarks the same data.
pub struct Lcg(pub u64);

impl Lcg {
    /// Next pseudo-random number.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    /// A number below `n`.
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }
}

/// Syllables of made-up merchant words. With 80 syllables a random two-syllable word occurs
/// inside an unrelated name about as often as a short brand word does in real merchant lists
/// (a "contains" rule on `kalo` also catching `kalomira bakery`), instead of in almost every
/// name, which a smaller inventory gave (3.5 matching rules per transaction).
const SYLLABLES: &[&str] = &[
    "ka", "lo", "mi", "ra", "te", "zu", "bo", "ne", "shi", "ta", "ver", "lan", "dor", "pi", "qua",
    "ro", "sel", "mar", "tin", "co", "ba", "de", "fi", "gu", "ho", "jo", "kri", "lu", "mo", "nu",
    "pe", "ri", "sa", "to", "vi", "wa", "xe", "ya", "ze", "bra", "cle", "dri", "fla", "gro", "ple",
    "sto", "tra", "vel", "win", "ost", "ark", "eld", "und", "ast", "orn", "ish", "ell", "ash",
    "mun", "pol", "rix", "sen", "tor", "vak", "wel", "yor", "zan", "bel", "cor", "dun", "fen",
    "gar", "hol", "kin", "lim", "mer", "nor", "pan", "rus", "sol",
];

/// A made-up merchant word such as `kalomi`.
pub fn word(rng: &mut Lcg) -> String {
    let n = 2 + rng.below(2);
    (0..n)
        .map(|_| SYLLABLES[rng.below(SYLLABLES.len() as u64) as usize])
        .collect()
}

/// `n` distinct two-word merchant names.
pub fn merchants(n: usize, seed: u64) -> Vec<String> {
    let mut rng = Lcg(seed);
    let mut out = std::collections::BTreeSet::new();
    while out.len() < n {
        out.insert(format!("{} {}", word(&mut rng), word(&mut rng)));
    }
    out.into_iter().collect()
}

/// A transaction whose descriptor looks like a card purchase at `merchant`.
pub fn tx(i: usize, merchant: &str, rng: &mut Lcg) -> Transaction {
    Transaction {
        id: format!("t{i}"),
        tenant: "bench".into(),
        descriptor: format!(
            "POS {} #{} SAN FRANCISCO CA",
            merchant.to_uppercase(),
            1000 + rng.below(9000)
        ),
        merchant: None,
        amount: Money::new(
            100 + rng.below(20_000) as i64,
            Currency::new("USD").unwrap(),
        )
        .unwrap(),
        direction: Direction::Debit,
        date: chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        account: None,
        mcc: None,
    }
}
