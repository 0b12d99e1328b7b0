//! `server audit verify`: everything stored, checked from the records up. The hash chain record
//! by record; every snapshot body re-hashed against its SHA-256 (streamed: decompressed into the
//! hash, never held whole) and every snapshot a decision refers to present; the Merkle tree
//! recomputed from the records and compared with the stored one; every stored checkpoint's
//! signature and root; and, given checkpoints kept elsewhere, that the log extends each of them.
//!
//! The outcome is one of three: intact, broken (something stored contradicts the records or a
//! signed checkpoint, named with the first place it does), or unverifiable (a checkpoint given
//! cannot be checked: signed by another key, malformed).

use super::checkpoint::{Checkpoint, PublicKey};
use super::tree::{self, Builder, Hash};
use crate::store::{Store, StoreResult};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet};
use std::io::Write;
use std::time::Instant;

/// The outcome.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Intact,
    Broken,
    Unverifiable,
}

impl Verdict {
    /// The command's exit code: 0 intact, 1 broken, 2 unverifiable.
    pub fn exit_code(self) -> i32 {
        match self {
            Verdict::Intact => 0,
            Verdict::Broken => 1,
            Verdict::Unverifiable => 2,
        }
    }
}

/// One thing found wrong, or that could not be checked.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// `chain`, `snapshot`, `tree`, `stored_checkpoint` or `external_checkpoint`.
    pub part: String,
    /// `broken` or `unverifiable`.
    pub severity: Verdict,
    /// What was found, naming the record, snapshot or checkpoint.
    pub problem: String,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Throughput {
    pub records: u64,
    pub snapshot_bodies: u64,
    /// Uncompressed bytes re-hashed.
    pub snapshot_bytes: u64,
    /// The whole verification.
    pub seconds: f64,
    /// The records' walk: chain, tree, the snapshots they name, the checkpoints compared.
    pub records_seconds: f64,
    /// The snapshot bodies' re-hashing.
    pub snapshot_seconds: f64,
    /// Records over `records_seconds`.
    pub records_per_second: f64,
    /// Uncompressed snapshot bytes over `snapshot_seconds`.
    pub snapshot_bytes_per_second: f64,
}

/// The whole report, printed as JSON.
#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub verdict: Verdict,
    /// Records in the log.
    pub records: u64,
    /// The chain's head hash.
    pub head: String,
    /// The Merkle root recomputed from the records.
    pub root_hash: String,
    pub stored_checkpoints: u64,
    pub external_checkpoints: u64,
    pub findings: Vec<Finding>,
    pub throughput: Throughput,
}

/// A checkpoint's root, once its signature is checked.
fn signed_root(c: &Checkpoint, key: Option<&PublicKey>) -> Result<Hash, String> {
    let key = key.ok_or("there is no public key to check its signature with")?;
    c.verify(key)
        .and_then(|()| c.root())
        .map_err(|e| e.to_string())
}

/// Checkpoints kept outside, one JSON per line; a line that is not one is a finding.
pub fn read_checkpoints(text: &str) -> Vec<(usize, Result<Checkpoint, String>)> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| {
            (
                i + 1,
                Checkpoint::from_line(l.trim()).map_err(|e| e.to_string()),
            )
        })
        .collect()
}

#[derive(serde::Deserialize)]
struct SnapshotRefs {
    #[serde(default)]
    snapshots: Vec<ShaRef>,
    #[serde(default)]
    debtor_snapshots: Vec<ShaRef>,
}

#[derive(serde::Deserialize)]
struct ShaRef {
    sha256: String,
}

/// What walks report as they go (a progress bar on a terminal).
pub trait Progress: Send + Sync {
    fn records(&self, _n: u64) {}
    fn snapshot_bytes(&self, _n: u64) {}
    fn phase(&self, _name: &str) {}
}

/// Reports nothing.
pub struct Quiet;
impl Progress for Quiet {}

