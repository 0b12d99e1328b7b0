//! Discrimination and calibration metrics, computed exactly: AUC and KS from integer counts
//! over groups of tied scores, so ties are handled and the result does not depend on row order.

use serde::{Deserialize, Serialize};

/// Rows grouped by equal score, in ascending score order: (positives, negatives) per group.
fn tied_groups(scores: &[f64], labels: &[bool]) -> Vec<(u64, u64)> {
    let mut order: Vec<usize> = (0..scores.len().min(labels.len())).collect();
    order.sort_by(|&a, &b| scores[a].total_cmp(&scores[b]));
    let mut groups: Vec<(u64, u64)> = Vec::new();
    let mut previous: Option<f64> = None;
    for i in order {
        if previous != Some(scores[i]) {
            groups.push((0, 0));
            previous = Some(scores[i]);
        }
        if let Some(last) = groups.last_mut() {
            if labels[i] {
                last.0 += 1;
            } else {
                last.1 += 1;
            }
        }
    }
    groups
}

/// Area under the ROC curve: the probability that a random positive scores above a random
/// negative, ties counting one half (the Mann–Whitney statistic). `None` without both classes.
pub fn auc(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let groups = tied_groups(scores, labels);
    let positives: u64 = groups.iter().map(|g| g.0).sum();
    let negatives: u64 = groups.iter().map(|g| g.1).sum();
    if positives == 0 || negatives == 0 {
        return None;
    }
    // Twice the number of concordant pairs, plus tied pairs once.
    let mut twice: u128 = 0;
    let mut negatives_below: u64 = 0;
    for &(p, n) in &groups {
        twice += u128::from(p) * u128::from(2 * negatives_below + n);
        negatives_below += n;
    }
    Some(twice as f64 / (2.0 * positives as f64 * negatives as f64))
}

/// Kolmogorov–Smirnov statistic: the largest gap between the score distributions of positives
/// and negatives, evaluated between groups of tied scores. `None` without both classes.
pub fn ks(scores: &[f64], labels: &[bool]) -> Option<f64> {
    let groups = tied_groups(scores, labels);
    let positives: u64 = groups.iter().map(|g| g.0).sum();
    let negatives: u64 = groups.iter().map(|g| g.1).sum();
    if positives == 0 || negatives == 0 {
        return None;
    }
    let (mut cum_p, mut cum_n, mut best) = (0u64, 0u64, 0u128);
    for &(p, n) in &groups {
        cum_p += p;
        cum_n += n;
        let a = u128::from(cum_p) * u128::from(negatives);
        let b = u128::from(cum_n) * u128::from(positives);
        best = best.max(a.abs_diff(b));
    }
    Some(best as f64 / (positives as f64 * negatives as f64))
}

/// Brier score: the mean squared difference between the probability and the outcome.
pub fn brier(probabilities: &[f64], labels: &[bool]) -> Option<f64> {
    if probabilities.is_empty() || probabilities.len() != labels.len() {
        return None;
    }
    let sum: f64 = probabilities
        .iter()
        .zip(labels)
        .map(|(p, &y)| (p - if y { 1.0 } else { 0.0 }).powi(2))
        .sum();
    Some(sum / probabilities.len() as f64)
}

/// One group of the calibration table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CalibrationBin {
    /// 1 = lowest predicted probabilities.
    pub group: usize,
    pub count: usize,
    pub positives: usize,
    pub min_predicted: f64,
    pub max_predicted: f64,
    pub mean_predicted: f64,
    pub observed_rate: f64,
}

/// Calibration table: rows sorted by predicted probability (ties by row order) and cut into
/// `groups` groups of equal size (to within one row); mean prediction against observed rate.
pub fn calibration(probabilities: &[f64], labels: &[bool], groups: usize) -> Vec<CalibrationBin> {
    let n = probabilities.len().min(labels.len());
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| probabilities[a].total_cmp(&probabilities[b]));
    (0..groups)
        .filter_map(|g| {
            let members = &order[g * n / groups..(g + 1) * n / groups];
            let count = members.len();
            if count == 0 {
                return None;
            }
            let positives = members.iter().filter(|&&i| labels[i]).count();
            let sum: f64 = members.iter().map(|&i| probabilities[i]).sum();
            Some(CalibrationBin {
                group: g + 1,
                count,
                positives,
                min_predicted: probabilities[members[0]],
                max_predicted: probabilities[members[count - 1]],
                mean_predicted: sum / count as f64,
                observed_rate: positives as f64 / count as f64,
            })
        })
        .collect()
}

