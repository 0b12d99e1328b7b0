//! Logistic regression by Newton's method with a small ridge penalty (the intercept is not
//! penalised). A handful of features, a few thousand rows: exact and deterministic.

/// A fitted model: `log-odds = intercept + Σ coefficients[j] · x[j]`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Logistic {
    pub intercept: f64,
    pub coefficients: Vec<f64>,
}

/// `ln(1 + exp(z))` without overflow.
fn softplus(z: f64) -> f64 {
    if z > 0.0 {
        z + (-z).exp().ln_1p()
    } else {
        z.exp().ln_1p()
    }
}

/// Penalised log-likelihood.
fn objective(beta: &[f64], x: &[Vec<f64>], y: &[bool], ridge: f64) -> f64 {
    let mut total = 0.0;
    for (row, &label) in x.iter().zip(y) {
        let z = linear(beta, row);
        total += if label { -softplus(-z) } else { -softplus(z) };
    }
    total - 0.5 * ridge * beta[1..].iter().map(|b| b * b).sum::<f64>()
}

fn linear(beta: &[f64], row: &[f64]) -> f64 {
    beta[0] + beta[1..].iter().zip(row).map(|(b, v)| b * v).sum::<f64>()
}

/// Fits `y ~ x` (rows of equal length). `ridge` is the L2 penalty on the coefficients.
pub(crate) fn fit(x: &[Vec<f64>], y: &[bool], ridge: f64) -> Logistic {
    let p = x.first().map_or(0, Vec::len);
    let n = x.len().min(y.len());
    let positives = y.iter().filter(|&&v| v).count();
    let rate = (positives as f64 + 0.5) / (n as f64 + 1.0);
    let mut beta = vec![0.0; p + 1];
    beta[0] = (rate / (1.0 - rate)).ln();
    let mut current = objective(&beta, x, y, ridge);
    for _ in 0..100 {
        let mut gradient = vec![0.0; p + 1];
        let mut hessian = vec![vec![0.0; p + 1]; p + 1];
        for (row, &label) in x.iter().zip(y) {
            let prob = super::logistic(linear(&beta, row));
            let residual = if label { 1.0 } else { 0.0 } - prob;
            let weight = prob * (1.0 - prob);
            let augmented = std::iter::once(1.0).chain(row.iter().copied());
            for (a, va) in augmented.clone().enumerate() {
                gradient[a] += residual * va;
                for (h, vb) in hessian[a].iter_mut().zip(augmented.clone()) {
                    *h += weight * va * vb;
                }
            }
        }
        for (a, row) in hessian.iter_mut().enumerate().skip(1) {
            gradient[a] -= ridge * beta[a];
            row[a] += ridge;
        }
        let Some(step) = solve(hessian, gradient) else {
            break;
        };
        // Step halving keeps every iteration an improvement.
        let mut scale = 1.0;
        let mut improved = false;
        for _ in 0..40 {
            let candidate: Vec<f64> = beta.iter().zip(&step).map(|(b, s)| b + scale * s).collect();
            let value = objective(&candidate, x, y, ridge);
            if value >= current {
                beta = candidate;
                current = value;
                improved = true;
                break;
            }
            scale /= 2.0;
        }
        let largest = step.iter().fold(0.0f64, |m, s| m.max((s * scale).abs()));
        if !improved || largest < 1e-10 {
            break;
        }
    }
    Logistic {
        intercept: beta[0],
        coefficients: beta[1..].to_vec(),
    }
}

/// Solves `a · x = b` by Gaussian elimination with partial pivoting; `None` when singular.
fn solve(mut a: Vec<Vec<f64>>, mut b: Vec<f64>) -> Option<Vec<f64>> {
    let n = b.len();
    for col in 0..n {
        let pivot = (col..n).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, pivot);
        b.swap(col, pivot);
        let (top, bottom) = a.split_at_mut(col + 1);
        let pivot_row = &top[col];
        for (offset, target) in bottom.iter_mut().enumerate() {
            let factor = target[col] / pivot_row[col];
            for (t, p) in target[col..].iter_mut().zip(&pivot_row[col..]) {
                *t -= factor * p;
            }
            b[col + 1 + offset] -= factor * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let tail: f64 = (row + 1..n).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - tail) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovers_the_coefficients_of_a_known_model() {
        // Deterministic design: every (x1, x2) cell with counts matching the true probabilities.
        let (b0, b1, b2) = (-1.0, 2.0, -0.5);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..21 {
            for j in 0..21 {
                let (x1, x2) = (f64::from(i) / 10.0 - 1.0, f64::from(j) / 5.0 - 2.0);
                let p = crate::logistic(b0 + b1 * x1 + b2 * x2);
                let positives = (p * 1000.0).round() as usize;
                for k in 0..1000 {
                    x.push(vec![x1, x2]);
                    y.push(k < positives);
                }
            }
        }
        let fit = fit(&x, &y, 0.0);
        assert!((fit.intercept - b0).abs() < 1e-2, "{fit:?}");
        assert!((fit.coefficients[0] - b1).abs() < 1e-2, "{fit:?}");
        assert!((fit.coefficients[1] - b2).abs() < 1e-2, "{fit:?}");
    }

    #[test]
    fn the_ridge_keeps_separable_data_finite() {
        let x = vec![vec![-1.0], vec![-0.5], vec![0.5], vec![1.0]];
        let y = vec![false, false, true, true];
        let fit = fit(&x, &y, 1.0);
        assert!(fit.coefficients[0].is_finite() && fit.coefficients[0] > 0.0);
    }
}
