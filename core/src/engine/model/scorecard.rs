//! Weight-of-evidence scorecard: each ratio is cut into bins whose default rate moves in the
//! ratio's direction, each bin gets its weight of evidence (WoE, the log-odds of its default rate
//! against the sample's), and a logistic regression on the WoE values weighs the ratios. A
//! company's log-odds is the intercept plus one number per ratio, read from its bin.

use super::data::{Direction, Row};
use super::{Contribution, Prediction};
use serde::{Deserialize, Serialize};

/// Pseudo-rows at the sample's default rate added to every bin, so that a bin without a
/// default still has a finite WoE and a small bin is pulled towards zero.
pub const PRIOR_ROWS: f64 = 10.0;
/// L2 penalty of the logistic regression on the WoE values.
pub const RIDGE: f64 = 1.0;

/// The fitted scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Scorecard {
    /// Log-odds of default when every contribution is zero.
    pub intercept: f64,
    pub features: Vec<ScoredFeature>,
    /// Ratios left out of the fitted scorecard, with the reason.
    pub excluded: Vec<Excluded>,
}

/// One ratio of the scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoredFeature {
    /// Position in the model's feature list.
    pub feature: usize,
    pub key: String,
    pub direction: Direction,
    /// Weight of the WoE in the logistic regression (positive).
    pub coefficient: f64,
    /// Contiguous bins `lower ≤ x < upper`, from −∞ to +∞ (`null` ends).
    pub bins: Vec<Bin>,
    pub missing: MissingBin,
}

/// One bin with its training counts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bin {
    pub lower: Option<f64>,
    pub upper: Option<f64>,
    pub count: usize,
    pub positives: usize,
    pub woe: f64,
    /// `coefficient × woe`: the contribution to the log-odds.
    pub log_odds: f64,
}

/// The bin of a missing value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MissingBin {
    pub count: usize,
    pub positives: usize,
    /// `false` when too few training rows were missing to estimate the bin: WoE 0 (neutral).
    pub estimated: bool,
    pub woe: f64,
    pub log_odds: f64,
}

/// A ratio the scorecard does not use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Excluded {
    pub feature: usize,
    pub key: String,
    pub reason: String,
}

impl ScoredFeature {
    /// The bin of a value and its text.
    fn lookup(&self, value: Option<f64>) -> (f64, String) {
        let Some(v) = value else {
            let detail = if self.missing.estimated {
                "missing"
            } else {
                "missing (neutral: too few missing values in training)"
            };
            return (self.missing.log_odds, detail.to_string());
        };
        let bin = self
            .bins
            .iter()
            .find(|b| b.upper.is_none_or(|u| v < u))
            .or(self.bins.last());
        match bin {
            Some(b) => (b.log_odds, interval(b.lower, b.upper)),
            None => (0.0, String::new()),
        }
    }
}

/// `0.6 ≤ x < 0.85`, `x < 0.6`, `x ≥ 0.85` or `any value`.
pub fn interval(lower: Option<f64>, upper: Option<f64>) -> String {
    match (lower, upper) {
        (Some(l), Some(u)) => format!("{l} ≤ x < {u}"),
        (None, Some(u)) => format!("x < {u}"),
        (Some(l), None) => format!("x ≥ {l}"),
        (None, None) => "any value".to_string(),
    }
}

impl Scorecard {
    pub fn log_odds(&self, row: &[Option<f64>]) -> f64 {
        self.features.iter().fold(self.intercept, |sum, f| {
            sum + f.lookup(row.get(f.feature).copied().flatten()).0
        })
    }

    pub fn explain(&self, row: &Row, keys: &[&str]) -> Prediction {
        let mut log_odds = self.intercept;
        let contributions = self
            .features
            .iter()
            .map(|f| {
                let value = row.get(f.feature).copied().flatten();
                let (points, detail) = f.lookup(value);
                log_odds += points;
                Contribution {
                    feature: keys.get(f.feature).copied().unwrap_or(&f.key).to_string(),
                    value,
                    log_odds: points,
                    detail,
                }
            })
            .collect();
        Prediction {
            log_odds,
            intercept: self.intercept,
            contributions,
        }
    }

    /// Structural checks of a loaded scorecard.
    pub fn check(&self, features: usize) -> Result<(), String> {
        if !self.intercept.is_finite() {
            return Err("scorecard intercept is not finite".into());
        }
        let mut seen = vec![false; features];
        for f in &self.features {
            match seen.get_mut(f.feature) {
                Some(s) if !*s => *s = true,
                _ => return Err(format!("scorecard feature {} is invalid", f.key)),
            }
            let (Some(first), Some(last)) = (f.bins.first(), f.bins.last()) else {
                return Err(format!("{} has no bins", f.key));
            };
            if first.lower.is_some() || last.upper.is_some() {
                return Err(format!("the bins of {} do not cover every value", f.key));
            }
            for pair in f.bins.windows(2) {
                match (pair[0].upper, pair[1].lower) {
                    (Some(u), Some(l)) if u == l && pair[0].lower.is_none_or(|p| p < u) => {}
                    _ => return Err(format!("the bins of {} are not contiguous", f.key)),
                }
            }
            let numbers = f.bins.iter().flat_map(|b| [b.log_odds, b.woe]);
            if !numbers.chain([f.missing.log_odds]).all(f64::is_finite) {
                return Err(format!("{} has a number that is not finite", f.key));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_as_inequalities() {
        assert_eq!(interval(Some(0.6), Some(0.85)), "0.6 ≤ x < 0.85");
        assert_eq!(interval(None, Some(-1.5)), "x < -1.5");
        assert_eq!(interval(Some(2.0), None), "x ≥ 2");
    }
}
