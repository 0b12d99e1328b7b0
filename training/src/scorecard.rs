//! Fitting the weight-of-evidence scorecard of `aval_core::engine::model::scorecard`: each ratio
//! cut into bins whose default rate moves in the ratio's direction, a logistic regression on the
//! bins' weights of evidence.

pub use aval_core::engine::model::scorecard::*;

use crate::regression;
use aval_core::engine::model::data::{features, Direction, Labelled};
use aval_core::engine::model::json::sig;

/// Quantile bins before merging, for a ratio with a direction.
const INITIAL_BINS: usize = 20;
/// Quantile bins of a ratio without a direction (no merging, so kept coarse).
const UNCONSTRAINED_BINS: usize = 5;
/// Smallest bin, in percent of the rows with a value.
const MIN_BIN_PERCENT: usize = 5;
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
pub fn fit(data: &Labelled, directions: &[Direction]) -> Scorecard {
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
}
