//! A boosted tree ensemble as stored in the model file, its prediction and its exact
//! per-feature contributions (path-dependent TreeSHAP, Lundberg et al. 2018, Algorithm 2).
//!
//! A value is one of three things. A number follows the split. An undefined ratio (its
//! denominator is zero, which is what a missing value of the training data is) follows the
//! branch the booster learned for missing values at that split. An unknown ratio (the source
//! does not give it) is integrated out: at a split on it both branches are followed and weighted
//! by the training rows that went each way, so its contribution is exactly zero and the other
//! contributions still add up to the log-odds.

use super::{Contribution, Prediction};
use serde::{Deserialize, Serialize};

/// Deepest tree a loaded model may have (the recursion depth of prediction).
const MAX_DEPTH: usize = 32;

/// The ensemble: `log-odds = base_score + Σ tree(x)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Ensemble {
    pub library: String,
    pub settings: Settings,
    pub base_score: f64,
    pub trees: Vec<Tree>,
}

/// The settings the booster was trained with, as recorded in the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Settings {
    pub iterations: usize,
    pub learning_rate: f64,
    pub max_depth: usize,
    /// Minimum sum of hessians p(1 − p) in a leaf.
    pub min_leaf_weight: f64,
    pub l2: f64,
    pub nbins: u16,
}

/// One tree; node 0 is the root and children come after their parent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tree {
    pub nodes: Vec<Node>,
}

/// The branch an undefined value takes at a split.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    Left,
    Right,
}

/// A split (`x < threshold` goes left) or a leaf. `cover` is the number of training rows that
/// reached the node. `missing` is the branch the training's missing values took (absent in
/// trees that never saw one: an undefined value is then integrated out).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Node {
    Split {
        feature: usize,
        threshold: f64,
        left: usize,
        right: usize,
        cover: usize,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        missing: Option<Side>,
    },
    Leaf {
        value: f64,
        cover: usize,
    },
}

/// A row to predict: the values (`None` when there is none) and which features are unknown
/// rather than undefined.
#[derive(Debug, Clone, Copy)]
pub struct Inputs<'a> {
    pub row: &'a [Option<f64>],
    /// `unknown[j]`: feature `j`, when it has no value, is unknown (integrated out); otherwise
    /// it is undefined (the learned missing branch).
    pub unknown: &'a [bool],
    /// Whether a feature beyond `unknown` is unknown.
    pub otherwise_unknown: bool,
}

/// Where a row goes at a split.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Way {
    Left,
    Right,
    /// Both branches, weighted by their training rows.
    Both,
}

impl Inputs<'_> {
    /// A training row: every missing value is undefined.
    pub fn training(row: &[Option<f64>]) -> Inputs<'_> {
        Inputs {
            row,
            unknown: &[],
            otherwise_unknown: false,
        }
    }

    fn way(&self, feature: usize, threshold: f64, missing: Option<Side>) -> Way {
        match self.row.get(feature).copied().flatten() {
            Some(v) if v < threshold => Way::Left,
            Some(_) => Way::Right,
            None if self
                .unknown
                .get(feature)
                .copied()
                .unwrap_or(self.otherwise_unknown) =>
            {
                Way::Both
            }
            None => match missing {
                Some(Side::Left) => Way::Left,
                Some(Side::Right) => Way::Right,
                None => Way::Both,
            },
        }
    }
}

/// Every feature unknown: the tree's expectation over the training rows.
const NOTHING_KNOWN: Inputs<'static> = Inputs {
    row: &[],
    unknown: &[],
    otherwise_unknown: true,
};

impl Node {
    fn cover(&self) -> usize {
        match self {
            Node::Split { cover, .. } | Node::Leaf { cover, .. } => *cover,
        }
    }
}

/// One element of the TreeSHAP path: a feature, the shares of the flow that go through when the
/// feature is unknown (`zero`) and known (`one`), and the subset weight.
#[derive(Debug, Clone, Copy)]
struct PathElement {
    feature: usize,
    zero: f64,
    one: f64,
    weight: f64,
}

const NO_FEATURE: usize = usize::MAX;

/// Scratch space for TreeSHAP on any tree of at most `MAX_DEPTH` (one path per level, each at
/// most one element longer than its parent's).
fn path_buffer() -> Vec<PathElement> {
    vec![PathElement::default(); (MAX_DEPTH + 2) * (MAX_DEPTH + 3) / 2 + 1]
}

impl Default for PathElement {
    fn default() -> Self {
        PathElement {
            feature: NO_FEATURE,
            zero: 0.0,
            one: 0.0,
            weight: 0.0,
        }
    }
}

