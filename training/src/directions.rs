//! Which direction each ratio is constrained to: finance's, where the training data confirm it.

use crate::data::{features, Direction, Labelled};

/// A direction from finance is enforced when the training data confirm it: the Spearman
/// correlation between the deciles of the ratio and their default rates is at least this
/// strong, with the same sign.
pub(crate) const DIRECTION_EVIDENCE: f64 = 0.8;

/// Spearman rank correlation of `x` and `y` (average ranks for ties); 0 when undefined.
fn spearman(x: &[f64], y: &[f64]) -> f64 {
    fn ranks(v: &[f64]) -> Vec<f64> {
        let mut order: Vec<usize> = (0..v.len()).collect();
        order.sort_by(|&a, &b| v[a].total_cmp(&v[b]).then(a.cmp(&b)));
        let mut r = vec![0.0; v.len()];
        let mut i = 0;
        while i < order.len() {
            let mut j = i;
            while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
                j += 1;
            }
            let average = (i + j) as f64 / 2.0 + 1.0;
            for &k in &order[i..=j] {
                r[k] = average;
            }
            i = j + 1;
        }
        r
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = rx.len() as f64;
    if n < 2.0 {
        return 0.0;
    }
    let (mx, my) = (rx.iter().sum::<f64>() / n, ry.iter().sum::<f64>() / n);
    let cov: f64 = rx.iter().zip(&ry).map(|(a, b)| (a - mx) * (b - my)).sum();
    let vx: f64 = rx.iter().map(|a| (a - mx).powi(2)).sum();
    let vy: f64 = ry.iter().map(|b| (b - my).powi(2)).sum();
    if vx > 0.0 && vy > 0.0 {
        cov / (vx * vy).sqrt()
    } else {
        0.0
    }
}

/// Spearman correlation between the deciles of a ratio (by value, equal numbers of rows) and
/// their default rates.
pub(crate) fn decile_trend(column: &[(f64, bool)]) -> f64 {
    let mut sorted = column.to_vec();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n = sorted.len();
    let mut index = Vec::new();
    let mut rates = Vec::new();
    for g in 0..10 {
        let members = &sorted[g * n / 10..(g + 1) * n / 10];
        if members.is_empty() {
            continue;
        }
        index.push(g as f64);
        rates.push(members.iter().filter(|(_, y)| *y).count() as f64 / members.len() as f64);
    }
    spearman(&index, &rates)
}

/// The direction of each ratio for a training set: finance's where it gives one and the data
/// confirm it, otherwise none; with the evidence as a note.
pub(crate) fn directions(data: &Labelled) -> (Vec<Direction>, Vec<String>) {
    features()
        .iter()
        .enumerate()
        .map(|(j, spec)| {
            let Some(prior) = spec.prior else {
                return (Direction::Unconstrained, String::new());
            };
            let rho = decile_trend(&data.column(j));
            let confirmed = match prior {
                Direction::Increasing => rho >= DIRECTION_EVIDENCE,
                Direction::Decreasing => rho <= -DIRECTION_EVIDENCE,
                Direction::Unconstrained => false,
            };
            if confirmed {
                (prior, String::new())
            } else {
                (
                    Direction::Unconstrained,
                    format!("{} ρ {:.2}", spec.attribute, rho),
                )
            }
        })
        .unzip()
}
