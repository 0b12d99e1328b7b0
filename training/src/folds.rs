//! Stratified k-fold assignment from a seed. The generator is written out here (SplitMix64)
//! rather than taken from a crate so that a dependency update can never change the folds.

use crate::evaluation::FoldResult;
use crate::metrics::Spread;

/// SplitMix64 (Steele, Lea, Flood 2014): small, fast and fully specified.
struct SplitMix64(u64);

impl SplitMix64 {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound` (multiply-shift; the bias is below 2^-50 for our sizes).
    fn below(&mut self, bound: usize) -> usize {
        ((u128::from(self.next()) * bound as u128) >> 64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }
}

/// The fold (`0..k`) of each row: positives and negatives are shuffled separately and dealt
/// round-robin, so every fold has the same share of each class to within one row.
pub(crate) fn stratified(labels: &[bool], k: usize, seed: u64) -> Vec<usize> {
    let mut rng = SplitMix64(seed);
    let mut fold = vec![0; labels.len()];
    let mut dealt = 0;
    for class in [true, false] {
        let mut members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        rng.shuffle(&mut members);
        for i in members {
            fold[i] = dealt % k.max(1);
            dealt += 1;
        }
    }
    fold
}

/// The fold-by-fold AUC difference `a − b` (same folds) and the standard error of its mean.
pub(crate) fn auc_difference(a: &[FoldResult], b: &[FoldResult]) -> (Spread, f64) {
    let differences: Vec<f64> = a.iter().zip(b).map(|(a, b)| a.auc - b.auc).collect();
    let spread = Spread::of(&differences);
    let standard_error = spread.sd / (differences.len().max(1) as f64).sqrt();
    (spread, standard_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generator_matches_the_published_splitmix64_sequence() {
        let mut rng = SplitMix64(1234567);
        assert_eq!(rng.next(), 6457827717110365317);
        assert_eq!(rng.next(), 3203168211198807973);
    }

    #[test]
    fn folds_are_stratified_and_fixed_by_the_seed() {
        let labels: Vec<bool> = (0..103).map(|i| i % 10 == 0).collect();
        let folds = stratified(&labels, 5, 7);
        assert_eq!(folds, stratified(&labels, 5, 7));
        assert_ne!(folds, stratified(&labels, 5, 8));
        for f in 0..5 {
            let size = folds.iter().filter(|&&x| x == f).count();
            let positives = (0..103).filter(|&i| folds[i] == f && labels[i]).count();
            assert!((20..=21).contains(&size), "fold {f} has {size} rows");
            assert!(
                (2..=3).contains(&positives),
                "fold {f} has {positives} positives"
            );
        }
    }
}
