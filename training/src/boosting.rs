//! Gradient-boosted trees trained with `forust-ml` (an XGBoost-style booster with monotone
//! constraints and native missing values), exported into the model's own tree format so that
//! prediction and TreeSHAP do not depend on the library.

use super::data::{features, Direction, Labelled};
use super::json::sig;
use super::trees::{Ensemble, Inputs, Node, Settings, Side, Tree};
use forust_ml::constraints::{Constraint, ConstraintMap};
use forust_ml::objective::ObjectiveType;
use forust_ml::{GradientBooster, Matrix};

/// The smaller learning rate of the candidate settings (the other is 0.1).
pub(crate) const LEARNING_RATE: f64 = 0.05;
/// Most trees a model may have: the number is chosen on inner folds up to this, and bounded so
/// that exact contributions stay well inside the engine's time budget.
pub(crate) const MAX_TREES: usize = 500;
/// Histogram bins per ratio.
pub(crate) const BINS: u16 = 256;

/// The settings tried; which one and how many trees are chosen on inner folds of the training
/// rows. Depth is kept at 2 or 3: an exact explanation costs about trees × leaves × depth² per
/// decision, and depth 4 (sixteen leaves, four times the work of depth 3 per tree) took the
/// engine past its budget of 500 µs a decision for a log loss better by less than 0.001.
pub(crate) fn grid() -> Vec<Settings> {
    let mut out = Vec::new();
    for max_depth in [2, 3] {
        for (learning_rate, l2, min_leaf_weight) in [
            (LEARNING_RATE, 1.0, 1.0),
            (LEARNING_RATE, 10.0, 5.0),
            (0.1, 10.0, 5.0),
        ] {
            out.push(Settings {
                iterations: MAX_TREES,
                learning_rate,
                max_depth,
                min_leaf_weight,
                l2,
                nbins: BINS,
            });
        }
    }
    out
}

/// Name and version of the library, recorded in the model file.
pub(crate) const LIBRARY: &str = "forust-ml 0.8";

/// Trains the ensemble on `data` with `settings` and a monotone constraint per ratio.
pub(crate) fn fit(
    data: &Labelled,
    directions: &[Direction],
    settings: &Settings,
) -> anyhow::Result<Ensemble> {
    let booster = train_booster(data, directions, settings)?;
    let trees = booster
        .trees
        .iter()
        .map(|tree| export(tree, data, directions))
        .collect::<anyhow::Result<Vec<_>>>()?;
    Ok(Ensemble {
        library: LIBRARY.to_string(),
        settings: settings.clone(),
        base_score: sig(booster.base_score, 10),
        trees,
    })
}

/// The raw log-odds of `rows` after each number of trees: `out[t][i]` is row `i`'s log-odds
/// with the first `t + 1` trees.
pub(crate) fn staged_log_odds(ensemble: &Ensemble, rows: &[Vec<Option<f64>>]) -> Vec<Vec<f64>> {
    let mut current = vec![ensemble.base_score; rows.len()];
    ensemble
        .trees
        .iter()
        .map(|tree| {
            for (value, row) in current.iter_mut().zip(rows) {
                *value += tree.output(&Inputs::training(row));
            }
            current.clone()
        })
        .collect()
}

/// The rows as forust's column-major matrix, missing values as NaN.
fn columns(data: &Labelled) -> Vec<f64> {
    let n = data.rows.len();
    let p = features().len();
    let mut columns = vec![f64::NAN; n * p];
    for (i, row) in data.rows.iter().enumerate() {
        for (j, value) in row.iter().enumerate().take(p) {
            columns[j * n + i] = value.unwrap_or(f64::NAN);
        }
    }
    columns
}