fn extend(path: &mut [PathElement], depth: usize, zero: f64, one: f64, feature: usize) {
    path[depth] = PathElement {
        feature,
        zero,
        one,
        weight: if depth == 0 { 1.0 } else { 0.0 },
    };
    let d = (depth + 1) as f64;
    for i in (0..depth).rev() {
        path[i + 1].weight += one * path[i].weight * (i + 1) as f64 / d;
        path[i].weight = zero * path[i].weight * (depth - i) as f64 / d;
    }
}

fn unwind(path: &mut [PathElement], depth: usize, index: usize) {
    let (zero, one) = (path[index].zero, path[index].one);
    let d = (depth + 1) as f64;
    let mut next = path[depth].weight;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let kept = path[i].weight;
            path[i].weight = next * d / ((i + 1) as f64 * one);
            next = kept - path[i].weight * zero * (depth - i) as f64 / d;
        } else {
            path[i].weight = path[i].weight * d / (zero * (depth - i) as f64);
        }
    }
    for i in index..depth {
        path[i].feature = path[i + 1].feature;
        path[i].zero = path[i + 1].zero;
        path[i].one = path[i + 1].one;
    }
}

fn unwound_sum(path: &[PathElement], depth: usize, index: usize) -> f64 {
    let (zero, one) = (path[index].zero, path[index].one);
    let d = (depth + 1) as f64;
    let mut next = path[depth].weight;
    let mut total = 0.0;
    for i in (0..depth).rev() {
        if one != 0.0 {
            let part = next * d / ((i + 1) as f64 * one);
            total += part;
            next = path[i].weight - part * zero * (depth - i) as f64 / d;
        } else if zero != 0.0 {
            total += path[i].weight / zero / ((depth - i) as f64 / d);
        }
    }
    total
}

impl Tree {
    /// Shares of the training rows that went left and right at a split.
    fn shares(&self, left: usize, right: usize) -> (f64, f64) {
        let l = self.nodes.get(left).map_or(0, Node::cover) as f64;
        let r = self.nodes.get(right).map_or(0, Node::cover) as f64;
        if l + r > 0.0 {
            (l / (l + r), r / (l + r))
        } else {
            (0.5, 0.5)
        }
    }

    /// The tree's output for a row.
    pub fn output(&self, inputs: &Inputs) -> f64 {
        self.value(0, inputs)
    }

    /// The output of the subtree at `node`.
    fn value(&self, node: usize, inputs: &Inputs) -> f64 {
        match self.nodes.get(node) {
            Some(Node::Leaf { value, .. }) => *value,
            Some(&Node::Split {
                feature,
                threshold,
                left,
                right,
                missing,
                ..
            }) => match inputs.way(feature, threshold, missing) {
                Way::Left => self.value(left, inputs),
                Way::Right => self.value(right, inputs),
                Way::Both => {
                    let (l, r) = self.shares(left, right);
                    l * self.value(left, inputs) + r * self.value(right, inputs)
                }
            },
            None => 0.0,
        }
    }

    /// Depth of the deepest leaf (the root is at depth 0). Children come after their parent
    /// (checked on load), so one forward pass suffices.
    fn depth(&self) -> usize {
        let mut depths = vec![0usize; self.nodes.len()];
        let mut deepest = 0;
        for (i, node) in self.nodes.iter().enumerate() {
            deepest = deepest.max(depths[i]);
            if let Node::Split { left, right, .. } = node {
                let next = depths[i] + 1;
                for child in [*left, *right] {
                    if let Some(d) = depths.get_mut(child) {
                        *d = (*d).max(next);
                    }
                }
            }
        }
        deepest
    }

    /// Adds the tree's SHAP values for `row` to `phi`; `path` is scratch space from
    /// `path_buffer`.
    fn shap(&self, inputs: &Inputs, phi: &mut [f64], path: &mut [PathElement]) {
        self.shap_node(0, inputs, phi, path, 0, 0, 1.0, 1.0, NO_FEATURE);
    }

