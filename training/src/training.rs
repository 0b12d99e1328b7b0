//! Training: cross-validate the candidates, choose by out-of-fold AUC, refit the chosen one and
//! the baseline on every row, and write the model file and the model card.
//!
//! The boosted trees are tuned inside each training fold (nested cross-validation): settings
//! and the number of trees are chosen on inner folds of the training rows only, and the Platt
//! calibration is fitted on those inner folds' out-of-fold predictions. The outer folds'
//! figures are therefore measured on rows that no step of the fit has seen.

use super::baseline::{self, Baseline};
use super::boosting;
use super::card;
use super::data::{features, position, Direction, Labelled, BASELINE_KEYS};
use super::directions::{directions, DIRECTION_EVIDENCE};
use super::evaluation::{
    read, CandidateResult, Evaluation, FoldResult, MissingAnalysis, MissingInput, Scores, Summary,
    TuningRow, CALIBRATION_GROUPS,
};
use super::folds::{self, auc_difference};
use super::json::{dec, sig, to_text};
use super::metrics::{self, CalibrationBin, Spread};
use super::regression;
use super::scorecard;
use super::trees::Settings;
use super::trees::{Ensemble, Inputs};
use super::{Calibration, FeatureInfo, Model, ModelFile, Predictor, Reference, TrainingInfo};
use anyhow::{bail, Context};
use std::path::Path;

/// Version of the model this code trains.
pub(crate) const VERSION: &str = "pd-polish-5y-2";

/// Inner folds of the tuning inside each outer training fold.
const INNER_FOLDS: usize = 3;

/// Inputs missing in at least this share of the training rows get their own line in the
/// missing-value analysis of the card.
const MISSING_SHARE_SHOWN: f64 = 0.005;

/// What `train` produces: the model file and the model card, both as text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingOutput {
    /// `models/pd-model.json`.
    pub model_json: String,
    /// `models/MODEL_CARD.md`.
    pub card_markdown: String,
}

/// The candidates, in the order of the comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Candidate {
    Boosting,
    BoostingUnconstrained,
    Scorecard,
    Logistic,
    Altman,
}

impl Candidate {
    const ALL: [Candidate; 5] = [
        Candidate::Boosting,
        Candidate::BoostingUnconstrained,
        Candidate::Scorecard,
        Candidate::Logistic,
        Candidate::Altman,
    ];

    fn name(self) -> &'static str {
        match self {
            Candidate::Boosting => "gradient_boosting",
            Candidate::BoostingUnconstrained => "gradient_boosting_unconstrained",
            Candidate::Scorecard => "woe_scorecard",
            Candidate::Logistic => "logistic_all_ratios",
            Candidate::Altman => "altman_logistic_baseline",
        }
    }

    fn description(self) -> String {
        let grid = boosting::grid();
        let depths: Vec<String> = grid.iter().map(|s| s.max_depth.to_string()).collect();
        let tuned = format!(
            "gradient-boosted trees ({}): depth, learning rate ({} or 0.1), L2 penalty and \
             minimum leaf hessian chosen among {} settings (depths {}) and the number of trees \
             (at most {}) at the lowest log loss of {} inner folds of the training rows; {} \
             bins; missing values handled natively (each split learns a branch for them); Platt \
             scaling fitted on the inner folds' out-of-fold log-odds",
            boosting::LIBRARY,
            boosting::LEARNING_RATE,
            grid.len(),
            {
                let mut d = depths;
                d.dedup();
                d.join(", ")
            },
            boosting::MAX_TREES,
            INNER_FOLDS,
            boosting::BINS
        );
        match self {
            Candidate::Boosting => format!(
                "{tuned}; monotone constraints where finance gives a direction and the training \
                 fold confirms it (Spearman ρ of the decile default rates at least {} in \
                 magnitude), leaves clamped to the bounds of their constrained ancestors",
                DIRECTION_EVIDENCE
            ),
            Candidate::BoostingUnconstrained => {
                "the same trees without any monotone constraint, with the settings chosen for \
                 the constrained model in the same fold (Platt scaling refitted): what the \
                 constraints cost"
                    .to_string()
            }
            Candidate::Scorecard => format!(
                "weight-of-evidence scorecard on every ratio: monotone bins per ratio (≥5% of \
                 rows, smoothed WoE with {} pseudo-rows), logistic regression on WoE (ridge {}) \
                 with positive weights (a ratio whose weight would not be positive is dropped \
                 and the rest refitted)",
                scorecard::PRIOR_ROWS,
                scorecard::RIDGE
            ),
            Candidate::Logistic => "logistic regression on every ratio (ridge 1 on standardised \
                 ratios), each winsorised at its 1st/99th percentiles, missing = median"
                .to_string(),
            Candidate::Altman => "logistic regression on X3, X6, X7, X8, X9 (Altman-style), \
                 winsorised at the 1st/99th percentiles, missing = median"
                .to_string(),
        }
    }

    fn role(self, chosen: Candidate) -> &'static str {
        if self == chosen {
            "chosen"
        } else if self == Candidate::Altman {
            "baseline"
        } else if self == Candidate::BoostingUnconstrained {
            "reference"
        } else {
            "candidate"
        }
    }
}

