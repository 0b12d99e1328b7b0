//! The verifiable log: extends the stored Merkle tree with the records written since the last
//! checkpoint and signs a new checkpoint (within `audit.checkpoint_batch_ms` of new records, at
//! least every `audit.checkpoint_idle_seconds`, and on demand), and builds the proofs served by
//! the API.
//!
//! A checkpoint is written with the tree nodes it covers in one transaction, after the records
//! are committed: a crash before it loses nothing (the next round signs the same records), and
//! every stored checkpoint covers only committed records. Several instances may sign at once:
//! they compute the same nodes (kept once) and each stores its own checkpoint.

use super::checkpoint::{Checkpoint, SigningIdentity};
use super::proof::{ConsistencyProofDocument, InclusionProofDocument, ProvenRecord};
use super::tree::{self, Builder, Hash, NodeId, Plan};
use crate::store::{AuditRecord, Store, StoreError, StoreResult, StoredCheckpoint};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Mutex;

/// Records read per page when extending the tree.
const PAGE: i64 = 2_000;

/// Signs checkpoints for one server instance; one round at a time.
pub struct Log {
    store: Arc<dyn Store>,
    identity: Arc<SigningIdentity>,
    round: Mutex<()>,
}

impl Log {
    pub fn new(store: Arc<dyn Store>, identity: Arc<SigningIdentity>) -> Self {
        Self {
            store,
            identity,
            round: Mutex::new(()),
        }
    }

    pub fn identity(&self) -> &SigningIdentity {
        &self.identity
    }

    /// Signs a checkpoint of every committed record, extending the tree first. Without new
    /// records, signs one only when `force` or when the newest is older than `idle`.
    pub async fn checkpoint(
        &self,
        now: DateTime<Utc>,
        force: bool,
        idle: Duration,
    ) -> StoreResult<Option<Checkpoint>> {
        let _round = self.round.lock().await;
        let size = self.store.tree_size().await?;
        let edge_ids = tree::frontier_ids(size);
        let edge = fetch(self.store.as_ref(), &edge_ids).await?;
        let edge = edge_ids
            .iter()
            .map(|id| {
                edge.get(id)
                    .map(|h| (id.0, id.1, *h))
                    .ok_or_else(|| missing(*id))
            })
            .collect::<StoreResult<Vec<_>>>()?;
        let mut builder = Builder::resume(size, edge);
        let mut nodes = Vec::new();
        loop {
            let page = self
                .store
                .audit_records(builder.size() as i64, PAGE)
                .await?;
            if page.is_empty() {
                break;
            }
            for record in &page {
                if record.seq != builder.size() as i64 + 1 {
                    return Err(StoreError::Corrupt(format!(
                        "audit record {} found where record {} was expected",
                        record.seq,
                        builder.size() + 1
                    )));
                }
                let leaf = tree::leaf_hash(&record.hash).map_err(|e| {
                    StoreError::Corrupt(format!("audit record {}: hash {e}", record.seq))
                })?;
                nodes.extend(
                    builder
                        .push(leaf)
                        .into_iter()
                        .map(|(l, i, h)| (l, i, hex::encode(h))),
                );
            }
        }
        let grew = builder.size() > size;
        if !grew && !force {
            let latest = self.store.latest_checkpoint(None).await?;
            let fresh = latest.is_some_and(|c| {
                c.tree_size == size
                    && now - c.signed_at < chrono::Duration::from_std(idle).unwrap_or_default()
            });
            if fresh {
                return Ok(None);
            }
        }
        let root = builder.root();
        let checkpoint = self.identity.sign(builder.size(), &root, now);
        let stored = StoredCheckpoint {
            seq: 0,
            tree_size: checkpoint.tree_size,
            signed_at: checkpoint.signed_at().unwrap_or(now),
            line: checkpoint.to_line(),
        };
        let event = crate::events::audit_checkpoint(&checkpoint, now);
        self.store
            .save_checkpoint(
                &nodes,
                &stored,
                &checkpoint.root_hash,
                &checkpoint.key_id,
                &event,
            )
            .await?;
        Ok(Some(checkpoint))
    }

