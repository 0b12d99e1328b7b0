//! The audit trail: the hash-chain rule is `aval_core::audit` (re-exported here); over the chain,
//! a Merkle tree with signed checkpoints (`tree`, `checkpoint`, `log`) and the proofs an
//! outsider checks offline (`proof`). [`verify`] walks the chain alone; `verification` checks
//! everything stored (chain, snapshot bodies, tree, checkpoints) and checkpoints kept outside.

pub mod checkpoint;
pub mod log;
pub mod proof;
pub mod tree;
pub mod verification;

pub use aval_core::audit::*;
pub use checkpoint::{Checkpoint, PublicKey, SigningIdentity};

use crate::store::{Ledger, StoreResult};

/// Walks the whole chain, in pages, and reports the first broken link.
pub async fn verify(store: &dyn Ledger) -> StoreResult<ChainReport> {
    const PAGE: i64 = 1_000;
    let mut prev = GENESIS.to_owned();
    let mut expected = 1;
    let mut count = 0;
    loop {
        let page = store.audit_records(expected - 1, PAGE).await?;
        if page.is_empty() {
            return Ok(ChainReport {
                records: count,
                head: prev,
                first_broken: None,
            });
        }
        for record in &page {
            if let Some(problem) = check(record, expected, &prev) {
                return Ok(ChainReport {
                    records: count,
                    head: prev,
                    first_broken: Some(BrokenLink {
                        seq: record.seq,
                        id: record.id.clone(),
                        problem,
                    }),
                });
            }
            prev = record.hash.clone();
            expected += 1;
            count += 1;
        }
    }
}
