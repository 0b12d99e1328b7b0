//! Logistic regressions on winsorised ratios: the Altman-style baseline on working capital,
//! retained earnings, EBIT, equity / liabilities and sales (X3, X6, X7, X8, X9), and the
//! logistic reference on every ratio. Each ratio is winsorised at its training 1st and 99th
//! percentiles, a missing value replaced by the training median.

use serde::{Deserialize, Serialize};

/// The fitted baseline: `log-odds = intercept + Σ coefficient · clamp(x, lower, upper)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Baseline {
    pub intercept: f64,
    pub terms: Vec<Term>,
}

/// One ratio of the baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Term {
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

impl Term {
    pub fn value(&self, x: Option<f64>) -> f64 {
        x.map_or(self.fill, |v| v.clamp(self.lower, self.upper))
    }
}

impl Baseline {
    pub fn log_odds(&self, row: &[Option<f64>]) -> f64 {
        self.terms.iter().fold(self.intercept, |sum, t| {
            sum + t.coefficient * t.value(row.get(t.feature).copied().flatten())
        })
    }

    pub fn check(&self, features: usize) -> Result<(), String> {
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
}
