//! The model's promises, checked on the committed model and the training file.

use super::data::FEATURES;
use super::*;
use proptest::prelude::*;
use std::path::PathBuf;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The shared training file, beside the workspace (`../shared`), as in CI.
fn training_file() -> PathBuf {
    workspace().join("../shared/data/polish/5year-train.arff")
}

fn inputs(values: &[(&str, Option<f64>)]) -> BTreeMap<String, Option<f64>> {
    values.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// A company with every ratio present.
fn typical() -> BTreeMap<String, Option<f64>> {
    inputs(&[
        ("x1_net_profit_to_total_assets", Some(0.05)),
        ("x2_total_liabilities_to_total_assets", Some(0.45)),
        ("x3_working_capital_to_total_assets", Some(0.2)),
        ("x4_current_assets_to_short_term_liabilities", Some(1.6)),
        ("x6_retained_earnings_to_total_assets", Some(0.1)),
        ("x7_ebit_to_total_assets", Some(0.06)),
        ("x8_book_equity_to_total_liabilities", Some(1.1)),
        ("x9_sales_to_total_assets", Some(1.2)),
        ("x10_equity_to_total_assets", Some(0.5)),
    ])
}

fn assert_adds_up(prediction: &Prediction) {
    let sum: f64 = prediction.contributions.iter().map(|c| c.log_odds).sum();
    assert!(
        (prediction.intercept + sum - prediction.log_odds).abs() < 1e-9,
        "{prediction:?}"
    );
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

/// Writes the committed files: `cargo test -p server --lib write_the_committed_model -- --ignored`.
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

#[test]
fn the_committed_model_records_its_version_folds_and_seed() {
    let model = Model::committed();
    assert_eq!(model.version(), "pd-polish-5y-1");
    assert_eq!(model.file.training.folds, TRAINING_FOLDS);
    assert_eq!(model.file.training.seed, TRAINING_SEED);
    assert_eq!(model.training_sha256().len(), 64);
    let keys: Vec<&str> = model.input_keys().collect();
    let expected: Vec<&str> = FEATURES.iter().map(|f| f.key).collect();
    assert_eq!(keys, expected);
}

#[test]
fn contributions_add_up_to_the_log_odds() {
    let model = Model::committed();
    let prediction = model.predict(&typical());
    assert_adds_up(&prediction);
    assert!(!prediction.contributions.is_empty());
    let pd = prediction.probability();
    assert!(pd > 0.0 && pd < 1.0);
}

#[test]
fn missing_ratios_are_handled_without_panicking() {
    let model = Model::committed();
    let empty = model.predict(&BTreeMap::new());
    assert_adds_up(&empty);
    assert!(empty.log_odds.is_finite());
    // Absent, `None`, NaN and infinite values are all the same missing value.
    let mut odd = typical();
    odd.insert("x2_total_liabilities_to_total_assets".into(), None);
    odd.insert(
        "x4_current_assets_to_short_term_liabilities".into(),
        Some(f64::NAN),
    );
    odd.insert(
        "x8_book_equity_to_total_liabilities".into(),
        Some(f64::INFINITY),
    );
    odd.insert("not_a_ratio".into(), Some(3.0));
    let mut absent = typical();
    absent.remove("x2_total_liabilities_to_total_assets");
    absent.insert("x4_current_assets_to_short_term_liabilities".into(), None);
    absent.insert("x8_book_equity_to_total_liabilities".into(), None);
    let (a, b) = (model.predict(&odd), model.predict(&absent));
    assert_eq!(a.log_odds.to_bits(), b.log_odds.to_bits());
    assert_adds_up(&a);
    let c = a
        .contributions
        .iter()
        .find(|c| c.feature == "x8_book_equity_to_total_liabilities");
    if let Some(c) = c {
        assert_eq!(c.value, None);
        assert!(c.detail.contains("missing"), "{c:?}");
    }
}

#[test]
fn a_prediction_is_bit_identical_every_time() {
    let model = Model::committed();
    let first = model.predict(&typical());
    for _ in 0..3 {
        let again = model.predict(&typical());
        assert_eq!(again.log_odds.to_bits(), first.log_odds.to_bits());
        assert_eq!(again, first);
    }
    let reloaded = Model::from_json(COMMITTED_JSON).unwrap();
    assert_eq!(reloaded.predict(&typical()), first);
}

#[test]
fn weak_accounts_score_riskier_than_strong_ones() {
    let model = Model::committed();
    let strong = model.predict(&typical());
    let weak = model.predict(&inputs(&[
        ("x1_net_profit_to_total_assets", Some(-0.3)),
        ("x2_total_liabilities_to_total_assets", Some(1.2)),
        ("x3_working_capital_to_total_assets", Some(-0.4)),
        ("x4_current_assets_to_short_term_liabilities", Some(0.5)),
        ("x6_retained_earnings_to_total_assets", Some(-0.5)),
        ("x7_ebit_to_total_assets", Some(-0.3)),
        ("x8_book_equity_to_total_liabilities", Some(-0.2)),
        ("x9_sales_to_total_assets", Some(1.2)),
        ("x10_equity_to_total_assets", Some(-0.2)),
    ]));
    assert!(
        weak.probability() > 3.0 * strong.probability(),
        "{weak:?} {strong:?}"
    );
    let baseline_weak =
        model.baseline_log_odds(&inputs(&[("x7_ebit_to_total_assets", Some(-0.3))]));
    let baseline_strong =
        model.baseline_log_odds(&inputs(&[("x7_ebit_to_total_assets", Some(0.3))]));
    assert!(baseline_weak > baseline_strong);
}

#[test]
fn evaluate_on_the_training_file_returns_the_expected_keys() {
    let report = evaluate(&training_file()).unwrap();
    assert_eq!(report["rows"], 4089);
    assert_eq!(report["positives"], 291);
    for block in ["model", "baseline"] {
        for key in ["auc", "ks", "brier"] {
            let value = report[block][key].as_f64().unwrap();
            assert!((0.0..=1.0).contains(&value), "{block}.{key} = {value}");
        }
    }
    let object = report.as_object().unwrap();
    let keys: Vec<&str> = object.keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 4, "{keys:?}");
}

#[test]
fn evaluate_reads_any_labelled_file_and_reports_undefined_metrics_as_null() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one-class.arff");
    let mut text = String::from("% reordered attributes, one class only\n@relation 'x'\n");
    text.push_str("@attribute class {0,1}\n");
    for i in (1..=10).rev() {
        text.push_str(&format!("@attribute Attr{i} numeric\n"));
    }
    text.push_str("@data\n0,0.1,0.5,?,1.2,0.2,0.1,1.5,0.2,0.4,0.05\n");
    std::fs::write(&path, text).unwrap();
    let report = evaluate(&path).unwrap();
    assert_eq!(report["rows"], 1);
    assert_eq!(report["positives"], 0);
    assert!(report["model"]["auc"].is_null());
    assert!(report["model"]["brier"].as_f64().is_some());
}