    #[allow(clippy::too_many_arguments)]
    fn shap_node(
        &self,
        node: usize,
        inputs: &Inputs,
        phi: &mut [f64],
        buffer: &mut [PathElement],
        parent_offset: usize,
        depth: usize,
        zero: f64,
        one: f64,
        feature: usize,
    ) {
        let offset = parent_offset + depth + 1;
        buffer.copy_within(parent_offset..parent_offset + depth + 1, offset);
        let path = &mut buffer[offset..];
        extend(path, depth, zero, one, feature);
        match self.nodes.get(node) {
            Some(Node::Leaf { value, .. }) => {
                for i in 1..=depth {
                    let weight = unwound_sum(path, depth, i);
                    let element = path[i];
                    if let Some(p) = phi.get_mut(element.feature) {
                        *p += weight * (element.one - element.zero) * value;
                    }
                }
            }
            Some(&Node::Split {
                feature: split,
                threshold,
                left,
                right,
                missing,
                ..
            }) => {
                let mut depth = depth;
                let (mut incoming_zero, mut incoming_one) = (1.0, 1.0);
                if let Some(k) = (1..=depth).find(|&k| path[k].feature == split) {
                    incoming_zero = path[k].zero;
                    incoming_one = path[k].one;
                    unwind(path, depth, k);
                    depth -= 1;
                }
                let (l, r) = self.shares(left, right);
                let hot_cold = |hot, cold, hot_share: f64, cold_share: f64| {
                    [
                        (hot, hot_share * incoming_zero, incoming_one),
                        (cold, cold_share * incoming_zero, 0.0),
                    ]
                };
                let children = match inputs.way(split, threshold, missing) {
                    Way::Left => hot_cold(left, right, l, r),
                    Way::Right => hot_cold(right, left, r, l),
                    Way::Both => [
                        (left, l * incoming_zero, l * incoming_one),
                        (right, r * incoming_zero, r * incoming_one),
                    ],
                };
                for (child, child_zero, child_one) in children {
                    if child_zero != 0.0 || child_one != 0.0 {
                        self.shap_node(
                            child,
                            inputs,
                            phi,
                            buffer,
                            offset,
                            depth + 1,
                            child_zero,
                            child_one,
                            split,
                        );
                    }
                }
            }
            None => {}
        }
    }

    /// The tree's expected output over the training rows (the value with every ratio unknown).
    fn mean(&self) -> f64 {
        self.value(0, &NOTHING_KNOWN)
    }

    fn check(&self, features: usize) -> Result<(), String> {
        if self.nodes.is_empty() {
            return Err("a tree has no nodes".into());
        }
        for (i, node) in self.nodes.iter().enumerate() {
            match node {
                Node::Split {
                    feature,
                    threshold,
                    left,
                    right,
                    ..
                } => {
                    let child_ok = |c: usize| c > i && c < self.nodes.len();
                    if *feature >= features || !threshold.is_finite() {
                        return Err(format!("tree node {i} has an invalid split"));
                    }
                    if !child_ok(*left) || !child_ok(*right) || left == right {
                        return Err(format!("tree node {i} has invalid children"));
                    }
                }
                Node::Leaf { value, .. } => {
                    if !value.is_finite() {
                        return Err(format!("tree node {i} has a value that is not finite"));
                    }
                }
            }
        }
        if self.depth() > MAX_DEPTH {
            return Err(format!("a tree is deeper than {MAX_DEPTH}"));
        }
        Ok(())
    }
}

impl Ensemble {
    pub fn log_odds(&self, inputs: &Inputs) -> f64 {
        self.trees
            .iter()
            .fold(self.base_score, |sum, tree| sum + tree.value(0, inputs))
    }

    pub fn tree_means(&self) -> Vec<f64> {
        self.trees.iter().map(Tree::mean).collect()
    }

    /// The prediction with exact TreeSHAP contributions; `means` from `tree_means`.
    pub fn explain(&self, inputs: &Inputs, keys: &[&str], means: &[f64]) -> Prediction {
        let mut phi = vec![0.0; keys.len()];
        let mut path = path_buffer();
        for tree in &self.trees {
            tree.shap(inputs, &mut phi, &mut path);
        }
        let intercept = means.iter().fold(self.base_score, |sum, m| sum + m);
        let contributions = keys
            .iter()
            .zip(&phi)
            .enumerate()
            .map(|(j, (key, &log_odds))| {
                let value = inputs.row.get(j).copied().flatten();
                let unknown = inputs
                    .unknown
                    .get(j)
                    .copied()
                    .unwrap_or(inputs.otherwise_unknown);
                let detail = match (value, unknown) {
                    (Some(_), _) => format!("exact TreeSHAP over {} trees", self.trees.len()),
                    (None, false) => format!(
                        "undefined: the branch of the training's missing values, exact TreeSHAP \
                         over {} trees",
                        self.trees.len()
                    ),
                    (None, true) => "unknown: both branches of each split, weighted by \
                                     training rows (contributes nothing)"
                        .to_string(),
                };
                Contribution {
                    feature: key.to_string(),
                    value,
                    log_odds,
                    detail,
                }
            })
            .collect();
        Prediction {
            log_odds: self.log_odds(inputs),
            intercept,
            contributions,
        }
    }

