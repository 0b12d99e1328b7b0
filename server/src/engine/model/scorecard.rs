//! Weight-of-evidence scorecard: each ratio is cut into bins whose default rate moves in the
//! ratio's direction, each bin gets its weight of evidence (WoE, the log-odds of its default rate
//! against the sample's), and a logistic regression on the WoE values weighs the ratios. A
//! company's log-odds is the intercept plus one number per ratio, read from its bin.

use super::data::{features, Direction, Labelled, Row};
use super::json::sig;
use super::regression;
use super::{Contribution, Prediction};
use serde::{Deserialize, Serialize};

/// Quantile bins before merging, for a ratio with a direction.
const INITIAL_BINS: usize = 20;
/// Quantile bins of a ratio without a direction (no merging, so kept coarse).
const UNCONSTRAINED_BINS: usize = 5;
/// Smallest bin, in percent of the rows with a value.
const MIN_BIN_PERCENT: usize = 5;
/// Pseudo-rows at the sample's default rate added to every bin, so that a bin without a
/// default still has a finite WoE and a small bin is pulled towards zero.
pub(crate) const PRIOR_ROWS: f64 = 10.0;
/// L2 penalty of the logistic regression on the WoE values.
pub(crate) const RIDGE: f64 = 1.0;

/// The fitted scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Scorecard {
    /// Log-odds of default when every contribution is zero.
    pub intercept: f64,
    pub features: Vec<ScoredFeature>,
    /// Ratios left out of the fitted scorecard, with the reason.
    pub excluded: Vec<Excluded>,
}

/// One ratio of the scorecard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct ScoredFeature {
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
pub(crate) struct Bin {
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
pub(crate) struct MissingBin {
    pub count: usize,
    pub positives: usize,
    /// `false` when too few training rows were missing to estimate the bin: WoE 0 (neutral).
    pub estimated: bool,
    pub woe: f64,
    pub log_odds: f64,
}

/// A ratio the scorecard does not use.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Excluded {
    pub feature: usize,
    pub key: String,
    pub reason: String,
}

/// Training rows of one bin.
#[derive(Debug, Clone, Copy, Default)]
struct Counts {
    count: usize,
    positives: usize,
}

impl Counts {
    fn add(self, other: Counts) -> Counts {
        Counts {
            count: self.count + other.count,
            positives: self.positives + other.positives,
        }
    }