/// A fitted candidate: log-odds for a row (every missing value undefined, as in training).
enum Fitted {
    Boosted(Box<Ensemble>, Calibration),
    Scorecard(scorecard::Scorecard),
    Regression(Baseline),
}

impl Fitted {
    fn log_odds(&self, row: &[Option<f64>]) -> f64 {
        match self {
            Fitted::Boosted(e, c) => c.slope * e.log_odds(&Inputs::training(row)) + c.intercept,
            Fitted::Scorecard(s) => s.log_odds(row),
            Fitted::Regression(b) => b.log_odds(row),
        }
    }

    /// Log-odds with the missing values of the inputs in `unknown` integrated out.
    fn log_odds_unknown(&self, row: &[Option<f64>], unknown: &[bool]) -> f64 {
        match self {
            Fitted::Boosted(e, c) => {
                let inputs = Inputs {
                    row,
                    unknown,
                    otherwise_unknown: false,
                };
                c.slope * e.log_odds(&inputs) + c.intercept
            }
            other => other.log_odds(row),
        }
    }
}

/// Log loss of probabilities from log-odds.
fn log_loss(log_odds: &[f64], labels: &[bool]) -> f64 {
    let n = log_odds.len().max(1) as f64;
    log_odds
        .iter()
        .zip(labels)
        .map(|(&z, &y)| {
            // −log σ(z) for a default, −log σ(−z) otherwise, computed without overflow.
            let t = if y { -z } else { z };
            if t > 0.0 {
                t + (-t).exp().ln_1p()
            } else {
                t.exp().ln_1p()
            }
        })
        .sum::<f64>()
        / n
}

/// Platt scaling: the affine map of the log-odds fitted by logistic regression.
fn platt(log_odds: &[f64], labels: &[bool]) -> Calibration {
    let x: Vec<Vec<f64>> = log_odds.iter().map(|&z| vec![z]).collect();
    let fitted = regression::fit(&x, labels, 1e-6);
    let slope = fitted.coefficients.first().copied().unwrap_or(1.0);
    Calibration {
        slope: sig(if slope > 0.0 { slope } else { 1.0 }, 10),
        intercept: sig(fitted.intercept, 10),
    }
}

/// The chosen setting of the boosted trees for a training set.
struct Tuned {
    settings: Settings,
    calibration: Calibration,
    table: Vec<TuningRow>,
}

/// Chooses the setting and the number of trees on `inner` folds of `data`, and fits the Platt
/// calibration on the inner out-of-fold log-odds of the choice.
fn tune(
    data: &Labelled,
    directions: &[Direction],
    grid: &[Settings],
    inner: usize,
    seed: u64,
) -> anyhow::Result<Tuned> {
    let n = data.rows.len();
    let fold_of = folds::stratified(&data.labels, inner, seed);
    let mut best: Option<(f64, usize, usize, Vec<f64>)> = None;
    let mut table = Vec::new();
    for (g, settings) in grid.iter().enumerate() {
        // Out-of-fold log-odds of every row after each number of trees.
        let mut staged = vec![vec![0.0; n]; settings.iterations];
        for fold in 0..inner {
            let train_rows: Vec<usize> = (0..n).filter(|&i| fold_of[i] != fold).collect();
            let valid_rows: Vec<usize> = (0..n).filter(|&i| fold_of[i] == fold).collect();
            let ensemble = boosting::fit(&data.subset(&train_rows), directions, settings)?;
            let valid = data.subset(&valid_rows);
            for (t, values) in boosting::staged_log_odds(&ensemble, &valid.rows)
                .into_iter()
                .enumerate()
            {
                for (&i, v) in valid_rows.iter().zip(values) {
                    if let Some(s) = staged.get_mut(t) {
                        s[i] = v;
                    }
                }
            }
        }
        let losses: Vec<f64> = staged.iter().map(|z| log_loss(z, &data.labels)).collect();
        let (t, loss) = losses
            .iter()
            .enumerate()
            .fold(
                (0, f64::INFINITY),
                |(bt, bl), (t, &l)| {
                    if l < bl {
                        (t, l)
                    } else {
                        (bt, bl)
                    }
                },
            );
        table.push(TuningRow {
            max_depth: settings.max_depth,
            learning_rate: settings.learning_rate,
            l2: settings.l2,
            min_leaf_weight: settings.min_leaf_weight,
            best_trees: t + 1,
            log_loss: dec(loss, 6),
            chosen: false,
        });
        if best.as_ref().is_none_or(|b| loss < b.0) {
            let oof = staged.swap_remove(t);
            best = Some((loss, g, t, oof));
        }
    }
    let Some((_, g, t, oof)) = best else {
        bail!("no setting to tune");
    };
    table[g].chosen = true;
    Ok(Tuned {
        settings: Settings {
            iterations: t + 1,
            ..grid[g].clone()
        },
        calibration: platt(&oof, &data.labels),
        table,
    })
}

