//! An append-only log of decisions, corrections, rule changes and task transitions. Each entry
//! is hash-chained to the one before it (SHA-256), so [`verify`] finds the first entry that was
//! altered, removed or reordered. Old and new values pass through redaction before they are
//! stored.
//!
//! ```
//! use serde_json::json;
//! use xspense::audit::{verify, AuditAction, AuditLog};
//!
//! let mut log = AuditLog::new();
//! log.append(1_000, "alice", "user:7", AuditAction::Correction, "tx-9",
//!     Some(json!({"category": "shopping.other"})), Some(json!({"category": "food.coffee"}))).unwrap();
//! log.append(2_000, "alice", "api", AuditAction::RuleChange, "rule r1",
//!     None, Some(json!({"when": "descriptor contains \"4111 1111 1111 1111\""}))).unwrap();
//! assert!(log.entries()[1].new.as_ref().unwrap()["when"].as_str().unwrap().contains("[CARD]"));
//! verify(log.entries()).unwrap();
//!
//! let mut tampered = log.entries().to_vec();
//! tampered[0].actor = "user:8".into();
//! assert_eq!(verify(&tampered).unwrap_err().to_string(),
//!     "audit log tampered at entry 0: altered: its hash does not match its content");
//! ```

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

use crate::clock::Millis;
use crate::error::{Error, Result};
use crate::redact::Redactor;

mod backend;
mod store;

pub use backend::AuditBackend;
pub use store::{AuditStore, NewAuditEntry};

/// What kind of event an entry records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
#[serde(rename_all = "snake_case")]
pub enum AuditAction {
    /// A categorization decision.
    Decision,
    /// A user's correction.
    Correction,
    /// A rule added, changed or removed.
    RuleChange,
    /// A task changed status.
    TaskTransition,
    /// Anything else the host records.
    Other,
}

impl AuditAction {
    /// The stable name.
    pub fn as_str(self) -> &'static str {
        match self {
            AuditAction::Decision => "decision",
            AuditAction::Correction => "correction",
            AuditAction::RuleChange => "rule_change",
            AuditAction::TaskTransition => "task_transition",
            AuditAction::Other => "other",
        }
    }
}

impl std::str::FromStr for AuditAction {
    type Err = Error;
    /// Parses the stable name (`decision`, `correction`, `rule_change`, `task_transition`,
    /// `other`).
    fn from_str(s: &str) -> Result<AuditAction> {
        Ok(match s {
            "decision" => AuditAction::Decision,
            "correction" => AuditAction::Correction,
            "rule_change" => AuditAction::RuleChange,
            "task_transition" => AuditAction::TaskTransition,
            "other" => AuditAction::Other,
            _ => {
                return Err(Error::invalid(format!(
                    "action must be decision, correction, rule_change, task_transition or other, got {s:?}"
                )))
            }
        })
    }
}

/// One record of the log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(schemars::JsonSchema))]
pub struct AuditEntry {
    /// Position in the log, from 0.
    pub seq: u64,
    /// When it happened.
    pub at: Millis,
    /// Tenant concerned.
    pub tenant: String,
    /// Who did it (`user:7`, `worker:categorizer`, `api`).
    pub actor: String,
    /// What kind of event.
    pub action: AuditAction,
    /// What it concerns (a transaction id, a rule id, a task id).
    pub subject: String,
    /// Value before, redacted.
    pub old: Option<Value>,
    /// Value after, redacted.
    pub new: Option<Value>,
    /// Hash of the previous entry (hex; 64 zeros for the first).
    pub prev_hash: String,
    /// SHA-256 of this entry's content and `prev_hash` (hex).
    pub hash: String,
}

/// The `prev_hash` of the first entry of a chain.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

fn field(h: &mut Sha256, bytes: &[u8]) {
    h.update((bytes.len() as u64).to_le_bytes());
    h.update(bytes);
}

/// The hash an entry must carry (length-prefixed fields, so no two contents collide).
fn entry_hash(e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    h.update(e.seq.to_le_bytes());
    h.update(e.at.to_le_bytes());
    field(&mut h, e.tenant.as_bytes());
    field(&mut h, e.actor.as_bytes());
    field(&mut h, e.action.as_str().as_bytes());
    field(&mut h, e.subject.as_bytes());
    for v in [&e.old, &e.new] {
        match v {
            Some(v) => field(&mut h, v.to_string().as_bytes()),
            None => h.update([0xff; 8]),
        }
    }
    field(&mut h, e.prev_hash.as_bytes());
    hex::encode(h.finalize())
}

impl AuditEntry {
    /// The hash [`verify`] expects in `hash`: SHA-256 of the content and `prev_hash`. For
    /// stores that append to a chain they keep themselves (one entry at a time, without
    /// loading the whole chain into an [`AuditLog`]).
    pub fn content_hash(&self) -> String {
        entry_hash(self)
    }
}

/// An append-only, hash-chained audit log held in memory; persist [`AuditLog::entries`]
/// anywhere and check them later with [`verify`].
#[derive(Debug)]
pub struct AuditLog {
    entries: Vec<AuditEntry>,
    redactor: Option<Redactor>,
}

impl Default for AuditLog {
    fn default() -> Self {
        AuditLog::new()
    }
}

impl AuditLog {
    /// An empty log that redacts old and new values with the default [`Redactor`].
    pub fn new() -> AuditLog {
        AuditLog {
            entries: Vec::new(),
            redactor: Some(Redactor::new()),
        }
    }