    /// Smoothed WoE against the sample rate `rate`.
    fn woe(self, rate: f64) -> f64 {
        let p = (self.positives as f64 + PRIOR_ROWS * rate) / (self.count as f64 + PRIOR_ROWS);
        logit(p) - logit(rate)
    }
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

/// Bins of one ratio before the regression: cut points and counts (one more count than cuts).
struct Binning {
    cuts: Vec<f64>,
    counts: Vec<Counts>,
}

impl Binning {
    fn merge(&mut self, left: usize) {
        self.counts[left] = self.counts[left].add(self.counts[left + 1]);
        self.counts.remove(left + 1);
        self.cuts.remove(left);
    }
}

/// Quantile bins, then bins below the minimum size merged into their smaller neighbour, then
/// (with a direction) adjacent bins merged until the WoE moves strictly in that direction.
fn bin_ratio(mut values: Vec<(f64, bool)>, direction: Direction, rate: f64) -> Binning {
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = values.len();
    let quantiles = match direction {
        Direction::Unconstrained => UNCONSTRAINED_BINS,
        _ => INITIAL_BINS,
    };
    let (Some(first), Some(last)) = (values.first(), values.last()) else {
        return Binning {
            cuts: Vec::new(),
            counts: vec![Counts::default()],
        };
    };
    let (min, max) = (first.0, last.0);
    let mut cuts: Vec<f64> = (1..quantiles)
        .map(|i| sig(values[i * n / quantiles].0, 4))
        .filter(|&c| c > min && c <= max)
        .collect();
    cuts.dedup();
    let mut counts = vec![Counts::default(); cuts.len() + 1];
    for &(v, y) in &values {
        let bin = cuts.partition_point(|&c| c <= v);
        counts[bin].count += 1;
        counts[bin].positives += usize::from(y);
    }
    let mut binning = Binning { cuts, counts };
    let min_count = (n * MIN_BIN_PERCENT / 100).max(1);
    while binning.counts.len() > 1 {
        let Some(smallest) = (0..binning.counts.len())
            .filter(|&i| binning.counts[i].count < min_count)
            .min_by_key(|&i| binning.counts[i].count)
        else {
            break;
        };
        let left = if smallest == 0 {
            0
        } else if smallest + 1 == binning.counts.len()
            || binning.counts[smallest - 1].count <= binning.counts[smallest + 1].count
        {
            smallest - 1
        } else {
            smallest
        };
        binning.merge(left);
    }
    if direction != Direction::Unconstrained {
        make_monotone(&mut binning, direction, rate);
    }
    binning
}

/// Pool-adjacent-violators on the smoothed WoE: a stack of blocks, merging the top two while
/// they break the direction. The result moves strictly in `direction`.
fn make_monotone(binning: &mut Binning, direction: Direction, rate: f64) {
    let breaks = |lower: Counts, upper: Counts| match direction {
        Direction::Increasing => upper.woe(rate) <= lower.woe(rate),
        Direction::Decreasing => upper.woe(rate) >= lower.woe(rate),
        Direction::Unconstrained => false,
    };
    // Blocks as (counts, cut above the block).
    let mut stack: Vec<(Counts, Option<f64>)> = Vec::new();
    for (i, &counts) in binning.counts.iter().enumerate() {
        stack.push((counts, binning.cuts.get(i).copied()));
        while stack.len() >= 2 {
            let (upper, upper_cut) = stack[stack.len() - 1];
            let (lower, _) = stack[stack.len() - 2];
            if !breaks(lower, upper) {
                break;
            }
            stack.pop();
            if let Some(top) = stack.last_mut() {
                *top = (lower.add(upper), upper_cut);
            }
        }
    }
    binning.counts = stack.iter().map(|b| b.0).collect();
    binning.cuts = stack.iter().filter_map(|b| b.1).collect();
}

/// Fits a scorecard on `data` with the given direction per ratio (`features()` order).
pub(crate) fn fit(data: &Labelled, directions: &[Direction]) -> Scorecard {
    let n = data.labels.len();
    let rate = data.positives() as f64 / n.max(1) as f64;
    let mut excluded = Vec::new();
    let mut candidates: Vec<(usize, Binning, Counts)> = Vec::new();
    for (j, &direction) in directions.iter().enumerate() {
        let binning = bin_ratio(data.column(j), direction, rate);
        let missing = data
            .rows
            .iter()
            .zip(&data.labels)
            .filter(|(row, _)| row.get(j).copied().flatten().is_none())
            .fold(Counts::default(), |c, (_, &y)| {
                c.add(Counts {
                    count: 1,
                    positives: usize::from(y),
                })
            });
        if binning.counts.len() < 2 {
            excluded.push(Excluded {
                feature: j,
                key: features()[j].key.to_string(),
                reason: "one bin left after merging: no usable pattern".into(),
            });
        } else {
            candidates.push((j, binning, missing));
        }
    }
    let min_missing = |binning: &Binning| {
        let with_value: usize = binning.counts.iter().map(|c| c.count).sum();
        (with_value * MIN_BIN_PERCENT / 100).max(1)
    };
    let woe_of = |binning: &Binning, missing: Counts, value: Option<f64>| match value {
        Some(v) => binning.counts[binning.cuts.partition_point(|&c| c <= v)].woe(rate),
        None if missing.count >= min_missing(binning) => missing.woe(rate),
        None => 0.0,
    };
    // Regression on the WoE values; a ratio whose weight is not positive next to the others
    // (collinearity) would turn its direction round, so it is dropped and the rest refitted.
    let fitted = loop {
        let x: Vec<Vec<f64>> = data
            .rows
            .iter()
            .map(|row| {
                candidates
                    .iter()
                    .map(|(j, binning, missing)| woe_of(binning, *missing, row[*j]))
                    .collect()
            })
            .collect();
        let fitted = regression::fit(&x, &data.labels, RIDGE);
        let weakest = fitted
            .coefficients
            .iter()
            .enumerate()
            .filter(|(_, &c)| c <= 0.0)
            .min_by(|a, b| a.1.total_cmp(b.1))
            .map(|(i, _)| i);
        match weakest {
            Some(i) => {
                let (j, _, _) = candidates.remove(i);
                excluded.push(Excluded {
                    feature: j,
                    key: features()[j].key.to_string(),
                    reason: "weight on WoE not positive next to the other ratios (collinear)"
                        .into(),
                });
            }
            None => break fitted,
        }
    };
    excluded.sort_by_key(|e| e.feature);
    let features = candidates
        .iter()
        .zip(&fitted.coefficients)
        .map(|((j, binning, missing), &coefficient)| {
            let coefficient = sig(coefficient, 10);
            let bins = binning
                .counts
                .iter()
                .enumerate()
                .map(|(i, &counts)| {
                    let woe = sig(counts.woe(rate), 10);
                    Bin {
                        lower: i.checked_sub(1).map(|c| binning.cuts[c]),
                        upper: binning.cuts.get(i).copied(),
                        count: counts.count,
                        positives: counts.positives,
                        woe,
                        log_odds: sig(coefficient * woe, 10),
                    }
                })
                .collect();
            let estimated = missing.count >= min_missing(binning);
            let woe = if estimated {
                sig(missing.woe(rate), 10)
            } else {
                0.0
            };
            ScoredFeature {
                feature: *j,
                key: features()[*j].key.to_string(),
                direction: directions[*j],
                coefficient,
                bins,
                missing: MissingBin {
                    count: missing.count,
                    positives: missing.positives,
                    estimated,
                    woe,
                    log_odds: sig(coefficient * woe, 10),
                },
            }
        })
        .collect();
    Scorecard {
        intercept: sig(fitted.intercept, 10),
        features,
        excluded,
    }
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
pub(crate) fn interval(lower: Option<f64>, upper: Option<f64>) -> String {
    match (lower, upper) {
        (Some(l), Some(u)) => format!("{l} ≤ x < {u}"),
        (None, Some(u)) => format!("x < {u}"),
        (Some(l), None) => format!("x ≥ {l}"),
        (None, None) => "any value".to_string(),
    }
}

impl Scorecard {
    pub(crate) fn log_odds(&self, row: &[Option<f64>]) -> f64 {
        self.features.iter().fold(self.intercept, |sum, f| {
            sum + f.lookup(row.get(f.feature).copied().flatten()).0
        })
    }

    pub(crate) fn explain(&self, row: &Row, keys: &[&str]) -> Prediction {
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
    pub(crate) fn check(&self, features: usize) -> Result<(), String> {
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

    /// Rows where the default rate falls with `x` except for a bump, plus a few missing.
    fn sample() -> Vec<(f64, bool)> {
        (0..1000)
            .map(|i| {
                let x = f64::from(i) / 100.0;
                let bump = (400..450).contains(&i);
                (x, i % 10 == 0 && (i < 300 || bump) || i % 50 == 0)
            })
            .collect()
    }

    #[test]
    fn bins_follow_the_direction_strictly_and_have_the_minimum_size() {
        let binning = bin_ratio(sample(), Direction::Decreasing, 0.06);
        let woe: Vec<f64> = binning.counts.iter().map(|c| c.woe(0.06)).collect();
        assert!(woe.windows(2).all(|w| w[1] < w[0]), "{woe:?}");
        assert!(binning.counts.iter().all(|c| c.count >= 50));
        assert_eq!(binning.cuts.len() + 1, binning.counts.len());
        assert!(binning.cuts.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(binning.counts.iter().map(|c| c.count).sum::<usize>(), 1000);
    }

    #[test]
    fn a_direction_the_data_contradict_leaves_one_bin() {
        let binning = bin_ratio(sample(), Direction::Increasing, 0.06);
        assert!(binning.counts.len() <= 2, "{:?}", binning.cuts);
    }

    #[test]
    fn cut_points_are_rounded_to_four_significant_digits() {
        let values: Vec<(f64, bool)> = (0..200).map(|i| (f64::from(i) / 7.0, i < 30)).collect();
        let binning = bin_ratio(values, Direction::Decreasing, 0.15);
        for c in &binning.cuts {
            assert_eq!(*c, sig(*c, 4));
        }
    }

    #[test]
    fn intervals_read_as_inequalities() {
        assert_eq!(interval(Some(0.6), Some(0.85)), "0.6 ≤ x < 0.85");
        assert_eq!(interval(None, Some(-1.5)), "x < -1.5");
        assert_eq!(interval(Some(2.0), None), "x ≥ 2");
    }
}
