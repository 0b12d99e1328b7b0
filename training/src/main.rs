//! `aval-train`: trains the probability-of-default model on a labelled ARFF file and writes the
//! model file and its card.

use aval_core::engine::model::{TRAINING_FOLDS, TRAINING_SEED};
use clap::Parser;
use std::path::PathBuf;

/// Trains on a labelled ARFF file (the Polish companies bankruptcy format) with stratified
/// k-fold validation and writes the model and its card (`pd-model.json`, `MODEL_CARD.md`).
/// The same file, fold count and seed give byte-identical files.
#[derive(Debug, Parser)]
#[command(name = "aval-train", version)]
struct Args {
    /// The labelled training file.
    #[arg(long, default_value = "testdata/polish/5year-train.arff")]
    data: PathBuf,
    #[arg(long, default_value_t = TRAINING_FOLDS)]
    folds: usize,
    #[arg(long, default_value_t = TRAINING_SEED)]
    seed: u64,
    /// Where to write the model and the card.
    #[arg(long, default_value = "models")]
    out: PathBuf,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let trained = aval_training::train(&args.data, args.folds, args.seed)?;
    std::fs::create_dir_all(&args.out)?;
    let model_path = args.out.join("pd-model.json");
    let card_path = args.out.join("MODEL_CARD.md");
    std::fs::write(&model_path, &trained.model_json)?;
    std::fs::write(&card_path, &trained.card_markdown)?;
    println!("wrote {} and {}", model_path.display(), card_path.display());
    Ok(())
}
