//! Population stability: how far the companies being decided have drifted from the companies the
//! model was trained on. Each decision is summarised as one character per bin (the model's score
//! and each model input against the training deciles, kept with its case), the database counts
//! them, and the population stability index (PSI) is computed from those counts:
//! `PSI = Σ (actual − expected) × ln(actual / expected)` over the bins, with the usual reading
//! (below 0.1 stable, 0.1 to 0.25 to watch, above 0.25 to act on).

use super::model::{Model, Reference};
use super::Decision;

/// The character of a value in decile `i` (`'0'`…`'9'`).
const DECILES: &[u8; 10] = b"0123456789";
/// An undefined ratio (zero denominator).
pub const UNDEFINED: char = 'u';
/// An unknown value (no accounts, a line not given): left out of the index, counted apart.
pub const UNKNOWN: char = '-';

/// Share given to an empty bin, so that the logarithm stays finite (the usual convention).
const FLOOR: f64 = 1e-4;

/// Below this the population is stable.
pub const WATCH_FROM: f64 = 0.1;
/// From this on it has shifted: act.
pub const ACT_FROM: f64 = 0.25;

/// The band of an index: `stable`, `watch` or `act`.
pub fn band(psi: f64) -> &'static str {
    if psi >= ACT_FROM {
        "act"
    } else if psi >= WATCH_FROM {
        "watch"
    } else {
        "stable"
    }
}

/// The bin character of a value against a reference.
pub fn bin_of(reference: &Reference, value: Option<f64>, undefined: bool) -> char {
    match value {
        Some(v) => {
            let i = reference.cuts.partition_point(|&c| c <= v).min(9);
            char::from(DECILES[i])
        }
        None if undefined => UNDEFINED,
        None => UNKNOWN,
    }
}

/// The position of a bin character among a reference's shares (deciles, then undefined);
/// `None` for an unknown value.
pub fn bin_index(c: char) -> Option<usize> {
    match c {
        '0'..='9' => Some(c as usize - '0' as usize),
        UNDEFINED => Some(10),
        _ => None,
    }
}

/// One decision's bins under `model`, as stored: `<model version>:` then the model's score and
/// each input in the model's order, one character each. `None` when the decision was not made
/// by this model or the model has no references.
pub fn bins(decision: &Decision, model: &Model) -> Option<String> {
    if decision.versions.model != model.version() {
        return None;
    }
    let score_reference = model.score_reference()?;
    let statistical: f64 = decision
        .contributions
        .iter()
        .filter(|c| c.origin == "model" || c.origin == "base")
        .map(|c| c.log_odds)
        .sum();
    let mut out = String::with_capacity(model.version().len() + model.input_keys().count() + 2);
    out.push_str(model.version());
    out.push(':');
    out.push(bin_of(score_reference, Some(statistical), false));
    for key in model.input_keys() {
        let reference = model.input_reference(key)?;
        let feature = decision.features.feature(key);
        let value = feature.and_then(|f| f.value);
        let undefined = feature.and_then(|f| f.missing.as_deref()) == Some("zero_denominator");
        out.push(bin_of(reference, value, undefined));
    }
    Some(out)
}

/// The index of observed counts per bin (deciles, then undefined) against a reference's
/// shares. `None` without any observation.
pub fn psi(expected: &[f64], observed: &[i64]) -> Option<f64> {
    let total: i64 = observed.iter().sum();
    if total <= 0 {
        return None;
    }
    let expected_total: f64 = expected.iter().sum();
    Some(
        expected
            .iter()
            .zip(observed)
            .map(|(&e, &o)| {
                let e = (e / expected_total.max(f64::MIN_POSITIVE)).max(FLOOR);
                let a = (o as f64 / total as f64).max(FLOOR);
                (a - e) * (a / e).ln()
            })
            .sum(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_distribution_is_stable_and_a_shifted_one_is_not() {
        let expected = [0.1; 10];
        let same: Vec<i64> = vec![100; 10];
        assert!(psi(&expected, &same).unwrap().abs() < 1e-12);
        // Known value: half the population moved from the two lowest deciles to the highest.
        let mut shifted = vec![100_i64; 10];
        shifted[0] = 50;
        shifted[1] = 50;
        shifted[9] = 200;
        let value = psi(&expected, &shifted).unwrap();
        let by_hand = 2.0 * (0.05 - 0.1) * (0.5_f64).ln() + (0.2 - 0.1) * 2.0_f64.ln();
        assert!((value - by_hand).abs() < 1e-12, "{value} {by_hand}");
        assert_eq!(band(value), "watch");
        // Everything in one decile: far outside.
        let mut one = vec![0_i64; 10];
        one[4] = 1000;
        assert_eq!(band(psi(&expected, &one).unwrap()), "act");
        assert_eq!(psi(&expected, &[0; 10]), None);
    }

    #[test]
    fn an_index_is_never_negative_and_grows_as_the_population_moves() {
        let expected = [0.1; 10];
        let mut previous = 0.0;
        for moved in 0..=90_i64 {
            let mut counts = vec![100_i64; 10];
            counts[0] -= moved;
            counts[9] += moved;
            let value = psi(&expected, &counts).unwrap();
            assert!(value >= previous - 1e-15, "{moved}: {value} < {previous}");
            previous = value;
        }
    }

    #[test]
    fn values_fall_in_their_decile_and_missing_values_are_told_apart() {
        let reference = Reference {
            cuts: (1..10).map(f64::from).collect(),
            shares: vec![0.1; 11],
        };
        assert_eq!(bin_of(&reference, Some(0.5), false), '0');
        assert_eq!(bin_of(&reference, Some(1.0), false), '1');
        assert_eq!(bin_of(&reference, Some(9.5), false), '9');
        assert_eq!(bin_of(&reference, Some(1e9), false), '9');
        assert_eq!(bin_of(&reference, None, true), UNDEFINED);
        assert_eq!(bin_of(&reference, None, false), UNKNOWN);
        assert_eq!(bin_index('7'), Some(7));
        assert_eq!(bin_index(UNDEFINED), Some(10));
        assert_eq!(bin_index(UNKNOWN), None);
    }
}
