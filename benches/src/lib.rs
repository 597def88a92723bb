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
        bank_category: None,
    }
}

/// Log-like text for redaction benchmarks: `lines` lines in the shape of application logs
/// (timestamps, levels, request paths, durations, UUIDs, `key=value` pairs), of which about
/// one in ten carries PII or a secret (card, email, phone, IBAN, SSN, IP, API key, JWT).
pub fn log_text(lines: usize, seed: u64) -> String {
    let mut rng = Lcg(seed);
    let mut out = String::with_capacity(lines * 120);
    let levels = ["INFO", "INFO", "INFO", "DEBUG", "WARN", "ERROR"];
    let paths = [
        "/api/v1/transactions",
        "/api/v1/accounts/summary",
        "/healthz",
        "/api/v2/categorize/batch",
        "/static/app.js",
    ];
    let pii = [
        "payment failed for card 4111 1111 1111 1111 (declined)",
        "sending receipt to ana.lopez@example.com",
        "customer callback requested on +44 20 7946 0958",
        "payout to IBAN DE89 3704 0044 0532 0130 00 queued",
        "kyc check ssn=588-46-6702 status=pending",
        "login from 203.0.113.42 flagged",
        "config loaded stripe_key=sk_live_4eC39HqLyjWDarjtT1zdp7dc",
        "auth header Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ];
    for i in 0..lines {
        let ts = format!(
            "2026-11-{:02}T{:02}:{:02}:{:02}.{:03}Z",
            1 + rng.below(28),
            rng.below(24),
            rng.below(60),
            rng.below(60),
            rng.below(1000)
        );
        let level = levels[rng.below(levels.len() as u64) as usize];
        let id = format!(
            "{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
            rng.next_u64() as u32,
            rng.below(1 << 16),
            rng.below(1 << 12),
            rng.below(1 << 12),
            rng.next_u64() & 0xffff_ffff_ffff
        );
        if rng.below(10) == 0 {
            let p = pii[rng.below(pii.len() as u64) as usize];
            out.push_str(&format!("{ts} {level} worker request_id={id} {p}\n"));
        } else {
            let path = paths[rng.below(paths.len() as u64) as usize];
            out.push_str(&format!(
                "{ts} {level} http method=GET path={path} status={} duration_ms={} bytes={} request_id={id} user_agent=\"Mozilla/5.0 (X11; Linux x86_64)\" line {i}\n",
                [200, 200, 201, 304, 404, 500][rng.below(6) as usize],
                rng.below(2000),
                rng.below(100_000),
            ));
        }
    }
    out
}
