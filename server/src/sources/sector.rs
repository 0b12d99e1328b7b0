//! The sector reference table as a source. The table itself is `aval_core::sources::sector`.

pub use aval_core::sources::sector::*;

use super::{Fetched, Snapshot, Source, SourceId, SourceRequest};
use async_trait::async_trait;
use chrono::Utc;
use tokio::time::Instant;

/// The table is local: the same in both worlds.
pub struct SectorSource;

#[async_trait]
impl Source for SectorSource {
    fn id(&self) -> SourceId {
        SourceId::SectorRisk
    }
    fn provider(&self) -> &str {
        TABLE_VERSION
    }
    async fn fetch(&self, _request: &SourceRequest, _deadline: Instant) -> Fetched {
        let body = serde_json::to_vec(&table()).unwrap_or_default();
        Fetched::ok(vec![Snapshot::capture(
            SourceId::SectorRisk,
            TABLE_VERSION,
            "sector table".to_owned(),
            200,
            "application/json",
            Utc::now(),
            0,
            &body,
        )])
    }
}
