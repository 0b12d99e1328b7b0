//! The statistical probability-of-default model: financial ratios in, log-odds of default out,
//! with one additive contribution per ratio.
//!
//! The model is trained on the Polish companies bankruptcy data (`train`), reproducibly: the
//! same file, fold count and seed give a byte-identical model file. The committed model is
//! embedded in the binary (`Model::committed`) so that prediction does no I/O. Everything is
//! documented in `models/MODEL_CARD.md`, which `train` writes from measured numbers.

mod arff;
mod baseline;
mod boosting;
mod card;
mod data;
mod folds;
mod json;
mod metrics;
mod regression;
mod scorecard;
mod training;
mod trees;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

pub use arff::ArffError;
pub use data::Direction;
pub use training::TrainingOutput;

use baseline::Baseline;
use data::Row;
use scorecard::Scorecard;
use trees::Ensemble;

/// Number of folds of the cross-validation behind the committed model.
pub const TRAINING_FOLDS: usize = 5;

/// Seed of the fold assignment behind the committed model.
pub const TRAINING_SEED: u64 = 20_160_901;

/// The committed model file, produced by `train(…, TRAINING_FOLDS, TRAINING_SEED)`.
pub const COMMITTED_JSON: &str = include_str!("../../../models/pd-model.json");

/// A trained probability-of-default model, as stored in `models/pd-model.json`.
///
/// Deserialising checks the file's structure (indices, bins, finite numbers), so a loaded model
/// never panics when it predicts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(try_from = "ModelFile")]
pub struct Model {
    file: ModelFile,
    /// Expected value of each tree under the training distribution (gradient boosting only).
    tree_means: Vec<f64>,
}

/// A band of a ratio's scoring: `(lower, upper, log-odds)`, `lower ≤ x < upper`, `None` ends
/// unbounded.
pub type Band = (Option<f64>, Option<f64>, f64);

/// The model's answer for one company: the log-odds of default and how each ratio moved it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Prediction {
    /// Log-odds of default; the probability is `1 / (1 + exp(-log_odds))`.
    pub log_odds: f64,
    /// The log-odds of a company with no information (all contributions zero).
    pub intercept: f64,
    /// One entry per ratio the model uses; `intercept + Σ log_odds` equals `log_odds`.
    pub contributions: Vec<Contribution>,
}

/// How one ratio moved the log-odds of default.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Contribution {
    /// The input key, for example `x2_total_liabilities_to_total_assets`.
    pub feature: String,
    /// The value used, `None` when missing (absent, `None` or not finite).
    pub value: Option<f64>,
    /// Contribution to the log-odds of default (positive raises the risk).
    pub log_odds: f64,
    /// Human-readable detail, for example the bin `0.6 ≤ x < 0.85`.
    pub detail: String,
}

impl Prediction {
    /// The probability of default, `logistic(log_odds)`.
    pub fn probability(&self) -> f64 {
        logistic(self.log_odds)
    }
}

/// `1 / (1 + exp(-z))`.
pub fn logistic(z: f64) -> f64 {
    1.0 / (1.0 + (-z).exp())
}

