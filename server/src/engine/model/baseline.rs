//! Logistic regressions on winsorised ratios: the Altman-style baseline on working capital,
//! retained earnings, EBIT, equity / liabilities and sales (X3, X6, X7, X8, X9), and the
//! logistic reference on every ratio. Each ratio is winsorised at its training 1st and 99th
//! percentiles, a missing value replaced by the training median.

use super::data::{features, Labelled};
use super::json::sig;
use super::regression;
use serde::{Deserialize, Serialize};

/// Winsorisation percentiles.
const LOWER_PERCENT: usize = 1;
const UPPER_PERCENT: usize = 99;
/// L2 penalty (on standardised ratios).
const RIDGE: f64 = 1.0;

/// The fitted baseline: `log-odds = intercept + Σ coefficient · clamp(x, lower, upper)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Baseline {
    pub intercept: f64,
    pub terms: Vec<Term>,
}

/// One ratio of the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Term {
    /// Position in the model's feature list.
    pub feature: usize,
    pub key: String,
    pub lower: f64,
    pub upper: f64,
    /// Used when the value is missing.
    pub fill: f64,
    /// Per unit of the (winsorised) ratio.
    pub coefficient: f64,
}

/// The value at `percent` of sorted values (nearest rank below).
fn percentile(sorted: &[f64], percent: usize) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    sorted[(sorted.len() - 1) * percent / 100]
}

impl Term {
    fn value(&self, x: Option<f64>) -> f64 {
        x.map_or(self.fill, |v| v.clamp(self.lower, self.upper))
    }
}

/// Fits a regression on the columns at `positions` of `data` (rows in `features()` order).
pub(crate) fn fit(data: &Labelled, positions: &[usize]) -> Baseline {
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

impl Baseline {
    pub(crate) fn log_odds(&self, row: &[Option<f64>]) -> f64 {
        self.terms.iter().fold(self.intercept, |sum, t| {
            sum + t.coefficient * t.value(row.get(t.feature).copied().flatten())
        })
    }

    pub(crate) fn check(&self, features: usize) -> Result<(), String> {
        let numbers_ok = self.intercept.is_finite()
            && self.terms.iter().all(|t| {
                [t.lower, t.upper, t.fill, t.coefficient]
                    .iter()
                    .all(|v| v.is_finite())
                    && t.lower <= t.upper
                    && t.feature < features
            });
        if numbers_ok {
            Ok(())
        } else {
            Err("the baseline is invalid".into())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_winsorised_and_missing_values_filled() {
        let term = Term {
            feature: 0,
            key: "k".into(),
            lower: -1.0,
            upper: 2.0,
            fill: 0.5,
            coefficient: 1.0,
        };
        assert_eq!(term.value(Some(-300.0)), -1.0);
        assert_eq!(term.value(Some(1e9)), 2.0);
        assert_eq!(term.value(Some(0.25)), 0.25);
        assert_eq!(term.value(None), 0.5);
    }

    #[test]
    fn percentiles_use_the_nearest_rank_below() {
        let sorted: Vec<f64> = (0..101).map(f64::from).collect();
        assert_eq!(percentile(&sorted, 1), 1.0);
        assert_eq!(percentile(&sorted, 99), 99.0);
        assert_eq!(percentile(&[], 50), 0.0);
    }
}