/// Fits the boosted trees with their tuning on `data`: the ensemble, its calibration and the
/// tuning table.
fn fit_boosted(
    data: &Labelled,
    directions: &[Direction],
    inner: usize,
    seed: u64,
) -> anyhow::Result<(Ensemble, Calibration, Vec<TuningRow>)> {
    let tuned = tune(data, directions, &boosting::grid(), inner, seed)?;
    let ensemble = boosting::fit(data, directions, &tuned.settings)?;
    Ok((ensemble, tuned.calibration, tuned.table))
}

fn settings_note(s: &Settings, c: &Calibration) -> String {
    format!(
        "depth {}, learning rate {}, L2 {}, min leaf hessian {}, {} trees; Platt {:.3}·z{:+.3}",
        s.max_depth, s.learning_rate, s.l2, s.min_leaf_weight, s.iterations, c.slope, c.intercept
    )
}

/// Fits every candidate on one training fold.
fn fit_all(train: &Labelled, seed: u64) -> anyhow::Result<Vec<(Candidate, Fitted, String)>> {
    let (dirs, notes) = directions(train);
    let constrained = dirs
        .iter()
        .filter(|d| **d != Direction::Unconstrained)
        .count();
    let direction_note = format!(
        "{constrained} ratios constrained; finance's direction not confirmed: {}",
        notes
            .iter()
            .filter(|n| !n.is_empty())
            .cloned()
            .collect::<Vec<_>>()
            .join(", ")
    );
    let tuned = tune(train, &dirs, &boosting::grid(), INNER_FOLDS, seed)?;
    let ensemble = boosting::fit(train, &dirs, &tuned.settings)?;
    let boosted_note = format!(
        "{}; {direction_note}",
        settings_note(&tuned.settings, &tuned.calibration)
    );
    let free = vec![Direction::Unconstrained; dirs.len()];
    let free_tuned = tune(
        train,
        &free,
        std::slice::from_ref(&tuned.settings),
        INNER_FOLDS,
        seed,
    )?;
    let free_settings = Settings {
        iterations: tuned.settings.iterations,
        ..tuned.settings.clone()
    };
    let free_ensemble = boosting::fit(train, &free, &free_settings)?;
    let card = scorecard::fit(train, &dirs);
    let dropped = card.excluded.len();
    let all: Vec<usize> = (0..features().len()).collect();
    let altman: Vec<usize> = BASELINE_KEYS.iter().filter_map(|k| position(k)).collect();
    Ok(vec![
        (
            Candidate::Boosting,
            Fitted::Boosted(Box::new(ensemble), tuned.calibration),
            boosted_note,
        ),
        (
            Candidate::BoostingUnconstrained,
            Fitted::Boosted(Box::new(free_ensemble), free_tuned.calibration),
            settings_note(&free_settings, &free_tuned.calibration),
        ),
        (
            Candidate::Scorecard,
            Fitted::Scorecard(card),
            format!("{} ratios left out", dropped),
        ),
        (
            Candidate::Logistic,
            Fitted::Regression(baseline::fit(train, &all)),
            String::new(),
        ),
        (
            Candidate::Altman,
            Fitted::Regression(baseline::fit(train, &altman)),
            String::new(),
        ),
    ])
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

/// The deciles of `values` (missing ones undefined) and the share of the values in each, then
/// the share undefined.
fn reference(values: &[Option<f64>]) -> Option<Reference> {
    let mut known: Vec<f64> = values.iter().flatten().copied().collect();
    if known.is_empty() {
        return None;
    }
    known.sort_by(f64::total_cmp);
    let cuts: Vec<f64> = (1..10)
        .map(|i| sig(known[known.len() * i / 10], 6))
        .collect();
    let mut counts = [0usize; 11];
    for v in values {
        let bin = match v {
            Some(v) => cuts.partition_point(|&c| c <= *v).min(9),
            None => 10,
        };
        counts[bin] += 1;
    }
    let n = values.len() as f64;
    Some(Reference {
        cuts,
        shares: counts.iter().map(|&c| sig(c as f64 / n, 6)).collect(),
    })
}

fn median(mut values: Vec<f64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let n = values.len();
    Some(if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    })
}