    /// The inclusion proof of `record` against the newest checkpoint, signing one first when
    /// the newest does not cover the record yet.
    pub async fn prove(&self, record: &AuditRecord) -> StoreResult<InclusionProofDocument> {
        let index = (record.seq - 1) as u64;
        let mut latest = self.store.latest_checkpoint(None).await?;
        if latest.as_ref().is_none_or(|c| c.tree_size <= index) {
            self.checkpoint(Utc::now(), true, Duration::ZERO).await?;
            latest = self.store.latest_checkpoint(None).await?;
        }
        let latest = latest.filter(|c| c.tree_size > index).ok_or_else(|| {
            StoreError::Corrupt(format!(
                "no checkpoint covers record {} although one was just signed",
                record.seq
            ))
        })?;
        let checkpoint = parse(&latest)?;
        let path = run(
            self.store.as_ref(),
            tree::inclusion(index, checkpoint.tree_size),
        )
        .await?;
        Ok(InclusionProofDocument::new(
            ProvenRecord::of(record),
            index,
            tree::leaf_hash(&record.hash).map_err(StoreError::Corrupt)?,
            checkpoint,
            &path,
        ))
    }

    /// The consistency proof between the newest checkpoints of `from` and `to` records; `None`
    /// names the size no checkpoint was signed at.
    pub async fn consistency(
        &self,
        from: u64,
        to: u64,
    ) -> StoreResult<Result<ConsistencyProofDocument, u64>> {
        let Some(old) = self.store.latest_checkpoint(Some(from)).await? else {
            return Ok(Err(from));
        };
        let Some(new) = self.store.latest_checkpoint(Some(to)).await? else {
            return Ok(Err(to));
        };
        let path = run(self.store.as_ref(), tree::consistency(from, to)).await?;
        Ok(Ok(ConsistencyProofDocument::new(
            parse(&old)?,
            parse(&new)?,
            &path,
        )))
    }
}

fn parse(stored: &StoredCheckpoint) -> StoreResult<Checkpoint> {
    Checkpoint::from_line(&stored.line)
        .map_err(|e| StoreError::Corrupt(format!("checkpoint {}: {e}", stored.seq)))
}

fn missing(id: NodeId) -> StoreError {
    StoreError::Corrupt(format!(
        "the audit tree lacks its node at level {} index {}",
        id.0, id.1
    ))
}

async fn fetch(store: &dyn Store, ids: &[NodeId]) -> StoreResult<HashMap<NodeId, Hash>> {
    store
        .tree_nodes(ids)
        .await?
        .into_iter()
        .map(|(id, h)| {
            tree::decode_hash(&h)
                .map(|h| (id, h))
                .map_err(|e| StoreError::Corrupt(format!("audit tree node {id:?}: {e}")))
        })
        .collect()
}

/// Fetches what a plan needs and computes it.
async fn run<T>(store: &dyn Store, plan: Plan<T>) -> StoreResult<T> {
    let nodes = fetch(store, &plan.needs()).await?;
    plan.compute(&nodes).map_err(missing)
}

/// Signs checkpoints until `stop` turns true: a round every `batch` (records written meanwhile
/// share a checkpoint), a checkpoint at least every `idle`; then a last round for the records
/// of the last requests. A round is never cut short: it ends before the signer returns.
pub async fn run_signer(
    log: Arc<Log>,
    batch: Duration,
    idle: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut tick = tokio::time::interval(batch);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        let stopping = tokio::select! {
            _ = tick.tick() => *stop.borrow(),
            changed = stop.changed() => changed.is_err() || *stop.borrow(),
        };
        if let Err(error) = log.checkpoint(Utc::now(), false, idle).await {
            tracing::warn!(%error, "an audit checkpoint could not be signed; the next round retries");
        }
        if stopping {
            return;
        }
    }
}