impl Model {
    /// The committed model (`models/pd-model.json`), parsed once.
    pub fn committed() -> &'static Model {
        static MODEL: OnceLock<Model> = OnceLock::new();
        MODEL.get_or_init(|| {
            // The file is committed and checked by the tests: failing here is a build defect.
            Model::from_json(COMMITTED_JSON).expect("models/pd-model.json is a valid model")
        })
    }

    /// Parses and checks a model file.
    pub fn from_json(text: &str) -> Result<Model, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The model version, for example `pd-polish-5y-1`.
    pub fn version(&self) -> &str {
        &self.file.version
    }

    /// SHA-256 of the training file.
    pub fn training_sha256(&self) -> &str {
        &self.file.training.sha256
    }

    /// The input keys the model reads, in the order of the model file.
    pub fn input_keys(&self) -> impl Iterator<Item = &str> {
        self.file.features.iter().map(|f| f.key.as_str())
    }

    /// The bands a ratio is scored in, `(lower, upper, log-odds)` with `lower ≤ x < upper`
    /// (`None` ends are unbounded): the thresholds people read. `None` for a ratio the model
    /// does not score in bands (trees) or does not use.
    pub fn bands(&self, key: &str) -> Option<Vec<Band>> {
        match &self.file.predictor {
            Predictor::WoeScorecard(card) => card.features.iter().find(|f| f.key == key).map(|f| {
                f.bins
                    .iter()
                    .map(|b| (b.lower, b.upper, b.log_odds))
                    .collect()
            }),
            Predictor::GradientBoosting(_) => None,
        }
    }

    /// Predicts from the ratios keyed by their input names (see `input_keys`). Absent keys,
    /// `None` and non-finite values are missing; unknown keys are ignored.
    pub fn predict(&self, inputs: &BTreeMap<String, Option<f64>>) -> Prediction {
        let row = self.row_from_inputs(inputs);
        let keys: Vec<&str> = self.input_keys().collect();
        match &self.file.predictor {
            Predictor::WoeScorecard(card) => card.explain(&row, &keys),
            Predictor::GradientBoosting(ensemble) => {
                ensemble.explain(&row, &keys, &self.tree_means)
            }
        }
    }

    /// Log-odds of default of the committed baseline (Altman-style logistic regression).
    pub fn baseline_log_odds(&self, inputs: &BTreeMap<String, Option<f64>>) -> f64 {
        self.file.baseline.log_odds(&self.row_from_inputs(inputs))
    }

    fn row_from_inputs(&self, inputs: &BTreeMap<String, Option<f64>>) -> Row {
        self.file
            .features
            .iter()
            .map(|f| {
                inputs
                    .get(&f.key)
                    .copied()
                    .flatten()
                    .filter(|v| v.is_finite())
            })
            .collect()
    }

    /// Log-odds of the model for a row in the order of the model's features (fast path).
    fn row_log_odds(&self, row: &[Option<f64>]) -> f64 {
        self.file.predictor.log_odds(row)
    }
}

/// Trains the model on a labelled ARFF file (Polish companies bankruptcy format), comparing the
/// candidate methods by stratified `folds`-fold cross-validation with `seed`, and returns the
/// model file and the model card. Deterministic: the same inputs give byte-identical outputs.
pub fn train(arff: &Path, folds: usize, seed: u64) -> anyhow::Result<TrainingOutput> {
    training::train(arff, folds, seed)
}

/// Evaluates the committed model and the committed baseline on any labelled ARFF file in the
/// training format: `{"rows", "positives", "model": {"auc","ks","brier"}, "baseline": {…}}`.
/// A metric that is undefined (for example AUC with one class) is `null`.
pub fn evaluate(arff: &Path) -> anyhow::Result<serde_json::Value> {
    training::evaluate(Model::committed(), arff)
}

/// The model file. Field order is the order in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct ModelFile {
    version: String,
    target: String,
    training: TrainingInfo,
    features: Vec<FeatureInfo>,
    missing_values: String,
    outliers: String,
    predictor: Predictor,
    baseline: Baseline,
    evaluation: training::Evaluation,
}

/// Where the model comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct TrainingInfo {
    file: String,
    sha256: String,
    rows: usize,
    positives: usize,
    folds: usize,
    seed: u64,
    selection_rule: String,
    chosen: String,
}

/// One input of the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct FeatureInfo {
    key: String,
    attribute: String,
    definition: String,
    /// Direction enforced by the chosen model.
    direction: Direction,
    /// Whether the chosen model uses it; when not, `note` says why.
    used: bool,
    note: String,
}

/// The fitted predictor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
enum Predictor {
    WoeScorecard(Scorecard),
    GradientBoosting(Ensemble),
}

impl Predictor {
    fn log_odds(&self, row: &[Option<f64>]) -> f64 {
        match self {
            Predictor::WoeScorecard(card) => card.log_odds(row),
            Predictor::GradientBoosting(ensemble) => ensemble.log_odds(row),
        }
    }

    fn check(&self, features: usize) -> Result<(), String> {
        match self {
            Predictor::WoeScorecard(card) => card.check(features),
            Predictor::GradientBoosting(ensemble) => ensemble.check(features),
        }
    }
}

impl TryFrom<ModelFile> for Model {
    type Error = String;

    fn try_from(file: ModelFile) -> Result<Self, Self::Error> {
        if file.features.is_empty() {
            return Err("the model has no features".into());
        }
        file.predictor.check(file.features.len())?;
        file.baseline.check(file.features.len())?;
        let tree_means = match &file.predictor {
            Predictor::GradientBoosting(ensemble) => ensemble.tree_means(),
            Predictor::WoeScorecard(_) => Vec::new(),
        };
        Ok(Model { file, tree_means })
    }
}

impl Serialize for Model {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.file.serialize(serializer)
    }
}