    pub fn check(&self, features: usize) -> Result<(), String> {
        if !self.base_score.is_finite() {
            return Err("the base score is not finite".into());
        }
        self.trees.iter().try_for_each(|t| t.check(features))
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use proptest::prelude::*;

    fn split(feature: usize, threshold: f64, left: usize, right: usize, cover: usize) -> Node {
        Node::Split {
            feature,
            threshold,
            left,
            right,
            cover,
            missing: None,
        }
    }

    /// Every missing value unknown (integrated out).
    fn unknown(row: &[Option<f64>]) -> Inputs<'_> {
        Inputs {
            row,
            unknown: &[],
            otherwise_unknown: true,
        }
    }

    fn leaf(value: f64, cover: usize) -> Node {
        Node::Leaf { value, cover }
    }

    /// A tree that splits twice on feature 0 and once on feature 1, with uneven covers.
    fn sample_tree() -> Tree {
        Tree {
            nodes: vec![
                split(0, 0.5, 1, 4, 100),
                split(1, 2.0, 2, 3, 70),
                leaf(-1.0, 30),
                leaf(0.5, 40),
                split(0, 0.8, 5, 6, 30),
                leaf(1.5, 10),
                leaf(3.0, 20),
            ],
        }
    }

    /// The path-dependent value function: features in `known` follow the inputs (a number its
    /// branch, an undefined value the learned missing branch, an unknown one both), the others
    /// average both branches by cover.
    fn conditional(tree: &Tree, node: usize, inputs: &Inputs, known: u32) -> f64 {
        match &tree.nodes[node] {
            Node::Leaf { value, .. } => *value,
            &Node::Split {
                feature,
                threshold,
                left,
                right,
                missing,
                ..
            } => {
                let way = if known & (1 << feature) != 0 {
                    inputs.way(feature, threshold, missing)
                } else {
                    Way::Both
                };
                match way {
                    Way::Left => conditional(tree, left, inputs, known),
                    Way::Right => conditional(tree, right, inputs, known),
                    Way::Both => {
                        let (l, r) = tree.shares(left, right);
                        l * conditional(tree, left, inputs, known)
                            + r * conditional(tree, right, inputs, known)
                    }
                }
            }
        }
    }

    /// Shapley values by enumerating every coalition.
    pub fn brute_force(tree: &Tree, inputs: &Inputs) -> Vec<f64> {
        let m = inputs.row.len();
        let factorial = |k: usize| (1..=k).map(|v| v as f64).product::<f64>();
        (0..m)
            .map(|j| {
                (0u32..1 << m)
                    .filter(|s| s & (1 << j) == 0)
                    .map(|s| {
                        let size = s.count_ones() as usize;
                        let weight = factorial(size) * factorial(m - size - 1) / factorial(m);
                        weight
                            * (conditional(tree, 0, inputs, s | (1 << j))
                                - conditional(tree, 0, inputs, s))
                    })
                    .sum()
            })
            .collect()
    }

    #[test]
    fn tree_shap_equals_the_shapley_values_and_adds_up() {
        let tree = sample_tree();
        for row in [
            vec![Some(0.9), Some(1.0), Some(7.0)],
            vec![Some(0.1), Some(3.0), None],
            vec![Some(0.6), None, Some(0.0)],
            vec![None, Some(1.0), Some(0.0)],
            vec![None, None, None],
        ] {
            let mut phi = vec![0.0; 3];
            tree.shap(&unknown(&row), &mut phi, &mut path_buffer());
            let exact = brute_force(&tree, &unknown(&row));
            for (a, b) in phi.iter().zip(&exact) {
                assert!((a - b).abs() < 1e-12, "{row:?}: {phi:?} vs {exact:?}");
            }
            let total = tree.mean() + phi.iter().sum::<f64>();
            assert!((total - tree.value(0, &unknown(&row))).abs() < 1e-12);
            for (j, v) in row.iter().enumerate() {
                if v.is_none() {
                    assert_eq!(phi[j], 0.0, "a missing ratio contributes nothing");
                }
            }
        }
    }

    #[test]
    fn a_missing_value_averages_the_branches_by_training_rows() {
        let tree = sample_tree();
        // Feature 0 missing, feature 1 = 1.0: 0.7 × (−1.0) + 0.3 × (⅓ × 1.5 + ⅔ × 3.0).
        let value = tree.value(0, &unknown(&[None, Some(1.0)]));
        assert!((value - (-0.7 + 0.3 * 2.5)).abs() < 1e-12, "{value}");
    }

