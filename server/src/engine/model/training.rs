//! Training: cross-validate the candidates, choose by out-of-fold AUC, refit the chosen one and
//! the baseline on every row, and write the model file and the model card.

use super::arff;
use super::baseline::{self, Baseline};
use super::boosting;
use super::card;
use super::data::{Direction, Labelled, FEATURES};
use super::folds;
use super::json::{dec, to_text};
use super::metrics::{self, CalibrationBin, Spread};
use super::scorecard;
use super::{FeatureInfo, Model, ModelFile, Predictor, TrainingInfo};
use anyhow::{bail, Context};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::Path;

/// Version of the model this code trains.
pub(crate) const VERSION: &str = "pd-polish-5y-1";

/// Groups of the calibration table.
const CALIBRATION_GROUPS: usize = 10;

/// What `train` produces: the model file and the model card, both as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingOutput {
    /// `models/pd-model.json`.
    pub model_json: String,
    /// `models/MODEL_CARD.md`.
    pub card_markdown: String,
}

/// Out-of-sample results of every candidate, stored in the model file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Evaluation {
    pub protocol: String,
    pub candidates: Vec<CandidateResult>,
}

/// One candidate's cross-validated results.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CandidateResult {
    pub name: String,
    /// `chosen`, `candidate` or `baseline`.
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
pub(crate) struct Summary {
    pub auc: Spread,
    pub gini: Spread,
    pub ks: Spread,
    pub brier: Spread,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub(crate) struct Scores {
    pub auc: f64,
    pub gini: f64,
    pub ks: f64,
    pub brier: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct FoldResult {
    pub fold: usize,
    pub rows: usize,
    pub positives: usize,
    pub auc: f64,
    pub gini: f64,
    pub ks: f64,
    pub brier: f64,
    /// What the fit decided inside this fold (directions learned, ratios left out).
    pub notes: String,
}

/// The candidates, in the order of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Candidate {
    Scorecard,
    Boosting,
    Baseline,
}

impl Candidate {
    const ALL: [Candidate; 3] = [
        Candidate::Scorecard,
        Candidate::Boosting,
        Candidate::Baseline,
    ];

    fn name(self) -> &'static str {
        match self {
            Candidate::Scorecard => "woe_scorecard",
            Candidate::Boosting => "gradient_boosting",
            Candidate::Baseline => "altman_logistic_baseline",
        }
    }

    fn description(self) -> String {
        match self {
            Candidate::Scorecard => format!(
                "weight-of-evidence scorecard: monotone bins per ratio (≥5% of rows, smoothed WoE \
                 with {} pseudo-rows), logistic regression on WoE (ridge {}) with positive \
                 weights (a ratio whose weight would not be positive, which would reverse its \
                 direction, is dropped and the rest refitted)",
                scorecard::PRIOR_ROWS,
                scorecard::RIDGE
            ),
            Candidate::Boosting => {
                let s = &boosting::SETTINGS;
                format!(
                    "gradient-boosted trees ({}): {} trees of depth {}, learning rate {}, \
                     min leaf hessian {}, L2 {}, {} bins, monotone constraints (leaves clamped \
                     to the bounds of their constrained ancestors, which the library enforces \
                     only at splits on constrained ratios)",
                    boosting::LIBRARY,
                    s.iterations,
                    s.max_depth,
                    s.learning_rate,
                    s.min_leaf_weight,
                    s.l2,
                    s.nbins
                )
            }
            Candidate::Baseline => "logistic regression on X3, X6, X7, X8, X9 (Altman-style), \
                 winsorised at the 1st/99th percentiles, missing = median"
                .to_string(),
        }
    }
}

/// A fitted candidate.
enum Fitted {
    Predictor(Predictor),
    Baseline(Baseline),
}

impl Fitted {
    fn log_odds(&self, row: &[Option<f64>]) -> f64 {
        match self {
            Fitted::Predictor(p) => p.log_odds(row),
            Fitted::Baseline(b) => b.log_odds(row),
        }
    }
}