/// Verifies everything stored; `external` are the checkpoints kept elsewhere (line, parsed).
pub async fn verify_all(
    store: &dyn Store,
    key: Option<&PublicKey>,
    external: &[(usize, Result<Checkpoint, String>)],
    progress: &dyn Progress,
) -> StoreResult<Report> {
    let started = Instant::now();
    let mut findings = Vec::new();
    let mut found = |part: &str, severity: Verdict, problem: String| {
        findings.push(Finding {
            part: part.into(),
            severity,
            problem,
        })
    };

    // The stored checkpoints, checked for their signature now and their root below.
    let mut stored = Vec::new();
    let mut after = None;
    loop {
        let page = store.checkpoints(after, 1_000).await?;
        let Some(last) = page.last() else { break };
        after = Some(last.signed_at);
        stored.extend(page);
    }
    // Size → (which checkpoint, root) to compare once the walk reaches that size.
    let mut wanted: BTreeMap<u64, Vec<(String, Hash, bool)>> = BTreeMap::new();
    for s in &stored {
        let name = format!("stored checkpoint {} ({} records)", s.seq, s.tree_size);
        match Checkpoint::from_line(&s.line) {
            Err(e) => found("stored_checkpoint", Verdict::Broken, format!("{name}: {e}")),
            Ok(c) => match signed_root(&c, key) {
                Err(e) => found(
                    "stored_checkpoint",
                    if key.is_some() {
                        Verdict::Broken
                    } else {
                        Verdict::Unverifiable
                    },
                    format!("{name}: {e}"),
                ),
                Ok(root) => wanted
                    .entry(c.tree_size)
                    .or_default()
                    .push((name, root, false)),
            },
        }
    }
    for (line, parsed) in external {
        match parsed {
            Err(e) => found(
                "external_checkpoint",
                Verdict::Unverifiable,
                format!("line {line}: {e}"),
            ),
            Ok(c) => match signed_root(c, key) {
                Err(e) => found(
                    "external_checkpoint",
                    Verdict::Unverifiable,
                    format!(
                        "line {line} ({} records, {}): {e}",
                        c.tree_size, c.timestamp
                    ),
                ),
                Ok(root) => wanted.entry(c.tree_size).or_default().push((
                    format!(
                        "checkpoint on line {line} ({} records, signed {})",
                        c.tree_size, c.timestamp
                    ),
                    root,
                    true,
                )),
            },
        }
    }

    // The records: the chain, the tree, the snapshots they refer to.
    progress.phase("records");
    let stored_size = store.tree_size().await?;
    let mut builder = Builder::default();
    let mut prev = super::GENESIS.to_owned();
    let mut chain_broken = false;
    let mut referenced = BTreeSet::new();
    let mut roots: BTreeMap<u64, Hash> = BTreeMap::new();
    if wanted.contains_key(&0) {
        roots.insert(0, tree::empty_root());
    }
    loop {
        let page = store.audit_records(builder.size() as i64, 1_000).await?;
        if page.is_empty() {
            break;
        }
        for record in &page {
            if !chain_broken {
                if let Some(problem) = super::check(record, builder.size() as i64 + 1, &prev) {
                    chain_broken = true;
                    found(
                        "chain",
                        Verdict::Broken,
                        format!("record {} ({}): {problem}", record.seq, record.id),
                    );
                }
            }
            prev = record.hash.clone();
            let leaf = match tree::leaf_hash(&record.hash) {
                Ok(leaf) => leaf,
                Err(e) => {
                    found(
                        "chain",
                        Verdict::Broken,
                        format!("record {} ({}): its hash is {e}", record.seq, record.id),
                    );
                    tree::leaf_hash(&"0".repeat(64)).unwrap_or_default()
                }
            };
            builder.push(leaf);
            if wanted.contains_key(&builder.size()) || builder.size() == stored_size {
                roots.insert(builder.size(), builder.root());
            }
            if record.kind == "decision" {
                if let Ok(refs) = serde_json::from_str::<SnapshotRefs>(&record.payload) {
                    referenced.extend(
                        refs.snapshots
                            .into_iter()
                            .chain(refs.debtor_snapshots)
                            .map(|r| r.sha256),
                    );
                }
            }
        }
        progress.records(page.len() as u64);
    }
    let records = builder.size();
    let root = builder.root();

    // Every checkpoint, stored or kept outside, must describe a prefix of this log.
    for (size, checkpoints) in &wanted {
        for (name, signed_root, external) in checkpoints {
            let part = if *external {
                "external_checkpoint"
            } else {
                "stored_checkpoint"
            };
            match roots.get(size) {
                None => found(
                    part,
                    Verdict::Broken,
                    format!(
                        "{name}: the log has only {records} records, so records after {records} \
                         were removed (truncated)"
                    ),
                ),
                Some(r) if r != signed_root => found(
                    part,
                    Verdict::Broken,
                    format!(
                        "{name}: the log's first {size} records are not the ones it signed \
                         (rewritten or forked)"
                    ),
                ),
                Some(_) => {}
            }
        }
    }

    // The stored tree must be the records' tree.
    if stored_size > records {
        found(
            "tree",
            Verdict::Broken,
            format!("the stored tree has {stored_size} leaves for {records} records"),
        );
    } else if stored_size > 0 {
        let plan = tree::root(stored_size);
        let nodes: std::collections::HashMap<_, _> = store
            .tree_nodes(&plan.needs())
            .await?
            .into_iter()
            .filter_map(|(id, h)| tree::decode_hash(&h).ok().map(|h| (id, h)))
            .collect();
        let expected = roots.get(&stored_size).copied();
        match (plan.compute(&nodes), expected) {
            (Err(id), _) => found(
                "tree",
                Verdict::Broken,
                format!(
                    "the stored tree lacks its node at level {} index {}",
                    id.0, id.1
                ),
            ),
            (Ok(stored_root), Some(expected)) if stored_root != expected => found(
                "tree",
                Verdict::Broken,
                format!("the stored tree of {stored_size} leaves does not match the records' tree"),
            ),
            _ => {}
        }
    }

    let records_seconds = started.elapsed().as_secs_f64();

    // The snapshot bodies.
    progress.phase("snapshots");
    let snapshots_started = Instant::now();
    let mut bodies = 0u64;
    let mut bytes = 0u64;
    let mut after = String::new();
    let mut present = BTreeSet::new();
    loop {
        let page = store.snapshot_bodies_after(&after, 200).await?;
        let Some(last) = page.last() else { break };
        after = last.sha256.clone();
        for body in &page {
            bodies += 1;
            match rehash(&body.compressed) {
                Err(e) => found(
                    "snapshot",
                    Verdict::Broken,
                    format!(
                        "snapshot {}: its body does not decompress ({e})",
                        body.sha256
                    ),
                ),
                Ok((sha, size)) => {
                    bytes += size;
                    progress.snapshot_bytes(size);
                    if sha != body.sha256 {
                        found(
                            "snapshot",
                            Verdict::Broken,
                            format!(
                                "snapshot {}: its body hashes to {sha} (replaced)",
                                body.sha256
                            ),
                        );
                    } else if size != body.size as u64 {
                        found(
                            "snapshot",
                            Verdict::Broken,
                            format!(
                                "snapshot {}: {size} bytes where {} were recorded",
                                body.sha256, body.size
                            ),
                        );
                    }
                }
            }
            present.insert(body.sha256.clone());
        }
    }
    for missing in referenced.difference(&present) {
        found(
            "snapshot",
            Verdict::Broken,
            format!("snapshot {missing}, which a decision read, is missing"),
        );
    }

    let snapshot_seconds = snapshots_started.elapsed().as_secs_f64();
    let seconds = started.elapsed().as_secs_f64();
    let verdict = if findings.iter().any(|f| f.severity == Verdict::Broken) {
        Verdict::Broken
    } else if findings.is_empty() {
        Verdict::Intact
    } else {
        Verdict::Unverifiable
    };
    Ok(Report {
        verdict,
        records,
        head: prev,
        root_hash: hex::encode(root),
        stored_checkpoints: stored.len() as u64,
        external_checkpoints: external.len() as u64,
        findings,
        throughput: Throughput {
            records,
            snapshot_bodies: bodies,
            snapshot_bytes: bytes,
            seconds,
            records_seconds,
            snapshot_seconds,
            records_per_second: records as f64 / records_seconds.max(1e-9),
            snapshot_bytes_per_second: bytes as f64 / snapshot_seconds.max(1e-9),
        },
    })
}

/// SHA-256 and length of a compressed body's content, decompressed as a stream.
fn rehash(compressed: &[u8]) -> std::io::Result<(String, u64)> {
    struct Hashing(Sha256, u64);
    impl Write for Hashing {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.update(buf);
            self.1 += buf.len() as u64;
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = Hashing(Sha256::new(), 0);
    std::io::copy(&mut flate2::read::GzDecoder::new(compressed), &mut out)?;
    Ok((hex::encode(out.0.finalize()), out.1))
}
