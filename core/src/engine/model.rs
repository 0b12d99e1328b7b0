//! The statistical probability-of-default model: financial ratios in, log-odds of default out,
//! with one additive contribution per ratio.
//!
//! The model is trained on the Polish companies bankruptcy data by the offline training crate
//! (`aval-training`, command `aval-train`), reproducibly: the same file, fold count and seed give
//! a byte-identical model file. This module is what runs in production: the model file's
//! format, prediction with its explanation, and evaluation on a labelled file. The committed
//! model is embedded in the binary (`Model::committed`) so that prediction does no I/O.
//! Everything is documented in `models/MODEL_CARD.md`, which training writes from measured
//! numbers.

pub mod arff;
pub mod baseline;
pub mod data;
pub mod evaluation;
pub mod json;
pub mod metrics;
pub mod scorecard;
pub mod trees;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

pub use arff::ArffError;
pub use data::Direction;

use baseline::Baseline;
use data::Row;
use scorecard::Scorecard;
use trees::{Ensemble, Inputs};

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

/// One input of a prediction.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Input {
    Value(f64),
    /// The ratio is undefined: its denominator is zero in the company's accounts. The training
    /// data's missing values are such ratios, so a model reads it the way it learned them.
    Undefined,
    /// Nothing is known (no accounts, or a line the source does not give): integrated out, so
    /// the input contributes nothing.
    Unknown,
}

impl Input {
    /// `Value` for a finite number, `Unknown` otherwise.
    pub fn known(value: Option<f64>) -> Input {
        match value {
            Some(v) if v.is_finite() => Input::Value(v),
            _ => Input::Unknown,
        }
    }
}

/// The affine map of the log-odds that calibrates the probability (Platt scaling, fitted out of
/// fold): `calibrated = slope × raw + intercept`. It is applied to the intercept and to each
/// contribution, so the contributions still add up.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    pub slope: f64,
    pub intercept: f64,
}

/// The training distribution of a value, for the population stability index: the nine cut
/// points of its deciles, and the share of the training rows in each decile and undefined
/// (eleven shares).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reference {
    pub cuts: Vec<f64>,
    pub shares: Vec<f64>,
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
    #[allow(
        clippy::expect_used,
        reason = "the file is embedded at compile time and parsed by the tests"
    )]
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
    /// The model file as loaded.
    pub fn file(&self) -> &ModelFile {
        &self.file
    }

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

    /// The median of an input over the training rows, when the model file records it.
    pub fn training_median(&self, key: &str) -> Option<f64> {
        self.file
            .features
            .iter()
            .find(|f| f.key == key)
            .and_then(|f| f.median)
    }

    /// The log-odds of default of a company about which nothing is known: the training rows'
    /// default rate.
    pub fn prior_log_odds(&self) -> f64 {
        let t = &self.file.training;
        let rate = (t.positives as f64 + 0.5) / (t.rows as f64 + 1.0);
        (rate / (1.0 - rate)).ln()
    }

    /// The training distribution of the model's log-odds, when recorded.
    pub fn score_reference(&self) -> Option<&Reference> {
        self.file.score_reference.as_ref()
    }

    /// The training distribution of an input, when recorded.
    pub fn input_reference(&self, key: &str) -> Option<&Reference> {
        self.file
            .features
            .iter()
            .find(|f| f.key == key)
            .and_then(|f| f.reference.as_ref())
    }

    /// The calibration applied to the predictor's log-odds, if any.
    pub fn calibration(&self) -> Option<Calibration> {
        self.file.calibration
    }

    /// Predicts from the ratios keyed by their input names (see `input_keys`). An absent key or
    /// a non-finite value is unknown; keys the model does not read are ignored.
    pub fn predict(&self, inputs: &BTreeMap<String, Input>) -> Prediction {
        let (row, unknown) = self.row_from_inputs(inputs);
        let keys: Vec<&str> = self.input_keys().collect();
        let raw = match &self.file.predictor {
            Predictor::WoeScorecard(card) => card.explain(&row, &keys),
            Predictor::GradientBoosting(ensemble) => {
                let inputs = Inputs {
                    row: &row,
                    unknown: &unknown,
                    otherwise_unknown: true,
                };
                ensemble.explain(&inputs, &keys, &self.tree_means)
            }
        };
        match self.file.calibration {
            None => raw,
            Some(c) => Prediction {
                log_odds: c.slope * raw.log_odds + c.intercept,
                intercept: c.slope * raw.intercept + c.intercept,
                contributions: raw
                    .contributions
                    .into_iter()
                    .map(|k| Contribution {
                        log_odds: c.slope * k.log_odds,
                        ..k
                    })
                    .collect(),
            },
        }
    }

    /// Log-odds of default of the committed baseline (Altman-style logistic regression).
    pub fn baseline_log_odds(&self, inputs: &BTreeMap<String, Input>) -> f64 {
        self.file.baseline.log_odds(&self.row_from_inputs(inputs).0)
    }

    /// The row in the model's feature order, and which of its missing values are unknown (the
    /// others are undefined).
    fn row_from_inputs(&self, inputs: &BTreeMap<String, Input>) -> (Row, Vec<bool>) {
        self.file
            .features
            .iter()
            .map(|f| match inputs.get(&f.key) {
                Some(Input::Value(v)) if v.is_finite() => (Some(*v), false),
                Some(Input::Undefined) => (None, false),
                _ => (None, true),
            })
            .unzip()
    }

    /// Calibrated log-odds of the model for a row in the order of the model's features, every
    /// missing value undefined (as in the training data).
    fn row_log_odds(&self, row: &[Option<f64>]) -> f64 {
        let raw = self.file.predictor.log_odds(row);
        match self.file.calibration {
            None => raw,
            Some(c) => c.slope * raw + c.intercept,
        }
    }
}