    /// An empty log with a given redactor, or none (values stored as given).
    pub fn with_redactor(redactor: Option<Redactor>) -> AuditLog {
        AuditLog {
            entries: Vec::new(),
            redactor,
        }
    }

    /// Continues a stored log after checking it.
    pub fn resume(entries: Vec<AuditEntry>, redactor: Option<Redactor>) -> Result<AuditLog> {
        verify(&entries)?;
        Ok(AuditLog { entries, redactor })
    }

    /// Appends one entry and returns it.
    #[allow(clippy::too_many_arguments)]
    pub fn append(
        &mut self,
        at: Millis,
        tenant: &str,
        actor: &str,
        action: AuditAction,
        subject: &str,
        old: Option<Value>,
        new: Option<Value>,
    ) -> Result<&AuditEntry> {
        if tenant.is_empty() || actor.is_empty() {
            return Err(Error::invalid("audit entries need a tenant and an actor"));
        }
        let clean = |v: Option<Value>| match (&self.redactor, v) {
            (Some(r), Some(v)) => Some(r.redact_json(&v).value),
            (_, v) => v,
        };
        let (old, new) = (clean(old), clean(new));
        let (seq, prev_hash) = match self.entries.last() {
            Some(last) => (last.seq + 1, last.hash.clone()),
            None => (0, GENESIS.to_string()),
        };
        let mut e = AuditEntry {
            seq,
            at,
            tenant: tenant.to_string(),
            actor: actor.to_string(),
            action,
            subject: subject.to_string(),
            old,
            new,
            prev_hash,
            hash: String::new(),
        };
        e.hash = entry_hash(&e);
        self.entries.push(e);
        Ok(self.entries.last().expect("just pushed"))
    }

    /// Every entry, oldest first.
    pub fn entries(&self) -> &[AuditEntry] {
        &self.entries
    }

    /// Entries of one tenant.
    pub fn for_tenant<'a>(&'a self, tenant: &'a str) -> impl Iterator<Item = &'a AuditEntry> {
        self.entries.iter().filter(move |e| e.tenant == tenant)
    }
}

/// Checks a chain: sequence numbers run from 0 without gaps, each entry's hash matches its
/// content, and each links to the hash before it. The error names the first entry that fails
/// and whether it was altered, removed (a gap) or reordered.
pub fn verify(entries: &[AuditEntry]) -> Result<()> {
    let mut prev = GENESIS.to_string();
    for (i, e) in entries.iter().enumerate() {
        let expected = i as u64;
        let tampered = |problem: String| Error::Tampered {
            seq: expected,
            problem,
        };
        if e.seq != expected {
            let later = entries[i + 1..].iter().any(|x| x.seq == expected);
            return Err(tampered(if e.seq < expected || later {
                format!(
                    "reordered: entry {} is where entry {expected} belongs",
                    e.seq
                )
            } else {
                format!(
                    "removed: entry {expected} is missing (found {} next)",
                    e.seq
                )
            }));
        }
        if entry_hash(e) != e.hash {
            return Err(tampered(
                "altered: its hash does not match its content".into(),
            ));
        }
        if e.prev_hash != prev {
            return Err(tampered(
                "removed or reordered: it does not link to the entry before it".into(),
            ));
        }
        prev = e.hash.clone();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn log(n: usize) -> Vec<AuditEntry> {
        let mut l = AuditLog::with_redactor(None);
        for i in 0..n {
            l.append(
                i as i64,
                "t",
                "a",
                AuditAction::TaskTransition,
                &format!("task {i}"),
                Some(json!("pending")),
                Some(json!("claimed")),
            )
            .unwrap();
        }
        l.entries().to_vec()
    }

    #[test]
    fn names_the_first_broken_entry() {
        let good = log(5);
        verify(&good).unwrap();
        let err = |v: &[AuditEntry]| match verify(v).unwrap_err() {
            Error::Tampered { seq, problem } => {
                (seq, problem.split(':').next().unwrap().to_string())
            }
            e => panic!("{e}"),
        };
        let mut altered = good.clone();
        altered[2].new = Some(json!("completed"));
        assert_eq!(err(&altered), (2, "altered".into()));
        let mut removed = good.clone();
        removed.remove(3);
        assert_eq!(err(&removed), (3, "removed".into()));
        let mut reordered = good.clone();
        reordered.swap(1, 2);
        assert_eq!(err(&reordered), (1, "reordered".into()));
        let mut swapped_back = good.clone();
        swapped_back.swap(3, 4);
        swapped_back[3].seq = 3;
        swapped_back[4].seq = 4;
        assert_eq!(err(&swapped_back).0, 3);
        // re-hashing an altered entry does not help: the next link breaks
        let mut rehashed = good.clone();
        rehashed[1].actor = "mallory".into();
        rehashed[1].hash = entry_hash(&rehashed[1]);
        assert_eq!(err(&rehashed), (2, "removed or reordered".into()));
        // a truncated tail is a valid shorter log; keep the last hash elsewhere to detect it
        verify(&good[..3]).unwrap();
        assert_eq!(err(&good[1..]), (0, "removed".into()));
    }

    #[test]
    fn resume_continues_the_chain() {
        let entries = log(3);
        let mut l = AuditLog::resume(entries, None).unwrap();
        l.append(9, "t", "a", AuditAction::Other, "x", None, None)
            .unwrap();
        verify(l.entries()).unwrap();
        assert_eq!(l.entries()[3].seq, 3);
        assert_eq!(l.for_tenant("t").count(), 4);
        assert_eq!(l.for_tenant("u").count(), 0);
    }
}
