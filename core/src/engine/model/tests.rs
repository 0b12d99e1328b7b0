//! The model's promises, checked on the committed model and the training file.

use super::data::features;
use super::*;
use proptest::prelude::*;
use std::path::PathBuf;

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// The training file, in the repository's test data.
fn training_file() -> PathBuf {
    workspace().join("testdata/polish/5year-train.arff")
}

fn inputs(values: &[(&str, Option<f64>)]) -> BTreeMap<String, Input> {
    values
        .iter()
        .map(|(k, v)| (k.to_string(), Input::known(*v)))
        .collect()
}

/// The training file's rows.
fn training_rows() -> data::Labelled {
    let text = std::fs::read_to_string(training_file()).unwrap();
    data::Labelled::from_arff(&arff::parse(&text).unwrap()).unwrap()
}

/// A row of the training file as the model's inputs (a missing value is undefined, as there).
fn as_inputs(row: &[Option<f64>]) -> BTreeMap<String, Input> {
    features()
        .iter()
        .zip(row)
        .map(|(f, v)| {
            let input = match v {
                Some(v) => Input::Value(*v),
                None => Input::Undefined,
            };
            (f.key.to_string(), input)
        })
        .collect()
}

/// A healthy company of the training file (its median ratios).
fn typical() -> BTreeMap<String, Input> {
    let model = Model::committed();
    model
        .input_keys()
        .map(|k| (k.to_string(), Input::known(model.training_median(k))))
        .collect()
}

fn assert_adds_up(prediction: &Prediction) {
    let sum: f64 = prediction.contributions.iter().map(|c| c.log_odds).sum();
    assert!(
        (prediction.intercept + sum - prediction.log_odds).abs() < 1e-9,
        "{prediction:?}"
    );
}

#[test]
fn the_committed_model_records_its_version_folds_and_seed() {
    let model = Model::committed();
    assert_eq!(model.version(), "pd-polish-5y-2");
    assert_eq!(model.file.training.folds, TRAINING_FOLDS);
    assert_eq!(model.file.training.seed, TRAINING_SEED);
    assert_eq!(model.training_sha256().len(), 64);
    let keys: Vec<&str> = model.input_keys().collect();
    let expected: Vec<&str> = features().iter().map(|f| f.key).collect();
    assert_eq!(keys, expected);
    assert!(
        !keys.contains(&"x21_sales_growth"),
        "sales growth is never an input"
    );
    assert!(model.calibration().is_some());
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
fn an_unknown_ratio_contributes_nothing_and_an_undefined_one_reads_as_trained() {
    let model = Model::committed();
    let empty = model.predict(&BTreeMap::new());
    assert_adds_up(&empty);
    assert!(empty.log_odds.is_finite());
    assert!(empty.contributions.iter().all(|c| c.log_odds == 0.0));
    // Absent, unknown, NaN and infinite values are all the same unknown value.
    let key = "x27_operating_profit_to_financial_expenses";
    let mut odd = typical();
    odd.insert(key.into(), Input::known(Some(f64::NAN)));
    odd.insert(
        "x4_current_assets_to_short_term_liabilities".into(),
        Input::known(Some(f64::INFINITY)),
    );
    odd.insert("not_a_ratio".into(), Input::Value(3.0));
    let mut absent = typical();
    absent.remove(key);
    absent.insert(
        "x4_current_assets_to_short_term_liabilities".into(),
        Input::Unknown,
    );
    let (a, b) = (model.predict(&odd), model.predict(&absent));
    assert_eq!(a.log_odds.to_bits(), b.log_odds.to_bits());
    assert_adds_up(&a);
    let unknown = a.contributions.iter().find(|c| c.feature == key).unwrap();
    assert_eq!(unknown.value, None);
    assert_eq!(unknown.log_odds, 0.0);
    assert!(unknown.detail.contains("unknown"), "{unknown:?}");
    // No financial expenses (a zero denominator) is a fact the model learned to read.
    let mut undefined = typical();
    undefined.insert(key.into(), Input::Undefined);
    let u = model.predict(&undefined);
    assert_adds_up(&u);
    let c = u.contributions.iter().find(|c| c.feature == key).unwrap();
    assert!(c.detail.contains("undefined"), "{c:?}");
    assert_ne!(c.log_odds, 0.0);
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
    let mut weak = typical();
    for (key, value) in [
        ("x1_net_profit_to_total_assets", -0.3),
        ("x2_total_liabilities_to_total_assets", 1.2),
        ("x3_working_capital_to_total_assets", -0.4),
        ("x4_current_assets_to_short_term_liabilities", 0.5),
        ("x6_retained_earnings_to_total_assets", -0.5),
        ("x7_ebit_to_total_assets", -0.3),
        ("x8_book_equity_to_total_liabilities", -0.2),
        ("x10_equity_to_total_assets", -0.2),
        ("x22_operating_profit_to_total_assets", -0.3),
        ("x25_equity_less_share_capital_to_total_assets", -0.5),
        ("x46_quick_ratio", 0.3),
    ] {
        weak.insert(key.into(), Input::Value(value));
    }
    let weak = model.predict(&weak);
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
        let deciles = report[block]["calibration"].as_array().unwrap();
        assert_eq!(deciles.len(), 10);
        let rows: u64 = deciles.iter().map(|d| d["rows"].as_u64().unwrap()).sum();
        assert_eq!(rows, 4089);
    }
    assert_eq!(report["model_version"], "pd-polish-5y-2");
    let object = report.as_object().unwrap();
    let keys: Vec<&str> = object.keys().map(String::as_str).collect();
    assert_eq!(keys.len(), 5, "{keys:?}");
}

