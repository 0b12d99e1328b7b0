//! The model's inputs: the ratios the product computes for a French company
//! (`sources::fec::Ratios`), each mapped to an attribute of the Polish dataset.

use super::arff::{Arff, ArffError};
use serde::{Deserialize, Serialize};

/// How a ratio may move the risk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A larger value never lowers the probability of default.
    Increasing,
    /// A larger value never raises the probability of default.
    Decreasing,
    /// No constraint.
    Unconstrained,
}

impl Direction {
    /// Short words for the model card.
    pub fn describe(self) -> &'static str {
        match self {
            Direction::Increasing => "higher value, higher risk",
            Direction::Decreasing => "higher value, lower risk",
            Direction::Unconstrained => "unconstrained",
        }
    }
}

/// One candidate input.
pub struct FeatureSpec {
    /// Input key: the attribute's key in `sources::accounts::ATTRIBUTES`.
    pub key: &'static str,
    /// Attribute of the Polish dataset.
    pub attribute: &'static str,
    pub definition: &'static str,
    /// The direction finance gives; `None` when finance gives none.
    pub prior: Option<Direction>,
}

fn prior(attribute: &crate::sources::accounts::Attribute) -> Option<Direction> {
    crate::sources::accounts::direction(attribute).map(|higher_is_safer| {
        if higher_is_safer {
            Direction::Decreasing
        } else {
            Direction::Increasing
        }
    })
}

/// The candidate inputs, in the order of every row: every attribute one year of French accounts
/// yields (`sources::accounts::ATTRIBUTES`) except those that need earlier years.
pub fn features() -> &'static [FeatureSpec] {
    static FEATURES: std::sync::OnceLock<Vec<FeatureSpec>> = std::sync::OnceLock::new();
    FEATURES.get_or_init(|| {
        crate::sources::accounts::ATTRIBUTES
            .iter()
            .filter(|a| !crate::sources::accounts::NEEDS_EARLIER_YEARS.contains(&a.key))
            .map(|a| FeatureSpec {
                key: a.key,
                attribute: a.attribute,
                definition: a.definition,
                prior: prior(a),
            })
            .collect()
    })
}

/// The position of an input in [`features`].
pub fn position(key: &str) -> Option<usize> {
    features().iter().position(|f| f.key == key)
}

/// The Altman-style baseline's ratios: working capital, retained earnings, EBIT, equity /
/// liabilities and sales, each over total assets (X3, X6, X7, X8, X9).
pub const BASELINE_KEYS: [&str; 5] = [
    "x3_working_capital_to_total_assets",
    "x6_retained_earnings_to_total_assets",
    "x7_ebit_to_total_assets",
    "x8_book_equity_to_total_liabilities",
    "x9_sales_to_total_assets",
];

/// One company's ratios, in the order of the model's features; `None` is missing.
pub type Row = Vec<Option<f64>>;

/// Labelled rows.
#[derive(Debug, Clone, Default)]
pub struct Labelled {
    pub rows: Vec<Row>,
    /// `true` = bankrupt within the horizon.
    pub labels: Vec<bool>,
}

impl Labelled {
    /// The rows at `indices`, in that order.
    pub fn subset(&self, indices: &[usize]) -> Labelled {
        Labelled {
            rows: indices.iter().map(|&i| self.rows[i].clone()).collect(),
            labels: indices.iter().map(|&i| self.labels[i]).collect(),
        }
    }

    pub fn positives(&self) -> usize {
        self.labels.iter().filter(|&&y| y).count()
    }

    /// The non-missing values of feature `j` with their labels.
    pub fn column(&self, j: usize) -> Vec<(f64, bool)> {
        self.rows
            .iter()
            .zip(&self.labels)
            .filter_map(|(row, &y)| row.get(j).copied().flatten().map(|v| (v, y)))
            .collect()
    }

    /// Reads the candidate features and the class from a parsed ARFF file. Attribute names are
    /// matched ignoring case; the class is the attribute named `class`, and `1` is a default.
    pub fn from_arff(arff: &Arff) -> Result<Labelled, ArffError> {
        let position = |name: &str| {
            arff.attributes
                .iter()
                .position(|a| a.name.eq_ignore_ascii_case(name))
                .ok_or_else(|| ArffError::Structure(format!("no attribute named {name}")))
        };
        let columns = features()
            .iter()
            .map(|f| position(f.attribute))
            .collect::<Result<Vec<_>, _>>()?;
        let class = position("class")?;
        let positive = arff.attributes[class].positive_value().ok_or_else(|| {
            ArffError::Structure("the class attribute has no value `1` (bankrupt)".into())
        })?;
        let mut data = Labelled::default();
        for record in &arff.records {
            let label = match record.values.get(class).copied().flatten() {
                Some(v) => v == positive,
                None => {
                    return Err(ArffError::Line {
                        line: record.line,
                        message: "the class is missing".into(),
                    })
                }
            };
            let row = columns
                .iter()
                .map(|&c| record.values.get(c).copied().flatten())
                .collect();
            data.rows.push(row);
            data.labels.push(label);
        }
        Ok(data)
    }
}
