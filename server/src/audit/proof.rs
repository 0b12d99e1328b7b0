//! Proofs as files an outsider checks offline with only the log's public key
//! (`server audit verify-proof FILE --public-key KEY`): an inclusion proof (a record is in the
//! log a signed checkpoint describes) and a consistency proof (a later checkpoint's log extends
//! an earlier one's). The Merkle arithmetic of the check is the `ct-merkle` crate's (RFC 6962 /
//! 9162), independent of the code that builds the proofs.

use super::checkpoint::{Checkpoint, CheckpointError, PublicKey};
use super::tree::{self, Hash};
use crate::store::AuditRecord;
use chrono::SecondsFormat;
use serde::{Deserialize, Serialize};

type Sha256v11 = sha2_v011::Sha256;

/// An audit record with everything its chain hash covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProvenRecord {
    /// Its position in the log, from 1 (its leaf index is one less).
    pub seq: i64,
    pub id: String,
    /// `decision` or the kind of a later action.
    pub kind: String,
    pub decision_id: String,
    /// `sandbox` or `live`.
    pub world: String,
    /// When it was recorded, in milliseconds since 1970 (what the hash covers).
    pub recorded_at_ms: i64,
    /// The record itself, as the JSON text the hash covers.
    pub payload: String,
    /// The previous record's hash.
    pub prev_hash: String,
    /// This record's chain hash: the leaf's data.
    pub hash: String,
}

impl ProvenRecord {
    pub fn of(r: &AuditRecord) -> Self {
        Self {
            seq: r.seq,
            id: r.id.clone(),
            kind: r.kind.clone(),
            decision_id: r.decision_id.clone(),
            world: r.world.clone(),
            recorded_at_ms: r.recorded_at.timestamp_millis(),
            payload: r.payload.clone(),
            prev_hash: r.prev_hash.clone(),
            hash: r.hash.clone(),
        }
    }

    /// The chain hash recomputed from the fields.
    pub fn recomputed_hash(&self) -> String {
        aval_core::audit::record_hash(
            &self.prev_hash,
            self.seq,
            &self.id,
            &self.kind,
            &self.decision_id,
            &self.world,
            self.recorded_at_ms,
            &self.payload,
        )
    }
}

/// A record, where it stands in the log, and the proof that the signed checkpoint's log holds it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InclusionProofDocument {
    /// Always `inclusion`.
    #[serde(rename = "type")]
    pub proof_type: String,
    pub record: ProvenRecord,
    /// The record's leaf index (its `seq` minus one).
    pub leaf_index: u64,
    /// SHA-256(0x00 ‖ record hash), hexadecimal.
    pub leaf_hash: String,
    /// The signed checkpoint the proof leads to.
    pub checkpoint: Checkpoint,
    /// The audit path, leaf to root (RFC 9162 §2.1.3), hexadecimal.
    pub inclusion_proof: Vec<String>,
    /// When the proof was made (RFC 3339).
    pub generated_at: String,
}

impl InclusionProofDocument {
    pub fn new(
        record: ProvenRecord,
        leaf_index: u64,
        leaf_hash: Hash,
        checkpoint: Checkpoint,
        path: &[Hash],
    ) -> Self {
        Self {
            proof_type: "inclusion".into(),
            record,
            leaf_index,
            leaf_hash: hex::encode(leaf_hash),
            checkpoint,
            inclusion_proof: path.iter().map(hex::encode).collect(),
            generated_at: chrono::Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true),
        }
    }
}

/// Two signed checkpoints and the proof that the later one's log extends the earlier one's.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConsistencyProofDocument {
    /// Always `consistency`.
    #[serde(rename = "type")]
    pub proof_type: String,
    pub from: Checkpoint,
    pub to: Checkpoint,
    /// RFC 9162 §2.1.4, hexadecimal; empty when both have the same size.
    pub consistency_proof: Vec<String>,
}

impl ConsistencyProofDocument {
    pub fn new(from: Checkpoint, to: Checkpoint, path: &[Hash]) -> Self {
        Self {
            proof_type: "consistency".into(),
            from,
            to,
            consistency_proof: path.iter().map(hex::encode).collect(),
        }
    }
}

/// What a proof file proved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Proven {
    /// `inclusion` or `consistency`.
    #[serde(rename = "type")]
    pub proof_type: String,
    pub statement: String,
}

/// Why a proof does not hold.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProofError {
    /// The file is not a proof: nothing was proved either way.
    #[error("the file is not a proof: {0}")]
    Unreadable(String),
    #[error("the {which} checkpoint cannot be trusted: {error}")]
    Checkpoint {
        which: &'static str,
        error: CheckpointError,
    },
    #[error("{0}")]
    Fails(String),
}

fn hashes(hexes: &[String], name: &str) -> Result<Vec<u8>, ProofError> {
    let mut out = Vec::with_capacity(hexes.len() * 32);
    for (i, h) in hexes.iter().enumerate() {
        out.extend(
            tree::decode_hash(h)
                .map_err(|e| ProofError::Unreadable(format!("{name}[{i}] is {e}")))?,
        );
    }
    Ok(out)
}