#[test]
fn evaluate_names_the_line_of_a_bad_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.arff");
    std::fs::write(&path, "@relation r\n@attribute Attr1 numeric\n@data\n1,2\n").unwrap();
    let message = format!("{:#}", evaluate(&path).unwrap_err());
    assert!(message.contains("line 4"), "{message}");
    let missing = dir.path().join("absent.arff");
    assert!(evaluate(&missing).is_err());
}

#[test]
fn a_malformed_model_file_is_an_error_not_a_panic() {
    assert!(Model::from_json("{}").is_err());
    let mut value: serde_json::Value = serde_json::from_str(COMMITTED_JSON).unwrap();
    value["features"] = serde_json::json!([]);
    assert!(Model::from_json(&value.to_string()).is_err());
}

/// A ratio drawn from its usual range, with outliers and missing values now and then.
fn ratio() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![
        8 => (-2.0f64..3.0).prop_map(Some),
        1 => (-500.0f64..7000.0).prop_map(Some),
        1 => Just(None),
    ]
}

fn company() -> impl Strategy<Value = BTreeMap<String, Option<f64>>> {
    proptest::collection::vec(ratio(), FEATURES.len()).prop_map(|values| {
        FEATURES
            .iter()
            .zip(values)
            .map(|(f, v)| (f.key.to_string(), v))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn more_liabilities_never_lower_the_pd(
        company in company(),
        x2 in -1.0f64..3.0,
        rise in 0.0f64..2.0,
    ) {
        let model = Model::committed();
        let key = "x2_total_liabilities_to_total_assets".to_string();
        let mut low = company.clone();
        low.insert(key.clone(), Some(x2));
        let mut high = company;
        high.insert(key, Some(x2 + rise));
        prop_assert!(model.predict(&high).log_odds >= model.predict(&low).log_odds);
    }

    #[test]
    fn more_profit_never_raises_the_pd(
        company in company(),
        x1 in -1.0f64..1.0,
        rise in 0.0f64..1.0,
    ) {
        let model = Model::committed();
        let key = "x1_net_profit_to_total_assets".to_string();
        let mut low = company.clone();
        low.insert(key.clone(), Some(x1));
        let mut high = company;
        high.insert(key, Some(x1 + rise));
        prop_assert!(model.predict(&high).log_odds <= model.predict(&low).log_odds);
    }

    #[test]
    fn every_constrained_ratio_moves_the_pd_in_its_direction(
        company in company(),
        feature in 0..FEATURES.len(),
        value in -2.0f64..3.0,
        rise in 0.0f64..5.0,
    ) {
        let model = Model::committed();
        let info = &model.file.features[feature];
        let mut low = company.clone();
        low.insert(info.key.clone(), Some(value));
        let mut high = company;
        high.insert(info.key.clone(), Some(value + rise));
        let (low, high) = (model.predict(&low).log_odds, model.predict(&high).log_odds);
        match info.direction {
            Direction::Increasing => prop_assert!(high >= low),
            Direction::Decreasing => prop_assert!(high <= low),
            Direction::Unconstrained => {}
        }
    }

    #[test]
    fn contributions_add_up_for_any_company(company in company()) {
        let prediction = Model::committed().predict(&company);
        let sum: f64 = prediction.contributions.iter().map(|c| c.log_odds).sum();
        prop_assert!((prediction.intercept + sum - prediction.log_odds).abs() < 1e-9);
        prop_assert!(prediction.log_odds.is_finite());
    }
}

/// The candidate that was not chosen keeps its promises too: trained on the real rows, the
/// boosted trees never lower the risk when liabilities rise or raise it when profit rises.
#[test]
fn the_boosted_candidate_is_monotone_on_the_training_data() {
    let text = std::fs::read_to_string(training_file()).unwrap();
    let data = data::Labelled::from_arff(&arff::parse(&text).unwrap()).unwrap();
    let (directions, _) = training::directions(&data);
    let ensemble = boosting::fit(&data, &directions).unwrap();
    let grid: Vec<f64> = (0..40).map(|i| -1.0 + f64::from(i) * 0.075).collect();
    for row in data.rows.iter().step_by(40) {
        for (feature, rising) in [(1, true), (0, false)] {
            let values: Vec<f64> = grid
                .iter()
                .map(|&v| {
                    let mut moved = row.clone();
                    moved[feature] = Some(v);
                    ensemble.log_odds(&moved)
                })
                .collect();
            for pair in values.windows(2) {
                if rising {
                    assert!(pair[1] >= pair[0], "X2 up, risk down: {pair:?}");
                } else {
                    assert!(pair[1] <= pair[0], "X1 up, risk up: {pair:?}");
                }
            }
        }
    }
}