#[test]
fn evaluate_reads_any_labelled_file_and_reports_undefined_metrics_as_null() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one-class.arff");
    let mut text = String::from("% reordered attributes, one class only\n@relation 'x'\n");
    text.push_str("@attribute class {0,1}\n");
    for i in (1..=64).rev() {
        text.push_str(&format!("@attribute Attr{i} numeric\n"));
    }
    let values: Vec<String> = (1..=64).map(|i| format!("0.{i}")).collect();
    text.push_str(&format!("@data\n0,{}\n", values.join(",")));
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

/// A ratio drawn from its usual range, with outliers, undefined and unknown values now and then.
fn ratio() -> impl Strategy<Value = Input> {
    prop_oneof![
        8 => (-2.0f64..3.0).prop_map(Input::Value),
        1 => (-500.0f64..7000.0).prop_map(Input::Value),
        1 => Just(Input::Undefined),
        1 => Just(Input::Unknown),
    ]
}

fn company() -> impl Strategy<Value = BTreeMap<String, Input>> {
    proptest::collection::vec(ratio(), features().len()).prop_map(|values| {
        features()
            .iter()
            .zip(values)
            .map(|(f, v)| (f.key.to_string(), v))
            .collect()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn every_constrained_ratio_moves_the_pd_in_its_direction(
        company in company(),
        feature in 0..60usize,
        value in -2.0f64..3.0,
        rise in 0.0f64..5.0,
    ) {
        let model = Model::committed();
        let info = &model.file.features[feature % model.file.features.len()];
        let mut low = company.clone();
        low.insert(info.key.clone(), Input::Value(value));
        let mut high = company;
        high.insert(info.key.clone(), Input::Value(value + rise));
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
        for c in &prediction.contributions {
            if matches!(company.get(&c.feature), Some(Input::Unknown)) {
                prop_assert_eq!(c.log_odds, 0.0);
            }
        }
    }
}

/// Monotone on the real rows: for every constrained ratio and a sample of training companies,
/// moving the ratio along a grid of values never moves the risk against its direction.
#[test]
fn the_committed_model_is_monotone_on_the_training_rows() {
    let model = Model::committed();
    let data = training_rows();
    let constrained: Vec<(usize, Direction)> = model
        .file
        .features
        .iter()
        .enumerate()
        .filter(|(_, f)| f.direction != Direction::Unconstrained)
        .map(|(j, f)| (j, f.direction))
        .collect();
    assert!(constrained.len() >= 15, "{}", constrained.len());
    for row in data.rows.iter().step_by(97) {
        for &(j, direction) in &constrained {
            let column = data.column(j);
            let mut values: Vec<f64> = column.iter().map(|(v, _)| *v).step_by(50).collect();
            values.sort_by(f64::total_cmp);
            let key = &model.file.features[j].key;
            let mut inputs = as_inputs(row);
            let risks: Vec<f64> = values
                .iter()
                .map(|&v| {
                    inputs.insert(key.clone(), Input::Value(v));
                    model.predict(&inputs).log_odds
                })
                .collect();
            for pair in risks.windows(2) {
                match direction {
                    Direction::Increasing => assert!(pair[1] >= pair[0], "{key}: {pair:?}"),
                    _ => assert!(pair[1] <= pair[0], "{key}: {pair:?}"),
                }
            }
        }
    }
}

/// The model file reads the training file's rows as the product reads a company: what
/// `evaluate` measures is what a decision computes.
#[test]
fn evaluate_and_predict_agree_on_the_training_rows() {
    let model = Model::committed();
    let data = training_rows();
    for row in data.rows.iter().step_by(211) {
        let direct = model.row_log_odds(row);
        let predicted = model.predict(&as_inputs(row)).log_odds;
        assert!((direct - predicted).abs() < 1e-9, "{direct} {predicted}");
    }
}
