//! Training reproduces the committed model byte for byte.

use super::*;
use aval_core::engine::model::{COMMITTED_JSON, TRAINING_FOLDS, TRAINING_SEED};
use std::path::PathBuf;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The training file, in the repository's test data.
fn training_file() -> PathBuf {
    workspace().join("testdata/polish/5year-train.arff")
}

#[test]
fn the_committed_model_is_reproduced_byte_for_byte_from_the_training_file() {
    let output = train(&training_file(), TRAINING_FOLDS, TRAINING_SEED).unwrap();
    let card = std::fs::read_to_string(workspace().join("models/MODEL_CARD.md")).unwrap();
    assert!(
        output.model_json == COMMITTED_JSON,
        "models/pd-model.json differs from what training produces: retrain and commit"
    );
    assert!(
        output.card_markdown == card,
        "models/MODEL_CARD.md differs from what training produces: retrain and commit"
    );
}

/// Writes the committed files: `cargo test -p aval-training --lib write_the_committed_model -- --ignored`.
#[test]
#[ignore = "writes models/; run by hand to retrain"]
fn write_the_committed_model() {
    let output = train(&training_file(), TRAINING_FOLDS, TRAINING_SEED).unwrap();
    std::fs::write(workspace().join("models/pd-model.json"), output.model_json).unwrap();
    std::fs::write(
        workspace().join("models/MODEL_CARD.md"),
        output.card_markdown,
    )
    .unwrap();
}
