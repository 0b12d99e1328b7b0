//! The lender's own data, read from storage. What the decision uses of it is
//! `aval_core::sources::internal`.

pub use aval_core::sources::internal::*;

use super::{Fetched, Snapshot, Source, SourceError, SourceId, SourceRequest};
use crate::store::Store;
use async_trait::async_trait;
use chrono::Utc;
use std::sync::Arc;
use tokio::time::Instant;

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
