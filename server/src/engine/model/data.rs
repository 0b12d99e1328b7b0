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
    pub(crate) fn describe(self) -> &'static str {
        match self {
            Direction::Increasing => "higher value, higher risk",
            Direction::Decreasing => "higher value, lower risk",
            Direction::Unconstrained => "unconstrained",
        }
    }
}

/// One candidate input.
pub(crate) struct FeatureSpec {
    /// Input key, the field name in `sources::fec::Ratios`.
    pub key: &'static str,
    /// Attribute of the Polish dataset.
    pub attribute: &'static str,
    pub definition: &'static str,
    /// The direction finance gives; `None` when the training data decide.
    pub prior: Option<Direction>,
}

/// The candidate inputs, in the order of every row.
pub(crate) const FEATURES: [FeatureSpec; 9] = [
    FeatureSpec {
        key: "x1_net_profit_to_total_assets",
        attribute: "Attr1",
        definition: "net profit / total assets",
        prior: Some(Direction::Decreasing),
    },
    FeatureSpec {
        key: "x2_total_liabilities_to_total_assets",
        attribute: "Attr2",
        definition: "total liabilities / total assets",
        prior: Some(Direction::Increasing),
    },
    FeatureSpec {
        key: "x3_working_capital_to_total_assets",
        attribute: "Attr3",
        definition: "working capital / total assets",
        prior: Some(Direction::Decreasing),
    },
    FeatureSpec {
        key: "x4_current_assets_to_short_term_liabilities",
        attribute: "Attr4",
        definition: "current assets / short-term liabilities",
        prior: Some(Direction::Decreasing),
    },
    FeatureSpec {
        key: "x6_retained_earnings_to_total_assets",
        attribute: "Attr6",
        definition: "retained earnings / total assets",
        prior: Some(Direction::Decreasing),
    },
    FeatureSpec {
        key: "x7_ebit_to_total_assets",
        attribute: "Attr7",
        definition: "EBIT / total assets",
        prior: Some(Direction::Decreasing),
    },
    FeatureSpec {
        key: "x8_book_equity_to_total_liabilities",
        attribute: "Attr8",
        definition: "book value of equity / total liabilities",
        prior: Some(Direction::Decreasing),
    },
    FeatureSpec {
        key: "x9_sales_to_total_assets",
        attribute: "Attr9",
        definition: "sales / total assets",
        prior: None,
    },
    FeatureSpec {
        key: "x10_equity_to_total_assets",
        attribute: "Attr10",
        definition: "equity / total assets",
        prior: Some(Direction::Decreasing),
    },
];

/// Positions in `FEATURES` of the Altman-style baseline's ratios: working capital, retained
/// earnings, EBIT, equity / liabilities and sales, each over total assets (X3, X6, X7, X8, X9).
pub(crate) const BASELINE_FEATURES: [usize; 5] = [2, 4, 5, 6, 7];

/// One company's ratios, in the order of the model's features; `None` is missing.
pub(crate) type Row = Vec<Option<f64>>;

/// Labelled rows.
#[derive(Debug, Clone, Default)]
pub(crate) struct Labelled {
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
        let columns = FEATURES
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
