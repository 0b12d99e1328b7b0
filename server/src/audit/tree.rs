//! The Merkle tree over the audit records, with the hashing of RFC 9162 (Certificate
//! Transparency 2.0, §2.1): a leaf is `SHA-256(0x00 ‖ data)`, an inner node
//! `SHA-256(0x01 ‖ left ‖ right)`, and a tree of `n` leaves splits at the largest power of two
//! below `n`. A record's leaf data is its chain hash (32 bytes), which commits to every field of
//! the record and to the record before it.
//!
//! The store keeps every complete subtree (a node at `level` and `index` covers the leaves
//! `index·2^level … (index+1)·2^level`); a hash over any other range is made from O(log n) of
//! them. Proofs are built in two passes over the same recursion: the first lists the stored nodes
//! it needs, the second computes with them once fetched, so a proof costs one read.

use sha2::{Digest, Sha256};
use std::collections::{BTreeSet, HashMap};

/// A node's hash.
pub type Hash = [u8; 32];

/// A complete subtree: its level (0 for a leaf) and its index at that level.
pub type NodeId = (u32, u64);

/// The leaf hash of a record whose chain hash is `record_hash` (hex).
pub fn leaf_hash(record_hash: &str) -> Result<Hash, String> {
    let data = decode_hash(record_hash)?;
    let mut h = Sha256::new();
    h.update([0u8]);
    h.update(data);
    Ok(h.finalize().into())
}

/// An inner node's hash.
pub fn node_hash(left: &Hash, right: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update([1u8]);
    h.update(left);
    h.update(right);
    h.finalize().into()
}

/// The hash of the empty tree: SHA-256 of nothing.
pub fn empty_root() -> Hash {
    Sha256::digest([]).into()
}

/// A 32-byte hash from 64 hexadecimal characters.
pub fn decode_hash(hex_text: &str) -> Result<Hash, String> {
    let bytes = hex::decode(hex_text).map_err(|e| format!("not hexadecimal: {e}"))?;
    bytes
        .try_into()
        .map_err(|b: Vec<u8>| format!("{} bytes where a hash has 32", b.len()))
}

/// The largest power of two strictly below `n` (n ≥ 2).
fn split(n: u64) -> u64 {
    debug_assert!(n >= 2);
    1 << (63 - (n - 1).leading_zeros())
}

/// Where a computation reads complete subtrees from.
trait Nodes {
    fn get(&mut self, id: NodeId) -> Hash;
}

/// Records which nodes were asked for.
#[derive(Default)]
struct Recorder(BTreeSet<NodeId>);

impl Nodes for Recorder {
    fn get(&mut self, id: NodeId) -> Hash {
        self.0.insert(id);
        [0; 32]
    }
}

/// Answers from nodes fetched beforehand.
struct Fetched<'a>(&'a HashMap<NodeId, Hash>, Option<NodeId>);

impl Nodes for Fetched<'_> {
    fn get(&mut self, id: NodeId) -> Hash {
        match self.0.get(&id) {
            Some(h) => *h,
            None => {
                self.1.get_or_insert(id);
                [0; 32]
            }
        }
    }
}

/// MTH(D[start..end]) (RFC 9162 §2.1.1), from complete subtrees.
fn subtree(nodes: &mut dyn Nodes, start: u64, end: u64) -> Hash {
    let n = end - start;
    if n.is_power_of_two() && start.is_multiple_of(n) {
        return nodes.get((n.trailing_zeros(), start / n));
    }
    let k = split(n);
    let left = subtree(nodes, start, start + k);
    let right = subtree(nodes, start + k, end);
    node_hash(&left, &right)
}

/// PATH(m, D[start..end]) (RFC 9162 §2.1.3.1), leaf to root.
fn path(nodes: &mut dyn Nodes, m: u64, start: u64, end: u64, out: &mut Vec<Hash>) {
    let n = end - start;
    if n <= 1 {
        return;
    }
    let k = split(n);
    if m < k {
        path(nodes, m, start, start + k, out);
        out.push(subtree(nodes, start + k, end));
    } else {
        path(nodes, m - k, start + k, end, out);
        out.push(subtree(nodes, start, start + k));
    }
}

/// SUBPROOF(m, D[start..end], b) (RFC 9162 §2.1.4.1).
fn subproof(nodes: &mut dyn Nodes, m: u64, start: u64, end: u64, whole: bool, out: &mut Vec<Hash>) {
    let n = end - start;
    if m == n {
        if !whole {
            out.push(subtree(nodes, start, end));
        }
        return;
    }
    let k = split(n);
    if m <= k {
        subproof(nodes, m, start, start + k, whole, out);
        out.push(subtree(nodes, start + k, end));
    } else {
        subproof(nodes, m - k, start + k, end, false, out);
        out.push(subtree(nodes, start, start + k));
    }
}