fn train_booster(
    data: &Labelled,
    directions: &[Direction],
    settings: &Settings,
) -> anyhow::Result<GradientBooster> {
    let columns = columns(data);
    let matrix = Matrix::new(&columns, data.rows.len(), features().len());
    let y: Vec<f64> = data
        .labels
        .iter()
        .map(|&v| f64::from(u8::from(v)))
        .collect();
    let constraints: ConstraintMap = directions
        .iter()
        .enumerate()
        .filter_map(|(j, d)| match d {
            Direction::Increasing => Some((j, Constraint::Positive)),
            Direction::Decreasing => Some((j, Constraint::Negative)),
            Direction::Unconstrained => None,
        })
        .collect();
    let mut booster = GradientBooster::default()
        .set_objective_type(ObjectiveType::LogLoss)
        .set_iterations(settings.iterations)
        .set_learning_rate(settings.learning_rate as f32)
        .set_max_depth(settings.max_depth)
        .set_min_leaf_weight(settings.min_leaf_weight as f32)
        .set_l2(settings.l2 as f32)
        .set_nbins(settings.nbins)
        .set_parallel(false)
        .set_allow_missing_splits(false)
        .set_initialize_base_score(true)
        .set_monotone_constraints(Some(constraints))
        .set_seed(0);
    booster
        .fit_unweighted(&matrix, &y, None)
        .map_err(|e| anyhow::anyhow!("gradient boosting failed: {e}"))?;
    Ok(booster)
}

