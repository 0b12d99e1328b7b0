//! Offline training of the probability-of-default model: the candidates (boosted trees with
//! and without monotone constraints, the weight-of-evidence scorecard, the logistic reference,
//! the Altman-style baseline) compared by stratified cross-validation with nested tuning, the
//! chosen one refitted on every row, and the model file and the model card written from the
//! measured numbers. Deterministic: the same file, fold count and seed give byte-identical
//! outputs.
//!
//! What runs in production (the model file's format, prediction, evaluation) is
//! `aval_core::engine::model`; the server does not link this crate. The command is `aval-train`.
#![forbid(unsafe_code)]

mod baseline;
mod boosting;
mod card;
mod directions;
mod folds;
mod regression;
mod scorecard;
mod training;

#[cfg(test)]
mod tests;

pub use training::{train, TrainingOutput};

// The production side of the model, named as the fitting code reads it.
use aval_core::engine::model::{
    data, evaluation, json, logistic, metrics, trees, Calibration, FeatureInfo, Model, ModelFile,
    Predictor, Reference, TrainingInfo,
};