/// Mean, sample standard deviation, minimum and maximum of a few numbers.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    pub mean: f64,
    pub sd: f64,
    pub min: f64,
    pub max: f64,
}

impl Spread {
    pub fn of(values: &[f64]) -> Spread {
        let n = values.len().max(1) as f64;
        let mean = values.iter().sum::<f64>() / n;
        let sd = if values.len() > 1 {
            (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt()
        } else {
            0.0
        };
        Spread {
            mean,
            sd,
            min: values.iter().copied().fold(f64::INFINITY, f64::min),
            max: values.iter().copied().fold(f64::NEG_INFINITY, f64::max),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auc_of_a_textbook_example() {
        // Pairs (pos, neg): 0.35>0.1, 0.35<0.4, 0.8>0.1, 0.8>0.4 → 3 of 4.
        let scores = [0.1, 0.4, 0.35, 0.8];
        let labels = [false, false, true, true];
        assert_eq!(auc(&scores, &labels), Some(0.75));
    }

    #[test]
    fn tied_scores_count_one_half() {
        // Positive 0.5 ties both negatives (2 × ½), positive 0.9 beats both: 3 of 4.
        let scores = [0.5, 0.5, 0.5, 0.9];
        let labels = [false, true, false, true];
        assert_eq!(auc(&scores, &labels), Some(0.75));
        // All tied: AUC ½, and KS 0 because tied rows cannot be separated.
        assert_eq!(auc(&[0.3; 4], &labels), Some(0.5));
        assert_eq!(ks(&[0.3; 4], &labels), Some(0.0));
    }

    #[test]
    fn auc_and_ks_need_both_classes() {
        assert_eq!(auc(&[0.1, 0.2], &[true, true]), None);
        assert_eq!(ks(&[0.1, 0.2], &[false, false]), None);
        assert_eq!(auc(&[], &[]), None);
    }

    #[test]
    fn ks_is_the_largest_gap_between_the_two_distributions() {
        // Negatives at 1,2,3; positives at 2,4. After score 1: F_neg 1/3, F_pos 0 → 1/3.
        // After 2: 2/3 vs 1/2 → 1/6. After 3: 1 vs 1/2 → 1/2. After 4: 0. KS = 1/2.
        let scores = [1.0, 2.0, 3.0, 2.0, 4.0];
        let labels = [false, false, false, true, true];
        assert_eq!(ks(&scores, &labels), Some(0.5));
        // Perfect separation.
        assert_eq!(
            ks(&[0.1, 0.2, 0.8, 0.9], &[false, false, true, true]),
            Some(1.0)
        );
    }

    #[test]
    fn brier_is_the_mean_squared_error_of_the_probabilities() {
        // (0.1)² + (0.2)² + (0.7)² + 0 = 0.01 + 0.04 + 0.49 = 0.54; / 4 = 0.135.
        let b = brier(&[0.1, 0.8, 0.7, 1.0], &[false, true, false, true]).unwrap();
        assert!((b - 0.135).abs() < 1e-15, "{b}");
        assert_eq!(brier(&[], &[]), None);
    }

    #[test]
    fn calibration_groups_have_equal_sizes_in_order_of_prediction() {
        let p: Vec<f64> = (0..25).map(|i| f64::from(i) / 25.0).rev().collect();
        let y: Vec<bool> = (0..25).map(|i| i < 5).collect();
        let table = calibration(&p, &y, 10);
        assert_eq!(table.len(), 10);
        assert_eq!(table.iter().map(|b| b.count).sum::<usize>(), 25);
        assert!(table.iter().all(|b| b.count == 2 || b.count == 3));
        assert!(table
            .windows(2)
            .all(|w| w[0].max_predicted <= w[1].min_predicted));
        // The five highest predictions are the positives.
        let top: usize = table[8..].iter().map(|b| b.positives).sum();
        assert_eq!(top, 5);
        assert_eq!(table[9].observed_rate, 1.0);
    }

    #[test]
    fn spread_uses_the_sample_standard_deviation() {
        let s = Spread::of(&[1.0, 2.0, 3.0]);
        assert_eq!((s.mean, s.sd, s.min, s.max), (2.0, 1.0, 1.0, 3.0));
    }
}
