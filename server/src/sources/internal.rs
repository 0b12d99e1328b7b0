//! The lender's own data: its exposure to the company, its past decisions and how many
//! applications arrived recently (velocity). Read from storage; the answer is kept as a JSON
//! snapshot like any other source, so a replay sees what the decision saw.

use super::{Fetched, Snapshot, Source, SourceError, SourceId, SourceRequest};
use crate::store::{CreditHistoryEntry, Store};
use async_trait::async_trait;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use std::sync::Arc;
use tokio::time::Instant;

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

/// The same in both worlds: each world reads only its own rows.
pub struct InternalSource {
    pub store: Arc<dyn Store>,
}

#[async_trait]
impl Source for InternalSource {
    fn id(&self) -> SourceId {
        SourceId::Internal
    }
    fn provider(&self) -> &str {
        "aval-credit-history"
    }
    async fn fetch(&self, request: &SourceRequest, _deadline: Instant) -> Fetched {
        let started = std::time::Instant::now();
        let fetched_at = Utc::now();
        let world = request.world.as_str();
        let history = match self
            .store
            .credit_history(world, request.siren.as_str(), request.as_of, HISTORY_LIMIT)
            .await
        {
            Ok(h) => h,
            Err(e) => {
                tracing::error!(error = %e, "reading the credit history failed");
                return Fetched::failed(SourceError::Internal {
                    detail: "storage unavailable".into(),
                });
            }
        };
        let answer = InternalAnswer {
            world: world.to_owned(),
            siren: request.siren.as_str().to_owned(),
            as_of: request.as_of,
            history,
        };
        let body = serde_json::to_vec(&answer).unwrap_or_default();
        Fetched::ok(vec![Snapshot::capture(
            SourceId::Internal,
            self.provider(),
            format!(
                "credit_history world={world} siren={}",
                request.siren.as_str()
            ),
            200,
            "application/json",
            fetched_at,
            u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
            &body,
        )])
    }
}