/// Evaluates the committed model and the committed baseline on any labelled ARFF file in the
/// training format: `{"rows", "positives", "model": {"auc","ks","brier"}, "baseline": {…}}`.
/// A metric that is undefined (for example AUC with one class) is `null`.
pub fn evaluate(arff: &Path) -> anyhow::Result<serde_json::Value> {
    evaluation::evaluate(Model::committed(), arff)
}

/// The model file. Field order is the order in the file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelFile {
    pub version: String,
    pub target: String,
    pub training: TrainingInfo,
    pub features: Vec<FeatureInfo>,
    pub missing_values: String,
    pub outliers: String,
    pub predictor: Predictor,
    /// Platt scaling of the predictor's log-odds (absent: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub calibration: Option<Calibration>,
    /// The training distribution of the model's log-odds, for drift.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score_reference: Option<Reference>,
    pub baseline: Baseline,
    pub evaluation: evaluation::Evaluation,
}

/// Where the model comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingInfo {
    pub file: String,
    pub sha256: String,
    pub rows: usize,
    pub positives: usize,
    pub folds: usize,
    pub seed: u64,
    pub selection_rule: String,
    pub chosen: String,
}

/// One input of the model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureInfo {
    pub key: String,
    pub attribute: String,
    pub definition: String,
    /// Direction enforced by the chosen model.
    pub direction: Direction,
    /// Whether the chosen model uses it; when not, `note` says why.
    pub used: bool,
    pub note: String,
    /// Median over the training rows with a value: the reference reason texts name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median: Option<f64>,
    /// Its training distribution, for drift.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<Reference>,
}

/// The fitted predictor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum Predictor {
    WoeScorecard(Scorecard),
    GradientBoosting(Ensemble),
}

impl Predictor {
    /// Raw log-odds, every missing value undefined (the training data's meaning).
    pub fn log_odds(&self, row: &[Option<f64>]) -> f64 {
        match self {
            Predictor::WoeScorecard(card) => card.log_odds(row),
            Predictor::GradientBoosting(ensemble) => ensemble.log_odds(&Inputs::training(row)),
        }
    }

    pub fn check(&self, features: usize) -> Result<(), String> {
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
        if let Some(c) = file.calibration {
            if !(c.slope.is_finite() && c.slope > 0.0 && c.intercept.is_finite()) {
                return Err("the calibration must have a positive, finite slope".into());
            }
        }
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
