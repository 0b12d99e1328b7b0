//! Fitting the logistic regressions of `aval_core::engine::model::baseline`: each ratio
//! winsorised at its training 1st and 99th percentiles, a missing value replaced by the
//! training median.

pub use aval_core::engine::model::baseline::*;

use crate::regression;
use aval_core::engine::model::data::{features, Labelled};
use aval_core::engine::model::json::sig;

/// Winsorisation percentiles.
const LOWER_PERCENT: usize = 1;
const UPPER_PERCENT: usize = 99;
/// L2 penalty (on standardised ratios).
const RIDGE: f64 = 1.0;

/// The value at `percent` of sorted values (nearest rank below).
fn percentile(sorted: &[f64], percent: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[(sorted.len() - 1) * percent / 100]
}

/// Fits a regression on the columns at `positions` of `data` (rows in `features()` order).
pub fn fit(data: &Labelled, positions: &[usize]) -> Baseline {
    let mut terms: Vec<Term> = positions
        .iter()
        .map(|&j| {
            let mut values: Vec<f64> = data.column(j).into_iter().map(|(v, _)| v).collect();
            values.sort_by(f64::total_cmp);
            let (lower, upper) = (
                percentile(&values, LOWER_PERCENT),
                percentile(&values, UPPER_PERCENT),
            );
            Term {
                feature: j,
                key: features()[j].key.to_string(),
                lower,
                upper,
                fill: percentile(&values, 50),
                coefficient: 0.0,
            }
        })
        .collect();
    // Standardise for a well-conditioned fit, then express the coefficients per unit.
    let raw: Vec<Vec<f64>> = data
        .rows
        .iter()
        .map(|row| terms.iter().map(|t| t.value(row[t.feature])).collect())
        .collect();
    let n = raw.len().max(1) as f64;
    let scale: Vec<(f64, f64)> = (0..terms.len())
        .map(|k| {
            let mean = raw.iter().map(|r| r[k]).sum::<f64>() / n;
            let var = raw.iter().map(|r| (r[k] - mean).powi(2)).sum::<f64>() / n;
            (mean, if var > 0.0 { var.sqrt() } else { 1.0 })
        })
        .collect();
    let x: Vec<Vec<f64>> = raw
        .iter()
        .map(|r| {
            r.iter()
                .zip(&scale)
                .map(|(v, (m, s))| (v - m) / s)
                .collect()
        })
        .collect();
    let fitted = regression::fit(&x, &data.labels, RIDGE);
    let mut intercept = fitted.intercept;
    for ((term, b), (mean, sd)) in terms.iter_mut().zip(&fitted.coefficients).zip(&scale) {
        term.coefficient = sig(b / sd, 10);
        intercept -= b * mean / sd;
    }
    Baseline {
        intercept: sig(intercept, 10),
        terms,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_use_the_nearest_rank_below() {
        let sorted: Vec<f64> = (0..101).map(f64::from).collect();
        assert_eq!(percentile(&sorted, 1), 1.0);
        assert_eq!(percentile(&sorted, 99), 99.0);
        assert_eq!(percentile(&[], 50), 0.0);
    }
}
