//! What every source's parser shares: the error that names where a payload leaves its
//! documented format (a JSON pointer and the problem), and the JSON readers that produce it.

use chrono::NaiveDate;
use serde_json::Value;

/// A payload that is not in the documented format, with the JSON pointer of the problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{pointer}: {problem}")]
pub struct FormatError {
    pub pointer: String,
    pub problem: String,
}

pub fn format_error(pointer: &str, problem: impl Into<String>) -> FormatError {
    FormatError {
        pointer: pointer.to_owned(),
        problem: problem.into(),
    }
}

pub fn parse_json(body: &[u8]) -> Result<Value, FormatError> {
    serde_json::from_slice(body).map_err(|e| format_error("", format!("not JSON: {e}")))
}

/// A string field, `None` when absent or null; an error when it has another type.
pub fn opt_str<'a>(v: &'a Value, base: &str, key: &str) -> Result<Option<&'a str>, FormatError> {
    match v.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.as_str())),
        Some(_) => Err(format_error(&format!("{base}/{key}"), "expected a string")),
    }
}

pub fn opt_date(v: &Value, base: &str, key: &str) -> Result<Option<NaiveDate>, FormatError> {
    opt_str(v, base, key)?
        .map(|s| {
            super::iso_date(s).ok_or_else(|| {
                format_error(&format!("{base}/{key}"), format!("{s:?} is not a date"))
            })
        })
        .transpose()
}
