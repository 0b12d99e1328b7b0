//! What the model file records of its evaluation, and the evaluation of a model on any labelled
//! file in the training format (`server model evaluate`).

use super::arff;
use super::data::{position, Labelled};
use super::json::dec;
use super::metrics::{self, CalibrationBin, Spread};
use super::Model;
use anyhow::Context;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Number of groups (deciles) of a calibration table.
pub const CALIBRATION_GROUPS: usize = 10;

/// Out-of-sample results of every candidate, stored in the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evaluation {
    pub protocol: String,
    pub candidates: Vec<CandidateResult>,
    /// The settings tried for the boosted trees and how each scored, for the final fit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tuning: Vec<TuningRow>,
    /// What reading a missing value the training data's way is worth, out of fold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing: Option<MissingAnalysis>,
}

/// One candidate's cross-validated results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CandidateResult {
    pub name: String,
    /// `chosen`, `candidate`, `reference` or `baseline`.
    pub role: String,
    pub description: String,
    /// Across folds.
    pub summary: Summary,
    /// Over all out-of-fold predictions together.
    pub pooled: Scores,
    pub folds: Vec<FoldResult>,
    /// Out-of-fold predictions by decile of predicted probability.
    pub calibration: Vec<CalibrationBin>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    pub auc: Spread,
    pub gini: Spread,
    pub ks: Spread,
    pub brier: Spread,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    pub auc: f64,
    pub gini: f64,
    pub ks: f64,
    pub brier: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoldResult {
    pub fold: usize,
    pub rows: usize,
    pub positives: usize,
    pub auc: f64,
    pub gini: f64,
    pub ks: f64,
    pub brier: f64,
    /// What the fit decided inside this fold (directions, settings, ratios left out).
    pub notes: String,
}

/// One setting of the boosted trees as the final tuning scored it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuningRow {
    pub max_depth: usize,
    pub learning_rate: f64,
    pub l2: f64,
    pub min_leaf_weight: f64,
    /// Trees at the lowest inner-fold log loss.
    pub best_trees: usize,
    /// Mean log loss of the inner folds' out-of-fold predictions at that number of trees.
    pub log_loss: f64,
    pub chosen: bool,
}

/// The effect of the treatment of missing values, measured out of fold on the chosen model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingAnalysis {
    /// Every missing value read as the training data recorded it (undefined: the learned
    /// branch). What the product does with a zero denominator.
    pub as_trained: Scores,
    /// Every missing value integrated out (unknown). What the product does when the accounts
    /// do not give a line.
    pub all_unknown: Scores,
    pub inputs: Vec<MissingInput>,
    /// The attributes left out because they need earlier years, with their missing counts.
    pub earlier_years: Vec<MissingInput>,
}

/// One input's missing values in the training file and what reading them costs or brings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingInput {
    pub key: String,
    pub attribute: String,
    pub missing: usize,
    pub missing_positives: usize,
    /// Out-of-fold AUC when only this input's missing values are integrated out (absent for
    /// inputs the model does not read).
    pub auc_if_unknown: Option<f64>,
}

/// The training file: its rows, SHA-256, name, and the missing counts of the attributes that
/// need earlier years (read but never used).
pub fn read(path: &Path) -> anyhow::Result<(Labelled, String, String, Vec<MissingInput>)> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let text = std::str::from_utf8(&bytes)
        .with_context(|| format!("{} is not UTF-8 text", path.display()))?;
    let parsed = arff::parse(text).with_context(|| format!("reading {}", path.display()))?;
    let data = Labelled::from_arff(&parsed).with_context(|| format!("{}", path.display()))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let earlier = crate::sources::accounts::NEEDS_EARLIER_YEARS
        .iter()
        .filter_map(|key| {
            let a = crate::sources::accounts::attribute(key)?;
            let column = parsed
                .attributes
                .iter()
                .position(|x| x.name.eq_ignore_ascii_case(a.attribute))?;
            let missing: Vec<usize> = parsed
                .records
                .iter()
                .enumerate()
                .filter(|(_, r)| r.values.get(column).copied().flatten().is_none())
                .map(|(i, _)| i)
                .collect();
            Some(MissingInput {
                key: a.key.to_string(),
                attribute: a.attribute.to_string(),
                missing: missing.len(),
                missing_positives: missing.iter().filter(|&&i| data.labels[i]).count(),
                auc_if_unknown: None,
            })
        })
        .collect();
    Ok((data, sha256, name, earlier))
}

/// Evaluates `model` and its baseline on a labelled ARFF file.
pub fn evaluate(model: &Model, path: &Path) -> anyhow::Result<serde_json::Value> {
    let (data, _, _, _) = read(path)?;
    // Rows come in `features()` order; the model reads its own feature list.
    let positions: Vec<Option<usize>> = model
        .file
        .features
        .iter()
        .map(|f| position(&f.key))
        .collect();
    let mut model_pd = Vec::with_capacity(data.rows.len());
    let mut baseline_pd = Vec::with_capacity(data.rows.len());
    for row in &data.rows {
        let ordered: Vec<Option<f64>> = positions
            .iter()
            .map(|p| p.and_then(|p| row.get(p).copied().flatten()))
            .collect();
        model_pd.push(super::logistic(model.row_log_odds(&ordered)));
        baseline_pd.push(super::logistic(model.file.baseline.log_odds(&ordered)));
    }
    let block = |pd: &[f64]| {
        serde_json::json!({
            "auc": metrics::auc(pd, &data.labels).map(|v| dec(v, 6)),
            "ks": metrics::ks(pd, &data.labels).map(|v| dec(v, 6)),
            "brier": metrics::brier(pd, &data.labels).map(|v| dec(v, 6)),
            "calibration": metrics::calibration(pd, &data.labels, CALIBRATION_GROUPS)
                .into_iter()
                .map(|b| serde_json::json!({
                    "decile": b.group,
                    "rows": b.count,
                    "positives": b.positives,
                    "min_predicted": dec(b.min_predicted, 6),
                    "max_predicted": dec(b.max_predicted, 6),
                    "mean_predicted": dec(b.mean_predicted, 6),
                    "observed_rate": dec(b.observed_rate, 6),
                }))
                .collect::<Vec<_>>(),
        })
    };
    Ok(serde_json::json!({
        "model_version": model.version(),
        "rows": data.rows.len(),
        "positives": data.positives(),
        "model": block(&model_pd),
        "baseline": block(&baseline_pd),
    }))
}
