//! Versioned, checksummed snapshots of engine state.
//!
//! A snapshot is JSON: `{"format": "xspense-snapshot", "version": 1, "checksum": "<sha256 hex>",
//! "payload": {...}}`. The checksum covers the payload in canonical form (keys sorted), so a
//! snapshot that was edited, truncated or produced by something else is refused with a
//! `corrupt_snapshot` error before any state changes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::memory::{AliasEntry, LabelVotes};
use crate::model::Category;
use crate::rules::Rule;

/// The `format` field of every snapshot.
pub const SNAPSHOT_FORMAT: &str = "xspense-snapshot";
/// The snapshot version this build writes and reads.
pub const SNAPSHOT_VERSION: u32 = 1;

/// One tenant's state in a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSnapshot {
    /// Tenant-added categories.
    pub categories: Vec<Category>,
    /// Rules in the order they were added.
    pub rules: Vec<Rule>,
    /// Learned aliases by merchant key.
    pub aliases: BTreeMap<String, AliasEntry>,
    /// How the tenant names the built-in tables' categories, as learned from feedback. Absent
    /// in snapshots written before it was kept: the habits are then rebuilt from the aliases of
    /// merchants the knowledge base knows (those learned from merchant category codes and bank
    /// phrases start afresh).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_votes: Option<Vec<LabelVotes>>,
}

/// The payload of a snapshot.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SnapshotPayload {
    /// State by tenant.
    pub tenants: BTreeMap<String, TenantSnapshot>,
}

#[derive(Serialize, Deserialize)]
struct Envelope {
    format: String,
    version: u32,
    checksum: String,
    payload: serde_json::Value,
}

fn checksum(canonical: &str) -> String {
    hex::encode(Sha256::digest(canonical.as_bytes()))
}

/// Serializes a payload into snapshot text.
pub fn encode(payload: &SnapshotPayload) -> Result<String> {
    let value = serde_json::to_value(payload)
        .map_err(|e| Error::Internal(format!("snapshot encode: {e}")))?;
    let canonical = value.to_string();
    let env = Envelope {
        format: SNAPSHOT_FORMAT.into(),
        version: SNAPSHOT_VERSION,
        checksum: checksum(&canonical),
        payload: value,
    };
    serde_json::to_string(&env).map_err(|e| Error::Internal(format!("snapshot encode: {e}")))
}

/// Parses and verifies snapshot text.
pub fn decode(text: &str) -> Result<SnapshotPayload> {
    let env: Envelope = serde_json::from_str(text)
        .map_err(|e| Error::CorruptSnapshot(format!("not a snapshot document: {e}")))?;
    if env.format != SNAPSHOT_FORMAT {
        return Err(Error::CorruptSnapshot(format!(
            "format is {:?}, expected {SNAPSHOT_FORMAT:?}",
            env.format
        )));
    }
    if env.version != SNAPSHOT_VERSION {
        return Err(Error::CorruptSnapshot(format!(
            "version {} is not supported (this build reads version {SNAPSHOT_VERSION})",
            env.version
        )));
    }
    let canonical = env.payload.to_string();
    if checksum(&canonical) != env.checksum {
        return Err(Error::CorruptSnapshot(
            "checksum mismatch: the snapshot was altered or truncated".into(),
        ));
    }
    serde_json::from_value(env.payload)
        .map_err(|e| Error::CorruptSnapshot(format!("payload is invalid: {e}")))
}
