//! The one error type of the FEC reader: every variant names the 1-based line of the file, and
//! the column when a value is at fault, so the person who exported the file can find it.

use std::fmt;

/// Why a FEC file could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FecError {
    /// No bytes, or only blank lines.
    #[error("the file is empty")]
    Empty,
    /// The first line (the header) contains neither tabs nor `|`.
    #[error(
        "line {line}: the header line has neither tab nor \"|\" separators \
         (a FEC separates its fields with one or the other)"
    )]
    NoSeparator { line: usize },
    /// Columns the reader needs are absent from the header.
    #[error("line {line}: missing required column(s) {}", .columns.join(", "))]
    MissingColumns { line: usize, columns: Vec<String> },
    /// The header names the same column twice.
    #[error("line {line}: column {column} appears twice in the header")]
    DuplicateColumn { line: usize, column: String },
    /// A line has more non-empty fields than the header has columns.
    #[error(
        "line {line}: {found} fields where the header has {expected} \
         (a value probably contains the separator)"
    )]
    TooManyFields {
        line: usize,
        found: usize,
        expected: usize,
    },
    /// A value that does not have the form its column requires.
    #[error("line {line}, column {column}: {}", describe(.value, *.problem))]
    Value {
        line: usize,
        column: String,
        value: String,
        problem: ValueProblem,
    },
    /// The amounts of the file add up beyond what 64-bit cents can hold.
    #[error("line {line}: the amounts of the file add up beyond 92 233 720 368 547 758 euros")]
    Overflow { line: usize },
}

/// What is wrong with a value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ValueProblem {
    /// Required and blank.
    Missing,
    /// Not a decimal number.
    NotAmount,
    /// More than two significant decimals.
    TooManyDecimals,
    /// Beyond what 64-bit cents can hold.
    TooLarge,
    /// Not a date in the AAAAMMJJ form (or an impossible date).
    NotDate,
    /// A `Sens` that is neither D/C nor +1/-1.
    NotDirection,
}

impl fmt::Display for ValueProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ValueProblem::Missing => "is missing",
            ValueProblem::NotAmount => "is not a decimal amount",
            ValueProblem::TooManyDecimals => "has more than 2 decimals",
            ValueProblem::TooLarge => "is too large an amount",
            ValueProblem::NotDate => "is not a date (AAAAMMJJ)",
            ValueProblem::NotDirection => "is not a direction (D, C, +1 or -1)",
        })
    }
}

/// Longest part of a faulty value quoted in a message.
const QUOTED_CHARS: usize = 40;

fn describe(value: &str, problem: ValueProblem) -> String {
    if problem == ValueProblem::Missing {
        return "the value is missing".to_owned();
    }
    let mut quoted: String = value.chars().take(QUOTED_CHARS).collect();
    if value.chars().nth(QUOTED_CHARS).is_some() {
        quoted.push('…');
    }
    format!("{quoted:?} {problem}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bad_amount_names_the_line_the_column_and_the_value() {
        let error = FecError::Value {
            line: 12,
            column: "Debit".into(),
            value: "12,3x".into(),
            problem: ValueProblem::NotAmount,
        };
        assert_eq!(
            error.to_string(),
            r#"line 12, column Debit: "12,3x" is not a decimal amount"#
        );
    }

    #[test]
    fn a_long_value_is_shortened_in_the_message() {
        let error = FecError::Value {
            line: 3,
            column: "EcritureDate".into(),
            value: "x".repeat(100),
            problem: ValueProblem::NotDate,
        };
        let message = error.to_string();
        assert!(
            message.contains(&format!("\"{}…\"", "x".repeat(40))),
            "{message}"
        );
    }

    #[test]
    fn missing_columns_are_all_named() {
        let error = FecError::MissingColumns {
            line: 1,
            columns: vec!["Debit".into(), "Credit".into()],
        };
        assert_eq!(
            error.to_string(),
            "line 1: missing required column(s) Debit, Credit"
        );
    }
}