    #[test]
    fn an_undefined_value_takes_the_learned_branch_and_an_unknown_one_both() {
        let mut tree = sample_tree();
        if let Node::Split { missing, .. } = &mut tree.nodes[0] {
            *missing = Some(Side::Right);
        }
        let row = [None, Some(1.0), None];
        let undefined = Inputs::training(&row);
        // Feature 0 undefined: right at the root, then ⅓ × 1.5 + ⅔ × 3.0 at the unlearned split.
        assert!((tree.value(0, &undefined) - 2.5).abs() < 1e-12);
        assert!((tree.value(0, &unknown(&row)) - (-0.7 + 0.3 * 2.5)).abs() < 1e-12);
        // The undefined value is a known fact: it has a contribution, and they add up.
        let mut phi = vec![0.0; 3];
        tree.shap(&undefined, &mut phi, &mut path_buffer());
        let exact = brute_force(&tree, &undefined);
        for (a, b) in phi.iter().zip(&exact) {
            assert!((a - b).abs() < 1e-12, "{phi:?} vs {exact:?}");
        }
        assert!(phi[0] > 0.0, "the undefined branch is the riskier one here");
        let total = tree.mean() + phi.iter().sum::<f64>();
        assert!((total - tree.value(0, &undefined)).abs() < 1e-12);
    }

    #[test]
    fn malformed_trees_are_rejected() {
        let mut tree = sample_tree();
        tree.nodes[1] = split(1, 2.0, 0, 3, 70);
        assert!(
            tree.check(3).is_err(),
            "a child before its parent would loop"
        );
        let tree = sample_tree();
        assert!(tree.check(1).is_err(), "feature 1 does not exist");
        assert!(sample_tree().check(3).is_ok());
    }

    fn arbitrary_tree() -> impl Strategy<Value = Tree> {
        // Complete trees of depth 3 over 4 features with random thresholds, values and covers.
        (
            proptest::collection::vec((0usize..4, -1.0f64..1.0), 7),
            proptest::collection::vec((-2.0f64..2.0, 0usize..50), 8),
        )
            .prop_map(|(splits, leaves)| {
                let mut nodes = Vec::new();
                fn build(
                    nodes: &mut Vec<Node>,
                    level: usize,
                    index: usize,
                    splits: &[(usize, f64)],
                    leaves: &[(f64, usize)],
                ) -> usize {
                    let at = nodes.len();
                    if level == 3 {
                        let (value, cover) = leaves[index];
                        nodes.push(Node::Leaf { value, cover });
                        return cover;
                    }
                    nodes.push(Node::Leaf {
                        value: 0.0,
                        cover: 0,
                    });
                    let left = nodes.len();
                    let cl = build(nodes, level + 1, 2 * index, splits, leaves);
                    let right = nodes.len();
                    let cr = build(nodes, level + 1, 2 * index + 1, splits, leaves);
                    let (feature, threshold) = splits[(1 << level) - 1 + index];
                    nodes[at] = Node::Split {
                        feature,
                        threshold,
                        left,
                        right,
                        cover: cl + cr,
                        missing: match (feature + index) % 3 {
                            0 => None,
                            1 => Some(Side::Left),
                            _ => Some(Side::Right),
                        },
                    };
                    cl + cr
                }
                build(&mut nodes, 0, 0, &splits, &leaves);
                Tree { nodes }
            })
    }

    proptest! {
        #[test]
        fn tree_shap_matches_brute_force_on_random_trees(
            tree in arbitrary_tree(),
            row in proptest::collection::vec(proptest::option::weighted(0.7, -1.0f64..1.0), 4),
            unknown_mask in proptest::collection::vec(proptest::bool::ANY, 4),
        ) {
            let inputs = Inputs { row: &row, unknown: &unknown_mask, otherwise_unknown: false };
            let mut phi = vec![0.0; 4];
            tree.shap(&inputs, &mut phi, &mut path_buffer());
            let exact = brute_force(&tree, &inputs);
            for (a, b) in phi.iter().zip(&exact) {
                prop_assert!((a - b).abs() < 1e-9, "{:?} vs {:?}", phi, exact);
            }
            let total = tree.mean() + phi.iter().sum::<f64>();
            prop_assert!((total - tree.value(0, &inputs)).abs() < 1e-9);
            for j in 0..4 {
                if row[j].is_none() && unknown_mask[j] {
                    prop_assert_eq!(phi[j], 0.0, "an unknown value contributes nothing");
                }
            }
        }
    }
}
