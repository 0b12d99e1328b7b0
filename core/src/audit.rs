//! The audit trail: append-only records (decisions and later human actions) chained by hash.
//! Each record's hash covers its position, content and the previous record's hash, so changing,
//! removing or reordering any stored row breaks the chain at that row. This is the rule; walking
//! a stored chain is the server's (`audit::verify`).

use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The previous hash of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[allow(clippy::too_many_arguments)]
/// The hash of a record: SHA-256 over its fields, each length-prefixed so no two different
/// records can produce the same input.
pub fn record_hash(
    prev_hash: &str,
    seq: i64,
    id: &str,
    kind: &str,
    decision_id: &str,
    world: &str,
    recorded_at_ms: i64,
    payload: &str,
) -> String {
    let mut h = Sha256::new();
    h.update(b"aval-audit-v1");
    for field in [
        prev_hash,
        &seq.to_string(),
        id,
        kind,
        decision_id,
        world,
        &recorded_at_ms.to_string(),
        payload,
    ] {
        h.update((field.len() as u64).to_be_bytes());
        h.update(field.as_bytes());
    }
    hex::encode(h.finalize())
}

/// An audit record as stored: a decision or a later human action.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditRecord {
    /// Position in the chain, from 1.
    pub seq: i64,
    pub id: String,
    /// `decision` or the kind of a later event.
    pub kind: String,
    /// The decision the record is about (its own id for a decision).
    pub decision_id: String,
    pub world: String,
    pub recorded_at: DateTime<Utc>,
    /// The record itself, as JSON.
    pub payload: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The first record that does not fit the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BrokenLink {
    pub seq: i64,
    pub id: String,
    pub problem: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    /// Records checked.
    pub records: u64,
    /// Hash of the last record checked (the chain's head).
    pub head: String,
    pub first_broken: Option<BrokenLink>,
}

impl ChainReport {
    pub fn intact(&self) -> bool {
        self.first_broken.is_none()
    }
}

/// Checks one record against the previous hash and the position it should have.
pub fn check(record: &AuditRecord, expected_seq: i64, prev_hash: &str) -> Option<String> {
    if record.seq != expected_seq {
        return Some(format!(
            "record {} found where record {expected_seq} was expected (missing or reordered rows)",
            record.seq
        ));
    }
    if record.prev_hash != prev_hash {
        return Some("its previous-record hash does not match the previous record".into());
    }
    let recomputed = record_hash(
        &record.prev_hash,
        record.seq,
        &record.id,
        &record.kind,
        &record.decision_id,
        &record.world,
        record.recorded_at.timestamp_millis(),
        &record.payload,
    );
    (recomputed != record.hash).then(|| "its content does not match its hash (altered)".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moving_text_between_fields_changes_the_hash() {
        let a = record_hash(GENESIS, 1, "ab", "c", "d", "sandbox", 5, "{}");
        let b = record_hash(GENESIS, 1, "a", "bc", "d", "sandbox", 5, "{}");
        assert_ne!(a, b);
        assert_eq!(
            a,
            record_hash(GENESIS, 1, "ab", "c", "d", "sandbox", 5, "{}")
        );
        assert_eq!(a.len(), 64);
    }
}
