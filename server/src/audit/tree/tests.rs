//! The tree's hashing and proofs against an independent implementation of RFC 6962/9162
//! (`ct-merkle`'s memory-backed tree and verifiers), for every size up to 130 leaves.

use super::*;
use ct_merkle::mem_backed_tree::MemoryBackedTree;

type H11 = sha2_v011::Sha256;

fn record_hash(i: u64) -> String {
    hex::encode(Sha256::digest(i.to_be_bytes()))
}

/// Our tree (all its complete subtrees) and ct-merkle's, over the same `n` records.
fn trees(
    n: u64,
) -> (
    Builder,
    HashMap<NodeId, Hash>,
    MemoryBackedTree<H11, [u8; 32]>,
) {
    let mut ours = Builder::default();
    let mut nodes = HashMap::new();
    let mut theirs = MemoryBackedTree::new();
    for i in 0..n {
        let h = record_hash(i);
        for (l, idx, hash) in ours.push(leaf_hash(&h).unwrap()) {
            nodes.insert((l, idx), hash);
        }
        theirs.push(decode_hash(&h).unwrap());
    }
    (ours, nodes, theirs)
}

#[test]
fn roots_match_an_independent_implementation() {
    assert_eq!(
        hex::encode(empty_root()),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    for n in 1..=130 {
        let (ours, nodes, theirs) = trees(n);
        let theirs_root: [u8; 32] = theirs.root().as_bytes().as_slice().try_into().unwrap();
        assert_eq!(ours.root(), theirs_root, "size {n}");
        // From the stored complete subtrees, the same root.
        assert_eq!(root(n).compute(&nodes).unwrap(), theirs_root, "size {n}");
        // Resuming from the right edge gives the same tree.
        let edge = frontier_ids(n - 1)
            .into_iter()
            .map(|id| (id.0, id.1, nodes[&id]))
            .collect();
        let mut resumed = Builder::resume(n - 1, edge);
        resumed.push(leaf_hash(&record_hash(n - 1)).unwrap());
        assert_eq!(resumed.root(), theirs_root, "resumed at {n}");
    }
}

#[test]
fn inclusion_proofs_are_rfc_9162_paths() {
    for n in 1..=70 {
        let (_, nodes, theirs) = trees(n);
        for i in 0..n {
            let plan = inclusion(i, n);
            let ours: Vec<u8> = plan.compute(&nodes).unwrap().concat();
            assert_eq!(
                ours,
                theirs.prove_inclusion(i as usize).as_bytes(),
                "{i} of {n}"
            );
            let proof = ct_merkle::InclusionProof::<H11>::try_from_bytes(ours).unwrap();
            theirs
                .root()
                .verify_inclusion(&decode_hash(&record_hash(i)).unwrap(), i, &proof)
                .unwrap();
            // The plan reads only O(log n) stored nodes.
            assert!(plan.needs().len() <= 2 * 64, "{i} of {n}");
        }
    }
}

#[test]
fn consistency_proofs_are_rfc_9162_subproofs() {
    for n in 1..=70 {
        let (_, nodes, theirs) = trees(n);
        for m in 1..=n {
            let ours: Vec<u8> = consistency(m, n).compute(&nodes).unwrap().concat();
            assert_eq!(
                ours,
                theirs.prove_consistency((n - m) as usize).as_bytes(),
                "{m} → {n}"
            );
            if m < n {
                let (_, _, old) = trees(m);
                let proof = ct_merkle::ConsistencyProof::<H11>::try_from_bytes(ours).unwrap();
                theirs
                    .root()
                    .verify_consistency(&old.root(), &proof)
                    .unwrap();
            }
        }
    }
}

#[test]
fn a_missing_node_is_named() {
    let (_, mut nodes, _) = trees(5);
    nodes.remove(&(2, 0));
    assert_eq!(root(5).compute(&nodes), Err((2, 0)));
}