pub fn train(path: &Path, k: usize, seed: u64) -> anyhow::Result<TrainingOutput> {
    let (data, sha256, file, earlier_years) = read(path)?;
    let n = data.rows.len();
    let positives = data.positives();
    if k < 2 || k > positives || k > n - positives {
        bail!("{k} folds need at least {k} rows of each class ({positives} positives in {n} rows)");
    }
    let p = features().len();
    let fold_of = folds::stratified(&data.labels, k, seed);
    let mut out_of_fold = vec![vec![0.0; n]; Candidate::ALL.len()];
    let mut fold_results: Vec<Vec<FoldResult>> = vec![Vec::new(); Candidate::ALL.len()];
    // The chosen kind's out-of-fold log-odds with every missing value unknown, and with each
    // input's alone.
    let mut all_unknown = vec![0.0; n];
    let mut one_unknown = vec![vec![0.0; n]; p];
    for fold in 0..k {
        let train_rows: Vec<usize> = (0..n).filter(|&i| fold_of[i] != fold).collect();
        let test_rows: Vec<usize> = (0..n).filter(|&i| fold_of[i] == fold).collect();
        let train = data.subset(&train_rows);
        let test = data.subset(&test_rows);
        let inner_seed = seed ^ (fold as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        for (candidate, fitted, notes) in fit_all(&train, inner_seed)? {
            let c = Candidate::ALL
                .iter()
                .position(|x| *x == candidate)
                .unwrap_or(0);
            let probabilities: Vec<f64> = test
                .rows
                .iter()
                .map(|row| super::logistic(fitted.log_odds(row)))
                .collect();
            for (&i, &pd) in test_rows.iter().zip(&probabilities) {
                out_of_fold[c][i] = pd;
            }
            if candidate == Candidate::Boosting {
                let everything = vec![true; p];
                for (&i, row) in test_rows.iter().zip(&test.rows) {
                    all_unknown[i] = super::logistic(fitted.log_odds_unknown(row, &everything));
                    for (j, slot) in one_unknown.iter_mut().enumerate() {
                        if row.get(j).copied().flatten().is_none() {
                            let mut only = vec![false; p];
                            only[j] = true;
                            slot[i] = super::logistic(fitted.log_odds_unknown(row, &only));
                        } else {
                            slot[i] = out_of_fold[c][i];
                        }
                    }
                }
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
    // Parsimony: the trees ship only if they beat every simpler candidate by more than the
    // fold-to-fold noise (two standard errors of the paired AUC difference).
    let boosting_index = 0;
    let beats = |other: Candidate| {
        let o = Candidate::ALL.iter().position(|x| *x == other).unwrap_or(0);
        let (difference, standard_error) =
            auc_difference(&fold_results[boosting_index], &fold_results[o]);
        difference.mean > 2.0 * standard_error
    };
    let chosen = if beats(Candidate::Scorecard) && beats(Candidate::Logistic) {
        Candidate::Boosting
    } else {
        Candidate::Scorecard
    };
    let mut candidates = Vec::new();
    for (c, &candidate) in Candidate::ALL.iter().enumerate() {
        let folds = std::mem::take(&mut fold_results[c]);
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
            role: candidate.role(chosen).to_string(),
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
    let missing = MissingAnalysis {
        as_trained: scores(&out_of_fold[boosting_index], &data.labels)?,
        all_unknown: scores(&all_unknown, &data.labels)?,
        inputs: (0..p)
            .filter_map(|j| {
                let rows: Vec<usize> = (0..n)
                    .filter(|&i| data.rows[i].get(j).copied().flatten().is_none())
                    .collect();
                (rows.len() as f64 >= MISSING_SHARE_SHOWN * n as f64).then(|| MissingInput {
                    key: features()[j].key.to_string(),
                    attribute: features()[j].attribute.to_string(),
                    missing: rows.len(),
                    missing_positives: rows.iter().filter(|&&i| data.labels[i]).count(),
                    auc_if_unknown: metrics::auc(&one_unknown[j], &data.labels).map(|a| dec(a, 6)),
                })
            })
            .collect(),
        earlier_years,
    };

    // The final model and baseline, on every row.
    let (dirs, direction_notes) = directions(&data);
    let (predictor, calibration, tuning, excluded) = match chosen {
        Candidate::Boosting => {
            let (ensemble, calibration, tuning) = fit_boosted(&data, &dirs, k, seed)?;
            (
                Predictor::GradientBoosting(ensemble),
                Some(calibration),
                tuning,
                Vec::new(),
            )
        }
        _ => {
            let card = scorecard::fit(&data, &dirs);
            let excluded = card.excluded.clone();
            (Predictor::WoeScorecard(card), None, Vec::new(), excluded)
        }
    };
    let altman: Vec<usize> = BASELINE_KEYS.iter().filter_map(|k| position(k)).collect();
    let final_baseline = baseline::fit(&data, &altman);
    let features = features()
        .iter()
        .enumerate()
        .map(|(j, spec)| {
            let left_out = excluded.iter().find(|e| e.feature == j);
            let mut notes = Vec::new();
            if spec.prior.is_some() && dirs[j] == Direction::Unconstrained {
                notes.push(format!(
                    "finance's direction not confirmed by the data ({}), left unconstrained",
                    direction_notes[j]
                ));
            }
            if let Some(e) = left_out {
                notes.push(format!("left out: {}", e.reason));
            }
            FeatureInfo {
                key: spec.key.to_string(),
                attribute: spec.attribute.to_string(),
                definition: spec.definition.to_string(),
                direction: dirs[j],
                used: left_out.is_none(),
                note: notes.join("; "),
                median: median(data.column(j).into_iter().map(|(v, _)| v).collect())
                    .map(|m| sig(m, 6)),
                reference: reference(
                    &data
                        .rows
                        .iter()
                        .map(|r| r.get(j).copied().flatten())
                        .collect::<Vec<_>>(),
                ),
            }
        })
        .collect();
    let (missing_values, outliers) = handling(&predictor);
    // The model's own log-odds over the training rows, for drift.
    let score_reference = {
        let log_odds: Vec<Option<f64>> = data
            .rows
            .iter()
            .map(|row| {
                let raw = predictor.log_odds(row);
                Some(calibration.map_or(raw, |c| c.slope * raw + c.intercept))
            })
            .collect();
        reference(&log_odds)
    };
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
            selection_rule: "the monotone gradient-boosted trees if their mean out-of-fold AUC \
                             exceeds both the WoE scorecard's and the logistic regression's on \
                             the same ratios by more than two standard errors of the fold-by-fold \
                             difference, otherwise the scorecard, which is simpler and additive \
                             by construction; the unconstrained trees show what the constraints \
                             cost and the Altman-style model is a baseline, neither is a \
                             candidate"
                .to_string(),
            chosen: chosen.name().to_string(),
        },
        features,
        missing_values,
        outliers,
        predictor,
        calibration,
        score_reference,
        baseline: final_baseline,
        evaluation: Evaluation {
            protocol: format!(
                "stratified {k}-fold cross-validation (seed {seed}); every step that learns from \
                 data (directions, settings and number of trees on {INNER_FOLDS} inner folds, \
                 trees, Platt scaling, bins, selection, winsorisation) is refitted inside each \
                 training fold"
            ),
            candidates,
            tuning,
            missing: Some(missing),
        },
    };
    let model = Model::try_from(file).map_err(|e| anyhow::anyhow!("invalid model: {e}"))?;
    let model_json = to_text(&model).context("writing the model file")?;
    // What is committed is what is read back: check the text parses to the same model.
    let reread = Model::from_json(&model_json).context("reading the model file back")?;
    if reread != model {
        bail!("the model file does not read back to the same model");
    }
    let card_markdown = card::render(model.file(), &data);
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
            "The training data's missing values are ratios whose denominator is zero (for \
             example Attr27 is missing exactly where Attr11 equals Attr18, that is where the \
             financial expenses are zero; Attr37 where Attr59 is 0, no long-term debts). The \
             product reads a ratio whose denominator is zero in a company's accounts the same \
             way: it follows, at each split, the branch the booster learned for missing values. \
             A ratio the accounts do not give (no accounts, a line the source lacks) is \
             unknown: it is integrated out (both branches of each split on it, weighted by the \
             training rows that went each way), so it contributes exactly 0 and never reads as \
             a zero denominator."
                .to_string(),
            "Not clipped: the trees split at quantile cut points of the training values, which \
             extreme values cannot move; an extreme ratio falls in the outermost branch."
                .to_string(),
        ),
    }
}