/// Copies a forust tree in depth-first order, counting the training rows that reach each node
/// and keeping the branch the training's missing values took at each split.
///
/// forust bounds the weights only at splits on a constrained ratio, so a split on an
/// unconstrained ratio below a constrained one can break the direction. Each leaf is therefore
/// clamped to the bounds of its constrained ancestors (XGBoost's rule: at a split on a
/// constrained ratio, the midpoint of the two children's weights bounds each side), which makes
/// every tree monotone in every constrained ratio.
fn export(
    tree: &forust_ml::tree::Tree,
    data: &Labelled,
    directions: &[Direction],
) -> anyhow::Result<Tree> {
    let nodes = &tree.nodes;
    let mut cover = vec![0usize; nodes.len()];
    for row in &data.rows {
        let mut at = 0;
        let mut steps = 0;
        while let Some(node) = nodes.get(at) {
            cover[at] += 1;
            if node.is_leaf || steps > nodes.len() {
                break;
            }
            steps += 1;
            at = match row.get(node.split_feature).copied().flatten() {
                None => node.missing_node,
                Some(v) if v < node.split_value => node.left_child,
                Some(_) => node.right_child,
            };
        }
    }
    let weight = |i: usize| nodes.get(i).map_or(0.0, |n| f64::from(n.weight_value));
    let mut out = Vec::new();
    // Depth first, left first: forust index, the link in `out` to fill, and the bounds.
    struct Pending {
        index: usize,
        link: Option<(usize, bool)>,
        lower: f64,
        upper: f64,
    }
    let mut stack = vec![Pending {
        index: 0,
        link: None,
        lower: f64::NEG_INFINITY,
        upper: f64::INFINITY,
    }];
    while let Some(Pending {
        index,
        link,
        lower,
        upper,
    }) = stack.pop()
    {
        let Some(node) = nodes.get(index) else {
            anyhow::bail!("forust tree refers to a missing node {index}");
        };
        let at = out.len();
        if let Some((parent, is_left)) = link {
            if let Some(Node::Split { left, right, .. }) = out.get_mut(parent) {
                *(if is_left { left } else { right }) = at;
            }
        }
        if node.is_leaf {
            out.push(Node::Leaf {
                value: sig(f64::from(node.weight_value).max(lower).min(upper), 10),
                cover: cover[index],
            });
        } else {
            let missing = if node.missing_node == node.left_child {
                Side::Left
            } else if node.missing_node == node.right_child {
                Side::Right
            } else {
                anyhow::bail!("forust tree has a separate missing branch");
            };
            out.push(Node::Split {
                feature: node.split_feature,
                threshold: node.split_value,
                left: 0,
                right: 0,
                cover: cover[index],
                missing: Some(missing),
            });
            let mid = (weight(node.left_child) + weight(node.right_child)) / 2.0;
            let (left, right) = match directions.get(node.split_feature) {
                Some(Direction::Increasing) => ((lower, upper.min(mid)), (lower.max(mid), upper)),
                Some(Direction::Decreasing) => ((lower.max(mid), upper), (lower, upper.min(mid))),
                _ => ((lower, upper), (lower, upper)),
            };
            stack.push(Pending {
                index: node.right_child,
                link: Some((at, false)),
                lower: right.0,
                upper: right.1,
            });
            stack.push(Pending {
                index: node.left_child,
                link: Some((at, true)),
                lower: left.0,
                upper: left.1,
            });
        }
        if out.len() > nodes.len() {
            anyhow::bail!("forust tree is not a tree");
        }
    }
    Ok(Tree { nodes: out })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> Settings {
        Settings {
            iterations: 60,
            ..grid()[2].clone()
        }
    }

    /// Rows whose risk rises with X2 and falls with X1, with noise, a few missing values and
    /// the other ratios random. Deterministic (a linear congruential generator).
    fn synthetic(n: usize) -> Labelled {
        let mut state: u64 = 42;
        let mut uniform = move || {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut data = Labelled::default();
        for i in 0..n {
            let row: Vec<Option<f64>> = (0..features().len())
                .map(|j| (i % 97 != j).then(|| uniform() * 2.0 - 0.5))
                .collect();
            let x1 = row[0].unwrap_or(0.5);
            let x2 = row[1].unwrap_or(0.5);
            let z = -2.0 + 3.0 * x2 - 2.0 * x1 + 0.5 * (uniform() - 0.5);
            data.labels.push(uniform() < crate::logistic(z));
            data.rows.push(row);
        }
        data
    }

    fn directions() -> Vec<Direction> {
        features()
            .iter()
            .map(|f| f.prior.unwrap_or(Direction::Unconstrained))
            .collect()
    }

    #[test]
    fn the_exported_trees_predict_what_the_library_predicts() {
        // With every ratio constrained forust bounds every split, so the export changes nothing.
        let data = synthetic(400);
        let all_constrained: Vec<Direction> = features()
            .iter()
            .map(|f| f.prior.unwrap_or(Direction::Decreasing))
            .collect();
        let booster = train_booster(&data, &all_constrained, &settings()).unwrap();
        let ensemble = fit(&data, &all_constrained, &settings()).unwrap();
        let complete: Vec<usize> = (0..data.rows.len())
            .filter(|&i| data.rows[i].iter().all(Option::is_some))
            .collect();
        let subset = data.subset(&complete);
        let columns = columns(&subset);
        let expected = booster.predict(
            &Matrix::new(&columns, subset.rows.len(), features().len()),
            false,
        );
        for (row, want) in subset.rows.iter().zip(expected) {
            let got = ensemble.log_odds(&Inputs::training(row));
            assert!((got - want).abs() < 1e-6, "{got} vs {want}");
        }
    }

    #[test]
    fn the_trees_respect_the_directions_and_their_contributions_add_up() {
        let data = synthetic(400);
        let ensemble = fit(&data, &directions(), &settings()).unwrap();
        ensemble.check(features().len()).unwrap();
        let means = ensemble.tree_means();
        let keys: Vec<&str> = features().iter().map(|f| f.key).collect();
        for row in data.rows.iter().take(50) {
            let prediction = ensemble.explain(&Inputs::training(row), &keys, &means);
            let sum: f64 = prediction.contributions.iter().map(|c| c.log_odds).sum();
            assert!((prediction.intercept + sum - prediction.log_odds).abs() < 1e-9);
            let mut previous = f64::NEG_INFINITY;
            for step in 0..30 {
                let mut moved = row.clone();
                moved[1] = Some(-1.0 + f64::from(step) * 0.1);
                let value = ensemble.log_odds(&Inputs::training(&moved));
                assert!(
                    value >= previous,
                    "X2 up, risk down: {previous} -> {value} at step {step}, row {row:?}"
                );
                previous = value;
            }
        }
    }
}