/// The direction of each ratio for a training set: finance's where it gives one, otherwise
/// the data's, with the univariate evidence as a note.
pub(crate) fn directions(data: &Labelled) -> (Vec<Direction>, Vec<String>) {
    FEATURES
        .iter()
        .enumerate()
        .map(|(j, spec)| match spec.prior {
            Some(d) => (d, String::new()),
            None => learned_direction(data, j),
        })
        .unzip()
}

/// A direction only where the ratio's univariate AUC differs from ½ by more than two
/// Hanley–McNeil standard errors; otherwise unconstrained.
fn learned_direction(data: &Labelled, j: usize) -> (Direction, String) {
    let column = data.column(j);
    let scores: Vec<f64> = column.iter().map(|c| c.0).collect();
    let labels: Vec<bool> = column.iter().map(|c| c.1).collect();
    let Some(a) = metrics::auc(&scores, &labels) else {
        return (Direction::Unconstrained, "one class only".into());
    };
    let p = labels.iter().filter(|&&y| y).count() as f64;
    let n = labels.len() as f64 - p;
    let (q1, q2) = (a / (2.0 - a), 2.0 * a * a / (1.0 + a));
    let se = ((a * (1.0 - a) + (p - 1.0) * (q1 - a * a) + (n - 1.0) * (q2 - a * a)) / (p * n))
        .max(0.0)
        .sqrt();
    let direction = if a - 0.5 > 2.0 * se {
        Direction::Increasing
    } else if 0.5 - a > 2.0 * se {
        Direction::Decreasing
    } else {
        Direction::Unconstrained
    };
    let note = format!(
        "{}: univariate AUC {:.3}, 2 SE {:.3}: {}",
        FEATURES[j].attribute,
        a,
        2.0 * se,
        match direction {
            Direction::Unconstrained => "no direction",
            Direction::Increasing => "increasing",
            Direction::Decreasing => "decreasing",
        }
    );
    (direction, note)
}