fn root_of(
    c: &Checkpoint,
    which: &'static str,
) -> Result<ct_merkle::RootHash<Sha256v11>, ProofError> {
    let root = c
        .root()
        .map_err(|error| ProofError::Checkpoint { which, error })?;
    Ok(ct_merkle::RootHash::new(root.into(), c.tree_size))
}

/// Checks a proof file's content with the public key.
pub fn verify_file(text: &str, key: &PublicKey) -> Result<Proven, ProofError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ProofError::Unreadable(e.to_string()))?;
    match value.get("type").and_then(|t| t.as_str()) {
        Some("inclusion") => {
            let doc: InclusionProofDocument =
                serde_json::from_value(value).map_err(|e| ProofError::Unreadable(e.to_string()))?;
            verify_inclusion(&doc, key)
        }
        Some("consistency") => {
            let doc: ConsistencyProofDocument =
                serde_json::from_value(value).map_err(|e| ProofError::Unreadable(e.to_string()))?;
            verify_consistency(&doc, key)
        }
        _ => Err(ProofError::Unreadable(
            "its \"type\" is neither \"inclusion\" nor \"consistency\"".into(),
        )),
    }
}

pub fn verify_inclusion(
    doc: &InclusionProofDocument,
    key: &PublicKey,
) -> Result<Proven, ProofError> {
    doc.checkpoint
        .verify(key)
        .map_err(|error| ProofError::Checkpoint {
            which: "proof's",
            error,
        })?;
    let r = &doc.record;
    if r.recomputed_hash() != r.hash {
        return Err(ProofError::Fails(format!(
            "record {} ({}) does not match its hash: its content is not what was logged",
            r.seq, r.id
        )));
    }
    if r.seq < 1 || doc.leaf_index != (r.seq - 1) as u64 {
        return Err(ProofError::Fails(format!(
            "leaf index {} is not the place of record {}",
            doc.leaf_index, r.seq
        )));
    }
    let data = tree::decode_hash(&r.hash)
        .map_err(|e| ProofError::Unreadable(format!("record.hash is {e}")))?;
    let root = root_of(&doc.checkpoint, "proof's")?;
    let proof = ct_merkle::InclusionProof::<Sha256v11>::try_from_bytes(hashes(
        &doc.inclusion_proof,
        "inclusion_proof",
    )?)
    .map_err(|e| ProofError::Unreadable(format!("inclusion_proof: {e:?}")))?;
    root.verify_inclusion(&data, doc.leaf_index, &proof)
        .map_err(|e| {
            ProofError::Fails(format!(
                "record {} ({}) is not in the log of {} records the checkpoint signed \
                 ({e:?})",
                r.seq, r.id, doc.checkpoint.tree_size
            ))
        })?;
    Ok(Proven {
        proof_type: "inclusion".into(),
        statement: format!(
            "{} is record {} of the log of {} records signed by key {} at {}",
            if r.kind == "decision" {
                format!("decision {}", r.id)
            } else {
                format!("{} {} (about {})", r.kind, r.id, r.decision_id)
            },
            r.seq,
            doc.checkpoint.tree_size,
            doc.checkpoint.key_id,
            doc.checkpoint.timestamp
        ),
    })
}

pub fn verify_consistency(
    doc: &ConsistencyProofDocument,
    key: &PublicKey,
) -> Result<Proven, ProofError> {
    doc.from
        .verify(key)
        .map_err(|error| ProofError::Checkpoint {
            which: "earlier",
            error,
        })?;
    doc.to.verify(key).map_err(|error| ProofError::Checkpoint {
        which: "later",
        error,
    })?;
    let (from, to) = (&doc.from, &doc.to);
    let path = hashes(&doc.consistency_proof, "consistency_proof")?;
    let fails = |why: String| {
        ProofError::Fails(format!(
            "the log of {} records ({}) does not extend the log of {} records ({}): {why}",
            to.tree_size, to.timestamp, from.tree_size, from.timestamp
        ))
    };
    if from.tree_size > to.tree_size {
        return Err(fails("the earlier checkpoint is the larger".into()));
    }
    if from.tree_size == to.tree_size || from.tree_size == 0 {
        let same = from.tree_size == 0 || from.root_hash == to.root_hash;
        if !same || !path.is_empty() {
            return Err(fails("same size, different roots".into()));
        }
    } else {
        let proof = ct_merkle::ConsistencyProof::<Sha256v11>::try_from_bytes(path)
            .map_err(|e| ProofError::Unreadable(format!("consistency_proof: {e:?}")))?;
        root_of(to, "later")?
            .verify_consistency(&root_of(from, "earlier")?, &proof)
            .map_err(|e| fails(format!("{e:?}")))?;
    }
    Ok(Proven {
        proof_type: "consistency".into(),
        statement: format!(
            "the log of {} records signed at {} extends the log of {} records signed at {}",
            to.tree_size, to.timestamp, from.tree_size, from.timestamp
        ),
    })
}