/// The recursion a plan runs, over whichever node source it is given.
type Run<T> = Box<dyn Fn(&mut dyn Nodes) -> T + Send>;

/// A computation over the tree: what it needs, then its result once those nodes are fetched.
pub struct Plan<T> {
    run: Run<T>,
}

impl<T> Plan<T> {
    fn new(run: impl Fn(&mut dyn Nodes) -> T + Send + 'static) -> Self {
        Self { run: Box::new(run) }
    }

    /// The complete subtrees the computation reads.
    pub fn needs(&self) -> Vec<NodeId> {
        let mut recorder = Recorder::default();
        (self.run)(&mut recorder);
        recorder.0.into_iter().collect()
    }

    /// The result from the fetched nodes, or the first node missing among them.
    pub fn compute(&self, fetched: &HashMap<NodeId, Hash>) -> Result<T, NodeId> {
        let mut nodes = Fetched(fetched, None);
        let out = (self.run)(&mut nodes);
        match nodes.1 {
            Some(missing) => Err(missing),
            None => Ok(out),
        }
    }
}

/// The root of the tree of the first `size` leaves.
pub fn root(size: u64) -> Plan<Hash> {
    Plan::new(move |nodes| {
        if size == 0 {
            empty_root()
        } else {
            subtree(nodes, 0, size)
        }
    })
}

/// The inclusion proof of leaf `index` in the tree of `size` leaves (`index < size`).
pub fn inclusion(index: u64, size: u64) -> Plan<Vec<Hash>> {
    assert!(index < size, "leaf {index} is outside a tree of {size}");
    Plan::new(move |nodes| {
        let mut out = Vec::new();
        path(nodes, index, 0, size, &mut out);
        out
    })
}

/// The consistency proof between the trees of `from` and `to` leaves (`0 < from ≤ to`); empty
/// when they are the same size.
pub fn consistency(from: u64, to: u64) -> Plan<Vec<Hash>> {
    assert!(
        0 < from && from <= to,
        "no consistency proof from {from} to {to}"
    );
    Plan::new(move |nodes| {
        let mut out = Vec::new();
        if from < to {
            subproof(nodes, from, 0, to, true, &mut out);
        }
        out
    })
}

/// The complete subtrees on the right edge of a tree of `size` leaves, largest first: what
/// appending to it starts from.
pub fn frontier_ids(size: u64) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut start = 0;
    for level in (0..64u32).rev() {
        let width = 1u64 << level;
        if size & width != 0 {
            out.push((level, start >> level));
            start += width;
        }
    }
    out
}

/// Grows a tree leaf by leaf, keeping only its right edge, and gives each complete subtree as it
/// is finished: what the store writes and what verification recomputes.
#[derive(Debug, Clone, Default)]
pub struct Builder {
    size: u64,
    /// (level, index, hash), largest first.
    edge: Vec<(u32, u64, Hash)>,
}

impl Builder {
    /// Continues a tree of `size` leaves from its right edge (`frontier_ids(size)`, fetched).
    pub fn resume(size: u64, edge: Vec<(u32, u64, Hash)>) -> Self {
        Self { size, edge }
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    /// Appends a leaf; the complete subtrees it finishes (the leaf itself first).
    pub fn push(&mut self, leaf: Hash) -> Vec<(u32, u64, Hash)> {
        let mut finished = vec![(0, self.size, leaf)];
        self.edge.push((0, self.size, leaf));
        while self.edge.len() >= 2 {
            let (rl, ri, rh) = self.edge[self.edge.len() - 1];
            let (ll, _, lh) = self.edge[self.edge.len() - 2];
            if ll != rl {
                break;
            }
            self.edge.truncate(self.edge.len() - 2);
            let parent = (rl + 1, ri / 2, node_hash(&lh, &rh));
            finished.push(parent);
            self.edge.push(parent);
        }
        self.size += 1;
        finished
    }

    /// The root of the tree so far.
    pub fn root(&self) -> Hash {
        let mut it = self.edge.iter().rev();
        let Some(&(_, _, mut acc)) = it.next() else {
            return empty_root();
        };
        for (_, _, left) in it {
            acc = node_hash(left, &acc);
        }
        acc
    }
}

#[cfg(test)]
mod tests;