fn fit(candidate: Candidate, data: &Labelled) -> anyhow::Result<(Fitted, String)> {
    let (directions, notes) = directions(data);
    let learned = notes
        .iter()
        .filter(|n| !n.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join("; ");
    Ok(match candidate {
        Candidate::Scorecard => {
            let card = scorecard::fit(data, &directions);
            let dropped: Vec<&str> = card
                .excluded
                .iter()
                .map(|e| FEATURES[e.feature].attribute)
                .collect();
            let note = if dropped.is_empty() {
                format!("{learned}; none left out")
            } else {
                format!("{learned}; left out: {}", dropped.join(", "))
            };
            (Fitted::Predictor(Predictor::WoeScorecard(card)), note)
        }
        Candidate::Boosting => (
            Fitted::Predictor(Predictor::GradientBoosting(boosting::fit(
                data,
                &directions,
            )?)),
            learned,
        ),
        Candidate::Baseline => (Fitted::Baseline(baseline::fit(data)), String::new()),
    })
}

/// The fold-by-fold AUC difference `a − b` (same folds) and the standard error of its mean.
pub(crate) fn auc_difference(a: &[FoldResult], b: &[FoldResult]) -> (Spread, f64) {
    let differences: Vec<f64> = a.iter().zip(b).map(|(a, b)| a.auc - b.auc).collect();
    let spread = Spread::of(&differences);
    let standard_error = spread.sd / (differences.len().max(1) as f64).sqrt();
    (spread, standard_error)
}

fn scores(probabilities: &[f64], labels: &[bool]) -> anyhow::Result<Scores> {
    let auc = metrics::auc(probabilities, labels).context("AUC needs both classes")?;
    let ks = metrics::ks(probabilities, labels).context("KS needs both classes")?;
    let brier = metrics::brier(probabilities, labels).context("Brier score needs rows")?;
    Ok(Scores {
        auc: dec(auc, 6),
        gini: dec(2.0 * auc - 1.0, 6),
        ks: dec(ks, 6),
        brier: dec(brier, 6),
    })
}

fn spread(values: impl Iterator<Item = f64>) -> Spread {
    let s = Spread::of(&values.collect::<Vec<_>>());
    Spread {
        mean: dec(s.mean, 6),
        sd: dec(s.sd, 6),
        min: dec(s.min, 6),
        max: dec(s.max, 6),
    }
}

fn read(path: &Path) -> anyhow::Result<(Labelled, String, String)> {
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
    Ok((data, sha256, name))
}

pub(crate) fn train(path: &Path, k: usize, seed: u64) -> anyhow::Result<TrainingOutput> {
    let (data, sha256, file) = read(path)?;
    let n = data.rows.len();
    let positives = data.positives();
    if k < 2 || k > positives || k > n - positives {
        bail!("{k} folds need at least {k} rows of each class ({positives} positives in {n} rows)");
    }
    let fold_of = folds::stratified(&data.labels, k, seed);
    let mut out_of_fold = vec![vec![0.0; n]; Candidate::ALL.len()];
    let mut fold_results: Vec<Vec<FoldResult>> = vec![Vec::new(); Candidate::ALL.len()];
    for fold in 0..k {
        let train_rows: Vec<usize> = (0..n).filter(|&i| fold_of[i] != fold).collect();
        let test_rows: Vec<usize> = (0..n).filter(|&i| fold_of[i] == fold).collect();
        let train = data.subset(&train_rows);
        let test = data.subset(&test_rows);
        for (c, &candidate) in Candidate::ALL.iter().enumerate() {
            let (fitted, notes) = fit(candidate, &train)?;
            let probabilities: Vec<f64> = test
                .rows
                .iter()
                .map(|row| super::logistic(fitted.log_odds(row)))
                .collect();
            for (&i, &p) in test_rows.iter().zip(&probabilities) {
                out_of_fold[c][i] = p;
            }
            let s = scores(&probabilities, &test.labels)?;
            fold_results[c].push(FoldResult {
                fold: fold + 1,
                rows: test.rows.len(),
                positives: test.positives(),
                auc: s.auc,
                gini: s.gini,
                ks: s.ks,
                brier: s.brier,
                notes,
            });
        }
    }
    // Parsimony: the trees must beat the simpler, additive scorecard by more than the
    // fold-to-fold noise (two standard errors of the paired AUC difference).
    let (difference, standard_error) = auc_difference(&fold_results[1], &fold_results[0]);
    let chosen = if difference.mean > 2.0 * standard_error {
        Candidate::Boosting
    } else {
        Candidate::Scorecard
    };
    let mut candidates = Vec::new();
    for (c, &candidate) in Candidate::ALL.iter().enumerate() {
        let folds = std::mem::take(&mut fold_results[c]);
        let role = if candidate == chosen {
            "chosen"
        } else if candidate == Candidate::Baseline {
            "baseline"
        } else {
            "candidate"
        };
        let calibration = metrics::calibration(&out_of_fold[c], &data.labels, CALIBRATION_GROUPS)
            .into_iter()
            .map(|b| CalibrationBin {
                min_predicted: dec(b.min_predicted, 6),
                max_predicted: dec(b.max_predicted, 6),
                mean_predicted: dec(b.mean_predicted, 6),
                observed_rate: dec(b.observed_rate, 6),
                ..b
            })
            .collect();
        candidates.push(CandidateResult {
            name: candidate.name().to_string(),
            role: role.to_string(),
            description: candidate.description(),
            summary: Summary {
                auc: spread(folds.iter().map(|f| f.auc)),
                gini: spread(folds.iter().map(|f| f.gini)),
                ks: spread(folds.iter().map(|f| f.ks)),
                brier: spread(folds.iter().map(|f| f.brier)),
            },
            pooled: scores(&out_of_fold[c], &data.labels)?,
            folds,
            calibration,
        });
    }

    // The final model and baseline, on every row.
    let (directions, direction_notes) = directions(&data);
    let (Fitted::Predictor(predictor), _) = fit(chosen, &data)? else {
        bail!("the chosen candidate is not a predictor");
    };
    let final_baseline = baseline::fit(&data);
    let features = FEATURES
        .iter()
        .enumerate()
        .map(|(j, spec)| {
            let excluded = match &predictor {
                Predictor::WoeScorecard(card) => card.excluded.iter().find(|e| e.feature == j),
                Predictor::GradientBoosting(_) => None,
            };
            let mut notes = Vec::new();
            if !direction_notes[j].is_empty() {
                notes.push(format!(
                    "direction from the training data ({})",
                    direction_notes[j]
                ));
            }
            if let Some(e) = excluded {
                notes.push(format!("left out: {}", e.reason));
            }
            FeatureInfo {
                key: spec.key.to_string(),
                attribute: spec.attribute.to_string(),
                definition: spec.definition.to_string(),
                direction: directions[j],
                used: excluded.is_none(),
                note: notes.join("; "),
            }
        })
        .collect();
    let (missing_values, outliers) = handling(&predictor);
    let file = ModelFile {
        version: VERSION.to_string(),
        target: "bankruptcy within one year (class 1): Polish companies, 5th year of the data \
                 (Zięba, Tomczak, Tomczak 2016)"
            .to_string(),
        training: TrainingInfo {
            file,
            sha256,
            rows: n,
            positives,
            folds: k,
            seed,
            selection_rule: "the gradient-boosted trees if their mean out-of-fold AUC exceeds \
                             the scorecard's by more than two standard errors of the fold-by-fold \
                             difference, otherwise the scorecard, which is simpler and additive \
                             by construction; the baseline is a reference, not a candidate"
                .to_string(),
            chosen: chosen.name().to_string(),
        },
        features,
        missing_values,
        outliers,
        predictor,
        baseline: final_baseline,
        evaluation: Evaluation {
            protocol: format!(
                "stratified {k}-fold cross-validation (seed {seed}); every step that learns from \
                 data (directions, bins, selection, trees, winsorisation) is refitted inside each \
                 training fold"
            ),
            candidates,
        },
    };
    let model = Model::try_from(file).map_err(|e| anyhow::anyhow!("invalid model: {e}"))?;
    let model_json = to_text(&model).context("writing the model file")?;
    // What is committed is what is read back: check the text parses to the same model.
    let reread = Model::from_json(&model_json).context("reading the model file back")?;
    if reread != model {
        bail!("the model file does not read back to the same model");
    }
    let card_markdown = card::render(&model.file, &data);
    Ok(TrainingOutput {
        model_json,
        card_markdown,
    })
}

/// How the chosen predictor treats missing and extreme values (for the model file).
fn handling(predictor: &Predictor) -> (String, String) {
    match predictor {
        Predictor::WoeScorecard(_) => (
            "A missing ratio (absent, undefined or not finite) falls in the ratio's own missing \
             bin. The bin has its own smoothed WoE when at least 5% of the training rows miss the \
             ratio; otherwise its WoE is 0 and the ratio contributes nothing (neutral)."
                .to_string(),
            "Not clipped: the first and last bins are open-ended and every bin holds at least 5% \
             of the rows, so an extreme ratio weighs no more than any value of its bin."
                .to_string(),
        ),
        Predictor::GradientBoosting(_) => (
            "A missing ratio (absent, undefined or not finite) is integrated out: at each split \
             on it both branches are followed, weighted by the training rows that went each way, \
             so its contribution is exactly 0. (In training, the booster sent the few missing \
             values down a learned default branch.)"
                .to_string(),
            "Not clipped: the trees split at quantile cut points of the training values, which \
             extreme values cannot move; an extreme ratio falls in the outermost branch."
                .to_string(),
        ),
    }
}

/// Evaluates `model` and its baseline on a labelled ARFF file.
pub(crate) fn evaluate(model: &Model, path: &Path) -> anyhow::Result<serde_json::Value> {
    let (data, _, _) = read(path)?;
    // Rows come in `FEATURES` order; the model reads its own feature list.
    let positions: Vec<Option<usize>> = model
        .file
        .features
        .iter()
        .map(|f| FEATURES.iter().position(|s| s.key == f.key))
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
        })
    };
    Ok(serde_json::json!({
        "rows": data.rows.len(),
        "positives": data.positives(),
        "model": block(&model_pd),
        "baseline": block(&baseline_pd),
    }))
}
