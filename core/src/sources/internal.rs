//! The lender's own data: its exposure to the company, its past decisions and how many
//! applications arrived recently (velocity). The server reads it from storage; the answer is kept as a JSON
//! snapshot like any other source, so a replay sees what the decision saw.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};

/// One application this lender decided about a company, as its history keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreditHistoryEntry {
    pub id: String,
    /// `sandbox` or `live`: each world sees only its own history.
    pub world: String,
    pub siren: String,
    pub product: String,
    pub amount_cents: i64,
    pub outcome: String,
    pub outstanding_cents: i64,
    pub received_at: DateTime<Utc>,
}

/// How many past applications the source returns at most.
pub const HISTORY_LIMIT: i64 = 200;

/// The snapshot body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InternalAnswer {
    pub world: String,
    pub siren: String,
    pub as_of: DateTime<Utc>,
    /// Newest first.
    pub history: Vec<CreditHistoryEntry>,
}

/// What the decision uses from the lender's history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InternalFacts {
    /// Sum of the limits still outstanding.
    pub exposure_cents: i64,
    pub past_applications: usize,
    pub past_approvals: usize,
    pub past_declines: usize,
    pub applications_last_24h: usize,
    pub applications_last_30d: usize,
    pub last_application_at: Option<DateTime<Utc>>,
}

pub fn parse(body: &[u8]) -> Result<InternalAnswer, super::json::FormatError> {
    serde_json::from_slice(body)
        .map_err(|e| super::json::format_error("", format!("not an internal answer: {e}")))
}

impl InternalAnswer {
    pub fn facts(&self) -> InternalFacts {
        let since = |d: Duration| {
            self.history
                .iter()
                .filter(|e| e.received_at > self.as_of - d)
                .count()
        };
        InternalFacts {
            exposure_cents: self
                .history
                .iter()
                .map(|e| e.outstanding_cents)
                .fold(0i64, i64::saturating_add),
            past_applications: self.history.len(),
            past_approvals: self
                .history
                .iter()
                .filter(|e| e.outcome == "approve" || e.outcome == "approved")
                .count(),
            past_declines: self
                .history
                .iter()
                .filter(|e| e.outcome == "decline" || e.outcome == "declined")
                .count(),
            applications_last_24h: since(Duration::hours(24)),
            applications_last_30d: since(Duration::days(30)),
            last_application_at: self.history.first().map(|e| e.received_at),
        }
    }
}
