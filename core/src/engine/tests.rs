use super::*;
use features::Features;
use proptest::prelude::*;

#[test]
fn limits_are_exact_integer_money() {
    assert_eq!(share(1_234_567, 50), 617_283);
    assert_eq!(share(i64::MAX, 100), i64::MAX);
    assert_eq!(round_down(1_234_567, 100), 1_230_000);
    assert_eq!(round_down(-5, 100), 0);
    assert_eq!(round_down(99_99, 100), 0);
}

proptest! {
    #[test]
    fn limit_shares_never_exceed_the_base_and_stay_exact(cents in 0i64..1_000_000_000_000, pct in 0u32..=100, step in 1u64..10_000) {
        let s = share(cents, pct);
        prop_assert!(s <= cents);
        prop_assert_eq!(i128::from(s), i128::from(cents) * i128::from(pct) / 100);
        let r = round_down(s, step);
        prop_assert!(r <= s);
        prop_assert_eq!(r % (step as i64 * 100), 0);
    }
}

fn features_of(ratios: &[Option<f64>], negative_days: f64, rejected: f64) -> Features {
    let mut f = Features::default();
    for (name, v) in MODEL_RATIOS.iter().zip(ratios) {
        f.set(name, *v);
    }
    f.set("cf_negative_days_90", Some(negative_days));
    f.set("cf_rejected_debits_90", Some(rejected));
    f
}

fn ratio_value() -> impl Strategy<Value = Option<f64>> {
    prop_oneof![1 => Just(None), 6 => (-3.0f64..5.0).prop_map(Some)]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 400, .. ProptestConfig::default() })]
    #[test]
    fn more_debt_or_more_negative_days_never_lower_the_probability_of_default(
        ratios in proptest::collection::vec(ratio_value(), 9),
        days in 0.0f64..90.0,
        more_days in 0.0f64..90.0,
        rejected in 0.0f64..6.0,
        debt in 0.0f64..3.0,
        more_debt in 0.0f64..3.0,
    ) {
        let model = crate::engine::model::Model::committed();
        let x2 = MODEL_RATIOS.iter().position(|n| *n == "x2_total_liabilities_to_total_assets").unwrap();
        let mut base = ratios.clone();
        base[x2] = Some(debt);
        let mut higher = ratios.clone();
        higher[x2] = Some(debt + more_debt);
        let g = Generation::CURRENT;
        let a = score_features(features_of(&base, days, rejected), model, g).log_odds;
        let b = score_features(features_of(&higher, days, rejected), model, g).log_odds;
        prop_assert!(b >= a - 1e-12, "debt {debt} -> {}: {a} -> {b}", debt + more_debt);
        let c = score_features(features_of(&base, (days + more_days).min(90.0), rejected), model, g).log_odds;
        prop_assert!(c >= a - 1e-12, "days {days} -> {}: {a} -> {c}", days + more_days);
        let r = score_features(features_of(&base, days, rejected + 1.0), model, g).log_odds;
        prop_assert!(r >= a - 1e-12);
    }

    #[test]
    fn contributions_always_add_up_to_the_log_odds(
        ratios in proptest::collection::vec(ratio_value(), 9),
        days in 0.0f64..90.0,
    ) {
        let risk = score_features(features_of(&ratios, days, 0.0), crate::engine::model::Model::committed(), Generation::CURRENT);
        let sum: f64 = risk.contributions.iter().map(|c| c.log_odds).sum();
        prop_assert!((sum - risk.log_odds).abs() < 1e-9);
        let points: f64 = risk.contributions.iter().map(|c| c.points).sum();
        prop_assert!((SCORE_AT_EVEN_ODDS + points - (SCORE_AT_EVEN_ODDS - POINTS_PER_LOG_ODDS * risk.log_odds)).abs() < 1e-6);
    }
}
